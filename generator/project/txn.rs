//! All of a regeneration's writes as one transaction: either every file changes, or (after an
//! interruption: a kill, a full disk, a power cut) the project is put back as it was.
//!
//! 1. Every new content is written to `.specgen/txn/new/` first. Interrupted here, the
//!    project is untouched; the leftovers are deleted by the next run.
//! 2. Every file about to be replaced or removed is hard-linked (or copied) into
//!    `.specgen/txn/old/`, then a journal listing every change is written and synced.
//! 3. The new files are renamed into place and the removed ones unlinked.
//! 4. `.specgen/txn/` is deleted: the transaction is over.
//!
//! Interrupted during 3, the next `gen` command finds the journal and rolls back: every file
//! in the journal is restored from `old/` or, when it did not exist before, removed.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ProjectError;

pub const TXN_DIR: &str = ".specgen/txn";
const JOURNAL: &str = "journal.json";

/// A test seam: abort the process after this many files are replaced, as a kill would.
const CRASH_AFTER_ENV: &str = "SPECGEN_CRASH_AFTER_WRITES";

#[derive(Debug, Default)]
pub struct Transaction {
    writes: Vec<(String, Vec<u8>)>,
    removals: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    entries: Vec<JournalEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct JournalEntry {
    /// The file, relative to the project root.
    path: String,
    /// Where its previous content is kept, when it had one.
    backup: Option<String>,
}

impl Transaction {
    /// Schedules `contents` to be written at `path` (relative to the project root).
    pub fn write(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.writes.push((path.into(), contents.into()));
    }

    /// Schedules the file at `path` to be removed.
    pub fn remove(&mut self, path: impl Into<String>) {
        self.removals.push(path.into());
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.removals.is_empty()
    }

    /// Carries the transaction out (see the module docs).
    pub fn commit(self, root: &Path) -> Result<(), ProjectError> {
        if self.is_empty() {
            return Ok(());
        }
        let txn = root.join(TXN_DIR);
        if txn.exists() {
            remove_dir(&txn)?;
        }
        // 1. Stage the new contents.
        let staged_dir = txn.join("new");
        create_dir(&staged_dir)?;
        let staged: Vec<(String, PathBuf)> = self
            .writes
            .iter()
            .enumerate()
            .map(|(index, (path, _))| (path.clone(), staged_dir.join(index.to_string())))
            .collect();
        write_all_synced(
            staged
                .iter()
                .zip(&self.writes)
                .map(|((_, temp), (_, contents))| (temp.as_path(), contents.as_slice()))
                .collect(),
        )?;
        // 2. Keep the old contents and write the journal.
        let old_dir = txn.join("old");
        create_dir(&old_dir)?;
        let mut entries = Vec::new();
        let targets = self
            .writes
            .iter()
            .map(|(path, _)| path)
            .chain(&self.removals);
        for (index, path) in targets.enumerate() {
            let target = root.join(path);
            let backup = if target.exists() {
                let name = index.to_string();
                let kept = old_dir.join(&name);
                if std::fs::hard_link(&target, &kept).is_err() {
                    std::fs::copy(&target, &kept).map_err(|e| ProjectError::io(&target, e))?;
                }
                Some(name)
            } else {
                None
            };
            entries.push(JournalEntry {
                path: path.clone(),
                backup,
            });
        }
        let journal = serde_json::to_vec(&Journal { entries }).unwrap_or_default();
        write_synced(&txn.join(JOURNAL), &journal)?;
        // 3. Swap the files in.
        let crash_after: Option<usize> = std::env::var(CRASH_AFTER_ENV)
            .ok()
            .and_then(|v| v.parse().ok());
        for (done, (path, temp)) in staged.iter().enumerate() {
            if crash_after == Some(done) {
                std::process::abort();
            }
            let target = root.join(path);
            if let Some(parent) = target.parent() {
                create_dir(parent)?;
            }
            std::fs::rename(temp, &target).map_err(|e| ProjectError::io(&target, e))?;
        }
        for path in &self.removals {
            remove_file(&root.join(path))?;
        }
        // 4. Done.
        remove_dir(&txn)
    }
}

/// Rolls back a transaction an earlier run did not finish. Returns whether there was one.
pub fn recover(root: &Path) -> Result<bool, ProjectError> {
    let txn = root.join(TXN_DIR);
    if !txn.exists() {
        return Ok(false);
    }
    let journal_path = txn.join(JOURNAL);
    if let Ok(bytes) = std::fs::read(&journal_path) {
        let journal: Journal =
            serde_json::from_slice(&bytes).map_err(|e| ProjectError::Manifest {
                path: journal_path.display().to_string(),
                message: e.to_string(),
            })?;
        for entry in &journal.entries {
            let target = root.join(&entry.path);
            match &entry.backup {
                Some(name) => {
                    let kept = txn.join("old").join(name);
                    std::fs::rename(&kept, &target).map_err(|e| ProjectError::io(&target, e))?;
                }
                None => remove_file(&target)?,
            }
        }
    }
    remove_dir(&txn)?;
    Ok(true)
}

/// Writes the files and makes them durable, several at a time: creating a file and
/// waiting for its `fsync` are mostly waiting, and the file system commits side-by-side
/// `fsync`s together (on a large spec, one file after another was most of the writing
/// time).
fn write_all_synced(files: Vec<(&Path, &[u8])>) -> Result<(), ProjectError> {
    const WRITING_THREADS: usize = 8;
    crate::parallel::map(files, WRITING_THREADS, |(path, contents)| {
        write_synced(path, contents)
    })
    .into_iter()
    .collect()
}

fn write_synced(path: &Path, contents: &[u8]) -> Result<(), ProjectError> {
    let mut file = std::fs::File::create(path).map_err(|e| ProjectError::io(path, e))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| ProjectError::io(path, e))
}

