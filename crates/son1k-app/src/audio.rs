//! Audio files: convert between formats, rates and channel layouts; measure loudness.

use std::path::{Path, PathBuf};

use serde::Serialize;
use son1k_audio::write::Container;
use son1k_audio::{
    decode_file_with_info, loudness, resample, write_file, AudioBuffer, Loudness, SampleFormat,
};

use crate::AppError;

/// What `convert` should change; `None` keeps the source's value.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ConvertOptions {
    /// Target sample rate in Hz.
    pub rate: Option<u32>,
    /// Target sample format. Default: 16-bit for sources of 16 bits or fewer, 24-bit otherwise.
    pub format: Option<SampleFormat>,
    /// Target channel count.
    pub channels: Option<usize>,
    /// Normalise to this integrated loudness (LUFS), keeping true peaks under −1 dBTP.
    pub normalize_lufs: Option<f64>,
}

/// What `convert` wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConvertReport {
    /// The file written.
    pub output: PathBuf,
    /// Its sample rate.
    pub sample_rate: u32,
    /// Its channel count.
    pub channels: u32,
    /// Its bits per sample.
    pub bits_per_sample: u32,
    /// Its length in seconds.
    pub seconds: f64,
    /// Gain applied by loudness normalisation, in dB (when asked).
    pub normalize_gain_db: Option<f64>,
    /// Whether the true-peak ceiling stopped normalisation short of its target.
    pub normalize_limited_by_peak: bool,
}

/// A file's loudness report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LoudnessReport {
    /// The file measured.
    pub file: PathBuf,
    /// Length in seconds.
    pub seconds: f64,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u32,
    /// The EBU R128 measurement.
    #[serde(flatten)]
    pub loudness: Loudness,
}

/// Decodes `input`, remixes channels, resamples, and writes `output` (format from its extension).
pub fn convert(
    input: &Path,
    output: &Path,
    opts: ConvertOptions,
) -> Result<ConvertReport, AppError> {
    let (mut audio, info) = decode_file_with_info(input)?;
    if let Some(ch) = opts.channels {
        audio = audio.with_channels(ch)?;
    }
    if let Some(rate) = opts.rate {
        audio = resample(&audio, rate)?;
    }
    let mut normalized = None;
    if let Some(target) = opts.normalize_lufs {
        normalized = Some(loudness::normalize(
            &mut audio,
            target,
            loudness::DEFAULT_CEILING_DBTP,
        )?);
    }
    let format = opts.format.unwrap_or(match info.bits_per_sample {
        Some(b) if b <= 16 => SampleFormat::I16,
        _ => SampleFormat::I24,
    });
    write_file(output, &audio, format)?;
    Ok(ConvertReport {
        output: output.to_path_buf(),
        sample_rate: audio.sample_rate,
        channels: audio.channel_count() as u32,
        bits_per_sample: u32::from(format.bits()),
        seconds: audio.duration_secs(),
        normalize_gain_db: normalized.map(|n| n.gain_db),
        normalize_limited_by_peak: normalized.is_some_and(|n| n.limited_by_peak),
    })
}

/// What `mix` wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MixReport {
    /// The file written.
    pub output: PathBuf,
    /// Length in seconds.
    pub seconds: f64,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Loudness of the mix.
    #[serde(flatten)]
    pub loudness: Loudness,
}

/// Renders a session file to `output` (format from its extension).
pub fn mix(
    session: &Path,
    output: &Path,
    format: SampleFormat,
    progress: &mut dyn FnMut(son1k_core::Progress),
) -> Result<MixReport, AppError> {
    let audio = son1k_audio::mixdown::mix_file_with_progress(session, output, format, progress)?;
    Ok(MixReport {
        output: output.to_path_buf(),
        seconds: audio.duration_secs(),
        sample_rate: audio.sample_rate,
        loudness: loudness::measure(&audio)?,
    })
}

/// A file playing on the default output device; dropping it stops the sound.
pub struct PlaybackHandle(son1k_audio::engine::Playback);

impl PlaybackHandle {
    /// The device's name.
    pub fn device(&self) -> &str {
        &self.0.device
    }

