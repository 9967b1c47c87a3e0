//! Song generation as a library job: the request is persisted, the procedural engine renders it
//! on a scheduler worker with progress and cancellation, and the song folder appears atomically.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use son1k_compose::{ComposeError, Instruments, ProceduralEngine, SongEngine};
use son1k_core::{GenerationRequest, Progress};

use crate::jobs;
use crate::scheduler::JobFailure;

use crate::{AppError, Studio};
/// What the engine did differently from a request (stated in `song.json` and on each take).
pub use son1k_compose::overrides::{Override, OverrideKind, OverrideReason};

/// Which instruments render the song.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", content = "path", rename_all = "kebab-case")]
pub enum InstrumentChoice {
    /// The default: a full General MIDI SoundFont installed on the system (FluidR3_GM, 30 MB or
    /// more) for the acoustic instruments and acoustic drum kits, blended with the built-in
    /// synthesizers for the electronic sounds and the singer; the built-in synthesizers alone
    /// when no full bank is installed. The song's `instruments` says which parts played what.
    #[default]
    Auto,
    /// The built-in synthesizers (no files needed).
    BuiltIn,
    /// The General MIDI SoundFont installed on the system (e.g. Debian's `fluid-soundfont-gm`).
    SystemGm,
    /// A `.sf2` file the user picked.
    SoundFont(PathBuf),
}

impl InstrumentChoice {
    /// Parses `auto`, `builtin`, `gm` or a path to a `.sf2` file.
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "auto" | "" => InstrumentChoice::Auto,
            "builtin" | "built-in" | "synth" => InstrumentChoice::BuiltIn,
            "gm" | "soundfont" | "system" => InstrumentChoice::SystemGm,
            path => InstrumentChoice::SoundFont(PathBuf::from(path)),
        }
    }

    fn resolve(&self) -> Result<Instruments, AppError> {
        Ok(match self {
            InstrumentChoice::Auto => {
                let system: Vec<PathBuf> = son1k_compose::soundfont::SYSTEM_SOUNDFONTS
                    .iter()
                    .map(PathBuf::from)
                    .collect();
                auto_instruments(&system, son1k_compose::soundfont::FULL_BANK_BYTES)
            }
            InstrumentChoice::BuiltIn => Instruments::BuiltIn,
            InstrumentChoice::SystemGm => match son1k_compose::soundfont::find_system_soundfont() {
                Some(p) => Instruments::SoundFont(p),
                None => {
                    return Err(AppError::Compose(ComposeError::SoundFont {
                        path: PathBuf::from(son1k_compose::soundfont::SYSTEM_SOUNDFONTS[0]),
                        detail: "no General MIDI SoundFont is installed (on Debian: apt install fluid-soundfont-gm or timgm6mb-soundfont), or pass a .sf2 file".into(),
                    }))
                }
            },
            InstrumentChoice::SoundFont(p) => {
                let p = std::path::absolute(p).unwrap_or_else(|_| p.clone());
                if !p.is_file() {
                    return Err(AppError::Compose(ComposeError::SoundFont {
                        path: p,
                        detail: "no such file".into(),
                    }));
                }
                Instruments::SoundFont(p)
            }
        })
    }
}

/// What [`InstrumentChoice::Auto`] plays through, given where SoundFonts may be installed: the
/// first full bank (at least `min_bytes`) blended with the built-in synthesizers, or the built-in
/// synthesizers alone.
fn auto_instruments(candidates: &[PathBuf], min_bytes: u64) -> Instruments {
    match son1k_compose::soundfont::find_full_soundfont(candidates, min_bytes) {
        Some(p) => Instruments::Blend(p),
        None => Instruments::BuiltIn,
    }
}

/// What to generate and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GenerateOptions {
    /// The request (prompt, lyrics, hints, knobs, seed, quality).
    pub request: GenerationRequest,
    /// The song folder to create (must not exist, or be empty).
    pub out_dir: PathBuf,
    /// Instruments.
    #[serde(default)]
    pub instruments: InstrumentChoice,
}

