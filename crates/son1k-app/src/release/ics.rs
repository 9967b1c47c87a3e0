//! A release calendar as an iCalendar file (RFC 5545) and back.
//!
//! Export writes one `VCALENDAR` (`VERSION:2.0`, `PRODID`, `CALSCALE:GREGORIAN`,
//! `METHOD:PUBLISH`) with a `VEVENT` per day of the plan: `UID`, `DTSTAMP` (UTC), `DTSTART` and
//! `DTEND` as `DATE` values (an all-day event ends the next day, exclusive), `SUMMARY`,
//! `DESCRIPTION`, `CATEGORIES` and `X-SON1K-KIND` (the event's kind, for the way back). Lines
//! end in CRLF and are folded at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1);
//! text values escape `\`, `;`, `,` and newlines (§3.3.11).
//!
//! Import unfolds lines, reads every `VEVENT`'s `UID`, `DTSTART` (a `DATE`, or the date part of
//! a `DATE-TIME`), `SUMMARY`, `DESCRIPTION` and `X-SON1K-KIND`, and says which line is wrong
//! when one is.

use son1k_core::{Date, EventKind, ValidationError};

/// The product identifier written in `PRODID`.
pub const PRODID: &str = "-//Son1k Studio//Nova Post Pilot//EN";

/// The suffix of the `UID`s this studio writes (`<event id>@son1k.studio`).
pub const UID_DOMAIN: &str = "@son1k.studio";

/// The longest line, in octets, before it is folded.
pub const FOLD_OCTETS: usize = 75;

/// One calendar event as the file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    /// Its `UID`.
    pub uid: String,
    /// Its day.
    pub date: Date,
    /// Its `SUMMARY`.
    pub summary: String,
    /// Its `DESCRIPTION`.
    pub description: String,
    /// Its kind (`X-SON1K-KIND`; custom when absent).
    pub kind: EventKind,
}

/// Escapes a TEXT value: `\` `;` `,` and newlines (a CR is dropped).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Undoes [`escape`] (also reading `\N` as a newline).
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Appends `line` to `out` folded at [`FOLD_OCTETS`] octets (continuations start with a space,
/// which counts towards their 75), each piece ended by CRLF.
pub fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > FOLD_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// `YYYYMMDDTHHMMSSZ` for a Unix time in seconds.
pub fn utc_stamp(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let date = Date::from_days_since_epoch(days)
        .map(Date::compact)
        .unwrap_or_else(|| "19700101".into());
    format!(
        "{date}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The calendar file for `events`, named `name`, stamped at `unix_seconds`.
pub fn export(name: &str, events: &[IcsEvent], unix_seconds: i64) -> String {
    let stamp = utc_stamp(unix_seconds);
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        format!("PRODID:{PRODID}"),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape(name)),
    ] {
        fold_into(&mut out, &line);
    }
    for e in events {
        let end = e.date.add_days(1).unwrap_or(e.date);
        for line in [
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", e.uid),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", e.date.compact()),
            format!("DTEND;VALUE=DATE:{}", end.compact()),
            format!("SUMMARY:{}", escape(&e.summary)),
            format!("DESCRIPTION:{}", escape(&e.description)),
            format!("CATEGORIES:{}", escape(e.kind.id())),
            format!("X-SON1K-KIND:{}", e.kind.id()),
            "TRANSP:TRANSPARENT".into(),
            "END:VEVENT".into(),
        ] {
            fold_into(&mut out, &line);
        }
    }
    fold_into(&mut out, "END:VCALENDAR");
    out
}

fn bad(line: usize, what: impl Into<String>) -> ValidationError {
    ValidationError::new("calendar file", format!("(line {line})"), what.into())
}

/// Splits a content line into its name (upper-cased), its parameters and its value: the value
/// starts at the first `:` outside a quoted parameter value.
fn split_line(line: &str) -> Option<(String, &str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                let head = &line[..i];
                let (name, params) = head.split_once(';').unwrap_or((head, ""));
                return Some((name.trim().to_ascii_uppercase(), params, &line[i + 1..]));
            }
            _ => {}
        }
    }
    None
}

#[derive(Default)]
struct Partial {
    uid: Option<String>,
    date: Option<Date>,
    summary: String,
    description: String,
    kind: Option<EventKind>,
    begun: usize,
}

