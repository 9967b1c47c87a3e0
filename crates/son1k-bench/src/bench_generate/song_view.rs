//! The song as the checks see it: notes and programs from its MIDI file, chords and sections
//! from its score.

use super::*;

/// One track of a MIDI file: name, channel (0-based; 9 is percussion), program and notes.
pub type MidiTrack = (String, u8, u8, Vec<Hit>);

/// Notes of a Standard MIDI File, per track.
pub(crate) fn read_midi(bytes: &[u8]) -> Result<Vec<MidiTrack>, String> {
    use midly::{MetaMessage, MidiMessage, Smf, Timing, TrackEventKind};
    let smf = Smf::parse(bytes).map_err(|e| format!("song.mid does not parse: {e}"))?;
    let ppq = match smf.header.timing {
        Timing::Metrical(t) => f64::from(t.as_int().max(1)),
        Timing::Timecode(..) => return Err("song.mid uses timecode timing".into()),
    };
    let mut out = Vec::new();
    for track in &smf.tracks {
        let (mut name, mut channel, mut program) = (String::new(), None, 0u8);
        let mut tick: u64 = 0;
        let mut open: BTreeMap<(u8, u8), Vec<u64>> = BTreeMap::new();
        let mut notes = Vec::new();
        for ev in track {
            tick += u64::from(ev.delta.as_int());
            match ev.kind {
                TrackEventKind::Meta(MetaMessage::TrackName(n)) => {
                    name = String::from_utf8_lossy(n).into_owned();
                }
                TrackEventKind::Midi {
                    channel: c,
                    message,
                } => {
                    let c = c.as_int();
                    channel.get_or_insert(c);
                    match message {
                        MidiMessage::ProgramChange { program: p } => program = p.as_int(),
                        MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                            open.entry((c, key.as_int())).or_default().push(tick);
                        }
                        MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                            if let Some(on) = open.get_mut(&(c, key.as_int())).and_then(|v| v.pop())
                            {
                                notes.push(Hit {
                                    start: on as f64 / ppq,
                                    dur: (tick - on) as f64 / ppq,
                                    pitch: key.as_int(),
                                });
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        if let Some(c) = channel {
            notes.sort_by(|a, b| a.start.total_cmp(&b.start));
            out.push((name, c, program, notes));
        }
    }
    Ok(out)
}

/// The song as the checks see it: chords and sections from its score, notes and programs from
/// its MIDI file.
pub(crate) fn view(song: &Song) -> Result<View, String> {
    let score = &song.score;
    let bar_beats = if score.beats_per_bar == 0 {
        4.0
    } else {
        f64::from(score.beats_per_bar)
    };
    let bars = ((score.total_beats + 1e-3) / bar_beats).floor().max(0.0) as usize;
    let smf = son1k_compose::midi::to_smf(score).map_err(|e| format!("song.mid: {e}"))?;
    let mut drums = Vec::new();
    let mut tracks = Vec::new();
    for (name, channel, program, notes) in read_midi(&smf)? {
        if channel == 9 {
            drums.extend(notes);
            continue;
        }
        let role = score.parts.iter().find(|p| p.name == name).map(|p| p.role);
        let kind = match role {
            Some(Role::Bass) => Kind::Bass,
            Some(Role::Lead) => Kind::Lead,
            Some(Role::Vocal) => Kind::Vocal,
            Some(_) => Kind::Other,
            None if (32..=39).contains(&program) => Kind::Bass,
            None => Kind::Other,
        };
        tracks.push(Track {
            kind,
            program,
            notes,
        });
    }
    drums.sort_by(|a, b| a.start.total_cmp(&b.start));
    let bars_of = |kinds: &[SectionKind]| -> Vec<usize> {
        (0..bars)
            .filter(|&b| {
                let at = b as f64 * bar_beats + 1e-3;
                score
                    .sections
                    .iter()
                    .any(|s| kinds.contains(&s.kind) && at >= s.start && at < s.start + s.beats)
            })
            .collect()
    };
    let mut pattern_bars = bars_of(&[SectionKind::Verse, SectionKind::Chorus]);
    if pattern_bars.is_empty() {
        pattern_bars = (0..bars).collect();
    }
    Ok(View {
        bpm: score.bpm,
        bar_beats,
        bars,
        pattern_bars,
        chorus_bars: bars_of(&[SectionKind::Chorus]),
        drums,
        tracks,
        chords: chords_of(song),
        tonic: score.key.tonic.semitone(),
    })
}

pub(super) fn chords_of(song: &Song) -> Vec<ChordAt> {
    song.score
        .chords
        .iter()
        .map(|c| ChordAt {
            start: c.start,
            beats: c.beats,
            symbol: c.symbol.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midi_notes_and_programs_read_back() {
        use midly::num::{u15, u28, u4, u7};
        use midly::{
            Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind,
        };
        let name = b"keys".to_vec();
        let ev = |delta: u32, kind| TrackEvent {
            delta: u28::new(delta),
            kind,
        };
        let midi = |message| TrackEventKind::Midi {
            channel: u4::new(2),
            message,
        };
        let mut smf = Smf::new(Header::new(
            Format::Parallel,
            Timing::Metrical(u15::new(480)),
        ));
        smf.tracks.push(vec![
            ev(0, TrackEventKind::Meta(MetaMessage::TrackName(&name))),
            ev(
                0,
                midi(MidiMessage::ProgramChange {
                    program: u7::new(21),
                }),
            ),
            ev(
                480,
                midi(MidiMessage::NoteOn {
                    key: u7::new(60),
                    vel: u7::new(90),
                }),
            ),
            ev(
                240,
                midi(MidiMessage::NoteOff {
                    key: u7::new(60),
                    vel: u7::new(0),
                }),
            ),
            ev(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)),
        ]);
        let mut bytes = Vec::new();
        assert!(smf.write_std(&mut bytes).is_ok());
        let tracks = read_midi(&bytes).unwrap_or_default();
        assert_eq!(tracks.len(), 1);
        let (n, ch, program, notes) = &tracks[0];
        assert_eq!((n.as_str(), *ch, *program), ("keys", 2, 21));
        assert_eq!(
            notes,
            &vec![Hit {
                start: 1.0,
                dur: 0.5,
                pitch: 60
            }]
        );
    }
}
