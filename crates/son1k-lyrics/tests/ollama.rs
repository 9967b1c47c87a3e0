//! The client and the writing tools against a stand-in Ollama that speaks the real HTTP API.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use son1k_core::Lang;
use son1k_lyrics::ollama::block_on;
use son1k_lyrics::tools::{self, Event, WriteRequest};
use son1k_lyrics::{Client, LyricsError, SectionKind, Timeouts};
use support::{FakeOllama, Reply};

const SONG: &str = r#"{"title":"Ciudad sin ti","style":"bolero","language":"es","sections":[{"kind":"verse","lines":["Camino solo por la gran ciudad","buscando el eco de tu voz"]},{"kind":"chorus","lines":["Desamor, desamor","que me quema el corazón"]}]}"#;

fn client(f: &FakeOllama, idle: Duration) -> Client {
    Client::new(
        &f.address,
        Timeouts {
            connect: Duration::from_secs(2),
            idle,
        },
    )
    .unwrap()
}

fn request(theme: &str) -> WriteRequest {
    WriteRequest {
        theme: theme.into(),
        lang: Lang::Es,
        style: Some("bolero".into()),
        model: None,
    }
}

fn write(
    c: &Client,
    req: &WriteRequest,
) -> (Result<son1k_lyrics::Written, LyricsError>, Vec<Event>) {
    let mut events = Vec::new();
    let never = AtomicBool::new(false);
    let r = block_on(tools::write(c, req, &mut |e| events.push(e), &never)).unwrap();
    (r, events)
}

#[test]
fn lists_models_and_prefers_qwen() {
    let f = FakeOllama::start(&["llama3.2:latest", "qwen2.5:latest"]);
    let c = client(&f, Duration::from_secs(5));
    let models = block_on(c.models()).unwrap().unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0].name, "llama3.2:latest");
    assert_eq!(
        block_on(c.pick_model(None)).unwrap().unwrap(),
        "qwen2.5:latest"
    );
}

#[test]
fn no_models_says_how_to_pull_one() {
    let f = FakeOllama::start(&[]);
    let c = client(&f, Duration::from_secs(5));
    let e = block_on(c.pick_model(None)).unwrap().unwrap_err();
    assert!(matches!(e, LyricsError::NoModels { .. }));
    assert!(e.to_string().contains("ollama pull qwen2.5"), "{e}");
}

#[test]
fn writes_streamed_structured_lyrics_with_the_schema_in_format() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::text(SONG, 5, Duration::from_millis(1))]);
    let c = client(&f, Duration::from_secs(5));
    let (r, events) = write(&c, &request("desamor en la ciudad"));
    let w = r.unwrap();
    assert_eq!(w.model, "qwen2.5:latest");
    assert!(!w.repaired);
    assert_eq!(w.lyrics.sections.len(), 2);
    assert_eq!(w.lyrics.sections[1].kind, SectionKind::Chorus);
    // The text streamed as it came, tagged, in many pieces.
    let text: String = events
        .iter()
        .map(|e| match e {
            Event::Text(t) => t.as_str(),
            Event::Retry(_) => "",
        })
        .collect();
    assert!(events.len() > 5, "{events:?}");
    assert!(
        text.starts_with("[Verse]\nCamino solo por la gran ciudad\n"),
        "{text}"
    );
    assert!(text.contains("[Chorus]\nDesamor, desamor\n"), "{text}");
    // What went over the wire: streaming on, the schema in `format`, the theme in a message.
    let body = &f.bodies("/api/chat")[0];
    assert_eq!(body["stream"], true);
    assert_eq!(body["model"], "qwen2.5:latest");
    assert_eq!(body["format"]["type"], "object");
    assert_eq!(
        body["format"]["properties"]["sections"]["items"]["properties"]["kind"]["enum"][1],
        "pre-chorus"
    );
    assert!(body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .contains("desamor en la ciudad"));
}

#[test]
fn invalid_json_is_repaired_once() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([
        Reply::quick(r#"{"title": "Ciudad", "sections": [{"kind": "verse", "lin"#),
        Reply::quick(SONG),
    ]);
    let c = client(&f, Duration::from_secs(5));
    let (r, events) = write(&c, &request("desamor"));
    let w = r.unwrap();
    assert!(w.repaired);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Retry(why) if why.contains("not valid JSON"))));
    let second = &f.bodies("/api/chat")[1];
    let msgs = second["messages"].as_array().unwrap();
    assert_eq!(
        msgs.len(),
        4,
        "system, user, the bad answer, the repair request"
    );
    assert_eq!(msgs[2]["role"], "assistant");
    assert!(msgs[3]["content"].as_str().unwrap().contains("JSON"));
}

#[test]
fn invalid_twice_shows_the_start_of_the_answer() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::quick(
        "Claro, aquí tienes una canción de bolero: ...",
    )]);
    let c = client(&f, Duration::from_secs(5));
    let (r, _) = write(&c, &request("desamor"));
    let e = r.unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, LyricsError::InvalidAnswer { .. }));
    assert!(msg.contains("Claro, aquí tienes"), "{msg}");
    assert_eq!(
        f.bodies("/api/chat").len(),
        2,
        "one repair attempt, no more"
    );
}

#[test]
fn a_valid_json_with_a_bad_structure_is_repaired() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([
        Reply::quick(r#"{"title":"x","style":"","language":"es","sections":[]}"#),
        Reply::quick(SONG),
    ]);
    let c = client(&f, Duration::from_secs(5));
    let (r, events) = write(&c, &request("desamor"));
    assert!(r.unwrap().repaired);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Retry(why) if why.contains("no sections"))));
}

