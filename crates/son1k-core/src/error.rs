//! The validation error shared by every rule in this crate.

use serde::Serialize;

/// A value that breaks a product rule. The message names the field, the value that was given and
/// what is allowed, so a user can fix the input without reading code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[error("invalid {field} {value}: {rule}")]
pub struct ValidationError {
    /// The field or argument name, e.g. `bpm`.
    pub field: String,
    /// The offending value as the user wrote it (or a summary, such as a length).
    pub value: String,
    /// What is allowed, e.g. `BPM must be 40–240`.
    pub rule: String,
}

impl ValidationError {
    /// Builds an error for `field` holding `value` that breaks `rule`.
    pub fn new(field: impl Into<String>, value: impl ToString, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            value: value.to_string(),
            rule: rule.into(),
        }
    }
}

/// Checks that `value` lies in `min..=max`, naming `field` and the human label in the error.
pub(crate) fn check_range<T: PartialOrd + std::fmt::Display>(
    field: &str,
    label: &str,
    value: T,
    min: T,
    max: T,
) -> Result<T, ValidationError> {
    if value < min || value > max {
        return Err(ValidationError::new(
            field,
            &value,
            format!("{label} must be {min}–{max}"),
        ));
    }
    Ok(value)
}

/// Checks that a text has at most `max` characters (Unicode scalar values, not bytes).
pub(crate) fn check_len(
    field: &str,
    label: &str,
    text: &str,
    max: usize,
) -> Result<(), ValidationError> {
    let n = text.chars().count();
    if n > max {
        return Err(ValidationError::new(
            field,
            format!("({n} characters)"),
            format!("{label} must be at most {max} characters"),
        ));
    }
    Ok(())
}
