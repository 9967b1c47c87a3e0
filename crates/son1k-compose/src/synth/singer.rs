//! The sung voice: a formant (source–filter) singer that sings each note's syllable — its onset
//! consonants, its vowel or diphthong and its coda — from the phonemes of the one lyric text
//! model ([`son1k_text::Phone`]), on the melody's pitches.
//!
//! **Method.** Formant synthesis in the manner of Klatt's synthesizer, chosen because it needs
//! no voicebank files, works offline and sings any lyric in Spanish or English as soon as the
//! text model has its phonemes; a concatenative singer (an UTAU/OpenUtau voicebank loader, or a
//! voicebank recorded on the Voice screen) would sound more human and is future work.
//!
//! - **Source**: a Rosenberg glottal pulse (open phase 40 %, closing 16 % of the period), taken
//!   as its derivative (lip radiation), so the spectrum falls about 6 dB an octave; aspiration
//!   noise gated by the open phase for a little breath in every vowel.
//! - **Tract**: five cascaded two-pole resonators (F1–F5 with their bandwidths) and a nasal
//!   pole–zero pair, whose frequencies glide toward each phoneme's targets (about 15 ms), so
//!   consonant–vowel transitions and diphthongs move smoothly.
//! - **Consonants**: fricatives as noise through a band-pass in parallel with the tract (`s`
//!   around 6.5 kHz, `sh` 3.2 kHz, `f`/`th` broad and soft, `x` velar; voiced ones with voicing
//!   underneath), `h` as aspiration through the tract; plosives as closure (silence, or a low
//!   voice bar when voiced), a burst at the place's frequency and, when voiceless, aspiration;
//!   `ch`/`jh` as closure then `sh`-noise; nasals with a low murmur formant and an antiformant at
//!   the place's frequency; `l`; the Spanish tap `r` (one short dip) and trill `rr` (three dips
//!   at 25 Hz); the English `rx` with its low F3; glides `y`/`w` as brief i/u-like targets.
//! - **Timing**: onset consonants start before the note (a 40–180 ms lead-in, at most 45 % of the
//!   previous note) so that the vowel lands on the beat; codas close the note (at most 35 % of
//!   it); a diphthong's glide vowels take about 70 ms each and the held vowel the rest.
//! - **Expression**: legato (notes that touch are sung without a gap and the pitch glides,
//!   ~40 ms), a small scoop into a note after a rest, vibrato that grows in after 250 ms
//!   (5.4 Hz, up to ±0.4 semitone), a slight pitch drift, and an inhaled breath before a phrase
//!   after a rest of more than 0.35 s.

use std::f32::consts::PI;

use son1k_text::phoneme::held;
use son1k_text::{Manner, Phone};

use super::{pan_to_stereo, Stereo, Tone};
use crate::dsp;
use crate::rng::Noise;
use crate::score::{Note, Part, Score};

mod filters;
use filters::{AntiReso, BandPass, Reso};

/// Level of the parallel high branch relative to the source (see `presence`).
const PRESENCE: f32 = 4.5;

/// Samples between updates of pitch and filter coefficients.
const BLK: usize = 32;

/// What the voice does at one instant: the targets a phoneme sets.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Target {
    /// F1–F3 in Hz (F4, F5 follow from F3).
    f: [f32; 3],
    /// Voicing amplitude 0–1.
    voice: f32,
    /// Aspiration through the tract 0–1.
    asp: f32,
    /// Frication amplitude (parallel band-pass noise).
    fric: f32,
    /// Frication band centre and width, Hz.
    fric_f: f32,
    fric_bw: f32,
    /// Antiformant frequency when nasal (0 = not nasal).
    nasal: f32,
}

const SILENT: Target = Target {
    f: [500.0, 1500.0, 2500.0],
    voice: 0.0,
    asp: 0.0,
    fric: 0.0,
    fric_f: 3000.0,
    fric_bw: 3000.0,
    nasal: 0.0,
};

