//! Harmony: each section's progression and harmonic rhythm, turnarounds, cadences and the
//! final cadence.
//!
//! A song's harmonic language comes from its style: loop-based electronic styles (house, techno,
//! trap, drum & bass, ambient) keep one chord a bar as their records do; songs vary the harmonic
//! rhythm per section (held chords, two chords a bar, anticipations), give verse, pre-chorus,
//! chorus and bridge their own progressions, turn around at section ends and cadence into
//! choruses; jazz speaks in ii–V–I with sevenths and ninths, blues in the 12-bar form.

use son1k_core::{Genre, Mode};

use super::Feel;
use crate::brief::Brief;
use crate::form::{PlannedSection, SectionKind};
use crate::rng::Rng;
use crate::style::StyleParams;
use crate::theory::{Chord, Quality};

/// A chord over a span: (start beat, beats, chord).
pub(super) type Span = (f64, f64, Chord);

/// How a style speaks harmonically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Language {
    /// One chord a bar (or two bars), looped: house, techno, trap, drum & bass, ambient.
    Loop,
    /// Songs: sections with their own progressions and harmonic rhythm.
    Song,
    /// ii–V–I with sevenths and ninths.
    Jazz,
    /// The 12-bar blues with dominant sevenths.
    Blues,
}

/// The harmonic language of a brief (matched on the genre and the style's id, so new styles
/// fall back to songs).
pub(super) fn language(brief: &Brief) -> Language {
    match brief.genre {
        Some(Genre::Jazz) => return Language::Jazz,
        Some(Genre::Blues) => return Language::Blues,
        Some(Genre::Classical) => return Language::Song,
        _ => {}
    }
    match brief.style.id() {
        "jazz" => Language::Jazz,
        "blues" => Language::Blues,
        "house" | "techno" | "trap" | "drum-and-bass" | "ambient" => Language::Loop,
        _ => Language::Song,
    }
}

// Harmonic rhythms: the chords' lengths in beats, cycled with the progression (4 chords fill
// 2, 4 or 8 bars).
/// Two chords a bar.
const SPLIT: &[f64] = &[2.0];
/// One chord a bar.
const BAR: &[f64] = &[4.0];
/// Each chord held two bars.
const HELD: &[f64] = &[8.0];
/// Every second chord anticipated on beat 3.
const PUSH: &[f64] = &[6.0, 2.0];
/// A held chord, one bar, then two chords in a bar.
const LATE: &[f64] = &[8.0, 4.0, 2.0, 2.0];

const PRE_MAJOR: &[&str] = &["IV V vi V", "ii iii IV V", "vi IV ii V", "IV vi ii V"];
const PRE_MINOR: &[&str] = &[
    "iv bVI bVII V",
    "bVI bVII iv V",
    "iv v bVI bVII",
    "bVI iv bVII V",
];
const BRIDGE_MAJOR: &[&str] = &["vi IV I V", "IV V iii vi", "vi iii IV V", "ii vi IV V"];
const BRIDGE_MAJOR_RARE: &[&str] = &["bVI bVII I I", "iv bVII I V", "bVI IV bVII V"];
const BRIDGE_MINOR: &[&str] = &["bIII bVII bVI V", "bVI bIII bVII V", "iv i bVI V"];
const BRIDGE_MINOR_RARE: &[&str] = &["IV bVI bVII V", "bII bVI bVII V"];
const JAZZ_MAJOR: &[&str] = &["Imaj7 vi7 ii7 V7", "ii7 V7 Imaj7 Imaj7", "iii7 vi7 ii7 V7"];
const JAZZ_MAJOR_CHORUS: &[&str] = &[
    "IVmaj7 iii7 ii7 V7",
    "ii7 V7 iii7 vi7",
    "Imaj7 IVmaj7 iii7 vi7",
];
const JAZZ_MAJOR_BRIDGE: &[&str] = &["IVmaj7 V7 iii7 vi7", "vi7 vi7 ii7 V7"];
const JAZZ_MINOR: &[&str] = &["ii7b5 V7 i7 i7", "i7 iv7 ii7b5 V7", "i7 bVImaj7 ii7b5 V7"];
const JAZZ_MINOR_CHORUS: &[&str] = &["iv7 bVII7 bIIImaj7 bVImaj7", "bIIImaj7 bVImaj7 ii7b5 V7"];
const JAZZ_MINOR_BRIDGE: &[&str] = &["bVImaj7 bVImaj7 ii7b5 V7", "iv7 iv7 bVII7 bIIImaj7"];

