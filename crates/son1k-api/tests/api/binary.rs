use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

/// `son1k-api serve` starts with nothing but SON1K_HOME, answers, and stops cleanly on SIGTERM.
#[tokio::test]
async fn the_binary_starts_with_no_configuration_and_stops_on_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_son1k-api"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_clear()
        .env("SON1K_HOME", home.path())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut addr = None;
    let mut warned = false;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) {
        warned |= line.contains("SON1K_LEASE_KEY is not set");
        if let Some(rest) = line.split("addr=").nth(1) {
            addr = rest.split_whitespace().next().map(str::to_string);
            break;
        }
    }
    let addr = addr.expect("the server printed its address");
    assert!(warned, "a dev lease key warning is logged");
    let health = reqwest::get(format!("http://{addr}/health")).await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(home.path().join("son1k-api.sqlite3").exists());
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}");
}
