//! Rendering parts through a General MIDI SoundFont (rustysynth), for realistic instruments.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustysynth::{SoundFont, Synthesizer, SynthesizerSettings};

use crate::score::{Part, Role, Score};
use crate::style::{Groove, Sound};
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

/// The smallest SoundFont the Generator plays through by default: a full General MIDI bank
/// (FluidR3_GM is 141 MB). Small banks such as TimGM6mb (6 MB) keep few, short samples, which
/// the built-in synthesizers beat; they are still used when asked for by name.
pub const FULL_BANK_BYTES: u64 = 30 * 1024 * 1024;

/// The first of `candidates` that is a file of at least `min_bytes`: the SoundFont the
/// Generator uses by default (with [`SYSTEM_SOUNDFONTS`] and [`FULL_BANK_BYTES`]).
pub fn find_full_soundfont(candidates: &[PathBuf], min_bytes: u64) -> Option<PathBuf> {
    candidates.iter().find_map(|p| {
        let meta = std::fs::metadata(p).ok()?;
        (meta.is_file() && meta.len() >= min_bytes).then(|| p.clone())
    })
}

/// Whether a part sounds better through a General MIDI SoundFont than through the built-in
/// synthesizers: acoustic and orchestral instruments, pianos, organs and acoustic or electric
/// basses do; the electronic sounds (sub and synth basses, leads, pads, plucks, acid, bells),
/// the amp-modelled guitars and the singer are the built-in synthesizers' own. Drums and hand
/// percussion are sampled for styles played on an acoustic kit, and stay the built-in drum
/// machine for the electronic ones (trap, reggaeton, house, techno, pop, R&B, ambient).
pub fn sampled(sound: Sound, role: Role, groove: Groove) -> bool {
    if role == Role::Drums {
        return !matches!(
            groove,
            Groove::Trap
                | Groove::Dembow
                | Groove::FourFloor
                | Groove::Techno
                | Groove::Ambient
                | Groove::Pop
                | Groove::RnB
                | Groove::None
        );
    }
    match sound {
        Sound::Piano
        | Sound::ElectricPiano
        | Sound::Organ
        | Sound::Clav
        | Sound::NylonGuitar
        | Sound::SteelGuitar
        | Sound::CleanGuitar
        | Sound::Flute
        | Sound::Brass
        | Sound::Accordion
        | Sound::Trumpet
        | Sound::Trombone
        | Sound::Sax
        | Sound::Violin
        | Sound::Cello
        | Sound::StringSection
        | Sound::Tuba
        | Sound::Horn
        | Sound::Oboe
        | Sound::Clarinet
        | Sound::Marimba
        | Sound::Harp
        | Sound::AcousticBass
        | Sound::ElectricBass => true,
        Sound::Drums
        | Sound::SubBass
        | Sound::SawBass
        | Sound::FmBass
        | Sound::Reese
        | Sound::Pluck
        | Sound::PowerGuitar
        | Sound::DistortedGuitar
        | Sound::SawPad
        | Sound::StringPad
        | Sound::SawLead
        | Sound::SquareLead
        | Sound::Bell
        | Sound::Acid
        | Sound::Voice => false,
    }
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
