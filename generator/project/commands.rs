//! The project commands: `new`, `regen`, `check` and `ci`.

use std::path::{Path, PathBuf};

use super::ProjectError;
use super::config::{self, CONFIG_FILE, GenConfig};
use super::handlers;
use super::manifest::{FileRecord, MANIFEST_PATH, Manifest, sha256_hex};
use super::plan::{Action, EditedPolicy, Plan, PlannedFile};
use super::txn::{self, Transaction};
use super::{git, pristine};
use crate::emit::migrations::{self, MigrationHistory};
use crate::emit::{CiProvider, ProjectInfo};
use crate::ir::Api;
use crate::spec::{Diagnostics, SourceFile};
use crate::timing::stage;
use crate::{GENERATOR_VERSION, Generation};

pub struct NewOptions {
    pub spec: PathBuf,
    pub out: Option<PathBuf>,
    pub name: Option<String>,
    pub force: bool,
}

pub struct RegenOptions {
    pub root: PathBuf,
    /// What to do with generated files the user edited.
    pub edited: EditedPolicy,
    /// Plan only: write nothing.
    pub dry_run: bool,
    /// Run even though the project has uncommitted changes.
    pub allow_dirty: bool,
}

/// What a generation did, for the CLI to report.
#[derive(Debug)]
pub struct RegenReport {
    pub root: PathBuf,
    pub plan: Plan,
    pub warnings: Diagnostics,
    /// (operationId, trait method) not implemented by any handler.
    pub unimplemented: Vec<(String, String)>,
    /// Handler methods for operations the spec no longer has.
    pub orphaned: Vec<String>,
    pub rustfmt_used: bool,
    /// An earlier regen was interrupted, and its changes were rolled back first.
    pub recovered: bool,
}

impl RegenReport {
    /// Files written with conflict markers.
    pub fn conflicts(&self) -> Vec<&PlannedFile> {
        self.plan.with_action(Action::Conflict).collect()
    }
}

/// `gen new`: a fresh project from a spec.
pub fn new_project(options: &NewOptions) -> Result<RegenReport, ProjectError> {
    let source = SourceFile::read(&options.spec).map_err(|d| ProjectError::Spec(d.into()))?;
    let loaded =
        stage("load", || crate::spec::load_source(source.clone())).map_err(ProjectError::Spec)?;
    let (api, warnings) =
        stage("lower", || crate::ir::lower(&loaded)).map_err(ProjectError::Spec)?;
    let package_name = match &options.name {
        Some(name) => package_name_from(name),
        None => default_package_name(&api),
    };
    let root = options
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&package_name));
    if dir_has_entries(&root)? && !options.force {
        return Err(ProjectError::NotEmpty {
            dir: root.display().to_string(),
        });
    }
    let spec_file = format!("openapi.{}", source.format.extension());
    let info = project_info(
        &package_name,
        &spec_file,
        Default::default(),
        CiProvider::default(),
    );
    let generation = crate::generate_from(api, warnings, &info)?;
    write_file(&root.join(&spec_file), source.text.as_bytes())?;
    // Only `--force` gets here with files in the way: generated ones are overwritten, the
    // others kept.
    let plan = stage("plan", || {
        Plan::new(
            &root,
            &generation.emitted.files,
            &Manifest::default(),
            EditedPolicy::Force,
        )
    })?;
    stage("write", || {
        apply(&root, plan, &Manifest::default(), generation, false)
    })
}

