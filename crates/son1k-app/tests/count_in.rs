//! A take recorded after a count-in: the metronome's bars play through the engine (on a paced
//! virtual device here) while the default input is already open, and the take keeps only what
//! came after the count-in. Needs an input device (scripts/virtual-audio.sh gives machines
//! without one a PulseAudio null source).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use son1k_app::ghost::{self, LiveOutput, Metronome, TakeRecorder, VirtualOutput};
use son1k_app::{Paths, Studio};

#[test]
fn a_take_after_a_one_bar_count_in_keeps_only_what_came_after_the_bar() {
    let dir = std::env::temp_dir().join(format!("son1k-count-in-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Cuenta").unwrap();
    let project = folder.to_string_lossy().into_owned();
    // 240 BPM in 4: one bar is one second.
    let m = Metronome::new(240.0, 4, -12.0, false).unwrap();
    let device = VirtualOutput::new("count-in output", 256);
    let monitor = device.monitor();
    let rec = TakeRecorder::start_after_count_in(
        &studio,
        &project,
        &m,
        1,
        LiveOutput::Virtual(device),
        |_| {},
    )
    .unwrap();
    // The count-in played in full on the output (four clicks, one a quarter second apart)…
    assert!(monitor.frames() >= 48_000, "{}", monitor.frames());
    let (_, out) = monitor.all();
    let left: Vec<f32> = out.chunks(2).map(|f| f[0]).collect();
    for k in 0..4 {
        let at = k * 12_000;
        let p = left[at..at + 400]
            .iter()
            .fold(0.0f32, |a, s| a.max(s.abs()));
        assert!(p > 0.05, "click {k} on the output: {p}");
    }
    // …while the input recorded all of it (the count-in waits for the input to deliver audio).
    let took = rec.count_in_seconds();
    assert!(
        (0.8..1.3).contains(&took),
        "the input recorded {took:.3} s during the count-in"
    );
    std::thread::sleep(Duration::from_millis(700));
    let file = rec.stop().unwrap();
    let take = son1k_audio::decode_file(&file).unwrap();
    let secs = take.frames() as f64 / f64::from(take.sample_rate);
    // What was recorded after the count-in only (about 0.7 s, not 0.7 s plus the count-in).
    println!("input during the count-in {took:.3} s; the take after it {secs:.3} s");
    assert!((0.5..1.0).contains(&secs), "the take lasts {secs:.3} s");
    // Too many bars are refused before anything opens.
    let e = TakeRecorder::start_after_count_in(
        &studio,
        &project,
        &m,
        3,
        LiveOutput::Virtual(VirtualOutput::new("x", 256)),
        |_| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("0, 1 or 2"), "{e}");
    let _ = ghost::view(&studio, &project).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
