//! The signing auth types (awsv4, ntlm, oauth1, hawk, jwt, edgegrid, asap) and digest, checked
//! from the loopback server's side: each test recomputes or verifies what arrived with code of
//! its own (or the verifying half of a library), never with Vayu's signing code.

use crate::support::{engine, send, Reply, TargetServer};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vayu::script::Variables;

const RSA_PRIVATE: &str = include_str!("auth-keys/rsa-private.pem");
const RSA_PUBLIC: &str = include_str!("auth-keys/rsa-public.pem");

/// What the server received at `/seq/...`, answering each with a 200.
fn received(server: &TargetServer) -> Vec<crate::support::target::Received> {
    server.stats.received.lock().unwrap().clone()
}

fn answer_ok(server: &TargetServer, n: usize) {
    let mut seq = server.stats.sequence.lock().unwrap();
    for _ in 0..n {
        seq.push_back(Reply {
            code: 200,
            status: "OK".into(),
            headers: Vec::new(),
            body: "ok".into(),
        });
    }
}

fn header<'a>(r: &'a crate::support::target::Received, name: &str) -> &'a str {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header in {:?}", r.headers))
}

fn hmac256(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// SigV4 as AWS documents it (the signing key from the date, region and service; the string
/// to sign from the canonical request), for the headers the Authorization header names.
#[allow(clippy::too_many_arguments)]
fn sigv4(
    secret: &str,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    signed: &str,
    payload_hash: &str,
    amz_date: &str,
    scope: &str,
) -> String {
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort();
    let canonical_headers: String = signed
        .split(';')
        .map(|name| {
            let value = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            format!("{name}:{value}\n")
        })
        .collect();
    let canonical = format!(
        "{method}\n{path}\n{}\n{canonical_headers}\n{signed}\n{payload_hash}",
        pairs.join("&")
    );
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut parts = scope.split('/');
    let (date, region, service) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let k = hmac256(format!("AWS4{secret}").as_bytes(), date);
    let k = hmac256(&k, region);
    let k = hmac256(&k, service);
    let k = hmac256(&k, "aws4_request");
    hex::encode(hmac256(&k, &to_sign))
}

#[test]
fn the_tests_sigv4_matches_aws_s_get_vanilla_vector() {
    // aws-sig-v4-test-suite/get-vanilla.
    let headers = vec![
        ("Host".to_string(), "example.amazonaws.com".to_string()),
        ("X-Amz-Date".to_string(), "20150830T123600Z".to_string()),
    ];
    assert_eq!(
        sigv4(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "GET",
            "/",
            "",
            &headers,
            "host;x-amz-date",
            &hex::encode(Sha256::digest(b"")),
            "20150830T123600Z",
            "20150830/us-east-1/service/aws4_request",
        ),
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
}

#[test]
fn awsv4_signs_the_request_libcurl_sends_with_session_token_and_body_hash() {
    let server = TargetServer::start();
    answer_ok(&server, 1);
    let body = r#"{"a":1}"#;
    let r = send(
        &engine(),
        json!({
            "method": "POST",
            "url": server.url("/seq/aws/x?b=2&a=1"),
            "headers": {"Content-Type": "application/json", "X-Custom": "v", "Authorization": "stale", "X-Amz-Date": "19990101T000000Z"},
            "body": body,
            "auth": {"type": "awsv4", "accessKey": "AKIDEXAMPLE", "secretKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                     "region": "eu-west-1", "service": "execute-api", "sessionToken": "tok/en"}
        }),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let got = &received(&server)[0];
    let auth = header(got, "authorization");
    let amz_date = header(got, "x-amz-date");
    assert_ne!(
        amz_date, "19990101T000000Z",
        "the request's own date is replaced"
    );
    assert_eq!(header(got, "x-amz-security-token"), "tok/en");
    let payload = hex::encode(Sha256::digest(body.as_bytes()));
    assert_eq!(header(got, "x-amz-content-sha256"), payload);
    // AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=...
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        .unwrap_or_else(|| panic!("{auth}"));
    let (scope, rest) = rest.split_once(", SignedHeaders=").unwrap();
    let (signed, signature) = rest.split_once(", Signature=").unwrap();
    assert_eq!(
        scope,
        format!("{}/eu-west-1/execute-api/aws4_request", &amz_date[..8])
    );
    for h in [
        "content-type",
        "host",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-security-token",
        "x-custom",
    ] {
        assert!(
            signed.split(';').any(|s| s == h),
            "{h} not signed: {signed}"
        );
    }
    let (path, query) = got.path.split_once('?').unwrap();
    let expected = sigv4(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "POST",
        &format!("/seq{path}"),
        query,
        &got.headers,
        signed,
        &payload,
        amz_date,
        scope,
    );
    assert_eq!(signature, expected);
}

#[test]
fn ntlm_handshake_happens_when_the_server_challenges() {
    let server = TargetServer::start();
    let r = send(
        &engine(),
        json!({
            "url": server.url("/ntlm"),
            "headers": {"Authorization": "Basic stale"},
            "auth": {"type": "ntlm", "username": "bob@corp.example", "password": "pw", "workstation": "ws"}
        }),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let seen: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(seen["user"], "bob");
    assert_eq!(seen["domain"], "corp.example");
    assert!(seen["ntResponseBytes"].as_u64().unwrap() >= 24, "{seen}");
    // No credentials, then Type 1, then Type 3.
    assert_eq!(server.stats.path_count("/ntlm"), 3);
}

#[test]
fn digest_replaces_an_explicit_authorization_header() {
    let server = TargetServer::start();
    let r = send(
        &engine(),
        json!({
            "url": server.url("/digest/user/pass"),
            "headers": {"Authorization": "Bearer stale"},
            "auth": {"type": "digest", "username": "user", "password": "pass"}
        }),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
}

/// With the server's realm and nonce given (Postman's digest fields), the request is signed
/// before it goes out, as postman-runtime signs it: the server never has to challenge.
#[test]
fn digest_with_a_known_nonce_is_signed_on_the_first_request() {
    let server = TargetServer::start();
    let r = send(
        &engine(),
        json!({
            "url": server.url("/digest/user/pass"),
            "auth": {"type": "digest", "username": "user", "password": "pass", "realm": "vayu",
                     "nonce": "n0nce", "qop": "auth", "nonceCount": "00000001", "clientNonce": "c0ffee"}
        }),
    )
    .unwrap();
    assert_eq!((r.status, r.body.as_str()), (200, "digest ok"));
    assert_eq!(
        server.stats.path_count("/digest/user/pass"),
        1,
        "no challenge round trip"
    );
}

/// The `OAuth k="v",...` header's fields, decoded.
fn oauth_fields(value: &str) -> Vec<(String, String)> {
    let dec = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    value
        .strip_prefix("OAuth ")
        .unwrap()
        .split(',')
        .map(|f| {
            let (k, v) = f.split_once('=').unwrap();
            (dec(k), dec(v.trim_matches('"')))
        })
        .collect()
}

#[test]
fn oauth1_hmac_sha256_header_signature_verifies() {
    let server = TargetServer::start();
    answer_ok(&server, 1);
    send(
        &engine(),
        json!({
            "method": "get",
            "url": server.url("/seq/o?b=x%20y&a=1"),
            "auth": {"type": "oauth1", "consumerKey": "ck", "consumerSecret": "c&s", "token": "tk", "tokenSecret": "ts",
                     "signatureMethod": "HMAC-SHA256", "addParamsToHeader": true, "realm": "r", "version": "1.0"}
        }),
    )
    .unwrap();
    let got = &received(&server)[0];
    let fields = oauth_fields(header(got, "authorization"));
    assert_eq!(fields[0], ("realm".into(), "r".into()));
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("oauth_nonce").len(), 11);
    assert!(get("oauth_timestamp").parse::<u64>().unwrap() > 1_700_000_000);
    // RFC 5849 §3.4.1 from what arrived.
    let enc = |s: &str| {
        const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        percent_encoding::utf8_percent_encode(s, SET).to_string()
    };
    let (path, query) = got.path.split_once('?').unwrap();
    let dec = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let mut params: Vec<(String, String)> = query
        .split('&')
        .map(|p| p.split_once('=').unwrap())
        .map(|(k, v)| (enc(&dec(k)), enc(&dec(v))))
        .chain(
            fields
                .iter()
                .filter(|(k, _)| k != "realm" && k != "oauth_signature")
                .map(|(k, v)| (enc(k), enc(v))),
        )
        .collect();
    params.sort();
    let normalized: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let base = format!(
        "GET&{}&{}",
        enc(&format!("http://{}/seq{path}", server.http)),
        enc(&normalized.join("&"))
    );
    assert_eq!(get("oauth_signature"), b64(&hmac256(b"c%26s&ts", &base)));
}

#[test]
fn hawk_header_validates_with_payload_hash() {
    let server = TargetServer::start();
    answer_ok(&server, 1);
    let body = r#"{"x":true}"#;
    send(
        &engine(),
        json!({
            "method": "PUT",
            "url": server.url("/seq/h?q=1"),
            "headers": {"Content-Type": "application/json; charset=utf-8"},
            "body": body,
            "auth": {"type": "hawk", "authId": "id1", "authKey": "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn",
                     "algorithm": "sha256", "extraData": "some-app-ext", "includePayloadHash": true}
        }),
    )
    .unwrap();
    let got = &received(&server)[0];
    let value = header(got, "authorization");
    let parsed: hawk::Header = value.strip_prefix("Hawk ").unwrap().parse().unwrap();
    assert_eq!(parsed.id.as_deref(), Some("id1"));
    assert_eq!(parsed.ext.as_deref(), Some("some-app-ext"));
    assert_eq!(parsed.nonce.as_ref().unwrap().len(), 6);
    let hash =
        hawk::PayloadHasher::hash("application/json", hawk::DigestAlgorithm::Sha256, body).unwrap();
    assert_eq!(parsed.hash.as_deref(), Some(&hash[..]));
    let key = hawk::Key::new(
        "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn",
        hawk::DigestAlgorithm::Sha256,
    )
    .unwrap();
    let resource = format!("/seq{}", got.path);
    let request = hawk::RequestBuilder::new("PUT", "127.0.0.1", server.http.port(), &resource)
        .hash(&hash[..])
        .ext("some-app-ext")
        .request();
    assert!(request.validate_header(&parsed, &key, std::time::Duration::from_secs(60)));
}

fn decode_claims(
    token: &str,
    key: &jsonwebtoken::DecodingKey,
    alg: jsonwebtoken::Algorithm,
) -> (jsonwebtoken::Header, Value) {
    let mut v = jsonwebtoken::Validation::new(alg);
    v.required_spec_claims.clear();
    v.validate_exp = false;
    v.validate_aud = false;
    let data =
        jsonwebtoken::decode::<Value>(token, key, &v).unwrap_or_else(|e| panic!("{e}: {token}"));
    (data.header, data.claims)
}

#[test]
fn jwt_tokens_verify_with_their_keys_in_header_and_query() {
    let server = TargetServer::start();
    answer_ok(&server, 3);
    let engine = engine();
    let ec = rcgen::KeyPair::generate().unwrap();
    let auths = [
        json!({"type": "jwt", "algorithm": "HS512", "secret": "c2VjcmV0", "isSecretBase64Encoded": true,
               "payload": "{\"sub\": \"1\"}", "headerPrefix": "JWT"}),
        json!({"type": "jwt", "algorithm": "RS256", "privateKey": RSA_PRIVATE, "payload": "{\"sub\": \"2\"}",
               "header": "{\"kid\": \"k1\"}"}),
        json!({"type": "jwt", "algorithm": "ES256", "privateKey": ec.serialize_pem(), "payload": "{\"sub\": \"3\"}",
               "addTokenTo": "queryParam", "queryParamKey": "jwt"}),
    ];
    for auth in auths {
        send(&engine, json!({"url": server.url("/seq/j?a=1"), "headers": {"Authorization": "stale"}, "auth": auth})).unwrap();
    }
    let got = received(&server);
    let hs = header(&got[0], "authorization")
        .strip_prefix("JWT ")
        .unwrap()
        .to_string();
    let (h, claims) = decode_claims(
        &hs,
        &jsonwebtoken::DecodingKey::from_secret(b"secret"),
        jsonwebtoken::Algorithm::HS512,
    );
    assert_eq!(
        (h.typ, claims),
        (None, json!({"sub": "1"})),
        "jose adds no typ and no iat"
    );
    let rs = header(&got[1], "authorization")
        .strip_prefix("Bearer ")
        .unwrap()
        .to_string();
    let (h, claims) = decode_claims(
        &rs,
        &jsonwebtoken::DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap(),
        jsonwebtoken::Algorithm::RS256,
    );
    assert_eq!(
        (h.kid.as_deref(), claims),
        (Some("k1"), json!({"sub": "2"}))
    );
    assert_eq!(
        header(&got[2], "authorization"),
        "stale",
        "a query token leaves the header alone"
    );
    let es = got[2]
        .path
        .strip_prefix("/j?a=1&jwt=")
        .unwrap_or_else(|| panic!("{}", got[2].path));
    let (_, claims) = decode_claims(
        es,
        &jsonwebtoken::DecodingKey::from_ec_pem(ec.public_key_pem().as_bytes()).unwrap(),
        jsonwebtoken::Algorithm::ES256,
    );
    assert_eq!(claims, json!({"sub": "3"}));
}

#[test]
fn asap_token_carries_atlassian_s_claims() {
    let server = TargetServer::start();
    answer_ok(&server, 1);
    send(
        &engine(),
        json!({
            "url": server.url("/seq/asap"),
            "auth": {"type": "asap", "kid": "svc/key1", "iss": "svc", "aud": "other", "exp": "600",
                     "privateKey": RSA_PRIVATE.replace('\n', ""), "claims": "{\"scope\": \"read\"}"}
        }),
    )
    .unwrap();
    let got = &received(&server)[0];
    let token = header(got, "authorization")
        .strip_prefix("Bearer ")
        .unwrap();
    let (h, claims) = decode_claims(
        token,
        &jsonwebtoken::DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap(),
        jsonwebtoken::Algorithm::RS256,
    );
    assert_eq!(h.kid.as_deref(), Some("svc/key1"));
    assert_eq!(
        (
            &claims["iss"],
            &claims["sub"],
            &claims["aud"],
            &claims["scope"]
        ),
        (
            &json!("svc"),
            &json!("svc"),
            &json!("other"),
            &json!("read")
        )
    );
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        600
    );
    assert_eq!(claims["jti"].as_str().unwrap().len(), 36, "a UUID");
}

/// A collection whose auth parameters are variables, run as `collection run` runs it: EdgeGrid
/// (fixed nonce and timestamp) over a POST form body, recomputed here.
#[test]
fn edgegrid_signs_the_substituted_request_and_its_form_body() {
    let server = TargetServer::start();
    answer_ok(&server, 1);
    let doc = json!({
        "info": {"name": "eg", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "auth": {"type": "edgegrid", "edgegrid": [
            {"key": "accessToken", "value": "{{access}}"}, {"key": "clientToken", "value": "ct"},
            {"key": "clientSecret", "value": "{{secret}}"}, {"key": "nonce", "value": "nonce-1"},
            {"key": "timestamp", "value": "20240101T00:00:00+0000"}, {"key": "headersToSign", "value": "X-A, x-b"},
            {"key": "baseURL", "value": "https://akab.example.net"}
        ]},
        "item": [{"name": "post", "request": {
            "method": "POST", "url": server.url("/seq/eg?z=1"),
            "header": [{"key": "X-A", "value": "  one   two "}, {"key": "Authorization", "value": "stale"}],
            "body": {"mode": "urlencoded", "urlencoded": [{"key": "k", "value": "v w"}]}
        }}]
    });
    let mut variables = Variables::default();
    variables.environment.insert("access".into(), json!("at"));
    variables.environment.insert("secret".into(), json!("cs"));
    crate::support::run_collection_doc(&doc, variables);
    let got = &received(&server)[0];
    let auth_header = "EG1-HMAC-SHA256 client_token=ct;access_token=at;timestamp=20240101T00:00:00+0000;nonce=nonce-1;";
    let data = [
        "POST",
        "http",
        "akab.example.net",
        &format!("/seq{}", got.path),
        "x-a:one two",
        &b64(&Sha256::digest(&got.body)),
        auth_header,
    ]
    .join("\t");
    let key = b64(&hmac256(b"cs", "20240101T00:00:00+0000"));
    let expected = format!(
        "{auth_header}signature={}",
        b64(&hmac256(key.as_bytes(), &data))
    );
    // As Newman encodes a form: a space as %20.
    assert_eq!(got.body, b"k=v%20w");
    let sent: Vec<_> = got
        .headers
        .iter()
        .filter(|(k, _)| k == "authorization")
        .collect();
    assert_eq!(sent.len(), 1, "the request's own Authorization is replaced");
    assert_eq!(sent[0].1, expected);
}

/// A pre-request script sees a signing auth as the SDK's RequestAuth, and what it changes is
/// what is signed.
#[test]
fn scripts_read_and_change_a_signing_auth() {
    let server = TargetServer::start();
    answer_ok(&server, 1);
    let doc = json!({
        "info": {"name": "s", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "jwt", "request": {
            "method": "GET", "url": server.url("/seq/s"),
            "auth": {"type": "jwt", "jwt": [
                {"key": "algorithm", "value": "HS256"}, {"key": "secret", "value": "k"},
                {"key": "payload", "value": "{\"sub\": \"collection\"}"}
            ]}
        }, "event": [{"listen": "prerequest", "script": {"exec": [
            "pm.test('type', function () { pm.expect(pm.request.auth.type).to.equal('jwt'); pm.expect(pm.request.auth.parameters().get('secret')).to.equal('k'); });",
            "pm.request.auth.update([{key: 'payload', value: '{\"sub\": \"script\"}'}], 'jwt');"
        ]}}]}]
    });
    let summary = crate::support::run_collection_doc(&doc, Variables::default());
    assert!(summary.failures.is_empty(), "{:?}", summary.failures);
    let got = &received(&server)[0];
    let token = header(got, "authorization")
        .strip_prefix("Bearer ")
        .unwrap();
    let (_, claims) = decode_claims(
        token,
        &jsonwebtoken::DecodingKey::from_secret(b"k"),
        jsonwebtoken::Algorithm::HS256,
    );
    assert_eq!(claims, json!({"sub": "script"}));
}
