//! The knob chain applied to a whole file or buffer: son1k-knobs' chain, the one the Generator's
//! master bus applies too.

pub use son1k_knobs::{apply, chain};
