//! Cargo.toml is merged by structure, not by lines: the user's file is edited in place
//! (toml_edit keeps its comments, order and formatting), key by key against what specgen wrote
//! last time (`base`) and what it writes now (`theirs`).
//!
//! - A key the user did not touch follows specgen: new dependencies, features and `[[test]]`
//!   targets appear, dropped ones go, raised versions are raised.
//! - A key the user changed is theirs to keep: a pinned version, an added feature, a
//!   dependency they added or a profile they tuned.
//! - Except that the generated code must build: a dependency specgen needs is put back if the
//!   user removed it, raised when the user's requirement is older than the one specgen needs,
//!   and given the features specgen needs beside the user's own. Each such change is reported.

use semver::Version;
use toml_edit::{DocumentMut, Item, Table, Value};

/// The merged manifest and what the merge had to decide for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedManifest {
    pub text: String,
    pub notes: Vec<String>,
}

/// Merges Cargo.toml. `Err` (with the reason) when one of the three is not valid TOML; the
/// caller then falls back to a line merge.
pub fn merge(base: &str, ours: &str, theirs: &str) -> Result<MergedManifest, String> {
    let parse = |name: &str, text: &str| {
        text.parse::<toml::Table>()
            .map_err(|e| format!("{name} Cargo.toml is not valid TOML: {e}"))
    };
    let base_value = parse("the previous", base)?;
    let ours_value = parse("your", ours)?;
    let theirs_value = parse("the new", theirs)?;
    let mut document: DocumentMut = ours
        .parse()
        .map_err(|e| format!("your Cargo.toml is not valid TOML: {e}"))?;
    let theirs_document: DocumentMut = theirs
        .parse()
        .map_err(|e| format!("the new Cargo.toml is not valid TOML: {e}"))?;
    let mut notes = Vec::new();
    merge_table(
        document.as_table_mut(),
        theirs_document.as_table(),
        Sides {
            base: Some(&base_value),
            ours: &ours_value,
            theirs: &theirs_value,
        },
        "",
        &mut notes,
    );
    Ok(MergedManifest {
        text: document.to_string(),
        notes,
    })
}

/// One table as each side has it, as plain values for comparing.
#[derive(Clone, Copy)]
struct Sides<'a> {
    base: Option<&'a toml::Table>,
    ours: &'a toml::Table,
    theirs: &'a toml::Table,
}

fn is_dependency_table(path: &str) -> bool {
    path.ends_with("dependencies")
}

fn merge_table(
    ours: &mut Table,
    theirs: &Table,
    sides: Sides<'_>,
    path: &str,
    notes: &mut Vec<String>,
) {
    let mut keys: Vec<&str> = sides.theirs.keys().map(String::as_str).collect();
    if let Some(base) = sides.base {
        keys.extend(
            base.keys()
                .map(String::as_str)
                .filter(|k| !sides.theirs.contains_key(*k)),
        );
    }
    for key in keys {
        let b = sides.base.and_then(|t| t.get(key));
        let o = sides.ours.get(key);
        let t = sides.theirs.get(key);
        let here = if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        };
        if o == t || t == b {
            continue; // Nothing new from specgen, or the user already has it.
        }
        if o == b {
            // The user left it as specgen wrote it: follow specgen.
            match theirs.get(key) {
                Some(item) => set(ours, key, item.clone()),
                None => {
                    ours.remove(key);
                }
            }
            continue;
        }
        // Both changed it.
        match (o, t) {
            (Some(toml::Value::Table(o)), Some(toml::Value::Table(t)))
                if !is_dependency_table(path) =>
            {
                let (Some(ours_item), Some(theirs_item)) = (
                    ours.get_mut(key).and_then(Item::as_table_mut),
                    theirs.get(key).and_then(Item::as_table),
                ) else {
                    continue; // An inline table: keep the user's whole value.
                };
                let base = b.and_then(toml::Value::as_table);
                merge_table(
                    ours_item,
                    theirs_item,
                    Sides {
                        base,
                        ours: o,
                        theirs: t,
                    },
                    &here,
                    notes,
                );
            }
            (_, Some(t_value)) if is_dependency_table(path) => {
                merge_dependency(ours, theirs, key, o, t_value, &here, notes);
            }
            (Some(toml::Value::Array(o)), Some(toml::Value::Array(t))) => {
                merge_array(ours, key, o, t, b, &here, notes);
            }
            (_, Some(_)) => notes.push(format!(
                "kept your `{here}`; specgen would now write `{}`",
                theirs
                    .get(key)
                    .map(|i| i.to_string().trim().to_owned())
                    .unwrap_or_default()
            )),
            (_, None) => {} // specgen dropped a key the user changed: it stays.
        }
    }
}

