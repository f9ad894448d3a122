//! Lowering JSON Schemas to named Rust types and type positions (`Ty`).
//!
//! Follows typify's shape: every component schema gets its type id reserved before any
//! conversion, so forward and recursive references resolve in any order; inline objects,
//! enums and unions are hoisted to named types whose names derive from where they appear;
//! cycles are broken with `Box` once the whole type space is known.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use openapiv3::{
    AdditionalProperties, AnySchema, OpenAPI, ReferenceOr, Schema, SchemaKind,
    StringFormat as OaStringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::names::{NameRegistry, pascal_ident, snake_ident};
use super::refs::component_name;
use super::*;
use crate::spec::{Severity, escape_pointer_token};

/// The extension that makes a property unique among the stored items of a resource.
pub const UNIQUE_EXTENSION: &str = "x-specgen-unique";

/// The extension that makes a property a reference to another resource's items.
pub const REFERENCES_EXTENSION: &str = "x-specgen-references";

/// Deepest nesting of inline schemas we follow; deeper input is almost surely adversarial.
const MAX_DEPTH: usize = 64;

/// A finding raised while lowering, located by pointer.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub severity: Severity,
    pub pointer: String,
    pub message: String,
}

pub(crate) struct TypeSpace<'a> {
    spec: &'a OpenAPI,
    pub types: Vec<NamedType>,
    pub names: NameRegistry,
    by_component: HashMap<String, TypeId>,
    /// The whole document, for `$ref`s that point inside a schema (`#/components/schemas/A/properties/b`).
    document: &'a Value,
    /// Types of such references, lowered once each.
    by_pointer: HashMap<String, Ty>,
    /// Inline enums already hoisted, keyed by (name hint, values), so a repeated inline enum
    /// (e.g. the same parameter on two paths) is one type.
    inline_enums: BTreeMap<(String, Vec<String>), TypeId>,
    pub findings: Vec<Finding>,
    depth: usize,
}

impl<'a> TypeSpace<'a> {
    pub fn new(spec: &'a OpenAPI, document: &'a Value, reserved: NameRegistry) -> Self {
        Self {
            spec,
            document,
            by_pointer: HashMap::new(),
            types: Vec::new(),
            names: reserved,
            by_component: HashMap::new(),
            inline_enums: BTreeMap::new(),
            findings: Vec::new(),
            depth: 0,
        }
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.findings.push(Finding {
            severity: Severity::Warning,
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.findings.push(Finding {
            severity: Severity::Error,
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    /// Reserves an id and a unique name; the kind is filled in later.
    fn reserve(&mut self, wanted: &str, spec_name: Option<String>, pointer: String) -> TypeId {
        let name = self.names.claim(&pascal_ident(wanted));
        let id = TypeId(self.types.len());
        self.types.push(NamedType {
            name,
            spec_name,
            doc: None,
            kind: NamedKind::Alias(Box::new(Ty::new(TyKind::Any))),
            pointer,
        });
        id
    }

    /// Reserves every component schema, then converts each one.
    pub fn add_components(&mut self) {
        let Some(components) = self.spec.components.as_ref() else {
            return;
        };
        let entries: Vec<(String, ReferenceOr<Schema>)> = components
            .schemas
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, _) in &entries {
            let pointer = format!("/components/schemas/{}", escape_pointer_token(name));
            let id = self.reserve(name, Some(name.clone()), pointer);
            self.by_component.insert(name.clone(), id);
        }
        for (name, schema) in &entries {
            let id = self.by_component[name];
            let pointer = self.types[id.0].pointer.clone();
            let kind = match schema {
                ReferenceOr::Reference { reference } => {
                    NamedKind::Alias(Box::new(self.reference(reference, &pointer)))
                }
                ReferenceOr::Item(schema) => self.named_kind(schema, name, &pointer),
            };
            let doc = match schema {
                ReferenceOr::Item(schema) => doc_of(schema),
                ReferenceOr::Reference { .. } => None,
            };
            self.types[id.0].kind = kind;
            self.types[id.0].doc = doc;
        }
    }

    /// The type of a schema position. `hint` names any type that must be hoisted out of it.
    pub fn ty(&mut self, schema: &ReferenceOr<Schema>, hint: &str, pointer: &str) -> Ty {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, pointer),
            ReferenceOr::Item(schema) => self.inline(schema, hint, pointer),
        }
    }

    pub fn ty_boxed(&mut self, schema: &ReferenceOr<Box<Schema>>, hint: &str, pointer: &str) -> Ty {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, pointer),
            ReferenceOr::Item(schema) => self.inline(schema, hint, pointer),
        }
    }

