//! The service's settings, read from the environment the 12-factor way, typed and
//! checked once at start-up. Every bad value is reported, each on its own line, so a
//! misconfigured deployment is fixed in one round instead of one variable at a time.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use axum::http::HeaderValue;

use super::store::PoolSettings;

/// Everything the server reads from the environment, except credentials (see
/// [`super::auth::AuthConfig`]). `Debug` never shows the database password.
#[derive(Clone)]
pub struct Settings {
    /// `HOST` and `PORT` (default 127.0.0.1:8080).
    pub address: SocketAddr,
    /// `APP_ENV`: `development` (default) or `production`.
    pub production: bool,
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// `RUST_LOG`, in tracing's `EnvFilter` syntax (default `info`).
    pub log_filter: String,
    /// `DATABASE_URL`: a SQLite file (default), `postgres://...` or `mysql://...`.
    pub database_url: String,
    /// `DATABASE_MAX_CONNECTIONS`, `DATABASE_ACQUIRE_TIMEOUT_SECS`, `DATABASE_MAX_WRITERS`.
    pub pool: PoolSettings,
    /// `MAX_BODY_BYTES`: larger request bodies get 413 (default 2 MiB).
    pub max_body_bytes: usize,
    /// `REQUEST_TIMEOUT_SECS`: slower requests get 503 (default 30; 0 turns it off).
    pub request_timeout: Option<Duration>,
    /// `SHUTDOWN_GRACE_SECS`: how long in-flight requests may run after SIGTERM (default 25,
    /// under Kubernetes' 30 s termination grace period).
    pub shutdown_grace: Duration,
    /// `HEADER_READ_TIMEOUT_SECS`: how long a client has to send a request's head before
    /// the connection is closed (default 65; a slowloris defence, see `server.rs`). The
    /// wait for the next request on an idle keep-alive connection counts too, so the
    /// default stays above the 60 s idle timeout of common load balancers (AWS ALB,
    /// nginx): they close an idle connection first, and never reuse one the server is
    /// closing (a 502 for the unlucky request). Facing clients directly, 10 is better.
    pub header_read_timeout: Duration,
    /// `MAX_CONNECTIONS`: connections open at once, at most (default 2048); more wait to
    /// be accepted.
    pub max_connections: usize,
    /// `CORS_ALLOWED_ORIGINS`: comma-separated origins, or `*` (default: none, so browsers
    /// on other origins are refused).
    pub cors_origins: CorsOrigins,
    /// `RATE_LIMIT_PER_SECOND` and `RATE_LIMIT_BURST` per client (default 50 and 100; a
    /// rate of 0 turns limiting off).
    pub rate_limit: Option<RateLimit>,
    /// `RATE_LIMIT_FAIL_OPEN`: whether requests go through when the shared limiter (Redis)
    /// cannot be asked (default true: the limiter must not take the API down with it;
    /// false answers 503 instead, for APIs where an unlimited client is the greater harm).
    pub rate_limit_fail_open: bool,
    /// `TRUST_PROXY`: take the client address from `X-Forwarded-For` and the scheme from
    /// `X-Forwarded-Proto` (default false: only behind a proxy that sets them).
    pub trust_proxy: bool,
    /// `TRUSTED_PROXY_HOPS`: how many proxies in front of the server append to
    /// `X-Forwarded-For` (default 1). The client address is that many entries from the
    /// right: entries further left are whatever the client sent.
    pub trusted_proxy_hops: usize,
    /// `REDIS_URL`: share rate limits across replicas through Redis.
    pub redis_url: Option<String>,
    /// `COMPRESSION`: gzip/brotli responses and gzip requests (default true).
    pub compression: bool,
    /// `OPS_PORT`: serve `/healthz`, `/readyz` and `/metrics` on this port (of `HOST`)
    /// as well, and `/readyz` and `/metrics` only there, off the public port (default: no
    /// second port). Kubernetes probes and Prometheus reach it; the ingress does not.
    pub ops_address: Option<SocketAddr>,
    /// `METRICS_ENABLED`: serve Prometheus metrics at `/metrics` (default true, except in
    /// production without `OPS_PORT`: the public port does not publish them unless asked).
    pub metrics: bool,
    /// `DOCS_ENABLED`: serve `/docs`, `/openapi.json` and `/openapi.yaml` (default true,
    /// false in production: a public map of every operation, admin ones included, is for
    /// the people who build clients, not for everyone who can reach the server).
    pub docs: bool,
    /// `HSTS_MAX_AGE_SECS`: `Strict-Transport-Security` on requests that came over TLS
    /// (default one year; 0 turns it off).
    pub hsts_max_age: u64,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: export traces over OTLP (needs the `otel` feature).
    pub otel_endpoint: Option<String>,
    /// What is allowed but unwise (a plain-text Redis connection to another host in
    /// production): logged once logging starts ([`super::telemetry::init_tracing`]).
    pub warnings: Vec<String>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Which browser origins may call the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    None,
    Any,
    List(Vec<HeaderValue>),
}

