//! WavLM's projection, positional convolution and transformer layers on the CPU, time-major, with
//! the products through [`crate::conv`]'s kernels. Same arithmetic as the Candle path in the parent
//! module; the parity tests hold both to the reference.

use candle_core::Tensor;
use candle_nn::{LayerNorm, Linear};
use rayon::prelude::*;

use super::{CandleParts, EncoderLayer, WavLmConfig};
use crate::conv::{gelu, ConvWeight, Dense};

/// A layer norm's parameters.
struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn new(ln: &LayerNorm, eps: f64) -> candle_core::Result<Self> {
        let gamma: Vec<f32> = ln.weight().to_vec1()?;
        let beta = match ln.bias() {
            Some(b) => b.to_vec1()?,
            None => vec![0.0; gamma.len()],
        };
        Ok(Norm {
            gamma,
            beta,
            eps: eps as f32,
        })
    }

    /// Normalises each row of `x` (rows of `gamma.len()` values) into a new buffer.
    fn apply(&self, x: &[f32]) -> Vec<f32> {
        let mut y = x.to_vec();
        self.apply_in_place(&mut y);
        y
    }

    fn apply_in_place(&self, x: &mut [f32]) {
        let n = self.gamma.len();
        x.par_chunks_mut(n).for_each(|row| {
            let mean = row.iter().sum::<f32>() / n as f32;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n as f32;
            let inv = 1.0 / (var + self.eps).sqrt();
            for ((v, g), b) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
                *v = (*v - mean) * inv * g + b;
            }
        });
    }
}

fn dense(lin: &Linear) -> candle_core::Result<Dense> {
    let (out, inp) = lin.weight().dims2()?;
    let w: Vec<f32> = lin.weight().t()?.contiguous()?.flatten_all()?.to_vec1()?;
    let b = match lin.bias() {
        Some(b) => b.to_vec1()?,
        None => vec![0.0; out],
    };
    Ok(Dense::new(w, b, inp, out))
}

/// One transformer layer.
struct Layer {
    /// Queries (pre-scaled), keys and values in one product: `(e, 3e)`.
    qkv: Dense,
    out: Dense,
    /// The position-bias gate: `(head_dim, 8)` weight, 8 biases, one constant per head.
    gate_w: Vec<f32>,
    gate_b: Vec<f32>,
    gate_const: Vec<f32>,
    norm1: Norm,
    ff_in: Dense,
    ff_out: Dense,
    norm2: Norm,
    pre_norm: bool,
}

impl Layer {
    fn new(l: &EncoderLayer, eps: f64) -> candle_core::Result<Self> {
        let a = &l.attention;
        let scale = (a.head_dim as f64).powf(-0.5);
        let q = (a.q.weight() * scale)?;
        let qb = match a.q.bias() {
            Some(b) => (b * scale)?,
            None => Tensor::zeros(q.dim(0)?, q.dtype(), q.device())?,
        };
        let zeros = |lin: &Linear| Tensor::zeros(lin.weight().dim(0)?, q.dtype(), q.device());
        let kb = a.k.bias().cloned().map_or_else(|| zeros(&a.k), Ok)?;
        let vb = a.v.bias().cloned().map_or_else(|| zeros(&a.v), Ok)?;
        let w = Tensor::cat(&[&q, a.k.weight(), a.v.weight()], 0)?;
        let b = Tensor::cat(&[&qb, &kb, &vb], 0)?;
        let qkv = dense(&Linear::new(w, Some(b)))?;
        let gate = &a.gate;
        Ok(Layer {
            qkv,
            out: dense(&a.out)?,
            gate_w: gate.weight().t()?.contiguous()?.flatten_all()?.to_vec1()?,
            gate_b: match gate.bias() {
                Some(b) => b.to_vec1()?,
                None => vec![0.0; 8],
            },
            gate_const: a.gate_const.flatten_all()?.to_vec1()?,
            norm1: Norm::new(&l.layer_norm, eps)?,
            ff_in: dense(&l.ff_in)?,
            ff_out: dense(&l.ff_out)?,
            norm2: Norm::new(&l.final_layer_norm, eps)?,
            pre_norm: l.pre_norm,
        })
    }

