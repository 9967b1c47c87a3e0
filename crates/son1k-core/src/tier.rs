//! The tier table: prices, generation limits, export quality and cloud storage.
//!
//! This is the only place the numbers live. The hosted API enforces them, the desktop app shows
//! them and the landing page renders its pricing table from [`Tier::table`].

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::ValidationError;

/// A subscription tier. The hosted API is the authority on which tier a user has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "UPPERCASE")]
pub enum Tier {
    /// Free: 3 generations per UTC day.
    Free,
    /// Creator: 50 generations per month.
    Creator,
    /// Pro: 200 generations per month.
    Pro,
    /// Studio: 1000 generations per month.
    Studio,
}

/// The window over which a tier's generation limit is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// A UTC calendar day.
    Day,
    /// A billing month.
    Month,
}

/// The UTC day holding `t` (Unix seconds) as `(start, end)`, end exclusive: the window of a
/// [`Period::Day`] limit, for the server that enforces it and the studio that counts offline.
pub fn utc_day(t: i64) -> (i64, i64) {
    let start = t - t.rem_euclid(86_400);
    (start, start + 86_400)
}

/// Export quality. Each tier allows a maximum quality.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    /// 44.1 kHz, 16-bit integer.
    #[default]
    Standard,
    /// 48 kHz, 24-bit integer.
    High,
    /// 96 kHz, 32-bit float, with stems.
    Ultra,
}

impl Quality {
    /// Every quality, lowest first.
    pub const ALL: [Quality; 3] = [Quality::Standard, Quality::High, Quality::Ultra];

    /// Sample rate of an export at this quality, in Hz.
    pub fn sample_rate(self) -> u32 {
        match self {
            Quality::Standard => 44_100,
            Quality::High => 48_000,
            Quality::Ultra => 96_000,
        }
    }

    /// Bits per sample of an export at this quality.
    pub fn bits_per_sample(self) -> u16 {
        match self {
            Quality::Standard => 16,
            Quality::High => 24,
            Quality::Ultra => 32,
        }
    }

    /// Whether samples are written as floating point (only `Ultra`).
    pub fn is_float(self) -> bool {
        self == Quality::Ultra
    }

    /// Whether stems are exported alongside the mix.
    pub fn has_stems(self) -> bool {
        self == Quality::Ultra
    }

    /// Lower-case name, as used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Quality::Standard => "standard",
            Quality::High => "high",
            Quality::Ultra => "ultra",
        }
    }

    /// Points a contributed pool item earns its contributor: standard 1, high 2, ultra 3.
    pub fn pool_points(self) -> u32 {
        match self {
            Quality::Standard => 1,
            Quality::High => 2,
            Quality::Ultra => 3,
        }
    }
}

impl FromStr for Quality {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "standard" | "estándar" | "estandar" => Ok(Quality::Standard),
            "high" | "alta" => Ok(Quality::High),
            "ultra" => Ok(Quality::Ultra),
            _ => Err(ValidationError::new(
                "quality",
                format!("{s:?}"),
                "quality must be standard, high or ultra",
            )),
        }
    }
}

/// Everything a tier grants, as one row of the pricing table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TierLimits {
    /// The tier this row describes.
    pub tier: Tier,
    /// Monthly price in US cents (FREE is 0).
    pub price_cents: u32,
    /// Generations allowed per [`TierLimits::period`].
    pub generations: u32,
    /// The window the generation limit is counted over.
    pub period: Period,
    /// The best export quality allowed.
    pub max_quality: Quality,
    /// Cloud storage in GiB; `None` means unlimited.
    pub storage_gb: Option<u32>,
}

impl TierLimits {
    /// Cloud storage in bytes; `None` means unlimited.
    pub fn storage_bytes(&self) -> Option<u64> {
        self.storage_gb.map(|gb| u64::from(gb) * 1024 * 1024 * 1024)
    }

    /// The price as dollars and cents, e.g. `$9.99` (FREE prints `$0`).
    pub fn price_label(&self) -> String {
        if self.price_cents == 0 {
            "$0".to_string()
        } else {
            format!("${}.{:02}", self.price_cents / 100, self.price_cents % 100)
        }
    }
}

impl Tier {
    /// Every tier, cheapest first.
    pub const ALL: [Tier; 4] = [Tier::Free, Tier::Creator, Tier::Pro, Tier::Studio];

    /// The tier's row of the table.
    pub fn limits(self) -> TierLimits {
        let (price_cents, generations, period, max_quality, storage_gb) = match self {
            Tier::Free => (0, 3, Period::Day, Quality::Standard, Some(1)),
            Tier::Creator => (999, 50, Period::Month, Quality::High, Some(10)),
            Tier::Pro => (2999, 200, Period::Month, Quality::Ultra, Some(100)),
            Tier::Studio => (9999, 1000, Period::Month, Quality::Ultra, None),
        };
        TierLimits {
            tier: self,
            price_cents,
            generations,
            period,
            max_quality,
            storage_gb,
        }
    }

