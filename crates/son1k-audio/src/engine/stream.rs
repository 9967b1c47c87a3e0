//! Output streams and their supervisor: the engine core plays through an [`OutputBackend`]
//! (cpal's default output device, or a stand-in in tests); a supervisor thread owns the stream,
//! turns the errors the audio thread rings over into [`EngineEvent`]s, and opens the stream again
//! on the current default device when the device is lost, stops asking for audio, or the
//! default device or its sample rate changes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, TryLockError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, StreamTrait};

use super::{engine, Command, EngineCore, EngineEvent, EngineHandle, Meters};
use crate::mixdown::Renderer;
use crate::AudioError;

/// Fills an interleaved f32 buffer; the second argument is the channel count. Runs on the audio
/// thread.
pub type DataCallback = Box<dyn FnMut(&mut [f32], usize) + Send>;
/// Receives the stream's errors. Runs on the audio thread (or the host's error thread).
pub type ErrorCallback = Box<dyn FnMut(cpal::StreamError) + Send>;

/// A stream a backend opened; dropping `stream` stops it.
pub struct OpenedStream {
    /// The device's name.
    pub device: String,
    /// Channels per frame the data callback is given.
    pub channels: u16,
    /// The running stream (whatever the backend needs to keep alive).
    pub stream: Box<dyn std::any::Any>,
}

/// Where the engine's output goes.
pub trait OutputBackend: Send + 'static {
    /// Opens and starts an output stream on the current default device at `sample_rate`, with
    /// `buffer` frames per callback when given.
    fn open(
        &mut self,
        sample_rate: u32,
        buffer: Option<u32>,
        data: DataCallback,
        error: ErrorCallback,
    ) -> Result<OpenedStream, AudioError>;

    /// The current default output device's name and default sample rate, when the host
    /// answers (polled about once a second to notice a change of device or rate).
    fn default_device(&mut self) -> Option<(String, u32)>;
}