/// Reads the events of a calendar file. Folded lines are unfolded first (CRLF or LF followed by
/// a space or tab); a file that is not a `VCALENDAR`, an event without `UID` or `DTSTART`, or a
/// `DTSTART` that is not a date is an error naming its line.
pub fn import(text: &str) -> Result<Vec<IcsEvent>, ValidationError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Unfold, remembering the line each logical line began on.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ if raw.is_empty() => {}
            _ => lines.push((i + 1, raw.to_string())),
        }
    }
    match lines.first() {
        Some((_, l)) if l.eq_ignore_ascii_case("BEGIN:VCALENDAR") => {}
        _ => {
            return Err(bad(
                1,
                "this is not an iCalendar file (it must begin with BEGIN:VCALENDAR)",
            ))
        }
    }
    let mut out = Vec::new();
    let mut current: Option<Partial> = None;
    let mut depth = 0usize; // components nested inside a VEVENT (VALARM)
    for (n, line) in &lines {
        let (name, params, value) =
            split_line(line).ok_or_else(|| bad(*n, format!("{line:?} has no ':'")))?;
        match (name.as_str(), current.as_mut()) {
            ("BEGIN", None) if value.eq_ignore_ascii_case("VEVENT") => {
                current = Some(Partial {
                    begun: *n,
                    ..Partial::default()
                });
            }
            ("BEGIN", Some(_)) => depth += 1,
            ("END", Some(_)) if depth > 0 => depth -= 1,
            ("END", Some(_)) if value.eq_ignore_ascii_case("VEVENT") => {
                let p = current.take().unwrap_or_default();
                let uid = p
                    .uid
                    .ok_or_else(|| bad(p.begun, "the event that begins here has no UID"))?;
                let date = p
                    .date
                    .ok_or_else(|| bad(p.begun, "the event that begins here has no DTSTART"))?;
                out.push(IcsEvent {
                    uid,
                    date,
                    summary: p.summary,
                    description: p.description,
                    kind: p.kind.unwrap_or(EventKind::Custom),
                });
            }
            (_, Some(p)) if depth == 0 => match name.as_str() {
                "UID" => p.uid = Some(value.trim().to_string()),
                "DTSTART" => {
                    let day = value.trim().get(..8).and_then(Date::from_compact);
                    let is_date = params.to_ascii_uppercase().contains("VALUE=DATE")
                        && !params.to_ascii_uppercase().contains("VALUE=DATE-TIME");
                    if is_date && value.trim().len() != 8 {
                        return Err(bad(
                            *n,
                            format!("DTSTART {value:?} is not a DATE (YYYYMMDD)"),
                        ));
                    }
                    p.date = Some(day.ok_or_else(|| {
                        bad(*n, format!("DTSTART {value:?} is not a date (YYYYMMDD)"))
                    })?);
                }
                "SUMMARY" => p.summary = unescape(value),
                "DESCRIPTION" => p.description = unescape(value),
                "X-SON1K-KIND" => p.kind = Some(EventKind::from_id(value)),
                _ => {}
            },
            _ => {}
        }
    }
    if let Some(p) = current {
        return Err(bad(
            p.begun,
            "the event that begins here never ends (no END:VEVENT)",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn event(summary: &str) -> IcsEvent {
        IcsEvent {
            uid: format!("e1{UID_DOMAIN}"),
            date: "2027-01-15".parse().unwrap(),
            summary: summary.into(),
            description: "Línea uno\nline two, with \\ and ;".into(),
            kind: EventKind::Release,
        }
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let summary = "ñ".repeat(100);
        let text = export("Luna", &[event(&summary)], 0);
        for line in text.split("\r\n") {
            assert!(line.len() <= FOLD_OCTETS, "{} octets: {line:?}", line.len());
        }
        assert!(!text.replace("\r\n", "").contains('\n'));
        let back = import(&text).unwrap();
        assert_eq!(back[0].summary, summary);
    }

    #[test]
    fn text_is_escaped_and_comes_back_the_same() {
        let e = event("Día uno; dos, tres \\ cuatro");
        let text = export("Luna", std::slice::from_ref(&e), 1_800_000_000);
        assert!(text.contains("SUMMARY:Día uno\\; dos\\, tres \\\\ cuatro\r\n"));
        assert!(text.contains("DTSTAMP:20270115T080000Z\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20270115\r\nDTEND;VALUE=DATE:20270116\r\n"));
        assert_eq!(import(&text).unwrap(), vec![e]);
    }

    #[test]
    fn bad_files_name_the_line() {
        let e = import("hello").unwrap_err().to_string();
        assert!(e.contains("BEGIN:VCALENDAR"), "{e}");
        let e = import("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nEND:VEVENT\nEND:VCALENDAR\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("DTSTART"), "{e}");
        let e = import("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:2027\nEND:VEVENT\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 4"), "{e}");
        // A foreign calendar's date-time start and an alarm inside the event are fine.
        let ok = import("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:abc\r\nDTSTART;TZID=\"Europe/Madrid:x\":20270115T100000\r\nBEGIN:VALARM\r\nDESCRIPTION:ignored\r\nEND:VALARM\r\nSUMMARY:Fo\r\n ld\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").unwrap();
        assert_eq!(ok[0].summary, "Fold");
        assert_eq!(ok[0].date.to_string(), "2027-01-15");
        assert_eq!(ok[0].kind, EventKind::Custom);
    }
}
