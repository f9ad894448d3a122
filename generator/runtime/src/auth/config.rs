//! [`AuthConfig`]: every credential store, read from the environment once at start-up, and
//! the policy for what is missing: an error in production, a warning (and, for bearer
//! tokens, an ephemeral secret) in development.
//!
//! Kept apart from the schemes so the policy reads in one place: each scheme's module
//! parses its own variables, this one decides what an API that needs the scheme must have.

use std::sync::Arc;
use std::time::Duration;

use super::api_key::ApiKeys;
use super::basic::{self, BasicUsers};
use super::jwt::{self, Bearer};
use super::{AuthError, Needs};
use crate::context::Principal;

/// Everything needed to check credentials: JWT keys and claims policy, API keys and basic
/// users. Built once at start-up and shared (behind an `Arc`) by every request.
pub struct AuthConfig {
    pub(super) bearer: Bearer,
    pub(super) api_keys: ApiKeys,
    pub(super) basic_users: BasicUsers,
    pub(super) admins: Admins,
    /// Whether a 401 says only that the credentials were missing or not accepted
    /// (production), or also why (which check failed, which algorithms are accepted):
    /// useful while integrating, a map for an attacker. The reason is logged either way.
    pub(super) terse_refusals: bool,
    /// How many argon2 verifications run at once: one per core. Each takes tens of
    /// milliseconds of CPU and, with argon2's default parameters, 19 MiB; unbounded, a
    /// burst of requests with made-up basic credentials exhausts a pod's memory. The turn
    /// is held by the blocking task itself, so a client that goes away does not free it
    /// early. A server has one configuration, so one bound.
    pub(super) argon2_turns: Arc<tokio::sync::Semaphore>,
}

/// One argon2 turn per core (see [`AuthConfig::argon2_turns`]).
fn argon2_turns() -> Arc<tokio::sync::Semaphore> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Arc::new(tokio::sync::Semaphore::new(cores))
}

/// Who is an administrator: a principal holding any of these roles or scopes sees and
/// manages every item, whoever owns it (`ADMIN_ROLES`, default `admin`; `ADMIN_SCOPES`,
/// default none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Admins {
    roles: Vec<String>,
    scopes: Vec<String>,
}

/// The role that makes a principal an administrator when `ADMIN_ROLES` is unset.
pub const DEFAULT_ADMIN_ROLE: &str = "admin";

impl Admins {
    fn from_vars(var: &impl Fn(&str) -> Option<String>) -> Self {
        let words = |text: Option<String>| -> Vec<String> {
            text.unwrap_or_default()
                .split([',', ' '])
                .filter(|word| !word.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let roles = match var("ADMIN_ROLES") {
            // `-` (or `none`) turns the override off: no role makes an administrator.
            Some(text) if matches!(text.trim(), "-" | "none") => Vec::new(),
            Some(text) => words(Some(text)),
            None => vec![DEFAULT_ADMIN_ROLE.to_owned()],
        };
        Self {
            roles,
            scopes: words(var("ADMIN_SCOPES")),
        }
    }
}

impl std::fmt::Debug for AuthConfig {
    /// Shows what is configured, never a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("AuthConfig");
        self.bearer.describe(&mut debug);
        debug
            .field("api_keys", &self.api_keys.ids())
            .field("basic_users", &self.basic_users.names())
            .field("admin_roles", &self.admins.roles)
            .field("admin_scopes", &self.admins.scopes)
            .field("terse_refusals", &self.terse_refusals)
            .finish()
    }
}

impl AuthConfig {
    /// Reads `JWT_SECRET` / `JWT_PUBLIC_KEY_FILE` / `JWT_JWKS_FILE` / `JWT_ISSUER` /
    /// `JWT_AUDIENCE` / `API_KEYS` / `BASIC_USERS` / `APP_ENV` from the process
    /// environment (see [`Self::from_lookup`]).
    pub fn from_env(needs: Needs) -> Result<Self, AuthError> {
        Self::from_lookup(needs, |name| std::env::var(name).ok())
    }

