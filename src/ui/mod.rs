//! What the daemon shows a browser, embedded in the binary.
//! - The HTML report: one self-contained page for a load run, readable offline and attachable to
//!   a CI job. It embeds the run's final report and per-second metrics (the JSON the API
//!   returns), the page's own script and stylesheet, and uPlot for the charts (from `js/`'s
//!   lockfile, bundled by `build.rs`); it loads nothing from the network.
//! - The Manager at `/ui/`: the request workbench (`manager.js` and the ES modules it imports,
//!   `manager.css`, CodeMirror bundled from `js/` as `editor.js`) and the runs dashboard
//!   (`app.js`, `app.css`): static files that call the JSON API like any client.

use crate::run::{FinalReport, RunSnapshot};
use crate::store::MetricPoint;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const PAGE: &str = include_str!("report.html");
const SCRIPT: &str = include_str!("report.js");
const COLLECTION_SCRIPT: &str = include_str!("collection-report.js");
const DOM_SCRIPT: &str = include_str!("dom.js");
const STYLE: &str = include_str!("report.css");
const UPLOT_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/js/ui/uPlot.iife.min.js"));
const UPLOT_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/js/ui/uPlot.min.css"));

const EDITOR_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/js/ui/editor.js"));
/// Preact and htm, which the Manager's views are built with (`js/ui-components.js`).
const COMPONENTS_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/js/ui/components.js"));

/// The Manager's own modules (ES modules the page imports by these names), one topic each.
const MANAGER: &[(&str, &str)] = &[
    ("manager.js", include_str!("manager.js")),
    ("api.js", include_str!("api.js")),
    ("state.js", include_str!("state.js")),
    ("catalog.js", include_str!("catalog.js")),
    ("panel.js", include_str!("panel.js")),
    ("actions.js", include_str!("actions.js")),
    ("curl-panel.js", include_str!("curl-panel.js")),
    ("sidebar.js", include_str!("sidebar.js")),
    ("environments.js", include_str!("environments.js")),
    ("history.js", include_str!("history.js")),
    ("request-model.js", include_str!("request-model.js")),
    ("request-editor.js", include_str!("request-editor.js")),
    ("kv-table.js", include_str!("kv-table.js")),
    ("row-keys.js", include_str!("row-keys.js")),
    ("code-view.js", include_str!("code-view.js")),
    ("code-editor.js", include_str!("code-editor.js")),
    ("body-pane.js", include_str!("body-pane.js")),
    ("settings-pane.js", include_str!("settings-pane.js")),
    ("file-field.js", include_str!("file-field.js")),
    ("auth-form.js", include_str!("auth-form.js")),
    ("examples.js", include_str!("examples.js")),
    ("response-pane.js", include_str!("response-pane.js")),
    ("collection-tools.js", include_str!("collection-tools.js")),
    ("load-builder.js", include_str!("load-builder.js")),
    ("load-fields.js", include_str!("load-fields.js")),
    ("load-plan.js", include_str!("load-plan.js")),
    ("engine-info.js", include_str!("engine-info.js")),
];

/// A dashboard file by its name under `/ui/` ("" is the page): content type and content.
pub fn asset(name: &str) -> Option<(&'static str, &'static str)> {
    if let Some((_, content)) = MANAGER.iter().find(|(n, _)| *n == name) {
        return Some(("text/javascript", content));
    }
    Some(match name {
        "" | "index.html" => ("text/html; charset=utf-8", include_str!("index.html")),
        "app.js" => ("text/javascript", include_str!("app.js")),
        "dom.js" => ("text/javascript", DOM_SCRIPT),
        "app.css" => ("text/css", include_str!("app.css")),
        "manager.css" => ("text/css", include_str!("manager.css")),
        "editor.js" => ("text/javascript", EDITOR_JS),
        "components.js" => ("text/javascript", COMPONENTS_JS),
        "report.js" => ("text/javascript", SCRIPT),
        "collection-report.js" => ("text/javascript", COLLECTION_SCRIPT),
        "report.css" => ("text/css", STYLE),
        "uPlot.js" => ("text/javascript", UPLOT_JS),
        "uPlot.css" => ("text/css", UPLOT_CSS),
        _ => return None,
    })
}

