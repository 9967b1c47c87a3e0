//! The audio settings: saved in the library, applied to the process, and followed by the
//! streams the studio opens — a chosen output device plays, a chosen device that is not
//! connected gives way to the system's default. (Its own test binary: the choice is the
//! process's.)
#![allow(clippy::unwrap_used)]

use son1k_app::{AppError, AudioSettings, Paths, Studio};
use son1k_audio::AudioBuffer;

fn studio(tag: &str) -> (std::path::PathBuf, Studio) {
    let dir =
        std::env::temp_dir().join(format!("son1k-audio-settings-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    (dir.clone(), Studio::with_paths(Paths::under(&dir)))
}

#[test]
fn settings_are_kept_refused_whole_and_followed_by_playback() {
    let (dir, s) = studio("all");
    assert_eq!(s.audio_settings().unwrap(), AudioSettings::default());

    let mine = AudioSettings {
        output: Some("  Scarlett 2i2 USB ".into()),
        input: Some("".into()),
        buffer: Some(128),
    };
    let saved = s.set_audio_settings(mine).unwrap();
    assert_eq!(saved.output.as_deref(), Some("Scarlett 2i2 USB"));
    assert_eq!(saved.input, None);
    assert_eq!(
        son1k_audio::chosen_devices(),
        saved,
        "applied to the process at once"
    );

    // A refused value changes nothing: neither what is saved nor what is in force.
    let e = s
        .set_audio_settings(AudioSettings {
            buffer: Some(100),
            ..saved.clone()
        })
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Invalid(v) if v.field == "buffer"),
        "{e}"
    );
    assert_eq!(e.code(), "invalid-input");
    assert_eq!(s.audio_settings().unwrap(), saved);
    assert_eq!(son1k_audio::chosen_devices(), saved);

    // Another run of the studio on the same folders applies what was saved.
    son1k_audio::choose_devices(AudioSettings::default());
    let again = Studio::with_paths(Paths::under(&dir));
    assert_eq!(again.apply_audio_settings().unwrap(), saved);
    assert_eq!(son1k_audio::chosen_devices(), saved);

    // On a real device: a chosen output that is connected is the one played on; one that is
    // not gives way to the default. (Needs a sound server: scripts/virtual-audio.sh.)
    let report = s.devices();
    let tone: Vec<f32> = (0..24_000).map(|i| 0.1 * (i as f32 * 0.05).sin()).collect();
    let file = dir.join("tone.wav");
    son1k_audio::write_file(
        &file,
        &AudioBuffer::new(48_000, vec![tone.clone(), tone]).unwrap(),
        son1k_audio::SampleFormat::F32,
    )
    .unwrap();
    son1k_audio::choose_devices(AudioSettings::default());
    let default = match s.play(&file, None) {
        Ok(h) => h.device().to_string(),
        Err(e) if std::env::var("CI").is_err() => {
            eprintln!("SKIPPED the device half: no output device ({e})");
            return;
        }
        Err(e) => panic!("CI=true needs the virtual sound device: {e}"),
    };
    // Another listed output that opens (a host lists some that cannot play on this machine).
    let choose = |name: &str| {
        s.set_audio_settings(AudioSettings {
            output: Some(name.to_string()),
            ..AudioSettings::default()
        })
        .unwrap()
    };
    let other = report
        .outputs
        .iter()
        .map(|d| d.name.clone())
        .filter(|n| *n != default)
        .find(|n| {
            choose(n);
            s.play(&file, None).is_ok_and(|h| h.device() == n.as_str())
        });
    let Some(other) = other else {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true: no second output device besides {default:?} in {:?}",
            report.outputs
        );
        eprintln!("SKIPPED the choice of another device: only {default:?} plays here");
        return;
    };
    eprintln!("default output {default:?}, chosen {other:?}");
    choose(&other);
    assert_eq!(s.play(&file, None).unwrap().device(), other);
    choose("an interface that is not plugged in");
    assert_eq!(
        s.play(&file, None).unwrap().device(),
        default,
        "the default stands in"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
