//! The Son1k Studio façade.
//!
//! The desktop shell (`src-tauri`), the `son1k` CLI and the end-to-end tests all call this crate
//! and nothing below it, so behaviour is identical whichever way a user reaches it. It owns where
//! data lives (platform directories or `SON1K_HOME`), the environment checks behind `son1k info`,
//! and turns domain results into the shapes the UI shows. It is not for domain rules (those are
//! in `son1k-core`) nor for presentation (the UI and the CLI format what it returns).
#![deny(missing_docs)]

pub mod audio;
pub mod error;
pub mod info;
pub mod ollama;
pub mod paths;
pub mod prompt;
pub mod scheduler;

pub use audio::{ConvertOptions, ConvertReport, LoudnessReport, MixReport};
pub use error::AppError;
pub use info::{EngineInfo, StudioInfo};
pub use ollama::OllamaStatus;
pub use paths::Paths;
pub use prompt::{BuiltPrompt, KnobReading, PresetInfo};

use son1k_core::{Lang, PromptInput, TierLimits};

/// The application: one per process, cheap to share by reference.
#[derive(Debug, Clone)]
pub struct Studio {
    paths: Paths,
}

impl Studio {
    /// Opens the studio with the directories from `SON1K_HOME` or the platform's defaults.
    pub fn open() -> Result<Self, AppError> {
        Ok(Studio::with_paths(Paths::from_env()?))
    }

    /// Opens the studio on explicit directories (tests, portable installs).
    pub fn with_paths(paths: Paths) -> Self {
        Studio { paths }
    }

    /// Where this studio keeps its data and cache.
    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Version, directories, engines, Ollama and audio devices. Every probe has a short time
    /// limit, so this answers within a few seconds even when a service or driver is wedged.
    pub fn info(&self) -> StudioInfo {
        info::gather(&self.paths)
    }

    /// Builds the text prompt (in `input.lang`) plus the description of each knob's current
    /// range in `display`, the language the user reads the studio in.
    pub fn build_prompt(
        &self,
        input: &PromptInput,
        display: Lang,
    ) -> Result<BuiltPrompt, AppError> {
        prompt::build(input, display)
    }

    /// Converts an audio file (format from `output`'s extension: .wav or .flac).
    pub fn convert(
        &self,
        input: &std::path::Path,
        output: &std::path::Path,
        opts: ConvertOptions,
    ) -> Result<ConvertReport, AppError> {
        audio::convert(input, output, opts)
    }

    /// Renders a session description (tracks of clips, per-track gain/pan/FX, master chain),
    /// reporting progress (0–1) as it renders.
    pub fn mix(
        &self,
        session: &std::path::Path,
        output: &std::path::Path,
        format: son1k_audio::SampleFormat,
        progress: &mut dyn FnMut(f64),
    ) -> Result<MixReport, AppError> {
        audio::mix(session, output, format, progress)
    }

    /// Plays an audio file on the default output device.
    pub fn play(
        &self,
        path: &std::path::Path,
        buffer_frames: Option<u32>,
    ) -> Result<son1k_audio::engine::Playback, AppError> {
        audio::play_file(path, buffer_frames)
    }

    /// Records the default input into a WAV file, first repairing takes a crash interrupted.
    pub fn record(
        &self,
        output: &std::path::Path,
    ) -> Result<
        (
            Vec<son1k_audio::record::RecoveredTake>,
            son1k_audio::record::Recording,
        ),
        AppError,
    > {
        audio::record(output)
    }

    /// Audio hosts and devices, answered within a short time limit.
    pub fn devices(&self) -> son1k_audio::AudioReport {
        son1k_audio::probe_devices(info::PROBE_TIMEOUT)
    }

    /// Tempo, beats, meter, key, tuning, loudness, features and sections of an audio file.
    pub fn analyze(&self, path: &std::path::Path) -> Result<son1k_analysis::Analysis, AppError> {
        Ok(son1k_analysis::analyze_file(path)?)
    }

