//! What every specgen server shares: problem details, request parsing, response writing,
//! the request context, authentication, the store, settings and telemetry.
//!
//! The generator ships this crate's sources verbatim as the `runtime/` crate of each
//! project (generated-owned: `gen regen` rewrites it), and the project's code reaches it as
//! `crate::generated::runtime`. Being its own crate, it is compiled once: editing a handler
//! recompiles only the project's crate, and its unit tests run in specgen's CI rather than
//! in every project's `cargo test`. Nothing here knows the spec: generated code passes in
//! the route table, the security requirements, the table layouts and the published spec.
//!
//! Features: `jwt` (bearer tokens) and `basic-auth` (argon2 passwords) are compiled in only
//! when the spec has such a scheme (the generator writes the `default` feature list of the
//! project's `runtime/Cargo.toml`); `otel` exports traces (`cargo build --features otel` in
//! the project).

pub mod auth;
mod context;
pub mod date_time;
pub mod double_option;
pub mod endpoints;
pub mod etag;
mod fallback;
pub mod log_writer;
mod params;
pub mod pattern;
pub mod platform;
mod problem;
pub mod rate_limit;
mod request;
mod response;
pub mod server;
pub mod settings;
pub mod store;
pub mod telemetry;
mod transport;
pub mod validate;

pub use context::{Credential, Principal, REQUEST_ID_HEADER, RequestContext};
pub use fallback::{method_not_allowed, not_found};
pub use params::{Location, Param, ParamError, Style};
pub use problem::{FieldError, PROBLEM_JSON, Problem, ProblemDetails};
pub use request::{MultipartBody, RequestInput, required};
pub use response::{bytes, empty, json, set_header, text};
