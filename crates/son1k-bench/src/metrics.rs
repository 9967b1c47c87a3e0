//! The measurements `son1k-bench generate` takes of a song, as plain functions over plain data
//! (chord spans, notes, drum hits, samples), written from the shared definitions and not from
//! the composer's code, so the bench can catch the composer.
//!
//! Times are in beats from the start of the song; drum pitches are General MIDI percussion
//! numbers; a bar has `bar_beats` beats and `bar_beats × 4` sixteenth-note steps.

use std::collections::HashMap;

/// A chord as the score states it: start and length in beats, and its symbol (`F#m7`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChordAt {
    /// Start, in beats.
    pub start: f64,
    /// Length, in beats.
    pub beats: f64,
    /// Symbol.
    pub symbol: String,
}

/// A note: start and length in beats, MIDI pitch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Start, in beats.
    pub start: f64,
    /// Length, in beats.
    pub dur: f64,
    /// MIDI pitch (drums: General MIDI percussion number).
    pub pitch: u8,
}

const EPS: f64 = 1e-3;

/// Harmonic rhythm: `(bars not holding exactly one chord, bars)` over the song's bars
/// `0 … total_beats`. A bar holds exactly one chord when exactly one span starts on its downbeat,
/// that span ends on the next downbeat, and no other span starts inside the bar. Spans are clipped
/// at `total_beats`, so the final chord's ring-out does not count.
pub fn harmonic_rhythm(chords: &[ChordAt], bar_beats: f64, total_beats: f64) -> (usize, usize) {
    if bar_beats <= 0.0 {
        return (0, 0);
    }
    let bars = ((total_beats + EPS) / bar_beats).floor().max(0.0) as usize;
    let mut not_one = 0;
    for b in 0..bars {
        let (lo, hi) = (b as f64 * bar_beats, (b + 1) as f64 * bar_beats);
        let starting: Vec<&ChordAt> = chords
            .iter()
            .filter(|c| c.start > lo - EPS && c.start < hi - EPS)
            .collect();
        let one = starting.len() == 1 && {
            let c = starting[0];
            let end = (c.start + c.beats).min(total_beats);
            (c.start - lo).abs() < EPS && (end - hi).abs() < EPS
        };
        not_one += usize::from(!one);
    }
    (not_one, bars)
}

/// The chord symbols whose spans start inside `start … start + beats`, in order.
pub fn progression(chords: &[ChordAt], start: f64, beats: f64) -> Vec<String> {
    chords
        .iter()
        .filter(|c| c.start > start - EPS && c.start < start + beats - EPS)
        .map(|c| c.symbol.clone())
        .collect()
}

/// The shortest prefix that, repeated, gives the whole sequence (`C G C G C` → `C G`): a section
/// that plays its loop twice has the same progression as one that plays it once.
pub fn period<T: PartialEq + Clone>(seq: &[T]) -> Vec<T> {
    for p in 1..=seq.len() {
        if (0..seq.len()).all(|i| seq[i] == seq[i % p]) {
            return seq[..p].to_vec();
        }
    }
    seq.to_vec()
}

/// Whether the verse's and the chorus's progressions differ. Each section's last chord (the
/// turnaround or the dominant into the next section) is left out and the two are compared over
/// their common length, so a loop does not pass by being played a different number of times or by
/// a changed cadence alone.
pub fn progressions_differ(verse: &[String], chorus: &[String]) -> bool {
    let trim = |s: &[String]| -> Vec<String> {
        if s.len() > 1 {
            s[..s.len() - 1].to_vec()
        } else {
            s.to_vec()
        }
    };
    let (v, c) = (trim(verse), trim(chorus));
    let n = v.len().min(c.len());
    if n == 0 {
        return v.len() != c.len();
    }
    // Compare one full cycle of each against the other when the loops are short.
    let (pv, pc) = (period(&v), period(&c));
    if pv.len() <= n && pc.len() <= n && pv.len() == pc.len() {
        return pv != pc;
    }
    v[..n] != c[..n]
}

