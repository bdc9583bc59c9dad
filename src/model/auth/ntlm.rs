//! NTLM (postman-runtime `ntlm.js`): the request goes out without credentials; when the server
//! answers 401 with an NTLM challenge, libcurl carries out the Type-1 / Type-2 / Type-3
//! handshake on the same connection (`CURLAUTH_NTLM | CURLAUTH_ONLY`), as postman-runtime
//! replays the request. The domain comes from `domain`, else from a `DOMAIN\user` or
//! `user@domain` user name, as postman-runtime reads it.

use super::{invalid, CurlAuth, Outgoing};
use crate::model::ValidationError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NtlmAuth {
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
    /// Kept for the export; libcurl sends its own workstation name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub workstation: String,
}

impl NtlmAuth {
    pub fn map_text(&self, f: &mut dyn FnMut(&str) -> String) -> NtlmAuth {
        NtlmAuth {
            username: f(&self.username),
            password: f(&self.password),
            domain: f(&self.domain),
            workstation: f(&self.workstation),
        }
    }

    /// `DOMAIN\user` as libcurl takes it.
    pub(crate) fn curl_user(&self) -> String {
        if !self.domain.is_empty() {
            let user = self
                .username
                .rsplit_once('\\')
                .map_or(self.username.as_str(), |(_, u)| u);
            return format!("{}\\{user}", self.domain);
        }
        match self.username.split_once('@') {
            Some((user, domain)) if !self.username.contains('\\') => format!("{domain}\\{user}"),
            _ => self.username.clone(),
        }
    }

    pub(super) fn apply(&self, out: &mut Outgoing) -> Result<CurlAuth, ValidationError> {
        if self.username.is_empty() {
            return Err(invalid("username", "NTLM auth needs a username"));
        }
        out.remove_header("authorization");
        Ok(CurlAuth::Ntlm {
            username: self.curl_user(),
            password: self.password.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_comes_from_the_field_or_the_user_name() {
        let a = |username: &str, domain: &str| NtlmAuth {
            username: username.into(),
            domain: domain.into(),
            ..NtlmAuth::default()
        };
        assert_eq!(a("bob", "CORP").curl_user(), "CORP\\bob");
        assert_eq!(a("OLD\\bob", "CORP").curl_user(), "CORP\\bob");
        assert_eq!(a("bob@corp.example", "").curl_user(), "corp.example\\bob");
        assert_eq!(a("CORP\\bob", "").curl_user(), "CORP\\bob");
        assert_eq!(a("bob", "").curl_user(), "bob");
    }
}
