//! Voice studio: DSP transform of a file, the model manager, voice profiles, neural conversion
//! (kNN-VC) as a library job, and takes recorded for the Voice screen — decoding, resampling to
//! the models' 16 kHz and writing happen here.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use son1k_audio::{write::Container, AudioBuffer, SampleFormat};
use son1k_ml::manager::{Manifest, ModelManager};
use son1k_ml::profile::{ProfileStore, CONSENT_STATEMENT};
use son1k_ml::vc::KnnVc;
use son1k_ml::{MlError, Progress};

// The Voice studio's types, for the front ends.
pub use son1k_ml::manager::{FileState, ModelState, Verified};
pub use son1k_ml::profile::VoiceProfile;
pub use son1k_voice::{Preset, TransformParams};

use crate::ghost::{InputLevel, TakeRecorder};
use crate::jobs;
use crate::scheduler::{JobContext, JobFailure};
use crate::{AppError, Studio};

/// The library job kind of a voice conversion.
pub const CONVERT_JOB: &str = "voice-convert";

/// The encoder and vocoder voice conversion uses.
pub const ENCODER: &str = "wavlm-large";
/// The vocoder voice conversion uses.
pub const VOCODER: &str = "knnvc-hifigan-prematched";

/// What a transform did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TransformReport {
    /// The written file.
    pub output: PathBuf,
    /// Seconds in and out.
    pub seconds_in: f64,
    /// Seconds out.
    pub seconds_out: f64,
    /// The controls used.
    pub params: TransformParams,
    /// Processing speed in multiples of real time.
    pub speed_x_realtime: f64,
}

/// Transforms a file: decode, [`son1k_voice::transform`], write (format from the extension).
pub fn transform_file(
    input: &Path,
    output: &Path,
    params: &TransformParams,
    bits: SampleFormat,
) -> Result<TransformReport, AppError> {
    Container::from_path(output)?;
    params.validate()?;
    let audio = son1k_audio::decode_file(input)?;
    let start = Instant::now();
    let out = son1k_voice::transform(&audio, params)?;
    let took = start.elapsed().as_secs_f64().max(1e-9);
    son1k_audio::write_file(output, &out, bits)?;
    Ok(TransformReport {
        output: output.to_path_buf(),
        seconds_in: audio.duration_secs(),
        seconds_out: out.duration_secs(),
        params: *params,
        speed_x_realtime: audio.duration_secs() / took,
    })
}

/// What a conversion did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// Named for the desktop bindings, apart from `audio::ConvertReport` (JSON is unchanged).
#[serde(rename = "VoiceConvertReport")]
pub struct ConvertReport {
    /// The library job that made it.
    pub job_id: String,
    /// The written file.
    pub output: PathBuf,
    /// The profile used.
    pub profile: String,
    /// Seconds of audio.
    pub seconds: f64,
    /// Wall-clock seconds spent in the models.
    pub model_seconds: f64,
    /// Real-time factor: model seconds per audio second (below 1 is faster than real time).
    pub rtf: f64,
}

/// What a `voice-convert` job converts (its stored payload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvertJob {
    /// The recording (absolute path).
    pub file: PathBuf,
    /// The voice profile.
    pub profile: String,
    /// The file to write (absolute path; .wav or .flac).
    pub output: PathBuf,
}

/// The folder where the Voice screen keeps its recordings, takes and results (`DATA/voice`).
pub fn voice_dir(studio: &Studio) -> PathBuf {
    studio.paths().voice_dir()
}

/// `name`, a file of the voice folder; a bare file name only (the Voice screen names its files
/// so), refused with a clear error otherwise.
pub fn voice_file(studio: &Studio, name: &str) -> Result<PathBuf, AppError> {
    crate::paths::contained(&voice_dir(studio), name)
        .filter(|_| !name.contains('/'))
        .ok_or_else(|| {
            AppError::Invalid(son1k_core::ValidationError::new(
                "file",
                format!("{name:?}"),
                "must be a file of the voice folder",
            ))
        })
}

/// The stem of a voice-folder file's name, for the names of what is made from it.
fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "voice".into())
}

