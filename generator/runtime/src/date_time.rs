//! `format: date-time` and `format: date` fields written and read as RFC 3339 without
//! going through chrono's general-purpose formatter and parser.
//!
//! chrono's serde support formats through `fmt` one part at a time and parses through its
//! format-item interpreter: 1-4k instructions per value, against about 80k for serving a
//! `GET` of one stored item. The forms a server actually meets (`Z` or a `±HH:MM`
//! offset, years 0 to 9999, up to nine fraction digits) take a direct path here; anything
//! else (leap seconds, other years, lower-case or space separators) is handed to chrono.
//! So what is accepted, the value it reads as and the text written are exactly chrono's:
//! the tests below compare the two over many values.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// How many fraction digits [`write`] gives the seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fraction {
    /// None, 3, 6 or 9 digits, the fewest that keep the value (chrono's `AutoSi`, what its
    /// serde support writes).
    Auto,
    /// Always milliseconds (chrono's `Millis`).
    Millis,
}

/// The longest text [`write`] produces: `9999-12-31T23:59:59.999999999Z`.
pub const MAX_LEN: usize = 30;

/// Writes `value` as RFC 3339 in UTC (`…Z`) into `buffer`, as chrono's
/// `to_rfc3339_opts(_, true)` would; `None` for what this does not handle (years outside
/// 0..=9999, leap seconds), which the caller then gives to chrono.
pub fn write<'b>(
    value: &DateTime<Utc>,
    fraction: Fraction,
    buffer: &'b mut [u8; MAX_LEN],
) -> Option<&'b str> {
    // The naive parts once: each accessor of a `DateTime` adds the offset again.
    let (date, time) = (value.naive_utc().date(), value.naive_utc().time());
    let nano = time.nanosecond();
    if nano >= 1_000_000_000 {
        return None;
    }
    let mut at = write_date(date, buffer)?;
    sep(buffer, &mut at, b'T');
    num(buffer, &mut at, time.hour(), 2);
    sep(buffer, &mut at, b':');
    num(buffer, &mut at, time.minute(), 2);
    sep(buffer, &mut at, b':');
    num(buffer, &mut at, time.second(), 2);
    let (digits, count) = match fraction {
        Fraction::Millis => (nano / 1_000_000, 3),
        Fraction::Auto if nano == 0 => (0, 0),
        Fraction::Auto if nano % 1_000_000 == 0 => (nano / 1_000_000, 3),
        Fraction::Auto if nano % 1_000 == 0 => (nano / 1_000, 6),
        Fraction::Auto => (nano, 9),
    };
    if count > 0 {
        sep(buffer, &mut at, b'.');
        num(buffer, &mut at, digits, count);
    }
    sep(buffer, &mut at, b'Z');
    std::str::from_utf8(&buffer[..at]).ok()
}

/// Writes `YYYY-MM-DD` at the start of `buffer` and returns its length; `None` for years
/// outside 0..=9999, which chrono writes with a sign.
fn write_date(date: NaiveDate, buffer: &mut [u8; MAX_LEN]) -> Option<usize> {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    let mut at = 0;
    num(buffer, &mut at, year as u32, 4);
    sep(buffer, &mut at, b'-');
    num(buffer, &mut at, date.month(), 2);
    sep(buffer, &mut at, b'-');
    num(buffer, &mut at, date.day(), 2);
    Some(at)
}

/// `YYYY-MM-DD` at the start of `text`, in range; `None` otherwise.
fn parse_date(text: &[u8]) -> Option<NaiveDate> {
    if text.len() < 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits(text, 0, 4)? as i32,
        digits(text, 5, 2)?,
        digits(text, 8, 2)?,
    )
}

/// The number written by `count` ASCII digits at `from`; `None` if any is not a digit.
fn digits(text: &[u8], from: usize, count: usize) -> Option<u32> {
    text.get(from..from + count)?
        .iter()
        .try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
}

