//! Social platforms a release is posted on, their text limits, and the code that holds a post to
//! them. A language model writes the words; these rules decide whether they fit, and [`fit`]
//! trims at a word boundary what still does not, so a post is never handed over too long.
//!
//! The limits, with where each comes from:
//! - **X**: 280 weighted characters per post ([`X_WEIGHTED_CHARS`]); every URL counts as 23 (X wraps
//!   links in t.co), characters outside the Latin, Greek, Cyrillic and general-punctuation ranges
//!   count as 2 (X's "twitter-text" v3 weighting). X's help on hashtags recommends no more than 2
//!   per post ([`X_HASHTAGS`]).
//! - **Instagram**: a caption is at most 2,200 characters ([`INSTAGRAM_CAPTION_CHARS`]).
//!   Instagram's long-standing hashtag limit was 30; in December 2025 it announced a limit of 5
//!   per post, which is what [`INSTAGRAM_HASHTAGS`] enforces (it satisfies both).
//! - **TikTok**: a caption is at most 2,200 characters ([`TIKTOK_CAPTION_CHARS`]; TikTok has since
//!   allowed more in some apps, 2,200 is accepted everywhere). No documented hashtag limit.
//! - **YouTube**: a title is at most 100 characters and a description at most 5,000 bytes
//!   (YouTube Data API, `snippet.title` / `snippet.description`; neither may contain `<` or `>`);
//!   tags together at most 500 characters, counting a comma between tags and the quotation marks
//!   around a tag that holds a space (`snippet.tags`). A video with more than 15 hashtags has all
//!   of them ignored (YouTube Help, "Hashtag policies"), so [`YOUTUBE_HASHTAGS`] is 15.
//! - **Facebook**: a post may hold 63,206 characters, but Meta's Ads Guide recommends primary text
//!   of 125 characters, after which Facebook cuts the text behind "See more";
//!   [`FACEBOOK_TEXT_CHARS`] enforces that practical limit.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{Lang, ValidationError};

/// X: weighted characters per post.
pub const X_WEIGHTED_CHARS: usize = 280;
/// X: what every URL counts for, whatever its length (t.co wrapping).
pub const X_URL_WEIGHT: usize = 23;
/// X: hashtags per post (X's recommendation).
pub const X_HASHTAGS: usize = 2;
/// Instagram: characters per caption.
pub const INSTAGRAM_CAPTION_CHARS: usize = 2200;
/// Instagram: hashtags per post (5 since December 2025; 30 before).
pub const INSTAGRAM_HASHTAGS: usize = 5;
/// TikTok: characters per caption.
pub const TIKTOK_CAPTION_CHARS: usize = 2200;
/// YouTube: characters per title.
pub const YOUTUBE_TITLE_CHARS: usize = 100;
/// YouTube: bytes (UTF-8) per description.
pub const YOUTUBE_DESCRIPTION_BYTES: usize = 5000;
/// YouTube: characters of all tags together (commas and quotes included).
pub const YOUTUBE_TAGS_CHARS: usize = 500;
/// YouTube: hashtags before YouTube ignores them all.
pub const YOUTUBE_HASHTAGS: usize = 15;
/// Facebook: the practical text limit (Meta's recommended primary text, before "See more").
pub const FACEBOOK_TEXT_CHARS: usize = 125;

/// A platform a release is posted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Instagram (a Reel with a caption).
    Instagram,
    /// TikTok (a video with a caption).
    Tiktok,
    /// YouTube (a Short or video: title, description, tags).
    Youtube,
    /// X (a post).
    X,
    /// Facebook (a post).
    Facebook,
}

impl Platform {
    /// Every platform, in menu order.
    pub const ALL: [Platform; 5] = [
        Platform::Instagram,
        Platform::Tiktok,
        Platform::Youtube,
        Platform::X,
        Platform::Facebook,
    ];

