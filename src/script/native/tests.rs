//! Every recognised shape through both `native.rs` and QuickJS (the prelude, its fast path and
//! chai), on passing and failing responses: where the native check answers, its outcome is the
//! JavaScript's to the letter; where the JavaScript fails a test, the native check does not
//! answer.

use super::super::host::ScriptHost;
use super::super::outcome::ScriptOutcome;
use super::{exact_int, walk, Literal, Plan, Seen, Subject};
use crate::script::ScriptLimits;
use serde_json::Value;

/// The script's outcome in QuickJS on a response with `code` and `body`.
fn javascript(host: &mut ScriptHost, source: &str, code: u16, body: &str) -> ScriptOutcome {
    super::super::host::tests::test_outcome(host, source, code, "", body)
}

const BODIES: [&str; 12] = [
    r#"{"user":{"id":42,"name":"Ada Lovelace","roles":["admin","dev"],"active":true,"manager":null},"ok":true}"#,
    r#"{"user":{"id":7,"name":"vayu","roles":[],"active":false,"manager":{"id":1}},"ok":false}"#,
    r#"{"user":{"id":42.0,"name":42,"roles":"admin","active":"true","manager":0},"ok":1}"#,
    r#"{"user":{"id":-0,"name":"","roles":[null],"active":1,"manager":[]},"ok":null}"#,
    r#"{"user":{"id":9007199254740993,"name":"x\u0041","roles":["admin"]},"ok":"ok"}"#,
    r#"{"user":{"id":1e2,"name":"Ada Lovelace","extra":1,"name":"dup"}}"#,
    r#"{"user":{"id":-9223372036854775808,"name":null}}"#,
    r#"{"user":[]}"#,
    r#"[1, 2, 3]"#,
    r#"not json"#,
    "\u{feff}{\"user\":{\"id\":42}}",
    r#""#,
];

const CHECKS: [&str; 34] = [
    "pm.response.to.have.status(200)",
    "pm.response.to.not.have.status(404)",
    "pm.response.to.be.status(201)",
    "pm.expect(pm.response.code).to.eql(200)",
    "pm.expect(pm.response.code).to.be.above(199)",
    "pm.expect(pm.response.code).to.be.below(300)",
    "pm.expect(pm.response.code).to.be.a('number')",
    "pm.expect(1).to.eql(1)",
    "pm.expect('a').to.equal('b')",
    "pm.expect(pm.response.json().user.name).to.eql('Ada Lovelace')",
    "pm.expect(pm.response.json().user.name).to.not.eql('vayu')",
    "pm.expect(pm.response.json().user.name).to.be.a('string')",
    "pm.expect(pm.response.json().user.id).to.equal(42)",
    "pm.expect(pm.response.json().user.id).to.eql(42)",
    "pm.expect(pm.response.json().user.id).to.not.equal(7)",
    "pm.expect(pm.response.json().user.id).to.be.above(40)",
    "pm.expect(pm.response.json().user.id).to.be.at.most(42)",
    "pm.expect(pm.response.json().user.id).to.be.gte(-1)",
    "pm.expect(pm.response.json().user.id).to.not.be.lessThan(0)",
    "pm.expect(pm.response.json().user.roles).to.be.an('array')",
    "pm.expect(pm.response.json().user.roles).to.not.eql('admin')",
    "pm.expect(pm.response.json().user.roles[0]).to.eql('admin')",
    "pm.expect(pm.response.json()['user']['active']).to.be.eql(true)",
    "pm.expect(pm.response.json().user.active).to.not.equal(false)",
    "pm.expect(pm.response.json().user.manager).to.eql(null)",
    "pm.expect(pm.response.json().user.manager).to.be.an('Object')",
    "pm.expect(pm.response.json().user.manager).to.be.a('null')",
    "pm.expect(pm.response.json().user).to.be.an('object')",
    "pm.expect(pm.response.json().user.missing).to.eql(null)",
    "pm.expect(pm.response.json().ok).to.equal(true)",
    "pm.expect(pm.response.json().ok).to.not.be.a('boolean')",
    "pm.expect(pm.response.json()).to.be.an('array')",
    "pm.expect(pm.response.json()[1]).to.eql(2)",
    "pm.expect(pm.response.json().user.id).to.eql(0)",
];

