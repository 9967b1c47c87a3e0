//! Release posts against the stand-in Ollama: whatever the model answers, every post that comes
//! back is within its platform's limits.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use son1k_core::platform::{self, Platform};
use son1k_core::Lang;
use son1k_lyrics::ollama::block_on;
use son1k_lyrics::posts::{self, PostEvent, PostsWritten, SongFacts};
use son1k_lyrics::{Client, LyricsError, Timeouts};
use support::{FakeOllama, Reply};

fn client(address: &str) -> Client {
    Client::new(
        address,
        Timeouts {
            connect: Duration::from_secs(2),
            idle: Duration::from_secs(10),
        },
    )
    .unwrap()
}

fn facts() -> SongFacts {
    SongFacts {
        title: "Luna de Papel".into(),
        genre: "bolero".into(),
        mood: Some("melancholic".into()),
        about: Some("a paper moon over Havana".into()),
        bpm: Some(92),
        key: Some("A minor".into()),
        hook: Some("Luna de papel, no te vayas".into()),
        lyrics: vec!["Luna de papel, no te vayas".into()],
        release_date: Some("2027-01-15".into()),
    }
}

fn answer(text: &str, hashtags: &[&str]) -> String {
    serde_json::json!({ "text": text, "hashtags": hashtags }).to_string()
}

fn write(
    f: &FakeOllama,
    platforms: &[Platform],
    langs: &[Lang],
) -> (Result<PostsWritten, LyricsError>, Vec<PostEvent>) {
    let c = client(&f.address);
    let never = AtomicBool::new(false);
    let mut events = Vec::new();
    let r = block_on(posts::write_posts(
        &c,
        None,
        &facts(),
        platforms,
        langs,
        &mut |e| events.push(e),
        &never,
    ))
    .unwrap();
    (r, events)
}

#[test]
fn an_over_long_x_post_is_asked_for_again_with_the_reason_and_the_short_one_kept() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    let long = answer(
        &"Luna de papel sale el 15 de enero ".repeat(20),
        &["bolero"],
    );
    let short = answer("Luna de Papel, 15 de enero.", &["bolero", "nuevamusica"]);
    f.chat([Reply::quick(&long), Reply::quick(&short)]);
    let (r, events) = write(&f, &[Platform::X], &[Lang::Es]);
    let PostsWritten { model, posts } = r.unwrap();
    assert_eq!(model, "qwen2.5:latest");
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert!(p.regenerated && !p.trimmed, "{p:?}");
    assert_eq!(p.post.text, "Luna de Papel, 15 de enero.");
    assert!(platform::check(&p.post).is_empty());
    // The second request carried the first answer and what was wrong with it.
    let bodies = f.bodies("/api/chat");
    assert_eq!(bodies.len(), 2);
    let retry = bodies[1]["messages"].as_array().unwrap();
    let last = retry.last().unwrap()["content"].as_str().unwrap();
    assert!(
        last.contains("280") && last.contains("weighted characters"),
        "{last}"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        PostEvent::Retry {
            platform: Platform::X,
            ..
        }
    )));
    // The schema went in `format`, the limits in the prompt.
    assert_eq!(bodies[0]["format"]["required"][0], "text");
    let ask = bodies[0]["messages"][1]["content"].as_str().unwrap();
    assert!(
        ask.contains("Luna de papel, no te vayas") && ask.contains("280"),
        "{ask}"
    );
}

