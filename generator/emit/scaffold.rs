//! Scaffold Rust files: written once by `gen new` (or when missing), then the user's.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;
use super::resources;
use crate::ir::{Api, Group, Operation, ParamLocation, Resource, Status, StringFormat, TyKind};

/// The marker line in `src/handlers/mod.rs` below which regen adds modules for new tags.
pub const HANDLER_MODULES_MARKER: &str =
    "// specgen: handler modules (`gen regen` adds new tags below this line)";

pub fn lib_rs(api: &Api) -> TokenStream {
    let data = (!api.resources.is_empty()).then(|| {
        quote! {
            pub mod repositories;
            pub mod services;
        }
    });
    quote! {
        //! The service: generated API surface, your handlers, and how they are put together.

        pub mod generated;
        pub mod handlers;
        #data
        pub mod startup;
    }
}

pub fn main_rs(crate_ident: &str) -> TokenStream {
    let krate = format_ident!("{}", crate_ident);
    quote! {
        //! The server, and a few helpers:
        //!
        //! - `token --sub alice [--scopes a,b] [--ttl 3600]` prints a JWT signed with `JWT_SECRET`;
        //! - `hash-password [PASSWORD]` prints an argon2 hash for `BASIC_USERS` (reads stdin
        //!   when no password is given);
        //! - `config` prints the settings the server would run with (passwords hidden);
        //! - `healthcheck` asks the local server's `/healthz`, for container health checks.

        use std::io::{Read, Write};
        use std::net::{SocketAddr, TcpStream};
        use std::process::ExitCode;
        use std::time::Duration;

        use #krate::generated::runtime::settings::Settings;
        use #krate::generated::runtime::telemetry;
        use #krate::generated::{AUTH_NEEDS, AuthConfig};

        /// mimalloc rather than the system allocator: request handling allocates many small
        /// values (headers, JSON, rows), and glibc's malloc was a tenth of a request's CPU time.
        #[global_allocator]
        static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

        const USAGE: &str = "usage: [serve | token --sub SUBJECT [--scopes A,B] [--ttl SECONDS] | hash-password [PASSWORD] | config | healthcheck]\n\nWithout arguments: serve on HOST:PORT (default 127.0.0.1:8080). Settings come from the environment (and `.env` outside production); see .env.example.";

        #[tokio::main]
        async fn main() -> ExitCode {
            let args: Vec<String> = std::env::args().skip(1).collect();
            load_dotenv();
            let result = match args.first().map(String::as_str) {
                None | Some("serve") => serve().await,
                Some("token") => token(&args[1..]),
                Some("hash-password") => hash_password(&args[1..]),
                Some("config") => Settings::from_env().map(|settings| println!("{settings:#?}")).map_err(|e| e.to_string()),
                Some("healthcheck") => healthcheck(),
                Some("--help" | "-h" | "help") => {
                    println!("{USAGE}");
                    Ok(())
                }
                Some(other) => Err(format!("unknown command `{other}` (try --help)")),
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            }
        }

        /// Reads `.env` into the environment, except in production, where settings come from
        /// the real environment only. Variables already set win over the file.
        fn load_dotenv() {
            let production = std::env::var("APP_ENV").is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "production" | "prod"));
            if production {
                return;
            }
            match dotenvy::dotenv() {
                Ok(_) => {}
                Err(dotenvy::Error::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => eprintln!("warning: .env ignored: {error}"),
            }
        }

        /// Checks every setting and credential (reporting all that are wrong), then serves
        /// until SIGTERM or Ctrl-C.
        async fn serve() -> Result<(), String> {
            let settings = Settings::from_env();
            // Held to the end of `serve`: dropping it flushes the last log lines.
            let _logs = settings.as_ref().ok().map(telemetry::init_tracing);
            let auth = AuthConfig::from_env(AUTH_NEEDS);
            match (settings, auth) {
                (Ok(settings), Ok(auth)) => #krate::startup::run(settings, auth).await,
                (settings, auth) => {
                    let mut problems = Vec::new();
                    if let Err(error) = settings {
                        problems.extend(error.0);
                    }
                    if let Err(error) = auth {
                        problems.push(error.to_string());
                    }
                    Err(format!("invalid configuration:\n  - {}", problems.join("\n  - ")))
                }
            }
        }

        /// `token --sub alice --scopes pets:write --ttl 3600`: a JWT for the configured secret.
        fn token(args: &[String]) -> Result<(), String> {
            let mut subject = None;
            let mut scopes = Vec::new();
            let mut ttl = 3600;
            let mut args = args.iter();
            while let Some(flag) = args.next() {
                let value = args.next().ok_or_else(|| format!("`{flag}` needs a value"))?;
                match flag.as_str() {
                    "--sub" => subject = Some(value.clone()),
                    "--scopes" => scopes = value.split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                    "--ttl" => ttl = value.parse().map_err(|_| format!("--ttl must be a number of seconds, got `{value}`"))?,
                    other => return Err(format!("unknown option `{other}`")),
                }
            }
            let subject = subject.ok_or("token needs --sub SUBJECT")?;
            if std::env::var("JWT_SECRET").map_or(true, |s| s.is_empty()) {
                return Err("set JWT_SECRET (the server must use the same one) to mint tokens".to_owned());
            }
            let config = AuthConfig::from_env(AUTH_NEEDS).map_err(|e| e.to_string())?;
            let token = config.mint_token(&subject, &scopes, Duration::from_secs(ttl)).map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }

        /// `hash-password secret`: an argon2 hash for `BASIC_USERS=user=<hash>`.
        fn hash_password(args: &[String]) -> Result<(), String> {
            let password = match args.first() {
                Some(password) => password.clone(),
                None => {
                    let mut input = String::new();
                    std::io::stdin().read_to_string(&mut input).map_err(|e| e.to_string())?;
                    input.trim_end_matches(['\n', '\r']).to_owned()
                }
            };
            let hash = #krate::generated::runtime::auth::hash_password(&password).map_err(|e| e.to_string())?;
            println!("{hash}");
            Ok(())
        }

        /// `healthcheck`: exit 0 when the server on this machine answers `/healthz` with 200.
        /// The runtime image has no curl; this is what its `HEALTHCHECK` runs.
        fn healthcheck() -> Result<(), String> {
            let settings = Settings::from_env().map_err(|e| e.to_string())?;
            let mut address = settings.address;
            if address.ip().is_unspecified() {
                address = SocketAddr::from(([127, 0, 0, 1], address.port()));
            }
            let timeout = Duration::from_secs(3);
            let mut stream = TcpStream::connect_timeout(&address, timeout).map_err(|e| format!("cannot reach {address}: {e}"))?;
            stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .map_err(|e| e.to_string())?;
            let mut answer = [0u8; 12];
            stream.read_exact(&mut answer).map_err(|e| e.to_string())?;
            if answer.starts_with(b"HTTP/1.1 200") {
                Ok(())
            } else {
                Err(format!("unhealthy: {}", String::from_utf8_lossy(&answer)))
            }
        }
    }
}

