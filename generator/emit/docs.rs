//! Doc comments: every `#[doc]` the emitters write is made here, so each line gets the
//! space after `///` and spec prose is escaped.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for a description from the spec, one per line (prettyplease prints
/// them as `///`), escaped so rustdoc reads it as prose.
pub fn doc_attrs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc.map(str::trim).filter(|d| !d.is_empty()) else {
        return TokenStream::new();
    };
    attrs(doc.lines().map(|line| sanitize(line.trim_end())), false)
}

/// Spec prose escaped for a line of the generator's own Markdown (see [`doc_attrs`]).
pub fn escape_prose(line: &str) -> String {
    sanitize(line.trim())
}

/// `#[doc]` attributes for the generator's own Markdown (links and code spans kept): one
/// per line of `text`, each printed as `/// line`.
pub fn doc(text: &str) -> TokenStream {
    attrs(text.lines().map(str::to_owned), false)
}

/// `#![doc]` attributes (a module's `//!` docs) for the generator's own Markdown.
pub fn module_doc(text: &str) -> TokenStream {
    attrs(text.lines().map(str::to_owned), true)
}

/// One attribute per line, with the space rustfmt and people put after `///`.
fn attrs(lines: impl Iterator<Item = String>, inner: bool) -> TokenStream {
    let lines = lines.map(|line| {
        let line = line.trim_end();
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        if inner {
            quote!(#![doc = #line])
        } else {
            quote!(#[doc = #line])
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(tokens: TokenStream) -> String {
        let file: syn::File = syn::parse2(quote!(#tokens struct S;)).expect("valid Rust");
        prettyplease::unparse(&file)
    }

    #[test]
    fn each_line_gets_one_space_after_the_slashes_and_blank_lines_stay_blank() {
        assert_eq!(
            printed(doc("How `pets` pages.\n\n```text\n    indented\n```")),
            "/// How `pets` pages.\n///\n/// ```text\n///     indented\n/// ```\nstruct S;\n"
        );
    }

    #[test]
    fn spec_prose_is_escaped_but_the_generator_s_markdown_is_not() {
        assert_eq!(
            printed(doc_attrs(Some("See [RFC] <b>now</b>"))),
            "/// See \\[RFC\\] &lt;b>now&lt;/b>\nstruct S;\n"
        );
        assert_eq!(
            printed(doc("See [`Handlers`].")),
            "/// See [`Handlers`].\nstruct S;\n"
        );
    }

    #[test]
    fn module_docs_are_inner_attributes() {
        let file: syn::File = syn::parse2(module_doc("The API.")).expect("valid Rust");
        assert_eq!(prettyplease::unparse(&file), "//! The API.\n");
    }
}
