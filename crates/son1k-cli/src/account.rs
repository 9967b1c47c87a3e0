//! `son1k account`, `son1k upgrade`, `son1k pool` and `son1k sync`: the hosted API through the
//! façade. Passwords come from `--password-stdin`, `SON1K_PASSWORD` or a line typed at the prompt.

use clap::Subcommand;
use son1k_app::{AccountStatus, Studio};
use son1k_core::Tier;
use std::io::{BufRead, Write};

use crate::{to_json, Failure};

#[derive(Subcommand)]
pub enum AccountAction {
    /// Create an account and sign this device in.
    Signup(Credentials),
    /// Sign this device in (e-mail and password, or --device to approve in a browser).
    Login {
        #[command(flatten)]
        credentials: Credentials,
        /// Sign in through the browser with a one-time code instead of a password.
        #[arg(long, conflicts_with_all = ["email", "password_stdin"])]
        device: bool,
    },
    /// Sign this device out (it is FREE afterwards).
    Logout,
    /// Tier, usage, lease and whether the server answers.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct Credentials {
    /// The account's e-mail address.
    #[arg(long)]
    email: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum PoolAction {
    /// Songs in the community pool, newest first.
    List {
        /// Only this genre.
        #[arg(long)]
        genre: Option<String>,
        /// Page, from 1.
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Claim a song (FREE: 3 a day): a given id, else the oldest you have not claimed.
    Claim {
        /// The item's id.
        id: Option<String>,
        /// Claim the oldest unclaimed item of this genre.
        #[arg(long, conflicts_with = "id")]
        genre: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Like a song (once per account).
    Like {
        /// The item's id.
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn bad(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: message.into(),
    }
}

fn need_email(c: &Credentials) -> Result<String, Failure> {
    c.email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| bad("--email is required (or use `son1k account login --device`)"))
}

fn password(from_stdin: bool) -> Result<String, Failure> {
    if !from_stdin {
        if let Ok(p) = std::env::var("SON1K_PASSWORD") {
            if !p.is_empty() {
                return Ok(p);
            }
        }
        eprint!("password: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        bad(format!(
            "could not read the password from standard input: {e}"
        ))
    })?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        return Err(bad(
            "no password given: pipe it with --password-stdin or set SON1K_PASSWORD",
        ));
    }
    Ok(p)
}

