//! The procedural composer: [`compose`] plans the form and harmony and calls each part's
//! generator (drums, bass, keys, pad, lead and sung melody), which share the `Ctx` defined here.

mod arrange;
mod bass;
mod conform;
mod groove;
mod harmony;
mod keys;
mod lead;
mod melody;
mod percussion;
mod sounds;

use son1k_core::{GenerationRequest, ValidationError};

use crate::brief::Brief;
use crate::form::{self, SectionKind};
use crate::lyrics::{self, LyricSection};
use crate::rng::Rng;
use crate::score::{ChordSpan, Note, Part, Role, Score, SectionSpan};
use crate::style::Sound;
use crate::theory::Chord;

pub use arrange::unplayed;
use bass::bass;
pub use groove::drum;
use groove::{drums, perc};
use lead::lead;
use melody::{plan_from_lyrics, sung_melody};
use sounds::{bass_sound, lead_sound};

/// Seconds of ring-out after the last bar when the song's length is free.
const TAIL_SECONDS: f64 = 2.0;

/// The knob values as 0–1 factors.
#[derive(Debug, Clone, Copy)]
struct Feel {
    /// Expressivity (mood) 0 sad … 1 ecstatic.
    e: f32,
    /// Rareza 0 traditional … 1 radical.
    r: f32,
}

/// The song length the request asks for (a `--seconds` field or a length in the prompt), if any.
fn asked_seconds(brief: &Brief) -> Option<f64> {
    (brief.seconds_source != crate::brief::Source::Engine).then_some(brief.seconds as f64)
}

/// The shortest song, in seconds, that sings every line of the request's lyrics at the brief's
/// tempo (with the shortest intro and outro and the ring-out); `None` without lyrics.
pub fn lyric_seconds(brief: &Brief, req: &GenerationRequest) -> Option<f64> {
    let sections: Vec<LyricSection> = req.lyrics.as_deref().map(lyrics::parse)?;
    if sections.is_empty() {
        return None;
    }
    let bars: u32 = plan_from_lyrics(&sections, 0)
        .0
        .iter()
        .map(|s| s.bars)
        .sum();
    Some(bars as f64 * 240.0 / brief.bpm as f64 + TAIL_SECONDS)
}

/// Refuses a requested length the lyrics cannot fit in, saying how many seconds they need.
pub fn check_lyric_fits(brief: &Brief, req: &GenerationRequest) -> Result<(), ValidationError> {
    match (asked_seconds(brief), lyric_seconds(brief, req)) {
        (Some(asked), Some(need)) if asked + 1e-6 < need => Err(ValidationError::new(
            "duration",
            asked,
            format!(
                "the lyrics need at least {} seconds at {} BPM; ask for {} seconds or more, or leave the length out and the lyrics set it",
                need.ceil(),
                brief.bpm,
                need.ceil()
            ),
        )),
        _ => Ok(()),
    }
}

