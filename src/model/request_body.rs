//! A request's body in the forms besides `body`: `formData` (multipart/form-data parts, files
//! inline as base64, as the browser uploads them) and `bodyFile` (a file's bytes as they are).
//! The multipart encoder here is the one flows use too.

use super::error::ValidationError;
use super::request::{Method, RequestSpec};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One part of a `formData` body as written: a text part (`value`) or a file part (`file`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormDataSpec {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<InlineFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

/// A file carried inside the request: its name, type and bytes as base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InlineFile {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    pub base64: String,
    /// The bytes were left out where the file is shown (a large upload in the history, a list
    /// of saved requests): `base64` is empty, and sending it is refused rather than sending
    /// an empty file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub omitted: bool,
}

/// One part of a multipart body, ready to encode.
#[derive(Debug, Clone, PartialEq)]
pub enum FormPart {
    Text {
        key: String,
        value: String,
        content_type: Option<String>,
    },
    File {
        key: String,
        file_name: String,
        bytes: Arc<Vec<u8>>,
        content_type: Option<String>,
    },
}

/// A built body and the Content-Type it implies (added unless the request sets one).
pub(crate) type BuiltBody = (Vec<u8>, Option<String>);

/// Browsers write padded base64; tools sometimes leave the padding off. Both are taken.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

impl InlineFile {
    /// A `bodyFile`'s bytes and the type it is sent with (its own, else
    /// `application/octet-stream`), checked.
    pub(crate) fn body(&self) -> Result<(Vec<u8>, String), ValidationError> {
        check_content_type("bodyFile.contentType", self.content_type.as_deref())?;
        let content_type = self
            .content_type
            .clone()
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| "application/octet-stream".into());
        Ok((self.bytes("bodyFile")?, content_type))
    }

    /// The file's bytes; `field` names it in the error.
    pub(crate) fn bytes(&self, field: &str) -> Result<Vec<u8>, ValidationError> {
        if self.omitted {
            return Err(ValidationError::new(
                format!("{field}.omitted"),
                "the file's bytes were left out (an upload over 64 KiB in the history, or a list of requests); give the file again",
            ));
        }
        BASE64.decode(self.base64.trim()).map_err(|e| {
            ValidationError::new(
                format!("{field}.base64"),
                format!("is not base64 ({e}); send the file's bytes base64-encoded (RFC 4648, standard alphabet)"),
            )
        })
    }
}

impl RequestSpec {
    /// The body `formData` or `bodyFile` make, if the request has one; refuses a request that
    /// gives more than one of `body`, `formData` and `bodyFile`.
    pub(crate) fn inline_body(&self, method: Method) -> Result<Option<BuiltBody>, ValidationError> {
        if method == Method::Head && (self.form_data.is_some() || self.body_file.is_some()) {
            let field = if self.form_data.is_some() {
                "formData"
            } else {
                "bodyFile"
            };
            return Err(ValidationError::new(
                field,
                "a HEAD request cannot carry a body; remove it or use another method",
            ));
        }
        let has_body = !matches!(self.body, None | Some(serde_json::Value::Null));
        match (has_body, &self.form_data, &self.body_file) {
            (_, Some(_), Some(_)) => Err(ValidationError::new(
                "bodyFile",
                "give one of `body`, `formData` and `bodyFile`, not both `formData` and `bodyFile`",
            )),
            (true, Some(_), None) => Err(ValidationError::new(
                "formData",
                "give one of `body`, `formData` and `bodyFile`; remove `body` to send a form",
            )),
            (true, None, Some(_)) => Err(ValidationError::new(
                "bodyFile",
                "give one of `body`, `formData` and `bodyFile`; remove `body` to send a file",
            )),
            (_, Some(parts), None) => form_body(parts).map(Some),
            (_, None, Some(file)) => {
                let (bytes, content_type) = file.body()?;
                Ok(Some((bytes, Some(content_type))))
            }
            (_, None, None) => Ok(None),
        }
    }
}

/// Refuses a content type with a line break (it goes into a header: it could add its own).
fn check_content_type(field: &str, value: Option<&str>) -> Result<(), ValidationError> {
    if value.is_some_and(|t| t.contains(['\r', '\n', '\0'])) {
        return Err(ValidationError::new(
            field,
            "contains a line break; a type goes into a header, put it on one line",
        ));
    }
    Ok(())
}

/// A request's uploaded files (JSON, as a saved request keeps them) with their bytes left out
/// and said to be (`omitted`): for where the request is listed, not sent.
pub(crate) fn omit_file_bytes(
    form_data: Option<&mut serde_json::Value>,
    body_file: Option<&mut serde_json::Value>,
) {
    let parts = form_data
        .and_then(serde_json::Value::as_array_mut)
        .into_iter()
        .flatten();
    let files = parts.filter_map(|p| p.get_mut("file")).chain(body_file);
    for file in files.filter_map(serde_json::Value::as_object_mut) {
        file.insert("base64".into(), "".into());
        file.insert("omitted".into(), true.into());
    }
}

