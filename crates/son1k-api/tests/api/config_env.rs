//! The limits an operator sets from the environment (`Config::from_lookup`, which `from_env`
//! calls with the process environment).

use std::collections::HashMap;
use std::time::Duration;

use son1k_api::config::{Config, LIMIT_VARS};

fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain([(
            "SON1K_HOME".to_string(),
            "/tmp/son1k-config-test".to_string(),
        )])
        .collect();
    Config::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn limits_are_read_from_the_environment() {
    let c = config(&[
        ("SON1K_MAX_CONNECTIONS", "64"),
        ("SON1K_MAX_CONNECTIONS_PER_IP", " 8 "),
        ("SON1K_HEADER_READ_TIMEOUT_SECS", "3"),
        ("SON1K_LOGIN_ATTEMPTS", "5"),
        ("SON1K_SIGNUP_WINDOW_SECS", "60"),
        ("SON1K_GLOBAL_AUTH_PER_MINUTE", "90"),
        ("SON1K_DB_POOL_SIZE", "6"),
    ])
    .unwrap();
    assert_eq!(c.max_connections, 64);
    assert_eq!(c.max_connections_per_ip, 8);
    assert_eq!(c.header_read_timeout, Duration::from_secs(3));
    assert_eq!(c.login_attempts, 5);
    assert_eq!(c.signup_window, Duration::from_secs(60));
    assert_eq!(c.global_auth_per_minute, 90);
    assert_eq!(c.db_pool_size, Some(6));
    // What is not set keeps its default.
    let defaults = Config::with_home("/tmp/son1k-config-test");
    assert_eq!(c.idle_timeout, defaults.idle_timeout);
    assert_eq!(c.ip_login_attempts, defaults.ip_login_attempts);
    assert_eq!(config(&[]).unwrap().db_pool_size, None);
}

#[test]
fn every_limit_variable_changes_its_own_field() {
    let defaults = format!("{:?}", config(&[]).unwrap());
    let mut seen = std::collections::HashSet::new();
    for (name, _) in LIMIT_VARS {
        let changed = format!("{:?}", config(&[(name, "7")]).unwrap());
        assert_ne!(changed, defaults, "{name} changed nothing");
        assert!(
            seen.insert(changed),
            "{name} sets the same field as another variable"
        );
    }
}

#[test]
fn a_bad_limit_is_refused_with_its_name() {
    for bad in ["0", "-3", "ten", "1.5", "99999999999999999999"] {
        let err = config(&[("SON1K_LOGIN_ATTEMPTS", bad)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("SON1K_LOGIN_ATTEMPTS"), "{bad}: {err}");
    }
    let err = config(&[("SON1K_IDLE_TIMEOUT_SECS", "soon")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("seconds") && err.contains("\"soon\""), "{err}");
    let err = config(&[("SON1K_LOGIN_ATTEMPTS", "5000000000")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("too large"), "{err}");
}

#[test]
fn the_server_refuses_to_start_on_a_bad_limit() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_son1k-api"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_clear()
        .env("SON1K_HOME", home.path())
        .env("SON1K_MAX_CONNECTIONS", "lots")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SON1K_MAX_CONNECTIONS must be"), "{err}");
}
