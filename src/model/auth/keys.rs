//! Private keys as Postman users paste them: PEM with or without its line breaks (ASAP's
//! authorizer removes them; postman-runtime's `jose.importPKCS8` reads either), or a bare
//! base64 PKCS#8 body.

/// The key as PEM with 64-column lines, which the PEM parsers require.
pub(super) fn normalize_pem(text: &str) -> String {
    let text = text.trim();
    let (label, body) = match text.strip_prefix("-----BEGIN ") {
        Some(rest) => match rest.split_once("-----") {
            Some((label, after)) => {
                let end = format!("-----END {label}-----");
                (label.to_string(), after.split(&end).next().unwrap_or(after))
            }
            None => ("PRIVATE KEY".to_string(), rest),
        },
        None => ("PRIVATE KEY".to_string(), text),
    };
    let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

/// An RSA private key from PKCS#8 or PKCS#1 PEM.
pub(super) fn rsa_private_key(text: &str) -> Result<rsa::RsaPrivateKey, String> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    let pem = normalize_pem(text);
    rsa::RsaPrivateKey::from_pkcs8_pem(&pem)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(&pem))
        .map_err(|e| format!("is not an RSA private key in PEM ({e})"))
}

/// A JWT signing key: the secret for HS algorithms, else the private key's PEM.
pub(super) fn jwt_key(
    algorithm: jsonwebtoken::Algorithm,
    secret: &[u8],
    private_key: &str,
) -> Result<jsonwebtoken::EncodingKey, String> {
    use jsonwebtoken::Algorithm::*;
    match algorithm {
        HS256 | HS384 | HS512 => Ok(jsonwebtoken::EncodingKey::from_secret(secret)),
        ES256 | ES384 => {
            jsonwebtoken::EncodingKey::from_ec_pem(normalize_pem(private_key).as_bytes())
                .map_err(|e| format!("is not an EC private key in PKCS#8 PEM ({e})"))
        }
        _ => jsonwebtoken::EncodingKey::from_rsa_pem(normalize_pem(private_key).as_bytes())
            .map_err(|e| format!("is not an RSA private key in PEM ({e})")),
    }
}

/// Signs `header.payload` (both JSON) as a compact JWS, keeping the JSON as written: Postman's
/// `jose.SignJWT` adds no `typ` and keeps the key order, which a JWT crate's own header type
/// would not.
pub(super) fn compact_jws(
    header: &serde_json::Value,
    payload: &serde_json::Value,
    algorithm: jsonwebtoken::Algorithm,
    key: &jsonwebtoken::EncodingKey,
) -> Result<String, String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let message = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(payload.to_string())
    );
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, algorithm)
        .map_err(|e| format!("cannot sign with this key ({e})"))?;
    Ok(format!("{message}.{signature}"))
}

/// The algorithms Vayu signs JWTs with. ES512 is not among them: jsonwebtoken has no P-521.
pub(crate) fn jwt_algorithm(name: &str) -> Option<jsonwebtoken::Algorithm> {
    use jsonwebtoken::Algorithm::*;
    Some(match name {
        "HS256" => HS256,
        "HS384" => HS384,
        "HS512" => HS512,
        "RS256" => RS256,
        "RS384" => RS384,
        "RS512" => RS512,
        "PS256" => PS256,
        "PS384" => PS384,
        "PS512" => PS512,
        "ES256" => ES256,
        "ES384" => ES384,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_gets_its_line_breaks_back() {
        let flat = "-----BEGIN PRIVATE KEY-----ABCD EFGH-----END PRIVATE KEY-----";
        assert_eq!(
            normalize_pem(flat),
            "-----BEGIN PRIVATE KEY-----\nABCDEFGH\n-----END PRIVATE KEY-----\n"
        );
        assert_eq!(
            normalize_pem("QUJD"),
            "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n"
        );
    }
}
