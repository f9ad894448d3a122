//! Every naming rule in one place: turning spec names into valid, idiomatic Rust identifiers
//! (heck for the casing), escaping keywords, and keeping names unique within a namespace.

use std::collections::BTreeSet;

use heck::{ToPascalCase, ToShoutySnakeCase, ToSnakeCase};

use super::{Additional, BodyKind, NamedKind, NamedType, Operation, Ty, TyKind};
use std::collections::BTreeMap;

/// Words that cannot be used as plain identifiers (strict and reserved keywords, 2024 edition).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "union",
];

pub fn is_rust_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Replaces every character that cannot appear in an identifier by a word separator, and
/// spells out a few symbols that carry meaning (`+1` → `plus 1`), so `simple-user`,
/// `api.v2010.account` and `$special[name]` all become readable words.
fn words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '+' => out.push_str(" plus "),
            '-' if out.trim().is_empty() => out.push_str(" minus "),
            c if is_identifier_char(c) => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

/// Letters (any script) and ASCII digits. Not every Unicode "numeric" character can be in
/// an identifier (`e²` cannot), so other digits count as separators.
fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && c.is_alphabetic())
}

/// `ident` if Rust accepts it as an identifier, else the same name with its non-ASCII
/// characters left out (an identifier the emitter could not build would be a panic).
fn valid_or_ascii(ident: String, prefix: &str) -> String {
    if ident.is_ascii() || syn::parse_str::<syn::Ident>(&ident).is_ok() {
        return ident;
    }
    let ascii: String = ident.chars().filter(char::is_ascii).collect();
    let ascii = ascii.trim_matches('_');
    if ascii.is_empty() {
        prefix.trim_end_matches('_').to_owned()
    } else {
        ensure_leading_letter(ascii.to_owned(), prefix)
    }
}

fn ensure_leading_letter(mut ident: String, prefix: &str) -> String {
    match ident.chars().next() {
        None => prefix.to_owned(),
        Some(c) if c.is_ascii_digit() => {
            ident.insert_str(0, prefix);
            ident
        }
        Some(_) => ident,
    }
}

/// A PascalCase type or variant name. Never empty, never a keyword.
pub fn pascal_ident(raw: &str) -> String {
    let ident = words(raw).to_pascal_case();
    let ident: String = ident.chars().filter(|c| is_identifier_char(*c)).collect();
    let ident = valid_or_ascii(ensure_leading_letter(ident, "T"), "T");
    if is_rust_keyword(&ident) {
        format!("{ident}_")
    } else {
        ident
    }
}

/// A snake_case function, field or module name. Never empty, never a keyword.
pub fn snake_ident(raw: &str) -> String {
    let ident = words(raw).to_snake_case();
    let ident: String = ident.chars().filter(|c| is_identifier_char(*c)).collect();
    let ident = valid_or_ascii(ensure_leading_letter(ident, "n_"), "n_");
    if is_rust_keyword(&ident) || ident == "_" {
        format!("{ident}_")
    } else {
        ident
    }
}

/// A SHOUTY_SNAKE_CASE name for a `static`, from words that are already identifiers.
pub fn shouty_ident(raw: &str) -> String {
    let ident = words(raw).to_shouty_snake_case();
    valid_or_ascii(ensure_leading_letter(ident, "N_"), "N_")
}

/// Names the `static` compiling each distinct `pattern` after the first place it is met,
/// so it says what it checks (`PRODUCT_SKU_PATTERN`): schema fields first, in type order,
/// then operations' parameters, bodies and responses. Names are unique across the API.
pub(crate) fn pattern_statics(
    types: &[NamedType],
    operations: &[Operation],
) -> BTreeMap<String, String> {
    struct Namer {
        registry: NameRegistry,
        by_source: BTreeMap<String, String>,
    }
    impl Namer {
        /// `ty` and the items and values inside it (a named type is named where it is defined).
        fn visit(&mut self, ty: &Ty, context: &str) {
            if let Some(source) = &ty.constraints.pattern
                && !self.by_source.contains_key(source)
            {
                let name = self
                    .registry
                    .claim(&format!("{}_PATTERN", shouty_ident(context)));
                self.by_source.insert(source.clone(), name);
            }
            if let TyKind::Array(inner) | TyKind::Map(inner) = &ty.kind {
                self.visit(inner, context);
            }
        }
    }
    let mut namer = Namer {
        registry: NameRegistry::new(),
        by_source: BTreeMap::new(),
    };
    for named in types {
        match &named.kind {
            NamedKind::Struct(s) => {
                for field in &s.fields {
                    namer.visit(&field.ty, &format!("{} {}", named.name, field.rust_name));
                }
                if let Additional::Map(value) = &s.additional {
                    namer.visit(value, &named.name);
                }
            }
            NamedKind::Union(u) => {
                for variant in &u.variants {
                    namer.visit(
                        &variant.ty,
                        &format!("{} {}", named.name, variant.rust_name),
                    );
                }
            }
            NamedKind::Alias(target) => namer.visit(target, &named.name),
            NamedKind::Enum(_) => {}
        }
    }
    for op in operations {
        for param in &op.params {
            namer.visit(
                &param.ty,
                &format!("{} {}", op.type_prefix, param.rust_name),
            );
        }
        for content in op.body.iter().flat_map(|b| &b.contents) {
            namer.visit(
                &content.ty,
                &format!("{} {} body", op.type_prefix, content.variant),
            );
        }
        for response in &op.responses {
            let context = format!("{} {}", op.type_prefix, response.variant);
            if let Some(content) = &response.content {
                namer.visit(&content.ty, &context);
            }
            for header in &response.headers {
                namer.visit(&header.ty, &format!("{context} {}", header.rust_name));
            }
        }
    }
    namer.by_source
}

