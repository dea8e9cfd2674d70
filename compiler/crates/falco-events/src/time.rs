//! Timestamps: RFC 3339 parsing and the clock strings of the `evt.time*` fields (UTC).

const NS: u64 = 1_000_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses an RFC 3339 timestamp (`2018-10-25T14:09:12.581541Z`, `...+02:00`) to nanoseconds
/// since the Unix epoch. `None` if malformed or before 1970.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let date = s.get(0..10)?;
    let sep = s.get(10..11)?;
    if !matches!(sep, "T" | "t") || date.get(4..5)? != "-" || date.get(7..8)? != "-" {
        return None;
    }
    let year = num(date.get(0..4)?)?;
    let month = num(date.get(5..7)?)?;
    let day = num(date.get(8..10)?)?;
    let time = s.get(11..)?;
    let hour = num(time.get(0..2)?)?;
    let minute = num(time.get(3..5)?)?;
    let second = num(time.get(6..8)?)?;
    if time.get(2..3)? != ":" || time.get(5..6)? != ":" {
        return None;
    }
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = time.get(8..)?;
    let mut nanos: u64 = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let f = frac.get(..digits)?;
        nanos = u64::from(num(f)?) * 10u64.pow(9 - digits as u32);
        rest = frac.get(digits..)?;
    }
    let offset_s: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4)? != ":" {
                return None;
            }
            let oh = i64::from(num(rest.get(1..3)?)?);
            let om = i64::from(num(rest.get(4..6)?)?);
            sign * (oh * 3600 + om * 60)
        }
    };
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - offset_s;
    let secs = u64::try_from(secs).ok()?;
    secs.checked_mul(NS)?.checked_add(nanos)
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
