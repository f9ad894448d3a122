//! Reading the user's handler files: which operations they implement, and keeping the
//! handler module list in `src/handlers/mod.rs` up to date with the spec's tags.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::emit::{HANDLER_MODULES_MARKER, handler_module_line};
use crate::ir::Api;

/// Methods implemented per trait name, found in every `src/handlers/**/*.rs` file.
pub fn implemented_methods(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for_each_rust_file(&[root.join("src/handlers")], |_, text| {
        if let Ok(file) = syn::parse_file(text) {
            collect_impls(&file.items, &mut found);
        }
    });
    found
}

/// Calls `visit` with the path and text of every `.rs` file below `dirs`, in a stable order.
pub fn for_each_rust_file(dirs: &[PathBuf], mut visit: impl FnMut(&Path, &str)) {
    let mut stack = dirs.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                visit(&path, &text);
            }
        }
    }
}

fn collect_impls(items: &[syn::Item], found: &mut BTreeMap<String, BTreeSet<String>>) {
    for item in items {
        match item {
            syn::Item::Impl(block) => {
                let Some((path, _)) = &block.trait_ else {
                    continue;
                };
                let Some(last) = path.segments.last() else {
                    continue;
                };
                let methods = found.entry(last.ident.to_string()).or_default();
                for item in &block.items {
                    if let syn::ImplItem::Fn(f) = item {
                        methods.insert(f.sig.ident.to_string());
                    }
                }
            }
            syn::Item::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    collect_impls(items, found);
                }
            }
            _ => {}
        }
    }
}

/// Operations (`operationId`, trait method) no handler implements yet.
pub fn unimplemented_operations(
    api: &Api,
    implemented: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<(String, String)> {
    api.operations
        .iter()
        .filter(|op| {
            let trait_name = &api.group(op.group).trait_name;
            !implemented
                .get(trait_name)
                .is_some_and(|methods| methods.contains(&op.method_name))
        })
        .map(|op| {
            (
                op.id.clone(),
                format!("{}::{}", api.group(op.group).trait_name, op.method_name),
            )
        })
        .collect()
}

/// Methods the user implements that the spec no longer has (they would not compile).
pub fn orphaned_methods(
    api: &Api,
    implemented: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for group in &api.groups {
        if let Some(methods) = implemented.get(&group.trait_name) {
            for method in methods {
                let known = api.operations.iter().any(|op| {
                    api.group(op.group).trait_name == group.trait_name && &op.method_name == method
                });
                if !known {
                    out.push(format!("{}::{method}", group.trait_name));
                }
            }
        }
    }
    let traits: BTreeSet<&str> = api.groups.iter().map(|g| g.trait_name.as_str()).collect();
    for name in implemented.keys() {
        if name.ends_with("Api") && name != "Api" && !traits.contains(name.as_str()) {
            out.push(format!(
                "{name} (the whole trait: its tag is gone from the spec)"
            ));
        }
    }
    out
}

/// Adds a `mod` line below the marker for every tag that has none. `None` when the marker
/// is missing and a line is needed.
pub fn with_handler_modules(text: &str, api: &Api) -> Option<String> {
    let missing: Vec<String> = api
        .groups
        .iter()
        .map(handler_module_line)
        .filter(|line| !text.lines().any(|existing| existing.trim() == line))
        .collect();
    if missing.is_empty() {
        return Some(text.to_owned());
    }
    let mut out = String::with_capacity(text.len() + 32 * missing.len());
    let mut inserted = false;
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        if !inserted && line.trim_end() == HANDLER_MODULES_MARKER {
            if !line.ends_with('\n') {
                out.push('\n');
            }
            for module in &missing {
                out.push_str(module);
                out.push('\n');
            }
            inserted = true;
        }
    }
    inserted.then_some(out)
}
