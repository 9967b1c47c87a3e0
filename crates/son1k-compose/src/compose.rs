//! The procedural composer: form, harmony, drums, bass, keys, pad, lead and sung melody.

use son1k_core::{GenerationRequest, Mode};

use crate::brief::{Brief, Instrument};
use crate::form::{self, PlannedSection, SectionKind};
use crate::lyrics::{self, LyricSection, Syllable};
use crate::rng::Rng;
use crate::score::{ChordSpan, Note, Part, Role, Score, SectionSpan, SungSyllable};
use crate::style::{BassLine, Comping, Groove, Sound, Style};
use crate::theory::{self, Chord, Quality};

/// General MIDI percussion numbers the kit uses.
pub mod drum {
    /// Bass drum.
    pub const KICK: u8 = 36;
    /// Side stick.
    pub const RIM: u8 = 37;
    /// Snare.
    pub const SNARE: u8 = 38;
    /// Hand clap.
    pub const CLAP: u8 = 39;
    /// Closed hi-hat.
    pub const HAT: u8 = 42;
    /// Open hi-hat.
    pub const OPEN_HAT: u8 = 46;
    /// Low tom.
    pub const TOM_LOW: u8 = 45;
    /// High tom.
    pub const TOM_HIGH: u8 = 50;
    /// Crash cymbal.
    pub const CRASH: u8 = 49;
    /// Shaker (maracas).
    pub const SHAKER: u8 = 70;
}

/// Seconds of ring-out after the last bar when the song's length is free.
const TAIL_SECONDS: f64 = 2.0;

/// The knob values as 0–1 factors.
#[derive(Debug, Clone, Copy)]
struct Feel {
    /// Expressivity (mood) 0 sad … 1 ecstatic.
    e: f32,
    /// Rareza 0 traditional … 1 radical.
    r: f32,
}

/// Composes the song a brief describes. Deterministic for the request's seed.
pub fn compose(brief: &Brief, req: &GenerationRequest) -> Score {
    let feel = Feel {
        e: brief.mood as f32 / 100.0,
        r: req.knobs.rareza as f32 / 100.0,
    };
    let params = brief.style.params();
    let bar_s = 240.0 / brief.bpm as f64;
    let lyric_sections: Vec<LyricSection> =
        req.lyrics.as_deref().map(lyrics::parse).unwrap_or_default();
    let sung = !lyric_sections.is_empty();

    // ---- Form ----
    let (planned, line_plan, seconds) = if sung {
        let (p, lines) = plan_from_lyrics(&lyric_sections);
        let bars: u32 = p.iter().map(|s| s.bars).sum();
        (p, lines, bars as f64 * bar_s + TAIL_SECONDS)
    } else {
        let seconds = brief.seconds as f64;
        let tail = TAIL_SECONDS.min(seconds * 0.15);
        let bars = (((seconds - tail) / bar_s).floor() as u32).max(2);
        (form::plan(bars, feel.r), Vec::new(), seconds)
    };
    let mut sections = Vec::new();
    let mut labels: Vec<SectionKind> = Vec::new();
    let mut beat = 0.0;
    for s in &planned {
        if !labels.contains(&s.kind) {
            labels.push(s.kind);
        }
        let idx = labels.iter().position(|k| *k == s.kind).unwrap_or(0);
        let beats = s.bars as f64 * 4.0;
        sections.push(SectionSpan {
            kind: s.kind,
            label: ((b'A' + (idx as u8 % 26)) as char).to_string(),
            start: beat,
            beats,
            energy: s.energy,
        });
        beat += beats;
    }
    let total_beats = beat;

    // ---- Harmony ----
    let mut rng = Rng::stream(req.seed, "harmony");
    let progs: &[&str] = match brief.key.mode {
        Mode::Major => params.major,
        Mode::Minor => params.minor,
    };
    let mut chosen: Vec<(SectionKind, Vec<Chord>)> = Vec::new();
    let mut chords = Vec::new(); // (start beat, beats, chord)
    let chord_bars = if brief.style == Style::Ambient || brief.bpm >= 165 {
        2
    } else {
        1
    };
    for (si, s) in planned.iter().enumerate() {
        let key_kind = match s.kind {
            SectionKind::Intro | SectionKind::Outro => SectionKind::Verse,
            SectionKind::Breakdown => SectionKind::Bridge,
            k => k,
        };
        let prog = match chosen.iter().find(|c| c.0 == key_kind) {
            Some(c) => c.1.clone(),
            None => {
                let p = choose_progression(progs, key_kind, feel, brief, params.sevenths, &mut rng);
                chosen.push((key_kind, p.clone()));
                p
            }
        };
        let start_bar = (sections[si].start / 4.0) as u32;
        let last_section = si + 1 == planned.len();
        for b in 0..s.bars {
            let step = (b / chord_bars) as usize % prog.len();
            let mut chord = prog[step];
            if s.kind == SectionKind::Intro && b == 0 {
                chord = tonic_chord(brief.key.mode, params.sevenths);
            }
            if last_section && b + 1 == s.bars {
                chord = tonic_chord(brief.key.mode, params.sevenths);
            }
            // A dominant before each chorus pulls the ear home (pre-chorus or verse end).
            let next_is_chorus = planned
                .get(si + 1)
                .is_some_and(|n| n.kind == SectionKind::Chorus);
            if next_is_chorus && b + 1 == s.bars && s.bars >= 2 && feel.r < 0.7 {
                chord = Chord {
                    root: 7,
                    quality: if params.sevenths {
                        Quality::Dominant7
                    } else {
                        Quality::Major
                    },
                };
            }
            chords.push(((start_bar + b) as f64 * 4.0, 4.0, chord));
        }
    }
    // The final chord that rings into the tail.
    chords.push((
        total_beats,
        4.0,
        tonic_chord(brief.key.mode, params.sevenths),
    ));

    let chord_spans: Vec<ChordSpan> = chords
        .iter()
        .map(|(start, beats, c)| ChordSpan {
            start: *start,
            beats: *beats,
            symbol: c.symbol(brief.key),
            pitch_classes: c.pitch_classes(brief.key),
        })
        .collect();

    // ---- Parts ----
    let ctx = Ctx {
        brief,
        feel,
        sections: &sections,
        chords: &chords,
        total_beats,
        seed: req.seed,
    };
    let mut parts = Vec::new();
    parts.push(drums(&ctx, params.groove, params.swing));
    parts.push(bass(&ctx, params.bass, bass_sound(&ctx, params.bass_sound)));
    let keys_sound = keys_sound(&ctx, params.keys_sound);
    if params.comping != Comping::None || brief.instruments.iter().any(|i| is_keys(*i)) {
        let comping = if params.comping == Comping::None {
            Comping::Sparse
        } else {
            params.comping
        };
        parts.push(keys(&ctx, comping, keys_sound));
    }
    if let Some(pad_sound) = pad_sound(&ctx, params.pad) {
        parts.push(pad(&ctx, pad_sound));
    }
    let (vocal, syllables) = if sung {
        let (notes, syl) = sung_melody(&ctx, &line_plan);
        (Some(notes), syl)
    } else {
        (None, Vec::new())
    };
    let lead_sound = lead_sound(&ctx, params.lead);
    parts.push(lead(&ctx, lead_sound, sung));
    if let Some(notes) = vocal {
        // A request with lyrics is never instrumental (the request refuses that combination).
        parts.push(Part {
            name: "vocal".into(),
            role: Role::Vocal,
            sound: Sound::Voice,
            pan: 0.0,
            gain_db: -3.0,
            notes,
        });
    }
    for p in parts.iter_mut() {
        p.notes
            .sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
    }
    Score {
        bpm: brief.bpm,
        key: brief.key,
        beats_per_bar: 4,
        sections,
        chords: chord_spans,
        parts,
        syllables,
        total_beats,
        seconds,
    }
}

