//! The run file and its plan, split the way k6 splits its executors: the file as written
//! (`spec.rs`, deserialised once), its fields' parsers (`fields.rs`), the shortcuts (`mode`,
//! `targetRps`, `concurrency`) turned into pacing in one place (`shortcuts.rs`), k6's executors
//! (`executor.rs`) and their stages (`stages.rs`), the pacing they come to (`mode.rs`), a
//! flow's journey (`flow.rs`), and the checked [`LoadPlan`] built in steps (`load_plan.rs`).

mod executor;
mod fields;
mod flow;
mod load_plan;
mod mode;
mod shortcuts;
mod spec;
mod stages;

pub(super) use flow::FlowPlan;
pub use load_plan::LoadPlan;
pub use mode::Mode;
#[cfg(test)]
pub(super) use mode::{SendWindow, DENSE_SEND_WINDOW};
pub use spec::{LoadConfigSpec, RunSpec, StageSpec};
