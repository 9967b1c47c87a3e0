//! Sessions rendered offline and block by block, measured.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use son1k_audio::mixdown::{mix_file, render, render_with, Renderer, Session};
use son1k_audio::{write_file, AudioBuffer, SampleFormat};

const SR: u32 = 48_000;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-mix-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tone_file(d: &Path, name: &str, hz: f32, secs: f32) -> PathBuf {
    let n = (SR as f32 * secs) as usize;
    let c: Vec<f32> = (0..n)
        .map(|i| (2.0 * std::f32::consts::PI * hz * i as f32 / SR as f32).sin() * 0.5)
        .collect();
    let p = d.join(name);
    write_file(
        &p,
        &AudioBuffer::new(SR, vec![c]).unwrap(),
        SampleFormat::F32,
    )
    .unwrap();
    p
}

fn click_file(d: &Path, name: &str, at: usize, len: usize) -> PathBuf {
    let mut c = vec![0.0f32; len];
    c[at] = 0.5;
    let p = d.join(name);
    write_file(
        &p,
        &AudioBuffer::new(SR, vec![c]).unwrap(),
        SampleFormat::F32,
    )
    .unwrap();
    p
}

fn session(json: &str) -> Session {
    let s: Session = serde_json::from_str(json).unwrap();
    s.validate().unwrap();
    s
}

fn rms(c: &[f32]) -> f32 {
    (c.iter().map(|s| s * s).sum::<f32>() / c.len().max(1) as f32).sqrt()
}

