//! A schema's `pattern`, for the generator's own checks (does this example or sample
//! match?), answered without exponential backtracking.
//!
//! The generated server's matcher decides (`runtime/src/pattern.rs`, compiled here too):
//! a pattern it translates for the linear-time `regex` engine is answered at once for any
//! text, exactly as the server will answer it. One it must match by backtracking (regress,
//! ECMA-262) can take exponential time on a string that almost matches (one real spec hung
//! generation for minutes that way), so it is only run on short strings, and the answer
//! for a long one is "unknown".

use crate::runtime_pattern::Pattern as ServerPattern;

/// Strings up to this many characters are matched by backtracking: at most 2^24 steps
/// for the worst pattern, far less for real ones.
const BACKTRACKING_LIMIT: usize = 24;

pub struct Pattern(ServerPattern);

impl Pattern {
    /// `None` when the pattern is not valid ECMA-262 (the server could not use it either).
    pub fn new(source: &str) -> Option<Self> {
        ServerPattern::new(source).map(Self)
    }

    /// Whether `text` contains a match (as ECMA-262's `test` says), or `None` when that
    /// cannot be told quickly.
    pub fn is_match(&self, text: &str) -> Option<bool> {
        (self.0.is_linear() || text.chars().count() <= BACKTRACKING_LIMIT)
            .then(|| self.0.is_match(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_that_backtracks_exponentially_is_answered_at_once() {
        let pattern =
            Pattern::new(r"^(https?:\/\/)?([\da-z\.-]+)\.([a-z\.]{2,6})([\/\w \.-]*)*\/?$")
                .expect("valid ECMA-262");
        let almost = format!("http://example.com/{}!", "a".repeat(60));
        let started = std::time::Instant::now();
        assert_eq!(pattern.is_match(&almost), Some(false));
        assert_eq!(pattern.is_match("http://example.com/a/b"), Some(true));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn a_pattern_only_the_ecma_engine_reads_is_matched_on_short_strings_only() {
        let pattern = Pattern::new(r"^(?=.*\d)(?=.*[a-z])\w+$").expect("lookaheads are ECMA-262");
        assert_eq!(pattern.is_match("abc1"), Some(true));
        assert_eq!(pattern.is_match("abc"), Some(false));
        assert_eq!(pattern.is_match(&"a1".repeat(40)), None);
    }

    #[test]
    fn a_pattern_that_is_not_ecma_262_is_refused() {
        assert!(Pattern::new("(unclosed").is_none());
    }
}
