//! Which instrument each part plays: the prompt's instruments, Rareza's picks, the genre
//! family's instruments (arrange.rs) or the style's default.

use super::arrange::{family_bass, family_lead};
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
                    Sound::SteelGuitar
                }
            }
            Instrument::AcousticGuitar => return Sound::SteelGuitar,
            Instrument::ElectricGuitar => return Sound::CleanGuitar,
            Instrument::DistortedGuitar => return Sound::DistortedGuitar,
            Instrument::Marimba => return Sound::Marimba,
            Instrument::Accordion => return Sound::Accordion,
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
    if ctx.brief.instruments.contains(&Instrument::Orchestra) {
        return Some(Sound::StringSection);
    }
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
            Instrument::Brass => return Sound::Brass,
            Instrument::Trumpet => return Sound::Trumpet,
            Instrument::Sax => return Sound::Sax,
            Instrument::Clarinet => return Sound::Clarinet,
            Instrument::Oboe => return Sound::Oboe,
            Instrument::Violin => return Sound::Violin,
            Instrument::Bells => return Sound::Bell,
            Instrument::Synth => return Sound::SawLead,
            _ => {}
        }
    }
    if ctx.feel.r > 0.6 {
        let mut rng = Rng::stream(ctx.seed, "lead-sound");
        return *rng.pick(&[Sound::Acid, Sound::Bell, Sound::SquareLead, Sound::Flute]);
    }
    family_lead(ctx.brief).unwrap_or(default)
}

pub(super) fn bass_sound(ctx: &Ctx, default: Sound) -> Sound {
    if ctx.brief.instruments.contains(&Instrument::Tuba) {
        return Sound::Tuba;
    }
    if ctx.brief.instruments.contains(&Instrument::Bass808) {
        return Sound::SubBass;
    }
    if ctx.feel.r > 0.75 && default != Sound::SubBass {
        Sound::Reese
    } else {
        family_bass(ctx.brief).unwrap_or(default)
    }
}
