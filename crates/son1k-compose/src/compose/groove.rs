//! The drum part: the General MIDI kit numbers, each groove's patterns, fills and hits. The
//! hand percussion (congas, bongós, güira, tambora…) is its own part, written in `percussion`
//! by the same pattern player.

use super::percussion::perc_lines;
use super::{push, Ctx};
use crate::form::SectionKind;
use crate::rng::Rng;
use crate::score::{Note, Part, Role};
use crate::style::{Groove, Sound};

/// General MIDI percussion numbers the kit and the hand percussion use.
pub mod drum {
    /// Bass drum.
    pub const KICK: u8 = 36;
    /// Side stick (also the tambora's rim).
    pub const RIM: u8 = 37;
    /// Snare.
    pub const SNARE: u8 = 38;
    /// Hand clap.
    pub const CLAP: u8 = 39;
    /// Low floor tom (also the tambora's open head).
    pub const TOM_FLOOR: u8 = 41;
    /// Closed hi-hat.
    pub const HAT: u8 = 42;
    /// High floor tom.
    pub const TOM_FLOOR_HIGH: u8 = 43;
    /// Hi-hat pedal (foot).
    pub const HAT_FOOT: u8 = 44;
    /// Low tom.
    pub const TOM_LOW: u8 = 45;
    /// Open hi-hat.
    pub const OPEN_HAT: u8 = 46;
    /// Low-mid tom.
    pub const TOM_MID: u8 = 47;
    /// High-mid tom.
    pub const TOM_HIGH_MID: u8 = 48;
    /// Crash cymbal.
    pub const CRASH: u8 = 49;
    /// High tom.
    pub const TOM_HIGH: u8 = 50;
    /// Ride cymbal.
    pub const RIDE: u8 = 51;
    /// Tambourine.
    pub const TAMBOURINE: u8 = 54;
    /// Cowbell (campana, cencerro).
    pub const COWBELL: u8 = 56;
    /// High bongó.
    pub const BONGO_HIGH: u8 = 60;
    /// Low bongó.
    pub const BONGO_LOW: u8 = 61;
    /// Muted high conga (heel, toe, slap).
    pub const CONGA_MUTE: u8 = 62;
    /// Open high conga.
    pub const CONGA_OPEN: u8 = 63;
    /// Low conga (tumba).
    pub const CONGA_LOW: u8 = 64;
    /// High timbale.
    pub const TIMBALE_HIGH: u8 = 65;
    /// Low timbale.
    pub const TIMBALE_LOW: u8 = 66;
    /// Cabasa.
    pub const CABASA: u8 = 69;
    /// Shaker (maracas).
    pub const SHAKER: u8 = 70;
    /// Short güiro scrape (güira, guacharaca).
    pub const GUIRO_SHORT: u8 = 73;
    /// Long güiro scrape.
    pub const GUIRO_LONG: u8 = 74;
    /// Claves.
    pub const CLAVES: u8 = 75;
    /// Every piece the composer writes (the synthesised kit has each).
    pub const ALL: [u8; 29] = [
        KICK,
        RIM,
        SNARE,
        CLAP,
        TOM_FLOOR,
        HAT,
        TOM_FLOOR_HIGH,
        HAT_FOOT,
        TOM_LOW,
        OPEN_HAT,
        TOM_MID,
        TOM_HIGH_MID,
        CRASH,
        TOM_HIGH,
        RIDE,
        TAMBOURINE,
        COWBELL,
        BONGO_HIGH,
        BONGO_LOW,
        CONGA_MUTE,
        CONGA_OPEN,
        CONGA_LOW,
        TIMBALE_HIGH,
        TIMBALE_LOW,
        CABASA,
        SHAKER,
        GUIRO_SHORT,
        GUIRO_LONG,
        CLAVES,
    ];
}