fn create_dir(path: &Path) -> Result<(), ProjectError> {
    std::fs::create_dir_all(path).map_err(|e| ProjectError::io(path, e))
}

fn remove_dir(path: &Path) -> Result<(), ProjectError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(ProjectError::io(path, error)),
    }
}

/// Removes a file, then the directories of a generated tree the removal emptied.
fn remove_file(path: &Path) -> Result<(), ProjectError> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(ProjectError::io(path, error)),
    }
    let mut dir: Option<PathBuf> = path.parent().map(Path::to_path_buf);
    while let Some(current) = dir {
        let is_generated_tree = current.components().any(|c| c.as_os_str() == "generated");
        if !is_generated_tree || std::fs::remove_dir(&current).is_err() {
            break;
        }
        dir = current.parent().map(Path::to_path_buf);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(root: &Path, path: &str) -> Option<String> {
        std::fs::read_to_string(root.join(path)).ok()
    }

    #[test]
    fn a_commit_writes_and_removes_and_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("old.txt"), "old").unwrap();
        std::fs::write(root.join("gone.txt"), "gone").unwrap();
        let mut txn = Transaction::default();
        txn.write("old.txt", "new");
        txn.write("sub/dir/fresh.txt", "fresh");
        txn.remove("gone.txt");
        txn.commit(root).unwrap();
        assert_eq!(read(root, "old.txt").as_deref(), Some("new"));
        assert_eq!(read(root, "sub/dir/fresh.txt").as_deref(), Some("fresh"));
        assert_eq!(read(root, "gone.txt"), None);
        assert!(!root.join(TXN_DIR).exists());
        assert!(!recover(root).unwrap(), "nothing to recover");
    }

    #[test]
    fn an_interrupted_swap_is_rolled_back_to_the_previous_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.txt"), "a1").unwrap();
        std::fs::write(root.join("b.txt"), "b1").unwrap();
        // The state an interrupted commit leaves: journal written, a.txt swapped, c.txt
        // created, b.txt not yet.
        let txn = root.join(TXN_DIR);
        std::fs::create_dir_all(txn.join("old")).unwrap();
        std::fs::hard_link(root.join("a.txt"), txn.join("old/0")).unwrap();
        std::fs::hard_link(root.join("b.txt"), txn.join("old/1")).unwrap();
        let journal = r#"{"entries":[{"path":"a.txt","backup":"0"},{"path":"b.txt","backup":"1"},{"path":"c.txt","backup":null}]}"#;
        std::fs::write(txn.join(JOURNAL), journal).unwrap();
        std::fs::remove_file(root.join("a.txt")).unwrap();
        std::fs::write(root.join("a.txt"), "a2").unwrap();
        std::fs::write(root.join("c.txt"), "c2").unwrap();

        assert!(recover(root).unwrap());
        assert_eq!(read(root, "a.txt").as_deref(), Some("a1"));
        assert_eq!(read(root, "b.txt").as_deref(), Some("b1"));
        assert_eq!(read(root, "c.txt"), None);
        assert!(!txn.exists());
    }

    #[test]
    fn an_interruption_while_staging_leaves_the_tree_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.txt"), "a1").unwrap();
        std::fs::create_dir_all(root.join(TXN_DIR).join("new")).unwrap();
        std::fs::write(root.join(TXN_DIR).join("new/0"), "half").unwrap();
        assert!(recover(root).unwrap());
        assert_eq!(read(root, "a.txt").as_deref(), Some("a1"));
        assert!(!root.join(TXN_DIR).exists());
    }
}
