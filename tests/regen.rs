//! Regeneration scenarios on real projects in temporary directories: what happens to the
//! user's files when they edit, and when the spec changes.

mod common;

use std::path::Path;

use common::{repo_root, run_gen};

fn new_petstore(dir: &Path) {
    let spec = repo_root().join("specs/petstore.yaml");
    let (code, stderr) = run_gen(
        dir,
        &[
            "new",
            spec.to_str().unwrap(),
            "--out",
            "p",
            "--name",
            "petstore",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn append(path: &Path, text: &str) {
    let mut contents = read(path);
    contents.push_str(text);
    std::fs::write(path, contents).unwrap();
}

/// Adds operations to the project's spec: one under the existing `pets` tag and one under
/// a new `owners` tag.
fn add_operations(project: &Path) {
    let spec = project.join("openapi.yaml");
    let text = read(&spec).replacen(
        "\npaths:\n",
        "\npaths:\n  /pets/{petId}/vaccinations:\n    get:\n      operationId: listVaccinations\n      tags: [pets]\n      security: []\n      parameters:\n        - {name: petId, in: path, required: true, schema: {type: integer, format: int64}}\n      responses:\n        \"200\":\n          description: Vaccinations\n          content:\n            application/json:\n              schema: {type: array, items: {type: string, maxLength: 50}}\n  /owners:\n    get:\n      operationId: listOwners\n      tags: [owners]\n      security: []\n      responses:\n        \"200\":\n          description: Owners\n          content:\n            application/json:\n              schema: {type: array, items: {type: string, maxLength: 50}}\n",
        1,
    );
    assert!(
        text.contains("listOwners"),
        "the spec has a `paths:` line to extend"
    );
    std::fs::write(&spec, text).unwrap();
}

#[test]
fn regen_keeps_an_edited_scaffold_file() {
    let dir = tempfile::tempdir().unwrap();
    new_petstore(dir.path());
    let project = dir.path().join("p");
    let handler = project.join("src/handlers/pets.rs");
    append(&handler, "\n// my own note, kept across regen\n");
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&handler).contains("my own note, kept across regen"));
}

#[test]
fn regen_refuses_to_overwrite_an_edited_generated_file_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    new_petstore(dir.path());
    let project = dir.path().join("p");
    let models = project.join("src/generated/models.rs");
    append(&models, "\n// hand edit\n");
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("src/generated/models.rs"), "{stderr}");
    assert!(
        read(&models).contains("// hand edit"),
        "nothing is written when regen refuses"
    );

    let (code, stderr) = run_gen(&project, &["regen", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !read(&models).contains("// hand edit"),
        "--force overwrites"
    );
}

#[test]
fn gen_check_is_clean_after_new_and_fails_when_the_spec_changes() {
    let dir = tempfile::tempdir().unwrap();
    new_petstore(dir.path());
    let project = dir.path().join("p");
    let (code, stderr) = run_gen(&project, &["check"]);
    assert_eq!(code, 0, "{stderr}");
    add_operations(&project);
    let (code, stderr) = run_gen(&project, &["check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("src/generated/api/pets.rs"), "{stderr}");
    assert!(
        stderr.contains("src/generated/api/owners.rs (missing)"),
        "{stderr}"
    );
}

#[test]
fn generation_is_byte_identical_for_the_same_spec() {
    let spec = repo_root().join("specs/blog.yaml");
    let first = common::generate_path(&spec);
    let second = common::generate_path(&spec);
    assert_eq!(first.0, second.0);
}

#[test]
fn new_refuses_a_non_empty_directory_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "precious").unwrap();
    let spec = repo_root().join("specs/petstore.yaml");
    let (code, stderr) = run_gen(dir.path(), &["new", spec.to_str().unwrap(), "--out", "."]);
    assert_eq!(code, 1);
    assert!(stderr.contains("not empty"), "{stderr}");
    assert_eq!(read(&dir.path().join("keep.txt")), "precious");
}

#[test]
fn removing_a_tag_removes_its_generated_module_and_keeps_the_users_handler() {
    let dir = tempfile::tempdir().unwrap();
    new_petstore(dir.path());
    let project = dir.path().join("p");
    add_operations(&project);
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(project.join("src/generated/api/owners.rs").exists());
    // Take the owners operation out again.
    let spec = project.join("openapi.yaml");
    let text = read(&spec);
    let start = text.find("  /owners:").unwrap();
    let end = text[start..]
        .find("\n  /pets:")
        .map(|i| start + i + 1)
        .unwrap();
    std::fs::write(&spec, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !project.join("src/generated/api/owners.rs").exists(),
        "generated code for the tag is gone"
    );
    assert!(
        project.join("src/handlers/owners.rs").exists(),
        "the user's handler file is kept"
    );
    assert!(
        stderr.contains("OwnersApi"),
        "regen says the handler implements a trait that is gone:\n{stderr}"
    );
}

