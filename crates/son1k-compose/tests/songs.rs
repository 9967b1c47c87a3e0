//! Whole songs: rendered, written, read back and checked with our own analyzer.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use son1k_audio::AudioBuffer;
use son1k_compose::{write_song, ComposeError, Instruments, ProceduralEngine, Song, SongEngine};
use son1k_core::{GenerationRequest, Key, KnobValue};

fn song(prompt: &str, seed: u64, edit: impl FnOnce(&mut GenerationRequest)) -> Song {
    let mut req = GenerationRequest::new(prompt);
    req.seed = seed;
    edit(&mut req);
    ProceduralEngine::default()
        .generate(&req, &mut |_| {}, &AtomicBool::new(false))
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-compose-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn features(audio: &AudioBuffer) -> son1k_analysis::features::Features {
    son1k_analysis::analyze(audio, Path::new("song"))
        .unwrap()
        .features
}

/// Share of the signal's energy above 6 kHz.
fn hf_share(audio: &AudioBuffer) -> f64 {
    use son1k_audio::fx::{process_buffer, Chain, FilterKind, FxSpec};
    let mut hp = audio.clone();
    let mut chain = Chain::build(
        &[FxSpec::Eq {
            kind: FilterKind::HighPass,
            freq: 6000.0,
            q: std::f32::consts::FRAC_1_SQRT_2,
            gain_db: 0.0,
        }],
        audio.sample_rate,
        audio.channel_count(),
    )
    .unwrap();
    process_buffer(&mut chain, &mut hp, 1024);
    let energy = |a: &AudioBuffer| {
        a.channels
            .iter()
            .flatten()
            .map(|x| (*x as f64).powi(2))
            .sum::<f64>()
    };
    energy(&hp) / energy(audio)
}

fn crest_db(audio: &AudioBuffer) -> f64 {
    let (mut peak, mut sum, mut n) = (0.0f64, 0.0f64, 0usize);
    for ch in &audio.channels {
        for &x in ch {
            peak = peak.max((x as f64).abs());
            sum += (x as f64) * (x as f64);
            n += 1;
        }
    }
    20.0 * (peak / (sum / n as f64).sqrt()).log10()
}

#[test]
fn the_done_when_song_is_deterministic_honest_and_complete() {
    let prompt = "deep house 124 bpm in F# minor";
    let a = song(prompt, 3, |r| r.duration_secs = Some(20.0));
    let b = song(prompt, 3, |r| r.duration_secs = Some(20.0));
    assert_eq!(
        a.mix, b.mix,
        "same request and seed must give identical audio"
    );
    let other = song(prompt, 4, |r| r.duration_secs = Some(20.0));
    assert_ne!(a.mix, other.mix, "another seed must give another song");

    let dir = tmp("done-when");
    write_song(&a, &dir).unwrap();
    let back = son1k_audio::decode_file(&dir.join("mix.wav")).unwrap();
    assert_eq!(back.sample_rate, 44_100);
    assert!((back.frames() as f64 / 44_100.0 - 20.0).abs() < 0.01);
    let analysis = son1k_analysis::analyze_file(&dir.join("mix.wav")).unwrap();
    assert!(
        (analysis.bpm - 124.0).abs() <= 124.0 * 0.02,
        "heard {} BPM",
        analysis.bpm
    );
    assert_eq!(analysis.key, "F# minor");
    let lufs = analysis.lufs.unwrap();
    assert!((-16.0..=-12.0).contains(&lufs), "mastered loudness {lufs}");
    let peak = analysis.true_peak_db.unwrap();
    assert!(peak <= -0.9, "true peak {peak} dBTP");

    for stem in ["drums", "bass", "keys", "pad", "lead"] {
        let s = son1k_audio::decode_file(&dir.join("stems").join(format!("{stem}.wav"))).unwrap();
        assert_eq!(s.frames(), back.frames(), "{stem}");
        let peak = s.channels[0].iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(peak > 0.01, "{stem} is silent");
    }
    // MIDI: a conductor track plus one per part, in F# minor at 124 BPM.
    let bytes = std::fs::read(dir.join("song.mid")).unwrap();
    let smf = midly::Smf::parse(&bytes).unwrap();
    assert_eq!(smf.tracks.len(), 1 + a.score.parts.len());
    let mut tempo = None;
    let mut key = None;
    for e in &smf.tracks[0] {
        match e.kind {
            midly::TrackEventKind::Meta(midly::MetaMessage::Tempo(t)) => tempo = Some(t.as_int()),
            midly::TrackEventKind::Meta(midly::MetaMessage::KeySignature(s, m)) => {
                key = Some((s, m))
            }
            _ => {}
        }
    }
    assert_eq!(tempo, Some(483_871)); // 60 000 000 / 124
    assert_eq!(key, Some((3, true)));
    // JSON: what the issue asks for.
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("song.json")).unwrap()).unwrap();
    assert_eq!(meta["bpm"], 124);
    assert_eq!(meta["key"], "F# minor");
    assert_eq!(meta["genre"], "house");
    assert_eq!(meta["seed"], 3);
    assert_eq!(meta["engine"], "procedural");
    assert!(meta["engine_version"]
        .as_str()
        .unwrap()
        .starts_with("procedural-"));
    assert!(meta["sections"].as_array().unwrap().len() >= 2);
    assert!(meta["chords"].as_array().unwrap().len() >= 8);
    assert_eq!(meta["request"]["prompt"], prompt);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn expressivity_brightens_and_fills_the_music() {
    let prompt = "pop 112 bpm in D major";
    let sad = song(prompt, 9, |r| {
        r.duration_secs = Some(16.0);
        r.knobs.expressivity = KnobValue::new(5).unwrap();
    });
    let happy = song(prompt, 9, |r| {
        r.duration_secs = Some(16.0);
        r.knobs.expressivity = KnobValue::new(95).unwrap();
    });
    let (s, h) = (features(&sad.mix), features(&happy.mix));
    assert!(
        h.spectral_centroid_hz > s.spectral_centroid_hz * 1.15,
        "centroid {} vs {}",
        h.spectral_centroid_hz,
        s.spectral_centroid_hz
    );
    let notes = |x: &Song| x.score.parts.iter().map(|p| p.notes.len()).sum::<usize>();
    assert!(notes(&happy) as f64 > notes(&sad) as f64 * 1.2);
}

