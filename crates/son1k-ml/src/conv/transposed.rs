//! The transposed 1-D convolution (the vocoder's upsampling): one product, then overlap-add.

use rayon::prelude::*;

use super::plain::matmul;

/// A transposed 1-D convolution's weight laid out for time-major signals.
pub(crate) struct ConvTransposeWeight {
    /// `(in, kernel · out)`: row `ci`, column `tap · out + co`.
    w: Vec<f32>,
    bias: Vec<f32>,
    cin: usize,
    cout: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
}

impl ConvTransposeWeight {
    /// From PyTorch's `(in, out, kernel)` layout.
    pub(crate) fn new(
        torch: &[f32],
        bias: &[f32],
        (cin, cout, kernel): (usize, usize, usize),
        stride: usize,
        padding: usize,
    ) -> Self {
        let mut w = vec![0.0; cin * kernel * cout];
        for ci in 0..cin {
            for co in 0..cout {
                for tap in 0..kernel {
                    w[ci * kernel * cout + tap * cout + co] =
                        torch[(ci * cout + co) * kernel + tap];
                }
            }
        }
        ConvTransposeWeight {
            w,
            bias: bias.to_vec(),
            cin,
            cout,
            kernel,
            stride: stride.max(1),
            padding,
        }
    }

    /// Upsamples the time-major `x` (`frames × in`), `act` applied to each input value first.
    /// Returns `((frames − 1) · stride − 2 · padding + kernel) × out`, bias added.
    pub(crate) fn forward(
        &self,
        x: &[f32],
        act: impl Fn(f32) -> f32 + Sync,
        threads: usize,
    ) -> Vec<f32> {
        let (cin, cout, k, s) = (self.cin, self.cout, self.kernel, self.stride);
        let frames = x.len() / cin;
        if frames == 0 {
            return Vec::new();
        }
        let full = (frames - 1) * s + k;
        let Some(out_frames) = full.checked_sub(2 * self.padding) else {
            return Vec::new();
        };
        let xa: Vec<f32> = x.par_iter().map(|&v| act(v)).collect();
        let mut z = vec![0.0f32; frames * k * cout];
        matmul(
            &mut z,
            k * cout,
            &xa,
            cin,
            &self.w,
            k * cout,
            (frames, k * cout, cin),
            false,
            threads,
        );
        let mut y = vec![0.0f32; out_frames * cout];
        // Output frame o gets z[t][tap] for every t·s + tap − padding = o.
        y.par_chunks_mut(cout).enumerate().for_each(|(o, dst)| {
            dst.copy_from_slice(&self.bias);
            let p = o + self.padding;
            let t_hi = (p / s).min(frames - 1);
            let t_lo = (p + 1).saturating_sub(k).div_ceil(s);
            for t in t_lo..=t_hi {
                let tap = p - t * s;
                let src = &z[(t * k + tap) * cout..(t * k + tap + 1) * cout];
                for (d, &v) in dst.iter_mut().zip(src) {
                    *d += v;
                }
            }
        });
        y
    }
}
