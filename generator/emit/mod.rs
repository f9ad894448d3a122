//! Stage 3: the IR → the files of a project, in memory. Rust that follows the spec is built
//! as token streams and formatted; fixed Rust (entry point, startup, platform tests, test
//! helpers) is written out from askama templates in `templates/rust/`, comments and layout
//! as written, with holes for what depends on the spec; every other file comes from an
//! askama template in `templates/` too.

mod contract_tests;
mod crud_tests;
mod docs;
mod files;
pub mod migrations;
mod models;
mod operations;
mod pattern;
mod platform_tests;
mod regex_sample;
mod resources;
mod router;
mod runtime_files;
mod rust;
mod samples;
mod scaffold;
mod schema_change;
#[cfg(test)]
mod template_tests;
mod types;
mod validation;
mod wire;

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
    /// Already in rustfmt's layout (source shipped verbatim), so rustfmt is not run on it.
    pub preformatted: bool,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, contents: impl Into<String>, ownership: Ownership) -> Self {
        Self {
            path: path.into(),
            contents: contents.into(),
            ownership,
            preformatted: false,
        }
    }

    /// A file whose contents are already rustfmt-formatted.
    pub fn preformatted(
        path: impl Into<String>,
        contents: impl Into<String>,
        ownership: Ownership,
    ) -> Self {
        Self {
            preformatted: true,
            ..Self::new(path, contents, ownership)
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
    let mut files = Vec::new();
    for job in jobs(api, info) {
        files.extend((job.emit)()?);
    }
    Ok(files)
}

/// Emits every file of the project, formatted by rustfmt when it is installed. The order is
/// stable; paths are unique.
///
/// The parts of the project are emitted on every core at once (each part depends only on
/// the API model), while another thread finds rustfmt; then rustfmt formats on every core.
/// The files come out in the same order as [`emit_unformatted`]'s, whichever thread made
/// them.
pub fn emit(api: &Api, info: &ProjectInfo) -> Result<Emitted, EmitError> {
    let (files, rustfmt) = std::thread::scope(|scope| {
        let rustfmt = scope.spawn(rust::rustfmt_binary);
        let files = crate::timing::stage("emit", || emit_in_parallel(api, info));
        (files, rustfmt.join().ok().flatten())
    });
    let mut files = files?;
    let rustfmt_used = crate::timing::stage("rustfmt", || match &rustfmt {
        Some(rustfmt) => rust::rustfmt_all(rustfmt, &mut files),
        None => false,
    });
    Ok(Emitted {
        files,
        rustfmt_used,
    })
}

/// Runs [`jobs`] on every core (see [`crate::parallel::map`]) and puts the results back in
/// job order.
fn emit_in_parallel(api: &Api, info: &ProjectInfo) -> Result<Vec<OutputFile>, EmitError> {
    let jobs = jobs(api, info);
    // Large parts first, so that no thread is left with one at the end.
    let mut schedule: Vec<usize> = (0..jobs.len()).collect();
    schedule.sort_by_key(|&index| !jobs[index].large);
    let mut done = crate::parallel::map(schedule, crate::parallel::cores(), |index| {
        (index, (jobs[index].emit)())
    });
    done.sort_by_key(|(index, _)| *index);
    let mut files = Vec::new();
    for (_, result) in done {
        files.extend(result?);
    }
    Ok(files)
}

/// One part of the project: a few files that depend only on the API model.
struct Job<'a> {
    /// Grows with the whole API rather than with one tag: scheduled first.
    large: bool,
    emit: Box<dyn Fn() -> Result<Vec<OutputFile>, EmitError> + Send + Sync + 'a>,
}

impl<'a> Job<'a> {
    fn new(emit: impl Fn() -> Result<Vec<OutputFile>, EmitError> + Send + Sync + 'a) -> Self {
        Self {
            large: false,
            emit: Box::new(emit),
        }
    }

    fn large(emit: impl Fn() -> Result<Vec<OutputFile>, EmitError> + Send + Sync + 'a) -> Self {
        Self {
            large: true,
            emit: Box::new(emit),
        }
    }
}