    fn reference(&mut self, reference: &str, pointer: &str) -> Ty {
        let pointer = &format!("{pointer}/$ref");
        let is_component =
            component_name(reference, "schemas").is_some_and(|name| !name.contains('/'));
        if !is_component && let Some(target) = reference.strip_prefix('#') {
            return self.pointer_reference(reference, target, pointer);
        }
        match component_name(reference, "schemas") {
            Some(name) => {
                let name = crate::spec::unescape_pointer_token(name);
                match self.by_component.get(&name) {
                    Some(id) => Ty::new(TyKind::Named(*id)),
                    None => {
                        self.error(pointer, format!("`$ref: {reference}` does not resolve: no schema `{name}` in components.schemas"));
                        Ty::new(TyKind::Any)
                    }
                }
            }
            None => {
                self.warn(pointer, format!("`$ref: {reference}` is not a local component schema; the value is accepted as any JSON"));
                Ty::new(TyKind::Any)
            }
        }
    }

    /// A `$ref` to a schema that is not a component of its own, e.g. a property of one:
    /// lowered like an inline schema, once per target.
    fn pointer_reference(&mut self, reference: &str, target: &str, pointer: &str) -> Ty {
        if let Some(ty) = self.by_pointer.get(target) {
            return ty.clone();
        }
        let Some(value) = self.document.pointer(target) else {
            self.error(
                pointer,
                format!("`$ref: {reference}` does not resolve to anything in this document"),
            );
            return Ty::new(TyKind::Any);
        };
        let schema = match serde_json::from_value::<ReferenceOr<Schema>>(value.clone()) {
            Ok(schema) => schema,
            Err(error) => {
                self.error(
                    pointer,
                    format!("`$ref: {reference}` does not point to a schema: {error}"),
                );
                return Ty::new(TyKind::Any);
            }
        };
        // A placeholder first, so a reference cycle through this pointer ends.
        self.by_pointer
            .insert(target.to_owned(), Ty::new(TyKind::Any));
        let hint = target
            .split('/')
            .filter(|s| {
                !s.is_empty() && *s != "components" && *s != "schemas" && *s != "properties"
            })
            .map(|s| pascal_ident(&crate::spec::unescape_pointer_token(s)))
            .collect::<String>();
        let ty = self.ty(&schema, &hint, target);
        self.by_pointer.insert(target.to_owned(), ty.clone());
        ty
    }

    /// Resolves a schema reference to the schema itself (for `allOf` merging).
    fn resolve_schema(&self, schema: &ReferenceOr<Schema>) -> Option<(Schema, Option<String>)> {
        let mut current = schema.clone();
        let mut name = None;
        for _ in 0..32 {
            match current {
                ReferenceOr::Item(schema) => return Some((schema, name)),
                ReferenceOr::Reference { reference } => match component_name(&reference, "schemas")
                {
                    Some(component) if !component.contains('/') => {
                        let component = crate::spec::unescape_pointer_token(component);
                        current = self
                            .spec
                            .components
                            .as_ref()?
                            .schemas
                            .get(&component)?
                            .clone();
                        name = Some(component);
                    }
                    _ => {
                        // A pointer inside the document (e.g. to a property of a component).
                        let target = self.document.pointer(reference.strip_prefix('#')?)?;
                        current = serde_json::from_value(target.clone()).ok()?;
                        name = None;
                    }
                },
            }
        }
        None
    }

    fn inline(&mut self, schema: &Schema, hint: &str, pointer: &str) -> Ty {
        if self.depth >= MAX_DEPTH {
            self.error(pointer, "schema nesting is too deep");
            return Ty::new(TyKind::Any);
        }
        self.depth += 1;
        let mut ty = self.inline_kind(schema, hint, pointer);
        self.depth -= 1;
        ty.nullable |= schema.schema_data.nullable;
        if schema.schema_data.default.is_some() {
            ty.default = schema.schema_data.default.clone();
        }
        if schema.schema_data.example.is_some() {
            ty.example = schema.schema_data.example.clone();
        }
        ty
    }

