//! Nova Post Pilot through the façade: a release of a take with posts from the stand-in Ollama,
//! clips cut at bar lines around the chorus, a calendar that an independent iCalendar parser
//! reads and that round-trips through export and import, and a plan without Ollama.
#![allow(clippy::unwrap_used)]

#[path = "../../son1k-lyrics/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use icalendar::Component as _;
use son1k_app::{Paths, PlanOptions, Studio};
use son1k_core::platform::{self, Platform};
use son1k_core::{EventKind, Lang};
use support::{FakeOllama, Reply};

/// `OLLAMA_HOST` is one per process: the tests that set it take turns.
static OLLAMA: Mutex<()> = Mutex::new(());

const SR: u32 = 22_050;
const BPM: f64 = 120.0; // 2 s bars
const DOWNBEAT: f64 = 0.5;
const SECONDS: f64 = 100.0;
const CHORUS: (f64, f64) = (24.5, 40.5); // bars 12–19

/// A take in the songs folder: a 220 Hz verse, an 880 Hz chorus, and a loud 4 ms click on every
/// bar line, so a clip's cut points can be found in its audio.
fn make_take(studio: &Studio, name: &str, with_chorus: bool) {
    let dir = studio.paths().songs_dir().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let bar = 4.0 * 60.0 / BPM;
    let n = (SECONDS * f64::from(SR)) as usize;
    let mut mono = vec![0.0f32; n];
    for (i, s) in mono.iter_mut().enumerate() {
        let t = i as f64 / f64::from(SR);
        let chorus = (CHORUS.0..CHORUS.1).contains(&t);
        let (f, a) = if chorus { (880.0, 0.3) } else { (220.0, 0.1) };
        *s = (a * (2.0 * std::f64::consts::PI * f * t).sin()) as f32;
        let since_bar = (t - DOWNBEAT).rem_euclid(bar);
        if t >= DOWNBEAT && since_bar < 0.004 {
            *s = 0.95;
        }
    }
    let audio = son1k_audio::AudioBuffer::new(SR, vec![mono.clone(), mono]).unwrap();
    son1k_audio::write_file(&dir.join("mix.wav"), &audio, son1k_audio::SampleFormat::F32).unwrap();
    let section = |kind: &str, start: f64, end: f64, bar: u32| serde_json::json!({"kind": kind, "label": "A", "start": start, "end": end, "bar": bar, "bars": ((end - start) / 2.0) as u32});
    let chorus_kind = if with_chorus { "chorus" } else { "bridge" };
    let song = serde_json::json!({
        "engine": "test", "request": {"prompt": "a bolero about a paper moon", "mood": "melancholic",
            "lyrics": "[Verse]\nCamino solo por la ciudad\n\n[Chorus]\nLuna de papel, no te vayas\nque la noche es larga\n"},
        "genre": "bolero", "bpm": 120, "key": "A minor", "seconds": SECONDS, "seed": 1,
        "sections": [section("verse", DOWNBEAT, CHORUS.0, 0), section(chorus_kind, CHORUS.0, CHORUS.1, 12),
                     section("verse", CHORUS.1, 64.5, 20), section("outro", 64.5, 98.5, 32)],
        "stems": []
    });
    std::fs::write(dir.join("song.json"), song.to_string()).unwrap();
    std::fs::write(
        dir.join("take.json"),
        r#"{"number":1,"title":"Luna de Papel"}"#,
    )
    .unwrap();
}

fn studio(root: &Path) -> Studio {
    Studio::with_paths(Paths::under(root))
}

fn options(date: &str, posts: bool) -> PlanOptions {
    PlanOptions {
        song: "Luna de Papel".into(),
        date: date.parse().unwrap(),
        platforms: Platform::ALL.to_vec(),
        langs: vec![Lang::Es],
        model: None,
        posts,
    }
}

/// The positions (seconds) of the clicks in `ch`: the starts of runs above 0.8.
fn clicks(ch: &[f32]) -> Vec<f64> {
    let mut out = Vec::new();
    let mut above = false;
    for (i, s) in ch.iter().enumerate() {
        if *s > 0.8 && !above {
            out.push(i as f64 / f64::from(SR));
        }
        above = *s > 0.8;
    }
    out
}

/// Zero crossings per second of `ch` between `a` and `b` seconds: twice the tone's frequency.
fn crossings_per_second(ch: &[f32], a: f64, b: f64) -> f64 {
    let (i, j) = ((a * f64::from(SR)) as usize, (b * f64::from(SR)) as usize);
    let n = ch[i..j]
        .windows(2)
        .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
        .count();
    n as f64 / (b - a)
}

