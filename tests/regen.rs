//! Regeneration scenarios on real projects in temporary directories: what happens to the
//! user's files when they edit, and when the spec changes.

mod common;

use std::path::Path;

use common::{assert_compiles, git, insert_after, read, replace_in, repo_root, run_gen};

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

/// A fresh petstore project in a temporary directory (deleted when the guard drops).
fn petstore() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    new_petstore(dir.path());
    let project = dir.path().join("p");
    (dir, project)
}

fn append(path: &Path, text: &str) {
    let mut contents = read(path);
    contents.push_str(text);
    std::fs::write(path, contents).unwrap();
}

/// Every file of the project but git's, by path.
fn snapshot(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Adds a `nickname` property to the `Pet` schema of the project's spec.
fn add_pet_field(project: &Path) {
    let spec = project.join("openapi.yaml");
    let text = read(&spec);
    let at = text.find("    Pet:\n").expect("the spec defines Pet");
    let properties = text[at..]
        .find("      properties:\n")
        .expect("Pet has properties")
        + at
        + "      properties:\n".len();
    std::fs::write(
        &spec,
        format!(
            "{}        nickname: {{type: string, maxLength: 40}}\n{}",
            &text[..properties],
            &text[properties..]
        ),
    )
    .unwrap();
}

/// Runs SQL scripts on a SQLite database file (with Python's sqlite3, which every CI image
/// here has) and returns the rows the last one selects, one Python tuple a line.
fn sqlite(database: &Path, scripts: &[&str]) -> String {
    let program = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nrows = []\nfor script in sys.argv[2:]:\n    rows = c.executescript(script).fetchall() if not script.lstrip().upper().startswith('SELECT') else c.execute(script).fetchall()\nc.commit()\nfor row in rows:\n    print(row)\n";
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(program)
        .arg(database)
        .args(scripts)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
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
    let (_dir, project) = petstore();
    let handler = project.join("src/handlers/pets.rs");
    append(&handler, "\n// my own note, kept across regen\n");
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&handler).contains("my own note, kept across regen"));
}

/// Repositories scaffolded before the store's reads returned models read records and
/// converted each with `typed`. Such a file is the user's, so regen keeps it, and the
/// store still serves that style: the project compiles.
#[test]
fn a_repository_that_converts_records_itself_still_compiles_after_regen() {
    let (_dir, project) = petstore();
    let repository = project.join("src/repositories/pets.rs");
    for (typed_read, record_read) in [
        ("StoreError, to_record,", "StoreError, to_record, typed,"),
        (
            "self.db.list(&PETS, &PETS_LISTING, scope, query).await",
            "self.db.list(&PETS, &PETS_LISTING, scope, query).await?.typed()",
        ),
        (
            "self.db.fetch(&PETS, scope, key).await",
            "self.db.fetch(&PETS, scope, key).await?.map(typed).transpose()",
        ),
        (
            "self.db.insert(&PETS, scope, to_record(new)?).await",
            "let (key, stored) = self.db.insert(&PETS, scope, to_record(new)?).await?;\n        Ok((key, typed(stored)?))",
        ),
        (
            "self.db.replace(&PETS, scope, key, to_record(body)?).await",
            "self.db.replace(&PETS, scope, key, to_record(body)?).await?.map(typed).transpose()",
        ),
        (
            "self.db.patch(&PETS, scope, key, &to_record(patch)?).await",
            "self.db.patch(&PETS, scope, key, &to_record(patch)?).await?.map(typed).transpose()",
        ),
    ] {
        replace_in(&repository, typed_read, record_read);
    }
    let written = read(&repository);
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        read(&repository),
        written,
        "regen leaves the repository alone"
    );
    assert_compiles(&project);
}