/// The song's chords: every section's progression in its harmonic rhythm, with turnarounds,
/// cadences and the final cadence, then the tonic that rings into the tail.
pub(super) fn plan(
    planned: &[PlannedSection],
    brief: &Brief,
    params: &StyleParams,
    feel: Feel,
    seed: u64,
) -> Vec<Span> {
    // Each style its own draw: two families never share a song for one seed.
    let mut rng = Rng::stream(seed, &format!("harmony-{}", brief.style.id()));
    let lang = language(brief);
    let mode = brief.key.mode;
    let sevenths = params.sevenths || lang == Language::Jazz;
    let mut chosen: Vec<(SectionKind, Vec<Chord>, &'static [f64])> = Vec::new();
    let mut out: Vec<Span> = Vec::new();
    let mut bar = 0u32;
    for (si, s) in planned.iter().enumerate() {
        let start = bar as f64 * 4.0;
        bar += s.bars;
        let key_kind = match s.kind {
            SectionKind::Intro | SectionKind::Outro => SectionKind::Verse,
            SectionKind::Breakdown => SectionKind::Bridge,
            k => k,
        };
        let (prog, rhythm) = match chosen.iter().find(|c| c.0 == key_kind) {
            Some(c) => (c.1.clone(), c.2),
            None => {
                let others: Vec<Vec<Chord>> = chosen.iter().map(|c| c.1.clone()).collect();
                let p = section_progression(key_kind, lang, brief, params, feel, &others, &mut rng);
                let r = harmonic_rhythm(key_kind, lang, brief, &mut rng);
                chosen.push((key_kind, p.clone(), r));
                (p, r)
            }
        };
        // Intros, outros and breakdowns breathe: held chords in songs.
        let rhythm = match (lang, s.kind) {
            (Language::Song | Language::Jazz, SectionKind::Intro | SectionKind::Breakdown) => HELD,
            (Language::Song, SectionKind::Outro) if s.bars >= 4 => HELD,
            _ => rhythm,
        };
        let last = si + 1 == planned.len();
        let next_is_chorus = planned
            .get(si + 1)
            .is_some_and(|n| n.kind == SectionKind::Chorus);
        let ending = ending(
            lang,
            mode,
            sevenths,
            feel,
            s,
            last,
            next_is_chorus,
            &mut rng,
        );
        let ending_beats: f64 = ending.iter().map(|e| e.0).sum();
        let beats = s.bars as f64 * 4.0;
        let body = (beats - ending_beats).max(0.0);
        let mut section: Vec<Span> = Vec::new();
        if lang == Language::Blues {
            let quick = s.kind == SectionKind::Chorus;
            for b in 0..(body / 4.0).round() as u32 {
                let c = twelve_bar(mode, b % 12, quick, feel);
                section.push((start + b as f64 * 4.0, 4.0, c));
            }
        } else {
            let mut t = 0.0;
            let mut i = 0;
            while t < body - 1e-9 {
                let d = rhythm[i % rhythm.len()].min(body - t);
                section.push((start + t, d, prog[i % prog.len()]));
                t += d;
                i += 1;
            }
        }
        if s.kind == SectionKind::Intro {
            if let Some(first) = section.first_mut() {
                first.2 = tonic_chord(mode, sevenths);
            }
        }
        let mut t = start + body;
        for (d, c) in ending {
            section.push((t, d, c));
            t += d;
        }
        if lang != Language::Loop {
            section = merge_repeats(section);
        }
        out.extend(section);
    }
    out.push((bar as f64 * 4.0, 4.0, tonic_chord(mode, sevenths)));
    out
}

/// Joins neighbouring spans of the same chord into one held chord.
fn merge_repeats(spans: Vec<Span>) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(prev) if prev.2 == s.2 && (prev.0 + prev.1 - s.0).abs() < 1e-9 => prev.1 += s.1,
            _ => out.push(s),
        }
    }
    out
}

