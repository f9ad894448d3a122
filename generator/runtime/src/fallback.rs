//! Answers for requests that match no operation.

use axum::http::{Method, StatusCode, Uri};

use super::problem::Problem;

/// No route has this path: 404.
pub async fn not_found(uri: Uri) -> Problem {
    Problem::not_found().with_detail(format!("no operation at `{}`", uri.path()))
}

/// The path exists but not with this method: 405 (axum adds the `Allow` header).
pub async fn method_not_allowed(method: Method, uri: Uri) -> Problem {
    Problem::new(StatusCode::METHOD_NOT_ALLOWED)
        .with_detail(format!("`{method}` is not allowed on `{}`", uri.path()))
}