/// A vowel's first three formants (Hz), between a tenor's and an alto's.
fn vowel_formants(p: Phone) -> [f32; 3] {
    match p {
        Phone::A => [760.0, 1300.0, 2600.0],
        Phone::Ae => [700.0, 1700.0, 2500.0],
        Phone::Ax => [620.0, 1250.0, 2550.0],
        Phone::E => [470.0, 1950.0, 2650.0],
        Phone::Eh => [580.0, 1780.0, 2550.0],
        Phone::Er => [480.0, 1350.0, 1700.0],
        Phone::I => [300.0, 2300.0, 3000.0],
        Phone::Ih => [420.0, 2000.0, 2650.0],
        Phone::O => [480.0, 880.0, 2500.0],
        Phone::Oh => [590.0, 900.0, 2550.0],
        Phone::U => [330.0, 780.0, 2300.0],
        Phone::Uh => [450.0, 1050.0, 2350.0],
        // Consonants take their place's locus (below); a vowel table lookup never gets them.
        _ => [500.0, 1500.0, 2500.0],
    }
}

/// The formant locus of a consonant's place of articulation.
fn locus(p: Phone) -> [f32; 3] {
    use Phone::*;
    match p {
        P | B | M | F | V | W => [300.0, 900.0, 2300.0],
        T | D | N | S | Z | L | R | Rr | Th | Dh => [350.0, 1700.0, 2700.0],
        K | G | Ng | X => [330.0, 1950.0, 2300.0],
        Sh | Zh | Ch | Jh | Ny | Y => [300.0, 2100.0, 2800.0],
        Rx => [350.0, 1100.0, 1600.0],
        H => [600.0, 1400.0, 2500.0],
        v => vowel_formants(v),
    }
}

/// The frication band of a fricative, affricate or burst: (centre Hz, width Hz, amplitude).
fn noise_band(p: Phone) -> (f32, f32, f32) {
    use Phone::*;
    match p {
        S | Z => (6500.0, 4500.0, 0.9),
        Sh | Zh | Ch | Jh => (3200.0, 2200.0, 0.8),
        F | V => (6000.0, 8000.0, 0.28),
        Th | Dh => (6800.0, 8000.0, 0.22),
        X => (1800.0, 1400.0, 0.45),
        H => (2500.0, 4000.0, 0.1),
        P | B => (1200.0, 2500.0, 0.5),
        T | D => (4500.0, 3500.0, 0.8),
        K | G => (2600.0, 1800.0, 0.7),
        _ => (3000.0, 3000.0, 0.0),
    }
}

/// How long a consonant lasts, in seconds, before it is fitted to the room it has.
fn duration(p: Phone) -> f32 {
    use Phone::*;
    match p {
        S | Sh | Z | Zh => 0.09,
        F | V | Th | Dh | X => 0.075,
        H => 0.06,
        Ch | Jh => 0.095,
        R => 0.03,
        Rr => 0.085,
        L | Rx => 0.055,
        Y | W => 0.05,
        M | N | Ny | Ng => 0.065,
        _ => 0.07, // plosives
    }
}

