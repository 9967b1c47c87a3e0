//! WavLM (Chen et al. 2022) as laid out by `transformers`' `WavLMModel`: a convolutional feature
//! encoder, a feature projection, a convolutional positional embedding and transformer layers with
//! gated relative position bias. Both layouts load: "large" (layer-norm convolutions, pre-norm
//! layers, as WavLM-Large) and "base" (group-norm first convolution, post-norm layers).

use std::path::Path;

use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::{
    embedding, layer_norm, linear, Embedding, GroupNorm, LayerNorm, Linear, VarBuilder,
};
use serde::Deserialize;

use crate::conv::{gelu, ConvWeight};

mod cpu;
use crate::{weights, MlError};
use rayon::prelude::*;

fn default_conv_dim() -> Vec<usize> {
    vec![512; 7]
}
fn default_conv_kernel() -> Vec<usize> {
    vec![10, 3, 3, 3, 3, 2, 2]
}
fn default_conv_stride() -> Vec<usize> {
    vec![5, 2, 2, 2, 2, 2, 2]
}

/// The fields of a `transformers` WavLM `config.json` this implementation reads (others are ignored;
/// absent ones take `transformers`' defaults).
#[derive(Debug, Clone, Deserialize)]
pub struct WavLmConfig {
    /// Width of the transformer.
    #[serde(default = "d768")]
    pub hidden_size: usize,
    /// Transformer layers in the checkpoint.
    #[serde(default = "d12")]
    pub num_hidden_layers: usize,
    /// Attention heads.
    #[serde(default = "d12")]
    pub num_attention_heads: usize,
    /// Feed-forward width.
    #[serde(default = "d3072")]
    pub intermediate_size: usize,
    /// Channels of each feature-encoder convolution.
    #[serde(default = "default_conv_dim")]
    pub conv_dim: Vec<usize>,
    /// Kernel of each feature-encoder convolution.
    #[serde(default = "default_conv_kernel")]
    pub conv_kernel: Vec<usize>,
    /// Stride of each feature-encoder convolution.
    #[serde(default = "default_conv_stride")]
    pub conv_stride: Vec<usize>,
    /// Whether those convolutions have biases.
    #[serde(default)]
    pub conv_bias: bool,
    /// `"group"` (base) or `"layer"` (large).
    #[serde(default = "group")]
    pub feat_extract_norm: String,
    /// Pre-norm transformer layers (large) instead of post-norm (base).
    #[serde(default)]
    pub do_stable_layer_norm: bool,
    /// Kernel of the positional convolution.
    #[serde(default = "d128")]
    pub num_conv_pos_embeddings: usize,
    /// Groups of the positional convolution.
    #[serde(default = "d16")]
    pub num_conv_pos_embedding_groups: usize,
    /// Relative-position buckets.
    #[serde(default = "d320")]
    pub num_buckets: usize,
    /// Longest distinguished relative distance.
    #[serde(default = "d800")]
    pub max_bucket_distance: usize,
    /// Layer-norm epsilon.
    #[serde(default = "eps")]
    pub layer_norm_eps: f64,
}

fn d768() -> usize {
    768
}
fn d12() -> usize {
    12
}
fn d3072() -> usize {
    3072
}
fn d128() -> usize {
    128
}
fn d16() -> usize {
    16
}
fn d320() -> usize {
    320
}
fn d800() -> usize {
    800
}
fn eps() -> f64 {
    1e-5
}
fn group() -> String {
    "group".into()
}

impl WavLmConfig {
    /// Reads a `config.json`.
    pub fn from_file(path: &Path) -> Result<Self, MlError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| MlError::io(path, "could not read", e))?;
        let cfg: WavLmConfig = serde_json::from_str(&text).map_err(|e| MlError::BadFile {
            path: path.into(),
            detail: format!("not a WavLM config: {e}"),
        })?;
        if cfg.conv_dim.is_empty()
            || cfg.conv_dim.len() != cfg.conv_kernel.len()
            || cfg.conv_dim.len() != cfg.conv_stride.len()
            || cfg.num_attention_heads == 0
            || !cfg.hidden_size.is_multiple_of(cfg.num_attention_heads)
        {
            return Err(MlError::BadFile {
                path: path.into(),
                detail: "inconsistent WavLM config (conv lists or heads)".into(),
            });
        }
        Ok(cfg)
    }

    /// Input samples per output frame (320 for the real models: 20 ms at 16 kHz).
    pub fn hop(&self) -> usize {
        self.conv_stride.iter().product()
    }
}

