//! Stand-ins for the schemes a runtime was built without: the same API as `jwt.rs` (without
//! the `jwt` feature) and `basic.rs` (without `basic-auth`), where every call that would
//! need the scheme is an error.
//!
//! The generator turns the features off when the spec has no bearer or no basic scheme, so
//! the server does not compile jsonwebtoken's or argon2's crates for nothing; the stand-ins
//! keep the rest of the crate, the generated router and the scaffold's `token` and
//! `hash-password` subcommands compiling unchanged. A configuration that needs a missing
//! scheme is refused at start-up, and a request that presents its credentials gets 401.

#[cfg(not(feature = "jwt"))]
pub(super) mod jwt {
    use std::borrow::Cow;
    use std::time::Duration;

    use crate::auth::{AuthError, Verified};

    /// Why a bearer token is not accepted, for the 401.
    const NO_JWT: &str = "this server was built without bearer token support";

    /// No bearer scheme: nothing is configured, no token verifies.
    pub(in crate::auth) struct Bearer;

    /// An API that needs bearer tokens cannot run on this build.
    pub(in crate::auth) fn supported() -> Result<(), AuthError> {
        Err(AuthError::new(
            "this API accepts bearer tokens, but the runtime was built without the `jwt` \
             feature: enable it (`specgen-runtime` with `features = [\"jwt\"]`) or regenerate \
             the project",
        ))
    }

    impl Bearer {
        /// Warns when `JWT_*` variables are set: nothing reads them in this build.
        pub(in crate::auth) fn from_vars(
            var: &impl Fn(&str) -> Option<String>,
        ) -> Result<Self, AuthError> {
            let names = [
                "JWT_SECRET",
                "JWT_PUBLIC_KEY_FILE",
                "JWT_JWKS_FILE",
                "JWT_ISSUER",
                "JWT_AUDIENCE",
            ];
            let set: Vec<&str> = names
                .into_iter()
                .filter(|name| var(name).is_some())
                .collect();
            if !set.is_empty() {
                tracing::warn!(
                    "{} set, but this API has no bearer scheme (the runtime was built without \
                     the `jwt` feature): ignored",
                    set.join(", ")
                );
            }
            Ok(Self)
        }

        pub(in crate::auth) fn for_tests(_secret: &str) -> Self {
            Self
        }

        pub(in crate::auth) fn has_keys(&self) -> bool {
            false
        }

        /// Never reached: [`supported`] refuses an API that needs bearer tokens first.
        pub(in crate::auth) fn add_ephemeral_secret(&mut self) {}

        pub(in crate::auth) fn describe(&self, debug: &mut std::fmt::DebugStruct<'_, '_>) {
            debug.field("bearer", &"not built (no `jwt` feature)");
        }

        pub(in crate::auth) fn mint(
            &self,
            _subject: &str,
            _scopes: &[String],
            _roles: &[String],
            _ttl: Duration,
        ) -> Result<String, AuthError> {
            Err(AuthError::new(
                "this API has no bearer scheme, so there are no tokens to mint (the runtime was \
                 built without the `jwt` feature)",
            ))
        }

        pub(in crate::auth) fn verify(&self, _token: &str) -> Result<Verified, Cow<'static, str>> {
            Err(Cow::Borrowed(NO_JWT))
        }
    }

    #[cfg(test)]
    mod tests {
        use std::time::Duration;

        use crate::auth::test_support::*;
        use crate::auth::{Needs, authenticate};

        #[test]
        fn minting_says_the_api_has_no_bearer_scheme() {
            let error = config()
                .mint_token("u", &[], Duration::from_secs(60))
                .unwrap_err();
            assert!(error.to_string().contains("no bearer scheme"), "{error}");
        }

        #[test]
        fn an_api_that_needs_bearer_tokens_is_refused_at_start_up() {
            let needs = Needs {
                bearer: true,
                ..Needs::default()
            };
            let production = [("APP_ENV", "production"), ("JWT_SECRET", SECRET)];
            for vars in [&[][..], &[("JWT_SECRET", SECRET)], &production] {
                let error = from_vars(needs, vars).unwrap_err();
                let message = error.to_string();
                assert!(message.contains("without the `jwt` feature"), "{message}");
            }
            // An API without bearer schemes ignores the variables (with a warning).
            assert!(from_vars(Needs::default(), &[("JWT_SECRET", SECRET)]).is_ok());
        }

        #[test]
        fn a_bearer_token_never_authenticates() {
            let problem = authenticate(config(), &bearer("a.b.c"), BEARER_ONLY).unwrap_err();
            assert_eq!(problem.status, 401);
            let detail = problem.detail.clone().unwrap();
            assert!(detail.contains("without bearer token support"), "{detail}");
            assert!(
                challenges(&problem)[0]
                    .starts_with("Bearer realm=\"api\", error=\"invalid_token\""),
                "{:?}",
                challenges(&problem)
            );
        }
    }
}

