//! Wall-clock times as text (RFC 3339), through the `time` crate.

use std::time::{SystemTime, UNIX_EPOCH};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Milliseconds since the Unix epoch as RFC 3339 UTC with milliseconds.
pub fn rfc3339(millis: u64) -> String {
    let at = OffsetDateTime::UNIX_EPOCH + Duration::milliseconds(millis as i64);
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.format(&format).unwrap_or_default()
}

/// An RFC 3339 time ("2026-11-22T08:00:00Z", "2026-11-22T09:00:00.5+01:00") as milliseconds
/// since the Unix epoch; `None` if it is not one (or before 1970). A space for the `T`, as
/// RFC 3339 allows (section 5.6), is read too.
pub fn parse_rfc3339(text: &str) -> Option<u64> {
    let text = text.trim();
    let text = match text.as_bytes().get(10) {
        Some(b' ') => format!("{}T{}", &text[..10], &text[11..]),
        _ => text.to_string(),
    };
    let at = OffsetDateTime::parse(&text, &Rfc3339).ok()?;
    u64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_000_000_123), "2026-11-18T11:06:40.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn rfc3339_times_parse_back() {
        for millis in [0, 1_795_000_000_123, 951_782_400_000] {
            assert_eq!(parse_rfc3339(&rfc3339(millis)), Some(millis));
        }
        assert_eq!(
            parse_rfc3339("2026-11-18T12:06:40+01:00"),
            Some(1_795_000_000_000)
        );
        assert_eq!(
            parse_rfc3339("2026-11-18 11:06:40.1z"),
            Some(1_795_000_000_100)
        );
        for bad in [
            "2026-11-18",
            "2026-13-18T00:00:00Z",
            "2026-11-18T11:06:40",
            "yesterday",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
