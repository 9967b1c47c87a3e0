//! A song's release plan: calendar dates without a time zone, and the default schedule of
//! events around a release day.
//!
//! The default plan ([`default_plan`]), in days from the release day:
//! - **−21 pre-save**: the pre-save link goes up and the release is announced. Three weeks is
//!   when distributors have delivered to the stores and Spotify's editorial pitch (at least
//!   seven days ahead) can still be made.
//! - **−7 teaser**: the first 15-second clip around the chorus.
//! - **−1 countdown**: "tomorrow", with the hook line.
//! - **0 release**: out now, on every platform, with the 30- and 60-second clips.
//! - **+3 follow-up**: the lyric: the chorus' hook line on a clip.
//! - **+7 follow-up**: one week out: the story behind the song.
//! - **+14 follow-up**: two weeks: thank the listeners, share a fan's use of the clip.
//! - **+28 follow-up**: one month: a playlist or live version, and what comes next.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{Lang, ValidationError};

/// A calendar day (proleptic Gregorian), written `YYYY-MM-DD` (also in JSON and, as a string,
/// in the UI's TypeScript types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

impl Date {
    /// The day `year-month-day`, if it exists (years 1–9999).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
    }

    /// Its year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Its month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// Its day of the month, 1–31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days-from-civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day `days` after 1970-01-01, if within years 1–9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(i32::try_from(year).ok()?, month, day)
    }

    /// The day `n` days later (earlier when negative), if within years 1–9999.
    pub fn add_days(self, n: i64) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch() + n)
    }

    /// `YYYYMMDD`, the form of an iCalendar DATE.
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// Parses `YYYYMMDD` (an iCalendar DATE).
    pub fn from_compact(s: &str) -> Option<Date> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Date::new(
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..].parse().ok()?,
        )
    }

    /// `YYYY-MM`, the month it falls in.
    pub fn month_id(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            ValidationError::new(
                "date",
                format!("{s:?}"),
                "a date is written YYYY-MM-DD, e.g. 2027-01-15, and must exist",
            )
        };
        let t = s.trim();
        let parts: Vec<&str> = t.split('-').collect();
        if parts.len() != 3
            || parts[0].len() != 4
            || parts[1].len() != 2
            || parts[2].len() != 2
            || !t.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        {
            return Err(bad());
        }
        let (y, m, d) = (
            parts[0].parse().map_err(|_| bad())?,
            parts[1].parse().map_err(|_| bad())?,
            parts[2].parse().map_err(|_| bad())?,
        );
        Date::new(y, m, d).ok_or_else(bad)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "specta")]
impl specta::Type for Date {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

/// A month, `YYYY-MM`, for listing a calendar (a string in JSON and in the UI's types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    /// Its year.
    pub year: i32,
    /// 1–12.
    pub month: u8,
}

impl Month {
    /// Its first day.
    pub fn first(self) -> Date {
        Date {
            year: self.year,
            month: self.month,
            day: 1,
        }
    }

    /// Its last day.
    pub fn last(self) -> Date {
        Date {
            year: self.year,
            month: self.month,
            day: days_in_month(self.year, self.month),
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "specta")]
impl specta::Type for Month {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

impl FromStr for Month {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ValidationError::new("month", format!("{s:?}"), "a month is written YYYY-MM");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let d = Date::new(
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            1,
        )
        .ok_or_else(bad)?;
        Ok(Month {
            year: d.year,
            month: d.month,
        })
    }
}

/// What an event of the plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// The pre-save link goes up; the release is announced.
    PreSave,
    /// A first short clip.
    Teaser,
    /// The day before.
    Countdown,
    /// Release day.
    Release,
    /// A post after the release.
    FollowUp,
    /// Something the person added (or an imported event of unknown kind).
    Custom,
}

impl EventKind {
    /// Its id (`pre-save`, `teaser`, `countdown`, `release`, `follow-up`, `custom`).
    pub fn id(self) -> &'static str {
        match self {
            EventKind::PreSave => "pre-save",
            EventKind::Teaser => "teaser",
            EventKind::Countdown => "countdown",
            EventKind::Release => "release",
            EventKind::FollowUp => "follow-up",
            EventKind::Custom => "custom",
        }
    }

    /// The kind with id `s`; unknown ids are [`EventKind::Custom`].
    pub fn from_id(s: &str) -> EventKind {
        match s.trim() {
            "pre-save" => EventKind::PreSave,
            "teaser" => EventKind::Teaser,
            "countdown" => EventKind::Countdown,
            "release" => EventKind::Release,
            "follow-up" => EventKind::FollowUp,
            _ => EventKind::Custom,
        }
    }
}

/// One step of a plan template: when, what, and what to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    /// Days from the release day (negative before it).
    pub offset_days: i64,
    /// What it is for.
    pub kind: EventKind,
    /// Its title, e.g. "Pre-save opens: Luna".
    pub title: String,
    /// What to do that day.
    pub description: String,
}

