//! The HiFi-GAN generator (Kong et al. 2020) in kNN-VC's variant: a linear layer takes WavLM features
//! (one per 20 ms) to the generator's width, then transposed convolutions upsample to 16 kHz with
//! multi-receptive-field residual blocks after each.

use std::path::Path;

use candle_core::{Device, Module, Tensor};
use candle_nn::{linear, Linear, VarBuilder};
use rayon::prelude::*;
use serde::Deserialize;

use crate::conv::{ConvTransposeWeight, ConvWeight, Dense};
use crate::{weights, MlError};

const LRELU: f64 = 0.1;

/// The vocoder's configuration, as in kNN-VC's `config_v1_wavlm.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct HifiGanConfig {
    /// Upsampling factor of each stage (their product is the hop: 320).
    pub upsample_rates: Vec<usize>,
    /// Kernel of each upsampling convolution.
    pub upsample_kernel_sizes: Vec<usize>,
    /// Channels after the first convolution (halved at each stage).
    pub upsample_initial_channel: usize,
    /// Kernel of each residual block.
    pub resblock_kernel_sizes: Vec<usize>,
    /// Dilations of each residual block.
    pub resblock_dilation_sizes: Vec<Vec<usize>>,
    /// Width of the input features (1024 for WavLM-Large).
    pub hubert_dim: usize,
    /// Width after the input linear layer.
    pub hifi_dim: usize,
    /// Output sample rate.
    #[serde(default = "rate")]
    pub sampling_rate: u32,
}

fn rate() -> u32 {
    16_000
}

impl HifiGanConfig {
    /// Reads the JSON file.
    pub fn from_file(path: &Path) -> Result<Self, MlError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| MlError::io(path, "could not read", e))?;
        let cfg: HifiGanConfig = serde_json::from_str(&text).map_err(|e| MlError::BadFile {
            path: path.into(),
            detail: format!("not a HiFi-GAN config: {e}"),
        })?;
        if cfg.upsample_rates.len() != cfg.upsample_kernel_sizes.len()
            || cfg.resblock_kernel_sizes.len() != cfg.resblock_dilation_sizes.len()
            || cfg.upsample_rates.is_empty()
        {
            return Err(MlError::BadFile {
                path: path.into(),
                detail: "inconsistent HiFi-GAN config (rates, kernels, dilations)".into(),
            });
        }
        Ok(cfg)
    }

    /// Output samples per input frame.
    pub fn hop(&self) -> usize {
        self.upsample_rates.iter().product()
    }
}

struct Conv {
    weight: Tensor,
    bias: Tensor,
    padding: usize,
    dilation: usize,
}

impl Conv {
    fn load(
        vb: VarBuilder,
        cin: usize,
        cout: usize,
        k: usize,
        dilation: usize,
    ) -> candle_core::Result<Self> {
        Ok(Conv {
            weight: vb.get((cout, cin, k), "weight")?,
            bias: vb.get(cout, "bias")?,
            padding: (k * dilation - dilation) / 2,
            dilation,
        })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.conv1d(&self.weight, self.padding, 1, self.dilation, 1)?
            .broadcast_add(&self.bias.reshape((1, (), 1))?)
    }
}

struct Up {
    weight: Tensor,
    bias: Tensor,
    stride: usize,
    padding: usize,
}

struct ResBlock {
    convs1: Vec<Conv>,
    convs2: Vec<Conv>,
}

impl ResBlock {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let mut x = x.clone();
        for (c1, c2) in self.convs1.iter().zip(&self.convs2) {
            let t = c1.forward(&leaky(&x)?)?;
            let t = c2.forward(&leaky(&t)?)?;
            x = (x + t)?;
        }
        Ok(x)
    }
}

fn leaky(x: &Tensor) -> candle_core::Result<Tensor> {
    // max(x, 0.1·x) is leaky ReLU for a slope below 1.
    x.maximum(&(x * LRELU)?)
}

/// The generator, weights folded (no weight norm at run time).
pub struct HifiGan {
    config: HifiGanConfig,
    /// The weights, held once: laid out for the time-major CPU path (see [`crate::conv`]), or in
    /// Candle's form for its operations (GPUs, or the CPU when asked).
    net: Net,
}

enum Net {
    Candle(Box<CandleNet>),
    Cpu(Box<CpuHifiGan>),
}

/// The generator in Candle's form.
struct CandleNet {
    lin_pre: Linear,
    conv_pre: Conv,
    ups: Vec<Up>,
    resblocks: Vec<ResBlock>,
    conv_post: Conv,
}

/// The vocoder on the CPU, time-major.
struct CpuHifiGan {
    lin_pre: Dense,
    conv_pre: ConvWeight,
    ups: Vec<ConvTransposeWeight>,
    /// Per stage, per residual block, its (dilated, plain) convolution pairs.
    resblocks: Vec<Vec<Vec<(ConvWeight, ConvWeight)>>>,
    conv_post: ConvWeight,
}

