//! Configuration, read from the environment by the binary and built directly by tests.

use std::path::PathBuf;
use std::time::Duration;

/// Everything the server needs to start. Only `home` is required; the rest has working defaults.
/// Its `Debug` output hides the secrets (and the password in `database_url`).
#[derive(Clone)]
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
    /// `SON1K_POOL_SECRET`: the secret the community pool's selection is keyed with. When unset it
    /// is derived from the lease key, which is as secret and shared by every instance.
    pub pool_secret: Option<String>,
    /// `PUBLIC_URL`: where this server is reachable, shown on the landing page.
    pub public_url: Option<String>,
    /// `SON1K_METRICS_TOKEN`: the bearer token `GET /metrics` asks for (at least 16 characters).
    /// Unset: `/metrics` answers 404 and exposes nothing.
    pub metrics_token: Option<String>,
    /// How long a request may take before it is answered with 408.
    pub request_timeout: Duration,
    /// How long a client has to send a request's headers, counted from when the server starts
    /// waiting for them (a new connection, or the next request on a kept-alive one); then the
    /// connection is closed. Stops slowloris clients that never finish their headers.
    pub header_read_timeout: Duration,
    /// A connection on which no byte moved for this long, with no request being handled, is closed.
    pub idle_timeout: Duration,
    /// The most connections open at once; further clients wait in the listen backlog.
    pub max_connections: usize,
    /// The most connections open at once from one IP address; further ones are closed at once.
    pub max_connections_per_ip: usize,
    /// Most failed password checks for one account from one address per
    /// [`Config::login_window`] (also the budget of device approvals per account).
    pub login_attempts: u32,
    /// Most failed password checks for one account from all addresses per window.
    pub account_login_attempts: u32,
    /// Most failed password checks from one address for all accounts per window (spraying).
    pub ip_login_attempts: u32,
    /// The login rate-limit window; it doubles (up to 16 times) for a counter that keeps
    /// ending over its budget (see [`crate::throttle`]).
    pub login_window: Duration,
    /// Most sign-ups from one address per [`Config::signup_window`].
    pub signups_per_ip: u32,
    /// The sign-up rate-limit window.
    pub signup_window: Duration,
    /// Most device logins started from one address per [`Config::login_window`].
    pub device_starts_per_ip: u32,
    /// Most logins, sign-ups and device-login starts this instance takes per minute, from
    /// everyone together.
    pub global_auth_per_minute: u32,
    /// `SON1K_TRUST_FORWARDED_FOR=1`: count clients by the last `X-Forwarded-For` address (set
    /// it only behind a proxy that writes that header); otherwise by the TCP peer.
    pub trust_forwarded_for: bool,
    /// How long a device login (`POST /api/device/start`) waits for approval.
    pub device_code_ttl: Duration,
    /// The least time between two polls of `POST /api/device/token`; polling faster answers
    /// `slow_down` and adds 5 s to that session's interval.
    pub device_poll_interval: Duration,
    /// The most database connections this instance holds (`SON1K_DB_POOL_SIZE`). `None`: 8 on
    /// SQLite, and on PostgreSQL twice the cores plus one (at least 4), the size past which more
    /// connections only queue inside the database (see `scripts/api-load-bench.sh`).
    pub db_pool_size: Option<u32>,
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
            pool_secret: None,
            public_url: None,
            metrics_token: None,
            request_timeout: Duration::from_secs(15),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_connections_per_ip: 256,
            login_attempts: 10,
            account_login_attempts: 100,
            ip_login_attempts: 30,
            login_window: Duration::from_secs(300),
            signups_per_ip: 20,
            signup_window: Duration::from_secs(3600),
            device_starts_per_ip: 20,
            global_auth_per_minute: 1200,
            trust_forwarded_for: false,
            device_code_ttl: Duration::from_secs(600),
            device_poll_interval: Duration::from_secs(5),
            db_pool_size: None,
        }
    }

    /// Reads the environment variables named on each field and in [`LIMIT_VARS`].
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Config::from_env`] with the variables read through `lookup` (tests pass a map). A
    /// variable that is set but empty counts as unset; a limit that does not parse is refused
    /// with its name, the value and what it must be.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
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
        config.pool_secret = var("SON1K_POOL_SECRET");
        config.trust_forwarded_for = var("SON1K_TRUST_FORWARDED_FOR").is_some_and(|v| v == "1");
        config.public_url = var("PUBLIC_URL");
        config.metrics_token = var("SON1K_METRICS_TOKEN").map(|t| t.trim().to_string());
        if let Some(token) = &config.metrics_token {
            if token.chars().count() < 16 {
                anyhow::bail!(
                    "SON1K_METRICS_TOKEN must be at least 16 characters (e.g. 32 random hex digits)"
                );
            }
        }
        for (name, limit) in LIMIT_VARS {
            if let Some(value) = var(name) {
                limit.set(&mut config, name, value.trim())?;
            }
        }
        Ok(config)
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured, so a new field cannot be printed without being looked at here.
        let Config {
            home,
            database_url,
            stripe_secret_key,
            stripe_webhook_secret,
            stripe_api_base,
            lease_key,
            pool_secret,
            public_url,
            metrics_token,
            request_timeout,
            header_read_timeout,
            idle_timeout,
            max_connections,
            max_connections_per_ip,
            login_attempts,
            account_login_attempts,
            ip_login_attempts,
            login_window,
            signups_per_ip,
            signup_window,
            device_starts_per_ip,
            global_auth_per_minute,
            trust_forwarded_for,
            device_code_ttl,
            device_poll_interval,
            db_pool_size,
        } = self;
        let secret = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("Config")
            .field("home", home)
            .field("database_url", &database_url.as_deref().map(crate::redact))
            .field("stripe_secret_key", &secret(stripe_secret_key))
            .field("stripe_webhook_secret", &secret(stripe_webhook_secret))
            .field("stripe_api_base", stripe_api_base)
            .field("lease_key", &secret(lease_key))
            .field("pool_secret", &secret(pool_secret))
            .field("public_url", public_url)
            .field("metrics_token", &secret(metrics_token))
            .field("request_timeout", request_timeout)
            .field("header_read_timeout", header_read_timeout)
            .field("idle_timeout", idle_timeout)
            .field("max_connections", max_connections)
            .field("max_connections_per_ip", max_connections_per_ip)
            .field("login_attempts", login_attempts)
            .field("account_login_attempts", account_login_attempts)
            .field("ip_login_attempts", ip_login_attempts)
            .field("login_window", login_window)
            .field("signups_per_ip", signups_per_ip)
            .field("signup_window", signup_window)
            .field("device_starts_per_ip", device_starts_per_ip)
            .field("global_auth_per_minute", global_auth_per_minute)
            .field("trust_forwarded_for", trust_forwarded_for)
            .field("device_code_ttl", device_code_ttl)
            .field("device_poll_interval", device_poll_interval)
            .field("db_pool_size", db_pool_size)
            .finish()
    }
}

/// A limit an operator can set from the environment: which field, and how its text reads.
#[derive(Clone, Copy)]
pub enum Limit {
    /// A whole number of seconds, at least 1.
    Seconds(fn(&mut Config) -> &mut Duration),
    /// A count, at least 1.
    Count(fn(&mut Config) -> &mut u32),
    /// A count of connections, at least 1.
    Size(fn(&mut Config) -> &mut usize),
    /// A count, at least 1, for a field whose default is chosen later (`None`).
    Chosen(fn(&mut Config) -> &mut Option<u32>),
}

impl Limit {
    fn set(self, config: &mut Config, name: &str, value: &str) -> anyhow::Result<()> {
        let number = value
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                let unit = match self {
                    Limit::Seconds(_) => "a whole number of seconds",
                    Limit::Count(_) | Limit::Size(_) | Limit::Chosen(_) => "a whole number",
                };
                anyhow::anyhow!("{name} must be {unit}, 1 or more; got {value:?}")
            })?;
        let too_big = || anyhow::anyhow!("{name} is too large: {value}");
        match self {
            Limit::Seconds(field) => *field(config) = Duration::from_secs(number),
            Limit::Count(field) => *field(config) = u32::try_from(number).map_err(|_| too_big())?,
            Limit::Size(field) => {
                *field(config) = usize::try_from(number).map_err(|_| too_big())?
            }
            Limit::Chosen(field) => {
                *field(config) = Some(u32::try_from(number).map_err(|_| too_big())?)
            }
        }
        Ok(())
    }
}

/// The limits read from the environment, by variable name (the README's operator table lists
/// them with their defaults).
pub const LIMIT_VARS: &[(&str, Limit)] = &[
    (
        "SON1K_REQUEST_TIMEOUT_SECS",
        Limit::Seconds(|c| &mut c.request_timeout),
    ),
    (
        "SON1K_HEADER_READ_TIMEOUT_SECS",
        Limit::Seconds(|c| &mut c.header_read_timeout),
    ),
    (
        "SON1K_IDLE_TIMEOUT_SECS",
        Limit::Seconds(|c| &mut c.idle_timeout),
    ),
    (
        "SON1K_MAX_CONNECTIONS",
        Limit::Size(|c| &mut c.max_connections),
    ),
    (
        "SON1K_MAX_CONNECTIONS_PER_IP",
        Limit::Size(|c| &mut c.max_connections_per_ip),
    ),
    (
        "SON1K_LOGIN_ATTEMPTS",
        Limit::Count(|c| &mut c.login_attempts),
    ),
    (
        "SON1K_ACCOUNT_LOGIN_ATTEMPTS",
        Limit::Count(|c| &mut c.account_login_attempts),
    ),
    (
        "SON1K_IP_LOGIN_ATTEMPTS",
        Limit::Count(|c| &mut c.ip_login_attempts),
    ),
    (
        "SON1K_LOGIN_WINDOW_SECS",
        Limit::Seconds(|c| &mut c.login_window),
    ),
    (
        "SON1K_SIGNUPS_PER_IP",
        Limit::Count(|c| &mut c.signups_per_ip),
    ),
    (
        "SON1K_SIGNUP_WINDOW_SECS",
        Limit::Seconds(|c| &mut c.signup_window),
    ),
    (
        "SON1K_DEVICE_STARTS_PER_IP",
        Limit::Count(|c| &mut c.device_starts_per_ip),
    ),
    (
        "SON1K_GLOBAL_AUTH_PER_MINUTE",
        Limit::Count(|c| &mut c.global_auth_per_minute),
    ),
    (
        "SON1K_DEVICE_CODE_TTL_SECS",
        Limit::Seconds(|c| &mut c.device_code_ttl),
    ),
    (
        "SON1K_DEVICE_POLL_INTERVAL_SECS",
        Limit::Seconds(|c| &mut c.device_poll_interval),
    ),
    ("SON1K_DB_POOL_SIZE", Limit::Chosen(|c| &mut c.db_pool_size)),
];
