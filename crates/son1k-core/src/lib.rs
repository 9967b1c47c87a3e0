//! Domain types and product rules of Son1k Studio, with no I/O.
//!
//! This crate is the single source of truth for the tier table (read by the hosted API, the desktop
//! app and the landing page), the four Ghost Studio knobs and their presets, musical keys, the
//! validated [`GenerationRequest`] and the bilingual prompt builder. It does not touch files, the
//! network or audio devices: everything here is pure and deterministic, so every other crate can
//! depend on it cheaply.
#![deny(missing_docs)]

pub mod error;
pub mod genre;
pub mod key;
pub mod knobs;
pub mod lang;
pub mod platform;
pub mod progress;
pub mod prompt;
pub mod release;
pub mod request;
pub mod tier;

pub use error::ValidationError;
pub use genre::Genre;
pub use key::{Key, Mode, PitchClass};
pub use knobs::{Knob, KnobValue, Knobs, Preset};
pub use lang::Lang;
pub use platform::{Platform, Post};
pub use progress::Progress;
pub use prompt::{build_prompt, PromptInput};
pub use release::{Date, EventKind};
pub use request::GenerationRequest;
pub use tier::{Period, Quality, Tier, TierLimits};
