//! Postman collections: `files.rs` reads the files a run is given, `import/` reads Collection
//! v2.0 / v2.1 into flow steps (and converts OpenAPI, HAR and curl to it first), `curl_export.rs`
//! writes a request as a curl command, `run.rs`
//! runs one with a virtual user, `summary.rs` counts what happened as Newman does, and
//! `cli_report.rs` (with `cli_table.rs`, `cli_text.rs`, `cli_paint.rs` and `cli_verbose.rs`) /
//! `junit.rs` report it (the json reporter is the summary serialized).

mod auth_params;
mod cli_paint;
mod cli_report;
mod cli_table;
mod cli_text;
mod cli_verbose;
mod curl_export;
mod examples;
mod files;
mod folder_auth;
mod import;
mod junit;
mod run;
mod saved;
mod saved_extras;
mod shape;
mod spec;
mod summary;

pub use cli_report::{CliOptions, CliReporter};
pub use curl_export::{curl_command, saved_request_command, step_command, written_body, CurlBody};
pub use examples::{add_example, api_example, api_examples, remove_example, NewExample};
pub use files::{read_text, variable_scope};
pub use folder_auth::{api_auth, inherited_auth, postman_auth_of};
pub use import::{
    convert, detect, import, run_file, variable_list, Collection, ConvertOptions, Correlation,
    Format, HarOptions, ImportError, ImportOptions, ImportReport, Imported, ThinkTime,
};
pub use junit::junit_xml;
pub use run::run_collection;
pub use saved::{to_doc, to_tree};
pub(crate) use saved_extras::INLINE_FILE_KEY;
pub use spec::{run_options, CollectionRunSpec};
pub use summary::{Count, Execution, Failure, RunSummary, Stats};
