//! Mixing and mastering with the son1k-audio effects, shaped by the knobs.
//!
//! - **Expressivity** tilts the spectrum (darker below 50, brighter above) and sets the drive.
//! - **Garage** goes from pristine through analog warmth and tape (wow and flutter) to lo-fi
//!   (band limits, hiss, small room) and, at the top, heavy distortion and noise.
//! - **Trash** adds saturation and harder compression; at the very top, bit reduction and noise.
//!
//! The master is brought to a loudness target measured with a deterministic BS.1770 meter, then a
//! true-peak limiter holds −1 dBTP.

use son1k_audio::fx::{Chain, Effect, FilterKind, FxSpec};
use son1k_audio::AudioBuffer;
use son1k_core::{KnobValue, Knobs};

use crate::form::SectionKind;
use crate::score::{Role, Score};
use crate::synth::Stereo;
use crate::ComposeError;

/// Processing block size (frames).
const BLOCK: usize = 1024;

fn run_chain(specs: &[FxSpec], st: &mut Stereo, sr: u32) -> Result<(), ComposeError> {
    if specs.is_empty() {
        return Ok(());
    }
    let mut chain = Chain::build(specs, sr, 2)?;
    let latency = chain.latency();
    let frames = st[0].len();
    // Feed `latency` frames of silence after the end and drop as many from the start, so
    // look-ahead effects keep the stem aligned.
    let [l, r] = st;
    l.resize(frames + latency, 0.0);
    r.resize(frames + latency, 0.0);
    let mut pos = 0;
    while pos < frames + latency {
        let end = (pos + BLOCK).min(frames + latency);
        let mut block = [&mut l[pos..end], &mut r[pos..end]];
        chain.process(&mut block);
        pos = end;
    }
    l.drain(..latency);
    r.drain(..latency);
    Ok(())
}

/// The effects on one stem before it reaches the bus.
pub fn stem_chain(role: Role, knobs: &Knobs) -> Vec<FxSpec> {
    let t = knobs.trash.fraction();
    match role {
        Role::Drums => vec![FxSpec::Compressor {
            threshold_db: -16.0 - 8.0 * t,
            ratio: 3.0 + 4.0 * t,
            attack_ms: 8.0,
            release_ms: 90.0,
            makeup_db: 2.0 + 3.0 * t,
        }],
        Role::Bass => vec![FxSpec::Eq {
            kind: FilterKind::HighPass,
            freq: 30.0,
            q: std::f32::consts::FRAC_1_SQRT_2,
            gain_db: 0.0,
        }],
        Role::Keys | Role::Pad | Role::Lead | Role::Vocal => vec![FxSpec::Eq {
            kind: FilterKind::HighPass,
            freq: 140.0,
            q: std::f32::consts::FRAC_1_SQRT_2,
            gain_db: 0.0,
        }],
    }
}

/// Processes a stem in place.
pub fn process_stem(
    st: &mut Stereo,
    role: Role,
    knobs: &Knobs,
    sr: u32,
) -> Result<(), ComposeError> {
    run_chain(&stem_chain(role, knobs), st, sr)
}

/// How much of each role goes to the reverb.
pub fn reverb_send(role: Role) -> f32 {
    match role {
        Role::Drums => 0.08,
        Role::Bass => 0.0,
        Role::Keys => 0.3,
        Role::Pad => 0.45,
        Role::Lead => 0.3,
        Role::Vocal => 0.35,
    }
}

/// The bus chain: the Ghost Studio knob chain (Garage, Trash, Expressivity; Rareza acts on the
/// composition here, not the timbre) and glue compression, harder with Trash.
pub fn master_chain(knobs: &Knobs, mood: u8, seed: u64) -> Vec<FxSpec> {
    let t = knobs.trash.fraction();
    let bus = Knobs {
        expressivity: KnobValue::saturating(i32::from(mood)),
        rareza: KnobValue::MIN,
        ..*knobs
    };
    let mut fx = son1k_knobs::chain(&bus, seed);
    fx.push(FxSpec::Compressor {
        threshold_db: -14.0 - 12.0 * t,
        ratio: 1.8 + 6.0 * t,
        attack_ms: 15.0,
        release_ms: 150.0,
        makeup_db: 0.0,
    });
    fx
}

