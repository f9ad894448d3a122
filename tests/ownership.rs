//! The ownership rules: generated files are rewritten unless edited by hand, scaffold files
//! follow the new output until the user edits them and are merged after, files that no
//! longer belong are removed unless edited.

use specgen::emit::{OutputFile, Ownership};
use specgen::project::{Action, EditedPolicy, Manifest, Plan, sha256_hex};

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
        OutputFile::new("generated/src/a.rs", "a", Ownership::Generated),
        OutputFile::new("src/handlers/b.rs", "b", Ownership::Scaffold),
    ];
    let plan = Plan::new(
        dir.path(),
        &output,
        &Manifest::default(),
        EditedPolicy::Refuse,
    )
    .unwrap();
    assert_eq!(action_for(&plan, "generated/src/a.rs"), Action::Create);
    assert_eq!(action_for(&plan, "src/handlers/b.rs"), Action::Create);
}

#[test]
fn an_edited_scaffold_file_without_a_merge_base_is_kept_and_said() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/handlers")).unwrap();
    std::fs::write(dir.path().join("src/handlers/b.rs"), "my code").unwrap();
    let output = [OutputFile::new(
        "src/handlers/b.rs",
        "template",
        Ownership::Scaffold,
    )];
    let manifest = manifest_with("src/handlers/b.rs", Ownership::Scaffold, "template");
    let plan = Plan::new(dir.path(), &output, &manifest, EditedPolicy::Refuse).unwrap();
    assert_eq!(action_for(&plan, "src/handlers/b.rs"), Action::Keep);
    assert!(plan.files[0].notes[0].contains("nothing to merge against"));
}

#[test]
fn an_untouched_scaffold_file_follows_the_new_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.rs"), "old template").unwrap();
    let output = [OutputFile::new("b.rs", "new template", Ownership::Scaffold)];
    let manifest = manifest_with("b.rs", Ownership::Scaffold, "old template");
    let plan = Plan::new(dir.path(), &output, &manifest, EditedPolicy::Refuse).unwrap();
    assert_eq!(action_for(&plan, "b.rs"), Action::Update);
    assert_eq!(plan.files[0].written.as_deref(), Some("new template"));
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
    let plan = Plan::new(dir.path(), &output, &manifest, EditedPolicy::Refuse).unwrap();
    assert_eq!(action_for(&plan, "a.rs"), Action::Update);
    assert_eq!(action_for(&plan, "b.rs"), Action::Edited);
}

#[test]
fn a_generated_file_identical_to_the_new_output_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "same").unwrap();
    let output = [OutputFile::new("a.rs", "same", Ownership::Generated)];
    let plan = Plan::new(
        dir.path(),
        &output,
        &Manifest::default(),
        EditedPolicy::Refuse,
    )
    .unwrap();
    assert_eq!(action_for(&plan, "a.rs"), Action::Unchanged);
    assert!(plan.stale().is_empty());
}

#[test]
fn a_user_file_where_a_generated_file_goes_counts_as_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "user wrote this").unwrap();
    let output = [OutputFile::new("a.rs", "generated", Ownership::Generated)];
    let plan = Plan::new(
        dir.path(),
        &output,
        &Manifest::default(),
        EditedPolicy::Refuse,
    )
    .unwrap();
    assert_eq!(action_for(&plan, "a.rs"), Action::Edited);
}

#[test]
fn a_file_the_spec_no_longer_produces_is_removed_unless_edited() {
    let dir = tempfile::tempdir().unwrap();
    let mut manifest = Manifest::default();
    for (path, ownership, on_disk) in [
        ("gone.rs", Ownership::Generated, "old"),
        ("gone-edited.rs", Ownership::Generated, "old, edited"),
        ("scaffold.rs", Ownership::Scaffold, "old"),
        ("scaffold-edited.rs", Ownership::Scaffold, "old, edited"),
    ] {
        std::fs::write(dir.path().join(path), on_disk).unwrap();
        manifest
            .files
            .extend(manifest_with(path, ownership, "old").files);
    }
    let plan = Plan::new(dir.path(), &[], &manifest, EditedPolicy::Refuse).unwrap();
    assert_eq!(action_for(&plan, "gone.rs"), Action::Remove);
    assert_eq!(action_for(&plan, "gone-edited.rs"), Action::Edited);
    assert_eq!(action_for(&plan, "scaffold.rs"), Action::Remove);
    assert_eq!(action_for(&plan, "scaffold-edited.rs"), Action::Keep);
    let kept = plan
        .files
        .iter()
        .find(|f| f.path == "scaffold-edited.rs")
        .unwrap();
    assert!(
        kept.notes[0].contains("your edited copy is kept"),
        "{:?}",
        kept.notes
    );

    let plan = Plan::new(dir.path(), &[], &manifest, EditedPolicy::Force).unwrap();
    assert_eq!(action_for(&plan, "gone-edited.rs"), Action::Remove);
}

#[test]
fn an_existing_migration_is_never_rewritten_even_when_untouched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("migrations/sqlite")).unwrap();
    let path = "migrations/sqlite/0001_init.sql";
    std::fs::write(dir.path().join(path), "CREATE TABLE a (id INTEGER);").unwrap();
    let manifest = manifest_with(path, Ownership::Scaffold, "CREATE TABLE a (id INTEGER);");
    let output = [OutputFile::new(
        path,
        "CREATE TABLE a (id TEXT);",
        Ownership::Scaffold,
    )];
    let plan = Plan::new(dir.path(), &output, &manifest, EditedPolicy::Force).unwrap();
    assert_eq!(action_for(&plan, path), Action::Keep);
    let plan = Plan::new(dir.path(), &[], &manifest, EditedPolicy::Force).unwrap();
    assert!(plan.files.is_empty(), "nor removed: {:?}", plan.files);
}
