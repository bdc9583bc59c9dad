//! Newman's cli reporter, as text: each request with its assertions as it runs, then the
//! summary table, the run's duration and response times, and the failures.

use super::import::Collection;
use super::summary::{Count, RunSummary};
use crate::flow::{FlowEvent, StepRecord};
use std::fmt::Write;

/// What the cli reporter leaves out, and its symbols (Newman's `--reporter-cli-no-summary`,
/// `--reporter-cli-no-failures`, `--disable-unicode`).
#[derive(Debug, Clone, Copy, Default)]
pub struct CliOptions {
    pub no_summary: bool,
    pub no_failures: bool,
    pub ascii: bool,
}

/// Prints events as they come; remembers the folder it is in.
pub struct CliReporter {
    iterations: u64,
    options: CliOptions,
    folders: Vec<String>,
    /// Failures numbered so far, so each `N.` line matches the failure list.
    failures: usize,
}

impl CliReporter {
    pub fn new(iterations: u64, options: CliOptions) -> CliReporter {
        CliReporter {
            iterations,
            options,
            folders: Vec::new(),
            failures: 0,
        }
    }

    pub fn start(collection: &Collection) -> String {
        format!("vayu\n\n{}\n", collection.name)
    }

    pub fn event(&mut self, event: &FlowEvent, collection: &Collection) -> String {
        let out = self.event_text(event, collection);
        self.symbols(out)
    }

    fn event_text(&mut self, event: &FlowEvent, collection: &Collection) -> String {
        let mut out = String::new();
        match event {
            FlowEvent::Iteration { iteration } => {
                self.folders.clear();
                // As Newman: no banner for a run of one iteration.
                if self.iterations > 1 {
                    let _ = writeln!(out, "\nIteration {}/{}", iteration + 1, self.iterations);
                }
            }
            FlowEvent::Step(record) => self.step(&mut out, record, collection),
            FlowEvent::Finished { .. } => {}
        }
        out
    }

    fn step(&mut self, out: &mut String, record: &StepRecord, collection: &Collection) {
        let step = &collection.steps[record.step];
        if step.folders != self.folders {
            if !step.folders.is_empty() {
                let _ = writeln!(out, "\n❏ {}", step.folders.join(" / "));
            }
            self.folders.clone_from(&step.folders);
        }
        let arrow = if step.folders.is_empty() {
            "→"
        } else {
            "↳"
        };
        let _ = writeln!(out, "{arrow} {}", step.name);
        match (&record.request, &record.response, &record.error) {
            _ if record.skipped => {
                let _ = writeln!(out, "  (skipped by pm.execution.skipRequest())");
            }
            (Some(req), Some(resp), _) => {
                let _ = writeln!(
                    out,
                    "  {} {} [{} {}, {}, {}]",
                    req.method,
                    req.url,
                    resp.status,
                    resp.status_text,
                    bytes(resp.body_size),
                    millis(resp.timings.total)
                );
            }
            (req, _, Some(error)) => {
                self.failures += 1;
                let url = req.as_ref().map_or(step.request.url.as_str(), |r| &r.url);
                let method = req
                    .as_ref()
                    .map_or(step.request.method.as_str(), |r| &r.method);
                let _ = writeln!(out, "  {method} {url} [errored]");
                let _ = writeln!(out, "  {}. {}", self.failures, error.message);
            }
            _ => {}
        }
        let mut lines = Vec::new();
        for (phase, outcomes) in [("prerequest", &record.pre_request), ("test", &record.test)] {
            for outcome in outcomes {
                for c in &outcome.console {
                    lines.push(format!("  ┊ {}", c.message));
                }
                for t in &outcome.tests {
                    if t.skipped {
                        lines.push(format!("  -  {} (skipped)", t.name));
                    } else if t.passed {
                        lines.push(format!("  ✓  {}", t.name));
                    } else {
                        self.failures += 1;
                        lines.push(format!("  {}. {}", self.failures, t.name));
                    }
                }
                if let Some(e) = &outcome.error {
                    self.failures += 1;
                    lines.push(format!(
                        "  {}. ⚠ {phase}-script error: {}",
                        self.failures, e.message
                    ));
                }
            }
        }
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }

    /// The table, timings and failure list after the run, as the options say.
    pub fn summary(&self, summary: &RunSummary) -> String {
        let mut out = String::new();
        if !self.options.no_summary {
            out.push_str(&Self::table(summary));
        }
        if !self.options.no_failures {
            out.push_str(&Self::failures(summary));
        }
        self.symbols(out)
    }

