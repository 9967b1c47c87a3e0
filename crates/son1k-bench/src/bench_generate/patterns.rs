//! Each genre's defining pattern, checked bar by bar on what the song's MIDI file plays.

use super::*;

/// One sub-check of a genre's defining pattern: the share of verse/chorus bars where it holds
/// (1 or 0 for a property of the whole song) and the share it needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Check {
    /// What is checked.
    pub name: &'static str,
    /// 0–1.
    pub value: f64,
    /// 0–1.
    pub need: f64,
}

/// A MIDI track of the song: its part's kind, General MIDI program and notes.
#[derive(Debug, Clone)]
pub(crate) struct Track {
    /// Its part's role.
    pub kind: Kind,
    /// General MIDI program (0-based).
    pub program: u8,
    /// Notes.
    pub notes: Vec<Hit>,
}

/// What a melodic track does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
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
pub(crate) struct View {
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

pub(super) const KICK: &[u8] = &[35, 36];
pub(super) const SNARE: &[u8] = &[38, 39, 40];
pub(super) const HATS: &[u8] = &[42, 44, 46];
pub(super) const RIDE: &[u8] = &[51, 53, 59];
pub(super) const SCRAPER: &[u8] = &[69, 70, 73, 74];
pub(super) const GUIRA: &[u8] = &[69, 73, 74];
pub(super) const BONGO: &[u8] = &[60, 61];
pub(super) const EIGHTHS: &[u32] = &[0, 2, 4, 6, 8, 10, 12, 14];

impl View {
    pub(super) fn steps(&self, pitches: &[u8], bar: usize) -> u64 {
        m::steps(&self.drums, pitches, bar, self.bar_beats)
    }

    pub(super) fn count(&self, pitches: &[u8], bar: usize) -> usize {
        m::in_bar(&self.drums, pitches, bar, self.bar_beats).count()
    }

    pub(super) fn of(&self, kind: Kind) -> impl Iterator<Item = &Track> {
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

    pub(super) fn bass_steps(&self, bar: usize) -> u64 {
        self.track_steps(self.of(Kind::Bass), bar)
    }

    /// Share of the pattern bars where `f` holds.
    pub(super) fn bars_where(&self, f: impl Fn(usize) -> bool) -> f64 {
        share(&self.pattern_bars, f)
    }

    pub(super) fn song(&self, holds: bool) -> f64 {
        if holds {
            1.0
        } else {
            0.0
        }
    }

    pub(super) fn tempo(&self, lo: u32, hi: u32) -> f64 {
        self.song((lo..=hi).contains(&self.bpm))
    }

    pub(super) fn has_program(&self, programs: &[u8]) -> f64 {
        self.song(self.with_program(programs).next().is_some())
    }

    pub(super) fn drum_swing(&self) -> f64 {
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

    pub(super) fn chord_share(&self, f: impl Fn(&str) -> bool) -> f64 {
        if self.chords.is_empty() {
            return 0.0;
        }
        self.chords.iter().filter(|c| f(&c.symbol)).count() as f64 / self.chords.len() as f64
    }
}

pub(super) fn share(bars: &[usize], f: impl Fn(usize) -> bool) -> f64 {
    if bars.is_empty() {
        return 0.0;
    }
    bars.iter().filter(|&&b| f(b)).count() as f64 / bars.len() as f64
}

pub(super) fn bits(x: u64) -> u32 {
    x.count_ones()
}

pub(super) fn check(name: &'static str, value: f64) -> Check {
    Check {
        name,
        value,
        need: 0.5,
    }
}

/// Whether the guitar chords of `tracks` are power chords (root, fifth, octaves), as a share of
/// their onsets with two or more notes.
pub(super) fn power_chords<'a>(tracks: impl Iterator<Item = &'a Track>) -> f64 {
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
pub(super) fn ride_swing(v: &View, bar: usize) -> bool {
    let lo = bar as f64 * v.bar_beats;
    let hits: Vec<f64> = m::in_bar(&v.drums, RIDE, bar, v.bar_beats)
        .map(|h| h.start - lo)
        .collect();
    let near = |x: f64, tol: f64| hits.iter().any(|h| (h - x).abs() <= tol);
    let swung = |beat: f64| hits.iter().any(|h| (beat + 0.55..=beat + 0.8).contains(h));
    [0.0, 1.0, 2.0, 3.0].iter().all(|&b| near(b, 0.1)) && swung(1.0) && swung(3.0)
}

/// The genre's defining pattern, as sub-checks (see BRIEF.md's shared definitions).
pub(crate) fn pattern_checks(genre: &str, v: &View) -> Vec<Check> {
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
}
