//! Latency compensation: where on a recorded take the moment the engine played a given frame
//! of the session lies, so a take lands on the beat.
//!
//! Two clocks place the frames in time (son1k-audio's [`clock`](son1k_audio::clock)): the
//! engine's output stream and the recorder's input stream. What they cannot see — the
//! converters, the sound server's buffers, the cable — is one constant per set-up, the round
//! trip, which [`calibrate`] measures by playing chirps and finding them in the input (a
//! loopback: a cable from the output to the input, or an interface's own loopback), and which
//! the musician can nudge by hand ([`set_manual_offset`]). Both are kept in
//! `DATA/audio-latency.json`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use son1k_audio::clock::StreamClock;
use son1k_audio::engine::Meters;
use son1k_audio::mixdown::{Clip, Track};
use son1k_audio::AudioBuffer;

use super::live::{LiveOutput, LivePlayer};
use super::recorder::TakeRecorder;
use crate::{AppError, Studio};

/// The chirps a calibration plays: how many, the first one's time and the gap, seconds.
const CHIRPS: usize = 5;
const FIRST_CHIRP: f64 = 0.3;
const CHIRP_GAP: f64 = 0.8;
/// One chirp: 10 ms sweeping 500 Hz → 8 kHz (its correlation peak is sharp).
const CHIRP_SECONDS: f64 = 0.01;
/// How far before and after where the clocks place it a chirp is looked for, seconds (less
/// than the gap in all: a round trip up to 600 ms is found, and never the next chirp).
const SEARCH: (f64, f64) = (0.1, 0.6);
/// The chirps must agree to within this, seconds (a sound server mixing other streams moves
/// them by a millisecond or so).
const MAX_SPREAD: f64 = 0.002;

/// A measured round trip, for one session sample rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Measured {
    /// The session's rate when it was measured.
    pub sample_rate: u32,
    /// The round trip the clocks do not see, milliseconds (added to every take's position).
    pub offset_ms: f64,
    /// How far apart the chirps' readings were, milliseconds.
    pub spread_ms: f64,
    /// The output and input devices measured.
    pub output: String,
    /// See `output`.
    pub input: String,
    /// When, milliseconds since 1970.
    pub at_ms: i64,
}

/// What compensates a recorded take's position.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LatencySettings {
    /// Round trips measured by [`calibrate`], one per session rate (the newest kept).
    #[serde(default)]
    pub measured: Vec<Measured>,
    /// The musician's own nudge, milliseconds (positive: the take moves earlier).
    #[serde(default)]
    pub manual_ms: f64,
}

impl LatencySettings {
    /// Seconds to add to where the clocks place a take, for a session at `rate`: the round
    /// trip measured at that rate (or the nearest rate measured), plus the manual nudge.
    pub fn offset_seconds(&self, rate: u32) -> f64 {
        let measured = self
            .measured
            .iter()
            .min_by_key(|m| m.sample_rate.abs_diff(rate))
            .map_or(0.0, |m| m.offset_ms);
        (measured + self.manual_ms) / 1000.0
    }
}

fn settings_file(studio: &Studio) -> PathBuf {
    studio.paths().data_dir.join("audio-latency.json")
}

