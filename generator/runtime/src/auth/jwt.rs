//! Bearer tokens: the keys that verify them (`JWT_SECRET`, a PEM public key, a JWK Set),
//! the claims policy, minting HS256 tokens, and why a token was rejected.
//!
//! Kept apart because it is the only code that needs jsonwebtoken and its RSA/EC/EdDSA
//! crates: it is compiled with the `jwt` feature, and an API without a bearer scheme builds
//! the runtime without it (a stand-in in `disabled.rs` takes this module's place).

use std::borrow::Cow;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;

use super::{AuthError, Verified};

/// What checks bearer tokens: the keys and the claims policy.
pub(super) struct Bearer {
    /// Keys that verify bearer tokens, from `JWT_SECRET`, `JWT_PUBLIC_KEY_FILE` and
    /// `JWT_JWKS_FILE`, in that order.
    verify_keys: Vec<VerifyKey>,
    /// The HS256 key that signs minted tokens (`JWT_SECRET` or the ephemeral one).
    signing_key: Option<EncodingKey>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    /// Where a token keeps its roles (`JWT_ROLES_CLAIM`, default `roles`), as a path of
    /// claim names: `realm_access.roles` (Keycloak) is `["realm_access", "roles"]`.
    roles_claim: Vec<String>,
    /// The longest a token may still live when it is presented (`JWT_MAX_TTL_SECS`,
    /// default a day; `0`: no bound). A token minted for a year is a credential that
    /// outlives every rotation and every departure; this bounds what a stolen one is worth
    /// without a revocation list.
    max_ttl: Option<Duration>,
    /// How far the issuer's clock may be off (`JWT_LEEWAY_SECS`, default 60): a token is
    /// still accepted this long after its `exp`, and this long before its `nbf`.
    leeway_secs: u64,
    /// The claims policy for each algorithm some key accepts, built once from the keys,
    /// issuers and audiences: a `Validation` holds hash sets, and building one per request
    /// cost a tenth of a token check.
    validations: Vec<Validation>,
}

/// A key that verifies bearer tokens, with the algorithms it accepts. Restricting each key
/// to its own family stops algorithm confusion (an HS256 token "signed" with a public key).
struct VerifyKey {
    /// The JWKS `kid`; `None` for `JWT_SECRET` and `JWT_PUBLIC_KEY_FILE`.
    kid: Option<String>,
    algorithms: Vec<Algorithm>,
    key: DecodingKey,
}

/// The bearer scheme is compiled in: an API that needs it can have it.
pub(super) fn supported() -> Result<(), AuthError> {
    Ok(())
}