#[test]
fn a_model_that_stays_too_long_is_trimmed_at_a_word_boundary_on_every_platform() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    let words = "palabra ".repeat(1200); // 9,600 characters
    let tags: Vec<String> = (0..40).map(|i| format!("tag{i}")).collect();
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    let yt = serde_json::json!({
        "title": "Luna de Papel ".repeat(20),
        "text": words,
        "hashtags": tags,
        "tags": (0..100).map(|i| format!("bolero romántico {i}")).collect::<Vec<_>>(),
    })
    .to_string();
    // Every answer is over-long: the last queued reply repeats.
    f.chat([
        Reply::quick(&answer(&words, &tags)), // instagram
        Reply::quick(&answer(&words, &tags)),
        Reply::quick(&answer(&words, &tags)), // tiktok
        Reply::quick(&answer(&words, &tags)),
        Reply::quick(&yt), // youtube
        Reply::quick(&yt),
        Reply::quick(&answer(&words, &tags)), // x, facebook
    ]);
    let (r, _) = write(&f, &Platform::ALL, &[Lang::Es]);
    let posts = r.unwrap().posts;
    assert_eq!(posts.len(), 5);
    for w in &posts {
        let p = &w.post;
        assert!(w.regenerated && w.trimmed, "{:?}", p.platform);
        assert!(
            platform::check(p).is_empty(),
            "{:?}: {:?}",
            p.platform,
            platform::check(p)
        );
        let (limit, measure) = p.platform.text_limit();
        let n = measure.of(&p.full_text());
        assert!(n <= limit, "{:?}: {n} > {limit}", p.platform);
        // Trimmed to a whole word, and close to the limit rather than far below it.
        assert!(
            p.text.ends_with("palabra…"),
            "{:?}: {:?}",
            p.platform,
            &p.text[p.text.len() - 20..]
        );
        assert!(
            n + 12 >= limit.min(measure.of(&words)) * 3 / 4,
            "{:?}: {n}",
            p.platform
        );
        if let Some(max) = p.platform.max_hashtags() {
            assert!(p.hashtags.len() <= max);
        }
    }
    let x = posts
        .iter()
        .find(|w| w.post.platform == Platform::X)
        .unwrap();
    assert!(platform::x_weight(&x.post.full_text()) <= 280);
    assert_eq!(x.post.hashtags, vec!["tag0", "tag1"]);
    let ig = posts
        .iter()
        .find(|w| w.post.platform == Platform::Instagram)
        .unwrap();
    assert_eq!(ig.post.hashtags.len(), platform::INSTAGRAM_HASHTAGS);
    let yt = posts
        .iter()
        .find(|w| w.post.platform == Platform::Youtube)
        .unwrap();
    assert!(yt.post.title.chars().count() <= 100 && yt.post.title.starts_with("Luna de Papel"));
    assert!(platform::youtube_tags_len(&yt.post.tags) <= 500);
    assert!(yt.post.full_text().len() <= 5000);
    assert_eq!(f.bodies("/api/chat").len(), 10, "two answers per platform");
}

#[test]
fn posts_come_in_both_languages_when_asked() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([
        Reply::quick(&answer("Luna de Papel, el 15 de enero.", &["bolero"])),
        Reply::quick(&answer("Luna de Papel, out January 15.", &["bolero"])),
    ]);
    let (r, _) = write(&f, &[Platform::Facebook], &[Lang::Es, Lang::En]);
    let posts = r.unwrap().posts;
    assert_eq!(posts.len(), 2);
    assert_eq!(
        (posts[0].post.lang, posts[1].post.lang),
        (Lang::Es, Lang::En)
    );
    assert!(posts.iter().all(|p| !p.regenerated && !p.trimmed));
    let bodies = f.bodies("/api/chat");
    assert!(bodies[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("español"));
    assert!(bodies[1]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("English"));
}

#[test]
fn an_unreadable_answer_is_repaired_once_then_reported() {
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    f.chat([Reply::quick("not json at all")]);
    let (r, _) = write(&f, &[Platform::Tiktok], &[Lang::En]);
    let e = r.unwrap_err();
    assert!(matches!(e, LyricsError::InvalidAnswer { .. }), "{e}");
    assert!(e.to_string().contains("post JSON"), "{e}");
    assert_eq!(f.bodies("/api/chat").len(), 2);
}

#[test]
fn with_no_ollama_the_error_says_how_to_start_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = client(&format!("http://127.0.0.1:{port}"));
    let never = AtomicBool::new(false);
    let e = block_on(posts::write_posts(
        &c,
        None,
        &facts(),
        &[Platform::X],
        &[Lang::En],
        &mut |_| {},
        &never,
    ))
    .unwrap()
    .unwrap_err();
    assert!(matches!(e, LyricsError::Unreachable { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("ollama serve") && msg.contains(&port.to_string()),
        "{msg}"
    );
}