/// Each check as a whole script, in each way a test may be written.
fn scripts() -> Vec<String> {
    let mut out = Vec::new();
    for check in CHECKS {
        out.push(format!("pm.test('t', () => {check});"));
        out.push(format!(
            "pm.test(\"s\", function () {{\n  {check};\n  {check}\n}})\npm.test('u', () => {{ {check} }})"
        ));
        out.push(format!(
            "// a status check and this one\npm.test('status', () => pm.response.to.have.status(200));\n\
             pm.test('this', () => {{ /* the check */ {check}; }});"
        ));
        // A bare `\r` ends a line comment in JavaScript: the check after it runs.
        out.push(format!("pm.test('r', () => {{ // a note\r {check} }})"));
    }
    out
}

#[test]
fn the_native_check_gives_the_outcome_javascript_gives_whenever_it_answers() {
    let mut host = ScriptHost::new(ScriptLimits::default()).unwrap();
    let (mut answered, mut passing) = (0, 0);
    for source in scripts() {
        let plan = Plan::of(&source).unwrap_or_else(|| panic!("not recognised: {source}"));
        for body in BODIES {
            for code in [200, 404] {
                let native = plan.passes(&Seen { code, body });
                let js = javascript(&mut host, &source, code, body);
                let all_pass = js.error.is_none() && js.failed_tests() == 0;
                passing += usize::from(all_pass);
                if let Some(native) = native {
                    answered += 1;
                    assert_eq!(native, js, "{source}\non {code} {body}");
                } else {
                    // Declined: the JavaScript failed, or a value this does not judge.
                    assert!(
                        !all_pass || declines_on_purpose(&plan, body),
                        "declined a passing script: {source}\non {code} {body}"
                    );
                }
            }
        }
    }
    // Most passing runs are answered natively (the rest are the values declined on purpose).
    assert!(
        answered > 500 && answered * 3 > passing * 2,
        "{answered} of {passing}"
    );
}

/// The values a native check leaves to JavaScript though they may pass: a body serde_json does
/// not read (one with a byte-order mark, which the collection SDK parses), an absent key or a
/// key of something not an object, a float, a zero.
fn declines_on_purpose(plan: &Plan, body: &str) -> bool {
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return true;
    };
    plan.tests.iter().flat_map(|(_, checks)| checks).any(|c| {
        let odd_value = match &c.subject {
            Subject::Json(path) => walk(&json, path)
                .is_none_or(|v| v.is_number() && exact_int(v).is_none_or(|i| i == 0)),
            _ => false,
        };
        odd_value || c.expected == Literal::Int(0)
    })
}

#[test]
fn scripts_of_any_other_shape_are_left_to_javascript() {
    for source in [
        "",
        "pm.test('a', () => pm.response.to.have.status(200)) pm.test('b', () => {})",
        "pm.test('a', () => pm.response.to.have.status(200))\n(function () {})()",
        "pm.test('a', () => pm.response.status(200));",
        "pm.test('a', () => pm.response.to.have.status('OK'));",
        "pm.test('a', () => pm.response.to.have.status(200).and.status(200));",
        "pm.test('a\\n', () => pm.response.to.have.status(200));",
        "pm.test('a', (done) => pm.response.to.have.status(200));",
        "pm.test('a', () => pm.expect(pm.response.json().a).to.deep.equal(1));",
        "pm.test('a', () => pm.expect(pm.response.json().a, 'm').to.eql(1));",
        "pm.test('a', () => pm.expect(pm.response.json().a).to.eql(1.5));",
        "pm.test('a', () => pm.expect(pm.response.json().a).to.eql(010));",
        "pm.test('a', () => pm.expect(pm.response.json().a).to.eql(1n));",
        "pm.test('a', () => pm.expect(pm.response.json().a).to.eql([1]));",
        "pm.test('a', () => pm.expect(pm.response.json().a).to.include('x'));",
        "pm.test('a', () => pm.expect(x).to.eql(1));",
        "pm.test('a', () => pm.expect(pm.response.text()).to.eql('x'));",
        "var x = 1; pm.test('a', () => pm.expect(1).to.eql(1));",
        "pm.test('a', () => { console.log(1); pm.expect(1).to.eql(1); });",
        "pm.environment.set('a', 1);",
        "pm.test(`a`, () => pm.expect(1).to.eql(1));",
        "pm.test('a', () => pm.expect(1).to.eql(1)) /* open",
        // U+2028 ends a line comment in JavaScript; such sources are not lexed here.
        "pm.test('a', () => { // note\u{2028} pm.expect(1).to.eql(2) })",
    ] {
        assert_eq!(Plan::of(source), None, "{source}");
    }
}
