//! Constraint checks: `impl Validate` for the models the spec constrains, and the checks a
//! request runs on its parameters and body before a handler sees it.
//!
//! Only what serde cannot express is checked here (lengths, ranges, patterns, formats,
//! item counts, uniqueness); types, required fields and enums are already enforced by
//! parsing. Types without any such constraint get no code at all.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs;

use crate::ir::{Api, NamedKind, StringFormat, Ty, TyKind, TypeId};

/// Patterns used in one module, each compiled once into a `static` the IR named.
pub struct Patterns<'a> {
    api: &'a Api,
    /// Static name → pattern source, so the statics come out sorted by name.
    used: BTreeMap<&'a str, &'a str>,
}

impl<'a> Patterns<'a> {
    pub fn new(api: &'a Api) -> Self {
        Self {
            api,
            used: BTreeMap::new(),
        }
    }

    /// The static for a pattern of `api` (the IR names every pattern it holds).
    fn ident(&mut self, source: &str) -> syn::Ident {
        let (name, source) = self
            .api
            .pattern_statics
            .get_key_value(source)
            .map(|(source, name)| (name.as_str(), source.as_str()))
            .expect("the IR names every pattern in the API");
        self.used.insert(name, source);
        format_ident!("{}", name)
    }

    /// The `static` items for every pattern used.
    pub fn statics(&self) -> TokenStream {
        let items = self.used.iter().map(|(name, source)| {
            let ident = format_ident!("{}", name);
            let doc = docs::doc(&format!("`{source}`"));
            quote! {
                #doc
                static #ident: std::sync::LazyLock<crate::runtime::pattern::Pattern> =
                    std::sync::LazyLock::new(|| crate::runtime::pattern::Pattern::new(#source).expect("specgen checked this pattern"));
            }
        });
        quote!(#(#items)*)
    }
}

/// Whether a pattern compiles as an ECMAScript regex (checked at generation time; one that
/// does not is left unchecked, with a warning from the IR).
pub fn pattern_compiles(source: &str) -> bool {
    regress::Regex::new(source).is_ok()
}

/// A required write-only field: its Rust type is an `Option` (responses leave it out), so
/// a request that leaves it out is refused by a check rather than by parsing.
pub fn must_be_sent(field: &crate::ir::Field) -> bool {
    field.required && field.write_only && !field.ty.nullable
}

/// Which named types need a `Validate` impl (they, or something they contain, have checks).
pub struct Checked {
    named: Vec<bool>,
}

impl Checked {
    pub fn new(api: &Api) -> Self {
        // Fixed point: a type needs checks when any part of it does.
        let mut named = vec![false; api.types.len()];
        loop {
            let mut changed = false;
            for (index, ty) in api.types.iter().enumerate() {
                if named[index] {
                    continue;
                }
                let needs = match &ty.kind {
                    NamedKind::Struct(s) => s
                        .fields
                        .iter()
                        .any(|f| ty_needs(api, &named, &f.ty) || must_be_sent(f)),
                    NamedKind::Union(u) => u.variants.iter().any(|v| ty_needs(api, &named, &v.ty)),
                    NamedKind::Alias(target) => ty_needs(api, &named, target),
                    NamedKind::Enum(_) => false,
                };
                if needs {
                    named[index] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        Self { named }
    }

    pub fn needs(&self, api: &Api, ty: &Ty) -> bool {
        ty_needs(api, &self.named, ty)
    }

    fn named(&self, id: TypeId) -> bool {
        self.named[id.0]
    }
}

/// Whether the Rust type of a string is `String` (dates, times and uuids are typed, and
/// parsing them already checks their form).
fn is_text(format: &StringFormat) -> bool {
    !matches!(
        format,
        StringFormat::Date | StringFormat::DateTime | StringFormat::Uuid
    )
}

fn has_own_constraints(ty: &Ty) -> bool {
    let c = &ty.constraints;
    let text = matches!(&ty.kind, TyKind::String(format) if is_text(format));
    (text
        && (c.min_length.is_some()
            || c.max_length.is_some()
            || c.pattern.as_deref().is_some_and(pattern_compiles)))
        || c.minimum.is_some()
        || c.maximum.is_some()
        || c.multiple_of.is_some()
        || c.min_items.is_some()
        || c.max_items.is_some()
        || c.unique_items
        || c.min_properties.is_some()
        || c.max_properties.is_some()
        || (!c.enumeration.is_empty() && matches!(ty.kind, TyKind::Integer(_) | TyKind::Number(_)))
        || matches!(
            &ty.kind,
            TyKind::String(StringFormat::Email | StringFormat::Uri)
        )
        || matches!(&ty.kind, TyKind::String(StringFormat::Other(f)) if matches!(f.as_str(), "ipv4" | "ipv6" | "hostname"))
}

fn ty_needs(api: &Api, named: &[bool], ty: &Ty) -> bool {
    has_own_constraints(ty)
        || match &ty.kind {
            TyKind::Array(item) | TyKind::Map(item) => ty_needs(api, named, item),
            TyKind::Named(id) => {
                named[id.0]
                    || matches!(&api.ty(*id).kind, NamedKind::Alias(t) if has_own_constraints(t))
            }
            _ => false,
        }
}

/// Statements checking `value` (an expression that is a reference to a value of `ty`, not
/// wrapped in the `Option` of nullability) at pointer `at`, reporting into `out`.
pub fn checks(
    api: &Api,
    checked: &Checked,
    patterns: &mut Patterns,
    ty: &Ty,
    value: TokenStream,
    at: TokenStream,
    depth: usize,
) -> TokenStream {
    if depth > 16 {
        return TokenStream::new();
    }
    let c = &ty.constraints;
    let mut out = Vec::new();
    let v = quote!(validate);
    match &ty.kind {
        TyKind::String(format) if is_text(format) => {
            if c.min_length.is_some() || c.max_length.is_some() {
                let min = option_usize(c.min_length);
                let max = option_usize(c.max_length);
                out.push(quote!(#v::length(out, #at, #value, #min, #max);));
            }
            if let Some(source) = c.pattern.as_deref().filter(|p| pattern_compiles(p)) {
                let ident = patterns.ident(source);
                out.push(quote!(#v::pattern(out, #at, #value, &#ident, #source);));
            }
            let format_name = match format {
                StringFormat::Email => Some("email"),
                StringFormat::Uri => Some("uri"),
                StringFormat::Other(f) if matches!(f.as_str(), "ipv4" | "ipv6" | "hostname") => {
                    Some(f.as_str())
                }
                _ => None,
            };
            if let Some(name) = format_name {
                out.push(quote!(#v::format(out, #at, #value, #name);));
            }
        }
        TyKind::Integer(_) | TyKind::Number(_) => {
            // Widen to f64 the way clippy accepts: no cast for f64, lossless `from` where there is one.
            let as_f64 = match &ty.kind {
                TyKind::Number(crate::ir::FloatFormat::F64) => quote!(*#value),
                TyKind::Number(crate::ir::FloatFormat::F32)
                | TyKind::Integer(crate::ir::IntFormat::I32 | crate::ir::IntFormat::U32) => {
                    quote!(f64::from(*#value))
                }
                _ => quote!(*#value as f64),
            };
            // 64-bit integers against whole-number bounds compare as integers: as f64 a
            // value past 2^53 rounds and can pass a bound it breaks.
            let wide_integer = matches!(
                ty.kind,
                TyKind::Integer(crate::ir::IntFormat::I64 | crate::ir::IntFormat::U64)
            );
            let whole =
                |bound: Option<f64>| bound.is_none_or(|b| b.is_finite() && b.fract() == 0.0);
            if c.minimum.is_some() || c.maximum.is_some() {
                let (emin, emax) = (c.exclusive_minimum, c.exclusive_maximum);
                if wide_integer && whole(c.minimum) && whole(c.maximum) {
                    let min = option_i128(c.minimum);
                    let max = option_i128(c.maximum);
                    out.push(quote!(#v::integer_range(out, #at, i128::from(*#value), #min, #max, #emin, #emax);));
                } else {
                    let min = option_f64(c.minimum);
                    let max = option_f64(c.maximum);
                    out.push(quote!(#v::range(out, #at, #as_f64, #min, #max, #emin, #emax);));
                }
            }
            if let Some(factor) = c.multiple_of.filter(|f| f.is_finite() && *f > 0.0) {
                let factor = proc_macro2::Literal::f64_unsuffixed(factor);
                out.push(quote!(#v::multiple_of(out, #at, #as_f64, #factor);));
            }
            if !c.enumeration.is_empty() {
                let allowed: Vec<proc_macro2::Literal> = c
                    .enumeration
                    .iter()
                    .filter_map(serde_json::Value::as_f64)
                    .filter(|n| n.is_finite())
                    .map(proc_macro2::Literal::f64_unsuffixed)
                    .collect();
                out.push(quote!(#v::one_of(out, #at, &(#as_f64), &[#(#allowed),*]);));
            }
        }
        TyKind::Array(item) => {
            if c.min_items.is_some() || c.max_items.is_some() {
                let min = option_usize(c.min_items);
                let max = option_usize(c.max_items);
                out.push(quote!(#v::count(out, #at, #value.len(), #min, #max, "items");));
            }
            if c.unique_items {
                out.push(quote!(#v::unique(out, #at, #value);));
            }
            if checked.needs(api, item) {
                let inner = nullable_checks(
                    api,
                    checked,
                    patterns,
                    item,
                    quote!(item),
                    quote!(&at),
                    depth + 1,
                );
                let each = quote! {
                    let parent = #at;
                    for (index, item) in #value.iter().enumerate() {
                        if out.is_full() {
                            break;
                        }
                        let at = parent.index(index);
                        #inner
                    }
                };
                // Past `maxItems` the array is refused already: its items are not checked.
                out.push(match c.max_items {
                    Some(max) => {
                        let max = proc_macro2::Literal::usize_unsuffixed(max);
                        quote! {
                            if #value.len() <= #max {
                                #each
                            }
                        }
                    }
                    None => each,
                });
            }
        }
        TyKind::Map(item) => {
            if c.min_properties.is_some() || c.max_properties.is_some() {
                let min = option_usize(c.min_properties);
                let max = option_usize(c.max_properties);
                out.push(quote!(#v::count(out, #at, #value.len(), #min, #max, "properties");));
            }
            if checked.needs(api, item) {
                let inner = nullable_checks(
                    api,
                    checked,
                    patterns,
                    item,
                    quote!(item),
                    quote!(&at),
                    depth + 1,
                );
                out.push(quote! {
                    let parent = #at;
                    for (key, item) in #value.iter() {
                        if out.is_full() {
                            break;
                        }
                        let at = parent.key(key);
                        #inner
                    }
                });
            }
        }
        TyKind::Named(id) => match &api.ty(*id).kind {
            NamedKind::Alias(target) => {
                out.push(nullable_checks(
                    api,
                    checked,
                    patterns,
                    target,
                    value,
                    at,
                    depth + 1,
                ));
            }
            _ if checked.named(*id) => out.push(quote!(#value.validate(#at, out);)),
            _ => {}
        },
        TyKind::Bool | TyKind::Any | TyKind::String(_) => {}
    }
    // Loops bind `parent`; a block keeps two of them apart.
    let loops = matches!(ty.kind, TyKind::Array(_) | TyKind::Map(_)) && checked.needs(api, ty);
    if loops {
        quote!({ #(#out)* })
    } else {
        quote!(#(#out)*)
    }
}

/// Like [`checks`], unwrapping the `Option` a nullable type is wrapped in.
pub fn nullable_checks(
    api: &Api,
    checked: &Checked,
    patterns: &mut Patterns,
    ty: &Ty,
    value: TokenStream,
    at: TokenStream,
    depth: usize,
) -> TokenStream {
    option_checks(api, checked, patterns, ty, value, at, 0, depth)
}

/// Checks on a value wrapped in `outer` `Option`s of its own (an optional field is one, a
/// PATCH field two) plus those of its nullable type and aliases: one `if let` for all.
#[allow(clippy::too_many_arguments)]
pub fn option_checks(
    api: &Api,
    checked: &Checked,
    patterns: &mut Patterns,
    ty: &Ty,
    value: TokenStream,
    at: TokenStream,
    outer: usize,
    depth: usize,
) -> TokenStream {
    if !checked.needs(api, ty) {
        return TokenStream::new();
    }
    // Follow aliases down to the type that carries the checks, counting the `Option`s.
    let mut layers = outer + usize::from(ty.nullable && !matches!(ty.kind, TyKind::Any));
    let mut inner = ty;
    for _ in 0..16 {
        let TyKind::Named(id) = inner.kind else { break };
        let NamedKind::Alias(target) = &api.ty(id).kind else {
            break;
        };
        layers += usize::from(target.nullable && !matches!(target.kind, TyKind::Any));
        inner = target;
    }
    let inner = Ty {
        nullable: false,
        ..inner.clone()
    };
    if layers == 0 {
        return checks(api, checked, patterns, &inner, value, at, depth);
    }
    let body = checks(api, checked, patterns, &inner, quote!(value), at, depth);
    if body.is_empty() {
        return body;
    }
    let mut pattern = quote!(value);
    for _ in 0..layers {
        pattern = quote!(Some(#pattern));
    }
    quote!(if let #pattern = #value { #body })
}

fn option_usize(value: Option<usize>) -> TokenStream {
    match value {
        Some(n) => {
            let n = proc_macro2::Literal::usize_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}

/// A whole-number bound as an `i128` literal (`f64` holds every integer bound a spec can
/// write within ±2^127; one past that saturates, as the cast does).
fn option_i128(value: Option<f64>) -> TokenStream {
    match value {
        Some(n) => {
            let n = proc_macro2::Literal::i128_unsuffixed(n as i128);
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}

fn option_f64(value: Option<f64>) -> TokenStream {
    match value.filter(|n| n.is_finite()) {
        Some(n) => {
            let n = proc_macro2::Literal::f64_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}
