//! Support code shared by every generated operation: problem details, request parsing,
//! response writing and the request context.

pub mod auth;
mod context;
pub mod date_time;
pub mod double_option;
pub mod endpoints;
pub mod etag;
mod fallback;
pub mod log_writer;
mod params;
pub mod platform;
mod problem;
pub mod rate_limit;
mod request;
mod response;
pub mod settings;
pub mod store;
pub mod telemetry;
pub mod validate;

pub use context::{Principal, REQUEST_ID_HEADER, RequestContext};
pub use fallback::{method_not_allowed, not_found};
pub use params::{Location, Param, ParamError, Style};
pub use problem::{FieldError, PROBLEM_JSON, Problem, ProblemDetails};
pub use request::{MultipartBody, RequestInput, required};
pub use response::{bytes, empty, json, set_header, text};