/// Puts one byte at `at` and moves past it.
fn sep(buffer: &mut [u8; MAX_LEN], at: &mut usize, byte: u8) {
    buffer[*at] = byte;
    *at += 1;
}

/// Puts `value` as `count` decimal digits, zero-padded, at `at` and moves past them.
fn num(buffer: &mut [u8; MAX_LEN], at: &mut usize, value: u32, count: usize) {
    let mut rest = value;
    for slot in buffer[*at..*at + count].iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    *at += count;
}

/// `value` as RFC 3339 text in UTC, as chrono's `to_rfc3339_opts(_, true)` writes it.
pub fn to_string(value: &DateTime<Utc>, fraction: Fraction) -> String {
    let mut buffer = [0; MAX_LEN];
    match write(value, fraction, &mut buffer) {
        Some(text) => text.to_owned(),
        None => value.to_rfc3339_opts(
            match fraction {
                Fraction::Auto => chrono::SecondsFormat::AutoSi,
                Fraction::Millis => chrono::SecondsFormat::Millis,
            },
            true,
        ),
    }
}

/// Reads RFC 3339 text as chrono's serde support does (any offset, converted to UTC).
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match parse_common(text.as_bytes()) {
        Some(value) => Ok(value),
        None => text
            .parse::<DateTime<FixedOffset>>()
            .map(|value| value.with_timezone(&Utc)),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`, every part in range; `None` for anything
/// else, including what chrono would still accept.
fn parse_common(text: &[u8]) -> Option<DateTime<Utc>> {
    if text.len() < 20 {
        return None;
    }
    let digits = |from: usize, count: usize| digits(text, from, count);
    let at = |index: usize, byte: u8| text.get(index) == Some(&byte);
    if !(at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let date = parse_date(text)?;
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    let mut index = 19;
    let mut nano = 0;
    if at(index, b'.') {
        let count = text[index + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if !(1..=9).contains(&count) {
            return None;
        }
        nano = digits(index + 1, count)? * 10u32.pow(9 - count as u32);
        index += 1 + count;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?;
    let offset_seconds = match &text[index..] {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (digits(index + 1, 2)?, digits(index + 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = (hours * 3600 + minutes * 60) as i32;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let local = date.and_time(time);
    let offset = FixedOffset::east_opt(offset_seconds)?;
    offset
        .from_local_datetime(&local)
        .single()
        .map(|value| value.with_timezone(&Utc))
}

/// The two types these serde functions read and write: `DateTime<Utc>` (`format:
/// date-time`) and `NaiveDate` (`format: date`). Each writes itself into a buffer on the
/// direct path (`None` leaves it to chrono's `Serialize`) and parses as chrono does.
pub trait Rfc3339: Serialize + Sized {
    /// What chrono's visitor says it expected, so errors read the same on either path.
    const EXPECTING: &'static str;

    /// The text, written into `buffer`; `None` for what only chrono writes.
    fn write_into<'b>(&self, buffer: &'b mut [u8; MAX_LEN]) -> Option<&'b str>;

    /// The value, read as chrono's serde support reads it.
    fn parse_text(text: &str) -> Result<Self, chrono::ParseError>;
}

impl Rfc3339 for DateTime<Utc> {
    const EXPECTING: &'static str = "an RFC 3339 formatted date and time string";

    fn write_into<'b>(&self, buffer: &'b mut [u8; MAX_LEN]) -> Option<&'b str> {
        write(self, Fraction::Auto, buffer)
    }

    fn parse_text(text: &str) -> Result<Self, chrono::ParseError> {
        parse(text)
    }
}

impl Rfc3339 for NaiveDate {
    const EXPECTING: &'static str = "a formatted date string";

    fn write_into<'b>(&self, buffer: &'b mut [u8; MAX_LEN]) -> Option<&'b str> {
        write_date(*self, buffer).and_then(|len| std::str::from_utf8(&buffer[..len]).ok())
    }

    fn parse_text(text: &str) -> Result<Self, chrono::ParseError> {
        date::parse(text)
    }
}