#[test]
fn a_release_plan_has_posts_within_limits_bar_aligned_clips_and_a_calendar_that_parses() {
    let _env = OLLAMA.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    let s = studio(root.path());
    make_take(&s, "take-1", true);
    let f = FakeOllama::start(&["qwen2.5:latest"]);
    // The model answers every post far too long, twice.
    let long = serde_json::json!({"title": "Luna de Papel ".repeat(12), "text": "Luna de papel ya llega ".repeat(150),
        "hashtags": (0..40).map(|i| format!("luna{i}")).collect::<Vec<_>>(),
        "tags": (0..90).map(|i| format!("bolero nuevo {i}")).collect::<Vec<_>>()})
    .to_string();
    f.chat([Reply::quick(&long)]);
    std::env::set_var("OLLAMA_HOST", &f.host);
    let never = AtomicBool::new(false);
    let report = s
        .release_plan(&options("2027-01-15", true), &mut |_| {}, &never)
        .unwrap();

    // Posts: one per platform, each within its limits, written to posts.json.
    assert!(report.posts_failure.is_none(), "{:?}", report.posts_failure);
    let posts = report.posts.as_ref().unwrap();
    assert_eq!(posts.posts.len(), 5);
    for p in &posts.posts {
        assert!(platform::check(&p.post).is_empty(), "{:?}", p.post.platform);
        assert!(p.length <= p.limit && p.trimmed && p.regenerated, "{p:?}");
        assert_eq!(p.full_text, p.post.full_text());
    }
    let ask = &f.bodies("/api/chat")[0]["messages"][1]["content"];
    let ask = ask.as_str().unwrap();
    assert!(
        ask.contains("Luna de Papel") && ask.contains("Luna de papel, no te vayas"),
        "{ask}"
    );
    assert!(
        ask.contains("bolero") && ask.contains("A minor") && ask.contains("2027-01-15"),
        "{ask}"
    );
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.posts_file.as_ref().unwrap()).unwrap())
            .unwrap();
    assert_eq!(file["posts"].as_array().unwrap().len(), 5);
    assert!(
        file["posts"][3]["full_text"]
            .as_str()
            .unwrap()
            .chars()
            .count()
            <= 280
    );

    // Clips: named by platform, whole bars, at most the length asked, cut on bar lines around
    // the chorus.
    assert_eq!(report.clips.len(), 5);
    let bar = 2.0;
    for c in &report.clips {
        let name = c.path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            name,
            format!("{}-{}s.wav", c.platform.id(), c.platform.clip_seconds())
        );
        let audio = son1k_audio::decode_file(&c.path).unwrap();
        let secs = audio.duration_secs();
        let asked = f64::from(c.platform.clip_seconds());
        assert!(
            secs <= asked + 1e-3 && secs > asked - bar,
            "{name}: {secs} s"
        );
        assert!(
            (secs / bar - (secs / bar).round()).abs() < 1e-3,
            "{name}: {secs} s is not whole bars"
        );
        // The clip starts on a bar line: the clicks in it fall on whole bars from its start.
        let found = clicks(&audio.channels[0]);
        assert!(
            found.len() >= (secs / bar) as usize - 1,
            "{name}: {found:?}"
        );
        for t in &found {
            let off = (t / bar - (t / bar).round()).abs() * bar;
            assert!(off < 0.002, "{name}: a click {off} s off a bar line at {t}");
        }
        // Around the chorus: the first chorus' first bar lies inside the clip, and the clip's
        // first seconds after it are the chorus' 880 Hz.
        let into = CHORUS.0 - c.cut.start;
        assert!(
            into >= 0.0 && into < secs,
            "{name}: chorus at {into} s into the clip"
        );
        let zc = crossings_per_second(&audio.channels[0], into + 0.1, (into + 1.9).min(secs));
        assert!((zc - 1760.0).abs() < 60.0, "{name}: {zc} crossings/s");
    }
    let tiktok = report
        .clips
        .iter()
        .find(|c| c.platform == Platform::Tiktok)
        .unwrap();
    assert!(
        (tiktok.cut.start - CHORUS.0).abs() < 1e-9,
        "a 15 s clip starts on the chorus"
    );

    // Calendar: the plan's days, stored in the library, listed by month.
    let days: Vec<String> = report.events.iter().map(|e| e.date.to_string()).collect();
    assert_eq!(
        days,
        [
            "2026-12-25",
            "2027-01-08",
            "2027-01-14",
            "2027-01-15",
            "2027-01-18",
            "2027-01-22",
            "2027-01-29",
            "2027-02-12"
        ]
    );
    let jan = s.release_month("2027-01".parse().unwrap()).unwrap();
    assert_eq!(jan.len(), 6);
    assert!(s
        .release_month("2027-03".parse().unwrap())
        .unwrap()
        .is_empty());

    // release.ics, read by an independent RFC 5545 parser.
    let text = std::fs::read_to_string(&report.ics).unwrap();
    assert_ics_is_valid(&text, 8);
    let cal: icalendar::Calendar = text.parse().unwrap();
    let release_day = cal
        .components
        .iter()
        .filter_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .find(|e| icalendar::Component::property_value(*e, "X-SON1K-KIND") == Some("release"))
        .unwrap();
    assert_eq!(
        release_day.get_summary(),
        Some("Día del lanzamiento: Luna de Papel")
    );
    match release_day.get_start() {
        Some(icalendar::DatePerhapsTime::Date(d)) => assert_eq!(d.to_string(), "2027-01-15"),
        other => panic!("DTSTART is not a DATE: {other:?}"),
    }

    // Reschedule: the event moves in the library and in release.ics.
    let presave = report
        .events
        .iter()
        .find(|e| e.kind == EventKind::PreSave)
        .unwrap();
    let moved = s
        .release_reschedule(&presave.id, "2027-01-01".parse().unwrap())
        .unwrap();
    assert_eq!(moved.date.to_string(), "2027-01-01");
    assert_eq!(
        s.release_month("2027-01".parse().unwrap()).unwrap().len(),
        7
    );
    let text = std::fs::read_to_string(&report.ics).unwrap();
    assert!(text.contains("DTSTART;VALUE=DATE:20270101"));

    // Round trip: export, import into another library's release of the same song, compare.
    let other_root = tempfile::tempdir().unwrap();
    let other = studio(other_root.path());
    make_take(&other, "take-1", true);
    let plain = other
        .release_plan(&options("2030-06-01", false), &mut |_| {}, &never)
        .unwrap();
    let exported = root.path().join("export.ics");
    s.release_export_ics(&report.release.id, &exported).unwrap();
    let r = other
        .release_import_ics(&plain.release.id, &exported)
        .unwrap();
    assert_eq!((r.added, r.updated, r.skipped), (8, 0, 0));
    let mine = s.release_events(&report.release.id).unwrap();
    let theirs = other.release_events(&plain.release.id).unwrap();
    for e in &mine {
        let t = theirs.iter().find(|t| t.id == e.id).unwrap();
        assert_eq!(
            (t.date, t.kind, &t.title, &t.description),
            (e.date, e.kind, &e.title, &e.description)
        );
    }
    // Importing the same file again updates rather than duplicates.
    let again = other
        .release_import_ics(&plain.release.id, &exported)
        .unwrap();
    assert_eq!((again.added, again.updated), (0, 8));
    assert_eq!(other.release_events(&plain.release.id).unwrap().len(), 16);
}

