//! The real-time engine: transport (play, stop, seek, loop) and metering over a [`Renderer`],
//! driven either by a cpal output device or by the offline backend (tests, benchmarks, CI).
//!
//! The audio callback never allocates, locks, logs or touches files. Commands arrive through a
//! lock-free ring buffer (rtrb); position, meters and deadline misses leave through atomics.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use crate::mixdown::Renderer;
use crate::AudioError;

/// What the transport can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Start or resume.
    Play,
    /// Pause at the current position.
    Stop,
    /// Jump to a frame.
    Seek(usize),
    /// Loop between two frames, or stop looping.
    Loop(Option<(usize, usize)>),
}

/// State the engine publishes for the UI, readable from any thread.
#[derive(Debug, Default)]
pub struct Meters {
    position: AtomicU64,
    playing: AtomicBool,
    finished: AtomicBool,
    peak_l: AtomicU32,
    peak_r: AtomicU32,
    callbacks: AtomicU64,
    deadline_misses: AtomicU64,
    worst_load: AtomicU32,
}

impl Meters {
    /// Frame position of the transport.
    pub fn position(&self) -> usize {
        self.position.load(Ordering::Relaxed) as usize
    }
    /// Whether the transport is playing.
    pub fn playing(&self) -> bool {
        self.playing.load(Ordering::Relaxed)
    }
    /// Whether playback reached the end (and is not looping).
    pub fn finished(&self) -> bool {
        self.finished.load(Ordering::Relaxed)
    }
    /// Peak levels since the last call (linear), resetting them.
    pub fn take_peaks(&self) -> (f32, f32) {
        (
            f32::from_bits(self.peak_l.swap(0, Ordering::Relaxed)),
            f32::from_bits(self.peak_r.swap(0, Ordering::Relaxed)),
        )
    }
    /// Callbacks served so far.
    pub fn callbacks(&self) -> u64 {
        self.callbacks.load(Ordering::Relaxed)
    }
    /// Callbacks whose rendering took longer than the audio they produced lasts: on a paced
    /// device each would be an underrun (xrun).
    pub fn deadline_misses(&self) -> u64 {
        self.deadline_misses.load(Ordering::Relaxed)
    }
    /// The largest fraction of its time budget one callback used (1.0 = the whole buffer period).
    pub fn worst_load(&self) -> f32 {
        f32::from_bits(self.worst_load.load(Ordering::Relaxed))
    }
}

/// The part of the engine that lives in the audio callback.
pub struct EngineCore {
    renderer: Renderer,
    commands: rtrb::Consumer<Command>,
    meters: Arc<Meters>,
    playing: bool,
    looping: Option<(usize, usize)>,
    left: Vec<f32>,
    right: Vec<f32>,
    /// Seconds per frame, for the deadline check.
    frame_secs: f64,
}

/// The control side: send commands, read meters.
pub struct EngineHandle {
    commands: rtrb::Producer<Command>,
    meters: Arc<Meters>,
}

impl EngineHandle {
    /// Sends a command; fails only if 1024 commands are already waiting.
    pub fn send(&mut self, c: Command) -> Result<(), AudioError> {
        self.commands.push(c).map_err(|_| {
            AudioError::Device("the audio engine is not taking commands (queue full)".into())
        })
    }
    /// The published state.
    pub fn meters(&self) -> &Meters {
        &self.meters
    }
}

/// Largest device buffer the core renders in one piece (bigger requests are split).
const SCRATCH: usize = 8192;

/// Splits a renderer into the callback side and the control side. All allocation happens here.
pub fn engine(renderer: Renderer) -> (EngineCore, EngineHandle) {
    let (tx, rx) = rtrb::RingBuffer::new(1024);
    let meters = Arc::new(Meters::default());
    let frame_secs = 1.0 / f64::from(renderer.sample_rate());
    (
        EngineCore {
            renderer,
            commands: rx,
            meters: meters.clone(),
            playing: false,
            looping: None,
            left: vec![0.0; SCRATCH],
            right: vec![0.0; SCRATCH],
            frame_secs,
        },
        EngineHandle {
            commands: tx,
            meters,
        },
    )
}