/// A token bucket per client: `per_second` sustained, bursts up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}

/// Every setting that was set to something unusable, one message each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError(pub Vec<String>);

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid configuration:")?;
        for message in &self.0 {
            write!(f, "\n  - {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SettingsError {}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (tests pass a map). An empty variable counts as
    /// unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let mut reader = Reader {
            lookup: &lookup,
            errors: Vec::new(),
        };
        let host = reader.text("HOST", "127.0.0.1");
        let port: u16 = reader.parsed("PORT", 8080, "a port number from 0 to 65535");
        let address = format!("{host}:{port}")
            .parse()
            .or_else(|_| format!("[{host}]:{port}").parse());
        let address = address.unwrap_or_else(|_| {
            reader
                .errors
                .push(format!("HOST must be an IP address, got `{host}`"));
            SocketAddr::from(([127, 0, 0, 1], port))
        });
        let environment = reader.text("APP_ENV", "development").to_ascii_lowercase();
        let production = match environment.as_str() {
            "production" | "prod" => true,
            "development" | "dev" | "test" | "staging" => false,
            other => {
                reader.errors.push(format!(
                    "APP_ENV must be `development` or `production`, got `{other}`"
                ));
                false
            }
        };
        let log_format = match reader
            .text("LOG_FORMAT", "text")
            .to_ascii_lowercase()
            .as_str()
        {
            "text" | "pretty" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                reader.errors.push(format!(
                    "LOG_FORMAT must be `text` or `json`, got `{other}`"
                ));
                LogFormat::Text
            }
        };
        let log_filter = reader.text("RUST_LOG", "info");
        if let Err(error) = tracing_subscriber::EnvFilter::try_new(&log_filter) {
            reader
                .errors
                .push(format!("RUST_LOG is not a valid filter ({error})"));
        }
        let database_url = reader.text("DATABASE_URL", super::store::DEFAULT_DATABASE_URL);
        if !["sqlite:", "postgres://", "postgresql://", "mysql://"]
            .iter()
            .any(|prefix| database_url.starts_with(prefix))
        {
            reader.errors.push(format!(
                "DATABASE_URL must start with `sqlite:`, `postgres://` or `mysql://`, got `{}:...`",
                database_url.split(':').next().unwrap_or_default()
            ));
        }
        let max_connections: u32 = reader.parsed("DATABASE_MAX_CONNECTIONS", 8, "a number");
        let acquire_timeout = reader.seconds("DATABASE_ACQUIRE_TIMEOUT_SECS", 5);
        let max_writers: usize = reader.parsed(
            "DATABASE_MAX_WRITERS",
            super::store::default_max_writers(),
            "a number of writers (0: no limit)",
        );
        let pool = PoolSettings {
            max_connections: max_connections.max(1),
            acquire_timeout,
            max_writers: Some(max_writers).filter(|n| *n > 0),
        };
        let max_body_bytes = reader.parsed("MAX_BODY_BYTES", 2 * 1024 * 1024, "a number of bytes");
        let request_timeout =
            Some(reader.seconds("REQUEST_TIMEOUT_SECS", 30)).filter(|d| !d.is_zero());
        let shutdown_grace = reader.seconds("SHUTDOWN_GRACE_SECS", 25);
        let header_read_timeout = reader.seconds("HEADER_READ_TIMEOUT_SECS", 65);
        if header_read_timeout.is_zero() {
            reader
                .errors
                .push("HEADER_READ_TIMEOUT_SECS must be at least 1".to_owned());
        }
        let max_connections_open: usize =
            reader.parsed("MAX_CONNECTIONS", 2048, "a number of connections");
        if max_connections_open == 0 {
            reader
                .errors
                .push("MAX_CONNECTIONS must be at least 1".to_owned());
        }
        let cors_origins = reader.cors_origins();
        let per_second: u32 = reader.parsed("RATE_LIMIT_PER_SECOND", 50, "a number of requests");
        let burst: u32 = reader.parsed(
            "RATE_LIMIT_BURST",
            per_second.saturating_mul(2),
            "a number of requests",
        );
        let rate_limit = (per_second > 0).then_some(RateLimit {
            per_second,
            burst: burst.max(1),
        });
        let rate_limit_fail_open = reader.flag("RATE_LIMIT_FAIL_OPEN", true);
        let trust_proxy = reader.flag("TRUST_PROXY", false);
        let trusted_proxy_hops: usize =
            reader.parsed("TRUSTED_PROXY_HOPS", 1, "a number of proxies");
        if trusted_proxy_hops == 0 {
            reader.errors.push(
                "TRUSTED_PROXY_HOPS must be at least 1 (set TRUST_PROXY=false for none)".to_owned(),
            );
        }
        let redis_url = reader.optional("REDIS_URL");
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            reader
                .errors
                .push("REDIS_URL must start with `redis://` or `rediss://`".to_owned());
        }
        let mut warnings = Vec::new();
        if production {
            // Checked in production only: development runs against local services, and
            // the generated docker-compose file's throw-away passwords.
            if let Some(problem) = super::transport::database_url_problem(&database_url) {
                reader.errors.push(problem);
            }
            match redis_url
                .as_deref()
                .and_then(super::transport::redis_url_problem)
            {
                Some(Err(problem)) => reader.errors.push(problem),
                Some(Ok(())) => warnings.push(super::transport::plaintext_redis_warning(
                    redis_url.as_deref().unwrap_or_default(),
                )),
                None => {}
            }
        }
        let compression = reader.flag("COMPRESSION", true);
        let ops_address = match reader.optional("OPS_PORT") {
            None => None,
            Some(text) => match text.trim().parse::<u16>() {
                Ok(ops_port) if ops_port == port && port != 0 => {
                    reader
                        .errors
                        .push(format!("OPS_PORT must differ from PORT ({port})"));
                    None
                }
                Ok(ops_port) => Some(SocketAddr::new(address.ip(), ops_port)),
                Err(_) => {
                    reader.errors.push(format!(
                        "OPS_PORT must be a port number from 0 to 65535, got `{text}`"
                    ));
                    None
                }
            },
        };
        let metrics = reader.flag("METRICS_ENABLED", !production || ops_address.is_some());
        let docs = reader.flag("DOCS_ENABLED", !production);
        let hsts_max_age = reader.parsed("HSTS_MAX_AGE_SECS", 31_536_000, "a number of seconds");
        let otel_endpoint = reader.optional("OTEL_EXPORTER_OTLP_ENDPOINT");

        if !reader.errors.is_empty() {
            return Err(SettingsError(reader.errors));
        }
        Ok(Self {
            address,
            production,
            log_format,
            log_filter,
            database_url,
            pool,
            max_body_bytes,
            request_timeout,
            shutdown_grace,
            header_read_timeout,
            max_connections: max_connections_open,
            cors_origins,
            rate_limit,
            rate_limit_fail_open,
            trust_proxy,
            trusted_proxy_hops,
            redis_url,
            compression,
            ops_address,
            metrics,
            docs,
            hsts_max_age,
            otel_endpoint,
            warnings,
        })
    }

    /// What the accept loop needs ([`super::server::serve`]).
    pub fn connection_limits(&self) -> super::server::ConnectionLimits {
        super::server::ConnectionLimits {
            header_read_timeout: self.header_read_timeout,
            max_connections: self.max_connections,
            grace: self.shutdown_grace,
        }
    }

    /// Settings for in-process tests: in-memory SQLite, no rate limit, defaults otherwise.
    pub fn for_tests() -> Self {
        let mut settings =
            Self::from_lookup(|_| None).unwrap_or_else(|_| unreachable!("defaults are valid"));
        settings.database_url = "sqlite::memory:".to_owned();
        settings.rate_limit = None;
        settings
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("address", &self.address)
            .field("production", &self.production)
            .field("log_format", &self.log_format)
            .field("log_filter", &self.log_filter)
            .field("database_url", &redact_url(&self.database_url))
            .field("pool", &self.pool)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("request_timeout", &self.request_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("cors_origins", &self.cors_origins)
            .field("rate_limit", &self.rate_limit)
            .field("rate_limit_fail_open", &self.rate_limit_fail_open)
            .field("trust_proxy", &self.trust_proxy)
            .field("trusted_proxy_hops", &self.trusted_proxy_hops)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("compression", &self.compression)
            .field("ops_address", &self.ops_address)
            .field("metrics", &self.metrics)
            .field("docs", &self.docs)
            .field("hsts_max_age", &self.hsts_max_age)
            .field(
                "otel_endpoint",
                &self.otel_endpoint.as_deref().map(redact_url),
            )
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// `scheme://user:secret@host/db` → `scheme://user:***@host/db`: safe to log.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            if credentials.contains(':') {
                format!("{user}:***@{host}")
            } else {
                format!("{user}@{host}")
            }
        }
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{}", redact_query(path))
}

