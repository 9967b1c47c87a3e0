//! The wire types of the Son1k Studio hosted API: the JSON bodies `son1k-api` answers with and
//! accepts, and that `son1k-sync` sends and reads. Both sides use these definitions, so a field
//! renamed on one side is renamed on the other.
//!
//! It is not for behaviour: no HTTP, no validation, no signing. With the `utoipa` feature every
//! type also derives `utoipa::ToSchema` for the server's OpenAPI document.
#![deny(missing_docs)]

use serde::{Deserialize, Serialize};
use son1k_core::{Period, TierLimits};

#[cfg(feature = "utoipa")]
use utoipa::ToSchema;

// ---- errors ----

/// The body of every error answer: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// A stable machine code and a human message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct ErrorDetail {
    /// Stable, machine-readable code such as `limit_reached`; clients switch on it.
    pub code: String,
    /// What went wrong and what to do next, for people.
    pub message: String,
}

// ---- auth ----

/// E-mail and password.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct Credentials {
    /// E-mail address (case-insensitive).
    pub email: String,
    /// Password, 8 to 256 characters.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &self.email)
            .field("password", &"***")
            .finish()
    }
}

/// Tokens handed out at sign-up, login and refresh.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct Tokens {
    /// The user's id.
    pub user_id: String,
    /// Bearer token for the API, valid `expires_in` seconds.
    pub access_token: String,
    /// Single-use token that buys a new pair at `/api/auth/refresh`.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Always `Bearer`.
    pub token_type: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("user_id", &self.user_id)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// A refresh token.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    pub refresh_token: String,
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest").finish_non_exhaustive()
    }
}

/// The caller's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct Me {
    /// User id.
    pub user_id: String,
    /// E-mail address.
    pub email: String,
    /// Current tier.
    pub tier: String,
}

// ---- device login ----

/// Starts a device login.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct DeviceStartRequest {
    /// A name for the device shown to the approver, such as `Son1k Studio on ana-laptop`
    /// (at most 100 characters).
    #[serde(default)]
    pub device_name: Option<String>,
}

/// A started device login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct DeviceStart {
    /// Secret for the app: poll `POST /api/device/token` with it. Never show it.
    pub device_code: String,
    /// Short code for the person to enter at `verification_uri`, like `BCDF-GHJK`.
    pub user_code: String,
    /// Where the person approves the code.
    pub verification_uri: String,
    /// `verification_uri` with the code filled in (for a link or QR code).
    pub verification_uri_complete: String,
    /// Seconds until the codes expire.
    pub expires_in: i64,
    /// Seconds to wait between polls.
    pub interval: i64,
}

/// A poll for the tokens of a device login.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct DeviceTokenRequest {
    /// The `device_code` from `POST /api/device/start`.
    pub device_code: String,
    /// Optional; if sent, `urn:ietf:params:oauth:grant-type:device_code`.
    #[serde(default)]
    pub grant_type: Option<String>,
}

/// The signed-in user's decision on a device login.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct DeviceApproveRequest {
    /// The code the app shows (dashes, spaces and case do not matter).
    pub user_code: String,
    /// `true` (default) approves, `false` denies.
    #[serde(default)]
    pub approve: Option<bool>,
}

/// The recorded decision. It carries no token: the tokens go only to the app holding the device code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct DeviceDecision {
    /// `approved` or `denied`.
    pub status: String,
    /// The name the app gave, if any.
    pub device_name: Option<String>,
}

// ---- tiers ----

/// One row of the pricing table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct TierRow {
    /// `FREE`, `CREATOR`, `PRO` or `STUDIO`.
    pub tier: String,
    /// Monthly price in US cents.
    pub price_cents: u32,
    /// Price as shown, e.g. `$9.99`.
    pub price: String,
    /// Generations per period.
    pub generations: u32,
    /// `day` (UTC) or `month` (billing month).
    pub period: String,
    /// Best export quality.
    pub max_quality: String,
    /// Cloud storage in GiB; null means unlimited.
    pub storage_gb: Option<u32>,
}

