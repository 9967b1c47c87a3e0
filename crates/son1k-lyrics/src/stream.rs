//! Turns the JSON a model streams (`{"title": …, "sections": [{"kind": "verse", "lines": […]}]}`)
//! into readable tagged text as it arrives: each line's characters as they come, a `[Verse]` tag
//! when a section's kind is complete. No look-ahead, so the lyricist watches it being written.

use crate::song::SectionKind;

#[derive(Debug)]
enum Ctx {
    Object { key: Option<String>, want_key: bool },
    Array { key: Option<String> },
}

/// The incremental reader; feed it tokens with [`LyricStream::push`].
#[derive(Debug, Default)]
pub struct LyricStream {
    stack: Vec<Ctx>,
    in_string: bool,
    is_key: bool,
    live: bool,
    escape: bool,
    unicode: Option<String>,
    buf: String,
    started: bool,
}

impl LyricStream {
    /// A reader at the start of an answer.
    pub fn new() -> Self {
        Self::default()
    }

    fn parent_key(&self) -> Option<&str> {
        match self.stack.last() {
            Some(Ctx::Object { key, .. }) | Some(Ctx::Array { key }) => key.as_deref(),
            None => None,
        }
    }

    fn text_char(&mut self, c: char, out: &mut String) {
        self.buf.push(c);
        if self.live {
            out.push(c);
        }
    }

    /// Reads the next piece of the answer and returns the text it adds.
    pub fn push(&mut self, token: &str) -> String {
        let mut out = String::new();
        for c in token.chars() {
            if self.in_string {
                if let Some(hex) = self.unicode.as_mut() {
                    hex.push(c);
                    if hex.len() == 4 {
                        let ch = u32::from_str_radix(hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('\u{fffd}');
                        self.unicode = None;
                        self.text_char(ch, &mut out);
                    }
                } else if self.escape {
                    self.escape = false;
                    match c {
                        'u' => self.unicode = Some(String::new()),
                        'n' => self.text_char(' ', &mut out),
                        't' => self.text_char(' ', &mut out),
                        'r' | 'b' | 'f' => {}
                        other => self.text_char(other, &mut out),
                    }
                } else if c == '\\' {
                    self.escape = true;
                } else if c == '"' {
                    self.end_string(&mut out);
                } else {
                    self.text_char(c, &mut out);
                }
                continue;
            }
            match c {
                '{' => self.stack.push(Ctx::Object {
                    key: None,
                    want_key: true,
                }),
                '[' => {
                    let key = self.parent_key().map(str::to_string);
                    self.stack.push(Ctx::Array { key });
                }
                '}' | ']' => {
                    self.stack.pop();
                }
                ':' => {
                    if let Some(Ctx::Object { want_key, .. }) = self.stack.last_mut() {
                        *want_key = false;
                    }
                }
                ',' => {
                    if let Some(Ctx::Object { want_key, .. }) = self.stack.last_mut() {
                        *want_key = true;
                    }
                }
                '"' => {
                    self.in_string = true;
                    self.buf.clear();
                    self.is_key =
                        matches!(self.stack.last(), Some(Ctx::Object { want_key: true, .. }));
                    self.live = !self.is_key
                        && matches!(self.stack.last(), Some(Ctx::Array { key: Some(k) }) if k == "lines");
                }
                _ => {}
            }
        }
        out
    }

    fn end_string(&mut self, out: &mut String) {
        self.in_string = false;
        let text = std::mem::take(&mut self.buf);
        if self.is_key {
            if let Some(Ctx::Object { key, .. }) = self.stack.last_mut() {
                *key = Some(text);
            }
        } else if self.live {
            out.push('\n');
            self.live = false;
        } else if self.parent_key() == Some("kind") {
            if self.started {
                out.push('\n');
            }
            self.started = true;
            match SectionKind::parse(&text) {
                Some(k) => out.push_str(k.tag()),
                None => {
                    out.push('[');
                    out.push_str(&text);
                    out.push(']');
                }
            }
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_tagged_lines_from_split_tokens() {
        let json = r#"{"title":"Luna","style":"bolero","language":"es","sections":[{"kind":"verse","lines":["Te busco \"aquí\"","caf\u00e9 sin ti"]},{"kind":"chorus","lines":["ay"]}]}"#;
        let mut s = LyricStream::new();
        let mut text = String::new();
        // Feed in awkward 3-character pieces, as a model's tokens cut anywhere.
        let chars: Vec<char> = json.chars().collect();
        for piece in chars.chunks(3) {
            text.push_str(&s.push(&piece.iter().collect::<String>()));
        }
        assert_eq!(
            text,
            "[Verse]\nTe busco \"aquí\"\ncafé sin ti\n\n[Chorus]\nay\n"
        );
    }
}
