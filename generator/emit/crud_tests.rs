//! Round-trip tests of each resource through the real app and an in-memory database:
//! create → get → list finds it → replace / patch → delete → get is 404, plus conditional
//! requests (`ETag`, `If-None-Match` → 304, a stale `If-Match` → 412) and paging.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::contract_tests::{
    RequestParts, Who, request_tokens, request_tokens_with_body, valid_request,
};
use super::docs;
use super::samples::{Direction, Sampler};
use super::wire::{encode_component, encode_path_param, encode_query_param};
use crate::ir::{
    Api, ColumnKind, FillKind, ItemOwner, ListShape, NamedKind, OnDelete, Operation, ParamLocation,
    Resource, Ty, TyKind, normalized_template,
};

/// The tests of every resource that can be created and read back.
pub fn crud_tests(api: &Api) -> TokenStream {
    let tests = api.resources.iter().filter_map(|r| resource_test(api, r));
    let paging = api.resources.iter().filter_map(|r| paging_test(api, r));
    let unique = api.resources.iter().filter_map(|r| unique_test(api, r));
    let parent_delete = api
        .resources
        .iter()
        .filter_map(|r| parent_delete_test(api, r));
    let references = api.resources.iter().flat_map(|r| reference_tests(api, r));
    let selects = api.resources.iter().filter_map(|r| select_test(api, r));
    let server_fields = api
        .resources
        .iter()
        .filter_map(|r| server_field_test(api, r));
    let ownership = api.resources.iter().filter_map(|r| ownership_test(api, r));
    let signed_in = api
        .resources
        .iter()
        .filter_map(|r| signed_in_creator_test(api, r));
    quote! {
        #(#ownership)*
        #(#signed_in)*
        #(#tests)*
        #(#paging)*
        #(#unique)*
        #(#parent_delete)*
        #(#references)*
        #(#selects)*
        #(#server_fields)*
    }
}