/// Arrays both sides changed (feature lists, `[[test]]` targets): the user's, plus what
/// specgen added that the user does not have.
fn merge_array(
    ours: &mut Table,
    key: &str,
    o: &[toml::Value],
    t: &[toml::Value],
    b: Option<&toml::Value>,
    here: &str,
    notes: &mut Vec<String>,
) {
    let base: &[toml::Value] = b.and_then(toml::Value::as_array).map_or(&[], Vec::as_slice);
    let name_of = |v: &toml::Value| v.get("name").cloned();
    let added: Vec<usize> = t
        .iter()
        .enumerate()
        .filter(|(_, v)| !base.contains(v) && !o.contains(v))
        .filter(|(_, v)| {
            name_of(v).is_none_or(|n| !o.iter().any(|x| name_of(x) == Some(n.clone())))
        })
        .map(|(i, _)| i)
        .collect();
    if added.is_empty() {
        return;
    }
    match ours.get_mut(key) {
        Some(Item::ArrayOfTables(array)) => {
            for i in &added {
                if let toml::Value::Table(table) = &t[*i] {
                    array.push(to_table(table));
                }
            }
        }
        Some(Item::Value(Value::Array(array))) => {
            for i in &added {
                array.push(to_value(&t[*i]));
            }
        }
        _ => return,
    }
    notes.push(format!("added what specgen needs to your `{here}`"));
}

/// A dependency both sides changed (or the user removed): the user's entry, with the version
/// raised and features added when specgen needs them.
fn merge_dependency(
    ours: &mut Table,
    theirs: &Table,
    key: &str,
    o: Option<&toml::Value>,
    t: &toml::Value,
    here: &str,
    notes: &mut Vec<String>,
) {
    let Some(o) = o else {
        if let Some(item) = theirs.get(key) {
            set(ours, key, item.clone());
            notes.push(format!(
                "put back `{here}`: the generated code uses it (remove it from the spec's needs, not from Cargo.toml)"
            ));
        }
        return;
    };
    if is_sourced_elsewhere(o) {
        return; // A path or git dependency is the user's decision entirely.
    }
    let their_version = version_of(t);
    let our_version = version_of(o);
    let raise = match (minimum(our_version), minimum(their_version)) {
        (Some(ours_min), Some(theirs_min)) => ours_min < theirs_min,
        (None, Some(_)) => our_version.is_none(),
        _ => false,
    };
    let our_features = features_of(o);
    let missing_features: Vec<&str> = features_of(t)
        .into_iter()
        .filter(|f| !our_features.contains(f))
        .collect();
    if !raise && missing_features.is_empty() {
        return;
    }
    let Some(item) = ours.get_mut(key) else {
        return;
    };
    let mut table = match item.as_value() {
        Some(Value::String(version)) => {
            let mut table = toml_edit::InlineTable::new();
            table.insert("version", Value::from(version.value().as_str()));
            table
        }
        Some(Value::InlineTable(table)) => table.clone(),
        _ => {
            notes.push(format!(
                "kept your `{here}` as you wrote it; specgen needs {}",
                t
            ));
            return;
        }
    };
    if raise && let Some(version) = their_version {
        notes.push(format!(
            "raised `{here}` from {} to {version}: the generated code needs it",
            our_version.unwrap_or("any version")
        ));
        table.insert("version", Value::from(version));
    }
    if !missing_features.is_empty() {
        let mut features = match table.get("features") {
            Some(Value::Array(array)) => array.clone(),
            _ => toml_edit::Array::new(),
        };
        for feature in &missing_features {
            features.push(*feature);
        }
        table.insert("features", Value::Array(features));
        notes.push(format!(
            "added features {missing_features:?} to `{here}`: the generated code needs them"
        ));
    }
    *item = Item::Value(Value::InlineTable(table));
    if let Some(value) = item.as_value_mut() {
        value.decor_mut().set_prefix(" ");
    }
}

fn set(table: &mut Table, key: &str, item: Item) {
    match table.get_mut(key) {
        Some(existing) => *existing = item,
        None => {
            table.insert(key, item);
        }
    }
}

fn is_sourced_elsewhere(dependency: &toml::Value) -> bool {
    ["path", "git", "workspace"]
        .iter()
        .any(|k| dependency.get(k).is_some())
}

fn version_of(dependency: &toml::Value) -> Option<&str> {
    match dependency {
        toml::Value::String(version) => Some(version),
        _ => dependency.get("version")?.as_str(),
    }
}

fn features_of(dependency: &toml::Value) -> Vec<&str> {
    dependency
        .get("features")
        .and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
        .unwrap_or_default()
}