#[test]
fn pan_offset_and_length() {
    let d = dir("pan");
    tone_file(&d, "a.wav", 440.0, 1.0);
    tone_file(&d, "b.wav", 660.0, 1.0);
    let s = session(
        r#"{"sample_rate":48000,"tracks":[
            {"name":"a","pan":-1,"clips":[{"file":"a.wav"}]},
            {"name":"b","pan":1,"clips":[{"file":"b.wav","offset":0.5}]}]}"#,
    );
    let out = render(&s, &d).unwrap();
    assert_eq!(out.frames(), 72_000, "1.5 s: the second clip ends at 1.5 s");
    let (l, r) = (&out.channels[0], &out.channels[1]);
    assert!(
        rms(&r[..23_000]) < 1e-6,
        "nothing on the right before 0.5 s"
    );
    assert!(rms(&l[..23_000]) > 0.3);
    assert!(rms(&l[50_000..]) < 1e-6, "left clip ended at 1.0 s");
    assert!(rms(&r[50_000..]) > 0.3);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn mute_and_solo() {
    let d = dir("solo");
    tone_file(&d, "a.wav", 440.0, 0.2);
    tone_file(&d, "b.wav", 660.0, 0.2);
    let both = render(
        &session(r#"{"tracks":[{"clips":[{"file":"a.wav"}]},{"clips":[{"file":"b.wav"}]}]}"#),
        &d,
    )
    .unwrap();
    let solo = render(
        &session(
            r#"{"tracks":[{"solo":true,"clips":[{"file":"a.wav"}]},{"clips":[{"file":"b.wav"}]}]}"#,
        ),
        &d,
    )
    .unwrap();
    let mute = render(
        &session(
            r#"{"tracks":[{"clips":[{"file":"a.wav"}]},{"mute":true,"clips":[{"file":"b.wav"}]}]}"#,
        ),
        &d,
    )
    .unwrap();
    assert_eq!(solo, mute, "soloing a is muting b");
    assert_ne!(both, solo);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn block_by_block_equals_offline() {
    let d = dir("blocks");
    tone_file(&d, "a.wav", 440.0, 0.5);
    tone_file(&d, "b.wav", 220.0, 0.5);
    let s = session(
        r#"{"tracks":[
            {"gain_db":-3,"fx":[{"type":"eq","kind":"peak","freq":1000,"gain_db":4},{"type":"compressor","threshold_db":-20,"ratio":4}],
             "clips":[{"file":"a.wav","fade_in":0.05,"fade_out":0.1}],"sends":[{"to":"room","level_db":-8}]},
            {"pan":0.3,"fx":[{"type":"reverb","room":0.5,"damping":0.5,"wet":0.3}],"clips":[{"file":"b.wav","offset":0.1}],
             "sends":[{"to":"echo","level_db":-3},{"to":"room","level_db":-12}]}],
          "returns":[{"name":"room","gain_db":-2,"fx":[{"type":"reverb","room":0.8,"damping":0.3,"wet":1,"dry":0}]},
                     {"name":"echo","fx":[{"type":"delay","time_ms":90,"feedback":0.5,"mix":1},{"type":"limiter","ceiling_db":-3}]}],
          "master":[{"type":"limiter","ceiling_db":-1,"true_peak":true}]}"#,
    );
    let offline = render(&s, &d).unwrap();
    // The live engine asks for odd, varying block sizes.
    let mut r = Renderer::new(&s, &d).unwrap();
    let total = r.length() + r.latency();
    let (mut l, mut rr) = (Vec::new(), Vec::new());
    let sizes = [64usize, 256, 17, 1024, 3000, 1];
    let mut k = 0;
    while l.len() < total {
        let n = sizes[k % sizes.len()].min(total - l.len());
        let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
        r.render(&mut a, &mut b);
        l.extend(a);
        rr.extend(b);
        k += 1;
    }
    let lat = r.latency();
    let first_difference = |a: &[f32], b: &[f32]| {
        a.iter()
            .zip(b)
            .position(|(x, y)| x.to_bits() != y.to_bits())
    };
    assert_eq!(l.len() - lat, offline.frames());
    assert_eq!(first_difference(&l[lat..], &offline.channels[0]), None);
    assert_eq!(first_difference(&rr[lat..], &offline.channels[1]), None);
    // And rendering twice (after a seek) gives the same samples.
    assert!(render_with(&mut r).unwrap() == offline);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn effect_latency_is_compensated_between_tracks() {
    let d = dir("pdc");
    click_file(&d, "c.wav", 1000, 4000);
    let s = session(
        r#"{"tracks":[
            {"pan":-1,"fx":[{"type":"limiter","ceiling_db":-1}],"clips":[{"file":"c.wav"}]},
            {"pan":1,"clips":[{"file":"c.wav"}]}]}"#,
    );
    let out = render(&s, &d).unwrap();
    let argmax = |c: &[f32]| {
        c.iter()
            .enumerate()
            .fold(
                (0, 0.0f32),
                |m, (i, s)| if s.abs() > m.1 { (i, s.abs()) } else { m },
            )
            .0
    };
    assert_eq!(argmax(&out.channels[0]), 1000);
    assert_eq!(argmax(&out.channels[1]), 1000);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn mix_file_writes_and_bad_sessions_are_named() {
    let d = dir("file");
    tone_file(&d, "a.wav", 440.0, 0.3);
    let sess = d.join("song.json");
    std::fs::write(
        &sess,
        r#"{"tracks":[{"clips":[{"file":"a.wav","length":0.2}]}]}"#,
    )
    .unwrap();
    let out = d.join("mix.wav");
    let audio = mix_file(&sess, &out, SampleFormat::I24).unwrap();
    assert_eq!(audio.frames(), 9_600);
    assert_eq!(
        hound::WavReader::open(&out).unwrap().spec().bits_per_sample,
        24
    );

    std::fs::write(&sess, r#"{"tracks":[{"clips":[{"file":"missing.wav"}]}]}"#).unwrap();
    let e = mix_file(&sess, &out, SampleFormat::I16).unwrap_err();
    assert!(e.to_string().contains("missing.wav"), "{e}");
    std::fs::write(&sess, r#"{"tracks": 3}"#).unwrap();
    let e = mix_file(&sess, &out, SampleFormat::I16).unwrap_err();
    assert!(e.to_string().contains("not a valid session"), "{e}");
    std::fs::write(&sess, r#"{"tracks":[{"pan":4,"clips":[]}]}"#).unwrap();
    assert!(mix_file(&sess, &out, SampleFormat::I16)
        .unwrap_err()
        .to_string()
        .contains("pan"));
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn trims_and_fades_shape_each_clip_and_the_render_is_the_sum_of_its_parts() {
    let d = dir("fades");
    // A constant 0.5 makes the fade envelope readable sample by sample.
    let p = d.join("dc.wav");
    write_file(
        &p,
        &AudioBuffer::new(SR, vec![vec![0.5f32; SR as usize]]).unwrap(),
        SampleFormat::F32,
    )
    .unwrap();
    tone_file(&d, "tone.wav", 330.0, 1.0);
    let json = |mute_dc: bool, mute_tone: bool| {
        format!(
            r#"{{"tracks":[
            {{"mute":{mute_dc},"clips":[{{"file":"dc.wav","offset":0.3,"trim_start":0.25,"length":0.5,"fade_in":0.1,"fade_out":0.2}}]}},
            {{"mute":{mute_tone},"gain_db":-4,"clips":[{{"file":"tone.wav","offset":0.5,"fade_in":0.3,"fade_out":0.05}}]}}]}}"#
        )
    };
    let both = render(&session(&json(false, false)), &d).unwrap();
    let dc = render(&session(&json(false, true)), &d).unwrap();
    let tone = render(&session(&json(true, false)), &d).unwrap();
    let worst = (0..2)
        .flat_map(|ch| {
            let (b, x, y) = (&both.channels[ch], &dc.channels[ch], &tone.channels[ch]);
            (0..b.len()).map(move |i| {
                let part = |c: &Vec<f32>| c.get(i).copied().unwrap_or(0.0);
                (b[i] - (part(x) + part(y))).abs()
            })
        })
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "{worst}");

    // The trimmed, faded clip: silent before 0.3 s and after 0.8 s, ramps of 0.1 s in and
    // 0.2 s out, full level (0.5, −3 dB for the centred pan) in between.
    let full = 0.5 * std::f32::consts::FRAC_1_SQRT_2;
    let at = |t: f64| dc.channels[0][(t * f64::from(SR)) as usize] / full;
    assert_eq!(at(0.29), 0.0);
    assert!((at(0.35) - 0.5).abs() < 0.01, "half-way up: {}", at(0.35));
    assert!((at(0.55) - 1.0).abs() < 1e-4);
    assert!((at(0.70) - 0.5).abs() < 0.01, "half-way down: {}", at(0.70));
    assert!(at(0.799) < 0.01);
    assert!(dc.channels[0][(0.8 * f64::from(SR)) as usize + 1..]
        .iter()
        .all(|s| *s == 0.0));
    std::fs::remove_dir_all(d).unwrap();
}