    /// The whole table, cheapest tier first.
    pub fn table() -> [TierLimits; 4] {
        Tier::ALL.map(Tier::limits)
    }

    /// Upper-case name as the original product wrote it: `FREE`, `CREATOR`, `PRO`, `STUDIO`.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Free => "FREE",
            Tier::Creator => "CREATOR",
            Tier::Pro => "PRO",
            Tier::Studio => "STUDIO",
        }
    }

    /// Whether this tier may export at `quality`.
    pub fn allows(self, quality: Quality) -> bool {
        quality <= self.limits().max_quality
    }

    /// Whether this is a paying tier (5% of its generations may enter the community pool).
    pub fn is_paid(self) -> bool {
        self != Tier::Free
    }

    /// Checks that `quality` is allowed, with an error that names the tier that unlocks it.
    pub fn check_quality(self, quality: Quality) -> Result<(), ValidationError> {
        if self.allows(quality) {
            return Ok(());
        }
        let unlock = Tier::ALL
            .into_iter()
            .find(|t| t.allows(quality))
            .unwrap_or(Tier::Studio);
        Err(ValidationError::new(
            "quality",
            quality.name(),
            format!(
                "{} allows up to {} quality; {} quality needs {} or above",
                self.name(),
                self.limits().max_quality.name(),
                quality.name(),
                unlock.name()
            ),
        ))
    }
}

impl FromStr for Tier {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_uppercase().as_str() {
            "FREE" => Ok(Tier::Free),
            "CREATOR" => Ok(Tier::Creator),
            "PRO" => Ok(Tier::Pro),
            "STUDIO" => Ok(Tier::Studio),
            _ => Err(ValidationError::new(
                "tier",
                format!("{s:?}"),
                "tier must be FREE, CREATOR, PRO or STUDIO",
            )),
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_seed() {
        let t = Tier::table();
        let row = |tier: Tier| t.iter().find(|r| r.tier == tier).copied().unwrap();
        let free = row(Tier::Free);
        assert_eq!((free.generations, free.period), (3, Period::Day));
        assert_eq!(free.storage_bytes(), Some(1 << 30));
        assert_eq!(free.price_label(), "$0");
        let creator = row(Tier::Creator);
        assert_eq!(creator.price_label(), "$9.99");
        assert_eq!((creator.generations, creator.period), (50, Period::Month));
        assert_eq!(creator.max_quality, Quality::High);
        assert_eq!(creator.storage_gb, Some(10));
        let pro = row(Tier::Pro);
        assert_eq!(pro.price_label(), "$29.99");
        assert_eq!(pro.generations, 200);
        assert_eq!(pro.max_quality, Quality::Ultra);
        assert_eq!(pro.storage_gb, Some(100));
        let studio = row(Tier::Studio);
        assert_eq!(studio.price_label(), "$99.99");
        assert_eq!(studio.generations, 1000);
        assert_eq!(studio.storage_bytes(), None);
    }

    #[test]
    fn quality_gates_follow_the_tiers() {
        assert!(Tier::Free.allows(Quality::Standard));
        assert!(!Tier::Free.allows(Quality::High));
        assert!(Tier::Creator.allows(Quality::High));
        assert!(!Tier::Creator.allows(Quality::Ultra));
        assert!(Tier::Pro.allows(Quality::Ultra));
        let err = Tier::Free.check_quality(Quality::Ultra).unwrap_err();
        assert!(err.to_string().contains("needs PRO"), "{err}");
        assert_eq!(Quality::High.sample_rate(), 48_000);
        assert_eq!(Quality::Ultra.bits_per_sample(), 32);
        assert!(Quality::Ultra.is_float() && !Quality::High.is_float());
    }

    #[test]
    fn names_round_trip() {
        for tier in Tier::ALL {
            assert_eq!(tier.name().parse::<Tier>().unwrap(), tier);
            let json = serde_json::to_string(&tier).unwrap();
            assert_eq!(json, format!("\"{}\"", tier.name()));
        }
        assert!("gold".parse::<Tier>().is_err());
        for q in Quality::ALL {
            assert_eq!(q.name().parse::<Quality>().unwrap(), q);
        }
    }

    #[test]
    fn a_utc_day_runs_from_midnight_to_midnight_also_before_1970() {
        assert_eq!(utc_day(0), (0, 86_400));
        assert_eq!(utc_day(86_399), (0, 86_400));
        assert_eq!(utc_day(86_400), (86_400, 172_800));
        assert_eq!(utc_day(-1), (-86_400, 0));
        // 2026-12-01 22:00 UTC
        assert_eq!(utc_day(1_796_162_400), (1_796_083_200, 1_796_169_600));
    }
}