/// `gen regen`: brings the project to what the spec produces: generated files rewritten,
/// scaffold files the user edited merged three-way, stale output removed; all in one
/// transaction.
pub fn regen(options: &RegenOptions) -> Result<RegenReport, ProjectError> {
    let root = &options.root;
    let recovered = if options.dry_run {
        false
    } else {
        txn::recover(root)?
    };
    let config = GenConfig::load(root)?;
    if !options.allow_dirty && !options.dry_run {
        let allowed = [config.spec.as_str(), CONFIG_FILE];
        if let Some(dirty) = git::uncommitted_changes(root, &allowed)
            && !dirty.is_empty()
        {
            return Err(ProjectError::DirtyTree { files: dirty });
        }
    }
    let generation = generate_for(root, &config)?;
    let manifest = Manifest::load(root)?.unwrap_or_default();
    let mut plan = Plan::new(root, &generation.emitted.files, &manifest, options.edited)?;
    plan.declare_handler_modules(&generation.api)?;
    if options.dry_run {
        return Ok(report(root, plan, generation, false));
    }
    let edited: Vec<String> = plan
        .with_action(Action::Edited)
        .map(|f| f.path.clone())
        .collect();
    if !edited.is_empty() {
        return Err(ProjectError::EditedGeneratedFiles { files: edited });
    }
    apply(root, plan, &manifest, generation, recovered)
}

/// `gen check`: the plan regen would carry out; the project is fresh when nothing in it
/// touches generated files.
pub fn check(root: &Path) -> Result<RegenReport, ProjectError> {
    // A half-swapped tree would make the report meaningless: put it back first.
    let recovered = txn::recover(root)?;
    let generation = generate_for(root, &GenConfig::load(root)?)?;
    let manifest = Manifest::load(root)?.unwrap_or_default();
    let plan = Plan::new(
        root,
        &generation.emitted.files,
        &manifest,
        EditedPolicy::Refuse,
    )?;
    Ok(report(root, plan, generation, recovered))
}

fn generate_for(root: &Path, config: &GenConfig) -> Result<Generation, ProjectError> {
    let ci = ci_provider(root, config)?;
    let spec_path = root.join(&config.spec);
    let loaded = crate::spec::load(&spec_path).map_err(ProjectError::Spec)?;
    let (api, warnings) = crate::ir::lower(&loaded).map_err(ProjectError::Spec)?;
    let package_name = match config.name.clone() {
        Some(name) => name,
        None => std::fs::read_to_string(root.join("Cargo.toml"))
            .ok()
            .and_then(|text| config::package_name(&text))
            .unwrap_or_else(|| default_package_name(&api)),
    };
    let info = project_info(&package_name, &config.spec, migration_history(root)?, ci);
    crate::generate_from(api, warnings, &info).map_err(ProjectError::from)
}

/// The `ci` setting of gen.toml (GitHub Actions when absent).
fn ci_provider(root: &Path, config: &GenConfig) -> Result<CiProvider, ProjectError> {
    match &config.ci {
        None => Ok(CiProvider::default()),
        Some(name) => CiProvider::parse(name).ok_or_else(|| ProjectError::Config {
            path: root.join(CONFIG_FILE).display().to_string(),
            message: format!("ci must be `github`, `gitlab` or `none`, got `{name}`"),
        }),
    }
}

/// What `gen ci` did.
#[derive(Debug, Default)]
pub struct CiReport {
    /// The pipeline file written.
    pub written: Option<String>,
    /// Another provider's pipeline, removed because it was as specgen wrote it.
    pub removed: Vec<String>,
    /// Another provider's pipeline, kept because the user changed it.
    pub kept: Vec<String>,
}

/// `gen ci`: records `provider` in gen.toml and (re)writes its pipeline file, overwriting
/// it on request. Another provider's pipeline is removed when it is still as specgen wrote
/// it, and kept (and reported) when the user changed it.
pub fn ci(root: &Path, provider: CiProvider) -> Result<CiReport, ProjectError> {
    GenConfig::load(root)?;
    let config_path = root.join(CONFIG_FILE);
    let text =
        std::fs::read_to_string(&config_path).map_err(|e| ProjectError::io(&config_path, e))?;
    let updated = config::with_setting(&text, "ci", provider.name(), false);
    let mut manifest = Manifest::load(root)?.unwrap_or_default();
    let mut report = CiReport::default();
    let mut txn = Transaction::default();
    for (other, path) in CiProvider::FILES {
        if *other == provider {
            continue;
        }
        let on_disk = match std::fs::read(root.join(path)) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => return Err(ProjectError::io(&root.join(path), error)),
        };
        let pristine = manifest
            .files
            .get(*path)
            .is_some_and(|record| record.sha256 == sha256_hex(&on_disk));
        if pristine {
            txn.remove(*path);
            manifest.files.remove(*path);
            report.removed.push((*path).to_owned());
        } else {
            report.kept.push((*path).to_owned());
        }
    }
    if let Some(pipeline) = crate::emit::ci_pipeline(provider)? {
        txn.write(pipeline.path.clone(), pipeline.contents.clone());
        let sha256 = pristine::Additions::new(root)?.add(&mut txn, &pipeline.contents);
        manifest.files.insert(
            pipeline.path.clone(),
            FileRecord {
                ownership: pipeline.ownership,
                sha256,
            },
        );
        report.written = Some(pipeline.path);
    }
    if updated != text {
        txn.write(CONFIG_FILE, updated);
    }
    txn.write(MANIFEST_PATH, manifest.to_json());
    txn.commit(root)?;
    Ok(report)
}