/// What a finished generation produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GenerateReport {
    /// The library job that made it.
    pub job_id: String,
    /// The song folder.
    pub dir: PathBuf,
    /// Genre id.
    pub genre: String,
    /// Tempo.
    pub bpm: u32,
    /// Key, like `F# minor`.
    pub key: String,
    /// Length in seconds.
    pub seconds: f64,
    /// Seed used.
    pub seed: u64,
    /// Section labels in order (`intro`, `verse`, …).
    pub sections: Vec<String>,
    /// Stem names.
    pub stems: Vec<String>,
    /// `built-in` or the SoundFont's file name.
    pub instruments: String,
    /// Integrated loudness of the mix.
    pub loudness_lufs: Option<f64>,
    /// Wall-clock seconds the engine took (composition, synthesis, mixing).
    pub render_seconds: f64,
    /// Seconds of audio per second of rendering.
    pub realtime_factor: f64,
    /// Where the song differs from what was asked (length, tempo, key, genre, instruments),
    /// as `song.json` states it.
    #[serde(default)]
    pub overrides: Vec<son1k_compose::overrides::Override>,
    /// The take's number in the songs folder (generations into the songs folder only).
    #[serde(default)]
    pub number: Option<u32>,
}

fn check_out_dir(dir: &Path) -> Result<(), AppError> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| AppError::Io {
                action: "could not read",
                path: dir.to_path_buf(),
                source: e,
            })?
            .next()
            .is_none();
        if !empty {
            return Err(AppError::Compose(ComposeError::Output {
                path: dir.to_path_buf(),
                detail: "the output folder already exists and is not empty (choose another)".into(),
            }));
        }
    }
    Ok(())
}

/// The report of a song folder that is already complete for this request (a job re-run after a
/// crash between writing the song and recording its end must not render it twice).
fn finished_song(opts: &GenerateOptions, job_id: &str) -> Option<GenerateReport> {
    let bytes = std::fs::read(opts.out_dir.join("song.json")).ok()?;
    let m: son1k_compose::SongMeta = serde_json::from_slice(&bytes).ok()?;
    if m.request != opts.request || !opts.out_dir.join("mix.wav").is_file() {
        return None;
    }
    Some(report_of(&m, &opts.out_dir, job_id, 0.0))
}

fn report_of(
    m: &son1k_compose::SongMeta,
    dir: &Path,
    job_id: &str,
    render_seconds: f64,
) -> GenerateReport {
    GenerateReport {
        job_id: job_id.to_string(),
        dir: std::path::absolute(dir).unwrap_or(dir.to_path_buf()),
        genre: m.genre.clone(),
        bpm: m.bpm,
        key: m.key.clone(),
        seconds: m.seconds,
        seed: m.seed,
        sections: m.sections.iter().map(|s| s.kind.id().to_string()).collect(),
        stems: m.stems.iter().map(|s| s.0.clone()).collect(),
        instruments: m.instruments.clone(),
        loudness_lufs: m.loudness_lufs,
        render_seconds,
        realtime_factor: if render_seconds > 0.0 {
            m.seconds / render_seconds
        } else {
            0.0
        },
        overrides: m.overrides.clone(),
        number: None,
    }
}

/// Records a finished song in the library (once per job).
fn record(
    db: &Path,
    report: &GenerateReport,
    opts: &GenerateOptions,
    engine: &str,
) -> Result<(), JobFailure> {
    let dir = &report.dir;
    let files = serde_json::json!({
        "dir": dir,
        "mix": dir.join("mix.wav"),
        "midi": dir.join("song.mid"),
        "json": dir.join("song.json"),
        "stems": report
            .stems
            .iter()
            .map(|s| dir.join("stems").join(format!("{s}.wav")))
            .collect::<Vec<_>>(),
    });
    let g = son1k_store::Generation {
        id: report.job_id.clone(),
        project_id: None,
        request: serde_json::to_value(&opts.request)
            .map_err(|e| JobFailure::Fatal(e.to_string()))?,
        seed: report.seed as i64,
        engine: engine.to_string(),
        files,
        created_ms: crate::project::now_ms(),
    };
    son1k_store::Store::open(db)
        .and_then(|s| s.add_generation(&g))
        .map(|_| ())
        .map_err(|e| JobFailure::Retryable(e.to_string()))
}

