//! Issue #27's acceptance test: for a bilingual lyric, the syllables per line that
//! `son1k lyrics check` reports are the notes per line that `son1k generate` sings — read from
//! the vocal track of `song.mid`, where every sung note carries its syllable as a lyric event.
#![allow(clippy::unwrap_used)]

mod common;
use common::{son1k_in, workdir};

use midly::{MetaMessage, MidiMessage, Smf, TrackEventKind};

/// Spanish verses and an English chorus, with the cases the two old rule sets disagreed on:
/// synalephas (`y‿el`, `al-ma‿en`, `pa-ro‿a`, `mi‿es`), lines ending on a stress (`ciudad`,
/// `corazón`: no extra note), and English words whose spelling hides a syllable (`fire`,
/// `being`) — the pronouncing dictionary decides.
const LYRIC: &str = "[Verse]
Camino solo por la ciudad
y el alma en la mano
Cuando me paro a contemplar mi estado

[Chorus]
I don't want to let you go tonight
the fire of being alive
Vuelve a mí, corazón
";

/// Letters only, lower-case: what a line and the syllables sung on it have in common.
fn letters(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The vocal track's note-on ticks and its lyric events (tick, syllable), in order.
fn vocal_track(midi: &[u8]) -> (Vec<u32>, Vec<(u32, String)>) {
    let smf = Smf::parse(midi).unwrap();
    let track = smf
        .tracks
        .iter()
        .find(|t| {
            t.iter()
                .any(|e| e.kind == TrackEventKind::Meta(MetaMessage::TrackName(b"vocal")))
        })
        .expect("song.mid has a vocal track");
    let (mut tick, mut notes, mut lyrics) = (0u32, Vec::new(), Vec::new());
    for e in track {
        tick += e.delta.as_int();
        match e.kind {
            TrackEventKind::Midi {
                message: MidiMessage::NoteOn { vel, .. },
                ..
            } if vel.as_int() > 0 => notes.push(tick),
            TrackEventKind::Meta(MetaMessage::Lyric(text)) => {
                lyrics.push((tick, String::from_utf8_lossy(text).into_owned()))
            }
            _ => {}
        }
    }
    (notes, lyrics)
}

#[test]
fn the_lyric_studio_counts_what_the_generator_sings() {
    let dir = workdir("lyrics-sung", "bilingual");
    let file = dir.join("letra.txt");
    std::fs::write(&file, LYRIC).unwrap();

    // What the Lyric Studio reports, line by line.
    let o = son1k_in(
        "lyrics-sung",
        &["lyrics", "check", file.to_str().unwrap(), "--json"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let check: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let lines: Vec<(String, usize, String)> = check["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["text"].as_str().unwrap().to_string(),
                l["syllables"].as_u64().unwrap() as usize,
                l["language"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(lines.len(), 6, "{check}");
    let langs: Vec<&str> = lines.iter().map(|l| l.2.as_str()).collect();
    assert_eq!(langs, ["es", "es", "es", "en", "en", "es"]);
    // Sung counts, not verse metre: ca-mi-no-so-lo-por-la-ciu-dad is nine notes (the metre of
    // an oxytone line would say ten), fi-re and be-ing are two each.
    let counts: Vec<usize> = lines.iter().map(|l| l.1).collect();
    assert_eq!(counts, [9, 6, 11, 9, 8, 6]);

    // What the Generator sings.
    let out = dir.join("song");
    let o = son1k_in(
        "lyrics-sung",
        &[
            "generate",
            "balada pop en do mayor a 100 bpm",
            "--lyrics",
            file.to_str().unwrap(),
            "--seed",
            "11",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (notes, sung) = vocal_track(&std::fs::read(out.join("song.mid")).unwrap());
    // One note per sung syllable, each syllable on its note.
    assert_eq!(
        notes,
        sung.iter().map(|s| s.0).collect::<Vec<_>>(),
        "{sung:?}"
    );
    let song: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("song.json")).unwrap()).unwrap();
    assert_eq!(song["syllables"].as_array().unwrap().len(), notes.len());

    // Walk the sung syllables line by line: a line's notes are the syllables that spell it.
    let mut next = sung.iter();
    for (text, reported, _) in &lines {
        let want = letters(text);
        let mut spelled = String::new();
        let mut notes_on_line = 0;
        while spelled.len() < want.len() {
            let (_, syllable) = next
                .next()
                .unwrap_or_else(|| panic!("the melody ended inside {text:?}"));
            spelled.push_str(&letters(syllable));
            notes_on_line += 1;
        }
        assert_eq!(spelled, want, "the notes of {text:?} spell something else");
        assert_eq!(
            notes_on_line, *reported,
            "{text:?}: check reports {reported} syllables, the singer sings {notes_on_line} notes"
        );
    }
    assert!(next.next().is_none(), "notes left after the last line");
    let _ = std::fs::remove_dir_all(&dir);
}
