//! Produce from demo: analyse the demo, generate a backing in its tempo and key, stretch it to the
//! demo's exact tempo, align it to the demo's first downbeat and lay it on new tracks.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use son1k_audio::mixdown::{Clip, Session, Track};
use son1k_audio::{AudioBuffer, SampleFormat};
use son1k_compose::{Instruments, ProceduralEngine, SongEngine};
use son1k_core::Progress;
use son1k_core::{GenerationRequest, Key, Knobs, Quality};

use crate::GhostError;

/// What to produce.
#[derive(Debug, Clone)]
pub struct ProduceOptions {
    /// The demo (any supported audio format).
    pub demo: PathBuf,
    /// Extra words for the Generator (genre, instruments, mood).
    pub prompt: String,
    /// The knobs: Rareza sets how far the backing departs from the demo; the chain goes on the
    /// master.
    pub knobs: Knobs,
    /// Seed.
    pub seed: u64,
    /// Export quality of the backing stems.
    pub quality: Quality,
    /// Instruments for the backing.
    pub instruments: Instruments,
}

/// What the demo measured as.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoReading {
    /// Tempo (BPM, fractional).
    pub bpm: f64,
    /// Key, like `A minor`.
    pub key: String,
    /// Length in seconds.
    pub seconds: f64,
    /// Where the first downbeat falls (seconds).
    pub first_downbeat: f64,
    /// Integrated loudness.
    pub lufs: Option<f64>,
}

/// A produced session.
#[derive(Debug, Clone)]
pub struct Production {
    /// The demo as analysed.
    pub demo: DemoReading,
    /// The session: the demo track plus the backing tracks, the knob chain on the master.
    pub session: Session,
    /// The backing's stems as written (`name`, file).
    pub stems: Vec<(String, PathBuf)>,
    /// The backing's MIDI file.
    pub midi: PathBuf,
    /// The request that made the backing.
    pub request: GenerationRequest,
}

/// Stems that make a backing: the demo carries the melody, so the lead only joins when Rareza
/// asks for a radical departure.
fn backing_stems(rareza: u8) -> &'static [&'static str] {
    if rareza >= 70 {
        &["drums", "bass", "keys", "pad", "lead"]
    } else {
        &["drums", "bass", "keys", "pad"]
    }
}

/// Analyses the demo, generates and aligns the backing, writes its stems into `dir/backing/`
/// and returns the session (not yet saved), reporting its progress.
pub fn produce(
    opts: &ProduceOptions,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Production, GhostError> {
    progress(Progress::new(0.0, "analysing the demo"));
    let audio = son1k_audio::decode_file(&opts.demo)?;
    let a = son1k_analysis::analyze(&audio, &opts.demo)?;
    let key: Key = a
        .key
        .parse()
        .map_err(|e: son1k_core::ValidationError| GhostError::Edit(e.to_string()))?;
    let first_downbeat = a
        .downbeats
        .first()
        .or(a.beats.first())
        .copied()
        .unwrap_or(0.0);
    let demo = DemoReading {
        bpm: a.bpm,
        key: a.key.clone(),
        seconds: a.seconds,
        first_downbeat,
        lufs: a.lufs,
    };
    let bpm = a.bpm.round().clamp(40.0, 240.0) as u32;
    let mut req = GenerationRequest::new(if opts.prompt.trim().is_empty() {
        "backing track".to_string()
    } else {
        opts.prompt.clone()
    });
    req.bpm = Some(bpm);
    req.key = Some(key);
    req.duration_secs = Some(((a.seconds - first_downbeat) as f32).clamp(5.0, 600.0));
    req.knobs = opts.knobs;
    req.seed = opts.seed;
    req.quality = opts.quality;
    req.instrumental = true;
    req.validate()?;
    let engine = ProceduralEngine {
        instruments: opts.instruments.clone(),
    };
    let song = engine.generate(&req, &mut |p| progress(p.within(0.1, 0.8)), cancel)?;
    progress(Progress::new(0.85, "aligning the backing"));
    // The backing was written at a whole BPM; stretch it to the demo's exact tempo so it stays
    // on the beat for the whole song (a pitch change under 10 cents).
    let sr = song.mix.sample_rate;
    let ratio = a.bpm / bpm as f64;
    let backing_dir = dir.join("backing");
    std::fs::create_dir_all(&backing_dir)
        .map_err(|e| son1k_audio::AudioError::io(&backing_dir, "could not create", e))?;
    let format = son1k_compose::sample_format(opts.quality);
    let mut stems = Vec::new();
    let demo_file = std::path::absolute(&opts.demo).unwrap_or(opts.demo.clone());
    let mut tracks = vec![Track::new("demo", vec![Clip::whole(demo_file, 0.0)])];
    for stem in &song.stems {
        if !backing_stems(opts.knobs.rareza.get()).contains(&stem.name.as_str()) {
            continue;
        }
        let stretched = stretch(&stem.audio, ratio, sr)?;
        let file = backing_dir.join(format!("{}.wav", stem.name));
        son1k_audio::write_file(&file, &stretched, format)?;
        stems.push((stem.name.clone(), file.clone()));
        let mut track = Track::new(
            stem.name.clone(),
            vec![Clip {
                fade_out: 0.5,
                ..Clip::whole(file, first_downbeat)
            }],
        );
        track.gain_db = -4.0;
        tracks.push(track);
    }
    let midi = backing_dir.join("backing.mid");
    let smf = son1k_compose::midi::to_smf(&song.score)
        .map_err(|e| son1k_audio::AudioError::io(&midi, "could not encode", e))?;
    std::fs::write(&midi, smf)
        .map_err(|e| son1k_audio::AudioError::io(&midi, "could not write", e))?;
    let session = Session {
        sample_rate: sr,
        tracks,
        master: crate::knobs::chain(&opts.knobs, opts.seed),
        returns: Vec::new(),
    };
    session.validate()?;
    progress(Progress::new(1.0, "done"));
    Ok(Production {
        demo,
        session,
        stems,
        midi,
        request: req,
    })
}

/// Time-stretches by resampling: plays `ratio` times faster (pitch moves by the same ratio).
fn stretch(audio: &AudioBuffer, ratio: f64, sr: u32) -> Result<AudioBuffer, GhostError> {
    if (ratio - 1.0).abs() < 1e-4 {
        return Ok(audio.clone());
    }
    let mut relabelled = audio.clone();
    relabelled.sample_rate = (sr as f64 * ratio).round().max(1.0) as u32;
    Ok(son1k_audio::resample(&relabelled, sr)?)
}

/// Writes a rendered session mix.
pub fn render_to(
    session: &Session,
    base: &Path,
    out: &Path,
    format: SampleFormat,
) -> Result<AudioBuffer, GhostError> {
    let mix = son1k_audio::mixdown::render(session, base)?;
    son1k_audio::write_file(out, &mix, format)?;
    Ok(mix)
}