enum ConvNorm {
    None,
    Group(GroupNorm),
    Layer(LayerNorm),
}

struct ConvLayer {
    weight: Tensor,
    bias: Option<Tensor>,
    stride: usize,
    norm: ConvNorm,
}

impl ConvLayer {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let mut y = x.conv1d(&self.weight, 0, self.stride, 1, 1)?;
        if let Some(b) = &self.bias {
            y = y.broadcast_add(&b.reshape((1, (), 1))?)?;
        }
        let y = match &self.norm {
            ConvNorm::None => y,
            ConvNorm::Group(g) => g.forward(&y)?,
            ConvNorm::Layer(l) => l.forward(&y.transpose(1, 2)?)?.transpose(1, 2)?,
        };
        y.gelu_erf()
    }
}

struct Attention {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    gate: Linear,
    gate_const: Tensor,
    heads: usize,
    head_dim: usize,
}

/// The gated relative position bias's table (from the first layer), shared by every layer.
struct RelBias {
    embed: Embedding,
    heads: usize,
    num_buckets: usize,
    max_distance: usize,
}

impl RelBias {
    fn load(cfg: &WavLmConfig, vb: VarBuilder) -> candle_core::Result<Self> {
        Ok(RelBias {
            embed: embedding(
                cfg.num_buckets,
                cfg.num_attention_heads,
                vb.pp("rel_attn_embed"),
            )?,
            heads: cfg.num_attention_heads,
            num_buckets: cfg.num_buckets,
            max_distance: cfg.max_bucket_distance,
        })
    }

    /// The (heads, t, t) relative position bias.
    fn compute(&self, t: usize, device: &Device) -> candle_core::Result<Tensor> {
        let embed = &self.embed;
        let half = self.num_buckets / 2;
        let max_exact = half / 2;
        let log_span = (self.max_distance as f32 / max_exact as f32).ln();
        let mut buckets = Vec::with_capacity(t * t);
        for q in 0..t {
            for k in 0..t {
                let rel = k as i64 - q as i64;
                let mut b = if rel > 0 { half } else { 0 };
                let a = rel.unsigned_abs() as usize;
                b += if a < max_exact {
                    a
                } else {
                    let large =
                        (a as f32 / max_exact as f32).ln() / log_span * (half - max_exact) as f32;
                    ((max_exact as f32 + large) as usize).min(half - 1)
                };
                buckets.push(b as u32);
            }
        }
        let idx = Tensor::from_vec(buckets, t * t, device)?;
        let values = embed.forward(&idx)?.reshape((t, t, self.heads))?;
        values.permute((2, 0, 1))?.contiguous()
    }
}

impl Attention {
    fn load(cfg: &WavLmConfig, vb: VarBuilder) -> candle_core::Result<Self> {
        let e = cfg.hidden_size;
        let heads = cfg.num_attention_heads;
        Ok(Attention {
            q: linear(e, e, vb.pp("q_proj"))?,
            k: linear(e, e, vb.pp("k_proj"))?,
            v: linear(e, e, vb.pp("v_proj"))?,
            out: linear(e, e, vb.pp("out_proj"))?,
            gate: linear(e / heads, 8, vb.pp("gru_rel_pos_linear"))?,
            gate_const: vb.get((1, heads, 1, 1), "gru_rel_pos_const")?,
            heads,
            head_dim: e / heads,
        })
    }