/// Composes the song a brief describes. Deterministic for the request's seed.
pub fn compose(brief: &Brief, req: &GenerationRequest) -> Score {
    let feel = Feel {
        e: brief.mood as f32 / 100.0,
        r: req.knobs.rareza.fraction(),
    };
    let params = brief.style.params();
    let bar_s = 240.0 / brief.bpm as f64;
    let lyric_sections: Vec<LyricSection> =
        req.lyrics.as_deref().map(lyrics::parse).unwrap_or_default();
    let sung = !lyric_sections.is_empty();

    // ---- Form ----
    // With lyrics: the lyric sets the length, unless a length was asked for; then instrumental
    // bars (a longer intro, a break, a longer outro) fill it (`generate` refuses a lyric that
    // does not fit: see `check_lyric_fits`).
    let (planned, line_plan, seconds) = if sung {
        let (p, lines) = plan_from_lyrics(&lyric_sections, 0);
        let bars: u32 = p.iter().map(|s| s.bars).sum();
        match asked_seconds(brief) {
            Some(secs) => {
                let tail = TAIL_SECONDS.min(secs * 0.15);
                let fit = ((secs - tail) / bar_s).floor().max(0.0) as u32;
                if fit > bars {
                    let (p, lines) = plan_from_lyrics(&lyric_sections, fit - bars);
                    (p, lines, secs)
                } else {
                    (p, lines, secs.max(bars as f64 * bar_s + tail))
                }
            }
            None => (p, lines, bars as f64 * bar_s + TAIL_SECONDS),
        }
    } else {
        let seconds = brief.seconds as f64;
        let tail = TAIL_SECONDS.min(seconds * 0.15);
        let bars = (((seconds - tail) / bar_s).floor() as u32).max(2);
        (form::plan(bars, feel.r), Vec::new(), seconds)
    };
    let mut sections = Vec::new();
    let mut labels: Vec<SectionKind> = Vec::new();
    let mut beat = 0.0;
    for s in &planned {
        if !labels.contains(&s.kind) {
            labels.push(s.kind);
        }
        let idx = labels.iter().position(|k| *k == s.kind).unwrap_or(0);
        let beats = s.bars as f64 * 4.0;
        sections.push(SectionSpan {
            kind: s.kind,
            label: ((b'A' + (idx as u8 % 26)) as char).to_string(),
            start: beat,
            beats,
            energy: s.energy,
        });
        beat += beats;
    }
    let total_beats = beat;

    // ---- Harmony ----
    let chords = harmony::plan(&planned, brief, &params, feel, req.seed);

    let chord_spans: Vec<ChordSpan> = chords
        .iter()
        .map(|(start, beats, c)| ChordSpan {
            start: *start,
            beats: *beats,
            symbol: c.symbol(brief.key),
            pitch_classes: c.pitch_classes(brief.key),
        })
        .collect();

    // ---- Parts ----
    let ctx = Ctx {
        brief,
        feel,
        sections: &sections,
        chords: &chords,
        total_beats,
        seed: req.seed,
    };
    let mut parts = Vec::new();
    parts.extend(drums(&ctx, params.groove, params.swing));
    parts.extend(perc(&ctx, params.groove, params.swing));
    parts.push(bass(&ctx, params.bass, bass_sound(&ctx, params.bass_sound)));
    let lead_sound = lead_sound(&ctx, params.lead);
    let bass_of = parts.iter().find(|p| p.role == Role::Bass).map(|p| p.sound);
    parts.extend(arrange::harmony(
        &ctx,
        &params,
        lead_sound,
        bass_of.unwrap_or(Sound::Drums),
    ));
    // An instrumental request with lyrics keeps the lyric's form and sings nothing.
    let (vocal, syllables) = if sung && !req.instrumental {
        let (notes, syl) = sung_melody(&ctx, &line_plan);
        (Some(notes), syl)
    } else {
        (None, Vec::new())
    };
    parts.push(lead(&ctx, lead_sound, sung && !req.instrumental));
    if let Some(notes) = vocal {
        parts.push(Part {
            name: "vocal".into(),
            role: Role::Vocal,
            sound: Sound::Voice,
            pan: 0.0,
            gain_db: -3.0,
            notes,
        });
    }
    if groove::builds_up(params.groove) {
        drop_before_choruses(&mut parts, &sections);
    }
    for p in parts.iter_mut() {
        conform::conform(p, &chords, brief.key, 4.0);
    }
    for p in parts.iter_mut() {
        p.notes
            .sort_by(|a, b| a.start.total_cmp(&b.start).then(a.pitch.cmp(&b.pitch)));
    }
    Score {
        bpm: brief.bpm,
        key: brief.key,
        beats_per_bar: 4,
        sections,
        chords: chord_spans,
        parts,
        syllables,
        total_beats,
        seconds,
    }
}

/// The drop: in the last beat before each chorus the rhythm section (drums, percussion, bass)
/// stops — notes there are removed and bass notes ringing into it are cut — so the chorus lands
/// on its downbeat out of silence. The build-up's snares end before it; harmony and the singer
/// go on (a pickup into the chorus stays).
fn drop_before_choruses(parts: &mut [Part], sections: &[SectionSpan]) {
    // Notes humanised a few milliseconds ahead of the chorus downbeat belong to the chorus.
    const EARLY: f64 = 0.1;
    let windows: Vec<(f64, f64)> = sections
        .windows(2)
        .filter(|w| w[1].kind == SectionKind::Chorus && w[0].kind != SectionKind::Chorus)
        .map(|w| (w[1].start - groove::DROP_BEATS, w[1].start - EARLY))
        .collect();
    for part in parts
        .iter_mut()
        .filter(|p| matches!(p.role, Role::Drums | Role::Bass))
    {
        part.notes
            .retain(|n| !windows.iter().any(|(a, b)| n.start >= *a && n.start < *b));
        if part.role == Role::Bass {
            for n in part.notes.iter_mut() {
                if let Some((a, _)) = windows
                    .iter()
                    .find(|(a, _)| n.start < *a && n.start + n.dur > *a)
                {
                    n.dur = (a - n.start).max(0.02);
                }
            }
        }
    }
}

struct Ctx<'a> {
    brief: &'a Brief,
    feel: Feel,
    sections: &'a [SectionSpan],
    chords: &'a [(f64, f64, Chord)],
    total_beats: f64,
    seed: u64,
}

