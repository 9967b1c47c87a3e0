//! A stand-in Ollama for tests: a plain HTTP/1.1 server on 127.0.0.1, port 0, that speaks the
//! parts of Ollama's API Lyric Studio uses — `GET /api/tags`, `POST /api/chat` (NDJSON streamed
//! with chunked encoding, as Ollama does), `POST /api/generate` — and answers from a script:
//! streamed tokens with delays, errors with Ollama's `{"error": …}` bodies, mid-stream errors,
//! silence. It records every request body so tests can check what was sent (e.g. `format`).
//! Shared by the son1k-lyrics and son1k-cli tests.
#![allow(clippy::unwrap_used, dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Stream these content pieces as chat (or generate) NDJSON lines, `delay` apart, then a
    /// final `done: true` line.
    Stream {
        pieces: Vec<String>,
        delay: Duration,
    },
    /// Stream these pieces, then an `{"error": …}` line instead of `done`.
    StreamThenError { pieces: Vec<String>, error: String },
    /// An HTTP error status with Ollama's `{"error": …}` body.
    Error { status: u16, message: String },
    /// Accept, read the request, and say nothing for this long.
    Silent(Duration),
}

impl Reply {
    /// `text` streamed in pieces of `size` characters, `delay` apart.
    pub fn text(text: &str, size: usize, delay: Duration) -> Reply {
        let chars: Vec<char> = text.chars().collect();
        Reply::Stream {
            pieces: chars
                .chunks(size.max(1))
                .map(|c| c.iter().collect())
                .collect(),
            delay,
        }
    }

