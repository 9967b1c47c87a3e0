//! `son1k takes`: the Generator's takes from the command line — listed newest first with the
//! engine's overrides, renamed, deleted one at a time.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn son1k(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(args)
        .env("SON1K_HOME", home)
        .output()
        .unwrap()
}

fn ok(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn takes_are_listed_with_their_overrides_renamed_and_deleted() {
    let home = std::env::temp_dir().join(format!("son1k-cli-takes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let songs = home.join("data").join("songs");
    // Two takes in the songs folder, as the Generator makes them; the first asks for a genre the
    // engine does not know.
    for (name, extra) in [
        ("take-1", &["--genre", "zydeco-polka"][..]),
        ("take-2", &[][..]),
    ] {
        let out = songs.join(name);
        let mut args = vec![
            "generate",
            "lo-fi 80 bpm in Bb major",
            "--seconds",
            "5",
            "--seed",
            "3",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", out.to_str().unwrap()]);
        let said = ok(&son1k(&home, &args));
        // `son1k generate` itself says what it overrode.
        assert_eq!(
            said.contains("note: the engine has no genre \"zydeco-polka\""),
            name == "take-1",
            "{said}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let text = ok(&son1k(&home, &["takes", "list"]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("take-2  Take 2"), "{text}");
    assert!(text.contains("take-1  Take 1"), "{text}");
    assert!(
        text.contains("note: the engine has no genre \"zydeco-polka\""),
        "{text}"
    );

    ok(&son1k(&home, &["takes", "rename", "take-1", "La buena"]));
    let o = son1k(&home, &["takes", "rename", "take-2", "la BUENA"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already has this name"));
    // Without a terminal, deleting asks for --yes instead of guessing.
    let o = son1k(&home, &["takes", "delete", "take-2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(songs.join("take-2").is_dir());
    ok(&son1k(&home, &["takes", "delete", "take-2", "--yes"]));
    let json: serde_json::Value =
        serde_json::from_str(&ok(&son1k(&home, &["takes", "list", "--json"]))).unwrap();
    let takes = json.as_array().unwrap();
    assert_eq!(takes.len(), 1);
    assert_eq!(takes[0]["title"], "La buena");
    assert_eq!(takes[0]["overrides"][0]["reason"], "unknown-genre");
    let o = son1k(&home, &["takes", "delete", "take-2", "--yes"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a take that is gone is the caller's mistake"
    );
    let _ = std::fs::remove_dir_all(&home);
}