/// One lyric line placed in the form: its syllables, first beat and length in bars.
#[derive(Debug, Clone)]
struct LinePlan {
    syllables: Vec<Syllable>,
    start_bar: u32,
    bars: u32,
    kind: SectionKind,
}

fn line_bars(n: usize) -> u32 {
    if n <= 12 {
        2
    } else {
        4
    }
}

/// Sections from tagged lyrics: an instrumental intro and outro around the sung sections.
fn plan_from_lyrics(sections: &[LyricSection]) -> (Vec<PlannedSection>, Vec<LinePlan>) {
    let mut planned = Vec::new();
    let mut lines = Vec::new();
    let mut bar = 0u32;
    if sections
        .first()
        .is_none_or(|s| s.kind != SectionKind::Intro)
    {
        planned.push(PlannedSection {
            kind: SectionKind::Intro,
            bars: 4,
            energy: SectionKind::Intro.base_energy(),
        });
        bar += 4;
    }
    let chorus_count = sections
        .iter()
        .filter(|s| s.kind == SectionKind::Chorus)
        .count();
    let mut chorus_seen = 0;
    for s in sections {
        let mut bars = 0;
        for l in &s.lines {
            let b = line_bars(l.len());
            lines.push(LinePlan {
                syllables: l.clone(),
                start_bar: bar + bars,
                bars: b,
                kind: s.kind,
            });
            bars += b;
        }
        let bars = bars.max(4).div_ceil(2) * 2;
        let mut energy = s.kind.base_energy();
        if s.kind == SectionKind::Chorus {
            chorus_seen += 1;
            if chorus_seen == chorus_count && chorus_count > 1 {
                energy = 1.0;
            }
        }
        planned.push(PlannedSection {
            kind: s.kind,
            bars,
            energy,
        });
        bar += bars;
    }
    if sections.last().is_none_or(|s| s.kind != SectionKind::Outro) {
        planned.push(PlannedSection {
            kind: SectionKind::Outro,
            bars: 4,
            energy: SectionKind::Outro.base_energy(),
        });
    }
    (planned, lines)
}

fn tonic_chord(mode: Mode, sevenths: bool) -> Chord {
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
fn choose_progression(
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

struct Ctx<'a> {
    brief: &'a Brief,
    feel: Feel,
    sections: &'a [SectionSpan],
    chords: &'a [(f64, f64, Chord)],
    total_beats: f64,
    seed: u64,
}

impl Ctx<'_> {
    /// The chord sounding at `beat`.
    fn chord_at(&self, beat: f64) -> Chord {
        let i = self.chords.partition_point(|c| c.0 <= beat + 1e-9);
        self.chords[i.saturating_sub(1)].2
    }

    fn tonic(&self) -> i32 {
        self.brief.key.tonic.semitone() as i32
    }

    /// Timing humanisation in beats (a few milliseconds, more with Expressivity).
    fn humanize(&self, rng: &mut Rng) -> f64 {
        let ms = 2.0 + 8.0 * self.feel.e as f64;
        rng.signed() as f64 * ms / 1000.0 * self.brief.bpm as f64 / 60.0
    }

    /// Velocity for a section's energy with Expressivity's dynamics.
    fn vel(&self, energy: f32, accent: f32, rng: &mut Rng) -> f32 {
        let dynamics = 0.25 + 0.5 * self.feel.e; // how much energy changes loudness
        let base = 0.55 + 0.3 * self.feel.e;
        let v = base * (1.0 - dynamics * (1.0 - energy)) * accent;
        (v + rng.signed() * 0.04 * (0.5 + self.feel.e)).clamp(0.05, 1.0)
    }
}

