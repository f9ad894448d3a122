//! Lowering paths and operations: parameters by location, bodies by media type, responses
//! by status, and the names of everything an operation brings into Rust.

use openapiv3::{
    Components, OpenAPI, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, StatusCode,
};

use super::names::{NameRegistry, media_type_variant, pascal_ident, snake_ident};
use super::refs::resolve;
use super::types::{Finding, TypeSpace};
use super::*;
use crate::spec::{Severity, escape_pointer_token};

pub(crate) struct OperationLowering<'a, 'b> {
    pub spec: &'a OpenAPI,
    pub types: &'b mut TypeSpace<'a>,
    pub findings: Vec<Finding>,
    method_names: NameRegistry,
    type_prefixes: NameRegistry,
    operation_ids: std::collections::BTreeMap<String, String>,
}

/// An operation as found in the spec, before it is assigned to a group.
pub(crate) struct RawOperation<'a> {
    pub path: String,
    pub method: HttpMethod,
    pub item: &'a PathItem,
    pub op: &'a openapiv3::Operation,
    pub pointer: String,
}

pub(crate) fn collect<'a>(spec: &'a OpenAPI, findings: &mut Vec<Finding>) -> Vec<RawOperation<'a>> {
    let mut out = Vec::new();
    for (path, item) in &spec.paths.paths {
        let pointer = format!("/paths/{}", escape_pointer_token(path));
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                findings.push(Finding {
                    severity: Severity::Warning,
                    pointer,
                    message: format!("path item `$ref: {reference}` is not supported yet; its operations are skipped"),
                });
                continue;
            }
        };
        if !path.starts_with('/') {
            findings.push(Finding {
                severity: Severity::Error,
                pointer: pointer.clone(),
                message: format!("path `{path}` must start with `/`"),
            });
            continue;
        }
        let methods = [
            (HttpMethod::Get, &item.get),
            (HttpMethod::Put, &item.put),
            (HttpMethod::Post, &item.post),
            (HttpMethod::Delete, &item.delete),
            (HttpMethod::Options, &item.options),
            (HttpMethod::Head, &item.head),
            (HttpMethod::Patch, &item.patch),
            (HttpMethod::Trace, &item.trace),
        ];
        for (method, op) in methods {
            if let Some(op) = op {
                out.push(RawOperation {
                    path: path.clone(),
                    method,
                    item,
                    op,
                    pointer: format!("{pointer}/{}", method.lower()),
                });
            }
        }
    }
    out
}

/// The parameter names in a path template, in order. RFC 6570 operators some specs write
/// in templates (`{.param*}`, `{;id}`) are not part of the name.
pub fn template_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(capture_name(&rest[start + 1..start + len]).to_owned());
        rest = &rest[start + len + 1..];
    }
    out
}

/// `.param*` → `param`.
fn capture_name(raw: &str) -> &str {
    raw.trim_start_matches(['.', ';', '?', '&', '+', '#', '/'])
        .trim_end_matches('*')
}

/// The path with every capture written as a plain `{name}`: `/a/{.param*}` → `/a/{param}`.
pub fn normalized_template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('{');
        out.push_str(capture_name(&rest[start + 1..start + len]));
        out.push('}');
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

impl<'a, 'b> OperationLowering<'a, 'b> {
    pub fn new(spec: &'a OpenAPI, types: &'b mut TypeSpace<'a>) -> Self {
        Self {
            spec,
            types,
            findings: Vec::new(),
            // Names the generated trait and router use for themselves.
            method_names: NameRegistry::reserving(["router", "new", "clone"]),
            type_prefixes: NameRegistry::new(),
            operation_ids: Default::default(),
        }
    }