/// The output device to play on (the one chosen with [`crate::devices::choose_devices`] when it
/// is connected, else the system's default) and its preferred configuration, or a clear error.
pub fn default_output() -> Result<(cpal::Device, cpal::SupportedStreamConfig), AudioError> {
    let host = cpal::default_host();
    let device = crate::devices::output_device(&host).ok_or_else(|| {
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

/// cpal's default host and its default output device.
#[derive(Debug, Default, Clone, Copy)]
pub struct CpalBackend;

impl OutputBackend for CpalBackend {
    fn open(
        &mut self,
        sample_rate: u32,
        buffer: Option<u32>,
        mut data: DataCallback,
        error: ErrorCallback,
    ) -> Result<OpenedStream, AudioError> {
        let (device, default) = default_output()?;
        let name = device.name().unwrap_or_else(|_| "default".into());
        let channels = default.channels();
        let config = cpal::StreamConfig {
            channels,
            sample_rate: cpal::SampleRate(sample_rate),
            buffer_size: buffer.map_or(cpal::BufferSize::Default, cpal::BufferSize::Fixed),
        };
        let ch = usize::from(channels);
        let stream = device
            .build_output_stream(
                &config,
                move |out: &mut [f32], _| data(out, ch),
                error,
                None,
            )
            .map_err(|e| {
                AudioError::Device(format!("could not open {name} at {sample_rate} Hz: {e}"))
            })?;
        stream
            .play()
            .map_err(|e| AudioError::Device(format!("could not start {name}: {e}")))?;
        Ok(OpenedStream {
            device: name,
            channels,
            stream: Box::new(stream),
        })
    }

    fn default_device(&mut self) -> Option<(String, u32)> {
        let (device, config) = default_output().ok()?;
        Some((device.name().ok()?, config.sample_rate().0))
    }
}

/// How watchful the supervisor is.
#[derive(Debug, Clone, Copy)]
pub struct SupervisorOptions {
    /// How often it looks at errors and callbacks.
    pub tick: Duration,
    /// A device that takes no audio for this long is treated as gone.
    pub stall_after: Duration,
    /// How often it asks which device is the default (and at what rate); `None` never does.
    pub device_poll: Option<Duration>,
    /// Pause between failed attempts to open the stream again.
    pub retry_after: Duration,
}

impl Default for SupervisorOptions {
    fn default() -> Self {
        SupervisorOptions {
            tick: Duration::from_millis(25),
            stall_after: Duration::from_secs(2),
            device_poll: Some(Duration::from_secs(1)),
            retry_after: Duration::from_secs(1),
        }
    }
}

/// A running output stream; dropping it stops playback.
pub struct Playback {
    /// Commands, meters, status and events.
    pub handle: EngineHandle,
    /// The device the stream first opened on ([`EngineHandle::status`] has the current one).
    pub device: String,
    /// The stream's sample rate (the session's).
    pub sample_rate: u32,
    stop: Arc<AtomicBool>,
    supervisor: Option<JoinHandle<()>>,
}

impl Drop for Playback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.supervisor.take() {
            let _ = h.join();
        }
    }
}

/// Opens the default output at the renderer's rate with `buffer` frames per callback (if the
/// device allows) and starts playing.
pub fn play(renderer: Renderer, buffer: Option<u32>) -> Result<Playback, AudioError> {
    play_on(CpalBackend, renderer, buffer, SupervisorOptions::default())
}

/// Like [`play`], through any backend and with the supervisor's timings given.
pub fn play_on<B: OutputBackend>(
    backend: B,
    renderer: Renderer,
    buffer: Option<u32>,
    options: SupervisorOptions,
) -> Result<Playback, AudioError> {
    let rate = renderer.sample_rate();
    let (core, mut handle) = engine(renderer);
    // Queued before the stream opens, so its first callback already plays: what a device
    // plays from its first frame is the session from its first frame.
    handle.send(Command::Play)?;
    let meters = handle.meters.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = mpsc::channel();
    let mut sup = Supervisor {
        backend,
        core: Arc::new(Mutex::new(core)),
        meters,
        rate,
        buffer,
        options,
        stop: stop.clone(),
    };
    let thread = std::thread::Builder::new()
        .name("son1k-audio-supervisor".into())
        .spawn(move || sup.run(ready_tx))
        .map_err(|e| AudioError::Device(format!("could not start the stream supervisor: {e}")))?;
    let device = match ready_rx.recv() {
        Ok(Ok(device)) => device,
        Ok(Err(e)) => {
            let _ = thread.join();
            return Err(e);
        }
        Err(_) => {
            let _ = thread.join();
            return Err(AudioError::Device(
                "the stream supervisor stopped before the stream opened".into(),
            ));
        }
    };
    Ok(Playback {
        handle,
        device,
        sample_rate: rate,
        stop,
        supervisor: Some(thread),
    })
}

/// A stream that is playing, and what the supervisor watches on it.
struct Live {
    _stream: Box<dyn std::any::Any>,
    device: String,
    errors: rtrb::Consumer<cpal::StreamError>,
    lost: Arc<AtomicBool>,
    opened: Instant,
    /// Frames served when the current pacing window began, and when that was.
    window_frames: u64,
    window_start: Instant,
    /// The default device and its rate as they were when the stream opened.
    default_at_open: Option<(String, u32)>,
    failing_ticks: u32,
}

struct Supervisor<B> {
    backend: B,
    core: Arc<Mutex<EngineCore>>,
    meters: Arc<Meters>,
    rate: u32,
    buffer: Option<u32>,
    options: SupervisorOptions,
    stop: Arc<AtomicBool>,
}

impl<B: OutputBackend> Supervisor<B> {
    fn open(&mut self) -> Result<Live, AudioError> {
        let (mut etx, erx) = rtrb::RingBuffer::new(64);
        let lost = Arc::new(AtomicBool::new(false));
        let (m, l) = (self.meters.clone(), lost.clone());
        let error: ErrorCallback = Box::new(move |e: cpal::StreamError| {
            // Atomics and a lock-free ring only; a full ring drops the error (it is counted).
            m.stream_errors.fetch_add(1, Ordering::Relaxed);
            if matches!(e, cpal::StreamError::DeviceNotAvailable) {
                l.store(true, Ordering::Relaxed);
            }
            let _ = etx.push(e);
        });
        let (core, m) = (self.core.clone(), self.meters.clone());
        let mut raised = !super::priority::wanted();
        let data: DataCallback = Box::new(move |out: &mut [f32], channels| {
            if !raised {
                // The first callback of this stream runs on its audio thread: raise it.
                raised = true;
                let state = match super::priority::promote_current_thread() {
                    Some(true) => 1,
                    Some(false) => 2,
                    None => 0,
                };
                m.realtime.store(state, Ordering::Relaxed);
            }
            match core.try_lock() {
                Ok(mut c) => c.process(out, channels),
                // Only while a stream hands over to the next (or after a panic): silence.
                Err(TryLockError::WouldBlock | TryLockError::Poisoned(_)) => {
                    out.fill(0.0);
                    m.skipped.fetch_add(1, Ordering::Relaxed);
                    m.frames
                        .fetch_add((out.len() / channels.max(1)) as u64, Ordering::Relaxed);
                }
            }
        });
        let default_at_open = if self.options.device_poll.is_some() {
            self.backend.default_device()
        } else {
            None
        };
        let opened = self.backend.open(self.rate, self.buffer, data, error)?;
        self.meters
            .set_device(Some((opened.device.clone(), self.rate)));
        let now = Instant::now();
        Ok(Live {
            _stream: opened.stream,
            device: opened.device,
            errors: erx,
            lost,
            opened: now,
            window_frames: self.meters.frames_served(),
            window_start: now,
            default_at_open,
            failing_ticks: 0,
        })
    }

    fn run(&mut self, ready: mpsc::Sender<Result<String, AudioError>>) {
        let mut live = match self.open() {
            Ok(l) => {
                let _ = ready.send(Ok(l.device.clone()));
                Some(l)
            }
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let mut last_poll = Instant::now();
        // When the last attempt to reopen was (`None`: try at once).
        let mut last_try: Option<Instant> = None;
        let mut last_text: Option<(String, Instant)> = None;
        // Why the stream is down, while it is.
        let mut down: Option<String> = None;
        while !self.stop.load(Ordering::Relaxed) {
            std::thread::sleep(self.options.tick);
            if let Some(l) = live.as_mut() {
                down = self.watch(l, &mut last_text, &mut last_poll);
                if down.is_some() {
                    // Stop the old stream first: its callback gives the core back.
                    drop(live.take());
                    last_try = None;
                }
            }
            if let Some(reason) = down.as_ref() {
                if last_try.is_none_or(|t| t.elapsed() >= self.options.retry_after) {
                    last_try = Some(Instant::now());
                    live = self.reopen(reason.clone());
                    if live.is_some() {
                        down = None;
                    }
                }
            }
        }
    }

    /// Looks at one stream; `Some(reason)` when it has to be opened again.
    fn watch(
        &mut self,
        l: &mut Live,
        last_text: &mut Option<(String, Instant)>,
        last_poll: &mut Instant,
    ) -> Option<String> {
        let mut errors = 0;
        while let Ok(e) = l.errors.pop() {
            errors += 1;
            let text = e.to_string();
            self.meters.set_last_error(&text);
            let repeat = last_text
                .as_ref()
                .is_some_and(|(t, at)| *t == text && at.elapsed() < Duration::from_secs(1));
            if !repeat {
                self.meters.push_event(EngineEvent::StreamError {
                    message: text.clone(),
                });
                *last_text = Some((text, Instant::now()));
            }
        }
        l.failing_ticks = if errors > 0 { l.failing_ticks + 1 } else { 0 };
        // A device that takes no audio for a whole window has stopped. (Taking it slowly is not
        // treated as a loss: on a starved machine a live device behind a sound server can take
        // a few per cent of real time for seconds, and reopening would not help it.)
        let mut stalled = None;
        let window = l.window_start.elapsed();
        if window >= self.options.stall_after {
            let served = self.meters.frames_served();
            if served == l.window_frames && l.opened.elapsed() >= self.options.stall_after {
                stalled = Some(format!(
                    "the device stopped asking for audio for {} ms",
                    window.as_millis()
                ));
            }
            l.window_frames = served;
            l.window_start = Instant::now();
        }
        let lost = if l.lost.load(Ordering::Relaxed) {
            Some("the device is no longer available".to_string())
        } else if l.failing_ticks >= 8 {
            Some("the stream keeps failing".to_string())
        } else {
            stalled
        };
        if let Some(message) = lost {
            self.meters.set_last_error(&message);
            self.meters.push_event(EngineEvent::DeviceLost {
                device: l.device.clone(),
                message: message.clone(),
            });
            return Some(message);
        }
        let poll = self.options.device_poll?;
        if last_poll.elapsed() < poll {
            return None;
        }
        *last_poll = Instant::now();
        let now = self.backend.default_device()?;
        let before = l.default_at_open.clone()?;
        if now.0 != before.0 {
            Some(format!("the default output device is now {}", now.0))
        } else if now.1 != before.1 {
            Some(format!(
                "{} changed its sample rate from {} Hz to {} Hz",
                now.0, before.1, now.1
            ))
        } else {
            None
        }
    }

    fn reopen(&mut self, reason: String) -> Option<Live> {
        self.meters.set_device(None);
        match self.open() {
            Ok(l) => {
                self.meters.restarts.fetch_add(1, Ordering::Relaxed);
                self.meters.push_event(EngineEvent::Restarted {
                    device: l.device.clone(),
                    sample_rate: self.rate,
                    reason,
                });
                Some(l)
            }
            Err(e) => {
                let text = e.to_string();
                self.meters.set_last_error(&text);
                self.meters
                    .push_event(EngineEvent::RestartFailed { message: text });
                None
            }
        }
    }
}
