//! Black-box tests of the hosted API over HTTP.
#![allow(clippy::unwrap_used, missing_docs)]

mod admin;
mod analytics;
mod auth;
mod basics;
mod billing;
mod binary;
mod browser;
mod device;
mod hardening;
mod health;
mod helpers;
mod key_rotation;
mod leases;
mod metrics;
mod operator_cli;
mod ops;
mod pool;
mod pool_selection;
mod prom_text;
mod shutdown;
mod slowloris;
mod small_hardening;
mod stripe;
mod throttling;
mod usage;
