//! The metronome: a click on every beat at the project's tempo, the bar's first beat accented,
//! rendered as a track the engine plays beside the session (so it shares the session's clock
//! and is heard live; it reaches the export only when asked), and the count-in bars before a
//! take.

use son1k_audio::AudioBuffer;

use crate::AppError;

/// The accented click's pitch (the bar's first beat), Hz.
const ACCENT_HZ: f32 = 1760.0;
/// The other beats' click pitch, Hz.
const BEAT_HZ: f32 = 1320.0;
/// How much quieter the other beats are than the accent, dB.
const BEAT_BELOW_DB: f32 = 6.0;
/// A click's length, seconds.
const CLICK_SECONDS: f32 = 0.03;
/// The name of the track the metronome plays on.
pub const METRONOME_TRACK: &str = "metronome";

/// A metronome's settings, checked when made (by [`Metronome::new`], or when JSON is read:
/// the same check).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Metronome {
    /// Beats per minute (20–300).
    pub bpm: f64,
    /// Beats in a bar (1–16); the first is accented.
    pub beats_per_bar: u32,
    /// The accent's level, dBFS (−60–0) as rendered (its centred track is 3 dB lower on each
    /// side, the pan law); the other beats are 6 dB below it.
    pub level_db: f32,
    /// Whether the export includes the clicks.
    pub in_export: bool,
}

impl<'de> serde::Deserialize<'de> for Metronome {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// The values as written, checked by [`Metronome::new`].
        #[derive(serde::Deserialize)]
        struct Written {
            bpm: f64,
            beats_per_bar: u32,
            level_db: f32,
            in_export: bool,
        }
        let w = Written::deserialize(d)?;
        Metronome::new(w.bpm, w.beats_per_bar, w.level_db, w.in_export)
            .map_err(serde::de::Error::custom)
    }
}

fn invalid(field: &str, value: String, why: &str) -> AppError {
    AppError::Invalid(son1k_core::ValidationError::new(field, value, why))
}

impl Metronome {
    /// Settings after checking each value's range.
    pub fn new(
        bpm: f64,
        beats_per_bar: u32,
        level_db: f32,
        in_export: bool,
    ) -> Result<Self, AppError> {
        if !(20.0..=300.0).contains(&bpm) {
            return Err(invalid(
                "bpm",
                bpm.to_string(),
                "must be 20–300 beats per minute",
            ));
        }
        if !(1..=16).contains(&beats_per_bar) {
            return Err(invalid(
                "beats_per_bar",
                beats_per_bar.to_string(),
                "must be 1–16 beats in a bar",
            ));
        }
        if !(-60.0..=0.0).contains(&level_db) {
            return Err(invalid(
                "level_db",
                level_db.to_string(),
                "must be −60–0 dBFS",
            ));
        }
        Ok(Metronome {
            bpm,
            beats_per_bar,
            level_db,
            in_export,
        })
    }

    /// Seconds between beats.
    pub fn beat_seconds(&self) -> f64 {
        60.0 / self.bpm
    }

    /// Seconds in one bar.
    pub fn bar_seconds(&self) -> f64 {
        self.beat_seconds() * f64::from(self.beats_per_bar)
    }

    /// Clicks from time 0 for `seconds` (stereo at `rate`): one on every beat, starting each
    /// exactly on its beat's frame, the bar's first beat higher and 6 dB louder.
    pub fn clicks(&self, seconds: f64, rate: u32) -> AudioBuffer {
        let frames = (seconds.max(0.0) * f64::from(rate)).ceil() as usize;
        let mut out = vec![0.0f32; frames];
        let click = (CLICK_SECONDS * rate as f32) as usize;
        let accent = 10f32.powf(self.level_db / 20.0);
        let beat = 10f32.powf((self.level_db - BEAT_BELOW_DB) / 20.0);
        let mut n: u64 = 0;
        loop {
            let start = (n as f64 * self.beat_seconds() * f64::from(rate)).round() as usize;
            if start >= frames {
                break;
            }
            let first = n.is_multiple_of(u64::from(self.beats_per_bar));
            let (hz, amp) = if first {
                (ACCENT_HZ, accent)
            } else {
                (BEAT_HZ, beat)
            };
            for (i, s) in out[start..(start + click).min(frames)]
                .iter_mut()
                .enumerate()
            {
                let t = i as f32 / rate as f32;
                let env = (-t / (CLICK_SECONDS / 5.0)).exp();
                *s = amp * env * (std::f32::consts::TAU * hz * t).sin();
            }
            n += 1;
        }
        AudioBuffer {
            sample_rate: rate,
            channels: vec![out.clone(), out],
        }
    }

    /// `bars` bars of clicks (0, 1 or 2), for the count-in before a take.
    pub fn count_in(&self, bars: u32, rate: u32) -> Result<AudioBuffer, AppError> {
        if bars > 2 {
            return Err(invalid(
                "count_in",
                bars.to_string(),
                "must be 0, 1 or 2 bars",
            ));
        }
        Ok(self.clicks(self.bar_seconds() * f64::from(bars), rate))
    }
}
