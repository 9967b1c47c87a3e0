//! What a scene sees of the sound, once per video frame: the loudness of the frame's span, the
//! spectrum in log-spaced bands around the frame's time, the onset strength (positive spectral
//! flux) and the beats and sections of the song. Everything is computed from the samples alone,
//! so the same audio always gives the same features.

use realfft::RealFftPlanner;

/// Spectrum bands per frame, log-spaced from [`LOW_HZ`] to [`HIGH_HZ`].
pub const BANDS: usize = 48;
/// Lowest band edge, Hz.
pub const LOW_HZ: f32 = 40.0;
/// Highest band edge, Hz.
pub const HIGH_HZ: f32 = 16_000.0;
/// The loudness (dBFS, RMS) that reads as level 0; silence and anything quieter.
pub const FLOOR_DB: f32 = -60.0;
/// How long a beat's pulse lasts, seconds (it decays exponentially with this time constant).
pub const BEAT_DECAY_S: f32 = 0.12;

const WINDOW: usize = 2048;

/// A song's sound as the scenes read it, one [`Features`] per video frame.
#[derive(Debug, Clone)]
pub struct SoundTrack {
    /// Video frames per second the features were computed for.
    pub fps: u32,
    /// One entry per frame, from the start.
    pub frames: Vec<Features>,
}

/// The sound at one video frame. Every value is 0–1 and 0 in silence.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// The frame's time, seconds from the start of what is rendered.
    pub time: f64,
    /// Loudness of the frame's span: RMS in dBFS mapped from [`FLOOR_DB`]…0 onto 0–1.
    pub level: f32,
    /// Spectrum magnitude per band, dB mapped from 70 dB below full scale onto 0–1.
    pub bands: [f32; BANDS],
    /// Onset strength: the positive change of the band spectrum since the last frame, scaled by
    /// the song's strongest change.
    pub onset: f32,
    /// A pulse that jumps to the frame's level on a beat and decays over [`BEAT_DECAY_S`] (so a
    /// beat in silence moves nothing).
    pub beat: f32,
    /// Beats heard so far (the index of the latest beat plus one).
    pub beats: u32,
    /// The section the frame is in: section changes passed so far.
    pub section: usize,
}

impl Features {
    /// The features of silence at `time`.
    pub fn silent(time: f64) -> Self {
        Features {
            time,
            level: 0.0,
            bands: [0.0; BANDS],
            onset: 0.0,
            beat: 0.0,
            beats: 0,
            section: 0,
        }
    }
}

/// What the song's own files say about its time: beat times and section starts, seconds from
/// the start of `samples` (both sorted; either may be empty).
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Beat times.
    pub beats: Vec<f64>,
    /// Section start times (the first section's start may be 0).
    pub sections: Vec<f64>,
}

/// The band edges, Hz: `BANDS + 1` values from [`LOW_HZ`] to [`HIGH_HZ`].
pub fn band_edges() -> [f32; BANDS + 1] {
    let mut edges = [0.0; BANDS + 1];
    let ratio = (HIGH_HZ / LOW_HZ).ln();
    for (i, e) in edges.iter_mut().enumerate() {
        *e = LOW_HZ * (ratio * i as f32 / BANDS as f32).exp();
    }
    edges
}

