//! The units and wrapping of Newman's cli reporter: sizes as its `filesize` writes them (powers
//! of 1000), times as its `prettyms` (whole milliseconds cut, not rounded; pretty-ms from 2 s),
//! and console text cut to its 54 columns.

/// Bytes as `filesize(n, {spacer: ''})`: `999B`, `1kB`, `1.79kB`, `1.5MB` (two decimals at
/// most, trailing zeros dropped).
pub(super) fn size(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut unit = 0;
    let mut value = n as f64;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    let mut rounded = (value * 100.0).round() / 100.0;
    // 999,999 bytes round to 1000kB: filesize says 1MB.
    if rounded >= 1000.0 && unit < UNITS.len() - 1 {
        rounded = 1.0;
        unit += 1;
    }
    format!("{}{}", trim_decimals(rounded), UNITS[unit])
}

/// Milliseconds as Newman's `prettyms`: `412µs`, `39ms`, `1.9s`, `1m 0.5s`, `1h 2m 3s`.
pub(super) fn millis(ms: f64) -> String {
    if ms < 1.0 {
        return format!("{}µs", (ms * 1000.0) as u64);
    }
    if ms < 1998.0 {
        return format!("{}ms", ms as u64);
    }
    // pretty-ms: each unit that is not zero; seconds with one decimal, cut.
    let whole = ms as u64;
    let days = whole / 86_400_000;
    let hours = whole / 3_600_000 % 24;
    let minutes = whole / 60_000 % 60;
    let seconds = (ms % 60_000.0 / 100.0).floor() / 10.0;
    let mut parts = Vec::new();
    for (n, unit) in [(days, "d"), (hours, "h"), (minutes, "m")] {
        if n > 0 {
            parts.push(format!("{n}{unit}"));
        }
    }
    if seconds > 0.0 {
        parts.push(format!("{}s", trim_decimals(seconds)));
    }
    parts.join(" ")
}

/// Microseconds (a transfer's timings) as [`millis`] writes them.
pub(super) fn micros(us: u64) -> String {
    millis(us as f64 / 1000.0)
}

fn trim_decimals(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `text` cut as word-wrap's `{width: 54, cut: true}` cuts it: each line in pieces of 54
/// characters; empty lines dropped.
pub(super) fn wrap(text: &str) -> Vec<String> {
    const WIDTH: usize = 54;
    let mut lines = Vec::new();
    for line in text.split(['\n', '\r', '\u{2028}', '\u{2029}']) {
        let chars: Vec<char> = line.chars().collect();
        lines.extend(chars.chunks(WIDTH).map(|c| c.iter().collect::<String>()));
    }
    lines
}

/// A string as Node's `util.inspect` quotes it (for console lines without their arguments).
pub(super) fn quoted(text: &str) -> String {
    let quote = ['\'', '"', '`']
        .into_iter()
        .find(|q| !text.contains(*q))
        .unwrap_or('\'');
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_powers_of_1000_as_filesize_writes_them() {
        // Each pair as Newman 6.2.2's filesize 10.1.4 printed it.
        for (n, text) in [
            (0, "0B"),
            (999, "999B"),
            (1000, "1kB"),
            (1023, "1.02kB"),
            (1536, "1.54kB"),
            (1792, "1.79kB"),
            (10240, "10.24kB"),
            (1_048_576, "1.05MB"),
            (1_500_000, "1.5MB"),
            (999_999, "1MB"),
            (5_000_000_000, "5GB"),
        ] {
            assert_eq!(size(n), text, "{n}");
        }
    }

    #[test]
    fn times_are_cut_as_prettyms_cuts_them() {
        // As Newman's util.prettyms (pretty-ms 7 from 1998 ms) printed them.
        for (ms, text) in [
            (0.4129, "412µs"),
            (39.9, "39ms"),
            (1997.9, "1997ms"),
            (1998.0, "1.9s"),
            (2050.0, "2s"),
            (12345.6, "12.3s"),
            (59999.0, "59.9s"),
            (60000.0, "1m"),
            (60500.0, "1m 0.5s"),
            (3_600_000.0, "1h"),
            (3_723_000.0, "1h 2m 3s"),
            (90_061_000.0, "1d 1h 1m 1s"),
        ] {
            assert_eq!(millis(ms), text, "{ms}");
        }
    }

    #[test]
    fn console_text_is_cut_at_54_columns() {
        let line = "'a long line that goes on and on and on and on and on and on and end'";
        assert_eq!(
            wrap(line),
            [
                "'a long line that goes on and on and on and on and on ",
                "and on and end'"
            ]
        );
        assert_eq!(wrap("a\n\nb"), ["a", "b"]);
    }

    #[test]
    fn strings_are_quoted_as_inspect_quotes_them() {
        assert_eq!(quoted("one"), "'one'");
        assert_eq!(quoted("q'uote"), "\"q'uote\"");
        assert_eq!(quoted("a\nb"), "'a\\nb'");
    }
}
