//! Sessions (tracks of clips with per-track gain, pan, mute/solo, effects and sends to return
//! buses, plus a master chain) and the [`Renderer`] that plays them: block by block, without allocating, so the
//! real-time engine and offline mixdown run the very same code and produce the same samples.

use son1k_core::Progress;
use std::path::Path;

use crate::fx::{db_to_gain, Effect};
use crate::{write_file, AudioBuffer, AudioError, SampleFormat};

/// Largest block the renderer processes at once; larger requests are split.
pub const MAX_BLOCK: usize = 1024;

mod ready;
mod session;

use ready::*;
pub use session::*;

/// A built effect chain, in order.
pub type FxChain = Vec<Box<dyn Effect>>;

/// Which effect chain a live parameter change is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FxTarget {
    /// The chain of the track at this index.
    Track(usize),
    /// The master bus chain.
    Master,
    /// The chain of the return bus at this index.
    Return(usize),
}

/// Plays a session block by block. Everything is allocated in [`Renderer::new`]; [`Renderer::render`]
/// and every setter only read and write preallocated memory, so the real-time engine can call
/// them from its audio callback.
pub struct Renderer {
    sample_rate: u32,
    tracks: Vec<ReadyTrack>,
    master: Vec<Box<dyn Effect>>,
    returns: Vec<ReadyReturn>,
    /// Delays the tracks' dry sum by the slowest return chain's latency (when there are
    /// returns), so the wet sound lines up with it.
    dry_comp: Vec<[f32; 2]>,
    dry_pos: usize,
    bus: [Vec<f32>; 2],
    scratch: [Vec<f32>; 2],
    pos: usize,
    length: usize,
    latency: usize,
    /// Frames a live gain, pan, mute or solo change takes to glide to its new value (5 ms).
    ramp_frames: usize,
}

impl Renderer {
    /// Loads every clip (decoding, resampling, trimming, fading) and builds every effect.
    /// `base` is the folder relative clip paths are resolved against.
    pub fn new(session: &Session, base: &Path) -> Result<Renderer, AudioError> {
        session.validate()?;
        let rate = session.sample_rate;
        let any_solo = session.tracks.iter().any(|t| t.solo);
        let mut tracks = Vec::with_capacity(session.tracks.len());
        let mut length = 0usize;
        for t in &session.tracks {
            let clips = t
                .clips
                .iter()
                .map(|c| load_clip(c, base, rate))
                .collect::<Result<Vec<_>, _>>()?;
            for c in &clips {
                length = length.max(c.start + c.audio[0].len());
            }
            let sends = t
                .sends
                .iter()
                .map(|s| ReadySend {
                    bus: session
                        .returns
                        .iter()
                        .position(|r| r.name == s.to)
                        .unwrap_or(usize::MAX),
                    gain: Glide::at(send_gain(s.level_db)),
                })
                .collect();
            let mut track = ReadyTrack {
                clips,
                sends,
                fx: build_fx(&t.fx, rate)?,
                gain_db: t.gain_db,
                pan: t.pan,
                mute: t.mute,
                solo: t.solo,
                audible: !t.mute && (!any_solo || t.solo),
                gains: (0.0, 0.0),
                target: (0.0, 0.0),
                step: (0.0, 0.0),
                ramp_left: 0,
                comp: Vec::new(),
                comp_pos: 0,
                peak: 0.0,
            };
            track.gains = track.wanted_gains();
            track.target = track.gains;
            tracks.push(track);
        }
        let max_latency = tracks.iter().map(|t| fx_latency(&t.fx)).max().unwrap_or(0);
        for t in &mut tracks {
            t.comp = vec![[0.0; 2]; max_latency - fx_latency(&t.fx)];
        }
        let mut returns = session
            .returns
            .iter()
            .map(|r| {
                Ok(ReadyReturn {
                    fx: build_fx(&r.fx, rate)?,
                    gain: Glide::at(db_to_gain(r.gain_db)),
                    input: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
                    comp: Vec::new(),
                    comp_pos: 0,
                })
            })
            .collect::<Result<Vec<_>, AudioError>>()?;
        let wet_latency = returns.iter().map(|r| fx_latency(&r.fx)).max().unwrap_or(0);
        for r in &mut returns {
            r.comp = vec![[0.0; 2]; wet_latency - fx_latency(&r.fx)];
        }
        let master = build_fx(&session.master, rate)?;
        let latency = max_latency + wet_latency + fx_latency(&master);
        Ok(Renderer {
            sample_rate: rate,
            tracks,
            master,
            returns,
            dry_comp: vec![[0.0; 2]; wet_latency],
            dry_pos: 0,
            bus: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
            scratch: [vec![0.0; MAX_BLOCK], vec![0.0; MAX_BLOCK]],
            pos: 0,
            length,
            latency,
            ramp_frames: (rate as usize / 200).max(1),
        })
    }

