//! The packed micro-kernels (AVX-512F, AVX2 + FMA): a right-hand matrix packed once into
//! 32-column panels, and the products and strided convolutions that run on it.
#![allow(unsafe_code)]

/// Columns of one packed panel of a right-hand matrix: two AVX-512 or four AVX2 registers.
const NR: usize = 32;
/// Depth of one pass: a panel's `KC × NR` slice (32 KiB) stays in L1.
const KC: usize = 256;
/// The most output rows any micro-kernel keeps in registers.
pub(super) const MR: usize = 12;

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
    pub(super) fn available(self) -> bool {
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
