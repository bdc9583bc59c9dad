//! The scripts of one worker's share of a batch or load run: pre-request scripts before sends,
//! test scripts on responses, and the phases of either that wait for their `pm.sendRequest`
//! responses. Everything runs on the share's worker; results go into the caller's tally.
//!
//! [`new_run`]: super::new_run

use super::host::end_run;
use super::pre_request::PreRequest;
use super::runner::{ResponseTest, TestTally};
use super::waiting::{Finished, NextSend, WaitingScripts};
use super::{ScriptLimits, Variables};
use crate::engine::{BeforeSend, Extra, Outcome};
use crate::model::{PreparedRequest, Response};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

pub struct ShareScripts {
    /// The run whose scripts these are: on this worker they have a runtime of their own.
    run: u64,
    /// The share's own copy of the run's variables.
    pub variables: Variables,
    waiting: WaitingScripts,
    /// Sends whose pre-request phase ended after waiting, by tag: to start next.
    held: VecDeque<(u64, PreparedRequest)>,
    limits: ScriptLimits,
}

impl ShareScripts {
    /// The scripts of one worker's share of run `run` (see [`new_run`]).
    pub fn new(run: u64, variables: Variables) -> ShareScripts {
        ShareScripts {
            run,
            variables,
            waiting: WaitingScripts::new(run),
            held: VecDeque::new(),
            limits: ScriptLimits::default(),
        }
    }

    /// Runs a pre-request script before the send tagged `tag`.
    pub fn before_send(&mut self, pre: &PreRequest, tag: u64, tally: &mut TestTally) -> BeforeSend {
        match pre.run(self.run, &mut self.variables, self.limits, tag, tag) {
            Ok((outcome, request)) => {
                tally.add(&outcome);
                match request {
                    Some(request) => BeforeSend::Send(request),
                    None => BeforeSend::Skip,
                }
            }
            Err(waiting) => {
                self.waiting.add(*waiting, Instant::now(), self.limits);
                BeforeSend::Later
            }
        }
    }

    /// Runs a test script on the response of send `iteration`.
    pub fn test(
        &mut self,
        test: &ResponseTest,
        response: &Response,
        iteration: u64,
        tally: &mut TestTally,
    ) {
        match test.run(
            self.run,
            response,
            &mut self.variables,
            self.limits,
            iteration,
        ) {
            Ok(outcome) => tally.add(&outcome),
            Err(waiting) => self.waiting.add(*waiting, Instant::now(), self.limits),
        }
    }

    /// What to start for the waiting scripts: a side request, or a send held back until its
    /// pre-request phase ended; else when to look again, if anything waits.
    pub fn extra(&mut self, now: Instant, tally: &mut TestTally) -> Extra {
        if self.waiting.is_empty() && self.held.is_empty() {
            return Extra::Idle;
        }
        for finished in self
            .waiting
            .expire(Some(now), &mut self.variables, self.limits)
        {
            self.finished(finished, tally);
        }
        loop {
            if let Some((tag, request)) = self.held.pop_front() {
                return Extra::Start {
                    tag,
                    request: Arc::new(request),
                };
            }
            match self.waiting.next(&mut self.variables, self.limits) {
                Some(NextSend::Start { tag, request }) => return Extra::Start { tag, request },
                Some(NextSend::Finished(finished)) => self.finished(finished, tally),
                None => break,
            }
        }
        self.waiting.deadline().map_or(Extra::Idle, Extra::At)
    }

    /// Sends not in flight yet that will go out: their pre-request scripts wait, or they are
    /// held. They count against a share's concurrency.
    pub fn sends_pending(&self) -> usize {
        if self.waiting.is_empty() {
            self.held.len()
        } else {
            self.held.len() + self.waiting.sends_waiting()
        }
    }

    /// Until when the share must stay for its scripts (now, if a send is held), if at all.
    pub fn busy_until(&self, now: Instant) -> Option<Instant> {
        if self.held.is_empty() {
            self.waiting.deadline()
        } else {
            Some(now)
        }
    }

    /// A side request (tagged with the engine's `SIDE_TAG`) finished.
    pub fn side_completed(&mut self, tag: u64, outcome: &Outcome, tally: &mut TestTally) {
        if let Some(finished) =
            self.waiting
                .completed(tag, outcome, &mut self.variables, self.limits)
        {
            self.finished(finished, tally);
        }
    }

    /// The run ends: phases still waiting fail now, sends held back are not made, and the
    /// run's runtime on this worker goes.
    pub fn end(&mut self, tally: &mut TestTally) {
        for finished in self.waiting.expire(None, &mut self.variables, self.limits) {
            self.finished(finished, tally);
        }
        self.held.clear();
        end_run(self.run);
    }

    fn finished(&mut self, finished: Finished, tally: &mut TestTally) {
        match finished {
            // A share adds no design phases; were there one, its tests still count.
            Finished::Test(outcome)
            | Finished::Design { outcome, .. }
            | Finished::Flow { outcome, .. } => tally.add(&outcome),
            Finished::PreRequest {
                tag,
                outcome,
                request,
            } => {
                tally.add(&outcome);
                if let Some(request) = request {
                    self.held.push_back((tag, request));
                }
            }
        }
    }
}
