//! Operator commands behind the `son1k-api` binary's subcommands; each opens the database the
//! server would (same environment), does one thing and returns what it did.
//!
//! * [`migrate`]: applies the migrations that have not run (`son1k-api migrate`).
//! * [`create_admin`]: grants the admin role to an existing account (`son1k-api create-admin
//!   EMAIL`); the only way to grant it.
//! * [`rotate_lease_key`]: makes a new lease signing key current (`son1k-api rotate-lease-key`;
//!   see [`crate::lease_keys`]).
//! * [`export_user`]: one account's data as JSON, for a data-access request (`son1k-api
//!   export-user EMAIL`).

use serde_json::{json, Map, Value};
use sqlx::Row;

use crate::admin::{self, ADMIN_ROLE};
use crate::db::Db;
use crate::lease_keys::{self, PublishedKey};
use crate::{AppState, Config};

/// Opens the database (creating it when needed) and brings its schema up to date; returns the
/// schema version before and after.
pub async fn migrate(config: Config) -> anyhow::Result<(i64, i64)> {
    let db = crate::open_db(&config).await?;
    let before = db.schema_version().await?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
    let after = db.schema_version().await?;
    db.pool.close().await;
    Ok((before, after))
}

/// What [`create_admin`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AdminGrant {
    /// The account's id.
    pub user_id: String,
    /// Its e-mail address, as stored.
    pub email: String,
    /// `false` when the account held the role already.
    pub granted: bool,
}

/// The id and stored e-mail of the account signed up with `email`.
async fn find_user(db: &Db, email: &str) -> anyhow::Result<(String, String)> {
    let email = crate::routes::auth::normalise_email(email)
        .map_err(|_| anyhow::anyhow!("{email:?} is not an e-mail address"))?;
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, email FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&db.pool)
            .await?;
    row.ok_or_else(|| anyhow::anyhow!("no account with the e-mail {email}; sign up first"))
}

/// Grants the admin role to the account signed up with `email`.
pub async fn create_admin(state: &AppState, email: &str) -> anyhow::Result<AdminGrant> {
    let (user_id, email) = find_user(&state.db, email).await?;
    let granted = admin::grant(&state.db, &user_id, ADMIN_ROLE).await?;
    Ok(AdminGrant {
        user_id,
        email,
        granted,
    })
}

/// Makes a new lease signing key current; leases signed before stay verifiable until they
/// expire (the old key stays published at `/api/leases/public-keys` for a lease lifetime).
pub async fn rotate_lease_key(state: &AppState) -> anyhow::Result<PublishedKey> {
    Ok(lease_keys::rotate(&state.db, &state.keys).await?)
}

/// How a column is read into the export.
#[derive(Clone, Copy)]
enum Col {
    Text(&'static str),
    Int(&'static str),
    /// A TEXT column holding JSON, exported as that JSON.
    Json(&'static str),
}

/// Runs `sql` (one `$1` parameter: the user id) and turns each row into an object of `cols`.
async fn rows(db: &Db, sql: &'static str, user_id: &str, cols: &[Col]) -> anyhow::Result<Value> {
    let found = sqlx::query(sql).bind(user_id).fetch_all(&db.pool).await?;
    let mut out = Vec::with_capacity(found.len());
    for row in found {
        let mut obj = Map::new();
        for col in cols {
            let (name, value) = match *col {
                Col::Text(n) => (n, json!(row.try_get::<Option<String>, _>(n)?)),
                Col::Int(n) => (n, json!(row.try_get::<Option<i64>, _>(n)?)),
                Col::Json(n) => {
                    let text: Option<String> = row.try_get(n)?;
                    let parsed =
                        text.map(|t| serde_json::from_str::<Value>(&t).unwrap_or(Value::String(t)));
                    (n, parsed.unwrap_or(Value::Null))
                }
            };
            obj.insert(name.to_string(), value);
        }
        out.push(Value::Object(obj));
    }
    Ok(Value::Array(out))
}

/// Everything stored about the account signed up with `email`, as one JSON document: the
/// account, its roles, subscriptions, checkouts started, generations, pool contributions, claims, likes and plays,
/// analytics events and device logins. Secrets are left out: the password hash, token and
/// device-code hashes, sign-in throttle counters and stored idempotent answers.
pub async fn export_user(state: &AppState, email: &str) -> anyhow::Result<Value> {
    use Col::{Int, Json, Text};
    let db = &state.db;
    let (user_id, _) = find_user(db, email).await?;
    let uid = user_id.as_str();
    let account = rows(
        db,
        "SELECT id, email, created_at, stripe_customer_id FROM users WHERE id = $1",
        uid,
        &[
            Text("id"),
            Text("email"),
            Int("created_at"),
            Text("stripe_customer_id"),
        ],
    )
    .await?;
    let mut account = account
        .as_array()
        .and_then(|a| a.first())
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the account {uid} vanished during the export"))?;
    account["roles"] = json!(admin::roles(db, uid).await?);
    Ok(json!({
        "format": "son1k-api user export, version 1",
        "exported_at": crate::db::now(),
        "account": account,
        "subscriptions": rows(db,
            "SELECT id, tier, status, period_start, period_end, state_at FROM subscriptions \
             WHERE user_id = $1 ORDER BY state_at, id", uid,
            &[Text("id"), Text("tier"), Text("status"), Int("period_start"), Int("period_end"),
              Int("state_at")]).await?,
        "generations": rows(db,
            "SELECT id, period_key, quality, genre, used_after, pool_selected, created_at \
             FROM usage_records WHERE user_id = $1 ORDER BY created_at, id", uid,
            &[Text("id"), Text("period_key"), Text("quality"), Text("genre"), Int("used_after"),
              Int("pool_selected"), Int("created_at")]).await?,
        "pool_contributions": rows(db,
            "SELECT id, title, genre, quality, points, withdrawn, created_at FROM pool_items \
             WHERE contributor_id = $1 ORDER BY created_at, id", uid,
            &[Text("id"), Text("title"), Text("genre"), Text("quality"), Int("points"),
              Int("withdrawn"), Int("created_at")]).await?,
        "checkouts": rows(db,
            "SELECT id, tier, created_at FROM checkout_sessions WHERE user_id = $1 \
             ORDER BY created_at, id", uid,
            &[Text("id"), Text("tier"), Int("created_at")]).await?,
        "pool_claims": rows(db,
            "SELECT item_id, day, claimed_at FROM pool_claims WHERE user_id = $1 \
             ORDER BY claimed_at, item_id", uid,
            &[Text("item_id"), Text("day"), Int("claimed_at")]).await?,
        "pool_likes": rows(db,
            "SELECT item_id FROM pool_likes WHERE user_id = $1 ORDER BY item_id", uid,
            &[Text("item_id")]).await?,
        "pool_plays": rows(db,
            "SELECT item_id FROM pool_plays WHERE user_id = $1 ORDER BY item_id", uid,
            &[Text("item_id")]).await?,
        "analytics_events": rows(db,
            "SELECT id, name, at, props, received_at FROM analytics_events WHERE user_id = $1 \
             ORDER BY at, id", uid,
            &[Text("id"), Text("name"), Int("at"), Json("props"), Int("received_at")]).await?,
        "device_logins": rows(db,
            "SELECT device_name, status, created_at, expires_at FROM device_sessions \
             WHERE user_id = $1 ORDER BY created_at", uid,
            &[Text("device_name"), Text("status"), Int("created_at"), Int("expires_at")]).await?,
    }))
}