/// Lines of at most 75 octets ending in CRLF, and every event with what RFC 5545 requires,
/// checked by the `icalendar` crate's parser.
fn assert_ics_is_valid(text: &str, events: usize) {
    assert!(text.ends_with("\r\n"));
    for line in text.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.contains('\n') && !line.contains('\r'));
    }
    let unfolded = icalendar::parser::unfold(text);
    let cal = icalendar::parser::read_calendar(&unfolded).unwrap();
    let prop = |c: &icalendar::parser::Component, name: &str| {
        c.properties
            .iter()
            .find(|p| p.name.as_ref() == name)
            .map(|p| p.val.as_ref().to_string())
    };
    let names: Vec<String> = cal
        .properties
        .iter()
        .map(|p| p.name.as_ref().to_string())
        .collect();
    assert!(
        names.contains(&"VERSION".into()) && names.contains(&"PRODID".into()),
        "{names:?}"
    );
    let vevents: Vec<_> = cal
        .components
        .iter()
        .filter(|c| c.name.as_ref() == "VEVENT")
        .collect();
    assert_eq!(vevents.len(), events);
    for e in vevents {
        let uid = prop(e, "UID").unwrap();
        assert!(uid.ends_with("@son1k.studio"), "{uid}");
        let stamp = prop(e, "DTSTAMP").unwrap();
        assert!(stamp.len() == 16 && stamp.ends_with('Z'), "{stamp}");
        let start = e
            .properties
            .iter()
            .find(|p| p.name.as_ref() == "DTSTART")
            .unwrap();
        assert_eq!(start.val.as_ref().len(), 8, "DTSTART is a DATE");
        assert!(start.params.iter().any(
            |p| p.key.as_ref() == "VALUE" && p.val.as_ref().map(|v| v.as_ref()) == Some("DATE")
        ));
        assert!(prop(e, "SUMMARY").is_some());
    }
}

