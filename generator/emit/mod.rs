//! Stage 3: the IR → the files of a project, in memory. Rust is built as token streams and
//! formatted; every other file comes from an askama template in `templates/`.

mod crud_tests;
mod docs;
mod files;
pub mod migrations;
mod models;
mod operations;
mod platform_tests;
mod regex_sample;
mod resources;
mod router;
mod runtime_files;
mod rust;
mod samples;
mod scaffold;
mod tests;
mod types;
mod validation;

pub use files::{CiProvider, ProjectInfo, ci_pipeline};
pub use rust::{FILE_ID_PREFIX, GENERATED_HEADER, file_id};
pub use scaffold::HANDLER_MODULES_MARKER;

use crate::ir::Api;

/// Who owns a file of the generated project.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Ownership {
    /// Rewritten by every `gen regen`; never edit by hand.
    Generated,
    /// Written once, then the user's.
    Scaffold,
}

/// One file of the project, relative to its root, with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: String,
    pub ownership: Ownership,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, contents: impl Into<String>, ownership: Ownership) -> Self {
        Self {
            path: path.into(),
            contents: contents.into(),
            ownership,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    #[error("internal error: the generator produced invalid Rust for {path}: {message}")]
    InvalidRust { path: String, message: String },
    #[error("cannot render template {template}: {message}")]
    Template { template: String, message: String },
}

/// The result of emitting: the files, and whether rustfmt formatted them.
#[derive(Debug)]
pub struct Emitted {
    pub files: Vec<OutputFile>,
    pub rustfmt_used: bool,
}

/// Emits every file of the project with prettyplease's layout only (no rustfmt pass): what
/// the fuzzer and other in-process checks use.
pub fn emit_unformatted(api: &Api, info: &ProjectInfo) -> Result<Vec<OutputFile>, EmitError> {
    use Ownership::{Generated, Scaffold};
    let mut files = Vec::new();
    let generated = |path: &str, tokens| {
        rust::generated_file(path, tokens).map(|c| OutputFile::new(path, c, Generated))
    };
    let scaffold_rs = |path: &str, tokens| {
        rust::scaffold_file(path, tokens).map(|c| OutputFile::new(path, c, Scaffold))
    };

    files.push(generated(
        "src/generated/mod.rs",
        router::generated_mod(api, &info.spec_file),
    )?);
    if let Some(json) = &api.spec_json {
        files.push(OutputFile::new(
            "src/generated/openapi.json",
            json.clone(),
            Generated,
        ));
    }
    files.push(generated("src/generated/models.rs", models::models(api))?);
    files.push(generated("src/generated/api/mod.rs", router::api_mod(api))?);
    for (index, group) in api.groups.iter().enumerate() {
        let path = format!("src/generated/api/{}.rs", group.module);
        files.push(generated(
            &path,
            operations::group_module(api, index, group),
        )?);
    }
    files.push(generated("src/generated/router.rs", router::router(api))?);
    let migrations = migrations::plan(api, &info.history)?;
    files.push(generated(
        "src/generated/resources.rs",
        resources::resources_module(api, &migrations.all),
    )?);
    files.extend(migrations.files);
    if !api.resources.is_empty() {
        files.push(scaffold_rs(
            "src/repositories/mod.rs",
            resources::repositories_mod(api),
        )?);
        files.push(scaffold_rs(
            "src/services/mod.rs",
            resources::services_mod(api),
        )?);
        for resource in &api.resources {
            files.push(scaffold_rs(
                &format!("src/repositories/{}.rs", resource.table),
                resources::repository_file(api, resource),
            )?);
            files.push(scaffold_rs(
                &format!("src/services/{}.rs", resource.table),
                resources::service_file(api, resource),
            )?);
        }
    }
    files.extend(runtime_files::runtime_files()?);
    let (contract, samples) = tests::contract_tests(api, &info.crate_ident);
    files.push(generated("tests/generated/contract.rs", contract)?);
    files.push(generated(
        "tests/generated/platform.rs",
        platform_tests::platform_tests(api, &info.crate_ident, &info.spec_file),
    )?);
    let mut samples_json = serde_json::to_string_pretty(&samples).unwrap_or_default();
    samples_json.push('\n');
    files.push(OutputFile::new(
        "src/generated/examples.json",
        samples_json,
        Generated,
    ));
    files.push(generated(
        "src/generated/examples.rs",
        scaffold::examples_module(),
    )?);

    files.push(scaffold_rs("src/lib.rs", scaffold::lib_rs(api))?);
    files.push(scaffold_rs(
        "src/main.rs",
        scaffold::main_rs(&info.crate_ident),
    )?);
    files.push(scaffold_rs("src/startup.rs", scaffold::startup_rs())?);
    let mut handlers_mod = rust::scaffold_file("src/handlers/mod.rs", scaffold::handlers_mod())?;
    handlers_mod.push('\n');
    handlers_mod.push_str(HANDLER_MODULES_MARKER);
    handlers_mod.push('\n');
    for group in &api.groups {
        handlers_mod.push_str(&scaffold::handler_module_line(group));
        handlers_mod.push('\n');
    }
    files.push(OutputFile::new(
        "src/handlers/mod.rs",
        handlers_mod,
        Scaffold,
    ));
    for (index, group) in api.groups.iter().enumerate() {
        let path = handler_path(group);
        files.push(scaffold_rs(
            &path,
            scaffold::handler_file(api, index, group),
        )?);
    }

    files.extend(files::project_files(api, info)?);
    Ok(files)
}

/// Emits every file of the project, formatted by rustfmt when it is installed. The order is
/// stable; paths are unique.
pub fn emit(api: &Api, info: &ProjectInfo) -> Result<Emitted, EmitError> {
    let mut files = emit_unformatted(api, info)?;
    let rustfmt_used = rust::rustfmt_all(&mut files);
    Ok(Emitted {
        files,
        rustfmt_used,
    })
}

/// Where a tag's handler file lives.
pub fn handler_path(group: &crate::ir::Group) -> String {
    format!("src/handlers/{}.rs", group.module)
}

/// The `mod` line regen adds to `src/handlers/mod.rs` for a tag.
pub fn handler_module_line(group: &crate::ir::Group) -> String {
    scaffold::handler_module_line(group)
}