#[test]
fn regen_refuses_to_overwrite_an_edited_generated_file_and_names_it() {
    let (_dir, project) = petstore();
    let models = project.join("generated/src/models.rs");
    append(&models, "\n// hand edit\n");
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("generated/src/models.rs"), "{stderr}");
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
    let (_dir, project) = petstore();
    let (code, stderr) = run_gen(&project, &["check"]);
    assert_eq!(code, 0, "{stderr}");
    add_operations(&project);
    let (code, stderr) = run_gen(&project, &["check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("generated/src/api/pets.rs"), "{stderr}");
    assert!(
        stderr.contains("generated/src/api/owners.rs (missing)"),
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
fn removing_a_tag_removes_its_generated_code_and_keeps_the_handler_the_user_wrote() {
    let (_dir, project) = petstore();
    add_operations(&project);
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(project.join("generated/src/api/owners.rs").exists());
    let owners = project.join("src/handlers/owners.rs");
    insert_after(
        &owners,
        "impl OwnersApi for Handlers",
        "    // my owners code",
    );
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
        !project.join("generated/src/api/owners.rs").exists(),
        "generated code for the tag is gone"
    );
    assert!(
        read(&owners).contains("// my owners code"),
        "the user's handler file is kept"
    );
    assert!(
        stderr.contains("keep      src/handlers/owners.rs")
            && stderr.contains("your edited copy is kept")
            && stderr.contains("OwnersApi"),
        "regen says it kept the file, and that its trait is gone:\n{stderr}"
    );
    assert!(
        !read(&project.join("src/handlers/mod.rs")).contains("mod owners;"),
        "the module is no longer declared, so the project still compiles"
    );
}

#[test]
fn a_scaffold_file_the_user_never_touched_goes_with_its_operations() {
    let (_dir, project) = petstore();
    let spec = project.join("openapi.yaml");
    let pristine = read(&spec);
    add_operations(&project);
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(project.join("src/handlers/owners.rs").exists());
    std::fs::write(&spec, pristine).unwrap();
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!project.join("src/handlers/owners.rs").exists(), "{stderr}");
    assert!(
        stderr.contains("remove    src/handlers/owners.rs"),
        "{stderr}"
    );
}

/// The slow scenario, the daily loop: the user has edited a handler, a service and
/// Cargo.toml; the spec gains operations (one under a new tag) and a field, and loses one
/// operation's old name to a new one. Regen merges everything cleanly, no user line is lost,
/// the new stubs land in the user's own files, and the result compiles.
#[test]
fn the_daily_loop_merges_spec_changes_into_edited_files_and_the_project_compiles() {
    let (_dir, project) = petstore();
    let handler = project.join("src/handlers/pets.rs");
    let service = project.join("src/services/pets.rs");
    let cargo_toml = project.join("Cargo.toml");
    insert_after(
        &handler,
        "let query = ListQuery::new()",
        "            // my tuning: list queries are logged\n            .limit(request.limit.min(50))",
    );
    // Right below a signature the rename below rewrites: the user's line follows the rename.
    insert_after(
        &handler,
        ") -> Result<DeletePetResponse, Problem> {",
        "        tracing::info!(pet = request.pet_id, \"deleting a pet\");",
    );
    insert_after(
        &service,
        "impl<R: PetRepository> PetService<R>",
        "    // my service note: kept across regen",
    );
    insert_after(&cargo_toml, "[dependencies]", "itoa = \"1\" # mine");

    add_operations(&project);
    add_pet_field(&project);
    let spec = project.join("openapi.yaml");
    replace_in(&spec, "operationId: deletePet", "operationId: removePet");

    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    let handlers = read(&handler);
    assert!(
        handlers.contains("// my tuning: list queries are logged")
            && handlers.contains(".limit(request.limit.min(50))"),
        "the user's lines stay:\n{handlers}"
    );
    assert!(
        handlers.contains("async fn list_vaccinations(")
            && handlers.contains("async fn remove_pet(")
            && !handlers.contains("async fn delete_pet("),
        "the new operation's stub is added and the renamed one follows:\n{handlers}"
    );
    assert!(
        handlers.contains(") -> Result<RemovePetResponse, Problem> {\n        tracing::info!(pet = request.pet_id, \"deleting a pet\");"),
        "the user's line in the renamed handler stays below its new signature:\n{handlers}"
    );
    assert!(
        stderr.contains("merge     src/handlers/pets.rs"),
        "{stderr}"
    );
    assert!(read(&service).contains("// my service note: kept across regen"));
    let manifest = read(&cargo_toml);
    assert!(manifest.contains("itoa = \"1\" # mine"), "{manifest}");
    assert!(manifest.contains("axum"), "{manifest}");
    assert!(
        !stderr.contains("not implemented yet"),
        "every operation has a handler:\n{stderr}"
    );
    let owners = read(&project.join("src/handlers/owners.rs"));
    assert!(
        owners.contains("examples::example(") && owners.contains("\"list_owners\""),
        "a new tag's handler answers the spec's example until implemented:\n{owners}"
    );
    assert!(read(&project.join("src/handlers/mod.rs")).contains("mod owners;"));
    let (code, stderr) = run_gen(&project, &["check"]);
    assert_eq!(code, 0, "fresh after regen: {stderr}");
    assert_compiles(&project);
}

#[test]
fn an_edit_the_new_output_also_changes_is_a_conflict_with_markers_and_exit_1() {
    let (_dir, project) = petstore();
    let readme = project.join("README.md");
    replace_in(
        &readme,
        "| GET | `/pets` | `listPets` |",
        "| GET | `/pets` | `listPets` (cached for 60 s) |",
    );
    let spec = project.join("openapi.yaml");
    replace_in(&spec, "operationId: listPets", "operationId: listAllPets");

    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("conflict  README.md") && stderr.contains("merged with conflicts"),
        "{stderr}"
    );
    let text = read(&readme);
    let conflict = text
        .split("<<<<<<< ")
        .nth(1)
        .and_then(|rest| rest.split(">>>>>>> ").next())
        .unwrap_or_else(|| panic!("no conflict block:\n{text}"));
    assert!(
        conflict.contains("(cached for 60 s)") && conflict.contains("`listAllPets`"),
        "both sides are in the block:\n{conflict}"
    );
    // Everything else was still merged.
    assert!(read(&project.join("src/handlers/pets.rs")).contains("async fn list_all_pets("));
}

