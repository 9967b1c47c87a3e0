//! Is a local Ollama reachable? A quick probe with hard time limits, no HTTP client needed.

use serde::Serialize;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

/// The address Ollama listens on when `OLLAMA_HOST` is not set.
pub const DEFAULT_OLLAMA: &str = "http://127.0.0.1:11434";

/// What the Ollama probe found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OllamaStatus {
    /// The address tried, as a URL.
    pub address: String,
    /// Whether Ollama answered.
    pub reachable: bool,
    /// The version Ollama reported.
    pub version: Option<String>,
    /// What to do next when it is not reachable.
    pub message: Option<String>,
}

/// Turns `OLLAMA_HOST` (`host`, `host:port`, `http://host:port`) into `(host, port)`, as Ollama
/// itself reads it: the port defaults to 11434, an unspecified bind address means loopback.
pub fn parse_host(value: &str) -> Result<(String, u16), String> {
    let v = value.trim();
    let v = v
        .strip_prefix("http://")
        .or_else(|| v.strip_prefix("https://"))
        .unwrap_or(v);
    let v = v.trim_end_matches('/');
    if v.is_empty() {
        return Ok(("127.0.0.1".into(), 11434));
    }
    let (host, port) = if let Some(rest) = v.strip_prefix('[') {
        // [::1]:11434
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("{value:?} has an unclosed '['"))?;
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match v.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (v.to_string(), None),
        }
    };
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| format!("{value:?} has an invalid port {p:?}"))?,
        None => 11434,
    };
    let host = match host.as_str() {
        "" | "0.0.0.0" => "127.0.0.1".to_string(),
        "::" => "::1".to_string(),
        _ => host,
    };
    Ok((host, port))
}

/// `http://host:port` (brackets around an IPv6 host).
pub fn url(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("http://[{host}]:{port}")
    } else {
        format!("http://{host}:{port}")
    }
}

fn unreachable(address: String, why: &str) -> OllamaStatus {
    let message = format!(
        "Ollama is not reachable at {address} ({why}) — start it with \"ollama serve\", then \"ollama pull qwen2.5\"; set OLLAMA_HOST if it runs elsewhere"
    );
    OllamaStatus {
        address,
        reachable: false,
        version: None,
        message: Some(message),
    }
}

/// Extracts `"version":"…"` from Ollama's `/api/version` answer.
fn version_from(body: &str) -> Option<String> {
    let json_start = body.find("\r\n\r\n").map(|i| i + 4).unwrap_or(0);
    let value: serde_json::Value = serde_json::from_str(body.get(json_start..)?.trim()).ok()?;
    value.get("version")?.as_str().map(str::to_string)
}

fn resolve(host: &str, port: u16, timeout: Duration) -> Option<SocketAddr> {
    // Name resolution can block for a long time on a machine without network: bound it.
    let (tx, rx) = mpsc::channel();
    let target = (host.to_string(), port);
    std::thread::Builder::new()
        .name("son1k-ollama-resolve".into())
        .spawn(move || {
            let first = target.to_socket_addrs().ok().and_then(|mut a| a.next());
            let _ = tx.send(first);
        })
        .ok()?;
    rx.recv_timeout(timeout).ok().flatten()
}

/// Probes the Ollama named by `OLLAMA_HOST` (or the default): connects, asks `/api/version`.
/// Never takes much longer than `timeout` in total.
pub fn probe(host_setting: Option<&str>, timeout: Duration) -> OllamaStatus {
    let setting = host_setting.unwrap_or(DEFAULT_OLLAMA);
    let (host, port) = match parse_host(setting) {
        Ok(hp) => hp,
        Err(e) => {
            return unreachable(
                setting.to_string(),
                &format!("OLLAMA_HOST is malformed: {e}"),
            )
        }
    };
    let address = url(&host, port);
    let step = timeout / 3;
    let Some(addr) = resolve(&host, port, step) else {
        return unreachable(address, "the host name did not resolve");
    };
    let mut stream = match TcpStream::connect_timeout(&addr, step) {
        Ok(s) => s,
        Err(e) => return unreachable(address, &e.to_string()),
    };
    let _ = stream.set_read_timeout(Some(step));
    let _ = stream.set_write_timeout(Some(step));
    let request =
        format!("GET /api/version HTTP/1.0\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n");
    if let Err(e) = stream.write_all(request.as_bytes()) {
        return unreachable(address, &e.to_string());
    }
    let mut body = Vec::new();
    let _ = stream.take(64 * 1024).read_to_end(&mut body);
    let text = String::from_utf8_lossy(&body);
    if !text.starts_with("HTTP/") {
        return unreachable(address, "something answered, but not over HTTP");
    }
    match version_from(&text) {
        Some(version) => OllamaStatus {
            address,
            reachable: true,
            version: Some(version),
            message: None,
        },
        None => unreachable(address, "the server there did not answer like Ollama"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn parses_the_forms_ollama_accepts() {
        assert_eq!(parse_host("").unwrap(), ("127.0.0.1".into(), 11434));
        assert_eq!(parse_host("0.0.0.0").unwrap(), ("127.0.0.1".into(), 11434));
        assert_eq!(
            parse_host("http://localhost:8080/").unwrap(),
            ("localhost".into(), 8080)
        );
        assert_eq!(parse_host("10.1.2.3:9").unwrap(), ("10.1.2.3".into(), 9));
        assert_eq!(parse_host("[::1]:11434").unwrap(), ("::1".into(), 11434));
        assert!(parse_host("host:notaport").is_err());
    }

    #[test]
    fn talks_to_a_fake_ollama_on_loopback() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let n = s.read(&mut buf).unwrap();
            assert!(String::from_utf8_lossy(&buf[..n]).starts_with("GET /api/version"));
            let body = r#"{"version":"0.12.3"}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            s.write_all(reply.as_bytes()).unwrap();
        });
        let status = probe(Some(&format!("127.0.0.1:{port}")), Duration::from_secs(3));
        server.join().unwrap();
        assert!(status.reachable, "{status:?}");
        assert_eq!(status.version.as_deref(), Some("0.12.3"));
    }

    #[test]
    fn a_closed_port_gives_the_next_step() {
        // Bind then drop to get a port nobody listens on.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let status = probe(
            Some(&format!("http://127.0.0.1:{port}")),
            Duration::from_secs(3),
        );
        assert!(!status.reachable);
        let msg = status.message.unwrap();
        assert!(
            msg.contains(&format!("127.0.0.1:{port}")) && msg.contains("ollama serve"),
            "{msg}"
        );
    }

    #[test]
    fn a_silent_server_does_not_hang_the_probe() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let start = std::time::Instant::now();
        let status = probe(
            Some(&format!("127.0.0.1:{port}")),
            Duration::from_millis(900),
        );
        assert!(!status.reachable);
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        drop(listener);
    }
}
