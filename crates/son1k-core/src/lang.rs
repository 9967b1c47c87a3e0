//! The two languages the studio speaks.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::ValidationError;

/// A user-facing language. Every text the product shows or builds exists in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Spanish.
    Es,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// The ISO 639-1 code: `es` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "es" | "spa" | "spanish" | "español" | "espanol" => Ok(Lang::Es),
            "en" | "eng" | "english" | "inglés" | "ingles" => Ok(Lang::En),
            _ => Err(ValidationError::new(
                "lang",
                format!("{s:?}"),
                "language must be es or en",
            )),
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Parses a list of languages: `es`, `en`, `es,en` or `both` (Spanish then English), without
/// repeats; an empty list is an error.
pub fn parse_list(s: &str) -> Result<Vec<Lang>, ValidationError> {
    if s.trim().eq_ignore_ascii_case("both") {
        return Ok(vec![Lang::Es, Lang::En]);
    }
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let l: Lang = part.parse()?;
        if !out.contains(&l) {
            out.push(l);
        }
    }
    if out.is_empty() {
        return Err(ValidationError::new(
            "lang",
            format!("{s:?}"),
            "name es, en, es,en or both",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_languages_parse() {
        assert_eq!(parse_list("both").unwrap(), vec![Lang::Es, Lang::En]);
        assert_eq!(parse_list("en, es,en").unwrap(), vec![Lang::En, Lang::Es]);
        assert!(parse_list("").is_err());
        assert!(parse_list("es,fr").is_err());
    }

    #[test]
    fn parses_codes_and_names() {
        assert_eq!("ES".parse::<Lang>().unwrap(), Lang::Es);
        assert_eq!("English".parse::<Lang>().unwrap(), Lang::En);
        let err = "fr".parse::<Lang>().unwrap_err();
        assert_eq!(err.field, "lang");
        assert!(err.to_string().contains("es or en"));
    }
}
