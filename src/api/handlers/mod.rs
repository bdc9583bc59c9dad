//! The endpoints, by topic. Each takes what it needs of the request (a JSON body, the id in the
//! path, the query) and returns a `Reply` or an `ApiError`; `dispatch` routes to them.

pub(super) mod design;
pub(super) mod examples;
pub(super) mod runs;
pub(super) mod saved;
pub(super) mod system;
pub(super) mod ui;