impl Bearer {
    /// Reads `JWT_SECRET`, `JWT_PUBLIC_KEY_FILE`, `JWT_JWKS_FILE`, `JWT_ISSUER` and
    /// `JWT_AUDIENCE` through `var` (which treats blank values as unset). No key at all is
    /// not an error here: whether the API needs one is the caller's policy.
    pub(super) fn from_vars(var: &impl Fn(&str) -> Option<String>) -> Result<Self, AuthError> {
        let mut verify_keys = Vec::new();
        let mut signing_key = None;
        if let Some(secret) = var("JWT_SECRET") {
            if secret.len() < 32 {
                tracing::warn!(
                    "JWT_SECRET is shorter than 32 bytes; HS256 needs a random secret of at least 256 bits"
                );
            }
            verify_keys.push(hmac_key(secret.as_bytes()));
            signing_key = Some(EncodingKey::from_secret(secret.as_bytes()));
        }
        if let Some(path) = var("JWT_PUBLIC_KEY_FILE") {
            verify_keys.push(read_public_key(path.trim())?);
        }
        if let Some(path) = var("JWT_JWKS_FILE") {
            verify_keys.extend(read_jwks(path.trim())?);
        }
        let issuers = list(var("JWT_ISSUER"));
        let audiences = list(var("JWT_AUDIENCE"));
        let roles_claim = roles_claim(var("JWT_ROLES_CLAIM").as_deref())?;
        let leeway_secs = match var("JWT_LEEWAY_SECS") {
            None => DEFAULT_LEEWAY_SECS,
            Some(text) => text.trim().parse::<u64>().map_err(|_| {
                AuthError::new(format!(
                    "JWT_LEEWAY_SECS must be a number of seconds, got `{text}`"
                ))
            })?,
        };
        let max_ttl = match var("JWT_MAX_TTL_SECS") {
            None => Some(DEFAULT_MAX_TTL),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(0) => None,
                Ok(seconds) => Some(Duration::from_secs(seconds)),
                Err(_) => {
                    return Err(AuthError::new(format!(
                        "JWT_MAX_TTL_SECS must be a number of seconds (0: no bound), got `{text}`"
                    )));
                }
            },
        };
        Ok(Self {
            validations: validations(&verify_keys, &issuers, &audiences, leeway_secs),
            verify_keys,
            signing_key,
            issuers,
            audiences,
            roles_claim,
            max_ttl,
            leeway_secs,
        })
    }

    /// HS256 secret `secret`, no issuer or audience check.
    pub(super) fn for_tests(secret: &str) -> Self {
        let verify_keys = vec![hmac_key(secret.as_bytes())];
        Self {
            validations: validations(&verify_keys, &[], &[], DEFAULT_LEEWAY_SECS),
            verify_keys,
            signing_key: Some(EncodingKey::from_secret(secret.as_bytes())),
            issuers: Vec::new(),
            audiences: Vec::new(),
            roles_claim: vec![DEFAULT_ROLES_CLAIM.to_owned()],
            max_ttl: Some(DEFAULT_MAX_TTL),
            leeway_secs: DEFAULT_LEEWAY_SECS,
        }
    }

    /// Whether some key verifies tokens.
    pub(super) fn has_keys(&self) -> bool {
        !self.verify_keys.is_empty()
    }

    /// Verifies and signs tokens with a random HS256 secret that lives as long as the
    /// process (development only: the caller decides when).
    pub(super) fn add_ephemeral_secret(&mut self) {
        let secret = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        self.verify_keys.push(hmac_key(secret.as_bytes()));
        self.signing_key = Some(EncodingKey::from_secret(secret.as_bytes()));
        self.validations = validations(
            &self.verify_keys,
            &self.issuers,
            &self.audiences,
            self.leeway_secs,
        );
    }

    /// What is configured, never a secret (for `AuthConfig`'s `Debug`).
    pub(super) fn describe(&self, debug: &mut std::fmt::DebugStruct<'_, '_>) {
        debug
            .field("verify_keys", &self.verify_keys.len())
            .field("can_mint", &self.signing_key.is_some())
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("roles_claim", &self.roles_claim.join("."));
    }

    /// See [`super::AuthConfig::mint_token`].
    pub(super) fn mint(
        &self,
        subject: &str,
        scopes: &[String],
        roles: &[String],
        ttl: Duration,
    ) -> Result<String, AuthError> {
        let Some(key) = &self.signing_key else {
            return Err(AuthError::new(
                "minting a token needs JWT_SECRET (HS256); with JWT_PUBLIC_KEY_FILE or \
                 JWT_JWKS_FILE, tokens come from the identity provider that holds the private key",
            ));
        };
        if subject.is_empty() {
            return Err(AuthError::new("the token's subject must not be empty"));
        }
        if let Some(scope) = scopes
            .iter()
            .find(|s| s.is_empty() || s.chars().any(char::is_whitespace))
        {
            return Err(AuthError::new(format!(
                "scope `{scope}` is empty or contains whitespace; give each scope separately"
            )));
        }
        if let Some(role) = roles.iter().find(|r| r.is_empty()) {
            return Err(AuthError::new(format!("role `{role}` is empty")));
        }
        if let Some(max_ttl) = self.max_ttl
            && ttl > max_ttl
        {
            return Err(AuthError::new(format!(
                "a token for {} s would be refused: this server accepts tokens that live at \
                 most {} s (JWT_MAX_TTL_SECS)",
                ttl.as_secs(),
                max_ttl.as_secs()
            )));
        }
        let now = jsonwebtoken::get_current_timestamp();
        let minted = MintedClaims {
            sub: subject,
            scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
            iat: now,
            nbf: now,
            exp: now.saturating_add(ttl.as_secs()),
            iss: self.issuers.first().map(String::as_str),
            aud: self.audiences.first().map(String::as_str),
        };
        let mut claims = serde_json::to_value(&minted)
            .map_err(|error| AuthError::new(format!("cannot write the token's claims: {error}")))?;
        if !roles.is_empty() {
            // The roles go where verification reads them, nested for a dotted claim.
            let mut value = serde_json::json!(roles);
            for name in self.roles_claim.iter().rev() {
                value = serde_json::json!({ name.as_str(): value });
            }
            if let (Some(claims), serde_json::Value::Object(roles)) =
                (claims.as_object_mut(), value)
            {
                claims.extend(roles);
            }
        }
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, key)
            .map_err(|error| AuthError::new(format!("cannot sign the token: {error}")))
    }

    /// Verifies a bearer token: signature (key picked by `kid` and `alg`), `exp` (required),
    /// `nbf`, `iss` and `aud` (required and checked when configured), `sub` (required).
    pub(super) fn verify(&self, token: &str) -> Result<Verified, Cow<'static, str>> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Cow::Borrowed("the token is not a well-formed JWT"))?;
        let key = self.key_for(&header).ok_or(Cow::Borrowed(
            "no configured key verifies tokens with this `kid` and `alg`",
        ))?;
        let validation = self
            .validations
            .iter()
            .find(|validation| validation.algorithms == [header.alg])
            .ok_or(Cow::Borrowed(
                "no configured key verifies tokens with this `kid` and `alg`",
            ))?;
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token, key, validation,
        )
        .map_err(|error| describe_jwt_error(error.kind()))?;
        let mut claims = data.claims;
        if let Some(max_ttl) = self.max_ttl {
            let expires = claims.get("exp").and_then(serde_json::Value::as_f64);
            let now = jsonwebtoken::get_current_timestamp() as f64;
            // The same leeway for the issuer's clock as for `exp` itself.
            if expires.is_some_and(|exp| exp - now > (max_ttl.as_secs() + self.leeway_secs) as f64)
            {
                return Err(Cow::Borrowed(
                    "the token lives longer than this server accepts (JWT_MAX_TTL_SECS)",
                ));
            }
        }
        let subject = match claims.remove("sub") {
            Some(serde_json::Value::String(subject)) => subject,
            Some(_) => return Err(Cow::Borrowed("the token's `sub` claim is not a string")),
            None => return Err(Cow::Borrowed("the token has no `sub` claim")),
        };
        let mut scopes = Vec::new();
        for name in ["scope", "scp"] {
            for scope in claims.get(name).map(words).unwrap_or_default() {
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
        }
        let mut roles_at = claims.get(self.roles_claim[0].as_str());
        for name in &self.roles_claim[1..] {
            roles_at = roles_at.and_then(|value| value.get(name.as_str()));
        }
        let roles = roles_at.map(words).unwrap_or_default();
        Ok(Verified {
            subject,
            scopes,
            roles,
        })
    }

    /// The key for a token: a JWKS key with the token's `kid`, else a key without a `kid`
    /// (the secret or the PEM key) that accepts the token's `alg`.
    fn key_for(&self, header: &Header) -> Option<&DecodingKey> {
        let accepts = |key: &&VerifyKey| key.algorithms.contains(&header.alg);
        let by_kid = header.kid.as_deref().and_then(|kid| {
            self.verify_keys
                .iter()
                .filter(|key| key.kid.as_deref() == Some(kid))
                .find(accepts)
        });
        by_kid
            .or_else(|| {
                self.verify_keys
                    .iter()
                    .filter(|key| key.kid.is_none())
                    .find(accepts)
            })
            .map(|key| &key.key)
    }
}

