//! Section tags (`[Verse 2]`, `[Coro]`, `[Pre-Chorus]`) and the blocks of lines they start.
//!
//! One meaning per tag, for the Lyric Studio and the Generator alike:
//!
//! | kind | tags (any case, `_`/space for `-`, a trailing number or `x2`) |
//! |---|---|
//! | intro | intro, introducción |
//! | verse | verse, verso, estrofa — and any tag not listed here |
//! | pre-chorus | pre-chorus, prechorus, pre-coro, precoro, pre-estribillo |
//! | chorus | chorus, coro, estribillo, hook, refrain |
//! | bridge | bridge, puente |
//! | outro | outro, final, coda, cierre |

use serde::{Deserialize, Serialize};

/// A section of a song.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum SectionKind {
    /// The opening (sung when it has lines, instrumental when the tag stands alone).
    Intro,
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
    /// Every kind, in song order.
    pub const ALL: [SectionKind; 6] = [
        SectionKind::Intro,
        SectionKind::Verse,
        SectionKind::PreChorus,
        SectionKind::Chorus,
        SectionKind::Bridge,
        SectionKind::Outro,
    ];

    /// The name: `intro`, `verse`, `pre-chorus`, `chorus`, `bridge`, `outro`.
    pub fn id(self) -> &'static str {
        match self {
            SectionKind::Intro => "intro",
            SectionKind::Verse => "verse",
            SectionKind::PreChorus => "pre-chorus",
            SectionKind::Chorus => "chorus",
            SectionKind::Bridge => "bridge",
            SectionKind::Outro => "outro",
        }
    }

    /// The tag song generators read: `[Intro]`, `[Verse]`, `[Pre-Chorus]`, …
    pub fn tag(self) -> &'static str {
        match self {
            SectionKind::Intro => "[Intro]",
            SectionKind::Verse => "[Verse]",
            SectionKind::PreChorus => "[Pre-Chorus]",
            SectionKind::Chorus => "[Chorus]",
            SectionKind::Bridge => "[Bridge]",
            SectionKind::Outro => "[Outro]",
        }
    }

    /// Reads a tag or a kind's name leniently (see the module's table); `None` for a name it
    /// does not know.
    pub fn parse(s: &str) -> Option<SectionKind> {
        let t: String = s
            .trim()
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_lowercase()
            .replace(['_', ' '], "-");
        // Trailing counts and punctuation: "verse-2", "chorus-x2", "coro:", "verso2".
        let mut t = t.trim_end_matches([':', '.']);
        while let Some((head, last)) = t.rsplit_once('-') {
            let count = last.trim_start_matches(['x', '×']).trim_end_matches('x');
            if count.is_empty() || !count.chars().all(|c| c.is_ascii_digit()) {
                break;
            }
            t = head;
        }
        let t = t.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
        Some(match t {
            "intro" | "introducción" | "introduccion" => SectionKind::Intro,
            "verse" | "verso" | "estrofa" => SectionKind::Verse,
            "pre-chorus" | "prechorus" | "pre-coro" | "precoro" | "pre-estribillo"
            | "preestribillo" => SectionKind::PreChorus,
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
    /// intro, verse, pre-chorus, chorus, bridge or outro.
    pub kind: SectionKind,
    /// The lines, without tags.
    pub lines: Vec<String>,
}

/// Whether a trimmed line is a section tag.
fn tag_of(line: &str) -> Option<&str> {
    line.strip_prefix('[').and_then(|l| l.strip_suffix(']'))
}

/// Splits lyrics into sections. A tag line starts a section of the kind it names (an unknown
/// tag starts a verse, so no line is lost); inside tagged lyrics a blank line is only spacing.
/// Without tags, blank-line stanzas are sections: a verse, or a chorus when it repeats an
/// earlier stanza. Every other non-blank line is a line, even one without a letter ("…"), which
/// has no syllables (the Lyric Studio's editor matches the reported lines to its own in order).
/// A tag with no lines is kept as an empty section (an instrumental intro or outro, say).
pub fn parse(text: &str) -> Vec<Section> {
    let mut blocks: Vec<(Option<SectionKind>, Vec<String>)> = Vec::new();
    let mut current: (Option<SectionKind>, Vec<String>) = (None, Vec::new());
    let mut tagged = false;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(tag) = tag_of(line) {
            if current.0.is_some() || !current.1.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            current.0 = Some(SectionKind::parse(tag).unwrap_or(SectionKind::Verse));
            tagged = true;
            continue;
        }
        if line.is_empty() {
            if !tagged && !current.1.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.1.push(line.to_string());
    }
    if current.0.is_some() || !current.1.is_empty() {
        blocks.push(current);
    }
    let mut seen: Vec<Vec<String>> = Vec::new();
    blocks
        .into_iter()
        .map(|(kind, lines)| {
            let kind = kind.unwrap_or_else(|| {
                if seen.contains(&lines) {
                    SectionKind::Chorus
                } else {
                    SectionKind::Verse
                }
            });
            seen.push(lines.clone());
            Section { kind, lines }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionKind::*;

    #[test]
    fn one_meaning_per_tag() {
        for (tag, kind) in [
            ("[Intro]", Intro),
            ("Introducción", Intro),
            ("[Verse 2]", Verse),
            ("verso", Verse),
            ("[Pre-Chorus]", PreChorus),
            ("pre coro", PreChorus),
            ("pre_estribillo", PreChorus),
            ("[Coro]", Chorus),
            ("Chorus x2", Chorus),
            ("hook", Chorus),
            ("[Puente]", Bridge),
            ("coda", Outro),
            ("Final:", Outro),
        ] {
            assert_eq!(SectionKind::parse(tag), Some(kind), "{tag}");
        }
        assert_eq!(SectionKind::parse("solo"), None);
        assert_eq!(SectionKind::parse("remix"), None);
        for k in SectionKind::ALL {
            assert_eq!(SectionKind::parse(k.id()), Some(k));
            assert_eq!(SectionKind::parse(k.tag()), Some(k));
        }
    }

    #[test]
    fn tags_stanzas_and_repeats() {
        let l = "[Intro]\n[Verse 1]\nCamino solo\nBuscando tu voz\n\n[Coro]\nVuelve a mí\n[Solo]\nY la noche cae\n...\n";
        let s = parse(l);
        let kinds: Vec<SectionKind> = s.iter().map(|x| x.kind).collect();
        assert_eq!(kinds, [Intro, Verse, Chorus, Verse]);
        assert!(s[0].lines.is_empty());
        assert_eq!(s[1].lines, ["Camino solo", "Buscando tu voz"]);
        assert_eq!(s[3].lines, ["Y la noche cae", "..."]);
        let untagged = "one two three\nfour five\n\nla la la\n\none two three\nfour five\n";
        let kinds: Vec<SectionKind> = parse(untagged).iter().map(|x| x.kind).collect();
        assert_eq!(kinds, [Verse, Verse, Chorus]);
    }
}