/// A `formData` list as a multipart body: enabled parts, files decoded.
fn form_body(parts: &[FormDataSpec]) -> Result<BuiltBody, ValidationError> {
    Ok(multipart_body(&form_parts(parts)?, &mut |t| t.to_string()))
}

/// A `formData` list's enabled parts, checked, files decoded.
pub(crate) fn form_parts(parts: &[FormDataSpec]) -> Result<Vec<FormPart>, ValidationError> {
    let mut out = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        if p.disabled {
            continue;
        }
        let field = format!("formData[{i}]");
        let content_type = p
            .content_type
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        check_content_type(&format!("{field}.contentType"), content_type.as_deref())?;
        out.push(match (&p.value, &p.file) {
            (Some(_), Some(_)) => {
                return Err(ValidationError::new(
                    field,
                    "give a part a `value` (text) or a `file`, not both",
                ))
            }
            (_, Some(file)) => {
                check_content_type(
                    &format!("{field}.file.contentType"),
                    file.content_type.as_deref(),
                )?;
                FormPart::File {
                    key: p.key.clone(),
                    file_name: file.name.clone(),
                    bytes: Arc::new(file.bytes(&format!("{field}.file"))?),
                    content_type: content_type.or_else(|| file.content_type.clone()),
                }
            }
            (value, None) => FormPart::Text {
                key: p.key.clone(),
                value: value.clone().unwrap_or_default(),
                content_type,
            },
        });
    }
    Ok(out)
}

/// A multipart body of `parts` with a fresh boundary, text through `sub` (variables
/// substituted), and its Content-Type.
pub(crate) fn multipart_body(parts: &[FormPart], sub: &mut dyn FnMut(&str) -> String) -> BuiltBody {
    let boundary = format!("--------------------------{:024}", boundary_seed());
    let body = multipart(parts, &boundary, sub);
    (
        body,
        Some(format!("multipart/form-data; boundary={boundary}")),
    )
}

/// A `multipart/form-data` body: each part with its headers, text values through `sub`
/// (variables substituted), files as their bytes.
fn multipart(parts: &[FormPart], boundary: &str, sub: &mut dyn FnMut(&str) -> String) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            FormPart::Text {
                key,
                value,
                content_type,
            } => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"\r\n",
                        quote(&sub(key))
                    )
                    .as_bytes(),
                );
                if let Some(ct) = content_type {
                    body.extend_from_slice(
                        format!("Content-Type: {}\r\n", one_line(ct)).as_bytes(),
                    );
                }
                body.extend_from_slice(b"\r\n");
                body.extend_from_slice(sub(value).as_bytes());
            }
            FormPart::File {
                key,
                file_name,
                bytes,
                content_type,
            } => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                        quote(&sub(key)),
                        quote(file_name),
                        one_line(content_type.as_deref().unwrap_or("application/octet-stream"))
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