    /// The stream's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.0.sample_rate
    }

    /// Whether the whole file has played.
    pub fn finished(&self) -> bool {
        self.0.handle.meters().finished()
    }

    /// Seconds played so far.
    pub fn seconds(&self) -> f64 {
        self.0.handle.meters().position() as f64 / f64::from(self.0.sample_rate.max(1))
    }

    /// Moves the playhead to `seconds` (from the file's start).
    pub fn seek(&mut self, seconds: f64) -> Result<(), AppError> {
        let frame = (seconds.max(0.0) * f64::from(self.0.sample_rate)) as usize;
        Ok(self
            .0
            .handle
            .send(son1k_audio::engine::Command::Seek(frame))?)
    }

    /// Device callbacks that missed their deadline (heard as clicks).
    pub fn deadline_misses(&self) -> u64 {
        self.0.handle.meters().deadline_misses()
    }
}

/// A take being recorded from the default input device into a WAV file (a crash loses at most
/// about a second of it).
pub struct RecordingHandle(son1k_audio::record::Recording);

impl RecordingHandle {
    /// The device recorded from.
    pub fn device(&self) -> &str {
        &self.0.device
    }

    /// The take's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.0.format.sample_rate
    }

    /// The take's channel count.
    pub fn channels(&self) -> u16 {
        self.0.format.channels
    }

    /// Seconds captured so far.
    pub fn seconds(&self) -> f64 {
        self.0.seconds()
    }

    /// Samples dropped because the writer fell behind.
    pub fn overflows(&self) -> u64 {
        self.0.overflows()
    }

    /// Stops recording, finishes the file and returns its path.
    pub fn stop(self) -> Result<PathBuf, AppError> {
        Ok(self.0.stop()?)
    }
}

pub use son1k_audio::record::RecoveredTake;

/// Starts playing `path` on the default output device (resampled to the device's rate).
pub fn play_file(path: &Path, buffer: Option<u32>) -> Result<PlaybackHandle, AppError> {
    let (_, config) = son1k_audio::engine::default_output()?;
    let session = son1k_audio::mixdown::Session {
        sample_rate: config.sample_rate().0,
        tracks: vec![son1k_audio::mixdown::Track::new(
            "file",
            vec![son1k_audio::mixdown::Clip::whole(path, 0.0)],
        )],
        master: vec![],
        returns: Vec::new(),
    };
    let renderer = son1k_audio::mixdown::Renderer::new(&session, Path::new("."))?;
    Ok(PlaybackHandle(son1k_audio::engine::play(renderer, buffer)?))
}

/// Repairs takes interrupted by a crash in `output`'s folder, then starts recording into `output`.
pub fn record(output: &Path) -> Result<(Vec<RecoveredTake>, RecordingHandle), AppError> {
    if Container::from_path(output)? != Container::Wav {
        return Err(AppError::Audio(son1k_audio::AudioError::Invalid(format!(
            "{}: recordings are written as .wav (convert afterwards for FLAC)",
            output.display()
        ))));
    }
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let recovered = son1k_audio::record::recover_takes(&dir)?;
    Ok((
        recovered,
        RecordingHandle(son1k_audio::record::record(output)?),
    ))
}

/// Measures `path`'s loudness.
pub fn measure(path: &Path) -> Result<LoudnessReport, AppError> {
    let (audio, _) = decode_file_with_info(path)?;
    report(path, &audio)
}

fn report(path: &Path, audio: &AudioBuffer) -> Result<LoudnessReport, AppError> {
    Ok(LoudnessReport {
        file: path.to_path_buf(),
        seconds: audio.duration_secs(),
        sample_rate: audio.sample_rate,
        channels: audio.channel_count() as u32,
        loudness: loudness::measure(audio)?,
    })
}

/// The key heard in an audio file (what `son1k voice transform --key auto` corrects to).
pub fn key_of_file(path: &Path) -> Result<son1k_core::Key, AppError> {
    let audio = son1k_audio::decode_file(path)?;
    let (_, key) = son1k_analysis::tempo_and_key(&audio)?;
    Ok(key.key)
}
