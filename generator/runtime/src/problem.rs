//! RFC 9457 problem details: the one error shape of the service.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// The media type of every error body the framework produces.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem: returned by handlers with `Err(...)` and by the framework for
/// requests it rejects before a handler runs.
///
/// The details live behind a `Box`, so a `Result<_, Problem>` stays one pointer wide on the
/// happy path; they are reachable through `Deref` (`problem.status`, `problem.errors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Problem(Box<ProblemDetails>);

/// The members of a problem details object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemDetails {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type", default = "about_blank")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Every part of the request that was wrong, each located by a JSON pointer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The `X-Request-Id` of the request that failed, to quote when reporting it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Headers that belong with the problem, such as `Allow` or `WWW-Authenticate`.
    #[serde(skip)]
    pub headers: HeaderMap,
}

/// One invalid part of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Where the bad value is, e.g. `/query/limit` or `/body/name`.
    pub pointer: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

impl Problem {
    /// A problem whose title is the status's reason phrase.
    pub fn new(status: StatusCode) -> Self {
        Self(Box::new(ProblemDetails {
            type_uri: about_blank(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: None,
            instance: None,
            errors: Vec::new(),
            request_id: None,
            headers: HeaderMap::new(),
        }))
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_type(mut self, type_uri: impl Into<String>) -> Self {
        self.type_uri = type_uri.into();
        self
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The answer of an operation nobody has implemented yet.
    pub fn not_implemented(operation_id: &str) -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED)
            .with_detail(format!("operation `{operation_id}` is not implemented yet"))
    }

    /// 403: the caller is known but may not do this (a rule in `src/authorize.rs`).
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN)
    }

    /// 404, saying so in words: a client reading `detail` learns what went wrong without
    /// knowing the status codes. (An item another caller owns answers the same: whether
    /// it exists is not the caller's to know.)
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND).with_detail("the requested resource does not exist")
    }

    /// A request that could not be parsed, listing every part that was wrong.
    /// Only the errors that are present are kept, so callers can pass `result.err()` for
    /// each field.
    pub fn invalid_request(errors: impl IntoIterator<Item = Option<FieldError>>) -> Self {
        let errors: Vec<FieldError> = errors.into_iter().flatten().collect();
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.pointer, one.detail),
            many => format!("{} parts of the request are invalid", many.len()),
        };
        let mut problem = Self::new(StatusCode::BAD_REQUEST).with_detail(detail);
        problem.errors = errors;
        problem
    }

    /// Values that parsed but break the spec's constraints (422, or the 400 an operation
    /// documents instead), listing every violation.
    pub fn invalid_values(status: u16, errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.pointer, one.detail),
            many => format!("{} values break the API's constraints", many.len()),
        };
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        let mut problem = Self::new(status).with_detail(detail);
        problem.errors = errors;
        problem
    }

    /// An unexpected failure. The cause is logged; the client only learns that it happened.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl std::ops::Deref for Problem {
    type Target = ProblemDetails;

    fn deref(&self) -> &ProblemDetails {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemDetails {
        &mut self.0
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.title)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

impl IntoResponse for Problem {
    fn into_response(mut self) -> Response {
        if self.request_id.is_none() {
            self.request_id = super::platform::current_request_id();
        }
        let status = self.status_code();
        let body = match serde_json::to_vec(&self) {
            Ok(body) => body,
            Err(_) => b"{\"title\":\"Internal Server Error\",\"status\":500}".to_vec(),
        };
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        for (name, value) in &self.headers {
            response.headers_mut().append(name, value.clone());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_404_says_in_words_that_nothing_is_there() {
        let problem = Problem::not_found();
        assert_eq!(problem.status, StatusCode::NOT_FOUND);
        assert!(
            problem
                .detail
                .as_deref()
                .is_some_and(|detail| detail.contains("does not exist")),
            "{:?}",
            problem.detail
        );
    }
}
