//! HTTP basic authentication: `BASIC_USERS` (user names with argon2 PHC hashes), checking
//! `Authorization: Basic` credentials, and [`hash_password`] for the `hash-password`
//! subcommand.
//!
//! Kept apart because it is the only code that needs argon2: it is compiled with the
//! `basic-auth` feature, and an API without a basic scheme builds the runtime without it
//! (a stand-in in `disabled.rs` takes this module's place).

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{AuthError, Grants, Outcome, Verified, name_and_grants};

/// The configured users (empty when `BASIC_USERS` is unset: every login is then rejected).
pub(super) struct BasicUsers(Vec<BasicUser>);

/// One `BASIC_USERS` entry.
struct BasicUser {
    name: String,
    hash: PasswordHash,
    grants: Grants,
}

/// HTTP basic is compiled in: an API that needs it can have it.
pub(super) fn supported() -> Result<(), AuthError> {
    Ok(())
}

impl BasicUsers {
    /// Parses `BASIC_USERS`: comma-separated `user=<argon2 PHC hash>` entries, each split at
    /// its first `=`; a user may carry grants, `alice[role:admin]=<hash>`.
    ///
    /// Argon2 PHC strings contain commas themselves (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`),
    /// so a comma only ends an entry when the hash so far is past its parameters; a fragment
    /// that continues the parameter list (`t=2`, `p=1$salt$hash`) is glued back on.
    pub(super) fn parse(text: &str) -> Result<Self, AuthError> {
        let mut entries: Vec<String> = Vec::new();
        for fragment in text.split(',') {
            let starts_entry = fragment
                .split_once('=')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('$'));
            match entries.last_mut() {
                Some(entry) if !starts_entry && in_phc_params(entry) => {
                    entry.push(',');
                    entry.push_str(fragment);
                }
                _ => entries.push(fragment.to_owned()),
            }
        }
        let mut users: Vec<BasicUser> = Vec::new();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let Some((name, hash)) = entry.split_once('=') else {
                return Err(AuthError::new(format!(
                    "BASIC_USERS: the entry starting `{}` is not `user=<argon2 hash>`",
                    entry.chars().take(12).collect::<String>()
                )));
            };
            let (name, grants) = name_and_grants(name, "BASIC_USERS")?;
            let (name, hash) = (name.as_str(), hash.trim());
            if name.is_empty() || name.contains(':') {
                return Err(AuthError::new(format!(
                    "BASIC_USERS: `{name}` is not a usable user name (empty, or contains `:`)"
                )));
            }
            let invalid = |why: &str| {
                AuthError::new(format!(
                    "BASIC_USERS: the hash for `{name}` {why}; make one with the `hash-password` \
                 subcommand (and quote the value: it contains `$`)"
                ))
            };
            let hash = PasswordHash::new(hash).map_err(|_| invalid("is not a PHC string"))?;
            argon2::Algorithm::try_from(hash.algorithm.as_str())
                .map_err(|_| invalid("is not an argon2 hash"))?;
            argon2::Params::try_from(&hash)
                .map_err(|_| invalid("has invalid argon2 parameters"))?;
            if hash.salt.is_none() || hash.hash.is_none() {
                return Err(invalid("has no salt or no hash"));
            }
            if users.iter().any(|user| user.name == name) {
                return Err(AuthError::new(format!(
                    "BASIC_USERS: the user `{name}` appears twice"
                )));
            }
            users.push(BasicUser {
                name: name.to_owned(),
                hash,
                grants,
            });
        }
        Ok(Self(users))
    }

    /// These users, `(name, password, roles)`, hashed here with argon2's minimum cost
    /// (8 KiB, one pass) so test suites stay fast in debug builds; production hashes come
    /// from [`hash_password`], whose cost is argon2's recommended default.
    pub(super) fn for_tests(users: &[(&str, String, Vec<String>)]) -> Self {
        let cheap = argon2::Params::new(argon2::Params::MIN_M_COST, 1, 1, None)
            .expect("argon2's minimum parameters are valid");
        let argon2 = Argon2::new(
            argon2::Algorithm::default(),
            argon2::Version::default(),
            cheap,
        );
        Self(
            users
                .iter()
                .map(|(name, password, roles)| BasicUser {
                    name: (*name).to_owned(),
                    hash: argon2
                        .hash_password(password.as_bytes())
                        .expect("hashing a test password with a fresh salt succeeds"),
                    grants: Grants {
                        scopes: Vec::new(),
                        roles: roles.clone(),
                    },
                })
                .collect(),
        )
    }

    /// The users whose hashes cost less than OWASP's minimum for argon2id: 19 MiB with two
    /// passes, or as much memory × passes with at least 7 MiB (47 MiB × 1, 12 MiB × 3...).
    pub(super) fn weakly_hashed(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|user| {
                argon2::Params::try_from(&user.hash).is_ok_and(|params| {
                    let memory = u64::from(params.m_cost());
                    memory < 7 * 1024 || memory * u64::from(params.t_cost()) < 35 * 1024
                })
            })
            .map(|user| user.name.as_str())
            .collect()
    }

    /// No user (`BASIC_USERS` unset).
    pub(super) fn empty() -> Self {
        Self(Vec::new())
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The user names, for `AuthConfig`'s `Debug` (never a hash).
    pub(super) fn names(&self) -> Vec<&str> {
        self.0.iter().map(|user| user.name.as_str()).collect()
    }

    /// Checks `Authorization: Basic` credentials. An unknown user still costs one argon2
    /// verification (against the first user's hash), so response times do not reveal which
    /// user names exist.
    pub(super) fn verify(&self, credentials: &str) -> Outcome {
        const WRONG: &str = "the user name or password is wrong";
        let Ok(decoded) = BASE64.decode(credentials) else {
            return Outcome::Invalid("the Basic credentials are not base64".into());
        };
        let Some(colon) = decoded.iter().position(|&byte| byte == b':') else {
            return Outcome::Invalid("the Basic credentials are not `user:password`".into());
        };
        let (user, password) = (&decoded[..colon], &decoded[colon + 1..]);
        let argon2 = Argon2::default();
        let found = std::str::from_utf8(user)
            .ok()
            .and_then(|user| self.0.iter().find(|entry| entry.name == user));
        match found {
            Some(entry) if argon2.verify_password(password, &entry.hash).is_ok() => {
                Outcome::Valid(Verified {
                    subject: entry.name.clone(),
                    scopes: entry.grants.scopes.clone(),
                    roles: entry.grants.roles.clone(),
                })
            }
            Some(_) => Outcome::Invalid(WRONG.into()),
            None => {
                if let Some(first) = self.0.first() {
                    let _ = argon2.verify_password(password, &first.hash);
                }
                Outcome::Invalid(WRONG.into())
            }
        }
    }
}

