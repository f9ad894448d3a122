//! Non-Rust files of the project, rendered from the askama templates in `templates/`.

use askama::Template;

use super::{EmitError, OutputFile, Ownership};
use crate::ir::{Api, SecuritySchemeKind};

/// Facts about the project that are not in the spec.
#[derive(Debug, Clone)]
pub struct ProjectInfo {
    /// Cargo package name (kebab-case).
    pub package_name: String,
    /// The crate's name in Rust paths (snake_case).
    pub crate_ident: String,
    /// The project's copy of the spec, e.g. `openapi.yaml`.
    pub spec_file: String,
    pub generator_version: String,
    /// The project's migrations so far and the layout they create (empty for `gen new`).
    pub history: super::migrations::MigrationHistory,
    /// Which CI system the project's pipeline is written for.
    pub ci: CiProvider,
}

/// The CI systems `gen ci` writes a pipeline for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CiProvider {
    #[default]
    Github,
    Gitlab,
    /// No pipeline file (the project has its own).
    None,
}

impl CiProvider {
    /// Every provider's pipeline file, so switching can find the old one.
    pub const FILES: &[(CiProvider, &str)] = &[
        (CiProvider::Github, ".github/workflows/ci.yml"),
        (CiProvider::Gitlab, ".gitlab-ci.yml"),
    ];

    pub fn name(self) -> &'static str {
        match self {
            CiProvider::Github => "github",
            CiProvider::Gitlab => "gitlab",
            CiProvider::None => "none",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "github" => Some(CiProvider::Github),
            "gitlab" => Some(CiProvider::Gitlab),
            "none" => Some(CiProvider::None),
            _ => None,
        }
    }

    /// The pipeline file this provider reads.
    pub fn file(self) -> Option<&'static str> {
        Self::FILES
            .iter()
            .find(|(provider, _)| *provider == self)
            .map(|(_, path)| *path)
    }
}

pub struct OperationRow {
    pub method: String,
    pub path: String,
    pub id: String,
    pub handler: String,
    pub auth: String,
}

pub struct SchemeRow {
    pub name: String,
    pub kind: String,
}

pub struct ResourceRow {
    pub name: String,
    pub path: String,
    pub key: String,
    pub operations: String,
    /// Who the items belong to, in words.
    pub owner: String,
}

pub struct GroupRow {
    pub trait_name: String,
    pub file: String,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "project/Cargo.toml.txt", escape = "none")]
struct CargoToml<'a> {
    info: &'a ProjectInfo,
}

/// The manifest of the crate generated from the spec (`generated/`).
#[derive(Template)]
#[template(path = "project/generated.Cargo.toml.txt", escape = "none")]
struct GeneratedCargoToml<'a> {
    info: &'a ProjectInfo,
}

#[derive(Template)]
#[template(path = "project/README.md.txt", escape = "none")]
struct Readme<'a> {
    info: &'a ProjectInfo,
    title: &'a str,
    summary: String,
    api_version: &'a str,
    operations: Vec<OperationRow>,
    schemes: Vec<SchemeRow>,
    groups: Vec<GroupRow>,
    uses_bearer: bool,
    uses_api_key: bool,
    uses_basic: bool,
    /// Scopes of the first operation that needs some, for the `token` example.
    example_scopes: String,
    resources: Vec<ResourceRow>,
}

#[derive(Template)]
#[template(path = "project/Dockerfile.txt", escape = "none")]
struct Dockerfile<'a> {
    info: &'a ProjectInfo,
}

#[derive(Template)]
#[template(path = "project/dockerignore.txt", escape = "none")]
struct DockerIgnore;

#[derive(Template)]
#[template(path = "project/gitignore.txt", escape = "none")]
struct GitIgnore;

#[derive(Template)]
#[template(path = "project/env.example.txt", escape = "none")]
struct EnvExample;

#[derive(Template)]
#[template(path = "project/ci.yml.txt", escape = "none")]
struct GithubWorkflow;

#[derive(Template)]
#[template(path = "project/gitlab-ci.yml.txt", escape = "none")]
struct GitlabPipeline;

#[derive(Template)]
#[template(path = "project/docker-compose.yml.txt", escape = "none")]
struct Compose;

/// The Kubernetes manifests under `deploy/k8s/`.
mod k8s {
    use super::ProjectInfo;
    use askama::Template;

