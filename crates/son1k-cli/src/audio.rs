//! The sound commands: convert, mix, play, record, devices, analyse, loudness.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use son1k_app::{AppError, ConvertOptions, SampleFormat, Studio};

use crate::{interrupted, to_json, Failure};

/// Convert an audio file: format from OUT's extension (.wav, .flac), optional rate, depth, channels.
#[derive(Args)]
pub(crate) struct ConvertArgs {
    /// Input file (WAV, AIFF, FLAC, MP3, Ogg Vorbis, AAC/M4A).
    pub(crate) input: PathBuf,
    /// Output file (.wav or .flac).
    pub(crate) output: PathBuf,
    /// Output sample rate in Hz.
    #[arg(long)]
    pub(crate) rate: Option<u32>,
    /// Output bit depth: 16, 24 or 32f (32-bit float; WAV only).
    #[arg(long)]
    pub(crate) bits: Option<String>,
    /// Output channel count.
    #[arg(long)]
    pub(crate) channels: Option<usize>,
    /// Normalise loudness to this many LUFS (−14 when given without a value), true peak ≤ −1 dBTP.
    #[arg(long, num_args = 0..=1, default_missing_value = "-14", allow_negative_numbers = true, value_name = "LUFS")]
    pub(crate) normalize: Option<f64>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `son1k convert`.
pub(crate) fn convert(
    studio: &Studio,
    args: ConvertArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let ConvertArgs {
        input,
        output,
        rate,
        bits,
        channels,
        normalize,
        json,
    } = args;
    let format = bits
        .as_deref()
        .map(SampleFormat::parse)
        .transpose()
        .map_err(AppError::from)?;
    let opts = ConvertOptions {
        rate,
        format,
        channels,
        normalize_lufs: normalize,
    };
    let report = studio.convert(&input, &output, opts)?;
    if json {
        writeln!(out, "{}", to_json(&report)?)?;
    } else {
        writeln!(
            out,
            "wrote {}: {} Hz, {} ch, {}-bit, {:.2} s",
            report.output.display(),
            report.sample_rate,
            report.channels,
            report.bits_per_sample,
            report.seconds
        )?;
        if let Some(g) = report.normalize_gain_db {
            let note = if report.normalize_limited_by_peak {
                " (stopped by the −1 dBTP ceiling before the target)"
            } else {
                ""
            };
            writeln!(out, "normalised by {g:+.1} dB{note}")?;
        }
    }
    Ok(())
}

/// Render a session (JSON: tracks of clips with gain, pan, mute/solo, effects; master chain).
#[derive(Args)]
pub(crate) struct MixArgs {
    /// The session file.
    pub(crate) session: PathBuf,
    /// Output file (.wav or .flac).
    #[arg(short, long)]
    pub(crate) output: PathBuf,
    /// Output bit depth: 16, 24 or 32f.
    #[arg(long, default_value = "24")]
    pub(crate) bits: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `son1k mix`.
pub(crate) fn mix(studio: &Studio, args: MixArgs, out: &mut impl Write) -> Result<(), Failure> {
    let MixArgs {
        session,
        output,
        bits,
        json,
    } = args;
    let format = SampleFormat::parse(&bits).map_err(AppError::from)?;
    let bar = indicatif::ProgressBar::new(1000).with_message("rendering");
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {percent}% {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let r = studio.mix(&session, &output, format, &mut |p| {
        bar.set_position((p.fraction * 1000.0) as u64)
    });
    bar.finish_and_clear();
    let r = r?;
    if json {
        writeln!(out, "{}", to_json(&r)?)?;
    } else {
        let lufs = r
            .loudness
            .integrated_lufs
            .map_or("-inf".into(), |v| format!("{v:.1}"));
        writeln!(
            out,
            "wrote {}: {:.2} s at {} Hz, {lufs} LUFS",
            r.output.display(),
            r.seconds,
            r.sample_rate
        )?;
    }
    Ok(())
}

/// Play an audio file on the default output device.
#[derive(Args)]
pub(crate) struct PlayArgs {
    /// The audio file.
    pub(crate) file: PathBuf,
    /// Stop after this many seconds.
    #[arg(long)]
    pub(crate) seconds: Option<f64>,
    /// Frames per device buffer (latency); the device's default when omitted.
    #[arg(long)]
    pub(crate) buffer: Option<u32>,
}

/// `son1k play`.
pub(crate) fn play(studio: &Studio, args: PlayArgs, out: &mut impl Write) -> Result<(), Failure> {
    let PlayArgs {
        file,
        seconds,
        buffer,
    } = args;
    let p = studio.play(&file, buffer)?;
    let stop = interrupted();
    let started = std::time::Instant::now();
    while !p.finished() && !stop.load(std::sync::atomic::Ordering::Relaxed) {
        if seconds.is_some_and(|s| started.elapsed().as_secs_f64() >= s) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    writeln!(
        out,
        "played {:.2} s of {} on {} at {} Hz ({} deadline misses)",
        p.seconds(),
        file.display(),
        p.device(),
        p.sample_rate(),
        p.deadline_misses()
    )?;
    Ok(())
}

/// Record the default input into a WAV file (Ctrl+C stops; a crash loses at most 1 s).
#[derive(Args)]
pub(crate) struct RecordArgs {
    /// Output file (.wav).
    pub(crate) output: PathBuf,
    /// Stop after this many seconds.
    #[arg(long)]
    pub(crate) seconds: Option<f64>,
}

/// `son1k record`.
pub(crate) fn record(
    studio: &Studio,
    args: RecordArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let RecordArgs { output, seconds } = args;
    let (recovered, rec) = studio.record(&output)?;
    for r in &recovered {
        writeln!(
            out,
            "recovered an interrupted take: {} ({:.2} s)",
            r.path.display(),
            r.seconds
        )?;
    }
    writeln!(
        out,
        "recording {} from {} ({} Hz, {} ch); Ctrl+C stops",
        output.display(),
        rec.device(),
        rec.sample_rate(),
        rec.channels()
    )?;
    out.flush()?;
    let stop = interrupted();
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        if seconds.is_some_and(|s| rec.seconds() >= s) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let secs = rec.seconds();
    let lost = rec.overflows();
    let path = rec.stop()?;
    writeln!(
        out,
        "wrote {}: {secs:.2} s ({lost} samples dropped)",
        path.display()
    )?;
    Ok(())
}

/// List audio hosts and devices.
#[derive(Args)]
pub(crate) struct DevicesArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// Play on this output device (its name as listed) from now on, in the CLI and the desktop.
    #[arg(long, value_name = "NAME")]
    pub(crate) output: Option<String>,
    /// Record from this input device (its name as listed) from now on.
    #[arg(long, value_name = "NAME")]
    pub(crate) input: Option<String>,
    /// Frames per callback asked of the output: a power of two from 32 to 4096, or `system`.
    #[arg(long, value_name = "FRAMES|system")]
    pub(crate) buffer: Option<String>,
    /// Forget the chosen devices and buffer: follow the system's default devices, 256 frames.
    #[arg(long, conflicts_with_all = ["output", "input", "buffer"])]
    pub(crate) reset: bool,
}

/// `son1k devices`.
pub(crate) fn devices(
    studio: &Studio,
    args: DevicesArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let DevicesArgs {
        json,
        output,
        input,
        buffer,
        reset,
    } = args;
    let saved = studio.audio_settings()?;
    let mut settings = saved.clone();
    if reset {
        settings = son1k_app::AudioSettings::default();
    }
    if let Some(name) = output {
        settings.output = Some(name);
    }
    if let Some(name) = input {
        settings.input = Some(name);
    }
    if let Some(b) = buffer {
        settings.buffer = match b.trim() {
            "system" => None,
            n => Some(n.parse().map_err(|_| Failure {
                code: 2,
                message: format!(
                    "--buffer {b:?}: give a number of frames (a power of two from 32 to 4096) or `system`"
                ),
            })?),
        };
    }
    let changed = reset || settings != saved;
    if changed {
        settings = studio.set_audio_settings(settings)?;
    }
    let report = studio.devices();
    if json {
        // The report as before, with the settings in force beside its lists.
        let mut value = serde_json::to_value(&report).map_err(|e| Failure {
            code: 1,
            message: format!("could not write the device list as JSON: {e}"),
        })?;
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "settings".into(),
                serde_json::to_value(&settings).unwrap_or_default(),
            );
        }
        writeln!(out, "{}", to_json(&value)?)?;
    } else {
        writeln!(out, "{} ({})", report.host, report.status)?;
        for (kind, list, chosen) in [
            ("output", &report.outputs, &settings.output),
            ("input", &report.inputs, &settings.input),
        ] {
            for d in list {
                let rate = d.sample_rate.map_or(String::new(), |r| format!(", {r} Hz"));
                let ch = d.channels.map_or(String::new(), |c| format!(", {c} ch"));
                let def = if d.is_default { " (default)" } else { "" };
                let mine = if chosen.as_deref() == Some(d.name.as_str()) {
                    " (chosen)"
                } else {
                    ""
                };
                writeln!(out, "  {kind:<6} {}{def}{mine}{rate}{ch}", d.name)?;
            }
            if let Some(name) = chosen {
                if !list.iter().any(|d| &d.name == name) {
                    writeln!(
                        out,
                        "  {kind:<6} {name} (chosen, not connected: the default is used)"
                    )?;
                }
            }
        }
        let buffer = settings
            .buffer
            .map_or("the system's choice".to_string(), |b| format!("{b} frames"));
        writeln!(out, "  buffer {buffer}")?;
        if let Some(m) = &report.message {
            writeln!(out, "  {m}")?;
        }
    }
    Ok(())
}

/// Analyse audio files: tempo, beats, meter, key, tuning, loudness, features, sections.
#[derive(Args)]
pub(crate) struct AnalyzeArgs {
    /// One or more audio files.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Print JSON: one object for one file, an array for several.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `son1k analyze`.
pub(crate) fn analyze(
    studio: &Studio,
    args: AnalyzeArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let AnalyzeArgs { files, json } = args;
    let bar = indicatif::ProgressBar::new(files.len() as u64).with_message("analysing");
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {pos}/{len} [{bar:30}] {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // Each file is a job in the library: persisted, listed by `son1k jobs`, cancellable.
    let results = studio.analyze_files(&files, &mut |done, _| bar.set_position(done as u64));
    bar.finish_and_clear();
    let results = results?;
    // One unreadable file fails the command, after the others were analysed.
    let mut ok = Vec::new();
    for r in results {
        ok.push(r?);
    }
    if json {
        if ok.len() == 1 {
            writeln!(out, "{}", to_json(&ok[0])?)?;
        } else {
            writeln!(out, "{}", to_json(&ok)?)?;
        }
    } else {
        for a in &ok {
            writeln!(out, "{}", a.file.display())?;
            writeln!(
                out,
                "  tempo {:.1} BPM ({:.0}% sure; half {:.1}, double {:.1}), {}/4, {} beats",
                a.bpm,
                a.bpm_confidence * 100.0,
                a.bpm_alternatives[0],
                a.bpm_alternatives[1],
                a.meter,
                a.beats.len()
            )?;
            writeln!(
                out,
                "  key {} ({:.0}% sure), tuned to A = {:.1} Hz",
                a.key,
                a.key_confidence * 100.0,
                a.tuning_hz
            )?;
            let lufs = a.lufs.map_or("-inf".into(), |v| format!("{v:.1}"));
            writeln!(out, "  loudness {lufs} LUFS, length {:.1} s", a.seconds)?;
            let sections: Vec<String> = a
                .sections
                .iter()
                .map(|s| format!("{} {:.1}–{:.1}", s.label, s.start, s.end))
                .collect();
            writeln!(out, "  sections {}", sections.join(", "))?;
        }
    }
    Ok(())
}

/// Measure a file's loudness: integrated LUFS, loudness range, true peak (EBU R128).
#[derive(Args)]
pub(crate) struct LoudnessArgs {
    /// The audio file.
    pub(crate) file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `son1k loudness`.
pub(crate) fn loudness(
    studio: &Studio,
    args: LoudnessArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let LoudnessArgs { file, json } = args;
    let r = studio.loudness(&file)?;
    if json {
        writeln!(out, "{}", to_json(&r)?)?;
    } else {
        let db =
            |v: Option<f64>, unit: &str| v.map_or("-inf".to_string(), |v| format!("{v:.1} {unit}"));
        writeln!(out, "{}", r.file.display())?;
        writeln!(
            out,
            "  integrated: {}",
            db(r.loudness.integrated_lufs, "LUFS")
        )?;
        writeln!(out, "  range:      {:.1} LU", r.loudness.range_lu)?;
        writeln!(
            out,
            "  true peak:  {}",
            db(r.loudness.true_peak_dbtp, "dBTP")
        )?;
        writeln!(
            out,
            "  length:     {:.2} s, {} Hz, {} ch",
            r.seconds, r.sample_rate, r.channels
        )?;
    }
    Ok(())
}
