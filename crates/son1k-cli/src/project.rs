//! `son1k project`: Ghost Studio projects from the command line — a demo, a produced backing,
//! knobs, playback through the native engine, recording a take, render and export.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use son1k_app::ghost::{self, Arm, Compensation, Metronome, Mixing, RecordPlan};
use son1k_app::{AppError, SampleFormat, Studio};

use crate::generate::KnobArgs;
use crate::{interrupted, to_json, Failure};

#[derive(Subcommand)]
pub(crate) enum ProjectAction {
    /// Create a project (a folder under the data directory and a library entry).
    New {
        /// Its name.
        name: String,
    },
    /// Copy an audio file into the project on a new track (the first one is the demo).
    Add {
        /// The project's name.
        name: String,
        /// The audio file.
        file: PathBuf,
    },
    /// Set the project's knobs (its master chain).
    Knobs {
        /// The project's name.
        name: String,
        #[command(flatten)]
        knobs: KnobArgs,
    },
    /// Produce a backing for the demo in its tempo and key, on new tracks aligned to its beats.
    Produce {
        /// The project's name.
        name: String,
        /// Extra words for the Generator (genre, instruments, mood).
        #[arg(long, default_value = "")]
        prompt: String,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Play the project through the audio engine (the same mix the render and export make),
    /// on the default output device, or a virtual one when SON1K_AUDIO_OUTPUT=virtual.
    /// Ctrl+C stops.
    Play {
        /// The project's name.
        name: String,
        /// Loop between two times, in seconds.
        #[arg(long = "loop", num_args = 2, value_names = ["A", "B"])]
        looping: Option<Vec<f64>>,
        /// Start at this time, seconds.
        #[arg(long, default_value_t = 0.0)]
        from: f64,
        /// Stop after this many seconds (default: at the end, or on Ctrl+C when looping).
        #[arg(long)]
        seconds: Option<f64>,
    },
    /// Record a take from the default input while the project plays — after a count-in of 0,
    /// 1 or 2 bars of the metronome — onto armed tracks (`--track`; default a new track
    /// "take", "take 2", …), placed on the beat by the engine's and the input's clocks and the
    /// latency compensation (`son1k project calibrate`).
    Record {
        /// The project's name.
        name: String,
        /// How long to record after the count-in, in seconds.
        #[arg(long)]
        seconds: f64,
        /// Bars of count-in: 0, 1 or 2.
        #[arg(long, default_value_t = 0)]
        count_in: u32,
        /// The count-in's (and the click's) tempo.
        #[arg(long, default_value_t = 120.0)]
        bpm: f64,
        /// Beats in the count-in's bar.
        #[arg(long, default_value_t = 4)]
        beats: u32,
        /// Where the take starts on the timeline, seconds.
        #[arg(long, default_value_t = 0.0)]
        from: f64,
        /// An armed track, `NAME` (stereo) or `NAME:CHANNEL` (one input channel, from 1);
        /// repeat for several.
        #[arg(long = "track")]
        tracks: Vec<String>,
        /// Punch in and out (seconds): only this region of the armed tracks is replaced.
        #[arg(long, num_args = 2, value_names = ["IN", "OUT"])]
        punch: Option<Vec<f64>>,
        /// Loop this region (seconds) and keep every full pass as a take.
        #[arg(long = "loop", num_args = 2, value_names = ["START", "END"])]
        cycle: Option<Vec<f64>>,
        /// Keep the metronome clicking while recording.
        #[arg(long)]
        click: bool,
        /// Hear the input through the engine while recording (headphones).
        #[arg(long)]
        monitor: bool,
    },
    /// Measure the output-to-input round trip with chirps (connect the output to the input:
    /// a loopback cable or the interface's loopback) so takes land on the beat.
    Calibrate {
        /// The session sample rate to measure at.
        #[arg(long, default_value_t = 48_000)]
        rate: u32,
    },
    /// Render the project's mix.
    Render {
        /// The project's name.
        name: String,
        /// Output file (.wav or .flac).
        #[arg(short, long)]
        output: PathBuf,
        /// Output bit depth: 16, 24 or 32f.
        #[arg(long, default_value = "24")]
        bits: String,
    },
    /// Export the mix, one stem per track and the backing's MIDI into a folder.
    Export {
        /// The project's name.
        name: String,
        /// The folder.
        #[arg(short, long)]
        output: PathBuf,
        /// Quality: standard, high or ultra.
        #[arg(long, default_value = "high")]
        quality: String,
        /// Bring the mix to −14 LUFS (true peak ≤ −1 dBTP).
        #[arg(long)]
        normalize: bool,
    },
    /// List projects.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Apply one edit as the Ghost Studio screen sends it (one undoable step), given as JSON:
    /// the mix, clips, tracks, effect chains, return buses and sends, e.g.
    /// '{"kind":"add_return","name":"Reverb","fx":[{"type":"reverb","room":0.8,"damping":0.4,"wet":1,"dry":0}]}'
    /// or '{"kind":"send","track":"Voz","to":"Reverb","level_db":-12}'.
    Edit {
        /// The project's name.
        name: String,
        /// The edit, as JSON.
        edit: String,
    },
}

/// Runs one `son1k project` action.
pub(crate) fn run(
    studio: &Studio,
    action: ProjectAction,
    out: &mut impl Write,
) -> Result<(), Failure> {
    match action {
        ProjectAction::New { name } => {
            let (folder, _) = studio.create_project(&name)?;
            writeln!(out, "created {name} in {}", folder.display())?;
        }
        ProjectAction::Add { name, file } => {
            let track = ghost::add(studio, &name, &file)?;
            writeln!(out, "added {} to {name} as track {track:?}", file.display())?;
        }
        ProjectAction::Knobs { name, knobs } => {
            let k = knobs.knobs()?;
            ghost::set_knobs(studio, &name, k)?;
            writeln!(
                out,
                "{name}: Expressivity {} Rareza {} Garage {} Trash {}",
                k.expressivity, k.rareza, k.garage, k.trash
            )?;
        }
        ProjectAction::Produce { name, prompt, seed } => {
            let bar = indicatif::ProgressBar::new(1000);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg:22} [{bar:40}] {percent}%")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let stop = interrupted();
            let r = ghost::produce_backing(
                studio,
                &name,
                &prompt,
                seed,
                son1k_core::Quality::High,
                &mut |p| {
                    bar.set_position((p.fraction * 1000.0) as u64);
                    bar.set_message(p.stage.to_string());
                },
                &stop,
            );
            bar.finish_and_clear();
            let r = r?;
            writeln!(
                out,
                "demo: {:.1} BPM in {}, {:.1} s, first downbeat at {:.2} s",
                r.demo.bpm, r.demo.key, r.demo.seconds, r.demo.first_downbeat
            )?;
            writeln!(out, "tracks: {}", r.tracks.join(", "))?;
        }
        ProjectAction::Play {
            name,
            looping,
            from,
            seconds,
        } => play(studio, &name, looping, from, seconds, out)?,
        ProjectAction::Record {
            name,
            seconds,
            count_in,
            bpm,
            beats,
            from,
            tracks,
            punch,
            cycle,
            click,
            monitor,
        } => {
            let metronome = Metronome::new(bpm, beats, -12.0, false)?;
            let arms = tracks.iter().map(|t| arm_of(t)).collect::<Result<_, _>>()?;
            let pair = |v: Option<Vec<f64>>| v.and_then(|v| Some((*v.first()?, *v.get(1)?)));
            let plan = RecordPlan {
                from,
                count_in,
                metronome: Some(metronome),
                punch: pair(punch),
                cycle: pair(cycle),
                arms,
                monitor,
            };
            record(studio, &name, plan, seconds, click, out)?
        }
        ProjectAction::Calibrate { rate } => {
            writeln!(
                out,
                "playing chirps on the default output and listening on the default input…"
            )?;
            let c = ghost::latency::calibrate(studio, ghost::LiveOutput::Default, rate)?;
            writeln!(
                out,
                "round trip beyond the clocks at {rate} Hz: {:.2} ms (the chirps agreed within {:.3} ms; {} → {})",
                c.measured.offset_ms, c.measured.spread_ms, c.measured.output, c.measured.input
            )?;
        }
        ProjectAction::Render { name, output, bits } => {
            let bits = SampleFormat::parse(&bits).map_err(AppError::from)?;
            let path = ghost::render(studio, &name, &output, bits)?;
            writeln!(out, "{}", path.display())?;
        }
        ProjectAction::Export {
            name,
            output,
            quality,
            normalize,
        } => {
            let files = ghost::export(studio, &name, &output, quality.parse()?, normalize)?;
            for f in files {
                writeln!(out, "{}", f.display())?;
            }
        }
        ProjectAction::Edit { name, edit } => {
            let edit: ghost::TrackEdit = serde_json::from_str(&edit).map_err(|e| {
                AppError::Invalid(son1k_core::ValidationError::new(
                    "edit",
                    edit.chars().take(200).collect::<String>(),
                    format!("not an edit the studio knows: {e}"),
                ))
            })?;
            let view = Mixing::open(studio, &name)?.apply(&edit)?;
            writeln!(
                out,
                "{name}: {} tracks, {} return buses{}",
                view.tracks.len(),
                view.returns.len(),
                view.tracks
                    .iter()
                    .filter(|t| !t.sends.is_empty())
                    .map(|t| {
                        let sends: Vec<String> = t
                            .sends
                            .iter()
                            .map(|x| format!("{} {:+.1} dB", x.to, x.level_db))
                            .collect();
                        format!("; {} sends to {}", t.name, sends.join(", "))
                    })
                    .collect::<String>()
            )?;
        }
        ProjectAction::List { json } => {
            let projects = studio.projects()?;
            if json {
                writeln!(out, "{}", to_json(&projects)?)?;
            } else if projects.is_empty() {
                writeln!(out, "no projects")?;
            } else {
                for p in projects {
                    writeln!(out, "{}  {}", p.name, p.folder)?;
                }
            }
        }
    }
    Ok(())
}