    /// Same as [`Self::from_env`], from an explicit lookup function (tests use this instead
    /// of the process environment). An empty variable counts as unset.
    ///
    /// A variable that is set but malformed is always an error. A credential store the API
    /// needs but nobody configured is an error when `APP_ENV` is `production` (or `prod`),
    /// so a server never starts in production with a made-up secret; in any other
    /// environment (the default is `development`) bearer tokens get an ephemeral random
    /// secret and a warning, and API keys or basic users a warning (those operations then
    /// answer 401 to everyone).
    ///
    /// A runtime built without the `jwt` (or `basic-auth`) feature refuses an API that
    /// needs bearer tokens (or HTTP basic), and `BASIC_USERS` without `basic-auth`.
    pub fn from_lookup(
        needs: Needs,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, AuthError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let environment = var("APP_ENV")
            .map(|value| value.trim().to_owned())
            .unwrap_or_else(|| "development".to_owned());
        let production = matches!(
            environment.to_ascii_lowercase().as_str(),
            "production" | "prod"
        );

        if production {
            refuse_weak_secrets(&environment, &var)?;
            require_audience_and_issuer(&environment, &var)?;
        }
        let mut bearer = Bearer::from_vars(&var)?;
        if needs.bearer {
            jwt::supported()?;
        }
        if needs.bearer && !bearer.has_keys() {
            if production {
                return Err(AuthError::new(format!(
                    "APP_ENV={environment} and this API accepts bearer tokens, but no key to verify \
                     them is configured: set JWT_SECRET (a random string of at least 32 bytes, for \
                     HS256), JWT_PUBLIC_KEY_FILE (the path of a PEM public key, for RS256/ES256) or \
                     JWT_JWKS_FILE (the path of a JWKS file)"
                )));
            }
            tracing::warn!(
                "JWT_SECRET, JWT_PUBLIC_KEY_FILE and JWT_JWKS_FILE are not set: bearer tokens are \
                 checked against an ephemeral random HS256 secret, so no token survives a restart \
                 and tokens minted by another process will not verify (APP_ENV={environment}; in \
                 production this is an error). Set JWT_SECRET to a random string of at least 32 \
                 bytes, then mint a token with the `token` subcommand (`cargo run -- token --help`)"
            );
            bearer.add_ephemeral_secret();
        }

        let api_keys = match var("API_KEYS") {
            Some(text) => ApiKeys::parse(&text)?,
            None => ApiKeys::default(),
        };
        let plaintext = api_keys.plaintext_ids();
        if production && !plaintext.is_empty() {
            tracing::warn!(
                "API_KEYS holds these keys in plain text: {}; anyone who can read the \
                 environment can use them. Give each as `id=sha256:<hex>` instead (`printf %s \
                 KEY | sha256sum`)",
                plaintext.join(", ")
            );
        }
        if needs.api_key && api_keys.is_empty() {
            if production {
                return Err(AuthError::new(format!(
                    "APP_ENV={environment} and this API accepts API keys, but none is configured: \
                     set API_KEYS to comma-separated `id=key` or `id=sha256:<hex of the key's \
                     SHA-256>` entries"
                )));
            }
            tracing::warn!(
                "API_KEYS is not set: every request to an operation that needs an API key gets 401 \
                 (APP_ENV={environment}; in production this is an error). Set API_KEYS to \
                 comma-separated `id=key` or `id=sha256:<hex>` entries"
            );
        }

        let basic_users = match var("BASIC_USERS") {
            Some(text) => BasicUsers::parse(&text)?,
            None => BasicUsers::empty(),
        };
        if needs.basic {
            basic::supported()?;
        }
        if let Some(user) = basic_users.weakly_hashed().first() {
            let problem = format!(
                "BASIC_USERS: the hash for `{user}` uses argon2 parameters below OWASP's minimum \
                 (19 MiB and 2 passes, or the same work otherwise split): a stolen hash would \
                 be cheap to crack; make it again with the `hash-password` subcommand"
            );
            if production {
                return Err(AuthError::new(format!("APP_ENV={environment}: {problem}")));
            }
            tracing::warn!("{problem}");
        }
        if needs.basic && basic_users.is_empty() {
            if production {
                return Err(AuthError::new(format!(
                    "APP_ENV={environment} and this API accepts HTTP basic authentication, but no \
                     user is configured: set BASIC_USERS to comma-separated `user=<argon2 hash>` \
                     entries (make a hash with the `hash-password` subcommand)"
                )));
            }
            tracing::warn!(
                "BASIC_USERS is not set: every request to an operation that needs HTTP basic \
                 authentication gets 401 (APP_ENV={environment}; in production this is an error). \
                 Set BASIC_USERS to comma-separated `user=<argon2 hash>` entries (make a hash with \
                 the `hash-password` subcommand)"
            );
        }

        Ok(Self {
            bearer,
            api_keys,
            basic_users,
            admins: Admins::from_vars(&var),
            terse_refusals: production,
            argon2_turns: argon2_turns(),
        })
    }

