//! The built-in instruments: drum synthesis, subtractive and FM basses and leads, keys, pads,
//! a plucked string and a formant "guide voice". They need no sample files.
//!
//! [`render_part`] is the door: drum parts go to the kit, every other note to a voice whose
//! recipe comes from the patch table.

mod drums;
mod instrument;
mod patch;
mod singer;
mod voice;

use crate::dsp::{self, sin_turns};
use crate::rng::Noise;
use crate::score::{Part, Score};
use crate::style::Sound;

use drums::render_drums;
use patch::patch;
use voice::render_voice;

/// Sound-shaping that the knobs feed into every instrument.
#[derive(Debug, Clone, Copy)]
pub struct Tone {
    /// 0 dark … 1 bright (Expressivity).
    pub bright: f32,
    /// 0 clean … 1 driven (Trash and Expressivity).
    pub drive: f32,
}

/// A stereo stem.
pub type Stereo = [Vec<f32>; 2];

/// Renders one part to a stereo stem of `frames` frames at `sr` Hz.
pub fn render_part(
    part: &Part,
    score: &Score,
    sr: u32,
    frames: usize,
    tone: Tone,
    seed: u64,
) -> Stereo {
    if part.sound == Sound::Drums {
        return render_drums(part, score, sr, frames, tone, seed);
    }
    if part.sound == Sound::Voice {
        return singer::render_singer(part, score, sr, frames, tone, seed);
    }
    let mut mono = vec![0.0f32; frames];
    let srf = sr as f32;
    let spb = score.beat_seconds() * sr as f64;
    let mut noise = Noise::new(seed ^ 0x5eed);
    let gain = dsp::db(part.gain_db);
    let notes = &part.notes;
    // Repeated notes (the same pitch, length and velocity step) sound the same, so each is
    // synthesized once and mixed in wherever it recurs: comping and pads repeat a lot.
    let mut cache: std::collections::HashMap<(u8, usize, u8, char), Vec<f32>> =
        std::collections::HashMap::new();
    let max_len = (patch(part.sound, tone).amp.release * srf * 6.0) as usize;
    for (i, n) in notes.iter().enumerate() {
        let start = (n.start * spb).round() as usize;
        if start >= frames {
            continue;
        }
        let len = ((n.dur * spb) as usize).max(16);
        // Monophonic glide for 808s: slide from the previous note when they touch.
        let glide_from = if part.sound == Sound::SubBass && i > 0 {
            let p = notes[i - 1];
            let gap = n.start - (p.start + p.dur);
            (gap.abs() < 0.1 && p.pitch != n.pitch).then_some(p.pitch)
        } else {
            None
        };
        let vel_step = (n.vel.clamp(0.0, 1.0) * 32.0).round() as u8;
        let mut note = *n;
        note.vel = vel_step as f32 / 32.0;
        let cacheable = glide_from.is_none() && !matches!(part.sound, Sound::NylonGuitar);
        let dest = &mut mono[start..];
        if !cacheable {
            render_voice(
                part.sound, &note, glide_from, len, dest, srf, gain, tone, &mut noise,
            );
            continue;
        }
        let key = (n.pitch, len, vel_step, n.vowel.unwrap_or(' '));
        let wave = cache.entry(key).or_insert_with(|| {
            let mut w = vec![0.0f32; len + max_len];
            render_voice(
                part.sound, &note, None, len, &mut w, srf, gain, tone, &mut noise,
            );
            // Trim the silent tail so mixing it in costs nothing.
            let end = w.iter().rposition(|x| *x != 0.0).map_or(0, |p| p + 1);
            w.truncate(end);
            w
        });
        for (o, x) in dest.iter_mut().zip(wave.iter()) {
            *o += *x;
        }
    }
    pan_to_stereo(mono, part.pan, part.sound, sr)
}