pub fn startup_rs() -> TokenStream {
    quote! {
        //! Putting the service together: the router with its middleware, the database, and a
        //! server that shuts down gracefully. Settings come from the environment
        //! ([`Settings`]); the middleware order is explained in `generated/runtime/platform.rs`.

        use std::future::IntoFuture;
        use std::net::SocketAddr;
        use std::sync::Arc;
        use std::time::Duration;

        use axum::Router;
        use tokio::net::TcpListener;

        use crate::generated::resources::MIGRATIONS;
        use crate::generated::runtime::rate_limit::RateLimiter;
        use crate::generated::runtime::settings::Settings;
        use crate::generated::runtime::store::Database;
        use crate::generated::runtime::{endpoints, platform, telemetry};
        use crate::generated::{self, AuthConfig, PUBLISHED_SPEC};
        use crate::handlers::Handlers;

        /// The whole application: every route of the spec served by [`Handlers`] on `db`,
        /// checking credentials with `auth`, with the operational endpoints (`/healthz`,
        /// `/readyz`, `/metrics`, `/openapi.json`, `/docs`) and the middleware stack, which
        /// includes the body limit and conditional requests (`ETag`, `If-None-Match`,
        /// `If-Match`).
        pub fn app(settings: &Settings, auth: Arc<AuthConfig>, db: Database, limiter: Option<RateLimiter>) -> Router {
            let routes = generated::router(Arc::new(Handlers::new(db.clone())), auth)
                .merge(endpoints::routes(settings, db, PUBLISHED_SPEC));
            platform::layers(routes, settings, limiter)
        }

        /// Connects to the configured database and applies the migrations in `migrations/`.
        pub async fn database(settings: &Settings) -> Result<Database, String> {
            let db = Database::connect(&settings.database_url, settings.pool).await.map_err(|e| e.to_string())?;
            db.migrate(&MIGRATIONS).await.map_err(|e| e.to_string())?;
            Ok(db)
        }

        /// The per-client rate limiter: shared through Redis when `REDIS_URL` is set, in
        /// this process otherwise; none when limiting is off.
        pub async fn rate_limiter(settings: &Settings) -> Result<Option<RateLimiter>, String> {
            let Some(limit) = settings.rate_limit else {
                return Ok(None);
            };
            match &settings.redis_url {
                Some(url) => RateLimiter::redis(url, limit).await.map(Some).map_err(|e| format!("cannot connect to REDIS_URL: {e}")),
                None => Ok(Some(RateLimiter::local(limit))),
            }
        }

        /// The app on a fresh, migrated database: in-memory SQLite, or a new schema in the
        /// PostgreSQL database `TEST_DATABASE_URL` names. What tests drive.
        pub async fn test_app(auth: Arc<AuthConfig>) -> Result<Router, String> {
            test_app_with(&Settings::for_tests(), auth).await
        }

        /// [`test_app`] with settings of the test's choosing (rate limits, CORS...).
        pub async fn test_app_with(settings: &Settings, auth: Arc<AuthConfig>) -> Result<Router, String> {
            let db = Database::for_tests().await.map_err(|e| e.to_string())?;
            db.migrate(&MIGRATIONS).await.map_err(|e| e.to_string())?;
            let limiter = rate_limiter(settings).await?;
            Ok(app(settings, auth, db, limiter))
        }

        /// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish (for at most
        /// `SHUTDOWN_GRACE_SECS`) and closes the database pool.
        pub async fn run(settings: Settings, auth: AuthConfig) -> Result<(), String> {
            let db = database(&settings).await?;
            let limiter = rate_limiter(&settings).await?;
            let listener = TcpListener::bind(settings.address).await.map_err(|e| format!("cannot listen on {}: {e}", settings.address))?;
            let app = app(&settings, Arc::new(auth), db.clone(), limiter);
            serve(listener, app, settings.shutdown_grace).await.map_err(|e| e.to_string())?;
            db.close().await;
            tracing::info!("stopped");
            telemetry::shutdown_tracing();
            Ok(())
        }

        /// Serves `app` on `listener` until [`shutdown_signal`]; requests already in flight
        /// then get `grace` to finish before they are abandoned.
        pub async fn serve(listener: TcpListener, app: Router, grace: Duration) -> std::io::Result<()> {
            if let Ok(address) = listener.local_addr() {
                tracing::info!(%address, "listening");
            }
            let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
            let server = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async move {
                    shutdown_signal().await;
                    let _ = stopping_tx.send(true);
                })
                .into_future();
            let deadline = async move {
                if stopping.wait_for(|stopping| *stopping).await.is_err() {
                    std::future::pending::<()>().await;
                }
                tokio::time::sleep(grace).await;
            };
            tokio::select! {
                result = server => result,
                () = deadline => {
                    tracing::warn!(grace_secs = grace.as_secs(), "grace period over; abandoning requests still in flight");
                    Ok(())
                }
            }
        }

        /// Resolves on SIGINT (Ctrl-C) or SIGTERM.
        pub async fn shutdown_signal() {
            let interrupt = async {
                if let Err(error) = tokio::signal::ctrl_c().await {
                    tracing::warn!(%error, "cannot listen for Ctrl-C");
                    std::future::pending::<()>().await;
                }
            };
            #[cfg(unix)]
            let terminate = async {
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(mut signal) => {
                        signal.recv().await;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot listen for SIGTERM");
                        std::future::pending::<()>().await;
                    }
                }
            };
            #[cfg(not(unix))]
            let terminate = std::future::pending::<()>();
            tokio::select! {
                () = interrupt => {},
                () = terminate => {},
            }
            tracing::info!("shutting down: no new connections; finishing requests in flight");
        }
    }
}

