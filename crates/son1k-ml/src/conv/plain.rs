//! The plain product: row-major matrices multiplied by the `gemm` crate, behind one bounds check.
#![allow(unsafe_code)]

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
