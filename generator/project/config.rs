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
    let mut found = false;
    let mut out: Vec<String> = text
        .lines()
        .map(|line| {
            if !found && line.trim_start().starts_with("generator") && line.contains('=') {
                found = true;
                format!("generator = \"{version}\"")
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !found {
        out.insert(0, format!("generator = \"{version}\""));
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
