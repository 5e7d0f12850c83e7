//! Durations and sizes with units, as the scenario format requires them.
//!
//! A bare number where a unit is needed is an error: the format never guesses
//! whether `30` meant seconds or milliseconds.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Simulated time and durations, in nanoseconds.
pub type Nanos = u64;

/// Nanoseconds per unit.
pub const NS_PER_MS: u64 = 1_000_000;
/// Nanoseconds per second.
pub const NS_PER_S: u64 = 1_000_000_000;

/// A duration such as `250ms`, `30s`, `5m`, `1h30m`, `7d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Duration(pub Nanos);

impl Duration {
    /// From whole seconds.
    pub const fn secs(s: u64) -> Self {
        Duration(s * NS_PER_S)
    }
    /// From milliseconds.
    pub const fn millis(ms: u64) -> Self {
        Duration(ms * NS_PER_MS)
    }
    /// Nanoseconds.
    pub const fn nanos(self) -> Nanos {
        self.0
    }
    /// Seconds as a float.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }
}

/// Parses `250ms`, `1.5s`, `1h30m`, `7d`, `0s`, `100us`. Every component needs a unit.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("expected a duration like \"30s\", found an empty string".into());
    }
    let bytes = t.as_bytes();
    let mut i = 0;
    let mut total: f64 = 0.0;
    let mut parts = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        if start == i {
            return Err(format!("expected a duration like \"30s\", found \"{t}\""));
        }
        let num: f64 = t[start..i]
            .parse()
            .map_err(|_| format!("expected a duration like \"30s\", found \"{t}\""))?;
        let ustart = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = &t[ustart..i];
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "d" => 86400e9,
            "" => {
                return Err(format!("expected a duration like \"30s\", found {t}"));
            }
            other => {
                return Err(format!(
                    "unknown duration unit \"{other}\" in \"{t}\" (use ms, s, m, h or d)"
                ));
            }
        };
        total += num * scale;
        parts += 1;
    }
    if parts == 0 || !total.is_finite() || total > 1e18 {
        return Err(format!("duration \"{t}\" is out of range"));
    }
    Ok(Duration(total.round() as u64))
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        if ns == 0 {
            return write!(f, "0s");
        }
        if ns.is_multiple_of(86400 * NS_PER_S) {
            write!(f, "{}d", ns / (86400 * NS_PER_S))
        } else if ns.is_multiple_of(3600 * NS_PER_S) {
            write!(f, "{}h", ns / (3600 * NS_PER_S))
        } else if ns.is_multiple_of(60 * NS_PER_S) {
            write!(f, "{}m", ns / (60 * NS_PER_S))
        } else if ns.is_multiple_of(NS_PER_S) {
            write!(f, "{}s", ns / NS_PER_S)
        } else if ns.is_multiple_of(NS_PER_MS) {
            write!(f, "{}ms", ns / NS_PER_MS)
        } else {
            write!(f, "{}ns", ns)
        }
    }
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a duration like \"30s\"")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        parse_duration(v).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
        Err(E::custom(format!(
            "expected a duration like \"{v}s\", found {v}"
        )))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
        Err(E::custom(format!(
            "expected a duration like \"30s\", found {v}"
        )))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
        Err(E::custom(format!(
            "expected a duration like \"30s\", found {v}"
        )))
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DurationVisitor)
    }
}

impl schemars::JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h|d))+$",
            "description": "A duration with units: 250ms, 30s, 5m, 1h30m, 7d"
        })
    }
}

/// A size in bytes such as `400B`, `4KB`, `1MB` (1 KB = 1024 B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Size(pub u64);

/// Parses `400B`, `4KB`, `1.5KB`, `1MB`.
pub fn parse_size(s: &str) -> Result<Size, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(format!("expected a size like \"4KB\", found \"{t}\""));
    }
    let n: f64 = num
        .parse()
        .map_err(|_| format!("expected a size like \"4KB\", found \"{t}\""))?;
    let scale = match unit.trim() {
        "B" => 1.0,
        "KB" | "KiB" => 1024.0,
        "MB" | "MiB" => 1024.0 * 1024.0,
        "GB" | "GiB" => 1024.0 * 1024.0 * 1024.0,
        "" => {
            return Err(format!("expected a size like \"{t}B\", found {t}"));
        }
        other => {
            return Err(format!(
                "unknown size unit \"{other}\" in \"{t}\" (use B, KB or MB)"
            ));
        }
    };
    let v = (n * scale).ceil();
    if !v.is_finite() || v > 1e15 {
        return Err(format!("size \"{t}\" is out of range"));
    }
    Ok(Size(v as u64))
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b != 0 && b.is_multiple_of(1024 * 1024) {
            write!(f, "{}MB", b / (1024 * 1024))
        } else if b != 0 && b.is_multiple_of(1024) {
            write!(f, "{}KB", b / 1024)
        } else {
            write!(f, "{}B", b)
        }
    }
}

struct SizeVisitor;

impl Visitor<'_> for SizeVisitor {
    type Value = Size;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a size like \"4KB\"")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
        parse_size(v).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
        Err(E::custom(format!(
            "expected a size like \"{v}B\", found {v}"
        )))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
        Err(E::custom(format!(
            "expected a size like \"4KB\", found {v}"
        )))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Size, E> {
        Err(E::custom(format!(
            "expected a size like \"4KB\", found {v}"
        )))
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SizeVisitor)
    }
}

impl schemars::JsonSchema for Size {
    fn schema_name() -> Cow<'static, str> {
        "Size".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]+)?(B|KB|MB|GB)$",
            "description": "A size with units: 400B, 4KB, 1MB (1 KB = 1024 B)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::millis(250));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::secs(5400));
        assert_eq!(parse_duration("7d").unwrap(), Duration::secs(7 * 86400));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::millis(1500));
        assert!(parse_duration("30").is_err());
        assert!(parse_duration("30 parsecs").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("4KB").unwrap(), Size(4096));
        assert_eq!(parse_size("400B").unwrap(), Size(400));
        assert_eq!(parse_size("1MB").unwrap(), Size(1 << 20));
        assert!(parse_size("400").is_err());
    }

    #[test]
    fn durations_display_round_trip() {
        for s in ["0s", "250ms", "30s", "5m", "2h", "7d", "90s"] {
            assert_eq!(parse_duration(s).unwrap().to_string(), s);
        }
    }
}
