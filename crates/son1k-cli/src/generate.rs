//! The making commands: `prompt` (the text a generator reads), `generate` (a song offline) and
//! `ghost` (the four knobs on an audio file), with the argument parsing they share.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use son1k_app::{AppError, GenerateOptions, InstrumentChoice, SampleFormat, Studio};
use son1k_core::{GenerationRequest, Knob, Knobs, Lang, Preset, PromptInput, ValidationError};

use crate::{interrupted, to_json, Failure};

#[derive(Args)]
pub(crate) struct PromptArgs {
    /// Genre (pop, rock, reggaeton, "hip hop", …, or free text).
    #[arg(long)]
    genre: Option<String>,
    /// Extra mood words.
    #[arg(long)]
    mood: Option<String>,
    /// Tempo in BPM (40–240).
    #[arg(long, allow_negative_numbers = true)]
    bpm: Option<i64>,
    /// Key, e.g. "F# minor", "Am", "La menor".
    #[arg(long)]
    key: Option<String>,
    /// An instrument to feature; repeat for more.
    #[arg(long = "instrument", value_name = "NAME")]
    instruments: Vec<String>,
    /// Your own notes for the generator.
    #[arg(long)]
    notes: Option<String>,
    /// No vocals.
    #[arg(long)]
    instrumental: bool,
    #[command(flatten)]
    knobs: KnobArgs,
    /// Language of the prompt: es or en.
    #[arg(long, default_value = "en")]
    lang: String,
    /// Print JSON (prompt, length, knob descriptions) instead of the prompt alone.
    #[arg(long)]
    json: bool,
}

/// The four knobs and a preset, shared by `ghost` and `project knobs`.
#[derive(Args, Clone)]
pub(crate) struct KnobArgs {
    /// Start from a preset (Triste, Neutral, Alegre, Agresivo); knob flags override it.
    #[arg(long)]
    preset: Option<String>,
    /// Expressivity 0–100 (0 deeply sad, 50 balanced, 100 ecstatic).
    #[arg(long, allow_negative_numbers = true)]
    expressivity: Option<i64>,
    /// Rareza 0–100 (departure from the usual: arrangement in songs, timbre in the chain).
    #[arg(long, allow_negative_numbers = true)]
    rareza: Option<i64>,
    /// Garage 0–100 (pristine → analog → tape → lo-fi → noise).
    #[arg(long, allow_negative_numbers = true)]
    garage: Option<i64>,
    /// Trash 0–100 (clean → saturated → bitcrushed).
    #[arg(long, allow_negative_numbers = true)]
    trash: Option<i64>,
}

impl KnobArgs {
    /// The knobs these flags describe (the preset, then each flag given).
    pub(crate) fn knobs(&self) -> Result<Knobs, Failure> {
        knobs_from(
            self.preset.as_deref(),
            [
                (Knob::Expressivity, self.expressivity),
                (Knob::Rareza, self.rareza),
                (Knob::Garage, self.garage),
                (Knob::Trash, self.trash),
            ],
        )
    }
}

