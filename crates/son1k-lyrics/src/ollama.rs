//! The Ollama client: installed models, the default model, streamed chat with a JSON schema in
//! `format`, one-shot generation, short connect timeouts and cancellation.
//!
//! Requests are built with ollama-rs's types (`ChatMessageRequest`, `GenerationRequest`,
//! `FormatType::StructuredJson`) and model listing and one-shot generation go through ollama-rs.
//! The streamed chat is read here, line by line, because ollama-rs's stream drops Ollama's
//! mid-stream `{"error": …}` lines (printing them to stderr) and ends a broken stream without
//! saying why; a lyricist needs that message.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use ollama_rs::generation::chat::request::ChatMessageRequest;
use ollama_rs::generation::chat::{ChatMessage, ChatMessageResponse};
use ollama_rs::generation::completion::request::GenerationRequest;
use ollama_rs::generation::parameters::{FormatType, JsonStructure};
use serde::Serialize;

use crate::LyricsError;

/// The model picked when none is named and it is installed.
pub const PREFERRED_MODEL: &str = "qwen2.5";

/// Time limits for talking to Ollama.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open the TCP connection (and for `/api/tags` as a whole, times three).
    pub connect: Duration,
    /// The longest silence allowed while waiting for the answer's next piece (the first one
    /// includes loading the model).
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(2),
            idle: Duration::from_secs(120),
        }
    }
}

/// An installed model, as `/api/tags` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModelInfo {
    /// Its name with tag, e.g. `qwen2.5:latest`.
    pub name: String,
    /// Size on disk in bytes.
    pub size: u64,
    /// When it was last changed, as Ollama reports it.
    pub modified_at: String,
}

/// A client for one Ollama server.
#[derive(Debug, Clone)]
pub struct Client {
    ollama: ollama_rs::Ollama,
    http: reqwest::Client,
    address: String,
    timeouts: Timeouts,
}

/// Whether to stop: checked while waiting, so a cancel takes effect within a tenth of a second.
pub type Cancel = AtomicBool;

const POLL: Duration = Duration::from_millis(50);

