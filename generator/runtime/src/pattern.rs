//! A schema's `pattern`, matched in linear time whenever the pattern allows it.
//!
//! JSON Schema means ECMA-262 regexes, and regress implements them exactly, but it
//! backtracks: a pattern such as `^(\w+\s?)*$` takes about 2^n steps on a string of n
//! characters that almost matches, and a request does not get preempted while a handler
//! thread computes. So each pattern is translated to the `regex` crate's syntax, whose
//! engine is linear in the length of the text, with ECMA-262's meaning kept: `\d`, `\w` and
//! `\b` are ASCII (as in ECMA-262 without the `u` flag), `.` stops at every line terminator,
//! `\uXXXX` is a code point, and what the `regex` crate would read differently inside a
//! class (`[`, `&&`, `--`, `~~`) is escaped. A pattern that needs backtracking
//! (backreferences, lookaround) or that the translation does not cover is matched by
//! regress, and the generator warns about it where the spec writes it.
//!
//! The generator compiles this file too (it decides what to warn about), so it uses
//! nothing of the runtime but the two regex crates.

/// A compiled `pattern`.
#[derive(Debug)]
pub enum Pattern {
    /// Translated; linear time.
    Linear(regex::Regex),
    /// Matched by backtracking: the pattern needs it, or was not translated.
    Backtracking(regress::Regex),
}

impl Pattern {
    /// Compiles an ECMA-262 pattern; `None` when it is not one.
    pub fn new(source: &str) -> Option<Self> {
        let ecma = regress::Regex::new(source).ok()?;
        Some(match linear(source) {
            Some(linear) => Pattern::Linear(linear),
            None => Pattern::Backtracking(ecma),
        })
    }

    /// Whether the pattern matches somewhere in `text`, as ECMA-262's `test` says.
    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Linear(regex) => regex.is_match(text),
            Pattern::Backtracking(regex) => regex.find(text).is_some(),
        }
    }

    /// Whether it runs in linear time.
    pub fn is_linear(&self) -> bool {
        matches!(self, Pattern::Linear(_))
    }
}

/// The pattern for the linear engine, when it translates and compiles.
fn linear(source: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(&translate(source)?)
        .size_limit(1 << 23)
        .build()
        .ok()
}

/// ASCII word characters, as ECMA-262's `\w` (without the `u` flag) means them.
const WORD: &str = "0-9A-Za-z_";

