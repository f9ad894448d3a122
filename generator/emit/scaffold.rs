//! Scaffold Rust files: written once by `gen new` (or when missing), then the user's.

use askama::Template;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use super::{EmitError, resources, rust};
use crate::ir::{
    Api, Group, GroupId, Operation, OperationId, ParamLocation, Resource, Status, StringFormat,
    TyKind,
};

/// The marker line in `src/handlers/mod.rs` below which regen adds modules for new tags.
pub const HANDLER_MODULES_MARKER: &str =
    "// specgen: handler modules (`gen regen` adds new tags below this line)";

/// `src/lib.rs`: the crate's modules; the data layer's only when the spec has resources.
#[derive(Template)]
#[template(path = "rust/lib.rs.txt", escape = "none")]
struct Lib<'a> {
    /// The crate's name in Rust paths; the generated crate's is this with `_generated`.
    krate: &'a str,
    data: bool,
}

pub fn lib_rs(api: &Api, crate_ident: &str) -> Result<String, EmitError> {
    rust::render_source(
        "lib.rs",
        &Lib {
            krate: crate_ident,
            data: !api.resources.is_empty(),
        },
    )
}

/// `src/main.rs`: the server and its command-line helpers.
#[derive(Template)]
#[template(path = "rust/main.rs.txt", escape = "none")]
struct Main<'a> {
    /// The crate's name in Rust paths.
    krate: &'a str,
}

pub fn main_rs(crate_ident: &str) -> Result<String, EmitError> {
    rust::render_source("main.rs", &Main { krate: crate_ident })
}

/// `src/authorize.rs`: the project's own rules, run before every handler.
#[derive(Template)]
#[template(path = "rust/authorize.rs.txt", escape = "none")]
struct AuthorizeHook {
    /// An operation to show a rule on: the first secured one, else the first.
    example: Option<ExampleOperation>,
}

struct ExampleOperation {
    id: String,
    variant: String,
}

pub fn authorize_rs(api: &Api) -> Result<String, EmitError> {
    let example = api
        .operations
        .iter()
        .find(|op| !op.security.is_empty())
        .or(api.operations.first())
        .map(|op| ExampleOperation {
            id: op.id.clone(),
            variant: op.type_prefix.clone(),
        });
    rust::render_source("authorize.rs", &AuthorizeHook { example })
}

/// `src/startup.rs`: the router, the database and a server that shuts down gracefully.
#[derive(Template)]
#[template(path = "rust/startup.rs.txt", escape = "none")]
struct Startup;

pub fn startup_rs() -> Result<String, EmitError> {
    rust::render_source("startup.rs", &Startup)
}

/// `src/handlers/mod.rs` without its module list, which goes below
/// [`HANDLER_MODULES_MARKER`] as text so regen can add to it.
#[derive(Template)]
#[template(path = "rust/handlers_mod.rs.txt", escape = "none")]
struct HandlersMod;

/// `src/handlers/mod.rs`: the `Handlers` type, the marker line and a `mod` line per tag.
pub fn handlers_mod(api: &Api) -> Result<String, EmitError> {
    let mut source = rust::render_source("handlers/mod.rs", &HandlersMod)?;
    source.push('\n');
    source.push_str(HANDLER_MODULES_MARKER);
    source.push('\n');
    for group in &api.groups {
        source.push_str(&handler_module_line(group));
        source.push('\n');
    }
    Ok(source)
}

/// `mod x;` lines for the handler modules, inserted below the marker.
pub fn handler_module_line(group: &Group) -> String {
    format!("mod {};", group.module)
}

