//! The one progress report of a long operation, from the engine that does the work to the pixel
//! that shows it: every engine's long call takes a `&mut dyn FnMut(Progress)`, the façade passes
//! it on (rescaling a part of the work into its share of the whole), and the desktop shell sends
//! it to the UI as `TaskProgress`.

use std::borrow::Cow;

use serde::Serialize;

/// How far a long operation has got: the share of the whole work done and what it is doing now.
///
/// `stage` is a short lowercase English id of the step (`composing`, `rendering drums`, `mixing`,
/// `encode`, `vocode`, `writing files`, `queued`, …): a static string for fixed steps (no
/// allocation), an owned one where the step names a part (`rendering drums`). Front ends translate
/// the ids they know and show the others as they are. It is a `Cow` rather than an enum because the
/// engines name their own steps, and the part a step works on is only known at run time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// Share of the whole operation done, 0–1 ([`Progress::new`] clamps it).
    pub fraction: f32,
    /// What the operation is doing now.
    pub stage: Cow<'static, str>,
}

impl Progress {
    /// `fraction` (clamped into 0–1; NaN reads as 0) done, now at `stage`.
    pub fn new(fraction: f32, stage: impl Into<Cow<'static, str>>) -> Self {
        let fraction = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        Progress {
            fraction,
            stage: stage.into(),
        }
    }

    /// This report of a part of the work mapped onto the part's share of the whole, from `start`
    /// to `end` (e.g. a song rendered between 10 % and 80 % of producing a backing).
    pub fn within(self, start: f32, end: f32) -> Self {
        Progress::new(start + (end - start) * self.fraction, self.stage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_clamped_and_parts_map_onto_their_share() {
        assert_eq!(Progress::new(1.5, "done").fraction, 1.0);
        assert_eq!(Progress::new(-0.1, "queued").fraction, 0.0);
        assert_eq!(Progress::new(f32::NAN, "queued").fraction, 0.0);
        let p = Progress::new(0.5, format!("rendering {}", "drums")).within(0.1, 0.8);
        assert!((p.fraction - 0.45).abs() < 1e-6);
        assert_eq!(p.stage, "rendering drums");
    }
}
