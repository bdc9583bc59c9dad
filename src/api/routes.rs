//! The route table: every path the API serves. `docs/openapi.yaml` must describe each one (a test
//! checks it), and dispatch goes through this table, so the two cannot drift apart.

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Health,
    Config,
    Metrics,
    Request,
    StartRun,
    ListRuns,
    GetRun,
    RunReport,
    RunReportHtml,
    RunJunit,
    StopRun,
    DeleteRun,
    Stats,
    ListCollections,
    CreateCollection,
    GetCollection,
    UpdateCollection,
    DeleteCollection,
    ImportCollection,
    ExportCollection,
    ListRequests,
    CreateRequest,
    GetRequest,
    UpdateRequest,
    DeleteRequest,
    CreateExample,
    DeleteExample,
    ListEnvironments,
    CreateEnvironment,
    GetEnvironment,
    UpdateEnvironment,
    DeleteEnvironment,
    Ui,
    UiFile,
}

/// (method, path pattern with `{id}`, endpoint), in OpenAPI's path syntax.
pub const ROUTES: &[(&str, &str, Endpoint)] = &[
    ("GET", "/health", Endpoint::Health),
    ("GET", "/ui", Endpoint::Ui),
    ("GET", "/ui/", Endpoint::Ui),
    ("GET", "/ui/{id}", Endpoint::UiFile),
    ("GET", "/config", Endpoint::Config),
    ("GET", "/metrics", Endpoint::Metrics),
    ("POST", "/request", Endpoint::Request),
    ("POST", "/run", Endpoint::StartRun),
    ("GET", "/runs", Endpoint::ListRuns),
    ("GET", "/run/{id}", Endpoint::GetRun),
    ("DELETE", "/run/{id}", Endpoint::DeleteRun),
    ("GET", "/run/{id}/report", Endpoint::RunReport),
    ("GET", "/run/{id}/report.html", Endpoint::RunReportHtml),
    ("GET", "/run/{id}/junit", Endpoint::RunJunit),
    ("POST", "/run/{id}/stop", Endpoint::StopRun),
    ("GET", "/stats/{id}", Endpoint::Stats),
    ("GET", "/collections", Endpoint::ListCollections),
    // Before `/collections/{id}`, which would take `import` for an id.
    ("POST", "/collections/import", Endpoint::ImportCollection),
    (
        "GET",
        "/collections/{id}/export",
        Endpoint::ExportCollection,
    ),
    ("POST", "/collections", Endpoint::CreateCollection),
    ("GET", "/collections/{id}", Endpoint::GetCollection),
    ("PUT", "/collections/{id}", Endpoint::UpdateCollection),
    ("DELETE", "/collections/{id}", Endpoint::DeleteCollection),
    ("GET", "/requests", Endpoint::ListRequests),
    ("POST", "/requests", Endpoint::CreateRequest),
    ("GET", "/requests/{id}", Endpoint::GetRequest),
    ("PUT", "/requests/{id}", Endpoint::UpdateRequest),
    ("DELETE", "/requests/{id}", Endpoint::DeleteRequest),
    ("POST", "/requests/{id}/examples", Endpoint::CreateExample),
    // The handler reads `{index}` from the path: a match captures one id.
    (
        "DELETE",
        "/requests/{id}/examples/{index}",
        Endpoint::DeleteExample,
    ),
    ("GET", "/environments", Endpoint::ListEnvironments),
    ("POST", "/environments", Endpoint::CreateEnvironment),
    ("GET", "/environments/{id}", Endpoint::GetEnvironment),
    ("PUT", "/environments/{id}", Endpoint::UpdateEnvironment),
    ("DELETE", "/environments/{id}", Endpoint::DeleteEnvironment),
];

/// What matching a path found.
pub enum Match<'a> {
    Found(Endpoint, Option<&'a str>),
    /// The path exists but not with this method; lists the methods it takes.
    WrongMethod(String),
    NotFound,
}

fn matches<'a>(pattern: &str, path: &'a str) -> Option<Option<&'a str>> {
    let mut id = None;
    let mut p = pattern.trim_matches('/').split('/');
    let mut s = path
        .trim_end_matches('/')
        .trim_start_matches('/')
        .split('/');
    loop {
        match (p.next(), s.next()) {
            (None, None) => return Some(id),
            (Some("{id}"), Some(seg)) if !seg.is_empty() => id = Some(seg),
            (Some("{index}"), Some(seg)) if !seg.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return None,
        }
    }
}

pub fn find<'a>(method: &str, path: &'a str) -> Match<'a> {
    // A path that names a route literally (`/collections/import`) is that route's alone, not
    // also an `{id}` of another (`/collections/{id}`).
    let literal = ROUTES
        .iter()
        .any(|(_, pattern, _)| !pattern.contains('{') && matches(pattern, path).is_some());
    let mut allowed = Vec::new();
    for (m, pattern, endpoint) in ROUTES {
        if literal && pattern.contains('{') {
            continue;
        }
        if let Some(id) = matches(pattern, path) {
            if *m == method {
                return Match::Found(*endpoint, id);
            }
            allowed.push(*m);
        }
    }
    if allowed.is_empty() {
        Match::NotFound
    } else {
        Match::WrongMethod(allowed.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing() {
        assert!(matches!(
            find("GET", "/run/run_1"),
            Match::Found(Endpoint::GetRun, Some("run_1"))
        ));
        assert!(matches!(
            find("POST", "/run/run_1/stop"),
            Match::Found(Endpoint::StopRun, Some("run_1"))
        ));
        assert!(matches!(
            find("GET", "/runs/"),
            Match::Found(Endpoint::ListRuns, None)
        ));
        assert!(matches!(find("PATCH", "/run/x"), Match::WrongMethod(ref m) if m == "GET, DELETE"));
        assert!(matches!(find("GET", "/nope"), Match::NotFound));
        assert!(matches!(find("GET", "/run/"), Match::WrongMethod(ref m) if m == "POST"));
        assert!(matches!(find("GET", "/run//stop"), Match::NotFound));
        assert!(
            matches!(find("GET", "/collections/import"), Match::WrongMethod(ref m) if m == "POST"),
            "a literal route is not also an id"
        );
    }
}
