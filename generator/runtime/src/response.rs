//! Writing typed responses: status, content type, headers and body.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::problem::Problem;

/// A JSON body with the given status and content type.
pub fn json<T: Serialize>(status: StatusCode, content_type: &'static str, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => with_content_type(status, content_type, bytes.into()),
        Err(error) => Problem::internal(format!("cannot serialise the response body: {error}"))
            .into_response(),
    }
}

/// A text body.
pub fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    with_content_type(status, content_type, body.into())
}

/// A raw body.
pub fn bytes(status: StatusCode, content_type: &'static str, body: Bytes) -> Response {
    with_content_type(status, content_type, body)
}

/// A response without a body.
pub fn empty(status: StatusCode) -> Response {
    status.into_response()
}

/// Room for the headers an answer ends up with: its own, the `ETag`, and what the middleware
/// adds on the way out (request id, security headers, `Vary`). A map sized once is cheaper
/// than one that grows and rehashes twice per request.
const HEADER_CAPACITY: usize = 16;

fn with_content_type(status: StatusCode, content_type: &'static str, body: Bytes) -> Response {
    let mut headers = HeaderMap::with_capacity(HEADER_CAPACITY);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Sets a response header from a typed value; `None` leaves it out.
pub fn set_header<T: Serialize>(response: &mut Response, name: &'static str, value: Option<&T>) {
    let Some(value) = value else { return };
    let text = match serde_plain::to_string(value) {
        Ok(text) => text,
        Err(error) => {
            tracing::warn!(header = name, %error, "response header value is not a scalar; left out");
            return;
        }
    };
    match HeaderValue::try_from(text) {
        Ok(value) => {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
        Err(error) => {
            tracing::warn!(header = name, %error, "response header value is not valid; left out")
        }
    }
}
