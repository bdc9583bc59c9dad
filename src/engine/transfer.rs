//! One libcurl easy handle: configuring it from a [`PreparedRequest`] and reading back what came in.

use super::config::EngineConfig;
use crate::model::auth::CurlAuth;
use crate::model::response::{encode_body, reason_phrase};
use crate::model::{
    ErrorCategory, Header, HttpVersionPref, Method, PreparedRequest, Response, Timings, TlsOptions,
    TransferError,
};
use curl::easy::{Easy2, Handler, HttpVersion, List, WriteError};

/// Receives one response. Buffers keep their capacity across transfers, so a reused handle
/// does not allocate on the hot path.
#[derive(Debug, Default)]
pub(super) struct Collector {
    body: Vec<u8>,
    body_size: u64,
    body_cap: usize,
    truncated: bool,
    /// Raw header lines of the latest response (a redirect or `100 Continue` starts a new one).
    header_block: Vec<u8>,
    /// Keep the earlier responses' header blocks in `earlier` (a request with a cookie jar):
    /// off, a new response's block replaces the last one and nothing more is done.
    keep_earlier: bool,
    earlier: Vec<u8>,
    /// The URL the transfer started at, when `keep_earlier`.
    request_url: String,
    /// libcurl's cookie engine was turned on for a transfer of this handle: it stays on and
    /// keeps its cookies through `curl_easy_reset`, so the worker gives a request that has no
    /// jar a fresh handle instead (see `uses_cookie_engine`).
    cookie_engine: bool,
    /// A callback of this transfer panicked, saying this: the transfer was aborted.
    panicked: Option<String>,
}

impl Collector {
    pub(super) fn new(body_cap: usize) -> Collector {
        Collector {
            body_cap,
            ..Collector::default()
        }
    }

    fn clear(&mut self) {
        self.body.clear();
        self.body_size = 0;
        self.truncated = false;
        self.header_block.clear();
        self.earlier.clear();
        self.panicked = None;
    }

    pub(super) fn uses_cookie_engine(&self) -> bool {
        self.cookie_engine
    }

    pub(super) fn body_size(&self) -> u64 {
        self.body_size
    }

    fn keep_body(&mut self, data: &[u8]) -> usize {
        #[cfg(test)]
        if data.starts_with(tests::PANIC_BODY) {
            panic!("injected into the write callback");
        }
        self.body_size += data.len() as u64;
        if !self.truncated {
            if self.body.len() + data.len() <= self.body_cap {
                self.body.extend_from_slice(data);
            } else {
                // Over the cap: stop keeping bytes (and free them) but keep receiving and counting.
                self.truncated = true;
                self.body = Vec::new();
            }
        }
        data.len()
    }

    fn keep_header(&mut self, line: &[u8]) {
        if line.starts_with(b"HTTP/") {
            if self.keep_earlier {
                self.earlier.extend_from_slice(&self.header_block);
            }
            self.header_block.clear();
        }
        self.header_block.extend_from_slice(line);
    }

    /// Runs a callback's work, keeping a panic here: left to curl-rust, it would be stored and
    /// fail every later callback on this worker thread. The transfer is aborted instead.
    fn contained<T>(&mut self, aborted: T, work: impl FnOnce(&mut Self) -> T) -> T {
        crate::fault::contain(|| work(self)).unwrap_or_else(|what| {
            self.panicked = Some(what);
            aborted
        })
    }
}

impl Handler for Collector {
    fn write(&mut self, data: &[u8]) -> Result<usize, WriteError> {
        // Taking fewer bytes than given makes libcurl abort the transfer.
        Ok(self.contained(0, |c| c.keep_body(data)))
    }

    fn header(&mut self, line: &[u8]) -> bool {
        self.contained(false, |c| {
            c.keep_header(line);
            true
        })
    }
}

/// The error of a failed transfer, saying so when one of its callbacks panicked.
pub(super) fn explain(easy: &EasyHandle, error: TransferError) -> TransferError {
    match &easy.get_ref().panicked {
        Some(what) => TransferError::new(
            ErrorCategory::Aborted,
            format!("receiving the response panicked inside the engine ({what}); the transfer was aborted"),
        ),
        None => error,
    }
}

pub(super) type EasyHandle = Easy2<Collector>;

pub(super) fn new_handle(config: &EngineConfig) -> EasyHandle {
    Easy2::new(Collector::new(config.body_cap))
}

