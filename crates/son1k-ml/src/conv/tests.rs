//! Checks of every convolution path against the direct definitions (and of each packed kernel
//! this CPU has against a plain product).

use super::packed::Isa;
use super::weight::Weight;
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
            let cw = ConvWeight::with_isa(&w, Some(&b), (cout, cin, k), (stride, dil, pad), isa);
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
