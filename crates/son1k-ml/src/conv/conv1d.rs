//! The 1-D convolution: its weight laid out for time-major signals and its tiled forward pass.

use rayon::prelude::*;

use super::packed::{conv_packed, Isa};
use super::weight::Weight;

/// Output frames per tile: the tile's gathered input (`ROWS × kernel · in` floats) stays in L2.
const ROWS: usize = 192;
/// Below this many input channels a tap's depth is too shallow for the strided kernel; the
/// tile's taps are gathered into one row instead.
const MIN_STRIDED_CIN: usize = 16;

/// A 1-D convolution's weight laid out for time-major signals.
pub(crate) struct ConvWeight {
    /// `(kernel · in, out)`: row `tap · in + ci`, column `co`.
    w: Weight,
    bias: Vec<f32>,
    cin: usize,
    cout: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
    padding: usize,
}

impl ConvWeight {
    /// From PyTorch's `(out, in, kernel)` layout, for the best kernel this CPU has.
    pub(crate) fn new(
        torch: &[f32],
        bias: Option<&[f32]>,
        dims: (usize, usize, usize),
        stride: usize,
        dilation: usize,
        padding: usize,
    ) -> Self {
        Self::with_isa(
            torch,
            bias,
            dims,
            (stride, dilation, padding),
            Isa::detect(),
        )
    }

    /// As [`ConvWeight::new`] with the packed kernel chosen (`None`: the `gemm` crate).
    pub(crate) fn with_isa(
        torch: &[f32],
        bias: Option<&[f32]>,
        (cout, cin, kernel): (usize, usize, usize),
        (stride, dilation, padding): (usize, usize, usize),
        isa: Option<Isa>,
    ) -> Self {
        let mut w = vec![0.0; kernel * cin * cout];
        for co in 0..cout {
            for ci in 0..cin {
                for tap in 0..kernel {
                    w[(tap * cin + ci) * cout + co] = torch[(co * cin + ci) * kernel + tap];
                }
            }
        }
        ConvWeight {
            w: Weight::new(w, kernel * cin, cout, isa),
            bias: bias.map_or_else(|| vec![0.0; cout], <[f32]>::to_vec),
            cin,
            cout,
            kernel,
            stride: stride.max(1),
            dilation: dilation.max(1),
            padding,
        }
    }

    /// Output frames for `frames` input frames.
    pub(crate) fn out_frames(&self, frames: usize) -> usize {
        let span = self.dilation * (self.kernel - 1) + 1;
        (frames + 2 * self.padding).saturating_sub(span) / self.stride + 1
    }

    /// Output channels.
    pub(crate) fn cout(&self) -> usize {
        self.cout
    }

    /// Convolves the time-major `x` (`frames × in`), `act` applied to each input value first
    /// (zero padding is not passed through it). Returns `out_frames × out`, bias added.
    pub(crate) fn forward(&self, x: &[f32], act: impl Fn(f32) -> f32 + Sync) -> Vec<f32> {
        let frames = x.len() / self.cin;
        if frames + 2 * self.padding < self.dilation * (self.kernel - 1) + 1 {
            return Vec::new();
        }
        let mut y = vec![0.0f32; self.out_frames(frames) * self.cout];
        self.forward_add(x, act, &mut y);
        y
    }

    /// Adds the convolution of `x` (as [`ConvWeight::forward`]) to `y`, which must hold
    /// `out_frames × out` values (a residual connection without a temporary); a `y` of another
    /// size is left as it is.
    pub(crate) fn forward_add(&self, x: &[f32], act: impl Fn(f32) -> f32 + Sync, y: &mut [f32]) {
        let (cin, cout, k) = (self.cin, self.cout, self.kernel);
        let frames = x.len() / cin;
        let span = self.dilation * (k - 1) + 1;
        if frames + 2 * self.padding < span || y.len() != self.out_frames(frames) * cout {
            return;
        }
        let add_bias = |dst: &mut [f32]| {
            for row in dst.chunks_mut(cout) {
                for (d, b) in row.iter_mut().zip(&self.bias) {
                    *d += b;
                }
            }
        };
        if let (Weight::Packed(packed), true) = (&self.w, cin >= MIN_STRIDED_CIN) {
            // Activate once into a zero-padded copy; each tap then reads a strided view of it.
            let mut xp = vec![0.0f32; (frames + 2 * self.padding) * cin];
            xp[self.padding * cin..(self.padding + frames) * cin]
                .par_iter_mut()
                .zip(x)
                .for_each(|(d, &s)| *d = act(s));
            y.par_chunks_mut(ROWS * cout)
                .enumerate()
                .for_each(|(i, dst)| {
                    let rows = dst.len() / cout;
                    add_bias(dst);
                    conv_packed(
                        dst,
                        cout,
                        &xp,
                        cin,
                        (i * ROWS, rows),
                        (self.stride, self.dilation, k),
                        packed,
                    );
                });
            return;
        }
        let kk = k * cin;
        y.par_chunks_mut(ROWS * cout)
            .enumerate()
            .for_each_init(Vec::new, |tile, (i, dst)| {
                let t0 = i * ROWS;
                let rows = dst.len() / cout;
                tile.clear();
                tile.resize(rows * kk, 0.0);
                for r in 0..rows {
                    let row = &mut tile[r * kk..(r + 1) * kk];
                    let first = (t0 + r) * self.stride;
                    for tap in 0..k {
                        // Index into the zero-padded signal.
                        let p = first + tap * self.dilation;
                        if p < self.padding || p - self.padding >= frames {
                            continue;
                        }
                        let src = &x[(p - self.padding) * cin..(p - self.padding + 1) * cin];
                        for (d, &s) in row[tap * cin..(tap + 1) * cin].iter_mut().zip(src) {
                            *d = act(s);
                        }
                    }
                }
                add_bias(dst);
                self.w.product(dst, cout, tile, kk, rows);
            });
    }
}