/// The targets of phoneme `p` at `u` (0–1) through its segment, `secs` into it.
fn target(p: Phone, u: f32, secs: f32) -> Target {
    let voiced = p.voiced();
    let f = locus(p);
    let (ff, fbw, famp) = noise_band(p);
    let base = Target {
        f,
        fric_f: ff,
        fric_bw: fbw,
        ..SILENT
    };
    match p.manner() {
        Manner::Vowel => Target {
            f: vowel_formants(p),
            voice: 1.0,
            asp: 0.025,
            ..base
        },
        Manner::Fricative if p == Phone::H => Target {
            asp: 0.55,
            fric: famp,
            ..base
        },
        Manner::Fricative => Target {
            voice: if voiced { 0.45 } else { 0.0 },
            fric: famp * if voiced { 0.55 } else { 1.0 },
            asp: if p == Phone::X { 0.2 } else { 0.0 },
            ..base
        },
        Manner::Plosive => {
            if u < 0.55 {
                // Closure: silence, or the voice bar of a voiced stop.
                Target {
                    voice: if voiced { 0.12 } else { 0.0 },
                    ..base
                }
            } else if u < 0.7 {
                Target {
                    fric: famp,
                    voice: if voiced { 0.3 } else { 0.0 },
                    ..base
                }
            } else if voiced {
                Target { voice: 0.8, ..base }
            } else {
                Target {
                    asp: 0.45,
                    fric: famp * 0.15,
                    ..base
                }
            }
        }
        Manner::Affricate => {
            let (sf, sbw, samp) = noise_band(Phone::Sh);
            if u < 0.4 {
                Target {
                    voice: if voiced { 0.12 } else { 0.0 },
                    ..base
                }
            } else {
                Target {
                    voice: if voiced { 0.4 } else { 0.0 },
                    fric: samp,
                    fric_f: sf,
                    fric_bw: sbw,
                    ..base
                }
            }
        }
        Manner::Nasal => {
            let zero = match p {
                Phone::M => 1000.0,
                Phone::N => 1500.0,
                Phone::Ny => 1900.0,
                _ => 2300.0,
            };
            Target {
                f: [280.0, f[1], f[2]],
                voice: 0.6,
                nasal: zero,
                ..base
            }
        }
        Manner::Liquid => {
            let voice = match p {
                // A tap: one quick dip of the voice.
                Phone::R => 1.0 - 0.7 * libm::sinf(PI * u.clamp(0.0, 1.0)),
                // A trill: the tongue beats about 25 times a second.
                Phone::Rr => 0.5 + 0.4 * libm::cosf(2.0 * PI * 25.0 * secs),
                _ => 0.8,
            };
            let f = match p {
                Phone::L => [360.0, 1300.0, 2700.0],
                Phone::Rx => f,
                _ => [420.0, 1500.0, 2300.0],
            };
            Target { f, voice, ..base }
        }
        Manner::Glide => Target {
            f: if p == Phone::Y {
                [280.0, 2250.0, 2950.0]
            } else {
                [320.0, 700.0, 2300.0]
            },
            voice: 0.85,
            ..base
        },
    }
}

/// What sounds in one stretch of time.
#[derive(Debug, Clone, Copy)]
enum What {
    Phone(Phone),
    /// An inhaled breath before a phrase.
    Breath,
}

/// One stretch of the sung line: samples `[start, end)`, what sounds, the note it belongs to.
#[derive(Debug, Clone, Copy)]
struct Seg {
    start: usize,
    end: usize,
    what: What,
    note: usize,
}

/// The phonemes of a note: its own, else its vowel, else "a".
fn note_phones(n: &Note) -> (Vec<Phone>, Vec<Phone>, Vec<Phone>) {
    if let Some(p) = n.phones {
        if !p.nucleus().is_empty() {
            return (p.onset().to_vec(), p.nucleus().to_vec(), p.coda().to_vec());
        }
    }
    let v = match n.vowel {
        Some('e') => Phone::E,
        Some('i') => Phone::I,
        Some('o') => Phone::O,
        Some('u') => Phone::U,
        _ => Phone::A,
    };
    (Vec::new(), vec![v], Vec::new())
}

