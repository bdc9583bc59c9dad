//! Plain request, response and error types and their validation. No I/O here.

pub(crate) mod auth;
pub(crate) mod duration;
pub(crate) mod error;
mod path_variables;
pub(crate) mod request;
mod request_body;
mod request_settings;
pub(crate) mod response;

pub use error::{ErrorCategory, TransferError, ValidationError};
pub(crate) use path_variables::resolve_path_variables;
pub(crate) use request::add_content_type;
pub use request::{
    percent_encode_query, ApiKeyPlace, AuthSpec, HeaderSpec, HeaderSpecs, HttpVersionPref, Method,
    PreparedRequest, RequestSpec, ScriptSource, TlsOptions,
};
pub(crate) use request_body::{form_parts, multipart_body, omit_file_bytes};
pub use request_body::{FormDataSpec, FormPart, InlineFile};
pub use request_settings::RequestSettings;
pub use response::{BodyEncoding, Header, RedirectHop, Response, Timings};

/// Text with nothing but white space in it (or nothing at all). White space is Unicode's, as
/// Rust has it, plus U+FEFF, so that it is exactly what the API contract's `[^\s\u0085]`
/// pattern (JavaScript's `\s`, which has U+FEFF but not U+0085) refuses.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || c == '\u{feff}')
}
