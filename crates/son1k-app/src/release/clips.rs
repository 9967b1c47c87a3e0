//! Short clips of a song's mix for the platforms, cut at bar lines around the chorus.
//!
//! The bar grid comes from the song's tempo and its first downbeat (the first section's start
//! less its bar number times a bar; a generated song is in 4/4, a 4-beat bar). A clip of `N`
//! seconds holds the most whole bars that fit in `N` seconds, so a "15 s" clip is never longer
//! than 15 s and at most one bar shorter. It starts `bars / 8` bars before the chorus' first bar
//! (so a 16-bar clip leads in for 2 bars; a short one starts on the chorus), moved back inside
//! the song when it would run past either end. A song without a chorus section takes the
//! loudest stretch of that many bars instead (the highest mean square over the bar-aligned
//! windows). The cut points are bar lines; a short fade in ([`FADE_IN_S`]) and out
//! ([`FADE_OUT_S`]) keeps them from clicking.

use serde::Serialize;
use son1k_audio::AudioBuffer;

/// Fade in at a clip's start, seconds.
pub const FADE_IN_S: f64 = 0.01;
/// Fade out at a clip's end, seconds.
pub const FADE_OUT_S: f64 = 0.12;
/// Beats in a bar of a generated song.
pub const BEATS_PER_BAR: u32 = 4;

/// Where a song's bars fall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarGrid {
    /// Tempo.
    pub bpm: f64,
    /// Beats per bar.
    pub beats_per_bar: u32,
    /// The time of bar 0's downbeat, seconds.
    pub first_downbeat: f64,
}

impl BarGrid {
    /// One bar, seconds.
    pub fn bar_seconds(&self) -> f64 {
        60.0 / self.bpm * f64::from(self.beats_per_bar)
    }

    /// The time of bar `n`'s downbeat.
    pub fn time_of_bar(&self, n: i64) -> f64 {
        self.first_downbeat + n as f64 * self.bar_seconds()
    }

    /// The bar whose downbeat is nearest `t`.
    pub fn nearest_bar(&self, t: f64) -> i64 {
        ((t - self.first_downbeat) / self.bar_seconds()).round() as i64
    }
}

/// A section as the clip planner needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSpan {
    /// `chorus`, `verse`, …
    pub kind: String,
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

/// What a clip was cut around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Anchor {
    /// The first chorus.
    Chorus,
    /// The loudest stretch (no chorus section).
    Loudest,
    /// The whole song (shorter than the clip).
    Whole,
}

/// Where a clip is cut.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClipCut {
    /// The length asked for, seconds.
    pub asked_seconds: u32,
    /// Its first bar.
    pub first_bar: i64,
    /// How many bars it holds.
    pub bars: u32,
    /// Start, seconds (a bar line).
    pub start: f64,
    /// End, seconds (a bar line).
    pub end: f64,
    /// What it is around.
    pub anchor: Anchor,
}

/// Bars of the song: whole bars from bar 0 that end by `song_seconds`.
fn bars_in(grid: &BarGrid, song_seconds: f64) -> i64 {
    ((song_seconds - grid.first_downbeat) / grid.bar_seconds() + 1e-9).floor() as i64
}

/// Mean square of each whole bar of `audio` (all channels).
pub fn bar_energy(audio: &AudioBuffer, grid: &BarGrid) -> Vec<f64> {
    let sr = f64::from(audio.sample_rate);
    let n = bars_in(grid, audio.duration_secs()).max(0);
    (0..n)
        .map(|b| {
            let a = (grid.time_of_bar(b) * sr).round().max(0.0) as usize;
            let z = ((grid.time_of_bar(b + 1) * sr).round() as usize).min(audio.frames());
            let mut sum = 0.0;
            for ch in &audio.channels {
                sum += ch[a.min(z)..z]
                    .iter()
                    .map(|s| f64::from(*s).powi(2))
                    .sum::<f64>();
            }
            sum / ((z.saturating_sub(a)).max(1) * audio.channels.len()) as f64
        })
        .collect()
}