    fn forward(&self, x: &Tensor, bias: &Tensor) -> candle_core::Result<Tensor> {
        let (b, t, e) = x.dims3()?;
        let (h, hd) = (self.heads, self.head_dim);
        // Gate of the position bias from each head's slice of the input.
        let per_head = x.reshape((b, t, h, hd))?.transpose(1, 2)?; // b h t hd
        let proj = self.gate.forward(&per_head)?; // b h t 8
        let proj = proj.reshape((b, h, t, 2, 4))?.sum(D::Minus1)?;
        let gates = candle_nn::ops::sigmoid(&proj)?;
        let ga = gates.narrow(D::Minus1, 0, 1)?;
        let gb = gates.narrow(D::Minus1, 1, 1)?;
        let gate = (ga.mul(&(gb.broadcast_mul(&self.gate_const)? - 1.0)?)? + 2.0)?; // b h t 1
        let gated_bias = gate.broadcast_mul(&bias.unsqueeze(0)?)?; // b h t t

        let split = |y: Tensor| -> candle_core::Result<Tensor> {
            y.reshape((b, t, h, hd))?.transpose(1, 2)?.contiguous()
        };
        let scale = (hd as f64).powf(-0.5);
        let q = split((self.q.forward(x)? * scale)?)?;
        let k = split(self.k.forward(x)?)?;
        let v = split(self.v.forward(x)?)?;
        let scores = q.matmul(&k.t()?)?.add(&gated_bias)?;
        let attn = candle_nn::ops::softmax_last_dim(&scores)?;
        let y = attn.matmul(&v)?.transpose(1, 2)?.reshape((b, t, e))?;
        self.out.forward(&y)
    }
}

struct EncoderLayer {
    attention: Attention,
    layer_norm: LayerNorm,
    ff_in: Linear,
    ff_out: Linear,
    final_layer_norm: LayerNorm,
    pre_norm: bool,
}

impl EncoderLayer {
    fn forward(&self, x: &Tensor, bias: &Tensor) -> candle_core::Result<Tensor> {
        let ff = |y: &Tensor| -> candle_core::Result<Tensor> {
            self.ff_out.forward(&self.ff_in.forward(y)?.gelu_erf()?)
        };
        if self.pre_norm {
            let h = (x + self.attention.forward(&self.layer_norm.forward(x)?, bias)?)?;
            &h + ff(&self.final_layer_norm.forward(&h)?)?
        } else {
            let h = self
                .layer_norm
                .forward(&(x + self.attention.forward(x, bias)?)?)?;
            self.final_layer_norm.forward(&(&h + ff(&h)?)?)
        }
    }
}

/// A WavLM encoder loaded up to the layer whose output is wanted.
pub struct WavLm {
    config: WavLmConfig,
    position: RelBias,
    device: Device,
    /// The weights in Candle's form, for its operations (GPUs, or the CPU when asked); `None`
    /// when the CPU path holds them instead (each weight is kept once).
    candle: Option<CandleParts>,
    /// The time-major CPU path: the feature encoder and the rest.
    cpu: Option<(CpuEncoder, cpu::CpuTransformer)>,
}

/// Everything but the position bias, in Candle's form.
struct CandleParts {
    convs: Vec<ConvLayer>,
    proj_norm: LayerNorm,
    projection: Linear,
    pos_weight: Tensor,
    pos_bias: Tensor,
    encoder_norm: Option<LayerNorm>,
    layers: Vec<EncoderLayer>,
}

/// How a feature-encoder layer normalises its output on the CPU path.
enum CpuNorm {
    None,
    /// Each channel over time (a group norm with one channel per group), with (gamma, beta).
    PerChannel(Vec<f32>, Vec<f32>),
    /// Each frame over channels, with (gamma, beta).
    PerFrame(Vec<f32>, Vec<f32>),
}

/// WavLM's convolutional feature encoder, time-major, on the CPU (see [`crate::conv`]).
struct CpuEncoder {
    layers: Vec<(ConvWeight, CpuNorm)>,
}