fn is_keys(i: Instrument) -> bool {
    matches!(
        i,
        Instrument::Piano | Instrument::ElectricPiano | Instrument::Organ | Instrument::Guitar
    )
}

fn keys_sound(ctx: &Ctx, default: Sound) -> Sound {
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

fn pad_sound(ctx: &Ctx, default: Option<Sound>) -> Option<Sound> {
    if ctx.brief.instruments.contains(&Instrument::Strings) {
        return Some(Sound::StringPad);
    }
    if ctx.brief.instruments.contains(&Instrument::Synth) {
        return Some(Sound::SawPad);
    }
    default
}

fn lead_sound(ctx: &Ctx, default: Sound) -> Sound {
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

fn bass_sound(ctx: &Ctx, default: Sound) -> Sound {
    if ctx.feel.r > 0.75 && default != Sound::SubBass {
        Sound::Reese
    } else {
        default
    }
}

/// Parses a 16-step pattern: `X` accent, `x` normal, `o` ghost, anything else rest.
fn steps(pattern: &str) -> impl Iterator<Item = (usize, f32)> + '_ {
    pattern.bytes().enumerate().filter_map(|(i, b)| match b {
        b'X' => Some((i, 1.0)),
        b'x' => Some((i, 0.8)),
        b'o' => Some((i, 0.42)),
        _ => None,
    })
}

/// (kick, snare, clap, hat, open hat, rim, shaker) patterns of a groove.
fn groove_patterns(g: Groove) -> [&'static str; 7] {
    match g {
        Groove::Pop => [
            "x.....x.x.......",
            "....X.......X...",
            "",
            "x.x.x.x.x.x.x.x.",
            "..............x.",
            "",
            "",
        ],
        Groove::Rock => [
            "x.......x.x.....",
            "....X.......X...",
            "",
            "X.x.X.x.X.x.X.x.",
            "",
            "",
            "",
        ],
        Groove::BoomBap => [
            "x.......x.......",
            "....X.......X...",
            "",
            "x.o.x.o.x.o.x.o.",
            "",
            "",
            "",
        ],
        Groove::Trap => [
            "x.......x..xx...",
            "",
            "....X.......X...",
            "x.x.x.x.x.x.x.x.",
            "",
            "",
            "",
        ],
        Groove::Dembow => [
            "X...X...X...X...",
            "...o..o....o..o.",
            "",
            "x.x.x.x.x.x.x.x.",
            "",
            "",
            "",
        ],
        Groove::FourFloor => [
            "X...x...X...x...",
            "",
            "....x.......x...",
            "x.x.x.x.x.x.x.x.",
            "..x...x...x...x.",
            "",
            "",
        ],
        Groove::Techno => [
            "X...x...X...x...",
            "",
            "....x.......x...",
            "xoxoxoxoxoxoxoxo",
            "..x...x...x...x.",
            "",
            "",
        ],
        Groove::Ambient => [
            "x.......x.......",
            "",
            "",
            "",
            "",
            "....x.......x...",
            "x...x...x...x...",
        ],
        Groove::Cumbia => [
            "x.......x.......",
            "",
            "",
            "",
            "",
            "....x.......x...",
            "X.xxX.xxX.xxX.xx",
        ],
        Groove::Ballad => [
            "x.......x.....o.",
            "",
            "",
            "x.o.x.o.x.o.x.o.",
            "",
            "....x.......x...",
            "",
        ],
        Groove::Funk => [
            "x.x.......x..x..",
            "....X..o.o..X..o",
            "",
            "xoxoxoxoxoxoxoxo",
            "",
            "",
            "",
        ],
        Groove::Breakbeat => [
            "x.........x.....",
            "....X..o.o..X...",
            "",
            "x.x.x.x.x.x.x.x.",
            "",
            "",
            "",
        ],
    }
}

fn section_at<'a>(ctx: &Ctx<'a>, beat: f64) -> &'a SectionSpan {
    let i = ctx.sections.partition_point(|s| s.start <= beat + 1e-9);
    &ctx.sections[i.saturating_sub(1)]
}

fn push(notes: &mut Vec<Note>, start: f64, dur: f64, pitch: i32, vel: f32) {
    notes.push(Note {
        start: start.max(0.0),
        dur: dur.max(0.02),
        pitch: pitch.clamp(0, 127) as u8,
        vel,
        vowel: None,
    });
}