#[test]
fn a_moved_handler_file_is_found_by_its_id_and_merged_where_it_is() {
    let (_dir, project) = petstore();
    std::fs::create_dir_all(project.join("src/handlers/animals")).unwrap();
    std::fs::rename(
        project.join("src/handlers/pets.rs"),
        project.join("src/handlers/animals/pets.rs"),
    )
    .unwrap();
    add_operations(&project);
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !project.join("src/handlers/pets.rs").exists(),
        "the moved file is not written again at its old place"
    );
    assert!(
        read(&project.join("src/handlers/animals/pets.rs")).contains("async fn list_vaccinations("),
        "the new stub goes to where the file is now"
    );
    assert!(
        stderr.contains("src/handlers/animals/pets.rs (moved from src/handlers/pets.rs)"),
        "{stderr}"
    );
}

#[test]
fn regen_refuses_uncommitted_changes_but_not_to_the_spec_unless_allowed() {
    let (_dir, project) = petstore();
    git(&project, &["init", "-q"]);
    git(&project, &["add", "."]);
    git(&project, &["commit", "-q", "-m", "generated"]);
    add_operations(&project);
    let handler = project.join("src/handlers/pets.rs");
    append(&handler, "// work in progress\n");
    let before = snapshot(&project);

    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("uncommitted changes") && stderr.contains("src/handlers/pets.rs"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("openapi.yaml"),
        "the spec may be edited: {stderr}"
    );
    assert_eq!(snapshot(&project), before, "nothing is written");

    let (code, stderr) = run_gen(&project, &["regen", "--allow-dirty"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&handler).contains("// work in progress"));

    git(&project, &["add", "."]);
    git(&project, &["commit", "-q", "-m", "regen"]);
    add_pet_field(&project);
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "a spec edit alone is how a regen starts: {stderr}");
}

#[test]
fn an_interrupted_regen_is_rolled_back_to_the_previous_tree() {
    let (_dir, project) = petstore();
    append(&project.join("src/handlers/pets.rs"), "// mine\n");
    add_operations(&project);
    let before = snapshot(&project);

    // The process dies (SIGABRT, no unwinding) after three files are swapped in.
    let output = std::process::Command::new(common::gen_binary())
        .arg("regen")
        .current_dir(&project)
        .env("SPECGEN_CRASH_AFTER_WRITES", "3")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert_ne!(snapshot(&project), before, "the crash hit mid-swap");

    let (code, stderr) = run_gen(&project, &["check"]);
    assert!(stderr.contains("rolled back"), "{stderr}");
    assert_eq!(
        code, 1,
        "the spec changed, so the project is stale: {stderr}"
    );
    assert_eq!(
        snapshot(&project),
        before,
        "the previous tree, byte for byte"
    );

    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&project.join("src/handlers/pets.rs")).contains("async fn list_vaccinations("));
    assert!(!project.join(".specgen/txn").exists());
}

