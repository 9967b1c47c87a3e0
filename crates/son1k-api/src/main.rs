//! `son1k-api`: the hosted API server.

use clap::{Parser, Subcommand};
use son1k_api::{AppState, Config};

#[derive(Parser)]
#[command(
    name = "son1k-api",
    version,
    about = "Son1k Studio hosted API. With no subcommand it serves on 127.0.0.1:8080; the \
             other subcommands are for operators and use the same environment (SON1K_HOME, \
             DATABASE_URL, SON1K_LEASE_KEY; see the crate README)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Configuration comes from the environment.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Log as JSON lines instead of text.
        #[arg(long)]
        json_logs: bool,
    },
    /// Apply the database migrations that have not run, then exit.
    Migrate,
    /// Grant the admin role (the /admin routes) to the account signed up with EMAIL.
    CreateAdmin {
        /// The account's e-mail address.
        email: String,
    },
    /// Make a new lease signing key current; leases signed before stay valid until they expire.
    RotateLeaseKey,
    /// Print everything stored about the account with EMAIL as JSON (for access requests).
    ExportUser {
        /// The account's e-mail address.
        email: String,
    },
}

/// Logs for the operator commands go to stderr, so their stdout stays clean for output.
fn init_stderr_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "warn,sqlx=warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve {
        addr: "127.0.0.1:8080".into(),
        json_logs: false,
    });
    match command {
        Command::Serve { addr, json_logs } => serve(addr, json_logs).await,
        Command::Migrate => {
            init_stderr_logs();
            let (before, after) = son1k_api::ops::migrate(Config::from_env()?).await?;
            if before == after {
                println!("the database schema is up to date (version {after})");
            } else {
                println!("migrated the database schema from version {before} to {after}");
            }
            Ok(())
        }
        Command::CreateAdmin { email } => {
            init_stderr_logs();
            let state = AppState::open(Config::from_env()?).await?;
            let grant = son1k_api::ops::create_admin(&state, &email).await?;
            if grant.granted {
                println!("{} ({}) is now an admin", grant.email, grant.user_id);
            } else {
                println!("{} ({}) was an admin already", grant.email, grant.user_id);
            }
            Ok(())
        }
        Command::RotateLeaseKey => {
            init_stderr_logs();
            let state = AppState::open(Config::from_env()?).await?;
            let key = son1k_api::ops::rotate_lease_key(&state).await?;
            println!(
                "new lease signing key {} (ed25519, hex {}); earlier keys stay published at \
                 /api/leases/public-keys until their leases expire",
                key.id, key.public_key_hex
            );
            Ok(())
        }
        Command::ExportUser { email } => {
            init_stderr_logs();
            let state = AppState::open(Config::from_env()?).await?;
            let export = son1k_api::ops::export_user(&state, &email).await?;
            println!("{}", serde_json::to_string_pretty(&export)?);
            Ok(())
        }
    }
}

async fn serve(addr: String, json_logs: bool) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    if json_logs {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .json()
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let config = Config::from_env()?;
    let state = AppState::open(config).await?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    tracing::info!(addr = %listener.local_addr()?, "son1k-api listening");
    son1k_api::serve(state, listener, shutdown_signal()).await?;
    tracing::info!("son1k-api stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
