//! The Son1k Studio façade.
//!
//! The desktop shell (`src-tauri`), the `son1k` CLI and the end-to-end tests all call this crate
//! and nothing below it, so behaviour is identical whichever way a user reaches it. It owns where
//! data lives (platform directories or `SON1K_HOME`), the environment checks behind `son1k info`,
//! and turns domain results into the shapes the UI shows. It is not for domain rules (those are
//! in `son1k-core`) nor for presentation (the UI and the CLI format what it returns).
#![deny(missing_docs)]

pub mod account;
pub mod audio;
pub mod error;
pub mod generate;
pub mod ghost;
pub mod info;
pub mod jobs;
pub mod library;
pub mod lyrics;
pub mod ollama;
pub mod paths;
pub mod project;
pub mod prompt;
pub mod release;
pub mod scheduler;
pub mod settings;
pub mod songs;
pub mod visual;
pub mod voice;
pub mod webview;

pub use account::{AccountStatus, LeaseInfo, Quota, SyncReport, Usage};
pub use audio::{
    ConvertOptions, ConvertReport, LoudnessReport, MixReport, PlaybackHandle, RecordingHandle,
};
pub use error::{AppError, NextStep};
pub use generate::{GenerateOptions, GenerateReport, InstrumentChoice};
pub use info::{EngineInfo, StudioInfo};
pub use ollama::OllamaStatus;
pub use paths::Paths;
pub use prompt::{BuiltPrompt, KnobReading, PresetInfo};
pub use release::{
    ClipFile, EventView, ImportReport, PlanOptions, PlanReport, PostView, Posts, PostsFailure,
    PostsRequest, ReleaseView,
};
pub use settings::AudioSettings;
pub use songs::SongSummary;
pub use visual::{SceneKind, VisualOptions, VisualReport};

// The domain types the front ends name, re-exported so that the shell and the CLI depend on this
// crate (and son1k-core) only.
pub use son1k_analysis::Analysis;
pub use son1k_audio::{AudioReport, SampleFormat};
pub use son1k_store::{Job, JobStatus, Project};

pub use son1k_core::Progress;
use son1k_core::{Lang, PromptInput, TierLimits};
pub use son1k_lyrics::posts::PostEvent;

/// The application: one per process, cheap to share by reference.
#[derive(Debug, Clone)]
pub struct Studio {
    paths: Paths,
}

