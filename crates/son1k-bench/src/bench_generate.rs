//! `son1k-bench generate`: does the Generator make songs, genre by genre?
//!
//! For every genre the Generator should play, a Spanish and an English prompt (some with lyrics)
//! over several seeds; each song is measured from what the engine hands out — its score's chords
//! and sections, its MIDI file (drum hits on channel 10, General MIDI programs), its master and
//! its vocal stem — with the definitions in [`crate::metrics`], and the analyzer checks that the
//! tempo and key it claims are heard. Then a 180 s song's speed on one core, against fluidsynth
//! rendering the same MIDI file when it is installed. A measurement: targets that fail are
//! printed as FAIL, not returned as errors.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use son1k_compose::form::SectionKind;
use son1k_compose::score::Role;
use son1k_compose::{ProceduralEngine, Song, SongEngine};
use son1k_core::{GenerationRequest, Quality};

use crate::metrics::{self as m, ChordAt, Hit};

/// One genre of the prompt set.
pub struct BenchGenre {
    /// Name in the table.
    pub name: &'static str,
    /// Genre ids (as `song.json` writes them) that count as having understood the prompt.
    pub accept: &'static [&'static str],
    /// The Spanish prompt.
    pub es: &'static str,
    /// The English prompt.
    pub en: &'static str,
    /// A loop-based electronic style, which may keep one chord per bar.
    pub loops: bool,
}

const fn g(
    name: &'static str,
    accept: &'static [&'static str],
    es: &'static str,
    en: &'static str,
    loops: bool,
) -> BenchGenre {
    BenchGenre {
        name,
        accept,
        es,
        en,
        loops,
    }
}

/// The prompt set: every genre the issue lists, one prompt in each language.
pub const GENRES: [BenchGenre; 27] = [
    g(
        "pop",
        &["pop"],
        "una canción pop alegre con piano y sintetizadores",
        "an upbeat pop song with piano and synths",
        false,
    ),
    g(
        "rock",
        &["rock"],
        "un rock con guitarras distorsionadas y batería potente",
        "a driving rock song with distorted guitars",
        false,
    ),
    g(
        "metal",
        &["metal"],
        "un metal agresivo con doble bombo y guitarras pesadas",
        "an aggressive metal track with double kick and heavy guitars",
        false,
    ),
    g(
        "hip-hop",
        &["hip-hop", "hiphop"],
        "un hip hop clásico de boom bap con samples de piano",
        "a classic boom bap hip hop beat with a dusty piano",
        false,
    ),
    g(
        "trap",
        &["trap"],
        "un trap oscuro con 808 y hi-hats rápidos",
        "a dark trap beat with 808 bass and fast hi-hats",
        true,
    ),
    g(
        "r&b",
        &["rnb", "r&b"],
        "un r&b suave y romántico con piano eléctrico",
        "a smooth romantic r&b song with electric piano",
        false,
    ),
    g(
        "house",
        &["house"],
        "un house bailable con piano y bombo a negras",
        "a deep house groove with piano chords",
        true,
    ),
    g(
        "techno",
        &["techno"],
        "un techno hipnótico de club",
        "a hypnotic warehouse techno track",
        true,
    ),
    g(
        "drum & bass",
        &["drum-and-bass", "dnb"],
        "un drum and bass enérgico con bajo reese",
        "an energetic drum and bass roller with a reese bass",
        true,
    ),
    g(
        "lo-fi",
        &["lo-fi", "lofi"],
        "un lo-fi relajado para estudiar",
        "a chill lo-fi beat to study to",
        false,
    ),
    g(
        "ambient",
        &["ambient"],
        "un ambient tranquilo con pads largos",
        "a calm ambient soundscape with long pads",
        true,
    ),
    g(
        "jazz",
        &["jazz"],
        "un jazz con contrabajo, piano y platillo ride",
        "a melancholic jazz ballad with piano and upright bass",
        false,
    ),
    g(
        "blues",
        &["blues"],
        "un blues lento con guitarra y armónica",
        "a slow shuffle blues with guitar",
        false,
    ),
    g(
        "funk",
        &["funk"],
        "un funk bailable con clavinet y bajo slap",
        "a funky groove with clavinet and slap bass",
        false,
    ),
    g(
        "classical",
        &["classical"],
        "una pieza de música clásica para orquesta de cuerdas",
        "a classical piece for string orchestra and woodwinds",
        false,
    ),
    g(
        "country",
        &["country"],
        "un country alegre con guitarra acústica",
        "a country song with steel-string acoustic guitar",
        false,
    ),
    g(
        "folk",
        &["folk"],
        "una canción folk íntima con guitarra acústica",
        "an intimate folk song with fingerpicked acoustic guitar",
        false,
    ),
    g(
        "ballad",
        &["ballad", "balada"],
        "una balada romántica con piano y cuerdas",
        "a romantic ballad with piano and strings",
        false,
    ),
    g(
        "bolero",
        &["bolero"],
        "un bolero romántico con requinto y bongó",
        "a romantic bolero with requinto guitar and bongos",
        false,
    ),
    g(
        "reggaeton",
        &["reggaeton"],
        "un reguetón para perrear con dembow",
        "a reggaeton party track",
        false,
    ),
    g(
        "dembow",
        &["dembow"],
        "un dembow dominicano bien movido",
        "a fast Dominican dembow track",
        false,
    ),
    g(
        "cumbia",
        &["cumbia"],
        "una cumbia alegre con acordeón",
        "a happy cumbia with accordion and guacharaca",
        false,
    ),
    g(
        "salsa",
        &["salsa"],
        "una salsa con piano, trompetas y congas",
        "a salsa dura with piano montuno, trumpets and congas",
        false,
    ),
    g(
        "bachata",
        &["bachata"],
        "una bachata romántica con requinto",
        "a romantic bachata with requinto guitar and bongos",
        false,
    ),
    g(
        "merengue",
        &["merengue"],
        "un merengue rápido con tambora y güira",
        "a fast merengue with tambora and accordion",
        false,
    ),
    g(
        "reggae",
        &["reggae"],
        "un reggae relajado con órgano y guitarra",
        "a roots reggae one drop with organ skank",
        false,
    ),
    g(
        "corridos",
        &[
            "corridos",
            "corrido",
            "regional-mexicano",
            "regional mexicano",
            "norteno",
            "norteño",
        ],
        "un corrido norteño con acordeón y bajo sexto",
        "a Mexican corrido with accordion and bajo sexto",
        false,
    ),
];

/// Short lyrics with plenty of sibilants, one per language.
const LYRICS_ES: &str = "[Verso]\nSigo tus pasos por la ciudad\nsiento que el sol se va sin piedad\nbuscas la luz en cada estación\ny se deshace mi voz\n[Coro]\nSí, solo sé que tú eres mi sol\nsuenan las calles con esta canción\nsalta, sonríe, siente el calor\nsiempre seremos los dos\n";
const LYRICS_EN: &str = "[Verse]\nStreetlights are softly singing your name\nsmoke in the city, sparks in the rain\nsomething is shifting, I sense it at last\nshadows are fading so fast\n[Chorus]\nSo stay, this is the best of us\nkiss me and sway, just trust\nsing it out loud, it's a sweet sensation\nstars on the seaside station\n";

