//! Errors the façade returns.

use serde::Serialize;
use son1k_core::{Tier, ValidationError};
use std::path::PathBuf;

/// What the user can do about an error. The error's message says what happened; each front end
/// offers the step its own way — the CLI prints [`NextStep::command`], the desktop shows a
/// button that does it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum NextStep {
    /// Buy a paid tier (Stripe Checkout in the system browser).
    Upgrade {
        /// The tier that lifts the limit that was hit.
        tier: Tier,
    },
    /// Claim a song from the community pool (FREE's way past its daily limit).
    ClaimFromPool,
    /// Install a neural model's weights with the model manager.
    InstallModel {
        /// The model's manifest name.
        model: String,
    },
    /// Sign in to the Son1k account (again).
    SignIn,
    /// Start the local Ollama and pull a model for the Lyric Studio.
    StartOllama,
    /// Install a model in the local Ollama.
    PullOllamaModel {
        /// The model to pull.
        model: String,
    },
}

impl NextStep {
    /// The step as a command line, for the CLI.
    pub fn command(&self) -> String {
        match self {
            NextStep::Upgrade { tier } => format!("son1k upgrade {}", tier.name().to_lowercase()),
            NextStep::ClaimFromPool => "son1k pool claim".into(),
            NextStep::InstallModel { model } => format!("son1k models install {model}"),
            NextStep::SignIn => "son1k account login".into(),
            NextStep::StartOllama => "ollama serve".into(),
            NextStep::PullOllamaModel { model } => format!("ollama pull {model}"),
        }
    }
}

