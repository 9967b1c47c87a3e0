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
