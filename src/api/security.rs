//! Checks every request passes before it is routed. The API listens on loopback by default, but
//! a web page in a browser can reach loopback too: requests naming another Host (DNS
//! rebinding) or coming from an Origin not allowed are refused, and bodies must be JSON.

use super::error::ApiError;
use super::transport::Request;
use std::net::IpAddr;

/// Request bodies over this are refused with 413 (by the server, before they are read).
pub(super) const MAX_BODY: usize = 8 * 1024 * 1024;

pub(super) struct Policy {
    pub bind: IpAddr,
    pub token: Option<String>,
    pub allow_origins: Vec<String>,
}

/// The host part of a Host header: "[::1]:9876" → "::1", "localhost:9876" → "localhost".
fn host_name(value: &str) -> &str {
    if let Some(v6) = value.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    match value.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => value,
    }
}

impl Policy {
    pub(super) fn check(&self, req: &Request) -> Result<(), ApiError> {
        let host = self.check_host(req)?;
        self.check_origin(req, host)?;
        self.check_token(req)?;
        check_content_type(req)
    }

    /// The Host: exactly one, naming a loopback host or the bound address (unless a token is
    /// set). Returns it.
    fn check_host<'r>(&self, req: &'r Request) -> Result<&'r str, ApiError> {
        let host = req
            .header("Host")
            .ok_or_else(|| ApiError::bad_request("the request has no Host header"))?;
        // RFC 9112 §3.2: a server must answer 400 to more than one Host line (which one a
        // proxy and this check read could differ).
        if req.header_count("Host") > 1 {
            return Err(ApiError::bad_request(
                "the request has more than one Host header; send exactly one",
            ));
        }
        let name = host_name(host).to_ascii_lowercase();
        let loopback =
            name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        let bound = name.parse::<IpAddr>().is_ok_and(|ip| ip == self.bind);
        // With a token, a page that rebinds a name to this engine still lacks the token: any
        // Host may be used (engines reached by a Service name or a pod address).
        if !loopback && !bound && self.token.is_none() {
            return Err(ApiError::new(
                403,
                "forbidden_host",
                format!("Host `{host}` is not this engine's address; requests must name a loopback host or the bound address (DNS rebinding protection)"),
            ));
        }
        Ok(host)
    }

    /// A browser's Origin: the engine's own, or one allowed with `--allow-origin`.
    fn check_origin(&self, req: &Request, host: &str) -> Result<(), ApiError> {
        if let Some(origin) = req.header("Origin") {
            // The engine's own pages (`/ui/`) call it from its own origin: browsers send that
            // Origin on POSTs too. The Host check above already refused a rebinding name.
            let own = origin == format!("http://{host}");
            if !own && !self.allow_origins.iter().any(|o| o == origin) {
                return Err(ApiError::new(
                    403,
                    "forbidden_origin",
                    format!("Origin `{origin}` is not allowed; start the engine with --allow-origin {origin} to allow it"),
                ));
            }
        }
        Ok(())
    }

    /// With `--token`: every request but the UI's static files carries it.
    fn check_token(&self, req: &Request) -> Result<(), ApiError> {
        // The UI's static files hold no data: a browser must load them before it can ask for
        // the token, and every API call they make carries it.
        let ui_file = req.method() == "GET" && req.url().starts_with("/ui");
        if let Some(token) = self.token.as_ref().filter(|_| !ui_file) {
            let given = req
                .header("Authorization")
                .and_then(|v| v.strip_prefix("Bearer "));
            if given != Some(token.as_str()) {
                return Err(ApiError::new(
                    401,
                    "unauthorized",
                    "this engine needs `Authorization: Bearer <token>` with its --token",
                ));
            }
        }
        Ok(())
    }
}

/// Bodies of writes are JSON, said so: a browser's form post cannot reach a handler.
fn check_content_type(req: &Request) -> Result<(), ApiError> {
    let writes = matches!(req.method(), "POST" | "PUT");
    if writes && !req.body().is_empty() {
        let json = req.header("Content-Type").is_some_and(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        });
        if !json {
            return Err(ApiError::new(
                415,
                "unsupported_media_type",
                "request bodies must be JSON: send `Content-Type: application/json`",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn host_names() {
        assert_eq!(host_name("localhost:9876"), "localhost");
        assert_eq!(host_name("[::1]:9876"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_name("evil.example:80"), "evil.example");
    }
}
