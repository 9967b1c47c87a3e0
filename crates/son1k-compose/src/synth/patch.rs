//! The instrument table: each tonal sound's envelope, filter, vibrato and level, and the vowels'
//! formants.

use super::Tone;
use crate::style::Sound;

/// Amplitude envelope: linear attack, exponential decay to sustain, exponential release.
#[derive(Debug, Clone, Copy)]
pub(super) struct Adsr {
    pub(super) attack: f32,
    pub(super) decay: f32,
    pub(super) sustain: f32,
    pub(super) release: f32,
}

/// Oscillator and filter recipe of a tonal sound.
#[derive(Debug, Clone, Copy)]
pub(super) struct Patch {
    pub(super) amp: Adsr,
    /// Low-pass cutoff (Hz) at rest, envelope amount (Hz), envelope decay (s), resonance.
    pub(super) filter: Option<(f32, f32, f32, f32)>,
    /// Vibrato depth in semitones and rate in Hz.
    pub(super) vibrato: (f32, f32),
    pub(super) level: f32,
}

pub(super) fn patch(sound: Sound, tone: Tone) -> Patch {
    let b = tone.bright;
    let a = |attack, decay, sustain, release| Adsr {
        attack,
        decay,
        sustain,
        release,
    };
    let p = |amp, filter, vibrato, level| Patch {
        amp,
        filter,
        vibrato,
        level,
    };
    match sound {
        Sound::SubBass => p(a(0.004, 1.2, 0.6, 0.12), None, (0.0, 0.0), 0.9),
        Sound::SawBass => p(
            a(0.003, 0.25, 0.7, 0.06),
            Some((180.0 + 220.0 * b, 900.0 + 1800.0 * b, 0.18, 0.35)),
            (0.0, 0.0),
            0.55,
        ),
        Sound::FmBass => p(a(0.003, 0.6, 0.5, 0.08), None, (0.0, 0.0), 0.75),
        Sound::Reese => p(
            a(0.01, 1.0, 0.85, 0.1),
            Some((350.0 + 400.0 * b, 300.0, 0.5, 0.25)),
            (0.0, 0.0),
            0.5,
        ),
        Sound::Piano => p(a(0.002, 1.4, 0.0, 0.1), None, (0.0, 0.0), 0.42),
        Sound::ElectricPiano => p(a(0.002, 1.8, 0.0, 0.2), None, (0.0, 0.0), 0.45),
        Sound::Organ => p(a(0.01, 0.1, 0.9, 0.08), None, (0.05, 6.0), 0.22),
        Sound::Clav => p(
            a(0.001, 0.25, 0.0, 0.05),
            Some((700.0, 2500.0 + 2500.0 * b, 0.08, 0.5)),
            (0.0, 0.0),
            0.35,
        ),
        Sound::Pluck => p(
            a(0.002, 0.35, 0.0, 0.12),
            Some((350.0, 2500.0 + 3500.0 * b, 0.12, 0.3)),
            (0.0, 0.0),
            0.38,
        ),
        Sound::PowerGuitar => p(
            a(0.003, 1.5, 0.6, 0.08),
            Some((1800.0 + 1800.0 * b, 0.0, 0.1, 0.2)),
            (0.0, 0.0),
            0.3,
        ),
        Sound::NylonGuitar => p(a(0.001, 1.2, 0.0, 0.15), None, (0.0, 0.0), 0.6),
        Sound::SawPad => p(
            a(0.35, 1.0, 0.85, 0.7),
            Some((900.0 + 1600.0 * b, 300.0, 1.0, 0.15)),
            (0.06, 4.5),
            0.16,
        ),
        Sound::StringPad => p(
            a(0.28, 1.0, 0.9, 0.6),
            Some((1500.0 + 2200.0 * b, 0.0, 1.0, 0.1)),
            (0.08, 5.2),
            0.15,
        ),
        Sound::SawLead => p(
            a(0.01, 0.4, 0.8, 0.12),
            Some((1200.0 + 2500.0 * b, 1200.0, 0.2, 0.3)),
            (0.15, 5.5),
            0.3,
        ),
        Sound::SquareLead => p(
            a(0.005, 0.3, 0.75, 0.1),
            Some((1500.0 + 2500.0 * b, 800.0, 0.15, 0.2)),
            (0.1, 5.5),
            0.3,
        ),
        Sound::Bell => p(a(0.001, 1.3, 0.0, 0.4), None, (0.0, 0.0), 0.35),
        Sound::Flute => p(a(0.06, 0.5, 0.85, 0.12), None, (0.2, 5.0), 0.45),
        Sound::Brass => p(
            a(0.03, 0.4, 0.8, 0.1),
            Some((400.0, 1800.0 + 2200.0 * b, 0.12, 0.15)),
            (0.12, 5.0),
            0.32,
        ),
        Sound::Acid => p(
            a(0.002, 0.3, 0.6, 0.05),
            Some((250.0 + 250.0 * b, 2500.0 + 2500.0 * b, 0.14, 0.85)),
            (0.0, 0.0),
            0.3,
        ),
        Sound::Accordion => p(
            a(0.05, 0.3, 0.9, 0.08),
            Some((2200.0 + 1500.0 * b, 0.0, 1.0, 0.1)),
            (0.0, 0.0),
            0.2,
        ),
        Sound::Voice => p(a(0.05, 0.4, 0.85, 0.12), None, (0.25, 5.3), 0.9),
        Sound::Drums => p(a(0.001, 0.1, 0.0, 0.01), None, (0.0, 0.0), 0.0),
        // Plucked strings decay by themselves (Karplus–Strong); the envelope only damps them
        // when the note ends (a palm mute is a short note with a quick release).
        Sound::SteelGuitar => p(a(0.001, 3.0, 0.0, 0.12), None, (0.0, 0.0), 0.5),
        Sound::CleanGuitar => p(a(0.001, 2.5, 0.0, 0.08), None, (0.0, 0.0), 0.5),
        Sound::DistortedGuitar => p(a(0.002, 4.0, 0.7, 0.05), None, (0.0, 0.0), 0.22),
        Sound::Harp => p(a(0.001, 4.0, 0.0, 0.5), None, (0.0, 0.0), 0.55),
        // Brass: the filter opens with the attack and with velocity.
        Sound::Trumpet => p(
            a(0.025, 0.5, 0.8, 0.08),
            Some((700.0 + 600.0 * b, 2600.0 + 1800.0 * b, 0.18, 0.2)),
            (0.1, 5.5),
            0.3,
        ),
        Sound::Trombone => p(
            a(0.04, 0.5, 0.8, 0.1),
            Some((450.0 + 400.0 * b, 1800.0 + 1200.0 * b, 0.22, 0.2)),
            (0.06, 5.0),
            0.32,
        ),
        Sound::Horn => p(
            a(0.06, 0.6, 0.85, 0.15),
            Some((350.0 + 250.0 * b, 900.0 + 700.0 * b, 0.3, 0.1)),
            (0.05, 5.0),
            0.34,
        ),
        Sound::Tuba => p(
            a(0.03, 0.4, 0.8, 0.08),
            Some((220.0 + 150.0 * b, 600.0 + 400.0 * b, 0.15, 0.15)),
            (0.0, 0.0),
            0.6,
        ),
        // Bowed strings: a slow attack, vibrato, a darker section.
        Sound::Violin => p(
            a(0.12, 0.5, 0.9, 0.25),
            Some((2200.0 + 2500.0 * b, 600.0, 0.3, 0.15)),
            (0.18, 5.6),
            0.2,
        ),
        Sound::Cello => p(
            a(0.14, 0.5, 0.9, 0.3),
            Some((1100.0 + 1200.0 * b, 400.0, 0.3, 0.15)),
            (0.14, 5.0),
            0.3,
        ),
        Sound::StringSection => p(
            a(0.3, 1.0, 0.9, 0.5),
            Some((1600.0 + 2200.0 * b, 400.0, 0.5, 0.1)),
            (0.1, 5.3),
            0.13,
        ),
        Sound::Sax => p(
            a(0.03, 0.4, 0.85, 0.1),
            Some((1400.0 + 2000.0 * b, 1500.0, 0.2, 0.2)),
            (0.15, 5.2),
            0.3,
        ),
        Sound::Oboe => p(
            a(0.04, 0.4, 0.85, 0.1),
            Some((2600.0 + 1500.0 * b, 0.0, 1.0, 0.2)),
            (0.12, 5.5),
            0.22,
        ),
        Sound::Clarinet => p(
            a(0.04, 0.4, 0.85, 0.1),
            Some((1500.0 + 1500.0 * b, 0.0, 1.0, 0.1)),
            (0.06, 5.0),
            0.3,
        ),
        Sound::AcousticBass => p(a(0.002, 2.5, 0.0, 0.1), None, (0.0, 0.0), 1.7),
        Sound::ElectricBass => p(a(0.002, 3.0, 0.0, 0.07), None, (0.0, 0.0), 1.6),
        Sound::Marimba => p(a(0.001, 0.6, 0.0, 0.3), None, (0.0, 0.0), 0.45),
    }
}

/// Formant frequencies (Hz) and gains for the sung vowels.
pub(super) fn formants(vowel: char) -> [(f32, f32); 3] {
    match vowel {
        'a' => [(800.0, 1.0), (1150.0, 0.5), (2900.0, 0.15)],
        'e' => [(400.0, 1.0), (1700.0, 0.4), (2600.0, 0.2)],
        'i' => [(300.0, 1.0), (2200.0, 0.25), (3000.0, 0.15)],
        'o' => [(450.0, 1.0), (800.0, 0.6), (2830.0, 0.1)],
        _ => [(325.0, 1.0), (700.0, 0.3), (2530.0, 0.08)],
    }
}
