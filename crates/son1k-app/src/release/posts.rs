//! Release posts through the façade: the song's facts go to son1k-lyrics' post writer on the
//! local Ollama, and each post comes back as the view the Release screen and `posts.json` show.

use std::sync::atomic::AtomicBool;

use serde::Serialize;
use son1k_core::platform::{self, Platform, Post};
use son1k_core::Lang;
use son1k_lyrics::ollama::block_on;
use son1k_lyrics::posts::{PostEvent, SongFacts};
use son1k_lyrics::{Client, Timeouts};

use crate::AppError;

/// A post as the user sees it: the parts, what to paste, and how it measures on its platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostView {
    /// The post.
    #[serde(flatten)]
    pub post: Post,
    /// What to paste: the text and its hashtags (YouTube: the description).
    pub full_text: String,
    /// Its length in the platform's measure.
    pub length: u32,
    /// The platform's limit in that measure.
    pub limit: u32,
    /// `characters`, `bytes` or `weighted characters` (X).
    pub measure: platform::Measure,
    /// Whether the model was asked a second time because the first answer broke a limit.
    pub regenerated: bool,
    /// Whether code trimmed it because the second answer still did.
    pub trimmed: bool,
}

impl PostView {
    /// The view of a written post.
    pub fn of(post: Post, regenerated: bool, trimmed: bool) -> PostView {
        let (limit, measure) = post.platform.text_limit();
        let full_text = post.full_text();
        PostView {
            length: measure.of(&full_text) as u32,
            limit: limit as u32,
            measure,
            full_text,
            post,
            regenerated,
            trimmed,
        }
    }
}

/// The posts of a release and the model that wrote them (`posts.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Posts {
    /// The model used.
    pub model: String,
    /// Platform by platform, in each language asked for.
    pub posts: Vec<PostView>,
}

/// Writes posts for `platforms` in `langs` from `facts` with the Ollama at `OLLAMA_HOST`.
pub fn write(
    facts: &SongFacts,
    platforms: &[Platform],
    langs: &[Lang],
    model: Option<&str>,
    on_event: &mut (dyn FnMut(PostEvent) + Send),
    cancel: &AtomicBool,
) -> Result<Posts, AppError> {
    let client = Client::new(&crate::lyrics::address()?, Timeouts::default())?;
    let written = block_on(son1k_lyrics::posts::write_posts(
        &client, model, facts, platforms, langs, on_event, cancel,
    ))??;
    Ok(Posts {
        model: written.model,
        posts: written
            .posts
            .into_iter()
            .map(|w| PostView::of(w.post, w.regenerated, w.trimmed))
            .collect(),
    })
}

/// A post the user edited, held to its platform's limits the same way (trimmed at a word
/// boundary when it breaks one).
pub fn edited(mut post: Post) -> PostView {
    let trimmed = platform::fit(&mut post);
    PostView::of(post, false, trimmed)
}
