//! Loudness-matched A/B: both sides play at the quieter one's integrated loudness, so the louder
//! mix does not win by being louder.

use son1k_audio::AudioBuffer;

use crate::GhostError;

/// Linear gains for A and B that bring both to the quieter one's loudness (1.0 for silence).
pub fn matched_gains(a: &AudioBuffer, b: &AudioBuffer) -> Result<(f32, f32), GhostError> {
    let la = son1k_audio::measure(a)?.integrated_lufs;
    let lb = son1k_audio::measure(b)?.integrated_lufs;
    Ok(match (la, lb) {
        (Some(la), Some(lb)) => {
            let target = la.min(lb);
            let g = |l: f64| 10f64.powf((target - l) / 20.0) as f32;
            (g(la), g(lb))
        }
        _ => (1.0, 1.0),
    })
}
