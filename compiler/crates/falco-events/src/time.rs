//! Timestamps: RFC 3339 parsing and the clock strings of the `evt.time*` fields (UTC).
//! The calendar and the RFC 3339 grammar are the `time` crate's; the layouts are ours.

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

const NS: u64 = 1_000_000_000;

/// The Julian day of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// (year, month, day) of a day count since 1970-01-01, proleptic Gregorian. Every day
/// of a `u64` nanosecond time (up to the year 2554) is within `time`'s dates; a day
/// beyond them would read as their last.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let date = i32::try_from(days.saturating_add(UNIX_EPOCH_JULIAN_DAY))
        .ok()
        .and_then(|day| Date::from_julian_day(day).ok())
        .unwrap_or(Date::MAX);
    (
        i64::from(date.year()),
        u32::from(u8::from(date.month())),
        u32::from(date.day()),
    )
}

/// Parses an RFC 3339 timestamp (`2018-10-25T14:09:12.581541Z`, `...+02:00`) to nanoseconds
/// since the Unix epoch. `None` if malformed or before 1970. A leap second (`:60`) reads
/// as the nanosecond before the next minute.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let time = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    u64::try_from(time.unix_timestamp_nanos()).ok()
}

/// Appends `YYYY-MM-DD` of `ts` (ns since the epoch), in UTC.
fn write_date(ts: u64, out: &mut String) {
    use std::fmt::Write as _;
    let (y, m, d) = civil_from_days((ts / NS / 86_400) as i64);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
}

/// Appends `HH:MM:SS.nnnnnnnnn` (or `HH:MM:SS` without `ns`) of `ts`, in UTC.
fn write_time(ts: u64, ns: bool, out: &mut String) {
    use std::fmt::Write as _;
    let day_secs = ts / NS % 86_400;
    let (h, mi, s) = (day_secs / 3600, (day_secs % 3600) / 60, day_secs % 60);
    let _ = write!(out, "{h:02}:{mi:02}:{s:02}");
    if ns {
        let _ = write!(out, ".{:09}", ts % NS);
    }
}

/// Appends `HH:MM:SS.nnnnnnnnn` (or `HH:MM:SS` without `ns`), optionally preceded by
/// `YYYY-MM-DD `, in UTC: the `evt.time` / `evt.datetime` layouts, and the time that
/// starts an alert's text.
pub fn write_clock(ts: u64, date: bool, ns: bool, out: &mut String) {
    if date {
        write_date(ts, out);
        out.push(' ');
    }
    write_time(ts, ns, out);
}

/// Appends `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000`, the `evt.time.iso8601` layout (UTC).
pub fn write_iso8601(ts: u64, out: &mut String) {
    write_date(ts, out);
    out.push('T');
    write_time(ts, true, out);
    out.push_str("+0000");
}

/// Appends `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (RFC 3339 in UTC), the `time` of Falco's JSON
/// alerts and of rule-test events.
pub fn write_rfc3339(ts: u64, out: &mut String) {
    write_date(ts, out);
    out.push('T');
    write_time(ts, true, out);
    out.push('Z');
}
