//! Example values for requests and responses: the spec's own example when it fits the
//! type, otherwise a value synthesised from the schema's type and constraints.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::ir::{
    Additional, Api, BodyKind, FloatFormat, IntFormat, NamedKind, Operation, Response,
    ResponseHeader, StringFormat, Ty, TyKind,
};

/// Response samples by key ([`body_key`], [`header_key`]), written to
/// `generated/src/examples.json`: the stub of the contract tests and the scaffold handlers of
/// operations nobody has implemented yet both answer with them.
pub type Samples = BTreeMap<String, Value>;

/// The samples pass: for every operation, the body (JSON or form) and required headers of
/// the response its stub answers with ([`stub_response`]).
pub fn response_samples(api: &Api) -> Samples {
    let sampler = Sampler::new(api, Direction::Response);
    let mut samples = Samples::new();
    for op in &api.operations {
        let Some(response) = stub_response(op) else {
            continue;
        };
        if let Some(content) = response.content.as_ref().filter(|c| is_stored(c.kind)) {
            samples.insert(
                body_key(op),
                sampler.value_with_example(&content.ty, content.example.as_ref()),
            );
        }
        for header in response.headers.iter().filter(|h| h.required) {
            samples.insert(header_key(op, header), sampler.value(&header.ty));
        }
    }
    samples
}

/// The response a stub answers an operation with: the first success response, else the
/// first documented one.
pub fn stub_response(op: &Operation) -> Option<&Response> {
    op.success_response().or_else(|| op.responses.first())
}

/// Whether a response body of this kind is read from the samples (the others are written
/// inline).
pub fn is_stored(kind: BodyKind) -> bool {
    matches!(kind, BodyKind::Json | BodyKind::Form)
}

/// The key of an operation's response body sample: its method name.
pub fn body_key(op: &Operation) -> String {
    op.method_name.clone()
}

/// The key of a required response header's sample: `method.header`.
pub fn header_key(op: &Operation, header: &ResponseHeader) -> String {
    format!("{}.{}", op.method_name, header.wire_name)
}

/// Which side of the exchange a value is for: read-only fields are left out of requests and
/// write-only fields out of responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

/// Past this depth only required fields are filled, so recursive types terminate.
const FULL_DEPTH: usize = 3;
const MAX_DEPTH: usize = 12;

pub struct Sampler<'a> {
    api: &'a Api,
    direction: Direction,
}

impl<'a> Sampler<'a> {
    pub fn new(api: &'a Api, direction: Direction) -> Self {
        Self { api, direction }
    }

    /// A value for `ty`, preferring `example` (e.g. a parameter's or media type's example).
    pub fn value_with_example(&self, ty: &Ty, example: Option<&Value>) -> Value {
        match example {
            Some(example) if self.fits(ty, example, 0) => example.clone(),
            _ => self.value(ty),
        }
    }

    pub fn value(&self, ty: &Ty) -> Value {
        self.sample(ty, 0)
    }