    fn components(&self) -> Option<&'a Components> {
        self.spec.components.as_ref()
    }

    fn finding(&mut self, severity: Severity, pointer: &str, message: impl Into<String>) {
        self.findings.push(Finding {
            severity,
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    pub fn lower(
        &mut self,
        raw: &RawOperation<'a>,
        group: GroupId,
        schemes: &[SecurityScheme],
    ) -> Operation {
        let id = match &raw.op.operation_id {
            Some(id) if !id.trim().is_empty() => id.clone(),
            _ => derived_operation_id(raw.method, &raw.path),
        };
        if let Some(previous) = self.operation_ids.insert(id.clone(), raw.pointer.clone()) {
            self.finding(
                Severity::Warning,
                &format!("{}/operationId", raw.pointer),
                format!("operationId `{id}` is also used at {previous}; operationIds must be unique, so this one gets a numbered name"),
            );
        }
        let method_name = self.method_names.claim(&snake_ident(&id));
        let type_prefix = self.type_prefixes.claim(&pascal_ident(&id));

        let params = self.params(raw, &type_prefix);
        let body = raw.op.request_body.as_ref().and_then(|body| {
            self.body(body, &type_prefix, &format!("{}/requestBody", raw.pointer))
        });
        let responses = self.responses(raw, &type_prefix);

        let security = match &raw.op.security {
            Some(requirements) => super::security::requirements(
                requirements,
                schemes,
                &format!("{}/security", raw.pointer),
                &mut self.findings,
            ),
            None => match &self.spec.security {
                Some(requirements) => super::security::requirements(
                    requirements,
                    schemes,
                    "/security",
                    &mut self.findings,
                ),
                None => Vec::new(),
            },
        };
        // `security: [{}]` (an empty requirement) makes authentication optional: public.
        let security = if security.iter().any(|r| r.schemes.is_empty()) {
            Vec::new()
        } else {
            security
        };

        Operation {
            id,
            method_name,
            type_prefix,
            method: raw.method,
            path: raw.path.clone(),
            route: normalized_template(&raw.path),
            group,
            summary: raw.op.summary.clone().filter(|s| !s.trim().is_empty()),
            description: raw.op.description.clone().filter(|s| !s.trim().is_empty()),
            deprecated: raw.op.deprecated,
            params,
            body,
            responses,
            security,
            resource_hint: None,
            pointer: raw.pointer.clone(),
        }
    }

    fn params(&mut self, raw: &RawOperation<'a>, prefix: &str) -> Vec<Param> {
        #[allow(clippy::type_complexity)]
        let mut resolved: Vec<(
            &'a openapiv3::ParameterData,
            ParamLocation,
            ParamStyle,
            bool,
            String,
        )> = Vec::new();
        let path_pointer = raw
            .pointer
            .rsplit_once('/')
            .map(|(p, _)| p.to_owned())
            .unwrap_or_default();
        let sources = raw
            .item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, format!("{path_pointer}/parameters/{i}")))
            .chain(
                raw.op
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, format!("{}/parameters/{i}", raw.pointer))),
            );
        for (param, pointer) in sources {
            let (param, pointer) = match resolve(
                param,
                &pointer,
                "parameters",
                |c| &c.parameters,
                self.components(),
            ) {
                Ok(found) => found,
                Err((at, message)) => {
                    self.finding(Severity::Error, &at, message);
                    continue;
                }
            };
            let (data, location, style) = match param {
                Parameter::Path {
                    parameter_data,
                    style,
                } => (
                    parameter_data,
                    ParamLocation::Path,
                    match style {
                        openapiv3::PathStyle::Simple => ParamStyle::Simple,
                        openapiv3::PathStyle::Label => ParamStyle::Label,
                        openapiv3::PathStyle::Matrix => ParamStyle::Matrix,
                    },
                ),
                Parameter::Query {
                    parameter_data,
                    style,
                    ..
                } => (
                    parameter_data,
                    ParamLocation::Query,
                    match style {
                        openapiv3::QueryStyle::Form => ParamStyle::Form,
                        openapiv3::QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                        openapiv3::QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                        openapiv3::QueryStyle::DeepObject => ParamStyle::DeepObject,
                    },
                ),
                Parameter::Header { parameter_data, .. } => {
                    (parameter_data, ParamLocation::Header, ParamStyle::Simple)
                }
                Parameter::Cookie { parameter_data, .. } => {
                    (parameter_data, ParamLocation::Cookie, ParamStyle::Form)
                }
            };
            // `form` explodes by default, every other style does not.
            let explode = data.explode.unwrap_or(style == ParamStyle::Form);
            // An operation-level parameter overrides a path-level one with the same name and location.
            resolved.retain(|(d, l, _, _, _)| !(d.name == data.name && *l == location));
            resolved.push((data, location, style, explode, pointer));
        }

        let template = template_params(&raw.path);
        let mut names = NameRegistry::reserving(["body"]);
        let mut out = Vec::new();
        for (data, location, mut style, explode, pointer) in resolved {
            if location == ParamLocation::Path && !template.contains(&data.name) {
                self.finding(
                    Severity::Warning,
                    &pointer,
                    format!(
                        "path parameter `{}` does not appear in the path `{}`; it is ignored",
                        data.name, raw.path
                    ),
                );
                continue;
            }
            if location == ParamLocation::Header
                && ["accept", "content-type", "authorization"]
                    .contains(&data.name.to_ascii_lowercase().as_str())
            {
                self.finding(Severity::Warning, &pointer, format!("header parameter `{}` is ignored: OpenAPI says it is described by other fields", data.name));
                continue;
            }
            let hint = format!("{prefix}{}", pascal_ident(&data.name));
            let mut ty = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    self.types.ty(schema, &hint, &format!("{pointer}/schema"))
                }
                ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                    Some((media, media_type)) if BodyKind::of(media) == BodyKind::Json => {
                        style = ParamStyle::Json;
                        match &media_type.schema {
                            Some(schema) => {
                                let content_pointer = format!(
                                    "{pointer}/content/{}/schema",
                                    escape_pointer_token(media)
                                );
                                self.types.ty(schema, &hint, &content_pointer)
                            }
                            None => Ty::new(TyKind::Any),
                        }
                    }
                    Some((media, _)) => {
                        if BodyKind::of(media) != BodyKind::Text {
                            self.finding(Severity::Warning, &pointer, format!("parameter `{}` is described as `{media}`; it is passed to the handler as the raw string", data.name));
                        }
                        Ty::new(TyKind::String(StringFormat::Plain))
                    }
                    None => Ty::new(TyKind::String(StringFormat::Plain)),
                },
            };
            if matches!(ty.kind, TyKind::Any) && style != ParamStyle::Json {
                ty = Ty::new(TyKind::String(StringFormat::Plain));
            }
            let example = data.example.clone().or_else(|| ty.example.clone());
            out.push(Param {
                rust_name: names.claim(&snake_ident(&data.name)),
                wire_name: data.name.clone(),
                location,
                required: data.required || location == ParamLocation::Path,
                ty,
                explode,
                route_name: data.name.clone(),
                style,
                doc: data.description.clone().filter(|d| !d.trim().is_empty()),
                example,
            });
        }
        for name in template {
            if !out
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.wire_name == name)
            {
                self.finding(Severity::Warning, &raw.pointer, format!("path template parameter `{{{name}}}` is not declared; it is passed to the handler as a string"));
                out.push(Param {
                    rust_name: names.claim(&snake_ident(&name)),
                    wire_name: name.clone(),
                    location: ParamLocation::Path,
                    required: true,
                    ty: Ty::new(TyKind::String(StringFormat::Plain)),
                    explode: false,
                    route_name: name.clone(),
                    style: ParamStyle::Simple,
                    doc: None,
                    example: None,
                });
            }
        }
        out
    }

    fn body(
        &mut self,
        body: &'a ReferenceOr<openapiv3::RequestBody>,
        prefix: &str,
        pointer: &str,
    ) -> Option<RequestBody> {
        let (body, pointer) = match resolve(
            body,
            pointer,
            "requestBodies",
            |c| &c.request_bodies,
            self.components(),
        ) {
            Ok(found) => found,
            Err((at, message)) => {
                self.finding(Severity::Error, &at, message);
                return None;
            }
        };
        let mut contents = Vec::new();
        let mut variants = NameRegistry::new();
        for (media_type, content) in &body.content {
            let content_pointer = format!("{pointer}/content/{}", escape_pointer_token(media_type));
            let streamed = media_type.starts_with("multipart/") && body.content.len() == 1;
            let kind = if streamed {
                BodyKind::Multipart
            } else {
                BodyKind::of(media_type)
            };
            let hint = if body.content.len() > 1 {
                format!("{prefix}{}Body", pascal_ident(media_type))
            } else {
                format!("{prefix}Body")
            };
            let ty = self.content_ty(kind, content.schema.as_ref(), &hint, &content_pointer);
            if media_type.starts_with("multipart/") && !streamed {
                self.finding(
                    Severity::Warning,
                    &content_pointer,
                    "a multipart body beside other media types is passed to the handler as raw bytes",
                );
            }
            let example = content.example.clone().or_else(|| {
                content.examples.values().find_map(|e| match e {
                    ReferenceOr::Item(e) => e.value.clone(),
                    ReferenceOr::Reference { .. } => None,
                })
            });
            contents.push(BodyContent {
                media_type: media_type.clone(),
                variant: variants.claim(&media_type_variant(kind, media_type)),
                kind,
                ty,
                example,
            });
        }
        if contents.is_empty() {
            self.finding(
                Severity::Warning,
                &pointer,
                "request body declares no media type; it is ignored",
            );
            return None;
        }
        Some(RequestBody {
            required: body.required,
            doc: body.description.clone(),
            contents,
        })
    }

    fn content_ty(
        &mut self,
        kind: BodyKind,
        schema: Option<&ReferenceOr<openapiv3::Schema>>,
        hint: &str,
        pointer: &str,
    ) -> Ty {
        match kind {
            BodyKind::Json | BodyKind::Form | BodyKind::Multipart => match schema {
                Some(schema) => self.types.ty(schema, hint, &format!("{pointer}/schema")),
                None => Ty::new(TyKind::Any),
            },
            BodyKind::Text => Ty::new(TyKind::String(StringFormat::Plain)),
            BodyKind::Binary => Ty::new(TyKind::String(StringFormat::Binary)),
        }
    }

    fn responses(&mut self, raw: &RawOperation<'a>, prefix: &str) -> Vec<Response> {
        let mut variants = NameRegistry::new();
        let mut out = Vec::new();
        let entries = raw
            .op
            .responses
            .responses
            .iter()
            .map(|(code, r)| {
                let key = code.to_string();
                let status = match code {
                    StatusCode::Code(code) => Status::Code(*code),
                    StatusCode::Range(range) => Status::Range(*range as u8),
                };
                (status, r, key)
            })
            .chain(
                raw.op
                    .responses
                    .default
                    .iter()
                    .map(|r| (Status::Default, r, "default".to_owned())),
            );
        for (status, response, key) in entries {
            let pointer = format!("{}/responses/{}", raw.pointer, escape_pointer_token(&key));
            if let Status::Code(code) = status
                && !(100..=599).contains(&code)
            {
                self.finding(
                    Severity::Warning,
                    &pointer,
                    format!("`{code}` is not an HTTP status code; the response is skipped"),
                );
                continue;
            }
            let (response, pointer) = match resolve(
                response,
                &pointer,
                "responses",
                |c| &c.responses,
                self.components(),
            ) {
                Ok(found) => found,
                Err((at, message)) => {
                    self.finding(Severity::Error, &at, message);
                    continue;
                }
            };
            let variant = variants.claim(&status_variant(status));
            let content = pick_media_type(&response.content).map(|(media_type, content)| {
                let content_pointer =
                    format!("{pointer}/content/{}", escape_pointer_token(media_type));
                let kind = BodyKind::of(media_type);
                let ty = self.content_ty(
                    kind,
                    content.schema.as_ref(),
                    &format!("{prefix}{variant}Body"),
                    &content_pointer,
                );
                let example = content.example.clone().or_else(|| {
                    content.examples.values().find_map(|e| match e {
                        ReferenceOr::Item(e) => e.value.clone(),
                        ReferenceOr::Reference { .. } => None,
                    })
                });
                BodyContent {
                    media_type: media_type.clone(),
                    variant: media_type_variant(kind, media_type),
                    kind,
                    ty,
                    example,
                }
            });
            let mut header_names = NameRegistry::reserving(["body", "status"]);
            let mut headers = Vec::new();
            for (name, header) in &response.headers {
                if name.eq_ignore_ascii_case("content-type") {
                    continue;
                }
                let header_pointer = format!("{pointer}/headers/{}", escape_pointer_token(name));
                let (header, header_pointer) = match resolve(
                    header,
                    &header_pointer,
                    "headers",
                    |c| &c.headers,
                    self.components(),
                ) {
                    Ok(found) => found,
                    Err((at, message)) => {
                        self.finding(Severity::Error, &at, message);
                        continue;
                    }
                };
                let ty = match &header.format {
                    ParameterSchemaOrContent::Schema(schema) => self.types.ty(
                        schema,
                        &format!("{prefix}{variant}{}", pascal_ident(name)),
                        &format!("{header_pointer}/schema"),
                    ),
                    ParameterSchemaOrContent::Content(_) => {
                        Ty::new(TyKind::String(StringFormat::Plain))
                    }
                };
                let ty = if matches!(ty.kind, TyKind::Named(_) | TyKind::Map(_) | TyKind::Any) {
                    Ty::new(TyKind::String(StringFormat::Plain))
                } else {
                    ty
                };
                headers.push(ResponseHeader {
                    rust_name: header_names.claim(&snake_ident(&name.to_ascii_lowercase())),
                    wire_name: name.to_ascii_lowercase(),
                    required: header.required,
                    ty,
                    doc: header.description.clone(),
                });
            }
            out.push(Response {
                status,
                variant,
                description: response.description.clone(),
                content,
                headers,
            });
        }
        out
    }
}

