//! Loudness by EBU R128 (libebur128's algorithm via the `ebur128` crate): integrated LUFS,
//! loudness range, true peak; and normalisation to a target without clipping.

use ebur128::{EbuR128, Mode};
use serde::Serialize;

use crate::{AudioBuffer, AudioError};

/// The streaming services' common target.
pub const DEFAULT_TARGET_LUFS: f64 = -14.0;
/// True-peak ceiling kept when normalising, in dBTP.
pub const DEFAULT_CEILING_DBTP: f64 = -1.0;

/// A loudness measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Loudness {
    /// Integrated loudness in LUFS (−inf for silence, reported as `null` in JSON).
    pub integrated_lufs: Option<f64>,
    /// Loudness range in LU.
    pub range_lu: f64,
    /// True peak in dBTP over all channels (4× oversampled).
    pub true_peak_dbtp: Option<f64>,
    /// Sample peak in dBFS.
    pub sample_peak_dbfs: Option<f64>,
}

fn db(linear: f64) -> Option<f64> {
    (linear > 0.0).then(|| 20.0 * linear.log10())
}

/// Measures `buf`.
pub fn measure(buf: &AudioBuffer) -> Result<Loudness, AudioError> {
    let channels = buf.channel_count() as u32;
    let mut meter = EbuR128::new(
        channels,
        buf.sample_rate,
        Mode::I | Mode::LRA | Mode::TRUE_PEAK | Mode::SAMPLE_PEAK,
    )
    .map_err(|e| AudioError::Invalid(format!("cannot measure loudness: {e}")))?;
    let planes: Vec<&[f32]> = buf.channels.iter().map(Vec::as_slice).collect();
    meter
        .add_frames_planar_f32(&planes)
        .map_err(|e| AudioError::Invalid(format!("cannot measure loudness: {e}")))?;
    let integrated = meter.loudness_global().ok().filter(|l| l.is_finite());
    let range = meter.loudness_range().unwrap_or(0.0);
    let mut tp = 0.0f64;
    let mut sp = 0.0f64;
    for c in 0..channels {
        tp = tp.max(meter.true_peak(c).unwrap_or(0.0));
        sp = sp.max(meter.sample_peak(c).unwrap_or(0.0));
    }
    Ok(Loudness {
        integrated_lufs: integrated,
        range_lu: if range.is_finite() { range } else { 0.0 },
        true_peak_dbtp: db(tp),
        sample_peak_dbfs: db(sp),
    })
}

/// What normalisation did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Normalized {
    /// Gain applied, in dB.
    pub gain_db: f64,
    /// Loudness before.
    pub before: Loudness,
    /// Whether the true-peak ceiling limited the gain (the target was not fully reached).
    pub limited_by_peak: bool,
}

/// Applies one gain so the integrated loudness reaches `target_lufs`, unless that would push the
/// true peak above `ceiling_dbtp`, in which case the gain stops at the ceiling (no clipping, no
/// distortion). Silence is left untouched.
pub fn normalize(
    buf: &mut AudioBuffer,
    target_lufs: f64,
    ceiling_dbtp: f64,
) -> Result<Normalized, AudioError> {
    if !(-70.0..=0.0).contains(&target_lufs) {
        return Err(AudioError::Invalid(format!(
            "target loudness must be −70–0 LUFS, not {target_lufs}"
        )));
    }
    let before = measure(buf)?;
    let Some(lufs) = before.integrated_lufs else {
        return Ok(Normalized {
            gain_db: 0.0,
            before,
            limited_by_peak: false,
        });
    };
    let mut gain_db = target_lufs - lufs;
    let mut limited = false;
    if let Some(tp) = before.true_peak_dbtp {
        if tp + gain_db > ceiling_dbtp {
            gain_db = ceiling_dbtp - tp;
            limited = true;
        }
    }
    buf.apply_gain(10f64.powf(gain_db / 20.0) as f32);
    Ok(Normalized {
        gain_db,
        before,
        limited_by_peak: limited,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(amp: f32, secs: f32) -> AudioBuffer {
        let rate = 48_000;
        let n = (rate as f32 * secs) as usize;
        let c: Vec<f32> = (0..n)
            .map(|i| (2.0 * std::f32::consts::PI * 997.0 * i as f32 / rate as f32).sin() * amp)
            .collect();
        AudioBuffer::new(rate, vec![c.clone(), c]).unwrap()
    }

    #[test]
    fn full_scale_stereo_sine_reads_about_zero_lufs() {
        // EBU Tech 3341 case 1 style: a ~1 kHz sine at −20 dBFS on both channels reads −20 LUFS.
        let l = measure(&sine(0.1, 5.0)).unwrap();
        let lufs = l.integrated_lufs.unwrap();
        assert!((lufs + 20.0).abs() < 0.3, "{lufs}");
        assert!((l.sample_peak_dbfs.unwrap() + 20.0).abs() < 0.1);
    }

    #[test]
    fn normalises_to_target_and_respects_the_ceiling() {
        let mut quiet = sine(0.05, 5.0);
        let r = normalize(&mut quiet, -14.0, -1.0).unwrap();
        assert!(!r.limited_by_peak);
        let after = measure(&quiet).unwrap().integrated_lufs.unwrap();
        assert!((after + 14.0).abs() < 0.2, "{after}");

        let mut loud_peaky = sine(0.5, 5.0);
        let r = normalize(&mut loud_peaky, -0.5, -1.0).unwrap();
        assert!(r.limited_by_peak);
        assert!(measure(&loud_peaky).unwrap().true_peak_dbtp.unwrap() <= -0.95);
    }

    #[test]
    fn silence_is_left_alone() {
        let mut s = AudioBuffer::silent(48_000, 2, 48_000);
        let r = normalize(&mut s, -14.0, -1.0).unwrap();
        assert_eq!(r.gain_db, 0.0);
        assert!(r.before.integrated_lufs.is_none());
    }
}
