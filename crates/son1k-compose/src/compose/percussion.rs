//! Hand percussion, the `perc` part: congas, bongós, güira and guacharaca, tambora, timbales —
//! each groove's defining patterns in General MIDI percussion numbers.

use super::groove::{drum::*, l, lm, Line};
use crate::style::Groove;

/// The hand-percussion lines of a groove (empty: no `perc` part).
pub(super) fn perc_lines(g: Groove) -> Vec<Line> {
    match g {
        Groove::Cumbia => vec![
            // Guacharaca: a long scrape on the beat, two short ones after: every eighth.
            l(GUIRO_LONG, "X...X...X...X...", 0.3),
            l(GUIRO_SHORT, "..xx..xx..xx..xx", 0.3),
            l(CONGA_MUTE, "....x.......x...", 0.45),
            l(CONGA_OPEN, "......x.......x.", 0.45),
            l(CONGA_LOW, "..............X.", 0.6),
        ],
        Groove::Salsa => vec![
            // Conga tumbao: heel-toe, slap on 2, open tones on 4 and its "and" (step 14).
            l(CONGA_MUTE, "o.o.X.o.o.o.....", 0.3),
            l(CONGA_OPEN, "............x.X.", 0.3),
            l(CONGA_LOW, "..............................X.", 0.6),
            // Bongó martillo in the verse; the bongocero takes the bell in the chorus.
            lm(BONGO_HIGH, "X.o.x.o.X.o.x.o.", 0.3, 0.8),
            lm(BONGO_LOW, ".............x..", 0.3, 0.8),
            l(SHAKER, "x.x.x.x.x.x.x.x.", 0.8),
        ],
        Groove::Bachata => vec![
            // Bongó martillo on the eighths, the low drum answering on the "and" of 4.
            l(BONGO_HIGH, "X.o.x.o.X.o.x...", 0.3),
            l(BONGO_LOW, "..............X.", 0.3),
            l(BONGO_HIGH, ".o.......o......", 0.6),
        ],
        Groove::Merengue => vec![
            // Tambora: the stick on the rim every eighth, the open head on 2 and 4 with pickups.
            l(RIM, "x.x.x.x.x.x.x.x.", 0.3),
            l(TOM_FLOOR, "....X..x....X..x", 0.3),
            l(TOM_LOW, "...............o", 0.6),
            l(TOM_FLOOR, ".x.........x....", 0.8),
        ],
        Groove::DembowRd => vec![
            l(TIMBALE_HIGH, "...x..x....x..x.", 0.6),
            l(CONGA_OPEN, "..x.......x.....", 0.45),
            l(COWBELL, "x.x.x.x.x.x.x.x.", 0.8),
        ],
        Groove::Bolero => vec![
            // The bolero rhythm on the bongó: 1, 2, 2-and, 3, 4, the low drum on 4-and.
            l(BONGO_HIGH, "X...x.x.x...x...", 0.3),
            l(BONGO_LOW, "..............X.", 0.3),
            l(CONGA_LOW, "........o.......", 0.6),
        ],
        Groove::LoFi => vec![l(CABASA, "..x...x...x...x.", 0.8)],
        Groove::Funk => vec![
            l(CONGA_MUTE, "..x.....x.x.....", 0.6),
            l(CONGA_OPEN, "......x.......x.", 0.6),
        ],
        Groove::FourFloor => vec![l(SHAKER, "xoxoxoxoxoxoxoxo", 0.6)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::brief::resolve;
    use crate::form::SectionKind;
    use crate::score::{Role, Score};
    use crate::style::Style;
    use son1k_core::GenerationRequest;

    /// The song for `prompt` (seed, seconds).
    fn song(prompt: &str, seed: u64, seconds: f32) -> Score {
        let mut req = GenerationRequest::new(prompt);
        req.seed = seed;
        req.duration_secs = Some(seconds);
        super::super::compose(&resolve(&req), &req)
    }

    /// For each bar of the song's verses and choruses (or only its choruses): the 16th steps
    /// where a note starts on the parts of `role` whose pitch is in `pitches` (any, if empty).
    fn bar_steps(s: &Score, role: Role, pitches: &[u8], chorus_only: bool) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for sec in s.sections.iter().filter(|x| {
            x.kind == SectionKind::Chorus || (!chorus_only && x.kind == SectionKind::Verse)
        }) {
            let bars = (sec.beats / 4.0) as usize;
            for b in 0..bars {
                let start = sec.start + b as f64 * 4.0;
                let mut steps: Vec<usize> = s
                    .parts
                    .iter()
                    .filter(|p| p.role == role)
                    .flat_map(|p| p.notes.iter())
                    .filter(|n| pitches.is_empty() || pitches.contains(&n.pitch))
                    .filter(|n| n.start >= start - 0.1 && n.start < start + 4.0 - 0.1)
                    .map(|n| (((n.start - start) * 4.0).round().max(0.0) as usize).min(15))
                    .collect();
                steps.sort_unstable();
                out.push(steps);
            }
        }
        out
    }

    /// Share of `bars` that hold every step of `want` (and none of `not`).
    fn share(bars: &[Vec<usize>], want: &[usize], not: &[usize]) -> f64 {
        let hits = bars
            .iter()
            .filter(|b| want.iter().all(|w| b.contains(w)) && !not.iter().any(|w| b.contains(w)))
            .count();
        hits as f64 / bars.len().max(1) as f64
    }

    fn drums(s: &Score, pitches: &[u8]) -> Vec<Vec<usize>> {
        bar_steps(s, Role::Drums, pitches, false)
    }

    fn bass(s: &Score) -> Vec<Vec<usize>> {
        bar_steps(s, Role::Bass, &[], false)
    }

    const EIGHTHS: [usize; 8] = [0, 2, 4, 6, 8, 10, 12, 14];

    /// Asserts that most verse/chorus bars hold the pattern.
    fn most(what: &str, bars: &[Vec<usize>], want: &[usize], not: &[usize]) {
        assert!(bars.len() >= 4, "{what}: only {} bars", bars.len());
        let got = share(bars, want, not);
        assert!(got >= 0.7, "{what}: {got:.2} of bars; {bars:?}");
    }

    #[test]
    fn reggaeton_at_90_bpm_keeps_its_dembow() {
        let s = song("reggaeton 90 bpm en la menor", 4, 40.0);
        assert_eq!(s.bpm, 90);
        most("kick", &drums(&s, &[36]), &[0, 4, 8, 12], &[]);
        most("snare", &drums(&s, &[38, 39, 40]), &[3, 6, 11, 14], &[]);
    }

    #[test]
    fn latin_families_play_their_defining_patterns() {
        let s = song("dembow dominicano", 1, 30.0);
        most("dembow kick", &drums(&s, &[36]), &[0, 4, 8, 12], &[]);
        most(
            "dembow clap",
            &drums(&s, &[38, 39, 40]),
            &[3, 6, 11, 14],
            &[],
        );

        let s = song("cumbia con acordeón", 2, 40.0);
        most("guacharaca", &drums(&s, &[73, 74, 69, 70]), &EIGHTHS, &[]);
        most("cumbia bass", &bass(&s), &[0, 8], &[]);

        let s = song("salsa dura", 3, 30.0);
        let clave = drums(&s, &[75]);
        let first = s.sections[1].start / 4.0; // bars after the intro keep the clave's parity
        assert!(first >= 0.0);
        let three = clave.iter().filter(|b| **b == [0, 6, 12]).count();
        let two = clave.iter().filter(|b| **b == [4, 8]).count();
        assert!(
            three >= 2 && two >= 2 && three + two >= clave.len() * 8 / 10,
            "{clave:?}"
        );
        most("conga open on 14", &drums(&s, &[63, 64]), &[14], &[]);
        most("tumbao", &bass(&s), &[6, 12], &[0]);
        let chorus_bell = bar_steps(&s, Role::Drums, &[56, 65, 66], true);
        assert!(share(&chorus_bell, &[0, 8], &[]) >= 0.7, "{chorus_bell:?}");

        let s = song("bachata romántica", 4, 30.0);
        most("bongó", &drums(&s, &[60, 61]), &EIGHTHS, &[]);
        most("güira", &drums(&s, &[73, 74, 69]), &EIGHTHS, &[]);
        most("bachata bass", &bass(&s), &[0, 6, 8, 14], &[]);

        let s = song("merengue", 5, 30.0);
        assert!((120..=160).contains(&s.bpm), "{}", s.bpm);
        most("tambora", &drums(&s, &[41, 45]), &[4, 12], &[]);
        most("tambora rim", &drums(&s, &[37]), &EIGHTHS, &[]);
        most("güira", &drums(&s, &[73, 74, 69]), &EIGHTHS, &[]);

        let s = song("corridos tumbados", 6, 30.0);
        assert!((100..=140).contains(&s.bpm), "{}", s.bpm);
        most("oom", &bass(&s), &[0, 8], &[4, 12]);
        most("pah", &drums(&s, &[38]), &[4, 12], &[]);

        let s = song("bolero", 7, 40.0);
        most("bongó", &drums(&s, &[60, 61]), &[0, 4], &[]);
        most("maracas", &drums(&s, &[70]), &EIGHTHS, &[]);
    }

    #[test]
    fn jazz_swings_over_a_walking_bass_and_classical_has_no_drums() {
        let s = song("jazz", 1, 30.0);
        most("ride", &drums(&s, &[51]), &[0, 4, 6, 8, 12, 14], &[]);
        most("hat foot", &drums(&s, &[44]), &[4, 12], &[]);
        // The ride's "and" is swung: later than a straight eighth.
        let ride: Vec<f64> = s
            .parts
            .iter()
            .flat_map(|p| p.notes.iter())
            .filter(|n| n.pitch == 51)
            .map(|n| n.start.fract())
            .filter(|f| *f > 0.3 && *f < 0.9)
            .collect();
        let mean = ride.iter().sum::<f64>() / ride.len().max(1) as f64;
        assert!(mean >= 0.55, "swung ands at {mean}");
        let bass = s.parts.iter().find(|p| p.role == Role::Bass).unwrap();
        let bars = (s.total_beats / 4.0) as usize;
        let four = (0..bars)
            .filter(|b| {
                let (a, z) = (*b as f64 * 4.0 - 0.1, *b as f64 * 4.0 + 3.9);
                bass.notes
                    .iter()
                    .filter(|n| n.start >= a && n.start < z)
                    .count()
                    == 4
            })
            .count();
        assert!(four * 10 >= bars * 9, "{four}/{bars} bars walk");

        let s = song("música clásica", 2, 30.0);
        assert!(
            s.parts.iter().all(|p| p.role != Role::Drums),
            "classical has no drum part"
        );
    }

    #[test]
    fn band_and_club_families_play_their_defining_patterns() {
        let s = song("rock", 1, 30.0);
        most("rock snare", &drums(&s, &[38]), &[4, 12], &[]);
        most("rock kick", &drums(&s, &[36]), &[0, 8], &[]);

        let s = song("metal", 2, 30.0);
        let chorus = bar_steps(&s, Role::Drums, &[36], true);
        assert!(!chorus.is_empty());
        assert!(chorus.iter().filter(|b| b.len() >= 8).count() * 10 >= chorus.len() * 7);
        most("metal snare", &drums(&s, &[38]), &[4, 12], &[]);

        let s = song("hip hop", 3, 30.0);
        most("boom bap", &drums(&s, &[36]), &[0, 10], &[]);
        most("boom bap snare", &drums(&s, &[38]), &[4, 12], &[]);

        let s = song("trap", 4, 30.0);
        most("trap clap", &drums(&s, &[39]), &[8], &[4, 12]);
        most(
            "trap hats",
            &drums(&s, &[42]),
            &(0..16).collect::<Vec<_>>(),
            &[],
        );

        let s = song("r&b", 5, 30.0);
        assert!((60..=100).contains(&s.bpm));
        most("r&b snare", &drums(&s, &[38]), &[4, 12], &[]);

        let s = song("house", 6, 30.0);
        most("house kick", &drums(&s, &[36]), &[0, 4, 8, 12], &[]);
        most("house open hat", &drums(&s, &[46]), &[2, 6, 10, 14], &[]);
        most("house clap", &drums(&s, &[39]), &[4, 12], &[]);

        let s = song("drum and bass", 7, 20.0);
        most("two-step", &drums(&s, &[36]), &[0, 10], &[]);

        let s = song("reggae", 8, 40.0);
        most("one drop", &drums(&s, &[36]), &[8], &[0]);
        most("one drop rim", &drums(&s, &[37, 38]), &[8], &[]);

        // Lo-fi and blues swing their cymbals' eighths (median off-beat ≥ 0.55 of a beat).
        for prompt in ["lo-fi", "blues"] {
            let s = song(prompt, 10, 30.0);
            let mut offs: Vec<f64> = s
                .parts
                .iter()
                .filter(|p| p.role == Role::Drums)
                .flat_map(|p| p.notes.iter())
                .filter(|n| [42, 44, 46, 51].contains(&n.pitch))
                .map(|n| n.start.fract())
                .filter(|f| (0.35..0.85).contains(f))
                .collect();
            offs.sort_by(f64::total_cmp);
            let median = offs.get(offs.len() / 2).copied().unwrap_or(0.0);
            assert!(median >= 0.55, "{prompt}: off-beats at {median}");
        }

        // Folk drums stay light: at most 8 hits a bar.
        let s = song("folk", 11, 30.0);
        let bars = drums(&s, &[]);
        assert!(bars.iter().filter(|b| b.len() <= 8).count() * 10 >= bars.len() * 8);

        let s = song("country", 9, 30.0);
        most("boom-chick", &drums(&s, &[36]), &[0, 8], &[]);
        most("boom-chick snare", &drums(&s, &[38]), &[4, 12], &[]);
    }

    #[test]
    fn no_two_families_share_a_drum_or_bass_part() {
        type Sig = Vec<(i64, u8)>;
        let sig = |s: &Score, role: Role| -> Sig {
            let mut v: Sig = s
                .parts
                .iter()
                .filter(|p| p.role == role)
                .flat_map(|p| p.notes.iter())
                .map(|n| ((n.start * 4.0).round() as i64, n.pitch))
                .collect();
            v.sort_unstable();
            v
        };
        let songs: Vec<(Style, Sig, Sig)> = Style::ALL
            .iter()
            .map(|st| {
                let mut req = GenerationRequest::new("a song");
                req.genre = Some(st.id().to_string());
                req.seed = 11;
                req.bpm = Some(100);
                req.duration_secs = Some(20.0);
                let s = super::super::compose(&resolve(&req), &req);
                assert_eq!(resolve(&req).style, *st);
                // Every piece written is one the synthesised kit has.
                for n in s.parts.iter().filter(|p| p.role == Role::Drums) {
                    for x in &n.notes {
                        assert!(
                            crate::compose::drum::ALL.contains(&x.pitch),
                            "{st:?}: {}",
                            x.pitch
                        );
                    }
                }
                (*st, sig(&s, Role::Drums), sig(&s, Role::Bass))
            })
            .collect();
        for (i, a) in songs.iter().enumerate() {
            for b in &songs[i + 1..] {
                if a.0 != Style::Classical && b.0 != Style::Classical {
                    assert_ne!(a.1, b.1, "{:?} and {:?} drums", a.0, b.0);
                }
                assert_ne!(a.2, b.2, "{:?} and {:?} bass", a.0, b.0);
            }
        }
    }
}
