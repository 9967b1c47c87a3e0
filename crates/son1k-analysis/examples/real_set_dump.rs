//! Prints, for each excerpt of the real set, what the analyser reads (tempo, beats, key) and the
//! summary chroma its key comes from, and how long `analyze` took (seconds), one JSON object a
//! line — the raw material for measuring profiles and octave rules on the real set.
//!
//! `cargo run --release -p son1k-analysis --example real_set_dump -- MANIFEST AUDIO_DIR`

use std::path::PathBuf;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (Some(manifest), Some(audio)) = (args.next(), args.next()) else {
        return Err("usage: real_set_dump MANIFEST AUDIO_DIR".into());
    };
    let text = std::fs::read_to_string(&manifest).map_err(|e| format!("{manifest}: {e}"))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    for it in v["items"].as_array().ok_or("no items")? {
        let file = PathBuf::from(&audio).join(it["file"].as_str().ok_or("item without file")?);
        let buf = son1k_audio::decode_file(&file).map_err(|e| e.to_string())?;
        let started = std::time::Instant::now();
        let a = son1k_analysis::analyze(&buf, &file).map_err(|e| e.to_string())?;
        let seconds = started.elapsed().as_secs_f64();
        let (mono, rate) =
            son1k_analysis::spectrum::mono_for_analysis(&buf).map_err(|e| e.to_string())?;
        let spec = son1k_analysis::spectrum::Spectrogram::compute(&mono, rate, 8192, 8192);
        let k = son1k_analysis::key::estimate(&spec);
        println!(
            "{}",
            serde_json::json!({
                "id": it["id"], "bpm": a.bpm, "beats": a.beats, "key": a.key,
                "chroma": k.chroma, "tuning": k.tuning_hz, "seconds": seconds,
            })
        );
    }
    Ok(())
}
