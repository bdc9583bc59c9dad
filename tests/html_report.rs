//! The HTML report: one self-contained page whose embedded data is the run's JSON report, from
//! `vayu-cli load --report` and from `GET /run/{id}/report.html`.

use crate::support::{TargetServer, TempDir};
use serde_json::json;
use std::process::Command;

/// What every report page must be: its data the JSON report, nothing fetched from elsewhere.
fn assert_self_contained(page: &str) {
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("uPlot"), "the chart library is inline");
    for external in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "@import",
        "url(http",
    ] {
        assert!(!page.contains(external), "the page loads `{external}...`");
    }
}

#[test]
fn load_report_writes_a_page_holding_the_json_report_and_its_seconds() {
    let server = TargetServer::start();
    let dir = TempDir::new("html-report");
    let run = dir.write(
        "run.json",
        &json!({"request": {"url": server.url("/echo")},
                "config": {"targetRps": 200, "duration": "2500ms", "thresholds": ["p99<1s"]}})
        .to_string(),
    );
    let page_path = dir.0.join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_vayu-cli"))
        .args([
            "load",
            &run,
            "--json",
            "--report",
            page_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert_self_contained(&page);
    let data = vayu::ui::embedded_data(&page).expect("the page embeds its data");
    assert_eq!(
        data["report"], report,
        "the page's numbers are the JSON report's"
    );
    let series = data["series"].as_array().unwrap();
    assert!(series.len() >= 2, "a point a second: {}", series.len());
    assert!(series
        .iter()
        .all(|p| p["rps"].is_number() && p["latency_p99"].is_number()));
}

#[test]
fn a_run_id_or_script_in_the_data_cannot_break_out_of_the_page() {
    let report: vayu::run::FinalReport = serde_json::from_value(json!({
        "runId": "run_</script><script>alert(1)</script>{{uplot}}", "status": "completed", "mode": "closed",
        "durationSecs": 1.0, "requestsSent": 0, "completed": 0, "ok": 0, "failed": 0,
        "dropped": 0, "aborted": 0, "achievedRps": 0.0, "errorRate": 0.0,
        "latencyUs": {"service": vayu::run::Percentiles::default()}, "statusCodes": {},
        "errors": [], "timingAvgUs": {"dns": 0.0, "connect": 0.0, "tls": 0.0, "firstByte": 0.0},
        "bytesSent": 0, "bytesReceived": 0, "histogram": "", "thresholds": [{"threshold": "{{data}}", "ok": true, "actual": ""}],
        "thresholdsOk": true
    }))
    .unwrap();
    let page = vayu::ui::html_report(&report, &[]);
    assert_eq!(
        page.matches("</script>").count(),
        5,
        "only the page's own scripts close: data, uPlot, helpers, renderer, the call to it"
    );
    assert!(page.contains(
        "<title>Vayu report run_&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#123;&#123;uplot}}</title>"
    ));
    let data = vayu::ui::embedded_data(&page).unwrap();
    assert_eq!(data["report"]["runId"], report.run_id);
    assert_eq!(data["report"]["thresholds"][0]["threshold"], "{{data}}");
}
