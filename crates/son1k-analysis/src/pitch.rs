//! Pitch of a monophonic voice by YIN (de Cheveigné & Kawahara 2002).

use serde::Serialize;

/// One analysis frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PitchFrame {
    /// Centre time in seconds.
    pub time: f64,
    /// Fundamental frequency in Hz, or `None` when unvoiced.
    pub hz: Option<f64>,
    /// 1 − the normalised difference at the chosen lag (1 = perfectly periodic).
    pub confidence: f64,
}

/// Tracks the pitch of `signal` (mono, `rate` Hz) between `fmin` and `fmax` Hz, every `hop` samples.
pub fn yin(signal: &[f32], rate: u32, fmin: f64, fmax: f64, hop: usize) -> Vec<PitchFrame> {
    let rate_f = f64::from(rate);
    let max_lag = (rate_f / fmin).ceil() as usize;
    let min_lag = ((rate_f / fmax).floor() as usize).max(2);
    let window = max_lag.max(256);
    let threshold = 0.15;
    let mut out = Vec::new();
    if signal.len() < window + max_lag + 2 || hop == 0 || min_lag >= max_lag {
        return out;
    }
    let mut d = vec![0.0f64; max_lag + 2];
    let mut start = 0;
    while start + window + max_lag + 1 < signal.len() {
        let x = &signal[start..start + window + max_lag + 2];
        for (tau, dv) in d.iter_mut().enumerate().skip(1) {
            *dv = (0..window)
                .map(|j| f64::from(x[j] - x[j + tau]).powi(2))
                .sum();
        }
        // Cumulative mean normalised difference.
        let mut cmnd = vec![1.0f64; max_lag + 2];
        let mut running = 0.0;
        for tau in 1..=max_lag + 1 {
            running += d[tau];
            cmnd[tau] = if running > 0.0 {
                d[tau] * tau as f64 / running
            } else {
                1.0
            };
        }
        let mut chosen = None;
        let mut tau = min_lag;
        while tau <= max_lag {
            if cmnd[tau] < threshold {
                while tau < max_lag && cmnd[tau + 1] < cmnd[tau] {
                    tau += 1;
                }
                chosen = Some(tau);
                break;
            }
            tau += 1;
        }
        let time = (start + window / 2) as f64 / rate_f;
        let energy: f64 = x[..window]
            .iter()
            .map(|v| f64::from(*v).powi(2))
            .sum::<f64>()
            / window as f64;
        match chosen {
            Some(t) if energy > 1e-6 => {
                let (l, c, r) = (cmnd[t - 1], cmnd[t], cmnd[t + 1]);
                let den = l - 2.0 * c + r;
                let refined = if den.abs() > 1e-12 {
                    t as f64 + 0.5 * (l - r) / den
                } else {
                    t as f64
                };
                out.push(PitchFrame {
                    time,
                    hz: Some(rate_f / refined),
                    confidence: (1.0 - c).clamp(0.0, 1.0),
                });
            }
            _ => out.push(PitchFrame {
                time,
                hz: None,
                confidence: 0.0,
            }),
        }
        start += hop;
    }
    out
}
