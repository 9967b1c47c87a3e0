//! Tests of the genre harmony instruments.

use super::*;
use crate::brief::resolve;
use crate::compose::compose;
use son1k_core::GenerationRequest;

fn score(prompt: &str, seed: u64) -> (Brief, Score) {
    let mut req = GenerationRequest::new(prompt);
    req.seed = seed;
    req.duration_secs = Some(40.0);
    let b = resolve(&req);
    let s = compose(&b, &req);
    (b, s)
}

fn programs(s: &Score) -> Vec<u8> {
    s.parts
        .iter()
        .filter(|p| p.role != Role::Drums && !p.notes.is_empty())
        .map(|p| p.sound.gm_program())
        .collect()
}

fn part<'s>(s: &'s Score, name: &str) -> &'s Part {
    s.parts
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name} part in {:?}", names(s)))
}

fn names(s: &Score) -> Vec<String> {
    s.parts.iter().map(|p| p.name.clone()).collect()
}

/// Share of a part's onsets that fall off the beat.
fn offbeat_share(p: &Part) -> f64 {
    let off = p
        .notes
        .iter()
        .filter(|n| {
            let f = n.start - n.start.round();
            f.abs() > 0.1
        })
        .count();
    off as f64 / p.notes.len().max(1) as f64
}

#[test]
fn asked_for_instruments_are_played_or_explained() {
    let (b, s) = score("cumbia con acordeón", 1);
    assert!(b.instruments.contains(&Instrument::Accordion));
    assert!(programs(&s).contains(&21), "{:?}", names(&s));
    assert!(unplayed(&b, &s).is_empty());
    // A pop song gets the accordion, trumpet, cello and marimba it asks for.
    let (b, s) = score(
        "pop song with accordion, trumpet, cello, marimba and a tuba",
        2,
    );
    let progs = programs(&s);
    for gm in [21, 56, 42, 12, 58] {
        assert!(progs.contains(&gm), "GM {gm} missing from {progs:?}");
    }
    assert!(unplayed(&b, &s).is_empty(), "{:?}", unplayed(&b, &s));
    // Spanish words for every melodic and harmonic instrument are played.
    let (b, s) = score(
        "balada con guitarra acústica, violín, flauta, arpa, órgano y saxo",
        3,
    );
    assert_eq!(b.instruments.len(), 6, "{:?}", b.instruments);
    assert!(unplayed(&b, &s).is_empty(), "{:?}", unplayed(&b, &s));
    // Hand percussion the groove does not play is reported with a reason.
    let (b, s) = score("techno con bongós", 4);
    let u = unplayed(&b, &s);
    assert_eq!(u.len(), 1, "{u:?}");
    assert_eq!(u[0].0, "bongó");
    assert!(u[0].1.contains("drum"), "{}", u[0].1);
}