/// The default plan for a release of `title`, in the order of its days (see the module's
/// documentation for the reasons behind each day), written in `lang`.
pub fn default_plan(title: &str, lang: Lang) -> Vec<PlanStep> {
    use EventKind::*;
    let en: [(i64, EventKind, String, &str); 8] = [
        (
            -21,
            PreSave,
            format!("Pre-save opens: {title}"),
            "Announce the release and share the pre-save link on every platform.",
        ),
        (
            -7,
            Teaser,
            format!("Teaser: {title}"),
            "Post the 15-second clip around the chorus.",
        ),
        (
            -1,
            Countdown,
            format!("Tomorrow: {title}"),
            "Count down with the hook line; remind people to pre-save.",
        ),
        (
            0,
            Release,
            format!("Release day: {title}"),
            "Out now: post on every platform with the 30- and 60-second clips.",
        ),
        (
            3,
            FollowUp,
            format!("The lyric: {title}"),
            "Post the chorus' hook line over a clip.",
        ),
        (
            7,
            FollowUp,
            format!("One week of {title}"),
            "Tell the story behind the song.",
        ),
        (
            14,
            FollowUp,
            format!("Two weeks of {title}"),
            "Thank the listeners; share how people use the clip.",
        ),
        (
            28,
            FollowUp,
            format!("One month of {title}"),
            "A playlist or live version, and what comes next.",
        ),
    ];
    let es: [(String, &str); 8] = [
        (
            format!("Abre el pre-save: {title}"),
            "Anuncia el lanzamiento y comparte el enlace de pre-save en todas las plataformas.",
        ),
        (
            format!("Adelanto: {title}"),
            "Publica el clip de 15 segundos alrededor del coro.",
        ),
        (
            format!("Mañana: {title}"),
            "Cuenta atrás con la frase del coro; recuerda hacer pre-save.",
        ),
        (
            format!("Día del lanzamiento: {title}"),
            "Ya disponible: publica en todas las plataformas con los clips de 30 y 60 segundos.",
        ),
        (
            format!("La letra: {title}"),
            "Publica la frase del coro sobre un clip.",
        ),
        (
            format!("Una semana de {title}"),
            "Cuenta la historia detrás de la canción.",
        ),
        (
            format!("Dos semanas de {title}"),
            "Agradece a quienes escuchan; comparte cómo usan el clip.",
        ),
        (
            format!("Un mes de {title}"),
            "Una playlist o una versión en vivo, y lo que viene.",
        ),
    ];
    en.into_iter()
        .zip(es)
        .map(|((offset_days, kind, t_en, d_en), (t_es, d_es))| {
            let (title, description) = match lang {
                Lang::En => (t_en, d_en.to_string()),
                Lang::Es => (t_es, d_es.to_string()),
            };
            PlanStep {
                offset_days,
                kind,
                title,
                description,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_print_and_count_days_across_leap_years() {
        let d: Date = "2027-01-15".parse().unwrap();
        assert_eq!(d.to_string(), "2027-01-15");
        assert_eq!(d.compact(), "20270115");
        assert_eq!(Date::from_compact("20270115"), Some(d));
        assert_eq!(d.add_days(-21).unwrap().to_string(), "2026-12-25");
        assert_eq!(
            "2028-02-28"
                .parse::<Date>()
                .unwrap()
                .add_days(1)
                .unwrap()
                .to_string(),
            "2028-02-29"
        );
        assert_eq!(
            "2027-02-28"
                .parse::<Date>()
                .unwrap()
                .add_days(1)
                .unwrap()
                .to_string(),
            "2027-03-01"
        );
        assert_eq!("1970-01-01".parse::<Date>().unwrap().days_since_epoch(), 0);
        assert_eq!(
            Date::from_days_since_epoch(20_454).unwrap().to_string(),
            "2026-01-01"
        );
        for bad in [
            "2027-02-29",
            "2027-13-01",
            "27-01-15",
            "2027/01/15",
            "2027-1-15",
            "+027-01-15",
        ] {
            let e = bad.parse::<Date>().unwrap_err().to_string();
            assert!(e.contains("YYYY-MM-DD"), "{bad}: {e}");
        }
    }

    #[test]
    fn every_day_round_trips_through_its_day_number() {
        let start = Date::new(1999, 12, 1).unwrap().days_since_epoch();
        let mut prev: Option<Date> = None;
        for n in start..start + 3000 {
            let d = Date::from_days_since_epoch(n).unwrap();
            assert_eq!(d.days_since_epoch(), n);
            if let Some(p) = prev {
                assert!(d > p);
            }
            prev = Some(d);
        }
    }

    #[test]
    fn months_know_their_last_day() {
        let m: Month = "2028-02".parse().unwrap();
        assert_eq!(m.last().to_string(), "2028-02-29");
        assert_eq!(m.to_string(), "2028-02");
        assert!("2028-2".parse::<Month>().is_err());
    }

    #[test]
    fn the_default_plan_has_one_release_day_and_follow_ups_after_it() {
        for lang in [Lang::En, Lang::Es] {
            let plan = default_plan("Luna", lang);
            assert_eq!(
                plan.iter().filter(|s| s.kind == EventKind::Release).count(),
                1
            );
            let offsets: Vec<i64> = plan.iter().map(|s| s.offset_days).collect();
            assert_eq!(offsets, vec![-21, -7, -1, 0, 3, 7, 14, 28]);
            assert!(plan
                .iter()
                .filter(|s| s.kind == EventKind::FollowUp)
                .all(|s| s.offset_days > 0));
            assert!(plan.iter().all(|s| s.title.contains("Luna")));
        }
        assert!(default_plan("Luna", Lang::Es)[0].title.starts_with("Abre"));
    }
}
