//! The mono mixdown and the short-time Fourier transform every extractor shares.

use realfft::RealFftPlanner;
use son1k_audio::{AudioBuffer, AudioError};

/// Mixes to mono and resamples to `rate`.
pub fn mono_at(audio: &AudioBuffer, rate: u32) -> Result<Vec<f32>, AudioError> {
    let mono = audio.with_channels(1)?;
    let mono = if mono.sample_rate == rate {
        mono
    } else {
        son1k_audio::resample(&mono, rate)?
    };
    Ok(mono.channels.into_iter().next().unwrap_or_default())
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
        let mut input = fft.make_input_vec();
        let mut output = fft.make_output_vec();
        let mut scratch = fft.make_scratch_vec();
        let frames = if signal.len() >= size {
            (signal.len() - size) / hop + 1
        } else {
            0
        };
        let mut mags = Vec::with_capacity(frames);
        for f in 0..frames {
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
            mags.push(output.iter().map(|c| c.norm()).collect());
        }
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
