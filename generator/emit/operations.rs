//! `generated/src/api/<tag>.rs`: the trait of one tag's operations, and for each operation
//! its typed request (parsed by a `FromRequest` impl) and its response enum.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{self, doc_attrs};
use super::types::{Scope, nullable_type, rust_type};
use super::validation::{Checked, Patterns, option_checks};
use crate::ir::{
    Api, BodyKind, Group, GroupId, Operation, Param, ParamLocation, ParamStyle, Response, Status,
    Ty,
};

pub fn group_module(api: &Api, id: GroupId, group: &Group) -> TokenStream {
    let operations: Vec<&Operation> = api.operations_in(id).collect();
    let trait_name = format_ident!("{}", group.trait_name);
    let methods = operations.iter().map(|op| trait_method(op));
    let checked = Checked::new(api);
    let mut patterns = Patterns::new(api);
    let items: Vec<TokenStream> = operations
        .iter()
        .map(|op| {
            let request = request_type(api, op, &checked, &mut patterns);
            let response = response_type(api, op);
            quote!(#request #response)
        })
        .collect();
    let statics = patterns.statics();
    let module_doc = docs::module_doc(&match &group.description {
        Some(description) => format!(
            "Operations tagged `{}`: {}",
            display_tag(group),
            docs::escape_prose(description.lines().next().unwrap_or(""))
        ),
        None => format!("Operations tagged `{}`.", display_tag(group)),
    });
    let trait_doc = docs::doc(&format!(
        "The operations tagged `{}`.\n\nImplement it on your handler type; every method you leave out answers\n501 Not Implemented with a problem+json body naming the operation.",
        display_tag(group)
    ));
    quote! {
        #module_doc
        #![allow(unused_imports, clippy::too_many_arguments, clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

        use std::future::Future;

        use axum::extract::{FromRequest, Request};
        use axum::http::StatusCode;
        use axum::response::{IntoResponse, Response};

        use crate::models;
        use crate::runtime::{self, Param, Problem, RequestContext, RequestInput, Style, required};
        use crate::runtime::validate::{self, Validate};

        #trait_doc
        pub trait #trait_name: Send + Sync + 'static {
            #(#methods)*
        }

        #statics

        #(#items)*
    }
}

fn display_tag(group: &Group) -> &str {
    if group.tag.is_empty() {
        "(none)"
    } else {
        &group.tag
    }
}