/// The section's last chords: the final cadence, a cadence into a chorus or a turnaround.
#[allow(clippy::too_many_arguments)]
fn ending(
    lang: Language,
    mode: Mode,
    sevenths: bool,
    feel: Feel,
    s: &PlannedSection,
    last: bool,
    next_is_chorus: bool,
    rng: &mut Rng,
) -> Vec<(f64, Chord)> {
    let tonic = tonic_chord(mode, sevenths);
    let dom = dominant(sevenths);
    if lang == Language::Loop {
        return if last {
            vec![(4.0, tonic)]
        } else if next_is_chorus && s.bars >= 2 && feel.r < 0.7 {
            vec![(4.0, dom)]
        } else {
            Vec::new()
        };
    }
    if last {
        return match s.bars {
            0 => Vec::new(),
            1 => vec![(4.0, tonic)],
            _ => {
                let [a, b] = turnaround(lang, mode, sevenths, feel, rng);
                vec![(2.0, a), (2.0, b), (4.0, tonic)]
            }
        };
    }
    if next_is_chorus {
        if s.bars < 2 {
            return Vec::new();
        }
        if feel.r >= 0.7 {
            // Rareza: the chorus arrives from the flat side instead of the dominant.
            let q = |c| if sevenths { add_seventh(c, mode) } else { c };
            return vec![
                (2.0, q(Chord::new(8, Quality::Major))),
                (2.0, q(Chord::new(10, Quality::Major))),
            ];
        }
        let [a, b] = turnaround(lang, mode, sevenths, feel, rng);
        return vec![(2.0, a), (2.0, b)];
    }
    if lang == Language::Blues {
        return Vec::new();
    }
    if s.bars >= 4 && rng.chance(0.65) {
        if rng.chance(0.5) {
            let [a, b] = turnaround(lang, mode, sevenths, feel, rng);
            return vec![(2.0, a), (2.0, b)];
        }
        return vec![(4.0, dom)];
    }
    Vec::new()
}

/// Two chords that lead home in one bar: ii–V or IV–V (minor: iv–V, ii°–V in jazz or
/// bVI–bVII).
fn turnaround(lang: Language, mode: Mode, sevenths: bool, feel: Feel, rng: &mut Rng) -> [Chord; 2] {
    let dom = dominant(sevenths);
    match (lang, mode) {
        (Language::Jazz, Mode::Major) => {
            let ii = if rng.chance(0.3 + 0.4 * feel.r) {
                Quality::Minor9
            } else {
                Quality::Minor7
            };
            let v = if rng.chance(0.3 + 0.4 * feel.e) {
                Quality::Dominant9
            } else {
                Quality::Dominant7
            };
            [Chord::new(2, ii), Chord::new(7, v)]
        }
        (Language::Jazz, Mode::Minor) => [
            Chord::new(2, Quality::HalfDiminished),
            Chord::new(7, Quality::Dominant7),
        ],
        (Language::Blues, _) => [tonic_chord(mode, true), Chord::new(7, Quality::Dominant7)],
        (_, Mode::Major) => {
            let pre = if rng.chance(0.5) {
                Chord::new(5, Quality::Major)
            } else {
                Chord::new(2, Quality::Minor)
            };
            [
                if sevenths {
                    add_seventh(pre, mode)
                } else {
                    pre
                },
                dom,
            ]
        }
        (_, Mode::Minor) => {
            if rng.chance(0.5) {
                let iv = Chord::new(5, Quality::Minor);
                [if sevenths { add_seventh(iv, mode) } else { iv }, dom]
            } else {
                let six = Chord::new(8, Quality::Major);
                let seven = Chord::new(10, Quality::Major);
                if sevenths {
                    [add_seventh(six, mode), add_seventh(seven, mode)]
                } else {
                    [six, seven]
                }
            }
        }
    }
}

/// The dominant (V or V7).
fn dominant(sevenths: bool) -> Chord {
    Chord::new(
        7,
        if sevenths {
            Quality::Dominant7
        } else {
            Quality::Major
        },
    )
}

/// A triad with the seventh the key gives it: major sevenths on I, IV, bIII and bVI, dominant
/// sevenths on V and bVII, minor sevenths on minor chords.
fn add_seventh(c: Chord, _mode: Mode) -> Chord {
    let quality = match (c.quality, c.root) {
        (Quality::Major, 7 | 10) => Quality::Dominant7,
        (q, _) => q.with_seventh(),
    };
    Chord::new(c.root, quality)
}