/// One line of a groove: a piece, its pattern and the section energies it plays at.
///
/// Patterns are 16 sixteenth-note steps a bar, or 32 over two bars (the clave): `X` accent,
/// `x` normal, `o` ghost, anything else rest.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    /// General MIDI percussion number.
    pub piece: u8,
    /// The pattern.
    pub pat: &'static str,
    /// Least section energy that plays it.
    pub min: f32,
    /// Section energy from which it stops (the bongó hands over to the bell in the chorus).
    pub max: f32,
}

/// A line that plays from energy `min` on.
pub(super) const fn l(piece: u8, pat: &'static str, min: f32) -> Line {
    Line {
        piece,
        pat,
        min,
        max: 2.0,
    }
}

/// A line that plays from energy `min` until `max`.
pub(super) const fn lm(piece: u8, pat: &'static str, min: f32, max: f32) -> Line {
    Line {
        piece,
        pat,
        min,
        max,
    }
}

/// Parses a pattern's steps for bar `bar` of the song: (step 0–15, accent).
fn steps(pattern: &str, bar: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
    let len = pattern.len();
    let offset = if len >= 32 { (bar % 2) * 16 } else { 0 };
    pattern
        .bytes()
        .enumerate()
        .skip(offset)
        .take(16)
        .filter_map(move |(i, b)| {
            let step = i - offset;
            match b {
                b'X' => Some((step, 1.0)),
                b'x' => Some((step, 0.8)),
                b'o' => Some((step, 0.42)),
                _ => None,
            }
        })
}

