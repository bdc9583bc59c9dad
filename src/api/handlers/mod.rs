//! The endpoints, by topic. Each takes what it needs of the request (a JSON body, the id in the
//! path, the query) and returns a `Reply` or an `ApiError`; `dispatch` routes to them.

pub mod design;
pub mod runs;
pub mod saved;
pub mod system;
pub mod ui;