impl Client {
    /// A client for `address` (`http://host:port`, as the façade resolves `OLLAMA_HOST`).
    pub fn new(address: &str, timeouts: Timeouts) -> Result<Client, LyricsError> {
        let address = address.trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&format!("{address}/")).map_err(|e| {
            LyricsError::Invalid(format!("the Ollama address {address:?} is not a URL: {e}"))
        })?;
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            // Ollama is a local service: a system proxy must not capture loopback traffic.
            .no_proxy()
            .build()
            .map_err(|e| LyricsError::Invalid(format!("could not set up HTTP: {e}")))?;
        let ollama = ollama_rs::Ollama::builder()
            .url(url)
            .reqwest_client(http.clone())
            .build();
        Ok(Client {
            ollama,
            http,
            address,
            timeouts,
        })
    }

    /// The address this client talks to.
    pub fn address(&self) -> &str {
        &self.address
    }

    fn reqwest_error(&self, e: &reqwest::Error) -> LyricsError {
        if e.is_connect() {
            // The innermost cause says "Connection refused" rather than "error sending request".
            let mut why = e.to_string();
            let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
            while let Some(s) = src {
                why = s.to_string();
                src = s.source();
            }
            LyricsError::Unreachable {
                address: self.address.clone(),
                why,
            }
        } else if e.is_timeout() {
            LyricsError::Timeout {
                address: self.address.clone(),
                seconds: self.timeouts.idle.as_secs(),
            }
        } else {
            LyricsError::Protocol {
                address: self.address.clone(),
                why: e.to_string(),
            }
        }
    }

    fn ollama_error(&self, e: ollama_rs::error::OllamaError) -> LyricsError {
        use ollama_rs::error::OllamaError as O;
        match e {
            O::ReqwestError(r) => self.reqwest_error(&r),
            O::Other(text) => LyricsError::Server {
                address: self.address.clone(),
                message: error_text(&text),
            },
            O::InternalError(i) => LyricsError::Server {
                address: self.address.clone(),
                message: i.message,
            },
            O::JsonError(j) => LyricsError::Protocol {
                address: self.address.clone(),
                why: format!("the answer was not Ollama's JSON ({j})"),
            },
            other => LyricsError::Protocol {
                address: self.address.clone(),
                why: other.to_string(),
            },
        }
    }

    /// Waits for `fut`, giving up at `limit` or when `cancel` is set.
    async fn wait<F: Future>(
        &self,
        fut: F,
        limit: Duration,
        cancel: &Cancel,
    ) -> Result<F::Output, LyricsError> {
        let mut fut = std::pin::pin!(fut);
        let started = tokio::time::Instant::now();
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(LyricsError::Cancelled);
            }
            match tokio::time::timeout(POLL, &mut fut).await {
                Ok(v) => return Ok(v),
                Err(_) if started.elapsed() >= limit => {
                    return Err(LyricsError::Timeout {
                        address: self.address.clone(),
                        seconds: limit.as_secs().max(1),
                    })
                }
                Err(_) => {}
            }
        }
    }

    /// The installed models (`/api/tags`). Answers within a few seconds even when nothing listens.
    pub async fn models(&self) -> Result<Vec<ModelInfo>, LyricsError> {
        let never = AtomicBool::new(false);
        let list = self
            .wait(
                self.ollama.list_local_models(),
                self.timeouts.connect * 3,
                &never,
            )
            .await
            .map_err(|e| match e {
                // Silence from a listening socket is as good as nobody there.
                LyricsError::Timeout { address, .. } => LyricsError::Unreachable {
                    address,
                    why: "no answer".into(),
                },
                other => other,
            })?
            .map_err(|e| self.ollama_error(e))?;
        Ok(list
            .into_iter()
            .map(|m| ModelInfo {
                name: m.name,
                size: m.size,
                modified_at: m.modified_at,
            })
            .collect())
    }

    /// The model to use: `wanted` if installed (with or without its `:tag`), else `qwen2.5` if
    /// installed, else the first installed one.
    pub async fn pick_model(&self, wanted: Option<&str>) -> Result<String, LyricsError> {
        let models = self.models().await?;
        choose_model(&models, wanted, &self.address)
    }

    /// Streams a chat answer, passing each piece of text to `on_token`, and returns the whole
    /// answer. With `schema`, Ollama constrains the answer to that JSON schema.
    pub async fn chat(
        &self,
        model: &str,
        messages: Vec<ChatMessage>,
        schema: Option<&serde_json::Value>,
        on_token: &mut (dyn FnMut(&str) + Send),
        cancel: &Cancel,
    ) -> Result<String, LyricsError> {
        let mut request = ChatMessageRequest::new(model.to_string(), messages);
        if let Some(s) = schema {
            request = request.format(structured(s)?);
        }
        // ollama-rs sets `stream` only inside its own sender; the body is otherwise its own.
        let mut body = serde_json::to_value(&request)
            .map_err(|e| LyricsError::Invalid(format!("could not encode the request: {e}")))?;
        body["stream"] = serde_json::Value::Bool(true);
        let send = self
            .http
            .post(format!("{}/api/chat", self.address))
            .json(&body)
            .send();
        let response = self
            .wait(send, self.timeouts.idle, cancel)
            .await?
            .map_err(|e| self.reqwest_error(&e))?;
        if !response.status().is_success() {
            let status = response.status();
            let text = self
                .wait(response.text(), self.timeouts.idle, cancel)
                .await?
                .unwrap_or_default();
            return Err(LyricsError::Server {
                address: self.address.clone(),
                message: format!("{} (HTTP {})", error_text(&text), status.as_u16()),
            });
        }
        let mut stream = response.bytes_stream();
        let mut pending: Vec<u8> = Vec::new();
        let mut answer = String::new();
        loop {
            let next = self.wait(stream.next(), self.timeouts.idle, cancel).await?;
            let Some(chunk) = next else {
                return Err(LyricsError::Protocol {
                    address: self.address.clone(),
                    why: format!(
                        "the stream ended before the answer was done (after {} characters)",
                        answer.chars().count()
                    ),
                });
            };
            let chunk = chunk.map_err(|e| self.reqwest_error(&e))?;
            pending.extend_from_slice(&chunk);
            while let Some(pos) = pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = pending.drain(..=pos).collect();
                let line = String::from_utf8_lossy(&line);
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                if let Some(done) = self.chat_line(line, &mut answer, on_token)? {
                    if done {
                        return Ok(answer);
                    }
                }
            }
        }
    }

    /// Handles one NDJSON line of a chat stream; `Some(true)` when it was the last.
    fn chat_line(
        &self,
        line: &str,
        answer: &mut String,
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Option<bool>, LyricsError> {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| LyricsError::Protocol {
                address: self.address.clone(),
                why: format!("a line of the stream is not JSON ({e})"),
            })?;
        if let Some(msg) = value.get("error").and_then(|m| m.as_str()) {
            return Err(LyricsError::Server {
                address: self.address.clone(),
                message: msg.to_string(),
            });
        }
        let part: ChatMessageResponse =
            serde_json::from_value(value).map_err(|e| LyricsError::Protocol {
                address: self.address.clone(),
                why: format!("a line of the stream is not a chat message ({e})"),
            })?;
        if !part.message.content.is_empty() {
            on_token(&part.message.content);
            answer.push_str(&part.message.content);
        }
        Ok(Some(part.done))
    }

    /// One-shot generation (`/api/generate`, not streamed), constrained to `schema`.
    pub async fn generate(
        &self,
        model: &str,
        system: &str,
        prompt: &str,
        schema: &serde_json::Value,
        cancel: &Cancel,
    ) -> Result<String, LyricsError> {
        let request = GenerationRequest::new(model.to_string(), prompt)
            .system(system)
            .format(structured(schema)?);
        let answer = self
            .wait(self.ollama.generate(request), self.timeouts.idle, cancel)
            .await?
            .map_err(|e| self.ollama_error(e))?;
        Ok(answer.response)
    }
}