/// The lowest version a requirement like `1.2`, `^0.8.1`, `=1.0.3` or `>=2` accepts.
fn minimum(requirement: Option<&str>) -> Option<Version> {
    let first = requirement?.split(',').next()?.trim();
    let bare = first.trim_start_matches(['^', '~', '=', '>', ' ']);
    let mut parts: Vec<u64> = bare
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    parts.resize(3, 0);
    Some(Version::new(parts[0], parts[1], parts[2]))
}

fn to_table(table: &toml::Table) -> Table {
    let text = toml::to_string(table).unwrap_or_default();
    text.parse::<DocumentMut>()
        .map(|d| d.as_table().clone())
        .unwrap_or_default()
}

fn to_value(value: &toml::Value) -> Value {
    value
        .to_string()
        .parse::<Value>()
        .unwrap_or_else(|_| Value::from(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"[package]
name = "app"
version = "0.1.0"

[dependencies]
axum = "0.8"
serde = { version = "1", features = ["derive"] }
old-helper = "1"

[[test]]
name = "api"
path = "tests/api.rs"
"#;

    fn merged(ours: &str, theirs: &str) -> MergedManifest {
        merge(BASE, ours, theirs).expect("valid TOML")
    }

    #[test]
    fn an_untouched_manifest_becomes_the_new_one() {
        let theirs = BASE.replace("axum = \"0.8\"", "axum = \"0.9\"");
        assert_eq!(merged(BASE, &theirs).text, theirs);
    }

    #[test]
    fn dependencies_the_user_added_survive_and_new_ones_arrive() {
        let ours = BASE.replace("[[test]]", "# mine\nreqwest = \"0.12\"\n\n[[test]]");
        let theirs = BASE.replace("old-helper = \"1\"\n", "uuid = \"1\"\n");
        let result = merged(&ours, &theirs);
        assert!(
            result.text.contains("# mine\nreqwest = \"0.12\""),
            "{}",
            result.text
        );
        assert!(result.text.contains("uuid = \"1\""), "{}", result.text);
        assert!(!result.text.contains("old-helper"), "{}", result.text);
    }

    #[test]
    fn a_version_the_user_pinned_higher_is_kept_and_a_lower_one_raised() {
        let ours = BASE.replace("axum = \"0.8\"", "axum = \"=0.8.9\"");
        let theirs = BASE.replace("axum = \"0.8\"", "axum = \"0.8.4\"");
        assert!(merged(&ours, &theirs).text.contains("axum = \"=0.8.9\""));
        let theirs = BASE.replace("axum = \"0.8\"", "axum = \"0.9\"");
        let result = merged(&ours, &theirs);
        assert!(
            result.text.contains("axum = { version = \"0.9\" }"),
            "{}",
            result.text
        );
        assert!(
            result
                .notes
                .iter()
                .any(|n| n.contains("raised `dependencies.axum`"))
        );
    }

    #[test]
    fn features_are_the_union_of_the_users_and_those_specgen_needs() {
        let ours = BASE.replace("features = [\"derive\"]", "features = [\"derive\", \"rc\"]");
        let theirs = BASE.replace(
            "features = [\"derive\"]",
            "features = [\"derive\", \"std\"]",
        );
        let result = merged(&ours, &theirs);
        assert!(
            result
                .text
                .contains("features = [\"derive\", \"rc\", \"std\"]"),
            "{}",
            result.text
        );
    }

    #[test]
    fn a_needed_dependency_the_user_removed_is_put_back_and_said() {
        let ours = BASE.replace("axum = \"0.8\"\n", "");
        let theirs = BASE.replace("axum = \"0.8\"", "axum = \"0.8.5\"");
        let result = merged(&ours, &theirs);
        assert!(result.text.contains("axum = \"0.8.5\""), "{}", result.text);
        assert!(result.notes.iter().any(|n| n.contains("put back")));
    }

    #[test]
    fn new_test_targets_are_added_beside_the_users() {
        let ours = format!("{BASE}\n[[test]]\nname = \"mine\"\npath = \"tests/mine.rs\"\n");
        let theirs =
            format!("{BASE}\n[[test]]\nname = \"platform\"\npath = \"tests/platform.rs\"\n");
        let text = merged(&ours, &theirs).text;
        for name in ["\"api\"", "\"mine\"", "\"platform\""] {
            assert!(text.contains(name), "{text}");
        }
    }

    #[test]
    fn the_users_package_fields_win() {
        let ours = BASE.replace("version = \"0.1.0\"", "version = \"2.3.0\"");
        let theirs = BASE.replace("version = \"0.1.0\"", "version = \"0.1.1\"");
        let result = merged(&ours, &theirs);
        assert!(result.text.contains("version = \"2.3.0\""));
    }

    #[test]
    fn invalid_toml_is_an_error_not_a_guess() {
        assert!(merge(BASE, "[dependencies\n", BASE).is_err());
    }
}
