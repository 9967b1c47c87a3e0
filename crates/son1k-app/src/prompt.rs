//! The prompt-builder panel: the prompt plus what each knob means at its current value.

use serde::Serialize;

use son1k_core::{build_prompt, request::MAX_PROMPT_CHARS, Knob, Knobs, Lang, Preset, PromptInput};

use crate::AppError;

/// One knob's value and the description of its current range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KnobReading {
    /// Which knob.
    pub knob: Knob,
    /// Its label in the requested language.
    pub label: String,
    /// Its value, 0–100.
    pub value: u8,
    /// The description of the range the value falls in.
    pub description: String,
}

/// The result of building a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BuiltPrompt {
    /// The text prompt.
    pub prompt: String,
    /// Its length in characters.
    pub length: u32,
    /// The most characters a generation request accepts.
    pub max_length: u32,
    /// Language it was built in.
    pub lang: Lang,
    /// Each knob with its range description, in the display language.
    pub knobs: Vec<KnobReading>,
}

/// A preset and its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PresetInfo {
    /// The preset.
    pub preset: Preset,
    /// Its name.
    pub name: String,
    /// Its knob values.
    pub knobs: Knobs,
}

/// Reads each knob's range description in `lang`.
pub fn readings(knobs: &Knobs, lang: Lang) -> Vec<KnobReading> {
    Knob::ALL
        .iter()
        .map(|&knob| KnobReading {
            knob,
            label: knob.label(lang).to_string(),
            value: knobs.get(knob).get(),
            description: knob.description(knobs.get(knob), lang).to_string(),
        })
        .collect()
}

pub(crate) fn build(input: &PromptInput, display: Lang) -> Result<BuiltPrompt, AppError> {
    let prompt = build_prompt(input)?;
    Ok(BuiltPrompt {
        length: prompt.chars().count() as u32,
        max_length: MAX_PROMPT_CHARS as u32,
        lang: input.lang,
        knobs: readings(&input.knobs, display),
        prompt,
    })
}

pub(crate) fn presets() -> Vec<PresetInfo> {
    Preset::ALL
        .iter()
        .map(|&preset| PresetInfo {
            preset,
            name: preset.name().to_string(),
            knobs: preset.knobs(),
        })
        .collect()
}
