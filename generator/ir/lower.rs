//! Drives lowering: spec → [`Api`], collecting located diagnostics on the way.

use super::names::{NameRegistry, pascal_ident, snake_ident};
use super::operations::{OperationLowering, collect};
use super::resources::{has_hint, hint_at};
use super::types::{Finding, TypeSpace};
use super::*;
use crate::spec::{Diagnostics, LoadedSpec, Severity};

/// Type names the generated `models` module must never use for a schema, because the
/// generated code refers to them unqualified there.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Result",
    "Vec",
    "String",
    "Box",
    "BTreeMap",
    "Value",
    "Deserialize",
    "Serialize",
];

/// Lowers a loaded spec. Warnings come back with the API; any error fails the whole lowering.
pub fn lower(spec: &LoadedSpec) -> Result<(Api, Diagnostics), Diagnostics> {
    let openapi = &spec.openapi;
    let mut findings: Vec<Finding> = Vec::new();
    let mut types = TypeSpace::new(
        openapi,
        &spec.document,
        NameRegistry::reserving(RESERVED_TYPE_NAMES.iter().copied()),
    );
    types.add_components();

    let security_schemes = super::security::schemes(openapi, &mut findings);
    let raw_operations = collect(openapi, &mut findings);

    // One group per tag: declared tags first (in their order), then tags met on operations.
    let mut tag_order: Vec<String> = openapi.tags.iter().map(|t| t.name.clone()).collect();
    for raw in &raw_operations {
        if let Some(tag) = raw.op.tags.first()
            && !tag_order.contains(tag)
        {
            tag_order.push(tag.clone());
        }
    }
    let untagged = raw_operations.iter().any(|raw| raw.op.tags.is_empty());
    let mut used_tags: Vec<String> = tag_order
        .into_iter()
        .filter(|tag| {
            raw_operations
                .iter()
                .any(|raw| raw.op.tags.first() == Some(tag))
        })
        .collect();
    if untagged {
        used_tags.push(String::new());
    }
    let mut trait_names = NameRegistry::reserving(["Api"]);
    let mut modules = NameRegistry::reserving(["router", "models", "runtime", "mod"]);
    let groups: Vec<Group> = used_tags
        .iter()
        .map(|tag| {
            let base = if tag.is_empty() {
                "default".to_owned()
            } else {
                tag.clone()
            };
            Group {
                tag: tag.clone(),
                description: openapi
                    .tags
                    .iter()
                    .find(|t| &t.name == tag)
                    .and_then(|t| t.description.clone()),
                trait_name: trait_names.claim(&format!("{}Api", pascal_ident(&base))),
                module: modules.claim(&snake_ident(&base)),
            }
        })
        .collect();

    let mut lowering = OperationLowering::new(openapi, &mut types);
    let mut operations = Vec::with_capacity(raw_operations.len());
    // `x-specgen-resource` on a path item, parsed once per path (so a bad one warns once).
    let mut path_hints: std::collections::HashMap<&str, Option<ResourceHint>> = Default::default();
    for raw in &raw_operations {
        let tag = raw.op.tags.first().cloned().unwrap_or_default();
        let group = GroupId(used_tags.iter().position(|t| *t == tag).unwrap_or(0));
        let mut operation = lowering.lower(raw, group, &security_schemes);
        // The hint travels with its operation, so dropping a duplicate route cannot move it.
        operation.resource_hint = if has_hint(&raw.op.extensions) {
            hint_at(&raw.op.extensions, &raw.pointer, &mut findings)
        } else {
            path_hints
                .entry(raw.path.as_str())
                .or_insert_with(|| {
                    let pointer =
                        format!("/paths/{}", crate::spec::escape_pointer_token(&raw.path));
                    hint_at(&raw.item.extensions, &pointer, &mut findings)
                })
                .clone()
        };
        operations.push(operation);
    }
    findings.append(&mut lowering.findings);
    super::operations::unify_routes(&mut operations, &mut findings);
    types.break_cycles();
    mark_patch_fields(&mut types.types, &operations);
    findings.append(&mut types.findings);

    let pattern_statics = super::names::pattern_statics(&types.types, &operations);
    let mut api = Api {
        title: openapi.info.title.clone(),
        version: openapi.info.version.clone(),
        description: openapi.info.description.clone(),
        types: types.types,
        groups,
        operations,
        security_schemes,
        resources: Vec::new(),
        pattern_statics,
        spec_json: published_json(&spec.source),
        spec_sha256: sha256_hex(spec.source.text.as_bytes()),
    };
    api.resources = super::resources::detect(&api, &mut findings);
    for resource in &api.resources {
        let item = api.ty(resource.item);
        for fill in resource
            .fills
            .iter()
            .filter(|f| f.kind == FillKind::Undecided)
        {
            findings.push(Finding {
                severity: Severity::Warning,
                pointer: format!(
                    "{}/properties/{}",
                    item.pointer,
                    crate::spec::escape_pointer_token(&fill.field)
                ),
                message: format!(
                    "`{}` is required in a stored `{}`, but a create request may leave it out and the spec gives it no default, so the server cannot know it: the scaffold `src/services/{}.rs` sets a placeholder (`placeholder_as(\"{}\", ...)`) for you to replace; a `default:` in the spec removes it",
                    fill.field, item.name, resource.table, fill.field
                ),
            });
        }
    }
    // Checks that need the finished model.
    super::security::check_requirements(&api, &mut findings);

    let mut diagnostics = spec.warnings.clone();
    if !findings.is_empty() {
        // One locator for all findings: building it parses the whole source.
        let locator = crate::spec::Locator::new(&spec.source.text);
        for finding in findings {
            diagnostics.push(crate::spec::Diagnostic::located_with(
                &locator,
                &spec.source,
                finding.severity,
                &finding.pointer,
                finding.message,
            ));
        }
    }
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok((api, diagnostics))
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    use std::fmt::Write;
    sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// The document as JSON when its file is YAML, so the service can publish both forms; a
/// JSON file needs no copy (JSON is also valid YAML 1.2, so it serves as both).
fn published_json(source: &crate::spec::SourceFile) -> Option<String> {
    match source.format {
        crate::spec::SourceFormat::Json => None,
        crate::spec::SourceFormat::Yaml => source
            .parse_value()
            .ok()
            .and_then(|value| serde_json::to_string_pretty(&value).ok())
            .map(|mut text| {
                text.push('\n');
                text
            }),
    }
}

/// In the body of a PATCH, an optional nullable field has three states: absent (leave it),
/// `null` (clear it) and a value. Those fields become `Option<Option<T>>`.
fn mark_patch_fields(types: &mut [NamedType], operations: &[Operation]) {
    let mut bodies: Vec<TypeId> = Vec::new();
    for op in operations
        .iter()
        .filter(|op| op.method == HttpMethod::Patch)
    {
        for content in op
            .body
            .iter()
            .flat_map(|b| &b.contents)
            .filter(|c| c.kind == BodyKind::Json)
        {
            let mut ty = &content.ty;
            // Follow aliases to the struct they name.
            for _ in 0..8 {
                let TyKind::Named(id) = ty.kind else { break };
                match &types[id.0].kind {
                    NamedKind::Alias(target) => ty = target,
                    _ => {
                        bodies.push(id);
                        break;
                    }
                }
            }
        }
    }
    for id in bodies {
        if let NamedKind::Struct(s) = &mut types[id.0].kind {
            for field in &mut s.fields {
                field.tri_state = !field.required && field.ty.nullable;
            }
        }
    }
}