/// Computes the features of `samples` (mono, `rate` Hz) for `frames` video frames at `fps`.
/// Frames past the end of the samples read as silence, so a video can be longer than its audio.
pub fn analyse(
    samples: &[f32],
    rate: u32,
    fps: u32,
    frames: usize,
    timeline: &Timeline,
) -> SoundTrack {
    let fps = fps.max(1);
    let rate_f = f64::from(rate.max(1));
    let mut planner = RealFftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(WINDOW);
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let hann: Vec<f32> = (0..WINDOW)
        .map(|i| {
            let x = std::f32::consts::PI * i as f32 / WINDOW as f32;
            x.sin() * x.sin()
        })
        .collect();
    // The window's gain: a full-scale sine reads 0 dB in its band.
    let norm = 2.0 / hann.iter().sum::<f32>();
    let bin_hz = rate as f32 / WINDOW as f32;
    let edges = band_edges();
    let bins: Vec<(usize, usize)> = edges
        .windows(2)
        .map(|w| {
            let lo = ((w[0] / bin_hz).floor() as usize).max(1);
            let hi = ((w[1] / bin_hz).ceil() as usize).max(lo + 1);
            (lo.min(WINDOW / 2), hi.min(WINDOW / 2 + 1))
        })
        .collect();

    let mut out = Vec::with_capacity(frames);
    let mut flux = Vec::with_capacity(frames);
    let mut previous = [0.0f32; BANDS];
    let mut beat_index = 0usize;
    let mut section = 0usize;
    let mut last_beat: Option<(f64, f32)> = None;
    // A section starting at 0 s is the first one, not a change.
    let boundaries: Vec<f64> = timeline
        .sections
        .iter()
        .copied()
        .filter(|s| *s > 0.0)
        .collect();
    for k in 0..frames {
        let t = k as f64 / f64::from(fps);
        let centre = (t * rate_f) as i64;
        let span_start = centre.max(0) as usize;
        let span_end = (((k + 1) as f64 / f64::from(fps)) * rate_f) as usize;
        let span = samples
            .get(span_start.min(samples.len())..span_end.min(samples.len()))
            .unwrap_or(&[]);
        let rms = if span.is_empty() {
            0.0
        } else {
            (span.iter().map(|s| s * s).sum::<f32>() / span.len() as f32).sqrt()
        };
        let level = db_to_unit(20.0 * rms.max(1e-9).log10(), FLOOR_DB);

        for (i, x) in input.iter_mut().enumerate() {
            let at = centre - (WINDOW as i64 / 2) + i as i64;
            let s = if at >= 0 {
                samples.get(at as usize).copied().unwrap_or(0.0)
            } else {
                0.0
            };
            *x = s * hann[i];
        }
        let mut bands = [0.0f32; BANDS];
        if fft
            .process_with_scratch(&mut input, &mut spectrum, &mut scratch)
            .is_ok()
        {
            for (b, &(lo, hi)) in bins.iter().enumerate() {
                let peak = spectrum
                    .get(lo..hi)
                    .unwrap_or(&[])
                    .iter()
                    .map(|c| c.norm())
                    .fold(0.0f32, f32::max);
                let db = 20.0 * (peak * norm).max(1e-9).log10();
                bands[b] = db_to_unit(db, -70.0);
            }
        }
        // In silence the spectrum is empty whatever the window saw: the scene must be still.
        if level == 0.0 {
            bands = [0.0; BANDS];
        }
        let rise: f32 = bands
            .iter()
            .zip(previous.iter())
            .map(|(now, before)| (now - before).max(0.0))
            .sum();
        previous = bands;
        flux.push(rise);

        while beat_index < timeline.beats.len() && timeline.beats[beat_index] <= t + 1e-9 {
            last_beat = Some((timeline.beats[beat_index], level));
            beat_index += 1;
        }
        while section < boundaries.len() && boundaries[section] <= t + 1e-9 {
            section += 1;
        }
        let beat = match last_beat {
            Some((at, strength)) => {
                strength.max(level) * (-((t - at) as f32) / BEAT_DECAY_S).exp() * unit(level)
            }
            None => 0.0,
        };
        out.push(Features {
            time: t,
            level,
            bands,
            onset: 0.0,
            beat: beat.clamp(0.0, 1.0),
            beats: beat_index as u32,
            section,
        });
    }
    let strongest = flux.iter().copied().fold(0.0f32, f32::max);
    if strongest > 0.0 {
        for (f, rise) in out.iter_mut().zip(flux) {
            f.onset = (rise / strongest).clamp(0.0, 1.0);
        }
    }
    SoundTrack { fps, frames: out }
}

/// 1 for any sound, 0 for silence: keeps the beat pulse off in silence.
fn unit(level: f32) -> f32 {
    if level > 0.0 {
        1.0
    } else {
        0.0
    }
}

fn db_to_unit(db: f32, floor: f32) -> f32 {
    ((db - floor) / -floor).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(hz: f32, seconds: f32, amp: f32) -> Vec<f32> {
        (0..(seconds * 48_000.0) as usize)
            .map(|i| amp * (std::f32::consts::TAU * hz * i as f32 / 48_000.0).sin())
            .collect()
    }

    #[test]
    fn silence_reads_zero_and_a_tone_lights_its_band() {
        let mut samples = vec![0.0; 48_000];
        samples.extend(sine(1000.0, 1.0, 0.5));
        let track = analyse(&samples, 48_000, 30, 60, &Timeline::default());
        assert_eq!(track.frames.len(), 60);
        let quiet = &track.frames[10];
        assert_eq!(quiet.level, 0.0);
        assert!(quiet.bands.iter().all(|b| *b == 0.0));
        let loud = &track.frames[45];
        // A 0.5 sine is −9 dBFS RMS: (60 − 9) / 60.
        assert!((loud.level - 0.85).abs() < 0.02, "level {}", loud.level);
        let edges = band_edges();
        let band = edges
            .windows(2)
            .position(|w| w[0] <= 1000.0 && 1000.0 < w[1]);
        let strongest = loud
            .bands
            .iter()
            .enumerate()
            .fold(
                (0, 0.0f32),
                |best, (i, v)| if *v > best.1 { (i, *v) } else { best },
            )
            .0;
        assert_eq!(Some(strongest), band);
        // The tone's entry is the song's strongest onset.
        let first_loud = track.frames.iter().position(|f| f.onset == 1.0);
        assert!(matches!(first_loud, Some(29..=31)), "{first_loud:?}");
    }

    #[test]
    fn beats_pulse_with_the_sound_and_sections_count() {
        let mut samples = sine(200.0, 2.0, 0.3);
        samples.extend(vec![0.0; 48_000]);
        let timeline = Timeline {
            beats: vec![0.5, 1.0, 1.5, 2.5],
            sections: vec![0.0, 1.0],
        };
        let track = analyse(&samples, 48_000, 30, 90, &timeline);
        let at = |t: f64| &track.frames[(t * 30.0).round() as usize];
        assert!(at(0.5).beat > 0.5);
        assert!(at(0.9).beat < 0.1);
        assert_eq!(at(1.2).beats, 2);
        assert_eq!(at(0.4).section, 0);
        assert_eq!(at(1.2).section, 1);
        // A beat in silence does not pulse.
        assert_eq!(at(2.5).beat, 0.0);
        assert_eq!(at(2.5).level, 0.0);
    }
}
