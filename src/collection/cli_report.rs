//! Newman's cli reporter, as text: each request with its assertions as it runs, then the
//! summary table, the run's duration and response times, and the failures.

use super::cli_paint::Paint;
use super::cli_table::{self, FailureRow, Frame};
use super::cli_text::{micros, millis, quoted, size, wrap};
use super::import::Collection;
use super::summary::{Count, RunSummary};
use crate::flow::{FlowEvent, Step, StepRecord};
use crate::model::Response;
use crate::script::{ConsoleLine, NextRequest, ScriptOutcome};
use std::fmt::Write;

/// What the cli reporter leaves out, and its symbols (Newman's `--reporter-cli-no-summary`,
/// `--reporter-cli-no-failures`, `--disable-unicode`).
#[derive(Debug, Clone, Copy, Default)]
pub struct CliOptions {
    pub no_summary: bool,
    pub no_failures: bool,
    pub ascii: bool,
    /// ANSI colours as Newman's (`--color`).
    pub color: bool,
    /// Each request's and response's details (`--verbose`).
    pub verbose: bool,
}

/// Prints events as they come; remembers the folder it is in.
pub struct CliReporter {
    iterations: u64,
    options: CliOptions,
    folders: Vec<String>,
    /// Failures numbered so far, so each `N.` line matches the failure list.
    failures: usize,
    /// The last record was a digest request's unsigned send: its signed send goes on under the
    /// same heading, as Newman prints both.
    continuing: bool,
}

impl CliReporter {
    pub fn new(iterations: u64, options: CliOptions) -> CliReporter {
        CliReporter {
            iterations,
            options,
            folders: Vec::new(),
            failures: 0,
            continuing: false,
        }
    }

    pub fn start(collection: &Collection) -> String {
        format!("vayu\n\n{}\n", collection.name)
    }

    pub fn event(&mut self, event: &FlowEvent, collection: &Collection) -> String {
        let mut out = String::new();
        match event {
            // As Newman: no banner for a run of one iteration.
            FlowEvent::Iteration { iteration } if self.iterations > 1 => {
                let _ = writeln!(out, "\nIteration {}/{}", iteration + 1, self.iterations);
            }
            FlowEvent::Step(record) => self.step(&mut out, record, collection),
            _ => {}
        }
        out
    }

    /// A request as Newman prints it when it runs: its folder when that changed, its name,
    /// then what happened in the order it happened (pre-request scripts, the request, test
    /// scripts), console lines in boxes between the assertions.
    fn step(&mut self, out: &mut String, record: &StepRecord, collection: &Collection) {
        let symbols = Symbols::new(self.options.ascii);
        let paint = Paint(self.options.color);
        let step = &collection.steps[record.step];
        if !std::mem::replace(&mut self.continuing, record.auth_challenged) {
            self.heading(out, step, &symbols);
        }
        let mut lines = Lines::default();
        self.scripts(
            &mut lines,
            &record.pre_request,
            "prerequest",
            &symbols,
            paint,
        );
        self.request(&mut lines, record, step, paint);
        self.scripts(&mut lines, &record.test, "test", &symbols, paint);
        if let Some(NextRequest::Named(next)) = record
            .test
            .iter()
            .rev()
            .find_map(|o| o.next_request.as_ref())
        {
            lines.text(String::new());
            lines.text(format!("Attempting to set next request to {next}"));
        }
        out.push_str(&lines.finish(&symbols));
    }

    /// The request's folder when that changed, then its name.
    fn heading(&mut self, out: &mut String, step: &Step, symbols: &Symbols) {
        if step.folders != self.folders {
            if !step.folders.is_empty() {
                let _ = write!(out, "\n{} {}", symbols.folder, step.folders.join(" / "));
            }
            self.folders.clone_from(&step.folders);
        }
        let arrow = if step.folders.is_empty() {
            symbols.root
        } else {
            symbols.sub
        };
        let _ = writeln!(out, "\n{arrow} {}", step.name);
    }

