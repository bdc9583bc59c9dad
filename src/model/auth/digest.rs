//! HTTP digest auth (RFC 7616) as postman-runtime's digest authorizer sends it. With the
//! server's `realm` and `nonce` already known (given in the collection, or from an earlier
//! challenge) the request is signed before it goes out, with the header Postman writes; without
//! them libcurl answers the server's challenge itself.

use super::{CurlAuth, Outgoing, UrlParts};
use crate::model::error::ValidationError;
use md5::Md5;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512_256};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DigestAuth {
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub realm: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nonce: String,
    /// MD5 (the default), MD5-sess, SHA-256, SHA-256-sess, SHA-512-256, SHA-512-256-sess.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub algorithm: String,
    /// `auth`, `auth-int` or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub qop: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nonce_count: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_nonce: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub opaque: String,
}

impl DigestAuth {
    pub fn map_text(&self, f: &mut dyn FnMut(&str) -> String) -> DigestAuth {
        DigestAuth {
            username: f(&self.username),
            password: f(&self.password),
            realm: f(&self.realm),
            nonce: f(&self.nonce),
            algorithm: f(&self.algorithm),
            qop: f(&self.qop),
            nonce_count: f(&self.nonce_count),
            client_nonce: f(&self.client_nonce),
            opaque: f(&self.opaque),
        }
    }

    /// Signs the request when realm and nonce are known; otherwise hands the challenge to
    /// libcurl. Either way the request's own `Authorization` goes, as postman-runtime removes it.
    pub(super) fn apply(
        &self,
        out: &mut Outgoing<'_>,
    ) -> Result<Option<CurlAuth>, ValidationError> {
        if self.username.is_empty() {
            return Err(ValidationError::new(
                "auth.username",
                "digest auth needs a username",
            ));
        }
        out.remove_header("authorization");
        if self.realm.is_empty() || self.nonce.is_empty() {
            return Ok(Some(CurlAuth::Digest {
                username: self.username.clone(),
                password: self.password.clone(),
            }));
        }
        let header = self.header(out.method, &request_uri(out.url), out.body.as_deref())?;
        out.headers.push(("Authorization".into(), header));
        Ok(None)
    }

    /// The `Authorization` value, as postman-runtime's `computeHeader` writes it.
    // Kept whole: postman-runtime's `computeHeader`, step for step, so the two can be
    // read side by side.
    fn header(
        &self,
        method: &str,
        uri: &str,
        body: Option<&[u8]>,
    ) -> Result<String, ValidationError> {
        let algorithm = if self.algorithm.is_empty() {
            "MD5"
        } else {
            self.algorithm.as_str()
        };
        let hash: fn(&[u8]) -> String = match algorithm {
            "MD5" | "MD5-sess" => |d| hex::encode(Md5::digest(d)),
            "SHA-256" | "SHA-256-sess" => |d| hex::encode(Sha256::digest(d)),
            "SHA-512-256" | "SHA-512-256-sess" => |d| hex::encode(Sha512_256::digest(d)),
            other => {
                return Err(ValidationError::new(
                    "auth.algorithm",
                    format!("`{other}` is not a digest algorithm; use MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256 or SHA-512-256-sess"),
                ))
            }
        };
        let (user, realm, nonce) = (&self.username, &self.realm, &self.nonce);
        let client_nonce = &self.client_nonce;
        let a1 = if algorithm.ends_with("-sess") {
            let a0 = hash(format!("{user}:{realm}:{}", self.password).as_bytes());
            format!("{a0}:{nonce}:{client_nonce}")
        } else {
            format!("{user}:{realm}:{}", self.password)
        };
        let qop = self.qop.as_str();
        let a2 = if qop == "auth-int" {
            format!("{method}:{uri}:{}", hash(body.unwrap_or_default()))
        } else {
            format!("{method}:{uri}")
        };
        let (ha1, ha2) = (hash(a1.as_bytes()), hash(a2.as_bytes()));
        let with_qop = qop == "auth" || qop == "auth-int";
        let nc = &self.nonce_count;
        let response = if with_qop {
            hash(format!("{ha1}:{nonce}:{nc}:{client_nonce}:{qop}:{ha2}").as_bytes())
        } else {
            hash(format!("{ha1}:{nonce}:{ha2}").as_bytes())
        };
        let mut params = vec![
            format!("username=\"{user}\""),
            format!("realm=\"{realm}\""),
            format!("nonce=\"{nonce}\""),
            format!("uri=\"{uri}\""),
            format!("algorithm=\"{algorithm}\""),
        ];
        if with_qop {
            params.push(format!("qop={qop}"));
        }
        if with_qop || algorithm == "MD5-sess" {
            if !nc.is_empty() {
                params.push(format!("nc={nc}"));
            }
            params.push(format!("cnonce=\"{client_nonce}\""));
        }
        params.push(format!("response=\"{response}\""));
        if !self.opaque.is_empty() {
            params.push(format!("opaque=\"{}\"", self.opaque));
        }
        Ok(format!("Digest {}", params.join(", ")))
    }
}

/// The path and query of `url`, as Node's `url.path` gives them (digest's `uri`).
fn request_uri(url: &str) -> String {
    match UrlParts::parse(url).path_query {
        "" => "/".to_string(),
        query if query.starts_with('?') => format!("/{query}"),
        path => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(qop: &str, algorithm: &str) -> DigestAuth {
        DigestAuth {
            username: "Mufasa".into(),
            password: "Circle of Life".into(),
            realm: "http-auth@example.org".into(),
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v".into(),
            algorithm: algorithm.into(),
            qop: qop.into(),
            nonce_count: "00000001".into(),
            client_nonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ".into(),
            opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS".into(),
        }
    }

    #[test]
    fn rfc_7616_examples_sign_alike() {
        // RFC 7616 section 3.9.1: the same request with MD5 and with SHA-256.
        let md5 = auth("auth", "MD5")
            .header("GET", "/dir/index.html", None)
            .unwrap();
        assert!(
            md5.contains("response=\"8ca523f5e9506fed4657c9700eebdbec\""),
            "{md5}"
        );
        let sha = auth("auth", "SHA-256")
            .header("GET", "/dir/index.html", None)
            .unwrap();
        assert!(
            sha.contains(
                "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""
            ),
            "{sha}"
        );
        assert!(sha.starts_with("Digest username=\"Mufasa\", realm=\"http-auth@example.org\""));
        assert!(sha.ends_with(", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""));
    }

    #[test]
    fn without_qop_the_header_is_postmans() {
        // What Newman 6.2.2 sent for this collection's digest auth (the corpus's super-sandbox).
        let a = DigestAuth {
            username: "postman".into(),
            password: "password".into(),
            realm: "Users".into(),
            nonce: "ni1LiL0O37PRRhofWdCLmwFsnEtH1lew".into(),
            ..DigestAuth::default()
        };
        let header = a
            .header("GET", "/digest-auth/auth/postman/password", None)
            .unwrap();
        assert_eq!(
            header,
            "Digest username=\"postman\", realm=\"Users\", nonce=\"ni1LiL0O37PRRhofWdCLmwFsnEtH1lew\", uri=\"/digest-auth/auth/postman/password\", algorithm=\"MD5\", response=\"899b7f6ce484b517fee2964a2d49f077\""
        );
    }

    #[test]
    fn the_uri_is_the_path_and_query() {
        assert_eq!(request_uri("http://h:1/a/b?c=d#e"), "/a/b?c=d");
        assert_eq!(request_uri("http://h"), "/");
        assert_eq!(request_uri("http://h?x=1"), "/?x=1");
    }
}