/// The work of a `generate` job: renders the song in its payload and records it in the library.
pub fn work(db: &Path) -> jobs::Work {
    let db = db.to_path_buf();
    Arc::new(move |job, ctx| render(&job.payload, ctx, &job.id, &db))
}

/// Renders one song from a stored job payload (runs on a scheduler worker).
fn render(
    payload: &serde_json::Value,
    ctx: &crate::scheduler::JobContext,
    job_id: &str,
    db: &Path,
) -> Result<serde_json::Value, JobFailure> {
    let opts: GenerateOptions = serde_json::from_value(payload.clone())
        .map_err(|e| JobFailure::Fatal(format!("the job's request could not be read: {e}")))?;
    let engine_id = format!("procedural {}", son1k_compose::ENGINE_VERSION);
    if let Some(report) = finished_song(&opts, job_id) {
        record(db, &report, &opts, &engine_id)?;
        return serde_json::to_value(&report).map_err(|e| JobFailure::Fatal(e.to_string()));
    }
    let instruments = opts
        .instruments
        .resolve()
        .map_err(|e| JobFailure::Fatal(e.to_string()))?;
    let engine = ProceduralEngine { instruments };
    let start = Instant::now();
    let song = engine
        .generate(
            &opts.request,
            &mut |p| ctx.progress_stage(p.fraction as f64 * 0.92, Some(&p.stage)),
            ctx.cancel_flag(),
        )
        .map_err(|e| match e {
            ComposeError::Cancelled => JobFailure::Cancelled,
            e => JobFailure::Fatal(e.to_string()),
        })?;
    let render_seconds = start.elapsed().as_secs_f64();
    ctx.progress_stage(0.93, Some("writing files"));
    son1k_compose::write_song(&song, &opts.out_dir)
        .map_err(|e| JobFailure::Fatal(e.to_string()))?;
    let report = report_of(&song.meta, &opts.out_dir, job_id, render_seconds);
    record(db, &report, &opts, &engine_id)?;
    serde_json::to_value(&report).map_err(|e| JobFailure::Fatal(e.to_string()))
}

/// Generates a song as a library job (see [`Studio::generate`]).
pub fn run(
    studio: &Studio,
    options: &GenerateOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<GenerateReport, AppError> {
    // Refuse bad input before anything is persisted.
    options.request.validate()?;
    options.instruments.resolve()?;
    check_out_dir(&options.out_dir)?;
    let mut opts = options.clone();
    opts.out_dir = std::path::absolute(&opts.out_dir).unwrap_or(opts.out_dir.clone());
    let payload = serde_json::to_value(&opts).map_err(|e| AppError::JobFailed {
        kind: "generate".into(),
        message: e.to_string(),
    })?;
    let db = studio.paths().library_db();
    let mut results = jobs::run(
        studio,
        "generate",
        vec![payload],
        work(&db),
        &mut |p| progress(p.progress()),
        cancel,
    )?;
    let value = results.pop().ok_or_else(|| AppError::JobFailed {
        kind: "generate".into(),
        message: "the job disappeared".into(),
    })??;
    serde_json::from_value(value).map_err(|e| AppError::JobFailed {
        kind: "generate".into(),
        message: format!("the job's report could not be read: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_blends_a_full_bank_and_passes_over_small_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let small = dir.path().join("TimGM6mb.sf2");
        let full = dir.path().join("FluidR3_GM.sf2");
        std::fs::write(&small, vec![0u8; 600]).expect("write");
        std::fs::write(&full, vec![0u8; 2000]).expect("write");
        let missing = dir.path().join("none.sf2");
        // The first full-size bank wins; small banks and missing files are passed over.
        assert_eq!(
            auto_instruments(&[missing.clone(), small.clone(), full.clone()], 1000),
            Instruments::Blend(full.clone())
        );
        assert_eq!(
            auto_instruments(&[missing, small], 1000),
            Instruments::BuiltIn
        );
        assert_eq!(InstrumentChoice::default(), InstrumentChoice::Auto);
        assert_eq!(InstrumentChoice::parse("auto"), InstrumentChoice::Auto);
        assert_eq!(
            InstrumentChoice::parse("builtin"),
            InstrumentChoice::BuiltIn
        );
    }
}