    /// `text` streamed in 7-character pieces at once.
    pub fn quick(text: &str) -> Reply {
        Reply::text(text, 7, Duration::ZERO)
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET /api/tags`, `POST /api/chat`, …
    pub line: String,
    /// The JSON body (Null for none).
    pub body: serde_json::Value,
}

#[derive(Default)]
struct Script {
    models: Vec<String>,
    chat: VecDeque<Reply>,
    generate: VecDeque<Reply>,
    seen: Vec<Seen>,
}

/// The running stand-in; it stops when the test process ends.
pub struct FakeOllama {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// `127.0.0.1:PORT` (an `OLLAMA_HOST` value).
    pub host: String,
    script: Arc<Mutex<Script>>,
}

impl FakeOllama {
    /// Starts a server with these installed models.
    pub fn start(models: &[&str]) -> FakeOllama {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let script = Arc::new(Mutex::new(Script {
            models: models.iter().map(|m| m.to_string()).collect(),
            ..Script::default()
        }));
        let s = script.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let s = s.clone();
                std::thread::spawn(move || serve(conn, &s));
            }
        });
        FakeOllama {
            address: format!("http://127.0.0.1:{port}"),
            host: format!("127.0.0.1:{port}"),
            script,
        }
    }

    /// Queues answers for `/api/chat`, in order (the last one repeats).
    pub fn chat(&self, replies: impl IntoIterator<Item = Reply>) -> &Self {
        self.script.lock().unwrap().chat.extend(replies);
        self
    }

    /// Queues answers for `/api/generate`, in order (the last one repeats).
    pub fn generate(&self, replies: impl IntoIterator<Item = Reply>) -> &Self {
        self.script.lock().unwrap().generate.extend(replies);
        self
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.script.lock().unwrap().seen.clone()
    }

    /// The bodies of the requests to `path`.
    pub fn bodies(&self, path: &str) -> Vec<serde_json::Value> {
        self.seen()
            .into_iter()
            .filter(|s| s.line.ends_with(path))
            .map(|s| s.body)
            .collect()
    }
}

fn next(queue: &mut VecDeque<Reply>) -> Reply {
    if queue.len() > 1 {
        queue.pop_front().unwrap()
    } else {
        queue.front().cloned().unwrap_or(Reply::Error {
            status: 500,
            message: "the test queued no answer".into(),
        })
    }
}

fn serve(conn: TcpStream, script: &Mutex<Script>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).unwrap_or(0) == 0 {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let line = first
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let model = json["model"].as_str().unwrap_or("").to_string();
    let streamed = json["stream"].as_bool().unwrap_or(true);
    let (reply, is_chat) = {
        let mut s = script.lock().unwrap();
        s.seen.push(Seen {
            line: line.clone(),
            body: json,
        });
        match line.as_str() {
            "GET /api/tags" => {
                let models: Vec<serde_json::Value> = s
                    .models
                    .iter()
                    .map(|m| {
                        serde_json::json!({
                            "name": m, "model": m, "modified_at": "2025-01-01T00:00:00Z",
                            "size": 4_683_087_332u64, "digest": "0123abcd",
                            "details": {"format": "gguf", "family": "qwen2", "parameter_size": "7.6B", "quantization_level": "Q4_K_M"}
                        })
                    })
                    .collect();
                drop(s);
                respond(
                    &conn,
                    200,
                    &serde_json::json!({ "models": models }).to_string(),
                );
                return;
            }
            "GET /api/version" => {
                drop(s);
                respond(&conn, 200, r#"{"version":"0.12.3"}"#);
                return;
            }
            "POST /api/chat" => (next(&mut s.chat), true),
            "POST /api/generate" => (next(&mut s.generate), false),
            _ => {
                drop(s);
                respond(&conn, 404, "404 page not found");
                return;
            }
        }
    };
    match reply {
        Reply::Error { status, message } => respond(
            &conn,
            status,
            &serde_json::json!({ "error": message }).to_string(),
        ),
        Reply::Silent(d) => std::thread::sleep(d),
        Reply::Stream { pieces, delay } => {
            if streamed {
                let mut lines: Vec<String> = pieces
                    .iter()
                    .map(|p| piece_line(&model, p, is_chat, false))
                    .collect();
                lines.push(piece_line(&model, "", is_chat, true));
                stream(&conn, &lines, delay);
            } else {
                std::thread::sleep(delay * pieces.len() as u32);
                let whole: String = pieces.concat();
                respond(&conn, 200, &piece_line(&model, &whole, is_chat, true));
            }
        }
        Reply::StreamThenError { pieces, error } => {
            let mut lines: Vec<String> = pieces
                .iter()
                .map(|p| piece_line(&model, p, is_chat, false))
                .collect();
            lines.push(serde_json::json!({ "error": error }).to_string());
            stream(&conn, &lines, Duration::ZERO);
        }
    }
}

fn piece_line(model: &str, content: &str, chat: bool, done: bool) -> String {
    let mut v = if chat {
        serde_json::json!({
            "model": model, "created_at": "2025-01-01T00:00:00.000Z",
            "message": {"role": "assistant", "content": content}, "done": done
        })
    } else {
        serde_json::json!({
            "model": model, "created_at": "2025-01-01T00:00:00.000Z",
            "response": content, "done": done
        })
    };
    if done {
        for (k, n) in [
            ("total_duration", 5_000_000u64),
            ("load_duration", 1_000_000),
            ("prompt_eval_count", 26),
            ("prompt_eval_duration", 1_000_000),
            ("eval_count", 290),
            ("eval_duration", 3_000_000),
        ] {
            v[k] = n.into();
        }
        v["done_reason"] = "stop".into();
    }
    v.to_string()
}

fn respond(mut conn: &TcpStream, status: u16, body: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    let _ = write!(
        conn,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn stream(mut conn: &TcpStream, lines: &[String], delay: Duration) {
    if write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .is_err()
    {
        return;
    }
    for l in lines {
        std::thread::sleep(delay);
        let data = format!("{l}\n");
        if write!(conn, "{:x}\r\n{data}\r\n", data.len()).is_err() {
            return; // the client hung up (cancelled)
        }
        let _ = conn.flush();
    }
    let _ = write!(conn, "0\r\n\r\n");
}
