//! The mono mixdown and the short-time Fourier transform every extractor shares.

use realfft::RealFftPlanner;
use son1k_audio::{AudioBuffer, AudioError};

/// Mixes to mono and decimates by the integer factor that brings the rate closest to 22.05 kHz
/// (44.1 and 48 kHz halve, 88.2 and 96 kHz quarter), through a windowed-sinc low-pass. Analysis
/// needs nothing above 10 kHz, so this is far cheaper than a general resampler. Returns the
/// samples and their rate.
pub fn mono_for_analysis(audio: &AudioBuffer) -> Result<(Vec<f32>, u32), AudioError> {
    let n = audio.frames();
    let scale = 1.0 / audio.channel_count().max(1) as f32;
    let d = (f64::from(audio.sample_rate) / 22_050.0).round().max(1.0) as usize;
    if d == 2 {
        // The common case (44.1/48 kHz): mix and halve in one pass, without a full-rate copy.
        return Ok((halve(&audio.channels, scale), audio.sample_rate / 2));
    }
    let mut mono = vec![0.0f32; n];
    for c in &audio.channels {
        for (m, s) in mono.iter_mut().zip(c) {
            *m += s * scale;
        }
    }
    if d == 1 {
        return Ok((mono, audio.sample_rate));
    }
    // Low-pass at 90% of the new Nyquist frequency, Blackman-windowed, 8 taps per factor: the
    // transition band only lets aliases in above ~10 kHz, where no extractor looks.
    let taps = 8 * d + 1;
    let mid = (taps / 2) as f64;
    let cutoff = 0.9 / d as f64; // of the input Nyquist
    let mut h: Vec<f32> = (0..taps)
        .map(|i| {
            let x = i as f64 - mid;
            let sinc = if x == 0.0 {
                cutoff
            } else {
                (std::f64::consts::PI * cutoff * x).sin() / (std::f64::consts::PI * x)
            };
            let w = 0.42 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (taps - 1) as f64).cos()
                + 0.08 * (4.0 * std::f64::consts::PI * i as f64 / (taps - 1) as f64).cos();
            (sinc * w) as f32
        })
        .collect();
    let sum: f32 = h.iter().sum();
    h.iter_mut().for_each(|v| *v /= sum);
    let half = taps / 2;
    let output = |o: usize| -> f32 {
        let centre = o * d;
        if centre >= half && centre + half < n {
            // Four partial sums so the multiply-adds do not wait on one another.
            let w = &mono[centre - half..=centre + half];
            let mut acc = [0.0f32; 4];
            let (wc, hc) = (w.chunks_exact(4), h.chunks_exact(4));
            let (wr, hr) = (wc.remainder(), hc.remainder());
            for (a, b) in wc.zip(hc) {
                for j in 0..4 {
                    acc[j] += a[j] * b[j];
                }
            }
            let tail: f32 = wr.iter().zip(hr).map(|(s, k)| s * k).sum();
            acc[0] + acc[1] + acc[2] + acc[3] + tail
        } else {
            (0..taps)
                .filter_map(|t| {
                    (centre + t)
                        .checked_sub(half)
                        .and_then(|i| mono.get(i))
                        .map(|s| s * h[t])
                })
                .sum()
        }
    };
    let outputs = n / d;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let out: Vec<f32> = if workers == 1 || outputs < 1 << 16 {
        (0..outputs).map(output).collect()
    } else {
        let per = outputs.div_ceil(workers);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..outputs)
                .step_by(per)
                .map(|lo| {
                    let f = &output;
                    scope.spawn(move || (lo..(lo + per).min(outputs)).map(f).collect::<Vec<f32>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    };
    Ok((out, audio.sample_rate / d as u32))
}

/// Mixes the channels (times `scale`) and halves the rate with a 23-tap half-band low-pass
/// (Blackman-windowed): every other tap is zero and the rest are symmetric, so each output costs
/// six multiplies, and no full-rate mono copy is made.
fn halve(channels: &[Vec<f32>], scale: f32) -> Vec<f32> {
    const HALF: usize = 11;
    // Odd offsets 1, 3, …, 11 of a half-band sinc, windowed; the centre tap is 0.5.
    let taps: Vec<f32> = (0..=HALF / 2)
        .map(|j| {
            let k = (2 * j + 1) as f64;
            let sinc = (std::f64::consts::PI * 0.5 * k).sin() / (std::f64::consts::PI * k);
            let pos = k + HALF as f64; // position in a 2·HALF+1 window
            let len = (2 * HALF) as f64;
            let w = 0.42 - 0.5 * (2.0 * std::f64::consts::PI * pos / len).cos()
                + 0.08 * (4.0 * std::f64::consts::PI * pos / len).cos();
            (sinc * w) as f32
        })
        .collect();
    let norm = (0.5 + 2.0 * taps.iter().sum::<f32>()) / scale;
    let taps: Vec<f32> = taps.iter().map(|t| t / norm).collect();
    let centre = 0.5 / norm;
    let len = channels.first().map_or(0, |c| c.len());
    let outputs = len / 2;
    let mut out = vec![0.0f32; outputs];
    let fill = |first: usize, dst: &mut [f32]| {
        for x in channels {
            let at = |i: isize| -> f32 {
                if i < 0 || i as usize >= x.len() {
                    0.0
                } else {
                    x[i as usize]
                }
            };
            for (o, y) in dst.iter_mut().enumerate() {
                let c = 2 * (first + o);
                let mut acc = centre * x[c];
                if c >= HALF && c + HALF < x.len() {
                    for (j, t) in taps.iter().enumerate() {
                        let k = 2 * j + 1;
                        acc += t * (x[c - k] + x[c + k]);
                    }
                } else {
                    for (j, t) in taps.iter().enumerate() {
                        let k = (2 * j + 1) as isize;
                        acc += t * (at(c as isize - k) + at(c as isize + k));
                    }
                }
                *y += acc;
            }
        }
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    if workers == 1 || outputs < 1 << 16 {
        fill(0, &mut out);
    } else {
        let per = outputs.div_ceil(workers);
        std::thread::scope(|scope| {
            for (i, dst) in out.chunks_mut(per).enumerate() {
                let fill = &fill;
                scope.spawn(move || fill(i * per, dst));
            }
        });
    }
    out
}

/// Magnitude spectra of Hann-windowed frames.
pub struct Spectrogram {
    /// Frames × (size/2 + 1) magnitudes.
    pub mags: Vec<Vec<f32>>,
    /// Sample rate of the analysed signal.
    pub rate: u32,
    /// FFT size.
    pub size: usize,
    /// Hop between frames in samples.
    pub hop: usize,
}

impl Spectrogram {
    /// Transforms `signal` with frames of `size` samples every `hop` samples.
    pub fn compute(signal: &[f32], rate: u32, size: usize, hop: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let fft = planner.plan_fft_forward(size);
        let window: Vec<f32> = (0..size)
            .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / size as f32).cos())
            .collect();
        let frames = if signal.len() >= size {
            (signal.len() - size) / hop + 1
        } else {
            0
        };
        // Frames are independent: split them across the machine's cores (at most 4).
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let per = frames.div_ceil(workers).max(1);
        let transform = |range: std::ops::Range<usize>| -> Vec<Vec<f32>> {
            let mut input = fft.make_input_vec();
            let mut output = fft.make_output_vec();
            let mut scratch = fft.make_scratch_vec();
            let mut out = Vec::with_capacity(range.len());
            for f in range {
                let start = f * hop;
                for ((dst, s), w) in input
                    .iter_mut()
                    .zip(&signal[start..start + size])
                    .zip(&window)
                {
                    *dst = s * w;
                }
                if fft
                    .process_with_scratch(&mut input, &mut output, &mut scratch)
                    .is_err()
                {
                    break;
                }
                out.push(output.iter().map(|c| c.norm_sqr().sqrt()).collect());
            }
            out
        };
        let mags: Vec<Vec<f32>> = if workers == 1 || frames < 64 {
            transform(0..frames)
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..frames)
                    .step_by(per)
                    .map(|lo| {
                        let hi = (lo + per).min(frames);
                        let t = &transform;
                        scope.spawn(move || t(lo..hi))
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        };
        Spectrogram {
            mags,
            rate,
            size,
            hop,
        }
    }

    /// Frames per second.
    pub fn frames_per_second(&self) -> f64 {
        f64::from(self.rate) / self.hop as f64
    }

    /// The time in seconds frame `f` stands for: its window's centre (a frame starting at
    /// `f · hop` hears most of what happens half a window later).
    pub fn frame_time(&self, f: usize) -> f64 {
        (f as f64 * self.hop as f64 + self.size as f64 / 2.0) / f64::from(self.rate)
    }

    /// Frequency of bin `k` in Hz.
    pub fn bin_hz(&self, k: usize) -> f64 {
        k as f64 * f64::from(self.rate) / self.size as f64
    }

    /// Number of frequency bins.
    pub fn bins(&self) -> usize {
        self.size / 2 + 1
    }
}

/// A long-term average spectrum on logarithmically spaced bands, for display.
#[derive(Debug, Clone, PartialEq)]
pub struct LogSpectrum {
    /// Centre frequency of each band in Hz (geometric mean of its edges).
    pub hz: Vec<f32>,
    /// Level of each band in dB relative to a full-scale sine: the strongest bin of the band in
    /// the frames' mean power (−120 at the floor).
    pub db: Vec<f32>,
}

/// The average magnitude spectrum of `audio` (mixed to mono) on `bands` log-spaced bands from
/// `lo_hz` to the Nyquist frequency of the analysis rate (about 11 kHz), from 4096-point
/// Hann-windowed frames. A full-scale sine reads about 0 dB in its band.
pub fn log_spectrum(
    audio: &AudioBuffer,
    bands: usize,
    lo_hz: f32,
) -> Result<LogSpectrum, AudioError> {
    if bands == 0 || bands > 4096 || lo_hz.is_nan() || lo_hz <= 0.0 {
        return Err(AudioError::Invalid(format!(
            "a spectrum needs 1–4096 bands from a positive frequency, not {bands} from {lo_hz} Hz"
        )));
    }
    let (mut mono, rate) = mono_for_analysis(audio)?;
    const SIZE: usize = 4096;
    if mono.len() < SIZE {
        mono.resize(SIZE, 0.0);
    }
    let spec = Spectrogram::compute(&mono, rate, SIZE, SIZE / 2);
    let bins = spec.bins();
    let mut power = vec![0.0f64; bins];
    for frame in &spec.mags {
        for (p, m) in power.iter_mut().zip(frame) {
            *p += f64::from(*m) * f64::from(*m);
        }
    }
    // A sine of amplitude A peaks at A·N/4 through a Hann window.
    let full = (SIZE as f64 / 4.0).powi(2) * spec.mags.len().max(1) as f64;
    let nyquist = f64::from(rate) / 2.0;
    let lo = f64::from(lo_hz).min(nyquist / 2.0);
    let ratio = (nyquist / lo).powf(1.0 / bands as f64);
    let bin_of = |hz: f64| hz * SIZE as f64 / f64::from(rate);
    let mut hz = Vec::with_capacity(bands);
    let mut db = Vec::with_capacity(bands);
    for b in 0..bands {
        let (f0, f1) = (lo * ratio.powi(b as i32), lo * ratio.powi(b as i32 + 1));
        // Bands narrower than a bin read the nearest bin.
        let k0 = (bin_of(f0).round() as usize).min(bins - 1);
        let k1 = (bin_of(f1).round() as usize).clamp(k0 + 1, bins);
        let p = power[k0..k1].iter().fold(0.0f64, |a, &x| a.max(x)) / full;
        hz.push((f0 * f1).sqrt() as f32);
        db.push(if p > 1e-12 {
            (10.0 * p.log10()) as f32
        } else {
            -120.0
        });
    }
    Ok(LogSpectrum { hz, db })
}

#[cfg(test)]
mod log_spectrum_tests {
    use super::*;

    #[test]
    fn a_sine_peaks_in_its_band_near_full_scale_and_nowhere_else() {
        let rate = 44_100;
        let tone: Vec<f32> = (0..rate * 2)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / rate as f32).sin())
            .collect();
        let audio = AudioBuffer::new(rate as u32, vec![tone]).unwrap_or_else(|e| panic!("{e}"));
        let s = log_spectrum(&audio, 64, 30.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.hz.len(), s.db.len()), (64, 64));
        assert!(s.hz.windows(2).all(|w| w[1] > w[0]));
        let (best, level) =
            s.db.iter()
                .enumerate()
                .fold((0, f32::MIN), |a, (i, &d)| if d > a.1 { (i, d) } else { a });
        assert!(
            (s.hz[best] / 1000.0 - 1.0).abs() < 0.1,
            "peak at {} Hz",
            s.hz[best]
        );
        // Amplitude 0.5 is −6 dB.
        assert!((level + 6.0).abs() < 1.5, "{level} dB");
        // Two octaves away the level is far down.
        let far = s.hz.iter().position(|h| *h > 4000.0).unwrap_or(0);
        assert!(
            s.db[far] < level - 40.0,
            "{} dB at {} Hz",
            s.db[far],
            s.hz[far]
        );
        assert!(log_spectrum(&audio, 0, 30.0).is_err());
    }
}