    /// Self-attention of `x` (`t × e`) with the `(heads, t, t)` position `bias`; returns the output
    /// projection (`t × e`).
    fn attention(&self, x: &[f32], t: usize, heads: usize, bias: &[f32]) -> Vec<f32> {
        let e = x.len() / t;
        let hd = e / heads;
        let qkv = self.qkv.forward(x, t);
        let per_head: Vec<Vec<f32>> = (0..heads)
            .into_par_iter()
            .map(|h| {
                // The gate of this head's bias, per query frame, from this head's slice of x.
                let gates: Vec<f32> = (0..t)
                    .map(|q| {
                        let xs = &x[q * e + h * hd..q * e + (h + 1) * hd];
                        let mut p = [0.0f32; 8];
                        for (j, pj) in p.iter_mut().enumerate() {
                            *pj = self.gate_b[j]
                                + xs.iter()
                                    .enumerate()
                                    .map(|(i, v)| v * self.gate_w[i * 8 + j])
                                    .sum::<f32>();
                        }
                        let sig = |v: f32| 1.0 / (1.0 + (-v).exp());
                        let ga = sig(p[0] + p[1] + p[2] + p[3]);
                        let gb = sig(p[4] + p[5] + p[6] + p[7]);
                        ga * (gb * self.gate_const[h] - 1.0) + 2.0
                    })
                    .collect();
                // Keys of this head, transposed to (hd, t).
                let mut kt = vec![0.0f32; hd * t];
                for k in 0..t {
                    for d in 0..hd {
                        kt[d * t + k] = qkv[k * 3 * e + e + h * hd + d];
                    }
                }
                let mut scores = vec![0.0f32; t * t];
                crate::conv::matmul(
                    &mut scores,
                    t,
                    &qkv[h * hd..],
                    3 * e,
                    &kt,
                    t,
                    (t, t, hd),
                    false,
                    1,
                );
                let hb = &bias[h * t * t..(h + 1) * t * t];
                for q in 0..t {
                    let row = &mut scores[q * t..(q + 1) * t];
                    let g = gates[q];
                    let mut max = f32::NEG_INFINITY;
                    for (s, b) in row.iter_mut().zip(&hb[q * t..(q + 1) * t]) {
                        *s += g * b;
                        max = max.max(*s);
                    }
                    let mut sum = 0.0;
                    for s in row.iter_mut() {
                        *s = (*s - max).exp();
                        sum += *s;
                    }
                    for s in row.iter_mut() {
                        *s /= sum;
                    }
                }
                let mut y = vec![0.0f32; t * hd];
                crate::conv::matmul(
                    &mut y,
                    hd,
                    &scores,
                    t,
                    &qkv[2 * e + h * hd..],
                    3 * e,
                    (t, hd, t),
                    false,
                    1,
                );
                y
            })
            .collect();
        let mut y = vec![0.0f32; t * e];
        for (h, part) in per_head.iter().enumerate() {
            for q in 0..t {
                y[q * e + h * hd..q * e + (h + 1) * hd]
                    .copy_from_slice(&part[q * hd..(q + 1) * hd]);
            }
        }
        self.out.forward(&y, t)
    }

    fn feed_forward(&self, x: &[f32], t: usize) -> Vec<f32> {
        let mut h = self.ff_in.forward(x, t);
        h.par_iter_mut().for_each(|v| *v = gelu(*v));
        self.ff_out.forward(&h, t)
    }

    fn forward(&self, x: &mut [f32], t: usize, heads: usize, bias: &[f32]) {
        let add = |a: &mut [f32], b: &[f32]| a.par_iter_mut().zip(b).for_each(|(a, b)| *a += b);
        if self.pre_norm {
            let a = self.attention(&self.norm1.apply(x), t, heads, bias);
            add(x, &a);
            let f = self.feed_forward(&self.norm2.apply(x), t);
            add(x, &f);
        } else {
            let a = self.attention(x, t, heads, bias);
            add(x, &a);
            self.norm1.apply_in_place(x);
            let f = self.feed_forward(x, t);
            add(x, &f);
            self.norm2.apply_in_place(x);
        }
    }
}

/// Everything after the feature encoder.
pub(super) struct CpuTransformer {
    proj_norm: Norm,
    projection: Dense,
    /// The grouped positional convolution, one convolution per group.
    pos: Vec<ConvWeight>,
    encoder_norm: Option<Norm>,
    layers: Vec<Layer>,
    heads: usize,
}

impl CpuTransformer {
    pub(super) fn new(w: &CandleParts, config: &WavLmConfig) -> candle_core::Result<Self> {
        let eps = config.layer_norm_eps;
        let groups = config.num_conv_pos_embedding_groups.max(1);
        let (e, per, k) = w.pos_weight.dims3()?;
        let weight: Vec<f32> = w.pos_weight.flatten_all()?.to_vec1()?;
        let bias: Vec<f32> = w.pos_bias.to_vec1()?;
        let og = e / groups;
        let pos = (0..groups)
            .map(|g| {
                ConvWeight::new(
                    &weight[g * og * per * k..(g + 1) * og * per * k],
                    Some(&bias[g * og..(g + 1) * og]),
                    (og, per, k),
                    1,
                    1,
                    k / 2,
                )
            })
            .collect();
        Ok(CpuTransformer {
            proj_norm: Norm::new(&w.proj_norm, eps)?,
            projection: dense(&w.projection)?,
            pos,
            encoder_norm: w
                .encoder_norm
                .as_ref()
                .map(|n| Norm::new(n, eps))
                .transpose()?,
            layers: w
                .layers
                .iter()
                .map(|l| Layer::new(l, eps))
                .collect::<candle_core::Result<_>>()?,
            heads: config.num_attention_heads,
        })
    }

    /// The feature encoder's output (`t × channels`) → the last loaded layer's (`t × hidden`);
    /// `bias` is the `(heads, t, t)` relative position bias.
    pub(super) fn forward(&self, feats: &[f32], t: usize, bias: &[f32]) -> Vec<f32> {
        let mut x = self.projection.forward(&self.proj_norm.apply(feats), t);
        let e = x.len() / t.max(1);
        let groups = self.pos.len();
        let og = e / groups.max(1);
        // Positional convolution per group ("same" padding, an even kernel's extra frame dropped).
        let pos: Vec<Vec<f32>> = self
            .pos
            .iter()
            .enumerate()
            .map(|(g, conv)| {
                let mut xg = vec![0.0f32; t * og];
                for (q, row) in xg.chunks_mut(og).enumerate() {
                    row.copy_from_slice(&x[q * e + g * og..q * e + (g + 1) * og]);
                }
                conv.forward(&xg, |v| v)
            })
            .collect();
        for (g, p) in pos.iter().enumerate() {
            for q in 0..t {
                let dst = &mut x[q * e + g * og..q * e + (g + 1) * og];
                for (d, &v) in dst.iter_mut().zip(&p[q * og..(q + 1) * og]) {
                    *d += gelu(v);
                }
            }
        }
        if let Some(n) = &self.encoder_norm {
            n.apply_in_place(&mut x);
        }
        for layer in &self.layers {
            layer.forward(&mut x, t, self.heads, bias);
        }
        x
    }
}
