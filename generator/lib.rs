//! specgen: turns an OpenAPI spec into a complete axum backend project.
//!
//! The pipeline runs one way: [`spec`] (load, normalise, locate) → [`ir`] (the API model with
//! resolved names) → [`emit`] (files in memory) → [`project`] (ownership-aware writing).

pub mod emit;
pub mod ir;
pub(crate) mod parallel;
pub mod project;
/// The runtime's pattern matcher, compiled here too: the generator warns about the
/// patterns the server must match by backtracking.
#[path = "runtime/src/pattern.rs"]
pub(crate) mod runtime_pattern;
pub mod spec;
pub mod timing;

/// The version written into projects and their manifests.
pub const GENERATOR_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The in-memory result of generating a project from a spec.
#[derive(Debug)]
pub struct Generation {
    pub api: ir::Api,
    pub emitted: emit::Emitted,
    /// Warnings about parts of the spec that were not fully expressed.
    pub warnings: spec::Diagnostics,
}

/// Emits a project for an already lowered API.
pub fn generate_from(
    api: ir::Api,
    warnings: spec::Diagnostics,
    info: &emit::ProjectInfo,
) -> Result<Generation, emit::EmitError> {
    let emitted = emit::emit(&api, info)?;
    Ok(Generation {
        api,
        emitted,
        warnings,
    })
}
