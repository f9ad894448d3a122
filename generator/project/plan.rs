//! Deciding what a (re)generation does to each file, before anything is written.
//!
//! For every file the new output has, and every file the last generation wrote, the plan says
//! what happens and computes the exact bytes that will be written, so `--dry-run` can show the
//! diff and a refusal can be made before the first write.
//!
//! | file                         | user left it as written | user edited it                 |
//! |------------------------------|-------------------------|--------------------------------|
//! | generated                    | updated                 | refused; `--merge`, `--force`  |
//! | scaffold                     | updated                 | three-way merged               |
//! | scaffold, no longer produced | removed                 | kept, and said                 |
//! | generated, no longer produced| removed                 | refused; `--force` removes     |
//! | migration that exists        | never touched                                            |

use std::collections::BTreeMap;
use std::path::Path;

use super::manifest::{Manifest, sha256_hex};
use super::merge::{self, Labels};
use super::{ProjectError, cargo_toml, handlers, pristine};
use crate::emit::{OutputFile, Ownership};
use crate::ir::Api;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The file does not exist yet: write it.
    Create,
    /// The file changes to the new output (the user had not edited it, or `--force`).
    Update,
    /// Already what it should be.
    Unchanged,
    /// The user's file stays as it is.
    Keep,
    /// The user's edits and the new output, merged cleanly.
    Merge,
    /// The user's edits and the new output, merged with conflict markers to resolve.
    Conflict,
    /// A file the spec no longer produces: delete it.
    Remove,
    /// A generated file edited by hand: refused unless `--merge` or `--force`.
    Edited,
}

impl Action {
    /// The word the plan printout uses.
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Keep => "keep",
            Action::Merge => "merge",
            Action::Conflict => "conflict",
            Action::Remove => "remove",
            Action::Edited => "edited",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// The path specgen gives the file: its key in the manifest.
    pub path: String,
    /// Where the file is: `path`, unless the user moved it.
    pub disk_path: String,
    pub ownership: Ownership,
    pub action: Action,
    /// The new output, the base of the next merge (none for removals).
    pub contents: Option<String>,
    /// What is on disk now.
    pub current: Option<String>,
    /// What will be on disk afterwards, when it changes.
    pub written: Option<String>,
    /// What the plan decided for the user that they should hear about.
    pub notes: Vec<String>,
}

impl PlannedFile {
    /// Whether carrying out the plan changes the file on disk.
    pub fn changes_disk(&self) -> bool {
        match self.action {
            Action::Remove => true,
            _ => self.written.is_some() && self.written != self.current,
        }
    }
}

impl PlannedFile {
    /// Lines added and removed on disk by carrying out the plan.
    pub fn line_changes(&self) -> (usize, usize) {
        if !self.changes_disk() {
            return (0, 0);
        }
        let (before, after) = self.before_after();
        let diff = similar::TextDiff::from_lines(before, after);
        let mut counts = (0, 0);
        for change in diff.iter_all_changes() {
            match change.tag() {
                similar::ChangeTag::Insert => counts.0 += 1,
                similar::ChangeTag::Delete => counts.1 += 1,
                similar::ChangeTag::Equal => {}
            }
        }
        counts
    }

    /// Whether a reviewer needs this file's diff: every change to a file the user owns or
    /// edited. A generated file's diff is the spec's diff in another form.
    pub fn diff_worth_reading(&self) -> bool {
        self.changes_disk()
            && (self.ownership == Ownership::Scaffold
                || !self.notes.is_empty()
                || matches!(self.action, Action::Merge | Action::Conflict))
    }

    fn before_after(&self) -> (&str, &str) {
        let before = self.current.as_deref().unwrap_or("");
        let after = match self.action {
            Action::Remove => "",
            _ => self.written.as_deref().unwrap_or(""),
        };
        (before, after)
    }

    /// The change to the file on disk as a unified diff (`a/` before, `b/` after); empty when
    /// the file does not change.
    pub fn unified_diff(&self) -> String {
        if !self.changes_disk() {
            return String::new();
        }
        let (before, after) = self.before_after();
        let old_name = if self.current.is_some() {
            format!("a/{}", self.disk_path)
        } else {
            "/dev/null".to_owned()
        };
        let new_name = if self.action == Action::Remove {
            "/dev/null".to_owned()
        } else {
            format!("b/{}", self.disk_path)
        };
        similar::TextDiff::from_lines(before, after)
            .unified_diff()
            .context_radius(3)
            .header(&old_name, &new_name)
            .to_string()
    }
}