/// `src/handlers/mod.rs`, without its module list (added as text below the marker line).
pub fn handlers_mod() -> TokenStream {
    quote! {
        //! Your implementation of the API. One file per tag; each implements that tag's trait
        //! from `crate::generated::api` on [`Handlers`].

        use crate::generated::runtime::store::Database;

        /// The type that serves the API. Put shared state (clients, configuration) in it
        /// next to the database.
        #[derive(Debug, Clone)]
        pub struct Handlers {
            pub db: Database,
        }

        impl Handlers {
            pub fn new(db: Database) -> Self {
                Self { db }
            }
        }
    }
}

/// `mod x;` lines for the handler modules, inserted below the marker.
pub fn handler_module_line(group: &Group) -> String {
    format!("mod {};", group.module)
}

pub fn handler_file(api: &Api, index: usize, group: &Group) -> TokenStream {
    let trait_name = format_ident!("{}", group.trait_name);
    let module = format_ident!("{}", group.module);
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
        .operations
        .iter()
        .enumerate()
        .filter(|(_, op)| op.group == index)
        .map(|(i, op)| match api.resource_of(i) {
            Some(resource) => resource_method(i, op, resource),
            None => example_method(api, op),
        })
        .collect();
    // Each resource's service accessor lives with the first tag that serves it.
    let accessors: Vec<TokenStream> = api
        .resources
        .iter()
        .filter(|r| r.ops.all().min().map(|first| api.operations[first].group) == Some(index))
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
    let store_imports = (!methods.is_empty()).then(|| {
        quote! {
            #[allow(unused_imports)]
            use crate::generated::resources::*;
            #[allow(unused_imports)]
            use crate::generated::runtime::store::{Key, ListQuery, Scope};
        }
    });
    quote! {
        #doc

        #[allow(unused_imports)]
        use crate::generated::api::#module::*;
        #[allow(unused_imports)]
        use crate::generated::{models, Problem, RequestContext};
        #store_imports

        use super::Handlers;

        #accessors

        impl #trait_name for Handlers {
            #(#methods)*
        }
    }
}

