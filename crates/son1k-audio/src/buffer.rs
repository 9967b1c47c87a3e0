//! Planar floating-point audio in memory.

use crate::AudioError;

/// Audio as one `Vec<f32>` per channel (planar), nominally in −1.0..=1.0, at `sample_rate`.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioBuffer {
    /// Frames per second.
    pub sample_rate: u32,
    /// One vector per channel, all the same length.
    pub channels: Vec<Vec<f32>>,
}

impl AudioBuffer {
    /// A silent buffer of `frames` frames.
    pub fn silent(sample_rate: u32, channels: usize, frames: usize) -> Self {
        AudioBuffer {
            sample_rate,
            channels: vec![vec![0.0; frames]; channels],
        }
    }

    /// Builds a buffer, checking that the rate is positive and every channel has the same length.
    pub fn new(sample_rate: u32, channels: Vec<Vec<f32>>) -> Result<Self, AudioError> {
        if sample_rate == 0 {
            return Err(AudioError::Invalid("sample rate must be above 0 Hz".into()));
        }
        if channels.is_empty() {
            return Err(AudioError::Invalid(
                "audio needs at least one channel".into(),
            ));
        }
        let n = channels[0].len();
        if channels.iter().any(|c| c.len() != n) {
            return Err(AudioError::Invalid(
                "every channel must have the same length".into(),
            ));
        }
        Ok(AudioBuffer {
            sample_rate,
            channels,
        })
    }

    /// Splits interleaved samples into planar channels.
    pub fn from_interleaved(
        sample_rate: u32,
        channels: usize,
        samples: &[f32],
    ) -> Result<Self, AudioError> {
        if channels == 0 {
            return Err(AudioError::Invalid(
                "audio needs at least one channel".into(),
            ));
        }
        let frames = samples.len() / channels;
        let mut out = vec![Vec::with_capacity(frames); channels];
        for frame in samples.chunks_exact(channels) {
            for (c, s) in frame.iter().enumerate() {
                out[c].push(*s);
            }
        }
        AudioBuffer::new(sample_rate, out)
    }

    /// Interleaves the channels (frame by frame).
    pub fn interleaved(&self) -> Vec<f32> {
        let n = self.frames();
        let ch = self.channel_count();
        let mut out = Vec::with_capacity(n * ch);
        for i in 0..n {
            for c in &self.channels {
                out.push(c[i]);
            }
        }
        out
    }

    /// Number of channels.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Number of frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// Duration in seconds.
    pub fn duration_secs(&self) -> f64 {
        self.frames() as f64 / f64::from(self.sample_rate)
    }

    /// Largest absolute sample value.
    pub fn peak(&self) -> f32 {
        self.channels
            .iter()
            .flat_map(|c| c.iter())
            .fold(0.0f32, |m, s| m.max(s.abs()))
    }

    /// Multiplies every sample by `gain` (linear).
    pub fn apply_gain(&mut self, gain: f32) {
        for c in &mut self.channels {
            for s in c.iter_mut() {
                *s *= gain;
            }
        }
    }

    /// Returns the audio with `target` channels. Mono to many copies the channel; many to mono
    /// averages; otherwise output channel `i` takes the average of the source channels `j` with
    /// `j % target == i` (downmix) or source channel `i % source` (upmix).
    pub fn with_channels(&self, target: usize) -> Result<AudioBuffer, AudioError> {
        let src = self.channel_count();
        if target == 0 || target > 32 {
            return Err(AudioError::Invalid(format!(
                "channel count must be 1–32, not {target}"
            )));
        }
        if target == src {
            return Ok(self.clone());
        }
        let n = self.frames();
        let channels = (0..target)
            .map(|i| {
                if target < src {
                    let group: Vec<&Vec<f32>> = self
                        .channels
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| j % target == i)
                        .map(|(_, c)| c)
                        .collect();
                    let scale = 1.0 / group.len() as f32;
                    (0..n)
                        .map(|f| group.iter().map(|c| c[f]).sum::<f32>() * scale)
                        .collect()
                } else {
                    self.channels[i % src].clone()
                }
            })
            .collect();
        AudioBuffer::new(self.sample_rate, channels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_round_trips() {
        let b = AudioBuffer::from_interleaved(48_000, 2, &[1.0, -1.0, 0.5, -0.5]).unwrap();
        assert_eq!(b.channels, vec![vec![1.0, 0.5], vec![-1.0, -0.5]]);
        assert_eq!(b.interleaved(), vec![1.0, -1.0, 0.5, -0.5]);
        assert_eq!(b.frames(), 2);
    }

    #[test]
    fn channel_mixing() {
        let st = AudioBuffer::new(44_100, vec![vec![1.0, 0.0], vec![0.0, 1.0]]).unwrap();
        assert_eq!(st.with_channels(1).unwrap().channels, vec![vec![0.5, 0.5]]);
        let mono = AudioBuffer::new(44_100, vec![vec![0.25, 0.5]]).unwrap();
        let up = mono.with_channels(2).unwrap();
        assert_eq!(up.channels[0], up.channels[1]);
        assert!(mono.with_channels(0).is_err());
        let quad = st.with_channels(4).unwrap();
        assert_eq!(quad.channels[2], st.channels[0]);
        assert_eq!(quad.with_channels(2).unwrap().channels, st.channels);
    }

    #[test]
    fn rejects_ragged_channels() {
        assert!(AudioBuffer::new(44_100, vec![vec![0.0; 3], vec![0.0; 2]]).is_err());
        assert!(AudioBuffer::new(0, vec![vec![0.0]]).is_err());
    }
}
