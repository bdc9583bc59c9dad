//! Replies the transport writes outside hyper (503 at the cap, 408 for a head not whole in time,
//! and hyper's own error replies put in the application's words), and the lingering close after
//! any refusal: closing a socket with unread input resets it, and the client could lose the reply
//! that says why.

use super::accept::Shared;
use super::{Body, Response};
use crate::model::response::reason_phrase;
use std::io::Write;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A refused connection is drained for this long before it is closed.
const LINGER: Duration = Duration::from_secs(2);
/// Refused connections lingering at once at most; past this they are closed at once.
const MAX_LINGERING: usize = 1024;

/// A whole reply that closes its connection, as bytes. Refusals are small and whole; a streamed
/// reply has no place here.
pub(super) fn encode(response: &Response) -> Vec<u8> {
    let body: &[u8] = match &response.body {
        Body::Full(bytes) => bytes,
        Body::Stream(_) => &[],
    };
    let mut out = Vec::with_capacity(body.len() + 160);
    let status = response.status;
    let _ = write!(out, "HTTP/1.1 {status} {}\r\n", reason_phrase(status));
    for (name, value) in &response.headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    out.extend_from_slice(b"X-Content-Type-Options: nosniff\r\n");
    let _ = write!(out, "Content-Length: {}\r\n", body.len());
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(body);
    out
}

/// Writes `reply` (if any), shuts the connection for writing and drains what the client still
/// sends until it closes or `LINGER` passes. At most `MAX_LINGERING` at once; past that the
/// connection closes after the write.
pub(super) async fn linger(mut stream: TcpStream, reply: Option<Vec<u8>>, shared: &Shared) {
    if let Some(reply) = reply {
        // Small, into a send buffer nothing else uses; bounded like any lingering.
        let written = tokio::time::timeout(LINGER, stream.write_all(&reply)).await;
        if !matches!(written, Ok(Ok(()))) {
            return;
        }
    }
    let _ = stream.shutdown().await;
    if shared.lingering.get() >= MAX_LINGERING {
        return;
    }
    shared.lingering.set(shared.lingering.get() + 1);
    let mut sink = [0u8; 16 * 1024];
    let _ = tokio::time::timeout(LINGER, async {
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
    shared.lingering.set(shared.lingering.get() - 1);
}
