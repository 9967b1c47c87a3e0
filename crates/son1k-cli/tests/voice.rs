//! `son1k voice` and `son1k models` through the real binary.

mod common;

use common::{son1k_in, workdir, write_tone};

const SUITE: &str = "voice";

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn transform_up_an_octave_keeps_the_length() {
    let dir = workdir(SUITE, "octave");
    let input = dir.join("in.wav");
    let output = dir.join("out.wav");
    write_tone(&input, 44_100, 1, 2.0, 220.0);
    let o = son1k_in(
        SUITE,
        &[
            "voice",
            "transform",
            input.to_str().unwrap_or_default(),
            "-o",
            output.to_str().unwrap_or_default(),
            "--semitones",
            "12",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!((report["seconds_out"].as_f64().unwrap_or(0.0) - 2.0).abs() < 1e-3);
    let r = hound::WavReader::open(&output).expect("output");
    assert_eq!(r.duration(), 88_200);
}

#[test]
fn bad_presets_and_ranges_are_refused_with_exit_2() {
    let dir = workdir(SUITE, "bad");
    let input = dir.join("in.wav");
    write_tone(&input, 44_100, 1, 0.5, 220.0);
    let out = dir.join("o.wav");
    let (i, o) = (
        input.to_str().unwrap_or_default(),
        out.to_str().unwrap_or_default(),
    );
    let r = son1k_in(
        SUITE,
        &["voice", "transform", i, "-o", o, "--preset", "yodel"],
    );
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("unknown voice preset"));
    let r = son1k_in(SUITE, &["voice", "transform", i, "-o", o, "--stretch", "9"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("stretch must be between"));
    assert!(!out.exists());
}

#[test]
fn conversion_with_an_unknown_profile_is_refused() {
    let dir = workdir(SUITE, "unknown");
    let input = dir.join("in.wav");
    write_tone(&input, 16_000, 1, 0.5, 220.0);
    let out = dir.join("o.wav");
    let r = son1k_in(
        SUITE,
        &[
            "voice",
            "convert",
            input.to_str().unwrap_or_default(),
            "--profile",
            "nobody",
            "-o",
            out.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(r.status.code(), Some(2));
    let e = stderr(&r);
    assert!(e.contains("no voice profile named \"nobody\""), "{e}");
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    assert!(!out.exists());
}

#[test]
fn profiles_need_consent_then_name_the_missing_model() {
    let dir = workdir(SUITE, "consent");
    let input = dir.join("me.wav");
    write_tone(&input, 16_000, 1, 0.5, 220.0);
    let i = input.to_str().unwrap_or_default();
    let r = son1k_in(SUITE, &["voice", "profile", "create", "me", i]);
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("--i-have-the-right"));
    let r = son1k_in(
        SUITE,
        &["voice", "profile", "create", "me", i, "--i-have-the-right"],
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(
        stderr(&r).contains("son1k models install wavlm-large"),
        "{}",
        stderr(&r)
    );
    let r = son1k_in(SUITE, &["voice", "profile", "list", "--json"]);
    assert!(r.status.success());
    assert_eq!(String::from_utf8_lossy(&r.stdout).trim(), "[]");
}

#[test]
fn models_list_json_has_the_wavlm_and_vocoder_manifests() {
    let r = son1k_in(SUITE, &["models", "list", "--json"]);
    assert!(r.status.success(), "{}", stderr(&r));
    let list: serde_json::Value = serde_json::from_slice(&r.stdout).expect("json");
    let names: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"wavlm-large"), "{names:?}");
    assert!(names.contains(&"knnvc-hifigan-prematched"), "{names:?}");
    for m in list.as_array().into_iter().flatten() {
        assert!(m["files"][0]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://")));
        assert!(m["licence"].as_str().is_some());
        assert_eq!(m["installed"], false);
    }
    let r = son1k_in(SUITE, &["models", "verify", "wavlm-large"]);
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).contains("son1k models install wavlm-large"));
    let r = son1k_in(SUITE, &["models", "install", "nope"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("unknown model \"nope\""));
}

/// A `son1k` command in its own data folder.
fn son1k_home(home: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_son1k"));
    c.env("SON1K_HOME", home);
    c
}

fn run_ok(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    let o = son1k_home(home).args(args).output().expect("son1k runs");
    assert!(o.status.success(), "son1k {args:?}: {}", stderr(&o));
    o
}

/// The jobs of `home`, as `son1k jobs list --json` prints them.
fn jobs(home: &std::path::Path) -> Vec<serde_json::Value> {
    let o = run_ok(home, &["jobs", "list", "--json"]);
    serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).expect("jobs json")
}

/// Installs son1k-ml's tiny random-weight WavLM and HiFi-GAN the way a user installs a model
/// offline: a manifest in the models folder names the files, `son1k models import` copies them.
fn install_tiny_models(home: &std::path::Path) {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let fixtures = repo.join("crates/son1k-ml/tests/fixtures");
    let models = home.join("data/models");
    std::fs::create_dir_all(&models).expect("models folder");
    for (name, weights, config, layer) in [
        (
            "wavlm-large",
            "wavlm_large_tiny.safetensors",
            "wavlm_large_tiny.json",
            Some(2),
        ),
        (
            "knnvc-hifigan-prematched",
            "hifigan_tiny.pt",
            "hifigan_tiny.json",
            None,
        ),
    ] {
        let read = |p: std::path::PathBuf| -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(p).expect("read")).expect("json")
        };
        let mut m = read(repo.join(format!("models/{name}.json")));
        m["files"][0]["name"] = weights.into();
        m["config"] = read(fixtures.join(config));
        if let Some(l) = layer {
            m["use"]["layer"] = l.into();
        }
        std::fs::write(models.join(format!("{name}.json")), m.to_string()).expect("manifest");
        let file = fixtures.join(weights);
        run_ok(
            home,
            &["models", "import", name, file.to_str().unwrap_or_default()],
        );
    }
}