/// `#[serde(with = "…::date_time")]` (or `::date`): a date-time or date field.
pub fn serialize<T: Rfc3339, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buffer = [0; MAX_LEN];
    match value.write_into(&mut buffer) {
        Some(text) => serializer.serialize_str(text),
        None => value.serialize(serializer),
    }
}

/// `#[serde(with = "…::date_time")]` (or `::date`): a date-time or date field.
pub fn deserialize<'de, T: Rfc3339, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_str(TextVisitor(std::marker::PhantomData))
}

/// Reads a present field that may be left out but not `null`, as
/// [`double_option::present`](super::double_option::present) does for other types.
pub fn present<'de, T: Rfc3339, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    deserialize(deserializer).map(Some)
}

/// `#[serde(with = "…::date_time::option")]` (or `::date::option`): an `Option` field,
/// `null` read as `None`.
pub mod option {
    use super::*;

    /// `None` as `null` (a field that may be absent also skips it).
    pub fn serialize<T: Rfc3339, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// `null` as `None`, a value as `Some`.
    pub fn deserialize<'de, T: Rfc3339, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<Read<T>>::deserialize(deserializer).map(|value| value.map(|Read(value)| value))
    }

    /// A value read through [`super::deserialize`], so `Option` can wrap it.
    struct Read<T>(T);

    impl<'de, T: Rfc3339> Deserialize<'de> for Read<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            super::deserialize(deserializer).map(Read)
        }
    }
}

/// `format: date` fields (`NaiveDate`), as `YYYY-MM-DD`, the same way: a direct path
/// for years 0 to 9999 and exactly that form, chrono for everything else. The serde
/// functions are the shared ones, under this module's name for `#[serde(with)]`.
pub mod date {
    use super::*;

    pub use super::{deserialize, option, present, serialize};

    /// `date` as chrono writes it.
    pub fn to_string(date: NaiveDate) -> String {
        let mut buffer = [0; MAX_LEN];
        match write_date(date, &mut buffer) {
            Some(len) => String::from_utf8_lossy(&buffer[..len]).into_owned(),
            None => date.to_string(),
        }
    }

    /// Reads a date as chrono's serde support does.
    pub fn parse(text: &str) -> Result<NaiveDate, chrono::ParseError> {
        match parse_date(text.as_bytes()).filter(|_| text.len() == 10) {
            Some(date) => Ok(date),
            None => text.parse(),
        }
    }
}

/// Reads a string as `T`, with chrono's words for what it expected.
struct TextVisitor<T>(std::marker::PhantomData<T>);