/// What to run.
pub struct GenerateOptions {
    /// Songs per genre (alternating Spanish and English prompts, one seed each).
    pub songs: usize,
    /// Seconds per song (songs with lyrics last as long as their lyrics).
    pub seconds: f64,
    /// Only these genres (table names), when not empty.
    pub genres: Vec<String>,
    /// Run the 180 s speed check and the fluidsynth comparison.
    pub speed: bool,
}

/// One sub-check of a genre's defining pattern: the share of verse/chorus bars where it holds
/// (1 or 0 for a property of the whole song) and the share it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What is checked.
    pub name: &'static str,
    /// 0–1.
    pub value: f64,
    /// 0–1.
    pub need: f64,
}

/// A MIDI track of the song: its part's kind, General MIDI program and notes.
#[derive(Debug, Clone)]
pub struct Track {
    /// Its part's role.
    pub kind: Kind,
    /// General MIDI program (0-based).
    pub program: u8,
    /// Notes.
    pub notes: Vec<Hit>,
}

/// What a melodic track does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The bass.
    Bass,
    /// The lead melody.
    Lead,
    /// The sung melody.
    Vocal,
    /// Chords, pads and everything else.
    Other,
}

/// The song as the checks see it.
#[derive(Debug, Clone)]
pub struct View {
    /// Tempo.
    pub bpm: u32,
    /// Beats per bar.
    pub bar_beats: f64,
    /// Bars of music.
    pub bars: usize,
    /// Bars inside verses and choruses (every bar when there are none).
    pub pattern_bars: Vec<usize>,
    /// Bars inside choruses.
    pub chorus_bars: Vec<usize>,
    /// Drum and percussion hits (MIDI channel 10).
    pub drums: Vec<Hit>,
    /// The other tracks.
    pub tracks: Vec<Track>,
    /// Chords.
    pub chords: Vec<ChordAt>,
    /// Tonic pitch class.
    pub tonic: u8,
}

const KICK: &[u8] = &[35, 36];
const SNARE: &[u8] = &[38, 39, 40];
const HATS: &[u8] = &[42, 44, 46];
const RIDE: &[u8] = &[51, 53, 59];
const SCRAPER: &[u8] = &[69, 70, 73, 74];
const GUIRA: &[u8] = &[69, 73, 74];
const BONGO: &[u8] = &[60, 61];
const EIGHTHS: &[u32] = &[0, 2, 4, 6, 8, 10, 12, 14];

impl View {
    fn steps(&self, pitches: &[u8], bar: usize) -> u64 {
        m::steps(&self.drums, pitches, bar, self.bar_beats)
    }

    fn count(&self, pitches: &[u8], bar: usize) -> usize {
        m::in_bar(&self.drums, pitches, bar, self.bar_beats).count()
    }

    fn of(&self, kind: Kind) -> impl Iterator<Item = &Track> {
        self.tracks.iter().filter(move |t| t.kind == kind)
    }

    fn with_program<'a>(&'a self, programs: &'a [u8]) -> impl Iterator<Item = &'a Track> + 'a {
        self.tracks
            .iter()
            .filter(move |t| t.kind != Kind::Vocal && programs.contains(&t.program))
    }

    /// Onset steps of the tracks of `kind` in `bar`.
    fn track_steps<'a>(&self, tracks: impl Iterator<Item = &'a Track>, bar: usize) -> u64 {
        tracks.fold(0, |acc, t| {
            acc | m::steps(&t.notes, &[], bar, self.bar_beats)
        })
    }

    fn bass_steps(&self, bar: usize) -> u64 {
        self.track_steps(self.of(Kind::Bass), bar)
    }

    /// Share of the pattern bars where `f` holds.
    fn bars_where(&self, f: impl Fn(usize) -> bool) -> f64 {
        share(&self.pattern_bars, f)
    }

    fn song(&self, holds: bool) -> f64 {
        if holds {
            1.0
        } else {
            0.0
        }
    }

    fn tempo(&self, lo: u32, hi: u32) -> f64 {
        self.song((lo..=hi).contains(&self.bpm))
    }

    fn has_program(&self, programs: &[u8]) -> f64 {
        self.song(self.with_program(programs).next().is_some())
    }

    fn drum_swing(&self) -> f64 {
        let cymbals: Vec<Hit> = self
            .drums
            .iter()
            .filter(|h| HATS.contains(&h.pitch) || RIDE.contains(&h.pitch))
            .copied()
            .collect();
        let s = m::swing(if cymbals.is_empty() {
            &self.drums
        } else {
            &cymbals
        });
        self.song(s.is_some_and(|s| s >= 0.55))
    }

    fn chord_share(&self, f: impl Fn(&str) -> bool) -> f64 {
        if self.chords.is_empty() {
            return 0.0;
        }
        self.chords.iter().filter(|c| f(&c.symbol)).count() as f64 / self.chords.len() as f64
    }
}

fn share(bars: &[usize], f: impl Fn(usize) -> bool) -> f64 {
    if bars.is_empty() {
        return 0.0;
    }
    bars.iter().filter(|&&b| f(b)).count() as f64 / bars.len() as f64
}

fn bits(x: u64) -> u32 {
    x.count_ones()
}

fn check(name: &'static str, value: f64) -> Check {
    Check {
        name,
        value,
        need: 0.5,
    }
}

/// Whether the guitar chords of `tracks` are power chords (root, fifth, octaves), as a share of
/// their onsets with two or more notes.
fn power_chords<'a>(tracks: impl Iterator<Item = &'a Track>) -> f64 {
    let mut groups: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
    for t in tracks {
        for n in &t.notes {
            groups
                .entry((n.start * 480.0).round() as i64)
                .or_default()
                .push(n.pitch);
        }
    }
    let chords: Vec<&Vec<u8>> = groups.values().filter(|v| v.len() >= 2).collect();
    if chords.is_empty() {
        // Single low notes (palm-muted riffs) are power-chord playing too.
        return if groups.is_empty() { 0.0 } else { 1.0 };
    }
    let ok = chords
        .iter()
        .filter(|v| {
            let lo = v.iter().copied().min().unwrap_or(0);
            v.iter().all(|p| matches!((p - lo) % 12, 0 | 7))
        })
        .count();
    ok as f64 / chords.len() as f64
}

/// The ride's swing pattern in a bar: beats 1–4 and the swung "and" of 2 and 4.
fn ride_swing(v: &View, bar: usize) -> bool {
    let lo = bar as f64 * v.bar_beats;
    let hits: Vec<f64> = m::in_bar(&v.drums, RIDE, bar, v.bar_beats)
        .map(|h| h.start - lo)
        .collect();
    let near = |x: f64, tol: f64| hits.iter().any(|h| (h - x).abs() <= tol);
    let swung = |beat: f64| hits.iter().any(|h| (beat + 0.55..=beat + 0.8).contains(h));
    [0.0, 1.0, 2.0, 3.0].iter().all(|&b| near(b, 0.1)) && swung(1.0) && swung(3.0)
}

