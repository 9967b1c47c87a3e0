//! Events the shell sends to the UI. Their TypeScript types are generated with the commands'.

use serde::{Deserialize, Serialize};

/// One or more `son1k://` links reached the app (e.g. `son1k://checkout/success` after Stripe).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct DeepLinkOpened {
    /// The links, as received.
    pub urls: Vec<String>,
}

/// A long task moved on (a generation, a produced backing, a voice conversion or profile):
/// `fraction` of the work (0–1) is done and `stage` names what it is doing now (`composing`,
/// `rendering drums`, `mixing`, `writing files`, …). The one progress event of every long task.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct TaskProgress {
    /// The id the UI gave the task.
    pub id: String,
    /// Share of the work done, 0–1.
    pub fraction: f32,
    /// What the engine is doing now.
    pub stage: String,
}

/// Lyrics being written: a piece of readable text (`retry` false) or, when the model's answer
/// was rejected and it is asked again, the reason (`retry` true).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct LyricsText {
    /// The id the UI gave the task.
    pub id: String,
    /// The text.
    pub text: String,
    /// Whether this is a retry notice rather than lyrics.
    pub retry: bool,
}

/// The input level while a take is recorded (about every 50 ms).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct InputLevelChanged {
    /// Peak since the last event, linear 0–1.
    pub peak: f32,
    /// Seconds recorded so far.
    pub seconds: f64,
}

/// Where Ghost Studio's playback through the audio engine stands, about 30 times a second while
/// a project is open for playing: playhead, per-track and master meters, deadline misses, the
/// device and what happened to it (lost, reopened).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct PlaybackChanged {
    /// The project's folder.
    pub project: String,
    /// The engine's report.
    pub frame: son1k_app::ghost::PlaybackFrame,
}

/// A release post being written: a piece of the model's answer (`retry` false) or, when the
/// answer broke a platform's limit or was unreadable and the model is asked again, the reason
/// (`retry` true).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct PostText {
    /// The id the UI gave the task.
    pub id: String,
    /// The platform being written.
    pub platform: son1k_core::Platform,
    /// Its language.
    pub lang: son1k_core::Lang,
    /// The text.
    pub text: String,
    /// Whether this is a retry notice rather than the post's text.
    pub retry: bool,
}