    /// Analyses files as jobs in the library (persisted, visible and cancellable with
    /// `son1k jobs`), run by a scheduler in this process; `progress(done, total)` as they finish.
    /// Results come back in the order of `files`.
    pub fn analyze_files(
        &self,
        files: &[std::path::PathBuf],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<Result<son1k_analysis::Analysis, AppError>>, AppError> {
        use scheduler::{Handler, JobEvent, JobFailure, Policy, Scheduler};
        use std::sync::Arc;
        let lib = self.library()?;
        let db = self.paths.data_dir.join("library.db");
        let mut ids = Vec::with_capacity(files.len());
        for f in files {
            let file = std::path::absolute(f).unwrap_or_else(|_| f.clone());
            ids.push(
                lib.enqueue("analyze", &serde_json::json!({ "file": file }), 0)?
                    .id,
            );
        }
        let handler_db = db.clone();
        let analyze: Handler = Arc::new(move |job, ctx| {
            if ctx.is_cancelled() {
                return Err(JobFailure::Cancelled);
            }
            let file = job.payload["file"].as_str().unwrap_or_default();
            let analysis = son1k_analysis::analyze_file(std::path::Path::new(file))
                .map_err(|e| JobFailure::Fatal(e.to_string()))?;
            let value =
                serde_json::to_value(&analysis).map_err(|e| JobFailure::Fatal(e.to_string()))?;
            son1k_store::Store::open(&handler_db)
                .and_then(|s| s.set_result(&job.id, &value))
                .map_err(|e| JobFailure::Retryable(e.to_string()))
        });
        let handlers = std::collections::HashMap::from([("analyze".to_string(), analyze)]);
        let (sched, events) = Scheduler::start(
            &db,
            scheduler::default_concurrency(),
            handlers,
            Policy::default(),
        )?;
        // Another process's scheduler may run some of these jobs (it shares the library), so
        // besides our own events, look at the rows themselves now and then.
        let finished = |s: son1k_store::JobStatus| {
            !matches!(
                s,
                son1k_store::JobStatus::Queued | son1k_store::JobStatus::Running
            )
        };
        let mut pending: std::collections::HashSet<&String> = ids.iter().collect();
        while !pending.is_empty() {
            match events.recv_timeout(std::time::Duration::from_millis(250)) {
                Ok(JobEvent::Finished { id, status, .. }) if finished(status) => {
                    pending.remove(&id);
                }
                Ok(_) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    pending.retain(|id| lib.job(id).map(|j| !finished(j.status)).unwrap_or(false));
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
            progress(ids.len() - pending.len(), ids.len());
        }
        sched.shutdown();
        Ok(ids
            .iter()
            .map(|id| {
                let job = lib.job(id)?;
                match job.status {
                    son1k_store::JobStatus::Done => {
                        let value = lib.result(id)?.unwrap_or_default();
                        serde_json::from_value(value).map_err(|e| AppError::JobFailed {
                            kind: job.kind.clone(),
                            message: format!("the analysis result could not be read: {e}"),
                        })
                    }
                    _ => Err(AppError::JobFailed {
                        kind: job.kind.clone(),
                        message: job
                            .error
                            .unwrap_or_else(|| format!("the {} job was cancelled", job.kind)),
                    }),
                }
            })
            .collect())
    }

    /// Opens the local library (`DATA_DIR/library.db`), creating and migrating it if needed.
    pub fn library(&self) -> Result<son1k_store::Store, AppError> {
        self.paths.ensure()?;
        Ok(son1k_store::Store::open(
            &self.paths.data_dir.join("library.db"),
        )?)
    }

    /// Measures a file's loudness (EBU R128: integrated LUFS, range, true peak).
    pub fn loudness(&self, path: &std::path::Path) -> Result<LoudnessReport, AppError> {
        audio::measure(path)
    }

    /// The tier table, cheapest first (the single source the API and landing page read too).
    pub fn tiers(&self) -> Vec<TierLimits> {
        son1k_core::Tier::table().to_vec()
    }

    /// The built-in knob presets with their values.
    pub fn presets(&self) -> Vec<PresetInfo> {
        prompt::presets()
    }

    /// The known genres as (id, name in `lang`) pairs, in menu order.
    pub fn genres(&self, lang: Lang) -> Vec<(String, String)> {
        son1k_core::Genre::all()
            .map(|g| (g.id().to_string(), g.name(lang).to_string()))
            .collect()
    }
}
