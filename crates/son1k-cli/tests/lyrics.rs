//! `son1k lyrics` as a user runs it, against a stand-in Ollama speaking the real HTTP API.
#![allow(clippy::unwrap_used)]

#[path = "../../son1k-lyrics/tests/support/mod.rs"]
mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::{FakeOllama, Reply};

fn son1k(host: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(args)
        .env(
            "SON1K_HOME",
            std::env::temp_dir().join(format!("son1k-cli-lyrics-{}", std::process::id())),
        )
        .env("OLLAMA_HOST", host)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const BOLERO: &str = r#"{"title":"Ciudad sin ti","style":"bolero","language":"es","sections":[{"kind":"verse","lines":["Camino solo por la gran ciudad","buscando el eco de tu voz"]},{"kind":"chorus","lines":["Desamor, desamor","que me quema el corazón"]}]}"#;

#[test]
fn write_json_prints_sections_with_lines() {
    let f = FakeOllama::start(&["llama3.2:latest", "qwen2.5:latest"]);
    f.chat([Reply::quick(BOLERO)]);
    let o = son1k(
        &f.host,
        &[
            "lyrics",
            "write",
            "desamor en la ciudad, bolero",
            "--lang",
            "es",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["language"], "es");
    let sections = v["sections"].as_array().unwrap();
    assert_eq!(sections[0]["kind"], "verse");
    assert_eq!(sections[1]["lines"][1], "que me quema el corazón");
    let sent = &f.bodies("/api/chat")[0];
    assert_eq!(sent["model"], "qwen2.5:latest");
    assert!(sent["format"]["properties"]["sections"].is_object());
}

#[test]
fn write_streams_tagged_text() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::quick(BOLERO)]);
    let o = son1k(
        &f.host,
        &[
            "lyrics", "write", "desamor", "--lang", "es", "--model", "qwen2.5",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "[Verse]\nCamino solo por la gran ciudad\nbuscando el eco de tu voz\n\n[Chorus]\nDesamor, desamor\nque me quema el corazón\n"
    );
    assert!(text(&o.stderr).contains("Ciudad sin ti"));
}

#[test]
fn write_with_nothing_listening_tells_about_ollama_fast() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = Instant::now();
    let o = son1k(
        &format!("127.0.0.1:{port}"),
        &[
            "lyrics",
            "write",
            "desamor en la ciudad, bolero",
            "--lang",
            "es",
            "--json",
        ],
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("http://127.0.0.1:{port}"))
            && err.contains("ollama serve")
            && err.contains("ollama pull qwen2.5"),
        "{err}"
    );
}

#[test]
fn write_with_an_unusable_answer_shows_its_start() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::quick("Sure! Here are your lyrics: [Verse] ...")]);
    let o = son1k(&f.host, &["lyrics", "write", "rain", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("Sure! Here are your lyrics"), "{err}");
}

#[test]
fn models_lists_and_marks_the_default() {
    let f = FakeOllama::start(&["llama3.2:latest", "qwen2.5:7b"]);
    let o = son1k(&f.host, &["lyrics", "models"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.lines()
            .any(|l| l.starts_with("qwen2.5:7b") && l.ends_with("(default)")),
        "{out}"
    );
    let o = son1k(&f.host, &["lyrics", "models", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["name"], "llama3.2:latest");
}

#[test]
fn bad_input_exits_2() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    let o = son1k(&f.host, &["lyrics", "write", "x", "--lang", "fr"]);
    assert_eq!(o.status.code(), Some(2));
    let o = son1k(&f.host, &["lyrics", "write", "x", "--model", "mistral"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("ollama pull mistral"));
    let o = son1k(&f.host, &["lyrics", "check", "/nonexistent/lyrics.txt"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_counts_spanish_metre() {
    let dir = std::env::temp_dir().join(format!("son1k-cli-lyrics-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("romance.txt");
    std::fs::write(
        &file,
        "[Verse]\nVerde que te quiero verde\nverde viento, verdes ramas\nel barco sobre la mar\ny el caballo en la montaña\n\n[Chorus]\nEn un lugar de la Mancha\nCuando me paro a contemplar mi estado\n",
    )
    .unwrap();
    let o = son1k(
        "127.0.0.1:9",
        &[
            "lyrics",
            "check",
            file.to_str().unwrap(),
            "--lang",
            "es",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let counts: Vec<u64> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["syllables"].as_u64().unwrap())
        .collect();
    // Sung syllables, the notes the Generator sings: "el barco sobre la mar" is seven; the verse
    // metre (an octosílabo, +1 for the final stress) is reported beside it.
    assert_eq!(counts, vec![8, 8, 7, 8, 8, 11]);
    assert_eq!(v["lines"][2]["metre"], 8);
    assert_eq!(v["lines"][1]["rhyme"], "A");
    assert_eq!(v["lines"][0]["text"], "Verde que te quiero verde");
    assert_eq!(v["scheme"][0]["scheme"], "-A-A");
    // Text output: the count, the letter, the line.
    let o = son1k("127.0.0.1:9", &["lyrics", "check", file.to_str().unwrap()]);
    assert!(
        text(&o.stdout).contains("  8  A  verde viento, verdes ramas"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn rhymes_in_both_languages() {
    let o = son1k("127.0.0.1:9", &["lyrics", "rhymes", "corazón"]);
    assert!(o.status.success());
    assert!(
        text(&o.stdout).starts_with("consonant: canción"),
        "{}",
        text(&o.stdout)
    );
    let o = son1k(
        "127.0.0.1:9",
        &["lyrics", "rhymes", "heart", "--lang", "en", "--json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["strict"].as_array().unwrap().iter().any(|w| w == "apart"),
        "{v}"
    );
}
