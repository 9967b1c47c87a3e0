//! The `son1k` binary as a user runs it: exit codes, one-line errors, JSON output.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

fn son1k(args: &[&str]) -> Output {
    let home = std::env::temp_dir().join(format!("son1k-cli-test-{}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(args)
        .env("SON1K_HOME", &home)
        // Nothing listens on port 9 of loopback: the probe must report it quickly.
        .env("OLLAMA_HOST", "127.0.0.1:9")
        .output()
        .expect("run son1k")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The last line of stderr (ALSA may print its own diagnostics above ours).
fn last_line(o: &Output) -> String {
    stderr(o)
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

#[test]
fn info_json_has_a_version_and_every_section() {
    let start = std::time::Instant::now();
    let o = son1k(&["info", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(start.elapsed().as_secs() < 10, "info must never hang");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["data_dir"]["path"]
        .as_str()
        .unwrap()
        .contains("son1k-cli-test"));
    assert!(!v["engines"].as_array().unwrap().is_empty());
    assert_eq!(v["ollama"]["reachable"], false);
    assert_eq!(v["ollama"]["address"], "http://127.0.0.1:9");
    assert!(v["ollama"]["message"]
        .as_str()
        .unwrap()
        .contains("ollama serve"));
    assert!(v["audio"]["status"].is_string());
}

#[test]
fn info_text_is_readable() {
    let o = son1k(&["info"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with(&format!("Son1k Studio {}", env!("CARGO_PKG_VERSION"))));
    assert!(out.contains("data:") && out.contains("ollama:") && out.contains("audio:"));
}

#[test]
fn prompt_builds_in_spanish() {
    let o = son1k(&[
        "prompt",
        "--genre",
        "reggaeton",
        "--bpm",
        "92",
        "--key",
        "Gb min",
        "--instrument",
        "piano",
        "--instrument",
        "808",
        "--preset",
        "Triste",
        "--lang",
        "es",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "Una canción de reguetón melancólica a 92 BPM en Fa# menor, con piano y 808. \
         Producción: mezcla limpia y pulida; producción digital impecable; arreglo tradicional. Con voz."
    );
}

#[test]
fn prompt_json_reports_knob_descriptions() {
    let o = son1k(&["prompt", "--expressivity", "90", "--trash", "95", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["prompt"]
        .as_str()
        .unwrap()
        .starts_with("A euphoric song."));
    assert_eq!(v["max_length"], 2000);
    let trash = v["knobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["knob"] == "trash")
        .unwrap()
        .clone();
    assert_eq!(trash["value"], 95);
    assert!(trash["description"].as_str().unwrap().contains("bitcrush"));
}

#[test]
fn bad_bpm_is_one_line_and_exit_2() {
    let o = son1k(&["prompt", "--bpm", "9999"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "son1k: invalid bpm 9999: BPM must be 40–240"
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn other_bad_arguments_are_one_line_too() {
    for args in [
        vec!["prompt", "--bpm", "fast"],
        vec!["prompt", "--bpm", "-20"],
        vec!["prompt", "--rareza", "140"],
        vec!["prompt", "--key", "H dorian"],
        vec!["prompt", "--lang", "fr"],
        vec!["prompt", "--preset", "jazzy"],
        vec!["prompt", "--notes", &"x".repeat(1001)],
        vec!["frobnicate"],
    ] {
        let o = son1k(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{args:?} printed {err:?}");
        assert!(err.starts_with("son1k: "), "{err}");
    }
    assert!(last_line(&son1k(&["prompt", "--rareza", "140"])).contains("0–100"));
    assert!(last_line(&son1k(&["prompt", "--bpm", "-20"])).contains("BPM must be 40–240"));
}

#[test]
fn tiers_table_is_the_seed() {
    let o = son1k(&["tiers", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["tier"], "CREATOR");
    assert_eq!(rows[1]["price_cents"], 999);
    let text = stdout(&son1k(&["tiers"]));
    assert!(text.contains("FREE") && text.contains("3 per day") && text.contains("unlimited"));
}

#[test]
fn help_and_version_exit_0() {
    let o = son1k(&["--version"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains(env!("CARGO_PKG_VERSION")));
    assert!(son1k(&["prompt", "--help"]).status.success());
}

#[test]
fn a_fresh_home_lists_empty_jobs_and_library_as_json() {
    let home = std::env::temp_dir().join(format!("son1k-cli-fresh-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    for what in ["jobs", "library"] {
        let o = Command::new(env!("CARGO_BIN_EXE_son1k"))
            .args([what, "list", "--json"])
            .env("SON1K_HOME", &home)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v, serde_json::json!([]), "{what}");
    }
    assert!(home.join("data/library.db").exists());
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn jobs_show_cancel_and_retry() {
    let home = std::env::temp_dir().join(format!("son1k-cli-jobs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_son1k"))
            .args(args)
            .env("SON1K_HOME", &home)
            .output()
            .unwrap()
    };
    assert!(run(&["jobs", "list"]).status.success()); // creates the library
                                                      // The same library, through the façade the CLI uses.
    let studio = son1k_app::Studio::with_paths(son1k_app::Paths::under(&home));
    let job = studio
        .queue_job("render", &serde_json::json!({"session": "song.json"}))
        .unwrap();
    let o = run(&["jobs", "cancel", &job.id]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["jobs", "show", &job.id, "--json"]))).unwrap();
    assert_eq!(v["status"], "cancelled");
    let o = run(&["jobs", "cancel", &job.id]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nothing to cancel"), "{}", stderr(&o));
    assert!(run(&["jobs", "retry", &job.id]).status.success());
    assert_eq!(
        studio.job(&job.id).unwrap().status,
        son1k_app::JobStatus::Queued
    );
    let o = run(&["jobs", "show", "no-such-job"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no job with id no-such-job"));
    assert!(stdout(&run(&["jobs", "show", &job.id])).contains("status   queued"));
    std::fs::remove_dir_all(&home).unwrap();
}
