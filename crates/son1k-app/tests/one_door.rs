//! The workspace's structure, read from `cargo metadata`: the desktop shell and the CLI reach the
//! studio through this façade only, arrows point down, and heavy dependencies stay in the crates
//! that use them.

use std::collections::BTreeMap;
use std::process::Command;

/// Each workspace package's normal (shipped) dependencies, by package name.
fn normal_dependencies() -> BTreeMap<String, Vec<String>> {
    dependencies(None)
}

/// Each workspace package's dependencies of `kind` (None: normal, or "dev", "build").
fn dependencies(kind: Option<&str>) -> BTreeMap<String, Vec<String>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let meta: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let mut out = BTreeMap::new();
    for package in meta["packages"].as_array().expect("packages") {
        let deps = package["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            // `kind` is null for normal dependencies, "dev" or "build" otherwise.
            .filter(|d| d["kind"].as_str() == kind)
            .filter_map(|d| d["name"].as_str().map(String::from))
            .collect();
        let name = package["name"].as_str().expect("name").to_string();
        out.insert(name, deps);
    }
    out
}

fn ours(deps: &[String]) -> Vec<&str> {
    deps.iter()
        .map(String::as_str)
        .filter(|d| d.starts_with("son1k-"))
        .collect()
}

#[test]
fn the_shell_and_the_cli_depend_on_the_facade_and_core_only() {
    let all = normal_dependencies();
    for front_end in ["son1k-studio", "son1k-cli"] {
        let deps = all
            .get(front_end)
            .expect("the front end is a workspace member");
        let mut side_doors: Vec<&str> = ours(deps)
            .into_iter()
            .filter(|d| !matches!(*d, "son1k-app" | "son1k-core"))
            .collect();
        side_doors.sort();
        assert!(
            side_doors.is_empty(),
            "{front_end} depends on {side_doors:?} directly; reach them through son1k-app \
             (re-export the type, or add a façade call)"
        );
        assert!(ours(deps).contains(&"son1k-app"), "{front_end}: {deps:?}");
    }
}

#[test]
fn the_cli_tests_use_the_facade_and_measuring_tools_only() {
    let dev = dependencies(Some("dev"));
    let deps = dev.get("son1k-cli").expect("the CLI is a workspace member");
    // Decoding, filtering and analysing the files the CLI wrote are independent measurements
    // (son1k-cli's Cargo.toml says why); the test kit spawns the API. The library and the rest
    // are looked at through son1k-app, as the CLI does.
    let allowed = ["son1k-audio", "son1k-analysis", "son1k-testkit"];
    let side_doors: Vec<&str> = ours(deps)
        .into_iter()
        .filter(|d| !allowed.contains(d))
        .collect();
    assert!(
        side_doors.is_empty(),
        "son1k-cli's tests depend on {side_doors:?}; look through son1k-app instead"
    );
}

#[test]
fn arrows_point_down_and_heavy_crates_stay_where_they_are_used() {
    let all = normal_dependencies();
    for (name, deps) in &all {
        if name == "son1k-studio" {
            continue;
        }
        assert!(
            !deps.iter().any(|d| d.starts_with("tauri")),
            "{name} depends on Tauri, which belongs to the shell only"
        );
        let facade_users = ["son1k-studio", "son1k-cli"];
        assert!(
            facade_users.contains(&name.as_str()) || !deps.iter().any(|d| d == "son1k-app"),
            "{name} depends on the façade son1k-app: arrows point from the front ends down"
        );
        let candle_users = ["son1k-ml", "son1k-bench"];
        assert!(
            candle_users.contains(&name.as_str()) || !deps.iter().any(|d| d.starts_with("candle")),
            "{name} depends on Candle, which belongs to son1k-ml (and the benchmarks)"
        );
    }
    let core = all.get("son1k-core").expect("son1k-core");
    assert!(
        ours(core).is_empty(),
        "son1k-core depends on {:?}; it is the bottom floor",
        ours(core)
    );
}