/// How regen treats generated files the user edited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EditedPolicy {
    /// Refuse to regenerate (the default).
    #[default]
    Refuse,
    /// Merge them like scaffold files.
    Merge,
    /// Overwrite them.
    Force,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

impl Plan {
    /// Compares the new output with the project on disk and the last manifest.
    pub fn new(
        root: &Path,
        output: &[OutputFile],
        manifest: &Manifest,
        policy: EditedPolicy,
    ) -> Result<Self, ProjectError> {
        let mut moved = MovedFiles::new(root);
        let mut files = Vec::with_capacity(output.len());
        for file in output {
            let mut disk_path = file.path.clone();
            let mut current = read_if_exists(root, &file.path)?;
            if current.is_none()
                && file.ownership == Ownership::Scaffold
                && let Some(found) = moved.find(&file.path)
            {
                current = read_if_exists(root, &found)?;
                disk_path = found;
            }
            let record = manifest.files.get(&file.path);
            let mut planned = PlannedFile {
                path: file.path.clone(),
                disk_path,
                ownership: file.ownership,
                action: Action::Unchanged,
                contents: Some(file.contents.clone()),
                current: current.clone(),
                written: None,
                notes: Vec::new(),
            };
            let Some(current) = current else {
                planned.action = Action::Create;
                planned.written = Some(file.contents.clone());
                files.push(planned);
                continue;
            };
            // Hashed only when the file differs from the new output: most do not.
            let untouched = || record.is_some_and(|r| r.sha256 == sha256_hex(current.as_bytes()));
            if current == file.contents {
                planned.action = Action::Unchanged;
            } else if file.path.starts_with("migrations/") {
                // A migration may have been applied: it is never rewritten.
                planned.action = Action::Keep;
            } else if untouched() {
                planned.action = Action::Update;
                planned.written = Some(file.contents.clone());
            } else if file.ownership == Ownership::Generated && policy == EditedPolicy::Refuse {
                planned.action = Action::Edited;
            } else if file.ownership == Ownership::Generated && policy == EditedPolicy::Force {
                planned.action = Action::Update;
                planned.written = Some(file.contents.clone());
                planned
                    .notes
                    .push("your edits are overwritten (--force)".to_owned());
            } else {
                let base = match record {
                    Some(record) => pristine::read(root, &record.sha256)?,
                    None => None,
                };
                merge_into(&mut planned, base.as_deref(), &current, &file.contents);
            }
            files.push(planned);
        }
        for (path, record) in &manifest.files {
            if path.starts_with("migrations/") || output.iter().any(|f| &f.path == path) {
                continue;
            }
            let Some(current) = read_if_exists(root, path)? else {
                continue;
            };
            let untouched = sha256_hex(current.as_bytes()) == record.sha256;
            let (action, note) = match (record.ownership, untouched, policy) {
                (_, true, _) | (Ownership::Generated, false, EditedPolicy::Force) => {
                    (Action::Remove, None)
                }
                (Ownership::Generated, false, EditedPolicy::Refuse) => (Action::Edited, None),
                _ => (
                    Action::Keep,
                    Some(
                        "the spec no longer produces this file; your edited copy is kept"
                            .to_owned(),
                    ),
                ),
            };
            files.push(PlannedFile {
                path: path.clone(),
                disk_path: path.clone(),
                ownership: record.ownership,
                action,
                contents: None,
                current: Some(current),
                written: None,
                notes: note.into_iter().collect(),
            });
        }
        Ok(Self { files })
    }

    /// `src/handlers/mod.rs` must declare every tag's handler module, whatever the merge
    /// made of the file.
    pub fn declare_handler_modules(&mut self, api: &Api) -> Result<(), ProjectError> {
        for planned in &mut self.files {
            if planned.path == "src/handlers/mod.rs" {
                ensure_handler_modules(planned, api)?;
            }
        }
        Ok(())
    }