#[test]
fn without_ollama_the_plan_still_makes_the_calendar_and_clips_and_says_how_to_start_it() {
    let _env = OLLAMA.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    let s = studio(root.path());
    make_take(&s, "take-1", false); // no chorus section: the loudest stretch is taken
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::env::set_var("OLLAMA_HOST", format!("127.0.0.1:{port}"));
    let never = AtomicBool::new(false);
    let mut opts = options("2027-01-15", true);
    opts.platforms = vec![Platform::Tiktok, Platform::Youtube];
    let report = s.release_plan(&opts, &mut |_| {}, &never).unwrap();
    let failure = report.posts_failure.unwrap();
    assert!(
        failure.message.contains("ollama serve") && failure.message.contains(&port.to_string()),
        "{}",
        failure.message
    );
    assert_eq!(failure.next_steps, vec![son1k_app::NextStep::StartOllama]);
    assert!(report.posts.is_none() && report.posts_file.is_none());
    assert!(!report.release.folder.join("posts.json").exists());
    assert_eq!(report.events.len(), 8);
    assert!(report.ics.is_file());
    assert_eq!(report.clips.len(), 2);
    // The loudest stretch is the 880 Hz "bridge" at 0.3: the 15-s clip lies inside it.
    let c = &report.clips[0];
    assert_eq!(c.cut.anchor, son1k_app::release::Anchor::Loudest);
    assert!(
        c.cut.start >= CHORUS.0 - 1e-9 && c.cut.end <= CHORUS.1 + 1e-9,
        "{:?}",
        c.cut
    );
    // A second plan of the same day gets its own folder.
    let second = s.release_plan(&opts, &mut |_| {}, &never).unwrap();
    assert_ne!(second.release.folder, report.release.folder);
    assert_eq!(s.releases().unwrap().len(), 2);
}

#[test]
fn a_song_that_is_not_there_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let s = studio(root.path());
    let never = AtomicBool::new(false);
    let mut opts = options("2027-01-15", false);
    opts.song = "no-such-take".into();
    let e = s.release_plan(&opts, &mut |_| {}, &never).unwrap_err();
    assert!(e.is_user_error());
    assert!(e.to_string().contains("son1k takes list"), "{e}");
    assert!(s.releases().unwrap().is_empty());
}

#[test]
fn a_mix_without_song_json_is_cut_at_the_bars_analysis_hears_in_its_loudest_stretch() {
    let root = tempfile::tempdir().unwrap();
    let s = studio(root.path());
    // 40 s at 120 BPM: a click on every beat from 0.25 s (the downbeats louder), a quiet 220 Hz
    // bed, and a loud stretch from 20.25 s to 32.25 s (six bars).
    let n = 40 * SR as usize;
    let mut mono = vec![0.0f32; n];
    for (i, x) in mono.iter_mut().enumerate() {
        let t = i as f64 / f64::from(SR);
        let loud = (20.25..32.25).contains(&t);
        let a = if loud { 0.35 } else { 0.05 };
        *x = (a * (2.0 * std::f64::consts::PI * 220.0 * t).sin()) as f32;
        let since = (t - 0.25).rem_euclid(0.5);
        if t >= 0.25 && since < 0.01 {
            let downbeat = ((t - 0.25) / 0.5).round() as i64 % 4 == 0;
            *x += if downbeat { 0.6 } else { 0.3 } * (1.0 - since as f32 / 0.01);
        }
    }
    let file = root.path().join("my mix.wav");
    let audio = son1k_audio::AudioBuffer::new(SR, vec![mono.clone(), mono]).unwrap();
    son1k_audio::write_file(&file, &audio, son1k_audio::SampleFormat::F32).unwrap();
    let never = AtomicBool::new(false);
    let mut opts = options("2027-01-15", false);
    opts.song = file.display().to_string();
    opts.platforms = vec![Platform::Tiktok];
    let report = s.release_plan(&opts, &mut |_| {}, &never).unwrap();
    assert_eq!(report.release.title, "my mix");
    let c = &report.clips[0];
    assert_eq!(c.cut.anchor, son1k_app::release::Anchor::Loudest);
    // Whole bars of the tempo heard, within 15 s, starting on a beat of the file.
    let secs = c.cut.end - c.cut.start;
    let bar = secs / f64::from(c.cut.bars);
    assert!((bar - 2.0).abs() < 0.05, "a bar of {bar} s");
    assert!(secs <= 15.0 && secs > 15.0 - bar, "{secs} s");
    // (The analysis times a beat to within a few of its ~12 ms frames; here it is 25 ms early.)
    let off = (c.cut.start - 0.25).rem_euclid(0.5);
    assert!(
        off.min(0.5 - off) < 0.04,
        "starts {off} s off a beat: {:?}",
        c.cut
    );
    // Mostly inside the loud stretch (which is shorter than the clip).
    let inside = c.cut.end.min(32.25) - c.cut.start.max(20.25);
    assert!(
        inside >= 11.0,
        "{inside} s of the loud stretch in {:?}",
        c.cut
    );
    let wav = son1k_audio::decode_file(&c.path).unwrap();
    assert!((wav.duration_secs() - secs).abs() < 1e-3);
}