/// One second of a run's metrics: `t` (ms since the epoch), the metrics by name as the database
/// records them (`rps`, `latency_p99` in ms, `error_rate` in %, ...) and, for a journey,
/// `steps`: each step's by its name.
pub type SeriesPoint = Map<String, Value>;

/// A series point from a live snapshot, with the metrics the database would record for it.
pub fn point_of(snapshot: &RunSnapshot, t_ms: u64) -> SeriesPoint {
    let mut point = Map::new();
    point.insert("t".into(), json!(t_ms));
    for (name, value) in crate::run::snapshot_metrics(snapshot) {
        point.insert(name.into(), json!(value));
    }
    if let Some(flow) = &snapshot.flow {
        let steps = flow.steps.iter().map(|step| {
            let metrics = crate::run::step_metrics(step).map(|(n, v)| (n.to_string(), json!(v)));
            (
                step.name.clone(),
                Value::Object(metrics.into_iter().collect()),
            )
        });
        point.insert("steps".into(), Value::Object(steps.collect()));
    }
    point
}

/// A run's recorded metrics as series points, oldest first: a step's (labelled `step`) go under
/// `steps`, so they never overwrite the run's own of the same name.
pub fn series(points: Vec<MetricPoint>) -> Vec<SeriesPoint> {
    let mut by_time: BTreeMap<i64, SeriesPoint> = BTreeMap::new();
    for p in points {
        let point = by_time.entry(p.timestamp).or_insert_with(|| {
            let mut point = Map::new();
            point.insert("t".into(), json!(p.timestamp));
            point
        });
        let step = p.labels.as_ref().and_then(|l| l["step"].as_str());
        let into = match step {
            None => point,
            Some(step) => point
                .entry("steps")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("steps is an object")
                .entry(step)
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("a step is an object"),
        };
        into.insert(p.name, json!(p.value));
    }
    by_time.into_values().collect()
}

/// The page for `report` with its metrics over time.
pub fn html_report(report: &FinalReport, series: &[SeriesPoint]) -> String {
    page(
        &report.run_id,
        &json!({ "report": report, "series": series }),
        ("load", SCRIPT),
    )
}

/// The page for a collection run: `run` is its summary as the json reporter writes it (Newman's
/// counts, executions and failures).
pub fn html_collection_report(name: &str, run: &Value) -> String {
    page(
        name,
        &json!({ "run": run }),
        ("collection", COLLECTION_SCRIPT),
    )
}

/// `kind` names the renderer `script` defines (`window.vayuReport[kind]`), which the page calls.
fn page(title: &str, data: &Value, (kind, script): (&str, &str)) -> String {
    PAGE.replace("{{title}}", &escape_html(title))
        .replace("{{style}}", &format!("{UPLOT_CSS}\n{STYLE}"))
        .replace("{{uplot}}", UPLOT_JS)
        .replace("{{dom}}", DOM_SCRIPT)
        .replace("{{script}}", script)
        .replace("{{kind}}", kind)
        // Last, so nothing in the run's data is taken for a placeholder. Inside <script>, "</"
        // could end the element: JSON allows "<\/" for it.
        .replace("{{data}}", &data.to_string().replace("</", "<\\/"))
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        // So that no title is taken for a placeholder filled after it.
        .replace('{', "&#123;")
}

/// The data embedded in a report page, read back (tests compare it with the JSON report).
pub fn embedded_data(page: &str) -> Option<Value> {
    let start = page.find(r#"<script type="application/json" id="vayu-data">"#)?;
    let rest = &page[start..];
    let open = rest.find('>')? + 1;
    let close = rest.find("</script>")?;
    serde_json::from_str(&rest[open..close].replace("<\\/", "</")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every module a Manager file imports (`from './x.js'`) is served, so no import 404s.
    #[test]
    fn every_imported_module_is_served() {
        for (name, content) in MANAGER.iter().chain([&("app.js", include_str!("app.js"))]) {
            for part in content.split("from './").skip(1) {
                let file = &part[..part.find('\'').expect("a closing quote")];
                assert!(
                    asset(file).is_some(),
                    "{name} imports {file}, which /ui/ does not serve"
                );
            }
        }
    }
}
