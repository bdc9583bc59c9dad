//! One connection: hyper serves it (parsing, keep-alive, pipelining, chunked bodies,
//! `Expect: 100-continue`, HEAD) while this task keeps its deadlines and ends it: quietly when idle
//! too long or a reply is not taken, with 408 when a head is not whole in time, lingering after a
//! refusal, at once when it is evicted or the server stops while it waits.

use super::accept::Shared;
use super::io::Watched;
use super::watch::{Closing, Expired, Phase, Watch};
use super::{refuse, service, Refusal, MAX_HEAD, MAX_HEADERS};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use std::future::poll_fn;
use std::rc::Rc;
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How a connection ended.
enum End {
    /// Hyper is done with it (the client closed, or a reply said `Connection: close`).
    Done,
    /// Dropped as it is.
    Drop,
    /// A head not whole by its deadline: answered 408.
    Late,
}

/// Hyper as the API uses it. Header names are written as the API always wrote them (title case),
/// with no `Date` (replies never had one); heads are bounded as before.
fn builder() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .title_case_headers(true)
        .auto_date_header(false)
        .max_headers(MAX_HEADERS)
        .max_header_size(MAX_HEAD)
        // A partial head past this is refused too (431), not buffered further.
        .max_buf_size(MAX_HEAD)
        // This task keeps the deadlines (hyper's own would close without a reply).
        .header_read_timeout(None)
        // One buffer per reply: `io::hyper_reply` sees a reply's head whole.
        .writev(false);
    builder
}

pub(super) async fn serve(stream: TcpStream, watch: Rc<Watch>, shared: Rc<Shared>, id: u64) {
    let io = TokioIo::new(Watched::new(stream, Rc::clone(&watch), shared.render));
    let service = service::Service::new(Rc::clone(&shared), Rc::clone(&watch));
    let mut conn = builder().serve_connection(io, service);
    let end = loop {
        match watch.closing() {
            Some(Closing::Evicted) => break End::Drop,
            // A request being answered is finished first; then hyper closes.
            Some(Closing::Shutdown) if watch.phase() == Phase::Handling => {
                std::pin::Pin::new(&mut conn).graceful_shutdown()
            }
            Some(Closing::Shutdown) => break End::Drop,
            None => {}
        }
        let deadline = watch.deadline(&shared.limits);
        tokio::select! {
            _ = poll_fn(|cx| conn.poll_without_shutdown(cx)) => break End::Done,
            _ = sleep_until(deadline) => match watch.expired(Instant::now(), &shared.limits) {
                Some(Expired::Quietly) => break End::Drop,
                Some(Expired::Request) => break End::Late,
                None => {}
            },
            _ = watch.changed.notified() => {}
        }
    };
    shared.forget(id);
    let late = match end {
        End::Drop => return,
        End::Done if !watch.was_refused() => return,
        End::Done => None,
        End::Late => {
            let timeout = Refusal::Timeout(shared.limits.request_timeout);
            Some(refuse::encode(&(shared.render)(&timeout)))
        }
    };
    // Its place in the cap is given back now: it only lingers.
    watch.give_back_place();
    let stream = conn.into_parts().io.into_inner().into_stream();
    refuse::linger(stream, late, &shared).await;
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