    /// Whether `principal` holds an administrator role or scope.
    pub fn is_admin(&self, principal: &Principal) -> bool {
        self.admins
            .roles
            .iter()
            .any(|role| principal.has_role(role))
            || self
                .admins
                .scopes
                .iter()
                .any(|scope| principal.has_scope(scope))
    }

    /// A fixed configuration for generated tests: HS256 secret `secret`; API keys
    /// `test=<api_key>`, `other=<api_key>-other` and `admin[role:admin]=<api_key>-admin`;
    /// basic users `user`, `other` and `admin` (role `admin`) with passwords `password`,
    /// `<password>-other` and `<password>-admin`; no issuer or audience check; the role
    /// `admin` makes an administrator. Three principals of each kind, so tests can show
    /// that one caller's items are not another's. A runtime built without the `jwt` or
    /// `basic-auth` feature ignores what it cannot check.
    ///
    /// Passwords are hashed once, here, with argon2's minimum cost (8 KiB, one pass), so
    /// test suites stay fast in debug builds; production hashes come from
    /// [`super::hash_password`], whose cost is argon2's recommended default.
    pub fn for_tests(secret: &str, api_key: &str, user: &str, password: &str) -> Self {
        let admin = || vec![DEFAULT_ADMIN_ROLE.to_owned()];
        Self {
            bearer: Bearer::for_tests(secret),
            api_keys: ApiKeys::for_tests(&[
                ("test", api_key.to_owned(), Vec::new()),
                ("other", format!("{api_key}-other"), Vec::new()),
                ("admin", format!("{api_key}-admin"), admin()),
            ]),
            basic_users: BasicUsers::for_tests(&[
                (user, password.to_owned(), Vec::new()),
                ("other", format!("{password}-other"), Vec::new()),
                ("admin", format!("{password}-admin"), admin()),
            ]),
            admins: Admins {
                roles: admin(),
                scopes: Vec::new(),
            },
            terse_refusals: false,
            argon2_turns: argon2_turns(),
        }
    }

    /// A signed HS256 JWT for `subject` with `scopes` (a space-separated `scope` claim),
    /// valid from now for `ttl`, carrying the configured issuer and audience (the first of
    /// each) so this server accepts it. Errors when the configuration has no HS256 secret:
    /// tokens for public-key setups come from whoever holds the private key. Errors too
    /// when the runtime was built without the `jwt` feature (the API has no bearer scheme).
    pub fn mint_token(
        &self,
        subject: &str,
        scopes: &[String],
        ttl: Duration,
    ) -> Result<String, AuthError> {
        self.bearer.mint(subject, scopes, &[], ttl)
    }