    /// Lower-case id (`instagram`, `tiktok`, `youtube`, `x`, `facebook`), also used in file names.
    pub fn id(self) -> &'static str {
        match self {
            Platform::Instagram => "instagram",
            Platform::Tiktok => "tiktok",
            Platform::Youtube => "youtube",
            Platform::X => "x",
            Platform::Facebook => "facebook",
        }
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Instagram => "Instagram",
            Platform::Tiktok => "TikTok",
            Platform::Youtube => "YouTube",
            Platform::X => "X",
            Platform::Facebook => "Facebook",
        }
    }

    /// The longest clip, in seconds, its short-video format takes that the release folder makes
    /// for it: TikTok 15 s, Instagram Reels, X and Facebook 30 s, YouTube Shorts 60 s.
    pub fn clip_seconds(self) -> u32 {
        match self {
            Platform::Tiktok => 15,
            Platform::Youtube => 60,
            Platform::Instagram | Platform::X | Platform::Facebook => 30,
        }
    }

    /// The page where a person uploads or writes a post themselves (the studio never posts and
    /// holds no platform tokens; this is what "open the upload page" opens in the browser).
    pub fn upload_url(self) -> &'static str {
        match self {
            Platform::Instagram => "https://www.instagram.com/",
            Platform::Tiktok => "https://www.tiktok.com/upload",
            Platform::Youtube => "https://studio.youtube.com/",
            Platform::X => "https://x.com/compose/post",
            Platform::Facebook => "https://www.facebook.com/",
        }
    }

    /// The most hashtags a post keeps, if the platform has a (documented) limit.
    pub fn max_hashtags(self) -> Option<usize> {
        match self {
            Platform::Instagram => Some(INSTAGRAM_HASHTAGS),
            Platform::X => Some(X_HASHTAGS),
            Platform::Youtube => Some(YOUTUBE_HASHTAGS),
            Platform::Tiktok | Platform::Facebook => None,
        }
    }

    /// The limit on the text (caption with its hashtags, or YouTube's description) and how it
    /// is measured.
    pub fn text_limit(self) -> (usize, Measure) {
        match self {
            Platform::Instagram => (INSTAGRAM_CAPTION_CHARS, Measure::Chars),
            Platform::Tiktok => (TIKTOK_CAPTION_CHARS, Measure::Chars),
            Platform::Youtube => (YOUTUBE_DESCRIPTION_BYTES, Measure::Bytes),
            Platform::X => (X_WEIGHTED_CHARS, Measure::XWeighted),
            Platform::Facebook => (FACEBOOK_TEXT_CHARS, Measure::Chars),
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Platform {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "instagram" | "ig" => Ok(Platform::Instagram),
            "tiktok" | "tik-tok" => Ok(Platform::Tiktok),
            "youtube" | "yt" => Ok(Platform::Youtube),
            "x" | "twitter" => Ok(Platform::X),
            "facebook" | "fb" => Ok(Platform::Facebook),
            _ => Err(ValidationError::new(
                "platform",
                format!("{s:?}"),
                "a platform is one of instagram, tiktok, youtube, x, facebook",
            )),
        }
    }
}

/// Parses a comma-separated platform list (`instagram,tiktok`), keeping the order given and
/// leaving out repeats; an empty list is an error.
pub fn parse_list(s: &str) -> Result<Vec<Platform>, ValidationError> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let p: Platform = part.parse()?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err(ValidationError::new(
            "platforms",
            format!("{s:?}"),
            "name at least one of instagram, tiktok, youtube, x, facebook",
        ));
    }
    Ok(out)
}

/// How a platform counts a text's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// Unicode characters (scalar values).
    Chars,
    /// UTF-8 bytes.
    Bytes,
    /// X's weighting: see [`x_weight`].
    XWeighted,
}

impl Measure {
    /// The length of `text` in this measure.
    pub fn of(self, text: &str) -> usize {
        match self {
            Measure::Chars => text.chars().count(),
            Measure::Bytes => text.len(),
            Measure::XWeighted => x_weight(text),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Measure::Chars => "characters",
            Measure::Bytes => "bytes",
            Measure::XWeighted => "weighted characters",
        }
    }
}

/// Whether X counts `c` as one character (Latin, Greek, Cyrillic and other scripts up to
/// U+10FF, and general punctuation such as dashes and quotes); everything else counts two.
fn x_light(c: char) -> bool {
    matches!(c as u32, 0..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037)
}

fn x_chars(s: &str) -> usize {
    s.chars().map(|c| if x_light(c) { 1 } else { 2 }).sum()
}

