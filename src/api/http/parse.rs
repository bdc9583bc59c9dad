//! One HTTP/1.1 request out of the bytes a connection has sent so far: the head (httparse), then
//! the body by `Content-Length` or chunked framing. Called again as more bytes arrive, so it
//! never blocks and never needs the whole request at once.

use super::super::error::ApiError;

/// A head larger than this is refused (431) before it is complete.
pub const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;

#[derive(Debug)]
pub struct Head {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// HTTP/1.1 without `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`.
    pub keep_alive: bool,
}

#[derive(Debug)]
pub enum Parsed {
    /// More bytes are needed. `awaits_continue`: the head is in and says `Expect: 100-continue`,
    /// so the client waits for `100 Continue` before it sends the body.
    Partial { awaits_continue: bool },
    Complete {
        head: Head,
        body: Vec<u8>,
        /// Bytes of `buf` this request used; what follows is the next (pipelined) request.
        used: usize,
    },
    /// Answered with this error, then the connection is closed: its framing cannot be trusted.
    Refused(ApiError),
}

pub fn parse(buf: &[u8], max_body: usize) -> Parsed {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut slots);
    let head_len = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => return too_long_head(),
        Ok(httparse::Status::Partial) => {
            return Parsed::Partial {
                awaits_continue: false,
            }
        }
        Err(httparse::Error::TooManyHeaders) => return too_long_head(),
        Err(e) => {
            return Parsed::Refused(ApiError::bad_request(format!(
                "the request is not valid HTTP/1.1 ({e})"
            )))
        }
    };
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).trim().to_string();
            (h.name.to_string(), value)
        })
        .collect();
    let find = |name: &'static str| {
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let tokens = |name: &'static str, token: &str| {
        find(name).any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    let http11 = req.version == Some(1);
    let keep_alive = if http11 {
        !tokens("Connection", "close")
    } else {
        tokens("Connection", "keep-alive")
    };
    let awaits_continue = http11 && tokens("Expect", "100-continue");
    let rest = &buf[head_len..];

    let encodings: Vec<&str> = find("Transfer-Encoding").collect();
    let lengths: Vec<&str> = find("Content-Length").collect();
    let framed = if !encodings.is_empty() {
        if !lengths.is_empty() {
            return Parsed::Refused(ApiError::bad_request(
                "the request has both Content-Length and Transfer-Encoding; send one",
            ));
        }
        if encodings.len() > 1 || !encodings[0].eq_ignore_ascii_case("chunked") {
            return Parsed::Refused(ApiError::new(
                501,
                "unsupported_encoding",
                format!(
                    "Transfer-Encoding `{}` is not supported; send the body as is with Content-Length, or chunked",
                    encodings.join(", ")
                ),
            ));
        }
        chunked(rest, max_body)
    } else if let Some(first) = lengths.first() {
        let Some(length) = first
            .parse::<usize>()
            .ok()
            .filter(|_| lengths.iter().all(|l| l == first))
        else {
            return Parsed::Refused(ApiError::bad_request(format!(
                "Content-Length `{}` is not one whole number of bytes",
                lengths.join(", ")
            )));
        };
        if length > max_body {
            return Parsed::Refused(ApiError::too_large());
        }
        Ok((rest.len() >= length).then(|| (rest[..length].to_vec(), length)))
    } else {
        Ok(Some((Vec::new(), 0)))
    };
    match framed {
        Err(error) => Parsed::Refused(error),
        Ok(None) => Parsed::Partial { awaits_continue },
        Ok(Some((body, body_len))) => Parsed::Complete {
            head: Head {
                method: req.method.unwrap_or_default().to_string(),
                target: req.path.unwrap_or_default().to_string(),
                headers,
                keep_alive,
            },
            body,
            used: head_len + body_len,
        },
    }
}

fn too_long_head() -> Parsed {
    Parsed::Refused(ApiError::new(
        431,
        "head_too_large",
        format!(
            "the request head is over {} KiB or {MAX_HEADERS} headers",
            MAX_HEAD / 1024
        ),
    ))
}