/// The drum kit's lines of a groove.
fn kit_lines(g: Groove) -> Vec<Line> {
    use drum::*;
    match g {
        Groove::Pop => vec![
            l(KICK, "x.....x.x.......", 0.3),
            l(SNARE, "....X.......X...", 0.45),
            l(HAT, "x.x.x.x.x.x.x.x.", 0.3),
            l(OPEN_HAT, "..............x.", 0.6),
        ],
        Groove::Rock => vec![
            l(KICK, "x.......x.x.....", 0.3),
            l(KICK, "......x.........", 0.8),
            l(SNARE, "....X.......X...", 0.45),
            lm(HAT, "X.x.X.x.X.x.X.x.", 0.3, 0.8),
            l(RIDE, "X.x.X.x.X.x.X.x.", 0.8),
        ],
        Groove::Metal => vec![
            l(KICK, "x..x..x.x..x..x.", 0.3),
            l(KICK, "xxxxxxxxxxxxxxxx", 0.8),
            l(SNARE, "....X.......X...", 0.45),
            lm(HAT, "x.x.x.x.x.x.x.x.", 0.3, 0.8),
            l(RIDE, "X.x.X.x.X.x.X.x.", 0.8),
        ],
        Groove::BoomBap => vec![
            l(KICK, "x......x..x.....", 0.3),
            l(SNARE, "....X.......X...", 0.45),
            l(HAT, "x.x.x.x.x.x.x.x.", 0.3),
            l(HAT, "...o...o...o...o", 0.45),
        ],
        Groove::LoFi => vec![
            l(KICK, "x.....x...x.....", 0.3),
            l(SNARE, "....x.......x...", 0.45),
            l(RIM, ".......o.......o", 0.6),
            l(HAT, "x.o.x.o.x.o.x.o.", 0.3),
            l(SHAKER, "..x...x...x...x.", 0.6),
        ],
        Groove::Trap => vec![
            l(KICK, "x.....x...x..x..", 0.3),
            l(CLAP, "........X.......", 0.45),
            l(SNARE, "........x.......", 0.45),
            l(HAT, "xoxoxoxoxoxoxoxo", 0.3),
        ],
        Groove::RnB => vec![
            l(KICK, "x..x......x.....", 0.3),
            l(SNARE, "....X.......X...", 0.45),
            l(RIM, "..........o.....", 0.6),
            l(HAT, "xoxoxoxoxoxoxoxo", 0.3),
            l(OPEN_HAT, "......x.........", 0.6),
        ],
        Groove::Dembow => vec![
            l(KICK, "X...X...X...X...", 0.3),
            l(SNARE, "...x..x....x..x.", 0.45),
            l(CLAP, "...x..x....x..x.", 0.6),
            l(HAT, "x.x.x.x.x.x.x.x.", 0.3),
        ],
        Groove::DembowRd => vec![
            l(KICK, "X...X...X...X...", 0.3),
            l(CLAP, "...X..X....X..X.", 0.45),
            l(HAT, "x.xxx.xxx.xxx.xx", 0.3),
            l(OPEN_HAT, "..x...x...x...x.", 0.6),
        ],
        Groove::FourFloor => vec![
            l(KICK, "X...x...X...x...", 0.3),
            l(CLAP, "....x.......x...", 0.45),
            l(HAT, "x...x...x...x...", 0.3),
            l(HAT, "...o...o...o...o", 0.6),
            l(OPEN_HAT, "..x...x...x...x.", 0.3),
        ],
        Groove::Techno => vec![
            l(KICK, "X...x...X...x...", 0.3),
            l(CLAP, "....x.......x...", 0.6),
            l(HAT, "xoxoxoxoxoxoxoxo", 0.3),
            l(OPEN_HAT, "..x...x...x...x.", 0.45),
            l(RIM, "...x..x....x....", 0.8),
        ],
        Groove::Ambient => vec![
            l(KICK, "x...............", 0.3),
            l(RIM, "........x.......", 0.45),
            l(SHAKER, "x...x...x...x...", 0.45),
        ],
        Groove::Cumbia => vec![
            l(KICK, "x.......x.......", 0.3),
            l(RIM, "....x.......x...", 0.45),
            l(SNARE, "....x.......x...", 0.8),
        ],
        Groove::Ballad => vec![
            l(KICK, "x.......x.....o.", 0.3),
            lm(RIM, "....x.......x...", 0.45, 0.8),
            l(SNARE, "....X.......X...", 0.8),
            l(HAT, "x.o.x.o.x.o.x.o.", 0.3),
        ],
        Groove::Funk => vec![
            l(KICK, "x.x.......x..x..", 0.3),
            l(SNARE, "....X..o.o..X..o", 0.45),
            l(HAT, "xoxoxoxoxoxoxoxo", 0.3),
            l(OPEN_HAT, "..............x.", 0.6),
        ],
        Groove::Breakbeat => vec![
            l(KICK, "x.........x.....", 0.3),
            l(SNARE, "....X..o.o..X...", 0.45),
            l(HAT, "x.x.x.x.x.x.x.x.", 0.3),
            l(RIDE, "x.x.x.x.x.x.x.x.", 0.8),
        ],
        Groove::Salsa => vec![
            // Son clave 3-2: steps 0, 6, 12 | 4, 8.
            l(CLAVES, "X.....X.....X.......X...X.......", 0.3),
            // Cáscara on the timbale shell in the verse, the bell in the chorus.
            lm(TIMBALE_HIGH, "o.oo.o.oo.oo.o.o", 0.45, 0.8),
            l(COWBELL, "X...x...X...x...", 0.8),
            l(TIMBALE_LOW, "..............X.", 0.8),
            l(KICK, "..........o.....", 0.6),
        ],
        Groove::Bachata => vec![
            // The güira: long scrape on the beat, short on the and; sixteenth pickups later.
            l(GUIRO_LONG, "X...X...X...X...", 0.3),
            l(GUIRO_SHORT, "..x...x...x...x.", 0.3),
            l(GUIRO_SHORT, "...o.......o....", 0.6),
            l(KICK, "x.......x.......", 0.6),
            l(COWBELL, "X.x.X.x.X.x.X.x.", 0.8),
        ],
        Groove::Merengue => vec![
            l(KICK, "X...X...X...X...", 0.3),
            l(GUIRO_SHORT, "X.xxX.xxX.xxX.xx", 0.3),
            l(COWBELL, "x.x.x.x.x.x.x.x.", 0.8),
        ],
        Groove::JazzSwing => vec![
            // Ride: 1, 2, 2-and, 3, 4, 4-and (the ands swung); the hat foot on 2 and 4.
            l(RIDE, "X...x.x.X...x.x.", 0.3),
            l(HAT_FOOT, "....x.......x...", 0.3),
            l(SNARE, "...........o....", 0.45),
            l(SNARE, "......o.......o.", 0.8),
            l(KICK, "o.......o.......", 0.8),
        ],
        Groove::Shuffle => vec![
            l(KICK, "x.......x.......", 0.3),
            l(KICK, "......o.......o.", 0.6),
            l(SNARE, "....X.......X...", 0.45),
            lm(HAT, "x.x.x.x.x.x.x.x.", 0.3, 0.8),
            l(RIDE, "x.x.x.x.x.x.x.x.", 0.8),
        ],
        Groove::OneDrop => vec![
            // Nothing on the one: kick and cross-stick together on beat 3.
            l(KICK, "........X.......", 0.3),
            l(RIM, "........x.......", 0.3),
            l(HAT, "x.x.x.x.x.x.x.x.", 0.3),
            l(OPEN_HAT, "......x.......x.", 0.6),
            l(SNARE, "........X.......", 0.8),
        ],
        Groove::CountryTrain => vec![
            l(KICK, "x.......x.......", 0.3),
            l(SNARE, "o.o.X.o.o.o.X.o.", 0.45),
            l(RIDE, "x.x.x.x.x.x.x.x.", 0.8),
        ],
        Groove::Folk => vec![
            l(KICK, "o.......o.......", 0.45),
            l(TAMBOURINE, "....x.......x...", 0.45),
            l(SHAKER, "..x...x...x...x.", 0.6),
        ],
        Groove::Bolero => vec![
            l(SHAKER, "x.x.x.x.x.x.x.x.", 0.3),
            l(KICK, "o.......o.......", 0.6),
            l(CLAVES, "....x.x.....x...", 0.8),
        ],
        Groove::Polka => vec![
            l(KICK, "X.......X.......", 0.3),
            l(SNARE, "....x.......x...", 0.45),
            l(SNARE, "......o.......o.", 0.8),
            l(HAT, "..x...x...x...x.", 0.6),
        ],
        Groove::None => Vec::new(),
    }
}

