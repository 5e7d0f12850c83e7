//! Timestamps as the AWS CLI prints them: ISO 8601 with `Z` or an offset
//! (`2026-01-05T09:00:00+00:00`, `2026-01-05T09:00:00.123Z`).

use crate::report::clock::days_from_civil;

/// Unix seconds (fraction kept) of an ISO 8601 timestamp with a zone.
pub fn parse_iso(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() < 19
        || !s.is_ascii()
        || b[4] != b'-'
        || b[7] != b'-'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    if !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = &s[r];
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d, h, mi, sec) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac = 0.0;
    if b.get(i) == Some(&b'.') {
        let st = i + 1;
        i = st;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == st {
            return None;
        }
        frac = format!("0.{}", &s[st..i]).parse().ok()?;
    }
    let rest = &s[i..];
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || rb[3] != b':' || !(rb[0] == b'+' || rb[0] == b'-') {
                return None;
            }
            let oh: i64 = rest[1..3].parse().ok()?;
            let om: i64 = rest[4..6].parse().ok()?;
            let o = oh * 3600 + om * 60;
            if rb[0] == b'-' { -o } else { o }
        }
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    Some((days * 86400 + h * 3600 + mi * 60 + sec - offset) as f64 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms() {
        let z = parse_iso("2026-01-05T09:00:00Z").unwrap();
        assert_eq!(parse_iso("2026-01-05T09:00:00+00:00"), Some(z));
        assert_eq!(parse_iso("2026-01-05T10:00:00+01:00"), Some(z));
        assert_eq!(parse_iso("2026-01-05T09:00:00.500Z"), Some(z + 0.5));
        assert_eq!(
            crate::report::clock::format_utc(z as i64),
            "2026-01-05T09:00:00Z"
        );
        assert_eq!(parse_iso("yesterday"), None);
    }
}
