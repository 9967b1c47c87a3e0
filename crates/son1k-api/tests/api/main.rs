//! Black-box tests of the hosted API over HTTP.
#![allow(clippy::unwrap_used, missing_docs)]

mod analytics;
mod auth;
mod basics;
mod billing;
mod binary;
mod browser;
mod device;
mod hardening;
mod helpers;
mod leases;
mod pool;
mod pool_selection;
mod slowloris;
mod small_hardening;
mod stripe;
mod throttling;
mod usage;
