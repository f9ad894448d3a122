//! Security schemes and requirements.

use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme as OaScheme};

use super::types::Finding;
use super::*;
use crate::spec::{Severity, escape_pointer_token};

pub(crate) fn schemes(spec: &OpenAPI, findings: &mut Vec<Finding>) -> Vec<SecurityScheme> {
    let Some(components) = &spec.components else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, scheme) in &components.security_schemes {
        let pointer = format!("/components/securitySchemes/{}", escape_pointer_token(name));
        let scheme = match scheme {
            ReferenceOr::Item(scheme) => scheme,
            ReferenceOr::Reference { reference } => {
                findings.push(Finding {
                    severity: Severity::Warning,
                    pointer,
                    message: format!("security scheme `$ref: {reference}` is not supported; the scheme is ignored"),
                });
                continue;
            }
        };
        let (kind, description) = match scheme {
            OaScheme::HTTP {
                scheme,
                bearer_format,
                description,
                ..
            } => {
                let kind = match scheme.to_ascii_lowercase().as_str() {
                    "bearer" => SecuritySchemeKind::Bearer {
                        format: bearer_format.clone(),
                    },
                    "basic" => SecuritySchemeKind::Basic,
                    other => SecuritySchemeKind::OtherHttp {
                        scheme: other.to_owned(),
                    },
                };
                (kind, description.clone())
            }
            OaScheme::APIKey {
                location,
                name,
                description,
                ..
            } => {
                let location = match location {
                    openapiv3::APIKeyLocation::Query => ParamLocation::Query,
                    openapiv3::APIKeyLocation::Header => ParamLocation::Header,
                    openapiv3::APIKeyLocation::Cookie => ParamLocation::Cookie,
                };
                (
                    SecuritySchemeKind::ApiKey {
                        location,
                        name: name.clone(),
                    },
                    description.clone(),
                )
            }
            OaScheme::OAuth2 {
                flows, description, ..
            } => {
                let mut scopes: Vec<(String, String)> = Vec::new();
                let all = [
                    flows.implicit.as_ref().map(|f| &f.scopes),
                    flows.password.as_ref().map(|f| &f.scopes),
                    flows.client_credentials.as_ref().map(|f| &f.scopes),
                    flows.authorization_code.as_ref().map(|f| &f.scopes),
                ];
                for map in all.into_iter().flatten() {
                    for (scope, text) in map {
                        if !scopes.iter().any(|(s, _)| s == scope) {
                            scopes.push((scope.clone(), text.clone()));
                        }
                    }
                }
                (SecuritySchemeKind::OAuth2 { scopes }, description.clone())
            }
            OaScheme::OpenIDConnect {
                open_id_connect_url,
                description,
                ..
            } => (
                SecuritySchemeKind::OpenIdConnect {
                    url: open_id_connect_url.clone(),
                },
                description.clone(),
            ),
        };
        out.push(SecurityScheme {
            name: name.clone(),
            description,
            kind,
        });
    }
    out
}

/// Converts requirements, dropping (with a finding) schemes that are not declared.
pub(crate) fn requirements(
    requirements: &[openapiv3::SecurityRequirement],
    declared: &[SecurityScheme],
    pointer: &str,
    findings: &mut Vec<Finding>,
) -> Vec<SecurityRequirement> {
    let mut out = Vec::new();
    for (index, requirement) in requirements.iter().enumerate() {
        let mut schemes = Vec::new();
        for (name, scopes) in requirement {
            if let Some(index) = declared.iter().position(|s| &s.name == name) {
                schemes.push((SchemeId(index), scopes.clone()));
            } else {
                findings.push(Finding {
                    severity: Severity::Error,
                    pointer: format!("{pointer}/{index}"),
                    message: format!("security requirement names `{name}`, which is not in components.securitySchemes"),
                });
            }
        }
        out.push(SecurityRequirement { schemes });
    }
    out
}

/// Where a scheme's credential travels: two schemes that need the same place (an API key
/// named `Authorization` and a bearer token, say) cannot both be sent in one request.
fn credential_slot(kind: &SecuritySchemeKind) -> Option<(ParamLocation, String)> {
    match kind {
        SecuritySchemeKind::Bearer { .. }
        | SecuritySchemeKind::OAuth2 { .. }
        | SecuritySchemeKind::OpenIdConnect { .. }
        | SecuritySchemeKind::Basic => Some((ParamLocation::Header, "authorization".to_owned())),
        SecuritySchemeKind::ApiKey { location, name } => {
            let name = if *location == ParamLocation::Header {
                name.to_ascii_lowercase()
            } else {
                name.clone()
            };
            Some((*location, name))
        }
        SecuritySchemeKind::OtherHttp { .. } => None,
    }
}

/// Whether one request can meet every scheme of `requirement`: all are schemes the server
/// can check, and no two need the same header, query parameter or cookie. (Several bearer
/// schemes share one token, so they do not collide with each other.)
pub fn requirement_is_satisfiable(api: &Api, requirement: &SecurityRequirement) -> bool {
    let mut slots: Vec<((ParamLocation, String), bool)> = Vec::new();
    for &(id, _) in &requirement.schemes {
        let scheme = api.scheme(id);
        let Some(slot) = credential_slot(&scheme.kind) else {
            return false;
        };
        let bearer = matches!(
            scheme.kind,
            SecuritySchemeKind::Bearer { .. }
                | SecuritySchemeKind::OAuth2 { .. }
                | SecuritySchemeKind::OpenIdConnect { .. }
        );
        match slots.iter().find(|(taken, _)| *taken == slot) {
            Some((_, taken_by_bearer)) if *taken_by_bearer && bearer => {}
            Some(_) => return false,
            None => slots.push((slot, bearer)),
        }
    }
    true
}

/// Warnings for requirements no request can meet (usually alternatives written as one).
pub(crate) fn check_requirements(api: &Api, findings: &mut Vec<Finding>) {
    for op in &api.operations {
        if !op.security.is_empty()
            && !op
                .security
                .iter()
                .any(|r| requirement_is_satisfiable(api, r))
        {
            findings.push(Finding {
                severity: Severity::Warning,
                pointer: op.pointer.clone(),
                message: format!(
                    "no request can meet the security of `{}`: its schemes cannot be checked here, or they need the same credential slot (e.g. two schemes on `Authorization` in one requirement; alternatives are separate list items). Every request gets 401.",
                    op.id
                ),
            });
        }
    }
}
