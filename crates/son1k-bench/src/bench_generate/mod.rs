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

mod patterns;
mod prompts;
mod report;
mod song_view;

pub(crate) use patterns::*;
pub(crate) use prompts::*;
use report::*;
pub(crate) use song_view::*;

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
    if (gi + index).is_multiple_of(3) {
        // A sung song is as long as its lyrics (a shorter length is refused).
        req.lyrics = Some(if spanish { LYRICS_ES } else { LYRICS_EN }.into());
    } else {
        req.duration_secs = Some(seconds as f32);
    }
    req
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
#[cfg(test)]
mod tests {
    use super::*;

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