    /// What was sent and what came back (with `--verbose`, the details), or the error.
    fn request(&mut self, lines: &mut Lines, record: &StepRecord, step: &Step, paint: Paint) {
        match (&record.request, &record.response, &record.error) {
            _ if record.skipped => {}
            (Some(req), Some(resp), _) if self.options.verbose => {
                lines.text(format!(
                    "  {} {}  ",
                    paint.gray(&req.method),
                    paint.gray(&req.url)
                ));
                let mut details = String::new();
                super::cli_verbose::details(&mut details, step, req, resp, paint, size, micros);
                if self.options.ascii {
                    // Newman's plain-text star, arrows and boxes.
                    details = details
                        .replace('★', "*")
                        .replace('↑', "^")
                        .replace('↓', "v")
                        .replace('┌', "-")
                        .replace('│', "|")
                        .replace('└', "-");
                }
                details.lines().for_each(|l| lines.text(l.to_string()));
            }
            (Some(req), Some(resp), _) => lines.text(format!(
                "  {} {} {}",
                paint.gray(&req.method),
                paint.gray(&req.url),
                paint.gray(&format!(
                    "[{} {}, {}, {}]",
                    resp.status,
                    resp.status_text,
                    size(response_size(resp)),
                    micros(resp.timings.total)
                ))
            )),
            (req, _, Some(error)) => {
                self.failures += 1;
                let url = req.as_ref().map_or(step.request.url.as_str(), |r| &r.url);
                let method = req
                    .as_ref()
                    .map_or(step.request.method.as_str(), |r| &r.method);
                lines.text(format!(
                    "  {} {} {}",
                    paint.gray(method),
                    paint.gray(url),
                    paint.red("[errored]")
                ));
                lines.text(paint.red(&format!("     {}", error.message)));
            }
            _ => {}
        }
    }

    /// Each script's console lines and assertions in the order they came, then its error.
    fn scripts(
        &mut self,
        lines: &mut Lines,
        outcomes: &[ScriptOutcome],
        phase: &str,
        symbols: &Symbols,
        paint: Paint,
    ) {
        for outcome in outcomes {
            let mut console = outcome.console.iter().peekable();
            for (i, t) in outcome.tests.iter().enumerate() {
                while let Some(c) = console.next_if(|c| c.at <= i) {
                    lines.console(c);
                }
                if t.skipped {
                    lines.text(format!("  -  [skipped] {}", t.name));
                } else if t.passed {
                    let ok = format!("  {} ", symbols.ok);
                    lines.text(format!("{} {}", paint.green(&ok), paint.gray(&t.name)));
                } else {
                    self.failures += 1;
                    let number = format!("{:>3}.", self.failures);
                    lines.text(format!(
                        "{} {}",
                        paint.red_bold(&number),
                        paint.red_bold(&t.name)
                    ));
                }
            }
            console.for_each(|c| lines.console(c));
            if let Some(e) = &outcome.error {
                self.failures += 1;
                let name = e.name.as_deref().unwrap_or("Error");
                lines.text(
                    paint.red_bold(&format!("{:>3}⠄ {name} in {phase}-script", self.failures)),
                );
            }
        }
    }

    /// The table, timings and failure list after the run, as the options say.
    pub fn summary(&self, summary: &RunSummary) -> String {
        let mut out = String::new();
        if !self.options.no_summary {
            out.push('\n');
            out.push_str(&Self::table(
                summary,
                self.options.ascii,
                Paint(self.options.color),
            ));
        }
        if !self.options.no_failures && !summary.failures.is_empty() {
            out.push('\n');
            out.push_str(&Self::failures(summary));
        }
        out
    }