/// Bar `b` (0–11) of the 12-bar blues; the chorus takes the quick change to IV in bar 2.
fn twelve_bar(mode: Mode, b: u32, quick: bool, feel: Feel) -> Chord {
    let (i, iv) = match mode {
        Mode::Major => (
            Chord::new(0, Quality::Dominant7),
            Chord::new(5, Quality::Dominant7),
        ),
        Mode::Minor => (
            Chord::new(0, Quality::Minor7),
            Chord::new(5, Quality::Minor7),
        ),
    };
    let v = Chord::new(7, Quality::Dominant7);
    match b {
        1 if quick => iv,
        4 | 5 => iv,
        8 => match mode {
            Mode::Major => v,
            Mode::Minor if feel.r > 0.4 => Chord::new(8, Quality::Dominant7),
            Mode::Minor => Chord::new(8, Quality::Major7),
        },
        9 => match mode {
            Mode::Major => iv,
            Mode::Minor => v,
        },
        11 => v,
        _ => i,
    }
}

/// How fast a section's chords change.
fn harmonic_rhythm(
    kind: SectionKind,
    lang: Language,
    brief: &Brief,
    rng: &mut Rng,
) -> &'static [f64] {
    let fast = brief.bpm >= 140;
    let slow = brief.bpm < 90;
    match lang {
        Language::Loop => {
            if brief.style.id() == "ambient" || brief.bpm >= 165 {
                HELD
            } else {
                BAR
            }
        }
        Language::Blues => BAR,
        Language::Jazz => {
            let options: &[&'static [f64]] = match kind {
                SectionKind::Bridge => &[HELD, LATE],
                _ if fast => &[BAR, LATE],
                _ => &[SPLIT, LATE, BAR],
            };
            options[rng.below(options.len() as u32) as usize]
        }
        Language::Song => {
            let options: &[&'static [f64]] = match kind {
                SectionKind::Verse if brief.style.id() == "funk" => &[HELD, LATE],
                SectionKind::Verse if fast => &[HELD, BAR, LATE],
                SectionKind::Verse if slow => &[HELD, PUSH, LATE],
                SectionKind::Verse => &[BAR, PUSH, LATE],
                SectionKind::PreChorus if fast => &[BAR, LATE],
                SectionKind::PreChorus => &[SPLIT, PUSH, LATE],
                SectionKind::Chorus if fast => &[BAR, LATE],
                SectionKind::Chorus => &[BAR, PUSH, LATE],
                SectionKind::Bridge if fast => &[HELD, BAR],
                SectionKind::Bridge => &[HELD, SPLIT, LATE],
                _ => &[HELD, BAR],
            };
            options[rng.below(options.len() as u32) as usize]
        }
    }
}

/// A section's progression, different from the ones chosen before it where the tables allow.
fn section_progression(
    kind: SectionKind,
    lang: Language,
    brief: &Brief,
    params: &StyleParams,
    feel: Feel,
    others: &[Vec<Chord>],
    rng: &mut Rng,
) -> Vec<Chord> {
    let minor = brief.key.mode == Mode::Minor;
    let style_table: &[&str] = if minor { params.minor } else { params.major };
    let mut generic = true;
    let table: Vec<&str> = match (lang, kind) {
        (Language::Jazz, SectionKind::Chorus) => if minor {
            JAZZ_MINOR_CHORUS
        } else {
            JAZZ_MAJOR_CHORUS
        }
        .to_vec(),
        (Language::Jazz, SectionKind::Bridge) => if minor {
            JAZZ_MINOR_BRIDGE
        } else {
            JAZZ_MAJOR_BRIDGE
        }
        .to_vec(),
        (Language::Jazz, _) => if minor { JAZZ_MINOR } else { JAZZ_MAJOR }.to_vec(),
        (Language::Song | Language::Blues, SectionKind::PreChorus) => {
            if minor { PRE_MINOR } else { PRE_MAJOR }.to_vec()
        }
        (Language::Song | Language::Blues, SectionKind::Bridge) => {
            let mut t = if minor { BRIDGE_MINOR } else { BRIDGE_MAJOR }.to_vec();
            if feel.r > 0.4 {
                t.extend(if minor {
                    BRIDGE_MINOR_RARE
                } else {
                    BRIDGE_MAJOR_RARE
                });
            }
            t
        }
        _ => {
            generic = false;
            style_table.to_vec()
        }
    };
    // The generic tables are triads: sevenths where the style has them.
    let add7 = params.sevenths && generic && lang != Language::Jazz;
    let pick = |rng: &mut Rng| {
        let mut p = choose_progression(&table, kind, feel, brief, params.sevenths, rng);
        if add7 {
            for c in p.iter_mut() {
                *c = add_seventh(*c, brief.key.mode);
            }
        }
        p
    };
    let mut prog = pick(rng);
    // Another table entry (then a rotation) when it repeats a section already chosen.
    let mut tries = 0;
    while others.contains(&prog) && tries < 6 {
        prog = pick(rng);
        tries += 1;
    }
    if others.contains(&prog) && prog.len() > 1 {
        let half = prog.len() / 2;
        prog.rotate_left(half);
    }
    if lang == Language::Jazz {
        // Ninths colour the tonic and the ii with Expressivity.
        for c in prog.iter_mut() {
            if rng.chance(0.2 + 0.4 * feel.e) {
                c.quality = match c.quality {
                    Quality::Major7 => Quality::Major9,
                    Quality::Minor7 => Quality::Minor9,
                    Quality::Dominant7 if brief.key.mode == Mode::Major => Quality::Dominant9,
                    q => q,
                };
            }
        }
    }
    prog
}