/// `src/generated/examples.rs`: the spec's example responses, for handlers nobody has
/// written yet.
pub fn examples_module() -> TokenStream {
    quote! {
        //! The spec's example responses by operation (`examples.json`, beside this file): what
        //! the scaffold handlers answer until you implement them.

        use std::sync::LazyLock;

        use serde::de::DeserializeOwned;
        use serde_json::{Map, Value};

        use super::Problem;

        static EXAMPLES: LazyLock<Map<String, Value>> =
            LazyLock::new(|| serde_json::from_str(include_str!("examples.json")).unwrap_or_default());

        /// The example stored under `key` (an operation's method name, or
        /// `method.header` for a response header), as `T`.
        pub fn example<T: DeserializeOwned>(key: &str) -> Result<T, Problem> {
            let value = EXAMPLES
                .get(key)
                .cloned()
                .ok_or_else(|| Problem::internal(format!("no example `{key}`")))?;
            serde_json::from_value(value).map_err(Problem::internal)
        }
    }
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
fn resource_method(index: usize, op: &Operation, resource: &Resource) -> TokenStream {
    let method = format_ident!("{}", op.method_name);
    let request_type = format_ident!("{}Request", op.type_prefix);
    let response_type = format_ident!("{}Response", op.type_prefix);
    let accessor = service_accessor(resource);
    let scope = scope_expr(op, resource);
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
    quote! {
        async fn #method(&self, _context: RequestContext, #request: #request_type) -> Result<#response_type, Problem> {
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