    fn inline_kind(&mut self, schema: &Schema, hint: &str, pointer: &str) -> Ty {
        match &schema.schema_kind {
            _ if enum_values(schema).is_some() => {
                let (values, integer, nullable) = enum_values(schema).unwrap_or_default();
                let key = (hint.to_owned(), values.clone());
                let id = match self.inline_enums.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = self.reserve(hint, None, pointer.to_owned());
                        self.types[id.0].kind = NamedKind::Enum(enum_type(&values, integer));
                        self.types[id.0].doc = doc_of(schema);
                        self.inline_enums.insert(key, id);
                        id
                    }
                };
                let mut ty = Ty::new(TyKind::Named(id));
                ty.nullable = nullable;
                ty
            }
            SchemaKind::Type(Type::Object(_)) | SchemaKind::AllOf { .. } | SchemaKind::Any(_)
                if is_map_like(schema) =>
            {
                self.map_ty(schema, hint, pointer)
            }
            SchemaKind::Type(Type::Object(_))
            | SchemaKind::AllOf { .. }
            | SchemaKind::OneOf { .. }
            | SchemaKind::AnyOf { .. } => {
                if let SchemaKind::AllOf { all_of } = &schema.schema_kind
                    && let [(index, member)] = shaped_members(all_of)[..]
                    && !has_own_shape(schema)
                {
                    // `allOf: [{$ref: X}, {description: ...}]` is X, documented here: a
                    // copy of X would be a new type (and, for a recursive X, an endless one).
                    let mut ty = self.ty(member, hint, &format!("{pointer}/allOf/{index}"));
                    ty.nullable |= schema.schema_data.nullable || annotations_nullable(all_of);
                    return ty;
                }
                let kind = self.named_kind(schema, hint, pointer);
                if let NamedKind::Alias(ty) = kind {
                    return *ty;
                }
                let id = self.reserve(hint, None, pointer.to_owned());
                self.types[id.0].kind = kind;
                self.types[id.0].doc = doc_of(schema);
                Ty::new(TyKind::Named(id))
            }
            _ => self.scalar_or_array(schema, hint, pointer),
        }
    }

    fn map_ty(&mut self, schema: &Schema, hint: &str, pointer: &str) -> Ty {
        let value = match additional_of(schema) {
            Some(AdditionalProperties::Schema(value)) => self.ty(
                value,
                &format!("{hint}Value"),
                &format!("{pointer}/additionalProperties"),
            ),
            _ => Ty::new(TyKind::Any),
        };
        let mut ty = Ty::new(TyKind::Map(Box::new(value)));
        if let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind {
            ty.constraints.min_properties = object.min_properties;
            ty.constraints.max_properties = object.max_properties;
        }
        ty
    }

    /// Scalars and arrays: these never need a named type of their own.
    fn scalar_or_array(&mut self, schema: &Schema, hint: &str, pointer: &str) -> Ty {
        let mut constraints = Constraints::default();
        let kind = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                constraints.min_length = s.min_length;
                constraints.max_length = s.max_length;
                constraints.pattern = s
                    .pattern
                    .as_deref()
                    .map(|pattern| self.pattern(pattern, pointer));
                TyKind::String(string_format(&s.format))
            }
            SchemaKind::Type(Type::Integer(i)) => {
                constraints.minimum = i.minimum.map(|v| v as f64);
                constraints.maximum = i.maximum.map(|v| v as f64);
                constraints.exclusive_minimum = i.exclusive_minimum;
                constraints.exclusive_maximum = i.exclusive_maximum;
                constraints.multiple_of = i.multiple_of.map(|v| v as f64);
                constraints.enumeration = i
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|v| Value::from(*v))
                    .collect();
                TyKind::Integer(int_format(&i.format, i.minimum))
            }
            SchemaKind::Type(Type::Number(n)) => {
                constraints.minimum = n.minimum;
                constraints.maximum = n.maximum;
                constraints.exclusive_minimum = n.exclusive_minimum;
                constraints.exclusive_maximum = n.exclusive_maximum;
                constraints.multiple_of = n.multiple_of;
                constraints.enumeration = n
                    .enumeration
                    .iter()
                    .flatten()
                    .filter_map(|v| serde_json::Number::from_f64(*v))
                    .map(Value::Number)
                    .collect();
                TyKind::Number(match &n.format {
                    VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float) => {
                        FloatFormat::F32
                    }
                    _ => FloatFormat::F64,
                })
            }
            SchemaKind::Type(Type::Boolean(_)) => TyKind::Bool,
            SchemaKind::Type(Type::Array(array)) => {
                constraints.min_items = array.min_items;
                constraints.max_items = array.max_items;
                constraints.unique_items = array.unique_items;
                let item = match &array.items {
                    Some(items) => {
                        self.ty_boxed(items, &format!("{hint}Item"), &format!("{pointer}/items"))
                    }
                    None => Ty::new(TyKind::Any),
                };
                TyKind::Array(Box::new(item))
            }
            SchemaKind::Not { .. } => {
                self.warn(
                    pointer,
                    "`not` schemas are not enforced; the value is accepted as any JSON",
                );
                TyKind::Any
            }
            SchemaKind::Any(any) => {
                if let Some(items) = &any.items {
                    let item =
                        self.ty_boxed(items, &format!("{hint}Item"), &format!("{pointer}/items"));
                    TyKind::Array(Box::new(item))
                } else {
                    TyKind::Any
                }
            }
            SchemaKind::Type(Type::Object(_))
            | SchemaKind::AllOf { .. }
            | SchemaKind::OneOf { .. }
            | SchemaKind::AnyOf { .. } => TyKind::Any,
        };
        let mut ty = Ty::new(kind);
        ty.constraints = constraints;
        ty
    }

    /// The kind of a type that gets a name: struct, enum, union, or an alias for anything else.
    fn named_kind(&mut self, schema: &Schema, name: &str, pointer: &str) -> NamedKind {
        match &schema.schema_kind {
            _ if enum_values(schema).is_some() => {
                let (values, integer, _) = enum_values(schema).unwrap_or_default();
                NamedKind::Enum(enum_type(&values, integer))
            }
            SchemaKind::OneOf { one_of: variants } | SchemaKind::AnyOf { any_of: variants } => {
                let keyword = if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) {
                    "oneOf"
                } else {
                    "anyOf"
                };
                self.union(schema, variants, name, &format!("{pointer}/{keyword}"))
            }
            SchemaKind::AllOf { all_of } => {
                if let [(index, member)] = shaped_members(all_of)[..]
                    && self
                        .resolve_schema(member)
                        .is_some_and(|(resolved, _)| !is_object_like(&resolved))
                {
                    // A scalar or array with annotations beside it: an alias, not a struct.
                    let mut ty = self.ty(member, name, &format!("{pointer}/allOf/{index}"));
                    ty.nullable |= schema.schema_data.nullable || annotations_nullable(all_of);
                    return NamedKind::Alias(Box::new(ty));
                }
                let (properties, required, additional) = self.merge_all_of(schema, all_of, pointer);
                NamedKind::Struct(self.struct_type(
                    schema,
                    &properties,
                    &required,
                    additional,
                    name,
                    pointer,
                ))
            }
            SchemaKind::Type(Type::Object(object)) if !is_map_like(schema) => {
                let properties: Vec<_> = object
                    .properties
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone(), pointer.to_owned()))
                    .collect();
                NamedKind::Struct(self.struct_type(
                    schema,
                    &properties,
                    &object.required,
                    object.additional_properties.clone(),
                    name,
                    pointer,
                ))
            }
            SchemaKind::Any(any) if !any.properties.is_empty() => {
                let properties: Vec<_> = any
                    .properties
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone(), pointer.to_owned()))
                    .collect();
                NamedKind::Struct(self.struct_type(
                    schema,
                    &properties,
                    &any.required,
                    any.additional_properties.clone(),
                    name,
                    pointer,
                ))
            }
            _ => {
                let mut ty = self.inline(schema, name, pointer);
                // The alias carries nullability itself; a position referring to it adds its own.
                ty.nullable = schema.schema_data.nullable;
                NamedKind::Alias(Box::new(ty))
            }
        }
    }

    fn union(
        &mut self,
        schema: &Schema,
        variants: &[ReferenceOr<Schema>],
        name: &str,
        pointer: &str,
    ) -> NamedKind {
        let mut registry = NameRegistry::new();
        let mut out = Vec::new();
        for (index, variant) in variants.iter().enumerate() {
            let variant_pointer = format!("{pointer}/{index}");
            let ref_name = match variant {
                ReferenceOr::Reference { reference } => {
                    component_name(reference, "schemas").map(crate::spec::unescape_pointer_token)
                }
                ReferenceOr::Item(_) => None,
            };
            let ty = self.ty(
                variant,
                &format!("{name}Variant{}", index + 1),
                &variant_pointer,
            );
            let wanted = match (&ref_name, &ty.kind) {
                (Some(component), _) => pascal_ident(component),
                (None, TyKind::Named(id)) => self.types[id.0].name.clone(),
                (None, kind) => kind_word(kind).to_owned(),
            };
            out.push(UnionVariant {
                rust_name: registry.claim(&wanted),
                ty,
                tags: ref_name.into_iter().collect(),
            });
        }
        let discriminator = schema.schema_data.discriminator.as_ref().map(|d| {
            for variant in &mut out {
                let mapped: Vec<String> = d
                    .mapping
                    .iter()
                    .filter(|(_, target)| {
                        variant.tags.first().is_some_and(|t| {
                            component_name(target, "schemas")
                                .map(crate::spec::unescape_pointer_token)
                                .as_deref()
                                == Some(t.as_str())
                                || target.as_str() == t
                        })
                    })
                    .map(|(value, _)| value.clone())
                    .collect();
                if !mapped.is_empty() {
                    let mut tags = mapped;
                    tags.append(&mut variant.tags);
                    variant.tags = tags;
                }
            }
            Discriminator {
                property: d.property_name.clone(),
            }
        });
        if discriminator.is_none() {
            out.sort_by_key(|variant| self.specificity(&variant.ty));
        } else if out.iter().any(|v| v.tags.is_empty()) {
            self.warn(pointer, "a `oneOf` variant with a discriminator has no `$ref`, so no discriminator value selects it");
        }
        NamedKind::Union(UnionType {
            variants: out,
            discriminator,
        })
    }

    /// Sort key for untagged variants: the most specific shapes must be tried first.
    fn specificity(&self, ty: &Ty) -> (u8, std::cmp::Reverse<usize>) {
        match &ty.kind {
            TyKind::Named(id) => match &self.types[id.0].kind {
                NamedKind::Struct(s) => {
                    let deny = if s.additional == Additional::Deny {
                        0
                    } else {
                        1
                    };
                    (
                        deny,
                        std::cmp::Reverse(s.fields.iter().filter(|f| f.required).count()),
                    )
                }
                NamedKind::Union(_) => (2, std::cmp::Reverse(0)),
                NamedKind::Enum(_) => (4, std::cmp::Reverse(0)),
                NamedKind::Alias(inner) => self.specificity(inner),
            },
            TyKind::Map(_) => (3, std::cmp::Reverse(0)),
            TyKind::Array(_) => (3, std::cmp::Reverse(0)),
            TyKind::Integer(_) => (5, std::cmp::Reverse(0)),
            TyKind::Number(_) => (6, std::cmp::Reverse(0)),
            TyKind::Bool => (7, std::cmp::Reverse(0)),
            TyKind::String(format) if *format != StringFormat::Plain => (8, std::cmp::Reverse(0)),
            TyKind::String(_) => (9, std::cmp::Reverse(0)),
            TyKind::Any => (10, std::cmp::Reverse(0)),
        }
    }

    #[allow(clippy::type_complexity)]
    fn merge_all_of(
        &mut self,
        _schema: &Schema,
        parts: &[ReferenceOr<Schema>],
        pointer: &str,
    ) -> (
        Vec<(String, ReferenceOr<Box<Schema>>, String)>,
        Vec<String>,
        Option<AdditionalProperties>,
    ) {
        let mut properties: Vec<(String, ReferenceOr<Box<Schema>>, String)> = Vec::new();
        let mut required: Vec<String> = Vec::new();
        let mut additional = None;
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(ReferenceOr<Schema>, String)> = parts
            .iter()
            .enumerate()
            .rev()
            .map(|(i, p)| (p.clone(), format!("{pointer}/allOf/{i}")))
            .collect();
        let mut guard = 0;
        while let Some((part, part_pointer)) = stack.pop() {
            guard += 1;
            if guard > 256 {
                self.error(pointer, "`allOf` nesting is too deep or circular");
                break;
            }
            let Some((resolved, component)) = self.resolve_schema(&part) else {
                self.error(&part_pointer, "`allOf` member does not resolve to a schema");
                continue;
            };
            let part_pointer = component
                .as_ref()
                .map(|c| format!("/components/schemas/{}", escape_pointer_token(c)))
                .unwrap_or(part_pointer);
            if let Some(component) = &component
                && !seen.insert(component.clone())
            {
                continue;
            }
            match &resolved.schema_kind {
                SchemaKind::AllOf { all_of } => {
                    for (i, nested) in all_of.iter().enumerate().rev() {
                        stack.push((nested.clone(), format!("{part_pointer}/allOf/{i}")));
                    }
                }
                SchemaKind::Type(Type::Object(object)) => {
                    for (key, value) in &object.properties {
                        merge_property(&mut properties, key, value, &part_pointer);
                    }
                    required.extend(object.required.iter().cloned());
                    if object.additional_properties.is_some() {
                        additional = object.additional_properties.clone();
                    }
                }
                SchemaKind::Any(any) => {
                    for (key, value) in &any.properties {
                        merge_property(&mut properties, key, value, &part_pointer);
                    }
                    required.extend(any.required.iter().cloned());
                    for (i, nested) in any.all_of.iter().enumerate().rev() {
                        stack.push((nested.clone(), format!("{part_pointer}/allOf/{i}")));
                    }
                }
                _ => self.warn(
                    &part_pointer,
                    "`allOf` member is not an object; only object members are merged",
                ),
            }
        }
        (properties, required, additional)
    }

    fn struct_type(
        &mut self,
        schema: &Schema,
        properties: &[(String, ReferenceOr<Box<Schema>>, String)],
        required: &[String],
        additional: Option<AdditionalProperties>,
        name: &str,
        pointer: &str,
    ) -> StructType {
        let mut field_names = NameRegistry::reserving(["additional_properties"]);
        let mut fields = Vec::with_capacity(properties.len());
        for (wire_name, schema, base) in properties {
            let field_pointer = format!("{base}/properties/{}", escape_pointer_token(wire_name));
            let hint = format!("{}{}", pascal_ident(name), pascal_ident(wire_name));
            let ty = self.ty_boxed(schema, &hint, &field_pointer);
            let (doc, read_only, write_only) = match schema {
                ReferenceOr::Item(s) => {
                    (doc_of(s), s.schema_data.read_only, s.schema_data.write_only)
                }
                ReferenceOr::Reference { .. } => (None, false, false),
            };
            let unique = match schema {
                ReferenceOr::Item(s) => self.unique_flag(s, &field_pointer),
                ReferenceOr::Reference { .. } => false,
            };
            let references = match schema {
                ReferenceOr::Item(s) => self.references(s, &field_pointer),
                ReferenceOr::Reference { .. } => None,
            };
            fields.push(Field {
                rust_name: field_names.claim(&snake_ident(wire_name)),
                wire_name: wire_name.clone(),
                ty,
                required: required.contains(wire_name),
                doc,
                read_only,
                write_only,
                boxed: false,
                tri_state: false,
                unique,
                references,
            });
        }
        self.unique_list(schema, &mut fields, pointer);
        self.references_map(schema, &mut fields, pointer);
        let additional = match additional {
            Some(AdditionalProperties::Any(false)) => Additional::Deny,
            Some(AdditionalProperties::Schema(schema)) => Additional::Map(Box::new(self.ty(
                &schema,
                &format!("{name}Value"),
                &format!("{pointer}/additionalProperties"),
            ))),
            _ => Additional::Ignore,
        };
        StructType { fields, additional }
    }

    /// `x-specgen-unique` on a property: `true` or `false`; anything else is a warning
    /// and counts as `false`.
    fn unique_flag(&mut self, schema: &Schema, pointer: &str) -> bool {
        match schema.schema_data.extensions.get(UNIQUE_EXTENSION) {
            None => false,
            Some(Value::Bool(unique)) => *unique,
            Some(other) => {
                self.warn(
                    &format!("{pointer}/{UNIQUE_EXTENSION}"),
                    format!("`{UNIQUE_EXTENSION}` is `true` or `false`, not `{other}`; ignored"),
                );
                false
            }
        }
    }

    /// `x-specgen-unique: [field, ...]` on an object: the properties it lists are unique.
    /// This form reaches properties that are `$ref`s, which cannot carry extensions of
    /// their own. A name that is not a property is a warning.
    fn unique_list(&mut self, schema: &Schema, fields: &mut [Field], pointer: &str) {
        let Some(value) = schema.schema_data.extensions.get(UNIQUE_EXTENSION) else {
            return;
        };
        let at = format!("{pointer}/{UNIQUE_EXTENSION}");
        let Value::Array(names) = value else {
            self.warn(
                &at,
                format!(
                    "`{UNIQUE_EXTENSION}` on an object lists property names, not `{value}`; ignored"
                ),
            );
            return;
        };
        for name in names {
            match fields
                .iter_mut()
                .find(|f| Some(f.wire_name.as_str()) == name.as_str())
            {
                Some(field) => field.unique = true,
                None => self.warn(
                    &at,
                    format!(
                        "`{UNIQUE_EXTENSION}` names {name}, which is not a property here; ignored"
                    ),
                ),
            }
        }
    }

    /// `x-specgen-references: <resource>` on a property; anything but a non-empty string is
    /// a warning.
    fn references(&mut self, schema: &Schema, pointer: &str) -> Option<String> {
        match schema.schema_data.extensions.get(REFERENCES_EXTENSION)? {
            Value::String(target) if !target.trim().is_empty() => Some(target.clone()),
            other => {
                self.warn(
                    &format!("{pointer}/{REFERENCES_EXTENSION}"),
                    format!("`{REFERENCES_EXTENSION}` names a resource (`users`), not `{other}`; ignored"),
                );
                None
            }
        }
    }

    /// `x-specgen-references: {field: resource, ...}` on an object, for properties that
    /// are `$ref`s. A name that is not a property is a warning.
    fn references_map(&mut self, schema: &Schema, fields: &mut [Field], pointer: &str) {
        let Some(value) = schema.schema_data.extensions.get(REFERENCES_EXTENSION) else {
            return;
        };
        let at = format!("{pointer}/{REFERENCES_EXTENSION}");
        let Value::Object(map) = value else {
            self.warn(
                &at,
                format!("`{REFERENCES_EXTENSION}` on an object maps properties to resources, not `{value}`; ignored"),
            );
            return;
        };
        for (name, target) in map {
            let target = match target {
                Value::String(target) if !target.trim().is_empty() => target.clone(),
                other => {
                    self.warn(
                        &at,
                        format!("`{name}` must name a resource, not `{other}`; ignored"),
                    );
                    continue;
                }
            };
            match fields.iter_mut().find(|f| f.wire_name == *name) {
                Some(field) => field.references = Some(target),
                None => self.warn(
                    &at,
                    format!("`{REFERENCES_EXTENSION}` names `{name}`, which is not a property here; ignored"),
                ),
            }
        }
    }

    /// A `pattern` as the ECMAScript engine should see it. Some specs write JavaScript regex
    /// literals (`/^a+$/`); the slashes would otherwise be taken as characters to match.
    /// One the engine cannot compile is a warning: its check is left out of the server, and
    /// the spec's author should know.
    fn pattern(&mut self, pattern: &str, pointer: &str) -> String {
        let read = match pattern.strip_prefix('/').and_then(|p| p.strip_suffix('/')) {
            Some(inner) if !inner.is_empty() => {
                self.warn(&format!("{pointer}/pattern"), format!("`pattern: {pattern}` is written as a JavaScript regex literal; it is read without the slashes, as `{inner}`"));
                inner.to_owned()
            }
            _ => pattern.to_owned(),
        };
        match crate::runtime_pattern::Pattern::new(&read) {
            None => {
                let error = regress::Regex::new(&read).err().map(|e| e.to_string()).unwrap_or_default();
                self.warn(
                    &format!("{pointer}/pattern"),
                    format!("`pattern: {read}` is not an ECMAScript regular expression the server can compile ({error}); values are not checked against it"),
                );
            }
            Some(compiled) if !compiled.is_linear() => self.warn(
                &format!("{pointer}/pattern"),
                format!("`pattern: {read}` is matched by a backtracking engine (it uses lookaround, a backreference or a form the linear-time engine reads differently): a crafted value can take exponential time, so keep the value short with `maxLength`"),
            ),
            Some(_) => {}
        }
        read
    }

    /// Marks with `boxed` every field and variant whose type leads back to its own container
    /// without passing through a `Vec` or map, which would make the type infinitely sized.
    pub fn break_cycles(&mut self) {
        let direct: Vec<Vec<TypeId>> = self.types.iter().map(|t| direct_edges(&t.kind)).collect();
        let reaches = |from: TypeId, target: TypeId| -> bool {
            let mut stack = vec![from];
            let mut seen = BTreeSet::new();
            while let Some(id) = stack.pop() {
                if id == target {
                    return true;
                }
                if seen.insert(id) {
                    stack.extend(direct[id.0].iter().copied());
                }
            }
            false
        };
        let mut to_box = Vec::new();
        for (index, ty) in self.types.iter().enumerate() {
            let me = TypeId(index);
            if let NamedKind::Struct(s) = &ty.kind {
                for (f, field) in s.fields.iter().enumerate() {
                    if let Some(target) = direct_target(&field.ty)
                        && reaches(target, me)
                    {
                        to_box.push((index, f));
                    }
                }
            }
        }
        for (index, f) in to_box {
            if let NamedKind::Struct(s) = &mut self.types[index].kind {
                s.fields[f].boxed = true;
            }
        }
    }
}