fn operation_doc(op: &Operation) -> TokenStream {
    let mut doc = String::new();
    if let Some(summary) = &op.summary {
        doc.push_str(summary);
        doc.push_str("\n\n");
    }
    doc.push_str(&format!(
        "`{} {}` (operation `{}`)",
        op.method.as_str(),
        op.path,
        op.id
    ));
    if let Some(description) = &op.description {
        doc.push_str("\n\n");
        doc.push_str(description);
    }
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let docs = doc_attrs(Some(&doc));
    quote!(#docs #deprecated)
}

fn type_names(op: &Operation) -> (syn::Ident, syn::Ident) {
    (
        format_ident!("{}Request", op.type_prefix),
        format_ident!("{}Response", op.type_prefix),
    )
}

fn trait_method(op: &Operation) -> TokenStream {
    let docs = operation_doc(op);
    let method = format_ident!("{}", op.method_name);
    let (request, response) = type_names(op);
    let id = &op.id;
    quote! {
        #docs
        fn #method(&self, context: RequestContext, request: #request) -> impl Future<Output = Result<#response, Problem>> + Send {
            let _ = (context, request);
            async { Err(Problem::not_implemented(#id)) }
        }
    }
}

/// The Rust type of a parameter's value (a `Vec` for arrays).
fn param_type(api: &Api, param: &Param) -> TokenStream {
    let ty = nullable_type(api, &param.ty, Scope::Outside);
    if param.required || default_value(api, param).is_some() {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

fn body_enum_name(op: &Operation) -> syn::Ident {
    format_ident!("{}Body", op.type_prefix)
}

fn content_type(api: &Api, kind: BodyKind, ty: &Ty) -> TokenStream {
    match kind {
        BodyKind::Json | BodyKind::Form => nullable_type(api, ty, Scope::Outside),
        BodyKind::Text => quote!(String),
        BodyKind::Binary => quote!(axum::body::Bytes),
        BodyKind::Multipart => quote!(runtime::MultipartBody),
    }
}

fn request_type(
    api: &Api,
    op: &Operation,
    checked: &Checked,
    patterns: &mut Patterns,
) -> TokenStream {
    let (request, _) = type_names(op);
    let doc = docs::doc(&format!("The parsed parameters and body of `{}`.", op.id));
    let mut fields = Vec::new();
    let mut parses = Vec::new();
    let mut names = Vec::new();
    for param in &op.params {
        let name = format_ident!("{}", param.rust_name);
        let ty = param_type(api, param);
        let mut doc = param.doc.clone().unwrap_or_default();
        if !doc.is_empty() {
            doc.push_str("\n\n");
        }
        doc.push_str(&format!(
            "`{}` in {}.",
            param.wire_name,
            param.location.as_str()
        ));
        let docs = doc_attrs(Some(&doc));
        fields.push(quote!(#docs pub #name: #ty,));
        parses.push(param_parse(api, param));
        names.push(name);
    }
    let mut body_items = TokenStream::new();
    let mut media_types: Vec<&str> = Vec::new();
    // A multipart body is streamed to the handler instead of being read here.
    let streamed = op
        .body
        .as_ref()
        .is_some_and(|b| b.contents.iter().any(|c| c.kind == BodyKind::Multipart));
    if let Some(body) = &op.body {
        media_types = body
            .contents
            .iter()
            .map(|c| c.media_type.as_str())
            .collect();
        let (ty, parse) = if streamed {
            (
                quote!(runtime::MultipartBody),
                quote!(Ok::<_, runtime::FieldError>(
                    input.multipart(raw_body).await?
                )),
            )
        } else if body.contents.len() == 1 {
            let content = &body.contents[0];
            let ty = content_type(api, content.kind, &content.ty);
            let read = read_body(api, content.kind, &content.ty);
            (ty, quote!(#read))
        } else {
            let enum_name = body_enum_name(op);
            let variants: Vec<syn::Ident> = variant_idents(body);
            let variant_defs = body
                .contents
                .iter()
                .zip(&variants)
                .map(|(content, variant)| {
                    let ty = content_type(api, content.kind, &content.ty);
                    let doc = docs::doc(&format!("Sent as `{}`.", content.media_type));
                    quote!(#doc #variant(#ty),)
                });
            let arms = body.contents.iter().zip(&variants).enumerate().map(
                |(index, (content, variant))| {
                    let read = read_body(api, content.kind, &content.ty);
                    quote!(Some(#index) => #read.map(|body| body.map(#enum_name::#variant)),)
                },
            );
            let doc = docs::doc(&format!(
                "The body of `{}`, by the media type it was sent as.",
                op.id
            ));
            body_items = quote! {
                #doc
                #[derive(Debug, Clone, PartialEq)]
                pub enum #enum_name {
                    #(#variant_defs)*
                }
            };
            let parse = quote!(match input.content_index() {
                #(#arms)*
                _ => Ok(None),
            });
            (quote!(#enum_name), parse)
        };
        let (ty, parse) = if body.required {
            (ty, quote!(#parse.and_then(required("/body"))))
        } else {
            (quote!(Option<#ty>), parse)
        };
        let docs = doc_attrs(body.doc.as_deref().or(Some("The request body.")));
        fields.push(quote!(#docs pub body: #ty,));
        parses.push(quote!(let body = #parse;));
        names.push(format_ident!("body"));
    }

    let checks = request_checks(api, op, checked, patterns);
    let construct = if checks.is_empty() {
        quote!(Ok(Self { #(#names),* }))
    } else {
        quote!(Self { #(#names),* }.check())
    };
    let status = op.violation_status();
    let check_impl = (!checks.is_empty()).then(|| {
        quote! {
            impl #request {
                /// Checks what parsing cannot: 422 (or 400) listing every value that breaks a constraint.
                fn check(self) -> Result<Self, Problem> {
                    let mut violations = validate::Violations::default();
                    let out = &mut violations;
                    #checks
                    if violations.is_empty() { Ok(self) } else { Err(Problem::invalid_values(#status, violations.into_errors())) }
                }
            }
        }
    });
    let from_request = if names.is_empty() {
        quote! {
            async fn from_request(_request: Request, _state: &S) -> Result<Self, Problem> {
                Ok(Self {})
            }
        }
    } else {
        let read = if streamed {
            quote!(let (input, raw_body) = RequestInput::read_streaming(request).await?;)
        } else {
            quote!(let input = RequestInput::read(request, &[#(#media_types),*]).await?;)
        };
        quote! {
            async fn from_request(request: Request, _state: &S) -> Result<Self, Problem> {
                #read
                #(#parses)*
                match (#(#names,)*) {
                    (#(Ok(#names),)*) => #construct,
                    (#(#names,)*) => Err(Problem::invalid_request([#(#names.err()),*])),
                }
            }
        }
    };
    // A streamed body can be neither cloned nor compared.
    let derives = if streamed {
        quote!(#[derive(Debug)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    quote! {
        #body_items

        #doc
        #derives
        pub struct #request {
            #(#fields)*
        }

        impl<S: Send + Sync> FromRequest<S> for #request {
            type Rejection = Problem;

            #from_request
        }

        #check_impl
    }
}

/// Constraint checks on a parsed request's parameters and body, against `self`.
fn request_checks(
    api: &Api,
    op: &Operation,
    checked: &Checked,
    patterns: &mut Patterns,
) -> TokenStream {
    let mut out = Vec::new();
    for param in &op.params {
        let ident = format_ident!("{}", param.rust_name);
        let root = format!("/{}/{}", param.location.as_str(), param.wire_name);
        let at = quote!(&validate::Pointer::Root(#root));
        let outer = usize::from(!param.required && default_value(api, param).is_none());
        let inner = option_checks(
            api,
            checked,
            patterns,
            &param.ty,
            quote!(value),
            at,
            outer,
            0,
        );
        if !inner.is_empty() {
            out.push(quote!({ let value = &self.#ident; #inner }));
        }
    }
    if let Some(body) = &op.body {
        let at = quote!(&validate::Pointer::Root("/body"));
        if let [content] = body.contents.as_slice() {
            if matches!(content.kind, BodyKind::Json | BodyKind::Form) {
                let outer = usize::from(!body.required);
                let inner = option_checks(
                    api,
                    checked,
                    patterns,
                    &content.ty,
                    quote!(value),
                    at,
                    outer,
                    0,
                );
                if !inner.is_empty() {
                    out.push(quote!({ let value = &self.body; #inner }));
                }
            }
        } else {
            // Several media types: check whichever the body was sent as.
            let enum_name = body_enum_name(op);
            let variants = variant_idents(body);
            let arms: Vec<(&syn::Ident, TokenStream)> = body
                .contents
                .iter()
                .zip(&variants)
                .filter(|(content, _)| matches!(content.kind, BodyKind::Json | BodyKind::Form))
                .filter_map(|(content, variant)| {
                    let inner = option_checks(
                        api,
                        checked,
                        patterns,
                        &content.ty,
                        quote!(value),
                        at.clone(),
                        0,
                        0,
                    );
                    (!inner.is_empty()).then_some((variant, inner))
                })
                .collect();
            let all_checked = arms.len() == variants.len();
            let checks = match arms.as_slice() {
                [] => None,
                // One media type to check: `if let`, as clippy prefers to a one-arm match.
                [(variant, inner)] if !all_checked => Some(if body.required {
                    quote!(if let #enum_name::#variant(value) = &self.body { #inner })
                } else {
                    quote!(if let Some(#enum_name::#variant(value)) = &self.body { #inner })
                }),
                arms => {
                    let arms = arms
                        .iter()
                        .map(|(variant, inner)| quote!(#enum_name::#variant(value) => { #inner }));
                    // A catch-all only when some media type has nothing to check.
                    let rest = (!all_checked).then(|| quote!(_ => {}));
                    Some(if body.required {
                        quote!(match &self.body { #(#arms)* #rest })
                    } else {
                        quote!(if let Some(body) = &self.body { match body { #(#arms)* #rest } })
                    })
                }
            };
            out.extend(checks);
        }
    }
    quote!(#(#out)*)
}

/// Whether `ty` is (an alias of) a struct.
fn is_struct(api: &Api, ty: &Ty) -> bool {
    match &ty.kind {
        crate::ir::TyKind::Named(id) => match &api.ty(*id).kind {
            crate::ir::NamedKind::Struct(_) => true,
            crate::ir::NamedKind::Alias(target) => is_struct(api, target),
            _ => false,
        },
        _ => false,
    }
}

fn read_body(api: &Api, kind: BodyKind, ty: &Ty) -> TokenStream {
    let target = nullable_type(api, ty, Scope::Outside);
    match kind {
        // serde reads a struct from a JSON array too: an object schema takes objects only.
        BodyKind::Json if !ty.nullable && is_struct(api, ty) => {
            quote!(input.json_object::<#target>())
        }
        BodyKind::Json => quote!(input.json::<#target>()),
        BodyKind::Form => quote!(input.form::<#target>()),
        BodyKind::Text => quote!(input.text()),
        BodyKind::Binary | BodyKind::Multipart => quote!(input.bytes()),
    }
}

fn param_parse(api: &Api, param: &Param) -> TokenStream {
    let name = format_ident!("{}", param.rust_name);
    let ty = nullable_type(api, &param.ty, Scope::Outside);
    let descriptor = param_descriptor(param);
    if param.required {
        quote!(let #name = input.required::<#ty>(#descriptor);)
    } else if let Some(default) = default_value(api, param) {
        if param.ty.kind == crate::ir::TyKind::String(crate::ir::StringFormat::Plain)
            || matches!(param.ty.kind, crate::ir::TyKind::String(_))
        {
            quote!(let #name = input.optional::<#ty>(#descriptor).map(|value| value.unwrap_or_else(|| #default));)
        } else {
            quote!(let #name = input.optional::<#ty>(#descriptor).map(|value| value.unwrap_or(#default));)
        }
    } else {
        quote!(let #name = input.optional::<#ty>(#descriptor);)
    }
}

/// The spec's `default` for an optional parameter as a Rust expression, when it is a value
/// the parameter's type can hold and the spec's own constraints accept.
fn default_value(api: &Api, param: &Param) -> Option<TokenStream> {
    use crate::ir::{IntFormat, NamedKind, StringFormat, TyKind};
    let value = param.ty.default.as_ref()?;
    if param.ty.nullable
        || !super::samples::Sampler::new(api, super::samples::Direction::Request)
            .fits(&param.ty, value, 0)
    {
        return None;
    }
    Some(match (&param.ty.kind, value) {
        (TyKind::Bool, serde_json::Value::Bool(b)) => quote!(#b),
        (TyKind::Integer(format), serde_json::Value::Number(n)) => {
            let n = n.as_i64()?;
            let fits = match format {
                IntFormat::I32 => i32::try_from(n).is_ok(),
                IntFormat::U32 => u32::try_from(n).is_ok(),
                IntFormat::U64 => n >= 0,
                IntFormat::I64 => true,
            };
            let literal = proc_macro2::Literal::i64_unsuffixed(n);
            fits.then(|| quote!(#literal))?
        }
        (TyKind::Number(_), serde_json::Value::Number(n)) => {
            let n = n.as_f64().filter(|n| n.is_finite())?;
            let literal = proc_macro2::Literal::f64_unsuffixed(n);
            quote!(#literal)
        }
        (TyKind::String(format), serde_json::Value::String(text))
            if !matches!(
                format,
                StringFormat::Date | StringFormat::DateTime | StringFormat::Uuid
            ) =>
        {
            quote!(String::from(#text))
        }
        (TyKind::Named(id), serde_json::Value::String(text)) => {
            let named = api.ty(*id);
            let NamedKind::Enum(e) = &named.kind else {
                return None;
            };
            let variant = e.variants.iter().find(|v| &v.value == text)?;
            let ty = format_ident!("{}", named.name);
            let variant = format_ident!("{}", variant.rust_name);
            quote!(models::#ty::#variant)
        }
        _ => return None,
    })
}

/// `Param::query("limit")`, with the style, explode and capture only where they differ from
/// the location's defaults.
fn param_descriptor(param: &Param) -> TokenStream {
    let wire = &param.wire_name;
    let constructor = format_ident!("{}", param.location.as_str());
    let mut descriptor = quote!(Param::#constructor(#wire));
    if param.style != ParamStyle::default_for(param.location) {
        let style = format_ident!("{}", format!("{:?}", param.style));
        descriptor = quote!(#descriptor.style(Style::#style));
    }
    let default_explode = matches!(param.location, ParamLocation::Query | ParamLocation::Cookie);
    if param.explode != default_explode && param.style != ParamStyle::Json {
        let explode = param.explode;
        descriptor = quote!(#descriptor.explode(#explode));
    }
    if param.location == ParamLocation::Path && param.route_name != param.wire_name {
        let capture = &param.route_name;
        descriptor = quote!(#descriptor.captured_as(#capture));
    }
    descriptor
}

/// The variants of a body that can come as one of several media types, as the IR named them.
fn variant_idents(body: &crate::ir::RequestBody) -> Vec<syn::Ident> {
    body.contents
        .iter()
        .map(|content| format_ident!("{}", content.variant))
        .collect()
}

/// The status of a variant: fixed for a code, carried by the variant for ranges and default.
fn fixed_status(response: &Response) -> Option<u16> {
    match response.status {
        Status::Code(code) => Some(code),
        _ => None,
    }
}

fn response_type(api: &Api, op: &Operation) -> TokenStream {
    let (_, response_name) = type_names(op);
    let doc = docs::doc(&format!("The documented responses of `{}`.", op.id));
    let variants = op.responses.iter().map(|response| {
        let variant = format_ident!("{}", response.variant);
        let label = match response.status {
            Status::Code(code) => code.to_string(),
            Status::Range(digit) => format!("{digit}XX"),
            Status::Default => "default".to_owned(),
        };
        let docs = doc_attrs(Some(&format!("{label}: {}", response.description.trim())));
        let body = response
            .content
            .as_ref()
            .map(|c| content_type(api, c.kind, &c.ty));
        let needs_status = fixed_status(response).is_none();
        if !needs_status && response.headers.is_empty() {
            return match body {
                Some(body) => quote!(#docs #variant(#body),),
                None => quote!(#docs #variant,),
            };
        }
        let status = needs_status.then(|| quote!(status: StatusCode,));
        let body = body.map(|body| quote!(body: #body,));
        let headers = response.headers.iter().map(|header| {
            let name = format_ident!("{}", header.rust_name);
            let ty = rust_type(api, &header.ty, Scope::Outside);
            let ty = if header.required {
                ty
            } else {
                quote!(Option<#ty>)
            };
            let docs = doc_attrs(Some(&format!(
                "`{}` header.{}",
                header.wire_name,
                header
                    .doc
                    .as_ref()
                    .map(|d| format!(" {d}"))
                    .unwrap_or_default()
            )));
            quote!(#docs #name: #ty,)
        });
        quote!(#docs #variant { #status #body #(#headers)* },)
    });
    let arms = op.responses.iter().map(response_arm);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #response_name {
            #(#variants)*
        }

        impl IntoResponse for #response_name {
            fn into_response(self) -> Response {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

fn response_arm(response: &Response) -> TokenStream {
    let variant = format_ident!("{}", response.variant);
    let status_expr = match fixed_status(response) {
        Some(code) => {
            quote!(StatusCode::from_u16(#code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        }
        None => quote!(status),
    };
    let status_expr = match fixed_status(response).and_then(status_const) {
        Some(constant) => quote!(StatusCode::#constant),
        None => status_expr,
    };
    let write = match &response.content {
        Some(content) => {
            let media = &content.media_type;
            match content.kind {
                BodyKind::Json => quote!(runtime::json(#status_expr, #media, &body)),
                BodyKind::Text => quote!(runtime::text(#status_expr, #media, body)),
                BodyKind::Form | BodyKind::Binary | BodyKind::Multipart => {
                    if content.kind == BodyKind::Form {
                        quote!(runtime::json(#status_expr, "application/json", &body))
                    } else {
                        quote!(runtime::bytes(#status_expr, #media, body))
                    }
                }
            }
        }
        None => quote!(runtime::empty(#status_expr)),
    };
    let needs_status = fixed_status(response).is_none();
    if !needs_status && response.headers.is_empty() {
        return match &response.content {
            Some(_) => quote!(Self::#variant(body) => #write,),
            None => quote!(Self::#variant => #write,),
        };
    }
    let status = needs_status.then(|| quote!(status,));
    let body = response.content.as_ref().map(|_| quote!(body,));
    let header_names: Vec<syn::Ident> = response
        .headers
        .iter()
        .map(|h| format_ident!("{}", h.rust_name))
        .collect();
    let sets = response.headers.iter().map(|header| {
        let name = format_ident!("{}", header.rust_name);
        let wire = &header.wire_name;
        if header.required {
            quote!(runtime::set_header(&mut response, #wire, Some(&#name));)
        } else {
            quote!(runtime::set_header(&mut response, #wire, #name.as_ref());)
        }
    });
    if header_names.is_empty() {
        return quote!(Self::#variant { #status #body } => #write,);
    }
    quote! {
        Self::#variant { #status #body #(#header_names,)* } => {
            let mut response = #write;
            #(#sets)*
            response
        }
    }
}

/// The `StatusCode` associated constant for common codes, for readable output.
fn status_const(code: u16) -> Option<syn::Ident> {
    let name = match code {
        200 => "OK",
        201 => "CREATED",
        202 => "ACCEPTED",
        204 => "NO_CONTENT",
        301 => "MOVED_PERMANENTLY",
        302 => "FOUND",
        303 => "SEE_OTHER",
        304 => "NOT_MODIFIED",
        307 => "TEMPORARY_REDIRECT",
        308 => "PERMANENT_REDIRECT",
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        402 => "PAYMENT_REQUIRED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        406 => "NOT_ACCEPTABLE",
        409 => "CONFLICT",
        410 => "GONE",
        412 => "PRECONDITION_FAILED",
        413 => "PAYLOAD_TOO_LARGE",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        422 => "UNPROCESSABLE_ENTITY",
        429 => "TOO_MANY_REQUESTS",
        500 => "INTERNAL_SERVER_ERROR",
        501 => "NOT_IMPLEMENTED",
        502 => "BAD_GATEWAY",
        503 => "SERVICE_UNAVAILABLE",
        504 => "GATEWAY_TIMEOUT",
        _ => return None,
    };
    Some(format_ident!("{}", name))
}