/// `son1k project play`: plays until the end, the time asked, or Ctrl+C, printing the playhead
/// and the master's level about twice a second, then what the engine measured.
fn play(
    studio: &Studio,
    name: &str,
    looping: Option<Vec<f64>>,
    from: f64,
    seconds: Option<f64>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    use son1k_app::ghost::{self, LiveOutput, Mixing, PlaybackFrame};
    use std::sync::{Arc, Mutex};
    let region = match looping.as_deref() {
        Some([a, b]) if b > a && *a >= 0.0 => Some((*a, *b)),
        Some(_) => {
            return Err(Failure {
                code: 2,
                message: "--loop needs two times A B in seconds with B after A (e.g. --loop 4 12)"
                    .into(),
            })
        }
        None => None,
    };
    let mut mixing = Mixing::open(studio, name)?;
    // The loudest master peak since the last look, the newest frame, and every event.
    type Seen = (
        f32,
        Option<PlaybackFrame>,
        Vec<son1k_app::ghost::EngineEvent>,
    );
    let latest: Arc<Mutex<Seen>> = Arc::new(Mutex::new((0.0, None, Vec::new())));
    let l = latest.clone();
    let sink: ghost::FrameSink = Arc::new(move |f: PlaybackFrame| {
        let mut g = l.lock().unwrap_or_else(|p| p.into_inner());
        g.0 = g.0.max(f.master.0).max(f.master.1);
        g.2.extend(f.events.iter().cloned());
        g.1 = Some(f);
    });
    let first = mixing.play(LiveOutput::from_env(), from, region, sink)?;
    writeln!(
        out,
        "playing {name} on {}{}",
        first.device.as_deref().unwrap_or("the default device"),
        region.map_or(String::new(), |(a, b)| format!(", looping {a:.2}–{b:.2} s"))
    )?;
    let stop = interrupted();
    let started = std::time::Instant::now();
    let (mut loudest, mut line_peak) = (0.0f32, 0.0f32);
    let mut events = Vec::new();
    let mut last_line = std::time::Instant::now();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let (peak, frame) = {
            let mut g = latest.lock().unwrap_or_else(|p| p.into_inner());
            events.append(&mut g.2);
            (std::mem::take(&mut g.0), g.1.take())
        };
        loudest = loudest.max(peak);
        line_peak = line_peak.max(peak);
        let done = frame.as_ref().is_some_and(|f| f.finished)
            || stop.load(std::sync::atomic::Ordering::Relaxed)
            || seconds.is_some_and(|s| started.elapsed().as_secs_f64() >= s);
        if let Some(f) = frame.filter(|_| last_line.elapsed().as_millis() >= 500 || done) {
            last_line = std::time::Instant::now();
            eprintln!(
                "{:>7.2} s  master peak {:>6.1} dBFS",
                f.seconds,
                db(line_peak)
            );
            line_peak = 0.0;
        }
        if done {
            break;
        }
    }
    let end = mixing.stop()?.unwrap_or(first);
    mixing.close_playback();
    for e in &events {
        let text = serde_json::to_string(e).unwrap_or_else(|_| format!("{e:?}"));
        writeln!(out, "event: {text}")?;
    }
    writeln!(
        out,
        "played {:.2} s to {:.2} s; master peak {:.1} dBFS; deadline misses {}, worst callback {:.0}% of its budget, stream errors {}",
        started.elapsed().as_secs_f64(),
        end.seconds,
        db(loudest),
        end.deadline_misses,
        end.worst_load * 100.0,
        end.stream_errors
    )?;
    Ok(())
}

