//! Named characters: each is a setting of the vocoder's controls and excitation, added to whatever
//! the user asked for explicitly.

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use son1k_audio::AudioBuffer;

use crate::vocoder::{shift_channel, Excitation};
use crate::{TransformParams, VoiceError};

/// A voice character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// The container name only names the type in the desktop bindings (the Generator has a `Preset`).
#[serde(rename = "VoicePreset", rename_all = "kebab-case")]
pub enum Preset {
    /// Three semitones lower with a longer vocal tract (formants down two semitones).
    Deeper,
    /// Two semitones higher with a shorter vocal tract (formants up three semitones).
    Brighter,
    /// The voice's envelope over breathy noise: no pitch left.
    Whisper,
    /// A monotone buzz at 110 Hz through the voice's spectrum.
    Robot,
    /// The voice plus three slightly detuned, delayed copies with their formants kept: a small choir.
    ChoirDouble,
}

impl Preset {
    /// Every preset, in the order menus show them.
    pub const ALL: [Preset; 5] = [
        Preset::Deeper,
        Preset::Brighter,
        Preset::Whisper,
        Preset::Robot,
        Preset::ChoirDouble,
    ];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Deeper => "deeper",
            Preset::Brighter => "brighter",
            Preset::Whisper => "whisper",
            Preset::Robot => "robot",
            Preset::ChoirDouble => "choir-double",
        }
    }

    /// Renders every channel of `input` as this character on top of `params`' controls.
    pub(crate) fn render(
        self,
        input: &AudioBuffer,
        params: &TransformParams,
        out_len: usize,
    ) -> Vec<Vec<f32>> {
        let rate = input.sample_rate;
        let one = |ch: &[f32], semis: f64, formant: f64, exc: Excitation| {
            shift_channel(
                ch,
                rate,
                params.semitones + semis,
                (params.formant + formant).clamp(-12.0, 12.0),
                params.stretch,
                exc,
                out_len,
            )
        };
        input
            .channels
            .iter()
            .enumerate()
            .map(|(c, ch)| match self {
                Preset::Deeper => one(ch, -3.0, -2.0, Excitation::Voice),
                Preset::Brighter => one(ch, 2.0, 3.0, Excitation::Voice),
                Preset::Whisper => one(ch, 0.0, 0.0, Excitation::Whisper { seed: 7 + c as u64 }),
                Preset::Robot => one(ch, 0.0, 0.0, Excitation::Robot { hz: 110.0 }),
                Preset::ChoirDouble => choir(ch, rate, c, &one),
            })
            .collect()
    }
}

/// One channel through the vocoder: (samples, extra semitones, extra formant, excitation).
type Shifter<'a> = dyn Fn(&[f32], f64, f64, Excitation) -> Vec<f32> + 'a;

/// The dry voice and three copies detuned by ±8–15 cents and delayed 17–31 ms, each a little
/// quieter; stereo inputs get mirrored detunes per channel so the copies spread.
fn choir(ch: &[f32], rate: u32, channel: usize, one: &Shifter<'_>) -> Vec<f32> {
    let mut mix = one(ch, 0.0, 0.0, Excitation::Voice);
    let sign = if channel.is_multiple_of(2) { 1.0 } else { -1.0 };
    let voices = [(0.08, 0.017, 0.6), (-0.15, 0.023, 0.55), (0.12, 0.031, 0.5)];
    for (cents100, delay, gain) in voices {
        let copy = one(ch, sign * cents100, 0.0, Excitation::Voice);
        let d = (delay * f64::from(rate)) as usize;
        for (i, m) in mix.iter_mut().enumerate().skip(d) {
            *m += gain * copy[i - d];
        }
    }
    let peak_in = ch.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let peak_out = mix.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if peak_out > 1e-9 && peak_in > 0.0 {
        let g = (peak_in / peak_out).min(1.0);
        mix.iter_mut().for_each(|v| *v *= g);
    }
    mix
}

impl FromStr for Preset {
    type Err = VoiceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == key || (key == "choir" && *p == Preset::ChoirDouble))
            .ok_or_else(|| VoiceError::UnknownPreset(s.to_string()))
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
