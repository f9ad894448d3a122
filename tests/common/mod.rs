//! Helpers shared by the generator's tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use specgen::emit::{Ownership, ProjectInfo};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

/// Generated files of a project, by path.
pub struct Files(pub BTreeMap<String, (Ownership, String)>);

impl Files {
    pub fn get(&self, path: &str) -> &str {
        match self.0.get(path) {
            Some((_, contents)) => contents,
            None => panic!(
                "no file {path}; files: {:?}",
                self.0.keys().collect::<Vec<_>>()
            ),
        }
    }
}

/// Runs the whole pipeline on a fixture spec, in memory.
pub fn generate_fixture(name: &str) -> Files {
    generate_path(&fixture(name))
}

pub fn generate_path(path: &Path) -> Files {
    let loaded = specgen::spec::load(path)
        .unwrap_or_else(|d| panic!("{} does not load:\n{d}", path.display()));
    let (api, warnings) = specgen::ir::lower(&loaded)
        .unwrap_or_else(|d| panic!("{} does not lower:\n{d}", path.display()));
    let info = ProjectInfo {
        package_name: "fixture".to_owned(),
        crate_ident: "fixture".to_owned(),
        spec_file: "openapi.yaml".to_owned(),
        generator_version: "test".to_owned(),
        history: Default::default(),
        ci: Default::default(),
    };
    let generation = specgen::generate_from(api, warnings, &info).expect("emits");
    Files(
        generation
            .emitted
            .files
            .into_iter()
            .map(|f| (f.path, (f.ownership, f.contents)))
            .collect(),
    )
}

/// The `gen` binary built for these tests.
pub fn gen_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gen"))
}

/// Runs `gen` with `args` in `dir`; returns (exit code, stderr).
pub fn run_gen(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = std::process::Command::new(gen_binary())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("gen runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Puts `line` (and a newline) after the first line containing `anchor`.
pub fn insert_after(path: &Path, anchor: &str, line: &str) {
    let text = read(path);
    let at = text
        .find(anchor)
        .unwrap_or_else(|| panic!("{} has no `{anchor}`", path.display()));
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    std::fs::write(path, format!("{}{line}\n{}", &text[..end], &text[end..])).unwrap();
}

pub fn replace_in(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

pub fn git(dir: &Path, args: &[&str]) {
    let output = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
}

/// `cargo check` of a generated project, with the tests' shared target directory
/// (`SPECGEN_TEST_TARGET_DIR`, default `target/generated-projects`).
pub fn assert_compiles(project: &Path) {
    date_in_the_future(project);
    let target = std::env::var("SPECGEN_TEST_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("target/generated-projects"));
    let output = std::process::Command::new(env!("CARGO"))
        .args(["check", "--all-targets", "--quiet"])
        .current_dir(project)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the project does not compile:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs the project's own tests (in-memory SQLite), failing with their output.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn assert_tests_pass(project: &Path) {
    date_in_the_future(project);
    let target = std::env::var("SPECGEN_TEST_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("target/generated-projects"));
    let output = std::process::Command::new(env!("CARGO"))
        .args(["test", "--quiet"])
        .current_dir(project)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("TEST_DATABASE_URL")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the project's tests fail:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Dates every file of `project` a day ahead, so that cargo rebuilds its crates from its own
/// sources.
///
/// The tests' projects share one target directory, and cargo gives a path crate the same
/// identity wherever it lies (it hashes the path relative to the workspace root): two
/// temporary projects named alike share their artifacts. Cargo rebuilds a crate only when a
/// source is newer than its last build, so a project written before another test built
/// its namesake would be "fresh" and checked against the other project's code. A source
/// dated in the future is always newer.
fn date_in_the_future(project: &Path) {
    let tomorrow = std::time::SystemTime::now() + std::time::Duration::from_secs(24 * 60 * 60);
    let mut directories = vec![project.to_path_buf()];
    while let Some(directory) = directories.pop() {
        for entry in std::fs::read_dir(&directory).expect("the project is readable") {
            let path = entry.expect("a directory entry").path();
            if path
                .file_name()
                .is_some_and(|name| name == ".git" || name == "target")
            {
                continue;
            }
            if path.is_dir() {
                directories.push(path);
            } else {
                std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|file| file.set_modified(tomorrow))
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
        }
    }
}
