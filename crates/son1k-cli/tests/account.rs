//! `son1k account|sync|pool|upgrade` and the quota in `son1k generate`, as a person runs them,
//! against a real `son1k-api` that son1k-testkit starts on 127.0.0.1 port 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use son1k_testkit::{BlockingServer as Server, Home};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn son1k(home: &Path, api: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(args)
        .env("SON1K_HOME", home)
        .env("SON1K_API_URL", api)
        .env("SON1K_CREDENTIALS", "file")
        .env_remove("SON1K_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout_json(o: &Output) -> serde_json::Value {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn account_status_signed_out_and_offline_says_free_quickly() {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    // Nothing listens on loopback port 9.
    let o = son1k(
        home.path(),
        "http://127.0.0.1:9",
        &["account", "status", "--json"],
        None,
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let v = stdout_json(&o);
    assert_eq!(v["tier"], "FREE");
    assert_eq!(v["online"], false);
    assert_eq!(v["signed_in"], false);
    assert!(v["message"].as_str().unwrap().contains("offline"));

    // Calls that need the server fail with one line naming SON1K_API_URL.
    let o = son1k(home.path(), "http://127.0.0.1:9", &["pool", "list"], None);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("SON1K_API_URL") && err.lines().count() == 1,
        "{err}"
    );
    let o = son1k(home.path(), "http://127.0.0.1:9", &["sync"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("son1k account login"));
    let o = son1k(
        home.path(),
        "http://127.0.0.1:9",
        &["upgrade", "gold"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn signup_then_three_free_generations_and_the_fourth_is_refused() {
    let server_home = Home::blocking();
    let server = Server::start(&server_home);
    let api = server.base_url();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let email = format!("cli{}@example.com", std::process::id());

    let v = stdout_json(&son1k(
        h,
        &api,
        &[
            "account",
            "signup",
            "--email",
            &email,
            "--password-stdin",
            "--json",
        ],
        Some("correct horse battery\n"),
    ));
    assert_eq!(v["signed_in"], true);
    assert_eq!(v["tier"], "FREE");
    assert!(v["lease"]["expires_at"].as_i64().unwrap() > 0);
    let creds = h.join("data").join("credentials.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&creds).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    for n in 1..=3 {
        let dir = h.join(format!("song{n}"));
        let o = son1k(
            h,
            &api,
            &[
                "generate",
                "lo-fi loop",
                "--seconds",
                "5",
                "--seed",
                "7",
                "-o",
                dir.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let dir = h.join("song4");
    let o = son1k(
        h,
        &api,
        &[
            "generate",
            "lo-fi loop",
            "--seconds",
            "5",
            "-o",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("FREE allows 3 generations per day"), "{err}");
    assert!(err.contains("son1k upgrade creator"), "{err}");
    assert!(!dir.join("mix.wav").exists());

    let v = stdout_json(&son1k(h, &api, &["sync", "--json"], None));
    assert_eq!(v["pending"], 0);
    let v = stdout_json(&son1k(h, &api, &["account", "status", "--json"], None));
    assert_eq!(v["usage"]["used"], 3);
    assert_eq!(v["online"], true);

    let v = stdout_json(&son1k(
        h,
        &api,
        &["pool", "list", "--genre", "rock", "--json"],
        None,
    ));
    assert_eq!(v["total"], 0);
    // This server has no Stripe key: the error says so.
    let o = son1k(h, &api, &["upgrade", "creator", "--print-url"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("payments not configured"));

    let o = son1k(h, &api, &["account", "logout"], None);
    assert!(o.status.success());
    assert!(!creds.exists());
    let v = stdout_json(&son1k(h, &api, &["account", "status", "--json"], None));
    assert_eq!(v["signed_in"], false);
    assert_eq!(v["tier"], "FREE");
    assert_eq!(v["online"], true);
}