    fn table(summary: &RunSummary, ascii: bool, paint: Paint) -> String {
        let s = &summary.stats;
        let rows: Vec<(&str, u64, u64)> = [
            ("iterations", s.iterations),
            ("requests", s.requests),
            ("test-scripts", s.test_scripts),
            ("prerequest-scripts", s.prerequest_scripts),
            ("assertions", s.assertions),
        ]
        .into_iter()
        .map(|(name, c): (&str, Count)| (name, c.total, c.failed))
        .collect();
        let rt = summary.response_time;
        let mut facts = vec![
            format!(
                "total run duration: {}",
                millis(summary.duration().as_secs_f64() * 1000.0)
            ),
            format!(
                "total data received: {} (approx)",
                size(summary.bytes_received)
            ),
        ];
        if summary.stats.requests.total > 0 {
            facts.push(format!(
                "average response time: {} [min: {}, max: {}, s.d.: {}]",
                millis(rt.average),
                millis(rt.min),
                millis(rt.max),
                millis(rt.sd)
            ));
        }
        if let Some(why) = &summary.stopped {
            facts.push(format!("run stopped: {why}"));
        }
        cli_table::summary(&rows, &facts, Frame::new(ascii), paint)
    }

    /// Newman's failure list: the number, the error's name (with its iteration, in a run of
    /// several) beside the test, the message, where, and inside which request.
    fn failures(summary: &RunSummary) -> String {
        let several = summary.stats.iterations.total > 1;
        let digits = summary.failures.len().to_string().len();
        let rows: Vec<FailureRow> = summary
            .failures
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut name = vec![f.kind.clone()];
                if several {
                    name.push(format!("iteration: {}", f.iteration + 1));
                }
                let mut detail = vec![f.test.clone()];
                detail.extend(f.message.lines().map(str::to_string));
                detail.push(format!("at {}", f.at));
                detail.push(format!("inside \"{}\"", f.source));
                FailureRow {
                    number: format!("{:>digits$}.", i + 1),
                    name,
                    detail,
                }
            })
            .collect();
        cli_table::failures(&rows)
    }
}

/// The symbols of Newman's cli reporter, or its plain-text set (`--disable-unicode`).
struct Symbols {
    folder: &'static str,
    root: &'static str,
    sub: &'static str,
    ok: &'static str,
    console: [&'static str; 3],
}

impl Symbols {
    fn new(ascii: bool) -> Symbols {
        if ascii {
            Symbols {
                folder: "Folder",
                root: "Root",
                sub: "Sub-folder",
                ok: "Pass",
                console: ["-", "|", "-"],
            }
        } else {
            Symbols {
                folder: "❏",
                root: "→",
                sub: "↳",
                ok: "✓",
                console: ["┌", "│", "└"],
            }
        }
    }
}

/// A request's lines; console lines that come one after another share one box.
#[derive(Default)]
struct Lines {
    items: Vec<(bool, String)>,
}

impl Lines {
    fn text(&mut self, line: String) {
        self.items.push((false, line));
    }

    fn console(&mut self, line: &ConsoleLine) {
        let shown = if line.shown.is_empty() {
            quoted(&line.message)
        } else {
            line.shown.clone()
        };
        self.items.push((true, shown));
    }

    fn finish(self, symbols: &Symbols) -> String {
        let [top, middle, bottom] = symbols.console;
        let mut out = String::new();
        let mut boxed = false;
        for (console, text) in self.items {
            if console && !boxed {
                let _ = writeln!(out, "  {top}");
            } else if !console && boxed {
                let _ = writeln!(out, "  {bottom}");
            }
            boxed = console;
            if console {
                for piece in wrap(&text) {
                    let _ = writeln!(out, "  {middle} {piece}");
                }
            } else {
                let _ = writeln!(out, "{text}");
            }
        }
        if boxed {
            let _ = writeln!(out, "  {bottom}");
        }
        out
    }
}

/// A response's size as Newman's postman-collection counts it: the body and the head (status
/// line and headers) it came with.
fn response_size(response: &Response) -> u64 {
    let status = format!(
        "HTTP/X.X {} {}\r\n\r\n",
        response.status, response.status_text
    );
    let headers: usize = response
        .headers
        .iter()
        .map(|h| h.name.len() + 2 + h.value.len() + 2)
        .sum();
    response.body_size + (status.len() + headers) as u64
}
