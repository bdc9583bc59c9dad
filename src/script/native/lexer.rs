//! The tokens of a script in the shape [`super::Plan`] recognises: ASCII names, punctuation,
//! `=>`, plain string literals and integers. Anything else (an escape in a string, a float, a
//! regular expression, a template) makes the script unrecognised, which costs only the fast
//! check.

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Name(String),
    Str(String),
    Int(i64),
    /// One of `. ( ) , ; { } [ ]`, or `=` for `=>`.
    Punct(char),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub kind: Kind,
    /// A line break came before it: where JavaScript may end a statement without `;`.
    pub line_before: bool,
}

/// The tokens of `source`, or `None` for anything outside the recognised shape.
pub(super) fn tokens(source: &str) -> Option<Vec<Token>> {
    // JavaScript also ends lines (and line comments) at U+2028 and U+2029: such sources are
    // left to QuickJS rather than lexed here.
    if source.contains(['\u{2028}', '\u{2029}']) {
        return None;
    }
    let bytes = source.as_bytes();
    let (mut at, mut out, mut line) = (0, Vec::new(), false);
    while at < bytes.len() {
        let b = bytes[at];
        match b {
            b'\n' | b'\r' => (line, at) = (true, at + 1),
            b' ' | b'\t' => at += 1,
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                // A line comment ends at `\n` or a bare `\r`, as in JavaScript.
                while at < bytes.len() && bytes[at] != b'\n' && bytes[at] != b'\r' {
                    at += 1;
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                let end = source[at + 2..].find("*/")? + at + 2;
                line |= source[at..end].contains(['\n', '\r']);
                at = end + 2;
            }
            _ => {
                let (kind, next) = token(source, at)?;
                out.push(Token {
                    kind,
                    line_before: line,
                });
                (line, at) = (false, next);
            }
        }
    }
    Some(out)
}

/// The token at `at` and where the next begins.
fn token(source: &str, at: usize) -> Option<(Kind, usize)> {
    let bytes = source.as_bytes();
    let b = bytes[at];
    let name = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
    if b.is_ascii_alphabetic() || b == b'_' || b == b'$' {
        let end = (at..bytes.len())
            .find(|&i| !name(bytes[i]))
            .unwrap_or(bytes.len());
        return Some((Kind::Name(source[at..end].to_string()), end));
    }
    if b.is_ascii_digit() || (b == b'-' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)) {
        let start = if b == b'-' { at + 1 } else { at };
        let end = (start..bytes.len())
            .find(|&i| !bytes[i].is_ascii_digit())
            .unwrap_or(bytes.len());
        let digits = &source[start..end];
        // A float, an exponent, a legacy octal, a separator or a BigInt is not recognised.
        if bytes.get(end).is_some_and(|&c| name(c) || c == b'.')
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return None;
        }
        let n: i64 = digits.parse().ok().filter(|n| *n <= super::MAX_SAFE)?;
        return Some((Kind::Int(if b == b'-' { -n } else { n }), end));
    }
    if b == b'\'' || b == b'"' {
        let end = source[at + 1..].find(b as char)? + at + 1;
        let text = &source[at + 1..end];
        if text.contains(['\\', '\n', '\r', '\u{2028}', '\u{2029}']) {
            return None;
        }
        return Some((Kind::Str(text.to_string()), end + 1));
    }
    if b == b'=' && bytes.get(at + 1) == Some(&b'>') {
        return Some((Kind::Punct('='), at + 2));
    }
    b".(),;{}[]"
        .contains(&b)
        .then(|| (Kind::Punct(b as char), at + 1))
}
