//! Strings that match a schema's `pattern`, for generated test requests.
//!
//! The pattern is parsed with regex-syntax (close enough to ECMA-262 for generating), a
//! string is built by walking it (first alternative, first character of a class, a chosen
//! count for each repetition), and the result is confirmed with the ECMA-262 engine the
//! generated server uses. Lengths are met by trying larger repetition counts.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A string matching `pattern` whose length in characters is within the bounds, if one is
/// found quickly.
pub fn sample_matching(
    pattern: &str,
    min_len: Option<usize>,
    max_len: Option<usize>,
) -> Option<String> {
    let regex = super::pattern::Pattern::new(pattern)?;
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(true)
        .build()
        .parse(pattern)
    else {
        // Lookarounds and backreferences: try strings that satisfy the usual rules
        // ("a lower-case letter, an upper-case letter, a digit, a symbol").
        return guess_matching(&regex, min_len, max_len);
    };
    let min = min_len.unwrap_or(0);
    let max = max_len.unwrap_or(usize::MAX);
    // Unanchored patterns may match inside a longer string; a prefix pads if needed.
    for extra in [0u32, 1, 2, 3, 5, 8, 13, 21, 34, 64] {
        let mut text = String::new();
        build(&hir, extra, &mut text, 0);
        let len = text.chars().count();
        if len >= min && len <= max && regex.is_match(&text) == Some(true) {
            return Some(text);
        }
        if len > max {
            break;
        }
    }
    None
}

/// Tries common shapes of strings until one matches and fits the length bounds.
fn guess_matching(
    regex: &super::pattern::Pattern,
    min_len: Option<usize>,
    max_len: Option<usize>,
) -> Option<String> {
    let min = min_len.unwrap_or(0);
    let max = max_len.unwrap_or(usize::MAX);
    let seeds = [
        "Aa1!", "aA1", "a1", "A1", "abc", "ABC", "123", "a", "A", "0", "a-b", "a_b", "a.b",
        "a@b.co",
    ];
    for seed in seeds {
        for repeat in 1..=16 {
            let candidate = seed.repeat(repeat);
            let len = candidate.chars().count();
            if len > max {
                break;
            }
            if len >= min && regex.is_match(&candidate) == Some(true) {
                return Some(candidate);
            }
        }
    }
    None
}

/// Appends a string matching `hir`; repetitions take `min + extra` items, capped by their max.
fn build(hir: &Hir, extra: u32, out: &mut String, depth: usize) {
    if depth > 64 || out.len() > 4096 {
        return;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(class) => {
            if let Some(c) = class_char(class) {
                out.push(c);
            }
        }
        HirKind::Repetition(repetition) => {
            let wanted = repetition.min.saturating_add(extra);
            let count = repetition
                .max
                .map_or(wanted, |max| wanted.min(max))
                .max(repetition.min);
            for _ in 0..count.min(256) {
                build(&repetition.sub, extra, out, depth + 1);
            }
        }
        HirKind::Capture(capture) => build(&capture.sub, extra, out, depth + 1),
        HirKind::Concat(parts) => {
            for part in parts {
                build(part, extra, out, depth + 1);
            }
        }
        HirKind::Alternation(branches) => {
            if let Some(first) = branches.first() {
                build(first, extra, out, depth + 1);
            }
        }
    }
}

/// A readable character of a class: a letter or digit when it has one.
fn class_char(class: &Class) -> Option<char> {
    match class {
        Class::Unicode(unicode) => {
            let ranges = unicode.ranges();
            let readable = ranges.iter().find_map(|r| {
                (r.start()..=r.end())
                    .take(512)
                    .find(|c| c.is_ascii_alphanumeric())
            });
            readable.or_else(|| ranges.first().map(|r| r.start()))
        }
        Class::Bytes(bytes) => bytes.ranges().first().map(|r| r.start() as char),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_match_their_pattern_and_lengths() {
        let name = sample_matching("^[a-z0-9_]{3,30}$", None, None).expect("a sample");
        assert_eq!(name.len(), 3, "the shortest match: {name}");
        let sku = sample_matching("^[A-Z]{3}-[0-9]{4}$", None, None).expect("a sample");
        assert!(
            regress::Regex::new("^[A-Z]{3}-[0-9]{4}$")
                .expect("valid")
                .find(&sku)
                .is_some()
        );
        let long = sample_matching("^[a-z]+$", Some(5), Some(8)).expect("a sample");
        assert!((5..=8).contains(&long.len()), "{long}");
        assert_eq!(
            sample_matching("^(red|green)$", None, None).as_deref(),
            Some("red")
        );
    }

    #[test]
    fn impossible_or_unsupported_patterns_give_none() {
        assert_eq!(sample_matching("^[a-z]{10}$", None, Some(3)), None);
        assert_eq!(sample_matching("(", None, None), None);
        let password =
            sample_matching("(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])", Some(8), None).expect("a guess");
        assert!(password.len() >= 8, "{password}");
    }
}
