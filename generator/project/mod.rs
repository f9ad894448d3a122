//! Stage 4: writing a project to disk, owning its files, regenerating and checking it.

mod cargo_toml;
mod commands;
mod config;
mod git;
mod handlers;
mod manifest;
pub mod merge;
mod plan;
mod pristine;
mod txn;

pub use commands::{
    CiReport, NewOptions, RegenOptions, RegenReport, check, ci, new_project, regen,
};
pub use config::{CONFIG_FILE, GenConfig};
pub use handlers::{orphaned_methods, unimplemented_operations};
pub use manifest::{FileRecord, MANIFEST_PATH, Manifest, sha256_hex};
pub use plan::{Action, EditedPolicy, Plan, PlannedFile};

use std::path::Path;

use crate::spec::Diagnostics;

/// Everything that can go wrong outside the spec itself.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{root} is not a specgen project: it has no gen.toml (create one with `gen new`)")]
    NotAProject { root: String },
    #[error("{path} is not valid: {message}")]
    Config { path: String, message: String },
    #[error(
        "the project has uncommitted changes; commit or stash them first so regen's work is one reviewable diff (or pass --allow-dirty):\n{}",
        .files.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n")
    )]
    DirtyTree { files: Vec<String> },
    #[error("{path} is not a valid manifest: {message}")]
    Manifest { path: String, message: String },
    #[error("{dir} is not empty; pass --force to generate into it anyway")]
    NotEmpty { dir: String },
    #[error("the spec has errors")]
    Spec(Diagnostics),
    #[error(transparent)]
    Emit(#[from] crate::emit::EmitError),
    #[error("regen would overwrite hand-edited generated files (pass --merge to merge your edits into the new output, or --force to overwrite them):\n{}", .files.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n"))]
    EditedGeneratedFiles { files: Vec<String> },
    #[error(
        "src/handlers/mod.rs has lost the line `{marker}`; add it back so regen can add the handler modules {modules:?}"
    )]
    MissingHandlerMarker {
        marker: String,
        modules: Vec<String>,
    },
}

impl ProjectError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
