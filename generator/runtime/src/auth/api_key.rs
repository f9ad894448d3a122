//! API keys: parsing `API_KEYS`, reading the key a request presents (header, query or
//! cookie) and finding its id by comparing SHA-256 digests in constant time.
//!
//! Kept apart so the constant-time comparison can be reviewed on its own; it is the one
//! scheme every build has (its crates, sha2 and subtle, are not optional).

use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::{AuthError, Grants, name_and_grants};
use crate::params::Location;

/// The configured API keys (empty when `API_KEYS` is unset: every key is then rejected).
#[derive(Default)]
pub(super) struct ApiKeys(Vec<ApiKey>);

/// One `API_KEYS` entry. Only the SHA-256 of the key is kept, so plain and hashed entries
/// are compared the same way: digest against digest, in constant time and at one length.
struct ApiKey {
    id: String,
    digest: [u8; 32],
    grants: Grants,
    /// Whether the setting held the key itself rather than its digest.
    plaintext: bool,
}

impl ApiKeys {
    /// Parses `API_KEYS`: comma-separated `id=key`, `id=sha256:<64 hex digits>` or bare
    /// `key` entries (the n-th bare key gets the id `key<n>`). An entry is split at its
    /// first `=`, so a key containing `=` needs an id. An id may carry grants:
    /// `ci[products:write role:admin]=key` (see `name_and_grants`).
    pub(super) fn parse(text: &str) -> Result<Self, AuthError> {
        let mut keys: Vec<ApiKey> = Vec::new();
        let mut bare = 0;
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, grants, key) = match entry.split_once('=') {
                Some((id, key)) => {
                    let (id, grants) = name_and_grants(id, "API_KEYS")?;
                    (id, grants, key.trim())
                }
                None => {
                    bare += 1;
                    (format!("key{bare}"), Grants::default(), entry)
                }
            };
            if id.is_empty() {
                return Err(AuthError::new(
                    "API_KEYS: an entry has nothing before its `=`; write `id=key`",
                ));
            }
            if key.is_empty() {
                return Err(AuthError::new(format!(
                    "API_KEYS: the entry `{id}` has an empty key"
                )));
            }
            let digest = match key.strip_prefix("sha256:") {
            Some(hex) => decode_sha256_hex(hex).ok_or_else(|| {
                AuthError::new(format!(
                    "API_KEYS: the entry `{id}` must be `sha256:` followed by the 64 hex digits \
                     of the key's SHA-256 (e.g. `printf %s KEY | sha256sum`)"
                ))
            })?,
            None => sha256(key.as_bytes()),
        };
            if let Some(other) = keys.iter().find(|k| k.id == id || k.digest == digest) {
                return Err(AuthError::new(if other.id == id {
                    format!("API_KEYS: the id `{id}` appears twice")
                } else {
                    format!("API_KEYS: `{}` and `{id}` have the same key", other.id)
                }));
            }
            let plaintext = !key.starts_with("sha256:");
            keys.push(ApiKey {
                id,
                digest,
                grants,
                plaintext,
            });
        }
        Ok(Self(keys))
    }

    /// These keys: `(id, key, roles)`.
    pub(super) fn for_tests(keys: &[(&str, String, Vec<String>)]) -> Self {
        Self(
            keys.iter()
                .map(|(id, key, roles)| ApiKey {
                    id: (*id).to_owned(),
                    digest: sha256(key.as_bytes()),
                    plaintext: true,
                    grants: Grants {
                        scopes: Vec::new(),
                        roles: roles.clone(),
                    },
                })
                .collect(),
        )
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids, for `AuthConfig`'s `Debug` (never a key or a digest).
    /// The ids of the entries that hold the key itself, not its `sha256:` digest: whoever
    /// reads the environment (a crash dump, `kubectl describe`, a debug endpoint) can use
    /// those keys as they are.
    pub(super) fn plaintext_ids(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|key| key.plaintext)
            .map(|key| key.id.as_str())
            .collect()
    }

    pub(super) fn ids(&self) -> Vec<&str> {
        self.0.iter().map(|key| key.id.as_str()).collect()
    }

    /// The id and grants of the API key `presented`, comparing its SHA-256 with every
    /// entry in constant time (no early exit, no data-dependent branch).
    pub(super) fn find(&self, presented: &str) -> Option<(&str, &Grants)> {
        let digest = sha256(presented.as_bytes());
        let mut found = Choice::from(0);
        let mut index = 0u64;
        for (i, key) in self.0.iter().enumerate() {
            let equal = digest[..].ct_eq(&key.digest[..]);
            index = u64::conditional_select(&index, &(i as u64), equal);
            found |= equal;
        }
        if bool::from(found) {
            let index = usize::try_from(index).ok()?;
            self.0.get(index).map(|key| (key.id.as_str(), &key.grants))
        } else {
            None
        }
    }
}

