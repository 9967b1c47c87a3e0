//! Fast CPU paths for the convolutions of the vocoder and of WavLM's feature encoder.
//!
//! Candle's CPU convolutions build one whole im2col matrix per call (hundreds of megabytes at the
//! vocoder's last stages) and fall back to a direct loop for padded transposed convolutions. Here the
//! signal is kept time-major ("channels last", `x[t * channels + c]`), so every convolution becomes
//! matrix products over small tiles of rows that stay in cache:
//!
//! - a convolution gathers, for a tile of output frames, the `kernel` input frames each one reads
//!   (each a contiguous run of `channels` values) into a tile buffer, and multiplies it by the weight
//!   laid out as `(kernel · in, out)`. Tiles run in parallel on rayon's pool.
//! - a transposed convolution multiplies the input by the weight laid out as `(in, kernel · out)`
//!   and overlap-adds each row's `kernel` output frames.
//!
//! The only `unsafe` is the call into the `gemm` crate, behind [`matmul`], which checks every index
//! the product can touch against the slices' lengths before calling it.
#![allow(unsafe_code)]

use rayon::prelude::*;

/// Output frames per tile: the tile's gathered input (`ROWS × kernel · in` floats) stays in L2.
const ROWS: usize = 192;

/// `dst[m × n] (+)= a[m × k] · b[k × n]`, all row-major with the given row strides (column stride 1).
/// `dst` is overwritten unless `accumulate`. Panics if a stride or length lets the product reach
/// outside a slice (a bug in the caller, never a property of user input).
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul(
    dst: &mut [f32],
    dst_rs: usize,
    a: &[f32],
    a_rs: usize,
    b: &[f32],
    b_rs: usize,
    (m, n, k): (usize, usize, usize),
    accumulate: bool,
    threads: usize,
) {
    if m == 0 || n == 0 {
        return;
    }
    let reach = |rows: usize, cols: usize, rs: usize| (rows - 1) * rs + cols;
    assert!(
        dst_rs >= n && reach(m, n, dst_rs) <= dst.len(),
        "matmul: dst"
    );
    if k == 0 {
        if !accumulate {
            for r in 0..m {
                dst[r * dst_rs..r * dst_rs + n].fill(0.0);
            }
        }
        return;
    }
    assert!(reach(m, k, a_rs) <= a.len(), "matmul: lhs");
    assert!(reach(k, n, b_rs) <= b.len(), "matmul: rhs");
    let par = if threads > 1 {
        gemm::Parallelism::Rayon(threads)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: every element the product reads or writes lies inside its slice (checked above:
    // the farthest is ((rows − 1) · row stride + cols − 1) with column stride 1); `dst` is borrowed
    // mutably, so it cannot alias `a` or `b`; strides fit isize because the slices exist.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_rs as isize,
            accumulate,
            a.as_ptr(),
            1,
            a_rs as isize,
            b.as_ptr(),
            1,
            b_rs as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            par,
        );
    }
}

/// Columns of one packed panel of a right-hand matrix: two AVX-512 or four AVX2 registers.
const NR: usize = 32;
/// Below this many input channels a tap's depth is too shallow for the strided kernel; the
/// tile's taps are gathered into one row instead.
const MIN_STRIDED_CIN: usize = 16;
/// Depth of one pass: a panel's `KC × NR` slice (32 KiB) stays in L1.
const KC: usize = 256;
/// The most output rows any micro-kernel keeps in registers.
const MR: usize = 12;

/// The instruction set the packed micro-kernels use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isa {
    /// AVX-512F: 12 rows × 32 columns in 24 registers.
    Avx512,
    /// AVX2 + FMA: 6 rows × 16 columns in 12 registers, twice per panel.
    Avx2,
}

impl Isa {
    /// Output rows per micro-kernel call.
    fn rows(self) -> usize {
        match self {
            Isa::Avx512 => 12,
            Isa::Avx2 => 6,
        }
    }