/// The genre's defining pattern, as sub-checks (see BRIEF.md's shared definitions).
pub fn pattern_checks(genre: &str, v: &View) -> Vec<Check> {
    let backbeat = |b: usize| m::has(v.steps(SNARE, b), &[4, 12]);
    let kick = |b: usize| v.steps(KICK, b);
    let four_floor = |b: usize| m::has(kick(b), &[0, 4, 8, 12]);
    let dembow = |b: usize| four_floor(b) && m::has(v.steps(SNARE, b), &[3, 6, 11, 14]);
    let hats16 = |b: usize| bits(v.steps(HATS, b)) >= 10;
    let others = || v.of(Kind::Other);
    match genre {
        "pop" => vec![
            check("snare on 2 and 4", v.bars_where(backbeat)),
            check(
                "piano or synth",
                v.has_program(&[0, 1, 2, 3, 4, 5, 80, 81, 88, 89, 90, 91, 92, 93, 94, 95]),
            ),
        ],
        "rock" => vec![
            check("snare on 2 and 4", v.bars_where(backbeat)),
            check(
                "kick on 1 and 3",
                v.bars_where(|b| {
                    m::has(kick(b), &[0]) && kick(b) & m::mask(&[6, 7, 8, 9, 10]) != 0
                }),
            ),
            check("distorted guitar (GM 29/30)", v.has_program(&[29, 30])),
            check("power chords", power_chords(v.with_program(&[29, 30]))),
        ],
        "metal" => vec![
            check(
                "≥ 8 kicks a chorus bar",
                share(&v.chorus_bars, |b| v.count(KICK, b) >= 8),
            ),
            check(
                "distorted guitar 8ths/16ths",
                v.bars_where(|b| bits(v.track_steps(v.with_program(&[29, 30]), b)) >= 8),
            ),
            check(
                "snare on 2 and 4 (or 3)",
                v.bars_where(|b| backbeat(b) || m::has(v.steps(SNARE, b), &[8])),
            ),
        ],
        "hip-hop" => vec![
            check(
                "kick 0 + 7/10",
                v.bars_where(|b| m::has(kick(b), &[0]) && kick(b) & m::mask(&[7, 10]) != 0),
            ),
            check("snare on 2 and 4", v.bars_where(backbeat)),
        ],
        "trap" => vec![
            check("16th hats", v.bars_where(hats16)),
            check("hat rolls (32nds/triplets)", {
                let mut hats: Vec<f64> = v
                    .drums
                    .iter()
                    .filter(|h| HATS.contains(&h.pitch))
                    .map(|h| h.start)
                    .collect();
                hats.sort_by(f64::total_cmp);
                v.song(
                    hats.windows(2)
                        .any(|w| w[1] - w[0] > 0.01 && w[1] - w[0] < 0.2),
                )
            }),
            check(
                "808 bass (GM 38/39)",
                v.song(v.of(Kind::Bass).any(|t| matches!(t.program, 38 | 39))),
            ),
            check(
                "snare/clap on step 8",
                v.bars_where(|b| m::has(v.steps(SNARE, b), &[8])),
            ),
        ],
        "r&b" => vec![
            check("tempo 60–100", v.tempo(60, 100)),
            check("snare on 2 and 4", v.bars_where(backbeat)),
            check("16th hats", v.bars_where(|b| v.count(HATS, b) >= 8)),
            check("7th/9th chords", v.chord_share(m::is_extended)),
        ],
        "house" => vec![
            check("kick on every beat", v.bars_where(four_floor)),
            check(
                "open hat off-beats",
                v.bars_where(|b| m::has(v.steps(&[46], b), &[2, 6, 10, 14])),
            ),
            check("clap on 2 and 4", v.bars_where(backbeat)),
        ],
        "techno" => vec![
            check("kick on every beat", v.bars_where(four_floor)),
            check("tempo 125–140", v.tempo(125, 140)),
        ],
        "drum & bass" => vec![
            check("tempo 160–180", v.tempo(160, 180)),
            check(
                "two-step kick 0, 10",
                v.bars_where(|b| m::has(kick(b), &[0, 10])),
            ),
            check("snare on 2 and 4", v.bars_where(backbeat)),
        ],
        "lo-fi" => vec![
            check("tempo 70–90", v.tempo(70, 90)),
            check(
                "boom bap kick 1, snare 2 and 4",
                v.bars_where(|b| m::has(kick(b), &[0]) && backbeat(b)),
            ),
            check("swing ≥ 0.55", v.drum_swing()),
        ],
        "ambient" => vec![
            check(
                "no kick or ≤ 1 a bar",
                v.bars_where(|b| v.count(KICK, b) <= 1),
            ),
            check(
                "long pads (notes ≥ 4 beats)",
                v.song(others().any(|t| {
                    !t.notes.is_empty()
                        && t.notes.iter().map(|n| n.dur).sum::<f64>() / t.notes.len() as f64 >= 4.0
                })),
            ),
        ],
        "jazz" => vec![
            check("ride swing pattern", v.bars_where(|b| ride_swing(v, b))),
            check(
                "hi-hat foot on 2 and 4",
                v.bars_where(|b| m::has(v.steps(&[44], b), &[4, 12])),
            ),
            Check {
                name: "walking bass (4 quarters a bar)",
                value: v.bars_where(|b| {
                    let s = v.bass_steps(b);
                    m::has(s, &[0, 4, 8, 12])
                        && v.of(Kind::Bass)
                            .map(|t| m::in_bar(&t.notes, &[], b, v.bar_beats).count())
                            .sum::<usize>()
                            == 4
                }),
                need: 0.9,
            },
            check("swing ≥ 0.55", v.drum_swing()),
            check(
                "ii–V–I",
                v.song(m::has_two_five_one(
                    &v.chords
                        .iter()
                        .map(|c| c.symbol.clone())
                        .collect::<Vec<_>>(),
                )),
            ),
            check("7th/9th chords", v.chord_share(m::is_extended)),
        ],
        "blues" => vec![
            check("shuffle (swing ≥ 0.55)", v.drum_swing()),
            Check {
                name: "12-bar I–IV–V",
                value: {
                    let roots: Vec<Option<u8>> = (0..v.bars)
                        .map(|b| {
                            let at = b as f64 * v.bar_beats;
                            v.chords
                                .iter()
                                .rfind(|c| c.start <= at + 1e-3)
                                .and_then(|c| m::chord_root(&c.symbol).map(|r| r.0))
                        })
                        .collect();
                    m::twelve_bar(&roots, v.tonic).unwrap_or(0.0)
                },
                need: 0.75,
            },
            check("dominant 7ths", v.chord_share(m::is_dominant)),
        ],
        "funk" => vec![
            check("16th hats", v.bars_where(hats16)),
            check(
                "syncopated 16th bass",
                v.bars_where(|b| v.bass_steps(b) & m::mask(&[1, 3, 5, 7, 9, 11, 13, 15]) != 0),
            ),
            check("clav (GM 7)", v.has_program(&[7])),
        ],
        "classical" => vec![
            check("no drum part", v.song(v.drums.is_empty())),
            check(
                "strings (GM 40–49)",
                v.has_program(&(40..=49).collect::<Vec<u8>>()),
            ),
            Check {
                name: "orchestral instruments only",
                value: {
                    let melodic: Vec<&Track> = v
                        .tracks
                        .iter()
                        .filter(|t| t.kind != Kind::Vocal && !t.notes.is_empty())
                        .collect();
                    let orchestral = |p: u8| matches!(p, 0 | 6 | 8 | 9 | 11 | 12 | 40..=49 | 52 | 56..=61 | 68..=75);
                    if melodic.is_empty() {
                        0.0
                    } else {
                        melodic.iter().filter(|t| orchestral(t.program)).count() as f64
                            / melodic.len() as f64
                    }
                },
                need: 1.0,
            },
        ],
        "country" => vec![
            check(
                "boom-chick kick 0, 8 snare 4, 12",
                v.bars_where(|b| m::has(kick(b), &[0, 8]) && backbeat(b)),
            ),
            check(
                "strummed steel guitar (GM 25) 8ths",
                v.bars_where(|b| {
                    bits(v.track_steps(v.with_program(&[25]), b) & m::mask(EIGHTHS)) >= 4
                }),
            ),
        ],
        "folk" => vec![
            check(
                "acoustic guitar (GM 24/25)",
                v.bars_where(|b| bits(v.track_steps(v.with_program(&[24, 25]), b)) >= 2),
            ),
            check(
                "light or no drums (≤ 8 hits a bar)",
                v.bars_where(|b| v.count(&[], b) <= 8),
            ),
        ],
        "ballad" => vec![
            check("tempo 60–80", v.tempo(60, 80)),
            check(
                "piano or strings",
                v.has_program(&[0, 1, 2, 4, 5, 40, 41, 42, 43, 44, 45, 48, 49, 50, 51]),
            ),
        ],
        "bolero" => vec![
            check("tempo 70–95", v.tempo(70, 95)),
            check("bongó", v.bars_where(|b| v.count(BONGO, b) >= 2)),
            check("maracas (70)", v.bars_where(|b| v.count(&[70], b) >= 4)),
            check("requinto (GM 24)", v.has_program(&[24])),
        ],
        "reggaeton" => vec![
            check("tempo 85–100", v.tempo(85, 100)),
            check("dembow kick 0,4,8,12 snare 3,6,11,14", v.bars_where(dembow)),
        ],
        "dembow" => vec![check(
            "dembow kick 0,4,8,12 snare 3,6,11,14",
            v.bars_where(dembow),
        )],
        "cumbia" => vec![
            check(
                "guacharaca on every 8th",
                v.bars_where(|b| m::has(v.steps(SCRAPER, b), EIGHTHS)),
            ),
            check(
                "bass on 1 and 3",
                v.bars_where(|b| m::has(v.bass_steps(b), &[0, 8])),
            ),
            check("accordion (GM 21)", v.has_program(&[21, 22, 23])),
        ],
        "salsa" => {
            let side = |b: usize| {
                let s = v.steps(&[75], b);
                let three = m::has(s, &[0, 6, 12]) && !m::has(s, &[4, 8]);
                let two = m::has(s, &[4, 8]) && !m::has(s, &[0, 6, 12]);
                (three, two)
            };
            vec![
                check(
                    "son clave 3-2 / 2-3",
                    v.bars_where(|b| {
                        let (t, w) = side(b);
                        let nb = |o: Option<usize>| o.map_or((false, false), side);
                        let (pt, pw) = nb(b.checked_sub(1));
                        let (nt, nw) = nb(Some(b + 1));
                        (t && (pw || nw)) || (w && (pt || nt))
                    }),
                ),
                check(
                    "conga open tone on step 14",
                    v.bars_where(|b| m::has(v.steps(&[63, 64], b), &[14])),
                ),
                check(
                    "piano montuno (GM 0) syncopated",
                    v.bars_where(|b| {
                        bits(
                            v.track_steps(v.with_program(&[0, 1, 2]), b) & !m::mask(&[0, 4, 8, 12]),
                        ) >= 3
                    }),
                ),
                check(
                    "tumbao bass (6 and 12, not 0)",
                    v.bars_where(|b| {
                        let s = v.bass_steps(b);
                        m::has(s, &[6, 12]) && !m::has(s, &[0])
                    }),
                ),
                check(
                    "cowbell/timbale in the chorus",
                    share(&v.chorus_bars, |b| v.count(&[56, 65, 66], b) >= 1),
                ),
            ]
        }
        "bachata" => vec![
            check(
                "bongó martillo (≥ 6 of 8 eighths)",
                v.bars_where(|b| bits(v.steps(BONGO, b) & m::mask(EIGHTHS)) >= 6),
            ),
            check(
                "güira on every 8th",
                v.bars_where(|b| m::has(v.steps(GUIRA, b), EIGHTHS)),
            ),
            check(
                "requinto (GM 24/25) arpeggios",
                v.bars_where(|b| bits(v.track_steps(v.with_program(&[24, 25]), b)) >= 4),
            ),
            check(
                "bass on 0, 6, 8, 14 (3 of 4)",
                v.bars_where(|b| bits(v.bass_steps(b) & m::mask(&[0, 6, 8, 14])) >= 3),
            ),
        ],
        "merengue" => vec![
            check("tempo 120–160", v.tempo(120, 160)),
            check(
                "tambora (tom 41/45 + rim 37)",
                v.bars_where(|b| v.count(&[41, 45], b) >= 1 && v.count(&[37], b) >= 1),
            ),
            check(
                "güira on every 8th",
                v.bars_where(|b| m::has(v.steps(SCRAPER, b), EIGHTHS)),
            ),
        ],
        "reggae" => vec![
            check("tempo 60–90", v.tempo(60, 90)),
            check(
                "one drop (kick + snare/rim on 3, no kick on 1)",
                v.bars_where(|b| {
                    m::has(kick(b), &[8])
                        && !m::has(kick(b), &[0])
                        && m::has(v.steps(&[37, 38, 40], b), &[8])
                }),
            ),
            check(
                "off-beat skank",
                v.bars_where(|b| {
                    others().any(|t| {
                        let s = m::steps(&t.notes, &[], b, v.bar_beats);
                        (m::has(s, &[4, 12]) || m::has(s, &[2, 6, 10, 14])) && !m::has(s, &[0])
                    })
                }),
            ),
        ],
        "corridos" => {
            let waltz = (v.bar_beats - 3.0).abs() < 1e-6;
            vec![
                check(
                    "oom-pah (bass 1 and 3, chords 2 and 4; or a waltz)",
                    v.bars_where(|b| {
                        let bass = v.bass_steps(b);
                        let chords = v.track_steps(others(), b);
                        if waltz {
                            m::has(bass, &[0]) && m::has(chords, &[4, 8])
                        } else {
                            m::has(bass, &[0, 8]) && m::has(chords, &[4, 12])
                        }
                    }),
                ),
                check("accordion (GM 21)", v.has_program(&[21, 22, 23])),
                check("bajo sexto / requinto (GM 24/25)", v.has_program(&[24, 25])),
                check(
                    "tuba or tololoche bass (GM 58/32/43)",
                    v.song(v.of(Kind::Bass).any(|t| matches!(t.program, 58 | 32 | 43))),
                ),
                check(
                    "tempo 100–140 (or 3/4)",
                    v.song(waltz || (100..=140).contains(&v.bpm)),
                ),
            ]
        }
        _ => Vec::new(),
    }
}

