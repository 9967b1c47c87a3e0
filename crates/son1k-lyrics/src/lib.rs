//! Lyric Studio's back end: lyrics written by a local Ollama model as structured JSON, and the
//! metre and rhyme tools a lyricist keeps open, in Spanish and English.
//!
//! - [`ollama`]: the client (installed models, default model, streamed chat with a JSON schema in
//!   `format`, one-shot generation, short connect timeouts, cancellation).
//! - [`tools`]: write from a theme, rewrite a line keeping its syllable count, continue a
//!   section, read a music prompt into the Generator's fields; each answer validated and
//!   repaired once.
//! - [`es`], [`en`], [`check`]: per-line sung syllables (and the Spanish verse metre), rhyme
//!   schemes and suggestions. No model needed. Language, section tags and syllables are the one
//!   text model's ([`son1k_text`]), which the Generator sings with too.
//! - [`posts`]: Nova Post Pilot's release posts per platform, held to each platform's limits
//!   by code (asked again once, then trimmed).
//! - [`song`]: the lyrics structure, its schema, validation and `[Verse]`/`[Chorus]` text.
//!
//! It is not for the screen (the UI), nor for resolving `OLLAMA_HOST` (the façade does that and
//! passes an address), nor for generating audio.
#![deny(missing_docs)]

pub mod check;
pub mod en;
pub mod error;
pub mod es;
pub mod ollama;
pub mod posts;
pub mod song;
pub mod stream;
pub mod tools;

pub use check::{check, detect_lang, rhymes, Check, LineCheck, Rhymes, SectionScheme};
pub use error::LyricsError;
pub use ollama::{Cancel, Client, ModelInfo, Timeouts};
pub use posts::{PostEvent, PostsWritten, SongFacts, WrittenPost};
pub use song::{Lyrics, Section, SectionKind};
pub use tools::{Event, PromptFields, Rewrite, WriteRequest, Written};
