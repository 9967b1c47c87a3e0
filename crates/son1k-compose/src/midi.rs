//! Standard MIDI File export (format 1, one track per part, tempo, key, sung syllables as lyrics).

use midly::num::{u15, u24, u28, u4, u7};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

use son1k_core::{Key, Mode};

use crate::score::{Role, Score};

/// Ticks per quarter note.
pub const TICKS_PER_BEAT: u16 = 480;

/// Sharps (positive) or flats (negative) in the key signature.
pub fn key_signature(key: Key) -> (i8, bool) {
    let major_pc = match key.mode {
        Mode::Major => key.tonic.semitone(),
        Mode::Minor => (key.tonic.semitone() + 3) % 12,
    };
    // Circle of fifths: C G D A E B F#(6) / F Bb Eb Ab Db(-5)
    let sharps: i8 = match major_pc {
        0 => 0,
        7 => 1,
        2 => 2,
        9 => 3,
        4 => 4,
        11 => 5,
        6 => 6,
        5 => -1,
        10 => -2,
        3 => -3,
        8 => -4,
        _ => -5, // 1: Db
    };
    (sharps, key.mode == Mode::Minor)
}

fn ticks(beats: f64) -> u32 {
    (beats * TICKS_PER_BEAT as f64).round().max(0.0) as u32
}

/// Encodes the score as a Standard MIDI File.
pub fn to_smf(score: &Score) -> Result<Vec<u8>, std::io::Error> {
    // Names and lyric bytes must outlive the events that borrow them.
    let names: Vec<Vec<u8>> = score
        .parts
        .iter()
        .map(|p| p.name.clone().into_bytes())
        .collect();
    let lyrics: Vec<Vec<u8>> = score
        .syllables
        .iter()
        .map(|s| s.text.clone().into_bytes())
        .collect();
    let title = b"son1k".to_vec();
    let mut smf = Smf::new(Header::new(
        Format::Parallel,
        Timing::Metrical(u15::new(TICKS_PER_BEAT)),
    ));
    // Conductor track: tempo, metre, key.
    let (sharps, minor) = key_signature(score.key);
    let us_per_beat = (60_000_000.0 / score.bpm as f64).round() as u32;
    smf.tracks.push(vec![
        TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Meta(MetaMessage::TrackName(&title)),
        },
        TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Meta(MetaMessage::Tempo(u24::new(us_per_beat))),
        },
        TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Meta(MetaMessage::TimeSignature(4, 2, 24, 8)),
        },
        TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Meta(MetaMessage::KeySignature(sharps, minor)),
        },
        TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
        },
    ]);
    let mut melodic_channel = 0u8;
    for (pi, part) in score.parts.iter().enumerate() {
        let channel = if part.role == Role::Drums {
            9
        } else {
            let c = melodic_channel;
            melodic_channel += 1;
            if melodic_channel == 9 {
                melodic_channel = 10;
            }
            c.min(15)
        };
        // (tick, order, event): note-offs sort before note-ons at the same tick.
        let mut events: Vec<(u32, u8, TrackEventKind)> = Vec::new();
        events.push((
            0,
            0,
            TrackEventKind::Meta(MetaMessage::TrackName(&names[pi])),
        ));
        if part.role != Role::Drums {
            events.push((
                0,
                0,
                TrackEventKind::Midi {
                    channel: u4::new(channel),
                    message: MidiMessage::ProgramChange {
                        program: u7::new(part.sound.gm_program()),
                    },
                },
            ));
        }
        for n in &part.notes {
            let on = ticks(n.start);
            let off = ticks(n.start + n.dur).max(on + 1);
            let vel = ((n.vel * 127.0).round() as u8).clamp(1, 127);
            events.push((
                on,
                2,
                TrackEventKind::Midi {
                    channel: u4::new(channel),
                    message: MidiMessage::NoteOn {
                        key: u7::new(n.pitch.min(127)),
                        vel: u7::new(vel),
                    },
                },
            ));
            events.push((
                off,
                1,
                TrackEventKind::Midi {
                    channel: u4::new(channel),
                    message: MidiMessage::NoteOff {
                        key: u7::new(n.pitch.min(127)),
                        vel: u7::new(0),
                    },
                },
            ));
        }
        if part.role == Role::Vocal {
            for (s, bytes) in score.syllables.iter().zip(&lyrics) {
                events.push((
                    ticks(s.start),
                    1,
                    TrackEventKind::Meta(MetaMessage::Lyric(bytes)),
                ));
            }
        }
        events.sort_by_key(|e| (e.0, e.1));
        let mut track = Vec::with_capacity(events.len() + 1);
        let mut last = 0u32;
        for (tick, _, kind) in events {
            track.push(TrackEvent {
                delta: u28::new(tick - last),
                kind,
            });
            last = tick;
        }
        track.push(TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
        });
        smf.tracks.push(track);
    }
    let mut out = Vec::new();
    smf.write_std(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use son1k_core::PitchClass;

    #[test]
    fn key_signatures() {
        assert_eq!(
            key_signature(Key::new(PitchClass::new(6), Mode::Minor)),
            (3, true)
        ); // F# minor
        assert_eq!(
            key_signature(Key::new(PitchClass::new(10), Mode::Major)),
            (-2, false)
        ); // Bb
        assert_eq!(
            key_signature(Key::new(PitchClass::new(9), Mode::Minor)),
            (0, true)
        ); // A minor
    }
}