/// One track of a MIDI file: name, channel (0-based; 9 is percussion), program and notes.
pub type MidiTrack = (String, u8, u8, Vec<Hit>);

/// Notes of a Standard MIDI File, per track.
pub fn read_midi(bytes: &[u8]) -> Result<Vec<MidiTrack>, String> {
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
pub fn view(song: &Song) -> Result<View, String> {
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

fn chords_of(song: &Song) -> Vec<ChordAt> {
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

/// Everything measured on one song.
#[derive(Debug, Clone)]
pub struct SongResult {
    /// The genre asked for (table name).
    pub genre: &'static str,
    /// Song number within the genre (its seed is derived from it).
    pub index: usize,
    /// What the brief made of the prompt: `genre` or `genre (style)`.
    pub parsed: String,
    /// Whether the parsed genre is the one asked for.
    pub parsed_ok: bool,
    /// Bars not holding exactly one chord, and bars.
    pub harmonic: (usize, usize),
    /// Whether the first verse's and first chorus's progressions differ (`None` without both).
    pub verse_chorus_differ: Option<bool>,
    /// Distinct section progressions.
    pub progressions: usize,
    /// Lead 4-gram recurrence.
    pub recurrence: Option<f64>,
    /// First chorus minus first verse, LU.
    pub lift_db: Option<f64>,
    /// Share of the vocal stem's energy above 4 kHz (sung songs).
    pub hf: Option<f64>,
    /// Sung notes in the scale, and sung notes.
    pub in_scale: (usize, usize),
    /// The defining pattern's sub-checks.
    pub checks: Vec<Check>,
    /// Tempo heard within 2 %.
    pub bpm_ok: bool,
    /// Tempo heard within 2 % of double or half the claimed one.
    pub bpm_octave: bool,
    /// Key heard.
    pub key_ok: bool,
    /// What the analyzer heard, when it is wrong.
    pub heard: String,
    /// Seconds of audio.
    pub audio_seconds: f64,
    /// Seconds to generate it.
    pub gen_seconds: f64,
    /// Fingerprints of the drum and bass parts (`None` when the song has none).
    pub fingerprints: (Option<u64>, Option<u64>),
}

fn fingerprint(notes: &[Hit]) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    if notes.is_empty() {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut keys: Vec<(i64, u8)> = notes
        .iter()
        .map(|n| ((n.start * 480.0).round() as i64, n.pitch))
        .collect();
    keys.sort_unstable();
    keys.hash(&mut h);
    Some(h.finish())
}

/// Measures one generated song.
pub fn measure(
    song: &Song,
    genre: &'static BenchGenre,
    index: usize,
    gen_seconds: f64,
) -> Result<SongResult, String> {
    let score = &song.score;
    let v = view(song)?;
    let chords = &v.chords;
    let harmonic = m::harmonic_rhythm(chords, v.bar_beats, score.total_beats);
    let first = |k: SectionKind| score.sections.iter().find(|s| s.kind == k);
    let (verse, chorus) = (first(SectionKind::Verse), first(SectionKind::Chorus));
    let verse_chorus_differ = match (verse, chorus) {
        (Some(a), Some(b)) => Some(m::progressions_differ(
            &m::progression(chords, a.start, a.beats),
            &m::progression(chords, b.start, b.beats),
        )),
        _ => None,
    };
    let progressions = m::distinct_progressions(
        &score
            .sections
            .iter()
            .map(|s| m::progression(chords, s.start, s.beats))
            .collect::<Vec<_>>(),
    );
    let lead: Vec<Hit> = v
        .of(Kind::Lead)
        .flat_map(|t| t.notes.iter().copied())
        .collect();
    let recurrence = m::recurrence(&lead);
    let rate = song.mix.sample_rate;
    let span = |s: &son1k_compose::score::SectionSpan| {
        let at = |beat: f64| (score.time_of(beat) * f64::from(rate)).round().max(0.0) as usize;
        m::loudness(&song.mix.channels, rate, at(s.start), at(s.start + s.beats))
    };
    let lift_db = match (verse.and_then(span), chorus.and_then(span)) {
        (Some(v), Some(c)) => Some(c - v),
        _ => None,
    };
    let vocal_names: Vec<&str> = score
        .parts
        .iter()
        .filter(|p| p.role == Role::Vocal)
        .map(|p| p.name.as_str())
        .collect();
    let sung: Vec<u8> = score
        .parts
        .iter()
        .filter(|p| p.role == Role::Vocal)
        .flat_map(|p| p.notes.iter().map(|n| n.pitch))
        .collect();
    let hf = if sung.is_empty() {
        None
    } else {
        song.stems
            .iter()
            .filter(|s| vocal_names.contains(&s.name.as_str()) || s.name == "vocal")
            .find_map(|s| {
                let n = s.audio.channels.iter().map(Vec::len).min().unwrap_or(0);
                let k = s.audio.channels.len().max(1) as f32;
                let mono: Vec<f32> = (0..n)
                    .map(|i| s.audio.channels.iter().map(|c| c[i]).sum::<f32>() / k)
                    .collect();
                m::high_frequency_share(&mono, s.audio.sample_rate, 4000.0)
            })
    };
    let minor = score.key.mode == son1k_core::Mode::Minor;
    let in_scale = m::in_scale(&sung, score.key.tonic.semitone(), minor);
    let (est_bpm, est_key) = son1k_analysis::tempo_and_key(&song.mix).map_err(|e| e.to_string())?;
    let bpm = f64::from(score.bpm);
    let bpm_ok = (est_bpm - bpm).abs() <= bpm * 0.02;
    let bpm_octave = [2.0, 0.5]
        .iter()
        .any(|f| (est_bpm - bpm * f).abs() <= bpm * f * 0.02);
    let key_ok = est_key.key == score.key;
    let bass: Vec<Hit> = v
        .of(Kind::Bass)
        .flat_map(|t| t.notes.iter().copied())
        .collect();
    let meta = &song.meta;
    let style = meta.brief.style.id();
    let parsed = if meta.genre == style {
        meta.genre.clone()
    } else {
        format!("{} ({style})", meta.genre)
    };
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let parsed_ok =
        meta.brief.genre.is_some() && genre.accept.iter().any(|a| norm(a) == norm(&meta.genre));
    Ok(SongResult {
        genre: genre.name,
        index,
        parsed,
        parsed_ok,
        harmonic,
        verse_chorus_differ,
        progressions,
        recurrence,
        lift_db,
        hf,
        in_scale,
        checks: pattern_checks(genre.name, &v),
        bpm_ok,
        bpm_octave,
        key_ok,
        heard: format!(
            "claims {} BPM {}, heard {est_bpm:.1} BPM {}",
            score.bpm,
            score.key.name(son1k_core::Lang::En),
            est_key.key.name(son1k_core::Lang::En)
        ),
        audio_seconds: score.seconds,
        gen_seconds,
        fingerprints: (fingerprint(&v.drums), fingerprint(&bass)),
    })
}

/// The request for song `index` of `genre` (`gi` = the genre's place in [`GENRES`]).
pub fn request(genre: &BenchGenre, gi: usize, index: usize, seconds: f64) -> GenerationRequest {
    let spanish = index.is_multiple_of(2);
    let mut req = GenerationRequest::new(if spanish { genre.es } else { genre.en });
    req.seed = 1 + index as u64;
    req.duration_secs = Some(seconds as f32);
    if (gi + index).is_multiple_of(3) {
        req.lyrics = Some(if spanish { LYRICS_ES } else { LYRICS_EN }.into());
    }
    req
}

fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.0}", x * 100.0))
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut s, mut n) = (0.0, 0usize);
    for x in xs {
        s += x;
        n += 1;
    }
    (n > 0).then(|| s / n as f64)
}