/// Whether a whitespace-free token is a link X shortens: `http://…`, `https://…`, `www.…`, or
/// something shaped like a domain (`name.tld…`).
fn looks_like_url(token: &str) -> bool {
    let t = token.trim_matches(|c: char| matches!(c, '(' | ')' | '"' | '\'' | ',' | '!' | '?'));
    let lower = t.to_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") {
        return true;
    }
    let host = lower.split('/').next().unwrap_or("");
    match host.rsplit_once('.') {
        Some((name, tld)) => {
            !name.is_empty()
                && tld.len() >= 2
                && tld.chars().all(|c| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        }
        None => false,
    }
}

/// The length of `text` as X counts it: [`X_URL_WEIGHT`] for each link, 2 for each character
/// outside the light ranges (CJK, emoji), 1 for the rest. A token that only looks like a domain
/// counts as the larger of 23 and its own length, so the count is never below X's.
pub fn x_weight(text: &str) -> usize {
    let mut total = 0;
    let mut token = String::new();
    let flush = |token: &mut String, total: &mut usize| {
        if token.is_empty() {
            return;
        }
        let lower = token.to_lowercase();
        let plain = x_chars(token);
        *total += if lower.starts_with("http://") || lower.starts_with("https://") {
            X_URL_WEIGHT
        } else if looks_like_url(token) {
            plain.max(X_URL_WEIGHT)
        } else {
            plain
        };
        token.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut token, &mut total);
            total += x_chars(c.encode_utf8(&mut [0; 4]));
        } else {
            token.push(c);
        }
    }
    flush(&mut token, &mut total);
    total
}

/// One post for one platform, in one language, as the user copies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Post {
    /// Where it goes.
    pub platform: Platform,
    /// Its language.
    pub lang: Lang,
    /// YouTube's title (empty elsewhere).
    #[serde(default)]
    pub title: String,
    /// The words: caption, post text, or YouTube's description, without the hashtags.
    pub text: String,
    /// Hashtags without `#`, appended to the text on a line of their own.
    #[serde(default)]
    pub hashtags: Vec<String>,
    /// YouTube's tags (empty elsewhere).
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Post {
    /// What is pasted into the platform's text field: the text, a blank line, the hashtags.
    pub fn full_text(&self) -> String {
        join_text(&self.text, &self.hashtags)
    }
}

fn hashtag_line(tags: &[String]) -> String {
    tags.iter()
        .map(|t| format!("#{t}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn join_text(text: &str, tags: &[String]) -> String {
    let text = text.trim();
    match (text.is_empty(), tags.is_empty()) {
        (_, true) => text.to_string(),
        (true, false) => hashtag_line(tags),
        (false, false) => format!("{text}\n\n{}", hashtag_line(tags)),
    }
}

/// Cleans a hashtag as a model wrote it: without `#`, spaces or punctuation other than `_`;
/// `None` when nothing is left.
pub fn clean_hashtag(tag: &str) -> Option<String> {
    let t: String = tag
        .trim()
        .trim_start_matches('#')
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!t.is_empty()).then_some(t)
}

/// YouTube's count for a tag list: each tag's characters, two quotation marks around a tag with
/// a space, and a comma between tags.
pub fn youtube_tags_len(tags: &[String]) -> usize {
    let each: usize = tags
        .iter()
        .map(|t| t.chars().count() + if t.contains(' ') { 2 } else { 0 })
        .sum();
    each + tags.len().saturating_sub(1)
}

/// One rule a post breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Violation {
    /// Which part: `text`, `title`, `hashtags`, `tags`.
    pub field: String,
    /// How much it holds, in `unit`.
    pub found: usize,
    /// The most allowed.
    pub limit: usize,
    /// `characters`, `bytes`, `weighted characters`, `hashtags`.
    pub unit: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the {} has {} {} and may have at most {}",
            self.field, self.found, self.unit, self.limit
        )
    }
}