/// The API key sent in `location` under `parameter`: `None` when absent.
pub(super) fn api_key_value(
    parts: &Parts,
    location: Location,
    parameter: &str,
) -> Option<Result<String, &'static str>> {
    match location {
        Location::Header => parts.headers.get(parameter).map(|value| {
            value
                .to_str()
                .map(str::to_owned)
                .map_err(|_| "it is not visible ASCII text")
        }),
        Location::Query => parts.uri.query().and_then(|query| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(name, _)| name == parameter)
                .map(|(_, value)| Ok(value.into_owned()))
        }),
        Location::Cookie => crate::request::cookie_value(&parts.headers, parameter)
            .map(|value| Ok(value.to_owned())),
        // OpenAPI has no `in: path` API keys; nothing can be read from there.
        Location::Path => None,
    }
}

fn decode_sha256_hex(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (byte, pair) in digest.iter_mut().zip(hex.chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(digest)
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::test_support::*;
    use crate::auth::{Needs, Requirement, Scheme, authenticate};

    const QUERY_KEY: Scheme = Scheme::ApiKey {
        name: "queryKey",
        location: Location::Query,
        parameter: "api_key",
    };
    const COOKIE_KEY: Scheme = Scheme::ApiKey {
        name: "cookieKey",
        location: Location::Cookie,
        parameter: "session",
    };

    #[test]
    fn api_keys_are_read_from_header_query_and_cookie() {
        const QUERY_ONLY: &[Requirement] = &[Requirement {
            schemes: &[(QUERY_KEY, &[])],
        }];
        const COOKIE_ONLY: &[Requirement] = &[Requirement {
            schemes: &[(COOKIE_KEY, &[])],
        }];
        let cases = [
            (
                HEADER_ONLY,
                request("/", &[("x-api-key", "k3y")]),
                "headerKey",
            ),
            (
                QUERY_ONLY,
                request("/posts?limit=1&api_key=k3y", &[]),
                "queryKey",
            ),
            (
                COOKIE_ONLY,
                request("/", &[("cookie", "a=b; session=k3y")]),
                "cookieKey",
            ),
        ];
        for (alternatives, parts, scheme) in cases {
            let principal = authenticate(config(), &parts, alternatives)
                .unwrap()
                .unwrap();
            assert_eq!(principal.subject, "test");
            assert_eq!(principal.scheme, scheme);
            // The wrong key in the same place is rejected.
            let wrong = request(
                &parts.uri.to_string().replace("k3y", "nope"),
                &[("x-api-key", "nope"), ("cookie", "session=nope")],
            );
            assert_eq!(
                authenticate(config(), &wrong, alternatives)
                    .unwrap_err()
                    .status,
                401
            );
        }
    }

    #[test]
    fn wrong_or_missing_api_keys_are_401() {
        for parts in [
            request("/", &[("x-api-key", "k3y-wrong")]),
            request("/", &[("x-api-key", "")]),
            request("/?X-API-Key=k3y", &[]),
            request("/", &[]),
        ] {
            let problem = authenticate(config(), &parts, HEADER_ONLY).unwrap_err();
            assert_eq!(problem.status, 401);
            assert_eq!(
                challenges(&problem),
                ["ApiKey realm=\"api\", in=\"header\", name=\"X-API-Key\""]
            );
        }
    }

    #[test]
    fn api_keys_parse_plain_hashed_and_bare_entries() {
        let hashed = format!("{:x}", Sha256::digest(b"hashed-key"));
        let config = from_vars(
            Needs {
                api_key: true,
                ..Needs::default()
            },
            &[(
                "API_KEYS",
                &format!(" admin=plain-key , ci=sha256:{hashed}, bare-one,bare-two"),
            )],
        )
        .unwrap();
        let id = |key: &str| config.api_keys.find(key).map(|(id, _)| id.to_owned());
        assert_eq!(id("plain-key").as_deref(), Some("admin"));
        assert_eq!(id("hashed-key").as_deref(), Some("ci"));
        assert_eq!(id("bare-one").as_deref(), Some("key1"));
        assert_eq!(id("bare-two").as_deref(), Some("key2"));
        // The digest itself is not the key.
        assert_eq!(id(&hashed), None);
        // What production warns of: every entry but the hashed one.
        assert_eq!(config.api_keys.plaintext_ids(), ["admin", "key1", "key2"]);

        let parts = request("/", &[("x-api-key", "hashed-key")]);
        let principal = authenticate(&config, &parts, HEADER_ONLY).unwrap().unwrap();
        assert_eq!(principal.subject, "ci");

        for bad in ["ci=sha256:abc", "=key", "id=", "a=same,b=same", "a=x,a=y"] {
            let error = from_vars(Needs::default(), &[("API_KEYS", bad)]).unwrap_err();
            assert!(error.to_string().starts_with("API_KEYS"), "{error}");
        }
    }
}