fn merge_property(
    properties: &mut Vec<(String, ReferenceOr<Box<Schema>>, String)>,
    key: &str,
    value: &ReferenceOr<Box<Schema>>,
    pointer: &str,
) {
    match properties.iter_mut().find(|(k, _, _)| k == key) {
        Some(existing) => {
            existing.1 = value.clone();
            existing.2 = pointer.to_owned();
        }
        None => properties.push((key.to_owned(), value.clone(), pointer.to_owned())),
    }
}

/// Named types a type contains by value (not behind a `Vec` or map).
fn direct_edges(kind: &NamedKind) -> Vec<TypeId> {
    match kind {
        NamedKind::Struct(s) => s
            .fields
            .iter()
            .filter_map(|f| direct_target(&f.ty))
            .collect(),
        NamedKind::Union(u) => u
            .variants
            .iter()
            .filter_map(|v| direct_target(&v.ty))
            .collect(),
        NamedKind::Alias(ty) => direct_target(ty).into_iter().collect(),
        NamedKind::Enum(_) => Vec::new(),
    }
}

fn direct_target(ty: &Ty) -> Option<TypeId> {
    match ty.kind {
        TyKind::Named(id) => Some(id),
        _ => None,
    }
}

/// The values of a string or integer enum (as text), whether they are integers, and
/// whether `null` is among them.
fn enum_values(schema: &Schema) -> Option<(Vec<String>, bool, bool)> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => Some((
            string.enumeration.iter().flatten().cloned().collect(),
            false,
            string.enumeration.iter().any(Option::is_none),
        )),
        SchemaKind::Type(Type::Integer(integer)) if !integer.enumeration.is_empty() => {
            let mut values: Vec<String> = Vec::new();
            for value in integer.enumeration.iter().flatten() {
                let text = value.to_string();
                if !values.contains(&text) {
                    values.push(text);
                }
            }
            Some((
                values,
                true,
                integer.enumeration.iter().any(Option::is_none),
            ))
        }
        _ => None,
    }
}

