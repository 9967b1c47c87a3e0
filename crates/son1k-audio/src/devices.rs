//! Listing audio hosts and devices without ever hanging the caller.

use cpal::traits::{DeviceTrait, HostTrait};
use serde::Serialize;
use std::sync::mpsc;
use std::time::Duration;

/// One input or output device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeviceInfo {
    /// The device's name as the host reports it.
    pub name: String,
    /// Whether it is the host's default device for its direction.
    pub is_default: bool,
    /// Its default sample rate in Hz, when the device answers.
    pub sample_rate: Option<u32>,
    /// Its default channel count, when the device answers.
    pub channels: Option<u16>,
}

/// The devices the user chose (in Settings, or `son1k devices --output/--input`), by name, and
/// the buffer asked of an output device. A device that is not connected is passed over for the
/// system's default until it is back: playback and recording never fail because a chosen
/// interface was unplugged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeviceChoice {
    /// The output device's name; `None` follows the system's default output.
    pub output: Option<String>,
    /// The input device's name; `None` follows the system's default input.
    pub input: Option<String>,
    /// Frames per callback asked of the output device; `None` lets the system choose.
    pub buffer: Option<u32>,
}

/// The buffer asked of an output device when nothing else is chosen (about 5 ms at 48 kHz).
pub const DEFAULT_BUFFER: u32 = 256;

impl Default for DeviceChoice {
    fn default() -> Self {
        DeviceChoice {
            output: None,
            input: None,
            buffer: Some(DEFAULT_BUFFER),
        }
    }
}

static CHOICE: std::sync::RwLock<Option<DeviceChoice>> = std::sync::RwLock::new(None);

/// Makes `choice` the process's device choice: the next stream opened (and the engine's next
/// look at which device is current, about once a second) follows it.
pub fn choose_devices(choice: DeviceChoice) {
    match CHOICE.write() {
        Ok(mut c) => *c = Some(choice),
        Err(poisoned) => *poisoned.into_inner() = Some(choice),
    }
}

/// The process's device choice ([`DeviceChoice::default`] until one is made).
pub fn chosen_devices() -> DeviceChoice {
    match CHOICE.read() {
        Ok(c) => c.clone().unwrap_or_default(),
        Err(poisoned) => poisoned.into_inner().clone().unwrap_or_default(),
    }
}

/// Which of `names` is `chosen` (exactly, else ignoring case and surrounding space): `None`
/// when nothing is chosen or the chosen device is not among them.
pub fn pick_device<'a>(
    names: impl IntoIterator<Item = &'a str>,
    chosen: Option<&str>,
) -> Option<usize> {
    let chosen = chosen?.trim();
    if chosen.is_empty() {
        return None;
    }
    let names: Vec<&str> = names.into_iter().collect();
    names.iter().position(|n| *n == chosen).or_else(|| {
        names
            .iter()
            .position(|n| n.trim().eq_ignore_ascii_case(chosen))
    })
}

/// The chosen device of `devices` when it is connected, else `fallback` (the system's default).
fn chosen_or(
    devices: Result<impl Iterator<Item = cpal::Device>, cpal::DevicesError>,
    chosen: Option<&str>,
    fallback: impl FnOnce() -> Option<cpal::Device>,
) -> Option<cpal::Device> {
    if chosen.is_some() {
        if let Ok(devices) = devices {
            let devices: Vec<(String, cpal::Device)> = devices
                .filter_map(|d| d.name().ok().map(|n| (n, d)))
                .collect();
            if let Some(i) = pick_device(devices.iter().map(|(n, _)| n.as_str()), chosen) {
                return devices.into_iter().nth(i).map(|(_, d)| d);
            }
        }
    }
    fallback()
}

/// The output device to play on: the chosen one when connected, else the host's default.
pub(crate) fn output_device(host: &cpal::Host) -> Option<cpal::Device> {
    let choice = chosen_devices();
    chosen_or(host.output_devices(), choice.output.as_deref(), || {
        host.default_output_device()
    })
}

/// The input device to record from: the chosen one when connected, else the host's default.
pub(crate) fn input_device(host: &cpal::Host) -> Option<cpal::Device> {
    let choice = chosen_devices();
    chosen_or(host.input_devices(), choice.input.as_deref(), || {
        host.default_input_device()
    })
}

/// What the audio probe found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AudioReport {
    /// `ok` when devices were listed, `no-devices` when the host has none, `timeout` or `error`.
    pub status: String,
    /// The host API in use (ALSA, CoreAudio, WASAPI, …).
    pub host: String,
    /// Output devices.
    pub outputs: Vec<DeviceInfo>,
    /// Input devices.
    pub inputs: Vec<DeviceInfo>,
    /// A sentence for the user when something is missing or wrong.
    pub message: Option<String>,
}

