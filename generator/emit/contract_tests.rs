//! `tests/generated/contract.rs`: in-process tests of the generated HTTP layer.
//!
//! A stub implementation answers every operation with its documented success response
//! (built from the spec's examples). For each operation the test sends a valid request and
//! checks the exact status and content type, then sends malformed input and checks for a
//! 400 problem+json. A few tests cover framework answers: 404, 405 with `Allow`, 415.

use askama::Template;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use serde_json::Value;

use super::samples::{self, Direction, Sampler, stub_response};
use super::wire::{
    encode_component, encode_path_param, encode_query_param, encode_simple, param_text,
};
use super::{EmitError, docs, rust};
use crate::ir::{
    Api, BodyKind, HttpMethod, Operation, Param, ParamLocation, ParamStyle, Response,
    SecuritySchemeKind, Status, StringFormat, TyKind,
};

/// `tests/generated/contract.rs`: the fixed helpers, then what the spec decides (the
/// stub's methods and the tests).
#[derive(Template)]
#[template(path = "rust/contract.rs.txt", escape = "none")]
struct Contract<'a> {
    krate: &'a str,
    /// Formatted Rust items, after a blank line (empty when there are none).
    items: String,
}

/// The contract tests. The stub reads the response samples of [`super::samples`] from
/// `generated/src/examples.json`.
pub fn contract_tests(api: &Api, crate_ident: &str) -> Result<String, EmitError> {
    let path = "tests/generated/contract.rs";
    let mut impls = Vec::with_capacity(api.groups.len());
    for (id, group) in api.each_group() {
        let trait_name = format_ident!("{}", group.trait_name);
        let methods: Vec<TokenStream> = api
            .operations_in(id)
            .map(|op| stub_method(api, op))
            .collect();
        impls.push(quote! {
            impl api::#trait_name for Stub {
                #(#methods)*
            }
        });
    }
    let tests = api.operations.iter().map(|op| operation_tests(api, op));
    let framework = framework_tests(api);
    let crud = super::crud_tests::crud_tests(api);
    let items = rust::format_file(
        path,
        quote! {
            #(#impls)*
            #(#tests)*
            #framework
            #crud
        },
    )?;
    contract_file(crate_ident, &items)
}

/// The fixed helpers with `items` (formatted Rust) after them.
pub(super) fn contract_file(crate_ident: &str, items: &str) -> Result<String, EmitError> {
    let items = if items.trim().is_empty() {
        String::new()
    } else {
        format!("\n{items}")
    };
    rust::render_source(
        "contract.rs",
        &Contract {
            krate: crate_ident,
            items,
        },
    )
}

/// The status a response variant is sent with by the stub.
fn stub_status(response: &Response) -> u16 {
    match response.status {
        Status::Code(code) => code,
        Status::Range(digit) => u16::from(digit) * 100,
        Status::Default => 200,
    }
}