    /// The session's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Frames until the last clip ends.
    pub fn length(&self) -> usize {
        self.length
    }

    /// Frames of delay the effects add (the output lags the timeline by this much).
    pub fn latency(&self) -> usize {
        self.latency
    }

    /// The next frame to be rendered.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Jumps to `frame`, keeping effect state: reverb and delay tails ring on across a seek or
    /// a loop wrap, as in a tape machine's punch. [`Renderer::reset`] clears them.
    pub fn seek(&mut self, frame: usize) {
        self.pos = frame;
    }

    /// Clears effect state (delay lines, envelopes, tails) and the latency-compensation lines,
    /// as when the transport stops or an offline render starts.
    pub fn reset(&mut self) {
        for e in &mut self.master {
            e.reset();
        }
        for t in &mut self.tracks {
            for e in &mut t.fx {
                e.reset();
            }
            t.comp.fill([0.0; 2]);
            t.comp_pos = 0;
        }
        for r in &mut self.returns {
            for e in &mut r.fx {
                e.reset();
            }
            r.comp.fill([0.0; 2]);
            r.comp_pos = 0;
        }
        self.dry_comp.fill([0.0; 2]);
        self.dry_pos = 0;
    }

    /// Number of tracks.
    pub fn track_count(&self) -> usize {
        self.tracks.len()
    }

    /// The latency of each effect of `target`'s chain, in order (`None` for a track that does
    /// not exist).
    pub fn fx_latencies(&self, target: FxTarget) -> Option<Vec<usize>> {
        let fx = match target {
            FxTarget::Track(i) => &self.tracks.get(i)?.fx,
            FxTarget::Master => &self.master,
            FxTarget::Return(i) => &self.returns.get(i)?.fx,
        };
        Some(fx.iter().map(|e| e.latency()).collect())
    }

    /// Number of return buses.
    pub fn return_count(&self) -> usize {
        self.returns.len()
    }

    /// How many sends each track has, in track order.
    pub fn send_counts(&self) -> Vec<usize> {
        self.tracks.iter().map(|t| t.sends.len()).collect()
    }

    /// Sets the level of a track's send (its `send`-th, in the session's order) in dB, gliding
    /// over 5 ms; ignored for a send that does not exist.
    pub fn set_send(&mut self, track: usize, send: usize, db: f32) {
        let ramp = self.ramp_frames;
        if let Some(s) = self
            .tracks
            .get_mut(track)
            .and_then(|t| t.sends.get_mut(send))
        {
            s.gain.retarget(send_gain(db), ramp);
        }
    }

    /// Sets a return bus's level into the master in dB, gliding over 5 ms; ignored for a bus
    /// that does not exist.
    pub fn set_return_gain(&mut self, bus: usize, db: f32) {
        let ramp = self.ramp_frames;
        if let Some(r) = self.returns.get_mut(bus) {
            r.gain.retarget(db_to_gain(db), ramp);
        }
    }

