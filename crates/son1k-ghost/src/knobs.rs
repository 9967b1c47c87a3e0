//! The knob chain applied to a whole file or buffer.

use son1k_audio::fx::{knob_chain, process_buffer, Chain, FxSpec};
use son1k_audio::AudioBuffer;
use son1k_core::Knobs;

use crate::GhostError;

/// The chain for `knobs` (empty — exactly transparent — at the neutral point). The values are
/// taken as they are: `Knobs` is checked where it comes in (`Knobs::new`, `Knobs::validate`).
pub fn chain(knobs: &Knobs, seed: u64) -> Vec<FxSpec> {
    knob_chain(
        knobs.expressivity,
        knobs.rareza,
        knobs.garage,
        knobs.trash,
        seed,
    )
}

/// Applies the knobs to `audio`, keeping its length and alignment (look-ahead latency is
/// compensated).
pub fn apply(audio: &AudioBuffer, knobs: &Knobs, seed: u64) -> Result<AudioBuffer, GhostError> {
    let specs = chain(knobs, seed);
    if specs.is_empty() {
        return Ok(audio.clone());
    }
    let channels = audio.channel_count();
    let mut fx = Chain::build(&specs, audio.sample_rate, channels)?;
    let latency = fx.latency();
    let mut padded = audio.clone();
    for ch in padded.channels.iter_mut() {
        ch.extend(std::iter::repeat_n(0.0, latency));
    }
    process_buffer(&mut fx, &mut padded, 1024);
    for ch in padded.channels.iter_mut() {
        ch.drain(..latency);
    }
    Ok(padded)
}
