//! The real-time engine: transport (play, stop, seek, loop), live mixing (gain, pan, mute, solo,
//! effect parameters) and metering over a [`Renderer`], driven either by an output device
//! ([`play`], restarted by a supervisor when the device goes away), by a paced
//! [`VirtualOutput`] that keeps what it played, or by the offline backend ([`run_offline`]:
//! tests, benchmarks, CI).
//!
//! The audio callback never allocates, frees, locks (a `try_lock` that cannot block aside),
//! logs or touches files. Commands arrive through a lock-free ring buffer (rtrb); replaced
//! effects go back through a second ring to be freed on the control side; position, meters,
//! callback load and stream errors leave through atomics and a third ring ([`EngineStatus`],
//! [`EngineEvent`]).

mod priority;
mod status;
mod stream;
mod tap;
mod virtual_out;

pub use status::{EngineEvent, EngineStatus, Meters};
pub use stream::{
    default_output, play, play_on, CpalBackend, DataCallback, ErrorCallback, OpenedStream,
    OutputBackend, Playback, SupervisorOptions,
};
pub use tap::{monitor_ring, InputTap, MonitorReceiver, MonitorSender};
pub use virtual_out::{Monitor, VirtualOutput};

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use crate::fx::{Effect, FxSpec};
pub use crate::mixdown::FxTarget;
use crate::mixdown::Renderer;
use crate::AudioError;

/// What the transport and the mixer can be told.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Command {
    /// Start or resume.
    Play,
    /// Pause at the current position; effect tails are cleared (the next play starts clean).
    Stop,
    /// Jump to a frame, keeping effect state (tails ring on).
    Seek(usize),
    /// Loop between two frames, or stop looping. The wrap keeps effect state.
    Loop(Option<(usize, usize)>),
    /// A track's gain in dB (−120 … 24), gliding over 5 ms.
    Gain {
        /// Track index.
        track: usize,
        /// Gain in dB.
        db: f32,
    },
    /// A track's pan (−1 … 1), gliding over 5 ms.
    Pan {
        /// Track index.
        track: usize,
        /// Position.
        position: f32,
    },
    /// Mute a track (or unmute it), fading over 5 ms.
    Mute {
        /// Track index.
        track: usize,
        /// Muted.
        on: bool,
    },
    /// Solo a track (or unsolo it).
    Solo {
        /// Track index.
        track: usize,
        /// Soloed.
        on: bool,
    },
    /// The level of a track's send (its `send`-th) in dB (−120 … 12), gliding over 5 ms.
    Send {
        /// Track index.
        track: usize,
        /// Send index, in the track's order.
        send: usize,
        /// Level in dB.
        db: f32,
    },
    /// A return bus's level into the master in dB (−120 … 24), gliding over 5 ms.
    ReturnGain {
        /// Return bus index.
        bus: usize,
        /// Gain in dB.
        db: f32,
    },
}

/// What travels through the command ring.
enum Msg {
    Cmd(Command),
    /// A prepared effect to put in place of the one at `slot`.
    Fx {
        target: FxTarget,
        slot: usize,
        effect: Box<dyn Effect>,
    },
    /// A prepared chain to put in place of `target`'s whole chain.
    Chain {
        target: FxTarget,
        chain: Vec<Box<dyn Effect>>,
    },
    /// Input monitoring to mix into the output from now on (or none).
    Tap(Option<Box<InputTap>>),
}