/// The latency settings (none measured and no nudge when nothing was saved; a damaged file
/// reads as none, and the next save replaces it).
pub fn settings(studio: &Studio) -> LatencySettings {
    std::fs::read(settings_file(studio))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn save(studio: &Studio, s: &LatencySettings) -> Result<(), AppError> {
    let bytes = serde_json::to_vec_pretty(s).map_err(|e| AppError::JobFailed {
        kind: "latency".into(),
        message: e.to_string(),
    })?;
    studio.paths().ensure()?;
    crate::project::write_atomic(&settings_file(studio), &bytes)
}

/// Sets the manual nudge (−500 … 500 ms) and saves it.
pub fn set_manual_offset(studio: &Studio, ms: f64) -> Result<LatencySettings, AppError> {
    if !ms.is_finite() || ms.abs() > 500.0 {
        return Err(AppError::Invalid(son1k_core::ValidationError::new(
            "manual_ms",
            ms.to_string(),
            "must be −500 … 500 milliseconds",
        )));
    }
    let mut s = settings(studio);
    s.manual_ms = ms;
    save(studio, &s)?;
    Ok(s)
}

/// Where in a take the session's frames were heard: the engine's and the recorder's clocks, the
/// transport's start, and the compensation.
pub(super) struct Alignment {
    meters: Arc<Meters>,
    /// The served frame minus the renderer's position while the transport runs unbroken.
    served_minus_position: i64,
    input: Arc<StreamClock>,
    /// The engine's effect look-ahead: timeline frame `f` comes out at renderer frame
    /// `f + latency`.
    latency: usize,
    /// Added to the clocks' reading, seconds.
    offset: f64,
}

impl Alignment {
    /// Waits (up to 5 s) for `player` to start and reads where its transport began.
    pub(super) fn start(
        player: &LivePlayer,
        input: Arc<StreamClock>,
        offset: f64,
    ) -> Result<Self, AppError> {
        let meters = player.shared_meters();
        let until = std::time::Instant::now() + Duration::from_secs(5);
        let origin = loop {
            if let Some(s) = meters.served_frame_of(0) {
                break s;
            }
            if std::time::Instant::now() > until {
                return Err(device_error(
                    "the output did not start playing within 5 s: is another program holding it?",
                ));
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        Ok(Alignment {
            meters,
            served_minus_position: origin,
            input,
            latency: player.latency_frames(),
            offset,
        })
    }

    /// The compensation added to the clocks' reading, seconds.
    pub(super) fn offset_seconds(&self) -> f64 {
        self.offset
    }

    /// The second of the take at which renderer frame `frame` of the unrolled transport
    /// (a loop's later passes counted on) was heard; `None` before both clocks have a reading.
    pub(super) fn take_seconds(&self, frame: f64) -> Option<f64> {
        Some(self.clock_seconds(frame)? + self.offset)
    }

    /// [`Alignment::take_seconds`] by the clocks alone, without the compensation.
    pub(super) fn clock_seconds(&self, frame: f64) -> Option<f64> {
        let served = frame + self.latency as f64 + self.served_minus_position as f64;
        let heard = self.meters.clock().time_of(served)?;
        let captured = self.input.frame_at(heard)?;
        Some(captured / f64::from(self.input.sample_rate()))
    }

    /// Replaces the compensation (seconds).
    pub(super) fn set_offset(&mut self, offset: f64) {
        self.offset = offset;
    }
}

fn device_error(m: &str) -> AppError {
    AppError::Audio(son1k_audio::AudioError::Device(m.into()))
}

/// One chirp at `rate`, mono.
fn chirp(rate: u32) -> Vec<f32> {
    let n = (CHIRP_SECONDS * f64::from(rate)).round() as usize;
    let (f0, f1) = (500.0, 8000.0);
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            let phase =
                2.0 * std::f64::consts::PI * (f0 * t + (f1 - f0) * t * t / (2.0 * CHIRP_SECONDS));
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (n - 1) as f64).cos();
            (0.5 * w * phase.sin()) as f32
        })
        .collect()
}

/// Where `reference` best matches `signal` between `from` and `to` (sample index, with a
/// parabola through the peak), and how well (normalised correlation, 0–1).
pub(super) fn find(
    signal: &[f32],
    reference: &[f32],
    from: usize,
    to: usize,
) -> Option<(f64, f64)> {
    let n = reference.len();
    if n == 0 || signal.len() < n {
        return None;
    }
    let to = to.min(signal.len() - n);
    if from >= to {
        return None;
    }
    let ref_energy: f64 = reference.iter().map(|&r| f64::from(r) * f64::from(r)).sum();
    let corr = |lag: usize| -> (f64, f64) {
        let seg = &signal[lag..lag + n];
        let dot: f64 = seg
            .iter()
            .zip(reference)
            .map(|(&s, &r)| f64::from(s) * f64::from(r))
            .sum();
        let e: f64 = seg.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
        (dot, e)
    };
    let mut best = (from, f64::MIN, 0.0);
    for lag in from..to {
        let (dot, e) = corr(lag);
        if dot > best.1 {
            best = (lag, dot, e);
        }
    }
    let (lag, dot, e) = best;
    let score = dot / (ref_energy * e).sqrt().max(1e-12);
    let frac = if lag > from && lag + 1 < to {
        let (a, c) = (corr(lag - 1).0, corr(lag + 1).0);
        let d = a - 2.0 * dot + c;
        if d.abs() > 1e-12 {
            (0.5 * (a - c) / d).clamp(-0.5, 0.5)
        } else {
            0.0
        }
    } else {
        0.0
    };
    Some((lag as f64 + frac, score))
}