/// A `--track` argument: `NAME` or `NAME:CHANNEL`.
fn arm_of(arg: &str) -> Result<Arm, Failure> {
    match arg.rsplit_once(':') {
        Some((name, ch)) if !name.is_empty() => match ch.parse::<u16>() {
            Ok(c) if c >= 1 => Ok(Arm {
                track: name.to_string(),
                channel: Some(c),
            }),
            _ => Err(Failure {
                code: 2,
                message: format!("--track {arg}: the channel after ':' must be 1 or more"),
            }),
        },
        _ => Ok(Arm {
            track: arg.to_string(),
            channel: None,
        }),
    }
}

/// `son1k project record`: the count-in (when asked), then `seconds` of the default input
/// while the project plays, placed on its armed tracks.
fn record(
    studio: &Studio,
    name: &str,
    plan: RecordPlan,
    seconds: f64,
    click: bool,
    out: &mut impl Write,
) -> Result<(), Failure> {
    if !(seconds.is_finite() && (0.1..=3600.0).contains(&seconds)) {
        return Err(Failure {
            code: 2,
            message: format!("--seconds must be 0.1–3600, not {seconds}"),
        });
    }
    let mut m = Mixing::open(studio, name)?;
    let metronome = plan.metronome;
    if click {
        m.set_metronome(metronome)?;
    }
    let pre = match (plan.count_in, metronome) {
        (0, _) | (_, None) => 0.0,
        (bars, Some(mt)) => {
            writeln!(
                out,
                "counting in {bars} bar(s) at {} BPM in {}",
                mt.bpm, mt.beats_per_bar
            )?;
            mt.bar_seconds() * f64::from(bars)
        }
    };
    let device = m.record_start(
        studio,
        plan,
        ghost::LiveOutput::from_env(),
        |_| {},
        std::sync::Arc::new(|_| {}),
    )?;
    writeln!(out, "recording from {device} for {seconds} s")?;
    let stop = interrupted();
    let started = std::time::Instant::now();
    while started.elapsed().as_secs_f64() < pre + seconds
        && !stop.load(std::sync::atomic::Ordering::Relaxed)
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let took = m.record_stop()?;
    let how = match took.compensation {
        Compensation::CountIn => "measured on the count-in",
        Compensation::Calibration => "from the calibration",
        Compensation::None => "none measured: run son1k project calibrate",
    };
    for track in &took.tracks {
        writeln!(
            out,
            "take on track \"{track}\": {} (from {:.3} s, {:.3} s placed; latency compensation {:.2} ms, {how})",
            m.folder().join(&took.file).display(),
            took.start,
            took.seconds,
            took.compensation_ms
        )?;
    }
    if took.passes > 0 {
        writeln!(out, "{} full passes kept as takes", took.passes)?;
    }
    Ok(())
}

fn db(x: f32) -> f32 {
    20.0 * x.max(1e-6).log10()
}