/// The claims policy for each algorithm the keys accept: signature by that algorithm, `exp`
/// and `sub` required, `nbf` checked, `iss` and `aud` required and checked when configured.
fn validations(
    keys: &[VerifyKey],
    issuers: &[String],
    audiences: &[String],
    leeway_secs: u64,
) -> Vec<Validation> {
    let mut algorithms: Vec<Algorithm> = Vec::new();
    for &algorithm in keys.iter().flat_map(|key| &key.algorithms) {
        if !algorithms.contains(&algorithm) {
            algorithms.push(algorithm);
        }
    }
    algorithms
        .into_iter()
        .map(|algorithm| {
            let mut validation = Validation::new(algorithm);
            validation.validate_nbf = true;
            validation.leeway = leeway_secs;
            let mut required = vec!["exp", "sub"];
            if !issuers.is_empty() {
                validation.set_issuer(issuers);
                required.push("iss");
            }
            if audiences.is_empty() {
                // Not configured, not checked: a token for another audience is the
                // operator's call, and jsonwebtoken would otherwise reject every token that
                // has an `aud`.
                validation.validate_aud = false;
            } else {
                validation.set_audience(audiences);
                required.push("aud");
            }
            validation.set_required_spec_claims(&required);
            validation
        })
        .collect()
}

/// How far an issuer's clock may be off when `JWT_LEEWAY_SECS` is unset: a minute (the
/// JWT library's own default, now stated).
const DEFAULT_LEEWAY_SECS: u64 = 60;