fn flat(t: &Tensor) -> candle_core::Result<Vec<f32>> {
    t.flatten_all()?.to_vec1()
}

fn cpu_conv(c: &Conv) -> candle_core::Result<ConvWeight> {
    let (cout, cin, k) = c.weight.dims3()?;
    Ok(ConvWeight::new(
        &flat(&c.weight)?,
        Some(&flat(&c.bias)?),
        (cout, cin, k),
        1,
        c.dilation,
        c.padding,
    ))
}

impl CpuHifiGan {
    fn new(g: &CandleNet, config: &HifiGanConfig) -> candle_core::Result<Self> {
        let nk = config.resblock_kernel_sizes.len();
        let mut resblocks = Vec::new();
        for stage in g.resblocks.chunks(nk.max(1)) {
            let mut blocks = Vec::new();
            for rb in stage {
                let mut pairs = Vec::new();
                for (c1, c2) in rb.convs1.iter().zip(&rb.convs2) {
                    pairs.push((cpu_conv(c1)?, cpu_conv(c2)?));
                }
                blocks.push(pairs);
            }
            resblocks.push(blocks);
        }
        let mut ups = Vec::new();
        for up in &g.ups {
            let dims = up.weight.dims3()?;
            ups.push(ConvTransposeWeight::new(
                &flat(&up.weight)?,
                &flat(&up.bias)?,
                dims,
                up.stride,
                up.padding,
            ));
        }
        Ok(CpuHifiGan {
            lin_pre: Dense::new(
                flat(&g.lin_pre.weight().t()?.contiguous()?)?,
                g.lin_pre
                    .bias()
                    .map(flat)
                    .transpose()?
                    .unwrap_or_else(|| vec![0.0; config.hifi_dim]),
                config.hubert_dim,
                config.hifi_dim,
            ),
            conv_pre: cpu_conv(&g.conv_pre)?,
            ups,
            resblocks,
            conv_post: cpu_conv(&g.conv_post)?,
        })
    }

    /// Time-major `(frames, hubert_dim)` features → samples.
    fn forward(&self, feats: &[f32], frames: usize) -> Vec<f32> {
        let threads = rayon::current_num_threads();
        let x = self.lin_pre.forward(feats, frames);
        let mut x = self.conv_pre.forward(&x, |v| v);
        let lrelu = |v: f32| if v > 0.0 { v } else { v * LRELU as f32 };
        for (up, blocks) in self.ups.iter().zip(&self.resblocks) {
            x = up.forward(&x, lrelu, threads);
            let mut sum = vec![0.0f32; x.len()];
            for pairs in blocks {
                let mut y = x.clone();
                for (c1, c2) in pairs {
                    let t = c1.forward(&y, lrelu);
                    c2.forward_add(&t, lrelu, &mut y);
                }
                sum.par_iter_mut().zip(&y).for_each(|(a, b)| *a += b);
            }
            let n = blocks.len().max(1) as f32;
            sum.par_iter_mut().for_each(|v| *v /= n);
            x = sum;
        }
        // The last activation uses torch's default slope, 0.01.
        let mut y = self
            .conv_post
            .forward(&x, |v| if v > 0.0 { v } else { v * 0.01 });
        y.par_iter_mut().for_each(|v| *v = v.tanh());
        y
    }
}

impl HifiGan {
    /// Loads the JSON config and a checkpoint: safetensors, or a PyTorch file whose state dict is
    /// under `"generator"` (kNN-VC's release) or at the top level.
    pub fn load(config: &Path, weights_file: &Path, device: &Device) -> Result<Self, MlError> {
        Self::load_with(config, weights_file, device, device.is_cpu())
    }

    /// [`HifiGan::load`] that runs every operation through Candle's, as on a GPU, even on the
    /// CPU; the parity tests check both paths against the reference.
    pub fn load_candle_ops(
        config: &Path,
        weights_file: &Path,
        device: &Device,
    ) -> Result<Self, MlError> {
        Self::load_with(config, weights_file, device, false)
    }

