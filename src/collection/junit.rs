//! Newman's JUnit XML: one `testsuite` per request (all its executions over the iterations),
//! one `testcase` per assertion name, a `failure` (with the first message) for an assertion
//! that failed in any iteration, and request and script errors in the suite's `system-err`.

use super::summary::{Execution, RunSummary};
use std::fmt::Write;

pub fn junit_xml(summary: &RunSummary) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // Newman's root `tests` is its `run.stats.tests`: one per request executed (its test phase,
    // scripts or none), a skipped request not counted; each suite's `tests` counts assertions.
    let total_tests = summary
        .executions
        .iter()
        .filter(|e| !e.record.skipped)
        .count();
    let mut suites: Vec<(&str, Vec<&Execution>)> = Vec::new();
    // A skipped request has no suite, as in Newman.
    for e in summary.executions.iter().filter(|e| !e.record.skipped) {
        let key = if e.id.is_empty() {
            e.full_name.as_str()
        } else {
            e.id.as_str()
        };
        match suites.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(e),
            None => suites.push((key, vec![e])),
        }
    }
    let timestamp = crate::clock::rfc3339(summary.started);
    let mut total_time = 0.0;
    let mut body = String::new();
    for (_, executions) in &suites {
        let suite = Suite::of(executions);
        total_time += suite.times.iter().sum::<f64>();
        suite.write(
            &mut body,
            executions[0],
            &summary.collection.name,
            &timestamp,
        );
    }
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{total_tests}\" time=\"{total_time:.3}\">",
        escape(&summary.collection.name)
    );
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}

/// One request's suite: its executions over the iterations folded together.
struct Suite {
    /// Assertion name -> failure messages, in first-seen order.
    tests: Vec<(String, Vec<String>)>,
    failures: usize,
    errors: usize,
    system_err: String,
    /// The assertions of the last execution (Newman's suite `tests`).
    last_count: usize,
    /// Each execution's response time in seconds.
    times: Vec<f64>,
}

impl Suite {
    fn of(executions: &[&Execution]) -> Suite {
        let mut suite = Suite {
            tests: Vec::new(),
            failures: 0,
            errors: 0,
            system_err: String::new(),
            last_count: 0,
            times: Vec::new(),
        };
        for e in executions {
            let r = &e.record;
            let mut msg = format!("Iteration: {}\n", r.iteration);
            let mut errored = false;
            if let Some(err) = &r.error {
                suite.errors += 1;
                errored = true;
                let _ = writeln!(msg, "RequestError: {}", err.message);
            }
            msg.push_str("\n---\n");
            for (prop, outcomes) in [
                ("testScript", &r.test),
                ("prerequestScript", &r.pre_request),
            ] {
                for o in outcomes {
                    if let Some(err) = &o.error {
                        suite.errors += 1;
                        errored = true;
                        let _ = write!(msg, "{prop}Error: {}\n---\n", err.message);
                    }
                }
            }
            if errored {
                suite.system_err.push_str(&msg);
            }
            suite.last_count = 0;
            for t in r.outcomes().flat_map(|o| &o.tests) {
                suite.last_count += 1;
                let at = match suite.tests.iter().position(|(n, _)| *n == t.name) {
                    Some(at) => at,
                    None => {
                        suite.tests.push((t.name.clone(), Vec::new()));
                        suite.tests.len() - 1
                    }
                };
                if !t.passed && !t.skipped {
                    suite.failures += 1;
                    suite.tests[at].1.push(t.error.clone().unwrap_or_default());
                }
            }
            let time = r
                .response
                .as_ref()
                .map_or(0.0, |r| r.timings.total as f64 / 1e6);
            suite.times.push(time);
        }
        suite
    }

    /// The `<testsuite>` element, named after `first`'s request.
    fn write(&self, body: &mut String, first: &Execution, collection: &str, timestamp: &str) {
        let mean = self.times.iter().sum::<f64>() / self.times.len().max(1) as f64;
        let class = class_name(&first.full_name);
        let _ = write!(
            body,
            "  <testsuite name=\"{}\" id=\"{}\" timestamp=\"{timestamp}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{mean:.3}\"",
            escape(&first.full_name),
            escape(&first.id),
            self.last_count,
            self.failures,
            self.errors
        );
        // Nothing inside: an empty element, as Newman's XML builder writes it.
        if self.system_err.is_empty() && self.tests.is_empty() {
            body.push_str("/>\n");
            return;
        }
        body.push_str(">\n");
        if !self.system_err.is_empty() {
            let _ = writeln!(
                body,
                "    <system-err>{}</system-err>",
                escape(&self.system_err)
            );
        }
        for (name, fails) in &self.tests {
            let _ = write!(
                body,
                "    <testcase name=\"{}\" time=\"{:.3}\" classname=\"{}\"",
                escape(name),
                self.times.last().copied().unwrap_or(0.0),
                escape(&class)
            );
            if fails.is_empty() {
                body.push_str("/>\n");
                continue;
            }
            let detail = format!(
                "Failed {} times. Collection name: {collection}. Request name: {}. Test description: {name}. Error message: {}.",
                fails.len(),
                first.full_name,
                fails[0]
            );
            let _ = write!(
                body,
                ">\n      <failure type=\"AssertionFailure\" message=\"{}\">{}</failure>\n    </testcase>\n",
                escape(&fails[0]),
                escape(&detail)
            );
        }
        body.push_str("  </testsuite>\n");
    }
}

/// Newman's class name: the words of the name in UpperCamelCase, other characters dropped.
fn class_name(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default();
            first + &cs.as_str().to_lowercase()
        })
        .collect()
}

/// XML text and attribute escaping. Not quick-xml's `escape`: that keeps control characters,
/// which no XML 1.0 document may hold even escaped, and an assertion message may carry them.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot hold other control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_camel_case() {
        assert_eq!(class_name("Users / get one"), "UsersGetOne");
    }
}