pub fn handler_file(api: &Api, index: GroupId, group: &Group) -> TokenStream {
    let trait_name = format_ident!("{}", group.trait_name);
    let tag = if group.tag.is_empty() {
        "(untagged)".to_owned()
    } else {
        format!("`{}`", group.tag)
    };
    let mut doc = format!(
        "Handlers for the operations tagged {tag}.

The methods of [`{}`] below come written: operations that manage a stored
resource call its service; the others answer the spec's example until you
implement them (marked TODO). A method you delete answers 501 Not Implemented.
The trait's docs show each signature; for example:

```text
",
        group.trait_name
    );
    if let Some(op) = api.operations_in(index).next() {
        doc.push_str(&format!(
            "async fn {}(&self, context: RequestContext, request: {}Request) -> Result<{}Response, Problem> {{\n    todo!()\n}}\n",
            op.method_name, op.type_prefix, op.type_prefix
        ));
    }
    doc.push_str("```\n\nOperations:\n");
    for op in api.operations_in(index) {
        doc.push_str(&format!(
            "- `{}`: `{} {}`\n",
            op.method_name,
            op.method.as_str(),
            op.path
        ));
    }
    let doc = docs::module_doc(&doc);
    let methods: Vec<TokenStream> = api
        .each_operation()
        .filter(|(_, op)| op.group == index)
        .map(|(i, op)| match api.resource_of(i) {
            Some(resource) => resource_method(api, i, op, resource),
            None => example_method(api, op),
        })
        .collect();
    // Each resource's service accessor lives with the first tag that serves it.
    let accessors: Vec<TokenStream> = api
        .resources
        .iter()
        .filter(|r| r.ops.all().min().map(|first| api.operation(first).group) == Some(index))
        .map(|r| {
            let accessor = service_accessor(r);
            let service = resources::service(r);
            let sql = resources::sql_repository(r);
            let doc = docs::doc(&format!(
                "The `{}` service, on the handlers' database.",
                r.table
            ));
            quote! {
                #doc
                pub(crate) fn #accessor(&self) -> crate::services::#service {
                    crate::services::#service::new(crate::repositories::#sql::new(self.db.clone()))
                }
            }
        })
        .collect();
    let accessors = (!accessors.is_empty()).then(|| quote!(impl Handlers { #(#accessors)* }));
    let body = quote! {
        #accessors

        impl #trait_name for Handlers {
            #(#methods)*
        }
    };
    let imports = handler_imports(api, index, group, &body);
    quote! {
        #doc

        #imports
        use super::Handlers;

        #body
    }
}

/// The `use` lines of a handler file: each name the written code uses, and no other (the
/// file is the user's: unused imports would be warnings to silence).
fn handler_imports(api: &Api, index: GroupId, group: &Group, body: &TokenStream) -> TokenStream {
    let mut used = std::collections::BTreeSet::new();
    idents(body, &mut used);
    let pick = |candidates: Vec<String>| -> Vec<syn::Ident> {
        candidates
            .into_iter()
            .filter(|name| used.contains(name))
            .map(|name| format_ident!("{}", name))
            .collect()
    };
    let module = format_ident!("{}", group.module);
    let api_names = pick(
        std::iter::once(group.trait_name.clone())
            .chain(api.operations_in(index).flat_map(|op| {
                [
                    format!("{}Request", op.type_prefix),
                    format!("{}Response", op.type_prefix),
                ]
            }))
            .collect(),
    );
    let generated = pick(
        ["Problem", "RequestContext", "models"]
            .map(str::to_owned)
            .to_vec(),
    );
    let listings = pick(
        api.resources
            .iter()
            .map(|r| resources::listing_static(r).to_string())
            .collect(),
    );
    let store = pick(["Key", "ListQuery", "Scope"].map(str::to_owned).to_vec());
    let line = |path: TokenStream, names: &[syn::Ident]| {
        (!names.is_empty()).then(|| quote!(use #path::{#(#names),*};))
    };
    let lines = [
        line(quote!(crate::generated::api::#module), &api_names),
        line(quote!(crate::generated), &generated),
        line(quote!(crate::generated::resources), &listings),
        line(quote!(crate::generated::runtime::store), &store),
    ];
    quote!(#(#lines)*)
}

/// Every identifier in `tokens`, groups included.
fn idents(tokens: &TokenStream, out: &mut std::collections::BTreeSet<String>) {
    for token in tokens.clone() {
        match token {
            proc_macro2::TokenTree::Ident(ident) => {
                out.insert(ident.to_string());
            }
            proc_macro2::TokenTree::Group(group) => idents(&group.stream(), out),
            _ => {}
        }
    }
}

/// `generated/src/examples.rs`: the spec's example responses, for handlers nobody has
/// written yet.
#[derive(Template)]
#[template(path = "rust/examples.rs.txt", escape = "none")]
struct Examples;

pub fn examples_module() -> Result<String, EmitError> {
    rust::render_source("examples.rs", &Examples)
}

/// A handler method for an operation that fits no resource: it answers the spec's example
/// until someone implements it.
fn example_method(api: &Api, op: &Operation) -> TokenStream {
    let method = format_ident!("{}", op.method_name);
    let request_type = format_ident!("{}Request", op.type_prefix);
    let response_type = format_ident!("{}Response", op.type_prefix);
    let doc = docs::doc(&format!(
        "TODO: implement `{}` ({} {}). Until then it answers the spec's example.",
        op.id,
        op.method.as_str(),
        op.path
    ));
    let body = match super::samples::stub_response(op) {
        Some(response) => {
            let value = super::contract_tests::example_response(
                api,
                op,
                response,
                &quote!(),
                &|key| quote!(crate::generated::examples::example(#key)?),
            );
            quote!(Ok(#value))
        }
        None => {
            let id = &op.id;
            quote!(Err(Problem::not_implemented(#id)))
        }
    };
    quote! {
        #doc
        async fn #method(&self, _context: RequestContext, _request: #request_type) -> Result<#response_type, Problem> {
            #body
        }
    }
}

/// `pet_service`: the handlers' accessor for a resource's service.
fn service_accessor(resource: &Resource) -> syn::Ident {
    format_ident!("{}_service", resource.singular)
}

/// `Key::from(request.pet_id)`: a path parameter as a key.
fn key_expr(op: &Operation, wire_name: &str) -> TokenStream {
    let Some(param) = op
        .params_in(ParamLocation::Path)
        .find(|p| p.wire_name == wire_name)
    else {
        return quote!(Key::from(""));
    };
    let name = format_ident!("{}", param.rust_name);
    match &param.ty.kind {
        TyKind::String(StringFormat::Uuid) | TyKind::Integer(_) => quote!(Key::from(request.#name)),
        _ => quote!(Key::from(request.#name.as_str())),
    }
}

/// The scope of a nested resource's items, from the operation's path parameters.
fn scope_expr(op: &Operation, resource: &Resource) -> TokenStream {
    if resource.parents.is_empty() {
        return quote!(Scope::root());
    }
    let keys = resource.parents.iter().map(|p| {
        // The operation may name the parameter differently: match by position.
        let position = resource
            .parents
            .iter()
            .position(|q| q.param == p.param)
            .unwrap_or(0);
        let wire = op
            .params_in(ParamLocation::Path)
            .nth(position)
            .map_or(p.param.as_str(), |param| param.wire_name.as_str());
        key_expr(op, wire)
    });
    quote!(Scope::of([#(#keys),*]))
}

/// The success variant of an operation's response, built from `body` and the values of
/// the headers it knows (by name, any case); other optional headers are left out.
fn success_variant(
    op: &Operation,
    body: Option<TokenStream>,
    known: &[(&str, TokenStream)],
) -> TokenStream {
    let response_name = format_ident!("{}Response", op.type_prefix);
    let Some(response) = op.success_response() else {
        return quote!(unreachable!());
    };
    let variant = format_ident!("{}", response.variant);
    let fixed = matches!(response.status, Status::Code(_));
    if fixed && response.headers.is_empty() {
        return match body {
            Some(body) => quote!(#response_name::#variant(#body)),
            None => quote!(#response_name::#variant),
        };
    }
    let status = (!fixed).then(|| {
        let code: u16 = if op.method == crate::ir::HttpMethod::Post { 201 } else { 200 };
        quote!(status: axum::http::StatusCode::from_u16(#code).unwrap_or(axum::http::StatusCode::OK),)
    });
    let body = body.map(|b| quote!(body: #b,));
    let headers = response.headers.iter().map(|h| {
        let name = format_ident!("{}", h.rust_name);
        let value = known
            .iter()
            .find(|(wire, _)| h.wire_name.eq_ignore_ascii_case(wire))
            .map(|(_, value)| value.clone());
        match (value, h.required) {
            (Some(value), true) => quote!(#name: #value,),
            (Some(value), false) => quote!(#name: Some(#value),),
            // Resource detection admits no other required header.
            (None, true) => quote!(#name: Default::default(),),
            (None, false) => quote!(#name: None,),
        }
    });
    quote!(#response_name::#variant { #status #body #(#headers)* })
}

/// A handler method that serves a resource operation through the resource's service.
fn resource_method(
    api: &Api,
    index: OperationId,
    op: &Operation,
    resource: &Resource,
) -> TokenStream {
    let method = format_ident!("{}", op.method_name);
    let request_type = format_ident!("{}Request", op.type_prefix);
    let response_type = format_ident!("{}Response", op.type_prefix);
    let accessor = service_accessor(resource);
    // A secured operation sees the items as its caller may: their own, where the resource
    // (or the one enclosing it) records owners. A public one sees every item.
    // A public create that records its creator narrows its scope too: the store writes the
    // caller, if any, as the owner.
    let scope = if op.security.is_empty() && !api.identifies_caller(op) {
        scope_expr(op, resource)
    } else {
        let scope = scope_expr(op, resource);
        quote!(#scope.seen_by(&context))
    };
    let ops = &resource.ops;
    let item_key = || {
        let wire = op
            .params_in(ParamLocation::Path)
            .last()
            .map(|p| p.wire_name.clone())
            .unwrap_or_default();
        key_expr(op, &wire)
    };
    let body = if let Some(list) = ops.list.as_ref().filter(|l| l.operation == index) {
        let param = |wire: &Option<String>| {
            wire.as_ref()
                .and_then(|w| {
                    op.params_in(ParamLocation::Query)
                        .find(|p| &p.wire_name == w)
                })
                .map(|p| format_ident!("{}", p.rust_name))
        };
        let mut query = quote!(ListQuery::new());
        for (role, wire) in [
            ("limit", &list.limit),
            ("offset", &list.offset),
            ("page", &list.page),
            ("cursor", &list.cursor),
            ("sort", &list.sort),
            ("direction", &list.direction),
        ] {
            if let Some(name) = param(wire) {
                let role = format_ident!("{}", role);
                query = quote!(#query.#role(request.#name));
            }
        }
        for (wire, column) in &list.filters {
            if let Some(name) = param(&Some(wire.clone())) {
                query = quote!(#query.filter(#column, request.#name));
            }
        }
        let listing = resources::listing_static(resource);
        let total = list.total_header.as_ref().map(|wire| {
            (
                wire.as_str(),
                quote!(page.total.try_into().unwrap_or_default()),
            )
        });
        let variant = success_variant(op, Some(quote!(#listing.body(&page)?)), total.as_slice());
        quote! {
            let query = #query;
            let page = self.#accessor().list(&#scope, &query).await?;
            Ok(#variant)
        }
    } else if ops.create == Some(index) {
        let mut format = resource.collection_path.clone();
        let mut args = Vec::new();
        for param in op.params_in(ParamLocation::Path) {
            let placeholder = format!("{{{}}}", param.wire_name);
            if format.contains(&placeholder) {
                format = format.replace(&placeholder, "{}");
                let name = format_ident!("{}", param.rust_name);
                args.push(quote!(request.#name));
            }
        }
        format.push_str("/{key}");
        let location = if args.is_empty() {
            quote!(format!(#format))
        } else {
            quote!(format!(#format, #(#args),*))
        };
        let variant = success_variant(op, Some(quote!(item)), &[("location", location)]);
        let has_location = op.success_response().is_some_and(|r| {
            r.headers
                .iter()
                .any(|h| h.wire_name.eq_ignore_ascii_case("location"))
        });
        let key = if has_location { quote!(key) } else { quote!(_) };
        quote! {
            let (#key, item) = self.#accessor().create(&#scope, &request.body).await?;
            Ok(#variant)
        }
    } else if ops.get == Some(index) {
        let key = item_key();
        let variant = success_variant(op, Some(quote!(item)), &[]);
        quote! {
            let item = self.#accessor().get(&#scope, &#key).await?;
            Ok(#variant)
        }
    } else if ops.replace == Some(index) || ops.patch == Some(index) {
        let key = item_key();
        let call = if ops.replace == Some(index) {
            format_ident!("replace")
        } else {
            format_ident!("patch")
        };
        let variant = success_variant(op, Some(quote!(item)), &[]);
        quote! {
            let item = self.#accessor().#call(&#scope, &#key, &request.body).await?;
            Ok(#variant)
        }
    } else {
        let key = item_key();
        let variant = success_variant(op, None, &[]);
        quote! {
            self.#accessor().delete(&#scope, &#key).await?;
            Ok(#variant)
        }
    };
    // A list without paging or filter parameters, at the root, never reads the request.
    let request = if mentions(&body, "request") {
        format_ident!("request")
    } else {
        format_ident!("_request")
    };
    let context = if mentions(&body, "context") {
        format_ident!("context")
    } else {
        format_ident!("_context")
    };
    quote! {
        async fn #method(&self, #context: RequestContext, #request: #request_type) -> Result<#response_type, Problem> {
            #body
        }
    }
}

/// Whether `tokens` use the identifier `name` anywhere, groups included.
fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == name,
        proc_macro2::TokenTree::Group(group) => mentions(&group.stream(), name),
        _ => false,
    })
}