    #[derive(Template)]
    #[template(path = "project/k8s/kustomization.yaml.txt", escape = "none")]
    pub struct Kustomization<'a> {
        pub info: &'a ProjectInfo,
    }

    #[derive(Template)]
    #[template(path = "project/k8s/configmap.yaml.txt", escape = "none")]
    pub struct ConfigMap<'a> {
        pub info: &'a ProjectInfo,
    }

    #[derive(Template)]
    #[template(path = "project/k8s/secret.yaml.txt", escape = "none")]
    pub struct Secret<'a> {
        pub info: &'a ProjectInfo,
        pub uses_bearer: bool,
        pub uses_api_key: bool,
        pub uses_basic: bool,
    }

    #[derive(Template)]
    #[template(path = "project/k8s/deployment.yaml.txt", escape = "none")]
    pub struct Deployment<'a> {
        pub info: &'a ProjectInfo,
    }

    #[derive(Template)]
    #[template(path = "project/k8s/service.yaml.txt", escape = "none")]
    pub struct Service<'a> {
        pub info: &'a ProjectInfo,
    }

    #[derive(Template)]
    #[template(path = "project/k8s/pdb.yaml.txt", escape = "none")]
    pub struct DisruptionBudget<'a> {
        pub info: &'a ProjectInfo,
    }

    #[derive(Template)]
    #[template(path = "project/k8s/networkpolicy.yaml.txt", escape = "none")]
    pub struct NetworkPolicy<'a> {
        pub info: &'a ProjectInfo,
    }

    #[derive(Template)]
    #[template(path = "project/k8s/hpa.yaml.txt", escape = "none")]
    pub struct Autoscaler<'a> {
        pub info: &'a ProjectInfo,
    }
}

#[derive(Template)]
#[template(path = "project/gen.toml.txt", escape = "none")]
struct GenToml<'a> {
    info: &'a ProjectInfo,
}

fn render(name: &str, template: &impl Template) -> Result<String, EmitError> {
    template.render().map_err(|error| EmitError::Template {
        template: name.to_owned(),
        message: error.to_string(),
    })
}

