//! A connection's socket as hyper sees it: it tells the connection's `Watch` when bytes come and
//! when writes stall or finish, and it puts the application's words into hyper's own error
//! replies.
//!
//! Hyper answers a head it cannot parse itself (400, or 431 for one too large) with an empty
//! body, then closes; it has no hook for that reply. It writes one only when no request of ours is
//! being answered (the service has not taken the request it failed on), so a reply written then
//! is hyper's: its bytes are replaced by the application's JSON error, as every other error is.

use super::watch::{Phase, Watch};
use super::{refuse, Refusal, Render};
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

pub(super) struct Watched {
    stream: TcpStream,
    watch: Rc<Watch>,
    render: Render,
    /// The reply written in place of hyper's, and how much of it is written.
    replacement: Option<(Vec<u8>, usize)>,
}

impl Watched {
    pub(super) fn new(stream: TcpStream, watch: Rc<Watch>, render: Render) -> Watched {
        Watched {
            stream,
            watch,
            render,
            replacement: None,
        }
    }

    pub(super) fn into_stream(self) -> TcpStream {
        self.stream
    }

    /// Writes what is left of the replacement reply.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = self.replacement.as_mut() {
            if *written == bytes.len() {
                return Poll::Ready(Ok(()));
            }
            let n = ready!(Pin::new(&mut self.stream).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

/// What hyper's own reply (its status line) refuses, if these bytes start one.
fn hyper_reply(buf: &[u8]) -> Option<Refusal> {
    let status = buf.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    // Every reply of ours says nosniff (`service::to_hyper`); hyper's own do not.
    let ours = buf[..head_end]
        .windows(b"x-content-type-options".len())
        .any(|w| w.eq_ignore_ascii_case(b"x-content-type-options"));
    if ours {
        return None;
    }
    match status {
        b"431" | b"414" => Some(Refusal::HeadTooLarge),
        [b'4', ..] => Some(Refusal::Malformed(
            "the request is not valid HTTP/1.1".into(),
        )),
        _ => None,
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.stream).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            this.watch.bytes_came();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacement.is_none() && this.watch.phase() != Phase::Handling {
            if let Some(refusal) = hyper_reply(buf) {
                this.watch.refuse();
                let reply = refuse::encode(&(this.render)(&refusal));
                this.replacement = Some((reply, 0));
            }
        }
        if this.replacement.is_some() {
            // Hyper's reply is taken as written; ours goes in its place. Hyper writes nothing
            // after it: the connection closes.
            ready!(this.poll_replacement(cx))?;
            return Poll::Ready(Ok(buf.len()));
        }
        let written = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.watch.write_blocked(written.is_pending());
        written
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        ready!(Pin::new(&mut this.stream).poll_flush(cx))?;
        this.watch.flushed();
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_replies_are_told_from_ours() {
        assert_eq!(
            hyper_reply(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"),
            Some(Refusal::Malformed(
                "the request is not valid HTTP/1.1".into()
            ))
        );
        assert_eq!(
            hyper_reply(b"HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n"),
            Some(Refusal::HeadTooLarge)
        );
        let ours = b"HTTP/1.1 404 Not Found\r\nX-Content-Type-Options: nosniff\r\n\r\n{}";
        assert_eq!(hyper_reply(ours), None);
        assert_eq!(hyper_reply(b"HTTP/1.1 100 Continue\r\n\r\n"), None);
        assert_eq!(hyper_reply(b"{\"a\": 1}"), None);
    }
}
