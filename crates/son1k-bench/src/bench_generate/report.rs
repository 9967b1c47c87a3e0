//! The per-genre table and the targets, printed PASS/FAIL.

use super::*;

pub(super) fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.0}", x * 100.0))
}

pub(super) fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut s, mut n) = (0.0, 0usize);
    for x in xs {
        s += x;
        n += 1;
    }
    (n > 0).then(|| s / n as f64)
}

pub(super) fn ratio(ok: usize, n: usize) -> Option<f64> {
    (n > 0).then(|| ok as f64 / n as f64)
}

/// Per sub-check name, the mean value over songs and what it needs.
pub(super) fn genre_checks(rs: &[&SongResult]) -> Vec<(&'static str, f64, f64)> {
    let mut out: Vec<(&'static str, f64, f64)> = Vec::new();
    if let Some(first) = rs.first() {
        for (i, c) in first.checks.iter().enumerate() {
            let v = mean(rs.iter().filter_map(|r| r.checks.get(i)).map(|c| c.value)).unwrap_or(0.0);
            out.push((c.name, v, c.need));
        }
    }
    out
}

pub(super) fn print_table(wanted: &[(usize, &'static BenchGenre)], results: &[SongResult]) {
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

pub(super) fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

pub(super) fn print_targets(
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