/// Copies a recording (any format the decoder reads) into the voice folder as a 24-bit WAV, so
/// the screen can draw and play it; returns its name there.
pub fn import(studio: &Studio, file: &Path) -> Result<String, AppError> {
    let dir = voice_dir(studio);
    std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
        action: "could not create",
        path: dir.clone(),
        source,
    })?;
    let stem = file
        .file_stem()
        .map(|n| n.to_string_lossy().to_string())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            AppError::Invalid(son1k_core::ValidationError::new(
                "file",
                file.display(),
                "is not a file",
            ))
        })?;
    let audio = son1k_audio::decode_file(file)?;
    let name = format!("{stem}.wav");
    son1k_audio::write_file(&dir.join(&name), &audio, SampleFormat::I24)?;
    Ok(name)
}

/// Transforms `input` (a file of the voice folder) into `<stem>.transformed.wav` beside it
/// (`<stem>.transformed-2.wav`, … when that exists: a result never overwrites another) and adds
/// it to the screen's list of results; the report names the output by its file name.
pub fn transform_in_folder(
    studio: &Studio,
    input: &str,
    params: &TransformParams,
) -> Result<TransformReport, AppError> {
    let source = voice_file(studio, input)?;
    let name = free_name(
        &voice_dir(studio),
        &format!("{}.transformed", stem_of(&source)),
    );
    let mut report = transform_file(
        &source,
        &source.with_file_name(&name),
        params,
        SampleFormat::I24,
    )?;
    report.output = PathBuf::from(&name);
    remember(
        studio,
        VoiceResult {
            file: name,
            source: input.to_string(),
            kind: ResultKind::Transform,
            profile: None,
            params: Some(*params),
            seconds: report.seconds_out,
            created_ms: crate::project::now_ms(),
            path: PathBuf::new(),
        },
    )?;
    Ok(report)
}

/// `<base>.wav`, or `<base>-2.wav`, `<base>-3.wav`, … — the first name not taken in `dir`.
fn free_name(dir: &Path, base: &str) -> String {
    let mut name = format!("{base}.wav");
    let mut n = 2;
    while dir.join(&name).exists() {
        name = format!("{base}-{n}.wav");
        n += 1;
    }
    name
}

/// How a Voice result was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ResultKind {
    /// Pitch, formant, stretch and correction ([`transform_in_folder`]).
    Transform,
    /// Converted to a voice profile ([`convert_in_folder`]).
    Convert,
}

/// One result of the Voice screen, as its list shows it (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VoiceResult {
    /// The file in the voice folder.
    pub file: String,
    /// The recording it was made from (a file of the voice folder).
    pub source: String,
    /// How it was made.
    pub kind: ResultKind,
    /// The voice profile, for a conversion.
    #[serde(default)]
    pub profile: Option<String>,
    /// The controls, for a transform.
    #[serde(default)]
    pub params: Option<TransformParams>,
    /// Length in seconds.
    pub seconds: f64,
    /// When it was made, in milliseconds since 1970.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub created_ms: i64,
    /// The file's full path (filled in when listed; e.g. to hand it to Ghost Studio).
    #[serde(default, skip_deserializing)]
    pub path: PathBuf,
}

/// The list of results in the voice folder.
const RESULTS_FILE: &str = "results.json";

