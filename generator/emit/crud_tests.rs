//! Round-trip tests of each resource through the real app and an in-memory database:
//! create → get → list finds it → replace / patch → delete → get is 404, plus conditional
//! requests (`ETag`, `If-None-Match` → 304, a stale `If-Match` → 412) and paging.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::contract_tests::{RequestParts, request_tokens, valid_request};
use super::docs;
use super::samples::{Direction, Sampler};
use super::wire::{encode_component, encode_path_param, encode_query_param};
use crate::ir::{Api, ListShape, Operation, ParamLocation, Resource, normalized_template};

/// The tests of every resource that can be created and read back.
pub fn crud_tests(api: &Api) -> TokenStream {
    let tests = api.resources.iter().filter_map(|r| resource_test(api, r));
    let paging = api.resources.iter().filter_map(|r| paging_test(api, r));
    quote! {
        #(#tests)*
        #(#paging)*
    }
}

/// A request for a resource operation: the enclosing items' keys are the `{parent0}`,
/// `{parent1}`... placeholders (the test creates those items first), the item's key is the
/// `{key}` placeholder, and only required query parameters are sent.
fn crud_request(api: &Api, op: &Operation, parents: usize, item: bool) -> RequestParts {
    let mut parts = valid_request(api, op, None);
    let sampler = Sampler::new(api, Direction::Request);
    let path_params: Vec<_> = op.params_in(ParamLocation::Path).collect();
    let mut path = normalized_template(&op.path);
    for (index, param) in path_params.iter().enumerate() {
        let text = if item && index + 1 == path_params.len() {
            "{key}".to_owned()
        } else if index < parents {
            format!("{{parent{index}}}")
        } else {
            encode_path_param(
                param,
                &sampler.value_with_example(&param.ty, param.example.as_ref()),
            )
        };
        path = path.replace(&format!("{{{}}}", param.wire_name), &text);
    }
    let query: Vec<String> = op
        .params_in(ParamLocation::Query)
        .filter(|p| p.required)
        .flat_map(|p| encode_query_param(p, &sampler.value_with_example(&p.ty, p.example.as_ref())))
        .map(|(k, v)| format!("{}={}", encode_component(&k), encode_component(&v)))
        .collect();
    parts.uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    };
    parts
}

