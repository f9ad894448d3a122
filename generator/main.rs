//! `gen`: the specgen command line. Parses arguments, runs one command, renders its result
//! and errors once, here at the edge.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use specgen::project::{
    self, Action, EditedPolicy, NewOptions, ProjectError, RegenOptions, RegenReport,
};
use specgen::spec::{Diagnostic, Diagnostics};

/// Emitting a large spec makes and drops millions of small token trees and strings;
/// mimalloc serves them faster than glibc's malloc (a sixth of the CLI's time on GitHub's
/// spec went to malloc and free).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate a complete, production-grade Rust (axum) backend from an OpenAPI spec.
#[derive(Debug, Parser)]
#[command(name = "gen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new project from a spec (the spec is copied into it as openapi.yaml/.json).
    New {
        /// The OpenAPI spec (YAML or JSON).
        spec: PathBuf,
        /// Where to create the project (default: the kebab-cased `info.title`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The Cargo package name (default: the kebab-cased `info.title`).
        #[arg(long)]
        name: Option<String>,
        /// Generate into a directory that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Regenerate a project after its spec changed. Generated files are rewritten; scaffold
    /// files you edited are merged three-way with the new output (conflicts get git's
    /// markers and make regen exit 1); Cargo.toml is merged key by key. All writes happen
    /// in one transaction.
    Regen {
        /// The project directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite generated files even if they were edited by hand.
        #[arg(long, conflicts_with = "merge")]
        force: bool,
        /// Merge hand edits to generated files into the new output, like scaffold files.
        #[arg(long)]
        merge: bool,
        /// Print what would happen to each file, and the diff, without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Run even though the project has uncommitted changes (other than to the spec).
        #[arg(long)]
        allow_dirty: bool,
    },
    /// Exit 1 when the project's generated code is not what its spec produces.
    Check {
        /// The project directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// (Re)write the project's CI pipeline for a CI system, and remember the choice in
    /// gen.toml. The pipeline runs fmt, clippy, the tests on PostgreSQL, a staleness check,
    /// a dependency audit, a cached Docker build and an image release on tags.
    Ci {
        /// The project directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// github (GitHub Actions), gitlab (GitLab CI) or none.
        #[arg(long, default_value = "github")]
        provider: String,
    },
    /// Check a spec and report every problem with its location.
    Validate {
        /// The OpenAPI spec (YAML or JSON).
        spec: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::New {
            spec,
            out,
            name,
            force,
        } => match project::new_project(&NewOptions {
            spec,
            out,
            name,
            force,
        }) {
            Ok(report) => {
                print_warnings(&report.warnings);
                let created = report.plan.with_action(Action::Create).count();
                eprintln!("created {} ({created} files)", report.root.display());
                print_unimplemented(&report);
                eprintln!(
                    "\nnext:\n  cd {}\n  cargo test\n  cargo run",
                    report.root.display()
                );
                ExitCode::SUCCESS
            }
            Err(error) => fail(error),
        },
        Command::Regen {
            dir,
            force,
            merge,
            dry_run,
            allow_dirty,
        } => {
            let edited = if force {
                EditedPolicy::Force
            } else if merge {
                EditedPolicy::Merge
            } else {
                EditedPolicy::Refuse
            };
            match project::regen(&RegenOptions {
                root: dir,
                edited,
                dry_run,
                allow_dirty,
            }) {
                Ok(report) if dry_run => {
                    print_warnings(&report.warnings);
                    print_plan(&report, true);
                    eprintln!("dry run: nothing was written");
                    ExitCode::SUCCESS
                }
                Ok(report) => {
                    print_warnings(&report.warnings);
                    if report.recovered {
                        eprintln!(
                            "note: an earlier regen was interrupted; its changes were rolled back first"
                        );
                    }
                    print_plan(&report, false);
                    let conflicts = report.conflicts();
                    if conflicts.is_empty() {
                        print_unimplemented(&report);
                        ExitCode::SUCCESS
                    } else {
                        // Handler files with markers do not parse: which operations they
                        // implement is only known once the conflicts are resolved.
                        eprintln!(
                            "error: {} file{} merged with conflicts; resolve the <<<<<<< ======= >>>>>>> blocks, then build:",
                            conflicts.len(),
                            if conflicts.len() == 1 { "" } else { "s" }
                        );
                        for file in conflicts {
                            eprintln!("  {}", file.disk_path);
                        }
                        ExitCode::FAILURE
                    }
                }
                Err(error) => fail(error),
            }
        }
        Command::Check { dir } => match project::check(&dir) {
            Ok(report) => {
                if report.recovered {
                    eprintln!(
                        "note: an earlier regen was interrupted; its changes were rolled back"
                    );
                }
                let stale = report.plan.stale();
                if stale.is_empty() {
                    eprintln!("{}: generated code is up to date", report.root.display());
                    ExitCode::SUCCESS
                } else {
                    eprintln!(
                        "{}: generated code is stale; run `gen regen`:",
                        report.root.display()
                    );
                    for file in stale {
                        let what = match file.action {
                            Action::Create => "missing",
                            Action::Remove => "no longer generated",
                            Action::Edited => "edited by hand",
                            _ => "out of date",
                        };
                        eprintln!("  {} ({what})", file.path);
                    }
                    ExitCode::FAILURE
                }
            }
            Err(error) => fail(error),
        },
        Command::Ci { dir, provider } => {
            let Some(provider) = specgen::emit::CiProvider::parse(&provider) else {
                eprintln!("error: --provider must be github, gitlab or none, got `{provider}`");
                return ExitCode::from(2);
            };
            match project::ci(&dir, provider) {
                Ok(report) => {
                    if let Some(path) = &report.written {
                        eprintln!("wrote {}", dir.join(path).display());
                    }
                    for path in &report.removed {
                        eprintln!(
                            "removed {} (the previous pipeline)",
                            dir.join(path).display()
                        );
                    }
                    for path in &report.kept {
                        eprintln!(
                            "kept {}: you changed it; delete it yourself if it is no longer wanted",
                            dir.join(path).display()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => fail(error),
            }
        }
        Command::Validate { spec } => {
            let loaded = match specgen::spec::load(&spec) {
                Ok(loaded) => loaded,
                Err(diagnostics) => return fail(ProjectError::Spec(diagnostics)),
            };
            match specgen::ir::lower(&loaded) {
                Ok((api, warnings)) => {
                    print_warnings(&warnings);
                    eprintln!(
                        "{}: valid ({} operations, {} types, {} warnings)",
                        spec.display(),
                        api.operations.len(),
                        api.types.len(),
                        warnings.warnings().count()
                    );
                    for resource in &api.resources {
                        eprintln!(
                            "  resource `{}`: {}",
                            resource.table,
                            describe(&api, resource)
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(diagnostics) => fail(ProjectError::Spec(diagnostics)),
            }
        }
    }
}

/// `/pets` (list, create) + `/pets/{petId}` (get, delete): what `gen validate` shows
/// of a detected resource.
fn describe(api: &specgen::ir::Api, resource: &specgen::ir::Resource) -> String {
    let served: Vec<String> = resource
        .ops
        .served()
        .map(|(role, op)| format!("{role} {}", api.operation(op).id))
        .collect();
    let owner = resource.owner_summary(api);
    format!(
        "{} keyed by `{}`, {owner}; {}",
        resource.collection_path,
        resource.key.field,
        served.join(", ")
    )
}

fn fail(error: ProjectError) -> ExitCode {
    match error {
        ProjectError::Spec(diagnostics) => {
            for diagnostic in diagnostics.iter() {
                render(diagnostic);
            }
            let errors = diagnostics.errors().count();
            eprintln!(
                "error: the spec has {errors} error{}",
                if errors == 1 { "" } else { "s" }
            );
        }
        other => eprintln!("error: {other}"),
    }
    ExitCode::FAILURE
}

fn render(diagnostic: &Diagnostic) {
    let theme = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        miette::GraphicalTheme::unicode_nocolor()
    } else {
        miette::GraphicalTheme::default()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_ok() {
        let mut under_message = String::new();
        if let Some(pointer) = &diagnostic.pointer {
            under_message.push_str(&format!("  at {pointer}\n"));
        }
        if let Some(excerpt) = diagnostic.long_line_excerpt() {
            under_message.push_str(&excerpt);
        }
        if !under_message.is_empty() {
            out = out.replacen('\n', &format!("\n{under_message}"), 1);
        }
        eprint!("{out}");
    } else {
        eprintln!("{}: {diagnostic}", diagnostic.short_location());
    }
}

fn print_warnings(warnings: &Diagnostics) {
    let count = warnings.warnings().count();
    if count == 0 {
        return;
    }
    // One line each: a large spec can have hundreds; `gen validate` shows the excerpts.
    for warning in warnings.warnings() {
        eprintln!(
            "warning: {} [{}]",
            warning.message,
            warning.short_location()
        );
    }
    eprintln!(
        "{count} warning{} (details with `gen validate`)",
        if count == 1 { "" } else { "s" }
    );
}

/// One line per file regen changes (or keeps with something to say), with the notes
/// below it; with `diff`, each change as a unified diff after the list.
fn print_plan(report: &RegenReport, diff: bool) {
    let mut counts = std::collections::BTreeMap::new();
    for file in &report.plan.files {
        let shown = file.changes_disk() || !file.notes.is_empty() || file.action == Action::Edited;
        if !shown {
            continue;
        }
        let verb = match file.action {
            Action::Update if file.notes.iter().any(|n| n.contains("--force")) => "overwrite",
            action => action.verb(),
        };
        *counts.entry(verb).or_insert(0usize) += 1;
        let moved = if file.disk_path == file.path {
            String::new()
        } else {
            format!(" (moved from {})", file.path)
        };
        let (added, removed) = file.line_changes();
        let size = if file.changes_disk() {
            format!("  +{added} -{removed}")
        } else {
            String::new()
        };
        eprintln!("  {verb:<9} {}{moved}{size}", file.disk_path);
        for note in &file.notes {
            eprintln!("            {note}");
        }
    }
    if counts.is_empty() {
        eprintln!("{}: already up to date", report.root.display());
    } else {
        let summary: Vec<String> = counts
            .iter()
            .map(|(verb, n)| format!("{n} {verb}"))
            .collect();
        eprintln!("{}: {}", report.root.display(), summary.join(", "));
    }
    if !report.rustfmt_used {
        eprintln!("note: rustfmt was not found; Rust files are laid out by prettyplease instead");
    }
    for method in &report.orphaned {
        eprintln!(
            "warning: your handler implements {method}, which the spec no longer has; remove it (your code was kept)"
        );
    }
    if diff {
        // The diffs a reviewer reads: files the user owns or edited. Generated files only
        // restate the spec's diff; their sizes are in the list above.
        for file in report.plan.files.iter().filter(|f| f.diff_worth_reading()) {
            print!("{}", file.unified_diff());
        }
    }
}

fn print_unimplemented(report: &RegenReport) {
    if report.unimplemented.is_empty() {
        return;
    }
    eprintln!(
        "{} operation{} not implemented yet (they answer 501):",
        report.unimplemented.len(),
        if report.unimplemented.len() == 1 {
            " is"
        } else {
            "s are"
        }
    );
    for (id, method) in report.unimplemented.iter().take(20) {
        eprintln!("  {id} → {method}");
    }
    if report.unimplemented.len() > 20 {
        eprintln!("  ... and {} more", report.unimplemented.len() - 20);
    }
}
