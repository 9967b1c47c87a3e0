//! The façade as the shell and CLI see it.
#![allow(clippy::unwrap_used)]

use son1k_app::{AppError, Paths, Studio};
use son1k_core::{Knob, Lang, Preset, PromptInput, Tier};

fn studio() -> (tempdir::Dir, Studio) {
    let dir = tempdir::Dir::new();
    let s = Studio::with_paths(Paths::under(dir.path()));
    (dir, s)
}

mod tempdir {
    //! A throwaway directory removed on drop (no extra crate needed).
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let p = std::env::temp_dir().join(format!(
                "son1k-app-test-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn prompt_carries_knob_descriptions_in_the_asked_language() {
    let (_d, s) = studio();
    let input = PromptInput {
        genre: Some("rock".into()),
        knobs: Preset::Alegre.knobs(),
        lang: Lang::Es,
        ..Default::default()
    };
    let built = s.build_prompt(&input, Lang::Es).unwrap();
    assert!(
        built.prompt.starts_with("Una canción de rock enérgica"),
        "{}",
        built.prompt
    );
    assert_eq!(built.length as usize, built.prompt.chars().count());
    assert_eq!(built.max_length, 2000);
    let garage = built.knobs.iter().find(|k| k.knob == Knob::Garage).unwrap();
    assert_eq!(garage.value, 50);
    assert_eq!(garage.description, "Saturación de cinta vintage");
}

#[test]
fn descriptions_follow_the_display_language_not_the_prompt() {
    let (_d, s) = studio();
    let input = PromptInput {
        knobs: Preset::Agresivo.knobs(),
        lang: Lang::En,
        ..Default::default()
    };
    let built = s.build_prompt(&input, Lang::Es).unwrap();
    assert!(
        built.prompt.starts_with("A euphoric song."),
        "{}",
        built.prompt
    );
    assert_eq!(built.lang, Lang::En);
    let expr = built
        .knobs
        .iter()
        .find(|k| k.knob == Knob::Expressivity)
        .unwrap();
    assert_eq!(expr.label, "Expresividad");
    assert!(
        expr.description.starts_with("Eufórico"),
        "{}",
        expr.description
    );
}

#[test]
fn invalid_input_is_a_user_error() {
    let (_d, s) = studio();
    let input = PromptInput {
        bpm: Some(9999),
        ..Default::default()
    };
    let err = s.build_prompt(&input, Lang::En).unwrap_err();
    assert!(err.is_user_error());
    assert_eq!(err.code(), "invalid-input");
    assert!(matches!(err, AppError::Invalid(ref v) if v.field == "bpm"));
    assert!(err.to_string().contains("BPM must be 40–240"));
}

#[test]
fn info_reports_directories_engines_and_probes() {
    let (dir, s) = studio();
    s.paths().ensure().unwrap();
    let info = s.info();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert!(
        info.data_dir.exists
            && info
                .data_dir
                .path
                .starts_with(&*dir.path().to_string_lossy())
    );
    assert!(info.engines.iter().all(|e| !e.status.is_empty()));
    // Whatever the machine has, the Ollama and audio probes answer with a status.
    assert!(info.ollama.reachable || info.ollama.message.is_some());
    assert!(!info.audio.status.is_empty());
}

#[test]
fn tiers_and_presets_come_from_core() {
    let (_d, s) = studio();
    let tiers = s.tiers();
    assert_eq!(tiers.len(), 4);
    assert_eq!(tiers[0].tier, Tier::Free);
    assert_eq!(s.presets().len(), 4);
    let genres = s.genres(Lang::Es);
    assert!(genres
        .iter()
        .any(|(id, name)| id == "reggaeton" && name == "reguetón"));
}

#[test]
fn generation_runs_as_a_library_job_and_cancels_cleanly() {
    use son1k_app::{GenerateOptions, InstrumentChoice};
    use std::sync::atomic::{AtomicBool, Ordering};
    let (dir, s) = studio();
    let mut request = son1k_core::GenerationRequest::new("lo-fi 80 bpm in Bb major");
    request.duration_secs = Some(8.0);
    request.seed = 11;
    let opts = GenerateOptions {
        request: request.clone(),
        out_dir: dir.path().join("song"),
        instruments: InstrumentChoice::BuiltIn,
    };
    let mut stages = Vec::new();
    let report = s
        .generate(
            &opts,
            &mut |p| stages.push((p.fraction, p.stage.to_string())),
            &AtomicBool::new(false),
        )
        .unwrap();
    assert_eq!((report.bpm, report.key.as_str()), (80, "Bb major"));
    assert!(report.dir.join("mix.wav").is_file());
    assert!(stages.iter().any(|(_, st)| st == "rendering bass"));
    let job = s.job(&report.job_id).unwrap();
    assert_eq!(job.status, son1k_store::JobStatus::Done);

    // Cancelling as soon as it starts: the job ends cancelled and no song folder appears.
    let cancel = AtomicBool::new(false);
    let opts2 = GenerateOptions {
        out_dir: dir.path().join("cancelled"),
        request: {
            let mut r = request.clone();
            r.duration_secs = Some(240.0);
            r
        },
        ..opts.clone()
    };
    let err = s
        .generate(
            &opts2,
            &mut |p| {
                if p.stage != "queued" {
                    cancel.store(true, Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .unwrap_err();
    assert!(err.to_string().contains("cancel"), "{err}");
    assert!(!dir.path().join("cancelled").exists());
    let jobs = s.jobs().unwrap();
    assert!(jobs
        .iter()
        .any(|j| j.kind == "generate" && j.status == son1k_store::JobStatus::Cancelled));

    // A missing SoundFont is refused before anything is queued.
    let before = s.jobs().unwrap().len();
    let bad = GenerateOptions {
        instruments: InstrumentChoice::SoundFont(dir.path().join("none.sf2")),
        out_dir: dir.path().join("x"),
        ..opts
    };
    let e = s
        .generate(&bad, &mut |_| {}, &AtomicBool::new(false))
        .unwrap_err();
    assert_eq!(e.code(), "generate");
    assert_eq!(s.jobs().unwrap().len(), before);
}
