//! Voice conversion as a library job, through the façade, with a real (tiny) kNN-VC: the random-
//! weight WavLM and HiFi-GAN fixtures of son1k-ml are installed the way a user installs a model
//! offline — a manifest placed in the models folder (`DATA/models/NAME.json`) names their files and
//! configuration, and `import` copies and checks them.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use son1k_app::voice::{ENCODER, VOCODER};
use son1k_app::{AppError, Paths, Studio};
use son1k_audio::{AudioBuffer, SampleFormat};

struct Home(PathBuf);

impl Home {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("son1k-app-voice-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Home(p)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../son1k-ml/tests/fixtures")
        .join(name)
}

/// A sung-like tone with a few harmonics, mono.
fn voice_file(path: &Path, rate: u32, seconds: f32, hz: f32) {
    let n = (rate as f32 * seconds) as usize;
    let samples = (0..n)
        .map(|i| {
            let t = i as f32 / rate as f32;
            [1.0f32, 0.5, 0.3]
                .iter()
                .enumerate()
                .map(|(h, g)| g * (std::f32::consts::TAU * hz * (h + 1) as f32 * t).sin())
                .sum::<f32>()
                * 0.25
        })
        .collect();
    let buf = AudioBuffer::new(rate, vec![samples]).unwrap();
    son1k_audio::write_file(path, &buf, SampleFormat::I16).unwrap();
}

/// Points the encoder and vocoder at the tiny fixtures with local manifests, then imports them.
fn install_tiny_models(studio: &Studio) {
    let dir = studio.paths().models_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for (name, weights, config, layer) in [
        (
            ENCODER,
            "wavlm_large_tiny.safetensors",
            "wavlm_large_tiny.json",
            Some(2),
        ),
        (VOCODER, "hifigan_tiny.pt", "hifigan_tiny.json", None),
    ] {
        let mut m = studio.model_status(name).unwrap().manifest;
        m.files[0].name = weights.into();
        m.files[0].sha256 = None;
        m.files[0].bytes = Some(std::fs::metadata(fixture(weights)).unwrap().len());
        m.config = serde_json::from_slice(&std::fs::read(fixture(config)).unwrap()).unwrap();
        if let Some(l) = layer {
            m.r#use["layer"] = l.into();
        }
        std::fs::write(
            dir.join(format!("{name}.json")),
            serde_json::to_vec(&m).unwrap(),
        )
        .unwrap();
    }
    for (name, weights) in [
        (ENCODER, "wavlm_large_tiny.safetensors"),
        (VOCODER, "hifigan_tiny.pt"),
    ] {
        assert_eq!(
            studio.import_model(name, &[fixture(weights)]).unwrap(),
            vec![weights.to_string()]
        );
    }
}

fn setup(name: &str) -> (Home, Studio, PathBuf) {
    let home = Home::new(name);
    let studio = Studio::with_paths(Paths::under(&home.0));
    install_tiny_models(&studio);
    let ana = home.0.join("ana.wav");
    voice_file(&ana, 16_000, 2.0, 180.0);
    let p = studio
        .create_voice_profile("ana", &[ana], true, &mut |_| {})
        .unwrap();
    assert_eq!(p.model, ENCODER);
    let input = home.0.join("take.wav");
    voice_file(&input, 44_100, 2.5, 220.0);
    (home, studio, input)
}

fn job_status(studio: &Studio, id: Option<&str>) -> Vec<(String, String)> {
    studio
        .jobs()
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == son1k_app::voice::CONVERT_JOB && id.is_none_or(|i| i == j.id))
        .map(|j| (j.id, j.status.as_str().to_string()))
        .collect()
}