/// Every limit `post` breaks on its platform (empty when it fits).
pub fn check(post: &Post) -> Vec<Violation> {
    let mut out = Vec::new();
    let v = |field: &str, found: usize, limit: usize, unit: &str| Violation {
        field: field.into(),
        found,
        limit,
        unit: unit.into(),
    };
    let (limit, measure) = post.platform.text_limit();
    let n = measure.of(&post.full_text());
    if n > limit {
        out.push(v("text", n, limit, measure.unit()));
    }
    if let Some(max) = post.platform.max_hashtags() {
        if post.hashtags.len() > max {
            out.push(v("hashtags", post.hashtags.len(), max, "hashtags"));
        }
    }
    if post.platform == Platform::Youtube {
        let t = post.title.chars().count();
        if t > YOUTUBE_TITLE_CHARS {
            out.push(v("title", t, YOUTUBE_TITLE_CHARS, "characters"));
        }
        if post.title.trim().is_empty() {
            out.push(v(
                "title",
                0,
                YOUTUBE_TITLE_CHARS,
                "characters (it is empty)",
            ));
        }
        let tags = youtube_tags_len(&post.tags);
        if tags > YOUTUBE_TAGS_CHARS {
            out.push(v("tags", tags, YOUTUBE_TAGS_CHARS, "characters"));
        }
    }
    out
}

/// The longest start of `text` that measures at most `limit`, cut at a word boundary (the end of
/// a word, never inside one) and ended with `…` when anything was cut. A first word longer than
/// the limit is cut inside it, as nothing else fits.
pub fn trim_to(text: &str, limit: usize, measure: Measure) -> String {
    let text = text.trim();
    if measure.of(text) <= limit {
        return text.to_string();
    }
    const MORE: char = '…';
    let room = limit.saturating_sub(measure.of("…"));
    // The ends of words, in order: positions before a whitespace character.
    let mut best: Option<usize> = None;
    let mut prev_space = true;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() && !prev_space {
            let head = text[..i]
                .trim_end_matches(|c: char| c.is_ascii_punctuation() && !matches!(c, '!' | '?'));
            if measure.of(head) <= room {
                best = Some(head.len());
            } else {
                break;
            }
        }
        prev_space = c.is_whitespace();
    }
    let head = match best {
        Some(end) => text[..end].to_string(),
        None => {
            let mut head = String::new();
            for c in text.chars() {
                head.push(c);
                if measure.of(&head) > room {
                    head.pop();
                    break;
                }
            }
            head
        }
    };
    if limit == 0 {
        return String::new();
    }
    format!("{}{MORE}", head.trim_end())
}