/// The work of an `analyze` job: analyses the file in its payload.
fn analysis_work() -> jobs::Work {
    use scheduler::JobFailure;
    std::sync::Arc::new(|job, ctx| {
        if ctx.is_cancelled() {
            return Err(JobFailure::Cancelled);
        }
        let file = job.payload["file"].as_str().unwrap_or_default();
        let analysis = son1k_analysis::analyze_file(std::path::Path::new(file))
            .map_err(|e| JobFailure::Fatal(e.to_string()))?;
        serde_json::to_value(&analysis).map_err(|e| JobFailure::Fatal(e.to_string()))
    })
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
    /// reporting progress (stage `mixing`) as it renders.
    pub fn mix(
        &self,
        session: &std::path::Path,
        output: &std::path::Path,
        format: son1k_audio::SampleFormat,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<MixReport, AppError> {
        audio::mix(session, output, format, progress)
    }

    /// Plays an audio file on the default output device.
    pub fn play(
        &self,
        path: &std::path::Path,
        buffer_frames: Option<u32>,
    ) -> Result<audio::PlaybackHandle, AppError> {
        audio::play_file(path, buffer_frames)
    }

    /// Records the default input into a WAV file, first repairing takes a crash interrupted.
    pub fn record(
        &self,
        output: &std::path::Path,
    ) -> Result<(Vec<audio::RecoveredTake>, audio::RecordingHandle), AppError> {
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
        let payloads: Vec<serde_json::Value> = files
            .iter()
            .map(|f| {
                let file = std::path::absolute(f).unwrap_or_else(|_| f.clone());
                serde_json::json!({ "file": file })
            })
            .collect();
        let analyze = analysis_work();
        let never = std::sync::atomic::AtomicBool::new(false);
        let results = jobs::run(
            self,
            "analyze",
            payloads,
            analyze,
            &mut |p| progress(p.done, p.total),
            &never,
        )?;
        Ok(results
            .into_iter()
            .map(|r| {
                r.and_then(|v| {
                    serde_json::from_value(v).map_err(|e| AppError::JobFailed {
                        kind: "analyze".into(),
                        message: format!("the analysis result could not be read: {e}"),
                    })
                })
            })
            .collect())
    }

    /// Generates a song into `options.out_dir` as a job in the library (persisted, listed and
    /// cancellable with `son1k jobs`, cancelled by setting `cancel`); `progress` gets the
    /// fraction done and the engine's stage.
    pub fn generate(
        &self,
        options: &GenerateOptions,
        progress: &mut dyn FnMut(Progress),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<GenerateReport, AppError> {
        generate::run(self, options, progress, cancel)
    }

    /// Generates a take counted against the account: the quota is checked first (FREE: 3 a UTC
    /// day; the lease's limits for paid tiers), then the song is generated as a job, then the
    /// generation is counted. The one policy behind the Generator screen and `son1k generate`.
    pub fn generate_take(
        &self,
        options: &GenerateOptions,
        progress: &mut dyn FnMut(Progress),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<GenerateReport, AppError> {
        if self.quota_applies()? {
            self.quota_check(options.request.quality)?;
        }
        let report = self.generate(options, progress, cancel)?;
        self.count_generation(&report.job_id, &options.request)?;
        Ok(report)
    }

    /// [`Studio::generate_take`] into a new folder of the songs folder (`take-<ms>`); when it
    /// fails or is cancelled the folder is removed again, so the list shows finished takes only.
    pub fn generate_song(
        &self,
        request: son1k_core::GenerationRequest,
        instruments: InstrumentChoice,
        progress: &mut dyn FnMut(Progress),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<GenerateReport, AppError> {
        let songs = self.paths.songs_dir();
        let out_dir = songs::reserve(&songs).map_err(|source| AppError::Io {
            action: "could not create a folder in",
            path: songs.clone(),
            source,
        })?;
        let options = GenerateOptions {
            request,
            out_dir: out_dir.clone(),
            instruments,
        };
        let report = self.generate_take(&options, progress, cancel);
        match report {
            Ok(mut r) => {
                r.number = songs::number_new(&songs, &out_dir).ok();
                Ok(r)
            }
            Err(e) => {
                // The take's folder is still empty (a failed job writes nothing there).
                let _ = std::fs::remove_dir(&out_dir);
                Err(e)
            }
        }
    }

    /// Renames the take `name` (its folder name) to `title`: a clear error for an empty, too
    /// long or duplicate name, or a take that is not there.
    pub fn rename_take(&self, name: &str, title: &str) -> Result<SongSummary, AppError> {
        Ok(songs::rename(&self.paths.songs_dir(), name, title)?)
    }

    /// A new Ghost Studio project named `project` from the take `name`: its stems on tracks
    /// aligned at zero (see [`project::from_take`]); the project's folder and document.
    pub fn project_from_take(
        &self,
        name: &str,
        project: &str,
    ) -> Result<(std::path::PathBuf, project::ProjectDoc), AppError> {
        project::from_take(self, name, project)
    }

    /// Deletes the take `name` (its folder name) and nothing else.
    pub fn delete_take(&self, name: &str) -> Result<(), AppError> {
        Ok(songs::delete(&self.paths.songs_dir(), name)?)
    }

    /// The finished takes in the songs folder, newest first.
    pub fn songs(&self) -> Result<Vec<SongSummary>, AppError> {
        let dir = self.paths.songs_dir();
        songs::list(&dir).map_err(|source| AppError::Io {
            action: "could not read the songs folder",
            path: dir,
            source,
        })
    }

    /// The work behind each job kind this build runs (`analyze`, `generate`, `voice-convert`, `visual-render`).
    pub fn job_works(&self) -> std::collections::HashMap<String, jobs::Work> {
        let db = self.paths.library_db();
        std::collections::HashMap::from([
            ("analyze".to_string(), analysis_work()),
            ("generate".to_string(), generate::work(&db)),
            (voice::CONVERT_JOB.to_string(), voice::convert_work(self)),
            (visual::RENDER_JOB.to_string(), visual::render_work(self)),
        ])
    }

    /// Finds jobs whose process died (no heartbeat for a while) and re-queues them, or fails
    /// them with a reason after too many interruptions: returns (re-queued, failed).
    pub fn recover_jobs(&self) -> Result<(usize, usize), AppError> {
        let p = scheduler::Policy::default();
        Ok(self
            .library()?
            .recover_interrupted(p.max_attempts, p.stale_after)?)
    }

    /// Runs every queued job (also those re-queued after a crash) until none is left; returns
    /// how many finished. `progress(finished, left)`.
    pub fn resume_jobs(
        &self,
        progress: &mut dyn FnMut(usize, usize),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<usize, AppError> {
        jobs::drain(self, self.job_works(), progress, cancel)
    }

    /// Creates a project (folder, first save, library row); returns its folder and document.
    pub fn create_project(
        &self,
        name: &str,
    ) -> Result<(std::path::PathBuf, project::ProjectDoc), AppError> {
        project::create(self, name)
    }

    /// Loads a project folder, restoring the last good version if the file is damaged.
    pub fn load_project(&self, folder: &std::path::Path) -> Result<project::Loaded, AppError> {
        project::load(folder)
    }

    /// Saves a project atomically, keeping the previous good version.
    pub fn save_project(
        &self,
        folder: &std::path::Path,
        doc: &project::ProjectDoc,
    ) -> Result<project::ProjectDoc, AppError> {
        project::save(folder, doc)
    }

    /// The library: songs and projects, newest first.
    pub fn library_entries(&self) -> Result<Vec<library::Entry>, AppError> {
        library::entries(&self.library()?)
    }

    /// One library entry by id.
    pub fn library_show(&self, id: &str) -> Result<library::Entry, AppError> {
        library::show(&self.library()?, id)
    }

    /// Removes an entry from the library and deletes its files (a song's folder).
    pub fn library_delete(&self, id: &str) -> Result<library::Entry, AppError> {
        library::delete(&self.library()?, id)
    }

    /// Opens the local library (`DATA_DIR/library.db`), creating and migrating it if needed.
    /// Internal: the front ends get views ([`Studio::job`], [`Studio::jobs`], …), never the store.
    pub(crate) fn library(&self) -> Result<son1k_store::Store, AppError> {
        self.paths.ensure()?;
        Ok(son1k_store::Store::open(&self.paths.library_db())?)
    }

    /// One job of the library, by id.
    pub fn job(&self, id: &str) -> Result<Job, AppError> {
        Ok(self.library()?.job(id)?)
    }

    /// Queues a job of `kind` with `payload` without running it: it waits, listed by `son1k jobs`,
    /// until [`Studio::resume_jobs`] (`son1k jobs run`) runs it or it is cancelled.
    pub fn queue_job(&self, kind: &str, payload: &serde_json::Value) -> Result<Job, AppError> {
        Ok(self.library()?.enqueue(kind, payload, 0)?)
    }

    /// Every job of the library, newest first.
    pub fn jobs(&self) -> Result<Vec<Job>, AppError> {
        Ok(self.library()?.jobs()?)
    }

    /// The result a finished job stored (its report as JSON), if any.
    pub fn job_result(&self, id: &str) -> Result<Option<serde_json::Value>, AppError> {
        Ok(self.library()?.result(id)?)
    }

    /// The Ghost Studio projects in the library.
    pub fn projects(&self) -> Result<Vec<Project>, AppError> {
        Ok(self.library()?.projects()?)
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

    /// Lyric Studio: the models installed in the Ollama at `OLLAMA_HOST`. Fails within a few
    /// seconds, naming the address and the next step, when nothing answers there.
    pub fn lyrics_models(&self) -> Result<Vec<son1k_lyrics::ModelInfo>, AppError> {
        lyrics::models()
    }

    /// Lyric Studio: the model a write uses (`wanted` if installed, else qwen2.5, else the
    /// first installed).
    pub fn lyrics_default_model(&self, wanted: Option<&str>) -> Result<String, AppError> {
        lyrics::default_model(wanted)
    }

    /// Lyric Studio: writes structured lyrics from a theme, streaming readable text (and repair
    /// notices) through `on_event`; setting `cancel` stops it mid-stream.
    pub fn lyrics_write(
        &self,
        request: &son1k_lyrics::WriteRequest,
        on_event: &mut (dyn FnMut(son1k_lyrics::Event) + Send),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<son1k_lyrics::Written, AppError> {
        lyrics::write(request, on_event, cancel)
    }

    /// Lyric Studio: rewrites one line keeping its syllable count (validated, retried).
    pub fn lyrics_rewrite(
        &self,
        model: Option<&str>,
        line: &str,
        lang: Lang,
        context: &[String],
        instruction: Option<&str>,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<son1k_lyrics::Rewrite, AppError> {
        lyrics::rewrite(model, line, lang, context, instruction, cancel)
    }

    /// Lyric Studio: `count` more lines for a section, in its metre and rhyme.
    pub fn lyrics_continue(
        &self,
        model: Option<&str>,
        lines: &[String],
        lang: Lang,
        count: usize,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<Vec<String>, AppError> {
        lyrics::continue_section(model, lines, lang, count, cancel)
    }

    /// Lyric Studio: reads a music prompt into genre, mood, BPM, key and instruments, to
    /// pre-fill the Generator.
    pub fn analyse_prompt(
        &self,
        model: Option<&str>,
        prompt: &str,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<son1k_lyrics::PromptFields, AppError> {
        lyrics::analyse_prompt(model, prompt, cancel)
    }

    /// Lyric Studio: syllables per line, rhyme letters and each section's scheme (no model).
    pub fn lyrics_check(&self, text: &str, lang: Lang) -> son1k_lyrics::Check {
        son1k_lyrics::check(text, lang)
    }

    /// Lyric Studio: rhyme suggestions for a word (no model).
    pub fn lyrics_rhymes(&self, word: &str, lang: Lang) -> son1k_lyrics::Rhymes {
        son1k_lyrics::rhymes(word, lang, 40)
    }

    /// Lyric Studio: "send to the Generator" — a request with the lyrics as `[Verse]`/`[Chorus]`
    /// text and the fields read from the prompt.
    pub fn lyrics_to_request(
        &self,
        prompt: &str,
        lyrics: &son1k_lyrics::Lyrics,
        fields: Option<&son1k_lyrics::PromptFields>,
    ) -> Result<son1k_core::GenerationRequest, AppError> {
        lyrics::to_request(prompt, lyrics, fields)
    }

    /// Nova Post Pilot: plans a release of a song on a day — its folder (`DATA/releases/…`),
    /// calendar (library and `release.ics`), clips per platform and, with Ollama there, posts
    /// (`posts.json`); without Ollama the report says how to start it and the rest is made.
    pub fn release_plan(
        &self,
        options: &PlanOptions,
        on_event: &mut (dyn FnMut(PostEvent) + Send),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<PlanReport, AppError> {
        release::plan(self, options, on_event, cancel)
    }

    /// Nova Post Pilot: posts for a song (one platform and language to regenerate one).
    pub fn release_posts(
        &self,
        request: &PostsRequest,
        on_event: &mut (dyn FnMut(PostEvent) + Send),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<Posts, AppError> {
        release::write_posts(self, request, on_event, cancel)
    }

    /// Nova Post Pilot: a post the user edited, trimmed at a word boundary if it breaks a limit.
    pub fn release_edit_post(&self, post: son1k_core::Post) -> PostView {
        release::posts::edited(post)
    }

    /// Nova Post Pilot: every planned release, newest first.
    pub fn releases(&self) -> Result<Vec<ReleaseView>, AppError> {
        release::releases(self)
    }

    /// Nova Post Pilot: a release by id, or the newest release of a song.
    pub fn release_find(&self, id_or_song: &str) -> Result<ReleaseView, AppError> {
        release::find(self, id_or_song)
    }

    /// Nova Post Pilot: a release's calendar, by day.
    pub fn release_events(&self, release_id: &str) -> Result<Vec<EventView>, AppError> {
        release::events(self, release_id)
    }

    /// Nova Post Pilot: every release's events in a month, by day.
    pub fn release_month(
        &self,
        month: son1k_core::release::Month,
    ) -> Result<Vec<EventView>, AppError> {
        release::month(self, month)
    }

    /// Nova Post Pilot: moves an event to another day (and rewrites the release's `release.ics`).
    pub fn release_reschedule(
        &self,
        event_id: &str,
        date: son1k_core::Date,
    ) -> Result<EventView, AppError> {
        release::reschedule(self, event_id, date)
    }

    /// Nova Post Pilot: writes a release's calendar to `path` (RFC 5545); returns its text.
    pub fn release_export_ics(
        &self,
        release_id: &str,
        path: &std::path::Path,
    ) -> Result<String, AppError> {
        release::export_ics(self, release_id, path)
    }

    /// Nova Post Pilot: a release's calendar as iCalendar text (RFC 5545).
    pub fn release_ics(&self, release_id: &str) -> Result<String, AppError> {
        release::ics_text(self, release_id)
    }

    /// Nova Post Pilot: reads an iCalendar file into a release's calendar.
    pub fn release_import_ics(
        &self,
        release_id: &str,
        path: &std::path::Path,
    ) -> Result<ImportReport, AppError> {
        release::import_ics(self, release_id, path)
    }

    /// The known genres as (id, name in `lang`) pairs, in menu order.
    pub fn genres(&self, lang: Lang) -> Vec<(String, String)> {
        son1k_core::Genre::all()
            .map(|g| (g.id().to_string(), g.name(lang).to_string()))
            .collect()
    }
}