    /// Sets a track's gain in dB (glides over 5 ms; ignored for a track that does not exist).
    pub fn set_gain(&mut self, track: usize, db: f32) {
        let ramp = self.ramp_frames;
        if let Some(t) = self.tracks.get_mut(track) {
            t.gain_db = db;
            t.retarget(ramp);
        }
    }

    /// Sets a track's pan, −1 … 1 (glides over 5 ms).
    pub fn set_pan(&mut self, track: usize, pan: f32) {
        let ramp = self.ramp_frames;
        if let Some(t) = self.tracks.get_mut(track) {
            t.pan = pan.clamp(-1.0, 1.0);
            t.retarget(ramp);
        }
    }

    /// Mutes or unmutes a track (fades over 5 ms).
    pub fn set_mute(&mut self, track: usize, mute: bool) {
        if let Some(t) = self.tracks.get_mut(track) {
            t.mute = mute;
        }
        self.update_audible();
    }

    /// Solos or unsolos a track: when any track is soloed only soloed tracks are heard.
    pub fn set_solo(&mut self, track: usize, solo: bool) {
        if let Some(t) = self.tracks.get_mut(track) {
            t.solo = solo;
        }
        self.update_audible();
    }

    fn update_audible(&mut self) {
        let any_solo = self.tracks.iter().any(|t| t.solo);
        let ramp = self.ramp_frames;
        for t in &mut self.tracks {
            let audible = !t.mute && (!any_solo || t.solo);
            if audible != t.audible {
                t.audible = audible;
                t.retarget(ramp);
            }
        }
    }

    /// Puts `effect` in place of the effect at `slot` of `target`'s chain and hands back the one
    /// it replaces, so the caller can drop it off the audio thread. A slot that does not exist,
    /// or an effect whose latency differs (the compensation would no longer line up), is
    /// refused: `Err` gives `effect` back untouched.
    pub fn replace_effect(
        &mut self,
        target: FxTarget,
        slot: usize,
        effect: Box<dyn Effect>,
    ) -> Result<Box<dyn Effect>, Box<dyn Effect>> {
        let fx = match target {
            FxTarget::Track(i) => match self.tracks.get_mut(i) {
                Some(t) => &mut t.fx,
                None => return Err(effect),
            },
            FxTarget::Return(i) => match self.returns.get_mut(i) {
                Some(r) => &mut r.fx,
                None => return Err(effect),
            },
            FxTarget::Master => &mut self.master,
        };
        match fx.get_mut(slot) {
            Some(old) if old.latency() == effect.latency() => Ok(std::mem::replace(old, effect)),
            _ => Err(effect),
        }
    }

    /// Puts a whole new chain in place of `target`'s and hands back the old one (to be dropped
    /// off the audio thread): the way a change of the knobs, whose chain differs in length and
    /// kind, reaches a playing master. A track's or a return's new chain must keep its latency
    /// (their alignment is fixed while playing); the master's may change it (the output then
    /// lags the timeline by the new amount). A track or return that does not exist, or a chain
    /// of another latency, is refused: `Err` gives `chain` back untouched. Moves only: no
    /// allocation.
    pub fn replace_chain(&mut self, target: FxTarget, chain: FxChain) -> Result<FxChain, FxChain> {
        match target {
            FxTarget::Track(i) => match self.tracks.get_mut(i) {
                Some(t) if fx_latency(&t.fx) == fx_latency(&chain) => {
                    Ok(std::mem::replace(&mut t.fx, chain))
                }
                _ => Err(chain),
            },
            FxTarget::Return(i) => match self.returns.get_mut(i) {
                Some(r) if fx_latency(&r.fx) == fx_latency(&chain) => {
                    Ok(std::mem::replace(&mut r.fx, chain))
                }
                _ => Err(chain),
            },
            FxTarget::Master => {
                let old = std::mem::replace(&mut self.master, chain);
                self.latency = self.latency - fx_latency(&old) + fx_latency(&self.master);
                Ok(old)
            }
        }
    }

