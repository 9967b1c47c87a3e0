//! Son1k Studio's embedded song engine.
//!
//! [`ProceduralEngine`] turns a [`GenerationRequest`] into a finished song on any laptop, with no
//! network, no GPU and no model files: it reads the prompt ([`brief`]), composes a form, harmony,
//! drums, bass, keys, pads, a lead and — with lyrics — a sung melody ([`compose`]), renders every
//! part with built-in instruments ([`synth`]) or a General MIDI SoundFont ([`soundfont`]), mixes and
//! masters with the son1k-audio effects shaped by the four knobs ([`mix`]) and exports
//! `mix.wav`, `stems/*.wav`, `song.mid` and `song.json` ([`write_song`]).
//!
//! The same request and seed give bit-identical audio: randomness comes from seeded ChaCha
//! streams and the render path uses only IEEE arithmetic and the pure-Rust `libm`.
#![deny(missing_docs)]

pub mod brief;
pub mod compose;
pub mod dsp;
pub mod form;
pub mod lyrics;
pub mod midi;
pub mod mix;
pub mod overrides;
pub mod rng;
pub mod score;
pub mod soundfont;
pub mod style;
pub mod synth;
pub mod theory;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use son1k_audio::{AudioBuffer, AudioError, SampleFormat};
use son1k_core::{GenerationRequest, Lang, Quality, ValidationError};

pub use brief::{Brief, Source};
pub use score::Score;
pub use style::Style;

/// Version of the procedural engine; written into every `song.json`.
pub const ENGINE_VERSION: &str = concat!("procedural-", env!("CARGO_PKG_VERSION"));

/// Why a song could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The request breaks a rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// Rendering or writing audio failed.
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// A SoundFont could not be used.
    #[error("SoundFont {path}: {detail}")]
    SoundFont {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The output folder could not be written.
    #[error("{path}: {detail}")]
    Output {
        /// The folder or file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The caller cancelled.
    #[error("generation cancelled")]
    Cancelled,
}

/// Progress of one generation (stages `composing`, `rendering <part>`, `mixing`, `mastering`,
/// `done`): the studio's one progress type.
pub use son1k_core::Progress;

/// A rendered stem.
#[derive(Debug, Clone)]
pub struct Stem {
    /// Name, also the file name (`drums` → `stems/drums.wav`).
    pub name: String,
    /// The audio.
    pub audio: AudioBuffer,
}

/// A section with times in seconds, for `song.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionInfo {
    /// Kind (`intro`, `verse`, …).
    pub kind: form::SectionKind,
    /// Letter per distinct kind.
    pub label: String,
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// First bar (0-based).
    pub bar: u32,
    /// Bars.
    pub bars: u32,
}

/// A chord with times in seconds, for `song.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChordInfo {
    /// Symbol (`F#m7`).
    pub symbol: String,
    /// Start in seconds.
    pub start: f64,
    /// Length in seconds.
    pub seconds: f64,
}

/// What `song.json` says about a song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SongMeta {
    /// Engine id.
    pub engine: String,
    /// Engine version.
    pub engine_version: String,
    /// The request as given (with its seed).
    pub request: GenerationRequest,
    /// The seed.
    pub seed: u64,
    /// The resolved brief, with where each value came from.
    pub brief: Brief,
    /// Resolved genre id (`house`, or the style family when no genre was named).
    pub genre: String,
    /// Tempo.
    pub bpm: u32,
    /// Key, written like `F# minor`.
    pub key: String,
    /// Length in seconds.
    pub seconds: f64,
    /// Sample rate of the files.
    pub sample_rate: u32,
    /// Bits per sample of the files.
    pub bits_per_sample: u16,
    /// Sections.
    pub sections: Vec<SectionInfo>,
    /// Chords.
    pub chords: Vec<ChordInfo>,
    /// Stem names and the instrument each plays.
    pub stems: Vec<(String, style::Sound)>,
    /// Sung syllables with times (empty for instrumentals).
    pub syllables: Vec<score::SungSyllable>,
    /// Instruments: `built-in` or the SoundFont's file name.
    pub instruments: String,
    /// Integrated loudness of the mix (LUFS, deterministic meter).
    pub loudness_lufs: Option<f64>,
    /// Instruments the prompt asked for that the song does not play, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unplayed: Vec<(String, String)>,
    /// Every override or fallback: where the song differs from what was asked, and why.
    #[serde(default)]
    pub overrides: Vec<overrides::Override>,
}

/// A finished song in memory.
#[derive(Debug, Clone)]
pub struct Song {
    /// Metadata.
    pub meta: SongMeta,
    /// The master.
    pub mix: AudioBuffer,
    /// The stems (pre-master).
    pub stems: Vec<Stem>,
    /// The notes.
    pub score: Score,
}

/// A song engine: the procedural one here, neural ones (Candle) later, all behind this trait.
pub trait SongEngine: Send + Sync {
    /// Short id (`procedural`).
    fn id(&self) -> &'static str;