impl CpuEncoder {
    /// Samples → (frames × channels values, frames, channels).
    fn forward(&self, samples: &[f32]) -> (Vec<f32>, usize, usize) {
        const EPS: f32 = 1e-5;
        let mut x = samples.to_vec();
        let mut ch = 1;
        for (conv, norm) in &self.layers {
            let mut y = conv.forward(&x, |v| v);
            ch = conv.cout();
            match norm {
                CpuNorm::None => {}
                CpuNorm::PerFrame(g, b) => y.par_chunks_mut(ch).for_each(|row| {
                    let n = row.len() as f32;
                    let mean = row.iter().sum::<f32>() / n;
                    let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
                    let inv = 1.0 / (var + EPS).sqrt();
                    for ((v, g), b) in row.iter_mut().zip(g).zip(b) {
                        *v = (*v - mean) * inv * g + b;
                    }
                }),
                CpuNorm::PerChannel(g, b) => {
                    let frames = y.len() / ch;
                    let mut sum = vec![0.0f64; ch];
                    let mut sq = vec![0.0f64; ch];
                    for row in y.chunks(ch) {
                        for ((s, q), &v) in sum.iter_mut().zip(sq.iter_mut()).zip(row) {
                            *s += v as f64;
                            *q += (v as f64) * (v as f64);
                        }
                    }
                    let n = frames.max(1) as f64;
                    let scale: Vec<(f32, f32)> = (0..ch)
                        .map(|c| {
                            let mean = sum[c] / n;
                            let var = (sq[c] / n - mean * mean).max(0.0);
                            let inv = 1.0 / (var + EPS as f64).sqrt();
                            ((inv as f32) * g[c], b[c] - (mean * inv) as f32 * g[c])
                        })
                        .collect();
                    y.par_chunks_mut(ch).for_each(|row| {
                        for (v, (m, a)) in row.iter_mut().zip(&scale) {
                            *v = *v * m + a;
                        }
                    });
                }
            }
            y.par_iter_mut().for_each(|v| *v = gelu(*v));
            x = y;
        }
        let frames = x.len() / ch.max(1);
        (x, frames, ch)
    }
}

impl WavLm {
    /// Loads `config.json` and a checkpoint (safetensors, or a PyTorch `.bin`/`.pt`), keeping the first
    /// `layers` transformer layers (kNN-VC uses 6 of WavLM-Large's 24).
    pub fn load(
        config: &Path,
        weights_file: &Path,
        layers: usize,
        device: &Device,
    ) -> Result<Self, MlError> {
        Self::load_with(config, weights_file, layers, device, device.is_cpu())
    }

    /// [`WavLm::load`] that runs every operation through Candle's, as on a GPU, even on the CPU;
    /// the parity tests check both paths against the reference.
    pub fn load_candle_ops(
        config: &Path,
        weights_file: &Path,
        layers: usize,
        device: &Device,
    ) -> Result<Self, MlError> {
        Self::load_with(config, weights_file, layers, device, false)
    }

    fn load_with(
        config: &Path,
        weights_file: &Path,
        layers: usize,
        device: &Device,
        cpu_path: bool,
    ) -> Result<Self, MlError> {
        let cfg = WavLmConfig::from_file(config)?;
        if layers == 0 || layers > cfg.num_hidden_layers {
            return Err(MlError::BadFile {
                path: config.into(),
                detail: format!(
                    "the model has {} transformer layers; layer {layers} was asked for",
                    cfg.num_hidden_layers
                ),
            });
        }
        let mut tensors = weights::read(weights_file, None)?;
        // Checkpoints saved from a task head prefix the encoder's names with "wavlm.".
        if tensors.keys().any(|k| k.starts_with("wavlm.")) {
            tensors = tensors
                .into_iter()
                .filter_map(|(k, v)| k.strip_prefix("wavlm.").map(|s| (s.to_string(), v)))
                .collect();
        }
        for needed in [
            "feature_projection.projection.weight",
            "encoder.pos_conv_embed.conv.weight",
            "encoder.layers.0.attention.rel_attn_embed.weight",
        ] {
            if !tensors.contains_key(needed) {
                return Err(MlError::MissingTensor {
                    file: weights_file.into(),
                    name: needed.into(),
                });
            }
        }
        let vb = weights::builder(tensors, device);
        Self::build(cfg, vb, layers, device, cpu_path).map_err(MlError::from)
    }