pub fn project_files(api: &Api, info: &ProjectInfo) -> Result<Vec<OutputFile>, EmitError> {
    let scaffold =
        |path: &str, contents: String| OutputFile::new(path, contents, Ownership::Scaffold);
    let example_scopes = api
        .operations
        .iter()
        .flat_map(|op| &op.security)
        .flat_map(|r| &r.schemes)
        .find(|(_, scopes)| !scopes.is_empty())
        .map(|(_, scopes)| scopes.join(","))
        .unwrap_or_default();
    let resources = api
        .resources
        .iter()
        .map(|r| ResourceRow {
            name: r.table.clone(),
            path: r.collection_path.clone(),
            key: r.key.field.clone(),
            owner: r.owner_summary(api),
            operations: r
                .ops
                .served()
                .map(|(role, op)| format!("{role} `{}`", api.operation(op).id))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    // One decision for what the README documents and what the runtime is built with.
    let crate::ir::AuthNeeds {
        bearer: uses_bearer,
        api_key: uses_api_key,
        basic: uses_basic,
    } = api.auth_needs();
    let readme = Readme {
        resources,
        uses_bearer,
        uses_api_key,
        uses_basic,
        example_scopes,
        info,
        title: &api.title,
        summary: api
            .description
            .as_deref()
            .and_then(|d| d.split("\n\n").next())
            .map(|d| d.trim().replace('\n', " "))
            .unwrap_or_default(),
        api_version: &api.version,
        operations: api
            .operations
            .iter()
            .map(|op| OperationRow {
                method: op.method.as_str().to_owned(),
                path: op.path.replace('|', "\\|"),
                id: op.id.clone(),
                handler: format!("{}::{}", api.group(op.group).trait_name, op.method_name),
                auth: auth_summary(api, op),
            })
            .collect(),
        schemes: api
            .security_schemes
            .iter()
            .map(|s| SchemeRow {
                name: s.name.clone(),
                kind: scheme_text(&s.kind),
            })
            .collect(),
        groups: api
            .each_group()
            .map(|(id, g)| GroupRow {
                trait_name: g.trait_name.clone(),
                file: super::handler_path(g),
                count: api.operations_in(id).count(),
            })
            .collect(),
    };
    let mut files = vec![
        scaffold("Cargo.toml", render("Cargo.toml", &CargoToml { info })?),
        OutputFile::new(
            "generated/Cargo.toml",
            render("generated/Cargo.toml", &GeneratedCargoToml { info })?,
            Ownership::Generated,
        ),
        scaffold("README.md", render("README.md", &readme)?),
        scaffold("Dockerfile", render("Dockerfile", &Dockerfile { info })?),
        scaffold(".dockerignore", render(".dockerignore", &DockerIgnore)?),
        scaffold(".gitignore", render(".gitignore", &GitIgnore)?),
        scaffold(".env.example", render(".env.example", &EnvExample)?),
        scaffold(
            "docker-compose.yml",
            render("docker-compose.yml", &Compose)?,
        ),
        scaffold("gen.toml", render("gen.toml", &GenToml { info })?),
    ];
    let k8s = [
        (
            "kustomization.yaml",
            render("k8s/kustomization.yaml", &k8s::Kustomization { info })?,
        ),
        (
            "configmap.yaml",
            render("k8s/configmap.yaml", &k8s::ConfigMap { info })?,
        ),
        (
            "secret.yaml",
            render(
                "k8s/secret.yaml",
                &k8s::Secret {
                    info,
                    uses_bearer,
                    uses_api_key,
                    uses_basic,
                },
            )?,
        ),
        (
            "deployment.yaml",
            render("k8s/deployment.yaml", &k8s::Deployment { info })?,
        ),
        (
            "service.yaml",
            render("k8s/service.yaml", &k8s::Service { info })?,
        ),
        (
            "hpa.yaml",
            render("k8s/hpa.yaml", &k8s::Autoscaler { info })?,
        ),
        (
            "pdb.yaml",
            render("k8s/pdb.yaml", &k8s::DisruptionBudget { info })?,
        ),
        (
            "networkpolicy.yaml",
            render("k8s/networkpolicy.yaml", &k8s::NetworkPolicy { info })?,
        ),
    ];
    for (name, contents) in k8s {
        files.push(scaffold(&format!("deploy/k8s/{name}"), contents));
    }
    if let Some(pipeline) = ci_pipeline(info.ci)? {
        files.push(pipeline);
    }
    // The pristine store is compressed blobs: no text diffs, and folded in code review.
    files.push(OutputFile::new(
        ".specgen/.gitattributes",
        "pristine/** binary linguist-generated=true\nmanifest.json linguist-generated=true\nschema.json linguist-generated=true\n",
        Ownership::Generated,
    ));
    Ok(files)
}

/// The CI pipeline file for `provider`, if it has one.
pub fn ci_pipeline(provider: CiProvider) -> Result<Option<OutputFile>, EmitError> {
    let contents = match provider {
        CiProvider::Github => render("ci.yml", &GithubWorkflow)?,
        CiProvider::Gitlab => render(".gitlab-ci.yml", &GitlabPipeline)?,
        CiProvider::None => return Ok(None),
    };
    Ok(provider
        .file()
        .map(|path| OutputFile::new(path, contents, Ownership::Scaffold)))
}

fn auth_summary(api: &Api, op: &crate::ir::Operation) -> String {
    if op.security.is_empty() {
        return "public".to_owned();
    }
    op.security
        .iter()
        .map(|requirement| {
            requirement
                .schemes
                .iter()
                .map(|&(id, ref scopes)| {
                    let name = &api.scheme(id).name;
                    if scopes.is_empty() {
                        name.clone()
                    } else {
                        format!("{name} ({})", scopes.join(", "))
                    }
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

fn scheme_text(kind: &SecuritySchemeKind) -> String {
    match kind {
        SecuritySchemeKind::Bearer { format } => format!(
            "HTTP bearer{}",
            format
                .as_ref()
                .map(|f| format!(" ({f})"))
                .unwrap_or_default()
        ),
        SecuritySchemeKind::Basic => "HTTP basic".to_owned(),
        SecuritySchemeKind::OtherHttp { scheme } => format!("HTTP {scheme}"),
        SecuritySchemeKind::ApiKey { location, name } => {
            format!("API key in {} `{name}`", location.as_str())
        }
        SecuritySchemeKind::OAuth2 { scopes } => {
            format!(
                "OAuth2 (scopes: {})",
                scopes
                    .iter()
                    .map(|(s, _)| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        SecuritySchemeKind::OpenIdConnect { url } => format!("OpenID Connect ({url})"),
    }
}
