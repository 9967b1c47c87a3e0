//! Parity with PyTorch: tiny random-weight models made by `scripts/voice-parity.py` (WavLM from
//! `transformers`, HiFi-GAN in kNN-VC's architecture) and their outputs on fixed inputs, committed in
//! tests/fixtures/. Regenerate them with the command in that script's docstring.
//!
//! Tolerance: largest absolute difference ≤ 1e-4 on activations of magnitude ~1 (f32 on both sides;
//! what differs is summation order in matmuls and convolutions).

use std::path::PathBuf;

use candle_core::{Device, Tensor};
use son1k_ml::hifigan::HifiGan;
use son1k_ml::knn::knn_regress;
use son1k_ml::wavlm::WavLm;

const TOLERANCE: f32 = 1e-4;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn reference(name: &str) -> Tensor {
    let mut all = candle_core::safetensors::load(fixture("reference.safetensors"), &Device::Cpu)
        .expect("reference.safetensors");
    all.remove(name)
        .unwrap_or_else(|| panic!("no {name} in the reference"))
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
    assert_eq!(a.dims(), b.dims(), "shapes differ");
    (a - b)
        .and_then(|d| d.abs())
        .and_then(|d| d.flatten_all())
        .and_then(|d| d.max(0))
        .and_then(|d| d.to_scalar::<f32>())
        .expect("difference")
}

fn check_wavlm(name: &str) {
    let wav = reference("wav");
    let cfg = fixture(&format!("{name}.json"));
    let weights = fixture(&format!("{name}.safetensors"));
    // Layer 2's output (the model has 3): what kNN-VC takes from layer 6 of 24. Both the CPU
    // path and Candle's operations (what a GPU runs) must match.
    let want = reference(&format!("{name}.layer2"));
    let two = WavLm::load(&cfg, &weights, 2, &Device::Cpu).expect("load");
    let got = two.forward(&wav).expect("forward");
    let diff = max_abs_diff(&got, &want);
    assert!(diff <= TOLERANCE, "{name} layer 2: max |Δ| = {diff}");
    eprintln!("{name} layer 2: max |Δ| = {diff:e}");
    let ops = WavLm::load_candle_ops(&cfg, &weights, 2, &Device::Cpu).expect("load");
    let got = ops.forward(&wav).expect("forward");
    let diff = max_abs_diff(&got, &want);
    assert!(
        diff <= TOLERANCE,
        "{name} layer 2, Candle ops: max |Δ| = {diff}"
    );
    // All layers; the post-norm ("base") layout's last layer output is its last hidden state.
    if name.contains("base") {
        let all = WavLm::load(&cfg, &weights, 3, &Device::Cpu).expect("load");
        let got = all.forward(&wav).expect("forward");
        let diff = max_abs_diff(&got, &reference(&format!("{name}.last")));
        assert!(diff <= TOLERANCE, "{name} last: max |Δ| = {diff}");
    }
}

#[test]
fn wavlm_large_layout_matches_transformers() {
    check_wavlm("wavlm_large_tiny");
}

#[test]
fn wavlm_base_layout_with_old_weight_norm_names_matches_transformers() {
    check_wavlm("wavlm_base_tiny");
}

#[test]
fn hifigan_from_a_knnvc_style_checkpoint_matches_pytorch() {
    let voc = HifiGan::load(
        &fixture("hifigan_tiny.json"),
        &fixture("hifigan_tiny.pt"),
        &Device::Cpu,
    )
    .expect("load");
    let got = voc.forward(&reference("hifigan.in")).expect("forward");
    let want = reference("hifigan.out");
    let diff = max_abs_diff(&got, &want);
    eprintln!("hifigan: max |Δ| = {diff:e}, {} samples", want.dims()[1]);
    assert!(diff <= TOLERANCE, "hifigan: max |Δ| = {diff}");
    let ops = HifiGan::load_candle_ops(
        &fixture("hifigan_tiny.json"),
        &fixture("hifigan_tiny.pt"),
        &Device::Cpu,
    )
    .expect("load");
    let got = ops.forward(&reference("hifigan.in")).expect("forward");
    let diff = max_abs_diff(&got, &want);
    assert!(diff <= TOLERANCE, "hifigan, Candle ops: max |Δ| = {diff}");
}

#[test]
fn knn_regression_matches_pytorch() {
    let got = knn_regress(&reference("knn.query"), &reference("knn.pool"), 4).expect("knn");
    let diff = max_abs_diff(&got, &reference("knn.out"));
    assert!(diff <= 1e-5, "knn: max |Δ| = {diff}");
}
