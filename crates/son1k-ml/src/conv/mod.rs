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

mod conv1d;
mod packed;
mod plain;
#[cfg(test)]
mod tests;
mod transposed;
mod weight;

pub(crate) use conv1d::ConvWeight;
pub(crate) use plain::matmul;
pub(crate) use transposed::ConvTransposeWeight;
pub(crate) use weight::Dense;

/// The Gaussian error linear unit, exact form (`erf`), as `transformers`' "gelu".
pub(crate) fn gelu(v: f32) -> f32 {
    0.5 * v * (1.0 + libm::erff(v * std::f32::consts::FRAC_1_SQRT_2))
}
