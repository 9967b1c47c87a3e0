//! Songs that develop: harmonic rhythm, section progressions, a lead that develops and a chorus
//! that lifts, measured as the bench defines them.
#![allow(clippy::unwrap_used)]

use son1k_compose::brief::resolve;
use son1k_compose::compose::compose;
use son1k_compose::form::SectionKind;
use son1k_compose::score::{Role, Score};
use son1k_core::GenerationRequest;

fn score(prompt: &str, seed: u64, seconds: f32) -> Score {
    let mut req = GenerationRequest::new(prompt);
    req.seed = seed;
    req.duration_secs = Some(seconds);
    compose(&resolve(&req), &req)
}

/// Share of bars that do not hold exactly one chord (the final ring-out chord excluded).
fn harmonic_rhythm(s: &Score) -> f64 {
    let bar = s.beats_per_bar as f64;
    let bars = (s.total_beats / bar).round() as usize;
    let spans: Vec<_> = s
        .chords
        .iter()
        .filter(|c| c.start < s.total_beats - 1e-6)
        .collect();
    let mut not_one = 0;
    for b in 0..bars {
        let (lo, hi) = (b as f64 * bar, (b + 1) as f64 * bar);
        let starts: Vec<_> = spans
            .iter()
            .filter(|c| c.start >= lo - 1e-6 && c.start < hi - 1e-6)
            .collect();
        let one = starts.len() == 1
            && (starts[0].start - lo).abs() < 1e-6
            && (starts[0].beats - bar).abs() < 1e-6;
        if !one {
            not_one += 1;
        }
    }
    not_one as f64 / bars.max(1) as f64
}

/// The chord symbols of the first section of `kind`.
fn progression(s: &Score, kind: SectionKind) -> Option<Vec<String>> {
    let sec = s.sections.iter().find(|x| x.kind == kind)?;
    Some(
        s.chords
            .iter()
            .filter(|c| c.start >= sec.start - 1e-6 && c.start < sec.start + sec.beats - 1e-6)
            .map(|c| c.symbol.clone())
            .collect(),
    )
}

/// Share of the lead's 4-note pitch windows whose pattern occurs at least twice.
fn lead_recurrence(s: &Score) -> f64 {
    let lead = s.parts.iter().find(|p| p.role == Role::Lead).unwrap();
    let mut notes = lead.notes.clone();
    notes.sort_by(|a, b| a.start.total_cmp(&b.start));
    let grams: Vec<[u8; 4]> = notes
        .windows(4)
        .map(|w| [w[0].pitch, w[1].pitch, w[2].pitch, w[3].pitch])
        .collect();
    let repeated = grams
        .iter()
        .filter(|g| grams.iter().filter(|h| h == g).count() >= 2)
        .count();
    repeated as f64 / grams.len().max(1) as f64
}

const SONGS: [&str; 6] = [
    "pop song in C major",
    "rock 120 bpm in E minor",
    "balada romántica en re mayor",
    "reggaeton en la menor",
    "cumbia en sol menor",
    "jazz in Bb major",
];

#[test]
fn chords_tile_the_song_and_their_rhythm_varies() {
    let mut shares = Vec::new();
    for p in SONGS {
        for seed in 1..4 {
            let s = score(p, seed, 60.0);
            // Spans follow one another with no gap or overlap, the last rings past the end.
            let mut t = 0.0;
            for c in &s.chords {
                assert!((c.start - t).abs() < 1e-6, "{p} {seed}: gap at {t}");
                assert!(c.beats > 0.0);
                t = c.start + c.beats;
            }
            assert!(t > s.total_beats);
            shares.push(harmonic_rhythm(&s));
        }
    }
    let mean = shares.iter().sum::<f64>() / shares.len() as f64;
    eprintln!("harmonic rhythm: mean {mean:.2} {shares:.2?}");
    assert!(mean >= 0.25, "{mean}");
    assert!(shares.iter().all(|x| *x > 0.0), "{shares:?}");
    // Loop-based styles keep one chord a bar (their endings aside).
    let house = harmonic_rhythm(&score("deep house 124 bpm in F# minor", 1, 60.0));
    assert!(house < mean, "{house}");
}

#[test]
fn verse_and_chorus_have_their_own_progressions() {
    let (mut differ, mut n) = (0, 0);
    for p in SONGS
        .iter()
        .chain(&["deep house 124 bpm in F# minor", "trap en do menor"])
    {
        for seed in 1..4 {
            let s = score(p, seed, 60.0);
            let (Some(v), Some(c)) = (
                progression(&s, SectionKind::Verse),
                progression(&s, SectionKind::Chorus),
            ) else {
                panic!("{p} {seed}: no verse or chorus");
            };
            n += 1;
            if v != c {
                differ += 1;
            }
        }
    }
    eprintln!("verse != chorus in {differ}/{n}");
    assert!(differ * 10 >= n * 8, "{differ}/{n}");
}

#[test]
fn a_long_song_has_a_bridge_that_goes_somewhere_new_and_a_final_cadence() {
    let s = score("pop song in C major", 2, 180.0);
    let bridge = progression(&s, SectionKind::Bridge).unwrap();
    let verse = progression(&s, SectionKind::Verse).unwrap();
    let chorus = progression(&s, SectionKind::Chorus).unwrap();
    assert!(bridge != verse && bridge != chorus, "{bridge:?}");
    assert_ne!(bridge.first(), Some(&"C".to_string()), "{bridge:?}");
    // The last bar is the tonic, reached through a dominant.
    let last: Vec<&str> = s
        .chords
        .iter()
        .rev()
        .take(3)
        .map(|c| c.symbol.as_str())
        .collect();
    assert_eq!(last[0], "C");
    assert_eq!(last[1], "C");
    assert_eq!(last[2], "G");
}

#[test]
fn the_lead_develops_and_climbs_into_the_chorus() {
    let mut recurrences = Vec::new();
    for p in SONGS {
        for seed in 1..3 {
            let s = score(p, seed, 90.0);
            recurrences.push(lead_recurrence(&s));
            let lead = s.parts.iter().find(|p| p.role == Role::Lead).unwrap();
            let in_kind = |kind: SectionKind| -> Vec<u8> {
                let sec = s.sections.iter().find(|x| x.kind == kind).unwrap();
                lead.notes
                    .iter()
                    .filter(|n| n.start >= sec.start - 0.1 && n.start < sec.start + sec.beats)
                    .map(|n| n.pitch)
                    .collect()
            };
            let mean = |v: &[u8]| v.iter().map(|x| *x as f64).sum::<f64>() / v.len().max(1) as f64;
            let (verse, chorus) = (in_kind(SectionKind::Verse), in_kind(SectionKind::Chorus));
            assert!(
                mean(&chorus) > mean(&verse) + 3.0,
                "{p} {seed}: chorus not higher"
            );
            assert!(chorus.iter().max() > verse.iter().max(), "{p} {seed}");
            let lo = lead.notes.iter().map(|n| n.pitch).min().unwrap();
            let hi = lead.notes.iter().map(|n| n.pitch).max().unwrap();
            assert!(hi - lo > 12, "{p} {seed}: range {lo}..{hi}");
        }
    }
    let mean = recurrences.iter().sum::<f64>() / recurrences.len() as f64;
    eprintln!("lead recurrence: mean {mean:.2} {recurrences:.2?}");
    assert!(mean <= 0.8, "{mean}");
    assert!(
        recurrences.iter().all(|r| *r > 0.1),
        "motifs still recur: {recurrences:?}"
    );
}