/// How long a token may still live when `JWT_MAX_TTL_SECS` is unset: a day.
const DEFAULT_MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The claim that holds a token's roles when `JWT_ROLES_CLAIM` is unset.
const DEFAULT_ROLES_CLAIM: &str = "roles";

/// `JWT_ROLES_CLAIM` as a path of claim names (`realm_access.roles`).
fn roles_claim(setting: Option<&str>) -> Result<Vec<String>, AuthError> {
    let path: Vec<String> = setting
        .unwrap_or(DEFAULT_ROLES_CLAIM)
        .trim()
        .split('.')
        .map(str::to_owned)
        .collect();
    if path.iter().any(String::is_empty) {
        return Err(AuthError::new(format!(
            "JWT_ROLES_CLAIM: `{}` is not a claim name or a dotted path of them (`realm_access.roles`)",
            setting.unwrap_or_default()
        )));
    }
    Ok(path)
}

/// The words of a scopes or roles claim: a space-separated string (RFC 8693's `scope`) or
/// an array of strings (`scp` at Microsoft and Okta, most roles claims); both forms are
/// accepted in every such claim, and anything else holds none.
fn words(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::String(text) => text.split_whitespace().map(str::to_owned).collect(),
        serde_json::Value::Array(list) => list
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The claims of a minted token.
#[derive(Serialize)]
struct MintedClaims<'a> {
    sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    iat: u64,
    nbf: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

/// Why a token was rejected, for `error_description` (RFC 6750 allows no `"` or `\` here).
fn describe_jwt_error(kind: &ErrorKind) -> Cow<'static, str> {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (`nbf`)".into(),
        ErrorKind::InvalidIssuer => "the token's issuer (`iss`) is not accepted".into(),
        ErrorKind::InvalidAudience => "the token's audience (`aud`) is not accepted".into(),
        ErrorKind::InvalidSignature => "the token's signature does not verify".into(),
        ErrorKind::InvalidAlgorithm => "the token's algorithm is not accepted".into(),
        ErrorKind::MissingRequiredClaim(claim) => {
            format!("the token has no `{claim}` claim").into()
        }
        ErrorKind::InvalidClaimFormat(claim) => {
            format!("the token's `{claim}` claim is malformed").into()
        }
        ErrorKind::Json(_) => "the token's claims are malformed".into(),
        _ => "the token is malformed".into(),
    }
}