fn stub_method(api: &Api, op: &Operation) -> TokenStream {
    let group = api.group(op.group);
    let module = format_ident!("{}", group.module);
    let method = format_ident!("{}", op.method_name);
    let request = format_ident!("{}Request", op.type_prefix);
    let response_type = format_ident!("{}Response", op.type_prefix);
    let body = match stub_response(op) {
        None => {
            let id = &op.id;
            quote!(Err(Problem::not_implemented(#id)))
        }
        Some(response) => {
            let value = response_value(api, op, response);
            quote!(Ok(#value))
        }
    };
    // A streamed multipart body is read to the end, so the test proves the parts parse.
    let streamed = op
        .body
        .as_ref()
        .filter(|b| b.contents.iter().any(|c| c.kind == BodyKind::Multipart));
    let (request_binding, drain) = match streamed {
        None => (quote!(_request), TokenStream::new()),
        Some(body) => {
            let stream = if body.required {
                quote!(Some(&mut request.body))
            } else {
                quote!(request.body.as_mut())
            };
            (
                quote!(mut request),
                quote! {
                    if let Some(body) = #stream {
                        while let Some(field) = body.next_field().await.map_err(|e| Problem::new(StatusCode::BAD_REQUEST).with_detail(e.to_string()))? {
                            field.bytes().await.map_err(|e| Problem::new(StatusCode::BAD_REQUEST).with_detail(e.to_string()))?;
                        }
                    }
                },
            )
        }
    };
    quote! {
        async fn #method(&self, _context: RequestContext, #request_binding: api::#module::#request) -> Result<api::#module::#response_type, Problem> {
            #drain
            #body
        }
    }
}

/// An expression building the stub's response value.
fn response_value(api: &Api, op: &Operation, response: &Response) -> TokenStream {
    let module = format_ident!("{}", api.group(op.group).module);
    example_response(
        api,
        op,
        response,
        &quote!(api::#module::),
        &|key| quote!(sample(#key)),
    )
}

/// An expression building a response from the spec's examples: `prefix` qualifies the
/// response type, `read` makes the expression that reads the sample stored under a key (see
/// [`samples::response_samples`]).
pub(super) fn example_response(
    api: &Api,
    op: &Operation,
    response: &Response,
    prefix: &TokenStream,
    read: &dyn Fn(&str) -> TokenStream,
) -> TokenStream {
    let response_type = format_ident!("{}Response", op.type_prefix);
    let variant = format_ident!("{}", response.variant);
    let sampler = Sampler::new(api, Direction::Response);
    let body = response.content.as_ref().map(|content| match content.kind {
        kind if samples::is_stored(kind) => read(&samples::body_key(op)),
        BodyKind::Text => {
            let text = match sampler.value_with_example(&content.ty, content.example.as_ref()) {
                Value::String(s) => s,
                other => other.to_string(),
            };
            quote!(String::from(#text))
        }
        // Binary and multipart.
        _ => quote!(axum::body::Bytes::from_static(b"sample")),
    });
    let fixed = matches!(response.status, Status::Code(_));
    if fixed && response.headers.is_empty() {
        return match body {
            Some(body) => quote!(#prefix #response_type::#variant(#body)),
            None => quote!(#prefix #response_type::#variant),
        };
    }
    let status = (!fixed).then(|| {
        let code = stub_status(response);
        quote!(status: axum::http::StatusCode::from_u16(#code).unwrap_or(axum::http::StatusCode::OK),)
    });
    let body = body.map(|b| quote!(body: #b,));
    let headers = response.headers.iter().map(|header| {
        let name = format_ident!("{}", header.rust_name);
        if header.required {
            let value = read(&samples::header_key(op, header));
            quote!(#name: #value,)
        } else {
            quote!(#name: None,)
        }
    });
    quote!(#prefix #response_type::#variant { #status #body #(#headers)* })
}

/// The pieces of a request: method, URI, headers and body.
#[derive(Clone)]
pub(super) struct RequestParts {
    pub method: HttpMethod,
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<(String, Vec<u8>)>,
    /// `Credential` expressions the request carries.
    pub credentials: Vec<TokenStream>,
    /// Whose credentials they are.
    pub who: Who,
}

/// Which of the tests' principals a request's credentials belong to (the test template's
/// `Who`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Who {
    #[default]
    Tester,
    Other,
    Admin,
}

/// How to make a valid request invalid, and what that says about the operation.
pub(super) enum Breakage<'a> {
    BadValue(&'a Param),
    Missing(&'a Param),
    MalformedJson,
    MissingBody,
    /// A parameter value that parses but breaks a constraint.
    ParamViolation(&'a Param, Value),
    /// A body whose top-level field holds a value that breaks a constraint.
    BodyViolation(String, Value),
}

pub(super) fn valid_request(
    api: &Api,
    op: &Operation,
    breakage: Option<&Breakage<'_>>,
) -> RequestParts {
    let broken_param = match breakage {
        Some(Breakage::BadValue(p))
        | Some(Breakage::Missing(p))
        | Some(Breakage::ParamViolation(p, _)) => Some((
            p.wire_name.as_str(),
            p.location,
            matches!(breakage, Some(Breakage::Missing(_))),
        )),
        _ => None,
    };
    let mut path = crate::ir::normalized_template(&op.path);
    let mut query: Vec<String> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    for param in &op.params {
        let is_broken = broken_param.is_some_and(|(name, location, _)| {
            name == param.wire_name && location == param.location
        });
        let missing = is_broken && broken_param.is_some_and(|(_, _, missing)| missing);
        if missing || (!param.required && !is_broken && param.location != ParamLocation::Query) {
            continue;
        }
        let value =
            if let (true, Some(Breakage::ParamViolation(_, violating))) = (is_broken, breakage) {
                violating.clone()
            } else if is_broken {
                Value::String("not-a-valid-value".to_owned())
            } else {
                Sampler::new(api, Direction::Request)
                    .value_with_example(&param.ty, param.example.as_ref())
            };
        match param.location {
            ParamLocation::Path => {
                path = path.replace(
                    &format!("{{{}}}", param.wire_name),
                    &encode_path_param(param, &value),
                );
            }
            ParamLocation::Query => {
                for (key, value) in encode_query_param(param, &value) {
                    query.push(format!(
                        "{}={}",
                        encode_component(&key),
                        encode_component(&value)
                    ));
                }
            }
            ParamLocation::Header => headers.push((
                param.wire_name.to_ascii_lowercase(),
                encode_simple(param, &value, false),
            )),
            ParamLocation::Cookie => cookies.push(format!(
                "{}={}",
                param.wire_name,
                encode_simple(param, &value, false)
            )),
        }
    }
    if !cookies.is_empty() {
        headers.push(("cookie".to_owned(), cookies.join("; ")));
    }
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    let body = match (&op.body, breakage) {
        (Some(_), Some(Breakage::MissingBody)) => None,
        (Some(body), _) => body.contents.first().map(|content| {
            let media = content.media_type.clone();
            if matches!(breakage, Some(Breakage::MalformedJson)) {
                return (media, b"{\"malformed\": ".to_vec());
            }
            let sampler = Sampler::new(api, Direction::Request);
            let mut value = sampler.value_with_example(&content.ty, content.example.as_ref());
            if let (Some(Breakage::BodyViolation(field, violating)), Value::Object(object)) =
                (breakage, &mut value)
            {
                object.insert(field.clone(), violating.clone());
            }
            let bytes = match content.kind {
                BodyKind::Json => value.to_string().into_bytes(),
                BodyKind::Form => form_encode(&value).into_bytes(),
                BodyKind::Text => param_text(&value).into_bytes(),
                BodyKind::Binary => b"sample bytes".to_vec(),
                BodyKind::Multipart => {
                    return (
                        format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"),
                        multipart_encode(&value),
                    );
                }
            };
            (concrete_media_type(&media), bytes)
        }),
        (None, _) => None,
    };
    RequestParts {
        credentials: credentials_for(api, op, CredentialKind::Good).unwrap_or_default(),
        who: Who::Tester,
        method: op.method,
        uri,
        headers,
        body,
    }
}

/// A media type a client can send for a declared one (ranges like `image/*` get a subtype).
fn concrete_media_type(media: &str) -> String {
    match media {
        "*/*" => "application/octet-stream".to_owned(),
        m if m.ends_with("/*") => format!("{}octet-stream", m.trim_end_matches('*')),
        m => m.to_owned(),
    }
}

const MULTIPART_BOUNDARY: &str = "specgen-sample-boundary";

/// A `multipart/form-data` body with one part per field of the sample (file parts for
/// binary strings are sent with a file name).
fn multipart_encode(value: &Value) -> Vec<u8> {
    let mut body = String::new();
    if let Value::Object(object) = value {
        for (name, field) in object {
            let items: Vec<&Value> = match field {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                body.push_str(&format!(
                    "--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\""
                ));
                match item {
                    Value::Object(_) => body.push_str(&format!(
                        "\r\nContent-Type: application/json\r\n\r\n{item}\r\n"
                    )),
                    other => body.push_str(&format!("\r\n\r\n{}\r\n", param_text(other))),
                }
            }
        }
    }
    body.push_str(&format!("--{MULTIPART_BOUNDARY}--\r\n"));
    body.into_bytes()
}

fn form_encode(value: &Value) -> String {
    match value {
        Value::Object(object) => object
            .iter()
            .filter(|(_, v)| !v.is_object() && !v.is_array())
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    encode_component(k),
                    encode_component(&param_text(v))
                )
            })
            .collect::<Vec<_>>()
            .join("&"),
        _ => String::new(),
    }
}

/// Whether a parameter of this type rejects the text `not-a-valid-value`.
fn rejects_garbage(api: &Api, param: &Param) -> bool {
    if param.style == ParamStyle::Json {
        return true;
    }
    let ty = match &param.ty.kind {
        TyKind::Array(item) => item.as_ref(),
        _ => &param.ty,
    };
    match &ty.kind {
        TyKind::Bool | TyKind::Integer(_) | TyKind::Number(_) => true,
        TyKind::String(format) => matches!(
            format,
            StringFormat::Date | StringFormat::DateTime | StringFormat::Uuid
        ),
        TyKind::Named(id) => {
            matches!(api.ty(*id).kind, crate::ir::NamedKind::Enum(ref e) if !e.variants.is_empty())
        }
        _ => false,
    }
}

/// A value of `ty` that parses but breaks one of its own constraints, when it has one the
/// server checks.
fn violating_value(api: &Api, ty: &crate::ir::Ty) -> Option<Value> {
    let c = &ty.constraints;
    match &ty.kind {
        TyKind::Named(id) => match &api.ty(*id).kind {
            crate::ir::NamedKind::Alias(target) => violating_value(api, target),
            _ => None,
        },
        TyKind::String(format)
            if !matches!(
                format,
                StringFormat::Date | StringFormat::DateTime | StringFormat::Uuid
            ) =>
        {
            if let Some(max) = c.max_length.filter(|m| *m < 10_000) {
                return Some(Value::String("x".repeat(max + 1)));
            }
            if let Some(min) = c.min_length.filter(|m| *m > 0 && *m < 10_000) {
                return Some(Value::String("x".repeat(min - 1)));
            }
            if let Some(regex) = c.pattern.as_deref().and_then(super::pattern::Pattern::new) {
                return ["!", " ", "~~~", "0", "a", "A"]
                    .iter()
                    .find(|s| regex.is_match(s) == Some(false))
                    .map(|s| Value::String((*s).to_owned()));
            }
            match format {
                StringFormat::Email => Some(Value::String("not-an-email".to_owned())),
                StringFormat::Uri => Some(Value::String("not a uri".to_owned())),
                _ => None,
            }
        }
        TyKind::Integer(_) => {
            let (low, high) = match ty.kind {
                TyKind::Integer(crate::ir::IntFormat::I32) => (i32::MIN as f64, i32::MAX as f64),
                TyKind::Integer(crate::ir::IntFormat::U32) => (0.0, u32::MAX as f64),
                TyKind::Integer(crate::ir::IntFormat::U64) => (0.0, 9.0e15),
                _ => (-9.0e15, 9.0e15),
            };
            let candidates = [
                c.maximum.map(|m| {
                    if c.exclusive_maximum {
                        m.ceil()
                    } else {
                        m.floor() + 1.0
                    }
                }),
                c.minimum.map(|m| {
                    if c.exclusive_minimum {
                        m.floor()
                    } else {
                        m.ceil() - 1.0
                    }
                }),
            ];
            candidates
                .into_iter()
                .flatten()
                .find(|v| (low..=high).contains(v))
                .map(|v| Value::from(v as i64))
        }
        TyKind::Number(_) => {
            let candidates = [
                c.maximum
                    .map(|m| if c.exclusive_maximum { m } else { m + 1.0 }),
                c.minimum
                    .map(|m| if c.exclusive_minimum { m } else { m - 1.0 }),
            ];
            candidates
                .into_iter()
                .flatten()
                .find(|v| v.is_finite() && v.abs() < 1e300)
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
        }
        TyKind::Array(item) => {
            let sample = Sampler::new(api, Direction::Request).value(item.as_ref());
            if let Some(max) = c.max_items.filter(|m| *m < 1000) {
                return Some(Value::Array(vec![sample; max + 1]));
            }
            if c.min_items.is_some_and(|m| m > 0) {
                return Some(Value::Array(Vec::new()));
            }
            c.unique_items
                .then(|| Value::Array(vec![sample.clone(), sample]))
        }
        _ => None,
    }
}

/// A parameter or top-level body field to break a constraint of, with the value to send.
fn pick_violation<'a>(api: &Api, op: &'a Operation) -> Option<(Breakage<'a>, String)> {
    for param in &op.params {
        if let Some(value) = violating_value(api, &param.ty) {
            let pointer = format!("/{}/{}", param.location.as_str(), param.wire_name);
            return Some((Breakage::ParamViolation(param, value), pointer));
        }
    }
    let body = op.body.as_ref()?;
    let content = body
        .contents
        .first()
        .filter(|c| matches!(c.kind, BodyKind::Json))?;
    let mut ty = &content.ty;
    for _ in 0..8 {
        let TyKind::Named(id) = ty.kind else {
            return None;
        };
        match &api.ty(id).kind {
            crate::ir::NamedKind::Alias(target) => ty = target,
            crate::ir::NamedKind::Struct(s) => {
                return s.fields.iter().filter(|f| !f.read_only).find_map(|field| {
                    let value = violating_value(api, &field.ty)?;
                    let pointer = format!(
                        "/body/{}",
                        field.wire_name.replace('~', "~0").replace('/', "~1")
                    );
                    Some((
                        Breakage::BodyViolation(field.wire_name.clone(), value),
                        pointer,
                    ))
                });
            }
            _ => return None,
        }
    }
    None
}

fn pick_breakage<'a>(api: &Api, op: &'a Operation) -> Option<Breakage<'a>> {
    if let Some(param) = op
        .params_in(ParamLocation::Path)
        .find(|p| rejects_garbage(api, p))
    {
        return Some(Breakage::BadValue(param));
    }
    if let Some(param) = op
        .params
        .iter()
        .find(|p| p.required && p.location != ParamLocation::Path)
    {
        return Some(Breakage::Missing(param));
    }
    if let Some(param) = op
        .params
        .iter()
        .find(|p| p.location == ParamLocation::Query && rejects_garbage(api, p))
    {
        return Some(Breakage::BadValue(param));
    }
    if let Some(body) = &op.body {
        if body
            .contents
            .first()
            .is_some_and(|c| c.kind == BodyKind::Json)
        {
            return Some(Breakage::MalformedJson);
        }
        if body.required {
            return Some(Breakage::MissingBody);
        }
    }
    if let Some(param) = op.params.iter().find(|p| rejects_garbage(api, p)) {
        return Some(Breakage::BadValue(param));
    }
    None
}

fn request_expr(parts: &RequestParts) -> TokenStream {
    request_tokens(parts, None)
}

/// The expression that builds a request, with `uri` (an expression) in place of the
/// parts' URI when given.
pub(super) fn request_tokens(parts: &RequestParts, uri: Option<TokenStream>) -> TokenStream {
    request_tokens_with_body(parts, uri, None)
}

/// [`request_tokens`] with the body bytes given as an expression (a `&[u8]`) rather than
/// the literal in `parts`, for a body made at test time.
pub(super) fn request_tokens_with_body(
    parts: &RequestParts,
    uri: Option<TokenStream>,
    body_bytes: Option<TokenStream>,
) -> TokenStream {
    let method = parts.method.as_str();
    let literal = &parts.uri;
    let uri = uri.unwrap_or_else(|| quote!(#literal));
    let headers = parts.headers.iter().map(|(k, v)| quote!((#k, #v)));
    let body = match (&parts.body, body_bytes) {
        (Some((media, _)), Some(expr)) => quote!(Some((#media, #expr))),
        (Some((media, bytes)), None) => {
            let bytes = proc_macro2::Literal::byte_string(bytes);
            quote!(Some((#media, #bytes)))
        }
        (None, _) => quote!(None),
    };
    let request = quote!(request(#method, #uri, &[#(#headers),*], #body));
    let credentials = &parts.credentials;
    match parts.who {
        _ if credentials.is_empty() => request,
        Who::Tester => quote!(with_credentials(#request, &[#(#credentials),*])),
        Who::Other => quote!(with_credentials_as(#request, &[#(#credentials),*], Who::Other)),
        Who::Admin => quote!(with_credentials_as(#request, &[#(#credentials),*], Who::Admin)),
    }
}

/// What a credential in a generated test looks like.
enum CredentialKind {
    Good,
    Wrong,
}

/// Credentials for the first alternative of an operation's security the server can check,
/// with the scopes it requires. `None` when no alternative can be met.
fn credentials_for(api: &Api, op: &Operation, kind: CredentialKind) -> Option<Vec<TokenStream>> {
    if op.security.is_empty() {
        return Some(Vec::new());
    }
    let requirement = op
        .security
        .iter()
        .find(|r| crate::ir::requirement_is_satisfiable(api, r))?;
    let mut out = Vec::new();
    // Every bearer scheme of the requirement reads the same header: one token, carrying the
    // scopes all of them need.
    let mut bearer_scopes: Option<Vec<&String>> = None;
    for &(id, ref scopes) in &requirement.schemes {
        let scheme = api.scheme(id);
        out.push(match (&scheme.kind, &kind) {
            (SecuritySchemeKind::ApiKey { location, name }, kind) => {
                let location = format_ident!(
                    "{}",
                    match location {
                        ParamLocation::Query => "Query",
                        ParamLocation::Cookie => "Cookie",
                        _ => "Header",
                    }
                );
                match kind {
                    CredentialKind::Good => quote!(Credential::ApiKey(Location::#location, #name)),
                    CredentialKind::Wrong => {
                        quote!(Credential::WrongApiKey(Location::#location, #name))
                    }
                }
            }
            (SecuritySchemeKind::Basic, CredentialKind::Good) => quote!(Credential::Basic),
            (SecuritySchemeKind::Basic, CredentialKind::Wrong) => quote!(Credential::WrongBasic),
            _ => {
                let all = bearer_scopes.get_or_insert_with(Vec::new);
                all.extend(
                    scopes
                        .iter()
                        .filter(|s| !all.contains(s))
                        .collect::<Vec<_>>(),
                );
                continue;
            }
        });
    }
    if let Some(scopes) = bearer_scopes {
        out.push(match kind {
            CredentialKind::Good => quote!(Credential::Bearer(&[#(#scopes),*])),
            CredentialKind::Wrong => quote!(Credential::WrongBearer),
        });
    }
    Some(out)
}

/// Whether a bearer token without scopes is refused with 403: some alternative needs only
/// a bearer token with scopes, and no alternative is met by a scope-less token.
fn scopeless_bearer_is_forbidden(api: &Api, op: &Operation) -> bool {
    let is_bearer = |id: crate::ir::SchemeId| {
        matches!(
            api.scheme(id).kind,
            SecuritySchemeKind::Bearer { .. }
                | SecuritySchemeKind::OAuth2 { .. }
                | SecuritySchemeKind::OpenIdConnect { .. }
        )
    };
    let bearer_only: Vec<&crate::ir::SecurityRequirement> = op
        .security
        .iter()
        .filter(|r| !r.schemes.is_empty() && r.schemes.iter().all(|&(id, _)| is_bearer(id)))
        .collect();
    !bearer_only.is_empty()
        && bearer_only
            .iter()
            .all(|r| r.schemes.iter().any(|(_, scopes)| !scopes.is_empty()))
}

fn operation_tests(api: &Api, op: &Operation) -> TokenStream {
    let valid_name = format_ident!("{}_answers_a_valid_request", op.method_name);
    let parts = valid_request(api, op, None);
    let request = request_expr(&parts);
    let (status, content_type) = match stub_response(op) {
        Some(response) => {
            let media = response.content.as_ref().map(|c| {
                if c.kind == BodyKind::Form {
                    "application/json".to_owned()
                } else {
                    c.media_type.clone()
                }
            });
            (stub_status(response), media)
        }
        None => (501, Some("application/problem+json".to_owned())),
    };
    // No alternative of the operation's security can be met here (e.g. only HTTP digest):
    // the server refuses every request.
    let unreachable = credentials_for(api, op, CredentialKind::Good).is_none();
    let (status, content_type) = if unreachable {
        (401, Some("application/problem+json".to_owned()))
    } else {
        (status, content_type)
    };
    let content_type = match content_type {
        Some(media) => quote!(Some(#media)),
        None => quote!(None),
    };
    let doc = docs::doc(&format!(
        "`{} {}` with a valid request reaches the handler and answers {status}.",
        op.method.as_str(),
        op.path
    ));
    let valid = quote! {
        #doc
        #[tokio::test]
        async fn #valid_name() {
            expect(#request, #status, #content_type).await;
        }
    };
    let malformed = pick_breakage(api, op).map(|breakage| {
        let name = format_ident!("{}_rejects_malformed_input", op.method_name);
        let (what, pointer) = match &breakage {
            Breakage::BadValue(p) => (
                format!("an invalid `{}`", p.wire_name),
                format!("/{}/{}", p.location.as_str(), p.wire_name),
            ),
            Breakage::Missing(p) => (
                format!("no `{}`", p.wire_name),
                format!("/{}/{}", p.location.as_str(), p.wire_name),
            ),
            Breakage::MalformedJson => ("a malformed JSON body".to_owned(), "/body".to_owned()),
            Breakage::MissingBody => ("no body".to_owned(), "/body".to_owned()),
            // Constraint violations have their own test (422, not 400).
            Breakage::ParamViolation(..) | Breakage::BodyViolation(..) => {
                return TokenStream::new();
            }
        };
        let parts = valid_request(api, op, Some(&breakage));
        let request = request_expr(&parts);
        // A HEAD response has no body: only the status and content type can be checked.
        let check = if op.method == HttpMethod::Head {
            quote!(expect(#request, 400, Some("application/problem+json")).await;)
        } else {
            quote! {
                let (problem, _) = expect_problem(#request, 400).await;
                assert!(
                    problem.errors.iter().any(|e| e.pointer.starts_with(#pointer)),
                    "expected an error at {}, got {:?}", #pointer, problem.errors
                );
            }
        };
        let doc = docs::doc(&format!(
            "`{} {}` with {what} answers 400 problem+json pointing at `{pointer}`.",
            op.method.as_str(),
            op.path
        ));
        quote! {
            #doc
            #[tokio::test]
            async fn #name() {
                #check
            }
        }
    });
    let malformed = if unreachable { None } else { malformed };
    let violation = (!unreachable).then(|| pick_violation(api, op)).flatten().map(|(breakage, pointer)| {
        let name = format_ident!("{}_rejects_a_value_that_breaks_a_constraint", op.method_name);
        let parts = valid_request(api, op, Some(&breakage));
        let request = request_expr(&parts);
        let status = op.violation_status();
        let doc = docs::doc(&format!("`{} {}` with a value at `{pointer}` that breaks the spec's constraints: {status} problem+json.", op.method.as_str(), op.path));
        let check = if op.method == HttpMethod::Head {
            quote!(expect(#request, #status, Some("application/problem+json")).await;)
        } else {
            quote! {
                let (problem, _) = expect_problem(#request, #status).await;
                assert!(
                    problem.errors.iter().any(|e| e.pointer.starts_with(#pointer)),
                    "expected a violation at {}, got {:?}", #pointer, problem.errors
                );
            }
        };
        quote! {
            #doc
            #[tokio::test]
            async fn #name() {
                #check
            }
        }
    });
    let malformed = quote!(#malformed #violation);
    let auth = auth_tests(api, op);
    quote!(#valid #malformed #auth)
}

/// For a secured operation: no credentials and wrong ones are 401 with a challenge; a token
/// without the required scopes is 403 when no alternative accepts it.
fn auth_tests(api: &Api, op: &Operation) -> TokenStream {
    if op.security.is_empty() {
        return TokenStream::new();
    }
    let head = op.method == HttpMethod::Head;
    let assert_status = |request: TokenStream, status: u16| {
        if head {
            quote!(expect(#request, #status, Some("application/problem+json")).await;)
        } else {
            quote! {
                let (_, headers) = expect_problem(#request, #status).await;
                assert!(headers.contains_key(header::WWW_AUTHENTICATE), "a {} must say how to authenticate", #status);
            }
        }
    };
    let path = format!("`{} {}`", op.method.as_str(), op.path);
    let mut parts = valid_request(api, op, None);
    parts.credentials.clear();
    let anonymous = request_expr(&parts);
    let name = format_ident!("{}_without_credentials_is_401", op.method_name);
    let doc = docs::doc(&format!(
        "{path} without credentials: 401 problem+json with `WWW-Authenticate`."
    ));
    let check = assert_status(anonymous, 401);
    let mut tests = vec![quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            #check
        }
    }];
    if let Some(wrong) = credentials_for(api, op, CredentialKind::Wrong) {
        parts.credentials = wrong;
        let request = request_expr(&parts);
        let name = format_ident!("{}_with_wrong_credentials_is_401", op.method_name);
        let doc = docs::doc(&format!(
            "{path} with credentials the server does not accept: 401."
        ));
        let check = assert_status(request, 401);
        tests.push(quote! {
            #doc
            #[tokio::test]
            async fn #name() {
                #check
            }
        });
    }
    if scopeless_bearer_is_forbidden(api, op) {
        parts.credentials = vec![quote!(Credential::Bearer(&[]))];
        let request = request_expr(&parts);
        let name = format_ident!("{}_without_the_required_scopes_is_403", op.method_name);
        let doc = docs::doc(&format!(
            "{path} with a valid token that lacks the required scopes: 403 insufficient_scope."
        ));
        let check = assert_status(request, 403);
        tests.push(quote! {
            #doc
            #[tokio::test]
            async fn #name() {
                #check
            }
        });
    }
    quote!(#(#tests)*)
}

fn framework_tests(api: &Api) -> TokenStream {
    let not_found = quote! {
        /// A path the spec does not have answers 404 problem+json.
        #[tokio::test]
        async fn unknown_path_is_404_problem() {
            expect_problem(request("GET", "/specgen-no-such-route/a/b/c/d/e", &[], None), 404).await;
        }
    };
    let method_not_allowed = api.operations.first().and_then(|op| {
        let methods: Vec<HttpMethod> = api.operations.iter().filter(|o| o.route == op.route).map(|o| o.method).collect();
        let unused = [HttpMethod::Delete, HttpMethod::Patch, HttpMethod::Put, HttpMethod::Post, HttpMethod::Get]
            .into_iter()
            .find(|m| !methods.contains(m))?;
        let parts = valid_request(api, op, None);
        let uri = parts.uri.split('?').next().unwrap_or("/").to_owned();
        let method = unused.as_str();
        let allowed: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
        let doc = docs::doc(&format!("`{method} {}` is not in the spec: 405 problem+json with an `Allow` header.", op.path));
        Some(quote! {
            #doc
            #[tokio::test]
            async fn wrong_method_is_405_problem_with_allow() {
                let (_, headers) = expect_problem(request(#method, #uri, &[], None), 405).await;
                let allow = headers.get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let allowed: &[&str] = &[#(#allowed),*];
                for method in allowed {
                    assert!(allow.contains(method), "Allow `{allow}` lacks {method}");
                }
            }
        })
    });
    let unsupported = api
        .operations
        .iter()
        .filter(|op| credentials_for(api, op, CredentialKind::Good).is_some())
        .find(|op| op.body.as_ref().is_some_and(|b| b.contents.iter().all(|c| !c.media_type.contains('*'))))
        .map(|op| {
        let mut parts = valid_request(api, op, None);
        parts.body = Some(("application/x-specgen-unsupported".to_owned(), b"data".to_vec()));
        let request = request_expr(&parts);
        let method = parts.method.as_str();
        let doc = docs::doc(&format!("`{method} {}` with a body in a media type the spec does not list: 415 problem+json.", op.path));
        quote! {
            #doc
            #[tokio::test]
            async fn unsupported_media_type_is_415_problem() {
                expect_problem(#request, 415).await;
            }
        }
    });
    let refusing_impls = api.groups.iter().map(|g| {
        let trait_name = format_ident!("{}", g.trait_name);
        quote!(impl api::#trait_name for Refusing {})
    });
    let hook = api
        .operations
        .iter()
        .find(|op| credentials_for(api, op, CredentialKind::Good).is_some())
        .map(|op| {
            let request = request_expr(&valid_request(api, op, None));
            let doc = docs::doc(&format!(
                "`{} {}` with valid input is refused by a handler type whose `Authorize` hook \
                 refuses: the router asks the hook before the handler (`src/authorize.rs`).",
                op.method.as_str(),
                op.path
            ));
            quote! {
                /// Serves no operation, and its `Authorize` hook refuses every one.
                struct Refusing;

                #(#refusing_impls)*

                impl api::Authorize for Refusing {
                    async fn authorize(&self, _context: &RequestContext, operation: api::OperationId) -> Result<(), Problem> {
                        Err(Problem::forbidden().with_detail(format!("{} is refused", operation.as_str())))
                    }
                }

                #doc
                #[tokio::test]
                async fn the_authorize_hook_runs_before_every_handler() {
                    let app = router(Arc::new(Refusing), AUTH.clone());
                    let (status, _, body) = send_to(&app, #request).await;
                    assert_eq!(status.as_u16(), 403, "{}", String::from_utf8_lossy(&body));
                    assert!(String::from_utf8_lossy(&body).contains("is refused"));
                }
            }
        });
    quote!(#not_found #method_not_allowed #unsupported #hook)
}