/// Sets every option a request needs on a handle that was just created or reset.
pub(super) fn configure(
    easy: &mut EasyHandle,
    req: &PreparedRequest,
    config: &EngineConfig,
) -> Result<(), curl::Error> {
    let collector = easy.get_mut();
    collector.clear();
    collector.keep_earlier = req.keep_redirect_cookies;
    if req.keep_redirect_cookies {
        collector.request_url.clone_from(&req.url);
    }
    // After a reset too: curl_easy_reset removes the hooks.
    vayu_ffi::install_socket_hooks(easy, &super::reactor::SOCKET_HOOKS)?;
    // Parsed once here rather than by libcurl on every transfer of this handle.
    vayu_ffi::set_url(easy, vayu_ffi::ParsedUrl::parse(&req.url)?)?;

    set_method_and_body(easy, req)?;
    set_headers(easy, req, config)?;
    set_curl_auth(easy, req)?;
    set_transfer_options(easy, req, config)
}

/// The method, and the body when there is one.
fn set_method_and_body(easy: &mut EasyHandle, req: &PreparedRequest) -> Result<(), curl::Error> {
    let body = req.body.as_deref();
    match (req.method, body) {
        (Method::Get, None) => easy.get(true)?,
        (Method::Head, None) => easy.nobody(true)?,
        // A HEAD with a body (Postman's `disableBodyPruning`). libcurl sends a body only for a
        // POST (CURLOPT_NOBODY drops it), and after a POST it waits for the Content-Length the
        // server announces, which a HEAD response never sends. So: a POST named HEAD, on a
        // connection the server closes after answering, read to its end whatever the
        // Content-Length says (`Connection: close` is added with the headers below).
        (Method::Head, Some(bytes)) => {
            easy.post(true)?;
            easy.post_fields_copy(bytes)?;
            easy.custom_request("HEAD")?;
            easy.ignore_content_length(true)?;
        }
        (Method::Post, None) => {
            easy.post(true)?;
            easy.post_field_size(0)?;
        }
        // PUT and PATCH without a body still send `Content-Length: 0`, which servers expect.
        (Method::Put | Method::Patch, None) => {
            easy.post(true)?;
            easy.post_field_size(0)?;
            easy.custom_request(req.method.as_str())?;
        }
        (method, None) => easy.custom_request(method.as_str())?,
        (method, Some(bytes)) => {
            easy.post(true)?;
            easy.post_fields_copy(bytes)?;
            if method != Method::Post {
                easy.custom_request(method.as_str())?;
            }
        }
    }

    Ok(())
}

/// The request's headers, and the user agent and encodings every request sends.
fn set_headers(
    easy: &mut EasyHandle,
    req: &PreparedRequest,
    config: &EngineConfig,
) -> Result<(), curl::Error> {
    let mut list = List::new();
    for (name, value) in &req.headers {
        // libcurl drops `Name:` with an empty value; `Name;` is its syntax for sending it empty.
        if value.is_empty() {
            list.append(&format!("{name};"))?;
        } else {
            list.append(&format!("{name}: {value}"))?;
        }
    }
    if req.method == Method::Head && req.body.is_some() {
        list.append("Connection: close")?;
    }
    if req.body.as_ref().is_some_and(|b| b.len() > 1024) {
        // No `Expect: 100-continue` round trip: it adds a stall that a load test would measure.
        list.append("Expect:")?;
    }
    easy.http_headers(list)?;
    easy.useragent(&config.user_agent)?;
    // Ask for every encoding libcurl can decode, and decode it, as browsers and Postman do.
    easy.accept_encoding("")?;

    Ok(())
}

/// The auths libcurl carries out itself (digest and NTLM challenges, SigV4 signing).
fn set_curl_auth(easy: &mut EasyHandle, req: &PreparedRequest) -> Result<(), curl::Error> {
    match req.curl_auth.as_deref() {
        None => {}
        Some(CurlAuth::Digest { username, password }) => {
            easy.username(username)?;
            easy.password(password)?;
            let mut auth = curl::easy::Auth::new();
            auth.digest(true);
            easy.http_auth(&auth)?;
        }
        Some(CurlAuth::Ntlm { username, password }) => {
            easy.username(username)?;
            easy.password(password)?;
            vayu_ffi::ntlm_on_challenge(easy)?;
        }
        Some(CurlAuth::AwsSigV4 {
            access_key,
            secret_key,
            provider,
        }) => {
            easy.username(access_key)?;
            easy.password(secret_key)?;
            easy.aws_sigv4(provider)?;
        }
    }
    Ok(())
}