/// What the audio thread hands back to be freed on the control side.
enum Garbage {
    Effect(#[allow(dead_code)] Box<dyn Effect>),
    Chain(#[allow(dead_code)] Vec<Box<dyn Effect>>),
    Tap(#[allow(dead_code)] Box<InputTap>),
}

/// The part of the engine that lives in the audio callback.
pub struct EngineCore {
    renderer: Renderer,
    commands: rtrb::Consumer<Msg>,
    /// Replaced effects, handed back to be freed off the audio thread.
    garbage: rtrb::Producer<Garbage>,
    meters: Arc<Meters>,
    playing: bool,
    looping: Option<(usize, usize)>,
    left: Vec<f32>,
    right: Vec<f32>,
    /// Seconds per frame, for the deadline check.
    frame_secs: f64,
    /// Frames served before the callback being processed (for the transport's origin).
    served: u64,
    /// Input monitoring, when on.
    tap: Option<Box<InputTap>>,
}

/// The control side: send commands and effect changes, read meters, status and events.
pub struct EngineHandle {
    commands: rtrb::Producer<Msg>,
    garbage: rtrb::Consumer<Garbage>,
    meters: Arc<Meters>,
    sample_rate: u32,
    /// Effect latencies per track, then the master's, then each return bus's: what a
    /// replacement must match.
    layout: Vec<Vec<usize>>,
    /// Tracks in the session.
    tracks: usize,
    /// Sends on each track.
    sends: Vec<usize>,
}

/// Commands that can wait in the ring at once.
const QUEUE: usize = 1024;

impl EngineHandle {
    /// Sends a command; refuses a track that does not exist or a value out of range, and fails
    /// if [`QUEUE`] (1024) messages are already waiting.
    pub fn send(&mut self, c: Command) -> Result<(), AudioError> {
        let tracks = self.tracks;
        let returns = self.layout.len() - tracks - 1;
        let bad = |m: String| Err(AudioError::Invalid(m));
        match c {
            Command::Gain { track, .. }
            | Command::Pan { track, .. }
            | Command::Mute { track, .. }
            | Command::Solo { track, .. }
            | Command::Send { track, .. }
                if track >= tracks =>
            {
                return bad(format!(
                    "track {} does not exist (the session has {tracks})",
                    track + 1
                ));
            }
            Command::Gain { db, .. } if !(-120.0..=24.0).contains(&db) => {
                return bad(format!("track gain must be −120–24 dB, not {db}"));
            }
            Command::Pan { position, .. } if !(-1.0..=1.0).contains(&position) => {
                return bad(format!("pan must be −1–1, not {position}"));
            }
            Command::Send { track, send, .. } if send >= self.sends[track] => {
                return bad(format!(
                    "track {} has {} sends; there is no send {}",
                    track + 1,
                    self.sends[track],
                    send + 1
                ));
            }
            Command::Send { db, .. } if !(-120.0..=12.0).contains(&db) => {
                return bad(format!("a send's level must be −120–12 dB, not {db}"));
            }
            Command::ReturnGain { bus, .. } if bus >= returns => {
                return bad(format!(
                    "return bus {} does not exist (the session has {returns})",
                    bus + 1
                ));
            }
            Command::ReturnGain { db, .. } if !(-120.0..=24.0).contains(&db) => {
                return bad(format!("return gain must be −120–24 dB, not {db}"));
            }
            _ => {}
        }
        self.push(Msg::Cmd(c))
    }

    /// Changes the effect at `slot` of `target`'s chain while playing: the new effect is built
    /// here (allocation happens on this thread), swapped in by the audio thread at the next
    /// callback, and the old one comes back here to be freed. The replaced effect's own state
    /// starts fresh (the rest of the chain keeps its state); a change that would alter the
    /// chain's latency (a limiter's true-peak switch) is refused, since the tracks' alignment
    /// is fixed while playing.
    pub fn set_fx(
        &mut self,
        target: FxTarget,
        slot: usize,
        spec: &FxSpec,
    ) -> Result<(), AudioError> {
        let chain = &self.layout[self.index(target)?];
        let Some(&latency) = chain.get(slot) else {
            return Err(AudioError::Invalid(format!(
                "the chain has {} effects; there is no effect {}",
                chain.len(),
                slot + 1
            )));
        };
        let effect = spec.build(self.sample_rate, 2)?;
        if effect.latency() != latency {
            return Err(AudioError::Invalid(
                "this change alters the effect's latency; stop playback to apply it".into(),
            ));
        }
        self.push(Msg::Fx {
            target,
            slot,
            effect,
        })
    }

    /// Replaces `target`'s whole effect chain while playing (a change of the knobs reaches the
    /// master this way: their chain differs in length and kind from one setting to the next).
    /// The chain is built here; the audio thread swaps it in at the next callback and the old
    /// one comes back here to be freed. The new chain's effects start with fresh state. A
    /// track's chain must keep its latency (refused otherwise: stop playback to apply it); the
    /// master's may change it.
    pub fn set_chain(&mut self, target: FxTarget, specs: &[FxSpec]) -> Result<(), AudioError> {
        let index = self.index(target)?;
        let chain = specs
            .iter()
            .map(|s| s.build(self.sample_rate, 2))
            .collect::<Result<Vec<_>, _>>()?;
        let latencies: Vec<usize> = chain.iter().map(|e| e.latency()).collect();
        let total: usize = latencies.iter().sum();
        if target != FxTarget::Master && total != self.layout[index].iter().sum::<usize>() {
            return Err(AudioError::Invalid(
                "this change alters the chain's latency; stop playback to apply it".into(),
            ));
        }
        self.push(Msg::Chain { target, chain })?;
        self.layout[index] = latencies;
        Ok(())
    }

    /// Where `target`'s latencies are in the layout.
    fn index(&self, target: FxTarget) -> Result<usize, AudioError> {
        let tracks = self.tracks;
        let returns = self.layout.len() - tracks - 1;
        match target {
            FxTarget::Track(i) if i < tracks => Ok(i),
            FxTarget::Track(i) => Err(AudioError::Invalid(format!(
                "track {} does not exist (the session has {tracks})",
                i + 1
            ))),
            FxTarget::Master => Ok(tracks),
            FxTarget::Return(i) if i < returns => Ok(tracks + 1 + i),
            FxTarget::Return(i) => Err(AudioError::Invalid(format!(
                "return bus {} does not exist (the session has {returns})",
                i + 1
            ))),
        }
    }

    /// Frames the output lags the timeline by: the slowest track chain's latency, plus the
    /// slowest return's, plus the master's (what an offline render trims from its start).
    pub fn latency(&self) -> usize {
        let sum = |c: &Vec<usize>| c.iter().sum::<usize>();
        let (tracks, rest) = self.layout.split_at(self.tracks.min(self.layout.len()));
        let master = rest.first().map_or(0, sum);
        let wet = rest.iter().skip(1).map(sum).max().unwrap_or(0);
        tracks.iter().map(sum).max().unwrap_or(0) + wet + master
    }

    /// The published state, shareable with a thread that reports it (meters, status, events).
    pub fn shared_meters(&self) -> Arc<Meters> {
        self.meters.clone()
    }

    fn push(&mut self, m: Msg) -> Result<(), AudioError> {
        self.collect_garbage();
        self.commands.push(m).map_err(|_| {
            AudioError::Device("the audio engine is not taking commands (queue full)".into())
        })
    }

    /// Mixes `tap` (input monitoring) into the output from the next callback on, or stops
    /// (`None`); the tap it replaces is freed off the audio thread.
    pub fn set_input_tap(&mut self, tap: Option<InputTap>) -> Result<(), AudioError> {
        self.push(Msg::Tap(tap.map(Box::new)))
    }

    /// Frees the effects the audio thread has replaced (also done on every send).
    pub fn collect_garbage(&mut self) -> usize {
        let mut n = 0;
        while let Ok(old) = self.garbage.pop() {
            drop(old);
            n += 1;
        }
        n
    }

    /// The published state.
    pub fn meters(&self) -> &Meters {
        &self.meters
    }

    /// A snapshot of everything the UI shows about the engine.
    pub fn status(&self) -> EngineStatus {
        self.meters.status()
    }

    /// Events since the last call (stream errors, device loss, restarts), oldest first.
    pub fn events(&self) -> Vec<EngineEvent> {
        self.meters.take_events()
    }
}

/// Largest device buffer the core renders in one piece (bigger requests are split).
const SCRATCH: usize = 8192;

/// Splits a renderer into the callback side and the control side. All allocation happens here.
pub fn engine(renderer: Renderer) -> (EngineCore, EngineHandle) {
    let (tx, rx) = rtrb::RingBuffer::new(QUEUE);
    // Every queued message may be an effect swap: the return ring can always take them all.
    let (gtx, grx) = rtrb::RingBuffer::new(QUEUE);
    let meters = Arc::new(Meters::with_tracks(renderer.track_count()));
    // Where the renderer stands before the first callback (a session opened mid-way).
    meters
        .position
        .store(renderer.position() as u64, Ordering::Relaxed);
    let rate = renderer.sample_rate();
    meters.clock.reset(rate);
    let frame_secs = 1.0 / f64::from(rate);
    let mut layout: Vec<Vec<usize>> = (0..renderer.track_count())
        .map(|i| {
            renderer
                .fx_latencies(FxTarget::Track(i))
                .unwrap_or_default()
        })
        .collect();
    layout.push(renderer.fx_latencies(FxTarget::Master).unwrap_or_default());
    layout.extend((0..renderer.return_count()).map(|i| {
        renderer
            .fx_latencies(FxTarget::Return(i))
            .unwrap_or_default()
    }));
    let tracks = renderer.track_count();
    let sends = renderer.send_counts();
    (
        EngineCore {
            renderer,
            commands: rx,
            garbage: gtx,
            meters: meters.clone(),
            playing: false,
            looping: None,
            left: vec![0.0; SCRATCH],
            right: vec![0.0; SCRATCH],
            frame_secs,
            served: 0,
            tap: None,
        },
        EngineHandle {
            commands: tx,
            garbage: grx,
            meters,
            sample_rate: rate,
            layout,
            tracks,
            sends,
        },
    )
}

impl EngineCore {
    fn apply(&mut self, m: Msg) {
        match m {
            Msg::Cmd(c) => match c {
                Command::Play => {
                    if !self.playing {
                        self.set_origin();
                    }
                    self.playing = true;
                    self.meters.finished.store(false, Ordering::Relaxed);
                }
                Command::Stop => {
                    self.playing = false;
                    self.meters.origin.store(i64::MIN, Ordering::Relaxed);
                    self.renderer.reset();
                }
                Command::Seek(f) => {
                    self.renderer.seek(f);
                    if self.playing {
                        self.set_origin();
                    }
                }
                Command::Loop(r) => self.looping = r.filter(|(a, b)| b > a),
                Command::Gain { track, db } => self.renderer.set_gain(track, db),
                Command::Pan { track, position } => self.renderer.set_pan(track, position),
                Command::Mute { track, on } => self.renderer.set_mute(track, on),
                Command::Solo { track, on } => self.renderer.set_solo(track, on),
                Command::Send { track, send, db } => self.renderer.set_send(track, send, db),
                Command::ReturnGain { bus, db } => self.renderer.set_return_gain(bus, db),
            },
            Msg::Fx {
                target,
                slot,
                effect,
            } => {
                let back = match self.renderer.replace_effect(target, slot, effect) {
                    Ok(old) => old,
                    Err(refused) => refused,
                };
                self.give_back(Garbage::Effect(back));
            }
            Msg::Tap(next) => {
                if let Some(old) = std::mem::replace(&mut self.tap, next) {
                    self.give_back(Garbage::Tap(old));
                }
            }
            Msg::Chain { target, chain } => {
                let back = match self.renderer.replace_chain(target, chain) {
                    Ok(old) => old,
                    Err(refused) => refused,
                };
                self.give_back(Garbage::Chain(back));
            }
        }
    }

    /// The transport (re)starts at the renderer's position with the callback's first frame.
    fn set_origin(&self) {
        let origin = self.renderer.position() as i64 - self.served as i64;
        self.meters.origin.store(origin, Ordering::Relaxed);
    }

    fn give_back(&mut self, g: Garbage) {
        // The return ring has room (checked before popping), so nothing is freed here.
        if let Err(e) = self.garbage.push(g) {
            let rtrb::PushError::Full(b) = e;
            std::mem::forget(b);
        }
    }

    fn drain_commands(&mut self) {
        loop {
            let swap_blocked = self.garbage.is_full();
            match self.commands.peek() {
                Ok(Msg::Fx { .. } | Msg::Chain { .. } | Msg::Tap(_)) if swap_blocked => break,
                Ok(_) => {}
                Err(_) => break,
            }
            match self.commands.pop() {
                Ok(m) => self.apply(m),
                Err(_) => break,
            }
        }
    }

    /// Fills `out` (interleaved, `channels` per frame) with the next audio. Real-time safe.
    pub fn process(&mut self, out: &mut [f32], channels: usize) {
        let started = Instant::now();
        let at = crate::clock::now_ns();
        self.served = self.meters.frames.load(Ordering::Relaxed);
        self.drain_commands();
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
        out[frames * channels..].fill(0.0);
        if let Some(tap) = self.tap.as_mut() {
            tap.mix_into(&mut out[..frames * channels], channels);
        }
        let m = &self.meters;
        m.position
            .store(self.renderer.position() as u64, Ordering::Relaxed);
        m.playing.store(self.playing, Ordering::Relaxed);
        let _ = m.peak_l.fetch_max(pl.to_bits(), Ordering::Relaxed);
        let _ = m.peak_r.fetch_max(pr.to_bits(), Ordering::Relaxed);
        for (i, p) in m.track_peaks.iter().enumerate() {
            let _ = p.fetch_max(self.renderer.track_peak(i).to_bits(), Ordering::Relaxed);
        }
        self.renderer.clear_track_peaks();
        m.clock.note(self.served, self.served + frames as u64, at);
        m.callbacks.fetch_add(1, Ordering::Relaxed);
        m.frames.fetch_add(frames as u64, Ordering::Relaxed);
        if frames > 0 {
            let load = (started.elapsed().as_secs_f64() / (frames as f64 * self.frame_secs)) as f32;
            m.record_load(load);
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
