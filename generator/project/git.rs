//! Regen refuses to run over uncommitted changes, so that what it does is one reviewable
//! diff (`git diff` after regen shows exactly regen's work) and undoable (`git checkout .`).

use std::path::Path;
use std::process::Command;

/// Files under `root` with uncommitted changes, as `git status --porcelain` names them,
/// except those in `allowed` (the spec and gen.toml: editing the spec is how a regen starts).
/// `None` when `root` is not in a git work tree, or git is not installed: there is nothing to
/// protect then, and nothing to refuse.
pub fn uncommitted_changes(root: &Path, allowed: &[&str]) -> Option<Vec<String>> {
    let output = Command::new("git")
        .args([
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--no-renames",
            "--",
            ".",
        ])
        .current_dir(root)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    // Porcelain paths are relative to the repository's root; the project may be below it.
    let prefix = Command::new("git")
        .args(["rev-parse", "--show-prefix"])
        .current_dir(root)
        .output()
        .ok()?;
    let prefix = String::from_utf8_lossy(&prefix.stdout).trim().to_owned();
    let text = String::from_utf8_lossy(&output.stdout);
    let mut dirty: Vec<String> = text
        .split('\0')
        .filter_map(|entry| entry.get(3..))
        .filter(|path| !path.is_empty())
        .map(|path| {
            path.strip_prefix(prefix.as_str())
                .unwrap_or(path)
                .to_owned()
        })
        .filter(|path| !allowed.iter().any(|a| normalise(a) == *path))
        .collect();
    dirty.sort();
    Some(dirty)
}

fn normalise(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(status.status.success(), "{status:?}");
    }

    #[test]
    fn changes_are_listed_except_the_allowed_ones_and_outside_git_nothing_is() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("openapi.yaml"), "a").unwrap();
        std::fs::write(root.join("code.rs"), "a").unwrap();
        assert_eq!(uncommitted_changes(root, &[]), None, "not a repository");

        git(root, &["init", "-q"]);
        git(root, &["add", "."]);
        git(root, &["commit", "-q", "-m", "init"]);
        assert_eq!(uncommitted_changes(root, &[]), Some(vec![]));

        std::fs::write(root.join("openapi.yaml"), "b").unwrap();
        std::fs::write(root.join("code.rs"), "b").unwrap();
        std::fs::create_dir(root.join("new")).unwrap();
        std::fs::write(root.join("new/file.rs"), "b").unwrap();
        assert_eq!(
            uncommitted_changes(root, &["openapi.yaml"]),
            Some(vec!["code.rs".to_owned(), "new/file.rs".to_owned()])
        );
    }
}