/// A user's cookies from its jar, in libcurl's cookie engine (so redirects carry the cookies
/// each hop sets).
fn set_jar_cookies(easy: &mut EasyHandle, cookies: &str) -> Result<(), curl::Error> {
    // The cookies of the transfer before are not this user's: empty the engine first.
    easy.cookie_list("ALL")?;
    // Once per handle: each CURLOPT_COOKIEFILE adds to a list libcurl keeps through resets.
    if !easy.get_ref().cookie_engine {
        easy.cookie_file("")?;
        easy.get_mut().cookie_engine = true;
    }
    if !cookies.is_empty() {
        // Sent to the request's host only: libcurl sends CURLOPT_COOKIE to a redirect's
        // target only when it is the same host and port (`Curl_auth_allowed_to_host`),
        // after the cookies a redirect set (one Cookie header). Test:
        // `collection_http::the_jar_cookies_of_one_host_do_not_follow_a_redirect_to_another`.
        easy.cookie(cookies)?;
    }
    Ok(())
}

/// Redirects, TLS, cookies, timeout, HTTP version and proxy.
fn set_transfer_options(
    easy: &mut EasyHandle,
    req: &PreparedRequest,
    config: &EngineConfig,
) -> Result<(), curl::Error> {
    match (req.follow_redirects, req.follow_original_method) {
        (false, _) => easy.follow_location(false)?,
        (true, false) => vayu_ffi::follow_location_obeying_code(easy)?,
        (true, true) => {
            // Every method and body as they were, on every redirect code.
            easy.follow_location(true)?;
            let mut keep = curl::easy::PostRedirections::new();
            keep.redirect_all(true);
            easy.post_redirections(&keep)?;
        }
    }
    easy.max_redirections(req.max_redirects)?;
    if req.follow_authorization {
        easy.unrestricted_auth(true)?;
    }
    if let Some(tls) = &req.tls {
        configure_tls(easy, tls)?;
    }
    if let Some(cookies) = &req.jar_cookies {
        set_jar_cookies(easy, cookies)?;
    }
    easy.timeout(req.timeout.unwrap_or_default())?;
    if req.insecure {
        easy.ssl_verify_peer(false)?;
        easy.ssl_verify_host(false)?;
    }
    easy.http_version(match req.http_version {
        HttpVersionPref::Auto => HttpVersion::V2TLS,
        HttpVersionPref::Http10 => HttpVersion::V10,
        HttpVersionPref::Http11 => HttpVersion::V11,
        HttpVersionPref::Http2 => HttpVersion::V2,
        HttpVersionPref::Http2PriorKnowledge => HttpVersion::V2PriorKnowledge,
    })?;
    if req.may_multiplex() {
        // Transfers started together wait for the first connection to say whether it multiplexes,
        // instead of each opening a connection of its own.
        easy.pipewait(true)?;
    }
    let env = proxy_environment();
    easy.noproxy(env.no_proxy.as_deref().unwrap_or(""))?;
    match &config.proxy {
        Some(proxy) => easy.proxy(proxy)?,
        // "" turns libcurl's own lookup off; with a proxy variable set it stays on, because
        // libcurl picks the variable by each connection's scheme (a redirect may change it).
        None if !env.proxy_set => easy.proxy("")?,
        None => {}
    }
    Ok(())
}

/// TLS versions, ciphers and certificates beyond the defaults.
fn configure_tls(easy: &mut EasyHandle, tls: &TlsOptions) -> Result<(), curl::Error> {
    use curl::easy::SslVersion;
    let version = |v: Option<u8>, default| match v {
        Some(0) => SslVersion::Tlsv10,
        Some(1) => SslVersion::Tlsv11,
        Some(2) => SslVersion::Tlsv12,
        Some(3) => SslVersion::Tlsv13,
        _ => default,
    };
    if tls.min_version.is_some() || tls.max_version.is_some() {
        easy.ssl_min_max_version(
            version(tls.min_version, SslVersion::Default),
            version(tls.max_version, SslVersion::Default),
        )?;
    }
    if let Some(list) = &tls.ciphers {
        easy.ssl_cipher_list(list)?;
    }
    if let Some(list) = &tls.tls13_ciphers {
        vayu_ffi::set_tls13_ciphers(easy, list)?;
    }
    if let Some(cert) = &tls.client_cert {
        easy.ssl_cert(cert)?;
    }
    if let Some(key) = &tls.client_key {
        easy.ssl_key(key)?;
    }
    if let Some(password) = &tls.key_password {
        easy.key_password(password)?;
    }
    if let Some(ca) = &tls.ca_file {
        easy.cainfo(ca)?;
    }
    Ok(())
}