/// The pieces of a groove's fill (none for grooves that do not fill).
fn fill_pieces(g: Groove) -> &'static [u8] {
    use drum::*;
    match g {
        Groove::None | Groove::Ambient | Groove::Folk | Groove::Bolero => &[],
        Groove::Salsa | Groove::Bachata | Groove::Merengue | Groove::Cumbia | Groove::DembowRd => {
            &[TIMBALE_HIGH, TIMBALE_HIGH, TIMBALE_LOW]
        }
        Groove::Metal | Groove::Rock => &[SNARE, TOM_HIGH, TOM_MID, TOM_FLOOR],
        _ => &[SNARE, TOM_HIGH, TOM_LOW],
    }
}

/// Whether a groove rises into its choruses the electronic way — a snare build-up over the
/// bar before the chorus and a drop on its last beat — instead of a fill through the toms.
pub(super) fn builds_up(g: Groove) -> bool {
    matches!(
        g,
        Groove::FourFloor | Groove::Techno | Groove::Trap | Groove::Dembow | Groove::Breakbeat
    )
}

/// The beats before a chorus that a build-up groove leaves empty: kick, bass and everything
/// but the build-up's snares drop out, and the chorus lands on the next downbeat.
pub(super) const DROP_BEATS: f64 = 1.0;

