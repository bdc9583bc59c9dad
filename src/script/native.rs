//! Test scripts of the most common shape checked without JavaScript, when they pass.
//!
//! A load run's test script is usually a few `pm.test('name', () => <check>)` calls, each
//! `pm.response.to.have.status(200)` or `pm.expect(<value>).to.eql(<literal>)` (or `equal`,
//! `above`, `a`, ...), where the value is the status code or a field of `pm.response.json()`.
//! Such a script is recognised once, when its request is prepared ([`Plan::of`]), and then checked
//! on each response in Rust. Only a response on which every check passes gets its outcome here
//! (every test passed, nothing else happened); on any other, or for any value this cannot judge
//! exactly as the fast path and chai would (a float, an absent field, a -0), the script runs in
//! QuickJS as always, which gives chai's outcome and message. And only while no other script has
//! run in the run's runtime on this thread ([`super::host::ran_other_scripts`]): a script that
//! changed a built-in could change what the JavaScript would say. The tests in this file run
//! every shape through both, passing and failing.

use super::outcome::{ScriptOutcome, TestResult};
use serde_json::Value;

mod lexer;
mod parser;
use lexer::tokens;

/// What a check compares the value with: a literal of the script.
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Int(i64),
    Str(String),
    Bool(bool),
    Null,
}

/// The value a check is about.
#[derive(Debug, Clone, PartialEq)]
enum Subject {
    Code,
    /// A path into `pm.response.json()`: object keys and array indices.
    Json(Vec<Step>),
    Literal(Literal),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Compare {
    /// `eql` and `equal`: the same for the values judged here (no objects, no -0, no NaN).
    Equal,
    Above,
    Below,
    Least,
    Most,
    /// `a` / `an`: the lower-cased type name.
    Type,
}

#[derive(Debug, Clone, PartialEq)]
struct Check {
    subject: Subject,
    negate: bool,
    compare: Compare,
    expected: Literal,
}

/// A recognised test script: its tests in order, each with its checks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    tests: Vec<(String, Vec<Check>)>,
}

/// The response as a plan reads it.
pub(crate) struct Seen<'a> {
    pub code: u16,
    pub body: &'a str,
}

impl Plan {
    /// The plan of `source`, if it has the recognised shape.
    pub(crate) fn of(source: &str) -> Option<Plan> {
        let tokens = tokens(source)?;
        let mut parser = parser::Parser::new(&tokens);
        let tests = parser.script()?;
        Some(Plan { tests })
    }

    /// The script's outcome on this response if every check passes; `None` when one fails or
    /// cannot be judged here.
    pub(crate) fn passes(&self, response: &Seen<'_>) -> Option<ScriptOutcome> {
        let mut json: Option<Value> = None;
        let mut tests = Vec::with_capacity(self.tests.len());
        for (name, checks) in &self.tests {
            for check in checks {
                if !check.passes(response, &mut json)? {
                    return None;
                }
            }
            tests.push(TestResult {
                name: name.clone(),
                passed: true,
                skipped: false,
                error: None,
                error_name: None,
            });
        }
        Some(ScriptOutcome {
            tests,
            ..ScriptOutcome::default()
        })
    }
}

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE: i64 = (1 << 53) - 1;

impl Check {
    /// Whether it passes; `None` when that cannot be judged here.
    fn passes(&self, response: &Seen<'_>, json: &mut Option<Value>) -> Option<bool> {
        let value = match &self.subject {
            Subject::Code => Value::from(response.code),
            Subject::Literal(l) => literal_value(l),
            Subject::Json(path) => {
                if json.is_none() {
                    *json = Some(serde_json::from_str(response.body).ok()?);
                }
                walk(json.as_ref()?, path)?.clone()
            }
        };
        let outcome = compare(&value, self.compare, &self.expected)?;
        Some(outcome != self.negate)
    }
}

fn literal_value(l: &Literal) -> Value {
    match l {
        Literal::Int(n) => Value::from(*n),
        Literal::Str(s) => Value::from(s.as_str()),
        Literal::Bool(b) => Value::from(*b),
        Literal::Null => Value::Null,
    }
}

/// The value at `path`; `None` where JavaScript would find something this does not model (an
/// absent key, which may be inherited; a property of an array or a string).
fn walk<'v>(mut value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    for step in path {
        value = match (value, step) {
            (Value::Object(map), Step::Key(key)) => map.get(key)?,
            (Value::Array(items), Step::Index(i)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

/// An integer JavaScript holds exactly, as written in the JSON (serde_json reads one with a
/// fraction or an exponent as a float, which is not judged here).
fn exact_int(value: &Value) -> Option<i64> {
    let Value::Number(n) = value else { return None };
    let i = n.as_i64()?;
    (i.unsigned_abs() <= MAX_SAFE.unsigned_abs()).then_some(i)
}

/// The verdict before negation, as the fast path (and chai) give it for these values.
fn compare(value: &Value, how: Compare, expected: &Literal) -> Option<bool> {
    match how {
        Compare::Equal => equal(value, expected),
        Compare::Type => {
            let Literal::Str(name) = expected else {
                return None;
            };
            let actual = match value {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            name.is_ascii().then(|| name.to_ascii_lowercase() == actual)
        }
        Compare::Above | Compare::Below | Compare::Least | Compare::Most => {
            let (Literal::Int(n), Some(v)) = (expected, exact_int(value)) else {
                return None;
            };
            Some(match how {
                Compare::Above => v > *n,
                Compare::Below => v < *n,
                Compare::Least => v >= *n,
                _ => v <= *n,
            })
        }
    }
}

/// `eql` / `equal` of a value and a literal: different kinds never equal (deep-eql's and
/// `===`'s verdict alike); a number is judged only as an exact integer, and a zero not at all
/// (serde_json reads -0 as 0, and `eql` tells -0 from 0).
fn equal(value: &Value, expected: &Literal) -> Option<bool> {
    Some(match (value, expected) {
        (Value::Number(_), Literal::Int(n)) => {
            let v = exact_int(value)?;
            if v == 0 || *n == 0 {
                return None;
            }
            v == *n
        }
        (Value::String(s), Literal::Str(e)) => s == e,
        (Value::Bool(b), Literal::Bool(e)) => b == e,
        (Value::Null, Literal::Null) => true,
        _ => false,
    })
}

#[cfg(test)]
mod tests;
