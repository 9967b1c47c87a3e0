//! The sung melody: lyric lines placed in the form and their syllables set to notes.

use super::Ctx;
use crate::form::{PlannedSection, SectionKind};
use crate::lyrics::{LyricSection, Syllable};
use crate::rng::Rng;
use crate::score::{Note, SectionSpan, SungPhones, SungSyllable};
use crate::theory;

/// One lyric line placed in the form: its syllables, first beat and length in bars.
#[derive(Debug, Clone)]
pub(super) struct LinePlan {
    syllables: Vec<Syllable>,
    start_bar: u32,
    bars: u32,
    kind: SectionKind,
}

fn line_bars(n: usize) -> u32 {
    if n <= 12 {
        2
    } else {
        4
    }
}

/// Sections from tagged lyrics: an instrumental intro and outro around the sung sections, and
/// `extra` more instrumental bars where a longer song was asked for: up to 4 more bars of
/// intro, then half of the rest as an instrumental break before the last chorus (or the last
/// section), the other half on the outro.
pub(super) fn plan_from_lyrics(
    sections: &[LyricSection],
    extra: u32,
) -> (Vec<PlannedSection>, Vec<LinePlan>) {
    let mut planned = Vec::new();
    let mut lines = Vec::new();
    let mut bar = 0u32;
    let own_intro = sections
        .first()
        .is_some_and(|s| s.kind == SectionKind::Intro);
    let intro_extra = if own_intro { 0 } else { extra.min(4) };
    let rest = extra - intro_extra;
    let mut break_bars = if rest >= 4 && sections.len() >= 2 {
        rest / 2
    } else {
        0
    };
    let outro_extra = rest - break_bars;
    // The break goes before the last chorus, else before the last section.
    let break_at = sections
        .iter()
        .rposition(|s| s.kind == SectionKind::Chorus)
        .filter(|&i| i > 0)
        .unwrap_or(sections.len().saturating_sub(1));
    if !own_intro {
        planned.push(PlannedSection {
            kind: SectionKind::Intro,
            bars: 4 + intro_extra,
            energy: SectionKind::Intro.base_energy(),
        });
        bar += 4 + intro_extra;
    }
    let chorus_count = sections
        .iter()
        .filter(|s| s.kind == SectionKind::Chorus)
        .count();
    let mut chorus_seen = 0;
    for (si, s) in sections.iter().enumerate() {
        if si == break_at && break_bars > 0 {
            planned.push(PlannedSection {
                kind: SectionKind::Breakdown,
                bars: break_bars,
                energy: SectionKind::Breakdown.base_energy(),
            });
            bar += break_bars;
            break_bars = 0;
        }
        let mut bars = 0;
        for l in &s.lines {
            let b = line_bars(l.len());
            lines.push(LinePlan {
                syllables: l.clone(),
                start_bar: bar + bars,
                bars: b,
                kind: s.kind,
            });
            bars += b;
        }
        let bars = bars.max(4).div_ceil(2) * 2;
        let mut energy = s.kind.base_energy();
        if s.kind == SectionKind::Chorus {
            chorus_seen += 1;
            if chorus_seen == chorus_count && chorus_count > 1 {
                energy = 1.0;
            }
        }
        planned.push(PlannedSection {
            kind: s.kind,
            bars,
            energy,
        });
        bar += bars;
    }
    if sections.last().is_none_or(|s| s.kind != SectionKind::Outro) {
        planned.push(PlannedSection {
            kind: SectionKind::Outro,
            bars: 4 + outro_extra + break_bars,
            energy: SectionKind::Outro.base_energy(),
        });
    } else if let Some(last) = planned.last_mut() {
        last.bars += outro_extra + break_bars;
    }
    (planned, lines)
}

/// The MIDI note of the song's tonic in the vocal register: the tonic pitch class placed in
/// F3 (53) … E4 (64).
pub(super) fn vocal_tonic(tonic_pc: i32) -> i32 {
    let t = 48 + tonic_pc.rem_euclid(12);
    if t < 53 {
        t + 12
    } else {
        t
    }
}

/// Whether `pitch` is in the song's scale: the mode's seven notes, and in minor also the raised
/// seventh (harmonic minor's leading tone).
pub(super) fn sung_in_scale(mode: son1k_core::Mode, tonic_pc: i32, pitch: i32) -> bool {
    let step = (pitch - tonic_pc).rem_euclid(12);
    theory::scale(mode).contains(&step) || (mode == son1k_core::Mode::Minor && step == 11)
}

fn section_at<'a>(ctx: &Ctx<'a>, beat: f64) -> &'a SectionSpan {
    let i = ctx.sections.partition_point(|s| s.start <= beat + 1e-9);
    &ctx.sections[i.saturating_sub(1)]
}

