//! The offline core's "done when", through real processes: two songs, a cancelled third, a
//! fourth killed with SIGKILL mid-render — then the library and the jobs tell the truth, and the
//! fourth resumes and is rendered exactly once.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn son1k(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(args)
        .env("SON1K_HOME", home)
        .output()
        .unwrap()
}

fn spawn(home: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(args)
        .env("SON1K_HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn jobs(home: &Path) -> Vec<serde_json::Value> {
    let o = son1k(home, &["jobs", "list", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice::<serde_json::Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until a generate job whose output is `out` is running; returns its id.
fn running_job_for(home: &Path, out: &Path) -> String {
    let start = Instant::now();
    loop {
        for j in jobs(home) {
            let target = j["payload"]["out_dir"].as_str().unwrap_or_default();
            if j["status"] == "running" && Path::new(target) == out {
                return j["id"].as_str().unwrap().to_string();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the job never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn generate_args<'a>(prompt: &'a str, seconds: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "generate",
        prompt,
        "--seconds",
        seconds,
        "--seed",
        "1",
        "-o",
        out,
    ]
}

#[test]
fn two_songs_a_cancel_and_a_kill_then_everything_is_where_it_should_be() {
    let root = common::workdir("library", "done-when");
    let home = root.join("home");
    let song = |n: &str| root.join(n);
    // Two songs.
    for n in ["one", "two"] {
        let out = song(n);
        let o = son1k(
            &home,
            &generate_args("pop in C major", "6", out.to_str().unwrap()),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // A third, cancelled from another process while it renders.
    let third = song("three");
    let mut child = spawn(
        &home,
        &generate_args("ambient in D major", "600", third.to_str().unwrap()),
    );
    let id3 = running_job_for(&home, &third);
    assert!(son1k(&home, &["jobs", "cancel", &id3]).status.success());
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "a cancelled generation must not report success"
    );
    assert!(!third.exists(), "a cancelled song leaves no folder");
    // A fourth, killed with SIGKILL mid-render.
    let fourth = song("four");
    let mut child = spawn(
        &home,
        &generate_args("techno in A minor", "60", fourth.to_str().unwrap()),
    );
    let id4 = running_job_for(&home, &fourth);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!fourth.exists());
    // "Restart": after the dead process's heartbeat goes stale, the job reads as queued again.
    std::thread::sleep(Duration::from_secs(11));
    let all = jobs(&home);
    let status_of = |id: &str| {
        all.iter()
            .find(|j| j["id"] == id)
            .map(|j| j["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(status_of(&id3), "cancelled");
    assert_eq!(status_of(&id4), "queued");
    let done = all
        .iter()
        .filter(|j| j["kind"] == "generate" && j["status"] == "done")
        .count();
    assert_eq!(done, 2);
    let o = son1k(&home, &["library", "list", "--json"]);
    let lib: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(lib.len(), 2, "{lib:?}");
    assert!(lib
        .iter()
        .all(|e| e["type"] == "song" && e["present"] == true));

    // Resuming runs the fourth to completion, once; the half-written folder is cleaned up.
    let o = son1k(&home, &["jobs", "run"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(fourth.join("mix.wav").is_file());
    let o = son1k(&home, &["library", "list", "--json"]);
    let lib: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(lib.len(), 3);
    let leftovers = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .count();
    assert_eq!(leftovers, 0);
    let j4 = jobs(&home)
        .into_iter()
        .find(|j| j["id"] == id4.as_str())
        .unwrap();
    assert_eq!(j4["status"], "done");

    // show / delete / open.
    let first = lib[0]["id"].as_str().unwrap().to_string();
    let o = son1k(&home, &["library", "show", &first[..8]]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("mix"));
    let o = son1k(&home, &["library", "delete", &first]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "without a terminal, delete needs --yes"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    let folder = lib[0]["dir"].as_str().unwrap().to_string();
    assert!(Path::new(&folder).exists());
    let o = son1k(&home, &["library", "delete", &first, "--yes"]);
    assert!(o.status.success());
    assert!(!Path::new(&folder).exists());
    assert_eq!(
        son1k(&home, &["library", "show", &first]).status.code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&root);
}