fn report(root: &Path, plan: Plan, generation: Generation, recovered: bool) -> RegenReport {
    // The handler files are parsed once for both lists.
    let implemented = handlers::implemented_methods(root);
    RegenReport {
        root: root.to_path_buf(),
        plan,
        unimplemented: handlers::unimplemented_operations(&generation.api, &implemented),
        orphaned: handlers::orphaned_methods(&generation.api, &implemented),
        warnings: generation.warnings,
        rustfmt_used: generation.emitted.rustfmt_used,
        recovered,
    }
}

/// Carries out the plan in one transaction: the files, the pristine copies of the new
/// output (the next merge's base), gen.toml's version and the manifest.
fn apply(
    root: &Path,
    plan: Plan,
    old_manifest: &Manifest,
    generation: Generation,
    recovered: bool,
) -> Result<RegenReport, ProjectError> {
    let mut txn = Transaction::default();
    let mut blobs = pristine::Additions::new(root)?;
    let mut manifest = Manifest {
        generator: format!("specgen {GENERATOR_VERSION}"),
        files: Default::default(),
    };
    let produced: Vec<&str> = plan
        .files
        .iter()
        .filter_map(|file| file.contents.as_deref())
        .collect();
    let mut hashes = blobs.add_all(&mut txn, &produced).into_iter();
    for file in &plan.files {
        if file.action == Action::Remove {
            txn.remove(file.disk_path.clone());
        } else if file.changes_disk()
            && let Some(written) = &file.written
        {
            txn.write(file.disk_path.clone(), written.clone());
        }
        let record = match &file.contents {
            Some(_) => hashes.next().map(|sha256| FileRecord {
                ownership: file.ownership,
                sha256,
            }),
            // Kept although no longer produced: still the project's, still tracked.
            None if file.action == Action::Keep => old_manifest.files.get(&file.path).cloned(),
            None => None,
        };
        if let Some(record) = record {
            manifest.files.insert(file.path.clone(), record);
        }
    }
    // Migrations this generation did not produce are still the project's: keep their
    // records while they exist.
    for (path, record) in &old_manifest.files {
        if !manifest.files.contains_key(path)
            && path.starts_with("migrations/")
            && root.join(path).exists()
        {
            manifest.files.insert(path.clone(), record.clone());
        }
    }
    blobs.prune(&mut txn, &manifest);
    let config_path = root.join(CONFIG_FILE);
    if let Ok(text) = std::fs::read_to_string(&config_path) {
        let updated = config::with_generator_version(&text, GENERATOR_VERSION);
        if updated != text {
            txn.write(CONFIG_FILE, updated);
        }
    }
    let manifest_json = manifest.to_json();
    if std::fs::read_to_string(root.join(MANIFEST_PATH))
        .ok()
        .as_deref()
        != Some(&manifest_json)
    {
        txn.write(MANIFEST_PATH, manifest_json);
    }
    stage("commit", || txn.commit(root))?;
    Ok(stage("report", || {
        report(root, plan, generation, recovered)
    }))
}

