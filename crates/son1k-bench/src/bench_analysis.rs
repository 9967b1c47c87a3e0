//! `son1k-bench analysis`: tempo, beats and key on two labelled sets, each reported on its own —
//! the synthetic corpus son1k-analysis makes (drum patterns and triads with known labels), and
//! the real set `scripts/make-real-analysis-set.py` renders from externally authored music
//! (scores, tunes and MIDI songs with their own tempo and key labels) — against librosa and,
//! where installed, madmom on the same excerpts in the same run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use son1k_analysis::eval::{
    beat_f_measure, key_error, tempo_error, within, KeyError, TempoError, BEAT_WINDOW_S,
};
use son1k_analysis::key::mirex_score;
use son1k_audio::{write_file, SampleFormat};
use son1k_core::Key;

fn parse_key(s: &str) -> Result<Key, String> {
    s.parse()
        .map_err(|e: son1k_core::ValidationError| format!("key {s:?}: {e}"))
}

/// `son1k-bench analysis`: the synthetic corpus (skipped with 0 songs), then the real set.
pub fn analysis(songs: usize, seconds: f64) -> Result<(), String> {
    if songs > 0 {
        synthetic(songs, seconds)?;
    }
    real_set()
}

/// Accuracy on the synthetic labelled corpus, speed against librosa on a three-minute song, and
/// agreement with librosa on a few files.
fn synthetic(songs: usize, seconds: f64) -> Result<(), String> {
    use son1k_analysis::corpus::{acc1, acc2, corpus, render, Pattern, SongSpec};
    let dir = std::env::temp_dir().join(format!("son1k-bench-analysis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    println!("son1k-bench analysis — {songs} synthetic songs × {seconds} s (5 drum patterns, tempi 60–200, 24 keys)");
    let specs = corpus(songs, seconds);
    let (mut a1, mut a2, mut key) = (0usize, 0usize, 0.0f64);
    let mut total = Duration::ZERO;
    let mut peer_files = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let audio = render(s);
        let start = Instant::now();
        let a = son1k_analysis::analyze(&audio, Path::new("corpus")).map_err(|e| e.to_string())?;
        total += start.elapsed();
        let est = parse_key(&a.key)?;
        a1 += usize::from(acc1(a.bpm, s.bpm));
        a2 += usize::from(acc2(a.bpm, s.bpm));
        key += mirex_score(est, s.key);
        if i % (songs / 8).max(1) == 0 {
            let p = dir.join(format!("song{i}.wav"));
            write_file(&p, &audio, SampleFormat::I16).map_err(|e| e.to_string())?;
            peer_files.push((p, *s, a.bpm, est));
        }
    }
    let n = songs as f64;
    println!(
        "accuracy: tempo Acc1 {:.3} (goal ≥ 0.92), Acc2 {:.3} (goal ≥ 0.98), MIREX weighted key {:.1} (goal ≥ 85)",
        a1 as f64 / n,
        a2 as f64 / n,
        key / n * 100.0
    );
    println!(
        "full analysis: {:.1} ms per {seconds} s song on average",
        total.as_secs_f64() * 1000.0 / n
    );

    // Speed: tempo + key of a three-minute song.
    let long = render(&SongSpec {
        bpm: 124.0,
        key: parse_key("D minor")?,
        pattern: Pattern::Backbeat,
        swing: 0.0,
        seconds: 180.0,
        noise_db: -45.0,
        seed: 77,
    });
    let long_path = dir.join("three-minutes.wav");
    write_file(&long_path, &long, SampleFormat::I16).map_err(|e| e.to_string())?;
    let mut ours = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        son1k_analysis::tempo_and_key(&long).map_err(|e| e.to_string())?;
        ours = ours.min(start.elapsed());
    }
    println!(
        "speed: tempo + key of a 3-minute song: ours {:.3} s (goal < 0.3 s)",
        ours.as_secs_f64()
    );
    let script = repo().join("scripts/librosa_bench.py");
    let peer = Command::new("python3")
        .arg(&script)
        .arg(&long_path)
        .output();
    match peer {
        Ok(o) if o.status.success() => {
            let line = String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
            let secs = v["seconds_tempo_key"].as_f64().unwrap_or(f64::NAN);
            println!(
                "       librosa beat_track + chroma key: {secs:.3} s → ours {:.1}× faster (goal ≥ 20×)",
                secs / ours.as_secs_f64()
            );
            // Agreement on a sample of the corpus.
            let mut cmd = Command::new("python3");
            cmd.arg(&script);
            for (p, ..) in &peer_files {
                cmd.arg(p);
            }
            let o = cmd.output().map_err(|e| e.to_string())?;
            let (mut tempo_agree, mut key_agree, mut peer_acc1) = (0, 0, 0);
            for ((_, spec, bpm, key), line) in peer_files
                .iter()
                .zip(String::from_utf8_lossy(&o.stdout).lines())
            {
                let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
                let pb = v["bpm"].as_f64().unwrap_or(0.0);
                tempo_agree += usize::from(acc2(pb, *bpm));
                peer_acc1 += usize::from(acc1(pb, spec.bpm));
                key_agree += usize::from(v["key"].as_str() == Some(key.to_string().as_str()));
            }
            let m = peer_files.len();
            println!(
                "agreement with librosa on {m} corpus files: tempo (within 4%, octave allowed) {tempo_agree}/{m}, key {key_agree}/{m}; librosa's own Acc1 there {peer_acc1}/{m}"
            );
        }
        Ok(o) => println!(
            "librosa: not available ({}); `make bench` installs it with pip",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("failed")
        ),
        Err(e) => println!("librosa: python3 not runnable: {e}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One excerpt of the real set, with its labels (from the manifest).
#[derive(Clone)]
struct Excerpt {
    id: String,
    file: String,
    /// The labelled tempo when it is steady over the excerpt (what Acc1/Acc2 score).
    bpm: Option<f64>,
    beats: Option<Vec<f64>>,
    key: Option<Key>,
}

/// What one tool said about one excerpt.
#[derive(Clone)]
struct Reading {
    bpm: f64,
    beats: Vec<f64>,
    key: Option<Key>,
    seconds: f64,
}

/// The manifest the set's script commits, and the folder its audio was written to.
fn manifest_and_audio() -> (PathBuf, PathBuf) {
    let manifest = std::env::var_os("SON1K_REAL_ANALYSIS_MANIFEST").map_or_else(
        || repo().join("data/real-analysis-set/manifest.json"),
        PathBuf::from,
    );
    let audio = std::env::var_os("SON1K_REAL_ANALYSIS_DIR").map_or_else(
        || {
            std::env::var_os("HOME")
                .map_or_else(|| PathBuf::from("."), PathBuf::from)
                .join(".cache/son1k-real-analysis")
        },
        PathBuf::from,
    );
    (manifest, audio)
}

fn load_manifest(path: &Path) -> Result<Vec<Excerpt>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let items = v["items"]
        .as_array()
        .ok_or_else(|| format!("{}: no \"items\" list", path.display()))?;
    items
        .iter()
        .map(|it| {
            let steady = it["steady_tempo"].as_bool().unwrap_or(false);
            Ok(Excerpt {
                id: it["id"].as_str().unwrap_or("?").to_string(),
                file: it["file"]
                    .as_str()
                    .ok_or_else(|| format!("{}: an item without \"file\"", path.display()))?
                    .to_string(),
                bpm: it["bpm"].as_f64().filter(|_| steady),
                beats: it["beats"]
                    .as_array()
                    .map(|b| b.iter().filter_map(serde_json::Value::as_f64).collect()),
                key: it["key"].as_str().map(parse_key).transpose()?,
            })
        })
        .collect()
}

/// Our reading of every excerpt.
fn ours(set: &[Excerpt], audio: &Path) -> Result<Vec<Reading>, String> {
    set.iter()
        .map(|x| {
            let path = audio.join(&x.file);
            let buf = son1k_audio::decode_file(&path).map_err(|e| e.to_string())?;
            let start = Instant::now();
            let a = son1k_analysis::analyze(&buf, &path).map_err(|e| e.to_string())?;
            let seconds = start.elapsed().as_secs_f64();
            Ok(Reading {
                bpm: a.bpm,
                beats: a.beats,
                key: Some(parse_key(&a.key)?),
                seconds,
            })
        })
        .collect()
}

/// The peers' readings, by tool name and excerpt id; tools that could not run, with why.
type PeerReadings = (BTreeMap<String, BTreeMap<String, Reading>>, Vec<String>);

fn peers(manifest: &Path, audio: &Path) -> PeerReadings {
    let mut out: BTreeMap<String, BTreeMap<String, Reading>> = BTreeMap::new();
    let mut missing = Vec::new();
    if std::env::var("SON1K_BENCH_PEERS").is_ok_and(|v| v == "0") {
        missing.push("peers skipped (SON1K_BENCH_PEERS=0)".to_string());
        return (out, missing);
    }
    let python = std::env::var("SON1K_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let o = match Command::new(&python)
        .arg(repo().join("scripts/real-analysis-peers.py"))
        .arg(manifest)
        .arg(audio)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            missing.push(format!("{python} not runnable: {e}"));
            return (out, missing);
        }
    };
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let tool = v["tool"].as_str().unwrap_or("?").to_string();
        if let Some(why) = v["unavailable"].as_str() {
            missing.push(format!("{tool}: not available ({why})"));
            continue;
        }
        let reading = Reading {
            bpm: v["bpm"].as_f64().unwrap_or(0.0),
            beats: v["beats"]
                .as_array()
                .map(|b| b.iter().filter_map(serde_json::Value::as_f64).collect())
                .unwrap_or_default(),
            key: v["key"].as_str().and_then(|k| parse_key(k).ok()),
            seconds: v["seconds"].as_f64().unwrap_or(0.0),
        };
        out.entry(tool)
            .or_default()
            .insert(v["id"].as_str().unwrap_or("?").to_string(), reading);
    }
    if !o.status.success() {
        missing.push(format!(
            "peer script failed: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    (out, missing)
}

/// The scores of one tool over the excerpts it read.
struct Scores {
    tempo_n: usize,
    acc1: f64,
    acc2: f64,
    within2: f64,
    beat_n: usize,
    beat_f: f64,
    key_n: usize,
    key_weighted: f64,
    key_exact: f64,
    seconds: f64,
}

fn score(set: &[Excerpt], readings: &[Option<&Reading>]) -> Scores {
    let (mut tempo_n, mut a1, mut a2, mut w2) = (0usize, 0usize, 0usize, 0usize);
    let (mut beat_n, mut f) = (0usize, 0.0f64);
    let (mut key_n, mut kw, mut kx) = (0usize, 0.0f64, 0usize);
    let mut seconds = 0.0;
    for (x, r) in set.iter().zip(readings) {
        let Some(r) = r else { continue };
        seconds += r.seconds;
        if let Some(bpm) = x.bpm {
            tempo_n += 1;
            a1 += usize::from(within(r.bpm, bpm, 0.04));
            a2 += usize::from(tempo_error(r.bpm, bpm).is_none_or(|e| e != TempoError::Other));
            w2 += usize::from(within(r.bpm, bpm, 0.02));
        }
        if let Some(beats) = &x.beats {
            beat_n += 1;
            f += beat_f_measure(&r.beats, beats, BEAT_WINDOW_S);
        }
        if let (Some(truth), Some(est)) = (x.key, r.key) {
            key_n += 1;
            kw += mirex_score(est, truth);
            kx += usize::from(est == truth);
        }
    }
    let frac = |a: usize, n: usize| {
        if n == 0 {
            f64::NAN
        } else {
            a as f64 / n as f64
        }
    };
    Scores {
        tempo_n,
        acc1: frac(a1, tempo_n),
        acc2: frac(a2, tempo_n),
        within2: frac(w2, tempo_n),
        beat_n,
        beat_f: if beat_n == 0 {
            f64::NAN
        } else {
            f / beat_n as f64
        },
        key_n,
        key_weighted: if key_n == 0 {
            f64::NAN
        } else {
            kw / key_n as f64 * 100.0
        },
        key_exact: frac(kx, key_n) * 100.0,
        seconds,
    }
}

fn row(name: &str, s: &Scores, ours_seconds: f64) {
    println!(
        "  {name:<8} {:>5.3} {:>5.3} {:>6.3} {:>7.3} {:>7.1} {:>6.1}% {:>8.2} {:>8}",
        s.acc1,
        s.acc2,
        s.within2,
        s.beat_f,
        s.key_weighted,
        s.key_exact,
        s.seconds,
        if name == "ours" {
            "1×".to_string()
        } else {
            format!("{:.1}×", s.seconds / ours_seconds.max(1e-9))
        }
    );
}

/// The real set: ours against the peers on the same excerpts, then our errors by class.
fn real_set() -> Result<(), String> {
    let (manifest, audio) = manifest_and_audio();
    let set = match load_manifest(&manifest) {
        Ok(set) => set,
        Err(e) => {
            println!(
                "real set: not available ({e}); make it with scripts/make-real-analysis-set.py"
            );
            return Ok(());
        }
    };
    if let Some(x) = set.iter().find(|x| !audio.join(&x.file).exists()) {
        println!(
            "real set: {} is missing; make the audio with `python3 scripts/make-real-analysis-set.py --out {}`",
            audio.join(&x.file).display(),
            audio.display()
        );
        return Ok(());
    }
    let mine = ours(&set, &audio)?;
    let (peer, missing) = peers(&manifest, &audio);
    let tempo_n = set.iter().filter(|x| x.bpm.is_some()).count();
    let beat_n = set.iter().filter(|x| x.beats.is_some()).count();
    let key_n = set.iter().filter(|x| x.key.is_some()).count();
    println!(
        "\nreal set — {} excerpts of externally authored music ({} with a steady labelled tempo, {} with beats, {} with a major/minor key); {}",
        set.len(),
        tempo_n,
        beat_n,
        key_n,
        manifest.display()
    );
    println!(
        "  {:<8} {:>5} {:>5} {:>6} {:>7} {:>7} {:>7} {:>8} {:>8}",
        "tool", "Acc1", "Acc2", "±2%", "beat F", "key wt", "exact", "seconds", "vs ours"
    );
    let own: Vec<Option<&Reading>> = mine.iter().map(Some).collect();
    let s = score(&set, &own);
    row("ours", &s, s.seconds);
    // Peers are scored on the excerpts they read (all of them, unless a tool failed partway).
    for (tool, by_id) in &peer {
        let readings: Vec<Option<&Reading>> = set.iter().map(|x| by_id.get(&x.id)).collect();
        let read = readings.iter().filter(|r| r.is_some()).count();
        let p = score(&set, &readings);
        row(tool, &p, s.seconds);
        if read < set.len() {
            println!("           ({tool} read {read} of {} excerpts)", set.len());
        }
    }
    for m in &missing {
        println!("  {m}");
    }
    println!(
        "  goal: Acc1 ≥ 0.92, Acc2 ≥ 0.98, beat F ahead of librosa, key weighted ≥ 90, each ahead of the peers; ≥ 20× librosa's speed"
    );
    errors(&set, &mine);
    by_source(&set, &own);
    Ok(())
}

/// Our remaining errors by class, and each one listed.
fn errors(set: &[Excerpt], mine: &[Reading]) {
    let mut tempo: BTreeMap<&str, usize> = BTreeMap::new();
    let mut key: BTreeMap<&str, usize> = BTreeMap::new();
    let mut lines = Vec::new();
    for (x, r) in set.iter().zip(mine) {
        if let Some(bpm) = x.bpm {
            if let Some(e) = tempo_error(r.bpm, bpm) {
                let class = match e {
                    TempoError::Octave => "octave",
                    TempoError::Triple => "triple",
                    TempoError::Other => "other",
                };
                *tempo.entry(class).or_default() += 1;
                lines.push(format!(
                    "    tempo {class:<8} {:<40} {bpm:.1} → {:.1}",
                    x.id, r.bpm
                ));
            }
        }
        if let (Some(truth), Some(est)) = (x.key, r.key) {
            if let Some(e) = key_error(est, truth) {
                let class = match e {
                    KeyError::Fifth => "fifth",
                    KeyError::Relative => "relative",
                    KeyError::Parallel => "parallel",
                    KeyError::Other => "other",
                };
                *key.entry(class).or_default() += 1;
                lines.push(format!("    key   {class:<8} {:<40} {truth} → {est}", x.id));
            }
        }
    }
    let tally = |m: &BTreeMap<&str, usize>, order: &[&str]| {
        order
            .iter()
            .map(|c| format!("{c} {}", m.get(c).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "  our tempo errors: {}; key errors: {}",
        tally(&tempo, &["octave", "triple", "other"]),
        tally(&key, &["relative", "parallel", "fifth", "other"])
    );
    if std::env::var("SON1K_BENCH_VERBOSE").is_ok_and(|v| v == "1") {
        for l in lines {
            println!("{l}");
        }
    }
}

/// Our scores per source (the id's prefix: bach, abc, openmsx, …).
fn by_source(set: &[Excerpt], own: &[Option<&Reading>]) {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, x) in set.iter().enumerate() {
        let prefix = x.id.split('-').next().unwrap_or("?");
        groups.entry(prefix).or_default().push(i);
    }
    for (name, idx) in groups {
        let sub: Vec<Excerpt> = idx.iter().map(|&i| set[i].clone()).collect();
        let r: Vec<Option<&Reading>> = idx.iter().map(|&i| own[i]).collect();
        let s = score(&sub, &r);
        println!(
            "  ours on {name:<10} {:>3} excerpts: Acc1 {:.3} ({} tempi), Acc2 {:.3}, beat F {:.3} ({}), key {:.1} / exact {:.0}% ({} keys)",
            idx.len(),
            s.acc1,
            s.tempo_n,
            s.acc2,
            s.beat_f,
            s.beat_n,
            s.key_weighted,
            s.key_exact,
            s.key_n
        );
    }
}