#[cfg(not(feature = "basic-auth"))]
pub(super) mod basic {
    use crate::auth::{AuthError, Outcome};

    /// No basic scheme: no users, no login succeeds.
    pub(in crate::auth) struct BasicUsers;

    /// An API that needs HTTP basic cannot run on this build.
    pub(in crate::auth) fn supported() -> Result<(), AuthError> {
        Err(AuthError::new(
            "this API accepts HTTP basic authentication, but the runtime was built without the \
             `basic-auth` feature: enable it (`specgen-runtime` with `features = \
             [\"basic-auth\"]`) or regenerate the project",
        ))
    }

    /// There is no basic scheme to hash passwords for.
    pub fn hash_password(_password: &str) -> Result<String, AuthError> {
        Err(AuthError::new(
            "this API has no HTTP basic scheme, so there are no passwords to hash (the runtime \
             was built without the `basic-auth` feature)",
        ))
    }

    impl BasicUsers {
        /// `BASIC_USERS` is set, but no operation accepts HTTP basic: ignored with a warning,
        /// as `JWT_*` is without bearer schemes. (An environment shared by several services
        /// may well set it; no operation of this one lets those users in.)
        pub(in crate::auth) fn parse(_text: &str) -> Result<Self, AuthError> {
            tracing::warn!(
                "BASIC_USERS is set, but this API has no HTTP basic scheme (the runtime was built \
                 without the `basic-auth` feature): ignored"
            );
            Ok(Self)
        }

        pub(in crate::auth) fn for_tests(_users: &[(&str, String, Vec<String>)]) -> Self {
            Self
        }

        pub(in crate::auth) fn empty() -> Self {
            Self
        }

        pub(in crate::auth) fn weakly_hashed(&self) -> Vec<&str> {
            Vec::new()
        }

        pub(in crate::auth) fn is_empty(&self) -> bool {
            true
        }

        pub(in crate::auth) fn names(&self) -> Vec<&str> {
            Vec::new()
        }

        pub(in crate::auth) fn verify(&self, _credentials: &str) -> Outcome {
            Outcome::Invalid("this server was built without HTTP basic authentication".into())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::hash_password;
        use crate::auth::test_support::*;
        use crate::auth::{Needs, authenticate};

        #[test]
        fn hashing_says_the_api_has_no_basic_scheme() {
            let error = hash_password("s3cret").unwrap_err();
            assert!(
                error.to_string().contains("no HTTP basic scheme"),
                "{error}"
            );
        }

        #[test]
        fn an_api_that_needs_basic_users_is_refused_at_start_up_and_others_ignore_them() {
            let users = [(
                "BASIC_USERS",
                "u=$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            )];
            let config = from_vars(Needs::default(), &users).expect("ignored, with a warning");
            assert!(
                authenticate(&config, &basic("u", "anything"), BASIC_ONLY).is_err(),
                "nobody logs in with the ignored users"
            );
            let needs = Needs {
                basic: true,
                ..Needs::default()
            };
            for vars in [&[][..], &[("APP_ENV", "production")]] {
                let error = from_vars(needs, vars).unwrap_err();
                let message = error.to_string();
                assert!(
                    message.contains("without the `basic-auth` feature"),
                    "{message}"
                );
            }
        }

        #[test]
        fn basic_credentials_never_authenticate() {
            let problem =
                authenticate(config(), &basic("alice", "wonderland"), BASIC_ONLY).unwrap_err();
            assert_eq!(problem.status, 401);
            assert_eq!(challenges(&problem), ["Basic realm=\"api\""]);
            let detail = problem.detail.clone().unwrap();
            assert!(detail.contains("without HTTP basic"), "{detail}");
        }
    }
}