/// Plays `lines` over every bar of the song into `notes`; `kit` adds the fills' gaps.
pub(super) fn play(
    ctx: &Ctx,
    groove: Groove,
    swing: f32,
    lines: &[Line],
    kit: bool,
    rng: &mut Rng,
) -> Vec<Note> {
    use drum::*;
    let mut notes = Vec::new();
    // Below 80 BPM sixteenth-note hats would read as double time; the grooves' own off-beat
    // hits (dembow snares, cumbia scrapers) always play, and R&B keeps its sixteenths.
    let slow = ctx.brief.bpm < 80 && groove != Groove::RnB;
    let swing8 = ctx.brief.style.eighth_swing() as f64;
    let fills = kit && !fill_pieces(groove).is_empty();
    let build = kit && builds_up(groove);
    for (si, s) in ctx.sections.iter().enumerate() {
        let bars = (s.beats / 4.0) as u32;
        let into_chorus = ctx
            .sections
            .get(si + 1)
            .is_some_and(|n| n.kind == SectionKind::Chorus && s.kind != SectionKind::Chorus);
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            let song_bar = (bar_start / 4.0).round() as usize;
            let last_bar = b + 1 == bars && s.kind != SectionKind::Outro;
            // The bar before a chorus, in a build-up groove: snares rise, then the drop.
            let building = build && last_bar && into_chorus;
            let energy = s.energy;
            let mut seen: Vec<(u8, usize)> = Vec::new();
            for line in lines.iter().filter(|x| energy >= x.min && energy < x.max) {
                for (step, accent) in steps(line.pat, song_bar) {
                    if seen.contains(&(line.piece, step)) {
                        continue;
                    }
                    seen.push((line.piece, step));
                    if slow && step % 2 == 1 && line.piece == HAT {
                        continue;
                    }
                    if fills
                        && last_bar
                        && step >= 8
                        && matches!(line.piece, SNARE | CLAP)
                        && energy >= 0.45
                    {
                        continue; // the fill takes over
                    }
                    if building
                        && (matches!(line.piece, SNARE | CLAP)
                            || step as f64 * 0.25 >= 4.0 - DROP_BEATS)
                    {
                        continue; // the build-up takes over, then the drop
                    }
                    let mut t = bar_start + step as f64 * 0.25;
                    if swing8 > 0.5 && step % 4 == 2 {
                        t += (swing8 - 0.5) * 1.0;
                    } else if step % 2 == 1 {
                        t += swing as f64 * 0.25;
                    }
                    t += ctx.humanize(rng) * if line.piece == KICK { 0.3 } else { 1.0 };
                    let dur = match line.piece {
                        OPEN_HAT => 0.5,
                        GUIRO_LONG => 0.4,
                        _ => 0.25,
                    };
                    let vel = ctx.vel(energy, accent, rng);
                    push(&mut notes, t, dur, line.piece as i32, vel);
                }
            }
            if !kit {
                continue;
            }
            let has_hat = lines.iter().any(|x| x.piece == HAT);
            // Denser hats with Expressivity in high-energy sections.
            if ctx.feel.e > 0.72 && energy > 0.8 && has_hat && groove != Groove::Techno && !slow {
                for step in (1..16).step_by(2) {
                    let t = bar_start + step as f64 * 0.25 + ctx.humanize(rng);
                    let vel = ctx.vel(energy, 0.4, rng);
                    push(&mut notes, t, 0.25, HAT as i32, vel);
                }
            }
            // Trap hi-hat rolls (32nds).
            if groove == Groove::Trap && energy >= 0.5 && rng.chance(0.5) {
                let at = bar_start + 2.0 + rng.below(2) as f64;
                for k in 0..8 {
                    let vel = ctx.vel(energy, 0.4 + 0.05 * k as f32, rng);
                    push(&mut notes, at + k as f64 / 8.0, 0.1, HAT as i32, vel);
                }
            }
            // Rareza: displaced kicks and extra percussion.
            if ctx.feel.r > 0.4 && energy >= 0.45 && rng.chance(ctx.feel.r * 0.6) {
                let step = 1 + 2 * rng.below(8) as usize;
                let vel = ctx.vel(energy, 0.6, rng);
                let piece = if rng.chance(0.5) { RIM } else { KICK };
                push(
                    &mut notes,
                    bar_start + step as f64 * 0.25,
                    0.25,
                    piece as i32,
                    vel,
                );
            }
            if b == 0 && s.energy >= 0.85 && s.start > 0.0 && fills {
                let vel = ctx.vel(energy, 1.0, rng);
                push(&mut notes, bar_start, 2.0, CRASH as i32, vel);
            }
            if building {
                // Snare eighths over the first half, sixteenths over the third beat, rising to
                // full force; the last beat is the drop (the chorus lands on the downbeat).
                let hits: Vec<f64> = (0..4)
                    .map(|k| k as f64 * 0.5)
                    .chain((0..4).map(|k| 2.0 + k as f64 * 0.25))
                    .collect();
                let n = hits.len() as f32;
                for (k, at) in hits.into_iter().enumerate() {
                    let rise = 0.35 + 0.65 * (k as f32 + 1.0) / n;
                    let vel = (ctx.vel(energy.max(0.7), 1.0, rng) * rise).clamp(0.05, 1.0);
                    push(&mut notes, bar_start + at, 0.25, SNARE as i32, vel);
                }
            } else if fills && last_bar && energy >= 0.45 && !builds_up(groove) {
                // A fill in sixteenths over the last two beats, falling through the toms.
                let pieces = fill_pieces(groove);
                let dense = (4 + (4.0 * ctx.feel.e) as usize).min(8);
                for k in 0..dense {
                    let t = bar_start + 2.0 + k as f64 * (2.0 / dense as f64);
                    let piece = pieces[(k * pieces.len()) / dense];
                    let vel = ctx.vel(energy, 0.6 + 0.05 * k as f32, rng);
                    push(&mut notes, t, 0.25, piece as i32, vel);
                }
            }
        }
    }
    notes
}