    fn build(
        cfg: WavLmConfig,
        vb: VarBuilder,
        layers: usize,
        device: &Device,
        cpu_path: bool,
    ) -> candle_core::Result<Self> {
        let eps = cfg.layer_norm_eps;
        let mut convs = Vec::new();
        let mut cpu_layers = Vec::new();
        let mut cin = 1;
        for (i, ((&cout, &k), &s)) in cfg
            .conv_dim
            .iter()
            .zip(&cfg.conv_kernel)
            .zip(&cfg.conv_stride)
            .enumerate()
        {
            let cvb = vb.pp(format!("feature_extractor.conv_layers.{i}"));
            let weight = cvb.get((cout, cin, k), "conv.weight")?;
            let bias = if cfg.conv_bias {
                Some(cvb.get(cout, "conv.bias")?)
            } else {
                None
            };
            let norm_params = |nvb: VarBuilder| -> candle_core::Result<(Vec<f32>, Vec<f32>)> {
                Ok((
                    nvb.get(cout, "weight")?.to_vec1()?,
                    nvb.get(cout, "bias")?.to_vec1()?,
                ))
            };
            if cpu_path {
                let cpu_norm = match (cfg.feat_extract_norm.as_str(), i) {
                    ("layer", _) => {
                        let (g, b) = norm_params(cvb.pp("layer_norm"))?;
                        CpuNorm::PerFrame(g, b)
                    }
                    (_, 0) => {
                        let (g, b) = norm_params(cvb.pp("layer_norm"))?;
                        CpuNorm::PerChannel(g, b)
                    }
                    _ => CpuNorm::None,
                };
                let bias_v = bias.as_ref().map(Tensor::to_vec1).transpose()?;
                cpu_layers.push((
                    ConvWeight::new(
                        &weight.flatten_all()?.to_vec1()?,
                        bias_v.as_deref(),
                        (cout, cin, k),
                        s,
                        1,
                        0,
                    ),
                    cpu_norm,
                ));
            }
            let norm = match (cfg.feat_extract_norm.as_str(), i) {
                ("layer", _) => ConvNorm::Layer(layer_norm(cout, 1e-5, cvb.pp("layer_norm"))?),
                (_, 0) => ConvNorm::Group(candle_nn::group_norm(
                    cout,
                    cout,
                    1e-5,
                    cvb.pp("layer_norm"),
                )?),
                _ => ConvNorm::None,
            };
            convs.push(ConvLayer {
                weight,
                bias,
                stride: s,
                norm,
            });
            cin = cout;
        }
        let e = cfg.hidden_size;
        let pvb = vb.pp("encoder.pos_conv_embed.conv");
        let groups = cfg.num_conv_pos_embedding_groups;
        let pos_weight = pvb.get((e, e / groups, cfg.num_conv_pos_embeddings), "weight")?;
        let pos_bias = pvb.get(e, "bias")?;
        let mut enc_layers = Vec::new();
        for i in 0..layers {
            let lvb = vb.pp(format!("encoder.layers.{i}"));
            enc_layers.push(EncoderLayer {
                attention: Attention::load(&cfg, lvb.pp("attention"))?,
                layer_norm: layer_norm(e, eps, lvb.pp("layer_norm"))?,
                ff_in: linear(
                    e,
                    cfg.intermediate_size,
                    lvb.pp("feed_forward.intermediate_dense"),
                )?,
                ff_out: linear(
                    cfg.intermediate_size,
                    e,
                    lvb.pp("feed_forward.output_dense"),
                )?,
                final_layer_norm: layer_norm(e, eps, lvb.pp("final_layer_norm"))?,
                pre_norm: cfg.do_stable_layer_norm,
            });
        }
        let last = *cfg.conv_dim.last().unwrap_or(&e);
        let parts = CandleParts {
            proj_norm: layer_norm(last, eps, vb.pp("feature_projection.layer_norm"))?,
            projection: linear(last, e, vb.pp("feature_projection.projection"))?,
            encoder_norm: if cfg.do_stable_layer_norm {
                None
            } else {
                Some(layer_norm(e, eps, vb.pp("encoder.layer_norm"))?)
            },
            pos_weight,
            pos_bias,
            convs,
            layers: enc_layers,
        };
        let (candle, cpu) = if cpu_path {
            let rest = cpu::CpuTransformer::new(&parts, &cfg)?;
            (None, Some((CpuEncoder { layers: cpu_layers }, rest)))
        } else {
            (Some(parts), None)
        };
        Ok(WavLm {
            position: RelBias::load(&cfg, vb.pp("encoder.layers.0.attention"))?,
            config: cfg,
            device: device.clone(),
            candle,
            cpu,
        })
    }

