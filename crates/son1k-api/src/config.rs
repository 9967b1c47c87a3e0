//! Configuration, read from the environment by the binary and built directly by tests.

use std::path::PathBuf;
use std::time::Duration;

/// Everything the server needs to start. Only `home` is required; the rest has working defaults.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the SQLite database and the dev lease key live (`SON1K_HOME`, else the platform data dir).
    pub home: PathBuf,
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`; `None` means `sqlite` under `home`.
    pub database_url: Option<String>,
    /// `STRIPE_SECRET_KEY`; without it checkout answers 503 "payments not configured".
    pub stripe_secret_key: Option<String>,
    /// `STRIPE_WEBHOOK_SECRET` (`whsec_…`); without it the webhook answers 503.
    pub stripe_webhook_secret: Option<String>,
    /// `STRIPE_API_BASE`, `https://api.stripe.com` unless a test points it at a stand-in.
    pub stripe_api_base: String,
    /// `SON1K_LEASE_KEY`: the Ed25519 signing key (32-byte seed, hex or base64). When unset a dev
    /// key is generated once and kept in `home/lease-key.dev`, with a warning.
    pub lease_key: Option<String>,
    /// `PUBLIC_URL`: where this server is reachable, shown on the landing page.
    pub public_url: Option<String>,
    /// How long a request may take before it is answered with 408.
    pub request_timeout: Duration,
    /// Most login attempts per e-mail address per [`Config::login_window`].
    pub login_attempts: u32,
    /// The login rate-limit window.
    pub login_window: Duration,
    /// How long a device login (`POST /api/device/start`) waits for approval.
    pub device_code_ttl: Duration,
    /// The least time between two polls of `POST /api/device/token`; polling faster answers
    /// `slow_down` and adds 5 s to that session's interval.
    pub device_poll_interval: Duration,
}

impl Config {
    /// A configuration with defaults, its data under `home`.
    pub fn with_home(home: impl Into<PathBuf>) -> Self {
        Config {
            home: home.into(),
            database_url: None,
            stripe_secret_key: None,
            stripe_webhook_secret: None,
            stripe_api_base: "https://api.stripe.com".to_string(),
            lease_key: None,
            public_url: None,
            request_timeout: Duration::from_secs(15),
            login_attempts: 10,
            login_window: Duration::from_secs(300),
            device_code_ttl: Duration::from_secs(600),
            device_poll_interval: Duration::from_secs(5),
        }
    }

    /// Reads the environment variables named on each field.
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let home = match var("SON1K_HOME") {
            Some(h) => PathBuf::from(h),
            None => directories::ProjectDirs::from("studio", "Son1k", "Son1k Studio")
                .map(|d| d.data_dir().join("api"))
                .ok_or_else(|| {
                    anyhow::anyhow!("no home directory found; set SON1K_HOME to a writable folder")
                })?,
        };
        let mut config = Config::with_home(home);
        config.database_url = var("DATABASE_URL");
        config.stripe_secret_key = var("STRIPE_SECRET_KEY");
        config.stripe_webhook_secret = var("STRIPE_WEBHOOK_SECRET");
        if let Some(base) = var("STRIPE_API_BASE") {
            config.stripe_api_base = base.trim_end_matches('/').to_string();
        }
        config.lease_key = var("SON1K_LEASE_KEY");
        config.public_url = var("PUBLIC_URL");
        Ok(config)
    }
}
