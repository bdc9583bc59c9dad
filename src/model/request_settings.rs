//! A saved request's `settings`: the sending options of a request kept apart from what it
//! sends, as the browser's settings tab edits them. Each has `RequestSpec`'s meaning.

use super::error::ValidationError;
use super::request::{HttpVersionPref, RequestSpec};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_redirects: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redirects: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_original_http_method: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_version: Option<String>,
}

impl RequestSettings {
    /// Reads and checks settings as written; errors name the field inside `settings`.
    pub fn from_value(value: serde_json::Value) -> Result<RequestSettings, ValidationError> {
        // serde would also read a struct from a list of its fields in order.
        if !value.is_object() {
            return Err(ValidationError::new(
                "",
                "must be an object such as {\"followRedirects\": false, \"timeout\": 5000}",
            ));
        }
        let settings: RequestSettings =
            serde_path_to_error::deserialize(value).map_err(ValidationError::at_path)?;
        let mut spec = RequestSpec::default();
        settings.apply_to(&mut spec);
        spec.check_settings()?;
        Ok(settings)
    }

    /// Writes the settings given over `spec`'s.
    pub fn apply_to(&self, spec: &mut RequestSpec) {
        if self.timeout.is_some() {
            spec.timeout.clone_from(&self.timeout);
        }
        spec.follow_redirects = self.follow_redirects.or(spec.follow_redirects);
        spec.max_redirects = self.max_redirects.or(spec.max_redirects);
        spec.follow_original_http_method = self
            .follow_original_http_method
            .or(spec.follow_original_http_method);
        spec.insecure = self.insecure.or(spec.insecure);
        if self.http_version.is_some() {
            spec.http_version.clone_from(&self.http_version);
        }
    }
}

impl RequestSpec {
    /// Checks the sending options (`timeout`, `maxRedirects`, `httpVersion`), as `prepare` does.
    pub(crate) fn check_settings(&self) -> Result<(), ValidationError> {
        self.checked_timeout()?;
        self.checked_max_redirects()?;
        if let Some(v) = &self.http_version {
            HttpVersionPref::parse(v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_are_checked_as_a_request_checks_them() {
        let field = |v| RequestSettings::from_value(v).unwrap_err().field;
        assert_eq!(field(json!({"httpVersion": "9"})), "httpVersion");
        assert_eq!(field(json!({"maxRedirects": -1})), "maxRedirects");
        assert_eq!(field(json!({"timeout": "soon"})), "timeout");
        assert_eq!(field(json!({"proxy": "x"})), "proxy");
        let s = RequestSettings::from_value(json!({"timeout": "2s", "insecure": true})).unwrap();
        let mut spec = RequestSpec::default();
        s.apply_to(&mut spec);
        assert_eq!(
            (spec.timeout, spec.insecure),
            (Some(json!("2s")), Some(true))
        );
    }
}