    /// The configuration it was loaded with.
    pub fn config(&self) -> &WavLmConfig {
        &self.config
    }

    /// Samples per output frame.
    pub fn hop(&self) -> usize {
        self.config.hop()
    }

    /// Features of 16 kHz mono `samples`: the output of the last loaded transformer layer, as a
    /// (frames, hidden) tensor.
    pub fn features(&self, samples: &[f32]) -> Result<Tensor, MlError> {
        let min = self.config.conv_kernel.iter().sum::<usize>() + self.hop();
        if samples.len() < min {
            return Err(MlError::Input(format!(
                "the audio is too short for WavLM ({} samples at 16 kHz; at least {min} needed)",
                samples.len()
            )));
        }
        let wav = Tensor::from_slice(samples, (1, samples.len()), &self.device)?;
        Ok(self.forward(&wav)?.squeeze(0)?)
    }

    /// The weights in Candle's form (present whenever the CPU path is not).
    fn candle_parts(&self) -> candle_core::Result<&CandleParts> {
        self.candle
            .as_ref()
            .ok_or_else(|| candle_core::Error::Msg("WavLM was loaded for the CPU path only".into()))
    }

    /// The convolutional feature encoder: (batch, samples) → (batch, frames, channels).
    fn encode(&self, wav: &Tensor) -> candle_core::Result<Tensor> {
        let wav = wav.to_dtype(DType::F32)?;
        if let (Some((cpu, _)), true) = (&self.cpu, wav.device().is_cpu()) {
            let b = wav.dim(0)?;
            let mut rows = Vec::new();
            for i in 0..b {
                let (y, frames, ch) = cpu.forward(&wav.get(i)?.to_vec1()?);
                rows.push(Tensor::from_vec(y, (frames, ch), wav.device())?);
            }
            return Tensor::stack(&rows, 0);
        }
        let mut x = wav.unsqueeze(1)?;
        for c in &self.candle_parts()?.convs {
            x = c.forward(&x)?;
        }
        x.transpose(1, 2)
    }

    /// (batch, samples) → (batch, frames, hidden) from the last loaded layer.
    pub fn forward(&self, wav: &Tensor) -> candle_core::Result<Tensor> {
        let x = self.encode(wav)?;
        if let (Some((_, rest)), true) = (&self.cpu, x.device().is_cpu()) {
            let (b, t, _) = x.dims3()?;
            let bias = self
                .position
                .compute(t, &self.device)?
                .flatten_all()?
                .to_vec1::<f32>()?;
            let mut rows = Vec::new();
            for i in 0..b {
                let y = rest.forward(&x.get(i)?.flatten_all()?.to_vec1()?, t, &bias);
                let e = y.len() / t.max(1);
                rows.push(Tensor::from_vec(y, (t, e), x.device())?);
            }
            return Tensor::stack(&rows, 0);
        }
        let c = self.candle_parts()?;
        let x = c.projection.forward(&c.proj_norm.forward(&x)?)?;
        // Positional convolution ("same" padding, the extra frame of an even kernel dropped).
        let k = self.config.num_conv_pos_embeddings;
        let (_, t, _) = x.dims3()?;
        let pos = x.transpose(1, 2)?.contiguous()?.conv1d(
            &c.pos_weight,
            k / 2,
            1,
            1,
            self.config.num_conv_pos_embedding_groups,
        )?;
        let pos = pos
            .broadcast_add(&c.pos_bias.reshape((1, (), 1))?)?
            .narrow(2, 0, t)?
            .gelu_erf()?
            .transpose(1, 2)?;
        let mut x = (x + pos)?;
        if let Some(n) = &c.encoder_norm {
            x = n.forward(&x)?;
        }
        let bias = self.position.compute(t, &self.device)?;
        for layer in &c.layers {
            x = layer.forward(&x, &bias)?;
        }
        Ok(x)
    }
}