#[test]
fn each_family_plays_its_defining_harmony_instruments() {
    // Salsa: a piano montuno, syncopated, in octaves.
    let (_, s) = score("salsa en re menor", 5);
    let montuno = part(&s, "keys");
    assert_eq!(montuno.sound.gm_program(), 0);
    assert!(offbeat_share(montuno) > 0.4, "{}", offbeat_share(montuno));
    assert!(programs(&s).contains(&56), "salsa trumpets");
    // Classical: string section, woodwinds and horn.
    let (_, s) = score("música clásica", 5);
    let progs = programs(&s);
    assert!(progs.contains(&48), "{progs:?}");
    assert!(progs.iter().any(|p| (68..=73).contains(p)), "{progs:?}");
    assert!(progs.contains(&60), "{progs:?}");
    // Metal: palm-muted distorted guitars on the low root.
    let (_, s) = score("metal in E minor", 5);
    let g = part(&s, "guitar");
    assert!(matches!(g.sound.gm_program(), 29 | 30));
    let short = g.notes.iter().filter(|n| n.dur <= 0.25).count();
    assert!(short * 2 > g.notes.len(), "palm mutes are short notes");
    assert!(g.notes.iter().all(|n| n.pitch <= 64));
    // Rock: power chords (root, fifth, octave).
    let (_, s) = score("rock 120 bpm in A major", 5);
    let g = part(&s, "guitar");
    assert_eq!(g.sound.gm_program(), 29);
    // Bachata: requinto arpeggios (one note at a time) and a rhythm guitar.
    let (_, s) = score("una bachata triste", 5);
    let r = part(&s, "requinto");
    assert!(matches!(r.sound.gm_program(), 24 | 25));
    let mut starts: Vec<f64> = r.notes.iter().map(|n| n.start).collect();
    starts.dedup_by(|a, b| (*a - *b).abs() < 0.05);
    assert!(starts.len() * 10 >= r.notes.len() * 9, "arpeggiated");
    // Country and folk: strummed steel-string guitar.
    for p in ["country song", "folk song"] {
        let (_, s) = score(p, 5);
        assert_eq!(part(&s, "guitar").sound.gm_program(), 25, "{p}");
    }
    // Corridos: accordion and a bajo sexto on beats 2 and 4.
    let (_, s) = score("un corrido tumbado", 5);
    assert!(programs(&s).contains(&21));
    let bs = part(&s, "bajo-sexto");
    let on_2_4 = bs
        .notes
        .iter()
        .filter(|n| {
            let b = n.start.rem_euclid(4.0);
            (b - 1.0).abs() < 0.1 || (b - 3.0).abs() < 0.1
        })
        .count();
    assert!(
        on_2_4 * 10 >= bs.notes.len() * 8,
        "{on_2_4}/{}",
        bs.notes.len()
    );
    // Reggae: the skank is off the beat.
    let (_, s) = score("reggae roots", 5);
    let g = part(&s, "guitar");
    assert!(g.notes.iter().all(|n| {
        let b = n.start.rem_euclid(4.0);
        (b - 1.0).abs() < 0.1
            || (b - 3.0).abs() < 0.1
            || (b - 3.5).abs() < 0.1
            || n.start >= s.total_beats
    }));
    // Jazz: shells with sevenths; funk: clav stabs; r&b: electric piano.
    let (_, s) = score("jazz trio", 5);
    assert_eq!(part(&s, "keys").sound.gm_program(), 0);
    assert_eq!(part(&s, "lead").sound.gm_program(), 65);
    let (_, s) = score("funk in E minor", 5);
    assert_eq!(part(&s, "keys").sound.gm_program(), 7);
    let (_, s) = score("r&b slow jam", 5);
    assert_eq!(part(&s, "keys").sound.gm_program(), 4);
}

#[test]
fn families_give_distinct_keys_parts_and_choruses_lift() {
    let prompts = [
        "pop",
        "rock",
        "metal",
        "jazz",
        "blues",
        "funk",
        "r&b",
        "country",
        "folk",
        "ballad",
        "bolero",
        "salsa",
        "bachata",
        "merengue",
        "cumbia",
        "reggae",
        "corridos",
        "classical",
    ];
    let songs: Vec<(&str, Score)> = prompts.iter().map(|p| (*p, score(p, 11).1)).collect();
    for (i, (a, sa)) in songs.iter().enumerate() {
        let ka: Vec<&Part> = sa.parts.iter().filter(|p| p.role == Role::Keys).collect();
        for (b, sb) in &songs[i + 1..] {
            let kb: Vec<&Part> = sb.parts.iter().filter(|p| p.role == Role::Keys).collect();
            assert_ne!(ka, kb, "{a} and {b} have the same harmony parts");
        }
    }
    // Choruses are denser than verses (notes per beat over the harmony parts); rock's
    // choruses ring sustained power chords instead (fewer, longer notes).
    for (name, s) in songs.iter().filter(|(n, _)| *n != "rock") {
        let density = |kind: SectionKind| {
            let sec = s.sections.iter().find(|x| x.kind == kind)?;
            let n: usize = s
                .parts
                .iter()
                .filter(|p| matches!(p.role, Role::Keys | Role::Pad))
                .map(|p| {
                    p.notes
                        .iter()
                        .filter(|n| n.start >= sec.start && n.start < sec.start + sec.beats)
                        .count()
                })
                .sum();
            Some(n as f64 / sec.beats)
        };
        if let (Some(v), Some(c)) = (density(SectionKind::Verse), density(SectionKind::Chorus)) {
            assert!(c >= v, "{name}: chorus {c} vs verse {v}");
        }
    }
}
