//! The ownership rules: generated files are rewritten unless edited by hand, scaffold files
//! are written once, generated files that no longer belong are removed.

use specgen::emit::{OutputFile, Ownership};
use specgen::project::{Action, Manifest, Plan, sha256_hex};

fn manifest_with(path: &str, ownership: Ownership, contents: &str) -> Manifest {
    let mut manifest = Manifest::default();
    manifest.files.insert(
        path.to_owned(),
        specgen::project::FileRecord {
            ownership,
            sha256: sha256_hex(contents.as_bytes()),
        },
    );
    manifest
}

fn action_for(plan: &Plan, path: &str) -> Action {
    plan.files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.action)
        .expect("planned")
}

#[test]
fn a_missing_file_is_created_whoever_owns_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = [
        OutputFile::new("src/generated/a.rs", "a", Ownership::Generated),
        OutputFile::new("src/handlers/b.rs", "b", Ownership::Scaffold),
    ];
    let plan = Plan::new(dir.path(), &output, &Manifest::default()).unwrap();
    assert_eq!(action_for(&plan, "src/generated/a.rs"), Action::Create);
    assert_eq!(action_for(&plan, "src/handlers/b.rs"), Action::Create);
}

#[test]
fn an_existing_scaffold_file_is_kept_even_when_the_new_output_differs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/handlers")).unwrap();
    std::fs::write(dir.path().join("src/handlers/b.rs"), "my code").unwrap();
    let output = [OutputFile::new(
        "src/handlers/b.rs",
        "template",
        Ownership::Scaffold,
    )];
    let manifest = manifest_with("src/handlers/b.rs", Ownership::Scaffold, "template");
    let plan = Plan::new(dir.path(), &output, &manifest).unwrap();
    assert_eq!(action_for(&plan, "src/handlers/b.rs"), Action::Keep);
}

#[test]
fn an_untouched_generated_file_is_updated_and_an_edited_one_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "old output").unwrap();
    std::fs::write(dir.path().join("b.rs"), "old output, edited").unwrap();
    let mut manifest = manifest_with("a.rs", Ownership::Generated, "old output");
    manifest
        .files
        .extend(manifest_with("b.rs", Ownership::Generated, "old output").files);
    let output = [
        OutputFile::new("a.rs", "new output", Ownership::Generated),
        OutputFile::new("b.rs", "new output", Ownership::Generated),
    ];
    let plan = Plan::new(dir.path(), &output, &manifest).unwrap();
    assert_eq!(action_for(&plan, "a.rs"), Action::Update);
    assert_eq!(action_for(&plan, "b.rs"), Action::Edited);
}

#[test]
fn a_generated_file_identical_to_the_new_output_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "same").unwrap();
    let output = [OutputFile::new("a.rs", "same", Ownership::Generated)];
    let plan = Plan::new(dir.path(), &output, &Manifest::default()).unwrap();
    assert_eq!(action_for(&plan, "a.rs"), Action::Unchanged);
    assert!(plan.stale().is_empty());
}

#[test]
fn a_user_file_where_a_generated_file_goes_counts_as_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "user wrote this").unwrap();
    let output = [OutputFile::new("a.rs", "generated", Ownership::Generated)];
    let plan = Plan::new(dir.path(), &output, &Manifest::default()).unwrap();
    assert_eq!(action_for(&plan, "a.rs"), Action::Edited);
}

#[test]
fn a_generated_file_the_spec_no_longer_produces_is_removed_unless_edited() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gone.rs"), "old").unwrap();
    std::fs::write(dir.path().join("gone-edited.rs"), "old, edited").unwrap();
    let mut manifest = manifest_with("gone.rs", Ownership::Generated, "old");
    manifest
        .files
        .extend(manifest_with("gone-edited.rs", Ownership::Generated, "old").files);
    manifest
        .files
        .extend(manifest_with("scaffold.rs", Ownership::Scaffold, "x").files);
    std::fs::write(dir.path().join("scaffold.rs"), "x").unwrap();
    let plan = Plan::new(dir.path(), &[], &manifest).unwrap();
    assert_eq!(action_for(&plan, "gone.rs"), Action::Remove);
    assert_eq!(action_for(&plan, "gone-edited.rs"), Action::Edited);
    assert!(
        plan.files.iter().all(|f| f.path != "scaffold.rs"),
        "scaffold files are never removed"
    );
}