/// Integrated loudness (BS.1770: K-weighting, 400 ms blocks, absolute and relative gates),
/// computed with platform-independent maths. `None` for silence.
pub fn loudness_lufs(st: &Stereo, sr: u32) -> Result<Option<f64>, ComposeError> {
    let mut k = [st[0].clone(), st[1].clone()];
    run_chain(
        &[
            FxSpec::Eq {
                kind: FilterKind::HighShelf,
                freq: 1681.0,
                q: std::f32::consts::FRAC_1_SQRT_2,
                gain_db: 4.0,
            },
            FxSpec::Eq {
                kind: FilterKind::HighPass,
                freq: 38.0,
                q: 0.5,
                gain_db: 0.0,
            },
        ],
        &mut k,
        sr,
    )?;
    // 400 ms blocks every 100 ms: sum 100 ms segments once, then add four per block.
    let hop = (0.1 * sr as f64) as usize;
    let frames = k[0].len();
    if hop == 0 || frames < 4 * hop {
        return Ok(None);
    }
    let segments: Vec<f64> = (0..frames / hop)
        .map(|i| {
            k.iter()
                .map(|ch| {
                    ch[i * hop..(i + 1) * hop]
                        .iter()
                        .map(|&x| (x as f64) * (x as f64))
                        .sum::<f64>()
                })
                .sum()
        })
        .collect();
    let powers: Vec<f64> = segments
        .windows(4)
        .map(|w| w.iter().sum::<f64>() / (4 * hop) as f64)
        .collect();
    let lufs = |p: f64| -0.691 + 10.0 * libm::log10(p.max(1e-30));
    let above: Vec<f64> = powers
        .iter()
        .copied()
        .filter(|p| lufs(*p) > -70.0)
        .collect();
    if above.is_empty() {
        return Ok(None);
    }
    let mean = above.iter().sum::<f64>() / above.len() as f64;
    let rel = lufs(mean) - 10.0;
    let gated: Vec<f64> = above.into_iter().filter(|p| lufs(*p) > rel).collect();
    if gated.is_empty() {
        return Ok(None);
    }
    Ok(Some(lufs(gated.iter().sum::<f64>() / gated.len() as f64)))
}

/// The loudness the master aims for: louder and denser with Trash.
pub fn target_lufs(knobs: &Knobs) -> f64 {
    -14.0 + 4.0 * f64::from(knobs.trash.fraction())
}

/// Masters the bus in place: knob chain, loudness, true-peak limiting at −1 dBTP.
pub fn master(
    st: &mut Stereo,
    knobs: &Knobs,
    mood: u8,
    sr: u32,
    seed: u64,
) -> Result<(), ComposeError> {
    run_chain(&master_chain(knobs, mood, seed), st, sr)?;
    if let Some(lufs) = loudness_lufs(st, sr)? {
        let gain = libm::pow(10.0, (target_lufs(knobs) - lufs) / 20.0) as f32;
        for ch in st.iter_mut() {
            for x in ch.iter_mut() {
                *x *= gain;
            }
        }
    }
    run_chain(
        &[FxSpec::Limiter {
            ceiling_db: -1.0,
            release_ms: 60.0,
            true_peak: true,
        }],
        st,
        sr,
    )
}

/// Each section's level against the chorus, in dB: verses and bridges sit under it so the chorus
/// lifts, the pre-chorus builds, intros, breakdowns and outros stay down. This is the
/// arrangement's dynamics (as a mix engineer rides the faders), on top of the parts' own density
/// and velocity.
pub fn section_gain_db(kind: SectionKind) -> f32 {
    match kind {
        SectionKind::Chorus => 0.0,
        SectionKind::PreChorus => -1.0,
        SectionKind::Verse => -2.5,
        SectionKind::Bridge => -1.5,
        SectionKind::Breakdown => -3.5,
        SectionKind::Intro => -3.0,
        SectionKind::Outro => -2.5,
    }
}

/// Seconds of each fade between two sections' levels, centred on the boundary.
const SECTION_RAMP_S: f64 = 0.04;

