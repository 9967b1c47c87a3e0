//! The structured lyrics a model must return, their JSON schema, validation, and the tagged text
//! (`[Verse]`, `[Chorus]`) that song generators read.

use serde::{Deserialize, Serialize};
use son1k_core::Lang;

/// A section of a song.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum SectionKind {
    /// A verse.
    Verse,
    /// The build-up before the chorus.
    PreChorus,
    /// The chorus.
    Chorus,
    /// A contrasting bridge.
    Bridge,
    /// The ending.
    Outro,
}

impl SectionKind {
    /// Every kind, in the order the schema lists them.
    pub const ALL: [SectionKind; 5] = [
        SectionKind::Verse,
        SectionKind::PreChorus,
        SectionKind::Chorus,
        SectionKind::Bridge,
        SectionKind::Outro,
    ];

    /// The schema's name: `verse`, `pre-chorus`, `chorus`, `bridge`, `outro`.
    pub fn id(self) -> &'static str {
        match self {
            SectionKind::Verse => "verse",
            SectionKind::PreChorus => "pre-chorus",
            SectionKind::Chorus => "chorus",
            SectionKind::Bridge => "bridge",
            SectionKind::Outro => "outro",
        }
    }

    /// The tag song generators read: `[Verse]`, `[Pre-Chorus]`, …
    pub fn tag(self) -> &'static str {
        match self {
            SectionKind::Verse => "[Verse]",
            SectionKind::PreChorus => "[Pre-Chorus]",
            SectionKind::Chorus => "[Chorus]",
            SectionKind::Bridge => "[Bridge]",
            SectionKind::Outro => "[Outro]",
        }
    }

    /// Reads a kind leniently: any case, `_` or space for `-`, Spanish names, a trailing number
    /// (`Verse 2`) and the common extras (`intro` and `hook` count as verse and chorus).
    pub fn parse(s: &str) -> Option<SectionKind> {
        let t: String = s
            .trim()
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_lowercase()
            .replace(['_', ' '], "-");
        let t = t.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
        Some(match t {
            "verse" | "verso" | "estrofa" | "intro" => SectionKind::Verse,
            "pre-chorus" | "prechorus" | "pre-coro" | "precoro" | "pre-estribillo" => {
                SectionKind::PreChorus
            }
            "chorus" | "coro" | "estribillo" | "hook" | "refrain" => SectionKind::Chorus,
            "bridge" | "puente" => SectionKind::Bridge,
            "outro" | "final" | "coda" | "cierre" => SectionKind::Outro,
            _ => return None,
        })
    }
}

/// One section: its kind and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Section {
    /// verse, pre-chorus, chorus, bridge or outro.
    pub kind: SectionKind,
    /// The lines, without tags.
    pub lines: Vec<String>,
}

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
    let kinds: Vec<&str> = SectionKind::ALL.iter().map(|k| k.id()).collect();
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

/// Splits tagged text back into sections. Untagged stanzas (separated by blank lines) are
/// verses; an unknown tag starts a verse too, so no line is ever lost.
pub fn parse_tagged(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<Section> = None;
    let mut explicit = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with('[') && line.ends_with(']') {
            if let Some(s) = current.take().filter(|s| !s.lines.is_empty()) {
                sections.push(s);
            }
            current = Some(Section {
                kind: SectionKind::parse(line).unwrap_or(SectionKind::Verse),
                lines: Vec::new(),
            });
            explicit = true;
            continue;
        }
        if line.is_empty() {
            // A blank line ends an untagged stanza; inside a tagged section it is just spacing.
            if !explicit {
                if let Some(s) = current.take().filter(|s| !s.lines.is_empty()) {
                    sections.push(s);
                }
            }
            continue;
        }
        current
            .get_or_insert_with(|| Section {
                kind: SectionKind::Verse,
                lines: Vec::new(),
            })
            .lines
            .push(line.to_string());
    }
    if let Some(s) = current.filter(|s| !s.lines.is_empty()) {
        sections.push(s);
    }
    sections
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
