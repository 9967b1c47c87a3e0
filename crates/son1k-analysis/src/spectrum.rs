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

    /// Frequency of bin `k` in Hz.
    pub fn bin_hz(&self, k: usize) -> f64 {
        k as f64 * f64::from(self.rate) / self.size as f64
    }

    /// Number of frequency bins.
    pub fn bins(&self) -> usize {
        self.size / 2 + 1
    }
}
