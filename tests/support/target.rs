//! A loopback target server the tests start on ephemeral ports: HTTP/1.1 and HTTP/2 (h2c and
//! TLS with ALPN), with a self-signed certificate. It counts requests and open connections so
//! tests can check from the server's side what the engine did.

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::body::{Body, Frame, Incoming};
use hyper::header::{HeaderValue, CONTENT_ENCODING, CONTENT_TYPE, LOCATION};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::rustls;

type ResponseBody = BoxBody<Bytes, Infallible>;

/// What the server saw.
#[derive(Default)]
pub struct ServerStats {
    pub requests: AtomicU64,
    pub open_connections: AtomicUsize,
    pub max_open_connections: AtomicUsize,
    pub accepted_connections: AtomicU64,
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    pub by_path: Mutex<HashMap<String, u64>>,
    /// `/stall-once`: until when every request to it is held (set by its 100th request).
    stall_until: Mutex<Option<std::time::Instant>>,
    /// `/replay/...`: the recorded response to give for each path, as registered by a test.
    pub replies: Mutex<HashMap<String, Reply>>,
    /// `/seq/...`: responses given in this order, whatever the path; each request is kept in
    /// `received`.
    pub sequence: Mutex<std::collections::VecDeque<Reply>>,
    pub received: Mutex<Vec<Received>>,
}

/// A request as `/seq/...` received it: the path and query after `/seq`.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A header the target received, by name (any case).
pub fn received_header<'a>(r: &'a Received, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A response recorded elsewhere, given back as it was: status, reason phrase, headers in order.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Reply {
    pub code: u16,
    pub status: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// A scripted answer: the code (its reason phrase left to the server), headers, body.
    pub fn new(code: u16, headers: &[(&str, &str)], body: &str) -> Reply {
        Reply {
            code,
            status: String::new(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        }
    }
}

impl ServerStats {
    pub fn path_count(&self, path: &str) -> u64 {
        self.by_path.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// Raises a gauge and its high-water mark; lowers the gauge when dropped.
struct GaugeGuard<'a>(&'a AtomicUsize);

impl<'a> GaugeGuard<'a> {
    fn raise(gauge: &'a AtomicUsize, max: &AtomicUsize) -> Self {
        let now = gauge.fetch_add(1, SeqCst) + 1;
        max.fetch_max(now, SeqCst);
        GaugeGuard(gauge)
    }
}

impl Drop for GaugeGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}

pub struct TargetServer {
    pub http: SocketAddr,
    pub https: SocketAddr,
    pub stats: Arc<ServerStats>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TargetServer {
    pub fn start() -> TargetServer {
        let stats = Arc::new(ServerStats::default());
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let server_stats = Arc::clone(&stats);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let http = TcpListener::bind("127.0.0.1:0").await.expect("bind http");
                let https = TcpListener::bind("127.0.0.1:0").await.expect("bind https");
                addr_tx
                    .send((http.local_addr().unwrap(), https.local_addr().unwrap()))
                    .unwrap();
                let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls_config()));
                tokio::spawn(accept_loop(http, None, Arc::clone(&server_stats)));
                tokio::spawn(accept_loop(https, Some(acceptor), server_stats));
                let _ = shutdown_rx.await;
            });
            rt.shutdown_timeout(Duration::from_secs(1));
        });
        let (http, https) = addr_rx.recv().expect("server started");
        TargetServer {
            http,
            https,
            stats,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.http, path)
    }

    pub fn tls_url(&self, path: &str) -> String {
        format!("https://{}{}", self.https, path)
    }
}

impl Drop for TargetServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn tls_config() -> rustls::ServerConfig {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("self-signed cert");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .expect("server certificate");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stats: Arc<ServerStats>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let stats = Arc::clone(&stats);
        let tls = tls.clone();
        tokio::spawn(async move {
            stats.accepted_connections.fetch_add(1, SeqCst);
            let _open = GaugeGuard::raise(&stats.open_connections, &stats.max_open_connections);
            let service_stats = Arc::clone(&stats);
            let service =
                hyper::service::service_fn(move |req| handle(req, Arc::clone(&service_stats)));
            let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            // Header names go out as most servers write them (Content-Type), not lowercased.
            builder.http1().title_case_headers(true);
            match tls {
                None => {
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                }
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        let _ = builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                }
            }
        });
    }
}