fn drums(ctx: &Ctx, groove: Groove, swing: f32) -> Part {
    use drum::*;
    let mut rng = Rng::stream(ctx.seed, "drums");
    let pats = groove_patterns(groove);
    let voices = [KICK, SNARE, CLAP, HAT, OPEN_HAT, RIM, SHAKER];
    let mut notes = Vec::new();
    let e = ctx.feel.e;
    let slow = ctx.brief.bpm <= 100;
    for s in ctx.sections {
        let bars = (s.beats / 4.0) as u32;
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            let last_bar = b + 1 == bars && s.kind != SectionKind::Outro;
            let energy = s.energy;
            for (v, pat) in voices.iter().zip(pats.iter()) {
                // Energy decides which pieces play: intros and outros thin out.
                let plays = match *v {
                    KICK => energy >= 0.3 || groove == Groove::Ambient,
                    SNARE | CLAP => energy >= 0.45,
                    HAT => energy >= 0.3,
                    OPEN_HAT => energy >= 0.6,
                    _ => true,
                };
                if !plays {
                    continue;
                }
                for (step, accent) in steps(pat) {
                    // Slow songs keep the pulse on the beat: off-beat hats would read as double time.
                    if slow && step % 4 != 0 && (matches!(*v, HAT | SHAKER) || accent < 0.5) {
                        continue;
                    }
                    if last_bar && step >= 8 && matches!(*v, SNARE | CLAP) && energy >= 0.45 {
                        continue; // the fill takes over
                    }
                    let mut t = bar_start + step as f64 * 0.25;
                    if step % 2 == 1 {
                        t += swing as f64 * 0.25;
                    }
                    t += ctx.humanize(&mut rng) * if *v == KICK { 0.3 } else { 1.0 };
                    let dur = if *v == OPEN_HAT { 0.5 } else { 0.25 };
                    let vel = ctx.vel(energy, accent, &mut rng);
                    push(&mut notes, t, dur, *v as i32, vel);
                }
            }
            // Denser hats with Expressivity in high-energy sections.
            if e > 0.72 && energy > 0.8 && !pats[3].is_empty() && groove != Groove::Techno && !slow
            {
                for step in (1..16).step_by(2) {
                    let t = bar_start + step as f64 * 0.25 + ctx.humanize(&mut rng);
                    let vel = ctx.vel(energy, 0.4, &mut rng);
                    push(&mut notes, t, 0.25, HAT as i32, vel);
                }
            }
            // Trap hi-hat rolls.
            if groove == Groove::Trap && energy >= 0.5 && rng.chance(0.5) {
                let at = bar_start + 2.0 + rng.below(2) as f64;
                for k in 0..8 {
                    let vel = ctx.vel(energy, 0.4 + 0.05 * k as f32, &mut rng);
                    push(&mut notes, at + k as f64 / 8.0, 0.1, HAT as i32, vel);
                }
            }
            // Rareza: displaced kicks and extra percussion.
            if ctx.feel.r > 0.4 && energy >= 0.45 && rng.chance(ctx.feel.r * 0.6) {
                let step = 1 + 2 * rng.below(8) as usize;
                let vel = ctx.vel(energy, 0.6, &mut rng);
                let piece = if rng.chance(0.5) { RIM } else { KICK };
                push(
                    &mut notes,
                    bar_start + step as f64 * 0.25,
                    0.25,
                    piece as i32,
                    vel,
                );
            }
            if b == 0 && s.energy >= 0.85 && s.start > 0.0 {
                let vel = ctx.vel(energy, 1.0, &mut rng);
                push(&mut notes, bar_start, 2.0, CRASH as i32, vel);
            }
            if last_bar && energy >= 0.45 {
                // A fill: snare and toms in sixteenths over the last two beats, rising.
                let dense = 4 + (4.0 * e) as usize;
                for k in 0..dense.min(8) {
                    let t = bar_start + 2.0 + k as f64 * (2.0 / dense.min(8) as f64);
                    let piece = match (k * 3) / dense.min(8) {
                        0 => SNARE,
                        1 => TOM_HIGH,
                        _ => TOM_LOW,
                    };
                    let vel = ctx.vel(energy, 0.6 + 0.05 * k as f32, &mut rng);
                    push(&mut notes, t, 0.25, piece as i32, vel);
                }
            }
        }
    }
    // The final hit.
    let vel = ctx.vel(0.9, 1.0, &mut rng);
    push(&mut notes, ctx.total_beats, 1.0, KICK as i32, vel);
    push(&mut notes, ctx.total_beats, 3.0, CRASH as i32, vel * 0.8);
    Part {
        name: "drums".into(),
        role: Role::Drums,
        sound: Sound::Drums,
        pan: 0.0,
        gain_db: 0.0,
        notes,
    }
}

