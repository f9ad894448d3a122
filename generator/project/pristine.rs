//! `.specgen/pristine/`: the exact content specgen wrote last time for every file it owns or
//! scaffolded, the `base` of the next three-way merge.
//!
//! Blobs are keyed by the SHA-256 the manifest records, so identical files are stored once
//! and a blob is never rewritten, and zlib-compressed, so the store costs a fraction of the
//! project. It is committed with the project: a teammate's regen merges against the same
//! base. Compression is deterministic (no timestamps), so the same output always gives the
//! same bytes.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;

use super::txn::Transaction;
use super::{Manifest, ProjectError};
use crate::parallel::{cores, map};

pub const PRISTINE_DIR: &str = ".specgen/pristine";

/// The blob of content hashed `sha256`, relative to the project root.
pub fn blob_path(sha256: &str) -> String {
    format!("{PRISTINE_DIR}/{sha256}.z")
}

/// The compressed bytes stored for `contents`. The default level: the best one costs a
/// third of `gen new`'s time on a large spec for 3 % fewer bytes.
pub fn encode(contents: &str) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(contents.as_bytes());
    encoder.finish().unwrap_or_default()
}

/// The pristine content hashed `sha256`, if the store has it. A blob that does not
/// decompress, or does not hash to its name, counts as missing: a merge without a base is
/// safe (the user's file is kept), a merge against a wrong base is not.
pub fn read(root: &Path, sha256: &str) -> Result<Option<String>, ProjectError> {
    let path = root.join(blob_path(sha256));
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(ProjectError::io(&path, error)),
    };
    let mut text = String::new();
    if ZlibDecoder::new(bytes.as_slice())
        .read_to_string(&mut text)
        .is_err()
        || super::sha256_hex(text.as_bytes()) != sha256
    {
        return Ok(None);
    }
    Ok(Some(text))
}

/// The blobs in the store, by file name (relative to the project root).
pub fn stored(root: &Path) -> Result<Vec<String>, ProjectError> {
    let dir = root.join(PRISTINE_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(ProjectError::io(&dir, error)),
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| format!("{PRISTINE_DIR}/{}", e.file_name().to_string_lossy()))
        .collect();
    out.sort();
    Ok(out)
}

/// The blobs one transaction adds to the store: each content once, and only when the store
/// lacks it; then the blobs no record needs any more go.
pub struct Additions {
    /// What the store held before this transaction.
    on_disk: Vec<String>,
    /// What it will hold: `on_disk` and the blobs added since.
    known: BTreeSet<String>,
}

impl Additions {
    pub fn new(root: &Path) -> Result<Self, ProjectError> {
        let on_disk = stored(root)?;
        let known = on_disk.iter().cloned().collect();
        Ok(Self { on_disk, known })
    }

    /// Schedules the blob of `contents` if the store lacks it; returns its hash, the key a
    /// manifest record keeps.
    pub fn add(&mut self, txn: &mut Transaction, contents: &str) -> String {
        let sha256 = super::sha256_hex(contents.as_bytes());
        let blob = blob_path(&sha256);
        if self.known.insert(blob.clone()) {
            txn.write(blob, encode(contents));
        }
        sha256
    }

    /// [`add`](Self::add) for many contents at once, hashed and compressed on every core
    /// (a whole project's output is megabytes of text on a large spec); the hashes come
    /// back in the order of `contents`.
    pub fn add_all(&mut self, txn: &mut Transaction, contents: &[&str]) -> Vec<String> {
        let hashes = map(contents.to_vec(), cores(), |text| {
            super::sha256_hex(text.as_bytes())
        });
        let missing: Vec<(&String, &str)> = hashes
            .iter()
            .zip(contents)
            .filter(|(sha256, _)| self.known.insert(blob_path(sha256)))
            .map(|(sha256, text)| (sha256, *text))
            .collect();
        let encoded = map(missing.clone(), cores(), |(_, text)| encode(text));
        for ((sha256, _), blob) in missing.iter().zip(encoded) {
            txn.write(blob_path(sha256), blob);
        }
        hashes
    }

    /// Schedules the removal of the stored blobs no record of `manifest` needs.
    pub fn prune(self, txn: &mut Transaction, manifest: &Manifest) {
        let needed: BTreeSet<String> = manifest
            .files
            .values()
            .map(|record| blob_path(&record.sha256))
            .collect();
        for blob in self.on_disk {
            if !needed.contains(&blob) {
                txn.remove(blob);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_reads_back_as_the_content_it_was_made_from() {
        let dir = tempfile::tempdir().unwrap();
        let contents = "fn main() {}\n".repeat(50);
        let sha = crate::project::sha256_hex(contents.as_bytes());
        let path = dir.path().join(blob_path(&sha));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let encoded = encode(&contents);
        assert!(encoded.len() < contents.len() / 4, "compressed");
        assert_eq!(encoded, encode(&contents), "deterministic");
        std::fs::write(&path, encoded).unwrap();
        assert_eq!(read(dir.path(), &sha).unwrap(), Some(contents));
    }

    #[test]
    fn adding_many_contents_hashes_each_in_order_and_stores_each_blob_once() {
        let dir = tempfile::tempdir().unwrap();
        let contents = ["one", "two", "one", "three"];
        let mut txn = Transaction::default();
        let mut additions = Additions::new(dir.path()).unwrap();
        let hashes = additions.add_all(&mut txn, &contents);
        let expected: Vec<String> = contents
            .iter()
            .map(|c| crate::project::sha256_hex(c.as_bytes()))
            .collect();
        assert_eq!(hashes, expected);
        txn.commit(dir.path()).unwrap();
        assert_eq!(stored(dir.path()).unwrap().len(), 3, "`one` is stored once");
        for (text, sha) in contents.iter().zip(&hashes) {
            assert_eq!(read(dir.path(), sha).unwrap().as_deref(), Some(*text));
        }
    }

    #[test]
    fn a_blob_that_does_not_match_its_name_is_not_a_base() {
        let dir = tempfile::tempdir().unwrap();
        let sha = crate::project::sha256_hex(b"one");
        let path = dir.path().join(blob_path(&sha));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, encode("two")).unwrap();
        assert_eq!(read(dir.path(), &sha).unwrap(), None);
        assert_eq!(read(dir.path(), "missing").unwrap(), None);
    }
}
