//! Reading the parts of a request an operation declares: path, query, header and cookie
//! parameters and the body, each parsed into its Rust type or reported with its location.

use axum::RequestExt;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Multipart, RawPathParams, Request};
use axum::http::{StatusCode, header, request::Parts};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

use super::params::{self, Location, Param, ParamError, Raw};
use super::problem::{FieldError, Problem};

/// A request split into what operations read from it.
pub struct RequestInput {
    parts: Parts,
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Bytes,
    content: Option<usize>,
}

impl RequestInput {
    /// Splits `request`, reading the body when the operation accepts one of `media_types`.
    ///
    /// A non-empty body must come with a `Content-Type` matching one of them (415 otherwise);
    /// [`Self::content_index`] tells which one matched.
    pub async fn read(request: Request, media_types: &[&str]) -> Result<Self, Problem> {
        let (mut input, body) = Self::split(request).await?;
        if !media_types.is_empty() {
            // The body limit travels in the request's extensions: the parts go into a request
            // and straight back out (copying them, headers and extensions, cost 2-3k
            // instructions a request).
            let parts = std::mem::replace(&mut input.parts, Request::new(()).into_parts().0);
            let (parts, body) = Request::from_parts(parts, body)
                .with_limited_body()
                .into_parts();
            input.parts = parts;
            input.body = body.collect().await.map_err(body_error)?.to_bytes();
            if !input.body.is_empty() {
                input.content = Some(match_content_type(&input.parts, media_types)?);
            }
        }
        Ok(input)
    }

    /// Splits `request` for an operation whose body is streamed (multipart): parameters are
    /// read now, the body is handed back untouched for [`Self::multipart`].
    pub async fn read_streaming(request: Request) -> Result<(Self, Body), Problem> {
        Self::split(request).await
    }

