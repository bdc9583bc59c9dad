//! Iteration data: the rows a flow's iterations read as `pm.iterationData` and `{{column}}`,
//! from a CSV file (first line names the columns) or a JSON list of objects.

use crate::script::Scope;

/// Reads iteration data; `name` (a file name) decides the format: `.csv` is CSV, anything
/// else is tried as JSON first.
pub fn parse_data(name: &str, text: &str) -> Result<Vec<Scope>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_csv = name.to_ascii_lowercase().ends_with(".csv");
    if !is_csv {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            return json_rows(value);
        }
        if text.trim_start().starts_with(['[', '{']) {
            return Err("is not valid JSON (a list of objects) nor CSV".into());
        }
    }
    csv_rows(text)
}

/// A JSON list of objects, each one iteration's row.
pub fn json_rows(value: serde_json::Value) -> Result<Vec<Scope>, String> {
    let serde_json::Value::Array(items) = value else {
        return Err("JSON iteration data must be a list of objects, one per iteration".into());
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            serde_json::Value::Object(map) => Ok(map),
            other => Err(format!(
                "row {} is {}, not an object of column values",
                i + 1,
                crate::model::duration::json_kind(&other)
            )),
        })
        .collect()
}

/// CSV as Newman reads it: the first line names the columns, fields may be quoted (`""` is a
/// quote inside), whitespace around unquoted fields is trimmed, unquoted numbers become numbers,
/// and a line with fewer or more fields than columns is taken as it is.
fn csv_rows(text: &str) -> Result<Vec<Scope>, String> {
    let mut lines = csv_records(text)?.into_iter();
    let Some(columns) = lines.next() else {
        return Ok(Vec::new());
    };
    let columns: Vec<String> = columns.into_iter().map(|(f, _)| f).collect();
    Ok(lines
        .map(|record| {
            columns
                .iter()
                .zip(record)
                .map(|(k, (v, quoted))| (k.clone(), csv_value(v, quoted)))
                .collect()
        })
        .collect())
}

fn csv_value(field: String, quoted: bool) -> serde_json::Value {
    if quoted {
        return serde_json::Value::String(field);
    }
    let digits = field.strip_prefix(['-', '+']).unwrap_or(&field);
    if !digits.starts_with('0') && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    {
        if let Ok(n) = field.trim_start_matches('+').parse::<i64>() {
            return n.into();
        }
    }
    let numeric = !field.is_empty()
        && field
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match field.parse::<f64>() {
        Ok(n) if numeric && n.is_finite() => serde_json::Number::from_f64(n)
            .map_or(serde_json::Value::String(field), serde_json::Value::Number),
        _ => serde_json::Value::String(field),
    }
}

/// A quoted field's text after its opening quote (`""` is a quote), then what follows the
/// closing quote up to the delimiter, kept without whitespace (csv-parse's `relax_quotes`).
fn quoted_field(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    field: &mut String,
    line: &mut usize,
) -> Result<(), String> {
    loop {
        match chars.next() {
            Some('"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            Some('"') => break,
            Some(c) => {
                if c == '\n' {
                    *line += 1;
                }
                field.push(c);
            }
            None => return Err(format!("CSV line {line}: a quoted field is not closed")),
        }
    }
    // What follows the closing quote up to the delimiter is kept (relaxed).
    while let Some(&c) = chars.peek() {
        if c == ',' || c == '\n' || c == '\r' {
            break;
        }
        if !c.is_whitespace() {
            field.push(c);
        }
        chars.next();
    }
    Ok(())
}

/// Records of (field, was quoted); blank lines are skipped. Not the `csv` crate: Newman's
/// csv-parse casts by quoting (`7` is a number, `"7"` stays text), and neither `csv` nor
/// `csv-core` tells whether a field was quoted.
fn csv_records(text: &str) -> Result<Vec<Vec<(String, bool)>>, String> {
    let mut records = Vec::new();
    let mut record: Vec<(String, bool)> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let end_field = |field: &mut String, quoted: &mut bool, record: &mut Vec<(String, bool)>| {
        let value = if *quoted {
            std::mem::take(field)
        } else {
            std::mem::take(field).trim().to_string()
        };
        record.push((value, *quoted));
        *quoted = false;
    };
    while let Some(c) = chars.next() {
        match c {
            '"' if field.trim().is_empty() && !quoted => {
                field.clear();
                quoted = true;
                quoted_field(&mut chars, &mut field, &mut line)?;
            }
            ',' => end_field(&mut field, &mut quoted, &mut record),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                line += 1;
                end_field(&mut field, &mut quoted, &mut record);
                let blank = record.len() == 1 && record[0].0.is_empty() && !record[0].1;
                if !blank {
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() || quoted {
        end_field(&mut field, &mut quoted, &mut record);
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_have_their_columns() {
        let rows = parse_data(
            "d.csv",
            "id,name,code\r\n1,\"a, \"\"b\"\"\", \"7\"\n\n 2.5 ,c,007\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["name"], "a, \"b\"");
        assert_eq!(
            rows[0]["id"], 1,
            "unquoted numbers are numbers, as Newman reads them"
        );
        assert_eq!(rows[0]["code"], "7", "quoted numbers stay text");
        assert_eq!(rows[1]["id"], 2.5);
        assert_eq!(rows[1]["code"], 7.0);
    }

    #[test]
    fn json_rows_keep_their_types() {
        let rows = parse_data("d.json", r#"[{"n": 1}, {"n": "x"}]"#).unwrap();
        assert_eq!(rows[0]["n"], 1);
        assert!(parse_data("d.json", r#"{"n": 1}"#).is_err());
    }

    #[test]
    fn ragged_lines_are_taken_and_open_quotes_refused() {
        let rows = parse_data("d.csv", "a,b\n1\n").unwrap();
        assert_eq!(rows[0].len(), 1);
        let err = parse_data("d.csv", "a\n\"open\n").unwrap_err();
        assert!(err.contains("not closed"), "{err}");
    }
}