/// The URI of a request with its placeholders filled from the test's variables.
fn uri_expr(uri: &str, parents: usize, item: bool) -> TokenStream {
    if parents == 0 && !item {
        return quote!(#uri);
    }
    let mut expr = quote!(#uri);
    for index in 0..parents {
        let placeholder = format!("{{parent{index}}}");
        let variable = format_ident!("parent{}", index);
        expr = quote!(#expr.replace(#placeholder, &#variable));
    }
    if item {
        expr = quote!(#expr.replace("{key}", &key));
    }
    quote!(&#expr)
}

/// A request expression for a resource operation.
fn crud_request_expr(api: &Api, op: &Operation, parents: usize, item: bool) -> TokenStream {
    let parts = crud_request(api, op, parents, item);
    let uri = uri_expr(&parts.uri, parents, item);
    request_tokens(&parts, Some(uri))
}

/// The enclosing resources of a nested one, outermost first; `None` when one of them
/// cannot be created through the API (the test would have nothing to nest in).
fn parent_chain<'a>(api: &'a Api, resource: &'a Resource) -> Option<Vec<&'a Resource>> {
    let mut chain = Vec::new();
    let mut current = resource;
    while !current.parents.is_empty() {
        let parent = api.resource(current.parent?);
        parent.ops.create?;
        chain.push(parent);
        current = parent;
        if chain.len() > 8 {
            return None;
        }
    }
    chain.reverse();
    // Every level of nesting must be a resource of its own.
    (chain.len() == resource.parents.len()).then_some(chain)
}

/// Statements that create each enclosing item and bind its key to `parent0`, `parent1`...
fn create_parents(api: &Api, chain: &[&Resource]) -> TokenStream {
    let steps = chain.iter().enumerate().map(|(index, parent)| {
        let Some(create) = parent.ops.create.map(|i| api.operation(i)) else {
            return TokenStream::new();
        };
        let request = crud_request_expr(api, create, index, false);
        let status = status_of(create);
        let variable = format_ident!("parent{}", index);
        let key_field = &parent.key.field;
        let label = format!("create the enclosing {}", parent.singular);
        quote! {
            let (_, created) = exchange(&app, #request, #status, #label).await;
            let #variable = key_of(&created, #key_field);
        }
    });
    quote!(#(#steps)*)
}

fn status_of(op: &Operation) -> u16 {
    match op.success_response().map(|r| r.status) {
        Some(crate::ir::Status::Code(code)) => code,
        _ if op.method == crate::ir::HttpMethod::Post => 201,
        _ => 200,
    }
}

/// Where the items of a list response are: the body, or one of its fields.
fn items_pointer(resource: &Resource) -> String {
    match resource.ops.list.as_ref().map(|l| &l.shape) {
        Some(ListShape::Envelope { items, .. }) => {
            format!("/{}", items.replace('~', "~0").replace('/', "~1"))
        }
        _ => String::new(),
    }
}

fn resource_test(api: &Api, resource: &Resource) -> Option<TokenStream> {
    let create = api.operation(resource.ops.create?);
    let ops = &resource.ops;
    if ops.get.is_none() && ops.list.is_none() {
        return None;
    }
    let name = format_ident!("{}_round_trip_through_the_database", resource.table);
    let doc = docs::doc(&format!(
        "`{}`: create, read back, list, update and delete on a fresh database; reads carry an \
         `ETag`, and stale `If-Match` writes are refused.",
        resource.collection_path
    ));
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let key_field = &resource.key.field;
    let create_status = status_of(create);
    let create_request = crud_request_expr(api, create, parents, false);
    // The key addresses the item's own operations; without any, it is only checked.
    let addressed = ops
        .get
        .or(ops.replace)
        .or(ops.patch)
        .or(ops.delete)
        .is_some();
    let bind_key = if addressed {
        quote!(let key = key_of(&created, #key_field);)
    } else {
        quote!(key_of(&created, #key_field);)
    };
    let mut steps = vec![
        create_parents(api, &chain),
        quote! {
            let (_, created) = exchange(&app, #create_request, #create_status, "create").await;
            #bind_key
        },
    ];
    let item_uri = |op: &Operation| {
        let parts = crud_request(api, op, parents, true);
        let uri = uri_expr(&parts.uri, parents, true);
        (parts, uri)
    };
    if let Some(get) = ops.get.map(|i| api.operation(i)) {
        let (parts, uri) = item_uri(get);
        let request = request_tokens(&parts, Some(uri.clone()));
        let conditional = request_tokens(&parts, Some(uri));
        steps.push(quote! {
            let (headers, fetched) = exchange(&app, #request, 200, "get").await;
            assert_eq!(fetched, created, "get answers what create stored");
            let etag = headers.get(header::ETAG).and_then(|v| v.to_str().ok()).expect("a read carries an ETag").to_owned();
            exchange(&app, with_header(#conditional, "if-none-match", &etag), 304, "If-None-Match with the current ETag").await;
        });
    }
    if let Some(list) = ops.list.as_ref().map(|l| api.operation(l.operation)) {
        let request = crud_request_expr(api, list, parents, false);
        let pointer = items_pointer(resource);
        steps.push(quote! {
            let (_, listed) = exchange(&app, #request, 200, "list").await;
            assert!(items_at(&listed, #pointer).iter().any(|item| item[#key_field] == created[#key_field]), "the list finds the new item: {listed}");
        });
    }
    let writes = [ops.replace, ops.patch, ops.delete];
    if ops.get.is_some()
        && let Some(write) = writes.iter().flatten().next().map(|&i| api.operation(i))
    {
        let (parts, uri) = item_uri(write);
        let request = request_tokens(&parts, Some(uri));
        steps.push(quote! {
            exchange(&app, with_header(#request, "if-match", "\"stale\""), 412, "a write with a stale If-Match").await;
        });
    }
    for (label, op) in [("replace", ops.replace), ("patch", ops.patch)] {
        let Some(op) = op.map(|i| api.operation(i)) else {
            continue;
        };
        let (parts, uri) = item_uri(op);
        let request = request_tokens(&parts, Some(uri));
        let status = status_of(op);
        steps.push(quote! {
            let (_, updated) = exchange(&app, #request, #status, #label).await;
            assert_eq!(updated[#key_field], created[#key_field], "an update keeps the key");
        });
    }
    if let Some(delete) = ops.delete.map(|i| api.operation(i)) {
        let (parts, uri) = item_uri(delete);
        let request = request_tokens(&parts, Some(uri.clone()));
        let status = status_of(delete);
        steps.push(quote! {
            exchange(&app, #request, #status, "delete").await;
            exchange(&app, #request, 404, "deleting again finds nothing").await;
        });
        if let Some(get) = ops.get.map(|i| api.operation(i)) {
            let (parts, uri) = item_uri(get);
            let request = request_tokens(&parts, Some(uri));
            steps.push(quote! {
                exchange(&app, #request, 404, "a deleted item is gone").await;
            });
        }
    }
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let app = test_app(AUTH.clone()).await.expect("the app starts on a fresh database");
            #(#steps)*
        }
    })
}

/// Pages of a list hold at most `limit` items, and the total counts them all.
fn paging_test(api: &Api, resource: &Resource) -> Option<TokenStream> {
    let create = api.operation(resource.ops.create?);
    let list = resource.ops.list.as_ref()?;
    let limit = list.limit.as_ref()?;
    // Creating the same body three times works only when the server picks the keys.
    let create_body = create.body.as_ref()?.contents.first()?;
    let client_key = matches!(resource.key.kind, crate::ir::KeyKind::Text)
        || struct_has_field(api, &create_body.ty, &resource.key.field);
    if client_key {
        return None;
    }
    let list_op = api.operation(list.operation);
    let name = format_ident!(
        "{}_list_pages_by_{}",
        resource.table,
        crate::ir::snake_ident(limit).trim_start_matches("r#")
    );
    let doc = docs::doc(&format!(
        "`{}` pages by `{limit}`: three items, two per page.",
        resource.collection_path
    ));
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let setup = create_parents(api, &chain);
    let create_request = crud_request_expr(api, create, parents, false);
    let create_status = status_of(create);
    let mut parts = crud_request(api, list_op, parents, false);
    let separator = if parts.uri.contains('?') { '&' } else { '?' };
    parts.uri = format!("{}{separator}{}=2", parts.uri, encode_component(limit));
    let list_uri = uri_expr(&parts.uri, parents, false);
    let list_request = request_tokens(&parts, Some(list_uri));
    let pointer = items_pointer(resource);
    let total_check = match &list.shape {
        ListShape::Envelope {
            total: Some(total), ..
        } => Some(quote! {
            assert_eq!(listed[#total], serde_json::json!(3), "the total counts every item: {listed}");
        }),
        _ => None,
    };
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let app = test_app(AUTH.clone()).await.expect("the app starts on a fresh database");
            #setup
            for _ in 0..3 {
                exchange(&app, #create_request, #create_status, "create").await;
            }
            let (_, listed) = exchange(&app, #list_request, 200, "list").await;
            assert_eq!(items_at(&listed, #pointer).len(), 2, "one page holds `limit` items: {listed}");
            #total_check
        }
    })
}

fn struct_has_field(api: &Api, ty: &crate::ir::Ty, field: &str) -> bool {
    let crate::ir::TyKind::Named(id) = ty.kind else {
        return false;
    };
    match &api.ty(id).kind {
        crate::ir::NamedKind::Struct(s) => s.fields.iter().any(|f| f.wire_name == field),
        crate::ir::NamedKind::Alias(target) => struct_has_field(api, target, field),
        _ => false,
    }
}