fn digest<B>(req: &hyper::Request<B>, user: &str, password: &str) -> Response<ResponseBody> {
    use md5::{Digest, Md5};
    let hex = |text: String| format!("{:x}", Md5::digest(text.as_bytes()));
    let (realm, nonce) = ("vayu", "n0nce");
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Digest "));
    let Some(auth) = auth else {
        let mut r = full(401, "digest needed");
        r.headers_mut().insert(
            "www-authenticate",
            HeaderValue::from_str(&format!(
                "Digest realm=\"{realm}\", nonce=\"{nonce}\", qop=\"auth\", algorithm=MD5"
            ))
            .unwrap(),
        );
        return r;
    };
    let field = |name: &str| {
        auth.split(',')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim_matches('"').to_string())
            .unwrap_or_default()
    };
    let ha1 = hex(format!("{user}:{realm}:{password}"));
    let ha2 = hex(format!("{}:{}", req.method(), field("uri")));
    let expected = hex(format!(
        "{ha1}:{nonce}:{}:{}:auth:{ha2}",
        field("nc"),
        field("cnonce")
    ));
    if field("username") == user && field("response") == expected {
        full(200, "digest ok")
    } else {
        full(401, "wrong digest")
    }
}

/// NTLM's handshake, as small as libcurl accepts it: no credentials → 401 `NTLM`; a Type-1
/// message → 401 with a Type-2 challenge; a Type-3 message → 200 with the domain, user and
/// workstation it names, as JSON. Each message's type is checked.
fn ntlm<B>(req: &hyper::Request<B>) -> Response<ResponseBody> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let challenge = |value: String| {
        let mut r = full(401, "ntlm");
        r.headers_mut()
            .insert("www-authenticate", HeaderValue::from_str(&value).unwrap());
        r
    };
    let message = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("NTLM "))
        .and_then(|m| b64.decode(m.trim()).ok());
    let Some(m) = message else {
        return challenge("NTLM".into());
    };
    if m.len() < 12 || &m[..8] != b"NTLMSSP\0" {
        return full(400, "not an NTLM message");
    }
    let u16_at = |i: usize| u16::from_le_bytes([m[i], m[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes([m[i], m[i + 1], m[i + 2], m[i + 3]]);
    match u32_at(8) {
        1 => {
            // Type 2: signature, type, empty target name, flags (Unicode, NTLM), challenge,
            // context; no target info.
            let mut t2 = b"NTLMSSP\0".to_vec();
            t2.extend(2u32.to_le_bytes());
            t2.extend([0, 0, 0, 0, 48, 0, 0, 0]);
            t2.extend((0x0000_0201u32).to_le_bytes());
            t2.extend(*b"\x01\x23\x45\x67\x89\xab\xcd\xef");
            t2.extend([0u8; 8]);
            t2.extend([0, 0, 0, 0, 48, 0, 0, 0]);
            challenge(format!("NTLM {}", b64.encode(t2)))
        }
        3 if m.len() >= 52 => {
            let field = |at: usize| {
                let (len, offset) = (u16_at(at), u32_at(at + 4) as usize);
                let bytes = m.get(offset..offset + len).unwrap_or_default();
                let units: Vec<u16> = bytes
                    .chunks(2)
                    .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                String::from_utf16_lossy(&units)
            };
            let nt_response_len = u16_at(20);
            json_reply(&serde_json::json!({
                "domain": field(28),
                "user": field(36),
                "workstation": field(44),
                "ntResponseBytes": nt_response_len,
            }))
        }
        other => full(400, format!("NTLM message type {other} out of order")),
    }
}

/// A request's headers as (name, value) text, in order.
fn header_pairs<B>(req: &hyper::Request<B>) -> Vec<(String, String)> {
    req.headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// A recorded response as it was: status, reason phrase, headers in order (framing aside).
fn replay(reply: Reply) -> Response<ResponseBody> {
    let header = |name: &str| {
        reply
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    // A recording holds the body as the client decoded it: encode it again as its
    // Content-Encoding says, and send it chunked when it came chunked.
    let body: Bytes = match header("content-encoding").as_deref() {
        Some("gzip") => encode(
            flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default()),
            &reply.body,
        ),
        Some("deflate") => encode(
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default()),
            &reply.body,
        ),
        _ => reply.body.clone().into(),
    };
    let mut r = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        let remaining = body.len();
        let mut r = Response::new(
            Pieces {
                piece: body,
                remaining,
            }
            .boxed(),
        );
        *r.status_mut() = StatusCode::from_u16(reply.code).unwrap();
        r
    } else {
        full(reply.code, body)
    };
    if let Ok(reason) = hyper::ext::ReasonPhrase::try_from(reply.status.into_bytes()) {
        r.extensions_mut().insert(reason);
    }
    for (k, v) in reply.headers {
        // The framing headers are this server's own.
        let framing = ["content-length", "transfer-encoding", "connection"];
        if !framing.contains(&k.to_ascii_lowercase().as_str()) {
            r.headers_mut().append(
                hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(&v).unwrap(),
            );
        }
    }
    r
}

fn encode<W: std::io::Write + Finish>(mut encoder: W, body: &str) -> Bytes {
    encoder.write_all(body.as_bytes()).unwrap();
    encoder.finish_bytes()
}

/// flate2's encoders, finished into the bytes they wrote.
trait Finish {
    fn finish_bytes(self) -> Bytes;
}

impl Finish for flate2::write::GzEncoder<Vec<u8>> {
    fn finish_bytes(self) -> Bytes {
        self.finish().unwrap().into()
    }
}

impl Finish for flate2::write::ZlibEncoder<Vec<u8>> {
    fn finish_bytes(self) -> Bytes {
        self.finish().unwrap().into()
    }
}

fn full(status: u16, body: impl Into<Bytes>) -> Response<ResponseBody> {
    let mut r = Response::new(Full::new(body.into()).boxed());
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    r
}

/// A body sent in pieces with no length up front, so HTTP/1.1 uses chunked encoding.
struct Pieces {
    piece: Bytes,
    remaining: usize,
}

impl Body for Pieces {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(self.piece.len());
        self.remaining -= n;
        Poll::Ready(Some(Ok(Frame::data(self.piece.slice(..n)))))
    }
}