/// The left channel's peak position and value.
fn peak(c: &[f32]) -> (usize, f32) {
    c.iter().enumerate().fold(
        (0, 0.0f32),
        |m, (i, s)| if s.abs() > m.1 { (i, s.abs()) } else { m },
    )
}

#[test]
fn a_send_reaches_its_return_after_the_fader_lined_up_with_the_dry_sound() {
    let d = dir("sends");
    click_file(&d, "c.wav", 1000, 8000);
    // A click hard left, sent at −6 dB to a return whose limiter delays it (look-ahead): the
    // dry click is delayed as much, so both land on frame 1000, summed.
    let with = |track: &str, send: &str, ret_gain: f32| {
        session(&format!(
            r#"{{"tracks":[{{"pan":-1,{track}"clips":[{{"file":"c.wav"}}]{send}}}],
                "returns":[{{"name":"bus","gain_db":{ret_gain},"fx":[{{"type":"limiter","ceiling_db":-1}}]}}]}}"#
        ))
    };
    let send = r#","sends":[{"to":"bus","level_db":-6}]"#;
    let alone = render(&with("", "", 0.0), &d).unwrap();
    assert_eq!(peak(&alone.channels[0]), (1000, 0.5));
    let sent = render(&with("", send, 0.0), &d).unwrap();
    let (at, v) = peak(&sent.channels[0]);
    let wet = 0.5 * 10f32.powf(-6.0 / 20.0);
    assert_eq!(at, 1000);
    assert!((v - (0.5 + wet)).abs() < 1e-4, "{v}");
    // Nothing else sounds: the wet click is not a second click beside the dry one.
    let rest: f32 = sent.channels[0]
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != 1000)
        .map(|(_, s)| s.abs())
        .fold(0.0, f32::max);
    assert!(rest < 1e-6, "{rest}");
    // The return's gain sets the wet level; after the fader: a muted or faded-out track sends
    // nothing.
    let quieter = render(&with("", send, -6.0), &d).unwrap();
    let v2 = peak(&quieter.channels[0]).1;
    assert!(
        (v2 - (0.5 + wet * 10f32.powf(-6.0 / 20.0))).abs() < 1e-4,
        "{v2}"
    );
    let muted = render(&with(r#""mute":true,"#, send, 0.0), &d).unwrap();
    assert!(peak(&muted.channels[0]).1 < 1e-9);
    let down = render(&with(r#""gain_db":-120,"#, send, 0.0), &d).unwrap();
    assert!(peak(&down.channels[0]).1 < 1e-5);
    // The same track and return played block by block with the send turned down live: the
    // level glides there within 5 ms.
    let mut r = Renderer::new(&with("", send, 0.0), &d).unwrap();
    let (mut l, mut rr) = (vec![0.0; 500], vec![0.0; 500]);
    r.render(&mut l, &mut rr);
    r.set_send(0, 0, -120.0);
    r.set_send(0, 5, 0.0);
    r.set_return_gain(7, 0.0);
    let total = r.length() + r.latency() - 500;
    let (mut l, mut rr) = (vec![0.0; total], vec![0.0; total]);
    r.render(&mut l, &mut rr);
    let (at, v) = peak(&l);
    assert_eq!(at + 500, 1000 + r.latency());
    assert!((v - 0.5).abs() < 1e-4, "the send is off: {v}");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_reverb_return_adds_only_its_tail() {
    let d = dir("reverb-return");
    click_file(&d, "c.wav", 1000, 48_000);
    let s = |send: &str| {
        session(&format!(
            r#"{{"tracks":[{{"pan":-1,"clips":[{{"file":"c.wav"}}]{send}}}],
                "returns":[{{"name":"room","fx":[{{"type":"reverb","room":0.8,"damping":0.3,"wet":1,"dry":0}}]}}]}}"#
        ))
    };
    let dry = render(&s(""), &d).unwrap();
    let wet = render(&s(r#","sends":[{"to":"room","level_db":0}]"#), &d).unwrap();
    // The click itself is as loud as without the send (the return adds no dry sound) …
    assert_eq!(wet.channels[0][1000], dry.channels[0][1000]);
    // … and the room rings after it, on both sides (the reverb spreads the hard-left click).
    let tail = |c: &[f32]| rms(&c[2000..40_000]);
    assert_eq!(tail(&dry.channels[0]), 0.0);
    assert!(tail(&wet.channels[0]) > 1e-4, "{}", tail(&wet.channels[0]));
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn sends_and_returns_are_checked() {
    let bad = |json: &str, says: &str| {
        let s: Session = serde_json::from_str(json).unwrap();
        let e = s.validate().unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
    };
    bad(
        r#"{"tracks":[{"name":"gtr","clips":[],"sends":[{"to":"nowhere","level_db":0}]}]}"#,
        "not one of the session's return buses",
    );
    bad(
        r#"{"tracks":[{"name":"gtr","clips":[],"sends":[{"to":"r","level_db":0},{"to":"r","level_db":-3}]}],
            "returns":[{"name":"r"}]}"#,
        "twice",
    );
    bad(
        r#"{"tracks":[{"name":"gtr","clips":[],"sends":[{"to":"r","level_db":20}]}],"returns":[{"name":"r"}]}"#,
        "−120–12 dB",
    );
    bad(
        r#"{"tracks":[],"returns":[{"name":"r"},{"name":"r"}]}"#,
        "a name of its own",
    );
    let many: Vec<String> = (0..9).map(|i| format!(r#"{{"name":"r{i}"}}"#)).collect();
    bad(
        &format!(r#"{{"tracks":[],"returns":[{}]}}"#, many.join(",")),
        "at most 8 return buses",
    );
}