fn enum_type(values: &[String], integer: bool) -> EnumType {
    let mut names = NameRegistry::new();
    let variants = values
        .iter()
        .map(|value| {
            let wanted = match value.strip_prefix('-') {
                _ if value.is_empty() => "Empty".to_owned(),
                Some(magnitude) if integer => format!("Minus{magnitude}"),
                None if integer => format!("V{value}"),
                _ => pascal_ident(value),
            };
            EnumVariant {
                rust_name: names.claim(&wanted),
                value: value.clone(),
            }
        })
        .collect();
    EnumType { variants, integer }
}

fn kind_word(kind: &TyKind) -> &'static str {
    match kind {
        TyKind::Bool => "Boolean",
        TyKind::Integer(_) => "Integer",
        TyKind::Number(_) => "Number",
        TyKind::String(_) => "String",
        TyKind::Array(_) => "Array",
        TyKind::Map(_) => "Object",
        TyKind::Named(_) => "Variant",
        TyKind::Any => "Value",
    }
}

fn doc_of(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
        .filter(|d| !d.trim().is_empty())
}

fn additional_of(schema: &Schema) -> Option<&AdditionalProperties> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => object.additional_properties.as_ref(),
        SchemaKind::Any(any) => any.additional_properties.as_ref(),
        _ => None,
    }
}

