//! Rendering parts through a General MIDI SoundFont (rustysynth), for realistic instruments.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustysynth::{SoundFont, Synthesizer, SynthesizerSettings};

use crate::score::{Part, Role, Score};
use crate::synth::Stereo;
use crate::ComposeError;

/// Where Debian and other systems install General MIDI SoundFonts, best first.
pub const SYSTEM_SOUNDFONTS: [&str; 5] = [
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/soundfonts/default.sf2",
];

/// The first installed system SoundFont.
pub fn find_system_soundfont() -> Option<PathBuf> {
    SYSTEM_SOUNDFONTS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// A loaded SoundFont.
pub struct Bank {
    font: Arc<SoundFont>,
    /// Where it was loaded from.
    pub path: PathBuf,
}

impl Bank {
    /// Loads and parses a `.sf2` file; a clear error when it is missing or not a SoundFont.
    pub fn load(path: &Path) -> Result<Self, ComposeError> {
        let file = File::open(path).map_err(|e| ComposeError::SoundFont {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let font =
            SoundFont::new(&mut BufReader::new(file)).map_err(|e| ComposeError::SoundFont {
                path: path.to_path_buf(),
                detail: format!("not a usable SoundFont: {e}"),
            })?;
        Ok(Bank {
            font: Arc::new(font),
            path: path.to_path_buf(),
        })
    }

    /// Renders one part (drums on channel 10) to a stereo stem.
    pub fn render_part(
        &self,
        part: &Part,
        score: &Score,
        sr: u32,
        frames: usize,
    ) -> Result<Stereo, ComposeError> {
        let mut settings = SynthesizerSettings::new(sr as i32);
        settings.enable_reverb_and_chorus = false;
        let mut synth =
            Synthesizer::new(&self.font, &settings).map_err(|e| ComposeError::SoundFont {
                path: self.path.clone(),
                detail: format!("synthesizer: {e}"),
            })?;
        let channel = if part.role == Role::Drums { 9 } else { 0 };
        if channel != 9 {
            synth.process_midi_message(channel, 0xC0, part.sound.gm_program() as i32, 0);
        }
        // Pan: controller 10.
        let pan = ((part.pan + 1.0) * 63.5).round().clamp(0.0, 127.0) as i32;
        synth.process_midi_message(channel, 0xB0, 10, pan);
        let spb = score.beat_seconds() * sr as f64;
        let mut events: Vec<(usize, bool, u8, u8)> = Vec::with_capacity(part.notes.len() * 2);
        for n in &part.notes {
            let on = (n.start * spb).round() as usize;
            let off = ((n.start + n.dur) * spb).round() as usize;
            let vel = ((n.vel * 127.0).round() as u8).clamp(1, 127);
            events.push((on, true, n.pitch, vel));
            events.push((off.max(on + 1), false, n.pitch, 0));
        }
        events.sort_by_key(|e| (e.0, e.1));
        let gain = crate::dsp::db(part.gain_db + 6.0);
        let mut left = vec![0.0f32; frames];
        let mut right = vec![0.0f32; frames];
        let mut pos = 0usize;
        for (at, on, key, vel) in events {
            let at = at.min(frames);
            if at > pos {
                synth.render(&mut left[pos..at], &mut right[pos..at]);
                pos = at;
            }
            if on {
                synth.note_on(channel, key as i32, vel as i32);
            } else {
                synth.note_off(channel, key as i32);
            }
        }
        if pos < frames {
            synth.render(&mut left[pos..], &mut right[pos..]);
        }
        for x in left.iter_mut().chain(right.iter_mut()) {
            *x *= gain;
        }
        Ok([left, right])
    }
}