/// The proxy settings of the environment, read once per process. Left unset, libcurl reads them
/// on every transfer: eight `getenv` calls, each walking the whole environment (2.5% of the
/// instructions per request in the closed-model profile).
struct ProxyEnvironment {
    /// Some `<scheme>_proxy` or `all_proxy` variable (either case) is set and non-empty.
    proxy_set: bool,
    /// `no_proxy`, else `NO_PROXY`, as libcurl would read it.
    no_proxy: Option<String>,
}

fn proxy_environment() -> &'static ProxyEnvironment {
    static ENV: std::sync::OnceLock<ProxyEnvironment> = std::sync::OnceLock::new();
    ENV.get_or_init(|| ProxyEnvironment {
        proxy_set: std::env::vars_os().any(|(name, value)| {
            let name = name.to_string_lossy().to_ascii_lowercase();
            name.ends_with("_proxy") && name != "no_proxy" && !value.is_empty()
        }),
        no_proxy: std::env::var("no_proxy")
            .or_else(|_| std::env::var("NO_PROXY"))
            .ok(),
    })
}

/// Prepares an already configured handle to send the same request again.
pub(super) fn rearm(easy: &mut EasyHandle) {
    easy.get_mut().clear();
}

/// Phase durations from libcurl's cumulative µs times.
pub(super) fn timings(easy: &EasyHandle) -> Timings {
    let t = vayu_ffi::phase_times(easy);
    let tls = if t.appconnect > 0 {
        t.appconnect.saturating_sub(t.connect)
    } else {
        0
    };
    Timings {
        dns: t.namelookup,
        connect: t.connect.saturating_sub(t.namelookup),
        tls,
        first_byte: t.starttransfer.saturating_sub(t.pretransfer),
        download: t.total.saturating_sub(t.starttransfer),
        total: t.total,
    }
}

/// Bytes of requests sent and of responses received (headers plus body).
pub(super) fn wire_sizes(easy: &mut EasyHandle) -> (u64, u64) {
    let sent = easy.request_size().unwrap_or(0);
    let headers = easy.header_size().unwrap_or(0);
    (sent, headers + easy.get_ref().body_size())
}

pub(super) fn status(easy: &mut EasyHandle) -> u16 {
    easy.response_code().unwrap_or(0) as u16
}

/// Builds the full response of a finished transfer, taking its body out of the handle.
pub(super) fn response(easy: &mut EasyHandle) -> Response {
    let status = status(easy);
    let http_version = vayu_ffi::http_version(easy).to_string();
    let remote_address = match (
        easy.primary_ip().ok().flatten().map(str::to_string),
        easy.primary_port(),
    ) {
        (Some(ip), Ok(port)) if ip.contains(':') => format!("[{ip}]:{port}"),
        (Some(ip), Ok(port)) => format!("{ip}:{port}"),
        _ => String::new(),
    };
    let effective_url = easy
        .effective_url()
        .ok()
        .flatten()
        .unwrap_or("")
        .to_string();
    let redirect_count = easy.redirect_count().unwrap_or(0);
    let timings = timings(easy);

    let collector = easy.get_mut();
    let (status_text, headers) = parse_header_block(&collector.header_block, status);
    let (body, body_encoding) = encode_body(std::mem::take(&mut collector.body));
    let redirects = if collector.keep_earlier {
        super::redirect_hops::hops(&collector.request_url, &collector.earlier)
    } else {
        Vec::new()
    };
    Response {
        status,
        status_text,
        http_version,
        headers,
        body,
        body_encoding,
        body_size: collector.body_size,
        body_truncated: collector.truncated,
        remote_address,
        effective_url,
        redirect_count,
        timings,
        redirects,
    }
}

