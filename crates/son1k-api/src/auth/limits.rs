//! The per-account rate limit of device approvals, on the shared counters of [`crate::throttle`].

use super::error::AuthError;
use crate::throttle::{charge, Limit};
use crate::AppState;

/// Counts one attempt in the rate-limit `bucket` (shared by every instance through the database);
/// refuses once the window's budget (`login_attempts` per `login_window`) is spent.
pub(crate) async fn count_in_bucket(state: &AppState, bucket: &str) -> Result<(), AuthError> {
    let limit = Limit {
        max: state.config.login_attempts,
        window: state.config.login_window,
    };
    charge(state, bucket, None, limit).await
}