fn describe(device: &cpal::Device, default_name: Option<&str>, output: bool) -> Option<DeviceInfo> {
    let name = device.name().ok()?;
    let config = if output {
        device.default_output_config().ok()
    } else {
        device.default_input_config().ok()
    };
    Some(DeviceInfo {
        is_default: default_name == Some(name.as_str()),
        sample_rate: config.as_ref().map(|c| c.sample_rate().0),
        channels: config.as_ref().map(|c| c.channels()),
        name,
    })
}

fn list() -> AudioReport {
    let host = cpal::default_host();
    let host_name = host.id().name().to_string();
    let default_out = host.default_output_device().and_then(|d| d.name().ok());
    let default_in = host.default_input_device().and_then(|d| d.name().ok());
    let outputs: Vec<DeviceInfo> = match host.output_devices() {
        Ok(devs) => devs
            .filter_map(|d| describe(&d, default_out.as_deref(), true))
            .collect(),
        Err(e) => {
            return AudioReport {
                status: "error".into(),
                host: host_name,
                outputs: vec![],
                inputs: vec![],
                message: Some(format!("could not list output devices: {e}")),
            }
        }
    };
    let inputs: Vec<DeviceInfo> = host
        .input_devices()
        .map(|devs| {
            devs.filter_map(|d| describe(&d, default_in.as_deref(), false))
                .collect()
        })
        .unwrap_or_default();
    let none = outputs.is_empty() && inputs.is_empty();
    AudioReport {
        status: if none { "no-devices" } else { "ok" }.into(),
        message: none.then(|| {
            format!("{host_name} reports no audio devices: playback and recording are unavailable, offline rendering and export still work")
        }),
        host: host_name,
        outputs,
        inputs,
    }
}

/// Lists hosts and devices, giving up after `timeout` (a wedged driver must not hang `son1k info`).
pub fn probe_devices(timeout: Duration) -> AudioReport {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("son1k-audio-probe".into())
        .spawn(move || {
            let _ = tx.send(list());
        });
    let host = cpal::default_host().id().name().to_string();
    if let Err(e) = spawned {
        return AudioReport {
            status: "error".into(),
            host,
            outputs: vec![],
            inputs: vec![],
            message: Some(format!("could not start the audio probe: {e}")),
        };
    }
    match rx.recv_timeout(timeout) {
        Ok(report) => report,
        Err(_) => AudioReport {
            status: "timeout".into(),
            host,
            outputs: vec![],
            inputs: vec![],
            message: Some(format!(
                "the audio system did not answer within {} ms; check that no other program holds the device",
                timeout.as_millis()
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_device_is_found_by_its_name_and_a_missing_one_is_not() {
        let names = ["default", "pulse", "Scarlett 2i2 USB", "null"];
        assert_eq!(pick_device(names, Some("pulse")), Some(1));
        assert_eq!(pick_device(names, Some("  scarlett 2i2 usb ")), Some(2));
        assert_eq!(pick_device(names, Some("Focusrite")), None);
        assert_eq!(pick_device(names, Some("   ")), None);
        assert_eq!(pick_device(names, None), None);
        // An exact name wins over one that differs only in case.
        assert_eq!(pick_device(["Pulse", "pulse"], Some("pulse")), Some(1));
    }

    #[test]
    fn the_choice_is_the_processs_until_changed_and_defaults_to_the_system() {
        let before = chosen_devices();
        // Only the buffer (which this crate does not read): other tests open devices meanwhile.
        let mine = DeviceChoice {
            buffer: Some(128),
            ..before.clone()
        };
        choose_devices(mine.clone());
        assert_eq!(chosen_devices(), mine);
        choose_devices(before);
        assert_eq!(DeviceChoice::default().buffer, Some(DEFAULT_BUFFER));
        assert_eq!(DeviceChoice::default().output, None);
    }

    #[test]
    fn probe_always_answers_within_its_limit() {
        let start = std::time::Instant::now();
        let report = probe_devices(Duration::from_secs(3));
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(["ok", "no-devices", "timeout", "error"].contains(&report.status.as_str()));
        assert!(!report.host.is_empty());
        if report.status != "ok" {
            assert!(
                report.message.is_some(),
                "a non-ok status must explain itself"
            );
        }
        let json = serde_json::to_value(&report).unwrap();
        assert!(json["outputs"].is_array());
    }
}
