//! `gen.toml`: the project's specgen settings.

use std::path::Path;

use serde::Deserialize;

use super::ProjectError;

pub const CONFIG_FILE: &str = "gen.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenConfig {
    /// The generator version that last wrote the project.
    #[serde(default)]
    pub generator: Option<String>,
    /// The spec, relative to the project root.
    pub spec: String,
    /// The Cargo package name (defaults to the one in Cargo.toml).
    #[serde(default)]
    pub name: Option<String>,
    /// The CI system the project's pipeline is for: `github` (default), `gitlab` or `none`.
    #[serde(default)]
    pub ci: Option<String>,
}

impl GenConfig {
    pub fn load(root: &Path) -> Result<Self, ProjectError> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                ProjectError::NotAProject {
                    root: root.display().to_string(),
                }
            } else {
                ProjectError::io(&path, error)
            }
        })?;
        toml::from_str(&text).map_err(|error| ProjectError::Config {
            path: path.display().to_string(),
            message: error.to_string(),
        })
    }
}

/// Rewrites the `generator = "..."` line of gen.toml, leaving everything else as the user has it.
pub fn with_generator_version(text: &str, version: &str) -> String {
    with_setting(text, "generator", version, true)
}

/// Sets `key = "value"` in gen.toml text: rewrites the key's line, or adds one (at the top
/// when `first`, else at the end), leaving every other line as the user has it.
pub fn with_setting(text: &str, key: &str, value: &str, first: bool) -> String {
    let mut found = false;
    let mut out: Vec<String> = text
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let is_key = trimmed
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='));
            if !found && is_key {
                found = true;
                format!("{key} = \"{value}\"")
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !found {
        let line = format!("{key} = \"{value}\"");
        if first {
            out.insert(0, line);
        } else {
            out.push(line);
        }
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

/// The `name` of the `[package]` in a Cargo.toml.
pub fn package_name(cargo_toml: &str) -> Option<String> {
    let value: toml::Value = toml::from_str(cargo_toml).ok()?;
    value
        .get("package")?
        .get("name")?
        .as_str()
        .map(str::to_owned)
}