fn bass(ctx: &Ctx, line: BassLine, sound: Sound) -> Part {
    let mut rng = Rng::stream(ctx.seed, "bass");
    let mut notes = Vec::new();
    let center = if sound == Sound::SubBass { 34 } else { 38 };
    for s in ctx.sections {
        let bars = (s.beats / 4.0) as u32;
        if s.energy < 0.3 && s.kind == SectionKind::Intro && line != BassLine::Drone {
            continue;
        }
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            let chord = ctx.chord_at(bar_start);
            let next = ctx.chord_at(bar_start + 4.0);
            let root = theory::nearest(chord.root_pc(ctx.brief.key), center);
            let fifth = root + 7;
            let octave = root + 12;
            let next_root = theory::nearest(next.root_pc(ctx.brief.key), center);
            let approach = if next_root > root {
                next_root - 1
            } else {
                next_root + 1
            };
            let pattern: &[(f64, f64, i32)] = match line {
                BassLine::Eighths => &[
                    (0.0, 0.45, 0),
                    (0.5, 0.45, 0),
                    (1.0, 0.45, 0),
                    (1.5, 0.45, 0),
                    (2.0, 0.45, 0),
                    (2.5, 0.45, 0),
                    (3.0, 0.45, 0),
                    (3.5, 0.45, 0),
                ],
                BassLine::Sparse => &[(0.0, 1.5, 0), (2.0, 0.9, 0), (3.0, 0.9, 1)],
                BassLine::Sub808 => &[(0.0, 1.2, 0), (1.5, 0.4, 0), (2.0, 0.7, 0), (3.0, 0.8, 0)],
                BassLine::Dembow => &[
                    (0.0, 0.9, 0),
                    (1.0, 0.9, 0),
                    (2.0, 0.9, 0),
                    (3.0, 0.7, 0),
                    (3.75, 0.2, 1),
                ],
                BassLine::Offbeat => &[
                    (0.5, 0.35, 0),
                    (1.5, 0.35, 0),
                    (2.5, 0.35, 0),
                    (3.5, 0.35, 2),
                ],
                BassLine::Rolling => &[
                    (0.25, 0.2, 0),
                    (0.5, 0.2, 0),
                    (0.75, 0.2, 0),
                    (1.25, 0.2, 0),
                    (1.5, 0.2, 0),
                    (1.75, 0.2, 0),
                    (2.25, 0.2, 0),
                    (2.5, 0.2, 0),
                    (2.75, 0.2, 0),
                    (3.25, 0.2, 0),
                    (3.5, 0.2, 2),
                    (3.75, 0.2, 0),
                ],
                BassLine::Drone => &[(0.0, 3.9, 0)],
                BassLine::RootFifth => {
                    &[(0.0, 0.9, 0), (1.5, 0.4, 0), (2.0, 0.9, 1), (3.5, 0.4, 1)]
                }
                BassLine::Walking => &[
                    (0.0, 0.95, 0),
                    (1.0, 0.95, 1),
                    (2.0, 0.95, 2),
                    (3.0, 0.95, 3),
                ],
                BassLine::Octaves => &[
                    (0.0, 0.3, 0),
                    (0.5, 0.2, 2),
                    (1.0, 0.3, 0),
                    (1.5, 0.2, 2),
                    (2.0, 0.3, 0),
                    (2.5, 0.2, 2),
                    (3.0, 0.3, 1),
                    (3.5, 0.2, 2),
                ],
                BassLine::Long => &[(0.0, 2.4, 0), (2.5, 1.4, 0)],
            };
            // Low energy: only the downbeats.
            let sparse = s.energy < 0.4;
            for &(at, dur, which) in pattern {
                if sparse && at.fract() != 0.0 {
                    continue;
                }
                let pitch = match which {
                    0 => root,
                    1 => fifth,
                    2 => octave,
                    _ => approach,
                };
                let t = bar_start + at + ctx.humanize(&mut rng) * 0.5;
                let accent = if at == 0.0 { 1.0 } else { 0.85 };
                let vel = ctx.vel(s.energy.max(0.5), accent, &mut rng);
                push(&mut notes, t, dur, pitch, vel);
            }
        }
    }
    let root = theory::nearest(ctx.tonic() as u8, center);
    push(&mut notes, ctx.total_beats, 3.0, root, 0.8);
    Part {
        name: "bass".into(),
        role: Role::Bass,
        sound,
        pan: 0.0,
        gain_db: -1.0,
        notes,
    }
}

fn keys(ctx: &Ctx, comping: Comping, sound: Sound) -> Part {
    let mut rng = Rng::stream(ctx.seed, "keys");
    let mut notes = Vec::new();
    let mut prev: Option<Vec<i32>> = None;
    for s in ctx.sections {
        let bars = (s.beats / 4.0) as u32;
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            let chord = ctx.chord_at(bar_start);
            let pcs = chord.pitch_classes(ctx.brief.key);
            let voicing = theory::voice(&pcs, prev.as_deref(), 62);
            prev = Some(voicing.clone());
            let hits: Vec<(f64, f64, f32)> = match comping {
                Comping::Eighths => (0..8)
                    .map(|k| (k as f64 * 0.5, 0.4, if k % 2 == 0 { 1.0 } else { 0.7 }))
                    .collect(),
                Comping::Power => {
                    if s.energy >= 0.8 {
                        vec![(0.0, 1.9, 1.0), (2.0, 1.9, 0.9)]
                    } else {
                        (0..8).map(|k| (k as f64 * 0.5, 0.3, 0.8)).collect()
                    }
                }
                Comping::Sparse => vec![(0.0, 1.5, 1.0), (2.5, 1.0, 0.8)],
                Comping::OffbeatStab => (0..4).map(|k| (k as f64 + 0.5, 0.3, 0.9)).collect(),
                Comping::Sixteenths => [0usize, 2, 4, 6, 7, 10, 12, 14, 15]
                    .iter()
                    .map(|k| (*k as f64 * 0.25, 0.15, if k % 4 == 0 { 1.0 } else { 0.7 }))
                    .collect(),
                Comping::Arpeggio | Comping::Broken => Vec::new(),
                Comping::None => Vec::new(),
            };
            let energy = s.energy;
            match comping {
                Comping::Arpeggio | Comping::Broken => {
                    // Broken chords: bass note, then the voicing up and down in eighths.
                    let mut seq: Vec<i32> = Vec::new();
                    let root = theory::nearest(chord.root_pc(ctx.brief.key), 50);
                    seq.push(root);
                    seq.extend(voicing.iter().copied());
                    seq.extend(voicing.iter().rev().skip(1).copied());
                    let step = if ctx.brief.bpm < 96 {
                        1.0
                    } else if ctx.feel.e > 0.75 && energy > 0.7 {
                        0.25
                    } else {
                        0.5
                    };
                    let n = (4.0 / step) as usize;
                    for k in 0..n {
                        let p = seq[k % seq.len()];
                        let t = bar_start + k as f64 * step + ctx.humanize(&mut rng);
                        let on_beat = (k as f64 * step).fract() == 0.0;
                        let accent = if k == 0 {
                            1.0
                        } else if on_beat {
                            0.8
                        } else {
                            0.5
                        };
                        let vel = ctx.vel(energy, accent, &mut rng);
                        push(&mut notes, t, step * 1.8, p, vel);
                    }
                }
                Comping::Power => {
                    let root = theory::nearest(chord.root_pc(ctx.brief.key), 47);
                    for (at, dur, acc) in hits {
                        let t = bar_start + at + ctx.humanize(&mut rng);
                        let vel = ctx.vel(energy, acc, &mut rng);
                        for p in [root, root + 7, root + 12] {
                            push(&mut notes, t, dur, p, vel);
                        }
                    }
                }
                _ => {
                    if energy < 0.35 && comping != Comping::Sparse {
                        // Quiet sections: one held chord per bar.
                        let vel = ctx.vel(energy, 0.9, &mut rng);
                        for &p in &voicing {
                            push(&mut notes, bar_start, 3.8, p, vel);
                        }
                        continue;
                    }
                    for (at, dur, acc) in hits {
                        let t = bar_start + at + ctx.humanize(&mut rng);
                        let vel = ctx.vel(energy, acc, &mut rng);
                        for &p in &voicing {
                            push(&mut notes, t, dur, p, vel);
                        }
                    }
                }
            }
        }
    }
    let chord = ctx.chord_at(ctx.total_beats);
    for p in theory::voice(&chord.pitch_classes(ctx.brief.key), prev.as_deref(), 62) {
        push(&mut notes, ctx.total_beats, 4.0, p, 0.7);
    }
    Part {
        name: "keys".into(),
        role: Role::Keys,
        sound,
        pan: -0.25,
        gain_db: -5.0,
        notes,
    }
}