#[derive(Args)]
pub(crate) struct GhostArgs {
    /// Input audio file.
    input: PathBuf,
    /// Output file (.wav or .flac).
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    knobs: KnobArgs,
    /// Output bit depth: 16, 24 or 32f.
    #[arg(long, default_value = "24")]
    bits: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(crate) struct GenerateArgs {
    /// What to make, in Spanish or English: genre, mood, tempo ("124 bpm"), key ("F# minor",
    /// "en la menor"), instruments, length ("30 seconds"). At most 2000 characters.
    prompt: String,
    /// The song folder to create (must not exist, or be empty).
    #[arg(short, long)]
    output: PathBuf,
    /// A lyrics file; `[Verse]`/`[Chorus]` tags shape the song and the singer sings it, one note
    /// per syllable (see --seconds and --instrumental for how they combine).
    #[arg(long)]
    lyrics: Option<PathBuf>,
    /// No vocal. With --lyrics: a backing track in the lyric's form (its sections and their
    /// lengths), nothing sung.
    #[arg(long)]
    instrumental: bool,
    /// Genre (overrides the prompt).
    #[arg(long)]
    genre: Option<String>,
    /// Tempo in BPM, 40–240 (overrides the prompt).
    #[arg(long, allow_negative_numbers = true)]
    bpm: Option<i64>,
    /// Key, e.g. "F# minor", "Am", "la menor" (overrides the prompt).
    #[arg(long)]
    key: Option<String>,
    /// Length in seconds, 5–600 (overrides the prompt). With --lyrics the song is that long
    /// (instrumental bars — a longer intro, a break, a longer outro — fill it), or is refused
    /// with the seconds the lyrics need when they do not fit; without a length the lyrics set it.
    #[arg(long, allow_negative_numbers = true)]
    seconds: Option<f64>,
    /// Seed: the same request and seed give the same song (random when omitted, and printed).
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    knobs: KnobArgs,
    /// Export quality: standard (44.1 kHz/16-bit), high (48 kHz/24-bit), ultra (96 kHz/32-bit float).
    #[arg(long, default_value = "standard")]
    quality: String,
    /// Instruments: auto (default: a full installed General MIDI SoundFont for the acoustic
    /// instruments, blended with the built-in synthesizers; the built-in ones alone without
    /// one), builtin, gm (the installed General MIDI SoundFont for every part) or a .sf2 file.
    #[arg(long, default_value = "auto")]
    instruments: String,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// `son1k prompt`.
pub(crate) fn prompt(
    studio: &Studio,
    args: PromptArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let json = args.json;
    let input = prompt_input(args)?;
    let built = studio.build_prompt(&input, input.lang)?;
    if json {
        writeln!(out, "{}", to_json(&built)?)?;
    } else {
        writeln!(out, "{}", built.prompt)?;
    }
    Ok(())
}

/// `son1k ghost`.
pub(crate) fn ghost(
    _studio: &Studio,
    args: GhostArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let knobs = args.knobs.knobs()?;
    let bits = SampleFormat::parse(&args.bits).map_err(AppError::from)?;
    let r = son1k_app::ghost::apply_file(&args.input, &args.output, &knobs, bits)?;
    if args.json {
        writeln!(out, "{}", to_json(&r)?)?;
    } else {
        let lufs = |l: Option<f64>| {
            l.map(|v| format!("{v:.1} LUFS"))
                .unwrap_or_else(|| "silent".into())
        };
        writeln!(
            out,
            "{}: {} effects, {} → {}",
            r.output.display(),
            r.effects,
            lufs(r.lufs_before),
            lufs(r.lufs_after)
        )?;
    }
    Ok(())
}

/// `son1k generate`.
pub(crate) fn generate(
    studio: &Studio,
    args: GenerateArgs,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let json = args.json;
    let options = generate_options(args)?;
    let seed = options.request.seed;
    let bar = indicatif::ProgressBar::new(1000).with_message("queued");
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:18} [{bar:40}] {percent}% {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let stop = interrupted();
    // Checked against the account's lease first (FREE: 3 a UTC day), counted when done.
    let result = studio.generate_take(
        &options,
        &mut |p| {
            bar.set_position((p.fraction * 1000.0) as u64);
            bar.set_message(p.stage.to_string());
        },
        &stop,
    );
    bar.finish_and_clear();
    let report = result?;
    if json {
        writeln!(out, "{}", to_json(&report)?)?;
    } else {
        writeln!(
            out,
            "{}: {} at {} BPM in {}, {:.1} s, seed {seed}",
            report.dir.display(),
            report.genre,
            report.bpm,
            report.key,
            report.seconds
        )?;
        writeln!(out, "  form: {}", report.sections.join(" → "))?;
        writeln!(
            out,
            "  files: mix.wav, song.mid, song.json, stems/{{{}}}.wav",
            report.stems.join(",")
        )?;
        writeln!(
            out,
            "  instruments {}, loudness {}, rendered in {:.2} s ({:.0}× real time)",
            report.instruments,
            report
                .loudness_lufs
                .map(|l| format!("{l:.1} LUFS"))
                .unwrap_or_else(|| "silent".into()),
            report.render_seconds,
            report.realtime_factor
        )?;
        // Every other override or fallback (length, tempo, key, genre), as song.json states it.
        for o in report
            .overrides
            .iter()
            .filter(|o| o.kind != son1k_app::generate::OverrideKind::Instrument)
        {
            writeln!(out, "  note: {}", o.detail)?;
        }
        // Instruments the prompt asked for that the song does not play (song.json says why).
        let meta = std::fs::read(report.dir.join("song.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
        for u in meta
            .as_ref()
            .and_then(|m| m["unplayed"].as_array())
            .into_iter()
            .flatten()
        {
            writeln!(
                out,
                "  not played: {} ({})",
                u[0].as_str().unwrap_or("?"),
                u[1].as_str().unwrap_or("")
            )?;
        }
    }
    Ok(())
}

/// Checks a command-line number for a field whose rule is `rule`, then hands it to the domain
/// check (which reports out-of-range values with the same wording).
fn non_negative(field: &str, rule: &str, v: i64) -> Result<u32, ValidationError> {
    u32::try_from(v).map_err(|_| ValidationError::new(field, v, rule))
}

fn knobs_from(preset: Option<&str>, values: [(Knob, Option<i64>); 4]) -> Result<Knobs, Failure> {
    let mut knobs = match preset {
        Some(p) => p.parse::<Preset>()?.knobs(),
        None => Knobs::default(),
    };
    for (knob, value) in values {
        if let Some(v) = value {
            let rule = format!("{} must be 0–100", knob.label(Lang::En));
            knobs.set(knob, non_negative(knob.id(), &rule, v)?)?;
        }
    }
    Ok(knobs)
}

fn generate_options(a: GenerateArgs) -> Result<GenerateOptions, Failure> {
    let knobs = a.knobs.knobs()?;
    let mut req = GenerationRequest::new(a.prompt);
    req.knobs = knobs;
    req.instrumental = a.instrumental;
    req.genre = a.genre;
    req.bpm = a
        .bpm
        .map(|v| non_negative("bpm", "BPM must be 40–240", v))
        .transpose()?;
    req.key = a.key.as_deref().map(str::parse).transpose()?;
    req.duration_secs = a.seconds.map(|s| s as f32);
    req.quality = a.quality.parse()?;
    req.seed = a.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64 % 1_000_000)
            .unwrap_or(1)
    });
    if let Some(path) = &a.lyrics {
        let text = std::fs::read_to_string(path).map_err(|e| Failure {
            code: 2,
            message: format!("could not read lyrics {}: {e}", path.display()),
        })?;
        req.lyrics = Some(text);
    }
    req.validate()?;
    Ok(GenerateOptions {
        request: req,
        out_dir: a.output,
        instruments: InstrumentChoice::parse(&a.instruments),
    })
}

fn prompt_input(a: PromptArgs) -> Result<PromptInput, Failure> {
    let lang: Lang = a.lang.parse()?;
    let knobs = a.knobs.knobs()?;
    let bpm = a
        .bpm
        .map(|v| non_negative("bpm", "BPM must be 40–240", v))
        .transpose()?;
    Ok(PromptInput {
        genre: a.genre,
        mood: a.mood,
        bpm,
        key: a.key,
        instruments: a.instruments,
        knobs,
        notes: a.notes,
        instrumental: a.instrumental,
        lang,
    })
}