    /// ASCII for terminals and logs without Unicode (`--disable-unicode`).
    fn symbols(&self, text: String) -> String {
        if !self.options.ascii {
            return text;
        }
        text.chars()
            .map(|c| match c {
                '→' | '↳' => ">".to_string(),
                '❏' => "#".to_string(),
                '✓' => "ok".to_string(),
                '┊' | '│' => "|".to_string(),
                '⚠' => "!".to_string(),
                '─' => "-".to_string(),
                '┌' | '┬' | '┐' | '├' | '┼' | '┤' | '┴' | '└' | '┘' => {
                    "+".to_string()
                }
                'µ' => "u".to_string(),
                c => c.to_string(),
            })
            .collect()
    }

    fn table(summary: &RunSummary) -> String {
        let mut out = String::new();
        let s = &summary.stats;
        let rows: [(&str, Count); 5] = [
            ("iterations", s.iterations),
            ("requests", s.requests),
            ("test-scripts", s.test_scripts),
            ("prerequest-scripts", s.prerequest_scripts),
            ("assertions", s.assertions),
        ];
        let line = |l: char, m: char, r: char| {
            format!(
                "{l}{}{m}{}{m}{}{r}\n",
                "─".repeat(26),
                "─".repeat(12),
                "─".repeat(12)
            )
        };
        out.push_str(&line('┌', '┬', '┐'));
        let _ = writeln!(out, "│{:>25} │{:>11} │{:>11} │", "", "executed", "failed");
        for (name, count) in rows {
            out.push_str(&line('├', '┼', '┤'));
            let _ = writeln!(
                out,
                "│{name:>25} │{:>11} │{:>11} │",
                count.total, count.failed
            );
        }
        out.push_str(&line('├', '┴', '┤'));
        let rt = summary.response_time;
        let mut facts = vec![
            format!(
                "total run duration: {}",
                duration(summary.duration().as_micros() as u64)
            ),
            format!(
                "total data received: {} (approx)",
                bytes(summary.bytes_received)
            ),
            format!(
                "average response time: {} [min: {}, max: {}, s.d.: {}]",
                ms(rt.average),
                ms(rt.min),
                ms(rt.max),
                ms(rt.sd)
            ),
        ];
        if let Some(why) = &summary.stopped {
            facts.push(format!("run stopped: {why}"));
        }
        for (i, fact) in facts.iter().enumerate() {
            if i > 0 {
                let _ = writeln!(out, "├{}┤", "─".repeat(52));
            }
            let _ = writeln!(out, "│ {fact}");
        }
        let _ = writeln!(out, "└{}┘", "─".repeat(52));
        out
    }

    fn failures(summary: &RunSummary) -> String {
        let mut out = String::new();
        if !summary.failures.is_empty() {
            let _ = writeln!(out, "\n  #  failure         detail\n");
            // As Newman's table: the failure's name (with its iteration, in a run of several)
            // beside its detail (the test, the message, where, inside which request).
            let several = summary.stats.iterations.total > 1;
            for (i, f) in summary.failures.iter().enumerate() {
                let mut names = vec![f.kind.clone()];
                if several {
                    names.push(format!("iteration: {}", f.iteration + 1));
                }
                let mut detail = vec![f.test.clone()];
                detail.extend(f.message.lines().map(str::to_string));
                detail.push(format!("at {}", f.at));
                detail.push(format!("inside \"{}\"", f.source));
                for (row, text) in detail.iter().enumerate() {
                    let name = names.get(row).map_or("", String::as_str);
                    let index = if row == 0 {
                        format!("{}.", i + 1)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(out, "{index:>3}  {name:<15} {text}");
                }
                out.push('\n');
            }
        }
        out
    }
}

fn bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n}B")
    } else if n < 1024 * 1024 {
        format!("{:.2}kB", n as f64 / 1024.0)
    } else {
        format!("{:.2}MB", n as f64 / 1024.0 / 1024.0)
    }
}

fn millis(micros: u64) -> String {
    ms(micros as f64 / 1000.0)
}

fn ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{:.0}µs", ms * 1000.0)
    } else {
        format!("{ms:.0}ms")
    }
}

fn duration(micros: u64) -> String {
    let ms = micros as f64 / 1000.0;
    if ms < 1000.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{:.1}s", ms / 1000.0)
    }
}
