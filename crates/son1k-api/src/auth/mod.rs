//! Accounts' mechanism, shared by every user-scoped route: the errors of the auth routes and of
//! the token check, the bearer-token extractor ([`AuthUser`]), short-lived access tokens
//! (HMAC-signed, stateless so any instance can check them) and rotating refresh tokens (stored
//! hashed), password hashing (argon2id) and a login rate limit kept in the database (shared by
//! every instance). The HTTP handlers (sign-up, login, refresh, logout, the account and its
//! deletion) are in [`crate::routes::auth`].

mod error;
mod extract;
mod limits;
mod password;
mod token;

pub use error::AuthError;
pub use extract::AuthUser;
pub(crate) use limits::count_in_bucket;
pub(crate) use password::{check_password, hash_password, password_matches};
pub use password::{hashing_peak, hashing_permits, MAX_HASHERS};
pub use son1k_api_types::{Credentials, Me, RefreshRequest, Tokens};
pub use token::{issue_access, verify_access, ACCESS_TTL, REFRESH_TTL};
pub(crate) use token::{issue_tokens, issue_tokens_in, token_hash};