    /// Makes a song. `progress` is called as work advances; setting `cancel` stops the engine at
    /// its next check with [`ComposeError::Cancelled`].
    fn generate(
        &self,
        request: &GenerationRequest,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<Song, ComposeError>;
}

/// Which instruments the procedural engine plays through.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Instruments {
    /// The built-in synthesizers (default; no files needed).
    #[default]
    BuiltIn,
    /// A General MIDI SoundFont for every part but the singer.
    SoundFont(PathBuf),
    /// A General MIDI SoundFont where its samples beat the built-in synthesizers — acoustic
    /// instruments, and the drum kit of styles played on an acoustic kit — and the built-in
    /// synthesizers for the rest: electronic basses, leads and pads, 808s and drum machines,
    /// the amp-modelled guitars and the singer ([`soundfont::sampled`] decides).
    Blend(PathBuf),
}

/// The default engine: procedural composition and synthesis.
#[derive(Debug, Clone, Default)]
pub struct ProceduralEngine {
    /// Instruments to render with.
    pub instruments: Instruments,
}

fn check_cancel(cancel: &AtomicBool) -> Result<(), ComposeError> {
    if cancel.load(Ordering::Relaxed) {
        Err(ComposeError::Cancelled)
    } else {
        Ok(())
    }
}

impl SongEngine for ProceduralEngine {
    fn id(&self) -> &'static str {
        "procedural"
    }

    fn generate(
        &self,
        req: &GenerationRequest,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<Song, ComposeError> {
        req.validate()?;
        let mut report = |stage: std::borrow::Cow<'static, str>, fraction: f32| {
            progress(Progress::new(fraction, stage))
        };
        report("composing".into(), 0.0);
        let bank = match &self.instruments {
            Instruments::BuiltIn => None,
            Instruments::SoundFont(path) | Instruments::Blend(path) => {
                Some(soundfont::Bank::load(path)?)
            }
        };
        let blend = matches!(self.instruments, Instruments::Blend(_));
        let brief = brief::resolve(req);
        compose::check_lyric_fits(&brief, req)?;
        let score = compose::compose(&brief, req);
        check_cancel(cancel)?;
        let sr = req.quality.sample_rate();
        let frames = (score.seconds * sr as f64).round() as usize;
        let tone = synth::Tone {
            bright: brief.mood as f32 / 100.0,
            drive: (req.knobs.trash.fraction() * 0.7 + (brief.mood as f32 / 100.0 - 0.6).max(0.0))
                .min(1.0),
        };
        let groove = brief.style.params().groove;
        let mut stems = Vec::new();
        let mut sampled_parts = Vec::new();
        let mut bus: synth::Stereo = [vec![0.0; frames], vec![0.0; frames]];
        let mut send: synth::Stereo = [vec![0.0; frames], vec![0.0; frames]];
        let n_parts = score.parts.len().max(1) as f32;
        for (i, part) in score.parts.iter().enumerate() {
            report(
                format!("rendering {}", part.name).into(),
                0.05 + 0.75 * i as f32 / n_parts,
            );
            let seed = rng::Rng::stream(req.seed, &format!("render-{}", part.name)).next_u64();
            // The built-in singer sings the words; a SoundFont has only "aahs".
            let sampled = part.sound != style::Sound::Voice
                && (!blend || soundfont::sampled(part.sound, part.role, groove));
            let mut st = match &bank {
                Some(b) if sampled => {
                    sampled_parts.push(part.name.clone());
                    b.render_part(part, &score, sr, frames)?
                }
                _ => synth::render_part(part, &score, sr, frames, tone, seed),
            };
            check_cancel(cancel)?;
            mix::process_stem(&mut st, part.role, &req.knobs, sr)?;
            mix::section_dynamics(&mut st, &score, sr);
            let s = mix::reverb_send(part.role);
            for c in 0..2 {
                for ((b, r), x) in bus[c].iter_mut().zip(send[c].iter_mut()).zip(&st[c]) {
                    *b += *x;
                    *r += *x * s;
                }
            }
            stems.push((part.name.clone(), part.sound, st));
        }
        report("mixing".into(), 0.82);
        mix::reverb_return(&mut send, brief.mood, sr)?;
        let ret = 0.5;
        for c in 0..2 {
            for (b, r) in bus[c].iter_mut().zip(&send[c]) {
                *b += *r * ret;
            }
        }
        drop(send);
        check_cancel(cancel)?;
        report("mastering".into(), 0.9);
        mix::master(&mut bus, &req.knobs, brief.mood, sr, req.seed)?;
        let loudness_lufs = mix::loudness_lufs(&bus, sr)?;
        check_cancel(cancel)?;
        let spb = score.beat_seconds();
        let unplayed = compose::unplayed(&brief, &score);
        let meta = SongMeta {
            engine: self.id().to_string(),
            engine_version: ENGINE_VERSION.to_string(),
            request: req.clone(),
            seed: req.seed,
            genre: brief
                .genre
                .map(|g| g.id().to_string())
                .unwrap_or_else(|| brief.style.id().to_string()),
            bpm: score.bpm,
            key: score.key.name(Lang::En),
            seconds: score.seconds,
            sample_rate: sr,
            bits_per_sample: req.quality.bits_per_sample(),
            sections: score
                .sections
                .iter()
                .map(|s| SectionInfo {
                    kind: s.kind,
                    label: s.label.clone(),
                    start: s.start * spb,
                    end: (s.start + s.beats) * spb,
                    bar: (s.start / 4.0) as u32,
                    bars: (s.beats / 4.0) as u32,
                })
                .collect(),
            chords: score
                .chords
                .iter()
                .map(|c| ChordInfo {
                    symbol: c.symbol.clone(),
                    start: c.start * spb,
                    seconds: c.beats * spb,
                })
                .collect(),
            stems: stems.iter().map(|s| (s.0.clone(), s.1)).collect(),
            syllables: score.syllables.clone(),
            instruments: match &bank {
                Some(b) => {
                    let font = b
                        .path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let built_in: Vec<&str> = stems
                        .iter()
                        .map(|s| s.0.as_str())
                        .filter(|n| !sampled_parts.iter().any(|p| p == n))
                        .collect();
                    match (sampled_parts.is_empty(), built_in.is_empty()) {
                        (true, _) => "built-in".into(),
                        (false, true) => font,
                        (false, false) => format!(
                            "{font}: {}; built-in: {}",
                            sampled_parts.join(", "),
                            built_in.join(", ")
                        ),
                    }
                }
                None => "built-in".into(),
            },
            loudness_lufs,
            overrides: overrides::find(req, &brief, &score, &unplayed),
            unplayed,
            brief,
        };
        let mix = mix::to_buffer(bus, sr)?;
        let stems = stems
            .into_iter()
            .map(|(name, _, st)| {
                Ok(Stem {
                    name,
                    audio: mix::to_buffer(st, sr)?,
                })
            })
            .collect::<Result<Vec<_>, ComposeError>>()?;
        report("done".into(), 1.0);
        Ok(Song {
            meta,
            mix,
            stems,
            score,
        })
    }
}