    pub fn with_action(&self, action: Action) -> impl Iterator<Item = &PlannedFile> {
        self.files.iter().filter(move |f| f.action == action)
    }

    /// Generated files that differ from what the spec produces (what `gen check` reports).
    pub fn stale(&self) -> Vec<&PlannedFile> {
        self.files
            .iter()
            .filter(|f| {
                f.ownership == Ownership::Generated && !matches!(f.action, Action::Unchanged)
            })
            .collect()
    }
}

/// Three-way merges the user's `current` file with the new output, or keeps it when there is
/// no base to merge against.
fn merge_into(planned: &mut PlannedFile, base: Option<&str>, current: &str, theirs: &str) {
    let Some(base) = base else {
        planned.action = Action::Keep;
        planned.notes.push(
            "no record of what specgen wrote last time, so nothing to merge against: your file is kept as it is"
                .to_owned(),
        );
        return;
    };
    if base == theirs {
        planned.action = Action::Keep; // Nothing new from specgen.
        return;
    }
    if planned.path == "Cargo.toml" {
        match cargo_toml::merge(base, current, theirs) {
            Ok(merged) => {
                planned.notes.extend(merged.notes);
                planned.action = if merged.text == current {
                    Action::Keep
                } else {
                    Action::Merge
                };
                planned.written = Some(merged.text);
                return;
            }
            Err(reason) => planned
                .notes
                .push(format!("{reason}; merged line by line instead")),
        }
    }
    let merged = merge::merge(
        base,
        current,
        theirs,
        Labels {
            ours: &format!("yours ({})", planned.disk_path),
            theirs: "specgen (the new output)",
        },
    );
    for (first, last) in &merged.kept_removed {
        planned.notes.push(format!(
            "lines {first}-{last}: the new output drops what these lines were, but you had edited them, so they are kept"
        ));
    }
    planned.action = if !merged.is_clean() {
        planned.notes.push(format!(
            "{} conflict(s): resolve the <<<<<<< ======= >>>>>>> blocks",
            merged.conflicts
        ));
        Action::Conflict
    } else if merged.text == current {
        Action::Keep
    } else {
        Action::Merge
    };
    planned.written = Some(merged.text);
}

fn ensure_handler_modules(planned: &mut PlannedFile, api: &Api) -> Result<(), ProjectError> {
    let Some(text) = planned.written.as_ref().or(planned.current.as_ref()) else {
        return Ok(());
    };
    match handlers::with_handler_modules(text, api) {
        Some(updated) if &updated != text => {
            planned.written = Some(updated);
            if matches!(planned.action, Action::Keep | Action::Unchanged) {
                planned.action = Action::Merge;
            }
            Ok(())
        }
        Some(_) => Ok(()),
        None => Err(ProjectError::MissingHandlerMarker {
            marker: crate::emit::HANDLER_MODULES_MARKER.to_owned(),
            modules: api.groups.iter().map(|g| g.module.clone()).collect(),
        }),
    }
}

/// Scaffold files the user moved, found by the id line at their top. The project's Rust
/// files are read only when a scaffold file is missing from its place.
struct MovedFiles<'a> {
    root: &'a Path,
    by_id: Option<BTreeMap<String, String>>,
}

impl<'a> MovedFiles<'a> {
    fn new(root: &'a Path) -> Self {
        Self { root, by_id: None }
    }

    fn find(&mut self, id: &str) -> Option<String> {
        let root = self.root;
        self.by_id
            .get_or_insert_with(|| ids_under(root))
            .get(id)
            .cloned()
    }
}

/// Every Rust file under `src/` and `tests/` that carries an id, by id.
fn ids_under(root: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    handlers::for_each_rust_file(&[root.join("src"), root.join("tests")], |path, text| {
        if let Some(id) = crate::emit::file_id(text)
            && let Ok(relative) = path.strip_prefix(root)
        {
            found
                .entry(id.to_owned())
                .or_insert_with(|| relative.to_string_lossy().replace('\\', "/"));
        }
    });
    found
}

fn read_if_exists(root: &Path, path: &str) -> Result<Option<String>, ProjectError> {
    let full = root.join(path);
    match std::fs::read(&full) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ProjectError::io(&full, error)),
    }
}
