//! The model manager against a stand-in file server on 127.0.0.1:0 (range requests honoured),
//! and voice profiles on disk.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use candle_core::{Device, Tensor};
use sha2::{Digest, Sha256};
use son1k_ml::manager::{Manifest, ManifestFile, ModelManager};
use son1k_ml::profile::{ProfileStore, VoiceProfile};
use son1k_ml::MlError;

/// Serves `body` for every request, answering `Range: bytes=N-` with 206. Returns the base URL.
fn serve(body: Vec<u8>, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut from = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                if let Some(r) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                    from = r.trim().trim_end_matches('-').parse().unwrap();
                }
            }
            let part = &body[from..];
            let status = if from > 0 {
                "206 Partial Content"
            } else {
                "200 OK"
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                part.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(part).unwrap();
        }
    });
    format!("http://{addr}")
}

fn manifest(url: &str, body: &[u8], sha: Option<String>) -> Manifest {
    Manifest {
        name: "tiny".into(),
        kind: "hifigan".into(),
        description: "test".into(),
        licence: "MIT".into(),
        source: "here".into(),
        files: vec![ManifestFile {
            name: "w.bin".into(),
            role: "weights".into(),
            url: format!("{url}/w.bin"),
            sha256: sha,
            bytes: Some(body.len() as u64),
            note: None,
        }],
        config_file: "config.json".into(),
        config: serde_json::json!({"a": 1}),
        r#use: serde_json::Value::Null,
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-ml-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn builtin_manifests_name_wavlm_and_the_vocoder() {
    let m = ModelManager::new(tmp("builtin"));
    let names: Vec<String> = m.list().into_iter().map(|s| s.manifest.name).collect();
    assert!(names.contains(&"wavlm-large".to_string()));
    assert!(names.contains(&"knnvc-hifigan-prematched".to_string()));
    let err = m.installed("wavlm-large").unwrap_err();
    assert!(matches!(err, MlError::NotInstalled { .. }));
    assert!(
        err.to_string().contains("son1k models install wavlm-large"),
        "{err}"
    );
    assert!(matches!(
        m.manifest("nope"),
        Err(MlError::UnknownModel { .. })
    ));
}

#[test]
fn install_resumes_a_partial_download_and_checks_the_hash() {
    let body: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let sha = hex::encode(Sha256::digest(&body));
    let url = serve(body.clone(), 2);
    let dir = tmp("install");
    let mgr = ModelManager::with_manifests(&dir, vec![manifest(&url, &body, Some(sha))]);
    // A download that stopped after 50 000 bytes.
    std::fs::create_dir_all(dir.join("tiny")).unwrap();
    std::fs::write(dir.join("tiny/w.bin.part"), &body[..50_000]).unwrap();
    let mut seen = Vec::new();
    mgr.install("tiny", &mut |done, total| seen.push((done, total)))
        .unwrap();
    assert_eq!(std::fs::read(dir.join("tiny/w.bin")).unwrap(), body);
    assert_eq!(seen.first().unwrap().0, 50_000, "resumed where it stopped");
    assert_eq!(seen.last().unwrap(), &(200_000, Some(200_000)));
    assert!(mgr.list()[0].installed);
    assert_eq!(mgr.verify("tiny").unwrap()[0].status, "ok");
    assert!(mgr.installed("tiny").unwrap().config.exists());
    assert!(mgr.remove("tiny").unwrap());
    assert!(!mgr.list()[0].installed);
}

#[test]
fn a_wrong_checksum_is_refused_and_nothing_is_installed() {
    let body = vec![1u8; 1000];
    let url = serve(body.clone(), 1);
    let dir = tmp("badsum");
    let mgr =
        ModelManager::with_manifests(&dir, vec![manifest(&url, &body, Some("00".repeat(32)))]);
    let err = mgr.install("tiny", &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("SHA-256"), "{err}");
    assert!(!dir.join("tiny/w.bin").exists());
    assert!(!dir.join("tiny/w.bin.part").exists());
}

#[test]
fn import_takes_local_files_offline() {
    let body = vec![9u8; 4096];
    let dir = tmp("import");
    let src = tmp("import-src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("downloaded-elsewhere.bin"), &body).unwrap();
    let mgr = ModelManager::with_manifests(&dir, vec![manifest("http://127.0.0.1:9", &body, None)]);
    let done = mgr
        .import("tiny", &[src.join("downloaded-elsewhere.bin")])
        .unwrap();
    assert_eq!(done, vec!["w.bin".to_string()]);
    assert_eq!(mgr.verify("tiny").unwrap()[0].status, "unchecked");
    let err = mgr.import("tiny", &[src.join("missing.bin")]).unwrap_err();
    assert!(err.to_string().contains("no such file"));
}

#[test]
fn profiles_need_consent_and_round_trip() {
    let store = ProfileStore::new(tmp("profiles"));
    let feats = Tensor::ones((10, 4), candle_core::DType::F32, &Device::Cpu).unwrap();
    let meta = VoiceProfile {
        name: "ana".into(),
        created_unix: 1,
        consent: son1k_ml::profile::CONSENT_STATEMENT.into(),
        sources: vec!["a.wav".into()],
        seconds: 0.2,
        frames: 10,
        width: 4,
        model: "wavlm-large".into(),
    };
    assert!(matches!(
        store.create(&meta, &feats, false),
        Err(MlError::Consent(_))
    ));
    store.create(&meta, &feats, true).unwrap();
    assert!(matches!(
        store.create(&meta, &feats, true),
        Err(MlError::ProfileExists(_))
    ));
    assert_eq!(store.list().unwrap(), vec![meta.clone()]);
    let (m, f) = store.load("ana", &Device::Cpu).unwrap();
    assert_eq!(m, meta);
    assert_eq!(f.dims(), &[10, 4]);
    assert!(matches!(
        store.load("bob", &Device::Cpu),
        Err(MlError::UnknownProfile { .. })
    ));
    assert!(matches!(
        store.load("../etc", &Device::Cpu),
        Err(MlError::UnknownProfile { .. })
    ));
    store.delete("ana").unwrap();
    assert!(store.list().unwrap().is_empty());
}