/// An argon2id PHC hash of `password` with a fresh random salt and argon2's recommended
/// cost, for `BASIC_USERS`.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.is_empty() {
        return Err(AuthError::new("the password is empty"));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| AuthError::new(format!("cannot hash the password: {error}")))
}

/// Whether a `BASIC_USERS` entry being read ends inside its hash's parameter list
/// (`...$m=19456`), where a comma separates parameters rather than entries.
fn in_phc_params(entry: &str) -> bool {
    match entry.split_once('=') {
        Some((_, hash)) if hash.trim_start().starts_with('$') => hash
            .rsplit('$')
            .next()
            .is_some_and(|last| last.contains('=')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::test_support::*;
    use crate::auth::{Needs, authenticate};

    #[test]
    fn production_refuses_a_hash_cheaper_than_owasps_minimum_and_development_warns() {
        let weak = format!("ann={}", cheap_hash("pw"));
        let error = from_vars(
            Needs::default(),
            &[("APP_ENV", "production"), ("BASIC_USERS", weak.as_str())],
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("`ann` uses argon2 parameters below OWASP's minimum"),
            "{error}"
        );
        assert!(from_vars(Needs::default(), &[("BASIC_USERS", weak.as_str())]).is_ok());

        let strong = format!("ann={}", hash_password("pw").unwrap());
        let users = BasicUsers::parse(&strong).unwrap();
        assert!(
            users.weakly_hashed().is_empty(),
            "what `hash-password` makes passes: {strong}"
        );
    }

    #[test]
    fn basic_credentials_are_checked_with_argon2() {
        let principal = authenticate(config(), &basic("alice", "wonderland"), BASIC_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "alice");
        assert_eq!(principal.scheme, "basicAuth");
        for parts in [
            basic("alice", "wrong"),
            basic("bob", "wonderland"),
            request("/", &[("authorization", "Basic !!notbase64")]),
            request("/", &[]),
        ] {
            let problem = authenticate(config(), &parts, BASIC_ONLY).unwrap_err();
            assert_eq!(problem.status, 401);
            assert_eq!(challenges(&problem), ["Basic realm=\"api\""]);
        }
    }

    #[test]
    fn basic_users_parse_phc_hashes_with_commas() {
        let (one, two) = (cheap_hash("first"), cheap_hash("second"));
        assert!(
            one.contains(','),
            "PHC parameters are comma-separated: {one}"
        );
        let config = from_vars(
            Needs {
                basic: true,
                ..Needs::default()
            },
            &[("BASIC_USERS", &format!("ann={one}, bo={two}"))],
        )
        .unwrap();
        assert!(authenticate(&config, &basic("ann", "first"), BASIC_ONLY).is_ok());
        assert!(authenticate(&config, &basic("bo", "second"), BASIC_ONLY).is_ok());
        assert!(authenticate(&config, &basic("bo", "first"), BASIC_ONLY).is_err());

        for bad in [
            "ann=plaintext",
            "ann",
            "a:b=$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
        ] {
            let error = from_vars(Needs::default(), &[("BASIC_USERS", bad)]).unwrap_err();
            assert!(error.to_string().starts_with("BASIC_USERS"), "{error}");
        }
    }

    #[test]
    fn hash_password_makes_verifiable_argon2id_hashes() {
        let hash = hash_password("s3cret").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        let users = BasicUsers::parse(&format!("me={hash}")).unwrap();
        assert_eq!(users.names(), ["me"]);
        assert!(hash_password("").is_err());
    }
}