/// The query's secret-looking values masked (`?password=***`, `&sslpassword=***`,
/// `?token=***`...): drivers take credentials there too.
fn redact_query(path: &str) -> String {
    let Some((before, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let secret = |name: &str| {
        let name = name.to_ascii_lowercase();
        ["password", "passwd", "pwd", "secret", "token", "key"]
            .iter()
            .any(|word| name.contains(word))
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if secret(name) => format!("{name}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{before}?{}", pairs.join("&"))
}

/// Reads variables and collects what is wrong with them.
struct Reader<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    errors: Vec<String>,
}

impl Reader<'_> {
    fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn text(&self, name: &str, default: &str) -> String {
        self.optional(name).unwrap_or_else(|| default.to_owned())
    }

    fn parsed<T: FromStr>(&mut self, name: &str, default: T, what: &str) -> T {
        match self.optional(name) {
            None => default,
            Some(value) => value.parse().unwrap_or_else(|_| {
                self.errors
                    .push(format!("{name} must be {what}, got `{value}`"));
                default
            }),
        }
    }

    fn seconds(&mut self, name: &str, default: u64) -> Duration {
        Duration::from_secs(self.parsed(name, default, "a number of seconds"))
    }

    fn flag(&mut self, name: &str, default: bool) -> bool {
        match self.optional(name).map(|v| v.to_ascii_lowercase()) {
            None => default,
            Some(value) => match value.as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => {
                    self.errors
                        .push(format!("{name} must be true or false, got `{value}`"));
                    default
                }
            },
        }
    }

    fn cors_origins(&mut self) -> CorsOrigins {
        let Some(value) = self.optional("CORS_ALLOWED_ORIGINS") else {
            return CorsOrigins::None;
        };
        if value == "*" {
            return CorsOrigins::Any;
        }
        let mut origins = Vec::new();
        for origin in value.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            let well_formed = (origin.starts_with("http://") || origin.starts_with("https://"))
                && !origin.trim_end_matches('/').contains(['?', '#'])
                && origin.matches('/').count() == 2;
            match HeaderValue::from_str(origin) {
                Ok(header) if well_formed => origins.push(header),
                _ => self.errors.push(format!(
                    "CORS_ALLOWED_ORIGINS: `{origin}` is not an origin like `https://app.example.com`"
                )),
            }
        }
        CorsOrigins::List(origins)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn production_refuses_a_database_reached_without_stated_tls_or_with_a_placeholder() {
        let remote = "postgres://app:s3cret@db.internal:5432/app";
        let errors = settings(&[("APP_ENV", "production"), ("DATABASE_URL", remote)])
            .unwrap_err()
            .0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("sslmode=verify-full"), "{errors:?}");
        // Development runs against whatever is at hand.
        assert!(settings(&[("DATABASE_URL", remote)]).is_ok());
        let verified = format!("{remote}?sslmode=verify-full");
        assert!(settings(&[("APP_ENV", "production"), ("DATABASE_URL", &verified)]).is_ok());

        let shipped = [
            ("APP_ENV", "production"),
            (
                "DATABASE_URL",
                "postgres://app:change-me@postgres:5432/app?sslmode=verify-full",
            ),
            ("REDIS_URL", "rediss://:change-me@redis:6379"),
        ];
        let errors = settings(&shipped).unwrap_err().0;
        assert_eq!(errors.len(), 2, "the k8s Secret's placeholders: {errors:?}");
    }

    #[test]
    fn production_warns_of_plain_text_redis_on_another_host() {
        let production = |redis: &str| {
            settings(&[("APP_ENV", "production"), ("REDIS_URL", redis)])
                .unwrap()
                .warnings
        };
        let warnings = production("redis://:pw@redis.internal:6379");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("rediss://"), "{warnings:?}");
        assert!(production("rediss://:pw@redis.internal:6379").is_empty());
    }

    #[test]
    fn metrics_leave_the_public_port_in_production_unless_an_ops_port_or_a_flag_asks() {
        assert!(settings(&[]).unwrap().metrics, "development publishes them");
        let production = settings(&[("APP_ENV", "production")]).unwrap();
        assert!(!production.metrics);
        assert_eq!(production.ops_address, None);
        let with_ops = settings(&[("APP_ENV", "production"), ("OPS_PORT", "9090")]).unwrap();
        assert!(with_ops.metrics);
        assert_eq!(
            with_ops.ops_address,
            Some("127.0.0.1:9090".parse().unwrap())
        );
        let asked = settings(&[("APP_ENV", "production"), ("METRICS_ENABLED", "true")]).unwrap();
        assert!(asked.metrics);
        let errors = settings(&[("OPS_PORT", "8080")]).unwrap_err().0;
        assert!(errors[0].contains("differ from PORT"), "{errors:?}");
    }

    #[test]
    fn the_default_header_deadline_outlasts_a_load_balancers_idle_keep_alive() {
        // AWS ALB and nginx keep idle upstream connections 60 s; hyper's header deadline
        // also closes idle keep-alive connections, and must not close them first.
        let defaults = settings(&[]).unwrap();
        assert!(defaults.header_read_timeout > Duration::from_secs(60));
        let direct = settings(&[("HEADER_READ_TIMEOUT_SECS", "10")]).unwrap();
        assert_eq!(
            direct.connection_limits().header_read_timeout,
            Duration::from_secs(10)
        );
        assert!(settings(&[("HEADER_READ_TIMEOUT_SECS", "0")]).is_err());
    }

    #[test]
    fn production_publishes_the_docs_only_when_asked() {
        assert!(settings(&[]).expect("valid").docs);
        assert!(!settings(&[("APP_ENV", "production")]).expect("valid").docs);
        assert!(
            settings(&[("APP_ENV", "production"), ("DOCS_ENABLED", "true")])
                .expect("valid")
                .docs
        );
    }

    #[test]
    fn defaults_serve_on_loopback_with_limits_on() {
        let settings = settings(&[]).expect("defaults are valid");
        assert_eq!(settings.address, SocketAddr::from(([127, 0, 0, 1], 8080)));
        assert!(!settings.production);
        assert_eq!(settings.request_timeout, Some(Duration::from_secs(30)));
        assert_eq!(
            settings.rate_limit,
            Some(RateLimit {
                per_second: 50,
                burst: 100
            })
        );
        assert_eq!(settings.cors_origins, CorsOrigins::None);
    }

    #[test]
    fn every_bad_value_is_reported_at_once() {
        let error = settings(&[
            ("PORT", "eighty"),
            ("REQUEST_TIMEOUT_SECS", "-1"),
            ("COMPRESSION", "maybe"),
            (
                "CORS_ALLOWED_ORIGINS",
                "https://ok.example.com, not-an-origin",
            ),
        ])
        .expect_err("four bad values");
        assert_eq!(error.0.len(), 4, "{error}");
        assert!(error.0[0].starts_with("PORT must be"), "{error}");
        assert!(error.to_string().contains("`not-an-origin`"), "{error}");
    }

    #[test]
    fn zero_turns_timeouts_and_rate_limits_off() {
        let settings = settings(&[
            ("REQUEST_TIMEOUT_SECS", "0"),
            ("RATE_LIMIT_PER_SECOND", "0"),
        ])
        .expect("valid");
        assert_eq!(settings.request_timeout, None);
        assert_eq!(settings.rate_limit, None);
    }

    #[test]
    fn passwords_never_reach_the_debug_output() {
        let settings =
            settings(&[("DATABASE_URL", "postgres://app:s3cret@db:5432/app")]).expect("valid");
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://app:***@db:5432/app"), "{shown}");
    }

    #[test]
    fn secrets_in_a_urls_query_or_the_trace_endpoint_never_reach_the_debug_output() {
        let settings = settings(&[
            (
                "DATABASE_URL",
                "postgres://db:5432/app?sslmode=require&password=q1w2e3",
            ),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://me:t0ken@otel:4318"),
        ])
        .expect("valid");
        let shown = format!("{settings:?}");
        assert!(
            !shown.contains("q1w2e3") && !shown.contains("t0ken"),
            "{shown}"
        );
        assert!(shown.contains("sslmode=require&password=***"), "{shown}");
        assert_eq!(
            redact_url("mysql://root@h:3306/db?ssl-mode=disabled"),
            "mysql://root@h:3306/db?ssl-mode=disabled"
        );
    }
}