/// An object with no declared properties: a map (of `additionalProperties`, or of any value).
fn is_map_like(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => object.properties.is_empty(),
        SchemaKind::Any(any) => {
            any.properties.is_empty()
                && any.additional_properties.is_some()
                && any.all_of.is_empty()
                && any.one_of.is_empty()
                && any.any_of.is_empty()
        }
        _ => false,
    }
}

/// Whether an `allOf` schema adds anything of its own beside its single member.
/// The `allOf` members that say something about the shape of a value, with their indexes:
/// not those that only annotate (description, example, `nullable`, ...), which several
/// generators put beside a `$ref` to document it where it is used.
fn shaped_members(all_of: &[ReferenceOr<Schema>]) -> Vec<(usize, &ReferenceOr<Schema>)> {
    all_of
        .iter()
        .enumerate()
        .filter(|(_, member)| !is_annotation_only(member))
        .collect()
}

fn is_annotation_only(member: &ReferenceOr<Schema>) -> bool {
    match member {
        ReferenceOr::Reference { .. } => false,
        ReferenceOr::Item(schema) => {
            schema.schema_data.discriminator.is_none()
                && matches!(&schema.schema_kind, SchemaKind::Any(any) if *any == AnySchema::default())
        }
    }
}

/// Whether an annotation-only `allOf` member says the value may be `null`.
fn annotations_nullable(all_of: &[ReferenceOr<Schema>]) -> bool {
    all_of.iter().any(|member| {
        matches!(member, ReferenceOr::Item(schema)
            if is_annotation_only(member) && schema.schema_data.nullable)
    })
}

