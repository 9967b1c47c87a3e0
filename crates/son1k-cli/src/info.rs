//! `son1k info` and `son1k tiers`: what this machine has, and the tier table.

use std::io::Write;

use son1k_app::{Studio, StudioInfo};
use son1k_core::Period;

use crate::{to_json, Failure};

/// `son1k info`.
pub(crate) fn info(studio: &Studio, json: bool, out: &mut impl Write) -> Result<(), Failure> {
    let info = studio.info();
    if json {
        writeln!(out, "{}", to_json(&info)?)?;
    } else {
        write!(out, "{}", info_text(&info))?;
    }
    Ok(())
}

/// `son1k tiers`.
pub(crate) fn tiers(studio: &Studio, json: bool, out: &mut impl Write) -> Result<(), Failure> {
    let tiers = studio.tiers();
    if json {
        writeln!(out, "{}", to_json(&tiers)?)?;
    } else {
        writeln!(
            out,
            "{:<8} {:>7}  {:<18} {:<9} storage",
            "tier", "price", "generations", "quality"
        )?;
        for t in tiers {
            let per = match t.period {
                Period::Day => "day",
                Period::Month => "month",
            };
            let storage = t
                .storage_gb
                .map_or("unlimited".to_string(), |g| format!("{g} GB"));
            writeln!(
                out,
                "{:<8} {:>7}  {:<18} {:<9} {storage}",
                t.tier.name(),
                t.price_label(),
                format!("{} per {per}", t.generations),
                t.max_quality.name(),
            )?;
        }
    }
    Ok(())
}

fn info_text(info: &StudioInfo) -> String {
    let mut s = String::new();
    let exists = |e: bool| if e { "" } else { " (not created yet)" };
    let default = |d: bool| if d { " (default)" } else { "" };
    s.push_str(&format!("Son1k Studio {}\n", info.version));
    s.push_str(&format!(
        "data:    {}{}\n",
        info.data_dir.path,
        exists(info.data_dir.exists)
    ));
    s.push_str(&format!(
        "cache:   {}{}\n",
        info.cache_dir.path,
        exists(info.cache_dir.exists)
    ));
    s.push_str("engines:\n");
    for e in &info.engines {
        let mark = if e.available { "ready" } else { "unavailable" };
        s.push_str(&format!("  {:<11} {mark}: {}\n", e.id, e.status));
    }
    match (&info.ollama.version, &info.ollama.message) {
        (Some(v), _) if info.ollama.reachable => s.push_str(&format!(
            "ollama:  reachable at {} (version {v})\n",
            info.ollama.address
        )),
        (_, Some(m)) => s.push_str(&format!("ollama:  {m}\n")),
        _ => s.push_str(&format!(
            "ollama:  not reachable at {}\n",
            info.ollama.address
        )),
    }
    s.push_str(&format!(
        "audio:   {} via {}\n",
        info.audio.status, info.audio.host
    ));
    for d in &info.audio.outputs {
        s.push_str(&format!("  out {}{}\n", d.name, default(d.is_default)));
    }
    for d in &info.audio.inputs {
        s.push_str(&format!("  in  {}{}\n", d.name, default(d.is_default)));
    }
    if let Some(m) = &info.audio.message {
        s.push_str(&format!("  {m}\n"));
    }
    s
}