/// Places each line's syllables on an eighth (or sixteenth) grid with stressed syllables on strong
/// beats, and picks pitches: stressed syllables on chord tones, line ends on stable degrees.
pub(super) fn sung_melody(ctx: &Ctx, lines: &[LinePlan]) -> (Vec<Note>, Vec<SungSyllable>) {
    let mut rng = Rng::stream(ctx.seed, "vocal");
    let mode = ctx.brief.key.mode;
    // The tonic in the vocal register (F3…E4): the melody spans about a tenth around it.
    let tonic = vocal_tonic(ctx.tonic());
    let in_scale = |p: i32| sung_in_scale(mode, ctx.tonic(), p);
    let mut notes = Vec::new();
    let mut sung = Vec::new();
    let mut contours: Vec<(SectionKind, Vec<i32>)> = Vec::new();
    for line in lines {
        let n = line.syllables.len();
        if n == 0 {
            continue;
        }
        let beats = line.bars as f64 * 4.0;
        let grid = if n as f64 <= beats * 2.0 * 0.8 {
            0.5
        } else {
            0.25
        };
        let slots = (beats / grid) as usize;
        let usable = slots.saturating_sub((1.0 / grid) as usize).max(n);
        let strong_every = (2.0 / grid) as usize; // beats 1 and 3
        let beat_every = (1.0 / grid) as usize;
        // Even spread, then pull stressed syllables onto strong positions keeping order.
        let mut pos: Vec<usize> = (0..n).map(|i| i * usable / n).collect();
        for i in 0..n {
            if !line.syllables[i].stressed {
                continue;
            }
            let lo = if i == 0 { 0 } else { pos[i - 1] + 1 };
            let hi = if i + 1 == n { usable } else { pos[i + 1] - 1 };
            let best = (lo..=hi.max(lo))
                .filter(|p| p % beat_every == 0)
                .min_by_key(|p| {
                    let strong_bonus = if p % strong_every == 0 { 0 } else { 1 };
                    (p.abs_diff(pos[i]) * 2 + strong_bonus, *p)
                });
            if let Some(b) = best {
                pos[i] = b;
            }
        }
        // Contour per section kind: choruses sit higher.
        let base = match line.kind {
            SectionKind::Chorus => 4,
            SectionKind::Bridge => 3,
            _ => 1,
        };
        let contour = match contours.iter().find(|c| c.0 == line.kind) {
            Some(c) => c.1.clone(),
            None => {
                let c: Vec<i32> = (0..16)
                    .map(|_| match rng.below(6) {
                        0 | 1 => 1,
                        2 | 3 => -1,
                        4 => 0,
                        _ => 2,
                    })
                    .collect();
                contours.push((line.kind, c.clone()));
                c
            }
        };
        let line_start = line.start_bar as f64 * 4.0;
        let mut degree = base;
        for i in 0..n {
            let t = line_start + pos[i] as f64 * grid;
            let next_t = if i + 1 < n {
                line_start + pos[i + 1] as f64 * grid
            } else {
                line_start + beats - 0.5
            };
            let dur = (next_t - t).clamp(grid * 0.9, 2.0) * 0.95;
            degree = (degree + contour[i % contour.len()]).clamp(base - 3, base + 5);
            let mut pitch = theory::degree_to_midi(mode, tonic, degree);
            let syl = &line.syllables[i];
            if syl.stressed || i + 1 == n {
                let chord = ctx.chord_at(t);
                let pcs = if i + 1 == n {
                    vec![ctx.tonic() as u8, chord.root_pc(ctx.brief.key)]
                } else {
                    chord.pitch_classes(ctx.brief.key)
                };
                // Chord tones outside the scale (borrowed chords) are not sung.
                pitch = pcs
                    .iter()
                    .map(|pc| theory::nearest(*pc, pitch))
                    .filter(|p| in_scale(*p))
                    .min_by_key(|p| (p - pitch).abs())
                    .unwrap_or(pitch);
            }
            let section_energy = section_at(ctx, t).energy;
            let vel = ctx.vel(
                section_energy.max(0.6),
                if syl.stressed { 1.0 } else { 0.78 },
                &mut rng,
            );
            notes.push(Note {
                start: t,
                dur,
                pitch: pitch.clamp(0, 127) as u8,
                vel,
                vowel: Some(syl.vowel),
                phones: Some(SungPhones::new(&syl.onset, &syl.nucleus, &syl.coda)),
            });
            sung.push(SungSyllable {
                text: syl.text.clone(),
                start: t,
                pitch: pitch.clamp(0, 127) as u8,
                stressed: syl.stressed,
            });
        }
    }
    (notes, sung)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::brief::resolve;
    use crate::score::Role;
    use son1k_core::{GenerationRequest, Mode};
    use son1k_text::Phone;

    const LYRIC: &str = "[Verse]\nCamino solo por la ciudad\nBuscando tu voz en la oscuridad\n[Chorus]\nVuelve a mí, corazón\nQue la noche es canción\n";

    #[test]
    fn every_sung_note_is_in_the_songs_scale() {
        let mut checked = 0;
        for (i, key) in [
            "C major", "A minor", "F# major", "Eb minor", "G major", "B minor", "E minor",
            "Bb major",
        ]
        .iter()
        .enumerate()
        {
            for rareza in [0u8, 90] {
                let mut req = GenerationRequest::new(format!("pop ballad in {key}"));
                req.seed = 11 + i as u64;
                req.knobs.rareza = son1k_core::KnobValue::saturating(i32::from(rareza));
                req.lyrics = Some(LYRIC.into());
                let brief = resolve(&req);
                let s = crate::compose::compose(&brief, &req);
                assert_eq!(s.key.to_string(), brief.key.to_string());
                let tonic = s.key.tonic.semitone() as i32;
                let vocal = s.parts.iter().find(|p| p.role == Role::Vocal).unwrap();
                assert!(!vocal.notes.is_empty());
                // Each note carries its syllable's phonemes: "Ca-mi-no" starts k | a.
                let first = vocal.notes[0].phones.unwrap();
                assert_eq!(
                    (first.onset(), first.nucleus()),
                    (&[Phone::K][..], &[Phone::A][..])
                );
                assert!(vocal
                    .notes
                    .iter()
                    .all(|n| n.phones.is_some_and(|p| !p.nucleus().is_empty())));
                for n in &vocal.notes {
                    assert!(
                        sung_in_scale(s.key.mode, tonic, n.pitch as i32),
                        "{key} (rareza {rareza}): sung MIDI {} is outside the scale",
                        n.pitch
                    );
                    assert!(
                        (45..=84).contains(&n.pitch),
                        "{key}: {} out of range",
                        n.pitch
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 200);
        // The scale test itself: C major has no C#, A minor allows G# (raised 7th) but not C#.
        assert!(!sung_in_scale(Mode::Major, 0, 61));
        assert!(sung_in_scale(Mode::Minor, 9, 68));
        assert!(!sung_in_scale(Mode::Minor, 9, 61));
        assert_eq!(vocal_tonic(0), 60);
        assert_eq!(vocal_tonic(9), 57);
    }
}

#[cfg(test)]
mod length_tests {
    #![allow(clippy::unwrap_used)]
    use crate::brief::resolve;
    use crate::compose::{check_lyric_fits, compose, lyric_seconds};
    use crate::form::SectionKind;
    use crate::score::Role;
    use son1k_core::GenerationRequest;

    const LYRIC: &str = "[Verse]\nCamino solo por la ciudad\nBuscando tu voz en la oscuridad\n[Chorus]\nVuelve a mí, corazón\nQue la noche es canción\n";

    fn req(f: impl FnOnce(&mut GenerationRequest)) -> GenerationRequest {
        let mut r = GenerationRequest::new("balada pop en do mayor a 120 bpm");
        r.seed = 3;
        r.lyrics = Some(LYRIC.into());
        f(&mut r);
        r
    }

    #[test]
    fn seconds_with_lyrics_are_honoured_or_refused() {
        // No length asked: the lyric sets it (4 intro + 8 verse + 4 chorus + 4 outro bars).
        let r = req(|_| {});
        let b = resolve(&r);
        let free = compose(&b, &r);
        let need = lyric_seconds(&b, &r).unwrap();
        assert!(
            (free.seconds - need).abs() < 1e-9,
            "{} vs {need}",
            free.seconds
        );
        // A longer length asked: exactly that long, filled with instrumental bars.
        let r = req(|r| r.duration_secs = Some(60.0));
        let b = resolve(&r);
        check_lyric_fits(&b, &r).unwrap();
        let s = compose(&b, &r);
        assert_eq!(s.seconds, 60.0);
        let music = s.time_of(s.total_beats);
        assert!(music > 55.0 && music <= 60.0, "{music}");
        assert!(s.sections.iter().any(|x| x.kind == SectionKind::Breakdown));
        let vocal = s.parts.iter().find(|p| p.role == Role::Vocal).unwrap();
        let free_vocal = free.parts.iter().find(|p| p.role == Role::Vocal).unwrap();
        assert_eq!(
            vocal.notes.len(),
            free_vocal.notes.len(),
            "every syllable sung"
        );
        assert!(vocal
            .notes
            .iter()
            .all(|n| s.time_of(n.start + n.dur) <= 60.0));
        // Too short for the lyric: refused, saying how long it must be.
        let r = req(|r| r.duration_secs = Some(20.0));
        let e = check_lyric_fits(&resolve(&r), &r).unwrap_err();
        assert_eq!(e.field, "duration");
        assert!(
            e.to_string().contains(&format!("{}", need.ceil())),
            "{e} (needs {need})"
        );
    }

    #[test]
    fn instrumental_with_lyrics_keeps_the_form_and_sings_nothing() {
        let sung_req = req(|_| {});
        let sung = compose(&resolve(&sung_req), &sung_req);
        let r = req(|r| r.instrumental = true);
        r.validate().unwrap();
        let s = compose(&resolve(&r), &r);
        assert_eq!(s.sections, sung.sections, "the lyric's form");
        assert_eq!(s.seconds, sung.seconds);
        assert!(s.parts.iter().all(|p| p.role != Role::Vocal));
        assert!(s.syllables.is_empty());
        assert!(s
            .parts
            .iter()
            .any(|p| p.role == Role::Lead && !p.notes.is_empty()));
    }
}
