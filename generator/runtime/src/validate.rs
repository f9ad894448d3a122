//! Checking parsed values against the spec's constraints, after serde has read them.
//!
//! Generated code calls one function per constraint with a [`Pointer`] to the value; a
//! pointer is a chain of borrowed segments rendered to a string only when a violation is
//! reported, so a valid request allocates nothing here.

use std::collections::BTreeMap;

use super::problem::FieldError;

/// Where a value is: `/body/tags/2`, `/query/limit`. Built on the stack, rendered lazily.
#[derive(Debug, Clone, Copy)]
pub enum Pointer<'a> {
    Root(&'static str),
    Field(&'a Pointer<'a>, &'static str),
    Key(&'a Pointer<'a>, &'a str),
    Index(&'a Pointer<'a>, usize),
}

impl<'a> Pointer<'a> {
    pub fn field(&'a self, name: &'static str) -> Pointer<'a> {
        Pointer::Field(self, name)
    }

    pub fn key(&'a self, key: &'a str) -> Pointer<'a> {
        Pointer::Key(self, key)
    }

    pub fn index(&'a self, index: usize) -> Pointer<'a> {
        Pointer::Index(self, index)
    }

    fn render(&self) -> String {
        let escape = |token: &str| token.replace('~', "~0").replace('/', "~1");
        match self {
            Pointer::Root(root) => (*root).to_owned(),
            Pointer::Field(parent, name) => format!("{}/{}", parent.render(), escape(name)),
            Pointer::Key(parent, key) => format!("{}/{}", parent.render(), escape(key)),
            Pointer::Index(parent, index) => format!("{}/{index}", parent.render()),
        }
    }
}

/// The constraints a request breaks, the first [`MAX_VIOLATIONS`] of them: a body of a
/// million bad items gets a short answer, and checking stops once it is full.
#[derive(Debug, Default)]
pub struct Violations {
    listed: Vec<FieldError>,
    /// Violations found past the cap, counted but not listed.
    more: usize,
}

/// How many violations an answer lists.
pub const MAX_VIOLATIONS: usize = 100;

impl Violations {
    pub fn report(&mut self, at: &Pointer<'_>, detail: impl Into<String>) {
        if self.is_full() {
            self.more += 1;
        } else {
            self.listed.push(FieldError::new(at.render(), detail));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// No more violations will be listed: checks of further items can stop.
    pub fn is_full(&self) -> bool {
        self.listed.len() >= MAX_VIOLATIONS
    }

    pub fn into_errors(self) -> Vec<FieldError> {
        let mut errors = self.listed;
        if self.more > 0 {
            errors.push(FieldError::new(
                "",
                format!("and at least {} more violations, not listed", self.more),
            ));
        }
        errors
    }
}

/// A type whose values the spec constrains beyond their Rust type.
pub trait Validate {
    fn validate(&self, at: &Pointer<'_>, out: &mut Violations);
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, at: &Pointer<'_>, out: &mut Violations) {
        if let Some(value) = self {
            value.validate(at, out);
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self, at: &Pointer<'_>, out: &mut Violations) {
        self.as_ref().validate(at, out);
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, at: &Pointer<'_>, out: &mut Violations) {
        for (index, item) in self.iter().enumerate() {
            if out.is_full() {
                break;
            }
            item.validate(&at.index(index), out);
        }
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate(&self, at: &Pointer<'_>, out: &mut Violations) {
        for (key, value) in self {
            value.validate(&at.key(key), out);
        }
    }
}

/// `minLength`/`maxLength`, counted in characters as JSON Schema does (not bytes).
pub fn length(
    out: &mut Violations,
    at: &Pointer<'_>,
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
) {
    let len = value.chars().count();
    if let Some(min) = min.filter(|min| len < *min) {
        out.report(
            at,
            format!("must be at least {min} character{} long", plural(min)),
        );
    }
    if let Some(max) = max.filter(|max| len > *max) {
        out.report(
            at,
            format!("must be at most {max} character{} long", plural(max)),
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `pattern`, with ECMA-262 semantics (the regex dialect JSON Schema means), in linear
/// time where the pattern allows ([`Pattern`](crate::pattern::Pattern)).
pub fn pattern(
    out: &mut Violations,
    at: &Pointer<'_>,
    value: &str,
    regex: &crate::pattern::Pattern,
    source: &str,
) {
    if !regex.is_match(value) {
        out.report(at, format!("must match the pattern `{source}`"));
    }
}

/// `minimum`/`maximum` and their exclusive forms. `NaN` and the infinities are outside
/// any range: `NaN` compares false with every bound and would pass them all.
pub fn range(
    out: &mut Violations,
    at: &Pointer<'_>,
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
    exclusive_min: bool,
    exclusive_max: bool,
) {
    if !value.is_finite() && (min.is_some() || max.is_some()) {
        out.report(at, "must be a finite number");
        return;
    }
    bounds(out, at, value, (min, exclusive_min), (max, exclusive_max));
}

/// [`range`] for 64-bit integers against whole-number bounds, compared as integers: as
/// `f64`, a value past 2^53 rounds and can pass a bound it breaks by one.
pub fn integer_range(
    out: &mut Violations,
    at: &Pointer<'_>,
    value: i128,
    min: Option<i128>,
    max: Option<i128>,
    exclusive_min: bool,
    exclusive_max: bool,
) {
    bounds(out, at, value, (min, exclusive_min), (max, exclusive_max));
}

/// The bound checks of [`range`] and [`integer_range`]: each bound with whether it is
/// exclusive.
fn bounds<T: PartialOrd + std::fmt::Display>(
    out: &mut Violations,
    at: &Pointer<'_>,
    value: T,
    (min, exclusive_min): (Option<T>, bool),
    (max, exclusive_max): (Option<T>, bool),
) {
    if let Some(min) = min {
        if exclusive_min && value <= min {
            out.report(at, format!("must be greater than {min}"));
        } else if value < min {
            out.report(at, format!("must be at least {min}"));
        }
    }
    if let Some(max) = max {
        if exclusive_max && value >= max {
            out.report(at, format!("must be less than {max}"));
        } else if value > max {
            out.report(at, format!("must be at most {max}"));
        }
    }
}

/// `multipleOf`, with a tolerance for binary floating point.
pub fn multiple_of(out: &mut Violations, at: &Pointer<'_>, value: f64, factor: f64) {
    if factor > 0.0 {
        let quotient = value / factor;
        if (quotient - quotient.round()).abs() > 1e-9 * quotient.abs().max(1.0) {
            out.report(at, format!("must be a multiple of {factor}"));
        }
    }
}

/// `minItems`/`maxItems` (and `minProperties`/`maxProperties` with `what = "properties"`).
pub fn count(
    out: &mut Violations,
    at: &Pointer<'_>,
    len: usize,
    min: Option<usize>,
    max: Option<usize>,
    what: &str,
) {
    if let Some(min) = min.filter(|min| len < *min) {
        out.report(at, format!("must have at least {min} {what}"));
    }
    if let Some(max) = max.filter(|max| len > *max) {
        out.report(at, format!("must have at most {max} {what}"));
    }
}

/// `uniqueItems`.
pub fn unique<T: serde::Serialize>(out: &mut Violations, at: &Pointer<'_>, items: &[T]) {
    // One pass over canonical JSON texts (object keys sorted), not every pair: a
    // comparison of each item with all before it is quadratic in what a client sends.
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    for item in items {
        let Ok(value) = serde_json::to_value(item) else {
            continue;
        };
        let mut text = String::new();
        canonical(&value, &mut text);
        if !seen.insert(text) {
            out.report(at, "must not contain duplicate items");
            return;
        }
    }
}

/// `value` as JSON text with every object's keys in order, so equal values read alike
/// however their members were ordered.
fn canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(members) => {
            let mut keys: Vec<&String> = members.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::from(key.as_str()).to_string());
                out.push(':');
                canonical(&members[key], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `enum` on a value whose Rust type is wider than the enum (numbers, untyped values).
pub fn one_of<T: PartialEq + std::fmt::Debug>(
    out: &mut Violations,
    at: &Pointer<'_>,
    value: &T,
    allowed: &[T],
) {
    if !allowed.contains(value) {
        out.report(at, format!("must be one of {allowed:?}"));
    }
}

/// String formats that have no Rust type of their own.
pub fn format(out: &mut Violations, at: &Pointer<'_>, value: &str, format: &str) {
    let ok = match format {
        "email" => is_email(value),
        "ipv4" => value.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => value.parse::<std::net::Ipv6Addr>().is_ok(),
        "uri" | "url" => is_uri(value),
        "hostname" => is_hostname(value),
        _ => true,
    };
    if !ok {
        out.report(at, format!("must be a valid {format}"));
    }
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && !local.contains('@')
        && is_hostname(domain)
        && domain.contains('.')
}

fn is_hostname(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn is_uri(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(check: impl FnOnce(&mut Violations, &Pointer<'_>)) -> Vec<FieldError> {
        let mut out = Violations::default();
        let root = Pointer::Root("/body");
        check(&mut out, &root.field("name"));
        out.into_errors()
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(errors(|out, at| length(out, at, "ééé", None, Some(3))).is_empty());
        let found = errors(|out, at| length(out, at, "éééé", None, Some(3)));
        assert_eq!(found[0].pointer, "/body/name");
    }

    #[test]
    fn an_answer_lists_at_most_a_hundred_violations_and_counts_the_rest() {
        let at = Pointer::Root("/body");
        let mut out = Violations::default();
        for _ in 0..250 {
            out.report(&at, "bad");
        }
        assert!(out.is_full(), "checking can stop");
        let errors = out.into_errors();
        assert_eq!(errors.len(), MAX_VIOLATIONS + 1);
        assert!(
            format!("{:?}", errors[MAX_VIOLATIONS]).contains("at least 150 more"),
            "{:?}",
            errors[MAX_VIOLATIONS]
        );
    }

    #[test]
    fn duplicates_are_found_in_one_pass_whatever_the_order_of_an_objects_members() {
        let a: serde_json::Value = serde_json::json!({"x": 1, "y": [1, 2]});
        let b: serde_json::Value = serde_json::from_str(r#"{"y": [1, 2], "x": 1}"#).expect("json");
        assert_eq!(errors(|out, at| unique(out, at, &[a.clone(), b])).len(), 1);
        let many: Vec<i64> = (0..200_000).collect();
        assert!(
            errors(|out, at| unique(out, at, &many)).is_empty(),
            "200k distinct items, checked at once"
        );
    }

    #[test]
    fn not_a_number_is_outside_every_range_and_big_integers_compare_exactly() {
        assert_eq!(
            errors(|out, at| range(out, at, f64::NAN, Some(0.0), Some(10.0), false, false)).len(),
            1
        );
        assert_eq!(
            errors(|out, at| range(out, at, f64::INFINITY, None, Some(10.0), false, false)).len(),
            1
        );
        let limit = 9_007_199_254_740_992_i128; // 2^53
        assert_eq!(
            errors(|out, at| integer_range(out, at, limit + 1, None, Some(limit), false, false))
                .len(),
            1,
            "2^53 + 1 breaks a maximum of 2^53"
        );
        assert!(
            errors(|out, at| range(
                out,
                at,
                (limit + 1) as f64,
                None,
                Some(limit as f64),
                false,
                false
            ))
            .is_empty(),
            "as f64 it would pass"
        );
    }

    #[test]
    fn ranges_honour_exclusive_bounds_and_multiples() {
        assert_eq!(
            errors(|out, at| range(out, at, 1000.0, Some(0.0), Some(1000.0), false, true)).len(),
            1
        );
        assert!(
            errors(|out, at| range(out, at, 999.5, Some(0.0), Some(1000.0), false, true))
                .is_empty()
        );
        assert!(errors(|out, at| multiple_of(out, at, 0.3, 0.1)).is_empty());
        assert_eq!(errors(|out, at| multiple_of(out, at, 0.35, 0.1)).len(), 1);
    }

    #[test]
    fn patterns_use_ecmascript_semantics() {
        let regex = crate::pattern::Pattern::new("^(?!admin)[a-z]+$").expect("valid");
        assert!(errors(|out, at| pattern(out, at, "alice", &regex, "")).is_empty());
        assert_eq!(
            errors(|out, at| pattern(out, at, "admin", &regex, "")).len(),
            1
        );
    }

    #[test]
    fn formats_and_uniqueness() {
        assert!(errors(|out, at| format(out, at, "a@example.com", "email")).is_empty());
        assert_eq!(
            errors(|out, at| format(out, at, "not an email", "email")).len(),
            1
        );
        assert_eq!(
            errors(|out, at| format(out, at, "300.1.1.1", "ipv4")).len(),
            1
        );
        assert_eq!(errors(|out, at| unique(out, at, &[1, 2, 1])).len(), 1);
        let root = Pointer::Root("/body");
        let items = root.field("tags");
        let mut out = Violations::default();
        length(&mut out, &items.index(2), "", Some(1), None);
        assert_eq!(out.into_errors()[0].pointer, "/body/tags/2");
    }
}