    fn sample(&self, ty: &Ty, depth: usize) -> Value {
        for candidate in [ty.example.as_ref(), ty.default.as_ref()]
            .into_iter()
            .flatten()
        {
            if self.fits(ty, candidate, 0) {
                return candidate.clone();
            }
        }
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let c = &ty.constraints;
        match &ty.kind {
            TyKind::Bool => Value::Bool(true),
            TyKind::Integer(format) => {
                if let Some(first) = c.enumeration.first() {
                    return first.clone();
                }
                Value::from(integer_in_range(ty, *format))
            }
            TyKind::Number(format) => {
                if let Some(first) = c.enumeration.first() {
                    return first.clone();
                }
                let value = number_in_range(ty);
                let value = if *format == FloatFormat::F32 {
                    (value as f32) as f64
                } else {
                    value
                };
                json!(value)
            }
            TyKind::String(format) => {
                let patterned = c.pattern.as_deref().and_then(|pattern| {
                    super::regex_sample::sample_matching(pattern, c.min_length, c.max_length)
                });
                Value::String(
                    patterned.unwrap_or_else(|| string_sample(format, c.min_length, c.max_length)),
                )
            }
            TyKind::Array(item) => {
                let count = c
                    .min_items
                    .unwrap_or(1)
                    .max(1)
                    .min(c.max_items.unwrap_or(usize::MAX))
                    .min(3);
                let count = if depth >= FULL_DEPTH {
                    c.min_items.unwrap_or(0).min(count)
                } else {
                    count
                };
                let mut items: Vec<Value> = Vec::with_capacity(count);
                for index in 0..count {
                    let mut value = self.sample(item, depth + 1);
                    if c.unique_items && index > 0 {
                        value = distinct(value, index);
                        if items.contains(&value) {
                            break;
                        }
                    }
                    items.push(value);
                }
                Value::Array(items)
            }
            TyKind::Map(value) => {
                if depth >= FULL_DEPTH {
                    return Value::Object(Map::new());
                }
                let mut map = Map::new();
                map.insert("key".to_owned(), self.sample(value, depth + 1));
                Value::Object(map)
            }
            TyKind::Any => Value::Object(Map::new()),
            TyKind::Named(id) => {
                let named = self.api.ty(*id);
                match &named.kind {
                    NamedKind::Struct(s) => {
                        let mut object = Map::new();
                        for field in &s.fields {
                            let skip = match self.direction {
                                Direction::Request => field.read_only,
                                Direction::Response => field.write_only,
                            };
                            if skip || (!field.required && (depth >= FULL_DEPTH || field.boxed)) {
                                continue;
                            }
                            object
                                .insert(field.wire_name.clone(), self.sample(&field.ty, depth + 1));
                        }
                        Value::Object(object)
                    }
                    NamedKind::Enum(e) => match e.variants.first() {
                        Some(first) if e.integer => first
                            .value
                            .parse::<i64>()
                            .map(Value::from)
                            .unwrap_or(Value::Null),
                        Some(first) => Value::String(first.value.clone()),
                        None => Value::Null,
                    },
                    NamedKind::Union(u) => {
                        // With a discriminator, only a variant it can name can be read back.
                        let variant = match &u.discriminator {
                            Some(_) => u.variants.iter().find(|v| !v.tags.is_empty()),
                            None => u.variants.first(),
                        };
                        let Some(variant) = variant else {
                            return Value::Null;
                        };
                        let mut value = self.sample(&variant.ty, depth + 1);
                        if let (Some(discriminator), Some(tag), Value::Object(object)) =
                            (&u.discriminator, variant.tags.first(), &mut value)
                        {
                            object
                                .insert(discriminator.property.clone(), Value::String(tag.clone()));
                        }
                        value
                    }
                    NamedKind::Alias(target) => self.sample(target, depth + 1),
                }
            }
        }
    }