/// The slow scenario: adding operations (one under a new tag) keeps the project compiling,
/// and regen names the operations no handler implements: a new tag's file answers the
/// spec's examples, but an operation added to an existing tag's file is listed. Runs
/// `cargo check` on the project with a shared target directory (`SPECGEN_TEST_TARGET_DIR`,
/// default `target/generated-projects`).
#[test]
fn adding_operations_keeps_the_project_compiling_and_lists_them_unimplemented() {
    let dir = tempfile::tempdir().unwrap();
    new_petstore(dir.path());
    let project = dir.path().join("p");
    add_operations(&project);

    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("listVaccinations → PetsApi::list_vaccinations"),
        "an operation added to an existing handler file is listed:\n{stderr}"
    );
    assert!(
        !stderr.contains("listOwners") && !stderr.contains("deletePet"),
        "operations the handler files implement are not listed:\n{stderr}"
    );
    let owners = read(&project.join("src/handlers/owners.rs"));
    assert!(
        owners.contains("examples::example(")
            && owners.contains("\"list_owners\"")
            && owners.contains("TODO"),
        "a new tag's handler answers the spec's example until implemented:\n{owners}"
    );
    assert!(read(&project.join("src/handlers/mod.rs")).contains("mod owners;"));
    assert!(project.join("src/handlers/owners.rs").exists());

    let target = std::env::var("SPECGEN_TEST_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("target/generated-projects"));
    let output = std::process::Command::new(env!("CARGO"))
        .args(["check", "--all-targets", "--quiet"])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the regenerated project does not compile:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_spec_change_that_alters_tables_adds_a_migration_and_never_rewrites_an_old_one() {
    let dir = tempfile::tempdir().unwrap();
    new_petstore(dir.path());
    let project = dir.path().join("p");
    let init = project.join("migrations/sqlite/0001_init.sql");
    let init_before = read(&init);

    // A new optional field on Pet.
    let spec = project.join("openapi.yaml");
    let text = read(&spec);
    let anchor = "    Pet:\n";
    let at = text.find(anchor).expect("the spec defines Pet");
    let properties = text[at..]
        .find("      properties:\n")
        .expect("Pet has properties")
        + at;
    let insert_at = properties + "      properties:\n".len();
    let changed = format!(
        "{}        nickname: {{type: string, maxLength: 40}}\n{}",
        &text[..insert_at],
        &text[insert_at..]
    );
    std::fs::write(&spec, changed).unwrap();

    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        read(&init),
        init_before,
        "an applied migration is never rewritten"
    );
    for dialect in ["sqlite", "postgres"] {
        let next = read(&project.join(format!("migrations/{dialect}/0002_spec_change.sql")));
        assert!(
            next.contains("ALTER TABLE \"pets\" ADD COLUMN \"nickname\" TEXT"),
            "{dialect}: {next}"
        );
    }
    let resources = read(&project.join("src/generated/resources.rs"));
    assert!(resources.contains("0001_init.sql") && resources.contains("0002_spec_change.sql"));
    let manifest = read(&project.join(".specgen/manifest.json"));
    assert!(
        manifest.contains("migrations/sqlite/0001_init.sql"),
        "the first migration stays a recorded scaffold file"
    );

    // Regenerating again with the same spec adds nothing.
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !project
            .join("migrations/sqlite/0003_spec_change.sql")
            .exists()
    );
}

#[test]
fn gen_ci_switches_the_pipeline_and_regen_keeps_the_choice() {
    let dir = tempfile::tempdir().unwrap();
    new_petstore(dir.path());
    let project = dir.path().join("p");
    let github = project.join(".github/workflows/ci.yml");
    let gitlab = project.join(".gitlab-ci.yml");
    assert!(github.exists(), "gen new writes GitHub Actions by default");

    let (code, stderr) = run_gen(&project, &["ci", ".", "--provider", "gitlab"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&gitlab).contains("cargo clippy --all-targets"));
    assert!(
        !github.exists(),
        "the untouched GitHub workflow is replaced"
    );
    assert!(read(&project.join("gen.toml")).contains("ci = \"gitlab\""));

    // Regen honours the choice: no GitHub workflow comes back, and the project is fresh.
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !github.exists(),
        "regen must not bring the other provider back"
    );
    let (code, stderr) = run_gen(&project, &["check"]);
    assert_eq!(code, 0, "{stderr}");

    // A pipeline the user changed is kept when switching back, and said so.
    append(&gitlab, "\n# my deploy job\n");
    let (code, stderr) = run_gen(&project, &["ci", ".", "--provider", "github"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(github.exists());
    assert!(
        read(&gitlab).contains("# my deploy job"),
        "an edited pipeline is never deleted"
    );
    assert!(stderr.contains("kept"), "{stderr}");

    let (code, stderr) = run_gen(&project, &["ci", ".", "--provider", "jenkins"]);
    assert_eq!(code, 2, "an unknown provider is a usage error: {stderr}");
    assert!(stderr.contains("github, gitlab or none"), "{stderr}");
}