/// Distinct progressions among `sections` (each reduced to its repeating [`period`]).
pub fn distinct_progressions(sections: &[Vec<String>]) -> usize {
    let mut seen: Vec<Vec<String>> = Vec::new();
    for s in sections.iter().filter(|s| !s.is_empty()) {
        let p = period(s);
        if !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen.len()
}

/// Lead recurrence: with the notes sorted by start (then pitch), the share of 4-note windows whose
/// exact pitch 4-gram occurs at least twice in the part. `None` with fewer than 4 notes.
pub fn recurrence(notes: &[Hit]) -> Option<f64> {
    let mut sorted = notes.to_vec();
    sorted.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
    if sorted.len() < 4 {
        return None;
    }
    let grams: Vec<[u8; 4]> = sorted
        .windows(4)
        .map(|w| [w[0].pitch, w[1].pitch, w[2].pitch, w[3].pitch])
        .collect();
    let mut count: HashMap<[u8; 4], usize> = HashMap::new();
    for g in &grams {
        *count.entry(*g).or_default() += 1;
    }
    let recurring = grams.iter().filter(|g| count[*g] >= 2).count();
    Some(recurring as f64 / grams.len() as f64)
}

/// Integrated loudness (EBU R128, LUFS) of `channels[..][from..to]`; `None` when the span is too
/// short or silent to measure.
pub fn loudness(channels: &[Vec<f32>], rate: u32, from: usize, to: usize) -> Option<f64> {
    let len = channels.iter().map(Vec::len).min()?;
    let (from, to) = (from.min(len), to.min(len));
    if to <= from || channels.is_empty() {
        return None;
    }
    let mut meter = ebur128::EbuR128::new(channels.len() as u32, rate, ebur128::Mode::I).ok()?;
    let slices: Vec<&[f32]> = channels.iter().map(|c| &c[from..to]).collect();
    meter.add_frames_planar_f32(&slices).ok()?;
    let l = meter.loudness_global().ok()?;
    l.is_finite().then_some(l)
}

/// Share of the signal's energy above `cutoff_hz` (Hann-windowed 2048-point spectra, summed over
/// the whole signal); `None` for silence.
pub fn high_frequency_share(samples: &[f32], rate: u32, cutoff_hz: f64) -> Option<f64> {
    const N: usize = 2048;
    let mut planner = realfft::RealFftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(N);
    let window: Vec<f32> = (0..N)
        .map(|i| {
            let x = std::f32::consts::TAU * i as f32 / N as f32;
            0.5 - 0.5 * x.cos()
        })
        .collect();
    let mut input = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let first_high = (cutoff_hz * N as f64 / f64::from(rate)).ceil() as usize;
    let (mut high, mut total) = (0.0f64, 0.0f64);
    for frame in samples.chunks(N) {
        for (i, x) in input.iter_mut().enumerate() {
            *x = frame.get(i).copied().unwrap_or(0.0) * window[i];
        }
        if fft.process(&mut input, &mut spectrum).is_err() {
            return None;
        }
        for (k, c) in spectrum.iter().enumerate().skip(1) {
            let e = f64::from(c.norm_sqr());
            total += e;
            if k >= first_high {
                high += e;
            }
        }
    }
    (total > 1e-12).then(|| high / total)
}

/// Pitch classes (relative to the tonic) allowed in a key: the major scale, or natural minor
/// plus the raised seventh.
pub fn scale(minor: bool) -> [bool; 12] {
    let steps: &[u8] = if minor {
        &[0, 2, 3, 5, 7, 8, 10, 11]
    } else {
        &[0, 2, 4, 5, 7, 9, 11]
    };
    let mut s = [false; 12];
    for &x in steps {
        s[x as usize] = true;
    }
    s
}

/// `(notes in the scale of tonic/mode, notes)`.
pub fn in_scale(pitches: &[u8], tonic: u8, minor: bool) -> (usize, usize) {
    let s = scale(minor);
    let ok = pitches
        .iter()
        .filter(|&&p| s[((i32::from(p) - i32::from(tonic)).rem_euclid(12)) as usize])
        .count();
    (ok, pitches.len())
}

/// The sixteenth-note steps of bar `bar` (bit `k` = step `k`) on which a note of one of `pitches`
/// (any pitch when empty) starts, rounding to the nearest step within a third of a step.
pub fn steps(hits: &[Hit], pitches: &[u8], bar: usize, bar_beats: f64) -> u64 {
    let lo = bar as f64 * bar_beats;
    let n = (bar_beats * 4.0).round() as i64;
    let mut mask = 0u64;
    for h in hits {
        if !pitches.is_empty() && !pitches.contains(&h.pitch) {
            continue;
        }
        let pos = (h.start - lo) * 4.0;
        let step = pos.round();
        if (pos - step).abs() <= 0.34 && step >= 0.0 && (step as i64) < n && step < 64.0 {
            mask |= 1 << step as u64;
        }
    }
    mask
}

/// A mask with the given steps set.
pub fn mask(steps: &[u32]) -> u64 {
    steps.iter().fold(0, |m, s| m | (1u64 << s))
}

/// Whether `have` contains every step of `want`.
pub fn has(have: u64, want: &[u32]) -> bool {
    let w = mask(want);
    have & w == w
}

/// Notes of `hits` (of `pitches`, any when empty) starting in bar `bar`.
pub fn in_bar<'a>(
    hits: &'a [Hit],
    pitches: &'a [u8],
    bar: usize,
    bar_beats: f64,
) -> impl Iterator<Item = &'a Hit> + 'a {
    let lo = bar as f64 * bar_beats;
    let hi = lo + bar_beats;
    hits.iter().filter(move |h| {
        h.start > lo - 0.02
            && h.start < hi - 0.02
            && (pitches.is_empty() || pitches.contains(&h.pitch))
    })
}