    /// The body as a stream of multipart parts; `None` when the request sent no body.
    /// A body that is not `multipart/*` is 415.
    pub async fn multipart(&self, body: Body) -> Result<Option<MultipartBody>, Problem> {
        let Some(content_type) = self.parts.headers.get(header::CONTENT_TYPE) else {
            return Ok(None);
        };
        let is_multipart = content_type.to_str().is_ok_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
        if !is_multipart {
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
                .with_detail("the body must be sent as multipart/form-data"));
        }
        let request = Request::from_parts(self.parts.clone(), body);
        Multipart::from_request(request, &())
            .await
            .map(|multipart| Some(MultipartBody(multipart)))
            .map_err(|rejection| {
                Problem::new(rejection.status()).with_detail(rejection.body_text())
            })
    }

    /// Reads the path captures and the query; leaves the body to the caller.
    async fn split(request: Request) -> Result<(Self, Body), Problem> {
        let (mut parts, body) = request.into_parts();
        let path = match RawPathParams::from_request_parts(&mut parts, &()).await {
            Ok(params) => params
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            Err(rejection) => {
                return Err(
                    Problem::new(StatusCode::BAD_REQUEST).with_detail(rejection.body_text())
                );
            }
        };
        let query = parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Ok((
            Self {
                parts,
                path,
                query,
                body: Bytes::new(),
                content: None,
            },
            body,
        ))
    }

    /// Which of the accepted media types the body was sent as (`None` for an empty body).
    pub fn content_index(&self) -> Option<usize> {
        self.content
    }

    /// A parameter, `None` when the request does not have it.
    pub fn optional<T: DeserializeOwned>(&self, param: Param) -> Result<Option<T>, FieldError> {
        let header_text;
        let raw = match param.location {
            Location::Path => {
                let capture = param.capture.unwrap_or(param.name);
                match self.path.iter().find(|(k, _)| k == capture) {
                    Some((_, value)) => Raw::Text(value),
                    None => return Ok(None),
                }
            }
            Location::Query => Raw::Query(&self.query),
            Location::Header => {
                let values: Vec<&str> = self
                    .parts
                    .headers
                    .get_all(param.name)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect();
                if values.is_empty() {
                    if self.parts.headers.contains_key(param.name) {
                        return Err(FieldError::new(
                            param.pointer(),
                            "is not visible ASCII text",
                        ));
                    }
                    return Ok(None);
                }
                header_text = values.join(",");
                Raw::Text(header_text.trim())
            }
            Location::Cookie => match self.cookie(param.name) {
                Some(value) => Raw::Text(value),
                None => return Ok(None),
            },
        };
        match params::read(&param, raw) {
            Ok(value) => Ok(Some(value)),
            Err(ParamError::Absent) => Ok(None),
            Err(ParamError::Invalid(detail)) => Err(FieldError::new(param.pointer(), detail)),
        }
    }

    /// A parameter the spec marks required.
    pub fn required<T: DeserializeOwned>(&self, param: Param) -> Result<T, FieldError> {
        self.optional(param)?
            .ok_or_else(|| FieldError::new(param.pointer(), "is required"))
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        cookie_value(&self.parts.headers, name)
    }

    /// A JSON body, `None` when the body is empty.
    pub fn json<T: DeserializeOwned>(&self) -> Result<Option<T>, FieldError> {
        if self.body.is_empty() {
            return Ok(None);
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error::deserialize(&mut deserializer)
            .map(Some)
            .map_err(|error| {
                let mut pointer = String::from("/body");
                for segment in error.path().iter() {
                    use serde_path_to_error::Segment;
                    match segment {
                        Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
                        Segment::Map { key } | Segment::Enum { variant: key } => {
                            pointer.push('/');
                            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                        }
                        Segment::Unknown => {}
                    }
                }
                FieldError::new(pointer, error.into_inner().to_string())
            })
    }

    /// A JSON body that must be an object (serde would also read a struct from an array).
    pub fn json_object<T: DeserializeOwned>(&self) -> Result<Option<T>, FieldError> {
        let first = self.body.iter().find(|b| !b.is_ascii_whitespace());
        match first {
            None | Some(b'{') => self.json(),
            Some(_) => Err(FieldError::new("/body", "must be a JSON object")),
        }
    }

    /// An `application/x-www-form-urlencoded` body, `None` when the body is empty.
    pub fn form<T: DeserializeOwned>(&self) -> Result<Option<T>, FieldError> {
        if self.body.is_empty() {
            return Ok(None);
        }
        serde_urlencoded::from_bytes(&self.body)
            .map(Some)
            .map_err(|e| FieldError::new("/body", e.to_string()))
    }

    /// A text body, `None` when the body is empty.
    pub fn text(&self) -> Result<Option<String>, FieldError> {
        if self.body.is_empty() {
            return Ok(None);
        }
        String::from_utf8(self.body.to_vec())
            .map(Some)
            .map_err(|_| FieldError::new("/body", "is not valid UTF-8"))
    }

    /// The raw body, `None` when it is empty.
    pub fn bytes(&self) -> Result<Option<Bytes>, FieldError> {
        Ok((!self.body.is_empty()).then(|| self.body.clone()))
    }
}

/// The value of cookie `name` from the request's `Cookie` headers (quotes removed).
pub(super) fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// Turns an absent value into a "required" error: `input.query(..).and_then(required("/query/x"))`.
pub fn required<T>(pointer: &'static str) -> impl FnOnce(Option<T>) -> Result<T, FieldError> {
    move |value| value.ok_or_else(|| FieldError::new(pointer, "is required"))
}

fn match_content_type(parts: &Parts, accepted: &[&str]) -> Result<usize, Problem> {
    let unsupported = || {
        Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE).with_detail(format!(
            "the body must be sent as one of: {}",
            accepted.join(", ")
        ))
    };
    let sent = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .ok_or_else(unsupported)?;
    accepted
        .iter()
        .position(|candidate| media_type_matches(candidate, &sent))
        .ok_or_else(unsupported)
}

