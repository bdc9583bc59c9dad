//! AWS Signature Version 4 (postman-runtime `aws4.js`, which uses the `aws4` npm package):
//! libcurl signs each transfer (`CURLOPT_AWS_SIGV4`), which gives the same Authorization shape
//! (`AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request,
//! SignedHeaders=..., Signature=...`) over the same headers (host, X-Amz-Date and every header
//! the request sets), and a fresh X-Amz-Date on every send of a load run. As postman-runtime
//! does, the request's own Authorization and X-Amz-* auth headers are replaced, the session
//! token goes in X-Amz-Security-Token and a body's SHA-256 in X-Amz-Content-Sha256 (which
//! libcurl then signs as the payload hash).

use super::{invalid, CurlAuth, Outgoing};
use crate::model::ValidationError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AwsV4Auth {
    pub access_key: String,
    pub secret_key: String,
    /// Default `us-east-1`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// Default `execute-api` (API Gateway), as in Postman.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session_token: String,
}

impl AwsV4Auth {
    pub fn map_text(&self, f: &mut dyn FnMut(&str) -> String) -> AwsV4Auth {
        AwsV4Auth {
            access_key: f(&self.access_key),
            secret_key: f(&self.secret_key),
            region: f(&self.region),
            service: f(&self.service),
            session_token: f(&self.session_token),
        }
    }

    pub(super) fn apply(&self, out: &mut Outgoing) -> Result<CurlAuth, ValidationError> {
        let region = if self.region.is_empty() {
            "us-east-1"
        } else {
            &self.region
        };
        let service = if self.service.is_empty() {
            "execute-api"
        } else {
            &self.service
        };
        for (field, value) in [("region", region), ("service", service)] {
            // libcurl's parameter is `aws:amz:<region>:<service>`.
            if value.contains(':') || value.contains(char::is_whitespace) {
                return Err(invalid(
                    field,
                    format!("`{value}` may not hold `:` or spaces"),
                ));
            }
        }
        if self.access_key.is_empty() {
            return Err(invalid(
                "accessKey",
                "AWS Signature auth needs an access key",
            ));
        }
        for name in [
            "authorization",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
        ] {
            out.remove_header(name);
        }
        if !self.session_token.is_empty() {
            out.headers
                .push(("X-Amz-Security-Token".into(), self.session_token.clone()));
        }
        if let Some(body) = out.hashable_body() {
            let hash = hex::encode(Sha256::digest(body));
            out.headers.push(("X-Amz-Content-Sha256".into(), hash));
        }
        Ok(CurlAuth::AwsSigV4 {
            access_key: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
            provider: format!("aws:amz:{region}:{service}"),
        })
    }
}
