//! Where the sign-in tokens live: the OS keyring (macOS Keychain, Windows Credential Manager,
//! the Secret Service on Linux desktops) when one answers, otherwise a private file
//! (`credentials.json`, mode 0600) in the studio's data folder.
//!
//! On Linux the keyring is only tried when a D-Bus session bus exists
//! (`DBUS_SESSION_BUS_ADDRESS`): without one there is no Secret Service, and trying would only
//! cost time. Headless machines, containers and CI use the file. `SON1K_CREDENTIALS=file` forces
//! the file (the tests do, so they never touch a developer's real keyring).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::types::Tokens;
use crate::SyncError;

/// The keyring service name.
pub const KEYRING_SERVICE: &str = "studio.son1k.desktop";
/// The file name of the fallback, inside the data folder.
pub const CREDENTIALS_FILE: &str = "credentials.json";

/// A signed-in session: who, and the tokens.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The user's id.
    pub user_id: String,
    /// The e-mail address, when known.
    pub email: Option<String>,
    /// Bearer token for the API.
    pub access_token: String,
    /// Single-use refresh token.
    pub refresh_token: String,
    /// When the access token expires (Unix seconds).
    pub access_expires_at: i64,
    /// The API server these tokens belong to.
    pub api_url: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("email", &self.email)
            .field("access_expires_at", &self.access_expires_at)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session from freshly issued tokens.
    pub fn from_tokens(tokens: Tokens, email: Option<String>, api_url: &str, now: i64) -> Session {
        Session {
            user_id: tokens.user_id,
            email,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            access_expires_at: now + tokens.expires_in,
            api_url: api_url.to_string(),
        }
    }
}

/// Where a session was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialBackend {
    /// The OS keyring.
    Keyring,
    /// `credentials.json` (0600) in the data folder.
    File,
}

/// Saves, loads and forgets the session.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    file: PathBuf,
    use_keyring: bool,
}

impl CredentialStore {
    /// A store whose file fallback lives in `data_dir`; `SON1K_CREDENTIALS=file` turns the
    /// keyring off, `keyring` forces trying it.
    pub fn new(data_dir: &Path) -> CredentialStore {
        let mode = std::env::var("SON1K_CREDENTIALS").unwrap_or_default();
        let use_keyring = match mode.trim() {
            "file" => false,
            "keyring" => true,
            _ => keyring_service_likely(),
        };
        CredentialStore {
            file: data_dir.join(CREDENTIALS_FILE),
            use_keyring,
        }
    }

    /// A store that only uses the file.
    pub fn file_only(data_dir: &Path) -> CredentialStore {
        CredentialStore {
            file: data_dir.join(CREDENTIALS_FILE),
            use_keyring: false,
        }
    }

    /// The fallback file's path.
    pub fn file_path(&self) -> &Path {
        &self.file
    }

    fn entry() -> Option<keyring::Entry> {
        keyring::Entry::new(KEYRING_SERVICE, "session").ok()
    }

    /// The saved session, if any. A keyring that fails to answer counts as no session.
    pub fn load(&self) -> Result<Option<Session>, SyncError> {
        match std::fs::read(&self.file) {
            Ok(bytes) => {
                return serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                    SyncError::Credentials {
                        action: "read",
                        path: self.file.clone(),
                        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                    }
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(SyncError::Credentials {
                    action: "read",
                    path: self.file.clone(),
                    source,
                })
            }
        }
        if !self.use_keyring {
            return Ok(None);
        }
        Ok(Self::entry()
            .and_then(|e| e.get_password().ok())
            .and_then(|text| serde_json::from_str(&text).ok()))
    }

    /// Saves the session: in the keyring when it accepts it, else in the private file.
    pub fn save(&self, session: &Session) -> Result<CredentialBackend, SyncError> {
        let text = serde_json::to_string(session).map_err(|e| SyncError::Credentials {
            action: "encode",
            path: self.file.clone(),
            source: std::io::Error::other(e),
        })?;
        if self.use_keyring {
            if let Some(entry) = Self::entry() {
                if entry.set_password(&text).is_ok() {
                    self.remove_file()?;
                    return Ok(CredentialBackend::Keyring);
                }
            }
        }
        write_private(&self.file, text.as_bytes()).map_err(|source| SyncError::Credentials {
            action: "write",
            path: self.file.clone(),
            source,
        })?;
        Ok(CredentialBackend::File)
    }

    /// Forgets the session everywhere it may be.
    pub fn clear(&self) -> Result<(), SyncError> {
        if self.use_keyring {
            if let Some(entry) = Self::entry() {
                let _ = entry.delete_credential();
            }
        }
        self.remove_file()
    }

    fn remove_file(&self) -> Result<(), SyncError> {
        match std::fs::remove_file(&self.file) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(SyncError::Credentials {
                action: "remove",
                path: self.file.clone(),
                source,
            }),
        }
    }
}

/// Whether an OS keyring is likely to answer: always on macOS and Windows; on Linux only with a
/// D-Bus session bus, which the Secret Service needs.
fn keyring_service_likely() -> bool {
    if cfg!(target_os = "linux") {
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
    } else {
        cfg!(any(target_os = "macos", target_os = "windows"))
    }
}

/// Writes `bytes` to `path` readable by the owner only: a temporary file (exactly 0600 on Unix)
/// made durable, then renamed over the target.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    son1k_fs::atomic_write_private(path, bytes).map_err(|e| e.source)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            user_id: "u1".into(),
            email: Some("a@example.com".into()),
            access_token: "access-secret".into(),
            refresh_token: "refresh-secret".into(),
            access_expires_at: 10,
            api_url: "http://127.0.0.1:1".into(),
        }
    }

    #[test]
    fn the_file_fallback_round_trips_and_is_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = CredentialStore::file_only(dir.path());
        assert_eq!(store.load().expect("load"), None);
        assert_eq!(
            store.save(&session()).expect("save"),
            CredentialBackend::File
        );
        assert_eq!(store.load().expect("load"), Some(session()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.file_path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.clear().expect("clear");
        assert_eq!(store.load().expect("load"), None);
        store.clear().expect("clearing twice is fine");
    }

    #[test]
    fn debug_output_hides_the_tokens() {
        let d = format!("{:?}", session());
        assert!(!d.contains("secret"), "{d}");
    }

    #[test]
    fn a_damaged_file_is_reported_with_its_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = CredentialStore::file_only(dir.path());
        std::fs::write(store.file_path(), b"{not json").expect("write");
        let e = store.load().expect_err("damaged");
        assert!(e.to_string().contains(CREDENTIALS_FILE), "{e}");
    }
}
