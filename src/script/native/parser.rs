//! The recognised shape, token by token: `pm.test(<string>, <function>)` statements whose
//! functions hold only `pm.response.to.<words>.status(<int>)` and
//! `pm.expect(<value>).<words>.<check>(<literal>)` chains. Whatever else a script holds makes it
//! unrecognised (`None`).

use super::lexer::{Kind, Token};
use super::{Check, Compare, Literal, Step, Subject};

/// chai's language chains, which assert nothing.
const CHAINS: [&str; 17] = [
    "to", "be", "been", "is", "that", "which", "and", "has", "have", "with", "at", "of", "same",
    "but", "does", "still", "also",
];

pub(super) struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
}

impl<'t> Parser<'t> {
    pub(super) fn new(tokens: &'t [Token]) -> Parser<'t> {
        Parser { tokens, at: 0 }
    }

    fn peek(&self) -> Option<&'t Kind> {
        self.tokens.get(self.at).map(|t| &t.kind)
    }

    fn next(&mut self) -> Option<&'t Kind> {
        let kind = self.peek()?;
        self.at += 1;
        Some(kind)
    }

    fn punct(&mut self, c: char) -> Option<()> {
        (self.next()? == &Kind::Punct(c)).then_some(())
    }

    fn name(&mut self) -> Option<&'t str> {
        match self.next()? {
            Kind::Name(n) => Some(n),
            _ => None,
        }
    }

    fn word(&mut self, w: &str) -> Option<()> {
        (self.name()? == w).then_some(())
    }

    /// The end of a statement: `;`, a line break before the next token, a `}` closing the
    /// block, or the end of the script (JavaScript's automatic semicolons).
    fn end(&mut self) -> Option<()> {
        match self.tokens.get(self.at) {
            None => Some(()),
            Some(t) if t.kind == Kind::Punct(';') => {
                self.at += 1;
                Some(())
            }
            Some(t) if t.line_before || t.kind == Kind::Punct('}') => Some(()),
            Some(_) => None,
        }
    }

    /// The whole script: its tests in order.
    pub(super) fn script(&mut self) -> Option<Vec<(String, Vec<Check>)>> {
        let mut tests = Vec::new();
        while self.peek().is_some() {
            if self.peek() == Some(&Kind::Punct(';')) {
                self.at += 1;
                continue;
            }
            tests.push(self.test()?);
        }
        (!tests.is_empty()).then_some(tests)
    }

    /// `pm.test('name', () => ...)`.
    fn test(&mut self) -> Option<(String, Vec<Check>)> {
        self.word("pm")?;
        self.punct('.')?;
        self.word("test")?;
        self.punct('(')?;
        let Kind::Str(name) = self.next()? else {
            return None;
        };
        self.punct(',')?;
        let checks = self.function()?;
        self.punct(')')?;
        self.end()?;
        Some((name.clone(), checks))
    }

    /// `() => chain`, `() => { chains }` or `function [name]() { chains }`.
    fn function(&mut self) -> Option<Vec<Check>> {
        if self.peek() == Some(&Kind::Name("function".into())) {
            self.at += 1;
            if matches!(self.peek(), Some(Kind::Name(_))) {
                self.at += 1;
            }
            self.punct('(')?;
            self.punct(')')?;
            return self.block();
        }
        self.punct('(')?;
        self.punct(')')?;
        self.punct('=')?;
        if self.peek() == Some(&Kind::Punct('{')) {
            return self.block();
        }
        Some(vec![self.chain()?])
    }

    fn block(&mut self) -> Option<Vec<Check>> {
        self.punct('{')?;
        let mut checks = Vec::new();
        loop {
            match self.peek()? {
                Kind::Punct('}') => {
                    self.at += 1;
                    return Some(checks);
                }
                Kind::Punct(';') => self.at += 1,
                _ => {
                    checks.push(self.chain()?);
                    self.end()?;
                }
            }
        }
    }

    /// `pm.response.to.<words>.status(<int>)` or `pm.expect(<value>).<words>.<check>(<literal>)`.
    fn chain(&mut self) -> Option<Check> {
        self.word("pm")?;
        self.punct('.')?;
        let subject = match self.name()? {
            // `pm.response` asserts through its `to` only (its other fields are not checks).
            "response" => {
                self.punct('.')?;
                self.word("to")?;
                None
            }
            "expect" => {
                self.punct('(')?;
                let value = self.value()?;
                self.punct(')')?;
                Some(value)
            }
            _ => return None,
        };
        let mut negate = false;
        loop {
            self.punct('.')?;
            let word = self.name()?;
            if CHAINS.contains(&word) {
                continue;
            }
            if word == "not" {
                negate = !negate;
                continue;
            }
            let status = subject.is_none();
            let (subject, compare) = match (subject.clone(), word) {
                (None, "status") => (Subject::Code, Compare::Equal),
                (Some(value), _) => (value, compare_of(word)?),
                _ => return None,
            };
            self.punct('(')?;
            let expected = self.literal()?;
            self.punct(')')?;
            // chai-postman's `status` with a string asserts the reason.
            if status && !matches!(expected, Literal::Int(_)) {
                return None;
            }
            return Some(Check {
                subject,
                negate,
                compare,
                expected,
            });
        }
    }

    /// What `pm.expect` is given: a literal, `pm.response.code` or a path into
    /// `pm.response.json()`.
    fn value(&mut self) -> Option<Subject> {
        if self.peek() != Some(&Kind::Name("pm".into())) {
            return Some(Subject::Literal(self.literal()?));
        }
        self.at += 1;
        self.punct('.')?;
        self.word("response")?;
        self.punct('.')?;
        match self.name()? {
            "code" => Some(Subject::Code),
            "json" => {
                self.punct('(')?;
                self.punct(')')?;
                Some(Subject::Json(self.path()?))
            }
            _ => None,
        }
    }

    /// `.key`, `['key']` and `[index]` steps.
    fn path(&mut self) -> Option<Vec<Step>> {
        let mut path = Vec::new();
        loop {
            match self.peek()? {
                Kind::Punct('.') => {
                    self.at += 1;
                    path.push(Step::Key(self.name()?.to_string()));
                }
                Kind::Punct('[') => {
                    self.at += 1;
                    path.push(match self.next()? {
                        Kind::Str(key) => Step::Key(key.clone()),
                        Kind::Int(i) if *i >= 0 => Step::Index(usize::try_from(*i).ok()?),
                        _ => return None,
                    });
                    self.punct(']')?;
                }
                _ => return Some(path),
            }
        }
    }

    fn literal(&mut self) -> Option<Literal> {
        Some(match self.next()? {
            Kind::Int(n) => Literal::Int(*n),
            Kind::Str(s) => Literal::Str(s.clone()),
            Kind::Name(n) if n == "true" => Literal::Bool(true),
            Kind::Name(n) if n == "false" => Literal::Bool(false),
            Kind::Name(n) if n == "null" => Literal::Null,
            _ => return None,
        })
    }
}

/// The check a word names (chai's aliases included).
fn compare_of(word: &str) -> Option<Compare> {
    Some(match word {
        "eql" | "eqls" | "equal" | "equals" | "eq" => Compare::Equal,
        "above" | "gt" | "greaterThan" => Compare::Above,
        "below" | "lt" | "lessThan" => Compare::Below,
        "least" | "gte" | "greaterThanOrEqual" => Compare::Least,
        "most" | "lte" | "lessThanOrEqual" => Compare::Most,
        "a" | "an" => Compare::Type,
        _ => return None,
    })
}
