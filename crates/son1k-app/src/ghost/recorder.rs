//! Recording a take from the default input with the crash-safe recorder, for Ghost Studio and
//! the Voice screen alike, with the input level reported as it goes and the input's clock
//! (Ghost Studio's tracking lines the take up with the engine by it).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::project;
use crate::{AppError, Studio};

/// The input level while a take is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InputLevel {
    /// Peak since the last report, linear 0–1.
    pub peak: f32,
    /// Seconds recorded so far.
    pub seconds: f64,
}

/// How long a count-in waits for the input to start delivering audio.
pub const INPUT_START_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How often a recording reports its input level.
pub const LEVEL_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// A take being recorded from the default input into a project's `audio/` folder with the
/// crash-safe recorder (a crash loses at most a second; the next recording repairs the take).
pub struct TakeRecorder {
    file: PathBuf,
    device: String,
    /// Seconds the input has recorded so far (f64 bits, updated about every 5 ms).
    recorded: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// When the input captured the take's frames.
    clock: std::sync::Arc<son1k_audio::clock::StreamClock>,
    /// The take's rate and channels.
    format: son1k_audio::record::TakeFormat,
    stop: Option<std::sync::mpsc::Sender<()>>,
    worker: Option<std::thread::JoinHandle<Result<PathBuf, AppError>>>,
}

impl std::fmt::Debug for TakeRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeRecorder")
            .field("file", &self.file)
            .field("device", &self.device)
            .finish()
    }
}

impl TakeRecorder {
    /// Starts recording into `project`; `on_level` hears the input level every
    /// [`LEVEL_EVERY`] from the recorder's thread. With no input device the error says so.
    pub fn start(
        studio: &Studio,
        project: &str,
        on_level: impl FnMut(InputLevel) + Send + 'static,
    ) -> Result<TakeRecorder, AppError> {
        let p = super::open(studio, project)?;
        Self::start_in(&p.folder.join("audio"), on_level)
    }

    /// Starts recording a take (`take-<ms>.wav`) into the folder `dir`, first repairing takes a
    /// crash left there; `on_level` as for [`TakeRecorder::start`].
    pub fn start_in(
        dir: &Path,
        on_level: impl FnMut(InputLevel) + Send + 'static,
    ) -> Result<TakeRecorder, AppError> {
        Self::start_in_with(dir, None, None, on_level)
    }

    /// [`TakeRecorder::start_in`] at `rate` when the input offers it, handing the input to
    /// `monitor` as well (input monitoring; see son1k-audio's `record_monitored`).
    pub fn start_in_with(
        dir: &Path,
        rate: Option<u32>,
        monitor: Option<son1k_audio::engine::MonitorSender>,
        mut on_level: impl FnMut(InputLevel) + Send + 'static,
    ) -> Result<TakeRecorder, AppError> {
        let dir = dir.to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
            action: "could not create",
            path: dir.clone(),
            source,
        })?;
        // Takes a crash interrupted are repaired before a new one starts.
        son1k_audio::record::recover_takes(&dir)?;
        let file = dir.join(format!("take-{}.wav", project::now_ms()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let path = file.clone();
        let recorded = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let seen = recorded.clone();
        let worker = std::thread::Builder::new()
            .name("son1k-take".into())
            .spawn(move || {
                let rec = match son1k_audio::record::record_monitored(&path, rate, monitor) {
                    Ok(r) => {
                        let _ = ready_tx.send(Ok((r.device.clone(), r.clock(), r.format)));
                        r
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return Err(AppError::JobFailed {
                            kind: "record".into(),
                            message: "the recorder did not start".into(),
                        });
                    }
                };
                use std::sync::mpsc::RecvTimeoutError;
                let mut last = std::time::Instant::now();
                let tick = std::time::Duration::from_millis(5);
                while let Err(RecvTimeoutError::Timeout) = stop_rx.recv_timeout(tick) {
                    seen.store(
                        rec.seconds().to_bits(),
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    if last.elapsed() >= LEVEL_EVERY {
                        last = std::time::Instant::now();
                        on_level(InputLevel {
                            peak: rec.take_peak(),
                            seconds: rec.seconds(),
                        });
                    }
                }
                Ok(rec.stop()?)
            })
            .map_err(|e| AppError::JobFailed {
                kind: "record".into(),
                message: format!("could not start the recording thread: {e}"),
            })?;
        let (device, clock, format) = match ready_rx.recv() {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                let _ = worker.join();
                return Err(AppError::Audio(e));
            }
            Err(_) => {
                return Err(AppError::JobFailed {
                    kind: "record".into(),
                    message: "the recording thread stopped unexpectedly".into(),
                })
            }
        };
        Ok(TakeRecorder {
            file,
            device,
            recorded,
            clock,
            format,
            stop: Some(stop_tx),
            worker: Some(worker),
        })
    }

    /// Waits until the input delivers audio; after [`INPUT_START_TIMEOUT`] without any, the
    /// take is dropped and the error says so.
    pub fn wait_for_audio(self) -> Result<TakeRecorder, AppError> {
        let waited = std::time::Instant::now();
        while self.recorded.load(std::sync::atomic::Ordering::Relaxed) == 0 {
            if waited.elapsed() > INPUT_START_TIMEOUT {
                let _ = self.stop();
                return Err(AppError::NoAudio(format!(
                    "the input sent no audio within {} s of opening (is the microphone connected and allowed?)",
                    INPUT_START_TIMEOUT.as_secs()
                )));
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        Ok(self)
    }

    /// When the input captured the take's frames (readable after the take stops).
    pub fn clock(&self) -> std::sync::Arc<son1k_audio::clock::StreamClock> {
        self.clock.clone()
    }

    /// The take's sample rate and channels.
    pub fn format(&self) -> son1k_audio::record::TakeFormat {
        self.format
    }

    /// The input device being recorded.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The take's file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Stops and closes the take; refuses (and removes) a take with no audio in it.
    pub fn stop(mut self) -> Result<PathBuf, AppError> {
        drop(self.stop.take());
        let path = match self.worker.take().map(|w| w.join()) {
            Some(Ok(r)) => r?,
            _ => {
                return Err(AppError::JobFailed {
                    kind: "record".into(),
                    message: "the recording thread stopped unexpectedly".into(),
                })
            }
        };
        match son1k_audio::decode_file(&path) {
            Ok(a) if a.frames() > 0 => Ok(path),
            _ => {
                let _ = std::fs::remove_file(&path);
                Err(AppError::NoAudio(
                    "nothing was recorded: the input sent no audio (is the microphone connected and allowed?)".into(),
                ))
            }
        }
    }
}

impl Drop for TakeRecorder {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}
