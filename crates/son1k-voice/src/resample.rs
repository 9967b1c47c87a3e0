//! Band-limited resampling by any ratio (windowed sinc), used to turn a time-stretched signal into
//! a pitch-shifted one of the original length.

/// Reads `x` at positions `i · step` for `i` in `0..len`: `step` > 1 raises pitch (with an
/// anti-aliasing cut-off at the new Nyquist), `step` < 1 lowers it.
pub(crate) fn read_at_rate(x: &[f32], step: f64, len: usize) -> Vec<f32> {
    let cutoff = (1.0 / step).min(1.0) * 0.97;
    let half = ((16.0 / cutoff).ceil() as isize).max(16);
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let t = i as f64 * step;
        let centre = t.floor() as isize;
        let mut acc = 0.0f64;
        for n in (centre - half + 1)..=(centre + half) {
            if n < 0 || n as usize >= x.len() {
                continue;
            }
            let d = t - n as f64;
            let w = 0.5 + 0.5 * (std::f64::consts::PI * d / half as f64).cos();
            acc += f64::from(x[n as usize]) * cutoff * sinc(cutoff * d) * w;
        }
        out.push(acc as f32);
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
