//! `tests/generated/platform.rs`: tests of what every generated service does besides its
//! API — health and readiness, metrics, request ids, CORS, rate limits, timeouts, panics,
//! security headers, the published spec and docs — run in-process like the contract tests.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::Api;

/// Whether the runtime serves `path` itself, or leaves it to an operation of the spec.
fn served(api: &Api, path: &str) -> bool {
    !super::router::spec_owns_path(api, path)
}

pub fn platform_tests(api: &Api, crate_ident: &str, spec_file: &str) -> TokenStream {
    let krate = format_ident!("{}", crate_ident);
    let spec_path = format!("../../{spec_file}");
    // Deeper than any path of the spec, so no route (not even `/{id}`) can match it.
    let depth = api
        .operations
        .iter()
        .map(|op| op.path.split('/').filter(|s| !s.is_empty()).count())
        .max()
        .unwrap_or(0)
        + 1;
    let nowhere = "/__specgen_no_such_route__".repeat(depth);
    let health = served(api, "/healthz").then(|| {
        quote! {
            #[tokio::test]
            async fn liveness_needs_no_credentials() {
                let (status, headers, body) = send(&app().await, get("/healthz")).await;
                assert_eq!(status, StatusCode::OK);
                assert_eq!(headers[header::CONTENT_TYPE], "application/json");
                assert_eq!(json(&body)["status"], "ok");
            }

            #[tokio::test]
            async fn every_answer_carries_the_security_headers() {
                let (_, headers, _) = send(&app().await, get("/healthz")).await;
                assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
                assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
                assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
                assert!(headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("default-src 'none'"));
                assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY), "no HSTS over plain HTTP");
            }

            #[tokio::test]
            async fn hsts_is_sent_when_a_trusted_proxy_terminated_tls() {
                let mut settings = Settings::for_tests();
                settings.trust_proxy = true;
                let app = app_with(&settings).await;
                let (_, headers, _) = send(&app, with(get("/healthz"), "x-forwarded-proto", "https")).await;
                assert_eq!(headers[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000; includeSubDomains");
            }

            #[tokio::test]
            async fn request_ids_are_echoed_or_made_up() {
                let app = app().await;
                let (_, headers, _) = send(&app, with(get("/healthz"), "x-request-id", "trace-0042")).await;
                assert_eq!(headers["x-request-id"], "trace-0042");

                let (_, headers, _) = send(&app, get("/healthz")).await;
                let made_up = headers["x-request-id"].to_str().unwrap();
                assert!(uuid::Uuid::parse_str(made_up).is_ok(), "a fresh UUID, got {made_up}");

                let (_, headers, _) = send(&app, with(get("/healthz"), "x-request-id", "has spaces\tand tabs")).await;
                assert_ne!(headers["x-request-id"], "has spaces\tand tabs", "a malformed id is replaced");
            }

            #[tokio::test]
            async fn cors_preflight_answers_configured_origins_only() {
                let mut settings = Settings::for_tests();
                settings.cors_origins = CorsOrigins::List(vec![HeaderValue::from_static("https://app.example.com")]);
                let app = app_with(&settings).await;
                let preflight = |origin: &'static str| {
                    Request::builder()
                        .method("OPTIONS")
                        .uri("/healthz")
                        .header(header::ORIGIN, origin)
                        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
                        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization, content-type")
                        .body(Body::empty())
                        .unwrap()
                };
                let (status, headers, _) = send(&app, preflight("https://app.example.com")).await;
                assert!(status.is_success(), "{status}");
                assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");
                assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_METHODS], "GET");
                assert!(headers[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().contains("authorization"));

                let (_, headers, _) = send(&app, preflight("https://evil.example.net")).await;
                assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN), "an unknown origin is not allowed");
            }
        }
    });
    let ready = served(api, "/readyz").then(|| {
        quote! {
            #[tokio::test]
            async fn readiness_checks_the_database() {
                let (status, _, body) = send(&app().await, get("/readyz")).await;
                assert_eq!(status, StatusCode::OK);
                assert_eq!(json(&body)["status"], "ready");
            }
        }
    });
    let metrics = (served(api, "/metrics") && served(api, "/healthz")).then(|| {
        quote! {
            #[tokio::test]
            async fn metrics_count_requests_by_route_template() {
                let app = app().await;
                send(&app, get("/healthz")).await;
                let (status, headers, body) = send(&app, get("/metrics")).await;
                assert_eq!(status, StatusCode::OK);
                assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
                let text = String::from_utf8(body.to_vec()).unwrap();
                for expected in [
                    "http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}",
                    "http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",status=\"200\",le=\"0.005\"}",
                    "http_requests_in_flight",
                    "db_pool_connections{state=\"idle\"}",
                    "db_pool_max_connections",
                ] {
                    assert!(text.contains(expected), "`{expected}` missing from:\n{text}");
                }
            }
        }
    });
    let docs = (served(api, "/openapi.json") && served(api, "/docs")).then(|| {
        quote! {
            #[tokio::test]
            async fn the_spec_is_published_with_interactive_docs() {
                let app = app().await;
                let (status, headers, body) = send(&app, get("/openapi.json")).await;
                assert_eq!(status, StatusCode::OK);
                assert_eq!(headers[header::CONTENT_TYPE], "application/json");
                let spec = json(&body);
                assert!(spec.get("openapi").or_else(|| spec.get("swagger")).is_some(), "not an OpenAPI document");
                assert!(spec["info"]["title"].is_string(), "every OpenAPI document has info.title");

                let (status, headers, _) = send(&app, get("/openapi.yaml")).await;
                assert_eq!(status, StatusCode::OK);
                assert_eq!(headers[header::CONTENT_TYPE], "application/yaml");

                let (status, headers, page) = send(&app, get("/docs/")).await;
                assert_eq!(status, StatusCode::OK);
                assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
                assert!(String::from_utf8_lossy(&page).contains("swagger-ui"));
                assert!(headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("script-src") || headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("default-src 'self'"));

                let (status, _, script) = send(&app, get("/docs/swagger-initializer.js")).await;
                assert_eq!(status, StatusCode::OK);
                assert!(String::from_utf8_lossy(&script).contains("/openapi.json"), "the docs load this service's spec");
            }

            #[tokio::test]
            async fn responses_are_compressed_for_clients_that_ask() {
                let (status, headers, _) = send(&app().await, with(get("/openapi.json"), "accept-encoding", "gzip")).await;
                assert_eq!(status, StatusCode::OK);
                assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
            }

            #[tokio::test]
            async fn answers_left_uncompressed_still_vary_on_accept_encoding() {
                let (status, headers, _) = send(&app().await, get("/openapi.json")).await;
                assert_eq!(status, StatusCode::OK);
                assert!(!headers.contains_key(header::CONTENT_ENCODING), "no coding was asked for");
                let vary: Vec<String> = headers
                    .get_all(header::VARY)
                    .iter()
                    .map(|v| v.to_str().unwrap().to_ascii_lowercase())
                    .collect();
                assert!(vary.iter().any(|v| v.contains("accept-encoding")), "a cache must key on Accept-Encoding: Vary {vary:?}");
            }

            #[tokio::test]
            async fn compressed_request_bodies_are_decompressed_before_the_handler_reads_them() {
                let app = app().await;
                let (_, _, plain) = send(&app, get("/openapi.json")).await;
                let (_, _, gzipped) = send(&app, with(get("/openapi.json"), "accept-encoding", "gzip")).await;
                assert_ne!(plain, gzipped, "the second answer is gzip");
                let echo = platform::layers(
                    Router::new().route("/echo", axum::routing::post(|body: Bytes| async move { body })),
                    &Settings::for_tests(),
                    None,
                );
                let request = Request::builder()
                    .method("POST")
                    .uri("/echo")
                    .header(header::CONTENT_ENCODING, "gzip")
                    .body(Body::from(gzipped))
                    .unwrap();
                let (status, _, echoed) = send(&echo, request).await;
                assert_eq!(status, StatusCode::OK);
                assert_eq!(echoed, plain, "the handler saw the decompressed body");
            }

            #[tokio::test]
            async fn without_configured_origins_no_cors_headers_are_sent() {
                let request = with(get("/healthz"), "origin", "https://app.example.com");
                let (status, headers, _) = send(&app().await, request).await;
                assert_eq!(status, StatusCode::OK);
                assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
            }
        }
    });
    quote! {
        //! What every service does besides its API, checked in-process: health and readiness,
        //! metrics, request ids, CORS, rate limits, timeouts, panics, security headers, the
        //! published spec and its docs.
        #![allow(clippy::unwrap_used)]

        use std::sync::{Arc, LazyLock};
        use std::time::Duration;

        use axum::Router;
        use axum::body::{Body, Bytes};
        use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
        use axum::routing::get as route_get;
        use http_body_util::BodyExt;
        use tower::ServiceExt;

        use #krate::generated::AuthConfig;
        use #krate::generated::runtime::platform;
        use #krate::generated::runtime::settings::{CorsOrigins, RateLimit, Settings};
        use #krate::startup::test_app_with;

        static AUTH: LazyLock<Arc<AuthConfig>> = LazyLock::new(|| {
            Arc::new(AuthConfig::for_tests("specgen-platform-tests-secret-0123456789", "platform-key", "tester", "tester-password"))
        });

        async fn app() -> Router {
            app_with(&Settings::for_tests()).await
        }

        async fn app_with(settings: &Settings) -> Router {
            test_app_with(settings, AUTH.clone()).await.expect("the test app starts")
        }

        fn get(uri: &str) -> Request<Body> {
            Request::builder().uri(uri).body(Body::empty()).unwrap()
        }

        fn with(mut request: Request<Body>, name: &'static str, value: &'static str) -> Request<Body> {
            request.headers_mut().insert(name, HeaderValue::from_static(value));
            request
        }

        async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
            let response = app.clone().oneshot(request).await.unwrap();
            let (parts, body) = response.into_parts();
            (parts.status, parts.headers, body.collect().await.unwrap().to_bytes())
        }

        fn json(body: &[u8]) -> serde_json::Value {
            serde_json::from_slice(body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
        }

        /// A path deeper than any route of the spec: its 404s count against the rate limit
        /// like any request.
        const NOWHERE: &str = #nowhere;

        #health
        #ready
        #metrics
        #docs

        #[tokio::test]
        async fn problems_carry_the_request_id() {
            let (status, headers, body) = send(&app().await, with(get(NOWHERE), "x-request-id", "trace-404")).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
            assert_eq!(json(&body)["request_id"], "trace-404");
        }

        #[tokio::test]
        async fn a_burst_beyond_the_rate_limit_gets_429_with_retry_after() {
            let mut settings = Settings::for_tests();
            settings.rate_limit = Some(RateLimit { per_second: 1, burst: 2 });
            let app = app_with(&settings).await;
            for _ in 0..2 {
                let (status, _, _) = send(&app, get(NOWHERE)).await;
                assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "within the burst");
            }
            let (status, headers, body) = send(&app, get(NOWHERE)).await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
            let retry_after: u64 = headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
            assert!((1..=2).contains(&retry_after), "Retry-After: {retry_after}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
            assert_eq!(json(&body)["status"], 429);
        }

        /// Two replicas sharing one Redis (`TEST_REDIS_URL`) share the limit: a client that
        /// used its burst on one replica is refused by the other. Fixed one-second windows can
        /// reset between two requests, so the sequence gets three tries.
        #[tokio::test]
        async fn rate_limits_are_shared_across_replicas_through_redis() {
            let Ok(url) = std::env::var("TEST_REDIS_URL") else {
                eprintln!("skipped: set TEST_REDIS_URL=redis://127.0.0.1:6379 to run");
                return;
            };
            let mut settings = Settings::for_tests();
            settings.rate_limit = Some(RateLimit { per_second: 2, burst: 2 });
            settings.redis_url = Some(url);
            settings.trust_proxy = true;
            let (first, second) = (app_with(&settings).await, app_with(&settings).await);
            let mut refused_by_the_other_replica = false;
            for _ in 0..3 {
                let client = format!("203.0.113.{}", uuid::Uuid::new_v4().as_u128() % 250);
                let request = || {
                    let mut request = get(NOWHERE);
                    request.headers_mut().insert("x-forwarded-for", HeaderValue::from_str(&client).unwrap());
                    request
                };
                for _ in 0..2 {
                    send(&first, request()).await;
                }
                let (status, headers, _) = send(&second, request()).await;
                if status == StatusCode::TOO_MANY_REQUESTS {
                    assert!(headers.contains_key(header::RETRY_AFTER));
                    refused_by_the_other_replica = true;
                    break;
                }
            }
            assert!(refused_by_the_other_replica, "the second replica did not see the first one's requests");
        }

        /// The middleware stack around a router of our own, with a slow and a panicking route.
        fn misbehaving(settings: &Settings) -> Router {
            let routes = Router::new()
                .route("/slow", route_get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "too late"
                }))
                .route("/panic", route_get(panics));
            platform::layers(routes, settings, None)
        }

        async fn panics() -> &'static str {
            panic!("a bug in a handler")
        }

        /// SHA-256 of `bytes`, as hex.
        fn sha256_hex(bytes: &[u8]) -> String {
            use sha2::Digest as _;
            sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
        }

        /// The staleness check that needs no generator: the spec is the one the code was
        /// generated from. Run `gen regen` after editing it.
        #[test]
        fn the_spec_has_not_changed_since_the_last_regen() {
            assert_eq!(
                sha256_hex(include_bytes!(#spec_path)),
                #krate::generated::SPEC_SHA256,
                "the spec changed since the code was generated: run `gen regen`"
            );
        }

        /// Generated files are exactly as specgen wrote them (`.specgen/manifest.json`):
        /// edits belong in the scaffold files, where regen keeps them.
        #[test]
        fn generated_files_are_as_generated() {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let manifest: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(root.join(".specgen/manifest.json")).expect("the manifest is readable"),
            )
            .expect("the manifest is JSON");
            let files = manifest["files"].as_object().expect("the manifest lists files");
            let mut edited = Vec::new();
            for (path, record) in files.iter().filter(|(_, r)| r["ownership"] == "generated") {
                let on_disk = std::fs::read(root.join(path)).map(|bytes| sha256_hex(&bytes));
                if on_disk.ok().as_deref() != record["sha256"].as_str() {
                    edited.push(path.as_str());
                }
            }
            assert!(edited.is_empty(), "generated files were edited or removed (move the change to a scaffold file, then `gen regen`): {edited:?}");
            assert!(files.values().any(|r| r["ownership"] == "generated"), "the manifest lists the generated files");
        }

        #[tokio::test]
        async fn a_request_over_the_time_limit_gets_503_problem() {
            let mut settings = Settings::for_tests();
            settings.request_timeout = Some(Duration::from_millis(100));
            let (status, headers, body) = send(&misbehaving(&settings), get("/slow")).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
            assert!(json(&body)["detail"].as_str().unwrap().contains("longer than"));
        }

        #[tokio::test]
        async fn a_panicking_handler_gets_500_problem_not_a_dropped_connection() {
            let (status, headers, body) = send(&misbehaving(&Settings::for_tests()), with(get("/panic"), "x-request-id", "trace-500")).await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
            let problem = json(&body);
            assert_eq!(problem["status"], 500);
            assert_eq!(problem["request_id"], "trace-500");
            assert!(!body.windows(5).any(|w| w == b"a bug"), "the panic message stays in the logs");
        }
    }
}