fn pad(ctx: &Ctx, sound: Sound) -> Part {
    let mut notes = Vec::new();
    let mut prev: Option<Vec<i32>> = None;
    let mut rng = Rng::stream(ctx.seed, "pad");
    for s in ctx.sections {
        let bars = (s.beats / 4.0) as u32;
        // Pads carry quiet sections and lift choruses; verses leave room.
        let plays = matches!(
            s.kind,
            SectionKind::Intro
                | SectionKind::Chorus
                | SectionKind::Bridge
                | SectionKind::Breakdown
                | SectionKind::Outro
                | SectionKind::PreChorus
        ) || ctx.brief.style == Style::Ambient;
        if !plays {
            prev = None;
            continue;
        }
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            let chord = ctx.chord_at(bar_start);
            let v = theory::voice(&chord.pitch_classes(ctx.brief.key), prev.as_deref(), 67);
            let vel = ctx.vel(s.energy, 0.8, &mut rng);
            for &p in &v {
                push(&mut notes, bar_start, 4.0, p, vel);
            }
            prev = Some(v);
        }
    }
    let chord = ctx.chord_at(ctx.total_beats);
    for p in theory::voice(&chord.pitch_classes(ctx.brief.key), prev.as_deref(), 67) {
        push(&mut notes, ctx.total_beats, 4.0, p, 0.6);
    }
    Part {
        name: "pad".into(),
        role: Role::Pad,
        sound,
        pan: 0.2,
        gain_db: -9.0,
        notes,
    }
}

/// A two-bar motif: (start in beats, length in beats, scale step relative to the previous note).
type Motif = Vec<(f64, f64, i32)>;

fn make_motif(rng: &mut Rng, density: f32) -> Motif {
    // Rhythm: a grid of eighths (sixteenths when dense, quarters when calm), some rests.
    let grid = if density > 0.75 {
        0.25
    } else if density < 0.3 {
        1.0
    } else {
        0.5
    };
    let slots = (8.0 / grid) as usize;
    let fill = 0.45 + 0.35 * density;
    let mut out = Vec::new();
    let mut k = 0;
    while k < slots.saturating_sub(2) {
        let on_beat = (k as f64 * grid).fract() == 0.0;
        if rng.chance(if on_beat { fill + 0.2 } else { fill }) {
            let len_slots = 1 + rng.below(if grid < 0.5 { 2 } else { 3 }) as usize;
            let step = match rng.below(10) {
                0..=3 => 1,
                4..=6 => -1,
                7 => 2,
                8 => -2,
                _ => 0,
            };
            out.push((k as f64 * grid, len_slots as f64 * grid * 0.9, step));
            k += len_slots;
        } else {
            k += 1;
        }
    }
    if out.is_empty() {
        out.push((0.0, 2.0, 0));
    }
    out
}

