//! Sample-rate conversion with rubato's windowed-sinc resampler, any rate to any rate.

use rubato::{
    Resampler, SincFixedIn, SincInterpolationParameters, SincInterpolationType, WindowFunction,
};

use crate::{AudioBuffer, AudioError};

/// Highest sample rate accepted.
pub const MAX_RATE: u32 = 768_000;
const CHUNK: usize = 4096;

/// Returns `buf` at `rate` Hz. The output has `round(frames × rate / source_rate)` frames and is
/// aligned with the input (the resampler's delay is removed).
pub fn resample(buf: &AudioBuffer, rate: u32) -> Result<AudioBuffer, AudioError> {
    if rate == 0 || rate > MAX_RATE {
        return Err(AudioError::Invalid(format!(
            "sample rate must be 1–{MAX_RATE} Hz, not {rate}"
        )));
    }
    if rate == buf.sample_rate || buf.frames() == 0 {
        let mut out = buf.clone();
        out.sample_rate = rate;
        return Ok(out);
    }
    let ratio = f64::from(rate) / f64::from(buf.sample_rate);
    let params = SincInterpolationParameters {
        sinc_len: 256,
        f_cutoff: 0.95,
        interpolation: SincInterpolationType::Cubic,
        oversampling_factor: 256,
        window: WindowFunction::BlackmanHarris2,
    };
    let channels = buf.channel_count();
    let mut r = SincFixedIn::<f32>::new(ratio, 1.0, params, CHUNK, channels).map_err(|e| {
        AudioError::Invalid(format!(
            "cannot resample {} → {rate} Hz: {e}",
            buf.sample_rate
        ))
    })?;
    // SincFixedIn's output is already aligned with its input in this version (checked by the
    // alignment test below against an ideal sine); the tail beyond `expected` is filter padding.
    let expected = (buf.frames() as f64 * ratio).round() as usize;
    let mut out: Vec<Vec<f32>> = vec![Vec::with_capacity(expected + 2 * CHUNK); channels];
    let fail = |e: rubato::ResampleError| AudioError::Invalid(format!("resampling failed: {e}"));

    let mut pos = 0;
    let total = buf.frames();
    while pos + CHUNK <= total {
        let chunk: Vec<&[f32]> = buf.channels.iter().map(|c| &c[pos..pos + CHUNK]).collect();
        let res = r.process(&chunk, None).map_err(fail)?;
        for (o, c) in out.iter_mut().zip(res) {
            o.extend_from_slice(&c);
        }
        pos += CHUNK;
    }
    if pos < total {
        let chunk: Vec<&[f32]> = buf.channels.iter().map(|c| &c[pos..]).collect();
        let res = r.process_partial(Some(&chunk), None).map_err(fail)?;
        for (o, c) in out.iter_mut().zip(res) {
            o.extend_from_slice(&c);
        }
    }
    // Flush the filter's tail until the output covers the whole input.
    while out[0].len() < expected {
        let res = r.process_partial::<&[f32]>(None, None).map_err(fail)?;
        if res[0].is_empty() {
            break;
        }
        for (o, c) in out.iter_mut().zip(res) {
            o.extend_from_slice(&c);
        }
    }
    for o in &mut out {
        o.resize(expected, 0.0);
    }
    AudioBuffer::new(rate, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, hz: f32, secs: f32) -> AudioBuffer {
        let n = (rate as f32 * secs) as usize;
        let c = (0..n)
            .map(|i| (2.0 * std::f32::consts::PI * hz * i as f32 / rate as f32).sin() * 0.5)
            .collect();
        AudioBuffer::new(rate, vec![c]).unwrap()
    }

    /// Estimated frequency from the rate of upward zero crossings.
    fn freq(b: &AudioBuffer) -> f64 {
        let c = &b.channels[0];
        let ups = c.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        ups as f64 / b.duration_secs()
    }

    #[test]
    fn keeps_pitch_and_duration() {
        let src = sine(44_100, 440.0, 1.0);
        for rate in [48_000, 22_050, 96_000, 8_000] {
            let out = resample(&src, rate).unwrap();
            assert_eq!(out.sample_rate, rate);
            assert_eq!(out.frames(), rate as usize, "{rate}");
            assert!((freq(&out) - 440.0).abs() < 2.0, "{rate}: {}", freq(&out));
            // Aligned with the ideal sine at the new rate: the best-matching lag is within one
            // output sample, and at that lag the waveform matches closely.
            let n = rate as usize;
            let err_at = |lag: i64| {
                (n / 10..n * 9 / 10)
                    .map(|i| {
                        let t = (i as i64 - lag) as f32 / rate as f32;
                        let ideal = (2.0 * std::f32::consts::PI * 440.0 * t).sin() * 0.5;
                        (out.channels[0][i] - ideal).abs()
                    })
                    .fold(0.0f32, f32::max)
            };
            let best = (-4..=4)
                .min_by(|a, b| err_at(*a).total_cmp(&err_at(*b)))
                .unwrap();
            assert!(
                best.abs() <= 1,
                "{rate}: output lags the input by {best} samples"
            );
            let one_sample = 0.5 * 2.0 * std::f32::consts::PI * 440.0 / rate as f32;
            assert!(
                err_at(best) < one_sample.max(0.01),
                "{rate}: error {}",
                err_at(best)
            );
        }
    }

    #[test]
    fn rejects_absurd_rates() {
        let src = sine(44_100, 440.0, 0.1);
        assert!(resample(&src, 0).is_err());
        assert!(resample(&src, 10_000_000).is_err());
    }
}
