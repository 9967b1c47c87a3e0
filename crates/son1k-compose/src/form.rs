//! Song form: which sections, how long, how much energy.

use serde::{Deserialize, Serialize};

/// A kind of section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum SectionKind {
    Intro,
    Verse,
    PreChorus,
    Chorus,
    Bridge,
    Breakdown,
    Outro,
}

impl SectionKind {
    /// Lower-case id.
    pub fn id(self) -> &'static str {
        match self {
            SectionKind::Intro => "intro",
            SectionKind::Verse => "verse",
            SectionKind::PreChorus => "pre-chorus",
            SectionKind::Chorus => "chorus",
            SectionKind::Bridge => "bridge",
            SectionKind::Breakdown => "breakdown",
            SectionKind::Outro => "outro",
        }
    }

    /// The section's place on the energy arc (0 quiet … 1 full).
    pub fn base_energy(self) -> f32 {
        match self {
            SectionKind::Intro => 0.3,
            SectionKind::Verse => 0.5,
            SectionKind::PreChorus => 0.65,
            SectionKind::Chorus => 0.88,
            SectionKind::Bridge => 0.5,
            SectionKind::Breakdown => 0.35,
            SectionKind::Outro => 0.32,
        }
    }
}

/// A planned section, in bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannedSection {
    /// Kind.
    pub kind: SectionKind,
    /// Length in bars.
    pub bars: u32,
    /// Energy 0–1.
    pub energy: f32,
}

/// Lays out `total_bars` bars as a song form. `rareza` (0–1) departs from the usual form:
/// above 0.5 the pre-chorus gives way to a breakdown, above 0.8 the song opens on its chorus.
pub fn plan(total_bars: u32, rareza: f32) -> Vec<PlannedSection> {
    use SectionKind::*;
    let total = total_bars.max(2);
    // (kind, relative weight); the biggest form whose minimum fits is used.
    let full: &[(SectionKind, u32)] = &[
        (Intro, 8),
        (Verse, 16),
        (PreChorus, 8),
        (Chorus, 16),
        (Verse, 16),
        (PreChorus, 8),
        (Chorus, 16),
        (Bridge, 8),
        (Chorus, 16),
        (Outro, 8),
    ];
    let medium: &[(SectionKind, u32)] = &[
        (Intro, 4),
        (Verse, 8),
        (Chorus, 8),
        (Verse, 8),
        (Chorus, 8),
        (Outro, 4),
    ];
    let short: &[(SectionKind, u32)] = &[(Intro, 2), (Verse, 4), (Chorus, 4)];
    let tiny: &[(SectionKind, u32)] = &[(Verse, 1), (Chorus, 1)];
    let mut template: Vec<(SectionKind, u32)> = if total >= 72 {
        full.to_vec()
    } else if total >= 28 {
        medium.to_vec()
    } else if total >= 8 {
        short.to_vec()
    } else {
        tiny.to_vec()
    };
    if rareza > 0.5 {
        for s in template.iter_mut() {
            if s.0 == PreChorus {
                s.0 = Breakdown;
            }
        }
    }
    if rareza > 0.8 && template.len() > 2 {
        // Open on the hook.
        if let Some(first) = template.iter_mut().find(|s| s.0 == Verse) {
            first.0 = Chorus;
        }
    }
    let weight: u32 = template.iter().map(|s| s.1).sum();
    // Each section gets its share, in whole bars (even bars where there is room).
    let unit = if total >= 16 { 2 } else { 1 };
    let mut bars: Vec<u32> = template
        .iter()
        .map(|s| {
            let share = (s.1 as f64 * total as f64 / weight as f64 / unit as f64).floor() as u32;
            (share * unit).max(1)
        })
        .collect();
    let mut sum: u32 = bars.iter().sum();
    // Hand out what is left (or take back the excess) from the choruses outwards.
    let order: Vec<usize> = {
        let mut idx: Vec<usize> = (0..template.len()).collect();
        idx.sort_by_key(|&i| match template[i].0 {
            Chorus => 0,
            Verse => 1,
            _ => 2,
        });
        idx
    };
    let mut k = 0;
    while sum < total {
        let i = order[k % order.len()];
        let add = unit.min(total - sum);
        bars[i] += add;
        sum += add;
        k += 1;
    }
    k = 0;
    while sum > total {
        let i = order[order.len() - 1 - (k % order.len())];
        if bars[i] > 1 {
            bars[i] -= 1;
            sum -= 1;
        }
        k += 1;
        if k > 10_000 {
            break;
        }
    }
    let chorus_count = template.iter().filter(|s| s.0 == Chorus).count();
    let mut chorus_seen = 0;
    template
        .iter()
        .zip(bars)
        .map(|(&(kind, _), bars)| {
            let mut energy = kind.base_energy();
            if kind == Chorus {
                chorus_seen += 1;
                if chorus_seen == chorus_count && chorus_count > 1 {
                    energy = 1.0;
                }
            }
            PlannedSection { kind, bars, energy }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_fill_exactly_the_bars_asked_for() {
        for total in [2, 3, 5, 8, 10, 13, 27, 28, 40, 64, 71, 72, 90, 150] {
            for r in [0.0, 0.6, 0.9] {
                let p = plan(total, r);
                assert_eq!(p.iter().map(|s| s.bars).sum::<u32>(), total, "{total} {r}");
                assert!(p.iter().all(|s| s.bars >= 1));
                assert!(p.iter().any(|s| s.kind == SectionKind::Chorus));
            }
        }
    }

    #[test]
    fn long_songs_have_a_full_form_and_an_energy_arc() {
        let p = plan(96, 0.0);
        let kinds: Vec<SectionKind> = p.iter().map(|s| s.kind).collect();
        assert_eq!(kinds.first(), Some(&SectionKind::Intro));
        assert_eq!(kinds.last(), Some(&SectionKind::Outro));
        assert!(kinds.contains(&SectionKind::PreChorus) && kinds.contains(&SectionKind::Bridge));
        let last_chorus = p.iter().rfind(|s| s.kind == SectionKind::Chorus).unwrap();
        assert!(p.iter().all(|s| s.energy <= last_chorus.energy));
        let odd = plan(96, 0.9);
        assert!(!odd.iter().any(|s| s.kind == SectionKind::PreChorus));
        assert_ne!(odd[1].kind, SectionKind::Verse);
    }
}