/// Brings `post` within its platform's limits, changing as little as it can: hashtags past the
/// platform's count are dropped, YouTube's tags are dropped from the end until they fit, its
/// title is trimmed at a word boundary; then, if the text with its hashtags is still too long,
/// hashtags go from the end while they take more than a quarter of the room, and the text is
/// trimmed at a word boundary to what is left. Returns whether anything changed. Afterwards
/// [`check`] finds nothing (an empty YouTube title aside: that is for the caller to fill).
pub fn fit(post: &mut Post) -> bool {
    let before = post.clone();
    post.text = post.text.trim().to_string();
    if let Some(max) = post.platform.max_hashtags() {
        post.hashtags.truncate(max);
    }
    if post.platform == Platform::Youtube {
        while youtube_tags_len(&post.tags) > YOUTUBE_TAGS_CHARS {
            post.tags.pop();
        }
        post.title = trim_to(&post.title, YOUTUBE_TITLE_CHARS, Measure::Chars);
    }
    let (limit, measure) = post.platform.text_limit();
    if measure.of(&post.full_text()) > limit {
        let tags_room = |tags: &[String]| measure.of(&format!("\n\n{}", hashtag_line(tags)));
        while !post.hashtags.is_empty() && tags_room(&post.hashtags) > limit / 4 {
            post.hashtags.pop();
        }
        let room = if post.hashtags.is_empty() {
            limit
        } else {
            limit - tags_room(&post.hashtags)
        };
        post.text = trim_to(&post.text, room, measure);
    }
    *post != before
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(platform: Platform, text: &str, tags: &[&str]) -> Post {
        Post {
            platform,
            lang: Lang::En,
            title: String::new(),
            text: text.into(),
            hashtags: tags.iter().map(|t| t.to_string()).collect(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn x_counts_every_link_as_23_and_wide_characters_as_2() {
        assert_eq!(x_weight("hello"), 5);
        let long = format!("https://example.com/{}", "a".repeat(100));
        assert_eq!(x_weight(&format!("new song {long}")), 9 + 23);
        assert_eq!(x_weight("https://t.co"), 23);
        // A short bare domain may count as 23 on X, so it is counted as 23.
        assert_eq!(x_weight("son1k.io"), 23);
        assert_eq!(x_weight("日本"), 4);
        assert_eq!(x_weight("canción — ya"), 12);
    }

    #[test]
    fn platform_names_parse_and_lists_keep_order_without_repeats() {
        assert_eq!("Twitter".parse::<Platform>().unwrap(), Platform::X);
        assert_eq!(
            parse_list("tiktok, ig,tiktok").unwrap(),
            vec![Platform::Tiktok, Platform::Instagram]
        );
        assert!(parse_list(" , ").is_err());
        let e = "myspace".parse::<Platform>().unwrap_err().to_string();
        assert!(e.contains("instagram, tiktok, youtube, x, facebook"), "{e}");
    }

    #[test]
    fn trimming_cuts_at_a_word_boundary_and_fits() {
        let t = trim_to("one two three four", 12, Measure::Chars);
        assert_eq!(t, "one two…");
        assert!(t.chars().count() <= 12);
        let t = trim_to("one two three four", 14, Measure::Chars);
        assert_eq!(t, "one two three…");
        assert_eq!(trim_to("short", 10, Measure::Chars), "short");
        let t = trim_to("abcdefghijkl", 5, Measure::Chars);
        assert_eq!(t, "abcd…");
        // Punctuation before the cut is dropped, so the ellipsis does not follow a comma.
        assert_eq!(
            trim_to("one two, three four", 10, Measure::Chars),
            "one two…"
        );
    }

    #[test]
    fn an_over_long_x_post_is_trimmed_and_its_hashtags_cut_to_two() {
        let mut p = post(Platform::X, &"la la ".repeat(80), &["one", "two", "three"]);
        assert!(!check(&p).is_empty());
        assert!(fit(&mut p));
        assert!(check(&p).is_empty(), "{:?}", check(&p));
        assert_eq!(p.hashtags, vec!["one", "two"]);
        assert!(x_weight(&p.full_text()) <= 280);
        assert!(p.text.ends_with('…'));
        assert!(p.text.trim_end_matches('…').ends_with("la"));
    }

    #[test]
    fn youtube_title_tags_and_description_are_held_to_their_limits() {
        let mut p = post(Platform::Youtube, &"ñ".repeat(3000), &[]);
        p.title = "word ".repeat(40);
        p.tags = (0..80).map(|i| format!("tag number {i}")).collect();
        let found = check(&p);
        assert_eq!(found.len(), 3, "{found:?}");
        fit(&mut p);
        assert!(check(&p).is_empty(), "{:?}", check(&p));
        assert!(p.full_text().len() <= YOUTUBE_DESCRIPTION_BYTES);
        assert!(youtube_tags_len(&p.tags) <= 500 && youtube_tags_len(&p.tags) > 480);
        assert_eq!(youtube_tags_len(&["a b".into(), "c".into()]), 3 + 2 + 1 + 1);
    }

    #[test]
    fn a_post_that_fits_is_left_alone() {
        let mut p = post(Platform::Facebook, "Out now.", &["newmusic"]);
        assert!(check(&p).is_empty());
        assert!(!fit(&mut p));
        assert_eq!(p.full_text(), "Out now.\n\n#newmusic");
    }

    #[test]
    fn every_upload_page_is_an_https_page_of_its_platform() {
        for p in Platform::ALL {
            let url = p.upload_url();
            assert!(url.starts_with("https://"), "{url}");
            let host = url
                .trim_start_matches("https://")
                .split('/')
                .next()
                .unwrap();
            let name = if p == Platform::Youtube {
                "youtube"
            } else {
                p.id()
            };
            assert!(host.contains(name), "{p}: {url}");
        }
    }

    #[test]
    fn hashtags_are_cleaned() {
        assert_eq!(clean_hashtag(" #New Music!").as_deref(), Some("NewMusic"));
        assert_eq!(clean_hashtag("#"), None);
        assert_eq!(
            clean_hashtag("#canción_nueva").as_deref(),
            Some("canción_nueva")
        );
    }
}
