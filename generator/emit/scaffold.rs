//! Scaffold Rust files: written once by `gen new` (or when missing), then the user's.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Api, Group};

/// The marker line in `src/handlers/mod.rs` below which regen adds modules for new tags.
pub const HANDLER_MODULES_MARKER: &str =
    "// specgen: handler modules (`gen regen` adds new tags below this line)";

pub fn lib_rs() -> TokenStream {
    quote! {
        //! The service: generated API surface, your handlers, and how they are put together.

        pub mod generated;
        pub mod handlers;
        pub mod startup;
    }
}

pub fn main_rs(crate_ident: &str) -> TokenStream {
    let krate = format_ident!("{}", crate_ident);
    quote! {
        //! The server, and two helpers for credentials:
        //!
        //! - `token --sub alice [--scopes a,b] [--ttl 3600]` prints a JWT signed with `JWT_SECRET`;
        //! - `hash-password [PASSWORD]` prints an argon2 hash for `BASIC_USERS` (reads stdin
        //!   when no password is given).

        use std::io::Read;
        use std::process::ExitCode;
        use std::time::Duration;

        use #krate::generated::{AUTH_NEEDS, AuthConfig};

        #[tokio::main]
        async fn main() -> ExitCode {
            let args: Vec<String> = std::env::args().skip(1).collect();
            let result = match args.first().map(String::as_str) {
                Some("token") => token(&args[1..]),
                Some("hash-password") => hash_password(&args[1..]),
                Some("--help" | "-h" | "help") => {
                    println!("usage: [token --sub SUBJECT [--scopes A,B] [--ttl SECONDS] | hash-password [PASSWORD]]\n\nWithout arguments: serve on HOST:PORT (default 127.0.0.1:8080).");
                    Ok(())
                }
                Some(other) => Err(format!("unknown command `{other}` (try --help)")),
                None => {
                    #krate::startup::init_tracing();
                    #krate::startup::run_from_env().await
                }
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
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
    }
}

pub fn startup_rs() -> TokenStream {
    quote! {
        //! Putting the service together: the router with its middleware, configuration from
        //! the environment, and a server that shuts down gracefully.

        use std::net::SocketAddr;
        use std::sync::Arc;

        use axum::Router;
        use axum::extract::DefaultBodyLimit;
        use tokio::net::TcpListener;
        use tower_http::trace::TraceLayer;

        use crate::generated::{self, AUTH_NEEDS, AuthConfig};
        use crate::handlers::Handlers;

        /// The whole application: every route of the spec served by [`Handlers`], checking
        /// credentials with `auth`. Bodies larger than `MAX_BODY_BYTES` (default 2 MiB) get 413.
        pub fn app(auth: AuthConfig) -> Router {
            generated::router(Arc::new(Handlers::new()), Arc::new(auth))
                .layer(DefaultBodyLimit::max(max_body_bytes()))
                .layer(TraceLayer::new_for_http())
        }

        /// `MAX_BODY_BYTES`, the largest request body accepted (default 2 MiB).
        pub fn max_body_bytes() -> usize {
            std::env::var("MAX_BODY_BYTES").ok().and_then(|v| v.parse().ok()).unwrap_or(2 * 1024 * 1024)
        }

        /// Logs to stderr; `RUST_LOG` filters (default `info`).
        pub fn init_tracing() {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            tracing_subscriber::fmt().with_env_filter(filter).init();
        }

        /// Where to listen: `HOST` and `PORT` (default 127.0.0.1:8080).
        pub fn listen_address() -> Result<SocketAddr, String> {
            let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
            let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_owned());
            let port: u16 = port.parse().map_err(|_| format!("PORT must be a number from 0 to 65535, got `{port}`"))?;
            format!("{host}:{port}")
                .parse()
                .or_else(|_| format!("[{host}]:{port}").parse())
                .map_err(|_| format!("HOST must be an IP address, got `{host}`"))
        }

        /// Serves on the address from the environment until SIGINT or SIGTERM. Refuses to
        /// start when the credentials configuration is invalid (or missing in production).
        pub async fn run_from_env() -> Result<(), String> {
            let address = listen_address()?;
            let auth = AuthConfig::from_env(AUTH_NEEDS).map_err(|e| e.to_string())?;
            let listener = TcpListener::bind(address).await.map_err(|e| format!("cannot listen on {address}: {e}"))?;
            serve(listener, auth).await.map_err(|e| e.to_string())
        }

        /// Serves the app on `listener`; in-flight requests finish before it returns.
        pub async fn serve(listener: TcpListener, auth: AuthConfig) -> std::io::Result<()> {
            if let Ok(address) = listener.local_addr() {
                tracing::info!(%address, "listening");
            }
            axum::serve(listener, app(auth)).with_graceful_shutdown(shutdown_signal()).await
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
            tracing::info!("shutting down");
        }
    }
}

/// `src/handlers/mod.rs`, without its module list (added as text below the marker line).
pub fn handlers_mod() -> TokenStream {
    quote! {
        //! Your implementation of the API. One file per tag; each implements that tag's trait
        //! from `crate::generated::api` on [`Handlers`].

        /// The type that serves the API. Put shared state (database pools, clients,
        /// configuration) in it.
        #[derive(Debug, Clone, Default)]
        pub struct Handlers {}

        impl Handlers {
            pub fn new() -> Self {
                Self::default()
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
    let ops: Vec<String> = api
        .operations_in(index)
        .map(|op| {
            format!(
                " - `{}`: `{} {}`",
                op.method_name,
                op.method.as_str(),
                op.path
            )
        })
        .collect();
    let mut doc = vec![
        format!(" Handlers for the operations tagged {tag}."),
        String::new(),
        format!(
            " Implement the methods of [`{}`] below; every method you leave out answers",
            group.trait_name
        ),
        " 501 Not Implemented. The trait's docs show each signature; for example:".to_owned(),
        String::new(),
        " ```text".to_owned(),
    ];
    if let Some(op) = api.operations_in(index).next() {
        doc.push(format!(
            " async fn {}(&self, context: RequestContext, request: {}Request) -> Result<{}Response, Problem> {{",
            op.method_name, op.type_prefix, op.type_prefix
        ));
        doc.push("     todo!()".to_owned());
        doc.push(" }".to_owned());
    }
    doc.push(" ```".to_owned());
    doc.push(String::new());
    doc.push(" Operations:".to_owned());
    doc.extend(ops);
    let doc = doc.iter().map(|line| quote!(#![doc = #line]));
    quote! {
        #(#doc)*

        #[allow(unused_imports)]
        use crate::generated::api::#module::*;
        #[allow(unused_imports)]
        use crate::generated::{models, Problem, RequestContext};

        use super::Handlers;

        impl #trait_name for Handlers {}
    }
}