/// Prefers JSON, then any `+json`, then the first declared media type.
fn pick_media_type(
    content: &indexmap::IndexMap<String, openapiv3::MediaType>,
) -> Option<(&String, &openapiv3::MediaType)> {
    content
        .iter()
        .find(|(m, _)| m.as_str() == "application/json")
        .or_else(|| {
            content
                .iter()
                .find(|(m, _)| BodyKind::of(m) == BodyKind::Json)
        })
        .or_else(|| content.iter().next())
}

/// `GET /pets/{petId}/photos` → `get_pets_pet_id_photos`.
pub fn derived_operation_id(method: HttpMethod, path: &str) -> String {
    let mut id = method.lower().to_owned();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        id.push_str(segment.trim_start_matches('{').trim_end_matches('}'));
    }
    if path == "/" {
        id.push_str("_root");
    }
    snake_ident(&id)
}

/// A readable variant name for a status: the reason phrase (`404` → `NotFound`).
pub fn status_variant(status: Status) -> String {
    match status {
        Status::Code(code) => match reason_phrase(code) {
            Some(reason) => pascal_ident(reason),
            None => format!("Status{code}"),
        },
        Status::Range(range) => match range {
            1 => "Informational".to_owned(),
            2 => "Success".to_owned(),
            3 => "Redirection".to_owned(),
            4 => "ClientError".to_owned(),
            5 => "ServerError".to_owned(),
            other => format!("Status{other}XX"),
        },
        Status::Default => "Default".to_owned(),
    }
}

fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi Status",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "Im A Teapot",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

/// `/pets/{petId}/photos` → `/pets/{}/photos`: paths with the same shape are the same route.
pub fn route_shape(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    shape.push_str("{}");
                }
            }
            '}' if depth > 0 => depth -= 1,
            c if depth == 0 => shape.push(c),
            _ => {}
        }
    }
    shape
}

/// Gives operations whose paths have the same shape one route template (the first path met),
/// and points each path parameter at the capture it reads there. Two operations with the
/// same method on the same route cannot both be served: the later one is dropped, loudly.
pub(crate) fn unify_routes(operations: &mut Vec<Operation>, findings: &mut Vec<Finding>) {
    let mut seen: std::collections::HashMap<(String, HttpMethod), String> =
        std::collections::HashMap::new();
    operations.retain(|op| {
        let key = (route_shape(&op.path), op.method);
        match seen.get(&key) {
            Some(first) => {
                findings.push(Finding {
                    severity: Severity::Warning,
                    pointer: op.pointer.clone(),
                    message: format!(
                        "`{} {}` is the same route as `{} {first}` (paths differ only in parameter names); it cannot be served and is skipped",
                        op.method.as_str(),
                        op.path,
                        op.method.as_str()
                    ),
                });
                false
            }
            None => {
                seen.insert(key, op.path.clone());
                true
            }
        }
    });
    let mut first_path: std::collections::HashMap<String, String> =
        std::collections::HashMap::new();
    for op in operations.iter_mut() {
        let route = first_path
            .entry(route_shape(&op.path))
            .or_insert_with(|| op.path.clone())
            .clone();
        if route == op.path {
            continue;
        }
        let own = template_params(&op.path);
        let canonical = template_params(&route);
        for param in op
            .params
            .iter_mut()
            .filter(|p| p.location == ParamLocation::Path)
        {
            if let Some(index) = own.iter().position(|name| *name == param.wire_name)
                && let Some(name) = canonical.get(index)
            {
                param.route_name = name.clone();
            }
        }
        op.route = route;
    }
}