#[test]
fn ollama_errors_are_shown() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::Error {
        status: 404,
        message: "model \"qwen2.5:latest\" not found, try pulling it first".into(),
    }]);
    let c = client(&f, Duration::from_secs(5));
    let e = write(&c, &request("x")).0.unwrap_err();
    assert!(matches!(e, LyricsError::Server { .. }));
    assert!(e.to_string().contains("try pulling it first"), "{e}");

    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::StreamThenError {
        pieces: vec!["{\"title\":".into()],
        error: "llama runner process has terminated".into(),
    }]);
    let e = write(&client(&f, Duration::from_secs(5)), &request("x"))
        .0
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("llama runner process has terminated"),
        "{e}"
    );
}

#[test]
fn a_named_model_that_is_missing_is_a_user_error() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    let c = client(&f, Duration::from_secs(5));
    let mut req = request("x");
    req.model = Some("mistral".into());
    let e = write(&c, &req).0.unwrap_err();
    assert!(e.is_user_error());
    assert!(e.to_string().contains("ollama pull mistral"), "{e}");
}

#[test]
fn slow_answers_arrive_and_silence_times_out() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    // 60 pieces 20 ms apart: 1.2 s in all, never silent for the 1 s limit.
    f.chat([Reply::text(
        SONG,
        SONG.len() / 60 + 1,
        Duration::from_millis(20),
    )]);
    let c = client(&f, Duration::from_secs(1));
    assert!(write(&c, &request("x")).0.is_ok());

    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::Silent(Duration::from_secs(20))]);
    let c = client(&f, Duration::from_millis(700));
    let start = Instant::now();
    let e = write(&c, &request("x")).0.unwrap_err();
    assert!(matches!(e, LyricsError::Timeout { .. }), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn cancel_stops_mid_stream() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::text(SONG, 4, Duration::from_millis(100))]);
    let c = client(&f, Duration::from_secs(5));
    let cancel = AtomicBool::new(false);
    let mut texts = 0;
    let start = Instant::now();
    let r = block_on(tools::write(
        &c,
        &request("x"),
        &mut |e| {
            if matches!(e, Event::Text(_)) {
                texts += 1;
                cancel.store(true, Ordering::Relaxed);
            }
        },
        &cancel,
    ))
    .unwrap();
    assert!(matches!(r, Err(LyricsError::Cancelled)), "{r:?}");
    assert_eq!(texts, 1);
    // The whole answer would take SONG.len()/4 × 100 ms ≈ 6 s.
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn nothing_listening_names_the_address_fast() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("http://127.0.0.1:{port}");
    let c = Client::new(&address, Timeouts::default()).unwrap();
    let start = Instant::now();
    let e = block_on(c.models()).unwrap().unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(3));
    let msg = e.to_string();
    assert!(matches!(e, LyricsError::Unreachable { .. }), "{msg}");
    assert!(
        msg.contains(&address) && msg.contains("ollama serve"),
        "{msg}"
    );
}

#[test]
fn a_silent_listener_is_unreachable_within_the_connect_budget() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let c = Client::new(
        &address,
        Timeouts {
            connect: Duration::from_millis(300),
            idle: Duration::from_secs(60),
        },
    )
    .unwrap();
    let start = Instant::now();
    let e = block_on(c.models()).unwrap().unwrap_err();
    assert!(matches!(e, LyricsError::Unreachable { .. }), "{e}");
    assert!(start.elapsed() < Duration::from_secs(3));
    drop(listener);
}

#[test]
fn rewrites_a_line_to_the_same_count() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    // "En un lugar de la Mancha" has 8; the first answer has 6, the second 8.
    f.chat([
        Reply::quick(r#"{"line": "Hoy la ciudad se va"}"#),
        Reply::quick(r#"{"line": "Verde que te quiero verde"}"#),
    ]);
    let c = client(&f, Duration::from_secs(5));
    let never = AtomicBool::new(false);
    let r = block_on(tools::rewrite_line(
        &c,
        None,
        "En un lugar de la Mancha",
        Lang::Es,
        &[],
        Some("más triste"),
        &never,
    ))
    .unwrap()
    .unwrap();
    assert_eq!(
        (r.target, r.syllables, r.matched, r.attempts),
        (8, 8, true, 2)
    );
    let second = &f.bodies("/api/chat")[1];
    let last = second["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        last["content"].as_str().unwrap().contains("necesito 8"),
        "{last}"
    );
}

#[test]
fn continues_a_section() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::quick(
        r#"{"lines": ["y en la esquina tu sombra", "[Chorus]", "me nombra"]}"#,
    )]);
    let c = client(&f, Duration::from_secs(5));
    let never = AtomicBool::new(false);
    let lines = block_on(tools::continue_section(
        &c,
        None,
        &["Camino solo por la gran ciudad".into()],
        Lang::Es,
        2,
        &never,
    ))
    .unwrap()
    .unwrap();
    assert_eq!(lines, vec!["y en la esquina tu sombra", "me nombra"]);
}

#[test]
fn analyses_a_prompt_through_generate() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.generate([Reply::quick(
        r#"{"genre": "bolero", "mood": "nostálgico", "bpm": 92, "key": "A minor", "instruments": ["Requinto", "bongos"]}"#,
    )]);
    let c = client(&f, Duration::from_secs(5));
    let never = AtomicBool::new(false);
    let p = block_on(tools::analyse_prompt(
        &c,
        None,
        "un bolero lento y nostálgico en la menor con requinto",
        &never,
    ))
    .unwrap()
    .unwrap();
    assert_eq!(p.genre.as_deref(), Some("bolero"));
    assert_eq!(p.bpm, Some(92));
    assert_eq!(p.instruments, vec!["requinto", "bongos"]);
    let body = &f.bodies("/api/generate")[0];
    assert_eq!(body["format"]["required"][2], "bpm");
    assert_eq!(body["stream"], false);
}