/// The same with a real SIGKILL at moments spread over the run: whenever it lands, the next
/// `gen` command leaves either the previous tree or the finished one, never a mix.
#[test]
fn a_regen_killed_at_any_moment_leaves_the_old_tree_or_the_new_one() {
    let (_dir, project) = petstore();
    append(&project.join("src/handlers/pets.rs"), "// mine\n");
    add_operations(&project);
    let before = snapshot(&project);
    let finished = {
        let copy = tempfile::tempdir().unwrap();
        for (path, bytes) in &before {
            let target = copy.path().join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, bytes).unwrap();
        }
        let (code, stderr) = run_gen(copy.path(), &["regen"]);
        assert_eq!(code, 0, "{stderr}");
        snapshot(copy.path())
    };
    let mut outcomes = std::collections::BTreeSet::new();
    for delay_ms in [0, 5, 20, 60, 120, 200, 300, 450] {
        let mut child = std::process::Command::new(common::gen_binary())
            .arg("regen")
            .current_dir(&project)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let _ = run_gen(&project, &["check"]);
        let now = snapshot(&project);
        if now == before {
            outcomes.insert("previous");
        } else if now == finished {
            outcomes.insert("finished");
            // Start over from the previous tree for the next kill.
            for path in now.keys().filter(|p| !before.contains_key(*p)) {
                std::fs::remove_file(project.join(path)).unwrap();
            }
            for (path, bytes) in &before {
                std::fs::write(project.join(path), bytes).unwrap();
            }
        } else {
            let differing: Vec<_> = now
                .keys()
                .chain(before.keys())
                .filter(|p| now.get(*p) != before.get(*p) && now.get(*p) != finished.get(*p))
                .collect();
            panic!("killed after {delay_ms} ms, the tree is a mix: {differing:?}");
        }
    }
    assert!(!outcomes.is_empty());
}

#[test]
fn dry_run_prints_the_plan_and_the_diff_and_writes_nothing() {
    let (_dir, project) = petstore();
    append(&project.join("src/handlers/pets.rs"), "// mine\n");
    add_operations(&project);
    let before = snapshot(&project);
    let output = std::process::Command::new(common::gen_binary())
        .args(["regen", "--dry-run"])
        .current_dir(&project)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(snapshot(&project), before, "nothing written");
    for line in [
        "create    generated/src/api/owners.rs",
        "update    generated/src/router.rs",
        "merge     src/handlers/pets.rs",
        "create    src/handlers/owners.rs",
        "dry run: nothing was written",
    ] {
        assert!(stderr.contains(line), "no `{line}` in:\n{stderr}");
    }
    assert!(
        stdout.contains("--- a/src/handlers/pets.rs\n+++ b/src/handlers/pets.rs\n")
            && stdout.contains("+    async fn list_vaccinations("),
        "a unified diff of each change:\n{stdout}"
    );
    assert!(stdout.contains("--- /dev/null\n+++ b/src/handlers/owners.rs"));
}

#[test]
fn an_edited_generated_file_is_merged_with_merge() {
    let (_dir, project) = petstore();
    let router = project.join("generated/src/router.rs");
    insert_after(&router, "// @generated", "// my note in a generated file");
    add_operations(&project);
    let (code, stderr) = run_gen(&project, &["regen"]);
    assert_eq!(code, 1, "refused by default: {stderr}");
    assert!(stderr.contains("--merge"), "{stderr}");
    let (code, stderr) = run_gen(&project, &["regen", "--merge"]);
    assert_eq!(code, 0, "{stderr}");
    let text = read(&router);
    assert!(text.contains("// my note in a generated file") && text.contains("list_vaccinations"));
}

#[test]
fn a_spec_change_that_alters_tables_adds_a_migration_and_never_rewrites_an_old_one() {
    let (_dir, project) = petstore();
    let init = project.join("migrations/sqlite/0001_init.sql");
    let init_before = read(&init);
    // A database the previous version created and filled.
    let database = project.join("data/app.db");
    std::fs::create_dir_all(database.parent().unwrap()).unwrap();
    sqlite(
        &database,
        &[
            &init_before,
            "INSERT INTO pets (name, status, created_at) VALUES ('Rex', 'available', '2024-05-01T12:30:00.000Z');",
        ],
    );

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
    let resources = read(&project.join("generated/src/resources.rs"));
    assert!(resources.contains("0001_init.sql") && resources.contains("0002_spec_change.sql"));
    // The new migration brings that database to the new shape, its data intact.
    let change = read(&project.join("migrations/sqlite/0002_spec_change.sql"));
    let rows = sqlite(
        &database,
        &[
            &change,
            "UPDATE pets SET nickname = 'R' WHERE name = 'Rex';",
            "SELECT name, status, nickname FROM pets;",
        ],
    );
    assert_eq!(rows.trim(), "('Rex', 'available', 'R')");
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
    let (_dir, project) = petstore();
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