    /// [`Self::mint_token`] with `roles` too, written into the roles claim
    /// (`JWT_ROLES_CLAIM`, default `roles`) where verification reads them.
    pub fn mint_token_with_roles(
        &self,
        subject: &str,
        scopes: &[String],
        roles: &[String],
        ttl: Duration,
    ) -> Result<String, AuthError> {
        self.bearer.mint(subject, scopes, roles, ttl)
    }
}

/// In production, tokens verified by a public key or a JWK Set need `JWT_AUDIENCE` and
/// `JWT_ISSUER`: such keys usually belong to an identity provider that signs tokens for
/// many APIs, and without both checks a token issued for another API of the same tenant
/// would be accepted here.
fn require_audience_and_issuer(
    environment: &str,
    var: &impl Fn(&str) -> Option<String>,
) -> Result<(), AuthError> {
    let shared_keys = var("JWT_PUBLIC_KEY_FILE").is_some() || var("JWT_JWKS_FILE").is_some();
    let missing: Vec<&str> = ["JWT_AUDIENCE", "JWT_ISSUER"]
        .into_iter()
        .filter(|name| var(name).is_none())
        .collect();
    if shared_keys && !missing.is_empty() {
        return Err(AuthError::new(format!(
            "APP_ENV={environment} and tokens are verified by a public key or JWK Set, which \
             an identity provider uses for other APIs too: set {} to the values this API's \
             tokens carry (`aud`, `iss`), so a token issued for another API is refused",
            missing.join(" and ")
        )));
    }
    Ok(())
}

/// In production, a secret that is a template's placeholder (`change-me...`, as the
/// generated k8s Secret ships) or an HS256 secret shorter than 32 bytes stops the server:
/// either would let anyone who read the template, or can guess, mint credentials.
fn refuse_weak_secrets(
    environment: &str,
    var: &impl Fn(&str) -> Option<String>,
) -> Result<(), AuthError> {
    let placeholder = crate::transport::is_placeholder;
    if let Some(secret) = var("JWT_SECRET") {
        if placeholder(&secret) {
            return Err(AuthError::new(format!(
                "APP_ENV={environment} and JWT_SECRET is a placeholder from a template: set it to \
                 a random string of at least 32 bytes (e.g. `openssl rand -hex 32`)"
            )));
        }
        if secret.len() < 32 {
            return Err(AuthError::new(format!(
                "APP_ENV={environment} and JWT_SECRET is shorter than 32 bytes: HS256 needs a \
                 random secret of at least 256 bits (e.g. `openssl rand -hex 32`)"
            )));
        }
    }
    for name in ["API_KEYS", "BASIC_USERS"] {
        if var(name).is_some_and(|value| placeholder(&value)) {
            return Err(AuthError::new(format!(
                "APP_ENV={environment} and {name} holds a placeholder from a template: replace \
                 it with real credentials"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::authenticate;
    use crate::auth::test_support::*;

    #[cfg(all(feature = "jwt", feature = "basic-auth"))]
    #[test]
    fn production_without_credentials_is_an_error() {
        let all = Needs {
            bearer: true,
            api_key: true,
            basic: true,
        };
        let error = from_vars(all, &[("APP_ENV", "production")]).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("JWT_SECRET"), "{message}");
        assert!(message.contains("JWT_PUBLIC_KEY_FILE"), "{message}");

        let with_jwt = [("APP_ENV", "prod"), ("JWT_SECRET", SECRET)];
        let error = from_vars(all, &with_jwt).unwrap_err();
        assert!(error.to_string().contains("API_KEYS"), "{error}");

        // Production takes only hashes of OWASP's cost, as `hash-password` makes them.
        let hash = crate::auth::hash_password("pw").unwrap();
        let error = from_vars(
            all,
            &[
                ("APP_ENV", "prod"),
                ("JWT_SECRET", SECRET),
                ("API_KEYS", "a=b"),
            ],
        )
        .unwrap_err();
        assert!(error.to_string().contains("BASIC_USERS"), "{error}");
        let users = format!("u={hash}");
        let complete = [
            ("APP_ENV", "production"),
            ("JWT_SECRET", SECRET),
            ("API_KEYS", "a=b"),
            ("BASIC_USERS", users.as_str()),
        ];
        assert!(from_vars(all, &complete).is_ok());
        // What the API does not use need not be configured.
        assert!(from_vars(Needs::default(), &[("APP_ENV", "production")]).is_ok());
    }

    #[test]
    fn production_refuses_the_templates_placeholders_and_a_short_jwt_secret() {
        let refused = |vars: &[(&str, &str)]| {
            from_vars(Needs::default(), vars)
                .expect_err("refused")
                .to_string()
        };
        let shipped = [
            ("APP_ENV", "production"),
            ("JWT_SECRET", "change-me-to-32-or-more-random-bytes"),
        ];
        assert!(refused(&shipped).contains("placeholder"));
        let short = [("APP_ENV", "production"), ("JWT_SECRET", "0123456789")];
        assert!(refused(&short).contains("shorter than 32 bytes"));
        let key = [("APP_ENV", "prod"), ("API_KEYS", "ci=change-me")];
        assert!(refused(&key).contains("API_KEYS"));
        // Outside production the same values only warn.
        assert!(
            from_vars(
                Needs::default(),
                &[("JWT_SECRET", "change-me-to-32-or-more-random-bytes")]
            )
            .is_ok()
        );
    }

    #[cfg(all(feature = "jwt", feature = "basic-auth"))]
    #[cfg(feature = "jwt")]
    #[test]
    fn production_with_an_identity_providers_keys_requires_audience_and_issuer() {
        // An identity provider's public key (P-256, test only).
        let pem = std::env::temp_dir().join(format!("specgen-idp-{}.pem", std::process::id()));
        std::fs::write(
            &pem,
            "-----BEGIN PUBLIC KEY-----\n\
             MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUPnt0dtUko7w3Ro7XFChdty9F4hT\n\
             Br7bQ9z0d913PVnmJv2M3OOuTFzeQLFnoyF+SFPWDauLqdgm4hf42tkfGA==\n\
             -----END PUBLIC KEY-----\n",
        )
        .unwrap();
        let path = pem.display().to_string();
        let production = |extra: &[(&str, &str)]| {
            let mut vars = vec![
                ("APP_ENV", "production"),
                ("JWT_PUBLIC_KEY_FILE", path.as_str()),
            ];
            vars.extend_from_slice(extra);
            from_vars(Needs::default(), &vars)
        };
        let error = production(&[]).unwrap_err().to_string();
        assert!(error.contains("JWT_AUDIENCE and JWT_ISSUER"), "{error}");
        let error = production(&[("JWT_AUDIENCE", "orders-api")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("set JWT_ISSUER"), "{error}");
        let both = production(&[
            ("JWT_AUDIENCE", "orders-api"),
            ("JWT_ISSUER", "https://id.example.com"),
        ]);
        assert!(both.is_ok(), "{both:?}");
        let development = from_vars(Needs::default(), &[("JWT_PUBLIC_KEY_FILE", path.as_str())]);
        std::fs::remove_file(&pem).ok();
        assert!(development.is_ok(), "development does not insist");
    }

    #[cfg(all(feature = "jwt", feature = "basic-auth"))]
    #[test]
    fn development_uses_an_ephemeral_secret() {
        let needs = Needs {
            bearer: true,
            api_key: true,
            basic: true,
        };
        let config = from_vars(needs, &[]).unwrap();
        let token = mint(&config, "dev", &["posts:read"]);
        let principal = authenticate(&config, &bearer(&token), BEARER_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "dev");
        // Another start, another secret.
        let other = from_vars(needs, &[("APP_ENV", "staging")]).unwrap();
        assert!(authenticate(&other, &bearer(&token), BEARER_ONLY).is_err());
        // No API keys configured: every key is rejected.
        let parts = request("/", &[("x-api-key", "anything")]);
        assert_eq!(
            authenticate(&config, &parts, HEADER_ONLY)
                .unwrap_err()
                .status,
            401
        );
    }

    #[test]
    fn for_tests_configures_what_is_compiled_in() {
        let parts = request("/", &[("x-api-key", "k3y")]);
        let principal = authenticate(config(), &parts, HEADER_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "test");
        let minted = config().mint_token("u", &[], Duration::from_secs(60));
        assert_eq!(minted.is_ok(), cfg!(feature = "jwt"), "{minted:?}");
        let login = authenticate(config(), &basic("alice", "wonderland"), BASIC_ONLY);
        assert_eq!(login.is_ok(), cfg!(feature = "basic-auth"), "{login:?}");
    }
}