impl EngineCore {
    /// Fills `out` (interleaved, `channels` per frame) with the next audio. Real-time safe.
    pub fn process(&mut self, out: &mut [f32], channels: usize) {
        let started = Instant::now();
        while let Ok(c) = self.commands.pop() {
            match c {
                Command::Play => {
                    self.playing = true;
                    self.meters.finished.store(false, Ordering::Relaxed);
                }
                Command::Stop => self.playing = false,
                Command::Seek(f) => self.renderer.seek(f),
                Command::Loop(r) => self.looping = r.filter(|(a, b)| b > a),
            }
        }
        let channels = channels.max(1);
        let frames = out.len() / channels;
        let mut done = 0;
        let (mut pl, mut pr) = (0.0f32, 0.0f32);
        while done < frames {
            let mut n = (frames - done).min(SCRATCH);
            if !self.playing {
                out[done * channels..].fill(0.0);
                break;
            }
            let pos = self.renderer.position();
            if let Some((a, b)) = self.looping {
                if pos >= b {
                    self.renderer.seek(a);
                    continue;
                }
                n = n.min(b - pos);
            } else {
                let end = self.renderer.length() + self.renderer.latency();
                if pos >= end {
                    self.playing = false;
                    self.meters.finished.store(true, Ordering::Relaxed);
                    continue;
                }
                n = n.min(end - pos);
            }
            let (l, r) = (&mut self.left[..n], &mut self.right[..n]);
            self.renderer.render(l, r);
            for i in 0..n {
                let frame = &mut out[(done + i) * channels..(done + i + 1) * channels];
                pl = pl.max(l[i].abs());
                pr = pr.max(r[i].abs());
                match frame {
                    [m] => *m = 0.5 * (l[i] + r[i]),
                    [a, b, rest @ ..] => {
                        *a = l[i];
                        *b = r[i];
                        rest.fill(0.0);
                    }
                    [] => {}
                }
            }
            done += n;
        }
        let m = &self.meters;
        m.position
            .store(self.renderer.position() as u64, Ordering::Relaxed);
        m.playing.store(self.playing, Ordering::Relaxed);
        let _ = m.peak_l.fetch_max(pl.to_bits(), Ordering::Relaxed);
        let _ = m.peak_r.fetch_max(pr.to_bits(), Ordering::Relaxed);
        m.callbacks.fetch_add(1, Ordering::Relaxed);
        if frames > 0 {
            let load = (started.elapsed().as_secs_f64() / (frames as f64 * self.frame_secs)) as f32;
            let _ = m.worst_load.fetch_max(load.to_bits(), Ordering::Relaxed);
            if load > 1.0 {
                m.deadline_misses.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Runs the engine without a device: `frames` frames in buffers of `buffer` frames (tests,
/// benchmarks, CI). Returns the interleaved stereo output.
pub fn run_offline(core: &mut EngineCore, frames: usize, buffer: usize) -> Vec<f32> {
    let mut out = vec![0.0; frames * 2];
    for chunk in out.chunks_mut(buffer.max(1) * 2) {
        core.process(chunk, 2);
    }
    out
}

/// A running output stream; dropping it stops playback.
pub struct Playback {
    _stream: cpal::Stream,
    /// Commands and meters.
    pub handle: EngineHandle,
    /// The device's name.
    pub device: String,
    /// The stream's sample rate.
    pub sample_rate: u32,
}

/// The default output device's name and preferred sample rate, or a clear error.
pub fn default_output() -> Result<(cpal::Device, cpal::SupportedStreamConfig), AudioError> {
    let host = cpal::default_host();
    let device = host.default_output_device().ok_or_else(|| {
        AudioError::Device(format!(
            "no audio output device found ({} reports none); connect one or choose another in Settings",
            host.id().name()
        ))
    })?;
    let config = device
        .default_output_config()
        .map_err(|e| {
            AudioError::Device(format!(
                "no usable audio output device found ({e}); connect one or check the system's sound settings"
            ))
        })?;
    Ok((device, config))
}

/// Opens the default output at the renderer's rate with `buffer` frames per callback (if the
/// device allows) and starts the stream.
pub fn play(renderer: Renderer, buffer: Option<u32>) -> Result<Playback, AudioError> {
    let (device, default) = default_output()?;
    let name = device.name().unwrap_or_else(|_| "default".into());
    let channels = default.channels();
    let rate = renderer.sample_rate();
    let config = cpal::StreamConfig {
        channels,
        sample_rate: cpal::SampleRate(rate),
        buffer_size: buffer.map_or(cpal::BufferSize::Default, cpal::BufferSize::Fixed),
    };
    let (mut core, mut handle) = engine(renderer);
    let ch = usize::from(channels);
    let stream = device
        .build_output_stream(
            &config,
            move |data: &mut [f32], _| core.process(data, ch),
            |_err| {
                // Errors cannot be logged from here without locking; the stream stops and the
                // control side notices that the position no longer moves.
            },
            None,
        )
        .map_err(|e| AudioError::Device(format!("could not open {name} at {rate} Hz: {e}")))?;
    stream
        .play()
        .map_err(|e| AudioError::Device(format!("could not start {name}: {e}")))?;
    handle.send(Command::Play)?;
    Ok(Playback {
        _stream: stream,
        handle,
        device: name,
        sample_rate: rate,
    })
}