    fn load_with(
        config: &Path,
        weights_file: &Path,
        device: &Device,
        cpu_path: bool,
    ) -> Result<Self, MlError> {
        let cfg = HifiGanConfig::from_file(config)?;
        let is_st = weights_file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("safetensors"));
        let tensors = if is_st {
            weights::read(weights_file, None)?
        } else {
            match weights::read(weights_file, Some("generator")) {
                Ok(t) if !t.is_empty() => t,
                _ => weights::read(weights_file, None)?,
            }
        };
        if !tensors.contains_key("conv_pre.weight") {
            return Err(MlError::MissingTensor {
                file: weights_file.into(),
                name: "conv_pre.weight".into(),
            });
        }
        let vb = weights::builder(tensors, device);
        Self::build(cfg, vb, cpu_path).map_err(MlError::from)
    }

    fn build(cfg: HifiGanConfig, vb: VarBuilder, cpu_path: bool) -> candle_core::Result<Self> {
        let c0 = cfg.upsample_initial_channel;
        let mut ups = Vec::new();
        let mut resblocks = Vec::new();
        let mut ch = c0;
        for (i, (&u, &k)) in cfg
            .upsample_rates
            .iter()
            .zip(&cfg.upsample_kernel_sizes)
            .enumerate()
        {
            let (cin, cout) = (c0 >> i, c0 >> (i + 1));
            let uvb = vb.pp(format!("ups.{i}"));
            ups.push(Up {
                weight: uvb.get((cin, cout, k), "weight")?,
                bias: uvb.get(cout, "bias")?,
                stride: u,
                padding: (k - u) / 2,
            });
            for (j, (&rk, dil)) in cfg
                .resblock_kernel_sizes
                .iter()
                .zip(&cfg.resblock_dilation_sizes)
                .enumerate()
            {
                let rvb = vb.pp(format!(
                    "resblocks.{}",
                    i * cfg.resblock_kernel_sizes.len() + j
                ));
                let mut convs1 = Vec::new();
                let mut convs2 = Vec::new();
                for (m, &d) in dil.iter().enumerate() {
                    convs1.push(Conv::load(
                        rvb.pp(format!("convs1.{m}")),
                        cout,
                        cout,
                        rk,
                        d,
                    )?);
                    convs2.push(Conv::load(
                        rvb.pp(format!("convs2.{m}")),
                        cout,
                        cout,
                        rk,
                        1,
                    )?);
                }
                resblocks.push(ResBlock { convs1, convs2 });
            }
            ch = cout;
        }
        let net = CandleNet {
            lin_pre: linear(cfg.hubert_dim, cfg.hifi_dim, vb.pp("lin_pre"))?,
            conv_pre: Conv::load(vb.pp("conv_pre"), cfg.hifi_dim, c0, 7, 1)?,
            conv_post: Conv::load(vb.pp("conv_post"), ch, 1, 7, 1)?,
            ups,
            resblocks,
        };
        let net = if cpu_path {
            Net::Cpu(Box::new(CpuHifiGan::new(&net, &cfg)?))
        } else {
            Net::Candle(Box::new(net))
        };
        Ok(HifiGan { config: cfg, net })
    }

    /// The configuration it was loaded with.
    pub fn config(&self) -> &HifiGanConfig {
        &self.config
    }

    /// (batch, frames, features) → (batch, frames × hop) samples in −1…1.
    pub fn forward(&self, feats: &Tensor) -> candle_core::Result<Tensor> {
        let net = match &self.net {
            Net::Cpu(cpu) => {
                let (b, frames, _) = feats.dims3()?;
                let mut out = Vec::new();
                for i in 0..b {
                    out.extend(
                        cpu.forward(&flat(&feats.to_device(&Device::Cpu)?.get(i)?)?, frames),
                    );
                }
                let n = out.len() / b.max(1);
                return Tensor::from_vec(out, (b, n), feats.device());
            }
            Net::Candle(net) => net,
        };
        net.forward(feats, &self.config)
    }

    /// Vocodes (frames, features) into samples.
    pub fn vocode(&self, feats: &Tensor) -> Result<Vec<f32>, MlError> {
        Ok(self.forward(&feats.unsqueeze(0)?)?.squeeze(0)?.to_vec1()?)
    }
}

impl CandleNet {
    fn forward(&self, feats: &Tensor, config: &HifiGanConfig) -> candle_core::Result<Tensor> {
        let x = self.lin_pre.forward(feats)?.transpose(1, 2)?.contiguous()?;
        let mut x = self.conv_pre.forward(&x)?;
        let nk = config.resblock_kernel_sizes.len();
        for (i, up) in self.ups.iter().enumerate() {
            x = leaky(&x)?
                .conv_transpose1d(&up.weight, up.padding, 0, up.stride, 1, 1)?
                .broadcast_add(&up.bias.reshape((1, (), 1))?)?;
            let mut sum: Option<Tensor> = None;
            for rb in &self.resblocks[i * nk..(i + 1) * nk] {
                let y = rb.forward(&x)?;
                sum = Some(match sum {
                    None => y,
                    Some(s) => (s + y)?,
                });
            }
            if let Some(s) = sum {
                x = (s / nk as f64)?;
            }
        }
        // The last activation uses torch's default slope, 0.01.
        let x = x.maximum(&(&x * 0.01)?)?;
        self.conv_post.forward(&x)?.tanh()?.squeeze(1)
    }
}
