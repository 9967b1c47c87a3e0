//! The settings a musician changes on the Settings screen (or with `son1k devices`): which audio
//! output and input to use and the buffer asked of the output. They are kept in the library
//! (setting `audio_devices`, JSON) and made the process's choice in son1k-audio, which every
//! stream the studio opens follows: live playback, the count-in and metronome, file playback and
//! recording. A chosen device that is not connected is passed over for the system's default
//! (son1k-audio looks again about once a second, so plugging it back in moves playback to it).

use son1k_core::ValidationError;

pub use son1k_audio::DeviceChoice as AudioSettings;

use crate::{AppError, Studio};

/// The library setting the choice is kept in.
const SET_AUDIO: &str = "audio_devices";
/// The buffer sizes (frames per callback) a device may be asked for.
pub const BUFFER_FRAMES: std::ops::RangeInclusive<u32> = 32..=4096;
/// The longest device name accepted (hosts name devices in well under 200 characters).
const MAX_NAME: usize = 256;

impl Studio {
    /// The saved audio settings ([`AudioSettings::default`] when none were saved, or the saved
    /// text is unreadable).
    pub fn audio_settings(&self) -> Result<AudioSettings, AppError> {
        let saved = self.library()?.setting(SET_AUDIO)?;
        Ok(saved
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    /// Checks, saves and applies `settings` (blank names mean the system's default); returns what
    /// was saved. Nothing is saved or applied when a value is refused.
    pub fn set_audio_settings(&self, settings: AudioSettings) -> Result<AudioSettings, AppError> {
        let settings = checked(settings)?;
        let text = serde_json::to_string(&settings).map_err(|e| AppError::Io {
            action: "could not write the audio settings for",
            path: self.paths.library_db(),
            source: std::io::Error::other(e),
        })?;
        self.library()?.set_setting(SET_AUDIO, &text)?;
        son1k_audio::choose_devices(settings.clone());
        Ok(settings)
    }

    /// Makes the saved audio settings the process's choice (the desktop and the CLI do this once
    /// at start); returns them.
    pub fn apply_audio_settings(&self) -> Result<AudioSettings, AppError> {
        let settings = self.audio_settings()?;
        son1k_audio::choose_devices(settings.clone());
        Ok(settings)
    }
}

fn checked(s: AudioSettings) -> Result<AudioSettings, ValidationError> {
    let name = |field: &str, n: Option<String>| -> Result<Option<String>, ValidationError> {
        match n.map(|n| n.trim().to_string()) {
            Some(n) if n.is_empty() => Ok(None),
            Some(n) if n.chars().count() > MAX_NAME => Err(ValidationError::new(
                field,
                format!("({} characters)", n.chars().count()),
                format!("a device name has at most {MAX_NAME} characters"),
            )),
            other => Ok(other),
        }
    };
    if let Some(b) = s.buffer {
        if !BUFFER_FRAMES.contains(&b) || !b.is_power_of_two() {
            return Err(ValidationError::new(
                "buffer",
                b,
                format!(
                    "the buffer must be a power of two from {} to {} frames",
                    BUFFER_FRAMES.start(),
                    BUFFER_FRAMES.end()
                ),
            ));
        }
    }
    Ok(AudioSettings {
        output: name("output", s.output)?,
        input: name("input", s.input)?,
        buffer: s.buffer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_blank_means_the_default_and_odd_buffers_are_refused() {
        let s = checked(AudioSettings {
            output: Some("  pulse ".into()),
            input: Some("   ".into()),
            buffer: Some(128),
        })
        .unwrap_or_default();
        assert_eq!(s.output.as_deref(), Some("pulse"));
        assert_eq!(s.input, None);
        assert_eq!(s.buffer, Some(128));
        for bad in [0, 100, 16, 8192] {
            let e = checked(AudioSettings {
                buffer: Some(bad),
                ..AudioSettings::default()
            });
            assert!(matches!(&e, Err(v) if v.field == "buffer"), "{bad}: {e:?}");
        }
        let long = checked(AudioSettings {
            output: Some("x".repeat(300)),
            ..AudioSettings::default()
        });
        assert!(matches!(&long, Err(v) if v.field == "output"), "{long:?}");
        assert!(checked(AudioSettings {
            buffer: None,
            ..AudioSettings::default()
        })
        .is_ok());
    }
}
