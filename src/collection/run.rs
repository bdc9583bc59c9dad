//! Runs a collection with one virtual user on an engine and folds what it reports into a
//! [`RunSummary`], handing each event to the caller first (to print or record it live).

use super::import::Collection;
use super::summary::RunSummary;
use crate::engine::EventLoop;
use crate::flow::{FlowEvent, FlowJob, FlowOptions};
use crate::script::Variables;
use std::sync::Arc;

/// Runs `collection` once through (`options.iterations` times), with `variables` (environment,
/// globals; the collection's own variables are added under any given), calling `observe` with
/// each event and the summary so far.
pub fn run_collection(
    engine: &EventLoop,
    collection: &Collection,
    mut variables: Variables,
    options: FlowOptions,
    mut observe: impl FnMut(&FlowEvent, &RunSummary),
) -> RunSummary {
    let mut summary = RunSummary::new(collection);
    for (k, v) in &collection.variables {
        variables
            .collection
            .entry(k.clone())
            .or_insert_with(|| v.clone());
    }
    let (tx, rx) = crossbeam_channel::unbounded();
    let job = FlowJob::new(
        Arc::new(collection.steps.clone()),
        Arc::new(options),
        variables,
        tx,
    );
    if !engine.submit_job(Box::new(job)) {
        summary.stopped = Some("the engine has stopped".into());
        return summary;
    }
    // The job always ends with `Finished` (also when the engine stops it); a closed channel
    // without it would be a job dropped unfinished, which must not hang the run.
    for event in rx {
        observe(&event, &summary);
        let last = matches!(event, FlowEvent::Finished { .. });
        summary.add(event, collection);
        if last {
            return summary;
        }
    }
    summary.stopped = Some("the engine dropped the run before it finished".into());
    summary
}
