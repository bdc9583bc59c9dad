//! Run rows the database did not take (a full disk, an I/O error): the writer keeps them and
//! retries them, in order, before anything else, until they commit; meanwhile readers see each
//! such run as it would be, so a run the API accepted never reads as missing or stuck.

use super::types::{Run, RunStatus};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

/// A change to the `runs` table: kept whole so it can be retried.
#[derive(Debug, Clone)]
pub(crate) enum RunRow {
    Create(Run),
    Status {
        id: String,
        status: RunStatus,
        end_time: Option<i64>,
        summary: Option<serde_json::Value>,
        error: Option<String>,
    },
}

impl RunRow {
    pub(crate) fn id(&self) -> &str {
        match self {
            RunRow::Create(run) => &run.id,
            RunRow::Status { id, .. } => id,
        }
    }

    /// `run` as this row leaves it.
    pub(crate) fn apply_to(&self, run: &mut Run) {
        match self {
            RunRow::Create(new) => *run = new.clone(),
            RunRow::Status {
                status,
                end_time,
                summary,
                error,
                ..
            } => {
                // As the UPDATE does: only the fields given change.
                run.status = *status;
                run.end_time = end_time.or(run.end_time);
                if summary.is_some() {
                    run.summary.clone_from(summary);
                }
                if error.is_some() {
                    run.error.clone_from(error);
                }
            }
        }
    }
}

/// Runs whose latest rows are not committed yet, as they would read once they are.
#[derive(Debug, Default, Clone)]
pub struct Unrecorded(Arc<Mutex<HashMap<String, Run>>>);

impl Unrecorded {
    /// How `id` reads: the uncommitted version when there is one, else what the database has.
    pub fn overlay(&self, id: &str, stored: Option<Run>) -> Option<Run> {
        self.0.lock().get(id).cloned().or(stored)
    }

    /// A stored run as it reads: its uncommitted version when there is one.
    pub fn latest(&self, stored: Run) -> Run {
        self.0.lock().get(&stored.id).cloned().unwrap_or(stored)
    }

    /// `row` was not committed: readers see it from here. `stored` reads the run's committed
    /// row, for a status change to a run this does not hold yet.
    pub(crate) fn keep(&self, row: &RunRow, stored: impl FnOnce() -> Option<Run>) {
        let mut runs = self.0.lock();
        match runs.get_mut(row.id()) {
            Some(run) => row.apply_to(run),
            None => {
                let base = match row {
                    RunRow::Create(run) => Some(run.clone()),
                    RunRow::Status { .. } => stored(),
                };
                if let Some(mut run) = base {
                    row.apply_to(&mut run);
                    runs.insert(row.id().to_string(), run);
                }
            }
        }
    }

    /// Every kept row has committed.
    pub(crate) fn clear(&self) {
        self.0.lock().clear();
    }
}