fn structured(schema: &serde_json::Value) -> Result<FormatType, LyricsError> {
    let s: JsonStructure = serde_json::from_value(schema.clone())
        .map_err(|e| LyricsError::Invalid(format!("the JSON schema is unusable: {e}")))?;
    Ok(FormatType::StructuredJson(Box::new(s)))
}

/// Ollama's error bodies are `{"error": "…"}`; anything else is shown as it came (shortened).
fn error_text(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error")?.as_str().map(str::to_string))
        .unwrap_or_else(|| {
            let s = crate::song::start_of(body, 200);
            if s.is_empty() {
                "no details".into()
            } else {
                s
            }
        })
}

/// Picks a model from the installed list: see [`Client::pick_model`].
pub fn choose_model(
    models: &[ModelInfo],
    wanted: Option<&str>,
    address: &str,
) -> Result<String, LyricsError> {
    let base = |n: &str| n.split(':').next().unwrap_or(n).to_string();
    if let Some(w) = wanted.map(str::trim).filter(|w| !w.is_empty()) {
        if let Some(m) = models.iter().find(|m| m.name == w).or_else(|| {
            models
                .iter()
                .find(|m| base(&m.name) == w && !w.contains(':'))
        }) {
            return Ok(m.name.clone());
        }
        return Err(LyricsError::ModelMissing {
            model: w.to_string(),
            address: address.to_string(),
            installed: if models.is_empty() {
                "none".into()
            } else {
                models
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        });
    }
    let preferred = models
        .iter()
        .find(|m| m.name == format!("{PREFERRED_MODEL}:latest"))
        .or_else(|| models.iter().find(|m| base(&m.name) == PREFERRED_MODEL));
    match preferred.or(models.first()) {
        Some(m) => Ok(m.name.clone()),
        None => Err(LyricsError::NoModels {
            address: address.to_string(),
        }),
    }
}

/// Runs a future to completion on a small runtime of its own (for synchronous callers: the
/// façade and the CLI).
pub fn block_on<F: Future>(fut: F) -> Result<F::Output, LyricsError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| LyricsError::Invalid(format!("could not start the async runtime: {e}")))?;
    Ok(rt.block_on(fut))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn m(name: &str) -> ModelInfo {
        ModelInfo {
            name: name.into(),
            size: 1,
            modified_at: String::new(),
        }
    }

    #[test]
    fn picks_qwen_then_the_first_then_says_how_to_pull() {
        let a = "http://x";
        let list = vec![m("llama3.2:latest"), m("qwen2.5:7b")];
        assert_eq!(choose_model(&list, None, a).unwrap(), "qwen2.5:7b");
        assert_eq!(
            choose_model(&[m("llama3.2:latest")], None, a).unwrap(),
            "llama3.2:latest"
        );
        assert_eq!(
            choose_model(&list, Some("llama3.2"), a).unwrap(),
            "llama3.2:latest"
        );
        let e = choose_model(&[], None, a).unwrap_err().to_string();
        assert!(e.contains("ollama pull qwen2.5"), "{e}");
        let e = choose_model(&list, Some("mistral"), a)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ollama pull mistral") && e.contains("qwen2.5:7b"),
            "{e}"
        );
    }
}
