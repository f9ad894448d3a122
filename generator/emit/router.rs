//! `generated/src/router.rs` and `generated/src/api/mod.rs`: every route of the spec wired
//! to the handler traits, and the umbrella `Api` trait.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;

use crate::ir::{Api, Operation, ParamLocation, SecurityScheme, SecuritySchemeKind};

/// The axum route for a spec path. Both use `{name}` captures, so this only escapes what axum
/// would misread.
pub fn axum_path(path: &str) -> String {
    path.replace('*', "%2A")
}

pub fn router(api: &Api) -> TokenStream {
    // Routes grouped by path, in first-seen order; methods within a path in a fixed order.
    let mut order: Vec<&str> = Vec::new();
    let mut by_path: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in &api.operations {
        if !by_path.contains_key(op.route.as_str()) {
            order.push(op.route.as_str());
        }
        by_path.entry(op.route.as_str()).or_default().push(op);
    }
    let routes = order.iter().map(|path| {
        let mut ops = by_path[path].clone();
        ops.sort_by_key(|op| op.method);
        let mut chain = ops.iter().map(|op| {
            let method = format_ident!("{}", op.method.lower());
            let handler = format_ident!("{}", op.method_name);
            // Secured operations authenticate before their request is parsed.
            let handler = if api.identifies_caller(op) {
                // Public, but the item it creates records its creator when there is one.
                quote!(#handler::<A>.layer(middleware::from_fn_with_state((auth.clone(), IDENTIFY), auth::identify)))
            } else if op.security.is_empty() {
                quote!(#handler::<A>)
            } else {
                let requirements = security_const(op);
                quote!(#handler::<A>.layer(middleware::from_fn_with_state((auth.clone(), #requirements), auth::require)))
            };
            (method, handler)
        });
        let (first_method, first_handler) =
            chain.next().expect("a path has at least one operation");
        let rest = chain.map(|(method, handler)| quote!(.#method(#handler)));
        let route = axum_path(path);
        quote!((#route, routing::#first_method(#first_handler) #(#rest)*))
    });
    let route_count = proc_macro2::Literal::usize_unsuffixed(order.len());
    let handlers = api.operations.iter().map(|op| {
        let group = api.group(op.group);
        let module = format_ident!("{}", group.module);
        let trait_name = format_ident!("{}", group.trait_name);
        let method = format_ident!("{}", op.method_name);
        let request = format_ident!("{}Request", op.type_prefix);
        let response = format_ident!("{}Response", op.type_prefix);
        let deprecated = op.deprecated.then(|| quote!(#[allow(deprecated)]));
        let operation = format_ident!("{}", op.type_prefix);
        quote! {
            #deprecated
            async fn #method<A: api::#trait_name + api::Authorize>(
                State(api): State<Arc<A>>,
                context: RequestContext,
                request: api::#module::#request,
            ) -> Result<api::#module::#response, Problem> {
                api.authorize(&context, api::OperationId::#operation).await?;
                api.#method(context, request).await
            }
        }
    });
    let (scheme_consts, security_consts, needs) = security_items(api);
    quote! {
        //! The HTTP surface of the API: one route per path of the spec, each method wired to
        //! its handler trait method. Requests are parsed before a handler runs; anything that
        //! does not fit the spec is answered with problem+json.
        // What is used depends on the spec (an API may have no operations at all).
        #![allow(unused_imports)]

        use std::sync::Arc;

        use axum::Router;
        use axum::extract::State;
        use axum::routing;

        use super::api::{self, Api};
        use super::runtime::{self, Problem, RequestContext};
        use super::runtime::auth::{self, AuthConfig, Needs, Requirement, Scheme};
        use super::runtime::Location;
        use axum::handler::Handler;
        use axum::middleware;

        /// The kinds of credential this API accepts, for [`AuthConfig::from_env`].
        pub const AUTH_NEEDS: Needs = #needs;

        #(#scheme_consts)*

        #(#security_consts)*

        /// A router serving every operation of the spec with `api`; secured operations check
        /// credentials against `auth` first (401/403 problem+json when they fail).
        pub fn router<A: Api>(api: Arc<A>, auth: Arc<AuthConfig>) -> Router {
            let _ = &auth;
            // A table rather than one `.route()` chain: a chain of a thousand calls is slow
            // to format and to type-check, a flat table is not.
            let routes: [(&str, routing::MethodRouter<Arc<A>>); #route_count] = [#(#routes),*];
            routes
                .into_iter()
                .fold(Router::new(), |router, (path, methods)| router.route(path, methods))
                .fallback(runtime::not_found)
                .method_not_allowed_fallback(runtime::method_not_allowed)
                .with_state(api)
        }

        #(#handlers)*
    }
}

/// `SECURITY_CREATE_PET`: the name of an operation's requirements const.
fn security_const(op: &Operation) -> syn::Ident {
    format_ident!("SECURITY_{}", op.method_name.to_uppercase())
}

/// `SCHEME_BEARER_AUTH`: the name of a security scheme's const.
fn scheme_const(name: &str) -> syn::Ident {
    format_ident!(
        "SCHEME_{}",
        crate::ir::snake_ident(name)
            .trim_end_matches('_')
            .to_uppercase()
    )
}

/// The runtime `Scheme` for a spec scheme.
fn scheme_value(scheme: &SecurityScheme) -> TokenStream {
    let name = &scheme.name;
    match &scheme.kind {
        SecuritySchemeKind::Bearer { .. }
        | SecuritySchemeKind::OAuth2 { .. }
        | SecuritySchemeKind::OpenIdConnect { .. } => {
            quote!(Scheme::Bearer { name: #name })
        }
        SecuritySchemeKind::Basic => quote!(Scheme::Basic { name: #name }),
        SecuritySchemeKind::ApiKey {
            location,
            name: parameter,
        } => {
            let location = format_ident!(
                "{}",
                match location {
                    ParamLocation::Header => "Header",
                    ParamLocation::Query => "Query",
                    ParamLocation::Cookie => "Cookie",
                    ParamLocation::Path => "Path",
                }
            );
            quote!(Scheme::ApiKey { name: #name, location: Location::#location, parameter: #parameter })
        }
        SecuritySchemeKind::OtherHttp { scheme: http } => {
            let challenge = heck::ToUpperCamelCase::to_upper_camel_case(http.as_str());
            quote!(Scheme::Unsupported { name: #name, challenge: #challenge })
        }
    }
}

/// Consts for the schemes operations use, the requirements of each secured operation, and
/// what the configuration must provide.
fn security_items(api: &Api) -> (Vec<TokenStream>, Vec<TokenStream>, TokenStream) {
    let used = api.used_schemes();
    let schemes: Vec<&SecurityScheme> = used.iter().map(|&id| api.scheme(id)).collect();
    let scheme_consts = schemes
        .iter()
        .map(|scheme| {
            let ident = scheme_const(&scheme.name);
            let value = scheme_value(scheme);
            let doc = docs::doc(&format!("Security scheme `{}`.", scheme.name));
            quote!(#doc const #ident: Scheme = #value;)
        })
        .collect();
    let security_consts: Vec<TokenStream> = api
        .operations
        .iter()
        .filter(|op| !op.security.is_empty())
        .map(|op| {
            let ident = security_const(op);
            let alternatives = op.security.iter().map(|requirement| {
                let schemes = requirement.schemes.iter().map(|&(id, ref scopes)| {
                    let scheme = scheme_const(&api.scheme(id).name);
                    quote!((#scheme, &[#(#scopes),*]))
                });
                quote!(Requirement { schemes: &[#(#schemes),*] })
            });
            let doc = docs::doc(&format!(
                "Who may call `{}`: any one alternative, each needing all its schemes.",
                op.id
            ));
            quote!(#doc const #ident: &[Requirement] = &[#(#alternatives),*];)
        })
        .collect();
    let identify = api
        .operations
        .iter()
        .any(|op| api.identifies_caller(op))
        .then(|| {
            let alternatives = schemes.iter().map(|scheme| {
                let scheme = scheme_const(&scheme.name);
                quote!(Requirement { schemes: &[(#scheme, &[])] })
            });
            quote! {
                /// Any one scheme, without scopes: how a public operation that records who
                /// created an item learns who calls, when the caller says.
                const IDENTIFY: &[Requirement] = &[#(#alternatives),*];
            }
        });
    let security_consts: Vec<TokenStream> = security_consts.into_iter().chain(identify).collect();
    let crate::ir::AuthNeeds {
        bearer,
        api_key,
        basic,
    } = api.auth_needs();
    (
        scheme_consts,
        security_consts,
        quote!(Needs { bearer: #bearer, api_key: #api_key, basic: #basic }),
    )
}

pub fn api_mod(api: &Api) -> TokenStream {
    let modules = api.groups.iter().map(|g| {
        let module = format_ident!("{}", g.module);
        quote!(pub mod #module;)
    });
    let reexports = api.groups.iter().map(|g| {
        let module = format_ident!("{}", g.module);
        let trait_name = format_ident!("{}", g.trait_name);
        quote!(pub use #module::#trait_name;)
    });
    let bounds: Vec<syn::Ident> = api
        .groups
        .iter()
        .map(|g| format_ident!("{}", g.trait_name))
        .collect();
    let umbrella = quote! {
        /// Everything a handler type must implement to serve the whole API: one trait per
        /// tag, and the rules of [`Authorize`].
        pub trait Api: #(#bounds +)* Authorize {}
        impl<T: #(#bounds +)* Authorize> Api for T {}
    };
    let variants: Vec<syn::Ident> = api
        .operations
        .iter()
        .map(|op| format_ident!("{}", op.type_prefix))
        .collect();
    let variant_docs = api
        .operations
        .iter()
        .map(|op| docs::doc(&format!("`{} {}`", op.method.as_str(), op.path)));
    let ids = api.operations.iter().map(|op| op.id.as_str());
    quote! {
        //! The handler traits, one per tag, with the typed requests and responses of their
        //! operations, and the [`Authorize`] hook that runs before each of them.

        use crate::runtime::{Problem, RequestContext};
        use std::future::Future;

        #(#modules)*

        #(#reexports)*

        #umbrella

        /// The operations of the spec, for rules in [`Authorize`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum OperationId {
            #(#variant_docs #variants,)*
        }

        impl OperationId {
            /// The `operationId` the spec gives it.
            pub fn as_str(self) -> &'static str {
                match self {
                    #(OperationId::#variants => #ids,)*
                }
            }
        }

        /// Rules that run for every operation once its security requirements passed, before
        /// its handler: one place for role checks and other policies (`src/authorize.rs`).
        /// An error is the answer, and the handler does not run.
        pub trait Authorize: Send + Sync + 'static {
            fn authorize(
                &self,
                context: &RequestContext,
                operation: OperationId,
            ) -> impl Future<Output = Result<(), Problem>> + Send {
                let _ = (context, operation);
                async { Ok(()) }
            }
        }
    }
}

/// The operational paths the runtime serves, which a spec may also define for itself.
const OPERATIONAL_PATHS: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/openapi.yaml",
    "/docs",
];

/// Whether the spec itself defines the operational endpoint `path`, so the runtime leaves it
/// to the API. `/docs` also counts as taken when the spec has paths below it (the docs
/// serve a whole subtree).
pub fn spec_owns_path(api: &Api, path: &str) -> bool {
    api.operations
        .iter()
        .any(|op| op.path == path || (path == "/docs" && op.path.starts_with("/docs/")))
}

pub fn generated_mod(api: &Api, spec_file: &str) -> TokenStream {
    let own = format!("../../{spec_file}");
    let (json, yaml) = if api.spec_json.is_some() {
        ("openapi.json".to_owned(), own)
    } else {
        // A JSON document is also valid YAML 1.2: one file serves both.
        (own.clone(), own)
    };
    let taken = OPERATIONAL_PATHS
        .iter()
        .filter(|path| spec_owns_path(api, path));
    let spec_sha256 = &api.spec_sha256;
    quote! {
        //! Code generated from the OpenAPI spec. Every file here is rewritten by `gen regen`;
        //! put your code in `src/handlers/` and the other scaffold files instead.

        pub mod api;
        pub mod examples;
        pub mod models;
        pub mod resources;
        pub mod router;

        /// The runtime crate (`runtime/`), under the name the generated code and your code
        /// use for it.
        pub use specgen_runtime as runtime;

        pub use api::Api;
        pub use router::{AUTH_NEEDS, router};
        pub use runtime::auth::AuthConfig;
        pub use runtime::{Problem, RequestContext};

        /// The spec this code was generated from, as the service publishes it at
        /// `/openapi.json` and `/openapi.yaml`, with the operational paths it defines itself.
        pub const PUBLISHED_SPEC: runtime::endpoints::PublishedSpec =
            runtime::endpoints::PublishedSpec {
                json: include_str!(#json),
                yaml: include_str!(#yaml),
                taken: &[#(#taken),*],
            };

        /// SHA-256 of the spec file this code was generated from.
        pub const SPEC_SHA256: &str = #spec_sha256;
    }
}