/// Whether a schema's members would be merged into a struct by `allOf`.
fn is_object_like(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(_)) | SchemaKind::AllOf { .. } => true,
        SchemaKind::Any(any) => !any.properties.is_empty() || !any.all_of.is_empty(),
        _ => false,
    }
}

fn has_own_shape(schema: &Schema) -> bool {
    schema.schema_data.discriminator.is_some()
}

fn string_format(format: &VariantOrUnknownOrEmpty<OaStringFormat>) -> StringFormat {
    match format {
        VariantOrUnknownOrEmpty::Item(OaStringFormat::Date) => StringFormat::Date,
        VariantOrUnknownOrEmpty::Item(OaStringFormat::DateTime) => StringFormat::DateTime,
        VariantOrUnknownOrEmpty::Item(OaStringFormat::Password) => StringFormat::Password,
        VariantOrUnknownOrEmpty::Item(OaStringFormat::Byte) => StringFormat::Byte,
        VariantOrUnknownOrEmpty::Item(OaStringFormat::Binary) => StringFormat::Binary,
        VariantOrUnknownOrEmpty::Unknown(other) => match other.as_str() {
            "uuid" => StringFormat::Uuid,
            "email" => StringFormat::Email,
            "uri" | "url" => StringFormat::Uri,
            other => StringFormat::Other(other.to_owned()),
        },
        VariantOrUnknownOrEmpty::Empty => StringFormat::Plain,
    }
}

fn int_format(
    format: &VariantOrUnknownOrEmpty<openapiv3::IntegerFormat>,
    _minimum: Option<i64>,
) -> IntFormat {
    match format {
        VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => IntFormat::I32,
        VariantOrUnknownOrEmpty::Unknown(other) if other == "uint32" => IntFormat::U32,
        VariantOrUnknownOrEmpty::Unknown(other) if other == "uint64" => IntFormat::U64,
        _ => IntFormat::I64,
    }
}