fn lead(ctx: &Ctx, sound: Sound, sung: bool) -> Part {
    let mut rng = Rng::stream(ctx.seed, "lead");
    let mode = ctx.brief.key.mode;
    let tonic = 60 + ctx.tonic();
    let tonic = if tonic > 66 { tonic - 12 } else { tonic };
    let mut notes = Vec::new();
    let mut motifs: Vec<(SectionKind, Motif)> = Vec::new();
    for s in ctx.sections {
        // The lead answers the singer: with vocals it only plays intros, bridges and outros.
        let plays = if sung {
            matches!(
                s.kind,
                SectionKind::Intro
                    | SectionKind::Bridge
                    | SectionKind::Breakdown
                    | SectionKind::Outro
            ) && s.energy > 0.25
        } else {
            matches!(
                s.kind,
                SectionKind::Chorus
                    | SectionKind::Verse
                    | SectionKind::Bridge
                    | SectionKind::Breakdown
            )
        };
        if !plays {
            continue;
        }
        let density = (ctx.feel.e * 0.7 + s.energy * 0.4).min(1.0);
        let motif = match motifs.iter().find(|m| m.0 == s.kind) {
            Some(m) => m.1.clone(),
            None => {
                let m = make_motif(&mut rng, density);
                motifs.push((s.kind, m.clone()));
                m
            }
        };
        let register = if s.kind == SectionKind::Chorus { 4 } else { 2 };
        let bars = (s.beats / 4.0) as u32;
        let mut phrase = 0;
        while phrase * 2 < bars {
            let phrase_start = s.start + phrase as f64 * 8.0;
            let mut degree = register;
            let last_phrase_of_four = phrase % 4 == 3 || (phrase + 1) * 2 >= bars;
            for (i, &(at, dur, step)) in motif.iter().enumerate() {
                let t = phrase_start + at;
                if t >= s.start + s.beats {
                    break;
                }
                // Variation: the second phrase of each pair bends the motif's tail.
                let mut st = step;
                if phrase % 2 == 1 && i + 2 >= motif.len() {
                    st = -step;
                }
                degree = (degree + st).clamp(-2, 9);
                let mut pitch = theory::degree_to_midi(mode, tonic, degree);
                // Strong beats land on chord tones.
                if at.fract() == 0.0 && (at as i64) % 2 == 0 {
                    let chord = ctx.chord_at(t);
                    let pcs = chord.pitch_classes(ctx.brief.key);
                    pitch = pcs
                        .iter()
                        .map(|pc| theory::nearest(*pc, pitch))
                        .min_by_key(|p| (p - pitch).abs())
                        .unwrap_or(pitch);
                }
                // Phrase ends come home to the tonic.
                if last_phrase_of_four && i + 1 == motif.len() {
                    pitch = theory::nearest(ctx.tonic() as u8, pitch);
                }
                // Rareza: chromatic neighbours.
                if ctx.feel.r > 0.3 && rng.chance(ctx.feel.r * 0.15) && at.fract() != 0.0 {
                    pitch += if rng.chance(0.5) { 1 } else { -1 };
                }
                let vel = ctx.vel(
                    s.energy,
                    if at.fract() == 0.0 { 1.0 } else { 0.8 },
                    &mut rng,
                );
                push(
                    &mut notes,
                    t + ctx.humanize(&mut rng) * 0.5,
                    dur,
                    pitch,
                    vel,
                );
            }
            phrase += 1;
        }
    }
    Part {
        name: "lead".into(),
        role: Role::Lead,
        sound,
        pan: 0.15,
        gain_db: -6.0,
        notes,
    }
}