/// Everything that can go wrong in a façade call, each with a message that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input broke a product rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// An audio file could not be read, decoded or written.
    #[error(transparent)]
    Audio(#[from] son1k_audio::AudioError),
    /// Analysis failed (unreadable or too short input).
    #[error(transparent)]
    Analysis(#[from] son1k_analysis::AnalysisError),
    /// Song generation failed (bad SoundFont, output folder in the way, cancelled).
    #[error(transparent)]
    Compose(#[from] son1k_compose::ComposeError),
    /// Lyric Studio: Ollama unreachable, no model, an unusable answer, cancelled.
    #[error(transparent)]
    Lyrics(#[from] son1k_lyrics::LyricsError),
    /// The local library database failed.
    #[error(transparent)]
    Store(#[from] son1k_store::StoreError),
    /// A voice transform was asked with bad controls or an empty input.
    #[error(transparent)]
    Voice(#[from] son1k_voice::VoiceError),
    /// Neural models, the model manager or voice profiles failed.
    #[error(transparent)]
    Ml(#[from] son1k_ml::MlError),
    /// Nexus Visual: no ffmpeg, the encoder failed, a bad size or span, cancelled.
    #[error(transparent)]
    Visual(#[from] son1k_visual::VisualError),
    /// A job ended without success.
    #[error("{message}")]
    JobFailed {
        /// The job's kind.
        kind: String,
        /// Why.
        message: String,
    },
    /// The hosted API, the saved sign-in or the lease failed.
    #[error(transparent)]
    Sync(#[from] son1k_sync::SyncError),
    /// The tier's generation limit for the period is used up.
    #[error("{tier} allows {limit} generations per {period} and they are used up (the count resets at {resets_at}, Unix time); {hint}")]
    QuotaReached {
        /// The tier in force.
        tier: &'static str,
        /// Its limit.
        limit: i64,
        /// `day` or `month`.
        period: &'static str,
        /// When the count resets (Unix seconds).
        resets_at: i64,
        /// What to do.
        hint: &'static str,
    },
    /// An account operation could not be done.
    #[error("{message}")]
    Account {
        /// Stable code.
        code: &'static str,
        /// What happened and what to do.
        message: String,
    },
    /// The input opened but sent no audio (a microphone unplugged, muted or not allowed): code
    /// `audio-device`, kind `no-audio`.
    #[error("{0}")]
    NoAudio(String),
    /// No home directory could be found and `SON1K_HOME` is not set.
    #[error("no home directory found for this user; set SON1K_HOME to the folder Son1k Studio should use")]
    NoHome,
    /// A file or directory could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done, e.g. `could not create`.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl AppError {
    /// A stable machine-readable code for the UI and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid-input",
            AppError::Audio(son1k_audio::AudioError::Io { .. }) => "io",
            AppError::Audio(son1k_audio::AudioError::Device(_)) => "audio-device",
            AppError::Audio(_) => "bad-audio",
            AppError::Analysis(son1k_analysis::AnalysisError::Audio(_)) => "bad-audio",
            AppError::Analysis(_) => "too-short",
            AppError::Compose(son1k_compose::ComposeError::Cancelled) => "cancelled",
            AppError::Compose(son1k_compose::ComposeError::Invalid(_)) => "invalid-input",
            AppError::Compose(_) => "generate",
            AppError::Store(_) => "library",
            AppError::Lyrics(l) => l.code(),
            AppError::JobFailed { .. } => "job-failed",
            AppError::Visual(son1k_visual::VisualError::EncoderMissing { .. }) => "encoder-missing",
            AppError::Visual(son1k_visual::VisualError::Encoder(_)) => "encoder",
            AppError::Visual(son1k_visual::VisualError::Cancelled) => "cancelled",
            AppError::Visual(son1k_visual::VisualError::Invalid(_)) => "invalid-input",
            AppError::Visual(son1k_visual::VisualError::Io { .. }) => "io",
            AppError::Voice(_) => "invalid-input",
            AppError::Ml(son1k_ml::MlError::NotInstalled { .. }) => "model-missing",
            AppError::Ml(son1k_ml::MlError::UnknownProfile { .. }) => "unknown-profile",
            AppError::Ml(son1k_ml::MlError::Cancelled) => "cancelled",
            AppError::Ml(m) if m.is_user_error() => "invalid-input",
            AppError::Ml(_) => "model",
            AppError::NoAudio(_) => "audio-device",
            AppError::NoHome => "no-home",
            AppError::Sync(e) if e.is_offline() => "offline",
            AppError::Sync(son1k_sync::SyncError::Lease(_)) => "lease",
            AppError::Sync(son1k_sync::SyncError::NotSignedIn) => "not-signed-in",
            AppError::Sync(_) => "account",
            AppError::QuotaReached { .. } => "quota-reached",
            AppError::Account { .. } => "account",
            AppError::Io { .. } => "io",
        }
    }

    /// The values a front end needs to say this error in its own language, by name: `path`,
    /// `field` and `value`, `model`, the quota's `tier`/`limit`/`period`/`resets_at`, and `kind`,
    /// the finer reason inside a code (the server's code for `account`, `empty`/`unsupported`/
    /// `corrupt`/`truncated` for `bad-audio`). The desktop renders `code` + these through its
    /// language tables; [`AppError::summary`] stays the English sentence (the CLI's, and the
    /// desktop's detail).
    pub fn params(&self) -> std::collections::BTreeMap<String, String> {
        use son1k_audio::AudioError as A;
        use son1k_lyrics::LyricsError as L;
        let shown = |p: &std::path::Path| p.display().to_string();
        let audio = |a: &A| -> Vec<(&'static str, String)> {
            match a {
                A::Io { path, .. } => vec![("path", shown(path))],
                A::Empty { path } => vec![("path", shown(path)), ("kind", "empty".into())],
                A::Unsupported { path, .. } => {
                    vec![("path", shown(path)), ("kind", "unsupported".into())]
                }
                A::Corrupt { path, .. } => {
                    vec![("path", shown(path)), ("kind", "corrupt".into())]
                }
                A::Truncated {
                    path,
                    got,
                    expected,
                } => vec![
                    ("path", shown(path)),
                    ("kind", "truncated".into()),
                    ("got", got.to_string()),
                    ("expected", expected.to_string()),
                ],
                A::Invalid(_) | A::Device(_) => Vec::new(),
            }
        };
        let pairs: Vec<(&'static str, String)> = match self {
            AppError::Invalid(v) => vec![("field", v.field.clone()), ("value", v.value.clone())],
            AppError::Audio(a) => audio(a),
            AppError::Analysis(son1k_analysis::AnalysisError::Audio(a)) => audio(a),
            AppError::Analysis(son1k_analysis::AnalysisError::TooShort(path, seconds)) => {
                vec![("path", path.clone()), ("seconds", format!("{seconds:.1}"))]
            }
            AppError::Compose(son1k_compose::ComposeError::Audio(a)) => audio(a),
            AppError::QuotaReached {
                tier,
                limit,
                period,
                resets_at,
                ..
            } => vec![
                ("tier", (*tier).to_string()),
                ("limit", limit.to_string()),
                ("period", (*period).to_string()),
                ("resets_at", resets_at.to_string()),
            ],
            AppError::Ml(son1k_ml::MlError::NotInstalled { model, .. }) => {
                vec![("model", model.clone())]
            }
            AppError::Ml(son1k_ml::MlError::UnknownProfile { name }) => {
                vec![("name", name.clone())]
            }
            AppError::Lyrics(L::ModelMissing { model, address, .. }) => {
                vec![("model", model.clone()), ("address", address.clone())]
            }
            AppError::Lyrics(
                L::Unreachable { address, .. }
                | L::NoModels { address }
                | L::Server { address, .. }
                | L::Protocol { address, .. },
            ) => vec![("address", address.clone())],
            AppError::Lyrics(L::Timeout { address, seconds }) => vec![
                ("address", address.clone()),
                ("seconds", seconds.to_string()),
            ],
            AppError::JobFailed { kind, .. } => vec![("kind", kind.clone())],
            AppError::NoAudio(_) => vec![("kind", "no-audio".into())],
            AppError::Sync(son1k_sync::SyncError::Offline { url, .. }) => {
                vec![("url", url.clone())]
            }
            AppError::Sync(e) => vec![("kind", e.code().to_string())],
            AppError::Account { code, .. } => vec![("kind", (*code).to_string())],
            AppError::Io { path, .. } => vec![("path", shown(path))],
            _ => Vec::new(),
        };
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// The invalid field, for input that broke a product rule.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(v) => Some(v.field.as_str()),
            _ => None,
        }
    }

    /// What happened, without the command-line hint that [`AppError::next_steps`] carries in a
    /// structured form: what the desktop shows beside its buttons. The `Display` text (what the
    /// CLI prints) keeps the hint.
    pub fn summary(&self) -> String {
        match self {
            AppError::QuotaReached {
                tier,
                limit,
                period,
                resets_at,
                ..
            } => format!(
                "{tier} allows {limit} generations per {period} and they are used up (the count resets at {resets_at}, Unix time)"
            ),
            other => other.to_string(),
        }
    }

    /// What the user can do next, most useful first; empty when there is nothing to offer.
    pub fn next_steps(&self) -> Vec<NextStep> {
        use son1k_lyrics::LyricsError as L;
        match self {
            AppError::QuotaReached { tier, .. } => match tier.parse::<Tier>() {
                Ok(Tier::Free) => vec![
                    NextStep::Upgrade {
                        tier: Tier::Creator,
                    },
                    NextStep::ClaimFromPool,
                ],
                Ok(Tier::Creator) => vec![NextStep::Upgrade { tier: Tier::Pro }],
                Ok(Tier::Pro) => vec![NextStep::Upgrade { tier: Tier::Studio }],
                _ => Vec::new(),
            },
            AppError::Ml(son1k_ml::MlError::NotInstalled { model, .. }) => {
                vec![NextStep::InstallModel {
                    model: model.clone(),
                }]
            }
            AppError::Sync(son1k_sync::SyncError::NotSignedIn) => vec![NextStep::SignIn],
            AppError::Account { code, .. }
                if matches!(*code, "session_expired" | "expired_token") =>
            {
                vec![NextStep::SignIn]
            }
            AppError::Lyrics(L::Unreachable { .. }) => vec![NextStep::StartOllama],
            AppError::Lyrics(L::NoModels { .. }) => vec![NextStep::PullOllamaModel {
                model: "qwen2.5".into(),
            }],
            AppError::Lyrics(L::ModelMissing { model, .. }) => {
                vec![NextStep::PullOllamaModel {
                    model: model.clone(),
                }]
            }
            _ => Vec::new(),
        }
    }

    /// Whether the caller's input caused the error (CLI exit code 2, not 1): invalid values and
    /// audio files that are empty, damaged or in an unknown format.
    pub fn is_user_error(&self) -> bool {
        use son1k_audio::AudioError as A;
        match self {
            AppError::Invalid(_) => true,
            AppError::Audio(a) => !matches!(a, A::Io { .. } | A::Device(_)),
            AppError::Analysis(son1k_analysis::AnalysisError::Audio(a)) => {
                !matches!(a, A::Io { .. } | A::Device(_))
            }
            AppError::Analysis(_) => true,
            AppError::Lyrics(l) => l.is_user_error(),
            AppError::Voice(_) => true,
            AppError::Visual(v) => matches!(v, son1k_visual::VisualError::Invalid(_)),
            AppError::Ml(m) => m.is_user_error(),
            // Jobs fail on their input (a damaged file); engine and I/O trouble are retried first.
            AppError::JobFailed { .. } => true,
            AppError::Store(son1k_store::StoreError::NotFound { .. }) => true,
            AppError::Sync(e) => e.is_user_error(),
            AppError::Compose(c) => !matches!(
                c,
                son1k_compose::ComposeError::Audio(_) | son1k_compose::ComposeError::Cancelled
            ),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(tier: &'static str) -> AppError {
        AppError::QuotaReached {
            tier,
            limit: 3,
            period: "day",
            resets_at: 86_400,
            hint: "upgrade with `son1k upgrade creator`",
        }
    }

    #[test]
    fn a_used_up_free_quota_offers_creator_and_the_pool_and_the_summary_has_no_command() {
        let e = quota("FREE");
        assert_eq!(
            e.next_steps(),
            [
                NextStep::Upgrade {
                    tier: Tier::Creator
                },
                NextStep::ClaimFromPool
            ]
        );
        assert!(e.to_string().contains("son1k upgrade creator"), "{e}");
        let summary = e.summary();
        assert!(summary.starts_with("FREE allows 3 generations per day"));
        assert!(!summary.contains("son1k"), "{summary}");
        assert_eq!(
            quota("PRO").next_steps(),
            [NextStep::Upgrade { tier: Tier::Studio }]
        );
        assert!(quota("STUDIO").next_steps().is_empty());
    }

    #[test]
    fn missing_weights_and_sign_in_name_their_step_as_the_cli_command() {
        let e = AppError::Ml(son1k_ml::MlError::NotInstalled {
            model: "wavlm-large".into(),
            missing: "model.safetensors".into(),
        });
        let steps = e.next_steps();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].command(), "son1k models install wavlm-large");
        let e = AppError::Sync(son1k_sync::SyncError::NotSignedIn);
        assert_eq!(e.next_steps(), [NextStep::SignIn]);
        assert_eq!(NextStep::SignIn.command(), "son1k account login");
        assert!(AppError::NoHome.next_steps().is_empty());
    }

    #[test]
    fn params_carry_what_a_translated_sentence_needs() {
        let p = quota("FREE").params();
        assert_eq!(p.get("tier").map(String::as_str), Some("FREE"));
        assert_eq!(p.get("limit").map(String::as_str), Some("3"));
        assert_eq!(p.get("period").map(String::as_str), Some("day"));
        assert_eq!(p.get("resets_at").map(String::as_str), Some("86400"));

        let e = AppError::Audio(son1k_audio::AudioError::Truncated {
            path: PathBuf::from("/songs/demo.wav"),
            got: 10,
            expected: 20,
        });
        let p = e.params();
        assert_eq!(e.code(), "bad-audio");
        assert_eq!(p.get("kind").map(String::as_str), Some("truncated"));
        assert_eq!(p.get("path").map(String::as_str), Some("/songs/demo.wav"));
        assert_eq!(p.get("expected").map(String::as_str), Some("20"));

        let e = AppError::Sync(son1k_sync::SyncError::Api {
            status: 401,
            code: "invalid_credentials".into(),
            message: "invalid email or password".into(),
        });
        assert_eq!(
            (e.code(), e.params().get("kind").cloned()),
            ("account", Some("invalid_credentials".to_string()))
        );

        let e = AppError::Invalid(ValidationError::new("bpm", 300, "BPM must be 40–240"));
        let p = e.params();
        assert_eq!(p.get("field").map(String::as_str), Some("bpm"));
        assert_eq!(p.get("value").map(String::as_str), Some("300"));
        assert!(AppError::NoHome.params().is_empty());
        let e = AppError::NoAudio("the input sent no audio".into());
        assert_eq!(
            (e.code(), e.params().get("kind").cloned()),
            ("audio-device", Some("no-audio".to_string()))
        );
    }

    #[test]
    fn next_steps_reach_the_ui_as_tagged_json() {
        let json = serde_json::to_value(NextStep::Upgrade { tier: Tier::Pro }).unwrap_or_default();
        assert_eq!(json, serde_json::json!({"kind": "upgrade", "tier": "PRO"}));
    }
}