/// The drum kit's part; `None` for grooves with no drums (classical).
pub(super) fn drums(ctx: &Ctx, groove: Groove, swing: f32) -> Option<Part> {
    use drum::*;
    let lines = kit_lines(groove);
    if lines.is_empty() {
        return None;
    }
    let mut rng = Rng::stream(ctx.seed, "drums");
    let mut notes = play(ctx, groove, swing, &lines, true, &mut rng);
    // The final hit.
    let vel = ctx.vel(0.9, 1.0, &mut rng);
    let (low, ring) = match groove {
        Groove::Folk | Groove::Bolero | Groove::Ambient => (KICK, None),
        Groove::Salsa | Groove::Bachata | Groove::Merengue => (TIMBALE_LOW, Some(CRASH)),
        _ => (KICK, Some(CRASH)),
    };
    push(&mut notes, ctx.total_beats, 1.0, low as i32, vel);
    if let Some(c) = ring {
        push(&mut notes, ctx.total_beats, 3.0, c as i32, vel * 0.8);
    }
    Some(Part {
        name: "drums".into(),
        role: Role::Drums,
        sound: Sound::Drums,
        pan: 0.0,
        gain_db: 0.0,
        notes,
    })
}

/// The hand-percussion part (`perc`); `None` for grooves without one.
pub(super) fn perc(ctx: &Ctx, groove: Groove, swing: f32) -> Option<Part> {
    let lines = perc_lines(groove);
    if lines.is_empty() {
        return None;
    }
    let mut rng = Rng::stream(ctx.seed, "perc");
    let notes = play(ctx, groove, swing, &lines, false, &mut rng);
    if notes.is_empty() {
        return None; // no section loud enough for it
    }
    Some(Part {
        name: "perc".into(),
        role: Role::Drums,
        sound: Sound::Drums,
        pan: 0.2,
        gain_db: -2.0,
        notes,
    })
}