#[test]
fn a_conversion_runs_as_a_job_with_progress_and_writes_its_file() {
    let (home, studio, input) = setup("done");
    let out = home.0.join("out").join("ana-take.wav");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let mut seen: Vec<(f32, String)> = Vec::new();
    let report = studio
        .convert_voice(
            &input,
            "ana",
            &out,
            &mut |p| seen.push((p.fraction, p.stage.to_string())),
            &AtomicBool::new(false),
        )
        .unwrap();
    // The file: 16 kHz mono, as long as the input (within one vocoder hop).
    let audio = son1k_audio::decode_file(&out).unwrap();
    assert_eq!(audio.sample_rate, 16_000);
    assert_eq!(audio.channel_count(), 1);
    assert!(
        (audio.duration_secs() - 2.5).abs() < 0.01,
        "{}",
        audio.duration_secs()
    );
    assert!((report.seconds - 2.5).abs() < 1e-3);
    assert_eq!(report.profile, "ana");
    // Progress went through the model's stages, in order, never backwards.
    let stages: Vec<&str> = seen.iter().map(|(_, s)| s.as_str()).collect();
    for s in ["encode", "vocode"] {
        assert!(stages.contains(&s), "{stages:?}");
    }
    assert!(seen.windows(2).all(|w| w[1].0 >= w[0].0), "{seen:?}");
    // The job is in the library, done, with the report stored as its result.
    assert_eq!(
        job_status(&studio, Some(&report.job_id)),
        vec![(report.job_id.clone(), "done".to_string())]
    );
    let views = son1k_app::jobs::list(&studio, 10).unwrap();
    let view = views.iter().find(|v| v.id == report.job_id).unwrap();
    assert_eq!(view.kind, "voice-convert");
    assert!(view.label.ends_with("take.wav"), "{}", view.label);
    // Its progress was kept in the row as it ran (the Dashboard may be another process).
    assert!(view.progress > 0.9, "{}", view.progress);
    let stored = studio.job_result(&report.job_id).unwrap().unwrap();
    assert_eq!(stored["profile"], "ana");
}

