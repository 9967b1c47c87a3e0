//! Loading checkpoints: safetensors or PyTorch files, weight norm folded into plain weights.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;

use crate::MlError;

/// Reads every tensor of a checkpoint. `.safetensors` files are read as such; anything else as a
/// PyTorch pickle (`.pt`, `.bin`, `.pth`), taking the state dict under `pth_key` when given (kNN-VC's
/// vocoder stores it under `"generator"`).
pub fn read(path: &Path, pth_key: Option<&str>) -> Result<HashMap<String, Tensor>, MlError> {
    if !path.exists() {
        return Err(MlError::io(
            path,
            "could not open",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let is_safetensors = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("safetensors"));
    let raw: HashMap<String, Tensor> = if is_safetensors {
        candle_core::safetensors::load(path, &Device::Cpu)?
    } else {
        candle_core::pickle::read_all_with_key(path, pth_key)?
            .into_iter()
            .collect()
    };
    fold_weight_norm(raw)
}

/// Replaces each weight-normalised pair (`weight_g`/`weight_v`, or torch's newer
/// `parametrizations.weight.original0`/`original1`) by `weight = g · v / ‖v‖`, the norm taken over
/// the dimensions where `g` has size 1.
pub fn fold_weight_norm(
    mut tensors: HashMap<String, Tensor>,
) -> Result<HashMap<String, Tensor>, MlError> {
    const PAIRS: [(&str, &str); 2] = [
        (".weight_g", ".weight_v"),
        (
            ".parametrizations.weight.original0",
            ".parametrizations.weight.original1",
        ),
    ];
    let gains: Vec<(String, String, String)> = tensors
        .keys()
        .filter_map(|k| {
            PAIRS.iter().find_map(|(g, v)| {
                k.strip_suffix(g)
                    .map(|prefix| (prefix.to_string(), k.clone(), format!("{prefix}{v}")))
            })
        })
        .collect();
    for (prefix, gk, vk) in gains {
        let (Some(g), Some(v)) = (tensors.remove(&gk), tensors.remove(&vk)) else {
            continue;
        };
        let g = g.to_dtype(DType::F32)?;
        let v = v.to_dtype(DType::F32)?;
        let dims: Vec<usize> = (0..v.rank())
            .filter(|&d| g.dims().get(d).copied().unwrap_or(1) == 1)
            .collect();
        let norm = v.sqr()?.sum_keepdim(dims)?.sqrt()?;
        let w = v.broadcast_mul(&g.broadcast_div(&norm)?)?;
        tensors.insert(format!("{prefix}.weight"), w);
    }
    Ok(tensors)
}

/// A var builder over `tensors` in f32 on `device`.
pub fn builder(tensors: HashMap<String, Tensor>, device: &Device) -> VarBuilder<'static> {
    VarBuilder::from_tensors(tensors, DType::F32, device)
}