/// A request's whole body (empty if it could not be read).
async fn body_of(req: Request<Incoming>) -> Bytes {
    req.into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default()
}

/// A 200 with a JSON body.
fn json_reply(value: &serde_json::Value) -> Response<ResponseBody> {
    let mut r = full(200, value.to_string());
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

async fn handle(
    req: Request<Incoming>,
    stats: Arc<ServerStats>,
) -> Result<Response<ResponseBody>, Infallible> {
    stats.requests.fetch_add(1, SeqCst);
    let _in_flight = GaugeGuard::raise(&stats.in_flight, &stats.max_in_flight);
    let path = req.uri().path().to_string();
    *stats
        .by_path
        .lock()
        .unwrap()
        .entry(path.clone())
        .or_default() += 1;
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let number = |s: &str| s.parse::<u64>().unwrap_or(0);
    let response = match segments.as_slice() {
        ["echo"] => {
            let method = req.method().to_string();
            let version = format!("{:?}", req.version());
            let uri = req.uri().to_string();
            let headers = header_pairs(&req);
            let body = body_of(req).await;
            let echo = serde_json::json!({
                "method": method,
                "uri": uri,
                "version": version,
                "headers": headers,
                "body": String::from_utf8_lossy(&body),
                // The exact bytes, for binary bodies the text above cannot show.
                "bodyBase64": base64::engine::general_purpose::STANDARD.encode(&body),
            });
            json_reply(&echo)
        }
        // httpbin's `/get` and `/post`, as far as the README's examples use them: the query as
        // `args`, the headers, and a JSON body as `json`.
        ["get"] | ["post"] => {
            let args: serde_json::Map<String, serde_json::Value> = req
                .uri()
                .query()
                .unwrap_or("")
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                .collect();
            let headers: serde_json::Map<String, serde_json::Value> = header_pairs(&req)
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
            let body = body_of(req).await;
            let json = serde_json::from_slice::<serde_json::Value>(&body).ok();
            json_reply(&serde_json::json!({"args": args, "headers": headers, "json": json}))
        }
        ["status", code] => full(number(code) as u16, format!("status {code}")),
        // A login that hands out a token, and a page that needs it: journeys chain them.
        ["login", user] => full(
            200,
            serde_json::json!({"token": format!("tok-{user}")}).to_string(),
        ),
        ["me"] => {
            let auth = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            match auth.strip_prefix("Bearer tok-") {
                Some(user) if !user.is_empty() => {
                    full(200, serde_json::json!({"user": user}).to_string())
                }
                _ => full(401, "no token"),
            }
        }
        // Digest auth (RFC 7616, MD5, qop=auth) for user/password: a challenge, then 200 for a
        // right answer and 401 for a wrong one.
        ["digest", user, password] => digest(&req, user, password),
        ["ntlm"] => ntlm(&req),
        ["redirect", n] => {
            let n = number(n);
            if n == 0 {
                full(200, "redirects done")
            } else {
                let mut r = full(302, "");
                r.headers_mut().insert(
                    LOCATION,
                    HeaderValue::from_str(&format!("/redirect/{}", n - 1)).unwrap(),
                );
                r
            }
        }
        // A redirect to wherever `?url=` says (taken as written, no decoding).
        ["redirect-to"] => {
            let to = req
                .uri()
                .query()
                .and_then(|q| q.strip_prefix("url="))
                .unwrap_or("/");
            let mut r = full(302, "");
            r.headers_mut()
                .insert(LOCATION, HeaderValue::from_str(to).unwrap());
            r
        }
        ["gzip"] => {
            use std::io::Write;
            let accepts = req
                .headers()
                .get("accept-encoding")
                .is_some_and(|v| v.to_str().unwrap_or("").contains("gzip"));
            let text = r#"{"gzipped":true}"#;
            if accepts {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                enc.write_all(text.as_bytes()).unwrap();
                let mut r = full(200, enc.finish().unwrap());
                r.headers_mut()
                    .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            } else {
                full(200, text)
            }
        }
        ["chunked"] => Response::new(
            Pieces {
                piece: Bytes::from_static(b"0123456789"),
                remaining: 100,
            }
            .boxed(),
        ),
        ["bytes", n] => Response::new(
            Pieces {
                piece: Bytes::from(vec![b'x'; 64 * 1024]),
                remaining: number(n) as usize,
            }
            .boxed(),
        ),
        ["delay", ms] => {
            tokio::time::sleep(Duration::from_millis(number(ms))).await;
            full(200, "waited")
        }
        ["binary"] => full(200, vec![0xffu8, 0xfe, 0x00, 0x80]),
        // A server that stalls once, for 500 ms, when its 100th request arrives (like a GC pause):
        // every request arriving during the stall waits until it ends.
        ["stall-once"] => {
            let until = {
                let mut stall = stats.stall_until.lock().unwrap();
                if stall.is_none() && stats.path_count("/stall-once") == 100 {
                    *stall = Some(std::time::Instant::now() + Duration::from_millis(500));
                }
                *stall
            };
            if let Some(until) = until {
                let now = std::time::Instant::now();
                if now < until {
                    tokio::time::sleep(until - now).await;
                }
            }
            full(200, "ok")
        }
        // Answers as the request body says: {"status", "headers": {name: value}, "body"}.
        ["respond"] => {
            let raw = req
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let spec: serde_json::Value = serde_json::from_slice(&raw).unwrap_or_default();
            let body = match &spec["body"] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            let mut r = full(spec["status"].as_u64().unwrap_or(200) as u16, body);
            if let Some(headers) = spec["headers"].as_object() {
                for (k, v) in headers {
                    r.headers_mut().append(
                        hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                        HeaderValue::from_str(v.as_str().unwrap_or_default()).unwrap(),
                    );
                }
            }
            r
        }
        ["seq", ..] => {
            let method = req.method().to_string();
            let target = req
                .uri()
                .path_and_query()
                .map_or(String::new(), |p| p.as_str().to_string());
            let headers = header_pairs(&req);
            let body = req
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes().to_vec())
                .unwrap_or_default();
            stats.received.lock().unwrap().push(Received {
                method,
                path: target.strip_prefix("/seq").unwrap_or(&target).to_string(),
                headers,
                body,
            });
            let reply = stats.sequence.lock().unwrap().pop_front();
            match reply {
                Some(reply) => replay(reply),
                None => full(599, "no more replies in the sequence"),
            }
        }
        ["replay", ..] => {
            let reply = stats.replies.lock().unwrap().get(&path).cloned();
            match reply {
                Some(reply) => replay(reply),
                None => full(404, "nothing registered to replay here"),
            }
        }
        ["close"] => {
            let mut r = full(200, "closing");
            r.headers_mut()
                .insert("connection", HeaderValue::from_static("close"));
            r
        }
        ["cookies"] => {
            let mut r = full(200, "cookies");
            r.headers_mut()
                .append("set-cookie", HeaderValue::from_static("a=1"));
            r.headers_mut()
                .append("x-between", HeaderValue::from_static("yes"));
            r.headers_mut()
                .append("set-cookie", HeaderValue::from_static("b=2"));
            r
        }
        _ => full(404, "no such route"),
    };
    Ok(response)
}