/// The sample format a quality exports.
pub fn sample_format(q: Quality) -> SampleFormat {
    match q {
        Quality::Standard => SampleFormat::I16,
        Quality::High => SampleFormat::I24,
        Quality::Ultra => SampleFormat::F32,
    }
}

fn out_err(path: &Path, detail: impl std::fmt::Display) -> ComposeError {
    ComposeError::Output {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    }
}

/// Writes `mix.wav`, `stems/<name>.wav`, `song.mid` and `song.json` into `dir`.
///
/// Everything is written into a hidden sibling folder first and renamed into place at the end, so
/// a failure (full disk, cancelled job) leaves no partial song behind. `dir` must not exist or be
/// an empty folder.
pub fn write_song(song: &Song, dir: &Path) -> Result<(), ComposeError> {
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map_err(|e| out_err(dir, e))?
            .next()
            .is_none();
        if !empty {
            return Err(out_err(
                dir,
                "the output folder already exists and is not empty (choose another with -o)",
            ));
        }
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| out_err(&parent, e))?;
    // Half-written song folders (`.NAME.partial-PID-N`) of processes that died: on Linux those
    // whose process is gone, elsewhere those untouched for an hour.
    son1k_fs::remove_abandoned(dir);
    // Removed on any failure below, renamed into place whole at the end (son1k-fs).
    let atomic = son1k_fs::AtomicDir::create(dir).map_err(|e| out_err(&e.path, e.source))?;
    let tmp = atomic.path();
    fs::create_dir_all(tmp.join("stems")).map_err(|e| out_err(tmp, e))?;
    let fmt = sample_format(song.meta.request.quality);
    son1k_audio::write_file(&tmp.join("mix.wav"), &song.mix, fmt)?;
    for s in &song.stems {
        son1k_audio::write_file(
            &tmp.join("stems").join(format!("{}.wav", s.name)),
            &s.audio,
            fmt,
        )?;
    }
    let smf = midi::to_smf(&song.score).map_err(|e| out_err(&tmp.join("song.mid"), e))?;
    fs::write(tmp.join("song.mid"), smf).map_err(|e| out_err(&tmp.join("song.mid"), e))?;
    let json = serde_json::to_vec_pretty(&song.meta).map_err(|e| out_err(tmp, e))?;
    fs::write(tmp.join("song.json"), json).map_err(|e| out_err(&tmp.join("song.json"), e))?;
    // Replaces `dir` if it is an empty folder.
    atomic.commit().map_err(|e| out_err(dir, e.source))
}