/// The swing of off-beat eighths: the median position, within its beat (0 on the beat, 0.5
/// straight, 0.667 triplet), of the notes that fall between 0.35 and 0.85 of a beat. `None`
/// without such notes.
pub fn swing(hits: &[Hit]) -> Option<f64> {
    let mut offs: Vec<f64> = hits
        .iter()
        .map(|h| h.start - h.start.floor())
        .filter(|f| (0.35..0.85).contains(f))
        .collect();
    if offs.is_empty() {
        return None;
    }
    offs.sort_by(f64::total_cmp);
    Some(offs[offs.len() / 2])
}

/// Root pitch class and the rest of a chord symbol (`F#m7` → `(6, "m7")`).
pub fn chord_root(symbol: &str) -> Option<(u8, &str)> {
    let mut chars = symbol.chars();
    let base: i32 = match chars.next()? {
        'C' => 0,
        'D' => 2,
        'E' => 4,
        'F' => 5,
        'G' => 7,
        'A' => 9,
        'B' => 11,
        _ => return None,
    };
    let rest = &symbol[1..];
    let (shift, rest) = if let Some(r) = rest.strip_prefix('#').or(rest.strip_prefix('♯')) {
        (1, r)
    } else if let Some(r) = rest.strip_prefix('b').or(rest.strip_prefix('♭')) {
        (-1, r)
    } else {
        (0, rest)
    };
    Some((((base + shift).rem_euclid(12)) as u8, rest))
}

/// Whether a chord symbol has a seventh or more (`7`, `m7`, `maj7`, `9`, `m11`, `13` …).
pub fn is_extended(symbol: &str) -> bool {
    chord_root(symbol).is_some_and(|(_, q)| {
        let q = q.split('/').next().unwrap_or("");
        ["7", "9", "11", "13"].iter().any(|d| q.contains(d))
    })
}

/// Whether a chord symbol is a dominant seventh (`7`, `9`, `13`, `7#9` …; not `maj7`, `m7`).
pub fn is_dominant(symbol: &str) -> bool {
    chord_root(symbol).is_some_and(|(_, q)| ["7", "9", "11", "13"].iter().any(|d| q.starts_with(d)))
}

/// Whether the roots of consecutive chords contain a ii–V–I (each root a fourth above the last,
/// the first chord minor and the second dominant).
pub fn has_two_five_one(symbols: &[String]) -> bool {
    symbols.windows(3).any(|w| {
        let (Some((a, qa)), Some((b, _)), Some((c, _))) =
            (chord_root(&w[0]), chord_root(&w[1]), chord_root(&w[2]))
        else {
            return false;
        };
        let minor = qa.starts_with('m') && !qa.starts_with("maj");
        (a + 5) % 12 == b && (b + 5) % 12 == c && minor && is_dominant(&w[1])
    })
}

