//! Events the shell sends to the UI. Their TypeScript types are generated with the commands'.

use serde::{Deserialize, Serialize};

/// One or more `son1k://` links reached the app (e.g. `son1k://checkout/success` after Stripe).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct DeepLinkOpened {
    /// The links, as received.
    pub urls: Vec<String>,
}