    /// Whether this CPU can run it.
    fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            match self {
                Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
                Isa::Avx2 => {
                    std::arch::is_x86_feature_detected!("avx2")
                        && std::arch::is_x86_feature_detected!("fma")
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// The best this CPU has, unless `SON1K_CPU_KERNEL` asks for `avx2` or `gemm` (the `gemm`
    /// crate alone), which the benchmark and tests use to compare paths.
    pub(crate) fn detect() -> Option<Isa> {
        match std::env::var("SON1K_CPU_KERNEL").as_deref() {
            Ok("gemm") => None,
            Ok("avx2") => Some(Isa::Avx2).filter(|i| i.available()),
            _ => [Isa::Avx512, Isa::Avx2].into_iter().find(|i| i.available()),
        }
    }
}

/// A right-hand matrix `(k × n)` packed once for [`matmul_packed`] and [`conv_packed`]: panel `p`
/// holds columns `p·NR … p·NR + NR` of every row, row after row.
pub(crate) struct Packed {
    data: Vec<f32>,
    k: usize,
    n: usize,
    /// The kernel it was packed for; only ever one this CPU has.
    isa: Isa,
}

impl Packed {
    /// Packs for a given kernel; `None` when this CPU lacks it or `n` is not a multiple of 32.
    pub(crate) fn with_isa(b: &[f32], k: usize, n: usize, isa: Isa) -> Option<Self> {
        if !n.is_multiple_of(NR) || b.len() < k * n || !isa.available() {
            return None;
        }
        let mut data = Vec::with_capacity(k * n);
        for p in 0..n / NR {
            for row in 0..k {
                data.extend_from_slice(&b[row * n + p * NR..row * n + (p + 1) * NR]);
            }
        }
        Some(Packed { data, k, n, isa })
    }
}

/// `c[rows × NR] += a[rows × kc] · panel[kc × NR]` through `isa`'s micro-kernel.
///
/// # Safety
/// `isa` must be available; `a` readable at `r·lda + j`, `panel` at `j·NR + col` and `c` readable
/// and writable at `r·ldc + col` for r < rows, j < kc, col < NR.
#[allow(clippy::too_many_arguments)]
unsafe fn panel_rows(
    isa: Isa,
    rows: usize,
    kc: usize,
    a: *const f32,
    lda: usize,
    panel: *const f32,
    c: *mut f32,
    ldc: usize,
) {
    #[cfg(target_arch = "x86_64")]
    for r0 in (0..rows).step_by(isa.rows()) {
        let m = isa.rows().min(rows - r0);
        // SAFETY: r0 + m ≤ rows, so the caller's bounds cover these rows.
        unsafe {
            let (a, c) = (a.add(r0 * lda), c.add(r0 * ldc));
            match isa {
                Isa::Avx512 => avx512::kernel(m, kc, a, lda, panel, c, ldc),
                Isa::Avx2 => {
                    avx2::kernel(m, kc, a, lda, panel, c, ldc);
                    avx2::kernel(m, kc, a, lda, panel.add(16), c.add(16), ldc);
                }
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (isa, rows, kc, a, lda, panel, c, ldc);
}

/// `dst[rows × n] += a[rows × k] · b`, row-major with row strides `ldc` and `lda`. Panics if the
/// strides or lengths let the product reach outside a slice (a bug in the caller).
pub(crate) fn matmul_packed(
    dst: &mut [f32],
    ldc: usize,
    a: &[f32],
    lda: usize,
    rows: usize,
    b: &Packed,
) {
    assert!(lda >= b.k, "matmul_packed: lhs stride");
    // One tap over a whole row: a convolution with kernel 1 and stride lda.
    packed_product(dst, ldc, a, (rows, lda), (1, 0, b.k), b);
}

/// The convolution of a zero-padded, already activated time-major signal `xp` (`cin` channels)
/// for output frames `t0 … t0 + rows`: `dst[r × n] += Σ_tap xp[(t0 + r)·stride + tap·dilation] · w_tap`,
/// with `b` the `(taps · cin) × n` weight packed. No im2col copy: each tap's rows are a strided
/// view of `xp`. Panics if a frame the product needs lies outside `xp` or `dst` (a bug in the caller).
#[allow(clippy::too_many_arguments)]
pub(crate) fn conv_packed(
    dst: &mut [f32],
    ldc: usize,
    xp: &[f32],
    cin: usize,
    (t0, rows): (usize, usize),
    (stride, dilation, taps): (usize, usize, usize),
    b: &Packed,
) {
    let from = (t0 * stride * cin).min(xp.len());
    packed_product(
        dst,
        ldc,
        &xp[from..],
        (rows, stride * cin),
        (taps, dilation * cin, cin),
        b,
    );
}

/// `dst[r × n] += Σ_tap a[r·row_step + tap·tap_step … + depth] · b[tap·depth …]`: the product
/// both [`matmul_packed`] and [`conv_packed`] are, with `b` the `(taps · depth) × n` weight packed.
/// Panics if an element the product needs lies outside `a`, `dst` or `b`.
fn packed_product(
    dst: &mut [f32],
    ldc: usize,
    a: &[f32],
    (rows, row_step): (usize, usize),
    (taps, tap_step, depth): (usize, usize, usize),
    b: &Packed,
) {
    let n = b.n;
    if rows == 0 || taps == 0 || depth == 0 {
        return;
    }
    assert!(
        b.k == taps * depth && b.data.len() == b.k * n,
        "packed product: rhs"
    );
    assert!(
        ldc >= n && (rows - 1) * ldc + n <= dst.len(),
        "packed product: dst"
    );
    assert!(
        (rows - 1) * row_step + (taps - 1) * tap_step + depth <= a.len(),
        "packed product: lhs"
    );
    for p in 0..n / NR {
        for tap in 0..taps {
            for c0 in (0..depth).step_by(KC) {
                let kc = KC.min(depth - c0);
                let row0 = tap * depth + c0;
                let panel = &b.data[p * b.k * NR + row0 * NR..p * b.k * NR + (row0 + kc) * NR];
                // SAFETY: b.isa is available (Packed is only made for one). The kernel reads
                // a[tap·tap_step + c0 + r·row_step + j] for r < rows, j < kc: at most
                // (rows − 1)·row_step + (taps − 1)·tap_step + depth − 1 < a.len();
                // panel[j·NR + col] for j < kc, col < NR: inside the slice; and reads and writes
                // dst[p·NR + r·ldc + col]: at most (rows − 1)·ldc + n − 1 < dst.len().
                unsafe {
                    panel_rows(
                        b.isa,
                        rows,
                        kc,
                        a.as_ptr().add(tap * tap_step + c0),
                        row_step,
                        panel.as_ptr(),
                        dst.as_mut_ptr().add(p * NR),
                        ldc,
                    );
                }
            }
        }
    }
}

/// A micro-kernel module for one instruction set: `c[m × 2·LANES] += a[m × kc] · b[kc × 2·LANES]`
/// (b's rows NR apart) with the `m` rows' accumulators in registers.
macro_rules! micro_kernel {
    ($module:ident, $feature:literal, $lanes:literal, [$($m:literal)*],
     $vec:ident, $zero:ident, $load:ident, $store:ident, $set1:ident, $fma:ident, $add:ident) => {
        #[cfg(target_arch = "x86_64")]
        mod $module {
            use std::arch::x86_64::{$add, $fma, $load, $set1, $store, $vec, $zero};

            use super::NR;

            /// `c[m × 2·LANES] += a[m × kc] · b[kc × 2·LANES]`.
            ///
            /// # Safety
            /// The instruction set must be present; `a` must be readable at `r·lda + j`, `b` at
            /// `j·NR + col` and `c` readable and writable at `r·ldc + col` for r < m, j < kc,
            /// col < 2·LANES; m is at most the largest row count listed.
            pub(super) unsafe fn kernel(
                m: usize,
                kc: usize,
                a: *const f32,
                lda: usize,
                b: *const f32,
                c: *mut f32,
                ldc: usize,
            ) {
                match m {
                    // SAFETY: as this function's contract.
                    $($m => unsafe { block::<$m>(kc, a, lda, b, c, ldc) },)*
                    _ => unreachable!("too many rows for this kernel"),
                }
            }

            #[target_feature(enable = $feature)]
            unsafe fn block<const M: usize>(
                kc: usize,
                a: *const f32,
                lda: usize,
                b: *const f32,
                c: *mut f32,
                ldc: usize,
            ) {
                let mut acc: [[$vec; 2]; M] = [[$zero(); 2]; M];
                for j in 0..kc {
                    // SAFETY: j < kc and the caller's bounds.
                    let (b0, b1) = unsafe { ($load(b.add(j * NR)), $load(b.add(j * NR + $lanes))) };
                    for (r, acc) in acc.iter_mut().enumerate() {
                        // SAFETY: r < M, j < kc and the caller's bounds.
                        let av = $set1(unsafe { *a.add(r * lda + j) });
                        acc[0] = $fma(av, b0, acc[0]);
                        acc[1] = $fma(av, b1, acc[1]);
                    }
                }
                for (r, acc) in acc.iter().enumerate() {
                    // SAFETY: r < M, the caller's bounds.
                    unsafe {
                        let p = c.add(r * ldc);
                        $store(p, $add($load(p), acc[0]));
                        $store(p.add($lanes), $add($load(p.add($lanes)), acc[1]));
                    }
                }
            }
        }
    };
}

// AVX-512F: 12 rows × 32 columns, 24 accumulators.
micro_kernel!(avx512, "avx512f", 16, [1 2 3 4 5 6 7 8 9 10 11 12],
    __m512, _mm512_setzero_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps,
    _mm512_fmadd_ps, _mm512_add_ps);
// AVX2 + FMA: 6 rows × 16 columns, 12 accumulators (run twice per 32-column panel).
micro_kernel!(avx2, "avx2,fma", 8, [1 2 3 4 5 6],
    __m256, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps,
    _mm256_fmadd_ps, _mm256_add_ps);

/// The Gaussian error linear unit, exact form (`erf`), as `transformers`' "gelu".
pub(crate) fn gelu(v: f32) -> f32 {
    0.5 * v * (1.0 + libm::erff(v * std::f32::consts::FRAC_1_SQRT_2))
}

/// A right-hand matrix `(k × n)` kept once: packed for a micro-kernel where one runs here, else
/// plain row-major for the `gemm` crate.
pub(crate) enum Weight {
    /// Packed for [`matmul_packed`] / [`conv_packed`].
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
    fn product(&self, dst: &mut [f32], ldc: usize, a: &[f32], lda: usize, rows: usize) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Time-major `(frames, channels)` ↔ channel-major `(channels, frames)`.
    fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let mut y = vec![0.0; x.len()];
        for r in 0..rows {
            for c in 0..cols {
                y[c * rows + r] = x[r * cols + c];
            }
        }
        y
    }

    /// Direct convolution on a channel-major signal, as PyTorch defines it.
    #[allow(clippy::too_many_arguments)]
    fn direct(
        x: &[f32],
        w: &[f32],
        b: &[f32],
        (cout, cin, k): (usize, usize, usize),
        frames: usize,
        stride: usize,
        dil: usize,
        pad: usize,
    ) -> Vec<f32> {
        let out = (frames + 2 * pad - dil * (k - 1) - 1) / stride + 1;
        let mut y = vec![0.0; cout * out];
        for co in 0..cout {
            for o in 0..out {
                let mut acc = b[co];
                for ci in 0..cin {
                    for tap in 0..k {
                        let p = (o * stride + tap * dil) as isize - pad as isize;
                        if p >= 0 && (p as usize) < frames {
                            acc += w[(co * cin + ci) * k + tap] * x[ci * frames + p as usize];
                        }
                    }
                }
                y[co * out + o] = acc;
            }
        }
        y
    }

    fn max_error(got: &[f32], want: &[f32]) -> f32 {
        got.iter()
            .zip(want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max)
    }

    fn noise(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| (((i as u32).wrapping_mul(2_654_435_761) ^ seed) % 2001) as f32 / 1000.0 - 1.0)
            .collect()
    }

    #[test]
    fn convolution_matches_the_direct_definition() {
        for &(cin, cout, k, stride, dil, pad, frames) in &[
            (3, 5, 7, 1, 1, 3, 500),
            (4, 6, 3, 1, 5, 5, 777),
            (2, 3, 10, 5, 1, 0, 1001),
            (5, 4, 2, 2, 1, 0, 9),
            // Multiples of 32 outputs take the packed kernels where the CPU has them; 16+ inputs
            // read taps as strided views (here also with stride 2, as WavLM's encoder).
            (7, 64, 5, 1, 3, 6, 100),
            (40, 32, 11, 1, 1, 5, 301),
            (32, 32, 3, 2, 1, 0, 201),
        ] {
            let x = noise(cin * frames, 1);
            let w = noise(cout * cin * k, 2);
            let b = noise(cout, 3);
            let want = direct(&x, &w, &b, (cout, cin, k), frames, stride, dil, pad);
            for isa in [Some(Isa::Avx512), Some(Isa::Avx2), None] {
                if isa.is_some_and(|i| !i.available()) {
                    continue;
                }
                let cw =
                    ConvWeight::with_isa(&w, Some(&b), (cout, cin, k), (stride, dil, pad), isa);
                let got = cw.forward(&transpose(&x, cin, frames), |v| v);
                let out = cw.out_frames(frames);
                let got = transpose(&got, out, cout);
                assert_eq!(got.len(), want.len());
                let err = max_error(&got, &want);
                assert!(
                    err < 1e-4,
                    "{isa:?} conv {cin}->{cout} k{k} s{stride} d{dil}: max error {err}"
                );
            }
        }
    }

    #[test]
    fn the_packed_kernel_matches_a_plain_product() {
        // Rows not a multiple of the kernel's 12, depth over one 256-deep pass, wide strides.
        let (rows, k, n, lda, ldc) = (29, 300, 64, 310, 70);
        let a = noise(rows * lda, 7);
        let b = noise(k * n, 8);
        let start = noise(rows * ldc, 9);
        let mut want = start.clone();
        for r in 0..rows {
            for c in 0..n {
                let dot: f32 = (0..k).map(|j| a[r * lda + j] * b[j * n + c]).sum();
                want[r * ldc + c] += dot;
            }
        }
        for isa in [Some(Isa::Avx512), Some(Isa::Avx2), None] {
            if isa.is_some_and(|i| !i.available()) {
                eprintln!("{isa:?} is not available here");
                continue;
            }
            let mut got = start.clone();
            Weight::new(b.clone(), k, n, isa).product(&mut got, ldc, &a, lda, rows);
            let err = max_error(&got, &want);
            assert!(err < 1e-3, "{isa:?}: max error {err}");
        }
    }

    #[test]
    fn transposed_convolution_matches_the_direct_definition() {
        for &(cin, cout, k, stride, pad, frames) in &[
            (6, 4, 20, 10, 5, 13),
            (3, 2, 4, 2, 1, 40),
            (2, 3, 3, 2, 0, 7),
        ] {
            let x = noise(cin * frames, 4);
            let w = noise(cin * cout * k, 5);
            let b = noise(cout, 6);
            let out = (frames - 1) * stride + k - 2 * pad;
            let mut want = vec![0.0f32; cout * out];
            for co in 0..cout {
                for o in 0..out {
                    want[co * out + o] = b[co];
                }
            }
            for ci in 0..cin {
                for t in 0..frames {
                    for co in 0..cout {
                        for tap in 0..k {
                            let o = (t * stride + tap) as isize - pad as isize;
                            if o >= 0 && (o as usize) < out {
                                want[co * out + o as usize] +=
                                    x[ci * frames + t] * w[(ci * cout + co) * k + tap];
                            }
                        }
                    }
                }
            }
            let cw = ConvTransposeWeight::new(&w, &b, (cin, cout, k), stride, pad);
            let got = transpose(
                &cw.forward(&transpose(&x, cin, frames), |v| v, 2),
                out,
                cout,
            );
            let err = max_error(&got, &want);
            assert!(
                err < 1e-4,
                "convT {cin}->{cout} k{k} s{stride}: max error {err}"
            );
        }
    }

    #[test]
    fn the_activation_applies_to_the_signal_not_the_padding() {
        // act(v) = v + 2 on a constant −1 signal gives 1 per frame; a ones kernel of 3 with
        // padding 1 sums 2 of them at the ends and 3 inside. Passing the padded zeros through act
        // would add 2 at each end.
        let cw = ConvWeight::new(&[1.0, 1.0, 1.0], None, (1, 1, 3), 1, 1, 1);
        let y = cw.forward(&[-1.0; 4], |v| v + 2.0);
        assert_eq!(y, vec![2.0, 3.0, 3.0, 2.0]);
    }
}