fn ratio(ok: usize, n: usize) -> Option<f64> {
    (n > 0).then(|| ok as f64 / n as f64)
}

/// Per sub-check name, the mean value over songs and what it needs.
fn genre_checks(rs: &[&SongResult]) -> Vec<(&'static str, f64, f64)> {
    let mut out: Vec<(&'static str, f64, f64)> = Vec::new();
    if let Some(first) = rs.first() {
        for (i, c) in first.checks.iter().enumerate() {
            let v = mean(rs.iter().filter_map(|r| r.checks.get(i)).map(|c| c.value)).unwrap_or(0.0);
            out.push((c.name, v, c.need));
        }
    }
    out
}

/// Runs the prompt set and prints the table and the targets.
pub fn generate(opts: &GenerateOptions) -> Result<(), String> {
    let engine = ProceduralEngine::default();
    let never = AtomicBool::new(false);
    let wanted: Vec<(usize, &'static BenchGenre)> = GENRES
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            opts.genres.is_empty() || opts.genres.iter().any(|w| w.eq_ignore_ascii_case(g.name))
        })
        .collect();
    if wanted.is_empty() {
        let names: Vec<&str> = GENRES.iter().map(|g| g.name).collect();
        return Err(format!(
            "no genre matches {:?}; the genres are: {}",
            opts.genres,
            names.join(", ")
        ));
    }
    println!(
        "son1k-bench generate — {} genres × {} songs × {} s (Spanish and English prompts alternating, seeds 1…{}; every third song sung with lyrics, as long as its lyrics)",
        wanted.len(),
        opts.songs,
        opts.seconds,
        opts.songs
    );
    let mut results: Vec<SongResult> = Vec::new();
    for &(gi, genre) in &wanted {
        for index in 0..opts.songs {
            let req = request(genre, gi, index, opts.seconds);
            let start = Instant::now();
            let song = engine
                .generate(&req, &mut |_| {}, &never)
                .map_err(|e| format!("{} song {index}: {e}", genre.name))?;
            let took = start.elapsed().as_secs_f64();
            if std::env::var_os("SON1K_BENCH_DUMP").is_some() {
                // What the checks see: each MIDI track's role, program and first onsets.
                let v = view(&song)?;
                eprintln!(
                    "  {} #{index}: {} BPM, {} bars of {} beats, {} drum hits",
                    genre.name,
                    v.bpm,
                    v.bars,
                    v.bar_beats,
                    v.drums.len()
                );
                for t in &v.tracks {
                    let first: Vec<String> = t
                        .notes
                        .iter()
                        .take(8)
                        .map(|n| format!("{:.2}:{}", n.start, n.pitch))
                        .collect();
                    eprintln!(
                        "    {:?} program {} ({} notes): {}",
                        t.kind,
                        t.program,
                        t.notes.len(),
                        first.join(" ")
                    );
                }
            }
            let r = measure(&song, genre, index, took)
                .map_err(|e| format!("{} song {index}: {e}", genre.name))?;
            eprintln!(
                "  {:<12} #{index} {:>5.1} s of audio in {took:.2} s",
                genre.name, r.audio_seconds
            );
            results.push(r);
        }
    }
    print_table(&wanted, &results);
    let speed = if opts.speed { speed(&engine)? } else { None };
    print_targets(&wanted, &results, speed);
    Ok(())
}