/// A comma-separated variable as a list, blanks dropped.
fn list(value: Option<String>) -> Vec<String> {
    value
        .map(|text| {
            text.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn hmac_key(secret: &[u8]) -> VerifyKey {
    VerifyKey {
        kid: None,
        algorithms: vec![Algorithm::HS256, Algorithm::HS384, Algorithm::HS512],
        key: DecodingKey::from_secret(secret),
    }
}

/// Reads `JWT_PUBLIC_KEY_FILE`: an RSA, EC or Ed25519 public key (or certificate) in PEM.
fn read_public_key(path: &str) -> Result<VerifyKey, AuthError> {
    let pem = std::fs::read(path).map_err(|error| {
        AuthError::new(format!(
            "JWT_PUBLIC_KEY_FILE: cannot read `{path}`: {error}"
        ))
    })?;
    if pem.windows(11).any(|window| window == b"PRIVATE KEY") {
        return Err(AuthError::new(format!(
            "JWT_PUBLIC_KEY_FILE: `{path}` holds a private key; give the server only the public \
             key (e.g. `openssl pkey -in private.pem -pubout -out public.pem`)"
        )));
    }
    let key = DecodingKey::from_rsa_pem(&pem)
        .or_else(|_| DecodingKey::from_ec_pem(&pem))
        .or_else(|_| DecodingKey::from_ed_pem(&pem))
        .map_err(|_| {
            AuthError::new(format!(
                "JWT_PUBLIC_KEY_FILE: `{path}` is not an RSA, EC or Ed25519 public key in PEM \
                 format (`-----BEGIN PUBLIC KEY-----`)"
            ))
        })?;
    Ok(VerifyKey {
        kid: None,
        algorithms: key.family().algorithms().to_vec(),
        key,
    })
}

/// Reads `JWT_JWKS_FILE`: a JWK Set (`{"keys": [...]}`). Encryption keys and key types
/// jsonwebtoken cannot verify with are skipped with a warning; a key's `alg`, when given,
/// is the only algorithm it accepts.
fn read_jwks(path: &str) -> Result<Vec<VerifyKey>, AuthError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| AuthError::new(format!("JWT_JWKS_FILE: cannot read `{path}`: {error}")))?;
    let set: JwkSet = serde_json::from_str(&text).map_err(|error| {
        AuthError::new(format!(
            "JWT_JWKS_FILE: `{path}` is not a JWK Set (`{{\"keys\": [...]}}`): {error}"
        ))
    })?;
    let mut keys = Vec::new();
    for jwk in &set.keys {
        let kid = jwk.common.key_id.clone();
        if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
            continue;
        }
        let key = match DecodingKey::from_jwk(jwk) {
            Ok(key) => key,
            Err(error) => {
                tracing::warn!(?kid, %error, "JWT_JWKS_FILE: skipping a key that cannot verify tokens");
                continue;
            }
        };
        let algorithms = match jwk.common.key_algorithm.map(Algorithm::try_from) {
            None => key.family().algorithms().to_vec(),
            Some(Ok(algorithm)) if algorithm.family() == key.family() => vec![algorithm],
            Some(_) => {
                tracing::warn!(
                    ?kid,
                    "JWT_JWKS_FILE: skipping a key whose `alg` does not fit it"
                );
                continue;
            }
        };
        keys.push(VerifyKey {
            kid,
            algorithms,
            key,
        });
    }
    if keys.is_empty() {
        return Err(AuthError::new(format!(
            "JWT_JWKS_FILE: `{path}` has no key that can verify tokens"
        )));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::auth::test_support::*;
    use crate::auth::{Needs, authenticate};
    use crate::context::Principal;
    use crate::problem::Problem;

    // A P-256 key pair made for these tests only (never used anywhere else).
    const EC_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQguGni1xeO7Od4Jc3Q
/mmxWioON9/iT531VvSYVw8ukamhRANCAARQ+e3R21SSjvDdGjtcUKF23L0XiFMG
vttD3PR33Xc9WeYm/Yzc465MXN5AsWejIX5IU9YNq4up2CbiF/ja2R8Y
-----END PRIVATE KEY-----
";
    const EC_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUPnt0dtUko7w3Ro7XFChdty9F4hT
Br7bQ9z0d913PVnmJv2M3OOuTFzeQLFnoyF+SFPWDauLqdgm4hf42tkfGA==
-----END PUBLIC KEY-----
";
    const EC_X: &str = "UPnt0dtUko7w3Ro7XFChdty9F4hTBr7bQ9z0d913PVk";
    const EC_Y: &str = "5ib9jNzjrkxc3kCxZ6MhfkhT1g2ri6nYJuIX-NrZHxg";
    // The public half of a test-only RSA key, and an RS256 token it signed (kid `rsa-1`,
    // sub `rsa-user`, scope `read`, exp 2100-01-01).
    const RSA_N: &str = "rG_XLowOWlqkqFjQ9BqtMtOsknwpX44xRVlk3Cs00-N1pI3r_gqtrirZLqJScVNAjel2PLk4rQeb-jXf97M-dn2rbmNPyxmlP6geGx7sXPYLkHPkfcfI25H64sZEf5C3sCTA0lAtR8ays3rABTlGtxLN-1hJCWHxkLaLuE53wq1WzDGlXcOpXqccdoFYuiCjBZ7V-u6gqNXfHRjIl1L3YyE98dnRDkOknX9pq0jGUfBZ6KdTwfbssAM7lmkGyadcYkfUo_UgOJwMIOI5U_8kYns73s7ln6SD2zT4hPi_VUQGufQuSOsO0Ta0AzSYjAa6WYfxRZrHZ84yydo3zfkGfw";
    const RSA_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InJzYS0xIn0.eyJzdWIiOiJyc2EtdXNlciIsInNjb3BlIjoicmVhZCIsImV4cCI6NDEwMjQ0NDgwMH0.WitjsjvI4qmyxlKYOYG7LHm2RfzjNkCkiS7Gi57SRsWn0MP-8uJfmrQn_mLNZHWy0LbyDHztiyO-hBIAEuvB2R4HvURplI1wcqHnXZeuvCXoUTx1gNmVsz441uNN9PzAFqoSkqbeeWw1w7mU4fWCSgomXxS1WyvUaZ626n7nxVNfsMnb6TuQExZj8N6_YlcuasjfXByCIHHECf8qJ6Ni848LdOZJ8zDYz9IylXnY9GolMDu2O4v1x9XVIR_S-nDHz-eYorVtRCDtxvFiWutzmcR0ayT05hFCpk4tjFYJThcEbI3SZxiMf6NtQBuyd6KBTHcYzgA6cA5DWXP3KoZHEw";

    fn sign(secret: &str, claims: serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    /// Asserts a 401 whose bearer challenge says `invalid_token`, returning its detail.
    fn assert_invalid_token(result: Result<Option<Principal>, Problem>) -> String {
        let problem = result.unwrap_err();
        assert_eq!(problem.status, 401);
        let challenge = &challenges(&problem)[0];
        assert!(
            challenge.starts_with("Bearer realm=\"api\", error=\"invalid_token\""),
            "{challenge}"
        );
        problem.detail.clone().unwrap()
    }

    fn temp_file(contents: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("auth-test-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn a_valid_bearer_token_authenticates_its_subject() {
        let token = mint(config(), "user-1", &["posts:read"]);
        let principal = authenticate(config(), &bearer(&token), BEARER_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "user-1");
        assert_eq!(principal.scopes, ["posts:read"]);
        assert_eq!(principal.scheme, "bearerAuth");
    }

    #[test]
    fn an_expired_token_is_401_invalid_token() {
        let token = sign(SECRET, json!({"sub": "u", "exp": now() - 3600}));
        let detail = assert_invalid_token(authenticate(config(), &bearer(&token), BEARER_ONLY));
        assert!(detail.contains("expired"), "{detail}");
    }

    #[test]
    fn a_token_not_valid_yet_is_401() {
        let token = sign(
            SECRET,
            json!({"sub": "u", "exp": now() + 7200, "nbf": now() + 3600}),
        );
        let detail = assert_invalid_token(authenticate(config(), &bearer(&token), BEARER_ONLY));
        assert!(detail.contains("not valid yet"), "{detail}");
    }

    #[test]
    fn a_token_signed_with_another_secret_is_401() {
        let token = sign(
            "another-secret-that-is-at-least-32-bytes",
            json!({"sub": "u", "exp": now() + 60}),
        );
        let detail = assert_invalid_token(authenticate(config(), &bearer(&token), BEARER_ONLY));
        assert!(detail.contains("signature"), "{detail}");
    }

    #[test]
    fn tokens_without_exp_or_sub_or_well_formed_shape_are_401() {
        for token in [
            sign(SECRET, json!({"sub": "u"})),
            sign(SECRET, json!({"exp": now() + 60})),
            "not.a.jwt".to_owned(),
        ] {
            assert_invalid_token(authenticate(config(), &bearer(&token), BEARER_ONLY));
        }
        let problem = authenticate(config(), &bearer(""), BEARER_ONLY).unwrap_err();
        assert_eq!(problem.status, 401);
    }

    #[test]
    fn the_issuer_is_checked_when_configured() {
        let config = from_vars(
            Needs::default(),
            &[
                ("JWT_SECRET", SECRET),
                ("JWT_ISSUER", "https://issuer.test"),
            ],
        )
        .unwrap();
        let exp = now() + 60;
        let good = sign(
            SECRET,
            json!({"sub": "u", "exp": exp, "iss": "https://issuer.test"}),
        );
        let wrong = sign(
            SECRET,
            json!({"sub": "u", "exp": exp, "iss": "https://evil"}),
        );
        let missing = sign(SECRET, json!({"sub": "u", "exp": exp}));
        assert!(authenticate(&config, &bearer(&good), BEARER_ONLY).is_ok());
        let detail = assert_invalid_token(authenticate(&config, &bearer(&wrong), BEARER_ONLY));
        assert!(detail.contains("iss"), "{detail}");
        assert_invalid_token(authenticate(&config, &bearer(&missing), BEARER_ONLY));
    }

    #[test]
    fn the_audience_is_checked_when_configured() {
        let strict = from_vars(
            Needs::default(),
            &[("JWT_SECRET", SECRET), ("JWT_AUDIENCE", "blog-api")],
        )
        .unwrap();
        let exp = now() + 60;
        let good = sign(SECRET, json!({"sub": "u", "exp": exp, "aud": "blog-api"}));
        let listed = sign(
            SECRET,
            json!({"sub": "u", "exp": exp, "aud": ["other", "blog-api"]}),
        );
        let wrong = sign(SECRET, json!({"sub": "u", "exp": exp, "aud": "other-api"}));
        assert!(authenticate(&strict, &bearer(&good), BEARER_ONLY).is_ok());
        assert!(authenticate(&strict, &bearer(&listed), BEARER_ONLY).is_ok());
        let detail = assert_invalid_token(authenticate(&strict, &bearer(&wrong), BEARER_ONLY));
        assert!(detail.contains("aud"), "{detail}");
        // Without JWT_AUDIENCE, `aud` is not checked.
        assert!(authenticate(config(), &bearer(&wrong), BEARER_ONLY).is_ok());
    }

    #[test]
    fn scopes_come_from_scope_or_scp() {
        let exp = now() + 60;
        for claims in [
            json!({"sub": "u", "exp": exp, "scope": "posts:read  posts:write"}),
            json!({"sub": "u", "exp": exp, "scp": ["posts:read", "posts:write"]}),
            json!({"sub": "u", "exp": exp, "scp": "posts:read posts:write"}),
            json!({"sub": "u", "exp": exp, "scope": "posts:read", "scp": ["posts:write"]}),
        ] {
            let token = sign(SECRET, claims);
            let principal = authenticate(config(), &bearer(&token), READ_WRITE)
                .unwrap()
                .unwrap();
            assert_eq!(principal.scopes, ["posts:read", "posts:write"]);
            assert_eq!(principal.scheme, "oauth");
        }
    }

    #[test]
    fn minted_tokens_round_trip_with_issuer_and_audience() {
        let config = from_vars(
            Needs::default(),
            &[
                ("JWT_SECRET", SECRET),
                ("JWT_ISSUER", "https://issuer.test"),
                ("JWT_AUDIENCE", "blog-api, admin-api"),
            ],
        )
        .unwrap();
        let token = mint(&config, "user-9", &["posts:read", "posts:write"]);
        let claims: serde_json::Value =
            jsonwebtoken::dangerous::insecure_decode_claims(&token).unwrap();
        assert_eq!(claims["sub"], "user-9");
        assert_eq!(claims["scope"], "posts:read posts:write");
        assert_eq!(claims["iss"], "https://issuer.test");
        assert_eq!(claims["aud"], "blog-api");
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            300
        );
        let principal = authenticate(&config, &bearer(&token), READ_WRITE)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "user-9");

        assert!(config.mint_token("", &[], Duration::from_secs(1)).is_err());
        let spaced = ["a b".to_owned()];
        assert!(
            config
                .mint_token("u", &spaced, Duration::from_secs(1))
                .is_err()
        );
    }

    #[test]
    fn minting_needs_an_hmac_secret() {
        let path = temp_file(EC_PUBLIC_PEM);
        let vars = [("JWT_PUBLIC_KEY_FILE", path.to_str().unwrap())];
        let config = from_vars(Needs::default(), &vars).unwrap();
        std::fs::remove_file(&path).ok();
        let error = config
            .mint_token("u", &[], Duration::from_secs(60))
            .unwrap_err();
        assert!(error.to_string().contains("JWT_SECRET"), "{error}");
    }

    #[test]
    fn es256_tokens_verify_with_a_pem_public_key() {
        let path = temp_file(EC_PUBLIC_PEM);
        let vars = [("JWT_PUBLIC_KEY_FILE", path.to_str().unwrap())];
        let config = from_vars(Needs::default(), &vars).unwrap();
        std::fs::remove_file(&path).ok();
        let key = EncodingKey::from_ec_pem(EC_PRIVATE_PEM.as_bytes()).unwrap();
        let claims = json!({"sub": "ec-user", "exp": now() + 60, "scope": "posts:read"});
        let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &key).unwrap();
        let principal = authenticate(&config, &bearer(&token), BEARER_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "ec-user");
        // An HS256 token "signed" with the public key is not accepted (algorithm confusion).
        let forged = sign(EC_PUBLIC_PEM, json!({"sub": "x", "exp": now() + 60}));
        assert_invalid_token(authenticate(&config, &bearer(&forged), BEARER_ONLY));
        // Private keys are refused as JWT_PUBLIC_KEY_FILE.
        let private = temp_file(EC_PRIVATE_PEM);
        let vars = [("JWT_PUBLIC_KEY_FILE", private.to_str().unwrap())];
        let error = from_vars(Needs::default(), &vars).unwrap_err();
        std::fs::remove_file(&private).ok();
        assert!(error.to_string().contains("private key"), "{error}");
    }

    #[test]
    fn a_token_that_lives_longer_than_the_bound_is_refused_and_not_minted() {
        let config = from_vars(
            Needs::default(),
            &[("JWT_SECRET", SECRET), ("JWT_MAX_TTL_SECS", "3600")],
        )
        .unwrap();
        let hour = sign(SECRET, json!({"sub": "ann", "exp": now() + 3600}));
        assert!(authenticate(&config, &bearer(&hour), BEARER_ONLY).is_ok());
        let year = sign(SECRET, json!({"sub": "ann", "exp": now() + 365 * 86_400}));
        assert_invalid_token(authenticate(&config, &bearer(&year), BEARER_ONLY));
        let minted = config.mint_token("ann", &[], Duration::from_secs(2 * 3600));
        assert!(minted.unwrap_err().to_string().contains("JWT_MAX_TTL_SECS"));
        // 0 lifts the bound; the default is a day.
        let unbounded = from_vars(
            Needs::default(),
            &[("JWT_SECRET", SECRET), ("JWT_MAX_TTL_SECS", "0")],
        )
        .unwrap();
        assert!(authenticate(&unbounded, &bearer(&year), BEARER_ONLY).is_ok());
        let default = from_vars(Needs::default(), &[("JWT_SECRET", SECRET)]).unwrap();
        assert_invalid_token(authenticate(&default, &bearer(&year), BEARER_ONLY));
    }

    #[test]
    fn an_expired_token_passes_only_within_the_configured_leeway() {
        let lately = sign(SECRET, json!({"sub": "ann", "exp": now() - 10}));
        let default = from_vars(Needs::default(), &[("JWT_SECRET", SECRET)]).unwrap();
        assert!(
            authenticate(&default, &bearer(&lately), BEARER_ONLY).is_ok(),
            "ten seconds late is within the default minute"
        );
        let strict = from_vars(
            Needs::default(),
            &[("JWT_SECRET", SECRET), ("JWT_LEEWAY_SECS", "0")],
        )
        .unwrap();
        assert_invalid_token(authenticate(&strict, &bearer(&lately), BEARER_ONLY));
        let broken = from_vars(
            Needs::default(),
            &[("JWT_SECRET", SECRET), ("JWT_LEEWAY_SECS", "a minute")],
        );
        assert!(broken.is_err());
    }

    #[test]
    fn jwks_keys_are_picked_by_kid() {
        let jwks = json!({"keys": [
            {"kty": "EC", "crv": "P-256", "x": EC_X, "y": EC_Y, "kid": "ec-1", "alg": "ES256", "use": "sig"},
            {"kty": "RSA", "n": RSA_N, "e": "AQAB", "kid": "rsa-1", "alg": "RS256"},
        ]});
        let path = temp_file(&jwks.to_string());
        // The RSA token was signed once, to live until 2100: no bound on token lifetime.
        let vars = [
            ("JWT_JWKS_FILE", path.to_str().unwrap()),
            ("JWT_MAX_TTL_SECS", "0"),
        ];
        let config = from_vars(Needs::default(), &vars).unwrap();
        std::fs::remove_file(&path).ok();

        let principal = authenticate(&config, &bearer(RSA_TOKEN), BEARER_ONLY)
            .unwrap()
            .unwrap();
        assert_eq!(principal.subject, "rsa-user");
        assert_eq!(principal.scopes, ["read"]);

        let key = EncodingKey::from_ec_pem(EC_PRIVATE_PEM.as_bytes()).unwrap();
        let claims = json!({"sub": "ec-user", "exp": now() + 60});
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("ec-1".to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &key).unwrap();
        assert!(authenticate(&config, &bearer(&token), BEARER_ONLY).is_ok());
        for kid in [Some("rsa-1"), Some("unknown"), None] {
            header.kid = kid.map(str::to_owned);
            let token = jsonwebtoken::encode(&header, &claims, &key).unwrap();
            assert_invalid_token(authenticate(&config, &bearer(&token), BEARER_ONLY));
        }

        let path = temp_file("{\"not\": \"a jwks\"}");
        let vars = [("JWT_JWKS_FILE", path.to_str().unwrap())];
        let error = from_vars(Needs::default(), &vars).unwrap_err();
        std::fs::remove_file(&path).ok();
        assert!(error.to_string().starts_with("JWT_JWKS_FILE"), "{error}");
        let vars = [("JWT_PUBLIC_KEY_FILE", "/nonexistent/key.pem")];
        let error = from_vars(Needs::default(), &vars).unwrap_err();
        assert!(
            error.to_string().starts_with("JWT_PUBLIC_KEY_FILE"),
            "{error}"
        );
    }
}
