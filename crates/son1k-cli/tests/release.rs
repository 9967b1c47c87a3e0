//! `son1k release` as a user runs it: a generated song released with posts from the stand-in
//! Ollama, its calendar exported, moved and imported, and a plan with no Ollama at all.
#![allow(clippy::unwrap_used)]

#[path = "../../son1k-lyrics/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{FakeOllama, Reply};

fn son1k(home: &Path, host: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(args)
        .env("SON1K_HOME", home)
        .env("OLLAMA_HOST", host)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const LYRICS: &str = "[Verse]\nCamino solo por la gran ciudad\nbuscando el eco de tu voz\n\n[Chorus]\nLuna de papel, no te vayas\nque la noche es larga sin ti\n\n[Verse]\nLas calles guardan tu canción\ny el viento dice tu nombre\n\n[Chorus]\nLuna de papel, no te vayas\nque la noche es larga sin ti\n";

/// A port where nothing listens.
fn closed_port() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

#[test]
fn a_generated_song_is_released_with_posts_clips_and_a_calendar() {
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let song = root.path().join("luna");
    let lyrics = root.path().join("luna.txt");
    std::fs::write(&lyrics, LYRICS).unwrap();
    let nobody = closed_port();
    let o = son1k(
        &home,
        &nobody,
        &[
            "generate",
            "bolero",
            "--lyrics",
            lyrics.to_str().unwrap(),
            "--bpm",
            "96",
            "--seed",
            "3",
            "--instruments",
            "builtin",
            "-o",
            song.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(song.join("song.json")).unwrap()).unwrap();

    // Every answer is too long: the posts come back within their limits all the same.
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    let long = serde_json::json!({"text": "Luna de papel llega el quince de enero ".repeat(40),
        "hashtags": ["bolero", "lunadepapel", "nuevamusica", "musicaenespañol"]})
    .to_string();
    f.chat([Reply::quick(&long)]);
    let o = son1k(
        &home,
        &f.host,
        &[
            "release",
            "plan",
            song.to_str().unwrap(),
            "--date",
            "2027-01-15",
            "--platforms",
            "tiktok,x",
            "--lang",
            "es",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("asked again"),
        "{}",
        text(&o.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let folder = Path::new(report["release"]["folder"].as_str().unwrap()).to_path_buf();
    assert!(folder.starts_with(home.join("data/releases")), "{folder:?}");

    // posts.json: X within 280 weighted characters and 2 hashtags, TikTok within 2,200.
    let posts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("posts.json")).unwrap()).unwrap();
    let posts = posts["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 2);
    let x = posts.iter().find(|p| p["platform"] == "x").unwrap();
    let x_text = x["full_text"].as_str().unwrap();
    assert!(x_text.chars().count() <= 280, "{x_text}");
    assert_eq!(x["hashtags"].as_array().unwrap().len(), 2);
    assert!(
        x["text"].as_str().unwrap().ends_with("enero…")
            || x["text"].as_str().unwrap().ends_with('…')
    );
    let tiktok = posts.iter().find(|p| p["platform"] == "tiktok").unwrap();
    assert!(tiktok["full_text"].as_str().unwrap().chars().count() <= 2200);
    // The model was told about the song from song.json and the lyrics.
    let ask = f.bodies("/api/chat")[0]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        ask.contains("Luna de papel, no te vayas") && ask.contains("bpm: 96"),
        "{ask}"
    );

    // Clips: named by platform, at bar lines of the song's own grid, around its chorus.
    let bar = 4.0 * 60.0 / meta["bpm"].as_f64().unwrap();
    let sections = meta["sections"].as_array().unwrap();
    let downbeat =
        sections[0]["start"].as_f64().unwrap() - sections[0]["bar"].as_f64().unwrap() * bar;
    let chorus = sections.iter().find(|s| s["kind"] == "chorus").unwrap();
    let chorus_start = chorus["start"].as_f64().unwrap();
    for (platform, seconds) in [("tiktok", 15.0), ("x", 30.0)] {
        let path = folder
            .join("clips")
            .join(format!("{platform}-{}s.wav", seconds as u32));
        let audio = son1k_audio::decode_file(&path).unwrap();
        let secs = audio.duration_secs();
        assert!(
            secs <= seconds + 1e-3 && secs > seconds - bar - 1e-3,
            "{platform}: {secs}"
        );
        let clip = report["clips"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["platform"] == platform)
            .unwrap();
        let start = clip["cut"]["start"].as_f64().unwrap();
        let bars_from_downbeat = (start - downbeat) / bar;
        assert!(
            (bars_from_downbeat - bars_from_downbeat.round()).abs() < 1e-6,
            "{platform}: {start}"
        );
        assert!(
            (secs / bar - (secs / bar).round()).abs() < 1e-3,
            "{platform}: {secs} s"
        );
        assert!(
            start <= chorus_start + 1e-6 && chorus_start < start + secs,
            "{platform}: {start} vs {chorus_start}"
        );
    }

    // The calendar: listed by month, exported, moved, imported back.
    let o = son1k(&home, &nobody, &["release", "list", "--month", "2027-01"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let listed = text(&o.stdout);
    assert_eq!(listed.lines().count(), 6, "{listed}");
    assert!(listed.contains("2027-01-15  release"), "{listed}");
    let o = son1k(
        &home,
        &nobody,
        &["release", "ics", song.to_str().unwrap(), "-o", "-"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let ics = text(&o.stdout);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 8);
    let saved = root.path().join("saved.ics");
    std::fs::write(&saved, &ics).unwrap();

    let release_day = listed.lines().find(|l| l.contains("release ")).unwrap();
    let id = release_day.split_whitespace().last().unwrap();
    let o = son1k(&home, &nobody, &["release", "move", id, "2027-01-22"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("2027-01-22"));
    let written = std::fs::read_to_string(folder.join("release.ics")).unwrap();
    assert!(written.contains("DTSTART;VALUE=DATE:20270122"));
    // Importing the file saved before the move puts the day back.
    let o = son1k(
        &home,
        &nobody,
        &[
            "release",
            "ics",
            song.to_str().unwrap(),
            "--import",
            saved.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("0 new, 8 updated"),
        "{}",
        text(&o.stdout)
    );
    let o = son1k(&home, &nobody, &["release", "list", "--month", "2027-01"]);
    assert!(text(&o.stdout).contains("2027-01-15  release"));

    // With no Ollama: the calendar and clips are made, the posts are not, and it says why.
    let o = son1k(
        &home,
        &nobody,
        &[
            "release",
            "plan",
            song.to_str().unwrap(),
            "--date",
            "2027-03-01",
            "--platforms",
            "youtube",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("ollama serve") && err.contains(&nobody),
        "{err}"
    );
    assert!(err.contains("posts were not written"), "{err}");
    let out = text(&o.stdout);
    assert!(
        out.contains("youtube-60s.wav") && out.contains("2027-03-01  release"),
        "{out}"
    );
    let second = home.join("data/releases").read_dir().unwrap().count();
    assert_eq!(second, 2);
}

#[test]
fn bad_arguments_say_what_is_allowed() {
    let root = tempfile::tempdir().unwrap();
    let home = root.path();
    let host = closed_port();
    let o = son1k(
        home,
        &host,
        &["release", "plan", "x", "--date", "2027-02-30"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("YYYY-MM-DD"),
        "{}",
        text(&o.stderr)
    );
    let o = son1k(
        home,
        &host,
        &[
            "release",
            "plan",
            "x",
            "--date",
            "2027-02-03",
            "--platforms",
            "myspace",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("instagram, tiktok, youtube, x, facebook"),
        "{}",
        text(&o.stderr)
    );
    let o = son1k(
        home,
        &host,
        &["release", "plan", "no-such-song", "--date", "2027-02-03"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("son1k takes list"),
        "{}",
        text(&o.stderr)
    );
    let o = son1k(home, &host, &["release", "ics", "no-such-song"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("son1k release plan"),
        "{}",
        text(&o.stderr)
    );
}