    /// Each track's peak (linear, after gain and pan) since the last [`Renderer::clear_track_peaks`].
    pub fn track_peak(&self, track: usize) -> f32 {
        self.tracks.get(track).map_or(0.0, |t| t.peak)
    }

    /// Starts the tracks' peak meters again.
    pub fn clear_track_peaks(&mut self) {
        for t in &mut self.tracks {
            t.peak = 0.0;
        }
    }

    /// Renders the next `left.len()` frames of stereo into `left`/`right` (no allocation).
    pub fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let total = left.len().min(right.len());
        let mut done = 0;
        while done < total {
            let n = (total - done).min(MAX_BLOCK);
            self.render_block(n);
            left[done..done + n].copy_from_slice(&self.bus[0][..n]);
            right[done..done + n].copy_from_slice(&self.bus[1][..n]);
            done += n;
        }
    }

    fn render_block(&mut self, n: usize) {
        let pos = self.pos;
        let [bl, br] = &mut self.bus;
        bl[..n].fill(0.0);
        br[..n].fill(0.0);
        let returns = &mut self.returns;
        for r in returns.iter_mut() {
            r.input[0][..n].fill(0.0);
            r.input[1][..n].fill(0.0);
        }
        for t in &mut self.tracks {
            let [sl, sr] = &mut self.scratch;
            sl[..n].fill(0.0);
            sr[..n].fill(0.0);
            for c in &t.clips {
                let len = c.audio[0].len();
                if c.start >= pos + n || c.start + len <= pos {
                    continue;
                }
                let from = pos.max(c.start);
                let to = (pos + n).min(c.start + len);
                let (dst, src) = (from - pos..to - pos, from - c.start..to - c.start);
                for (d, s) in sl[dst.clone()].iter_mut().zip(&c.audio[0][src.clone()]) {
                    *d += s;
                }
                for (d, s) in sr[dst].iter_mut().zip(&c.audio[1][src]) {
                    *d += s;
                }
            }
            // Effects run even when the track is silent so tails and state stay continuous.
            {
                let mut block: [&mut [f32]; 2] = [&mut sl[..n], &mut sr[..n]];
                run_fx(&mut t.fx, &mut block);
            }
            delay_through(&mut t.comp, &mut t.comp_pos, &mut sl[..n], &mut sr[..n]);
            let sending = !t.sends.is_empty() && (t.audible || t.ramp_left > 0);
            if t.ramp_left > 0 {
                // A live change glides frame by frame to its target.
                let mut peak = t.peak;
                for i in 0..n {
                    if t.ramp_left > 0 {
                        t.ramp_left -= 1;
                        t.gains = if t.ramp_left == 0 {
                            t.target
                        } else {
                            (t.gains.0 + t.step.0, t.gains.1 + t.step.1)
                        };
                    }
                    let (l, r) = (sl[i] * t.gains.0, sr[i] * t.gains.1);
                    peak = peak.max(l.abs()).max(r.abs());
                    bl[i] += l;
                    br[i] += r;
                    sl[i] = l;
                    sr[i] = r;
                }
                t.peak = peak;
            } else if t.audible {
                let (gl, gr) = t.gains;
                let (mut pl, mut pr) = (0.0f32, 0.0f32);
                for (b, s) in bl[..n].iter_mut().zip(&mut sl[..n]) {
                    pl = pl.max(s.abs());
                    *s *= gl;
                    *b += *s;
                }
                for (b, s) in br[..n].iter_mut().zip(&mut sr[..n]) {
                    pr = pr.max(s.abs());
                    *s *= gr;
                    *b += *s;
                }
                t.peak = t.peak.max(pl * gl.abs()).max(pr * gr.abs());
            }
            if sending {
                // Post-fader: what the track put on the bus, at each send's level.
                for s in &mut t.sends {
                    let Some(r) = returns.get_mut(s.bus) else {
                        continue;
                    };
                    let [il, ir] = &mut r.input;
                    if s.gain.left == 0 {
                        let g = s.gain.now;
                        if g == 0.0 {
                            continue;
                        }
                        for (d, x) in il[..n].iter_mut().zip(&sl[..n]) {
                            *d += x * g;
                        }
                        for (d, x) in ir[..n].iter_mut().zip(&sr[..n]) {
                            *d += x * g;
                        }
                    } else {
                        for i in 0..n {
                            let g = s.gain.next();
                            il[i] += sl[i] * g;
                            ir[i] += sr[i] * g;
                        }
                    }
                }
            }
        }
        if !returns.is_empty() {
            delay_through(
                &mut self.dry_comp,
                &mut self.dry_pos,
                &mut bl[..n],
                &mut br[..n],
            );
            for r in returns.iter_mut() {
                let [il, ir] = &mut r.input;
                // Effects run on silence too: a reverb's tail rings on after the sends stop.
                {
                    let mut block: [&mut [f32]; 2] = [&mut il[..n], &mut ir[..n]];
                    run_fx(&mut r.fx, &mut block);
                }
                delay_through(&mut r.comp, &mut r.comp_pos, &mut il[..n], &mut ir[..n]);
                for i in 0..n {
                    let g = r.gain.next();
                    bl[i] += il[i] * g;
                    br[i] += ir[i] * g;
                }
            }
        }
        let mut block: [&mut [f32]; 2] = [&mut bl[..n], &mut br[..n]];
        run_fx(&mut self.master, &mut block);
        self.pos += n;
    }
}