/// Whether a declared media type (which may be a range like `image/*`) accepts `sent`.
fn media_type_matches(declared: &str, sent: &str) -> bool {
    let declared = declared
        .split(';')
        .next()
        .unwrap_or(declared)
        .trim()
        .to_ascii_lowercase();
    if declared == "*/*" || declared == sent {
        return true;
    }
    match declared.strip_suffix("/*") {
        Some(kind) => sent.split('/').next() == Some(kind),
        None => false,
    }
}

/// A multipart body, streamed: read its parts one by one with [`Multipart::next_field`]
/// (through `Deref`), so large uploads are never held in memory whole.
pub struct MultipartBody(pub Multipart);

impl std::fmt::Debug for MultipartBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MultipartBody { .. }")
    }
}

impl std::ops::Deref for MultipartBody {
    type Target = Multipart;

    fn deref(&self) -> &Multipart {
        &self.0
    }
}

impl std::ops::DerefMut for MultipartBody {
    fn deref_mut(&mut self) -> &mut Multipart {
        &mut self.0
    }
}

/// What axum's `Bytes` extractor answers when a body cannot be read, in its words: 413
/// past the body limit, 400 for anything else.
fn body_error(error: axum::Error) -> Problem {
    // `with_limited_body` puts `Limited` inside a `Body`, whose errors wrap it once more.
    let mut source = error.into_inner();
    for _ in 0..2 {
        source = match source.downcast::<axum::Error>() {
            Ok(wrapped) => wrapped.into_inner(),
            Err(other) => other,
        };
    }
    let status = if source.is::<http_body_util::LengthLimitError>() {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::BAD_REQUEST
    };
    Problem::new(status).with_detail(format!("Failed to buffer the request body: {source}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;
    use tower::ServiceExt;

    /// Status and text of the answer to a JSON `body` under a body limit of `limit` bytes:
    /// at `/ours` as an operation reads it (the body, or the problem's detail), at `/axum`
    /// as axum's own `Bytes` extractor does (the body, or the rejection's text).
    async fn answers(limit: usize, body: &'static str) -> [(u16, String); 2] {
        let router = Router::new()
            .route(
                "/ours",
                post(|request: Request| async move {
                    match RequestInput::read(request, &["application/json"]).await {
                        Ok(input) => (
                            StatusCode::OK,
                            String::from_utf8_lossy(&input.body).into_owned(),
                        ),
                        Err(problem) => (
                            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::IM_A_TEAPOT),
                            problem.detail.clone().unwrap_or_default(),
                        ),
                    }
                }),
            )
            .route(
                "/axum",
                post(
                    |bytes: Result<Bytes, axum::extract::rejection::BytesRejection>| async move {
                        match bytes {
                            Ok(bytes) => {
                                (StatusCode::OK, String::from_utf8_lossy(&bytes).into_owned())
                            }
                            Err(rejection) => (rejection.status(), rejection.body_text()),
                        }
                    },
                ),
            )
            .layer(DefaultBodyLimit::max(limit));
        let mut answers = Vec::new();
        for path in ["/ours", "/axum"] {
            let request = Request::post(path)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .expect("a request");
            let response = router.clone().oneshot(request).await.expect("an answer");
            let status = response.status().as_u16();
            let text = response
                .into_body()
                .collect()
                .await
                .expect("a body")
                .to_bytes();
            answers.push((status, String::from_utf8_lossy(&text).into_owned()));
        }
        [answers[0].clone(), answers[1].clone()]
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_whole() {
        let [ours, axums] = answers(64, r#"{"name":"Rex"}"#).await;
        assert_eq!(ours, (200, r#"{"name":"Rex"}"#.to_owned()));
        assert_eq!(axums, ours);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_413_in_axums_words() {
        let [ours, axums] = answers(8, r#"{"name":"Rex"}"#).await;
        assert_eq!(ours.0, 413, "{ours:?}");
        assert_eq!(ours, axums);
    }
}