/// Rides a stem's level section by section ([`section_gain_db`]), with short ramps at the
/// boundaries; the ring-out after the last section keeps its level. Applied to every stem
/// before the sum, so the stems and the mix carry the same dynamics.
pub fn section_dynamics(st: &mut Stereo, score: &Score, sr: u32) {
    let mut sections: Vec<_> = score.sections.iter().collect();
    sections.sort_by(|a, b| a.start.total_cmp(&b.start));
    let Some(first) = sections.first() else {
        return;
    };
    let gain = |kind: SectionKind| libm::powf(10.0, section_gain_db(kind) / 20.0);
    let frame_of = |beat: f64| (score.time_of(beat) * f64::from(sr)).round().max(0.0) as usize;
    // (boundary frame, level before, level after), in time order.
    let changes: Vec<(usize, f32, f32)> = sections
        .windows(2)
        .map(|w| (frame_of(w[1].start), gain(w[0].kind), gain(w[1].kind)))
        .collect();
    let half = ((SECTION_RAMP_S * f64::from(sr)) / 2.0).max(1.0) as usize;
    let mut level = gain(first.kind);
    let mut next = 0;
    for f in 0..st[0].len() {
        // Past a ramp: the level is the next section's.
        while next < changes.len() && f >= changes[next].0 + half {
            level = changes[next].2;
            next += 1;
        }
        let k = match changes.get(next) {
            Some(&(at, from, to)) if f + half >= at => {
                let x = (f + half - at) as f32 / (2 * half) as f32;
                from + (to - from) * x
            }
            _ => level,
        };
        st[0][f] *= k;
        st[1][f] *= k;
    }
}

/// Reverb return for the send bus (long room, no dry signal).
pub fn reverb_return(send: &mut Stereo, mood: u8, sr: u32) -> Result<(), ComposeError> {
    let e = mood as f32 / 100.0;
    run_chain(
        &[FxSpec::Reverb {
            room: 0.55 + 0.25 * (1.0 - e),
            damping: 0.5,
            wet: 1.0,
            dry: Some(0.0),
        }],
        send,
        sr,
    )
}

/// Wraps a stereo pair as an [`AudioBuffer`].
pub fn to_buffer(st: Stereo, sr: u32) -> Result<AudioBuffer, ComposeError> {
    let [l, r] = st;
    Ok(AudioBuffer::new(sr, vec![l, r])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::SectionSpan;

    fn section(kind: SectionKind, start: f64, beats: f64) -> SectionSpan {
        SectionSpan {
            kind,
            label: "A".into(),
            start,
            beats,
            energy: kind.base_energy(),
        }
    }

    #[test]
    fn sections_ride_the_level_and_the_chorus_sits_on_top() {
        let sr = 8_000;
        // 120 BPM: 4 beats = 2 s. Verse 0–2 s, chorus 2–4 s, outro 4–6 s.
        let score = Score {
            bpm: 120,
            key: "C major".parse().expect("key"),
            beats_per_bar: 4,
            sections: vec![
                section(SectionKind::Verse, 0.0, 4.0),
                section(SectionKind::Chorus, 4.0, 4.0),
                section(SectionKind::Outro, 8.0, 4.0),
            ],
            chords: Vec::new(),
            parts: Vec::new(),
            syllables: Vec::new(),
            total_beats: 12.0,
            seconds: 6.5,
        };
        let frames = (6.5 * sr as f64) as usize;
        let mut st: Stereo = [vec![1.0; frames], vec![1.0; frames]];
        section_dynamics(&mut st, &score, sr);
        let db = |f: usize| 20.0 * st[0][f].log10();
        assert!((db(sr as usize) - section_gain_db(SectionKind::Verse)).abs() < 0.01);
        assert!(
            db(3 * sr as usize).abs() < 0.01,
            "the chorus keeps its level"
        );
        assert!((db(6 * sr as usize) - section_gain_db(SectionKind::Outro)).abs() < 0.01);
        assert!(section_gain_db(SectionKind::Verse) <= -2.0);
        // The change is a ramp, not a step: no two neighbouring frames differ by more than
        // the ramp's share of the jump.
        let jump = 1.0 - libm::powf(10.0, section_gain_db(SectionKind::Verse) / 20.0);
        let worst = st[0]
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max);
        assert!(worst > 0.0 && worst < jump / 100.0, "steepest step {worst}");
        assert_eq!(st[0], st[1]);
    }
}