#[test]
fn garage_darkens_and_adds_noise_and_trash_squashes() {
    let prompt = "rock 120 bpm in E minor";
    let clean = song(prompt, 2, |r| r.duration_secs = Some(14.0));
    let garage = song(prompt, 2, |r| {
        r.duration_secs = Some(14.0);
        r.knobs.garage = KnobValue::new(90).unwrap();
    });
    let trash = song(prompt, 2, |r| {
        r.duration_secs = Some(14.0);
        r.knobs.trash = KnobValue::new(95).unwrap();
    });
    let (c, g) = (hf_share(&clean.mix), hf_share(&garage.mix));
    assert!(g < c * 0.5, "energy above 6 kHz: {g} vs {c}");
    // The hiss: the quietest stretch (the final ring-out) is far less silent with Garage.
    let floor = |a: &AudioBuffer| {
        let n = a.frames();
        let tail = &a.channels[0][n - 4410..];
        (tail.iter().map(|x| (*x as f64).powi(2)).sum::<f64>() / tail.len() as f64).sqrt()
    };
    assert!(floor(&garage.mix) > floor(&clean.mix) * 1.5);
    assert!(
        crest_db(&trash.mix) < crest_db(&clean.mix) - 1.5,
        "crest {} vs {}",
        crest_db(&trash.mix),
        crest_db(&clean.mix)
    );
    // Knobs move the sound, not the song.
    assert_eq!(clean.score, garage.score);
}

#[test]
fn rareza_departs_from_the_key_and_the_usual_form() {
    let prompt = "pop 110 bpm in C major";
    let outside = |s: &Song| {
        let scale = [0u8, 2, 4, 5, 7, 9, 11];
        let pitched: Vec<u8> = s
            .score
            .parts
            .iter()
            .filter(|p| p.name != "drums")
            .flat_map(|p| p.notes.iter().map(|n| n.pitch % 12))
            .collect();
        pitched.iter().filter(|p| !scale.contains(p)).count() as f64 / pitched.len() as f64
    };
    let plain = song(prompt, 5, |r| r.duration_secs = Some(40.0));
    let odd = song(prompt, 5, |r| {
        r.duration_secs = Some(40.0);
        r.knobs.rareza = KnobValue::new(100).unwrap();
    });
    assert!(outside(&plain) < 0.02, "{}", outside(&plain));
    assert!(outside(&odd) > outside(&plain) + 0.03, "{}", outside(&odd));
    let sounds = |s: &Song| s.score.parts.iter().map(|p| p.sound).collect::<Vec<_>>();
    assert_ne!(
        sounds(&plain),
        sounds(&odd),
        "radical arrangements change instruments"
    );
}

