//! What production asks of the connections the server opens itself: to the database and to
//! Redis. Credentials and data must not cross a network in clear text, and a password
//! copied from a template is no password.
//!
//! PostgreSQL and MySQL URLs that reach another host must say how they use TLS
//! (`sslmode=verify-full`, `ssl-mode=VERIFY_IDENTITY`...), even if it is to turn it off
//! (`sslmode=disable`) on a network the operator trusts: the driver's own default
//! (`prefer`) encrypts only when the server offers to, and verifies nothing, so it would
//! let a man in the middle through without anyone having chosen that. A `redis://` URL to
//! another host is a warning (Redis has no way to say "plain text, on purpose"), and
//! `rediss://` is the fix. Loopback addresses and Unix sockets never leave the machine.

/// The parts of a `scheme://user:password@host:port/path?query` URL these checks read.
struct ConnectionUrl<'a> {
    scheme: &'a str,
    host: &'a str,
    password: Option<&'a str>,
    query: &'a str,
}

impl<'a> ConnectionUrl<'a> {
    fn parse(url: &'a str) -> Option<Self> {
        let (scheme, rest) = url.split_once("://")?;
        let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
        let authority = before_query.split('/').next().unwrap_or_default();
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, authority),
        };
        let host = match host_port.strip_prefix('[') {
            Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
            None => host_port.split(':').next().unwrap_or_default(),
        };
        Some(Self {
            scheme,
            host,
            password: userinfo
                .and_then(|info| info.split_once(':'))
                .map(|(_, p)| p),
            query,
        })
    }

    /// Whether the connection stays on this machine: a loopback address, or a Unix socket
    /// (no host, or a `host=/path` parameter).
    fn is_local(&self) -> bool {
        let socket = self
            .parameter("host")
            .is_some_and(|host| host.starts_with('/') || host.starts_with("%2F"));
        self.host.is_empty()
            || socket
            || self.host.eq_ignore_ascii_case("localhost")
            || self
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    fn parameter(&self, name: &str) -> Option<&'a str> {
        self.query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.eq_ignore_ascii_case(name).then_some(value)
        })
    }
}

/// Whether `value` is a template's placeholder (`change-me`, `replace-me`...), which the
/// generated Kubernetes Secret ships in place of every credential.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let value = value.to_ascii_lowercase();
    [
        "change-me",
        "changeme",
        "change_me",
        "replace-me",
        "replaceme",
    ]
    .iter()
    .any(|word| value.contains(word))
}

/// What is wrong with `DATABASE_URL` in production: a placeholder password, or another
/// host reached without a stated TLS mode. `None` when nothing is.
pub(crate) fn database_url_problem(url: &str) -> Option<String> {
    let parsed = ConnectionUrl::parse(url)?;
    if parsed.password.is_some_and(is_placeholder) {
        return Some(
            "DATABASE_URL has a placeholder password from a template: set the database's real one"
                .to_owned(),
        );
    }
    let mode = match parsed.scheme {
        "postgres" | "postgresql" => "sslmode",
        "mysql" | "mariadb" => "ssl-mode",
        _ => return None,
    };
    if parsed.is_local() || parsed.parameter(mode).is_some() {
        return None;
    }
    let verified = if mode == "sslmode" {
        "sslmode=verify-full"
    } else {
        "ssl-mode=VERIFY_IDENTITY"
    };
    let disabled = if mode == "sslmode" {
        "sslmode=disable"
    } else {
        "ssl-mode=DISABLED"
    };
    Some(format!(
        "DATABASE_URL reaches `{}` without saying how it uses TLS, so the password and the data \
         may cross the network in clear text: add `?{verified}` (or `{disabled}` if the network \
         is one you trust)",
        parsed.host
    ))
}

/// What is wrong with `REDIS_URL` in production: a placeholder password is an error; a
/// plain-text connection to another host, a warning.
pub(crate) fn redis_url_problem(url: &str) -> Option<Result<(), String>> {
    let parsed = ConnectionUrl::parse(url)?;
    if parsed.password.is_some_and(is_placeholder) {
        return Some(Err(
            "REDIS_URL has a placeholder password from a template: set Redis's real one".to_owned(),
        ));
    }
    (parsed.scheme == "redis" && !parsed.is_local()).then_some(Ok(()))
}

/// The warning for a plain-text `REDIS_URL` to another host.
pub(crate) fn plaintext_redis_warning(url: &str) -> String {
    let host = ConnectionUrl::parse(url).map_or("?", |parsed| parsed.host);
    format!(
        "REDIS_URL reaches `{host}` in plain text: use `rediss://` so rate-limit traffic and \
         the Redis password are encrypted"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_on_another_host_must_say_how_it_uses_tls() {
        let problem =
            database_url_problem("postgres://app:s3cret@db.internal:5432/app").expect("no sslmode");
        assert!(problem.contains("db.internal") && problem.contains("sslmode=verify-full"));
        for stated in [
            "postgres://app:s3cret@db.internal/app?sslmode=verify-full",
            "postgresql://app:s3cret@db.internal/app?connect_timeout=5&sslmode=disable",
            "mysql://app:s3cret@db.internal/app?ssl-mode=VERIFY_IDENTITY",
        ] {
            assert_eq!(database_url_problem(stated), None, "{stated}");
        }
        let mysql = database_url_problem("mysql://app:s3cret@10.0.0.5:3306/app").unwrap();
        assert!(mysql.contains("ssl-mode=VERIFY_IDENTITY"), "{mysql}");
    }

    #[test]
    fn a_database_on_this_machine_needs_no_tls() {
        for local in [
            "postgres://app:s3cret@localhost/app",
            "postgres://app:s3cret@127.0.0.1:5432/app",
            "postgres://app:s3cret@[::1]:5432/app",
            "postgres:///app?host=/var/run/postgresql",
            "mysql://root@127.0.0.1:3306/app",
            "sqlite:app.db",
        ] {
            assert_eq!(database_url_problem(local), None, "{local}");
        }
    }

    #[test]
    fn a_templates_placeholder_password_is_refused_wherever_the_server_is() {
        let problem = database_url_problem("postgres://app:change-me@localhost/app").unwrap();
        assert!(problem.contains("placeholder"), "{problem}");
        assert!(matches!(
            redis_url_problem("rediss://:change-me@redis:6379"),
            Some(Err(_))
        ));
    }

    #[test]
    fn redis_in_plain_text_to_another_host_is_a_warning() {
        assert_eq!(
            redis_url_problem("redis://:pw@redis.internal:6379"),
            Some(Ok(()))
        );
        assert_eq!(redis_url_problem("rediss://:pw@redis.internal:6379"), None);
        assert_eq!(redis_url_problem("redis://127.0.0.1:6379"), None);
        assert!(plaintext_redis_warning("redis://redis.internal:6379").contains("redis.internal"));
    }
}