/// The parts of the project, in the order their files are listed.
fn jobs<'a>(api: &'a Api, info: &'a ProjectInfo) -> Vec<Job<'a>> {
    use Ownership::{Generated, Scaffold};
    fn generated(path: &str, tokens: proc_macro2::TokenStream) -> Result<OutputFile, EmitError> {
        rust::generated_file(path, tokens).map(|c| OutputFile::new(path, c, Generated))
    }
    fn scaffold_rs(path: &str, tokens: proc_macro2::TokenStream) -> Result<OutputFile, EmitError> {
        rust::scaffold_file(path, tokens).map(|c| OutputFile::new(path, c, Scaffold))
    }
    /// A file rendered from a template (see `rust::render_source`).
    fn generated_source(
        path: &str,
        source: Result<String, EmitError>,
    ) -> Result<OutputFile, EmitError> {
        rust::generated_source(path, &source?).map(|c| OutputFile::new(path, c, Generated))
    }
    fn scaffold_source(
        path: &str,
        source: Result<String, EmitError>,
    ) -> Result<OutputFile, EmitError> {
        rust::scaffold_source(path, &source?).map(|c| OutputFile::new(path, c, Scaffold))
    }
    let mut jobs: Vec<Job<'a>> = Vec::new();
    jobs.push(Job::new(move || {
        let mut files = vec![generated(
            "generated/src/lib.rs",
            router::generated_mod(api, &info.spec_file),
        )?];
        if let Some(json) = &api.spec_json {
            files.push(OutputFile::new(
                "generated/src/openapi.json",
                json.clone(),
                Generated,
            ));
        }
        Ok(files)
    }));
    jobs.push(Job::large(move || {
        Ok(vec![generated(
            "generated/src/models.rs",
            models::models(api),
        )?])
    }));
    jobs.push(Job::new(move || {
        Ok(vec![generated(
            "generated/src/api/mod.rs",
            router::api_mod(api),
        )?])
    }));
    for (id, group) in api.each_group() {
        jobs.push(Job::new(move || {
            let path = format!("generated/src/api/{}.rs", group.module);
            Ok(vec![generated(
                &path,
                operations::group_module(api, id, group),
            )?])
        }));
    }
    jobs.push(Job::large(move || {
        Ok(vec![generated(
            "generated/src/router.rs",
            router::router(api),
        )?])
    }));
    jobs.push(Job::new(move || {
        let migrations = migrations::plan(api, &info.history)?;
        let mut files = vec![generated(
            "generated/src/resources.rs",
            resources::resources_module(api, &migrations.all),
        )?];
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
        Ok(files)
    }));
    jobs.push(Job::new(move || Ok(runtime_files::runtime_files(api))));
    jobs.push(Job::large(move || {
        Ok(vec![
            generated_source(
                "tests/generated/contract.rs",
                contract_tests::contract_tests(api, &info.crate_ident),
            )?,
            generated_source(
                "tests/generated/platform.rs",
                platform_tests::platform_tests(api, &info.crate_ident, &info.spec_file),
            )?,
        ])
    }));
    jobs.push(Job::new(move || {
        let mut samples_json =
            serde_json::to_string_pretty(&samples::response_samples(api)).unwrap_or_default();
        samples_json.push('\n');
        Ok(vec![OutputFile::new(
            "generated/src/examples.json",
            samples_json,
            Generated,
        )])
    }));
    jobs.push(Job::new(move || {
        Ok(vec![
            generated_source("generated/src/examples.rs", scaffold::examples_module())?,
            scaffold_source("src/lib.rs", scaffold::lib_rs(api, &info.crate_ident))?,
            scaffold_source("src/main.rs", scaffold::main_rs(&info.crate_ident))?,
            scaffold_source("src/startup.rs", scaffold::startup_rs())?,
            scaffold_source("src/authorize.rs", scaffold::authorize_rs(api))?,
            scaffold_source("src/handlers/mod.rs", scaffold::handlers_mod(api))?,
        ])
    }));
    for (id, group) in api.each_group() {
        jobs.push(Job::new(move || {
            Ok(vec![scaffold_rs(
                &handler_path(group),
                scaffold::handler_file(api, id, group),
            )?])
        }));
    }
    jobs.push(Job::new(move || files::project_files(api, info)));
    jobs
}

/// Where a tag's handler file lives.
pub fn handler_path(group: &crate::ir::Group) -> String {
    format!("src/handlers/{}.rs", group.module)
}

/// The `mod` line regen adds to `src/handlers/mod.rs` for a tag.
pub fn handler_module_line(group: &crate::ir::Group) -> String {
    scaffold::handler_module_line(group)
}