/// A request for a resource operation: the enclosing items' keys are the `{parent0}`,
/// `{parent1}`... placeholders (the test creates those items first), the item's key is the
/// `{key}` placeholder, and only required query parameters are sent.
fn crud_request(api: &Api, op: &Operation, parents: usize, item: bool) -> RequestParts {
    let mut parts = valid_request(api, op, None);
    if resource_of(api, op).is_some_and(|resource| created_unowned(api, resource)) {
        parts.who = Who::Admin;
    }
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
/// (and, first, the items their create requests refer to); `None` when one cannot be made.
fn create_parents(api: &Api, chain: &[&Resource], names: &mut RefNames) -> Option<TokenStream> {
    let mut steps = Vec::new();
    for (index, parent) in chain.iter().enumerate() {
        let create = api.operation(parent.ops.create?);
        let (setup, request) = create_request(api, parent, create, index, names)?;
        let status = status_of(create);
        let variable = format_ident!("parent{}", index);
        let key_field = &parent.key.field;
        let label = format!("create the enclosing {}", parent.singular);
        steps.push(quote! {
            #setup
            let (_, created) = exchange(&app, #request, #status, #label).await;
            let #variable = key_of(&created, #key_field);
        });
    }
    Some(quote!(#(#steps)*))
}

/// Names for the keys of referred items within one test: `ref0`, `ref1`..., and which
/// resource each is an item of: one item of a resource serves every reference to it (two
/// made from the same sample would collide on its unique fields).
#[derive(Default)]
struct RefNames {
    next: usize,
    made: Vec<(crate::ir::ResourceId, proc_macro2::Ident)>,
}

impl RefNames {
    fn next(&mut self) -> proc_macro2::Ident {
        let name = format_ident!("ref{}", self.next);
        self.next += 1;
        name
    }
}

/// What a create body's references become: a field set to the key of an item the test
/// creates first, or left out when it is optional and no such item can be made.
enum Reference {
    Key {
        field: String,
        variable: proc_macro2::Ident,
        integer: bool,
    },
    Omit(String),
}

/// The statements that create the items a create body refers to (`x-specgen-references`),
/// and what to put in the body; `None` when a required reference cannot be satisfied (a
/// referred resource that is nested, cannot be created, or refers back too deep).
fn references_for(
    api: &Api,
    resource: &Resource,
    create: &Operation,
    body: &serde_json::Value,
    names: &mut RefNames,
    depth: usize,
) -> Option<(TokenStream, Vec<Reference>)> {
    let mut setup = Vec::new();
    let mut references = Vec::new();
    let body_ty = create
        .body
        .as_ref()
        .and_then(|b| b.contents.first())
        .map(|c| &c.ty);
    for column in &resource.columns {
        let Some(target) = column.references.map(|id| api.resource(id)) else {
            continue;
        };
        if body
            .get(&column.field)
            .is_none_or(serde_json::Value::is_null)
        {
            continue;
        }
        let required = body_ty.is_some_and(|ty| body_field_required(api, ty, &column.field));
        let target_id = column.references?;
        if let Some((_, variable)) = names.made.iter().find(|(id, _)| *id == target_id) {
            references.push(Reference::Key {
                field: column.field.clone(),
                variable: variable.clone(),
                integer: target.key.kind == crate::ir::KeyKind::Integer,
            });
            continue;
        }
        let made = (depth < 3 && target.parents.is_empty())
            .then(|| target.ops.create.map(|id| api.operation(id)))
            .flatten()
            .and_then(|target_create| {
                let (inner, request) =
                    create_request_at(api, target, target_create, 0, names, depth + 1)?;
                Some((inner, request, status_of(target_create)))
            });
        match made {
            Some((inner, request, status)) => {
                let variable = names.next();
                names.made.push((target_id, variable.clone()));
                let key_field = &target.key.field;
                let label = format!("create the {} it refers to", target.singular);
                setup.push(quote! {
                    #inner
                    let (_, created) = exchange(&app, #request, #status, #label).await;
                    let #variable = key_of(&created, #key_field);
                });
                references.push(Reference::Key {
                    field: column.field.clone(),
                    variable,
                    integer: target.key.kind == crate::ir::KeyKind::Integer,
                });
            }
            None if !required => references.push(Reference::Omit(column.field.clone())),
            None => return None,
        }
    }
    Some((quote!(#(#setup)*), references))
}

/// A create request whose references hold the keys of items created first: the setup
/// statements and the request expression.
fn create_request(
    api: &Api,
    resource: &Resource,
    create: &Operation,
    parents: usize,
    names: &mut RefNames,
) -> Option<(TokenStream, TokenStream)> {
    create_request_at(api, resource, create, parents, names, 0)
}

/// [`create_request`] for an item `depth` references away from the test's own.
fn create_request_at(
    api: &Api,
    resource: &Resource,
    create: &Operation,
    parents: usize,
    names: &mut RefNames,
    depth: usize,
) -> Option<(TokenStream, TokenStream)> {
    let parts = crud_request(api, create, parents, false);
    let body = json_body(&parts).unwrap_or_default();
    let (setup, references) = references_for(api, resource, create, &body, names, depth)?;
    let uri = uri_expr(&parts.uri, parents, false);
    Some((setup, with_references(&parts, uri, &references)))
}

/// The request expression for `parts` with its body's references filled in at test time.
fn with_references(
    parts: &RequestParts,
    uri: TokenStream,
    references: &[Reference],
) -> TokenStream {
    let Some(mut body) = json_body(parts).filter(|_| !references.is_empty()) else {
        return request_tokens(parts, Some(uri));
    };
    let mut replacements = Vec::new();
    for reference in references {
        match reference {
            Reference::Omit(field) => {
                if let Some(object) = body.as_object_mut() {
                    object.remove(field);
                }
            }
            Reference::Key {
                field,
                variable,
                integer,
            } => {
                let placeholder = format!("<<{variable}>>");
                body[field] = serde_json::Value::from(placeholder.clone());
                let quoted = format!("\"{placeholder}\"");
                replacements.push(if *integer {
                    quote!(.replace(#quoted, &#variable))
                } else {
                    quote!(.replace(#placeholder, &#variable))
                });
            }
        }
    }
    let text = body.to_string();
    let request = request_tokens_with_body(parts, Some(uri), Some(quote!(body.as_bytes())));
    quote!({
        let body = #text.to_owned() #(#replacements)*;
        #request
    })
}

/// Whether a request body's struct requires a field.
fn body_field_required(api: &Api, ty: &Ty, field: &str) -> bool {
    match &ty.kind {
        TyKind::Named(id) => match &api.ty(*id).kind {
            NamedKind::Struct(s) => s.fields.iter().any(|f| f.wire_name == field && f.required),
            NamedKind::Alias(target) => body_field_required(api, target, field),
            _ => false,
        },
        _ => false,
    }
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
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let (setup_references, create_request) =
        create_request(api, resource, create, parents, &mut names)?;
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
        setup_parents,
        setup_references,
        quote! {
            let (_, created) = exchange(&app, #create_request, #create_status, "create").await;
            #bind_key
        },
    ];
    // An enclosing item's key kept in one of the item's fields is the path's.
    for (index, parent) in resource.parents.iter().enumerate() {
        if let Some(field) = &parent.field {
            let variable = format_ident!("parent{}", index);
            steps.push(quote! {
                assert_eq!(key_of(&created, #field), #variable, "the item holds the key of the item it is nested in");
            });
        }
    }
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
        let (setup, references) = references_for(
            api,
            resource,
            write,
            &json_body(&parts).unwrap_or_default(),
            &mut names,
            0,
        )?;
        let request = with_references(&parts, uri, &references);
        steps.push(quote! {
            #setup
            exchange(&app, with_header(#request, "if-match", "\"stale\""), 412, "a write with a stale If-Match").await;
        });
    }
    for (label, op) in [("replace", ops.replace), ("patch", ops.patch)] {
        let Some(op) = op.map(|i| api.operation(i)) else {
            continue;
        };
        let (parts, uri) = item_uri(op);
        let (setup, references) = references_for(
            api,
            resource,
            op,
            &json_body(&parts).unwrap_or_default(),
            &mut names,
            0,
        )?;
        let request = with_references(&parts, uri, &references);
        let status = status_of(op);
        steps.push(quote! {
            #setup
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
    // Unsorted, a list is in creation order: unless the sort parameter has a default.
    let sorted_by_default = list.sort.as_ref().is_some_and(|sort| {
        list_op_params(api, list.operation).any(|p| &p.wire_name == sort && p.ty.default.is_some())
    });
    let doc = docs::doc(&format!(
        "`{}` pages by `{limit}`: three items, two per page{}.",
        resource.collection_path,
        if sorted_by_default {
            ""
        } else {
            ", the first two created first"
        }
    ));
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let bodies = distinct_bodies(api, resource, create, parents, 3)?;
    let (setup_references, references) = references_for(
        api,
        resource,
        create,
        &json_body(&bodies[0]).unwrap_or_default(),
        &mut names,
        0,
    )?;
    let setup = quote!(#setup_parents #setup_references);
    let create_requests: Vec<TokenStream> = bodies
        .iter()
        .map(|parts| {
            let uri = uri_expr(&parts.uri, parents, false);
            with_references(parts, uri, &references)
        })
        .collect();
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
    let key_field = &resource.key.field;
    let order_check = (!sorted_by_default).then(|| {
        quote! {
            let first_two: Vec<&serde_json::Value> = created[..2].iter().map(|item| &item[#key_field]).collect();
            let page: Vec<&serde_json::Value> = items_at(&listed, #pointer).iter().map(|item| &item[#key_field]).collect();
            assert_eq!(page, first_two, "an unsorted list is in creation order: {listed}");
        }
    });
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let app = test_app(AUTH.clone()).await.expect("the app starts on a fresh database");
            #setup
            let mut created = Vec::new();
            #(created.push(exchange(&app, #create_requests, #create_status, "create").await.1);)*
            let (_, listed) = exchange(&app, #list_request, 200, "list").await;
            assert_eq!(items_at(&listed, #pointer).len(), 2, "one page holds `limit` items: {listed}");
            #total_check
            #order_check
        }
    })
}

/// The query parameters of an operation.
fn list_op_params(
    api: &Api,
    operation: crate::ir::OperationId,
) -> impl Iterator<Item = &crate::ir::Param> {
    api.operation(operation)
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query)
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

/// The wire names of the item's unique fields that the create body sets.
fn unique_fields_in(resource: &Resource, body: &serde_json::Value) -> Vec<String> {
    resource
        .columns
        .iter()
        .filter(|c| c.unique && body.get(&c.field).is_some_and(|v| !v.is_null()))
        .map(|c| c.field.clone())
        .collect()
}

/// The create request's JSON body, when it has one.
fn json_body(parts: &RequestParts) -> Option<serde_json::Value> {
    parts
        .body
        .as_ref()
        .and_then(|(_, bytes)| serde_json::from_slice(bytes).ok())
}

/// `count` create requests whose unique fields all differ (the first is the sample), or
/// `None` when a unique field has no other value that its schema accepts.
fn distinct_bodies(
    api: &Api,
    resource: &Resource,
    create: &Operation,
    parents: usize,
    count: usize,
) -> Option<Vec<RequestParts>> {
    let first = crud_request(api, create, parents, false);
    let Some(body) = json_body(&first) else {
        return Some(vec![first; count]);
    };
    let unique = unique_fields_in(resource, &body);
    if unique.is_empty() {
        return Some(vec![first; count]);
    }
    let body_ty = &create.body.as_ref()?.contents.first()?.ty;
    let sampler = Sampler::new(api, Direction::Request);
    let mut requests = vec![first.clone()];
    // The values each unique field has taken so far.
    let mut taken: Vec<Vec<serde_json::Value>> = unique
        .iter()
        .map(|field| vec![body[field].clone()])
        .collect();
    for index in 1..count {
        let mut varied = body.clone();
        for (field, taken) in unique.iter().zip(&mut taken) {
            let ty = body_field_ty(api, body_ty, field)?;
            let value = variants(&body[field], index)
                .into_iter()
                .find(|v| !taken.contains(v) && sampler.fits(ty, v, 0))?;
            taken.push(value.clone());
            varied[field] = value;
        }
        let mut parts = first.clone();
        if let Some((content_type, _)) = &first.body {
            parts.body = Some((content_type.clone(), varied.to_string().into_bytes()));
        }
        requests.push(parts);
    }
    Some(requests)
}

/// Other values like `value`, the `index`th of a series: `ada1@example.com` for
/// `ada@example.com`, `ada_l1`, `1ada_l`, `ada_1`... each to be checked against the schema.
fn variants(value: &serde_json::Value, index: usize) -> Vec<serde_json::Value> {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            let mut out = Vec::new();
            if let Some((local, domain)) = text.split_once('@') {
                out.push(format!("{local}{index}@{domain}"));
            }
            out.push(format!("{text}{index}"));
            let mut chars: Vec<char> = text.chars().collect();
            if let Some(last) = chars.last_mut() {
                *last = char::from_digit((index % 10) as u32, 10).unwrap_or('1');
                out.push(chars.iter().collect());
            }
            out.push(format!("{index}{text}"));
            out.push(format!("{}{index}", "x".repeat(text.len().clamp(1, 3))));
            out.into_iter().map(Value::from).collect()
        }
        Value::Number(number) => number
            .as_i64()
            .map(|n| vec![Value::from(n + index as i64), Value::from(n - index as i64)])
            .or_else(|| number.as_f64().map(|f| vec![Value::from(f + index as f64)]))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The type of a field of a request body's struct.
fn body_field_ty<'a>(api: &'a Api, ty: &'a Ty, field: &str) -> Option<&'a Ty> {
    match &ty.kind {
        TyKind::Named(id) => match &api.ty(*id).kind {
            NamedKind::Struct(s) => s
                .fields
                .iter()
                .find(|f| f.wire_name == field)
                .map(|f| &f.ty),
            NamedKind::Alias(target) => body_field_ty(api, target, field),
            _ => None,
        },
        _ => None,
    }
}

/// Creating an item whose unique field repeats a stored one is a 409 naming the field.
fn unique_test(api: &Api, resource: &Resource) -> Option<TokenStream> {
    let create = api.operation(resource.ops.create?);
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let parts = crud_request(api, create, parents, false);
    let unique = unique_fields_in(resource, &json_body(&parts)?);
    if unique.is_empty() {
        return None;
    }
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let (setup_references, request) = create_request(api, resource, create, parents, &mut names)?;
    let name = format_ident!("{}_refuse_a_repeated_unique_field", resource.table);
    let doc = docs::doc(&format!(
        "`{}`: a second item with the same {} is a 409 conflict that names the field.",
        resource.collection_path,
        unique
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    ));
    let setup = quote!(#setup_parents #setup_references);
    let again = request.clone();
    let status = status_of(create);
    let names = unique.iter().map(|f| format!("`{f}`"));
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let app = test_app(AUTH.clone()).await.expect("the app starts on a fresh database");
            #setup
            exchange(&app, #request, #status, "create").await;
            let (_, problem) = exchange(&app, #again, 409, "create the same item again").await;
            let detail = problem["detail"].as_str().unwrap_or_default();
            assert!([#(#names),*].iter().any(|field| detail.contains(field)), "the conflict names the field: {problem}");
        }
    })
}

/// Deleting the item a nested one belongs to deletes it too (`on_delete: cascade`) or is
/// refused with 409 while it exists (`restrict`); the test counts the rows left.
fn parent_delete_test(api: &Api, resource: &Resource) -> Option<TokenStream> {
    resource.parent_link()?;
    let create = api.operation(resource.ops.create?);
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let parent = *chain.last()?;
    let delete = api.operation(parent.ops.delete?);
    let name = format_ident!(
        "deleting_a_{}_{}",
        parent.singular,
        match resource.on_delete {
            OnDelete::Cascade => format!("deletes_its_{}", resource.table),
            OnDelete::Restrict => format!("is_refused_while_it_has_{}", resource.table),
        }
    );
    let doc = docs::doc(&format!(
        "`{}`: deleting the enclosing {} {}.",
        resource.collection_path,
        parent.singular,
        match resource.on_delete {
            OnDelete::Cascade => "deletes its items too (ON DELETE CASCADE)",
            OnDelete::Restrict => "is refused with 409 while it has items (ON DELETE RESTRICT)",
        }
    ));
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let (setup_references, create_request) =
        create_request(api, resource, create, parents, &mut names)?;
    let setup = quote!(#setup_parents #setup_references);
    let create_status = status_of(create);
    // The enclosing item's delete, its key the innermost parent's.
    let delete_parts = crud_request(api, delete, parents - 1, true);
    let delete_uri = uri_expr(&delete_parts.uri, parents - 1, true);
    let delete_request = request_tokens(&delete_parts, Some(delete_uri));
    let key = format_ident!("parent{}", parents - 1);
    let count_sql = format!(
        "SELECT COUNT(*) FROM {}",
        super::migrations::quote_sql(&resource.table)
    );
    let (status, left) = match resource.on_delete {
        OnDelete::Cascade => (status_of(delete), 0i64),
        OnDelete::Restrict => (409, 1i64),
    };
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let (app, db) = test_app_and_database(&Settings::for_tests(), AUTH.clone()).await.expect("the app starts on a fresh database");
            #setup
            exchange(&app, #create_request, #create_status, "create").await;
            let key = #key.clone();
            exchange(&app, #delete_request, #status, "delete the enclosing item").await;
            let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(#count_sql)).fetch_one(db.pool()).await.expect("counted");
            assert_eq!(left, #left, "items left after deleting the item they belong to");
        }
    })
}

/// For each field that refers to another resource (`x-specgen-references`): a create
/// naming no item is a 409 pointing at the field, and deleting a referred item is refused
/// with 409 (or, when the field may be null, clears it).
fn reference_tests(api: &Api, resource: &Resource) -> Vec<TokenStream> {
    let mut tests = Vec::new();
    for column in resource.columns.iter().filter(|c| c.references.is_some()) {
        tests.extend(dangling_reference_test(api, resource, column));
        tests.extend(referred_delete_test(api, resource, column));
    }
    tests
}

fn dangling_reference_test(
    api: &Api,
    resource: &Resource,
    column: &crate::ir::Column,
) -> Option<TokenStream> {
    let create = api.operation(resource.ops.create?);
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let parts = crud_request(api, create, parents, false);
    let body = json_body(&parts)?;
    body.get(&column.field).filter(|v| !v.is_null())?;
    // Every other reference is met; this one keeps the sample, which names no item in a
    // fresh database.
    let mut others = body.clone();
    if let Some(object) = others.as_object_mut() {
        object.remove(&column.field);
    }
    let (setup_references, references) =
        references_for(api, resource, create, &others, &mut names, 0)?;
    let uri = uri_expr(&parts.uri, parents, false);
    let request = with_references(&parts, uri, &references);
    let target = api.resource(column.references?);
    let name = format_ident!(
        "{}_refuse_a_{}_that_names_no_{}",
        resource.table,
        crate::ir::snake_ident(&column.field).trim_start_matches("r#"),
        target.singular
    );
    let doc = docs::doc(&format!(
        "`{}`: a `{}` that names no item of `{}` is a 409 pointing at the field.",
        resource.collection_path, column.field, target.table
    ));
    let pointer = format!("/body/{}", column.field);
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let app = test_app(AUTH.clone()).await.expect("the app starts on a fresh database");
            #setup_parents
            #setup_references
            let (_, problem) = exchange(&app, #request, 409, "create with a dangling reference").await;
            assert_eq!(problem["errors"][0]["pointer"], #pointer, "the problem points at the field: {problem}");
        }
    })
}

fn referred_delete_test(
    api: &Api,
    resource: &Resource,
    column: &crate::ir::Column,
) -> Option<TokenStream> {
    let create = api.operation(resource.ops.create?);
    let target = api.resource(column.references?);
    let delete = api.operation(target.ops.delete?);
    if !target.parents.is_empty() {
        return None;
    }
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let (setup_references, create_request) =
        create_request(api, resource, create, parents, &mut names)?;
    let variable = names
        .made
        .iter()
        .find(|(id, _)| Some(*id) == column.references)
        .map(|(_, variable)| variable.clone())?;
    let delete_parts = crud_request(api, delete, 0, true);
    let delete_uri = uri_expr(&delete_parts.uri, 0, true);
    let delete_request = request_tokens(&delete_parts, Some(delete_uri));
    let field = &column.field;
    let key_field = &resource.key.field;
    let created_status = status_of(create);
    let (name, doc, check) = if column.not_null {
        (
            format_ident!(
                "deleting_a_{}_{}_refer_to_is_refused",
                target.singular,
                resource.table
            ),
            format!(
                "`{}`: a `{}` that `{}` refer to (`{field}`) cannot be deleted: 409.",
                target.collection_path, target.singular, resource.table
            ),
            quote! {
                exchange(&app, #delete_request, 409, "delete an item others refer to").await;
            },
        )
    } else {
        let status = status_of(delete);
        let reread = resource.ops.get.map(|id| api.operation(id)).map(|get| {
            let parts = crud_request(api, get, parents, true);
            let uri = uri_expr(&parts.uri, parents, true);
            let request = request_tokens(&parts, Some(uri));
            quote! {
                let key = key_of(&item, #key_field);
                let (_, item) = exchange(&app, #request, 200, "read the referring item").await;
                assert!(item[#field].is_null(), "the reference is cleared: {item}");
            }
        });
        (
            format_ident!(
                "deleting_a_{}_clears_the_{}_that_refer_to_it",
                target.singular,
                resource.table
            ),
            format!(
                "`{}`: deleting a `{}` clears `{field}` in the `{}` that refer to it.",
                target.collection_path, target.singular, resource.table
            ),
            quote! {
                exchange(&app, #delete_request, #status, "delete an item others refer to").await;
                #reread
            },
        )
    };
    let doc = docs::doc(&doc);
    let bind_item = if column.not_null {
        quote!()
    } else {
        quote!(let (_, item) =)
    };
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let app = test_app(AUTH.clone()).await.expect("the app starts on a fresh database");
            #setup_parents
            #setup_references
            #bind_item exchange(&app, #create_request, #created_status, "create an item that refers to another").await;
            let key = #variable.clone();
            #check
        }
    })
}

/// A custom read through the resource's field enum finds the item just created by its key,
/// and a key no item has finds nothing: the typed query API on this database.
fn select_test(api: &Api, resource: &Resource) -> Option<TokenStream> {
    let create = api.operation(resource.ops.create?);
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let (setup_references, create_request) =
        create_request(api, resource, create, parents, &mut names)?;
    let create_status = status_of(create);
    let name = format_ident!("{}_are_found_by_a_custom_read", resource.table);
    let doc = docs::doc(&format!(
        "`{}`: `Database::select` with `{}` finds the new item by its key.",
        resource.collection_path, resource.field_enum
    ));
    let table = format_ident!("{}", resource.table_static);
    let field_enum = format_ident!("{}", resource.field_enum);
    let key_variant = format_ident!("{}", resource.key.variant);
    let key_field = &resource.key.field;
    let scope_keys = (0..parents).map(|index| {
        let variable = format_ident!("parent{}", index);
        quote!(Key::from(#variable.clone()))
    });
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let (app, db) = test_app_and_database(&Settings::for_tests(), AUTH.clone()).await.expect("the app starts on a fresh database");
            #setup_parents
            #setup_references
            let (_, created) = exchange(&app, #create_request, #create_status, "create").await;
            let scope = Scope::of([#(#scope_keys),*]);
            let key = resources::#field_enum::#key_variant;
            let found: Vec<serde_json::Map<String, serde_json::Value>> = db
                .select(&resources::#table, &scope, &Select::new().filter(key.equals(&created[#key_field])))
                .await
                .expect("selected");
            assert_eq!(found.len(), 1, "one item has the key: {found:?}");
            assert_eq!(found[0][#key_field], created[#key_field]);
            let none = db
                .count(&resources::#table, &scope, &Select::new().filter(key.one_of(Vec::<serde_json::Value>::new())))
                .await
                .expect("counted");
            assert_eq!(none, 0, "no key, no item");
        }
    })
}

/// A field only the server sets (`readOnly`) that server code can set to a value the spec
/// allows and a client reads back as written: a stored column that is not the key, a parent
/// key or a time the store moves itself (`updated_at`), nor a date, time or JSON value
/// whose text a client may read back in another layout. Scalars first.
fn server_set_field<'a>(
    api: &'a Api,
    resource: &'a Resource,
) -> Option<(&'a crate::ir::Column, serde_json::Value)> {
    let NamedKind::Struct(item) = &api.ty(resource.item).kind else {
        return None;
    };
    let touched = |field: &str| {
        resource
            .fills
            .iter()
            .any(|fill| fill.field == field && fill.kind == FillKind::Touched)
    };
    let parent_field = |field: &str| {
        resource
            .parents
            .iter()
            .any(|p| p.field.as_deref() == Some(field))
    };
    let sampler = Sampler::new(api, Direction::Response);
    resource
        .columns
        .iter()
        .filter(|c| resource.read_only.contains(&c.field))
        .filter(|c| !touched(&c.field) && !parent_field(&c.field) && c.references.is_none())
        .filter(|c| {
            !matches!(
                c.kind,
                ColumnKind::Timestamp | ColumnKind::Date | ColumnKind::Json
            )
        })
        .find_map(|c| {
            let field = item.fields.iter().find(|f| f.wire_name == c.field)?;
            let value = sampler.value(&field.ty);
            (!value.is_null()).then_some((c, value))
        })
}

/// Server code sets a field a client cannot (`Database::update`, as a service's `update`
/// does), the store keeps it, and a client reads it back; a client's replace leaves it be.
fn server_field_test(api: &Api, resource: &Resource) -> Option<TokenStream> {
    let create = api.operation(resource.ops.create?);
    let get = api.operation(resource.ops.get?);
    let (column, value) = server_set_field(api, resource)?;
    let field = column.field.as_str();
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let (setup_references, create_request) =
        create_request(api, resource, create, parents, &mut names)?;
    let create_status = status_of(create);
    // The field's enum variant is an identifier already (`TotalCents`).
    let name = format_ident!(
        "{}_keep_what_server_code_sets_in_{}",
        resource.table,
        heck::ToSnakeCase::to_snake_case(column.variant.as_str())
    );
    let doc = docs::doc(&format!(
        "`{}`: `{field}` is `readOnly`: a client cannot set it, server code can \
         (`update`), and the stored value is what a client reads.",
        resource.collection_path
    ));
    let table = format_ident!("{}", resource.table_static);
    let key_field = &resource.key.field;
    let literal = value.to_string();
    let scope_keys = (0..parents).map(|index| {
        let variable = format_ident!("parent{}", index);
        quote!(Key::from(#variable.clone()))
    });
    let item_request = |op: &Operation| {
        let parts = crud_request(api, op, parents, true);
        let uri = uri_expr(&parts.uri, parents, true);
        (parts, uri)
    };
    let (parts, uri) = item_request(get);
    let get_request = request_tokens(&parts, Some(uri));
    let replace = match resource.ops.replace.map(|i| api.operation(i)) {
        Some(op) => {
            let (parts, uri) = item_request(op);
            let (setup, references) = references_for(
                api,
                resource,
                op,
                &json_body(&parts).unwrap_or_default(),
                &mut names,
                0,
            )?;
            let request = with_references(&parts, uri, &references);
            let status = status_of(op);
            quote! {
                #setup
                let (_, replaced) = exchange(&app, #request, #status, "replace").await;
                assert_eq!(replaced[#field], set, "a client's replace keeps what the server set");
            }
        }
        None => quote!(),
    };
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let (app, db) = test_app_and_database(&Settings::for_tests(), AUTH.clone()).await.expect("the app starts on a fresh database");
            #setup_parents
            #setup_references
            let (_, created) = exchange(&app, #create_request, #create_status, "create").await;
            let key = key_of(&created, #key_field);
            let scope = Scope::of([#(#scope_keys),*]);
            let set: serde_json::Value = serde_json::from_str(#literal).expect("the spec's example");
            let updated: Option<serde_json::Map<String, serde_json::Value>> = db
                .update(&resources::#table, &scope, &Key::from(key.clone()), |item: &mut serde_json::Map<String, serde_json::Value>| {
                    item.insert(#field.to_owned(), set.clone());
                })
                .await
                .expect("server code's update is stored");
            assert_eq!(updated.expect("the item is there")[#field], set);
            let (_, fetched) = exchange(&app, #get_request, 200, "get").await;
            assert_eq!(fetched[#field], set, "a client reads what server code stored");
            #replace
        }
    })
}

/// The resource an operation serves, if any.
fn resource_of<'a>(api: &'a Api, op: &Operation) -> Option<&'a Resource> {
    api.resources
        .iter()
        .find(|r| r.ops.all().any(|id| std::ptr::eq(api.operation(id), op)))
}

/// Whether the resource's items, or the items enclosing them, belong to no caller when a
/// test creates them: they are owned, but created through a public operation. Only an
/// administrator manages such items, so the tests use one.
fn created_unowned(api: &Api, resource: &Resource) -> bool {
    let mut current = Some(resource);
    while let Some(resource) = current {
        let public_create = resource
            .ops
            .create
            .is_some_and(|id| api.operation(id).security.is_empty());
        if resource.owner != ItemOwner::Shared && public_create {
            return true;
        }
        current = resource.parent.map(|id| api.resource(id));
    }
    false
}

/// Another caller can neither read, list, change nor delete an item, and learns nothing
/// of it (404), while an administrator can: for each resource whose items (or whose
/// enclosing items) have owners, through its secured operations.
fn ownership_test(api: &Api, resource: &Resource) -> Option<TokenStream> {
    let owned = resource.owner != ItemOwner::Shared;
    let follows = !owned && resource.owned_ancestor(api).is_some();
    if !owned && !follows {
        return None;
    }
    let create = api.operation(resource.ops.create?);
    let ops = &resource.ops;
    let secured = |id: Option<crate::ir::OperationId>| {
        id.map(|id| api.operation(id))
            .filter(|op| !op.security.is_empty())
    };
    let (get, replace, patch, delete) = (
        secured(ops.get),
        secured(ops.replace),
        secured(ops.patch),
        secured(ops.delete),
    );
    let list = secured(ops.list.as_ref().map(|l| l.operation));
    if [get, list, replace, patch, delete]
        .iter()
        .all(Option::is_none)
    {
        return None;
    }
    let name = format_ident!(
        "{}_are_not_seen_or_changed_by_another_caller",
        resource.table
    );
    let owner = if let ItemOwner::Field { field, .. } = &resource.owner {
        &format!("an item belongs to the principal its `{field}` names")
    } else if created_unowned(api, resource) {
        "an item nobody owns (created through a public operation) is managed only by administrators"
    } else if follows {
        "an item under another caller's enclosing item"
    } else {
        "another caller's item"
    };
    let doc = docs::doc(&format!(
        "`{}`: {owner}: another caller gets 404 from every secured operation and does not \
         find it in a list, while an administrator reads and deletes it.",
        resource.collection_path
    ));
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let key_field = &resource.key.field;
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let (setup_references, create_request) =
        create_request(api, resource, create, parents, &mut names)?;
    let create_status = status_of(create);
    let mut steps = vec![setup_parents, setup_references];
    let addressed = [get, replace, patch, delete].iter().any(Option::is_some);
    steps.push(if addressed {
        quote! {
            let (_, created) = exchange(&app, #create_request, #create_status, "create").await;
            let key = key_of(&created, #key_field);
        }
    } else {
        quote! {
            let (_, created) = exchange(&app, #create_request, #create_status, "create").await;
        }
    });
    let as_who = |op: &Operation, who: Who, item: bool| {
        let mut parts = crud_request(api, op, parents, item);
        parts.who = who;
        let uri = uri_expr(&parts.uri, parents, item);
        (parts, uri)
    };
    if let Some(get) = get {
        let (parts, uri) = as_who(get, Who::Other, true);
        let request = request_tokens(&parts, Some(uri));
        steps.push(quote! {
            exchange(&app, #request, 404, "another caller reads it").await;
        });
    }
    if let Some(list) = list {
        let (parts, uri) = as_who(list, Who::Other, false);
        let request = request_tokens(&parts, Some(uri));
        let pointer = items_pointer(resource);
        steps.push(if follows {
            quote! {
                exchange(&app, #request, 404, "another caller lists the items under an enclosing item that is not theirs").await;
            }
        } else {
            quote! {
                let (_, listed) = exchange(&app, #request, 200, "another caller lists").await;
                assert!(
                    !items_at(&listed, #pointer).iter().any(|item| item[#key_field] == created[#key_field]),
                    "another caller's list leaves the item out: {listed}"
                );
            }
        });
    }
    for (label, op) in [("replaces", replace), ("patches", patch)] {
        let Some(op) = op else { continue };
        let (parts, uri) = as_who(op, Who::Other, true);
        let (setup, references) = references_for(
            api,
            resource,
            op,
            &json_body(&parts).unwrap_or_default(),
            &mut names,
            0,
        )?;
        let request = with_references(&parts, uri, &references);
        let what = format!("another caller {label} it");
        steps.push(quote! {
            #setup
            exchange(&app, #request, 404, #what).await;
        });
    }
    if let Some(delete) = delete {
        let (parts, uri) = as_who(delete, Who::Other, true);
        let request = request_tokens(&parts, Some(uri));
        steps.push(quote! {
            exchange(&app, #request, 404, "another caller deletes it").await;
        });
    }
    if let Some(get) = get {
        let (parts, uri) = as_who(get, Who::Admin, true);
        let request = request_tokens(&parts, Some(uri));
        steps.push(quote! {
            let (_, fetched) = exchange(&app, #request, 200, "an administrator reads it").await;
            assert_eq!(fetched[#key_field], created[#key_field]);
        });
    }
    if let Some(delete) = delete {
        let (parts, uri) = as_who(delete, Who::Admin, true);
        let request = request_tokens(&parts, Some(uri));
        let status = status_of(delete);
        steps.push(quote! {
            exchange(&app, #request, #status, "an administrator deletes it").await;
        });
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

/// A public create of owned items records a caller who sends credentials as the owner:
/// the item is then theirs to manage through the secured operations.
fn signed_in_creator_test(api: &Api, resource: &Resource) -> Option<TokenStream> {
    let create = api.operation(resource.ops.create?);
    if !api.identifies_caller(create) {
        return None;
    }
    let ops = &resource.ops;
    let managed = [ops.patch, ops.replace, ops.get, ops.delete]
        .into_iter()
        .flatten()
        .map(|id| api.operation(id))
        .find(|op| !op.security.is_empty())?;
    let chain = parent_chain(api, resource)?;
    let parents = chain.len();
    let mut names = RefNames::default();
    let setup_parents = create_parents(api, &chain, &mut names)?;
    let mut parts = crud_request(api, create, parents, false);
    // The credentials of the operation that manages the item, sent to the public create.
    parts.credentials = crud_request(api, managed, parents, true).credentials;
    parts.who = Who::Tester;
    let body = json_body(&parts).unwrap_or_default();
    let (setup_references, references) =
        references_for(api, resource, create, &body, &mut names, 0)?;
    let create_request = with_references(&parts, uri_expr(&parts.uri, parents, false), &references);
    let mut managed_parts = crud_request(api, managed, parents, true);
    managed_parts.who = Who::Tester;
    let (setup_managed, managed_references) = references_for(
        api,
        resource,
        managed,
        &json_body(&managed_parts).unwrap_or_default(),
        &mut names,
        0,
    )?;
    let managed_request = with_references(
        &managed_parts,
        uri_expr(&managed_parts.uri, parents, true),
        &managed_references,
    );
    let (create_status, managed_status) = (status_of(create), status_of(managed));
    let key_field = &resource.key.field;
    let name = format_ident!(
        "{}_created_by_a_signed_in_caller_are_theirs",
        resource.table
    );
    let doc = docs::doc(&format!(
        "`{}`: the create is public, but a caller who sends credentials owns what they \
         create, and `{}` (secured) serves them the item.",
        resource.collection_path, managed.id
    ));
    let what = format!("the creator calls {}", managed.id);
    Some(quote! {
        #doc
        #[tokio::test]
        async fn #name() {
            let app = test_app(AUTH.clone()).await.expect("the app starts on a fresh database");
            #setup_parents
            #setup_references
            let (_, created) = exchange(&app, #create_request, #create_status, "a signed-in create").await;
            let key = key_of(&created, #key_field);
            #setup_managed
            exchange(&app, #managed_request, #managed_status, #what).await;
        }
    })
}