fn project_info(
    package_name: &str,
    spec_file: &str,
    history: MigrationHistory,
    ci: CiProvider,
) -> ProjectInfo {
    ProjectInfo {
        ci,
        package_name: package_name.to_owned(),
        crate_ident: package_name.replace('-', "_"),
        spec_file: spec_file.to_owned(),
        generator_version: GENERATOR_VERSION.to_owned(),
        history,
    }
}

/// The migrations in `migrations/sqlite/` (PostgreSQL's are the same files) and
/// `migrations/mysql/`, and the layout `.specgen/schema.json` says they create.
fn migration_history(root: &Path) -> Result<MigrationHistory, ProjectError> {
    let migrations = migration_files(&root.join("migrations/sqlite"))?;
    let mysql = migration_files(&root.join("migrations/mysql"))?;
    let layout_path = root.join(migrations::LAYOUT_PATH);
    let layout = match std::fs::read_to_string(&layout_path) {
        Ok(text) => Some(serde_json::from_str(&text).map_err(|e| {
            ProjectError::io(
                &layout_path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(ProjectError::io(&layout_path, error)),
    };
    Ok(MigrationHistory {
        migrations,
        mysql,
        layout,
    })
}

/// The migrations in one dialect's folder, oldest first; none when it does not exist.
fn migration_files(dir: &Path) -> Result<Vec<migrations::ExistingMigration>, ProjectError> {
    let mut migrations: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| migrations::parse_file_name(&e.file_name().to_string_lossy()))
            .collect(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(ProjectError::io(dir, error)),
    };
    migrations.sort_by_key(|m| m.version);
    Ok(migrations)
}

/// A Cargo package name from the API title: `Swagger Petstore` → `swagger-petstore`.
pub fn default_package_name(api: &Api) -> String {
    package_name_from(&api.title)
}

/// A Cargo package name made from `text` (a title, or `--name` as typed) whose crate name
/// is snake case, so the project builds without a `non_snake_case` warning under
/// `clippy -D warnings`: lower case, words joined by single hyphens (`My--API` →
/// `my-api`), never a keyword, `test`, or a leading digit.
pub fn package_name_from(text: &str) -> String {
    // Punctuation only separates words here (`snake_ident` would spell a leading `-` as
    // `minus`, as it must for an enum value).
    let words = text.replace(|c: char| !c.is_alphanumeric(), " ");
    if words.trim().is_empty() {
        return "generated-api".to_owned();
    }
    let name = heck::ToKebabCase::to_kebab_case(crate::ir::snake_ident(&words).as_str());
    let name = name.trim_matches('-').to_owned();
    if name.is_empty()
        || crate::ir::is_rust_keyword(&name.replace('-', "_"))
        || name == "test"
        || name.starts_with("n-")
    {
        format!("{}-api", if name.is_empty() { "generated" } else { &name })
    } else {
        name
    }
}

fn dir_has_entries(dir: &Path) -> Result<bool, ProjectError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(ProjectError::io(dir, error)),
    }
}

/// Writes through a temporary file and a rename, so a file is never left half-written.
fn write_file(path: &Path, contents: &[u8]) -> Result<(), ProjectError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| ProjectError::io(parent, e))?;
    }
    let mut temp = path.as_os_str().to_owned();
    temp.push(".specgen-tmp");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, contents).map_err(|e| ProjectError::io(&temp, e))?;
    std::fs::rename(&temp, path).map_err(|e| ProjectError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::package_name_from;

    #[test]
    fn a_package_name_always_makes_a_snake_case_crate_name() {
        for (typed, expected) in [
            ("my--api", "my-api"),
            ("My API", "my-api"),
            ("MyAPI", "my-api"),
            ("-edge_case-", "edge-case"),
            ("petstore", "petstore"),
            ("crate", "crate-api"),
            ("test", "test-api"),
            ("", "generated-api"),
        ] {
            let name = package_name_from(typed);
            assert_eq!(name, expected, "--name {typed:?}");
            let krate = name.replace('-', "_");
            assert!(
                krate
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && !krate.contains("__")
                    && !krate.starts_with(|c: char| c.is_ascii_digit()),
                "{typed:?} gave the crate name {krate}"
            );
        }
    }
}