/// The `regex` crate's spelling of an ECMA-262 pattern with the same meaning, or `None`
/// where the two would differ or the pattern needs backtracking.
pub fn translate(source: &str) -> Option<String> {
    // `{,n}` is a literal in ECMA-262 and a quantifier in the regex crate.
    if source.contains("{,") {
        return None;
    }
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars().peekable();
    let mut in_class = false;
    // The previous character written inside the current class, to catch `--`.
    let mut class_start = false;
    while let Some(c) = chars.next() {
        if in_class {
            match c {
                ']' if !class_start => {
                    in_class = false;
                    out.push(']');
                }
                // `[]` and `[^]` mean "nothing" and "anything" in ECMA-262, a literal `]`
                // in the regex crate.
                ']' => return None,
                '\\' => out.push_str(&class_escape(&mut chars)?),
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                '-' if out.ends_with('-') => out.push_str("\\-"),
                _ => out.push(c),
            }
            class_start = false;
            continue;
        }
        match c {
            '\\' => out.push_str(&escape(&mut chars)?),
            '[' => {
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            '.' => out.push_str("[^\\n\\r\\x{2028}\\x{2029}]"),
            '(' if chars.peek() == Some(&'?') => {
                chars.next();
                match chars.next()? {
                    ':' => out.push_str("(?:"),
                    // A named group; `(?<=` and `(?<!` are lookbehind.
                    '<' if !matches!(chars.peek(), Some('=' | '!')) => out.push_str("(?<"),
                    _ => return None,
                }
            }
            _ => out.push(c),
        }
    }
    (!in_class).then_some(out)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// An escape outside a class (the `\` read).
fn escape(chars: &mut Chars<'_>) -> Option<String> {
    Some(match chars.next()? {
        'd' => "[0-9]".to_owned(),
        'D' => "[^0-9]".to_owned(),
        'w' => format!("[{WORD}]"),
        'W' => format!("[^{WORD}]"),
        'b' => "(?-u:\\b)".to_owned(),
        'B' => "(?-u:\\B)".to_owned(),
        c => common_escape(c, chars)?,
    })
}

/// An escape inside a class (the `\` read).
fn class_escape(chars: &mut Chars<'_>) -> Option<String> {
    Some(match chars.next()? {
        'd' => "0-9".to_owned(),
        'w' => WORD.to_owned(),
        // Backspace, in a class.
        'b' => "\\x08".to_owned(),
        // Negated shorthands inside a class have no spelling there.
        'D' | 'W' | 'S' => return None,
        c => common_escape(c, chars)?,
    })
}

/// Escapes that mean the same in and out of a class: `c` follows the `\`.
fn common_escape(c: char, chars: &mut Chars<'_>) -> Option<String> {
    Some(match c {
        's' | 'S' | 'n' | 'r' | 't' | 'f' | 'v' => format!("\\{c}"),
        '0' if !chars.peek().is_some_and(char::is_ascii_digit) => "\\x00".to_owned(),
        // `\xHH` and `\uXXXX`: a code point (a lone surrogate fails to compile, and the
        // pattern stays with regress).
        'x' | 'u' => {
            let digits = if c == 'x' { 2 } else { 4 };
            let hex: String = (0..digits)
                .map_while(|_| chars.next_if(char::is_ascii_hexdigit))
                .collect();
            if hex.len() != digits {
                return None;
            }
            format!("\\x{{{hex}}}")
        }
        // Backreferences need backtracking; the others mean something else here.
        '0'..='9' | 'k' | 'c' | 'p' | 'P' => return None,
        // Any other punctuation stands for itself.
        c if c.is_ascii_punctuation() => format!("\\x{{{:x}}}", u32::from(c)),
        // `\a`, `\e`... are identity escapes in ECMA-262 but something else here.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agree(pattern: &str, texts: &[&str]) {
        let compiled = Pattern::new(pattern).expect("an ECMA-262 pattern");
        assert!(
            compiled.is_linear(),
            "{pattern} runs in linear time: {:?}",
            translate(pattern)
        );
        let ecma = regress::Regex::new(pattern).expect("regress compiles it");
        for text in texts {
            assert_eq!(
                compiled.is_match(text),
                ecma.find(text).is_some(),
                "{pattern} on {text:?}"
            );
        }
    }

    #[test]
    fn translated_patterns_mean_what_ecmascript_means() {
        agree(
            "^[a-z0-9_-]{3,16}$",
            &["ab", "abc", "a-b_c", "ABC", "a b c"],
        );
        agree(r"^\d+$", &["123", "١٢٣", "12a", ""]);
        agree(r"^\w+$", &["abc_1", "été", "a-b"]);
        agree(r"\bcat\b", &["a cat!", "concat", "été cat"]);
        agree("^a.c$", &["abc", "a\nc", "a\rc", "a\u{2028}c", "aéc"]);
        agree(
            r"^[\w.-]+@[\w-]+\.[a-z]{2,}$",
            &["ada@example.com", "ada@ex_ample.org", "a@b"],
        );
        agree(r"^[\d\s]+$", &["1 2 3", "1\t2", "x"]);
        agree(r"^\/api\/v1$", &["/api/v1", "api/v1"]);
        agree("^[[a]$", &["[", "a", "b"]);
        agree("^[a&&b]$", &["&", "a", "b"]);
        agree(r"^(?:ab)+(?<tail>c)?$", &["abab", "ababc", "abc", "ac"]);
        agree(r"^\x41\0?$", &["A", "A\0", "B"]);
        agree(r"^\u00e9$", &["é", "e"]);
    }

    #[test]
    fn what_needs_backtracking_or_has_no_spelling_stays_with_regress() {
        for pattern in [
            r"^(a)\1$",
            "^(?!admin)[a-z]+$",
            "(?<=x)y",
            r"^[\D]$",
            "^[]$",
            r"\cA",
        ] {
            let compiled = Pattern::new(pattern).expect("an ECMA-262 pattern");
            assert!(!compiled.is_linear(), "{pattern}");
        }
        let lookahead = Pattern::new("^(?!admin)[a-z]+$").expect("valid");
        assert!(lookahead.is_match("ada") && !lookahead.is_match("admin"));
        assert!(Pattern::new("(unclosed").is_none());
    }

    #[test]
    fn a_pattern_that_backtracks_exponentially_takes_linear_time() {
        // regress would take about 2^40 steps on this text.
        let pattern = Pattern::new(r"^(\w+\s?)*$").expect("valid");
        assert!(pattern.is_linear());
        let text = format!("{}!", "a".repeat(40));
        assert!(!pattern.is_match(&text));
        let long = format!("{}!", "ab ".repeat(100_000));
        assert!(!pattern.is_match(&long));
    }
}