#[test]
fn conversion_is_a_job_and_ctrl_c_cancels_it_leaving_no_file() {
    let dir = workdir(SUITE, "ctrl-c");
    let home = dir.join("home");
    install_tiny_models(&home);
    // A profile large enough (40 clips, ~96k frames) that matching takes a few seconds.
    let mut clips = Vec::new();
    for i in 0..40 {
        let clip = dir.join(format!("clip{i}.wav"));
        write_tone(&clip, 16_000, 1, 3.0, 150.0 + 3.0 * i as f32);
        clips.push(clip.to_string_lossy().into_owned());
    }
    let mut args = vec!["voice", "profile", "create", "ana"];
    args.extend(clips.iter().map(String::as_str));
    args.push("--i-have-the-right");
    run_ok(&home, &args);

    // A short conversion runs to the end, as a job.
    let short = dir.join("short.wav");
    write_tone(&short, 44_100, 1, 0.5, 220.0);
    let done = dir.join("short.ana.wav");
    let o = run_ok(
        &home,
        &[
            "voice",
            "convert",
            short.to_str().unwrap_or_default(),
            "--profile",
            "ana",
            "-o",
            done.to_str().unwrap_or_default(),
            "--json",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let id = report["job_id"].as_str().unwrap_or_default().to_string();
    assert!((report["seconds"].as_f64().unwrap_or(0.0) - 0.5).abs() < 1e-3);
    // 0.5 s at 16 kHz, within one 20-sample frame of the tiny encoder.
    let frames = hound::WavReader::open(&done).expect("output").duration();
    assert!(frames.abs_diff(8_000) <= 20, "{frames} frames");
    let listed = jobs(&home);
    let job = listed
        .iter()
        .find(|j| j["id"] == id.as_str())
        .expect("listed");
    assert_eq!(job["kind"], "voice-convert");
    assert_eq!(job["status"], "done");

    // A longer one, interrupted with Ctrl+C (SIGINT) while it runs.
    let long = dir.join("long.wav");
    write_tone(&long, 16_000, 1, 4.0, 220.0);
    let out = dir.join("long.ana.wav");
    let child = son1k_home(&home)
        .args([
            "voice",
            "convert",
            long.to_str().unwrap_or_default(),
            "--profile",
            "ana",
            "-o",
            out.to_str().unwrap_or_default(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("son1k starts");
    let started = std::time::Instant::now();
    let running = loop {
        let j = jobs(&home).into_iter().find(|j| {
            j["status"] == "running"
                && j["payload"]["file"].as_str() == Some(long.to_str().unwrap_or_default())
        });
        if let Some(j) = j {
            break j["id"].as_str().unwrap_or_default().to_string();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the conversion never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(30));
    };
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let o = child.wait_with_output().expect("son1k ends");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cancelled"), "{}", stderr(&o));
    assert!(!out.exists(), "a cancelled conversion leaves no file");
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("long.ana") || n.starts_with(".long.ana"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let job = jobs(&home)
        .into_iter()
        .find(|j| j["id"] == running.as_str())
        .expect("listed");
    assert_eq!(job["status"], "cancelled");
    let _ = std::fs::remove_dir_all(&dir);
}