/// Splits a raw header block into the status line's reason phrase and the header fields.
fn parse_header_block(block: &[u8], status: u16) -> (String, Vec<Header>) {
    let text = String::from_utf8_lossy(block);
    let mut lines = text.split("\r\n").flat_map(|l| l.split('\n'));
    let reason = lines
        .next()
        .and_then(|status_line| status_line.splitn(3, ' ').nth(2))
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| reason_phrase(status))
        .to_string();
    let mut headers: Vec<Header> = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // Obsolete line folding: the line continues the previous header's value.
            if let Some(last) = headers.last_mut() {
                last.value.push(' ');
                last.value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push(Header {
                name: name.trim().to_string(),
                value: value.trim().to_string(),
            });
        }
    }
    (reason, headers)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A response body starting with this panics in the write callback (a test seam).
    pub(crate) const PANIC_BODY: &[u8] = b"vayu-test: panic in the write callback";

    /// A loopback server answering `/panic` with [`PANIC_BODY`] and anything else with `ok`.
    fn server() -> u16 {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut pending = Vec::new();
                    let mut buf = [0u8; 4096];
                    while let Ok(n @ 1..) = stream.read(&mut buf) {
                        pending.extend_from_slice(&buf[..n]);
                        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head: Vec<u8> = pending.drain(..end + 4).collect();
                            let body = if head.starts_with(b"GET /panic") {
                                PANIC_BODY
                            } else {
                                b"ok"
                            };
                            let _ = write!(
                                stream,
                                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                                body.len()
                            );
                            let _ = stream.write_all(body);
                        }
                    }
                });
            }
        });
        port
    }

    #[test]
    fn a_panic_in_a_libcurl_callback_fails_that_transfer_only() {
        let engine = crate::engine::EventLoop::start(EngineConfig {
            workers: 1,
            pin_workers: false,
            ..EngineConfig::default()
        })
        .unwrap();
        let port = server();
        let send = |path: &str| {
            let spec = crate::model::RequestSpec::from_json(
                &serde_json::json!({"url": format!("http://127.0.0.1:{port}{path}")}).to_string(),
            )
            .unwrap();
            engine
                .submit_async(std::sync::Arc::new(spec.prepare().unwrap()))
                .wait()
        };
        let failed = send("/panic").expect_err("the transfer is aborted");
        assert_eq!(failed.category, ErrorCategory::Aborted);
        assert!(
            failed.message.contains("injected into the write callback"),
            "{}",
            failed.message
        );
        // The same worker thread: curl-rust would fail every callback here had it stored the panic.
        for _ in 0..3 {
            let ok = send("/ok").expect("the next transfers succeed");
            assert_eq!((ok.status, ok.body.as_str()), (200, "ok"));
        }
    }

    #[test]
    fn header_block_keeps_order_and_repeats() {
        let block =
            b"HTTP/1.1 201 Created Here\r\nSet-Cookie: a=1\r\nX-Y:  v \r\nSet-Cookie: b=2\r\n\r\n";
        let (reason, headers) = parse_header_block(block, 201);
        assert_eq!(reason, "Created Here");
        let names: Vec<_> = headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
            .collect();
        assert_eq!(
            names,
            [("Set-Cookie", "a=1"), ("X-Y", "v"), ("Set-Cookie", "b=2")]
        );
    }

    #[test]
    fn http2_status_line_gets_standard_reason() {
        let (reason, _) = parse_header_block(b"HTTP/2 404\r\ncontent-length: 0\r\n\r\n", 404);
        assert_eq!(reason, "Not Found");
    }

    #[test]
    fn body_over_cap_is_counted_not_kept() {
        let mut c = Collector::new(10);
        c.write(b"12345").unwrap();
        c.write(b"1234567890").unwrap();
        c.write(b"more").unwrap();
        assert!(c.truncated);
        assert!(c.body.is_empty());
        assert_eq!(c.body_size, 19);
    }

    #[test]
    fn new_status_line_resets_headers() {
        let mut c = Collector::new(10);
        c.header(b"HTTP/1.1 302 Found\r\n");
        c.header(b"Location: /b\r\n");
        c.header(b"HTTP/1.1 200 OK\r\n");
        c.header(b"X: 1\r\n");
        let (_, headers) = parse_header_block(&c.header_block, 200);
        assert_eq!(headers.len(), 1);
    }
}