/// A part's type on one line: a line break in it (a collection's formdata `contentType`)
/// would end the part's headers and let the value write its own.
fn one_line(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

/// A name inside a quoted header parameter; line breaks percent-encoded as browsers encode
/// them (WHATWG's multipart/form-data encoding), so a name cannot end the part's headers.
fn quote(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Random digits for a multipart boundary: a body cannot be written to contain it (a clock's
/// nanoseconds could be guessed).
fn boundary_seed() -> u128 {
    let mut bytes = [0u8; 16];
    // Without the OS's randomness the clock is the next best source.
    if getrandom::getrandom(&mut bytes).is_err() {
        bytes = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
            .to_le_bytes();
    }
    u128::from_le_bytes(bytes) % 10u128.pow(24)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> RequestSpec {
        RequestSpec::from_value(json).unwrap()
    }

    #[test]
    fn form_parts_are_encoded_with_files_decoded_and_disabled_ones_left_out() {
        let s = spec(serde_json::json!({"url": "http://h/", "formData": [
            {"key": "a", "value": "1"},
            {"key": "off", "value": "x", "disabled": true},
            {"key": "f", "file": {"name": "b.bin", "contentType": "image/png", "base64": "AAEC/w=="}}
        ]}));
        let (body, ct) = s.inline_body(Method::Post).unwrap().unwrap();
        let ct = ct.unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let mut expected = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"b.bin\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
        expected.extend_from_slice(&[0, 1, 2, 255]);
        expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        assert_eq!(body, expected);
    }

    #[test]
    fn line_breaks_in_a_part_name_are_percent_encoded_as_browsers_send_them() {
        let s = spec(serde_json::json!({"url": "http://h/", "formData": [
            {"key": "a\r\nX-Evil: 1", "value": "v"}]}));
        let (body, _) = s.inline_body(Method::Post).unwrap().unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.contains("name=\"a%0D%0AX-Evil: 1\"\r\n\r\nv"),
            "{text}"
        );
    }

    #[test]
    fn a_type_with_a_line_break_is_refused_and_a_collections_is_kept_on_one_line() {
        for (json, field) in [
            (
                serde_json::json!({"bodyFile": {"name": "f", "contentType": "text/plain\r\nX-Evil: 1", "base64": ""}}),
                "bodyFile.contentType",
            ),
            (
                serde_json::json!({"formData": [{"key": "f", "file": {"name": "f", "contentType": "a/b\nX: 1", "base64": ""}}]}),
                "formData[0].file.contentType",
            ),
            (
                serde_json::json!({"formData": [{"key": "t", "value": "v", "contentType": "a/b\r\nX: 1"}]}),
                "formData[0].contentType",
            ),
        ] {
            let mut request = serde_json::json!({"method": "POST", "url": "http://h/"});
            request
                .as_object_mut()
                .unwrap()
                .extend(json.as_object().unwrap().clone());
            assert_eq!(spec(request).prepare().unwrap_err().field, field);
        }
        // A collection's formdata type (the flows' path) is written on one line.
        let part = FormPart::Text {
            key: "t".into(),
            value: "v".into(),
            content_type: Some("a/b\r\nX-Evil: 1".into()),
        };
        let (body, _) = multipart_body(&[part], &mut |t| t.to_string());
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.contains("Content-Type: a/b  X-Evil: 1\r\n\r\nv"),
            "{text}"
        );
    }

    #[test]
    fn a_multipart_type_the_request_sets_gets_the_bodys_boundary() {
        let form = |content_type: &str| {
            let prepared = spec(serde_json::json!({"method": "POST", "url": "http://h/",
                "headers": {"Content-Type": content_type}, "formData": [{"key": "a", "value": "1"}]}))
            .prepare()
            .unwrap();
            let body = String::from_utf8(prepared.body.unwrap()).unwrap();
            let header = prepared
                .headers
                .iter()
                .find(|(k, _)| k == "Content-Type")
                .unwrap()
                .1
                .clone();
            (header, body)
        };
        for given in ["multipart/form-data", "multipart/form-data; boundary=mine"] {
            let (header, body) = form(given);
            let boundary = header
                .strip_prefix("multipart/form-data; boundary=")
                .unwrap();
            assert!(
                body.starts_with(&format!("--{boundary}\r\n")),
                "{header} {body}"
            );
        }
        let (header, _) = form("multipart/related; type=\"text/xml\"; Boundary=x");
        assert!(
            header.starts_with("multipart/related; type=\"text/xml\"; boundary="),
            "{header}"
        );
        // Another type the request sets is its own business.
        assert_eq!(form("text/plain").0, "text/plain");
    }

    /// The signing auths sign the bytes sent: a file body's Hawk payload hash is the one of the
    /// same bytes written as `body` with the same type.
    #[test]
    fn signing_auths_sign_the_file_body_sent() {
        let hawk = serde_json::json!({"type": "hawk", "authId": "id", "authKey": "key",
            "nonce": "n0nce", "timestamp": "1700000000", "includePayloadHash": true});
        let authorization = |extra: serde_json::Value| {
            let mut json = serde_json::json!({"method": "POST", "url": "http://h/", "auth": hawk});
            json.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            let prepared = spec(json).prepare().unwrap();
            let (_, value) = prepared
                .headers
                .iter()
                .find(|(k, _)| k == "Authorization")
                .cloned()
                .unwrap();
            value
        };
        let from_file = authorization(serde_json::json!({
            "bodyFile": {"name": "f", "contentType": "text/x", "base64": "aGkh"}}));
        let from_text = authorization(serde_json::json!({
            "body": "hi!", "headers": {"Content-Type": "text/x"}}));
        assert!(from_file.contains("hash=\""), "{from_file}");
        assert_eq!(from_file, from_text);
    }

    #[test]
    fn one_body_form_only_and_bad_base64_is_named() {
        let field = |j: serde_json::Value| spec(j).inline_body(Method::Post).unwrap_err().field;
        let file = serde_json::json!({"name": "x", "base64": "AA=="});
        assert_eq!(
            field(serde_json::json!({"url": "http://h/", "body": "x", "bodyFile": file})),
            "bodyFile"
        );
        assert_eq!(
            field(serde_json::json!({"url": "http://h/", "body": {"a": 1}, "formData": []})),
            "formData"
        );
        assert_eq!(
            field(serde_json::json!({"url": "http://h/", "formData": [
                {"key": "a", "value": "1"},
                {"key": "f", "file": {"name": "x", "base64": "not base64!"}}]})),
            "formData[1].file.base64"
        );
        let (bytes, ct) = spec(serde_json::json!({"url": "http://h/", "bodyFile": file}))
            .inline_body(Method::Post)
            .unwrap()
            .unwrap();
        assert_eq!(
            (bytes, ct.as_deref()),
            (vec![0], Some("application/octet-stream"))
        );
    }
}
