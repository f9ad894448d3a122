//! Resolving local `$ref`s (`#/components/...`) against the document's components.

use openapiv3::{Components, ReferenceOr};

/// The longest chain of references we follow before calling it a cycle.
const MAX_HOPS: usize = 32;

/// The component kind a `$ref` points into, e.g. `schemas` or `parameters`.
pub(crate) fn component_name<'r>(reference: &'r str, kind: &str) -> Option<&'r str> {
    reference
        .strip_prefix("#/components/")?
        .strip_prefix(kind)?
        .strip_prefix('/')
}

/// Follows references until a concrete item. Returns the item and the pointer it lives at.
pub(crate) fn resolve<'a, T>(
    item: &'a ReferenceOr<T>,
    pointer: &str,
    kind: &str,
    lookup: impl Fn(&'a Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
    components: Option<&'a Components>,
) -> Result<(&'a T, String), (String, String)> {
    let mut current = item;
    let mut at = pointer.to_owned();

    for _ in 0..MAX_HOPS {
        match current {
            ReferenceOr::Item(value) => return Ok((value, at)),
            ReferenceOr::Reference { reference } => {
                let ref_at = format!("{at}/$ref");
                let name = component_name(reference, kind).ok_or_else(|| {
                    let message = if reference.starts_with('#') {
                        format!("`$ref: {reference}` must point into `#/components/{kind}/`")
                    } else {
                        format!("`$ref: {reference}` points to another file; only local references are supported yet")
                    };
                    (ref_at.clone(), message)
                })?;
                let name = crate::spec::unescape_pointer_token(name);
                let target = components
                    .map(&lookup)
                    .and_then(|map| map.get(&name))
                    .ok_or_else(|| (ref_at.clone(), format!("`$ref: {reference}` does not resolve: there is no `{name}` in `components.{kind}`")))?;
                at = format!(
                    "/components/{kind}/{}",
                    crate::spec::escape_pointer_token(&name)
                );
                current = target;
            }
        }
    }
    Err((
        pointer.to_owned(),
        format!("`$ref` chain starting at {pointer} is too long or circular"),
    ))
}
