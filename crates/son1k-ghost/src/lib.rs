//! Ghost Studio: demo in, produced track out.
//!
//! - [`editor::Editor`]: a multitrack session (son1k-audio's [`Session`]) with its knobs and
//!   master effects ([`editor::State`]); every change is one [`editor::Edit`], undoable and
//!   redoable.
//! - [`knobs`]: the four knobs as an effect chain on any audio, transparent at the neutral point
//!   (son1k-knobs' chain, which the Generator's master bus in son1k-compose also uses).
//! - [`produce`]: the demo's measured tempo, key and length plus the knobs and a prompt become a
//!   Generator request; the backing is stretched to the demo's exact tempo, aligned to its first
//!   downbeat and laid on new tracks beside it.
//! - [`takes`]: a recorded region put onto a track (punch-in, comping a take), crossfaded.
//! - [`ab`]: loudness-matched A/B between two mixes.
#![deny(missing_docs)]

pub mod ab;
pub mod edit;
pub mod editor;
pub mod knobs;
pub mod produce;
pub mod takes;

pub use son1k_audio::mixdown::Session;

/// Why a Ghost Studio operation failed.
#[derive(Debug, thiserror::Error)]
pub enum GhostError {
    /// Audio could not be read, processed or written.
    #[error(transparent)]
    Audio(#[from] son1k_audio::AudioError),
    /// The demo could not be analysed.
    #[error(transparent)]
    Analysis(#[from] son1k_analysis::AnalysisError),
    /// The backing could not be generated.
    #[error(transparent)]
    Compose(#[from] son1k_compose::ComposeError),
    /// The request broke a rule.
    #[error(transparent)]
    Invalid(#[from] son1k_core::ValidationError),
    /// The edit is not possible (no such track or clip).
    #[error("{0}")]
    Edit(String),
}