fn read_results(studio: &Studio) -> Vec<VoiceResult> {
    std::fs::read(voice_dir(studio).join(RESULTS_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Adds `result` to the list (written atomically).
fn remember(studio: &Studio, result: VoiceResult) -> Result<(), AppError> {
    let mut all = read_results(studio);
    all.retain(|r| r.file != result.file);
    all.push(result);
    let bytes = serde_json::to_vec_pretty(&all).map_err(|e| AppError::JobFailed {
        kind: "voice".into(),
        message: e.to_string(),
    })?;
    crate::project::write_atomic(&voice_dir(studio).join(RESULTS_FILE), &bytes)
}

/// Every result still in the voice folder, newest first.
pub fn results(studio: &Studio) -> Vec<VoiceResult> {
    let dir = voice_dir(studio);
    let mut all: Vec<VoiceResult> = read_results(studio)
        .into_iter()
        .filter(|r| dir.join(&r.file).is_file())
        .map(|mut r| {
            r.path = dir.join(&r.file);
            r
        })
        .collect();
    all.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(b.file.cmp(&a.file)));
    all
}

/// Copies the voice-folder file `file` into the folder `to` under its own name (`-2`, `-3`, …
/// when that name is taken there: nothing is overwritten); returns the copy's path.
pub fn export(studio: &Studio, file: &str, to: &Path) -> Result<PathBuf, AppError> {
    let src = voice_file(studio, file)?;
    if !src.is_file() {
        return Err(AppError::Invalid(son1k_core::ValidationError::new(
            "file",
            file,
            "is not in the voice folder (it may have been removed)",
        )));
    }
    if !to.is_dir() {
        return Err(AppError::Invalid(son1k_core::ValidationError::new(
            "folder",
            to.display(),
            "is not a folder; choose an existing folder to export into",
        )));
    }
    let base = file.strip_suffix(".wav").unwrap_or(file);
    let dest = to.join(free_name(to, base));
    std::fs::copy(&src, &dest).map_err(|source| AppError::Io {
        action: "could not copy to",
        path: dest.clone(),
        source,
    })?;
    Ok(dest)
}

/// Converts `input` (a file of the voice folder) to `profile`'s voice into
/// `<stem>.<profile>.wav` beside it (`-2`, `-3`, … when taken), as a library job, and adds it
/// to the screen's list of results; the report names the output by its file
/// name. Setting `cancel` stops it and leaves no file.
pub fn convert_in_folder(
    studio: &Studio,
    input: &str,
    profile: &str,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<ConvertReport, AppError> {
    let source = voice_file(studio, input)?;
    let name = free_name(
        &voice_dir(studio),
        &format!("{}.{profile}", stem_of(&source)),
    );
    let mut report = studio.convert_voice(
        &source,
        profile,
        &source.with_file_name(&name),
        progress,
        cancel,
    )?;
    report.output = PathBuf::from(&name);
    remember(
        studio,
        VoiceResult {
            file: name,
            source: input.to_string(),
            kind: ResultKind::Convert,
            profile: Some(profile.to_string()),
            params: None,
            seconds: report.seconds,
            created_ms: crate::project::now_ms(),
            path: PathBuf::new(),
        },
    )?;
    Ok(report)
}

/// Starts recording a take from the default input into the voice folder, with the crash-safe
/// recorder Ghost Studio uses (`take-<ms>.wav`; [`TakeRecorder::stop`] returns its path).
/// With no input device the error says so and no file is left.
pub fn record_take(
    studio: &Studio,
    on_level: impl FnMut(InputLevel) + Send + 'static,
) -> Result<TakeRecorder, AppError> {
    TakeRecorder::start_in(&voice_dir(studio), on_level)
}

/// Reads the manifests placed beside the model folders (`DATA/models/NAME.json`): each replaces
/// the built-in manifest of its name, or adds a model (a mirror, one's own checkpoint).
fn local_manifests(dir: &Path) -> Result<Vec<(PathBuf, Manifest)>, AppError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(AppError::Io {
                action: "could not read",
                path: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") || !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|source| AppError::Io {
            action: "could not read",
            path: path.clone(),
            source,
        })?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| MlError::BadFile {
            path: path.clone(),
            detail: format!("not a model manifest ({e}); fix or remove it"),
        })?;
        out.push((path, manifest));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

impl Studio {
    /// The model manager, installing under `DATA/models`: the built-in manifests, each replaced
    /// by a manifest of the same name placed in that folder (`DATA/models/NAME.json`), plus any
    /// other manifest found there. A damaged manifest there is an error naming the file.
    pub(crate) fn models(&self) -> Result<ModelManager, AppError> {
        let dir = self.paths().models_dir();
        let mut manifests: Vec<Manifest> = ModelManager::new(&dir)
            .list()
            .into_iter()
            .map(|m| m.manifest)
            .collect();
        for (_, local) in local_manifests(&dir)? {
            match manifests.iter_mut().find(|m| m.name == local.name) {
                Some(m) => *m = local,
                None => manifests.push(local),
            }
        }
        Ok(ModelManager::with_manifests(dir, manifests))
    }

    /// Voice profiles, under `DATA/voices`.
    pub(crate) fn voice_profiles(&self) -> ProfileStore {
        ProfileStore::new(self.paths().profiles_dir())
    }

    /// Every model the studio knows (the built-in manifests and those placed in `DATA/models`),
    /// with its install state.
    pub fn list_models(&self) -> Result<Vec<ModelState>, AppError> {
        Ok(self.models()?.list())
    }

    /// One model's manifest and install state; an unknown name lists the known ones.
    pub fn model_status(&self, name: &str) -> Result<ModelState, AppError> {
        let models = self.models()?;
        // Named first, so that an unknown name fails with the list of known ones.
        models.manifest(name)?;
        models
            .list()
            .into_iter()
            .find(|m| m.manifest.name == name)
            .ok_or_else(|| {
                MlError::UnknownModel {
                    name: name.into(),
                    known: String::new(),
                }
                .into()
            })
    }

    /// Downloads a model's files into `DATA/models/NAME`, checking each against its manifest;
    /// `progress(bytes done, bytes in all when known)`.
    pub fn install_model(
        &self,
        name: &str,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<(), AppError> {
        Ok(self.models()?.install(name, progress)?)
    }

    /// Copies local files into a model's folder (offline installs); returns the files imported.
    pub fn import_model(&self, name: &str, files: &[PathBuf]) -> Result<Vec<String>, AppError> {
        Ok(self.models()?.import(name, files)?)
    }

    /// Hashes an installed model's files against its manifest.
    pub fn verify_model(&self, name: &str) -> Result<Vec<Verified>, AppError> {
        Ok(self.models()?.verify(name)?)
    }

    /// Removes an installed model's folder; false when it was not installed.
    pub fn remove_model(&self, name: &str) -> Result<bool, AppError> {
        Ok(self.models()?.remove(name)?)
    }

    /// The saved voice profiles.
    pub fn list_voice_profiles(&self) -> Result<Vec<VoiceProfile>, AppError> {
        Ok(self.voice_profiles().list()?)
    }

    /// Deletes a voice profile.
    pub fn delete_voice_profile(&self, name: &str) -> Result<(), AppError> {
        Ok(self.voice_profiles().delete(name)?)
    }

    fn load_vc(&self) -> Result<KnnVc, AppError> {
        let models = self.models()?;
        let enc = models.installed(ENCODER)?;
        let voc = models.installed(VOCODER)?;
        let layer = enc.manifest.r#use["layer"].as_u64().unwrap_or(6) as usize;
        Ok(KnnVc::load_cpu(
            &enc.config,
            &enc.weights,
            layer,
            &voc.config,
            &voc.weights,
        )?)
    }

    /// Builds a profile from a consenting speaker's recordings. Refuses without `consent`, an
    /// unusable or taken name, or no files, before loading any model.
    pub fn create_voice_profile(
        &self,
        name: &str,
        files: &[PathBuf],
        consent: bool,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<VoiceProfile, AppError> {
        let store = self.voice_profiles();
        if !consent {
            return Err(MlError::Consent(format!(
                "making a voice profile needs the speaker's consent: add --i-have-the-right to confirm \"{CONSENT_STATEMENT}\""
            ))
            .into());
        }
        if !son1k_ml::profile::valid_name(name) {
            return Err(MlError::Input(format!(
                "\"{name}\" is not a usable profile name: use 1–64 letters, digits, '-' or '_'"
            ))
            .into());
        }
        if store.dir().join(name).exists() {
            return Err(MlError::ProfileExists(name.into()).into());
        }
        if files.is_empty() {
            return Err(MlError::Input("name at least one recording of the speaker".into()).into());
        }
        let mut clips = Vec::new();
        for f in files {
            clips.push(to_16k_mono(&son1k_audio::decode_file(f)?)?);
        }
        let vc = self.load_vc()?;
        let sources = files
            .iter()
            .map(|f| {
                f.file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default()
            })
            .collect();
        Ok(vc.create_profile(&store, name, &clips, sources, ENCODER, consent, progress)?)
    }

    /// Converts a recording to a profile's voice (16 kHz mono, 24-bit) as a library job:
    /// persisted before it runs, listed and cancellable with `son1k jobs` and on the Dashboard,
    /// resumed by `son1k jobs run` after a crash. `progress` gets the overall fraction done and the
    /// stage (`loading`, `encode`, `match`, `vocode`, `writing`); setting `cancel` stops it between
    /// chunks and no output file is written. An unknown profile, an unusable output name, a missing
    /// input or missing models fail before anything is queued.
    pub fn convert_voice(
        &self,
        input: &Path,
        profile: &str,
        output: &Path,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<ConvertReport, AppError> {
        Container::from_path(output)?;
        let store = self.voice_profiles();
        if !store.list()?.iter().any(|p| p.name == profile) {
            return Err(MlError::UnknownProfile {
                name: profile.into(),
            }
            .into());
        }
        if !input.is_file() {
            return Err(AppError::Io {
                action: "could not open",
                path: input.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let models = self.models()?;
        models.installed(ENCODER)?;
        models.installed(VOCODER)?;
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let job = ConvertJob {
            file: abs(input),
            profile: profile.into(),
            output: abs(output),
        };
        jobs::run_one(
            self,
            CONVERT_JOB,
            &job,
            convert_work(self),
            progress,
            cancel,
            || MlError::Cancelled.into(),
        )
    }
}

/// The work of a `voice-convert` job: converts the recording in its payload and writes the
/// result atomically (a cancelled or failed job leaves no output file).
pub fn convert_work(studio: &Studio) -> jobs::Work {
    let studio = studio.clone();
    Arc::new(move |job, ctx| convert_job(&studio, &job.payload, &job.id, ctx))
}

fn convert_job(
    studio: &Studio,
    payload: &serde_json::Value,
    job_id: &str,
    ctx: &JobContext,
) -> Result<serde_json::Value, JobFailure> {
    let fatal = |e: AppError| JobFailure::Fatal(e.to_string());
    let job: ConvertJob = serde_json::from_value(payload.clone())
        .map_err(|e| JobFailure::Fatal(format!("the job's request could not be read: {e}")))?;
    if ctx.is_cancelled() {
        return Err(JobFailure::Cancelled);
    }
    ctx.progress_stage(0.0, Some("loading"));
    let decoded = son1k_audio::decode_file(&job.file)
        .map_err(AppError::from)
        .map_err(fatal)?;
    let audio = to_16k_mono(&decoded).map_err(fatal)?;
    let vc = studio.load_vc().map_err(fatal)?;
    let store = studio.voice_profiles();
    let start = Instant::now();
    // Loading takes the first 5 %, writing the last few.
    let mut progress = |p: Progress| {
        let p = p.within(0.05, 0.95);
        ctx.progress_stage(f64::from(p.fraction), Some(&p.stage));
    };
    let samples = vc
        .convert_to_profile_until(
            &store,
            &job.profile,
            ENCODER,
            &audio,
            &mut progress,
            ctx.cancel_flag(),
        )
        .map_err(|e| match e {
            MlError::Cancelled => JobFailure::Cancelled,
            e => JobFailure::Fatal(e.to_string()),
        })?;
    let took = start.elapsed().as_secs_f64();
    if ctx.is_cancelled() {
        return Err(JobFailure::Cancelled);
    }
    ctx.progress_stage(0.97, Some("writing"));
    let seconds = audio.len() as f64 / f64::from(son1k_ml::SAMPLE_RATE);
    let buf = AudioBuffer::new(son1k_ml::SAMPLE_RATE, vec![samples])
        .map_err(AppError::from)
        .map_err(fatal)?;
    // Written to a temporary file and renamed into place.
    son1k_audio::write_file(&job.output, &buf, SampleFormat::I24)
        .map_err(AppError::from)
        .map_err(fatal)?;
    if ctx.is_cancelled() {
        let _ = std::fs::remove_file(&job.output);
        return Err(JobFailure::Cancelled);
    }
    let report = ConvertReport {
        job_id: job_id.to_string(),
        output: job.output,
        profile: job.profile,
        seconds,
        model_seconds: took,
        rtf: took / seconds.max(1e-9),
    };
    serde_json::to_value(&report).map_err(|e| JobFailure::Fatal(e.to_string()))
}

/// Mixes to mono and resamples to the models' 16 kHz.
fn to_16k_mono(audio: &AudioBuffer) -> Result<Vec<f32>, AppError> {
    let mono = audio.with_channels(1)?;
    let at16 = if mono.sample_rate == son1k_ml::SAMPLE_RATE {
        mono
    } else {
        son1k_audio::resample(&mono, son1k_ml::SAMPLE_RATE)?
    };
    Ok(at16.channels.into_iter().next().unwrap_or_default())
}