/// How many of the first bars' roots (relative to `tonic`) follow the 12-bar blues
/// (I I/IV I I | IV IV I I | V V/IV I I/V), as a share of the bars compared (up to 12, from the
/// first bar with chords, trying every start). `None` with fewer than 8 bars.
pub fn twelve_bar(bar_roots: &[Option<u8>], tonic: u8) -> Option<f64> {
    const FORM: [&[u8]; 12] = [
        &[0],
        &[0, 5],
        &[0],
        &[0],
        &[5],
        &[5],
        &[0],
        &[0],
        &[7],
        &[7, 5],
        &[0],
        &[0, 7],
    ];
    if bar_roots.len() < 8 {
        return None;
    }
    let mut best = 0.0f64;
    for start in 0..bar_roots.len().saturating_sub(7) {
        let span = &bar_roots[start..(start + 12).min(bar_roots.len())];
        let ok = span
            .iter()
            .zip(FORM)
            .filter(|(r, allowed)| {
                r.is_some_and(|r| allowed.contains(&((12 + r - tonic % 12) % 12)))
            })
            .count();
        best = best.max(ok as f64 / span.len() as f64);
    }
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chord(start: f64, beats: f64, symbol: &str) -> ChordAt {
        ChordAt {
            start,
            beats,
            symbol: symbol.into(),
        }
    }

    fn hit(start: f64, pitch: u8) -> Hit {
        Hit {
            start,
            dur: 0.25,
            pitch,
        }
    }

    #[test]
    fn harmonic_rhythm_counts_bars_with_two_chords_or_a_held_chord() {
        // Bars 0 and 2 hold one chord each; bars 1 and 3 hold two.
        let chords = vec![
            chord(0.0, 4.0, "C"),
            chord(4.0, 2.0, "F"),
            chord(6.0, 2.0, "G"),
            chord(8.0, 4.0, "Am"),
            chord(12.0, 2.0, "F"),
            chord(14.0, 6.0, "C"), // rings out past the end
        ];
        assert_eq!(harmonic_rhythm(&chords, 4.0, 16.0), (2, 4));
        // A chord held over two bars: neither bar holds exactly one chord of one bar.
        let held = vec![chord(0.0, 8.0, "C"), chord(8.0, 4.0, "G")];
        assert_eq!(harmonic_rhythm(&held, 4.0, 12.0), (2, 3));
        // One chord per bar, the last one ringing out: 0 %.
        let loop_ = vec![
            chord(0.0, 4.0, "C"),
            chord(4.0, 4.0, "G"),
            chord(8.0, 6.0, "C"),
        ];
        assert_eq!(harmonic_rhythm(&loop_, 4.0, 12.0), (0, 3));
    }

    #[test]
    fn progressions_compare_loops_not_lengths_or_cadences() {
        let s = |x: &str| x.split(' ').map(String::from).collect::<Vec<_>>();
        // The same loop, twice in the verse and once in the chorus, with a dominant at the end.
        assert!(!progressions_differ(&s("C G F G C G F G7"), &s("C G F G")));
        assert!(progressions_differ(&s("C G F G"), &s("Am F C G")));
        assert!(progressions_differ(&s("C Am F G"), &s("C G F G")));
        assert_eq!(period(&s("C G C G C")), s("C G"));
        assert_eq!(
            distinct_progressions(&[s("C G F G C G F G"), s("C G F G"), s("Am F C G")]),
            2
        );
        let chords = vec![
            chord(0.0, 4.0, "C"),
            chord(4.0, 4.0, "G"),
            chord(8.0, 4.0, "F"),
        ];
        assert_eq!(progression(&chords, 4.0, 8.0), s("G F"));
    }

    #[test]
    fn recurrence_of_a_repeated_motif_is_total_and_of_a_scale_is_zero() {
        let motif: Vec<Hit> = (0..16)
            .map(|i| hit(i as f64 * 0.5, [60, 62, 64, 67][i % 4]))
            .collect();
        assert_eq!(recurrence(&motif), Some(1.0));
        let scale: Vec<Hit> = (0..16).map(|i| hit(i as f64, 48 + i as u8)).collect();
        assert_eq!(recurrence(&scale), Some(0.0));
        assert_eq!(recurrence(&scale[..3]), None);
    }

    #[test]
    fn high_frequency_share_of_a_sine_and_of_noise() {
        let rate = 48_000;
        let sine: Vec<f32> = (0..rate)
            .map(|i| (std::f32::consts::TAU * 1000.0 * i as f32 / rate as f32).sin())
            .collect();
        let hf = high_frequency_share(&sine, rate, 4000.0).unwrap_or(1.0);
        assert!(hf < 0.001, "{hf}");
        let mut state = 0x1234_5678u32;
        let noise: Vec<f32> = (0..rate)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as f32 / u32::MAX as f32 - 0.5
            })
            .collect();
        let hf = high_frequency_share(&noise, rate, 4000.0).unwrap_or(0.0);
        assert!(hf > 0.8 && hf < 0.86, "{hf}");
        assert_eq!(high_frequency_share(&[0.0; 4096], rate, 4000.0), None);
    }

    #[test]
    fn loudness_follows_level() {
        let rate = 48_000;
        let tone = |amp: f32| -> Vec<f32> {
            (0..rate * 2)
                .map(|i| amp * (std::f32::consts::TAU * 440.0 * i as f32 / rate as f32).sin())
                .collect()
        };
        let mut ch = tone(0.1);
        ch.extend(tone(0.2));
        let chans = vec![ch.clone(), ch];
        let quiet = loudness(&chans, rate, 0, 2 * rate as usize).unwrap_or(0.0);
        let loud = loudness(&chans, rate, 2 * rate as usize, 4 * rate as usize).unwrap_or(0.0);
        assert!((loud - quiet - 6.02).abs() < 0.2, "{quiet} {loud}");
        assert_eq!(loudness(&chans, rate, 10, 10), None);
    }

    #[test]
    fn scale_allows_the_raised_seventh_in_minor_only() {
        // A minor: G# (raised 7th) allowed, C# not.
        assert_eq!(in_scale(&[57, 59, 60, 68, 69], 9, true), (5, 5));
        assert_eq!(in_scale(&[61], 9, true), (0, 1));
        // C major: C# F# G# out (the bug of a vocal built three semitones low).
        assert_eq!(in_scale(&[60, 61, 66, 68, 67], 0, false), (2, 5));
    }

    #[test]
    fn dembow_steps_hold_and_four_on_the_floor_does_not() {
        let dembow: Vec<Hit> = [0.0, 1.0, 2.0, 3.0]
            .iter()
            .map(|&b| hit(b, 36))
            .chain([0.75, 1.5, 2.75, 3.5].iter().map(|&b| hit(b, 38)))
            .collect();
        let four: Vec<Hit> = [0.0, 1.0, 2.0, 3.0]
            .iter()
            .map(|&b| hit(b, 36))
            .chain([1.0, 3.0].iter().map(|&b| hit(b, 39)))
            .collect();
        let ok = |h: &[Hit]| {
            has(steps(h, &[36], 0, 4.0), &[0, 4, 8, 12])
                && has(steps(h, &[38, 39, 40], 0, 4.0), &[3, 6, 11, 14])
        };
        assert!(ok(&dembow));
        assert!(!ok(&four));
        // A slightly late hit still lands on its step; one between steps lands on none.
        assert_eq!(steps(&[hit(1.03, 38)], &[], 0, 4.0), mask(&[4]));
        assert_eq!(steps(&[hit(1.125, 38)], &[], 0, 4.0), 0);
        assert_eq!(in_bar(&dembow, &[36], 0, 4.0).count(), 4);
    }

    #[test]
    fn swing_and_chord_symbols() {
        let straight: Vec<Hit> = (0..8).map(|i| hit(i as f64 * 0.5, 42)).collect();
        assert_eq!(swing(&straight), Some(0.5));
        let swung: Vec<Hit> = (0..4)
            .flat_map(|b| [hit(b as f64, 51), hit(b as f64 + 0.66, 51)])
            .collect();
        assert!(swing(&swung).is_some_and(|s| (s - 0.66).abs() < 1e-9));
        assert_eq!(chord_root("F#m7"), Some((6, "m7")));
        assert_eq!(chord_root("Bbmaj7"), Some((10, "maj7")));
        assert!(is_extended("Dm9") && is_extended("Cmaj7") && !is_extended("C"));
        assert!(is_dominant("G7") && is_dominant("A13") && !is_dominant("Cmaj7"));
        assert!(!is_dominant("Dm7"));
        let s = |x: &str| x.split(' ').map(String::from).collect::<Vec<_>>();
        assert!(has_two_five_one(&s("Dm7 G7 Cmaj7 A7")));
        assert!(!has_two_five_one(&s("C G Am F")));
        let blues: Vec<Option<u8>> = [0, 5, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7]
            .iter()
            .map(|r| Some((r + 2) % 12))
            .collect();
        assert_eq!(twelve_bar(&blues, 2), Some(1.0));
        let pop: Vec<Option<u8>> = [0, 7, 9, 5, 0, 7, 9, 5, 0, 7, 9, 5]
            .iter()
            .map(|&r| Some(r))
            .collect();
        assert!(twelve_bar(&pop, 0).is_some_and(|s| s < 0.6));
    }
}
