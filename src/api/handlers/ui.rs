//! `GET /ui/` and its files: the Manager in the browser.

use crate::api::error::ApiError;
use crate::api::reply::Reply;

/// `GET /ui/` and its files.
pub(crate) fn ui_file(name: &str) -> Result<Reply, ApiError> {
    crate::ui::asset(name)
        .map(|(content_type, content)| Reply::File(content_type, content))
        .ok_or_else(|| {
            ApiError::not_found(format!("the dashboard has no file `{name}`; open /ui/"))
        })
}