fn print_table(wanted: &[(usize, &'static BenchGenre)], results: &[SongResult]) {
    println!();
    println!(
        "{:<12} {:<28} {:>5} {:>6} {:>6} {:>5} {:>6} {:>7} {:>8} {:>6} {:>6} {:>5} {:>5}",
        "genre",
        "parsed as",
        "songs",
        "harm%",
        "v≠c%",
        "progs",
        "recur%",
        "ch−v dB",
        "pattern%",
        "HF%",
        "scale%",
        "BPM%",
        "key%"
    );
    for &(_, g) in wanted {
        let rs: Vec<&SongResult> = results.iter().filter(|r| r.genre == g.name).collect();
        let mut parsed: Vec<String> = Vec::new();
        for r in &rs {
            let p = if r.parsed_ok {
                r.parsed.clone()
            } else {
                format!("!{}", r.parsed)
            };
            if !parsed.contains(&p) {
                parsed.push(p);
            }
        }
        let (no, bars) = rs
            .iter()
            .fold((0, 0), |(a, b), r| (a + r.harmonic.0, b + r.harmonic.1));
        let vc: Vec<bool> = rs.iter().filter_map(|r| r.verse_chorus_differ).collect();
        let checks = genre_checks(&rs);
        let found = checks.iter().all(|(_, v, need)| v + 1e-9 >= *need);
        let weakest = checks.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
        let (sok, sn) = rs
            .iter()
            .fold((0, 0), |(a, b), r| (a + r.in_scale.0, b + r.in_scale.1));
        println!(
            "{:<12} {:<28} {:>5} {:>6} {:>6} {:>5} {:>6} {:>7} {:>7}{} {:>6} {:>6} {:>5} {:>5}",
            g.name,
            parsed.join(", "),
            rs.len(),
            pct(ratio(no, bars)),
            pct(ratio(vc.iter().filter(|d| **d).count(), vc.len())),
            mean(rs.iter().map(|r| r.progressions as f64))
                .map_or("–".into(), |x| format!("{x:.1}")),
            pct(mean(rs.iter().filter_map(|r| r.recurrence))),
            mean(rs.iter().filter_map(|r| r.lift_db)).map_or("–".into(), |x| format!("{x:+.1}")),
            if checks.is_empty() {
                "–".into()
            } else {
                format!("{:.0}", weakest * 100.0)
            },
            if checks.is_empty() {
                " "
            } else if found {
                "✓"
            } else {
                "✗"
            },
            mean(rs.iter().filter_map(|r| r.hf))
                .map_or("–".into(), |x| format!("{:.1}", x * 100.0)),
            pct(ratio(sok, sn)),
            pct(ratio(rs.iter().filter(|r| r.bpm_ok).count(), rs.len())),
            pct(ratio(rs.iter().filter(|r| r.key_ok).count(), rs.len())),
        );
    }
    println!(
        "\nharm% = bars not holding exactly one chord; v≠c% = songs whose first verse and chorus differ (each section's last chord left out, one cycle compared); progs = distinct section progressions a song; recur% = the lead's 4-note pitch patterns that occur twice or more; ch−v = EBU R128 loudness of the master over the first chorus minus the first verse; pattern% = the weakest sub-check of the genre's defining pattern (share of verse/chorus bars, or 0/100 for the whole song), ✓ when every sub-check holds; HF% = vocal-stem energy above 4 kHz (sung songs); scale% = sung notes in the key (minor: natural + raised 7th); BPM%/key% = songs whose claimed tempo (within 2 %) and key the analyzer hears. '!' marks a prompt parsed as another genre."
    );
    println!("\nDefining patterns, sub-check by sub-check (mean over the genre's songs; ✗ below what it needs):");
    for &(_, g) in wanted {
        let rs: Vec<&SongResult> = results.iter().filter(|r| r.genre == g.name).collect();
        let parts: Vec<String> = genre_checks(&rs)
            .iter()
            .map(|(name, v, need)| {
                format!(
                    "{name} {:.0}%{}",
                    v * 100.0,
                    if v + 1e-9 >= *need { "" } else { " ✗" }
                )
            })
            .collect();
        println!("  {:<12} {}", g.name, parts.join("; "));
    }
    let misses: Vec<String> = results
        .iter()
        .filter(|r| !(r.bpm_ok && r.key_ok))
        .map(|r| format!("  {} #{}: {}", r.genre, r.index, r.heard))
        .collect();
    if !misses.is_empty() {
        println!("\nHonesty misses:");
        for line in misses.iter().take(20) {
            println!("{line}");
        }
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

fn print_targets(
    wanted: &[(usize, &'static BenchGenre)],
    results: &[SongResult],
    speed: Option<f64>,
) {
    let loops = |r: &SongResult| GENRES.iter().any(|g| g.name == r.genre && g.loops);
    let fits: Vec<&SongResult> = results.iter().filter(|r| !loops(r)).collect();
    let all: Vec<&SongResult> = results.iter().collect();
    println!("\nTargets (\"where it fits\" leaves out the loop-based house, techno, trap, drum & bass and ambient):");
    let line = |name: &str, value: String, ok: Option<bool>| match ok {
        Some(ok) => println!("  {:<4} {name}: {value}", verdict(ok)),
        None => println!("  n/a  {name}: {value}"),
    };
    let (no, bars) = fits
        .iter()
        .fold((0, 0), |(a, b), r| (a + r.harmonic.0, b + r.harmonic.1));
    let h = ratio(no, bars);
    line(
        "bars not holding exactly one chord ≥ 25 % (where it fits)",
        format!("{} %", pct(h)),
        h.map(|h| h >= 0.25),
    );
    let vc = |rs: &[&SongResult]| {
        let v: Vec<bool> = rs.iter().filter_map(|r| r.verse_chorus_differ).collect();
        ratio(v.iter().filter(|d| **d).count(), v.len())
    };
    let (vf, va) = (vc(&fits), vc(&all));
    line(
        "verse and chorus progressions differ in ≥ 80 % of songs (where it fits)",
        format!("{} % (all genres {} %)", pct(vf), pct(va)),
        vf.map(|x| x >= 0.8),
    );
    let rec = |rs: &[&SongResult]| mean(rs.iter().filter_map(|r| r.recurrence));
    let (rf, ra) = (rec(&fits), rec(&all));
    line(
        "lead 4-note patterns recurring ≤ 80 % (where it fits)",
        format!("{} % (all genres {} %)", pct(rf), pct(ra)),
        rf.map(|x| x <= 0.8),
    );
    let lifts: Vec<f64> = all.iter().filter_map(|r| r.lift_db).collect();
    let lift = mean(lifts.iter().copied());
    line(
        "chorus ≥ +3 dB over the verse (mean over songs)",
        format!(
            "{} dB; {} of {} songs ≥ +3 dB",
            lift.map_or("–".into(), |x| format!("{x:+.1}")),
            lifts.iter().filter(|x| **x >= 3.0).count(),
            lifts.len()
        ),
        lift.map(|x| x >= 3.0),
    );
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(_, g)| {
            let rs: Vec<&SongResult> = results.iter().filter(|r| r.genre == g.name).collect();
            !genre_checks(&rs)
                .iter()
                .all(|(_, v, need)| v + 1e-9 >= *need)
        })
        .map(|(_, g)| g.name)
        .collect();
    line(
        "every genre's defining pattern found",
        if missing.is_empty() {
            format!("{} of {}", wanted.len(), wanted.len())
        } else {
            format!(
                "{} of {}; missing: {}",
                wanted.len() - missing.len(),
                wanted.len(),
                missing.join(", ")
            )
        },
        Some(missing.is_empty()),
    );
    let hf = mean(all.iter().filter_map(|r| r.hf));
    line(
        "sung energy above 4 kHz ≥ 3 % (speech ≈ 6.6 %)",
        format!(
            "{} % over {} sung songs",
            hf.map_or("–".into(), |x| format!("{:.2}", x * 100.0)),
            all.iter().filter(|r| r.hf.is_some()).count()
        ),
        hf.map(|x| x >= 0.03),
    );
    let (sok, sn) = all
        .iter()
        .fold((0, 0), |(a, b), r| (a + r.in_scale.0, b + r.in_scale.1));
    line(
        "every sung note in the song's scale",
        format!("{sok} of {sn} notes"),
        (sn > 0).then_some(sok == sn),
    );
    let parsed_wrong: Vec<String> = all
        .iter()
        .filter(|r| !r.parsed_ok)
        .map(|r| format!("{}→{}", r.genre, r.parsed))
        .collect();
    line(
        "every prompt parsed as its genre",
        if parsed_wrong.is_empty() {
            format!("{} of {}", all.len(), all.len())
        } else {
            format!(
                "{} of {}; {}",
                all.len() - parsed_wrong.len(),
                all.len(),
                parsed_wrong.join(", ")
            )
        },
        Some(parsed_wrong.is_empty()),
    );
    // No two genres with note-identical drums or bass for the same seed.
    let mut same: Vec<String> = Vec::new();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            if a.index != b.index || a.genre == b.genre {
                continue;
            }
            let mut what = Vec::new();
            if a.fingerprints.0.is_some() && a.fingerprints.0 == b.fingerprints.0 {
                what.push("drums");
            }
            if a.fingerprints.1.is_some() && a.fingerprints.1 == b.fingerprints.1 {
                what.push("bass");
            }
            if !what.is_empty() {
                same.push(format!(
                    "{}={} #{} ({})",
                    a.genre,
                    b.genre,
                    a.index,
                    what.join("+")
                ));
            }
        }
    }
    line(
        "no two genres with note-identical drum or bass parts for a seed",
        if same.is_empty() {
            "none".into()
        } else {
            format!(
                "{} pairs: {}",
                same.len(),
                same.iter().take(12).cloned().collect::<Vec<_>>().join(", ")
            )
        },
        Some(same.is_empty()),
    );
    let n = all.len();
    let b = ratio(all.iter().filter(|r| r.bpm_ok).count(), n);
    let octave = all.iter().filter(|r| r.bpm_octave).count();
    line(
        "honesty: tempo heard within 2 % ≥ 98 %",
        format!(
            "{} % ({octave} more heard at double or half the tempo)",
            pct(b)
        ),
        b.map(|x| x >= 0.98),
    );
    let k = ratio(all.iter().filter(|r| r.key_ok).count(), n);
    line(
        "honesty: key heard ≥ 95 %",
        format!("{} %", pct(k)),
        k.map(|x| x >= 0.95),
    );
    let audio: f64 = all.iter().map(|r| r.audio_seconds).sum();
    let took: f64 = all.iter().map(|r| r.gen_seconds).sum();
    match speed {
        Some(x) => line(
            "speed ≥ 100× real time on one core (180 s song)",
            format!(
                "{x:.0}× (the prompt set: {audio:.0} s of audio in {took:.1} s = {:.0}×)",
                audio / took.max(1e-9)
            ),
            Some(x >= 100.0),
        ),
        None => line(
            "speed (prompt set; the 180 s check was skipped)",
            format!("{:.0}×", audio / took.max(1e-9)),
            None,
        ),
    }
}

/// Speed of a 180 s, 48 kHz stereo song with every stem, on this thread, and the fluidsynth
/// comparison; the × real time.
fn speed(engine: &ProceduralEngine) -> Result<Option<f64>, String> {
    let never = AtomicBool::new(false);
    let mut req = GenerationRequest::new("pop song with piano and strings, 122 bpm in A minor");
    req.duration_secs = Some(180.0);
    req.quality = Quality::High;
    req.seed = 7;
    let mut best = Duration::MAX;
    let mut song = None;
    for _ in 0..3 {
        let start = Instant::now();
        let s = engine
            .generate(&req, &mut |_| {}, &never)
            .map_err(|e| e.to_string())?;
        best = best.min(start.elapsed());
        song = Some(s);
    }
    let song = song.ok_or("no song")?;
    let ours = best.as_secs_f64();
    let seconds = song.score.seconds;
    // Speed on a shared machine depends on what else runs: say how busy it was.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "\nmachine: load average {} on {cores} cores while measuring",
            load.split_whitespace().next().unwrap_or("?")
        );
    }
    println!(
        "speed: {seconds:.0} s stereo 48 kHz song with {} stems, composed, synthesized, mixed and mastered on one core in {ours:.2} s = {:.0}× real time (goal ≥ 100×; MusicGen-small on CPU ≈ 0.1–0.3×)",
        song.stems.len(),
        seconds / ours
    );
    let dir = std::env::temp_dir().join(format!("son1k-bench-generate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let start = Instant::now();
    son1k_compose::write_song(&song, &dir).map_err(|e| e.to_string())?;
    println!(
        "writing mix + {} stems (24-bit WAV), MIDI and JSON: {:.2} s",
        song.stems.len(),
        start.elapsed().as_secs_f64()
    );
    let font = son1k_compose::soundfont::find_system_soundfont();
    let fluidsynth = Command::new("fluidsynth")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    match (fluidsynth, font) {
        (true, Some(font)) => {
            let out = dir.join("fluidsynth.wav");
            let peer = crate::bench::run(
                Command::new("fluidsynth")
                    .args(["-ni", "-q", "-r", "48000", "-F"])
                    .arg(&out)
                    .arg(&font)
                    .arg(dir.join("song.mid")),
            )?;
            println!(
                "peer: fluidsynth renders the same song.mid through {} in {:.2} s = {:.0}× real time; ours (synthesis + mixing + mastering) is {:.2}× its speed",
                font.display(),
                peer.as_secs_f64(),
                seconds / peer.as_secs_f64(),
                peer.as_secs_f64() / ours
            );
        }
        _ => println!("peer: fluidsynth or a General MIDI SoundFont is not installed; no ratio (make bench installs them)"),
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Some(seconds / ours))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(start: f64, pitch: u8) -> Hit {
        Hit {
            start,
            dur: 0.25,
            pitch,
        }
    }

    fn view_of(drums: Vec<Hit>, tracks: Vec<Track>, bars: usize) -> View {
        View {
            bpm: 92,
            bar_beats: 4.0,
            bars,
            pattern_bars: (0..bars).collect(),
            chorus_bars: (0..bars).collect(),
            drums,
            tracks,
            chords: Vec::new(),
            tonic: 0,
        }
    }

    fn bar_of(steps_and_pitches: &[(u32, u8)], bars: usize) -> Vec<Hit> {
        (0..bars)
            .flat_map(|b| {
                steps_and_pitches
                    .iter()
                    .map(move |&(s, p)| hit(b as f64 * 4.0 + f64::from(s) / 4.0, p))
            })
            .collect()
    }

    #[test]
    fn dembow_passes_the_reggaeton_check_and_four_on_the_floor_fails_it() {
        let dembow = bar_of(
            &[
                (0, 36),
                (4, 36),
                (8, 36),
                (12, 36),
                (3, 38),
                (6, 38),
                (11, 38),
                (14, 38),
                (2, 42),
            ],
            4,
        );
        let four = bar_of(
            &[
                (0, 36),
                (4, 36),
                (8, 36),
                (12, 36),
                (4, 39),
                (12, 39),
                (2, 46),
            ],
            4,
        );
        let c = pattern_checks("reggaeton", &view_of(dembow, Vec::new(), 4));
        assert!(c.iter().all(|c| c.value >= c.need), "{c:?}");
        let c = pattern_checks("reggaeton", &view_of(four.clone(), Vec::new(), 4));
        assert_eq!(c[1].value, 0.0, "{c:?}");
        // …and the four-on-the-floor bar is house.
        let house = bar_of(
            &[
                (0, 36),
                (4, 36),
                (8, 36),
                (12, 36),
                (4, 39),
                (12, 39),
                (2, 46),
                (6, 46),
                (10, 46),
                (14, 46),
            ],
            4,
        );
        let c = pattern_checks("house", &view_of(house, Vec::new(), 4));
        assert!(c.iter().all(|c| c.value >= c.need), "{c:?}");
    }

    #[test]
    fn classical_fails_with_a_kit_and_jazz_needs_a_walking_bass() {
        let strings = Track {
            kind: Kind::Other,
            program: 48,
            notes: vec![hit(0.0, 60)],
        };
        let no_kit = pattern_checks("classical", &view_of(Vec::new(), vec![strings.clone()], 2));
        assert!(no_kit.iter().all(|c| c.value >= c.need), "{no_kit:?}");
        let kit = pattern_checks(
            "classical",
            &view_of(bar_of(&[(0, 36)], 2), vec![strings], 2),
        );
        assert_eq!(kit[0].value, 0.0);
        let walking = Track {
            kind: Kind::Bass,
            program: 32,
            notes: (0..8).map(|i| hit(f64::from(i), 40 + i as u8)).collect(),
        };
        let half = Track {
            notes: (0..4).map(|i| hit(f64::from(i) * 2.0, 40)).collect(),
            ..walking.clone()
        };
        let walk = |t: Track| {
            pattern_checks("jazz", &view_of(Vec::new(), vec![t], 2))
                .into_iter()
                .find(|c| c.name.starts_with("walking"))
                .map(|c| c.value)
        };
        assert_eq!(walk(walking), Some(1.0));
        assert_eq!(walk(half), Some(0.0));
    }

    #[test]
    fn every_genre_has_a_pattern_and_two_prompts() {
        let empty = view_of(Vec::new(), Vec::new(), 4);
        for g in &GENRES {
            assert!(!pattern_checks(g.name, &empty).is_empty(), "{}", g.name);
            assert!(!g.es.is_empty() && !g.en.is_empty());
        }
    }

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

    #[test]
    fn a_short_generated_song_is_measured() {
        // One real song through the whole measurement (short: debug builds are slow).
        let g = &GENRES[21]; // cumbia
        assert_eq!(g.name, "cumbia");
        let req = request(g, 21, 1, 12.0);
        let song = ProceduralEngine::default().generate(&req, &mut |_| {}, &AtomicBool::new(false));
        let Ok(song) = song else {
            panic!("generation failed: {:?}", song.err());
        };
        let r = measure(&song, g, 1, 1.0);
        let Ok(r) = r else {
            panic!("measure failed: {:?}", r.err());
        };
        assert!(r.harmonic.1 > 0, "bars counted");
        assert_eq!(r.checks.len(), 3);
        assert!(r.checks.iter().all(|c| (0.0..=1.0).contains(&c.value)));
        assert!(r.parsed_ok, "{}", r.parsed);
        assert!(r.recurrence.is_none_or(|x| (0.0..=1.0).contains(&x)));
    }
}