/// Lays the notes' phonemes out in time (seconds → samples): onsets before each note, codas at
/// its end, breaths before phrases.
fn plan(notes: &[Note], spb: f64, sr: f64) -> Vec<Seg> {
    let phones: Vec<_> = notes.iter().map(note_phones).collect();
    let t0: Vec<f64> = notes.iter().map(|n| n.start * spb).collect();
    // Lead-in of each note's onset, fitted into the time the previous note leaves.
    let lead: Vec<f64> = (0..notes.len())
        .map(|i| {
            let want: f64 = phones[i].0.iter().map(|p| duration(*p) as f64).sum();
            let room = if i == 0 {
                t0[0]
            } else {
                0.45 * (t0[i] - t0[i - 1])
            };
            want.min(room).clamp(0.0, 0.18)
        })
        .collect();
    let mut segs = Vec::new();
    let to_s = |t: f64| (t.max(0.0) * sr).round() as usize;
    let mut prev_end = 0.0f64;
    for (i, n) in notes.iter().enumerate() {
        let (onset, nucleus, coda) = &phones[i];
        let start = t0[i];
        let mut end = start + n.dur * spb;
        if let Some(&next) = t0.get(i + 1) {
            end = end.min(next - lead[i + 1]);
        }
        if end <= start {
            end = start + 0.03;
        }
        let onset_start = start - lead[i];
        // A breath before a phrase that follows a rest.
        let rest = onset_start - prev_end;
        if rest > 0.35 {
            let b = (rest * 0.6).min(0.35);
            segs.push(Seg {
                start: to_s(onset_start - b - 0.03),
                end: to_s(onset_start - 0.03),
                what: What::Breath,
                note: i,
            });
        }
        // Onset, scaled to its lead-in.
        let want: f64 = onset.iter().map(|p| duration(*p) as f64).sum();
        let scale = if want > 0.0 { lead[i] / want } else { 0.0 };
        let mut t = onset_start;
        for p in onset {
            let d = duration(*p) as f64 * scale;
            segs.push(Seg {
                start: to_s(t),
                end: to_s(t + d),
                what: What::Phone(*p),
                note: i,
            });
            t += d;
        }
        // Coda at the end of the note.
        let len = end - start;
        let coda_want: f64 = coda.iter().map(|p| duration(*p) as f64).sum();
        let coda_len = coda_want.min(0.35 * len);
        let vowel_end = end - coda_len;
        // Nucleus: glide vowels ~70 ms, the held one the rest.
        let h = held(nucleus);
        let vlen = vowel_end - start;
        let glide = (0.07f64).min(vlen * 0.5 / nucleus.len().max(1) as f64);
        let mut t = start;
        for (k, p) in nucleus.iter().enumerate() {
            let d = if k == h {
                vlen - glide * (nucleus.len() - 1) as f64
            } else {
                glide
            };
            segs.push(Seg {
                start: to_s(t),
                end: to_s(t + d),
                what: What::Phone(*p),
                note: i,
            });
            t += d;
        }
        let scale = if coda_want > 0.0 {
            coda_len / coda_want
        } else {
            0.0
        };
        let mut t = vowel_end;
        for p in coda {
            let d = duration(*p) as f64 * scale;
            segs.push(Seg {
                start: to_s(t),
                end: to_s(t + d),
                what: What::Phone(*p),
                note: i,
            });
            t += d;
        }
        prev_end = end;
    }
    segs.retain(|s| s.end > s.start);
    segs
}