impl From<TierLimits> for TierRow {
    fn from(l: TierLimits) -> Self {
        TierRow {
            tier: l.tier.name().to_string(),
            price_cents: l.price_cents,
            price: l.price_label(),
            generations: l.generations,
            period: period_name(l.period).to_string(),
            max_quality: l.max_quality.name().to_string(),
            storage_gb: l.storage_gb,
        }
    }
}

/// `day` or `month`, as [`TierRow::period`] writes a [`Period`].
pub fn period_name(p: Period) -> &'static str {
    match p {
        Period::Day => "day",
        Period::Month => "month",
    }
}

/// A user's tier, limits and usage in the current period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct UserLimits {
    /// The user.
    pub user_id: String,
    /// The effective tier and its limits.
    pub limits: TierRow,
    /// Subscription status behind the tier (null for FREE).
    pub subscription_status: Option<String>,
    /// Start of the counting period (Unix seconds).
    pub period_start: i64,
    /// End of the counting period; the limit resets then.
    pub period_end: i64,
    /// Generations used in this period.
    pub used: i64,
    /// Generations left in this period.
    pub remaining: i64,
}

/// Which tier to buy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct CheckoutRequest {
    /// `CREATOR`, `PRO` or `STUDIO`.
    pub tier: String,
}

/// A Stripe Checkout session to open in the system browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct CheckoutSession {
    /// Stripe's session id.
    pub id: String,
    /// The page to open; it returns to `son1k://checkout/success` or `son1k://checkout/cancel`.
    pub url: String,
}

// ---- leases ----

/// What a lease grants. Signed as its JSON bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct LeasePayload {
    /// Format version, 1.
    pub version: u32,
    /// The user.
    pub user_id: String,
    /// The device the lease was issued to.
    pub device_id: String,
    /// Tier and its limits.
    pub limits: TierRow,
    /// Generations used in the period when the lease was issued.
    pub used_at_issue: i64,
    /// Start of the counting period (Unix seconds).
    pub period_start: i64,
    /// End of the counting period.
    pub period_end: i64,
    /// When the lease was issued.
    pub issued_at: i64,
    /// When it stops being valid.
    pub expires_at: i64,
}

/// A signed lease.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct Lease {
    /// The payload's JSON bytes, base64url without padding: this is what is signed.
    pub lease: String,
    /// Ed25519 signature of the payload bytes, base64url without padding.
    pub signature: String,
    /// The decoded payload, for convenience (not covered by the signature as sent here; verify
    /// `lease`).
    pub payload: LeasePayload,
}

/// The lease-signing public key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct PublicKey {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, base64url without padding.
    pub public_key: String,
    /// The same key in hex.
    pub public_key_hex: String,
}

/// What the root lease key signs to endorse a rotated key: this context, then the key's 32
/// bytes. A desktop pins the root key once and trusts every key it endorsed.
pub const LEASE_KEY_ENDORSEMENT_CONTEXT: &[u8] = b"son1k-lease-key-endorsement-v1\0";

/// A key that verifies leases, as `GET /api/leases/public-keys` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct PublishedKey {
    /// `root` for `SON1K_LEASE_KEY`, else the rotated key's random id.
    pub id: String,
    /// Always `ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, base64url without padding.
    pub public_key: String,
    /// The same key in hex.
    pub public_key_hex: String,
    /// When it began signing (Unix seconds; 0 for the root key).
    pub created_at: i64,
    /// When a newer key replaced it; `None` for the key that signs now.
    pub retired_at: Option<i64>,
    /// Until when leases it signed may still be valid (`retired_at` + the lease lifetime);
    /// `None` for the key that signs now.
    pub verify_until: Option<i64>,
    /// For a rotated key: the root key's Ed25519 signature (base64url without padding) of
    /// [`LEASE_KEY_ENDORSEMENT_CONTEXT`] followed by this key's 32 bytes, so a client that
    /// pinned the root key trusts it whoever serves the list; `None` for the root key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<String>,
}

/// Every key that verifies a lease valid now, the signing one first, and the root key that
/// endorses them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct PublicKeys {
    /// The keys, newest first; the first one signs new leases.
    pub keys: Vec<PublishedKey>,
    /// The root key (base64url without padding): it endorses every rotated key, and it is the
    /// one a client pins. Empty from a server older than endorsements.
    #[serde(default)]
    pub root_public_key: String,
}

