//! Plain request, response and error types and their validation. No I/O here.

pub mod duration;
pub mod error;
pub mod request;
pub mod response;

pub use error::{ErrorCategory, TransferError, ValidationError};
pub use request::{
    percent_encode_query, ApiKeyPlace, AuthSpec, HeaderSpec, HeaderSpecs, HttpVersionPref, Method,
    PreparedRequest, RequestSpec, ScriptSource,
};
pub use response::{BodyEncoding, Header, Response, Timings};
