//! `.specgen/manifest.json`: every file specgen wrote, who owns it, and a hash of what was
//! written, so regen can tell a hand edit from its own output.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ProjectError;
use crate::emit::Ownership;

pub const MANIFEST_PATH: &str = ".specgen/manifest.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `specgen <version>` that wrote the project last.
    pub generator: String,
    pub files: BTreeMap<String, FileRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub ownership: Ownership,
    /// SHA-256 of the content specgen wrote (hex).
    pub sha256: String,
}

impl Manifest {
    pub fn load(root: &Path) -> Result<Option<Self>, ProjectError> {
        let path = root.join(MANIFEST_PATH);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(ProjectError::io(&path, error)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|error| ProjectError::Manifest {
                path: path.display().to_string(),
                message: error.to_string(),
            })
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

pub fn sha256_hex(contents: &[u8]) -> String {
    let digest = Sha256::digest(contents);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