/// A chunked body: `Ok(None)` while incomplete, else the body and the bytes it used. Chunks are
/// only located until the last one is in, then copied once.
fn chunked(data: &[u8], max_body: usize) -> Result<Option<(Vec<u8>, usize)>, ApiError> {
    let bad = |what: &str| ApiError::bad_request(format!("the chunked body is malformed: {what}"));
    let mut at = 0;
    let mut chunks = Vec::new();
    let mut total = 0usize;
    loop {
        let Some(line_len) = line_at(data, at) else {
            return if data.len() - at > 1024 {
                Err(bad("a chunk-size line is over 1 KiB"))
            } else {
                Ok(None)
            };
        };
        let line = String::from_utf8_lossy(&data[at..at + line_len]);
        let digits = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(digits, 16)
            .map_err(|_| bad(&format!("`{digits}` is not a hexadecimal chunk size")))?;
        at += line_len + 2;
        if size == 0 {
            // Trailer fields (ignored) up to an empty line.
            let trailers = at;
            loop {
                let Some(len) = line_at(data, at) else {
                    return if data.len() - trailers > MAX_HEAD {
                        Err(bad("the trailer fields are over 64 KiB"))
                    } else {
                        Ok(None)
                    };
                };
                at += len + 2;
                if len == 0 {
                    break;
                }
            }
            let body = chunks.iter().fold(Vec::with_capacity(total), |mut b, r| {
                b.extend_from_slice(&data[std::ops::Range::clone(r)]);
                b
            });
            return Ok(Some((body, at)));
        }
        total = total.saturating_add(size);
        if total > max_body {
            return Err(ApiError::too_large());
        }
        if data.len() < at + size + 2 {
            return Ok(None);
        }
        if &data[at + size..at + size + 2] != b"\r\n" {
            return Err(bad("a chunk is longer than its size says"));
        }
        chunks.push(at..at + size);
        at += size + 2;
    }
}

/// The length of the line starting at `at`, without its CRLF, once the CRLF is in.
fn line_at(data: &[u8], at: usize) -> Option<usize> {
    data[at..].windows(2).position(|w| w == b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(buf: &[u8]) -> (Head, Vec<u8>, usize) {
        match parse(buf, 1024) {
            Parsed::Complete { head, body, used } => (head, body, used),
            other => panic!("{other:?}"),
        }
    }

    fn refused(buf: &[u8]) -> u16 {
        match parse(buf, 1024) {
            Parsed::Refused(e) => e.status,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_request_is_complete_only_once_its_body_is_in() {
        let whole = b"POST /runs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET";
        for cut in 0..whole.len() - 3 {
            assert!(
                matches!(parse(&whole[..cut], 1024), Parsed::Partial { .. }),
                "{cut}"
            );
        }
        let (head, body, used) = complete(whole);
        assert_eq!(
            (head.method.as_str(), head.target.as_str()),
            ("POST", "/runs")
        );
        assert_eq!(body, b"hello");
        assert_eq!(&whole[used..], b"GET", "the pipelined rest is left");
        assert!(head.keep_alive);
    }

    #[test]
    fn chunked_bodies_are_joined_and_trailers_skipped() {
        let buf = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nX-T: 1\r\n\r\n";
        let (_, body, used) = complete(buf);
        assert_eq!(body, b"hello!");
        assert_eq!(used, buf.len());
        assert!(matches!(
            parse(&buf[..buf.len() - 2], 1024),
            Parsed::Partial { .. }
        ));
    }

    #[test]
    fn expect_continue_is_reported_while_the_body_is_missing() {
        let buf = b"PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
        assert!(matches!(
            parse(buf, 1024),
            Parsed::Partial {
                awaits_continue: true
            }
        ));
    }

    #[test]
    fn ambiguous_or_oversized_framing_is_refused() {
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"),
            400
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"),
            400
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
            400
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            501
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n"),
            413
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n"),
            413
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            400
        );
        assert_eq!(refused(b"NOT HTTP\r\n\r\n"), 400);
        let mut long = b"GET / HTTP/1.1\r\nX: ".to_vec();
        long.resize(MAX_HEAD + 1, b'a');
        assert_eq!(refused(&long), 431);
    }

    #[test]
    fn http10_closes_unless_it_asks_to_keep_alive() {
        assert!(!complete(b"GET / HTTP/1.0\r\n\r\n").0.keep_alive);
        assert!(
            complete(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
                .0
                .keep_alive
        );
        assert!(
            !complete(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
                .0
                .keep_alive
        );
    }
}
