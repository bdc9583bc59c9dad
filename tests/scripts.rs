//! Scripts: a data-driven corpus (tests/scripts/*.json) run through one helper.

use crate::support::{engine, TargetServer};
use serde_json::{json, Value};
use vayu::model::RequestSpec;
use vayu::script::{ScriptedRequest, Variables};

#[test]
fn smoke() {
    let server = TargetServer::start();
    let engine = engine();
    let spec = RequestSpec::from_json(&json!({
        "url": server.url("/echo"),
        "preRequestScript": "pm.request.headers.add({key: 'X-From-Script', value: pm.environment.get('v')}); pm.variables.set('local1', 'L');",
        "testScript": ["pm.test('status', () => pm.response.to.have.status(200));",
                       "pm.test('header sent', () => pm.expect(pm.response.json().headers.map(h => h[0])).to.include('x-from-script'));",
                       "pm.test('fails', () => pm.expect(404).to.equal(200));",
                       "pm.environment.set('seen', pm.response.code); console.log('hi', {a: 1});"]
    }).to_string()).unwrap();
    let vars = Variables::with_environment(json!({"v": "42"}).as_object().unwrap().clone());
    let result = ScriptedRequest::new(spec, vars).send(&engine);
    let test = result.test.as_ref().unwrap();
    assert_eq!(test.error, None, "{result:?}");
    let summary: Vec<(String, bool, Option<String>)> = test
        .tests
        .iter()
        .map(|t| (t.name.clone(), t.passed, t.error.clone()))
        .collect();
    assert_eq!(summary[0], ("status".into(), true, None));
    assert_eq!(summary[1], ("header sent".into(), true, None));
    assert_eq!(
        summary[2],
        (
            "fails".into(),
            false,
            Some("expected 404 to equal 200".into())
        )
    );
    assert_eq!(
        result.variables.environment.get("seen"),
        Some(&Value::from(200))
    );
    assert!(result.variables.local.is_empty());
    assert_eq!(test.console[0].message, "hi {\"a\":1}");
}