    /// Whether `value` is acceptable for `ty`: the right JSON type, format and bounds.
    /// Used to decide if a spec's example can be trusted in a generated test.
    pub fn fits(&self, ty: &Ty, value: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if value.is_null() {
            return ty.nullable;
        }
        let c = &ty.constraints;
        if !c.enumeration.is_empty() && !c.enumeration.contains(value) {
            return false;
        }
        match &ty.kind {
            TyKind::Bool => value.is_boolean(),
            TyKind::Integer(format) => {
                let Some(n) = value
                    .as_i64()
                    .map(|v| v as f64)
                    .or_else(|| value.as_u64().map(|v| v as f64))
                else {
                    return false;
                };
                let in_format = match format {
                    IntFormat::I32 => (i32::MIN as f64..=i32::MAX as f64).contains(&n),
                    IntFormat::U32 => (0.0..=u32::MAX as f64).contains(&n),
                    IntFormat::U64 => n >= 0.0,
                    IntFormat::I64 => value.as_i64().is_some(),
                };
                in_format && within_bounds(ty, n)
            }
            TyKind::Number(_) => value.as_f64().is_some_and(|n| within_bounds(ty, n)),
            TyKind::String(format) => {
                let Some(s) = value.as_str() else {
                    return false;
                };
                let len = s.chars().count();
                c.min_length.is_none_or(|min| len >= min)
                    && c.max_length.is_none_or(|max| len <= max)
                    && string_fits_format(format, s)
                    && c.pattern.as_deref().is_none_or(|p| {
                        // An example that cannot be checked quickly is not used.
                        super::pattern::Pattern::new(p)
                            .is_none_or(|pattern| pattern.is_match(s) == Some(true))
                    })
            }
            TyKind::Array(item) => {
                let Some(items) = value.as_array() else {
                    return false;
                };
                c.min_items.is_none_or(|min| items.len() >= min)
                    && c.max_items.is_none_or(|max| items.len() <= max)
                    && items.iter().all(|v| self.fits(item, v, depth + 1))
            }
            TyKind::Map(inner) => value
                .as_object()
                .is_some_and(|o| o.values().all(|v| self.fits(inner, v, depth + 1))),
            TyKind::Any => true,
            TyKind::Named(id) => match &self.api.ty(*id).kind {
                NamedKind::Struct(s) => {
                    let Some(object) = value.as_object() else {
                        return false;
                    };
                    let fields_fit =
                        s.fields
                            .iter()
                            .all(|field| match object.get(&field.wire_name) {
                                Some(v) => {
                                    let wrong_side = match self.direction {
                                        Direction::Request => field.read_only,
                                        Direction::Response => field.write_only,
                                    };
                                    !wrong_side
                                        && (v.is_null() && field.is_optional()
                                            || self.fits(&field.ty, v, depth + 1))
                                }
                                None => !field.required || field.read_only || field.write_only,
                            });
                    let extra_fit = match &s.additional {
                        Additional::Deny => object
                            .keys()
                            .all(|k| s.fields.iter().any(|f| &f.wire_name == k)),
                        Additional::Map(inner) => object
                            .iter()
                            .filter(|(k, _)| !s.fields.iter().any(|f| &f.wire_name == *k))
                            .all(|(_, v)| self.fits(inner, v, depth + 1)),
                        Additional::Ignore => true,
                    };
                    fields_fit && extra_fit
                }
                NamedKind::Enum(e) if e.integer => value
                    .as_i64()
                    .is_some_and(|n| e.variants.iter().any(|v| v.value == n.to_string())),
                NamedKind::Enum(e) => value
                    .as_str()
                    .is_some_and(|s| e.variants.iter().any(|v| v.value == s)),
                NamedKind::Union(u) => match &u.discriminator {
                    Some(d) => {
                        let tag = value.get(&d.property).and_then(Value::as_str);
                        u.variants.iter().any(|v| {
                            tag.is_some_and(|t| v.tags.iter().any(|x| x == t))
                                && self.fits(&v.ty, value, depth + 1)
                        })
                    }
                    None => u
                        .variants
                        .first()
                        .is_some_and(|first| self.fits(&first.ty, value, depth + 1)),
                },
                NamedKind::Alias(target) => self.fits(target, value, depth + 1),
            },
        }
    }
}

fn within_bounds(ty: &Ty, n: f64) -> bool {
    let c = &ty.constraints;
    let above = c.minimum.is_none_or(|min| {
        if c.exclusive_minimum {
            n > min
        } else {
            n >= min
        }
    });
    let below = c.maximum.is_none_or(|max| {
        if c.exclusive_maximum {
            n < max
        } else {
            n <= max
        }
    });
    let multiple = c
        .multiple_of
        .is_none_or(|m| m <= 0.0 || ((n / m) - (n / m).round()).abs() < 1e-9);
    above && below && multiple
}

fn integer_in_range(ty: &Ty, format: IntFormat) -> i64 {
    let c = &ty.constraints;
    let (format_min, format_max) = match format {
        IntFormat::I32 => (i32::MIN as f64, i32::MAX as f64),
        IntFormat::I64 => (i64::MIN as f64, i64::MAX as f64),
        IntFormat::U32 => (0.0, u32::MAX as f64),
        IntFormat::U64 => (0.0, i64::MAX as f64),
    };
    let low = c
        .minimum
        .map(|m| {
            if c.exclusive_minimum {
                m.floor() + 1.0
            } else {
                m.ceil()
            }
        })
        .unwrap_or(format_min)
        .max(format_min);
    let high = c
        .maximum
        .map(|m| {
            if c.exclusive_maximum {
                m.ceil() - 1.0
            } else {
                m.floor()
            }
        })
        .unwrap_or(format_max)
        .min(format_max);
    let step = c.multiple_of.filter(|m| *m >= 1.0).unwrap_or(1.0);
    // Prefer a small, friendly value such as 1 when the range allows it.
    let preferred = if low <= 1.0 && 1.0 <= high { 1.0 } else { low };
    let mut candidate = (preferred / step).ceil() * step;
    if candidate > high {
        candidate = (high / step).floor() * step;
    }
    candidate.clamp(format_min, format_max) as i64
}