/// Constant-power pan; pads and pianos get width from a short Haas delay on one side.
fn pan_to_stereo(mono: Vec<f32>, pan: f32, sound: Sound, sr: u32) -> Stereo {
    let angle = (pan.clamp(-1.0, 1.0) + 1.0) * 0.125; // turns: 0 … 0.25
    let l = sin_turns(angle + 0.25); // cos
    let r = sin_turns(angle);
    let width_ms = match sound {
        Sound::SawPad | Sound::StringPad => 14.0,
        Sound::Piano
        | Sound::ElectricPiano
        | Sound::NylonGuitar
        | Sound::PowerGuitar
        | Sound::SteelGuitar
        | Sound::CleanGuitar
        | Sound::DistortedGuitar
        | Sound::StringSection
        | Sound::Harp => 7.0,
        _ => 0.0,
    };
    let delay = (width_ms / 1000.0 * sr as f32) as usize;
    let mut left = Vec::with_capacity(mono.len());
    let mut right = Vec::with_capacity(mono.len());
    for (i, &x) in mono.iter().enumerate() {
        left.push(x * l);
        let d = if i >= delay { mono[i - delay] } else { 0.0 };
        let y = if delay > 0 { 0.6 * x + 0.4 * d } else { x };
        right.push(y * r);
    }
    [left, right]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Note;
    use crate::style::Sound;
    use son1k_core::{Key, Mode, PitchClass};

    fn score_with(sound: Sound, pitch: u8) -> (Score, Part) {
        let part = Part {
            name: "x".into(),
            role: crate::score::Role::Lead,
            sound,
            pan: 0.0,
            gain_db: 0.0,
            notes: vec![Note {
                start: 0.0,
                dur: 2.0,
                pitch,
                vel: 0.9,
                vowel: Some('a'),
                phones: None,
            }],
        };
        let score = Score {
            bpm: 120,
            key: Key::new(PitchClass::new(9), Mode::Minor),
            beats_per_bar: 4,
            sections: vec![],
            chords: vec![],
            parts: vec![part.clone()],
            syllables: vec![],
            total_beats: 4.0,
            seconds: 2.0,
        };
        (score, part)
    }

    /// The frequency with the strongest DFT bin among candidate notes.
    fn loudest_note(x: &[f32], sr: f32, candidates: &[u8]) -> u8 {
        *candidates
            .iter()
            .max_by(|a, b| {
                let power = |n: u8| {
                    let f = dsp::midi_hz(n as f32);
                    let (mut re, mut im) = (0.0f64, 0.0f64);
                    for (i, s) in x.iter().enumerate() {
                        let t = f * i as f32 / sr;
                        re += (*s * sin_turns(t + 0.25)) as f64;
                        im += (*s * sin_turns(t)) as f64;
                    }
                    re * re + im * im
                };
                power(**a).total_cmp(&power(**b))
            })
            .unwrap()
    }

    #[test]
    fn every_sound_plays_its_pitch_and_stays_in_range() {
        let tone = Tone {
            bright: 0.5,
            drive: 0.0,
        };
        for sound in Sound::ALL.into_iter().filter(|s| *s != Sound::Drums) {
            let pitch = if matches!(
                sound,
                Sound::SubBass
                    | Sound::SawBass
                    | Sound::FmBass
                    | Sound::Reese
                    | Sound::Tuba
                    | Sound::AcousticBass
                    | Sound::ElectricBass
            ) {
                45
            } else if matches!(
                sound,
                Sound::Cello | Sound::DistortedGuitar | Sound::Trombone
            ) {
                52
            } else {
                69
            };
            let (score, part) = score_with(sound, pitch);
            let st = render_part(&part, &score, 44_100, 44_100 * 2, tone, 1);
            let peak = st[0]
                .iter()
                .chain(&st[1])
                .fold(0.0f32, |m, x| m.max(x.abs()));
            assert!(peak > 0.01 && peak < 1.5, "{sound:?} peak {peak}");
            assert!(st[0].iter().all(|x| x.is_finite()));
            let mono: Vec<f32> = st[0]
                .iter()
                .zip(&st[1])
                .map(|(a, b)| a + b)
                .skip(4_410)
                .take(4_410)
                .collect();
            let candidates: Vec<u8> = (pitch - 5..=pitch + 5).collect();
            assert_eq!(
                loudest_note(&mono, 44_100.0, &candidates),
                pitch,
                "{sound:?}"
            );
        }
    }
}
