//! Doc comments from spec descriptions.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for a description, one per line (prettyplease prints them as `///`).
pub fn doc_attrs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc.map(str::trim).filter(|d| !d.is_empty()) else {
        return TokenStream::new();
    };
    let lines = doc.lines().map(|line| {
        let line = sanitize(line.trim_end());
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// Keeps rustdoc from reading spec prose as code or links: indented lines would become
/// code blocks and `[x]` intra-doc links.
fn sanitize(line: &str) -> String {
    let trimmed = line.trim_start();
    let mut escaped = String::with_capacity(trimmed.len());
    let mut chars = trimmed.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // `<tag` would be read as HTML; a lone `<` (as in `a < b`) is fine.
            '<' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '/') =>
            {
                escaped.push_str("&lt;")
            }
            '[' => escaped.push_str("\\["),
            ']' => escaped.push_str("\\]"),
            other => escaped.push(other),
        }
    }
    if trimmed.starts_with("```") {
        escaped.replacen("```", "'''", 1)
    } else {
        escaped
    }
}