/// Asks for a lease for one device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct LeaseRequest {
    /// A stable id of the device, 1 to 128 characters.
    pub device_id: String,
}

// ---- usage ----

/// One generation, as the desktop app reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct UsageRequest {
    /// Client-made UUID of the generation; sending it again changes nothing.
    pub id: String,
    /// `standard`, `high` or `ultra`.
    #[serde(default)]
    pub quality: Option<String>,
    /// Genre, used by the community pool's filters.
    #[serde(default)]
    pub genre: Option<String>,
    /// Title, shown in the community pool if the generation is selected.
    #[serde(default)]
    pub title: Option<String>,
}

/// The outcome of recording a generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct UsageRecorded {
    /// The generation's id.
    pub id: String,
    /// True when this id had been recorded before (nothing was counted this time).
    pub duplicate: bool,
    /// Generations used in the period after this one.
    pub used: i64,
    /// The period's limit.
    pub limit: i64,
    /// Generations left.
    pub remaining: i64,
    /// When the period ends (Unix seconds).
    pub period_end: i64,
    /// Whether this generation was selected for the community pool (paid tiers; see
    /// `/api/community/pool/policy`).
    pub pool_selected: bool,
}

// ---- community pool ----

/// A pool item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PoolItem {
    /// The generation id.
    pub id: String,
    /// Who contributed it.
    pub contributor_id: String,
    /// Title, if given.
    pub title: Option<String>,
    /// Genre (lower case), if given.
    pub genre: Option<String>,
    /// Export quality.
    pub quality: String,
    /// Points it earns its contributor.
    pub points: i64,
    /// Distinct users who liked it.
    pub likes: i64,
    /// Distinct users who played it.
    pub plays: i64,
    /// When it entered the pool.
    pub created_at: i64,
}

/// A page of pool items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PoolPage {
    /// The items, newest first.
    pub items: Vec<PoolItem>,
    /// This page.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
    /// Items matching the filter, all pages.
    pub total: i64,
}

/// What to claim.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
pub struct ClaimRequest {
    /// A specific item; without it the oldest item the caller has not claimed yet.
    #[serde(default)]
    pub item_id: Option<String>,
}

/// A successful claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Claimed {
    /// The claimed item.
    pub item: PoolItem,
    /// Claims made today (UTC), this one included.
    pub claims_today: i64,
    /// Claims left today; null for paid tiers (no daily limit).
    pub remaining_today: Option<i64>,
}

/// A like or play, counted once per user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Reaction {
    /// The item after the reaction.
    pub item: PoolItem,
    /// False when this user had already liked/played it (nothing changed).
    pub counted: bool,
}

/// A contributor's standing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RankEntry {
    /// 1-based rank.
    pub rank: i64,
    /// The contributor.
    pub contributor_id: String,
    /// Sum of item points.
    pub points: i64,
    /// Items in the pool.
    pub items: i64,
}

/// A page of the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RankingPage {
    /// Contributors, most points first.
    pub entries: Vec<RankEntry>,
    /// This page.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
    /// Contributors matching the filter.
    pub total: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_accept_missing_optional_fields() {
        let u: UsageRequest = serde_json::from_str(r#"{"id":"x"}"#).expect("usage");
        assert_eq!(u.quality, None);
        let c: ClaimRequest = serde_json::from_str("{}").expect("claim");
        assert_eq!(c.item_id, None);
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let c = Credentials {
            email: "a@b.c".into(),
            password: "hunter22".into(),
        };
        assert!(!format!("{c:?}").contains("hunter22"));
        let t = Tokens {
            user_id: "u".into(),
            access_token: "AAA".into(),
            refresh_token: "RRR".into(),
            expires_in: 1,
            token_type: "Bearer".into(),
        };
        let d = format!("{t:?}");
        assert!(!d.contains("AAA") && !d.contains("RRR"));
    }

    #[test]
    fn tier_rows_come_from_the_core_table() {
        let row = TierRow::from(son1k_core::Tier::Creator.limits());
        assert_eq!(row.tier, "CREATOR");
        assert_eq!(row.price, "$9.99");
        assert_eq!(row.period, "month");
    }
}
