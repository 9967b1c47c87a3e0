//! The structured lyrics a model must return, their JSON schema, validation, and the tagged text
//! (`[Verse]`, `[Chorus]`) that song generators read.

use serde::{Deserialize, Serialize};
use son1k_core::Lang;

pub use son1k_text::{Section, SectionKind};

/// The kinds a model is asked to write, in the order the schema lists them: the sung sections
/// (an intro is usually instrumental; [`validate`] still reads one a model sends).
pub const WRITTEN_KINDS: [SectionKind; 5] = [
    SectionKind::Verse,
    SectionKind::PreChorus,
    SectionKind::Chorus,
    SectionKind::Bridge,
    SectionKind::Outro,
];

/// A song's lyrics as the model returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Lyrics {
    /// The song's title.
    pub title: String,
    /// Its style, e.g. "bolero".
    pub style: String,
    /// `es` or `en`.
    pub language: String,
    /// The sections in order.
    pub sections: Vec<Section>,
}

/// The JSON schema passed in Ollama's `format` for [`Lyrics`].
pub fn lyrics_schema() -> serde_json::Value {
    let kinds: Vec<&str> = WRITTEN_KINDS.iter().map(|k| k.id()).collect();
    serde_json::json!({
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "style": {"type": "string"},
            "language": {"type": "string", "enum": ["es", "en"]},
            "sections": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": kinds},
                        "lines": {"type": "array", "minItems": 1, "items": {"type": "string"}}
                    },
                    "required": ["kind", "lines"]
                }
            }
        },
        "required": ["title", "style", "language", "sections"]
    })
}

/// The first `n` characters of `s` (for error messages), with an ellipsis when cut.
pub fn start_of(s: &str, n: usize) -> String {
    let t = s.trim();
    let mut out: String = t.chars().take(n).collect();
    if t.chars().count() > n {
        out.push('…');
    }
    out
}

/// Reads and checks a model's answer: it must be one JSON object with a title, at least one
/// section, every section with a known kind and at least one non-empty line. Tags a model left
/// inside lines (`[Chorus]`) and blank lines are dropped; a missing style or language is filled
/// from the request. The error says what is wrong, for the repair prompt.
pub fn validate(raw: &str, lang: Lang, style: &str) -> Result<Lyrics, String> {
    let text = raw.trim();
    // Some models wrap JSON in a Markdown fence despite `format`.
    let text = text
        .strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .map(|t| t.trim_end().trim_end_matches("```"))
        .unwrap_or(text)
        .trim();
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    let obj = v.as_object().ok_or("it is not a JSON object")?;
    let str_field = |k: &str| obj.get(k).and_then(|x| x.as_str()).map(str::trim);
    let title = str_field("title")
        .filter(|t| !t.is_empty())
        .ok_or("it has no \"title\" string")?
        .to_string();
    let style = str_field("style")
        .filter(|s| !s.is_empty())
        .unwrap_or(style)
        .to_string();
    let language = match str_field("language").map(str::parse::<Lang>) {
        Some(Ok(l)) => l.code().to_string(),
        _ => lang.code().to_string(),
    };
    let list = obj
        .get("sections")
        .and_then(|s| s.as_array())
        .ok_or("it has no \"sections\" array")?;
    let mut sections = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let kind_text = s
            .get("kind")
            .and_then(|k| k.as_str())
            .ok_or(format!("section {} has no \"kind\"", i + 1))?;
        let kind = SectionKind::parse(kind_text).ok_or(format!(
            "section {} has kind {kind_text:?}; use verse, pre-chorus, chorus, bridge or outro",
            i + 1
        ))?;
        let raw_lines = s
            .get("lines")
            .and_then(|l| l.as_array())
            .ok_or(format!("section {} has no \"lines\" array", i + 1))?;
        let mut lines = Vec::new();
        for l in raw_lines {
            let l = l
                .as_str()
                .ok_or(format!("section {} has a line that is not a string", i + 1))?;
            for part in l.lines() {
                let p = part.trim();
                if p.is_empty() || (p.starts_with('[') && p.ends_with(']')) {
                    continue;
                }
                lines.push(p.to_string());
            }
        }
        if lines.is_empty() {
            return Err(format!("section {} has no lines", i + 1));
        }
        sections.push(Section { kind, lines });
    }
    if sections.is_empty() {
        return Err("it has no sections".into());
    }
    Ok(Lyrics {
        title,
        style,
        language,
        sections,
    })
}

impl Lyrics {
    /// Tagged text: a `[Verse]`/`[Chorus]` tag line before each section, a blank line between
    /// them; the convention song generators (and `son1k generate --lyrics`) read.
    pub fn to_tagged_text(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.sections.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(s.kind.tag());
            out.push('\n');
            for l in &s.lines {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}

/// Splits tagged text back into sections with the one text model's rules
/// ([`son1k_text::section::parse`]: an unknown tag starts a verse, untagged stanzas are verses or,
/// repeated, choruses), leaving out tags that have no lines.
pub fn parse_tagged(text: &str) -> Vec<Section> {
    son1k_text::section::parse(text)
        .into_iter()
        .filter(|s| !s.lines.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn validates_and_cleans_a_model_answer() {
        let raw = r#"```json
        {"title":"Luna","language":"es","sections":[{"kind":"Verse 1","lines":["[Verse]","uno","", "dos"]},{"kind":"coro","lines":["tres"]}]}
        ```"#;
        let l = validate(raw, Lang::Es, "bolero").unwrap();
        assert_eq!(l.style, "bolero");
        assert_eq!(l.sections[0].lines, vec!["uno", "dos"]);
        assert_eq!(l.sections[1].kind, SectionKind::Chorus);
    }

    #[test]
    fn explains_what_is_wrong() {
        assert!(validate("{\"title\": ", Lang::En, "")
            .unwrap_err()
            .contains("not valid JSON"));
        assert!(validate(r#"{"title":"x","sections":[]}"#, Lang::En, "")
            .unwrap_err()
            .contains("no sections"));
        assert!(validate(
            r#"{"title":"x","sections":[{"kind":"solo","lines":["a"]}]}"#,
            Lang::En,
            ""
        )
        .unwrap_err()
        .contains("\"solo\""));
    }

    #[test]
    fn tagged_text_round_trips() {
        let l = Lyrics {
            title: "t".into(),
            style: "s".into(),
            language: "en".into(),
            sections: vec![
                Section {
                    kind: SectionKind::Verse,
                    lines: vec!["a".into(), "b".into()],
                },
                Section {
                    kind: SectionKind::PreChorus,
                    lines: vec!["c".into()],
                },
            ],
        };
        let text = l.to_tagged_text();
        assert_eq!(text, "[Verse]\na\nb\n\n[Pre-Chorus]\nc\n");
        assert_eq!(parse_tagged(&text), l.sections);
        assert_eq!(parse_tagged("x\ny\n\nz\n").len(), 2);
    }
}
