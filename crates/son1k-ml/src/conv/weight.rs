//! A right-hand matrix held once (packed or plain) and the dense layer built on it.

use rayon::prelude::*;

use super::packed::{matmul_packed, Isa, Packed, MR};
use super::plain::matmul;

/// A right-hand matrix `(k × n)` kept once: packed for a micro-kernel where one runs here, else
/// plain row-major for the `gemm` crate.
pub(crate) enum Weight {
    /// Packed for [`matmul_packed`] / [`conv_packed`](super::packed::conv_packed).
    Packed(Packed),
    /// Row-major `(k × n)`.
    Plain { w: Vec<f32>, k: usize, n: usize },
}

impl Weight {
    /// Keeps the row-major `w` (`k × n`) in the form `isa`'s kernel wants (`None`: plain).
    pub(crate) fn new(w: Vec<f32>, k: usize, n: usize, isa: Option<Isa>) -> Self {
        match isa.and_then(|isa| Packed::with_isa(&w, k, n, isa)) {
            Some(p) => Weight::Packed(p),
            None => Weight::Plain { w, k, n },
        }
    }

    /// `dst[rows × n] += a[rows × k] · self`, row strides `ldc` and `lda`, on the calling thread.
    pub(super) fn product(&self, dst: &mut [f32], ldc: usize, a: &[f32], lda: usize, rows: usize) {
        match self {
            Weight::Packed(p) => matmul_packed(dst, ldc, a, lda, rows, p),
            Weight::Plain { w, k, n } => matmul(dst, ldc, a, lda, w, *n, (rows, *n, *k), true, 1),
        }
    }
}

/// A dense (linear) layer for time-major rows: `y = x · w + b`.
pub(crate) struct Dense {
    /// `(in, out)`.
    w: Weight,
    b: Vec<f32>,
    n_in: usize,
    n_out: usize,
}

impl Dense {
    /// From the `(in, out)` row-major weight and `out` biases.
    pub(crate) fn new(w: Vec<f32>, b: Vec<f32>, n_in: usize, n_out: usize) -> Self {
        Dense {
            w: Weight::new(w, n_in, n_out, Isa::detect()),
            b,
            n_in,
            n_out,
        }
    }

    /// `rows × in` → `rows × out`; the rows are split across rayon's threads.
    pub(crate) fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let (n_in, n_out) = (self.n_in, self.n_out);
        let mut y = vec![0.0f32; rows * n_out];
        if rows == 0 || x.len() < rows * n_in {
            return y;
        }
        for row in y.chunks_mut(n_out) {
            row.copy_from_slice(&self.b);
        }
        let threads = rayon::current_num_threads().max(1);
        let chunk = rows.div_ceil(threads).div_ceil(MR) * MR;
        y.par_chunks_mut(chunk * n_out)
            .zip(x[..rows * n_in].par_chunks(chunk * n_in))
            .for_each(|(dst, src)| {
                self.w.product(dst, n_out, src, n_in, dst.len() / n_out);
            });
        y
    }
}