#[test]
fn lyrics_give_a_sung_stem_and_midi_lyrics() {
    let lyrics = "[Verse]\nBailando sola en la ciudad\nla noche canta su verdad\n[Coro]\nVuelve, vuelve a mí\n";
    let sung = song("reggaeton en la menor", 1, |r| {
        r.lyrics = Some(lyrics.into())
    });
    let names: Vec<&str> = sung.stems.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"vocal"), "{names:?}");
    assert!(!sung.meta.syllables.is_empty());
    // Lyrics on an instrumental request: the lyric's form, no vocal.
    let mut inst = GenerationRequest::new("reggaeton en la menor");
    inst.lyrics = Some(lyrics.into());
    inst.instrumental = true;
    let backing = ProceduralEngine::default()
        .generate(&inst, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    assert!(backing.stems.iter().all(|s| s.name != "vocal"));
    assert!(backing.meta.syllables.is_empty());
    // A length the lyric cannot fit in is refused, saying what it needs.
    let mut short = GenerationRequest::new("reggaeton en la menor");
    short.lyrics = Some(lyrics.into());
    short.duration_secs = Some(8.0);
    let e = ProceduralEngine::default()
        .generate(&short, &mut |_| {}, &AtomicBool::new(false))
        .unwrap_err();
    assert!(matches!(e, ComposeError::Invalid(_)), "{e}");
    assert!(e.to_string().contains("the lyrics need at least"), "{e}");
    // The sung stem actually sounds, with its consonants: energy above 4 kHz.
    let vocal = &sung.stems.iter().find(|s| s.name == "vocal").unwrap().audio;
    assert!(vocal.channels[0].iter().any(|x| x.abs() > 0.01));
    let mono: Vec<f32> = vocal.channels[0]
        .iter()
        .zip(&vocal.channels[1])
        .map(|(a, b)| a + b)
        .collect();
    let spec = son1k_analysis::spectrum::Spectrogram::compute(&mono, vocal.sample_rate, 2048, 1024);
    let (mut hi, mut all) = (0.0f64, 0.0f64);
    for frame in &spec.mags {
        for (k, m) in frame.iter().enumerate() {
            let e = (*m as f64).powi(2);
            all += e;
            if spec.bin_hz(k) > 4000.0 {
                hi += e;
            }
        }
    }
    eprintln!("vocal stem high-frequency share: {:.2} %", 100.0 * hi / all);
    assert!(hi / all >= 0.03, "{:.2} %", 100.0 * hi / all);
    // MIDI carries the syllables as lyric events.
    let dir = tmp("lyrics");
    write_song(&sung, &dir).unwrap();
    let bytes = std::fs::read(dir.join("song.mid")).unwrap();
    let smf = midly::Smf::parse(&bytes).unwrap();
    let lyric_events = smf
        .tracks
        .iter()
        .flatten()
        .filter(|e| {
            matches!(
                e.kind,
                midly::TrackEventKind::Meta(midly::MetaMessage::Lyric(_))
            )
        })
        .count();
    assert_eq!(lyric_events, sung.meta.syllables.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn quality_sets_rate_and_depth_and_bad_requests_fail_cleanly() {
    let hi = song("techno in A minor", 1, |r| {
        r.duration_secs = Some(6.0);
        r.quality = son1k_core::Quality::Ultra;
    });
    assert_eq!(hi.mix.sample_rate, 96_000);
    let dir = tmp("ultra");
    write_song(&hi, &dir).unwrap();
    let reader = hound::WavReader::open(dir.join("mix.wav")).unwrap();
    assert_eq!(reader.spec().bits_per_sample, 32);
    assert_eq!(reader.spec().sample_format, hound::SampleFormat::Float);
    // A non-empty folder is never overwritten, and nothing partial is left beside it.
    let err = write_song(&hi, &dir).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    let parent = dir.parent().unwrap();
    let leftovers = std::fs::read_dir(parent)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .count();
    assert_eq!(leftovers, 0);
    let _ = std::fs::remove_dir_all(&dir);

    let mut bad = GenerationRequest::new("x".repeat(2001));
    bad.seed = 1;
    let e = ProceduralEngine::default()
        .generate(&bad, &mut |_| {}, &AtomicBool::new(false))
        .unwrap_err();
    assert!(matches!(e, ComposeError::Invalid(_)), "{e}");
    let cancelled = ProceduralEngine::default()
        .generate(
            &GenerationRequest::new("ambient"),
            &mut |_| {},
            &AtomicBool::new(true),
        )
        .unwrap_err();
    assert!(matches!(cancelled, ComposeError::Cancelled));
}

#[test]
fn progress_is_reported_in_order() {
    let mut seen = Vec::new();
    let mut req = GenerationRequest::new("funk in E minor");
    req.duration_secs = Some(6.0);
    ProceduralEngine::default()
        .generate(&req, &mut |p| seen.push(p), &AtomicBool::new(false))
        .unwrap();
    assert!(seen.len() >= 5);
    assert!(seen.windows(2).all(|w| w[0].fraction <= w[1].fraction));
    assert_eq!(seen.last().unwrap().fraction, 1.0);
    assert!(seen.iter().any(|p| p.stage == "rendering drums"));
}

#[test]
fn a_general_midi_soundfont_renders_the_same_song() {
    let Some(font) = son1k_compose::soundfont::find_system_soundfont() else {
        eprintln!(
            "skipped: no General MIDI SoundFont installed (make test installs timgm6mb-soundfont)"
        );
        return;
    };
    let engine = ProceduralEngine {
        instruments: Instruments::SoundFont(font.clone()),
    };
    let mut req = GenerationRequest::new("pop 120 bpm in G major");
    req.duration_secs = Some(12.0);
    req.seed = 2;
    let s = engine
        .generate(&req, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    assert_eq!(
        s.meta.instruments,
        font.file_name().unwrap().to_string_lossy()
    );
    let (bpm, key) = son1k_analysis::tempo_and_key(&s.mix).unwrap();
    assert!((bpm - 120.0).abs() <= 2.4, "{bpm}");
    assert_eq!(key.key, "G major".parse::<Key>().unwrap());
    // A file that is not a SoundFont is a clear error, not a crash.
    let bogus = tmp("bogus.sf2");
    std::fs::write(&bogus, b"RIFF\0\0\0\0not a soundfont").unwrap();
    let e = ProceduralEngine {
        instruments: Instruments::SoundFont(bogus.clone()),
    }
    .generate(&req, &mut |_| {}, &AtomicBool::new(false))
    .unwrap_err();
    assert!(e.to_string().contains("not a usable SoundFont"), "{e}");
    let _ = std::fs::remove_file(&bogus);
}

#[test]
fn a_blend_samples_the_acoustic_parts_and_keeps_the_synths() {
    let Some(font) = son1k_compose::soundfont::find_system_soundfont() else {
        eprintln!(
            "skipped: no General MIDI SoundFont installed (make test installs timgm6mb-soundfont)"
        );
        return;
    };
    let name = font.file_name().unwrap().to_string_lossy().into_owned();
    // Salsa (piano montuno, tumbao bass, brass, hand percussion on an acoustic kit) and trap
    // (808s and a drum machine): each song through the built-in synthesizers and the blend.
    let (mut sampled, mut kept) = (0, 0);
    for prompt in ["salsa 180 bpm in A minor", "trap 140 bpm in F minor"] {
        let mut req = GenerationRequest::new(prompt);
        req.duration_secs = Some(10.0);
        req.seed = 4;
        let song = |instruments| {
            ProceduralEngine { instruments }
                .generate(&req, &mut |_| {}, &AtomicBool::new(false))
                .unwrap()
        };
        let synth = song(Instruments::BuiltIn);
        let blend = song(Instruments::Blend(font.clone()));
        assert_eq!(synth.score.parts, blend.score.parts, "the same notes");
        let groove = blend.meta.brief.style.params().groove;
        let (mut here_sampled, mut here_kept) = (Vec::new(), Vec::new());
        for part in &blend.score.parts {
            let a = synth.stems.iter().find(|s| s.name == part.name).unwrap();
            let b = blend.stems.iter().find(|s| s.name == part.name).unwrap();
            if son1k_compose::soundfont::sampled(part.sound, part.role, groove) {
                assert_ne!(a.audio, b.audio, "{prompt}: {} is sampled", part.name);
                here_sampled.push(part.name.clone());
            } else {
                assert_eq!(a.audio, b.audio, "{prompt}: {} stays built-in", part.name);
                here_kept.push(part.name.clone());
            }
        }
        // The song says which parts played what.
        let expected = match (here_sampled.is_empty(), here_kept.is_empty()) {
            (true, _) => "built-in".to_string(),
            (false, true) => name.clone(),
            (false, false) => format!(
                "{name}: {}; built-in: {}",
                here_sampled.join(", "),
                here_kept.join(", ")
            ),
        };
        assert_eq!(blend.meta.instruments, expected, "{prompt}");
        sampled += here_sampled.len();
        kept += here_kept.len();
    }
    assert!(
        sampled >= 3,
        "salsa's piano, bass and percussion are sampled"
    );
    assert!(kept >= 2, "trap's 808 and drum machine stay built-in");
}
