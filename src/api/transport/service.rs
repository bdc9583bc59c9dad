//! What hyper calls with each request head: refuses what the head already decides (a body over the
//! limit by its `Content-Length`, a transfer coding other than `chunked`), reads the body within
//! the request's deadline and limit, hands the whole request to a handler thread and waits for
//! its reply without holding a thread.

use super::accept::Shared;
use super::watch::Watch;
use super::{Body, Exchange, Refusal, Request, Responder, Response};
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper::header::{HeaderName, HeaderValue, TRANSFER_ENCODING};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

pub(super) struct Service {
    shared: Rc<Shared>,
    watch: Rc<Watch>,
}

impl Service {
    pub(super) fn new(shared: Rc<Shared>, watch: Rc<Watch>) -> Service {
        Service { shared, watch }
    }
}

/// The request gets no reply: its handler is gone (the server stops, or it panicked before it
/// answered). Hyper then closes the connection.
#[derive(Debug)]
pub(super) struct Unanswered;

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request was not answered")
    }
}

impl std::error::Error for Unanswered {}

type Answer = Result<hyper::Response<ReplyBody>, Unanswered>;

impl hyper::service::Service<hyper::Request<Incoming>> for Service {
    type Response = hyper::Response<ReplyBody>;
    type Error = Unanswered;
    type Future = Pin<Box<dyn Future<Output = Answer>>>;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        Box::pin(answer(
            Rc::clone(&self.shared),
            Rc::clone(&self.watch),
            request,
        ))
    }
}

async fn answer(shared: Rc<Shared>, watch: Rc<Watch>, request: hyper::Request<Incoming>) -> Answer {
    let first_byte = watch.request_taken();
    let limits = &shared.limits;
    let refuse = |refusal: Refusal| {
        watch.refuse();
        let reply = (shared.render)(&refusal).with_header("Connection", "close");
        Ok(to_hyper(reply, &watch))
    };
    let (head, body) = request.into_parts();
    if let Some(coding) = unsupported_coding(&head.headers) {
        return refuse(Refusal::UnsupportedEncoding(coding));
    }
    // Decided from the head, so the client is told before it sends the body (and gets no
    // `100 Continue`: hyper sends that only once the body is read).
    let declared = hyper::body::Body::size_hint(&body).exact();
    if declared.is_some_and(|n| n > limits.max_body as u64) {
        return refuse(Refusal::TooLarge);
    }
    let deadline = first_byte + limits.request_timeout;
    let body = match tokio::time::timeout_at(deadline, read_body(body, limits.max_body)).await {
        Err(_) => return refuse(Refusal::Timeout(limits.request_timeout)),
        Ok(Err(BodyError::TooLarge)) => return refuse(Refusal::TooLarge),
        Ok(Err(BodyError::Broken(e))) => {
            return refuse(Refusal::Malformed(format!(
                "the body could not be read: {e}"
            )))
        }
        Ok(Ok(body)) => body,
    };
    let request = Request {
        method: head.method.as_str().to_string(),
        url: head.uri.to_string(),
        headers: head
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).trim().to_string();
                (name.as_str().to_string(), value)
            })
            .collect(),
        body,
    };
    let (responder, reply) = tokio::sync::oneshot::channel();
    let exchange = Exchange {
        request,
        responder: Responder(responder),
    };
    // Refused only once the server stops: the connection then closes.
    let handed = match shared.exchanges.lock().as_ref() {
        Some(handlers) => handlers.send(exchange).is_ok(),
        None => false,
    };
    if !handed {
        return Err(Unanswered);
    }
    match reply.await {
        Ok(response) => Ok(to_hyper(response, &watch)),
        Err(_) => Err(Unanswered),
    }
}

/// The transfer codings a request names, if they are other than `chunked` alone (hyper itself
/// refuses, 400, those where `chunked` is not the last).
fn unsupported_coding(headers: &hyper::HeaderMap) -> Option<String> {
    let codings: Vec<String> = headers
        .get_all(TRANSFER_ENCODING)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .collect();
    match codings.as_slice() {
        [] => None,
        [one] if one.eq_ignore_ascii_case("chunked") => None,
        _ => Some(codings.join(", ")),
    }
}

enum BodyError {
    TooLarge,
    Broken(hyper::Error),
}

/// The whole body, refused as soon as it passes `max` (a chunked body's size is known only as
/// it comes).
async fn read_body(mut body: Incoming, max: usize) -> Result<Bytes, BodyError> {
    let mut whole: Vec<u8> = Vec::new();
    while let Some(frame) =
        poll_fn(|cx| hyper::body::Body::poll_frame(Pin::new(&mut body), cx)).await
    {
        let Ok(data) = frame.map_err(BodyError::Broken)?.into_data() else {
            // Trailer fields: ignored.
            continue;
        };
        if whole.len() + data.len() > max {
            return Err(BodyError::TooLarge);
        }
        whole.extend_from_slice(&data);
    }
    Ok(Bytes::from(whole))
}

/// The reply as hyper writes it. Every reply says nosniff: browsers must take it as the type it
/// says (a JSON error is not a page).
fn to_hyper(response: Response, watch: &Rc<Watch>) -> hyper::Response<ReplyBody> {
    let Response {
        status,
        headers,
        body,
    } = response;
    let mut reply = hyper::Response::new(ReplyBody {
        body,
        watch: Rc::clone(watch),
    });
    *reply.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let fields = reply.headers_mut();
    for (name, value) in headers {
        // Names and values are the application's own strings; one that is no valid field (a
        // control character) is left out rather than failing the reply.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::try_from(value),
        ) {
            fields.append(name, value);
        }
    }
    fields.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    reply
}

/// A reply's body for hyper. Dropped by hyper once it has taken all of it, which tells the
/// connection's watch that the reply is written once the next flush is done.
pub(super) struct ReplyBody {
    body: Body,
    watch: Rc<Watch>,
}

impl Drop for ReplyBody {
    fn drop(&mut self) {
        self.watch.reply_encoded();
    }
}

impl hyper::body::Body for ReplyBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match &mut self.get_mut().body {
            Body::Full(bytes) if bytes.is_empty() => Poll::Ready(None),
            Body::Full(bytes) => Poll::Ready(Some(Ok(Frame::data(std::mem::take(bytes))))),
            Body::Stream(chunks) => chunks
                .poll_recv(cx)
                .map(|chunk| chunk.map(|c| Ok(Frame::data(c)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(&self.body, Body::Full(bytes) if bytes.is_empty())
    }

    fn size_hint(&self) -> SizeHint {
        match &self.body {
            Body::Full(bytes) => SizeHint::with_exact(bytes.len() as u64),
            Body::Stream(_) => SizeHint::default(),
        }
    }
}
