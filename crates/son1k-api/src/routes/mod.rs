//! HTTP handlers kept apart from the mechanism they use: [`auth`] (sign-up, login, token refresh
//! and logout, the caller's account and its deletion) over [`crate::auth`].

pub mod auth;