impl<T: Rfc3339> Visitor<'_> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        T::parse_text(value).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::SecondsFormat;

    /// Instants spread over the years this path handles, with every kind of fraction, plus
    /// the edges: the first and last instant of the range, and leap days.
    fn instants() -> Vec<DateTime<Utc>> {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let low = Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap().timestamp();
        let high = Utc
            .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
            .unwrap()
            .timestamp();
        let mut values: Vec<DateTime<Utc>> = (0..4000)
            .map(|i| {
                let seconds = low + (next() % (high - low) as u64) as i64;
                let nano = match i % 5 {
                    0 => 0,
                    1 => (next() % 1000) as u32 * 1_000_000,
                    2 => (next() % 1_000_000) as u32 * 1000,
                    3 => (next() % 1_000_000_000) as u32,
                    _ => 1,
                };
                DateTime::from_timestamp(seconds, nano).unwrap()
            })
            .collect();
        values.push(DateTime::from_timestamp(low, 0).unwrap());
        values.push(DateTime::from_timestamp(high, 999_999_999).unwrap());
        values.push(Utc.with_ymd_and_hms(2024, 2, 29, 12, 0, 0).unwrap());
        values.push(Utc.with_ymd_and_hms(2000, 2, 29, 23, 59, 59).unwrap());
        values
    }

    #[test]
    fn writes_what_chrono_writes() {
        for value in instants() {
            let chrono_json = serde_json::to_string(&value).unwrap();
            let mut ours = serde_json::Serializer::new(Vec::new());
            serialize(&value, &mut ours).unwrap();
            assert_eq!(String::from_utf8(ours.into_inner()).unwrap(), chrono_json);
            assert_eq!(
                to_string(&value, Fraction::Millis),
                value.to_rfc3339_opts(SecondsFormat::Millis, true)
            );
            assert_eq!(
                to_string(&value, Fraction::Auto),
                value.to_rfc3339_opts(SecondsFormat::AutoSi, true)
            );
        }
    }

    #[test]
    fn what_it_cannot_write_goes_to_chrono() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .unwrap()
            .and_utc();
        let far = Utc.with_ymd_and_hms(12345, 6, 7, 8, 9, 10).unwrap();
        for value in [leap, far] {
            let mut buffer = [0; MAX_LEN];
            assert_eq!(write(&value, Fraction::Auto, &mut buffer), None);
            let mut ours = serde_json::Serializer::new(Vec::new());
            serialize(&value, &mut ours).unwrap();
            assert_eq!(
                String::from_utf8(ours.into_inner()).unwrap(),
                serde_json::to_string(&value).unwrap()
            );
        }
    }

    /// Every text either path may see: what chrono writes, in every precision, with other
    /// offsets, and malformed variants of each.
    fn texts() -> Vec<String> {
        let mut texts = Vec::new();
        for (i, value) in instants().into_iter().enumerate().step_by(4) {
            let base = value.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            texts.push(value.to_rfc3339_opts(SecondsFormat::Nanos, true));
            texts.push(value.to_rfc3339_opts(SecondsFormat::Secs, false));
            let offset = FixedOffset::east_opt(((i as i32 * 7919) % 86_399) - 43_199).unwrap();
            texts.push(value.with_timezone(&offset).to_rfc3339());
            texts.push(base.replace('T', "t"));
            texts.push(base.replace('T', " "));
            texts.push(base.replace('Z', "z"));
            texts.push(base.replace('Z', "+24:00"));
            texts.push(base.replace('Z', "-00:60"));
            texts.push(base.replace('Z', "+0130"));
            texts.push(base.replace('Z', ""));
            texts.push(format!("{base} "));
            texts.push(base.replacen('-', "/", 1));
            texts.push(base.replacen(":", ":6", 1));
            texts.push(base.replace('Z', ".1234567891Z"));
            texts.push(base[..base.len() - 1].to_owned() + ".Z");
            texts.push(base.clone());
        }
        texts.extend(
            [
                "2016-12-31T23:59:60Z",
                "2023-02-29T00:00:00Z",
                "2024-02-29T00:00:00Z",
                "2024-13-01T00:00:00Z",
                "2024-00-10T00:00:00Z",
                "2024-01-32T00:00:00Z",
                "2024-01-01T24:00:00Z",
                "2024-01-01T23:60:00Z",
                "0000-01-01T00:00:00+00:01",
                "9999-12-31T23:59:59-00:01",
                "+12345-01-01T00:00:00Z",
                "２０２４-01-01T00:00:00Z",
                "",
                "Z",
            ]
            .map(str::to_owned),
        );
        texts
    }

    #[test]
    fn reads_what_chrono_reads_as_chrono_reads_it() {
        for text in texts() {
            let json = serde_json::to_string(&text).unwrap();
            let chrono: Result<DateTime<Utc>, _> = serde_json::from_str(&json);
            let mut deserializer = serde_json::Deserializer::from_str(&json);
            let ours = deserialize(&mut deserializer);
            match (&chrono, &ours) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                _ => panic!("{text}: chrono {chrono:?}, here {ours:?}"),
            }
        }
    }

    #[test]
    fn the_common_forms_take_the_direct_path() {
        for text in [
            "2026-12-06T03:19:46Z",
            "2026-12-06T03:19:46.5+01:00",
            "2026-12-06T03:19:46.123456789-08:30",
        ] {
            assert!(parse_common(text.as_bytes()).is_some(), "{text}");
        }
        for text in [
            "2026-12-06t03:19:46Z",
            "2016-12-31T23:59:60Z",
            "2026-12-06T03:19:46.1234567891Z",
        ] {
            assert!(parse_common(text.as_bytes()).is_none(), "{text}");
        }
    }

    #[test]
    fn dates_are_written_and_read_as_chrono_does() {
        let mut texts = Vec::new();
        for value in instants() {
            let day = value.date_naive();
            let chrono_json = serde_json::to_string(&day).unwrap();
            let mut ours = serde_json::Serializer::new(Vec::new());
            date::serialize(&day, &mut ours).unwrap();
            assert_eq!(String::from_utf8(ours.into_inner()).unwrap(), chrono_json);
            assert_eq!(date::to_string(day), day.to_string());
            let text = day.to_string();
            texts.push(text.replacen('-', "/", 1));
            texts.push(format!("{text} "));
            texts.push(format!(" {text}"));
            texts.push(text[..9].to_owned());
            texts.push(text.replace('-', " - "));
            texts.push(text);
        }
        let far = NaiveDate::from_ymd_opt(-12, 3, 4).unwrap();
        let mut ours = serde_json::Serializer::new(Vec::new());
        date::serialize(&far, &mut ours).unwrap();
        assert_eq!(ours.into_inner(), serde_json::to_vec(&far).unwrap());
        texts.extend(
            [
                "2023-02-29",
                "2024-02-29",
                "2024-13-01",
                "2024-00-01",
                "2024-01-00",
                "+2024-01-01",
                "20240101",
                "",
            ]
            .map(str::to_owned),
        );
        for text in texts {
            let json = serde_json::to_string(&text).unwrap();
            let chrono: Result<NaiveDate, _> = serde_json::from_str(&json);
            let ours = date::deserialize(&mut serde_json::Deserializer::from_str(&json));
            match (&chrono, &ours) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                _ => panic!("{text}: chrono {chrono:?}, here {ours:?}"),
            }
        }
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Fields {
        #[serde(with = "super")]
        at: DateTime<Utc>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            serialize_with = "option::serialize",
            deserialize_with = "present"
        )]
        optional: Option<DateTime<Utc>>,
        #[serde(default, with = "option")]
        nullable: Option<DateTime<Utc>>,
    }

    #[test]
    fn fields_of_every_shape_read_back_what_they_wrote() {
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 3, 19, 46).unwrap();
        let full = Fields {
            at,
            optional: Some(at),
            nullable: Some(at),
        };
        let text = serde_json::to_string(&full).unwrap();
        assert_eq!(
            text,
            r#"{"at":"2026-12-06T03:19:46Z","optional":"2026-12-06T03:19:46Z","nullable":"2026-12-06T03:19:46Z"}"#
        );
        assert_eq!(serde_json::from_str::<Fields>(&text).unwrap(), full);
        let sparse = Fields {
            at,
            optional: None,
            nullable: None,
        };
        let text = serde_json::to_string(&sparse).unwrap();
        assert_eq!(text, r#"{"at":"2026-12-06T03:19:46Z","nullable":null}"#);
        assert_eq!(serde_json::from_str::<Fields>(&text).unwrap(), sparse);
        let null_optional = r#"{"at":"2026-12-06T03:19:46Z","optional":null,"nullable":null}"#;
        assert!(serde_json::from_str::<Fields>(null_optional).is_err());
        let missing_nullable = r#"{"at":"2026-12-06T03:19:46Z"}"#;
        assert_eq!(
            serde_json::from_str::<Fields>(missing_nullable).unwrap(),
            sparse
        );
        let missing_required = r#"{"nullable":null}"#;
        assert!(serde_json::from_str::<Fields>(missing_required).is_err());
    }
}
