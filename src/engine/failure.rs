//! Maps libcurl errors to the engine's error categories.

use crate::model::{ErrorCategory, TransferError};

/// The category a libcurl error belongs to; anything unrecognised is a protocol error.
pub(super) fn categorize(err: &curl::Error) -> ErrorCategory {
    if err.is_couldnt_resolve_host() || err.is_couldnt_resolve_proxy() {
        ErrorCategory::Dns
    } else if err.is_couldnt_connect() {
        ErrorCategory::Connect
    } else if err.is_operation_timedout() {
        ErrorCategory::Timeout
    } else if err.is_ssl_connect_error()
        || err.is_peer_failed_verification()
        || err.is_ssl_certproblem()
        || err.is_ssl_cipher()
        || err.is_ssl_cacert()
        || err.is_ssl_cacert_badfile()
        || err.is_ssl_issuer_error()
        || err.is_ssl_shutdown_failed()
        || err.is_use_ssl_failed()
    {
        ErrorCategory::Tls
    } else if err.is_too_many_redirects() {
        ErrorCategory::TooManyRedirects
    } else if err.is_url_malformed() || err.is_unsupported_protocol() {
        ErrorCategory::InvalidUrl
    } else if err.is_filesize_exceeded() {
        ErrorCategory::BodyTooLarge
    } else if err.is_aborted_by_callback() {
        ErrorCategory::Aborted
    } else {
        ErrorCategory::Protocol
    }
}

/// A transfer error with libcurl's detailed message when it has one, its generic one otherwise.
pub(super) fn transfer_error(err: &curl::Error) -> TransferError {
    if err.is_couldnt_connect() {
        if let Some(peer) = super::self_guard::take_refusal() {
            return TransferError::new(
                ErrorCategory::Connect,
                super::self_guard::refusal_message(peer),
            );
        }
    }
    let message = match err.extra_description() {
        Some(extra) if !extra.is_empty() => extra.to_string(),
        _ => err.description().to_string(),
    };
    TransferError::new(categorize(err), message)
}
