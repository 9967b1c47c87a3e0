//! The landing page as a real browser renders it: headless Chromium loads it from the running
//! server and dumps the DOM it built. Skipped, with a message, where no Chromium is installed
//! (`apt-get install chromium`; scripts/api-postgres-test.sh installs it for CI).

use crate::helpers::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SON1K_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// Runs headless Chromium on `url` with `args`; returns stdout. Killed after 60 s.
fn run_chromium(bin: &Path, profile: &Path, args: &[&str], url: &str) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

#[tokio::test]
async fn landing_page_renders_in_chromium_with_the_prices() {
    let Some(bin) = chromium() else {
        eprintln!(
            "SKIPPED landing_page_renders_in_chromium_with_the_prices: no chromium on PATH \
             (apt-get install chromium, or set SON1K_CHROMIUM)"
        );
        return;
    };
    let app = TestApp::spawn().await;
    let profile = tempfile::tempdir().unwrap();
    for (lang, heading, month) in [("en", "Pricing", "/ month"), ("es", "Precios", "/ mes")] {
        let url = app.url(&format!("/?lang={lang}"));
        let (b, p) = (bin.clone(), profile.path().to_path_buf());
        let dom = tokio::task::spawn_blocking(move || run_chromium(&b, &p, &["--dump-dom"], &url))
            .await
            .unwrap();
        // The DOM Chromium built (not the bytes the server sent): one card per tier, with its price.
        assert!(dom.contains(&format!("<html lang=\"{lang}\">")), "{dom}");
        assert!(dom.contains(&format!("<h2>{heading}</h2>")), "{dom}");
        for (tier, price) in [
            ("CREATOR", "$9.99"),
            ("PRO", "$29.99"),
            ("STUDIO", "$99.99"),
        ] {
            let card = dom
                .split(&format!("data-tier=\"{tier}\""))
                .nth(1)
                .unwrap_or_else(|| panic!("no {tier} card in the rendered DOM: {dom}"));
            let card = card.split("</li></ul></li>").next().unwrap();
            assert!(
                card.contains(&format!(
                    "<p class=\"price\">{price} <small>{month}</small></p>"
                )),
                "{tier} card: {card}"
            );
        }
        assert!(dom.contains("id=\"download\""), "{dom}");
    }
    // And it paints: a screenshot of the page is a real, non-trivial PNG.
    let shot = profile.path().join("landing.png");
    let (b, p, arg) = (
        bin.clone(),
        profile.path().to_path_buf(),
        format!("--screenshot={}", shot.display()),
    );
    let url = app.url("/?lang=en");
    tokio::task::spawn_blocking(move || run_chromium(&b, &p, &[&arg], &url))
        .await
        .unwrap();
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(png.len() > 20_000, "screenshot is only {} bytes", png.len());
    if let Ok(dir) = std::env::var("SON1K_SCREENSHOT_DIR") {
        std::fs::copy(&shot, Path::new(&dir).join("landing.png")).unwrap();
    }
}
