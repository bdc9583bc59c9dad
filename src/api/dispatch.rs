//! One request on a handler thread: the security checks, the route, the handler (a panic in it
//! contained), the reply, and the log line.

use super::error::ApiError;
use super::reply::{self, Reply};
use super::routes::{self, Endpoint, Match};
use super::transport::{Exchange, Request};
use super::{collection_runs, sse, AppState};
use std::sync::Arc;
use std::time::Instant;

pub(super) fn handle(state: &Arc<AppState>, exchange: Exchange) {
    let Exchange { request, responder } = exchange;
    let started = Instant::now();
    let method = request.method().to_string();
    let url = request.url().to_string();
    let reply = state.policy.check(&request).and_then(|()| {
        // A handler that panics answers 500 and leaves this handler thread serving.
        crate::fault::contain(|| dispatch(state, &request, &method, &url)).unwrap_or_else(|what| {
            log::error!("{method} {url}: the handler panicked: {what}");
            Err(ApiError::new(
                500,
                "internal",
                format!("the request failed inside the engine ({what}); the engine goes on, and the log has it"),
            ))
        })
    });
    let response = match reply {
        Ok(Reply::Stream(id)) => {
            log::info!("{method} {url} stream");
            sse::spawn(Arc::clone(state), responder, id);
            return;
        }
        Ok(reply) => reply::response(reply),
        Err(error) => reply::error_response(&error),
    };
    let status = response.status();
    responder.respond(response);
    log::info!(
        "{method} {url} {status} {:.1}ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
}

/// The route table's endpoints to their handlers.
// Kept whole: one arm per route, so it is as long as the table.
fn dispatch(
    state: &AppState,
    request: &Request,
    method: &str,
    url: &str,
) -> Result<Reply, ApiError> {
    let path = url.split('?').next().unwrap_or("");
    let (endpoint, id) = match routes::find(method, path) {
        Match::Found(endpoint, id) => (endpoint, id.unwrap_or("").to_string()),
        Match::WrongMethod(allow) => {
            return Err(ApiError {
                allow: Some(allow.clone()),
                ..ApiError::new(
                    405,
                    "method_not_allowed",
                    format!("{method} is not allowed on {path}; use {allow}"),
                )
            })
        }
        Match::NotFound => {
            return Err(ApiError::not_found(format!(
                "no route for {method} {path}; see docs/api.md"
            )))
        }
    };
    use super::handlers::{design, examples, runs, saved, system, ui};
    use reply::read_json as json;
    Ok(match endpoint {
        Endpoint::Health => system::health(state),
        Endpoint::Ui => ui::ui_file("")?,
        Endpoint::UiFile => ui::ui_file(&id)?,
        Endpoint::Config => system::config(state),
        Endpoint::Metrics => system::metrics(state),
        Endpoint::Request => design::request(state, json(request)?)?,
        Endpoint::StartRun => runs::start_run(state, json(request)?)?,
        Endpoint::ListRuns => runs::list_runs(state, url)?,
        Endpoint::GetRun => runs::get_run(state, &id)?,
        Endpoint::RunReport => runs::run_report(state, &id)?,
        Endpoint::RunReportHtml => runs::run_report_html(state, &id)?,
        Endpoint::RunJunit => collection_runs::junit(state, &id)?,
        Endpoint::ImportCollection => collection_runs::import_collection(state, json(request)?)?,
        Endpoint::ExportCollection => collection_runs::export_collection(state, &id)?,
        Endpoint::StopRun => runs::stop_run(state, &id)?,
        Endpoint::DeleteRun => runs::delete_run(state, &id)?,
        Endpoint::Stats => runs::stats(state, &id)?,
        Endpoint::ListCollections => saved::list_collections(state, url)?,
        Endpoint::CreateCollection => saved::create_collection(state, json(request)?)?,
        Endpoint::GetCollection => saved::get_collection(state, &id)?,
        Endpoint::UpdateCollection => saved::update_collection(state, &id, json(request)?)?,
        Endpoint::DeleteCollection => saved::delete_collection(state, &id)?,
        Endpoint::ListRequests => saved::list_requests(state, url)?,
        Endpoint::CreateRequest => saved::create_request(state, json(request)?)?,
        Endpoint::GetRequest => saved::get_request(state, &id)?,
        Endpoint::UpdateRequest => saved::update_request(state, &id, json(request)?)?,
        Endpoint::DeleteRequest => saved::delete_request(state, &id)?,
        Endpoint::CreateExample => examples::create_example(state, &id, json(request)?)?,
        Endpoint::DeleteExample => examples::delete_example(state, &id, path)?,
        Endpoint::ListEnvironments => saved::list_environments(state)?,
        Endpoint::CreateEnvironment => saved::create_environment(state, json(request)?)?,
        Endpoint::GetEnvironment => saved::get_environment(state, &id)?,
        Endpoint::UpdateEnvironment => saved::update_environment(state, &id, json(request)?)?,
        Endpoint::DeleteEnvironment => saved::delete_environment(state, &id)?,
    })
}