#[test]
fn a_cancelled_conversion_stops_and_leaves_no_file() {
    let (home, studio, input) = setup("cancel");
    let out = home.0.join("cancelled.wav");
    let cancel = AtomicBool::new(false);
    let mut stages = Vec::new();
    // Cancelled as soon as the job reports that it started (it then still has to load the models,
    // encode, match and vocode): it must stop at its next check.
    let err = studio
        .convert_voice(
            &input,
            "ana",
            &out,
            &mut |p| {
                stages.push(p.stage.to_string());
                if p.stage != "queued" {
                    cancel.store(true, Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .unwrap_err();
    assert_eq!(err.code(), "cancelled", "{err}");
    assert!(!out.exists(), "a cancelled conversion leaves no file");
    let leftovers: Vec<_> = std::fs::read_dir(&home.0)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("cancelled"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let jobs = job_status(&studio, None);
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].1, "cancelled");
    // A later conversion of the same file still works (nothing half-done is in the way).
    let r = studio
        .convert_voice(&input, "ana", &out, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    assert!(out.is_file());
    assert_ne!(r.job_id, jobs[0].0);
}

#[test]
fn a_queued_conversion_resumes_with_the_other_jobs() {
    // What a crash leaves: the job row queued, no process running it.
    let (home, studio, input) = setup("resume");
    let out = home.0.join("resumed.wav");
    let payload = serde_json::json!({ "file": input, "profile": "ana", "output": out });
    let id = son1k_store::Store::open(&studio.paths().library_db())
        .unwrap()
        .enqueue(son1k_app::voice::CONVERT_JOB, &payload, 0)
        .unwrap()
        .id;
    let finished = studio
        .resume_jobs(&mut |_, _| {}, &AtomicBool::new(false))
        .unwrap();
    assert_eq!(finished, 1);
    assert_eq!(
        job_status(&studio, Some(&id)),
        vec![(id.clone(), "done".into())]
    );
    let stored = studio.job_result(&id).unwrap().unwrap();
    let report: son1k_app::voice::ConvertReport = serde_json::from_value(stored).unwrap();
    assert_eq!(report.job_id, id);
    assert!((report.seconds - 2.5).abs() < 1e-3);
    assert!(son1k_audio::decode_file(&out).unwrap().frames() > 0);
}

#[test]
fn unknown_profiles_and_missing_models_are_refused_before_a_job_is_queued() {
    let home = Home::new("refused");
    let studio = Studio::with_paths(Paths::under(&home.0));
    let input = home.0.join("in.wav");
    voice_file(&input, 16_000, 0.5, 220.0);
    let out = home.0.join("o.wav");
    let never = AtomicBool::new(false);
    let err = studio
        .convert_voice(&input, "nobody", &out, &mut |_| {}, &never)
        .unwrap_err();
    assert_eq!(err.code(), "unknown-profile");
    assert!(
        err.to_string()
            .contains("no voice profile named \"nobody\""),
        "{err}"
    );
    assert!(err.is_user_error());
    // A profile without the models: the error names the install command.
    install_tiny_models(&studio);
    studio
        .create_voice_profile("ana", std::slice::from_ref(&input), true, &mut |_| {})
        .unwrap();
    studio.remove_model(VOCODER).unwrap();
    let err = studio
        .convert_voice(&input, "ana", &out, &mut |_| {}, &never)
        .unwrap_err();
    assert_eq!(err.code(), "model-missing", "{err}");
    assert!(
        err.to_string()
            .contains("son1k models install knnvc-hifigan-prematched"),
        "{err}"
    );
    assert!(!out.exists());
    assert!(job_status(&studio, None).is_empty(), "nothing was queued");
    // A damaged local manifest is named, not ignored.
    std::fs::write(
        studio.paths().models_dir().join("broken.json"),
        b"{ not json",
    )
    .unwrap();
    match studio.list_models() {
        Err(AppError::Ml(e)) => assert!(e.to_string().contains("broken.json"), "{e}"),
        other => panic!("expected a manifest error, got {other:?}"),
    }
}

#[test]
fn voice_results_are_kept_as_a_list_nothing_overwritten_and_exported_as_copies() {
    use son1k_app::voice::{self, ResultKind, TransformParams};
    let (home, studio, input) = setup("results");
    let name = voice::import(&studio, &input).unwrap();
    let up = TransformParams {
        semitones: 3.0,
        ..TransformParams::default()
    };
    let down = TransformParams {
        semitones: -5.0,
        ..TransformParams::default()
    };
    let first = voice::transform_in_folder(&studio, &name, &up).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = voice::transform_in_folder(&studio, &name, &down).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let converted =
        voice::convert_in_folder(&studio, &name, "ana", &mut |_| {}, &AtomicBool::new(false))
            .unwrap();
    // Three files, none written over another.
    assert_eq!(first.output, PathBuf::from("take.transformed.wav"));
    assert_eq!(second.output, PathBuf::from("take.transformed-2.wav"));
    let dir = studio.paths().voice_dir();
    let a = son1k_audio::decode_file(&dir.join(&first.output)).unwrap();
    let b = son1k_audio::decode_file(&dir.join(&second.output)).unwrap();
    assert_ne!(
        a.channels, b.channels,
        "the first result is still the +3 one"
    );
    // The list: newest first, each with how it was made.
    let list = voice::results(&studio);
    assert_eq!(
        list.iter()
            .map(|r| (r.file.as_str(), r.kind))
            .collect::<Vec<_>>(),
        [
            (converted.output.to_str().unwrap(), ResultKind::Convert),
            ("take.transformed-2.wav", ResultKind::Transform),
            ("take.transformed.wav", ResultKind::Transform),
        ]
    );
    assert_eq!(list[1].params.unwrap().semitones, -5.0);
    assert_eq!(list[0].profile.as_deref(), Some("ana"));
    assert!(list.iter().all(|r| r.source == name));
    assert!(list.iter().all(|r| r.path == dir.join(&r.file)));
    // Exported twice into one folder: two copies, the same bytes as the result.
    let out = home.0.join("exports");
    std::fs::create_dir_all(&out).unwrap();
    let e1 = voice::export(&studio, "take.transformed.wav", &out).unwrap();
    let e2 = voice::export(&studio, "take.transformed.wav", &out).unwrap();
    assert_ne!(e1, e2);
    assert_eq!(
        std::fs::read(&e1).unwrap(),
        std::fs::read(dir.join("take.transformed.wav")).unwrap()
    );
    assert!(e2.is_file());
    // A result removed from the folder leaves the list; bad names and folders are clear errors.
    std::fs::remove_file(dir.join("take.transformed.wav")).unwrap();
    assert_eq!(voice::results(&studio).len(), 2);
    let e = voice::export(&studio, "take.transformed.wav", &out).unwrap_err();
    assert_eq!(e.field(), Some("file"));
    let e = voice::export(&studio, "../x.wav", &out).unwrap_err();
    assert_eq!(e.field(), Some("file"));
    let e = voice::export(
        &studio,
        &converted.output.to_string_lossy(),
        &out.join("nope"),
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("folder"));
}
