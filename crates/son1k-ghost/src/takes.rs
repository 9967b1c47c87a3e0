//! Putting a recorded region onto a track: a punch (or a comp) replaces what the track played
//! between two times and leaves the rest alone, with short crossfades at both edges so the
//! seams do not click.

use son1k_audio::mixdown::Clip;

/// The crossfade at each edge of a replaced region, seconds (centred on the edge).
pub const CROSSFADE: f64 = 0.01;

/// What a clip lasts on the timeline once its file length is known.
pub fn clip_end(clip: &Clip, file_seconds: f64) -> f64 {
    let plays = (file_seconds - clip.trim_start).max(0.0);
    clip.offset + clip.length.map_or(plays, |l| l.min(plays))
}

/// A clip of `file` that plays the part of it heard on the timeline between `a` and `b`,
/// where the file's second `file_at_a` sounds at `a`; widened by half a [`CROSSFADE`] on each
/// side where the file has audio there (`file_seconds` long), fading in and out over it.
pub fn region_clip(
    file: &std::path::Path,
    file_at_a: f64,
    file_seconds: f64,
    a: f64,
    b: f64,
) -> Clip {
    let h = CROSSFADE / 2.0;
    let before = h.min(file_at_a).min(a);
    let after = h.min((file_seconds - file_at_a - (b - a)).max(0.0));
    let mut c = Clip::whole(file, a - before);
    c.trim_start = file_at_a - before;
    c.length = Some((b - a) + before + after);
    c.fade_in = 2.0 * before;
    c.fade_out = 2.0 * after;
    c
}

/// `clips` with what they play between `a` and `b` replaced by `new` (built by
/// [`region_clip`]); `ends[i]` is where `clips[i]` ends on the timeline ([`clip_end`]). A clip
/// across an edge is cut half a [`CROSSFADE`] past it and fades out (or in) over the
/// crossfade; a clip wholly inside the region is dropped; everything outside the region plays
/// as before, sample for sample.
pub fn replace_region(clips: &[Clip], ends: &[f64], a: f64, b: f64, new: Clip) -> Vec<Clip> {
    let h = CROSSFADE / 2.0;
    let mut out = Vec::with_capacity(clips.len() + 2);
    for (c, &end) in clips.iter().zip(ends) {
        let start = c.offset;
        if end <= a - h || start >= b + h {
            out.push(c.clone());
            continue;
        }
        if start < a - h {
            // The part before the region, fading out across its edge.
            let mut left = c.clone();
            let len = (a + h) - start;
            left.length = Some(len);
            left.fade_out = CROSSFADE.min(len);
            left.fade_in = left.fade_in.min(len - left.fade_out);
            out.push(left);
        }
        if end > b + h {
            // The part after it, fading in across its edge.
            let mut right = c.clone();
            let cut = (b - h) - start;
            right.offset = b - h;
            right.trim_start = c.trim_start + cut;
            let len = end - (b - h);
            right.length = Some(len);
            right.fade_in = CROSSFADE.min(len);
            right.fade_out = right.fade_out.min(len - right.fade_in);
            out.push(right);
        }
    }
    out.push(new);
    out.sort_by(|x, y| x.offset.total_cmp(&y.offset));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_punch_cuts_around_the_region_and_keeps_the_rest() {
        let long = Clip::whole("a.wav", 0.0);
        let before = Clip {
            length: Some(1.0),
            ..Clip::whole("b.wav", 0.0)
        };
        let inside = Clip::whole("c.wav", 2.2);
        let clips = vec![long.clone(), before.clone(), inside];
        let ends = [10.0, 1.0, 2.5];
        let new = region_clip(std::path::Path::new("take.wav"), 3.0, 20.0, 2.0, 4.0);
        assert!((new.offset - 1.995).abs() < 1e-12 && (new.trim_start - 2.995).abs() < 1e-12);
        assert_eq!(new.length, Some(2.0 + CROSSFADE));
        let out = replace_region(&clips, &ends, 2.0, 4.0, new.clone());
        // before (untouched), long's left part, the take, long's right part; `inside` is gone.
        assert_eq!(out.len(), 4, "{out:#?}");
        assert!(out.contains(&before));
        let left = out.iter().find(|c| c.file == long.file && c.offset == 0.0);
        let right = out.iter().find(|c| c.file == long.file && c.offset > 0.0);
        let (Some(left), Some(right)) = (left, right) else {
            panic!("{out:#?}")
        };
        assert_eq!(left.length, Some(2.005));
        assert_eq!(left.fade_out, CROSSFADE);
        assert!((right.offset - 3.995).abs() < 1e-12);
        assert!((right.trim_start - 3.995).abs() < 1e-12);
        assert!((clip_end(right, 10.0) - 10.0).abs() < 1e-12);
        assert_eq!(right.fade_in, CROSSFADE);
        assert!(out.contains(&new));
    }

    #[test]
    fn a_region_at_the_files_edges_is_not_widened_past_them() {
        let c = region_clip(std::path::Path::new("t.wav"), 0.0, 1.0, 0.0, 1.0);
        assert_eq!((c.offset, c.trim_start, c.length), (0.0, 0.0, Some(1.0)));
        assert_eq!((c.fade_in, c.fade_out), (0.0, 0.0));
    }
}