fn when(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

fn status_text(s: &AccountStatus, out: &mut dyn Write) -> std::io::Result<()> {
    match (&s.email, &s.user_id) {
        (Some(e), _) => writeln!(out, "account:  {e}")?,
        (None, Some(id)) => writeln!(out, "account:  {id}")?,
        _ => writeln!(out, "account:  signed out")?,
    }
    writeln!(out, "tier:     {}", s.tier.name())?;
    writeln!(
        out,
        "usage:    {} of {} generations this {} ({} left, resets {})",
        s.usage.used,
        s.usage.limit,
        s.usage.period,
        s.usage.remaining,
        when(s.usage.resets_at)
    )?;
    if let Some(l) = &s.lease {
        writeln!(
            out,
            "lease:    expires {}{}",
            when(l.expires_at),
            if l.in_grace {
                format!(" (expired; grace until {})", when(l.grace_until))
            } else {
                String::new()
            }
        )?;
    }
    writeln!(
        out,
        "server:   {} ({})",
        s.api_url,
        if s.online { "online" } else { "offline" }
    )?;
    if s.pending_uploads > 0 {
        writeln!(
            out,
            "pending:  {} generation records to upload",
            s.pending_uploads
        )?;
    }
    if let Some(m) = &s.message {
        writeln!(out, "note:     {m}")?;
    }
    Ok(())
}

fn print_status(s: &AccountStatus, json: bool, out: &mut dyn Write) -> Result<(), Failure> {
    if json {
        writeln!(out, "{}", to_json(s)?)?;
    } else {
        status_text(s, out)?;
    }
    Ok(())
}

pub fn account(studio: &Studio, action: AccountAction, out: &mut dyn Write) -> Result<(), Failure> {
    match action {
        AccountAction::Signup(c) => {
            let email = need_email(&c)?;
            let pw = password(c.password_stdin)?;
            let s = studio.account_signup(&email, &pw)?;
            print_status(&s, c.json, out)
        }
        AccountAction::Login {
            credentials: c,
            device,
        } => {
            let s = if device {
                let stop = crate::interrupted();
                studio.account_device_login(
                    Some("Son1k Studio CLI"),
                    &mut |start| {
                        eprintln!(
                            "Open {} and enter the code {} (or open {}); waiting…",
                            start.verification_uri,
                            start.user_code,
                            start.verification_uri_complete
                        );
                    },
                    &stop,
                )?
            } else {
                let email = need_email(&c)?;
                let pw = password(c.password_stdin)?;
                studio.account_login(&email, &pw)?
            };
            print_status(&s, c.json, out)
        }
        AccountAction::Logout => {
            let was = studio.account_logout()?;
            writeln!(
                out,
                "{}",
                if was {
                    "signed out; this device is FREE now"
                } else {
                    "not signed in"
                }
            )?;
            Ok(())
        }
        AccountAction::Status { json } => print_status(&studio.account_status()?, json, out),
    }
}

pub fn upgrade(
    studio: &Studio,
    tier: &str,
    print_url: bool,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let tier: Tier = tier
        .parse()
        .map_err(|_| bad(format!("unknown tier {tier:?}: use creator, pro or studio")))?;
    if !tier.is_paid() {
        return Err(bad("FREE needs no checkout: use creator, pro or studio"));
    }
    let url = studio.checkout_url(tier)?;
    if print_url {
        writeln!(out, "{url}")?;
        return Ok(());
    }
    match opener::open_browser(&url) {
        Ok(()) => writeln!(
            out,
            "Checkout for {} opened in your browser; after paying, run `son1k sync` (or `son1k account status`) to pick up the new tier.\n{url}",
            tier.name()
        )?,
        Err(e) => writeln!(
            out,
            "could not open a browser ({e}); open this page to pay for {}:\n{url}",
            tier.name()
        )?,
    }
    Ok(())
}

pub fn pool(studio: &Studio, action: PoolAction, out: &mut dyn Write) -> Result<(), Failure> {
    match action {
        PoolAction::List { genre, page, json } => {
            let p = studio.pool_list(genre.as_deref(), page)?;
            if json {
                writeln!(out, "{}", to_json(&p)?)?;
            } else if p.items.is_empty() {
                writeln!(
                    out,
                    "the pool has no songs{}",
                    genre.map(|g| format!(" in {g}")).unwrap_or_default()
                )?;
            } else {
                for i in &p.items {
                    writeln!(
                        out,
                        "{}  {:<10} {:<8} {:>3} likes {:>3} plays  {}",
                        i.id,
                        i.genre.as_deref().unwrap_or("-"),
                        i.quality,
                        i.likes,
                        i.plays,
                        i.title.as_deref().unwrap_or("")
                    )?;
                }
                writeln!(out, "page {} · {} songs in all", p.page, p.total)?;
            }
        }
        PoolAction::Claim { id, genre, json } => {
            let claimed = match (id, genre) {
                (Some(id), _) => studio.pool_claim(Some(&id))?,
                (None, Some(g)) => studio.pool_claim_genre(&g)?,
                (None, None) => studio.pool_claim(None)?,
            };
            if json {
                writeln!(out, "{}", to_json(&claimed)?)?;
            } else {
                writeln!(
                    out,
                    "claimed {} {}{}",
                    claimed.item.id,
                    claimed.item.title.as_deref().unwrap_or(""),
                    claimed
                        .remaining_today
                        .map(|r| format!(" ({r} claims left today)"))
                        .unwrap_or_default()
                )?;
            }
        }
        PoolAction::Like { id, json } => {
            let r = studio.pool_like(&id)?;
            if json {
                writeln!(out, "{}", to_json(&r)?)?;
            } else {
                writeln!(
                    out,
                    "{} {} ({} likes)",
                    if r.counted { "liked" } else { "already liked" },
                    r.item.id,
                    r.item.likes
                )?;
            }
        }
    }
    Ok(())
}

pub fn sync(studio: &Studio, json: bool, out: &mut dyn Write) -> Result<(), Failure> {
    let r = studio.sync()?;
    if json {
        writeln!(out, "{}", to_json(&r)?)?;
    } else if r.offline {
        writeln!(
            out,
            "{}; {} records wait for the next sync",
            r.message.as_deref().unwrap_or("offline"),
            r.pending
        )?;
    } else {
        writeln!(
            out,
            "uploaded {} generation records ({} already known, {} refused), {} waiting{}",
            r.sent,
            r.duplicates,
            r.refused,
            r.pending,
            if r.lease_renewed {
                "; lease renewed"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(super::when(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::when(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(super::when(1_735_689_600 + 3_660), "2025-01-01 01:01 UTC");
    }
}