/// Places each line's syllables on an eighth (or sixteenth) grid with stressed syllables on strong
/// beats, and picks pitches: stressed syllables on chord tones, line ends on stable degrees.
fn sung_melody(ctx: &Ctx, lines: &[LinePlan]) -> (Vec<Note>, Vec<SungSyllable>) {
    let mut rng = Rng::stream(ctx.seed, "vocal");
    let mode = ctx.brief.key.mode;
    let tonic = 57 + ctx.tonic();
    let tonic = if tonic > 62 { tonic - 12 } else { tonic };
    let mut notes = Vec::new();
    let mut sung = Vec::new();
    let mut contours: Vec<(SectionKind, Vec<i32>)> = Vec::new();
    for line in lines {
        let n = line.syllables.len();
        if n == 0 {
            continue;
        }
        let beats = line.bars as f64 * 4.0;
        let grid = if n as f64 <= beats * 2.0 * 0.8 {
            0.5
        } else {
            0.25
        };
        let slots = (beats / grid) as usize;
        let usable = slots.saturating_sub((1.0 / grid) as usize).max(n);
        let strong_every = (2.0 / grid) as usize; // beats 1 and 3
        let beat_every = (1.0 / grid) as usize;
        // Even spread, then pull stressed syllables onto strong positions keeping order.
        let mut pos: Vec<usize> = (0..n).map(|i| i * usable / n).collect();
        for i in 0..n {
            if !line.syllables[i].stressed {
                continue;
            }
            let lo = if i == 0 { 0 } else { pos[i - 1] + 1 };
            let hi = if i + 1 == n { usable } else { pos[i + 1] - 1 };
            let best = (lo..=hi.max(lo))
                .filter(|p| p % beat_every == 0)
                .min_by_key(|p| {
                    let strong_bonus = if p % strong_every == 0 { 0 } else { 1 };
                    (p.abs_diff(pos[i]) * 2 + strong_bonus, *p)
                });
            if let Some(b) = best {
                pos[i] = b;
            }
        }
        // Contour per section kind: choruses sit higher.
        let base = match line.kind {
            SectionKind::Chorus => 4,
            SectionKind::Bridge => 3,
            _ => 1,
        };
        let contour = match contours.iter().find(|c| c.0 == line.kind) {
            Some(c) => c.1.clone(),
            None => {
                let c: Vec<i32> = (0..16)
                    .map(|_| match rng.below(6) {
                        0 | 1 => 1,
                        2 | 3 => -1,
                        4 => 0,
                        _ => 2,
                    })
                    .collect();
                contours.push((line.kind, c.clone()));
                c
            }
        };
        let line_start = line.start_bar as f64 * 4.0;
        let mut degree = base;
        for i in 0..n {
            let t = line_start + pos[i] as f64 * grid;
            let next_t = if i + 1 < n {
                line_start + pos[i + 1] as f64 * grid
            } else {
                line_start + beats - 0.5
            };
            let dur = (next_t - t).clamp(grid * 0.9, 2.0) * 0.95;
            degree = (degree + contour[i % contour.len()]).clamp(base - 3, base + 5);
            let mut pitch = theory::degree_to_midi(mode, tonic, degree);
            let syl = &line.syllables[i];
            if syl.stressed || i + 1 == n {
                let chord = ctx.chord_at(t);
                let pcs = if i + 1 == n {
                    vec![ctx.tonic() as u8, chord.root_pc(ctx.brief.key)]
                } else {
                    chord.pitch_classes(ctx.brief.key)
                };
                pitch = pcs
                    .iter()
                    .map(|pc| theory::nearest(*pc, pitch))
                    .min_by_key(|p| (p - pitch).abs())
                    .unwrap_or(pitch);
            }
            let section_energy = section_at(ctx, t).energy;
            let vel = ctx.vel(
                section_energy.max(0.6),
                if syl.stressed { 1.0 } else { 0.78 },
                &mut rng,
            );
            notes.push(Note {
                start: t,
                dur,
                pitch: pitch.clamp(0, 127) as u8,
                vel,
                vowel: Some(syl.vowel),
            });
            sung.push(SungSyllable {
                text: syl.text.clone(),
                start: t,
                pitch: pitch.clamp(0, 127) as u8,
                stressed: syl.stressed,
            });
        }
    }
    (notes, sung)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::resolve;

    fn score(prompt: &str, seed: u64, f: impl FnOnce(&mut GenerationRequest)) -> Score {
        let mut req = GenerationRequest::new(prompt);
        req.seed = seed;
        f(&mut req);
        compose(&resolve(&req), &req)
    }

    #[test]
    fn the_form_fills_the_requested_length() {
        let s = score("deep house 124 bpm in F# minor", 3, |r| {
            r.duration_secs = Some(20.0)
        });
        assert_eq!(s.seconds, 20.0);
        let music = s.time_of(s.total_beats);
        assert!(music <= 20.0 && music > 14.0, "{music}");
        for p in &s.parts {
            assert!(!p.notes.is_empty(), "{} is empty", p.name);
            assert!(p
                .notes
                .iter()
                .all(|n| s.time_of(n.start + n.dur) <= 20.0 + 1e-6 || n.start >= s.total_beats));
        }
    }

    #[test]
    fn pitched_parts_stay_in_key_without_rareza() {
        let s = score("pop song in A major", 7, |r| r.duration_secs = Some(60.0));
        let scale: Vec<u8> = theory::scale(Mode::Major)
            .iter()
            .map(|x| ((9 + x) % 12) as u8)
            .collect();
        let mut total = 0;
        let mut outside = 0;
        for p in s.parts.iter().filter(|p| p.role != Role::Drums) {
            for n in &p.notes {
                total += 1;
                if !scale.contains(&(n.pitch % 12)) {
                    outside += 1;
                }
            }
        }
        assert!(total > 100);
        assert!(
            (outside as f64) < total as f64 * 0.02,
            "{outside}/{total} notes outside A major"
        );
    }

    #[test]
    fn lyrics_shape_the_form_and_stressed_syllables_fall_on_beats() {
        let lyrics = "[Verse]\nCamino solo por la ciudad\nBuscando tu voz en la oscuridad\n[Chorus]\nVuelve a mí, corazón\nQue la noche es canción\n";
        let s = score("balada pop en do mayor a 90 bpm", 1, |r| {
            r.lyrics = Some(lyrics.into())
        });
        let kinds: Vec<SectionKind> = s.sections.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::Intro,
                SectionKind::Verse,
                SectionKind::Chorus,
                SectionKind::Outro
            ]
        );
        let vocal = s.parts.iter().find(|p| p.role == Role::Vocal).unwrap();
        let expected: usize = lyrics
            .lines()
            .filter(|l| !l.starts_with('['))
            .map(|l| lyrics::syllables(l, lyrics::LyricLang::Es).len())
            .sum();
        assert_eq!(vocal.notes.len(), expected, "one note per syllable");
        assert_eq!(s.syllables.len(), expected);
        let stressed: Vec<&SungSyllable> = s.syllables.iter().filter(|x| x.stressed).collect();
        let on_beat = stressed.iter().filter(|x| x.start.fract() == 0.0).count();
        assert!(
            on_beat * 10 >= stressed.len() * 8,
            "{on_beat}/{} stressed on beats",
            stressed.len()
        );
        // Sections start where the lyrics say: the chorus's first syllable is inside the chorus.
        let chorus = s
            .sections
            .iter()
            .find(|x| x.kind == SectionKind::Chorus)
            .unwrap();
        let vuel = s.syllables.iter().find(|x| x.text == "vuel").unwrap();
        assert!(vuel.start >= chorus.start && vuel.start < chorus.start + chorus.beats);
    }

    #[test]
    fn knobs_change_the_composition() {
        let density = |e: u8| {
            let s = score("pop 110 bpm in C major", 5, |r| {
                r.duration_secs = Some(60.0);
                r.knobs.expressivity = e;
            });
            s.parts.iter().map(|p| p.notes.len()).sum::<usize>() as f64
        };
        assert!(
            density(95) > density(5) * 1.2,
            "{} vs {}",
            density(95),
            density(5)
        );
        let outside = |r: u8| {
            let s = score("pop 110 bpm in C major", 5, |q| {
                q.duration_secs = Some(60.0);
                q.knobs.rareza = r;
            });
            let chords: std::collections::BTreeSet<String> =
                s.chords.iter().map(|c| c.symbol.clone()).collect();
            chords.len()
        };
        assert!(
            outside(100) > outside(0),
            "{} vs {}",
            outside(100),
            outside(0)
        );
    }

    #[test]
    fn different_seeds_give_different_songs_and_equal_seeds_equal_ones() {
        let a = score("funk in E minor", 1, |r| r.duration_secs = Some(30.0));
        let b = score("funk in E minor", 2, |r| r.duration_secs = Some(30.0));
        let a2 = score("funk in E minor", 1, |r| r.duration_secs = Some(30.0));
        assert_eq!(a, a2);
        assert_ne!(a.parts, b.parts);
    }
}
