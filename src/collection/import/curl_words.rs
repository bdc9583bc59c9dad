//! A text of curl commands into each command's words, as the shell that runs it would split
//! them: bash (quotes, `$'...'`, `\` line continuations; split by `shlex`) or Windows cmd
//! (`^` escapes and continuations, then the C runtime's argument rules, as Chrome's "Copy as
//! cURL (cmd)" writes them).

/// Each command's words, with the line it starts on (1-based). Blank lines and `#` comment
/// lines between commands are skipped.
pub(super) fn commands(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let cmd_style = text.contains("^\"") || text.lines().any(|l| l.trim_end().ends_with(" ^"));
    let mut out = Vec::new();
    for (line, command) in logical_lines(&text, cmd_style)? {
        let trimmed = command.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let words = if cmd_style {
            cmd_words(trimmed)
        } else {
            shlex::split(trimmed).ok_or_else(|| {
                format!("line {line}: the command's quotes do not close; check its quoting")
            })?
        };
        out.push((line, words));
    }
    Ok(out)
}

/// The commands of the text, one per logical line: continuations joined, and (bash) newlines
/// inside quotes kept inside their command; bash's `$'...'` strings rewritten as single-quoted
/// ones (which shlex reads).
fn logical_lines(text: &str, cmd_style: bool) -> Result<Vec<(usize, String)>, String> {
    if cmd_style {
        return Ok(cmd_lines(text));
    }
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut line, mut start) = (1, 1);
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\n') => {
                out.push((start, std::mem::take(&mut current)));
                line += 1;
                start = line;
                continue;
            }
            // A comment, as bash reads one: `#` starting a word, to the end of the line.
            (None, '#') if current.is_empty() || current.ends_with(char::is_whitespace) => {
                while chars.next_if(|c| *c != '\n').is_some() {}
                continue;
            }
            (None, '$') if chars.peek() == Some(&'\'') => {
                chars.next();
                current.push_str(&ansi_c_string(&mut chars, &mut line)?);
                continue;
            }
            (None | Some('"'), '\\') => match chars.next() {
                // A line continuation: gone, as bash removes it.
                Some('\n') => line += 1,
                Some(next) => {
                    current.push('\\');
                    current.push(next);
                }
                None => current.push('\\'),
            },
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), _) if c == q => {
                quote = None;
                current.push(c);
            }
            (_, '\n') => {
                line += 1;
                current.push(c);
            }
            _ => current.push(c),
        }
    }
    if quote.is_some() {
        return Err(format!(
            "line {start}: a quote ({}) does not close; check the command's quoting",
            quote.unwrap_or('\'')
        ));
    }
    out.push((start, current));
    Ok(out)
}

/// Reads a `$'...'` string (after `$'`) and gives it back single-quoted, escapes decoded.
fn ansi_c_string(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    line: &mut usize,
) -> Result<String, String> {
    let mut value = String::new();
    loop {
        let Some(c) = chars.next() else {
            return Err(format!("line {line}: a $'...' string does not close"));
        };
        match c {
            '\'' => break,
            '\\' => value.push(ansi_c_escape(chars)),
            '\n' => {
                *line += 1;
                value.push(c);
            }
            _ => value.push(c),
        }
    }
    Ok(format!("'{}'", value.replace('\'', "'\\''")))
}

fn ansi_c_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> char {
    match chars.next() {
        Some('n') => '\n',
        Some('t') => '\t',
        Some('r') => '\r',
        Some('e' | 'E') => '\u{1b}',
        Some('x') => hex_char(chars, 2),
        Some('u') => hex_char(chars, 4),
        Some('U') => hex_char(chars, 8),
        Some(other) => other,
        None => '\\',
    }
}

/// Up to `n` hex digits as a character.
fn hex_char(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize) -> char {
    let mut digits = String::new();
    while digits.len() < n {
        match chars.next_if(char::is_ascii_hexdigit) {
            Some(d) => digits.push(d),
            None => break,
        }
    }
    u32::from_str_radix(&digits, 16)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}')
}

/// cmd's logical lines: a line ending in `^` goes on on the next.
fn cmd_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 1;
    for (i, l) in text.lines().enumerate() {
        if current.is_empty() {
            start = i + 1;
        }
        match l.trim_end().strip_suffix('^') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(l);
                out.push((start, std::mem::take(&mut current)));
            }
        }
    }
    if !current.is_empty() {
        out.push((start, current));
    }
    out
}

/// A cmd command line's words: `^x` is `x` (cmd's escape), then the C runtime's rules: blanks
/// split, `"` quotes, `\"` is a quote, backslashes elsewhere are themselves.
fn cmd_words(line: &str) -> Vec<String> {
    let mut unescaped = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '^' => unescaped.extend(chars.next()),
            _ => unescaped.push(c),
        }
    }
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    let mut chars = unescaped.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' if !quoted => {
                words.extend(word.take());
            }
            '\\' if chars.peek() == Some(&'"') => {
                chars.next();
                word.get_or_insert_with(String::new).push('"');
            }
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                word.get_or_insert_with(String::new).push('"');
            }
            '"' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            _ => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        commands(text)
            .unwrap()
            .into_iter()
            .map(|(_, w)| w)
            .collect()
    }

    #[test]
    fn bash_continuations_quotes_and_ansi_c_strings_split_as_bash_splits_them() {
        let text = "# it's a comment\ncurl 'https://h/a' \\\n  -H 'X: 1' \\\n  --data-raw $'{\"a\":\"it\\'s\\n\"}'\n\n# a comment\ncurl \"https://h/b?x=\\\"y\\\"\"\n";
        assert_eq!(
            words(text),
            vec![
                vec![
                    "curl",
                    "https://h/a",
                    "-H",
                    "X: 1",
                    "--data-raw",
                    "{\"a\":\"it's\n\"}"
                ],
                vec!["curl", "https://h/b?x=\"y\""],
            ]
        );
    }

    #[test]
    fn newlines_inside_quotes_stay_in_their_command() {
        let text = "curl https://h -d '{\n  \"a\": 1\n}'\ncurl https://h/2";
        let got = commands(text).unwrap();
        assert_eq!(got[0].1[3], "{\n  \"a\": 1\n}");
        assert_eq!(got[1], (4, vec!["curl".into(), "https://h/2".into()]));
    }

    #[test]
    fn an_unclosed_quote_is_refused_naming_its_line() {
        let err = commands("curl https://h\ncurl 'https://h").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn windows_cmd_copies_split_as_cmd_and_the_c_runtime_split_them() {
        let text = "curl ^\"https://h/a?x=1^&y=2^\" ^\n  -H ^\"accept: */*^\" ^\n  --data-raw ^\"^{^\\^\"a^\\^\":1^}^\"\n";
        assert_eq!(
            words(text),
            vec![vec![
                "curl",
                "https://h/a?x=1&y=2",
                "-H",
                "accept: */*",
                "--data-raw",
                "{\"a\":1}"
            ]]
        );
    }
}
