//! k-nearest-neighbour regression of feature frames: each query frame becomes the mean of the `k`
//! frames of the matching set closest to it by cosine distance.

use candle_core::{Tensor, D};

use crate::MlError;

/// Query frames per block, so the distance matrix stays small for long inputs and large sets.
const BLOCK: usize = 512;

/// (n, d) query, (m, d) matching set → (n, d) matched features.
pub fn knn_regress(query: &Tensor, pool: &Tensor, k: usize) -> Result<Tensor, MlError> {
    let (n, d) = query.dims2()?;
    let (m, d2) = pool.dims2()?;
    if d != d2 {
        return Err(MlError::Input(format!(
            "feature widths differ: the input has {d}, the voice profile {d2} (made with another model?)"
        )));
    }
    if m == 0 || n == 0 {
        return Err(MlError::Input("no feature frames to match".into()));
    }
    let k = k.clamp(1, m);
    let unit = |t: &Tensor| -> candle_core::Result<Tensor> {
        let norm = t
            .sqr()?
            .sum_keepdim(D::Minus1)?
            .sqrt()?
            .clamp(1e-8, f32::MAX)?;
        t.broadcast_div(&norm)
    };
    let pool_unit_t = unit(pool)?.t()?.contiguous()?;
    let pool_rows: Vec<Vec<f32>> = pool.to_vec2()?;
    let mut out = Vec::with_capacity(n * d);
    let mut start = 0;
    while start < n {
        let len = BLOCK.min(n - start);
        let q = unit(&query.narrow(0, start, len)?)?;
        // Highest cosine similarity = lowest cosine distance.
        let sims: Vec<Vec<f32>> = q.matmul(&pool_unit_t)?.to_vec2()?;
        for row in sims {
            let mut idx: Vec<usize> = (0..m).collect();
            idx.select_nth_unstable_by(k - 1, |&a, &b| row[b].total_cmp(&row[a]));
            let mut mean = vec![0.0f32; d];
            for &i in &idx[..k] {
                for (acc, v) in mean.iter_mut().zip(&pool_rows[i]) {
                    *acc += v;
                }
            }
            out.extend(mean.into_iter().map(|v| v / k as f32));
        }
        start += len;
    }
    Ok(Tensor::from_vec(out, (n, d), query.device())?)
}
