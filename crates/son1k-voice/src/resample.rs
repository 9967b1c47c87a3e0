//! Band-limited resampling by any ratio (windowed sinc), used to turn a time-stretched signal into
//! a pitch-shifted one of the original length.

/// Reads `x` at positions `i · step` for `i` in `0..len`: `step` > 1 raises pitch (with an
/// anti-aliasing cut-off at the new Nyquist), `step` < 1 lowers it.
pub(crate) fn read_at_rate(x: &[f32], step: f64, len: usize) -> Vec<f32> {
    let cutoff = (1.0 / step).min(1.0) * 0.97;
    let half = ((16.0 / cutoff).ceil() as isize).max(16);
    // The Hann-windowed sinc kernel, tabulated at TABLE steps per sample (read with linear
    // interpolation): no trigonometry per tap.
    const TABLE: usize = 512;
    let kernel: Vec<f32> = (0..=(half as usize * TABLE + 1))
        .map(|j| {
            let d = j as f64 / TABLE as f64;
            if d > half as f64 {
                0.0
            } else {
                let w = 0.5 + 0.5 * (std::f64::consts::PI * d / half as f64).cos();
                (cutoff * sinc(cutoff * d) * w) as f32
            }
        })
        .collect();
    let tap = |d: f64| -> f32 {
        let pos = d.abs() * TABLE as f64;
        let j = pos as usize;
        if j + 1 >= kernel.len() {
            return 0.0;
        }
        let f = (pos - j as f64) as f32;
        kernel[j] + (kernel[j + 1] - kernel[j]) * f
    };
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let t = i as f64 * step;
        let centre = t.floor() as isize;
        let lo = (centre - half + 1).max(0);
        let hi = (centre + half).min(x.len() as isize - 1);
        let mut acc = 0.0f32;
        for n in lo..=hi {
            acc += x[n as usize] * tap(t - n as f64);
        }
        out.push(acc);
    }
    out
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-9 {
        1.0
    } else {
        let p = std::f64::consts::PI * x;
        p.sin() / p
    }
}
