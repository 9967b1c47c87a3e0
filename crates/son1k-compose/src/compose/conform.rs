//! Fits the chord parts to the harmony note by note. The part generators may read the chord
//! once a bar; where a bar holds two chords (or a chord changes under a held note) this pass
//! moves each chord tone to the same function in the chord that sounds (root to root, third to
//! third), and splits held notes at the change. Notes that fit, and passing tones that belong
//! to neither chord, are left as they are.

use son1k_core::Key;

use super::harmony::Span;
use crate::score::{Note, Part, Role};
use crate::theory::{self, Chord};

/// How far after a note's start its chord is read (humanised notes start a little early).
const LOOK: f64 = 0.06;

fn chord_at(chords: &[Span], beat: f64) -> Option<&Span> {
    let i = chords.partition_point(|c| c.0 <= beat + 1e-9);
    chords.get(i.checked_sub(1)?)
}

/// The pitch that plays in `to` the role `pitch` played in `from` (None when it is not one of
/// `from`'s tones).
fn map(pitch: u8, from: &Chord, to: &Chord, key: Key) -> Option<u8> {
    let from_pcs = from.pitch_classes(key);
    let to_pcs = to.pitch_classes(key);
    let j = from_pcs.iter().position(|pc| *pc == pitch % 12)?;
    let pc = *to_pcs.get(j.min(to_pcs.len().checked_sub(1)?))?;
    Some(theory::nearest(pc, pitch as i32).clamp(0, 127) as u8)
}

/// Conforms a bass, keys or pad part to `chords` (sorted by start, 4 beats a bar).
pub(super) fn conform(part: &mut Part, chords: &[Span], key: Key, beats_per_bar: f64) {
    if !matches!(part.role, Role::Bass | Role::Keys | Role::Pad) || chords.is_empty() {
        return;
    }
    let mut out: Vec<Note> = Vec::with_capacity(part.notes.len());
    for n in part.notes.drain(..) {
        let mut note = n;
        let at = note.start + LOOK;
        let (Some(cur), Some(bar)) = (
            chord_at(chords, at),
            chord_at(chords, at.div_euclid(beats_per_bar) * beats_per_bar),
        ) else {
            out.push(note);
            continue;
        };
        let fits = |c: &Chord, p: u8| c.pitch_classes(key).contains(&(p % 12));
        if cur.2 != bar.2 && !fits(&cur.2, note.pitch) {
            if let Some(p) = map(note.pitch, &bar.2, &cur.2, key) {
                note.pitch = p;
            }
        }
        // Chord changes under the note: move with the harmony where it no longer fits.
        loop {
            let end = note.start + note.dur;
            let i = chords.partition_point(|c| c.0 <= note.start + LOOK + 1e-9);
            let own = chords[i.saturating_sub(1)].2;
            let clash = chords[i..]
                .iter()
                .enumerate()
                .take_while(|(_, c)| c.0 < end - 0.1)
                .find(|(_, c)| !fits(&c.2, note.pitch))
                .map(|(k, _)| i + k);
            let Some(k) = clash else {
                out.push(note);
                break;
            };
            let change = chords[k];
            let before = chords[k.saturating_sub(1)].2;
            let mapped = map(note.pitch, &before, &change.2, key)
                .or_else(|| map(note.pitch, &own, &change.2, key));
            let mut head = note;
            head.dur = (change.0 - note.start - 0.02).max(0.02);
            out.push(head);
            match mapped {
                Some(p) => {
                    note = Note {
                        start: change.0,
                        dur: end - change.0,
                        pitch: p,
                        vel: note.vel * 0.9,
                        ..note
                    };
                }
                None => break,
            }
        }
    }
    out.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
    out.dedup_by(|b, a| a.pitch == b.pitch && (a.start - b.start).abs() < 1e-6);
    part.notes = out;
}
