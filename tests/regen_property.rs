//! The regeneration promise as a property: for random sequences of spec edits and user
//! edits, no line the user wrote disappears from their files, whether regen merges it cleanly
//! or fences it in conflict markers.

mod common;

use std::path::Path;

use common::repo_root;
use proptest::prelude::*;
use specgen::project::{self, EditedPolicy, NewOptions, RegenOptions};

/// Spec edits, each one a toggle, so any sequence of them is a valid spec.
#[derive(Debug, Clone, Copy)]
enum SpecToggle {
    /// Adds (or removes again) an operation under a new tag.
    Owners,
    /// Adds (or removes again) an operation under the existing tag.
    Vaccinations,
    /// Renames `listPets` (or back).
    Rename,
    /// Adds (or removes again) a field of `Pet`.
    Field,
}

const OWNERS: &str = "  /owners:\n    get:\n      operationId: listOwners\n      tags: [owners]\n      security: []\n      responses:\n        \"200\":\n          description: Owners\n          content:\n            application/json:\n              schema: {type: array, items: {type: string, maxLength: 50}}\n";
const VACCINATIONS: &str = "  /pets/{petId}/vaccinations:\n    get:\n      operationId: listVaccinations\n      tags: [pets]\n      security: []\n      parameters:\n        - {name: petId, in: path, required: true, schema: {type: integer, format: int64}}\n      responses:\n        \"204\":\n          description: None\n";
const FIELD: &str = "        nickname: {type: string, maxLength: 40}\n";

fn toggle_block(spec: &str, anchor: &str, block: &str) -> String {
    if spec.contains(block) {
        spec.replacen(block, "", 1)
    } else {
        spec.replacen(anchor, &format!("{anchor}{block}"), 1)
    }
}

fn apply(edit: SpecToggle, spec: &str) -> String {
    match edit {
        SpecToggle::Owners => toggle_block(spec, "\npaths:\n", OWNERS),
        SpecToggle::Vaccinations => toggle_block(spec, "\npaths:\n", VACCINATIONS),
        SpecToggle::Rename if spec.contains("operationId: listPets\n") => {
            spec.replacen("operationId: listPets\n", "operationId: listAllPets\n", 1)
        }
        SpecToggle::Rename => {
            spec.replacen("operationId: listAllPets\n", "operationId: listPets\n", 1)
        }
        SpecToggle::Field => {
            let at = spec.find("    Pet:\n").expect("Pet");
            let properties = spec[at..].find("      properties:\n").expect("properties")
                + at
                + "      properties:\n".len();
            if spec[properties..].starts_with(FIELD) {
                spec.replacen(FIELD, "", 1)
            } else {
                format!("{}{FIELD}{}", &spec[..properties], &spec[properties..])
            }
        }
    }
}

/// A user edit: a line of their own after line `at` (modulo its length) of one of the
/// scaffold Rust files (chosen by `file`, modulo how many there are); or, when `hot`, right
/// after one of the lines the spec edits above change, where merges conflict.
#[derive(Debug, Clone, Copy)]
struct UserEdit {
    file: usize,
    at: usize,
    hot: bool,
}

/// Words on the lines the spec edits change.
const HOT: [&str; 6] = [
    "list_pets",
    "ListPets",
    "list_all_pets",
    "ListAllPets",
    "weight_kg",
    "mod ",
];

/// Where a user edit goes: (file, index of the line to insert before).
fn place(root: &Path, edit: UserEdit) -> (String, usize) {
    let files = scaffold_rust_files(root);
    if edit.hot {
        let hot: Vec<(String, usize)> = files
            .iter()
            .flat_map(|file| {
                let text = std::fs::read_to_string(root.join(file)).unwrap();
                text.lines()
                    .enumerate()
                    .filter(|(_, line)| HOT.iter().any(|w| line.contains(w)))
                    .map(|(i, _)| (file.clone(), i + 1))
                    .collect::<Vec<_>>()
            })
            .collect();
        if !hot.is_empty() {
            return hot[edit.at % hot.len()].clone();
        }
    }
    let file = files[edit.file % files.len()].clone();
    let lines = std::fs::read_to_string(root.join(&file))
        .unwrap()
        .lines()
        .count();
    let at = edit.at % (lines + 1);
    (file, at)
}

fn scaffold_rust_files(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = ["src/handlers", "src/services", "src/repositories"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).into_iter().flatten())
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .collect();
    files.extend(["src/main.rs".to_owned(), "src/startup.rs".to_owned()]);
    files.sort();
    files
}

fn step() -> impl Strategy<Value = (Vec<SpecToggle>, Vec<UserEdit>)> {
    let spec_edit = prop_oneof![
        Just(SpecToggle::Owners),
        Just(SpecToggle::Vaccinations),
        Just(SpecToggle::Rename),
        Just(SpecToggle::Field),
    ];
    let user_edit = (0..64usize, 0..400usize, proptest::bool::weighted(0.6))
        .prop_map(|(file, at, hot)| UserEdit { file, at, hot });
    (
        proptest::collection::vec(spec_edit, 1..3),
        proptest::collection::vec(user_edit, 0..4),
    )
}

proptest! {
    // Each case generates a project and regenerates it a few times: a handful of cases
    // covers the ground without slowing the suite down.
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn no_user_line_disappears(steps in proptest::collection::vec(step(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        project::new_project(&NewOptions {
            spec: repo_root().join("specs/petstore.yaml"),
            out: Some(root.clone()),
            name: Some("petstore".to_owned()),
            force: false,
        })
        .unwrap();
        let mut written: Vec<(String, String)> = Vec::new();
        for (number, (spec_edits, user_edits)) in steps.iter().enumerate() {
            for (index, edit) in user_edits.iter().enumerate() {
                let (file, at) = place(&root, *edit);
                let text = std::fs::read_to_string(root.join(&file)).unwrap();
                let mut lines: Vec<&str> = text.lines().collect();
                let line = format!("// user line {number}.{index}");
                lines.insert(at, &line);
                std::fs::write(root.join(&file), lines.join("\n") + "\n").unwrap();
                written.push((file, line));
            }
            let spec_path = root.join("openapi.yaml");
            let mut spec = std::fs::read_to_string(&spec_path).unwrap();
            for edit in spec_edits {
                spec = apply(*edit, &spec);
            }
            std::fs::write(&spec_path, spec).unwrap();
            project::regen(&RegenOptions {
                root: root.clone(),
                edited: EditedPolicy::Refuse,
                dry_run: false,
                allow_dirty: true,
            })
            .unwrap();
            for (file, line) in &written {
                let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
                prop_assert!(
                    text.lines().any(|l| l == line),
                    "`{line}` is gone from {file} after step {number} ({spec_edits:?}):\n{text}"
                );
            }
        }
    }
}