/// Renders the whole session offline (latency compensated: the output starts at timeline 0).
pub fn render(session: &Session, base: &Path) -> Result<AudioBuffer, AudioError> {
    let mut r = Renderer::new(session, base)?;
    render_with(&mut r)
}

/// Renders everything a prepared renderer holds, from the start.
pub fn render_with(r: &mut Renderer) -> Result<AudioBuffer, AudioError> {
    render_with_progress(r, &mut |_| {})
}

/// Like [`render_with`], reporting the fraction done (stage `mixing`) about every second of audio.
pub fn render_with_progress(
    r: &mut Renderer,
    progress: &mut dyn FnMut(Progress),
) -> Result<AudioBuffer, AudioError> {
    r.seek(0);
    r.reset();
    let total = r.length() + r.latency();
    let mut l = vec![0.0f32; total];
    let mut rr = vec![0.0f32; total];
    let step = r.sample_rate() as usize;
    let mut done = 0;
    while done < total {
        let end = (done + step).min(total);
        r.render(&mut l[done..end], &mut rr[done..end]);
        done = end;
        progress(Progress::new(done as f32 / total as f32, "mixing"));
    }
    let lat = r.latency();
    l.drain(..lat);
    rr.drain(..lat);
    AudioBuffer::new(r.sample_rate(), vec![l, rr])
}

/// Renders `session_file` to `out` (format from its extension), atomically.
pub fn mix_file(
    session_file: &Path,
    out: &Path,
    format: SampleFormat,
) -> Result<AudioBuffer, AudioError> {
    mix_file_with_progress(session_file, out, format, &mut |_| {})
}

/// Like [`mix_file`], reporting the rendering's progress (stage `mixing`).
pub fn mix_file_with_progress(
    session_file: &Path,
    out: &Path,
    format: SampleFormat,
    progress: &mut dyn FnMut(Progress),
) -> Result<AudioBuffer, AudioError> {
    let session = Session::load(session_file)?;
    let base = session_file.parent().unwrap_or(Path::new("."));
    let mut renderer = Renderer::new(&session, base)?;
    let audio = render_with_progress(&mut renderer, progress)?;
    if audio.frames() == 0 {
        return Err(AudioError::Invalid(format!(
            "{}: the session has no audio to mix",
            session_file.display()
        )));
    }
    write_file(out, &audio, format)?;
    Ok(audio)
}