fn number_in_range(ty: &Ty) -> f64 {
    let c = &ty.constraints;
    let low = c.minimum.unwrap_or(f64::MIN);
    let high = c.maximum.unwrap_or(f64::MAX);
    let mut value = 1.5_f64;
    if let Some(step) = c.multiple_of.filter(|m| *m > 0.0) {
        value = step;
    }
    if value < low || (c.exclusive_minimum && value <= low) {
        value = if c.exclusive_minimum {
            low + c.multiple_of.unwrap_or(1.0)
        } else {
            low
        };
    }
    if value > high || (c.exclusive_maximum && value >= high) {
        value = if c.exclusive_maximum {
            (low + high) / 2.0
        } else {
            high
        };
    }
    value
}

fn string_sample(format: &StringFormat, min: Option<usize>, max: Option<usize>) -> String {
    let base = match format {
        StringFormat::Date => "2024-01-15",
        StringFormat::DateTime => "2024-01-15T10:30:00Z",
        StringFormat::Uuid => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        StringFormat::Email => "user@example.com",
        StringFormat::Uri => "https://example.com/item",
        StringFormat::Byte => "aGVsbG8=",
        StringFormat::Binary => "binary",
        StringFormat::Password => "correct-horse-battery",
        StringFormat::Other(other) if other == "ipv4" => "192.0.2.1",
        StringFormat::Other(other) if other == "ipv6" => "2001:db8::1",
        StringFormat::Other(other) if other == "hostname" => "example.com",
        StringFormat::Plain | StringFormat::Other(_) => "sample",
    };
    let mut text = base.to_owned();
    let min = min.unwrap_or(0);
    while text.chars().count() < min {
        text.push('x');
    }
    if let Some(max) = max
        && text.chars().count() > max
        && matches!(
            format,
            StringFormat::Plain | StringFormat::Other(_) | StringFormat::Password
        )
    {
        text = text.chars().take(max.max(min)).collect();
    }
    text
}

fn string_fits_format(format: &StringFormat, s: &str) -> bool {
    let digits =
        |part: &str, len: usize| part.len() == len && part.chars().all(|c| c.is_ascii_digit());
    match format {
        StringFormat::Date => {
            let parts: Vec<&str> = s.split('-').collect();
            parts.len() == 3 && digits(parts[0], 4) && digits(parts[1], 2) && digits(parts[2], 2)
        }
        StringFormat::DateTime => {
            s.len() >= 20
                && string_fits_format(&StringFormat::Date, &s[..10])
                && s.as_bytes()[10].eq_ignore_ascii_case(&b't')
                && (s.ends_with('Z')
                    || s.ends_with('z')
                    || s[19..].contains('+')
                    || s[19..].contains('-'))
        }
        StringFormat::Uuid => {
            let parts: Vec<&str> = s.split('-').collect();
            parts.len() == 5
                && [8, 4, 4, 4, 12].iter().zip(&parts).all(|(len, part)| {
                    part.len() == *len && part.chars().all(|c| c.is_ascii_hexdigit())
                })
        }
        StringFormat::Email => s.contains('@') && !s.contains(char::is_whitespace),
        StringFormat::Other(other) if other == "ipv4" => s.parse::<std::net::Ipv4Addr>().is_ok(),
        StringFormat::Other(other) if other == "ipv6" => s.parse::<std::net::Ipv6Addr>().is_ok(),
        StringFormat::Uri => s.contains(':'),
        _ => true,
    }
}

/// A variant of `value` that differs from earlier items (for `uniqueItems`).
fn distinct(value: Value, index: usize) -> Value {
    match value {
        Value::String(s) if s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4 => {
            // A uuid: change its last hex digit so it stays a uuid.
            let digit = std::char::from_digit((index % 16) as u32, 16).unwrap_or('0');
            Value::String(format!("{}{digit}", &s[..35]))
        }
        Value::String(s) => Value::String(format!("{s}{index}")),
        Value::Number(n) => n
            .as_i64()
            .map(|i| Value::from(i + index as i64))
            .unwrap_or(Value::Number(n)),
        other => other,
    }
}