/// The median of `readings` (not empty) and how far apart they are.
pub(super) fn median_spread(readings: &[f64]) -> (f64, f64) {
    let mut sorted = readings.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    (
        0.5 * (sorted[(n - 1) / 2] + sorted[n / 2]),
        sorted[n - 1] - sorted[0],
    )
}

/// What a calibration found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Calibration {
    /// The measurement, as saved.
    pub measured: Measured,
    /// Each chirp's reading, milliseconds.
    pub readings_ms: Vec<f64>,
    /// The settings now in force.
    pub settings: LatencySettings,
}

/// Measures the round trip for sessions at `sample_rate`: plays [`CHIRPS`] chirps on
/// `output` while recording the default input, finds each in the input, and saves the median
/// when they agree to within two milliseconds. Needs the output to reach the input (a loopback
/// cable, or an interface's loopback); otherwise the error says what to connect.
pub fn calibrate(
    studio: &Studio,
    output: LiveOutput,
    sample_rate: u32,
) -> Result<Calibration, AppError> {
    if !(8_000..=192_000).contains(&sample_rate) {
        return Err(AppError::Invalid(son1k_core::ValidationError::new(
            "sample_rate",
            sample_rate.to_string(),
            "must be 8000–192000 Hz",
        )));
    }
    let dir = studio.paths().cache_dir.join("latency");
    std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
        action: "could not create",
        path: dir.clone(),
        source,
    })?;
    let seconds = FIRST_CHIRP + CHIRP_GAP * CHIRPS as f64 + 0.3;
    let mut clicks = vec![0.0f32; (seconds * f64::from(sample_rate)) as usize];
    let one = chirp(sample_rate);
    let at: Vec<f64> = (0..CHIRPS)
        .map(|k| FIRST_CHIRP + CHIRP_GAP * k as f64)
        .collect();
    for &t in &at {
        let s = (t * f64::from(sample_rate)).round() as usize;
        clicks[s..s + one.len()].copy_from_slice(&one);
    }
    let file = dir.join(format!("chirps-{}.wav", crate::project::now_ms()));
    let buffer = AudioBuffer::new(sample_rate, vec![clicks.clone(), clicks])?;
    son1k_audio::write_file(&file, &buffer, son1k_audio::SampleFormat::F32)?;
    let session = son1k_ghost::Session {
        sample_rate,
        tracks: vec![Track::new("chirps", vec![Clip::whole(file.clone(), 0.0)])],
        master: Vec::new(),
        returns: Vec::new(),
    };
    let result = (|| {
        let rec = TakeRecorder::start_in(&dir, |_| {})?.wait_for_audio()?;
        let input_name = rec.device().to_string();
        let player = LivePlayer::start(&session, &dir, output, 0.0, None, true, Arc::new(|_| {}))?;
        let align = Alignment::start(&player, rec.clock(), 0.0);
        let until = std::time::Instant::now() + Duration::from_secs_f64(seconds + 5.0);
        while !player.frame().finished && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        // The input still has the last chirp's round trip to deliver.
        std::thread::sleep(Duration::from_millis(600));
        let output_name = player.device().to_string();
        drop(player);
        let rate_in = rec.format().sample_rate;
        let take = rec.stop()?;
        let align = align?;
        let audio = son1k_audio::decode_file(&take);
        let _ = std::fs::remove_file(&take);
        let audio = audio?;
        let mono: Vec<f32> = (0..audio.frames())
            .map(|i| audio.channels.iter().map(|c| c[i]).sum::<f32>())
            .collect();
        let reference = chirp(rate_in);
        let mut readings = Vec::with_capacity(CHIRPS);
        for &t in &at {
            let expected = align
                .clock_seconds(t * f64::from(sample_rate))
                .ok_or_else(|| device_error("the output or the input never reported time"))?;
            let r = f64::from(rate_in);
            let from = ((expected - SEARCH.0) * r).max(0.0) as usize;
            let to = ((expected + SEARCH.1) * r).max(0.0) as usize;
            match find(&mono, &reference, from, to) {
                Some((pos, score)) if score > 0.5 => readings.push(pos / r - expected),
                _ => {}
            }
        }
        Ok::<_, AppError>((readings, output_name, input_name))
    })();
    let _ = std::fs::remove_file(&file);
    let (readings, output_name, input_name) = result?;
    if readings.len() < CHIRPS {
        return Err(device_error(&format!(
            "the input heard {} of the {CHIRPS} chirps played: connect the output to the input (a loopback cable, or your interface's loopback or monitor input), turn the input up, and calibrate again",
            readings.len()
        )));
    }
    let (median, spread) = median_spread(&readings);
    if spread > MAX_SPREAD {
        return Err(device_error(&format!(
            "the chirps came back {:.2} ms apart (more than {:.0} ms): the set-up's latency is not steady (another program using the device, or a wireless link); close it and calibrate again",
            spread * 1000.0,
            MAX_SPREAD * 1000.0
        )));
    }
    let measured = Measured {
        sample_rate,
        offset_ms: median * 1000.0,
        spread_ms: spread * 1000.0,
        output: output_name,
        input: input_name,
        at_ms: crate::project::now_ms(),
    };
    let mut settings = settings(studio);
    settings.measured.retain(|m| m.sample_rate != sample_rate);
    settings.measured.push(measured.clone());
    save(studio, &settings)?;
    Ok(Calibration {
        measured,
        readings_ms: readings.iter().map(|r| r * 1000.0).collect(),
        settings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chirp_is_found_where_it_was_put_to_a_fraction_of_a_sample() {
        let rate = 44_100;
        let one = chirp(rate);
        let mut signal = vec![0.0f32; rate as usize];
        let at = 12_345;
        for (i, s) in one.iter().enumerate() {
            signal[at + i] += 0.3 * s;
        }
        // Noise 30 dB below does not move it.
        let mut x = 1u32;
        for s in &mut signal {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *s += 0.005 * ((x >> 8) as f32 / 8_388_608.0 - 1.0);
        }
        let found = find(&signal, &one, 10_000, 20_000);
        let Some((pos, score)) = found else {
            panic!("not found")
        };
        assert!((pos - at as f64).abs() < 0.5, "{pos}");
        assert!(score > 0.9, "{score}");
        // Where there is only noise the score says so.
        let Some((_, noise)) = find(&signal, &one, 30_000, 40_000) else {
            panic!("no search")
        };
        assert!(noise < 0.3, "{noise}");
    }

    #[test]
    fn the_offset_is_the_nearest_rates_plus_the_nudge() {
        let m = |rate, ms| Measured {
            sample_rate: rate,
            offset_ms: ms,
            spread_ms: 0.1,
            output: "o".into(),
            input: "i".into(),
            at_ms: 0,
        };
        let s = LatencySettings {
            measured: vec![m(48_000, 20.0), m(44_100, 30.0)],
            manual_ms: -2.0,
        };
        assert!((s.offset_seconds(48_000) - 0.018).abs() < 1e-12);
        assert!((s.offset_seconds(22_050) - 0.028).abs() < 1e-12);
        assert!((LatencySettings::default().offset_seconds(48_000)).abs() < 1e-12);
    }
}