/// Renders a sung part (monophonic: each note ends where the next one's onset begins) to a
/// stereo stem of `frames` frames at `sr` Hz.
pub(super) fn render_singer(
    part: &Part,
    score: &Score,
    sr: u32,
    frames: usize,
    tone: Tone,
    seed: u64,
) -> Stereo {
    let srf = sr as f32;
    let spb = score.beat_seconds();
    let mut notes = part.notes.clone();
    notes.sort_by(|a, b| a.start.total_cmp(&b.start));
    let segs = plan(&notes, spb, sr as f64);
    let mut out = vec![0.0f32; frames];
    let mut noise = Noise::new(seed ^ 0x51_4e_6e_72);
    let gain = dsp::db(part.gain_db) * 0.16;

    let mut tract = [Reso::default(); 5];
    let mut nasal_pole = Reso::default();
    let mut nasal_zero = AntiReso::default();
    let mut fric_bp = BandPass::default();
    // The bypass of Klatt's parallel branch: the source's top octaves (F4–F6 region), which
    // the cascade alone rolls off too steeply, so vowels keep an air of presence.
    let mut presence = BandPass::default();
    presence.set(5200.0, 5000.0, srf);
    let mut cur = SILENT;
    let (mut voice, mut asp, mut fric) = (0.0f32, 0.0f32, 0.0f32);
    let mut lf0 = libm::logf(220.0);
    let mut phase = 0.0f32;
    let mut g_prev = 0.0f32;
    let mut drift = 0.0f32;
    let mut seg_i = 0usize;
    let mut amp = 0.0f32;
    let k_formant = 1.0 - libm::expf(-(BLK as f32) / (0.015 * srf));
    let k_pitch = 1.0 - libm::expf(-(BLK as f32) / (0.04 * srf));
    let k_voice = 1.0 - libm::expf(-1.0 / (0.006 * srf));
    let k_fric = 1.0 - libm::expf(-1.0 / (0.0015 * srf));
    // A brighter voice with Expressivity: less of the top is filtered off the source.
    let mut tilt = dsp::OnePole::new(5000.0 + 6000.0 * tone.bright, srf);
    let last_note_end = notes
        .last()
        .map_or(0, |n| ((n.start + n.dur) * spb * sr as f64) as usize);
    let end = (segs.last().map_or(0, |s| s.end).max(last_note_end) + sr as usize / 4).min(frames);

    let mut pos = 0usize;
    let mut prev_note: Option<usize> = None;
    while pos < end {
        let n = BLK.min(end - pos);
        while seg_i < segs.len() && segs[seg_i].end <= pos {
            seg_i += 1;
        }
        let seg = segs.get(seg_i).filter(|s| s.start <= pos);
        // Targets for the block.
        let (tgt, note_i) = match seg {
            Some(s) => {
                let len = (s.end - s.start).max(1) as f32;
                let u = (pos - s.start) as f32 / len;
                let secs = (pos - s.start) as f32 / srf;
                let t = match s.what {
                    What::Phone(p) => target(p, u, secs),
                    What::Breath => Target {
                        fric: 0.1 * libm::sinf(PI * u),
                        fric_f: 1800.0,
                        fric_bw: 3000.0,
                        asp: 0.12 * libm::sinf(PI * u),
                        ..SILENT
                    },
                };
                (t, Some(s.note))
            }
            None => (Target { f: cur.f, ..SILENT }, None),
        };
        // Formants glide; during silence they keep where they were.
        for k in 0..3 {
            cur.f[k] += (tgt.f[k] - cur.f[k]) * k_formant;
        }
        cur.nasal = tgt.nasal;
        let bws = [70.0, 95.0, 140.0, 220.0, 300.0];
        let fs = [
            cur.f[0],
            cur.f[1],
            cur.f[2],
            (cur.f[2] + 900.0).max(3400.0),
            (cur.f[2] + 1800.0).max(4300.0),
        ];
        for ((r, f), bw) in tract.iter_mut().zip(fs).zip(bws) {
            r.set(f, bw, srf);
        }
        nasal_pole.set(270.0, 100.0, srf);
        let zero = if tgt.nasal > 0.0 { tgt.nasal } else { 270.0 };
        nasal_zero.set(zero, if tgt.nasal > 0.0 { 200.0 } else { 100.0 }, srf);
        fric_bp.set(tgt.fric_f, tgt.fric_bw, srf);
        // Pitch: the note's, gliding from the last one; vibrato after 250 ms of the vowel.
        let mut vib = 0.0f32;
        if let Some(i) = note_i {
            let note = &notes[i];
            let target_lf = libm::logf(dsp::midi_hz(note.pitch as f32));
            let fresh = prev_note.is_none_or(|p| {
                let pe = (notes[p].start + notes[p].dur) * spb;
                note.start * spb - pe > 0.3
            });
            if prev_note != Some(i) {
                if fresh {
                    // After a rest: a small scoop up into the note.
                    lf0 = target_lf - 0.035;
                }
                prev_note = Some(i);
            }
            lf0 += (target_lf - lf0) * k_pitch;
            let since = (pos as f64 / sr as f64 - note.start * spb) as f32;
            let grow = ((since - 0.25) / 0.35).clamp(0.0, 1.0);
            vib = 0.4 * grow * libm::sinf(2.0 * PI * 5.4 * since) / 12.0 * std::f32::consts::LN_2;
            amp = 0.45 + 0.55 * note.vel.clamp(0.0, 1.0);
        }
        drift += (noise.sample() * 0.004 - drift) * 0.02;
        let f0 = libm::expf(lf0 + vib + drift);
        let dt = f0 / srf;
        for i in 0..n {
            voice += (tgt.voice - voice) * k_voice;
            asp += (tgt.asp - asp) * k_voice;
            fric += (tgt.fric - fric) * k_fric;
            // Rosenberg pulse and its derivative.
            phase += dt;
            if phase >= 1.0 {
                phase -= 1.0;
            }
            let g = if phase < 0.4 {
                0.5 * (1.0 - libm::cosf(PI * phase / 0.4))
            } else if phase < 0.56 {
                libm::cosf(0.5 * PI * (phase - 0.4) / 0.16)
            } else {
                0.0
            };
            let dg = (g - g_prev) / dt.max(1e-4) * 0.1;
            g_prev = g;
            let wn = noise.sample();
            let src = tilt.step(dg) * voice + wn * (asp + 0.04 * voice * g);
            let mut y = src;
            for r in tract.iter_mut() {
                y = r.step(y);
            }
            let y = nasal_zero.step(nasal_pole.step(y)) + presence.step(dg) * voice * PRESENCE;
            // Frication is made at the teeth: in parallel, not through the tract; voiced
            // fricatives buzz with the glottis.
            let buzz = if tgt.voice > 0.0 { 0.6 + 0.8 * g } else { 1.0 };
            let s = y * 0.25 + fric_bp.step(wn) * fric * buzz * 1.1;
            out[pos + i] += s * amp * gain;
        }
        pos += n;
    }
    pan_to_stereo(out, part.pan, part.sound, sr)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::score::{Role, SungPhones};
    use crate::style::Sound;
    use son1k_analysis::spectrum::Spectrogram;
    use son1k_core::{Key, Lang, Mode, PitchClass};

    const SR: u32 = 44_100;

    /// A part singing `line`'s syllables, one per beat at 120 BPM, on `pitches` in turn.
    fn sung_line(line: &str, lang: Lang, pitches: &[u8]) -> (Score, Part) {
        let notes: Vec<Note> = son1k_text::syllables(line, lang)
            .iter()
            .enumerate()
            .map(|(i, s)| Note {
                start: 0.5 + i as f64,
                dur: 0.95,
                pitch: pitches[i % pitches.len()],
                vel: 0.8,
                vowel: Some(s.vowel),
                phones: Some(SungPhones::new(&s.onset, &s.nucleus, &s.coda)),
            })
            .collect();
        let beats = notes.len() as f64 + 1.5;
        let part = Part {
            name: "vocal".into(),
            role: Role::Vocal,
            sound: Sound::Voice,
            pan: 0.0,
            gain_db: -3.0,
            notes,
        };
        let score = Score {
            bpm: 120,
            key: Key::new(PitchClass::new(0), Mode::Major),
            beats_per_bar: 4,
            sections: vec![],
            chords: vec![],
            parts: vec![part.clone()],
            syllables: vec![],
            total_beats: beats,
            seconds: beats * 0.5,
        };
        (score, part)
    }

    fn render(score: &Score, part: &Part) -> Vec<f32> {
        let tone = Tone {
            bright: 0.5,
            drive: 0.0,
        };
        let frames = (score.seconds * SR as f64) as usize;
        let st = render_part_for_test(part, score, frames, tone);
        st[0].iter().zip(&st[1]).map(|(a, b)| a + b).collect()
    }

    fn render_part_for_test(part: &Part, score: &Score, frames: usize, tone: Tone) -> Stereo {
        // Through the synth's door, as a song renders it.
        super::super::render_part(part, score, SR, frames, tone, 7)
    }

    /// Energy above 4 kHz over all energy, from a 2048-point spectrogram.
    fn hf_share(x: &[f32]) -> f64 {
        let spec = Spectrogram::compute(x, SR, 2048, 512);
        let (mut hi, mut all) = (0.0f64, 0.0f64);
        for frame in &spec.mags {
            for (k, m) in frame.iter().enumerate() {
                let e = (*m as f64) * (*m as f64);
                all += e;
                if spec.bin_hz(k) > 4000.0 {
                    hi += e;
                }
            }
        }
        hi / all.max(1e-20)
    }

    #[test]
    fn sibilants_put_speech_like_energy_above_4_khz() {
        let (score, part) = sung_line(
            "Siempre sueñas con esas estrellas del sur",
            Lang::Es,
            &[60, 62, 64, 65, 67],
        );
        let x = render(&score, &part);
        let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(peak > 0.05 && peak < 1.5, "peak {peak}");
        let share = hf_share(&x);
        eprintln!("sung high-frequency share (es): {:.2} %", share * 100.0);
        assert!(share >= 0.03, "HF share {:.2} %", share * 100.0);
        let (score, part) = sung_line(
            "She says it's so nice to see the stars",
            Lang::En,
            &[57, 60],
        );
        let share_en = hf_share(&render(&score, &part));
        eprintln!("sung high-frequency share (en): {:.2} %", share_en * 100.0);
        assert!(share_en >= 0.03, "HF share {:.2} %", share_en * 100.0);
        // Without its consonants the same line is dull: the share comes from the consonants.
        let (score, mut part) = sung_line(
            "Siempre sueñas con esas estrellas del sur",
            Lang::Es,
            &[60, 62, 64, 65, 67],
        );
        for n in part.notes.iter_mut() {
            n.phones = None;
        }
        let vowels_only = hf_share(&render(&score, &part));
        eprintln!("vowels only: {:.3} %", vowels_only * 100.0);
        assert!(vowels_only * 2.0 < share, "{vowels_only} vs {share}");
    }

    /// The period (in samples) with the highest normalised autocorrelation in 70–600 Hz.
    fn f0_of(x: &[f32]) -> f32 {
        let (lo, hi) = ((SR / 600) as usize, (SR / 70) as usize);
        let n = x.len() - hi;
        let r: Vec<f32> = (lo..hi)
            .map(|lag| (0..n).map(|i| x[i] * x[i + lag]).sum())
            .collect();
        let max = r.iter().fold(f32::MIN, |m, v| m.max(*v));
        // The shortest period that correlates nearly as well as the best (not its multiples):
        // the first peak above 90 % of the maximum.
        let k = (1..r.len() - 1)
            .find(|&k| r[k] >= 0.9 * max && r[k] >= r[k - 1] && r[k] >= r[k + 1])
            .unwrap();
        SR as f32 / (lo + k) as f32
    }

    #[test]
    fn the_voice_sings_the_notes_pitch_with_legato_between() {
        for pitch in [52u8, 57, 64, 69] {
            let (score, part) = sung_line("la ma", Lang::Es, &[pitch, pitch + 5]);
            let x = render(&score, &part);
            // The first vowel from 60 ms after the beat, before the vibrato grows in.
            let at = (0.25 + 0.06) * SR as f64;
            let win = &x[at as usize..at as usize + 4096];
            let f0 = f0_of(win);
            let want = dsp::midi_hz(pitch as f32);
            assert!(
                (f0 / want - 1.0).abs() < 0.03,
                "MIDI {pitch}: {f0} Hz vs {want}"
            );
            // The second note, a fourth up.
            let at = (0.75 + 0.1) * SR as f64;
            let f0 = f0_of(&x[at as usize..at as usize + 4096]);
            let want = dsp::midi_hz(pitch as f32 + 5.0);
            assert!(
                (f0 / want - 1.0).abs() < 0.03,
                "MIDI {}: {f0} Hz vs {want}",
                pitch + 5
            );
            // Legato: the voice does not stop between the two notes (the "m" is voiced).
            let gap = &x[(0.70 * SR as f64) as usize..(0.76 * SR as f64) as usize];
            let rms = (gap.iter().map(|v| v * v).sum::<f32>() / gap.len() as f32).sqrt();
            assert!(rms > 1e-3, "silence between legato notes: {rms}");
        }
    }

    #[test]
    fn onsets_lead_into_the_beat() {
        // "sa": the s sounds before the note's start, the vowel on it.
        let (score, part) = sung_line("sa", Lang::Es, &[60]);
        let x = render(&score, &part);
        let t = |s: f64| (s * SR as f64) as usize;
        let energy = |a: f64, b: f64| x[t(a)..t(b)].iter().map(|v| v * v).sum::<f32>();
        // Note at beat 0.5 = 0.25 s: the s in the 80 ms before it, nothing well before.
        assert!(energy(0.18, 0.25) > 50.0 * energy(0.0, 0.1).max(1e-9));
        let s = hf_share(&x[t(0.17)..t(0.17) + 2048]);
        let a = hf_share(&x[t(0.35)..t(0.35) + 4096]);
        assert!(s > 0.3 && a < 0.03, "s {s}, a {a}");
    }
}
