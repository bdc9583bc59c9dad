//! Digest auth as postman-runtime runs it in a collection: a request whose digest auth does not
//! know the server's nonce goes out unsigned; a 401 (or 403) with a `WWW-Authenticate: Digest`
//! challenge teaches the auth the realm, nonce, qop and opaque, and the request is sent again,
//! signed. Newman counts both requests and runs the tests once, after the second. What an item
//! learned it keeps for its later sends (its next iterations sign at once), with the nonce count
//! going up after each answered request when the server asked for a qop.

use crate::model::auth::DigestAuth;
use crate::model::{AuthSpec, RequestSpec, Response};

/// What a step's digest auth learned from the server's challenge.
#[derive(Debug, Clone, Default)]
pub(super) struct Learned {
    realm: String,
    nonce: String,
    qop: String,
    opaque: String,
    client_nonce: String,
    nonce_count: String,
}

/// The digest auth of `spec` when it does not know the server's nonce.
fn unknowing(spec: &RequestSpec) -> Option<&DigestAuth> {
    match &spec.auth {
        Some(AuthSpec::Digest(d)) if d.realm.is_empty() || d.nonce.is_empty() => Some(d),
        _ => None,
    }
}

/// Prepares `spec` to be sent: signed with what the step learned, or, not knowing the nonce
/// yet, unsigned (and then the answer may be a challenge: returns `true`).
pub(super) fn prepare(spec: &mut RequestSpec, learned: Option<&Learned>) -> bool {
    let Some(d) = unknowing(spec) else {
        return false;
    };
    match learned {
        Some(l) => {
            let mut d = d.clone();
            d.realm.clone_from(&l.realm);
            d.nonce.clone_from(&l.nonce);
            d.opaque.clone_from(&l.opaque);
            if !l.qop.is_empty() {
                d.qop.clone_from(&l.qop);
                d.client_nonce.clone_from(&l.client_nonce);
                d.nonce_count.clone_from(&l.nonce_count);
            }
            spec.auth = Some(AuthSpec::Digest(Box::new(d)));
            false
        }
        None => {
            spec.auth = None;
            true
        }
    }
}

/// The challenge in a 401 or 403 answer to an unsigned request, if it is a digest one.
pub(super) fn challenge(response: &Response) -> Option<Learned> {
    if response.status != 401 && response.status != 403 {
        return None;
    }
    let header = response
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("www-authenticate"))
        .find(|h| {
            h.value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("digest")
        })?;
    let field = |name: &str| quoted_field(&header.value, name).unwrap_or_default();
    let qop = field("qop");
    let with_qop = !qop.is_empty();
    Some(Learned {
        realm: field("realm"),
        nonce: field("nonce"),
        opaque: field("opaque"),
        // postman-runtime picks the first qop the server offers only as written (`auth`).
        client_nonce: if with_qop {
            client_nonce()
        } else {
            String::new()
        },
        nonce_count: if with_qop {
            "00000001".into()
        } else {
            String::new()
        },
        qop,
    })
}

/// After an answered signed request: the nonce count goes up for the next one.
pub(super) fn answered(learned: &mut Learned) {
    if learned.qop.is_empty() {
        return;
    }
    let n = learned.nonce_count.parse::<u32>().unwrap_or(0);
    learned.nonce_count = format!("{:08}", n.saturating_add(1));
}

/// `name="value"` (case-insensitive name) in a challenge, as postman-runtime's regex reads it.
fn quoted_field(header: &str, name: &str) -> Option<String> {
    let lower = header.to_ascii_lowercase();
    let key = format!("{}=\"", name.to_ascii_lowercase());
    let mut from = 0;
    while let Some(at) = lower[from..].find(&key) {
        let at = from + at;
        let before = lower[..at].chars().next_back();
        if before.is_none_or(|c| !c.is_ascii_alphanumeric()) {
            let start = at + key.len();
            let end = header[start..].find('"')? + start;
            return Some(header[start..end].to_string());
        }
        from = at + key.len();
    }
    None
}

/// Eight characters of A-Z, a-z and 0-9, as postman-runtime's `randomString(8)`.
fn client_nonce() -> String {
    crate::model::auth::random_text(8, crate::model::auth::ALPHANUMERIC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;

    fn answer(status: u16, challenge: &str) -> Response {
        Response {
            status,
            headers: vec![Header {
                name: "WWW-Authenticate".into(),
                value: challenge.into(),
            }],
            ..Response::default()
        }
    }

    #[test]
    fn a_digest_challenge_is_read_as_postman_reads_it() {
        let l = challenge(&answer(
            401,
            "Digest realm=\"me@x\", nonce=\"abc\", qop=\"auth\", opaque=\"o1\", algorithm=MD5",
        ))
        .unwrap();
        assert_eq!((l.realm.as_str(), l.nonce.as_str()), ("me@x", "abc"));
        assert_eq!((l.qop.as_str(), l.opaque.as_str()), ("auth", "o1"));
        assert_eq!(
            (l.client_nonce.len(), l.nonce_count.as_str()),
            (8, "00000001")
        );
        assert!(challenge(&answer(401, "Basic realm=\"x\"")).is_none());
        assert!(challenge(&answer(200, "Digest realm=\"x\", nonce=\"n\"")).is_none());
        let mut l = l;
        answered(&mut l);
        assert_eq!(l.nonce_count, "00000002");
    }

    #[test]
    fn an_unknowing_digest_goes_unsigned_then_signed_with_what_it_learned() {
        let mut spec = RequestSpec::from_json(
            r#"{"url": "http://127.0.0.1:1/", "auth": {"type": "digest", "username": "u", "password": "p"}}"#,
        )
        .unwrap();
        let written = spec.clone();
        assert!(prepare(&mut spec, None), "unsigned, a challenge may come");
        assert_eq!(spec.auth, None);
        let learned = challenge(&answer(401, "Digest realm=\"r\", nonce=\"n\"")).unwrap();
        let mut spec = written;
        assert!(!prepare(&mut spec, Some(&learned)));
        let Some(AuthSpec::Digest(d)) = &spec.auth else {
            panic!("digest")
        };
        assert_eq!((d.realm.as_str(), d.nonce.as_str()), ("r", "n"));
    }
}