/// Plans a clip of at most `seconds` (see the module's documentation). `energy` is each bar's
/// loudness, used when there is no chorus.
pub fn plan(
    grid: &BarGrid,
    sections: &[SectionSpan],
    song_seconds: f64,
    seconds: u32,
    energy: &[f64],
) -> ClipCut {
    let total = bars_in(grid, song_seconds).max(1);
    let want = ((f64::from(seconds) / grid.bar_seconds()) + 1e-9)
        .floor()
        .max(1.0) as i64;
    let bars = want.min(total);
    let cut = |first: i64, anchor: Anchor| ClipCut {
        asked_seconds: seconds,
        first_bar: first,
        bars: bars as u32,
        start: grid.time_of_bar(first),
        end: grid.time_of_bar(first + bars),
        anchor,
    };
    if bars == total {
        return cut(0, Anchor::Whole);
    }
    let last_start = total - bars;
    if let Some(chorus) = sections.iter().find(|s| s.kind == "chorus") {
        let first = (grid.nearest_bar(chorus.start) - bars / 8).clamp(0, last_start);
        return cut(first, Anchor::Chorus);
    }
    let window = bars as usize;
    let mut best = (0i64, f64::MIN);
    if energy.len() >= window {
        let mut sum: f64 = energy[..window].iter().sum();
        best = (0, sum);
        for start in 1..=(energy.len() - window).min(last_start as usize) {
            sum += energy[start + window - 1] - energy[start - 1];
            if sum > best.1 + 1e-12 {
                best = (start as i64, sum);
            }
        }
    }
    cut(best.0.clamp(0, last_start), Anchor::Loudest)
}

/// The audio of `cut` from `mix`, with the short fades.
pub fn render(mix: &AudioBuffer, cut: &ClipCut) -> Result<AudioBuffer, son1k_audio::AudioError> {
    let sr = f64::from(mix.sample_rate);
    let a = (cut.start * sr).round().max(0.0) as usize;
    let z = ((cut.end * sr).round() as usize).min(mix.frames());
    let a = a.min(z);
    let fade_in = ((FADE_IN_S * sr) as usize).min((z - a) / 2);
    let fade_out = ((FADE_OUT_S * sr) as usize).min((z - a) / 2);
    let channels = mix
        .channels
        .iter()
        .map(|ch| {
            let mut out = ch[a..z].to_vec();
            for (i, s) in out.iter_mut().take(fade_in).enumerate() {
                *s *= i as f32 / fade_in as f32;
            }
            for (i, s) in out.iter_mut().rev().take(fade_out).enumerate() {
                *s *= i as f32 / fade_out as f32;
            }
            out
        })
        .collect();
    AudioBuffer::new(mix.sample_rate, channels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> BarGrid {
        BarGrid {
            bpm: 120.0,
            beats_per_bar: 4,
            first_downbeat: 0.5,
        }
    }

    fn chorus_at(start: f64) -> Vec<SectionSpan> {
        vec![
            SectionSpan {
                kind: "verse".into(),
                start: 0.5,
                end: start,
            },
            SectionSpan {
                kind: "chorus".into(),
                start,
                end: start + 16.0,
            },
        ]
    }

    #[test]
    fn clips_hold_whole_bars_within_the_length_asked_and_start_near_the_chorus() {
        let g = grid(); // 2 s bars from 0.5 s
        let chorus = chorus_at(32.5); // bar 16
        let c15 = plan(&g, &chorus, 120.0, 15, &[]);
        assert_eq!(
            (c15.first_bar, c15.bars, c15.anchor),
            (16, 7, Anchor::Chorus)
        );
        assert!((c15.end - c15.start - 14.0).abs() < 1e-9);
        let c60 = plan(&g, &chorus, 120.0, 60, &[]);
        assert_eq!((c60.first_bar, c60.bars), (13, 30));
        assert!((c60.start - 26.5).abs() < 1e-9);
        // Near the end, the clip moves back inside the song.
        let late = plan(&g, &chorus_at(110.5), 120.0, 30, &[]);
        assert!(late.end <= 120.0 + 1e-9, "{late:?}");
        assert_eq!(late.first_bar + i64::from(late.bars), 59);
        // A song shorter than the clip is taken whole, in whole bars.
        let whole = plan(&g, &chorus, 21.0, 60, &[]);
        assert_eq!(
            (whole.first_bar, whole.bars, whole.anchor),
            (0, 10, Anchor::Whole)
        );
    }

    #[test]
    fn without_a_chorus_the_loudest_bars_are_taken() {
        let g = grid();
        let mut energy = vec![0.1; 59];
        for e in &mut energy[40..48] {
            *e = 1.0;
        }
        let c = plan(&g, &[], 120.0, 15, &energy);
        assert_eq!(c.anchor, Anchor::Loudest);
        assert!((40..=41).contains(&c.first_bar), "{c:?}");
        assert!(c.first_bar + i64::from(c.bars) <= 48);
    }
}
