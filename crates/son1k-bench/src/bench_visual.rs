//! Nexus Visual's export speed: a 180 s Generator song rendered to a 1920×1080, 30 fps H.264/AAC
//! MP4 with the `auto` scene (features, scenes, encoding through ffmpeg), against ffmpeg's own
//! audio visualisation graph (`showspectrum` over `avectorscope`, the same size, frame rate and
//! encoder settings) on the same song in the same run. Rounds alternate ours and the peer; the
//! medians are compared.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use son1k_compose::{ProceduralEngine, SongEngine};
use son1k_core::GenerationRequest;
use son1k_visual::video::{self, Job};
use son1k_visual::{features, Look, SceneKind, Timeline};

/// What to run.
pub struct VisualBenchOptions {
    /// Length of the song, seconds.
    pub seconds: f64,
    /// Alternating rounds of ours and the peer.
    pub rounds: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the benchmark and prints its table.
pub fn visual(opts: &VisualBenchOptions) -> Result<(), String> {
    let ffmpeg = video::find_ffmpeg().map_err(|e| e.to_string())?;
    let mut req = GenerationRequest::new("pop song with piano and strings, 122 bpm in A minor");
    req.duration_secs = Some(opts.seconds as f32);
    req.seed = 7;
    let song = ProceduralEngine::default()
        .generate(&req, &mut |_| {}, &AtomicBool::new(false))
        .map_err(|e| e.to_string())?;
    crate::bench::in_temp_dir("son1k-bench-visual", |dir| {
        son1k_compose::write_song(&song, dir).map_err(|e| e.to_string())?;
        let mix = dir.join("mix.wav");
        let seconds = song.score.seconds;
        let beat = 60.0 / f64::from(song.score.bpm);
        let timeline = Timeline {
            beats: (0..)
                .map(|k| f64::from(k) * beat)
                .take_while(|t| *t < seconds)
                .collect(),
            sections: song.score.sections.iter().map(|s| s.start * beat).collect(),
        };
        println!(
            "## Nexus Visual: a {seconds:.0} s song to 1920×1080 at 30 fps, H.264 (libx264 veryfast, crf 20) + AAC, {} rounds",
            opts.rounds
        );
        let (mut ours, mut peer) = (Vec::new(), Vec::new());
        for round in 0..opts.rounds {
            let start = Instant::now();
            render_ours(&ffmpeg, &mix, seconds, &timeline, &dir.join("ours.mp4"))?;
            ours.push(start.elapsed().as_secs_f64());
            let start = Instant::now();
            render_peer(&ffmpeg, &mix, &dir.join("peer.mp4"))?;
            peer.push(start.elapsed().as_secs_f64());
            println!(
                "round {}: ours {:.1} s ({:.2}× real time), ffmpeg showspectrum+avectorscope {:.1} s ({:.2}× real time)",
                round + 1,
                ours[round],
                seconds / ours[round],
                peer[round],
                seconds / peer[round]
            );
        }
        let (o, p) = (median(ours), median(peer));
        println!(
            "median: ours {o:.1} s = {:.2}× real time (goal ≥ 1×), ffmpeg's graph {p:.1} s = {:.2}× real time; ffmpeg/ours {:.2}×",
            seconds / o,
            seconds / p,
            p / o
        );
        Ok(())
    })
}

fn render_ours(
    ffmpeg: &Path,
    mix: &Path,
    seconds: f64,
    timeline: &Timeline,
    out: &Path,
) -> Result<(), String> {
    let audio = son1k_audio::decode_file(mix).map_err(|e| e.to_string())?;
    let n = audio.channels.first().map_or(0, Vec::len);
    let mono: Vec<f32> = (0..n)
        .map(|i| audio.channels.iter().map(|c| c[i]).sum::<f32>() / audio.channels.len() as f32)
        .collect();
    let look = Look::hd(SceneKind::Auto, 1, false);
    let frames = (seconds * f64::from(look.fps)).ceil() as usize;
    let track = features::analyse(&mono, audio.sample_rate, look.fps, frames, timeline);
    let job = Job {
        audio: mix.to_path_buf(),
        start: 0.0,
        seconds,
        output: out.to_path_buf(),
    };
    video::encode(
        ffmpeg,
        &job,
        &track,
        &look,
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

fn render_peer(ffmpeg: &Path, mix: &Path, out: &Path) -> Result<(), String> {
    let status = Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i"])
        .arg(mix)
        .args([
            "-filter_complex",
            "[0:a]asplit[a1][a2];[a1]showspectrum=s=1920x540:slide=scroll:color=intensity,fps=30[s];\
             [a2]avectorscope=s=1920x540:rate=30[v];[s][v]vstack,format=yuv420p[out]",
            "-map", "[out]", "-map", "0:a",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
            "-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart",
        ])
        .arg(out)
        .status()
        .map_err(|e| format!("could not run ffmpeg: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("ffmpeg's visualisation graph failed ({status})"))
    }
}