/// The variant name for a body of one media type, among a body's alternatives: the kinds
/// specgen reads by name, else the media type spelled out (`image/png` → `ImagePng`).
pub fn media_type_variant(kind: BodyKind, media_type: &str) -> String {
    match kind {
        BodyKind::Json => "Json".to_owned(),
        BodyKind::Form => "Form".to_owned(),
        BodyKind::Text => "Text".to_owned(),
        BodyKind::Binary | BodyKind::Multipart => pascal_ident(media_type),
    }
}

/// Hands out unique names within one namespace (a module, a struct's fields, an enum's
/// variants). Collisions get a numeric suffix in order of arrival, so output is stable.
#[derive(Debug, Default, Clone)]
pub struct NameRegistry {
    taken: BTreeSet<String>,
}

impl NameRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry that will never hand out the given names (e.g. names the emitter uses).
    pub fn reserving<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: names.into_iter().map(str::to_owned).collect(),
        }
    }

    /// Claims `wanted`, or `wanted2`, `wanted3`... when taken.
    pub fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        let separator = if wanted.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{wanted}{separator}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or_default()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_characters_rust_does_not_allow_in_identifiers_still_give_identifiers() {
        for raw in [
            "ioE²IoTApi",
            "e²",
            "²",
            "Café crème",
            "数据",
            "x\u{200b}y",
            "٣rd",
        ] {
            for ident in [snake_ident(raw), pascal_ident(raw)] {
                assert!(
                    syn::parse_str::<syn::Ident>(&ident).is_ok(),
                    "{raw:?} gave {ident:?}"
                );
            }
        }
        assert_eq!(snake_ident("io e² io t"), "io_e_io_t");
        assert_eq!(pascal_ident("Café"), "Café");
    }

    #[test]
    fn type_names_from_awkward_schema_names_are_readable_identifiers() {
        assert_eq!(pascal_ident("simple-user"), "SimpleUser");
        assert_eq!(pascal_ident("api.v2010.account"), "ApiV2010Account");
        assert_eq!(pascal_ident("$special[name]"), "SpecialName");
        assert_eq!(pascal_ident("200_response"), "T200Response");
        assert_eq!(pascal_ident(""), "T");
        assert_eq!(pascal_ident("self"), "Self_");
        assert_eq!(pascal_ident("+1"), "Plus1");
        assert_eq!(pascal_ident("-1"), "Minus1");
    }

    #[test]
    fn field_names_are_snake_case_and_escape_keywords() {
        assert_eq!(snake_ident("petId"), "pet_id");
        assert_eq!(snake_ident("type"), "type_");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("X-Request-ID"), "x_request_id");
        assert_eq!(snake_ident("2fa"), "n_2fa");
        assert_eq!(snake_ident("@odata.type"), "odata_type");
        assert_eq!(snake_ident("_"), "n_");
    }

    #[test]
    fn static_names_are_shouty_snake_case_from_their_words() {
        assert_eq!(shouty_ident("Product sku"), "PRODUCT_SKU");
        assert_eq!(shouty_ident("products_listing"), "PRODUCTS_LISTING");
        assert_eq!(shouty_ident("ListPets limit"), "LIST_PETS_LIMIT");
        assert_eq!(shouty_ident("2fa"), "N_2FA");
    }

    #[test]
    fn registry_suffixes_collisions_in_arrival_order() {
        let mut names = NameRegistry::new();
        assert_eq!(names.claim("Pet"), "Pet");
        assert_eq!(names.claim("Pet"), "Pet2");
        assert_eq!(names.claim("Pet"), "Pet3");
        assert_eq!(names.claim("V1"), "V1");
        assert_eq!(names.claim("V1"), "V1_2");
    }
}
