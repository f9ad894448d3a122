//! Deciding what a (re)generation does to each file, before anything is written.

use std::path::Path;

use super::manifest::{Manifest, sha256_hex};
use crate::emit::{OutputFile, Ownership};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The file does not exist yet: write it.
    Create,
    /// A generated file whose content changes.
    Update,
    /// Already what it should be.
    Unchanged,
    /// A scaffold file that exists: it is the user's, leave it.
    Keep,
    /// A generated file the spec no longer produces: delete it.
    Remove,
    /// A generated file edited by hand (or a user file where a generated file goes): refuse
    /// unless forced.
    Edited,
}

#[derive(Debug, Clone)]
pub struct PlannedFile {
    pub path: String,
    pub ownership: Ownership,
    pub action: Action,
    /// New content (none for removals).
    pub contents: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

impl Plan {
    /// Compares the new output with the project on disk and the last manifest.
    pub fn new(root: &Path, output: &[OutputFile], manifest: &Manifest) -> std::io::Result<Self> {
        let mut files = Vec::with_capacity(output.len());
        for file in output {
            let on_disk = read_if_exists(&root.join(&file.path))?;
            let action = match (file.ownership, &on_disk) {
                (_, None) => Action::Create,
                (Ownership::Scaffold, Some(_)) => Action::Keep,
                (Ownership::Generated, Some(current)) if *current == file.contents => {
                    Action::Unchanged
                }
                (Ownership::Generated, Some(current)) => {
                    let as_written = manifest.files.get(&file.path).map(|r| r.sha256.as_str());
                    if as_written == Some(sha256_hex(current.as_bytes()).as_str()) {
                        Action::Update
                    } else {
                        Action::Edited
                    }
                }
            };
            files.push(PlannedFile {
                path: file.path.clone(),
                ownership: file.ownership,
                action,
                contents: Some(file.contents.clone()),
            });
        }
        for (path, record) in &manifest.files {
            if record.ownership != Ownership::Generated || output.iter().any(|f| &f.path == path) {
                continue;
            }
            let Some(current) = read_if_exists(&root.join(path))? else {
                continue;
            };
            let action = if sha256_hex(current.as_bytes()) == record.sha256 {
                Action::Remove
            } else {
                Action::Edited
            };
            files.push(PlannedFile {
                path: path.clone(),
                ownership: Ownership::Generated,
                action,
                contents: None,
            });
        }
        Ok(Self { files })
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

fn read_if_exists(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}
