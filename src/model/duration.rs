//! Durations in config files: a bare number in a stated unit, or a string with a unit ("250ms", "30s", "2m").

use std::time::Duration;

/// Parses "500ms", "1.5s", "2m", "1h", "750us". A bare number in a string is taken in `bare_unit_ms`
/// milliseconds per unit, like the JSON number form. Not humantime: k6's run files write
/// fractions ("1.5s") and bare numbers, which it does not read.
pub(crate) fn parse_duration(text: &str, bare_unit_ms: f64) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().map_err(|_| {
        format!("`{text}` is not a duration; write e.g. \"500ms\", \"30s\" or \"2m\"")
    })?;
    let unit_ms = match unit.trim() {
        "" => bare_unit_ms,
        "us" | "µs" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        other => {
            return Err(format!(
                "`{other}` is not a duration unit; use us, ms, s, m or h"
            ))
        }
    };
    duration_from_ms(value * unit_ms)
}

/// Converts a JSON number or string to a duration, refusing negative and non-finite values.
pub(crate) fn duration_from_json(
    value: &serde_json::Value,
    bare_unit_ms: f64,
) -> Result<Duration, String> {
    match value {
        serde_json::Value::Number(n) => {
            duration_from_ms(n.as_f64().unwrap_or(f64::NAN) * bare_unit_ms)
        }
        serde_json::Value::String(s) => parse_duration(s, bare_unit_ms),
        other => Err(format!(
            "expected a number or a string such as \"30s\", got {}",
            json_kind(other)
        )),
    }
}

/// The longest duration any field takes: a year. Longer is a typo or a probe, and each
/// field's arithmetic (deadlines, schedules, expected counts) stays far from overflow below it.
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

fn duration_from_ms(ms: f64) -> Result<Duration, String> {
    if !ms.is_finite() || ms < 0.0 {
        return Err("must be a non-negative duration".into());
    }
    if ms > MAX_DURATION.as_millis() as f64 {
        return Err(format!(
            "must be at most {}h (365 days)",
            MAX_DURATION.as_secs() / 3600
        ));
    }
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

/// A JSON value's kind, for error messages.
pub(crate) fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_over_a_year_are_refused_not_a_panic() {
        for text in ["99999999999999999999999h", "8761h", "31536001s"] {
            let e = parse_duration(text, 1.0).unwrap_err();
            assert!(e.contains("at most 8760h"), "{text}: {e}");
        }
        assert_eq!(
            duration_from_json(&serde_json::json!(1e300), 1000.0).unwrap_err(),
            "must be at most 8760h (365 days)"
        );
        assert_eq!(parse_duration("8760h", 1.0).unwrap(), MAX_DURATION);
    }

    #[test]
    fn units() {
        assert_eq!(
            parse_duration("250ms", 1.0).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(
            parse_duration("1.5s", 1.0).unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(parse_duration("2m", 1.0).unwrap(), Duration::from_secs(120));
        assert_eq!(
            parse_duration("30", 1000.0).unwrap(),
            Duration::from_secs(30)
        );
        assert!(parse_duration("-1s", 1.0).is_err());
        assert!(parse_duration("5 parsecs", 1.0).is_err());
    }

    #[test]
    fn json_forms() {
        let ms = |v| duration_from_json(&v, 1.0);
        assert_eq!(
            ms(serde_json::json!(1500)).unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(ms(serde_json::json!("2s")).unwrap(), Duration::from_secs(2));
        assert!(ms(serde_json::json!(-5)).is_err());
        assert!(ms(serde_json::json!(true)).is_err());
    }
}
