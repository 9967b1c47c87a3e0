//! Which instrument each part plays: the style's default, the prompt's instruments or Rareza's
//! picks.

use super::Ctx;
use crate::brief::Instrument;
use crate::rng::Rng;
use crate::style::{Sound, Style};

pub(super) fn keys_sound(ctx: &Ctx, default: Sound) -> Sound {
    for i in &ctx.brief.instruments {
        match i {
            Instrument::Piano => return Sound::Piano,
            Instrument::ElectricPiano => return Sound::ElectricPiano,
            Instrument::Organ => return Sound::Organ,
            Instrument::Guitar => {
                return if ctx.brief.style == Style::Rock {
                    Sound::PowerGuitar
                } else {
                    Sound::NylonGuitar
                }
            }
            _ => {}
        }
    }
    if ctx.feel.r > 0.6 {
        let mut rng = Rng::stream(ctx.seed, "keys-sound");
        return *rng.pick(&[Sound::Bell, Sound::Organ, Sound::Accordion, Sound::Clav]);
    }
    default
}

pub(super) fn pad_sound(ctx: &Ctx, default: Option<Sound>) -> Option<Sound> {
    if ctx.brief.instruments.contains(&Instrument::Strings) {
        return Some(Sound::StringPad);
    }
    if ctx.brief.instruments.contains(&Instrument::Synth) {
        return Some(Sound::SawPad);
    }
    default
}

pub(super) fn lead_sound(ctx: &Ctx, default: Sound) -> Sound {
    for i in &ctx.brief.instruments {
        match i {
            Instrument::Flute => return Sound::Flute,
            Instrument::Brass | Instrument::Sax => return Sound::Brass,
            Instrument::Bells => return Sound::Bell,
            Instrument::Synth => return Sound::SawLead,
            _ => {}
        }
    }
    if ctx.feel.r > 0.6 {
        let mut rng = Rng::stream(ctx.seed, "lead-sound");
        return *rng.pick(&[Sound::Acid, Sound::Bell, Sound::SquareLead, Sound::Flute]);
    }
    default
}

pub(super) fn bass_sound(ctx: &Ctx, default: Sound) -> Sound {
    if ctx.feel.r > 0.75 && default != Sound::SubBass {
        Sound::Reese
    } else {
        default
    }
}