impl Ctx<'_> {
    /// The chord sounding at `beat`.
    fn chord_at(&self, beat: f64) -> Chord {
        let i = self.chords.partition_point(|c| c.0 <= beat + 1e-9);
        self.chords[i.saturating_sub(1)].2
    }

    fn tonic(&self) -> i32 {
        self.brief.key.tonic.semitone() as i32
    }

    /// Timing humanisation in beats (a few milliseconds, more with Expressivity).
    fn humanize(&self, rng: &mut Rng) -> f64 {
        let ms = 2.0 + 8.0 * self.feel.e as f64;
        rng.signed() as f64 * ms / 1000.0 * self.brief.bpm as f64 / 60.0
    }

    /// Velocity for a section's energy with Expressivity's dynamics.
    fn vel(&self, energy: f32, accent: f32, rng: &mut Rng) -> f32 {
        let dynamics = 0.25 + 0.5 * self.feel.e; // how much energy changes loudness
        let base = 0.55 + 0.3 * self.feel.e;
        let v = base * (1.0 - dynamics * (1.0 - energy)) * accent;
        (v + rng.signed() * 0.04 * (0.5 + self.feel.e)).clamp(0.05, 1.0)
    }
}

fn push(notes: &mut Vec<Note>, start: f64, dur: f64, pitch: i32, vel: f32) {
    notes.push(Note {
        start: start.max(0.0),
        dur: dur.max(0.02),
        pitch: pitch.clamp(0, 127) as u8,
        vel,
        vowel: None,
        phones: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::resolve;
    use crate::score::SungSyllable;
    use crate::theory;
    use son1k_core::{KnobValue, Mode};

    fn score(prompt: &str, seed: u64, f: impl FnOnce(&mut GenerationRequest)) -> Score {
        let mut req = GenerationRequest::new(prompt);
        req.seed = seed;
        f(&mut req);
        compose(&resolve(&req), &req)
    }

    #[test]
    fn electronic_grooves_build_up_and_drop_into_the_chorus_and_rock_fills() {
        use groove::drum::{KICK, SNARE, TOM_HIGH, TOM_LOW};
        let entries = |s: &Score| -> Vec<f64> {
            s.sections
                .windows(2)
                .filter(|w| w[1].kind == SectionKind::Chorus && w[0].kind != SectionKind::Chorus)
                .map(|w| w[1].start)
                .collect()
        };
        let house = score("deep house 124 bpm in F# minor", 3, |r| {
            r.duration_secs = Some(90.0)
        });
        let choruses = entries(&house);
        assert!(!choruses.is_empty(), "{:?}", house.sections);
        let part = |s: &Score, role: Role| s.parts.iter().find(|p| p.role == role).cloned();
        let drums = part(&house, Role::Drums).unwrap();
        let bass = part(&house, Role::Bass).unwrap();
        for c in &choruses {
            // The build-up: at least eight snares in the bar before, rising in force.
            let snares: Vec<&Note> = drums
                .notes
                .iter()
                .filter(|n| n.pitch == SNARE && n.start >= c - 4.1 && n.start < c - 0.1)
                .collect();
            assert!(snares.len() >= 8, "{} snares before beat {c}", snares.len());
            assert!(snares.last().unwrap().vel > snares[0].vel * 1.5);
            // The drop: nothing of the rhythm section starts or rings in the last beat.
            for n in drums.notes.iter().chain(&bass.notes) {
                assert!(
                    !(n.start >= c - 1.0 && n.start < c - 0.1),
                    "a note at {} in the drop before {c}",
                    n.start
                );
            }
            for n in &bass.notes {
                assert!(n.start >= c - 0.1 || n.start + n.dur <= c - 1.0 + 1e-9);
            }
            // The chorus lands on its downbeat with the kick.
            assert!(drums
                .notes
                .iter()
                .any(|n| n.pitch == KICK && (n.start - c).abs() < 0.1));
        }
        // Rock keeps its fill through the toms, and no drop.
        let rock = score("rock 130 bpm in E minor", 3, |r| {
            r.duration_secs = Some(90.0)
        });
        let drums = part(&rock, Role::Drums).unwrap();
        let c = entries(&rock)[0];
        assert!(drums
            .notes
            .iter()
            .any(|n| matches!(n.pitch, TOM_HIGH | TOM_LOW) && n.start >= c - 2.1 && n.start < c));
        assert!(
            drums
                .notes
                .iter()
                .any(|n| n.pitch == KICK && n.start >= c - 1.0 && n.start < c - 0.1)
                || drums
                    .notes
                    .iter()
                    .any(|n| n.start >= c - 1.0 && n.start < c - 0.1)
        );
    }

    #[test]
    fn the_form_fills_the_requested_length() {
        let s = score("deep house 124 bpm in F# minor", 3, |r| {
            r.duration_secs = Some(20.0)
        });
        assert_eq!(s.seconds, 20.0);
        let music = s.time_of(s.total_beats);
        assert!(music <= 20.0 && music > 14.0, "{music}");
        for p in &s.parts {
            assert!(!p.notes.is_empty(), "{} is empty", p.name);
            assert!(p
                .notes
                .iter()
                .all(|n| s.time_of(n.start + n.dur) <= 20.0 + 1e-6 || n.start >= s.total_beats));
        }
    }

    #[test]
    fn pitched_parts_stay_in_key_without_rareza() {
        let s = score("pop song in A major", 7, |r| r.duration_secs = Some(60.0));
        let scale: Vec<u8> = theory::scale(Mode::Major)
            .iter()
            .map(|x| ((9 + x) % 12) as u8)
            .collect();
        let mut total = 0;
        let mut outside = 0;
        for p in s.parts.iter().filter(|p| p.role != Role::Drums) {
            for n in &p.notes {
                total += 1;
                if !scale.contains(&(n.pitch % 12)) {
                    outside += 1;
                }
            }
        }
        assert!(total > 100);
        assert!(
            (outside as f64) < total as f64 * 0.02,
            "{outside}/{total} notes outside A major"
        );
    }

    #[test]
    fn lyrics_shape_the_form_and_stressed_syllables_fall_on_beats() {
        let lyrics = "[Verse]\nCamino solo por la ciudad\nBuscando tu voz en la oscuridad\n[Chorus]\nVuelve a mí, corazón\nQue la noche es canción\n";
        let s = score("balada pop en do mayor a 90 bpm", 1, |r| {
            r.lyrics = Some(lyrics.into())
        });
        let kinds: Vec<SectionKind> = s.sections.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::Intro,
                SectionKind::Verse,
                SectionKind::Chorus,
                SectionKind::Outro
            ]
        );
        let vocal = s.parts.iter().find(|p| p.role == Role::Vocal).unwrap();
        let expected: usize = lyrics
            .lines()
            .filter(|l| !l.starts_with('['))
            .map(|l| lyrics::syllables(l, lyrics::LyricLang::Es).len())
            .sum();
        assert_eq!(vocal.notes.len(), expected, "one note per syllable");
        assert_eq!(s.syllables.len(), expected);
        let stressed: Vec<&SungSyllable> = s.syllables.iter().filter(|x| x.stressed).collect();
        let on_beat = stressed.iter().filter(|x| x.start.fract() == 0.0).count();
        assert!(
            on_beat * 10 >= stressed.len() * 8,
            "{on_beat}/{} stressed on beats",
            stressed.len()
        );
        // Sections start where the lyrics say: the chorus's first syllable is inside the chorus.
        let chorus = s
            .sections
            .iter()
            .find(|x| x.kind == SectionKind::Chorus)
            .unwrap();
        let vuel = s.syllables.iter().find(|x| x.text == "vuel").unwrap();
        assert!(vuel.start >= chorus.start && vuel.start < chorus.start + chorus.beats);
    }

    #[test]
    fn knobs_change_the_composition() {
        let density = |e: u8| {
            let s = score("pop 110 bpm in C major", 5, |r| {
                r.duration_secs = Some(60.0);
                r.knobs.expressivity = KnobValue::saturating(i32::from(e));
            });
            s.parts.iter().map(|p| p.notes.len()).sum::<usize>() as f64
        };
        assert!(
            density(95) > density(5) * 1.2,
            "{} vs {}",
            density(95),
            density(5)
        );
        let outside = |r: u8| {
            let s = score("pop 110 bpm in C major", 5, |q| {
                q.duration_secs = Some(60.0);
                q.knobs.rareza = KnobValue::saturating(i32::from(r));
            });
            let chords: std::collections::BTreeSet<String> =
                s.chords.iter().map(|c| c.symbol.clone()).collect();
            chords.len()
        };
        assert!(
            outside(100) > outside(0),
            "{} vs {}",
            outside(100),
            outside(0)
        );
    }

    #[test]
    fn different_seeds_give_different_songs_and_equal_seeds_equal_ones() {
        let a = score("funk in E minor", 1, |r| r.duration_secs = Some(30.0));
        let b = score("funk in E minor", 2, |r| r.duration_secs = Some(30.0));
        let a2 = score("funk in E minor", 1, |r| r.duration_secs = Some(30.0));
        assert_eq!(a, a2);
        assert_ne!(a.parts, b.parts);
    }
}
