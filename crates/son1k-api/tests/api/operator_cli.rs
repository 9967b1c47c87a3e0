use crate::helpers::*;
use serde_json::Value;
use std::process::{Command, Output};

/// Runs the built `son1k-api` with `args` against `app`'s home and database.
fn run(app: &TestApp, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_son1k-api"));
    cmd.args(args)
        .env_clear()
        .env("SON1K_HOME", app.home.path())
        .env("NO_COLOR", "1");
    if let Some(url) = app.home.database_url() {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The operator commands of the real binary, against a running server's database: the server
/// sees their effect at once (it keeps no state of its own).
#[tokio::test]
async fn the_operator_commands_work_on_a_running_servers_database() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;

    let out = stdout(&run(&app, &["migrate"]));
    assert!(
        out.contains(&format!(
            "up to date (version {})",
            son1k_api::db::SCHEMA_VERSION
        )),
        "{out}"
    );

    let out = stdout(&run(&app, &["create-admin", &u.email]));
    assert!(
        out.contains("is now an admin") && out.contains(&u.id),
        "{out}"
    );
    let out = stdout(&run(&app, &["create-admin", &u.email]));
    assert!(out.contains("was an admin already"), "{out}");
    let failed = run(&app, &["create-admin", "nobody@example.com"]);
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("no account"));

    // Only JSON on stdout, so it can be piped to a file or jq.
    let out = stdout(&run(&app, &["export-user", &u.email]));
    let export: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(export["account"]["id"], u.id.as_str());
    assert_eq!(export["account"]["roles"][0], "admin");

    let before = json(app.get("/api/leases/public-key", None).await).await;
    let out = stdout(&run(&app, &["rotate-lease-key"]));
    let after = json(app.get("/api/leases/public-key", None).await).await;
    assert_ne!(before["public_key_hex"], after["public_key_hex"]);
    assert!(
        out.contains(after["public_key_hex"].as_str().unwrap()),
        "{out}"
    );

    let help = stdout(&run(&app, &["--help"]));
    for sub in [
        "serve",
        "migrate",
        "create-admin",
        "rotate-lease-key",
        "export-user",
    ] {
        assert!(help.contains(sub), "{sub} missing from --help: {help}");
    }
}

/// With no subcommand the binary serves, on 127.0.0.1:8080: it either listens there or, when
/// another program holds that port, says it cannot listen there.
#[test]
fn no_subcommand_means_serve_on_the_default_address() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::Duration;
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_son1k-api"))
        .env_clear()
        .env("SON1K_HOME", home.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    for pipe in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let mut seen = None;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) {
        if line.contains("listening") && line.contains("addr=127.0.0.1:8080") {
            seen = Some("listening");
            break;
        }
        if line.contains("cannot listen on 127.0.0.1:8080") {
            seen = Some("port taken");
            break;
        }
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    assert!(
        seen.is_some(),
        "the binary did not try to serve on 127.0.0.1:8080"
    );
}