pub(super) fn tonic_chord(mode: Mode, sevenths: bool) -> Chord {
    let quality = match (mode, sevenths) {
        (Mode::Major, false) => Quality::Major,
        (Mode::Major, true) => Quality::Major7,
        (Mode::Minor, false) => Quality::Minor,
        (Mode::Minor, true) => Quality::Minor7,
    };
    Chord { root: 0, quality }
}

/// Picks a progression: Expressivity leans toward brighter (more major chords) or darker ones,
/// the seed breaks ties, Rareza swaps in borrowed chords and extensions.
pub(super) fn choose_progression(
    progs: &[&str],
    kind: SectionKind,
    feel: Feel,
    brief: &Brief,
    sevenths: bool,
    rng: &mut Rng,
) -> Vec<Chord> {
    let mut parsed: Vec<Vec<Chord>> = progs.iter().filter_map(|p| Chord::progression(p)).collect();
    if parsed.is_empty() {
        parsed.push(vec![tonic_chord(brief.key.mode, sevenths)]);
    }
    let brightness =
        |p: &Vec<Chord>| p.iter().filter(|c| !c.quality.is_minor()).count() as f32 / p.len() as f32;
    parsed.sort_by(|a, b| brightness(a).total_cmp(&brightness(b)));
    // Target position on the dark→bright list, jittered by the seed and the section.
    let jitter = rng.signed() * 0.35;
    let bias = match kind {
        SectionKind::Chorus => 0.1,
        SectionKind::Bridge => -0.1,
        _ => 0.0,
    };
    let pos = (feel.e + jitter + bias).clamp(0.0, 0.999);
    let mut prog = parsed[(pos * parsed.len() as f32) as usize].clone();
    // Rareza: borrowed chords (modal mixture) and colour tones.
    for (i, c) in prog.iter_mut().enumerate() {
        if i > 0 && rng.chance(feel.r * 0.45) {
            let borrowed: &[Chord] = match brief.key.mode {
                Mode::Major => &[
                    Chord {
                        root: 5,
                        quality: Quality::Minor,
                    },
                    Chord {
                        root: 8,
                        quality: Quality::Major,
                    },
                    Chord {
                        root: 10,
                        quality: Quality::Major,
                    },
                    Chord {
                        root: 3,
                        quality: Quality::Major,
                    },
                ],
                Mode::Minor => &[
                    Chord {
                        root: 5,
                        quality: Quality::Major,
                    },
                    Chord {
                        root: 1,
                        quality: Quality::Major,
                    },
                    Chord {
                        root: 2,
                        quality: Quality::Dominant7,
                    },
                    Chord {
                        root: 9,
                        quality: Quality::Diminished,
                    },
                ],
            };
            *c = *rng.pick(borrowed);
        }
        if rng.chance(feel.r * 0.6) {
            c.quality = match c.quality {
                Quality::Major => {
                    if rng.chance(0.5) {
                        Quality::Major9
                    } else {
                        Quality::Sus4
                    }
                }
                Quality::Minor | Quality::Minor7 => Quality::Minor9,
                q => q.with_seventh(),
            };
        }
    }
    prog
}
