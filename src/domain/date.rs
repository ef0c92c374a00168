//! Calendar dates as the registry stores them (ISO `YYYY-MM-DD`) and as people
//! type them (`1-9-2023`, `01/09/2023`).

use crate::error::Error;
pub use jiff::civil::Date;

/// Parses a date typed on the command line or in a native file:
/// `2023-09-01`, or day first with `-` or `/`: `01-09-2023`, `1-9-2023`,
/// `01/09/2023`. A four-digit year decides the order, so no form is ambiguous.
pub fn parse_date(input: &str) -> Result<Date, Error> {
    let s = input.trim();
    // The form ipart writes, read without splitting: bulk imports read
    // several dates per row.
    if let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = s.as_bytes()
        && [y1, y2, y3, y4, m1, m2, d1, d2].iter().all(|b| b.is_ascii_digit())
    {
        let n = |bytes: &[&u8]| bytes.iter().fold(0i32, |acc, b| acc * 10 + i32::from(**b - b'0'));
        let (y, m, d) = (n(&[y1, y2, y3, y4]), n(&[m1, m2]), n(&[d1, d2]));
        return Date::new(y as i16, m as i8, d as i8).map_err(|_| {
            Error::invalid(format!("{input:?} is not a date in the calendar ({y:04}-{m:02}-{d:02} does not exist)"))
        });
    }
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let numbers: Option<Vec<i32>> = if parts.len() == 3
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        parts.iter().map(|p| p.parse().ok()).collect()
    } else {
        None
    };
    let ymd = match (numbers, parts.as_slice()) {
        (Some(n), [y, _, _]) if y.len() == 4 && !s.contains('/') => Some((n[0], n[1], n[2])),
        (Some(n), [_, _, y]) if y.len() == 4 => Some((n[2], n[1], n[0])),
        _ => None,
    };
    let bad = || {
        Error::invalid(format!(
            "{} is not a date (expected YYYY-MM-DD, such as 2023-09-01, or DD-MM-YYYY)",
            super::names::shown(input)
        ))
    };
    let (y, m, d) = ymd.ok_or_else(bad)?;
    Date::new(y as i16, m as i8, d as i8).map_err(|_| {
        Error::invalid(format!("{input:?} is not a date in the calendar ({y:04}-{m:02}-{d:02} does not exist)"))
    })
}

/// Today, or the date in `IPART_TODAY` (for reproducible scripts and
/// tests), else the local date of `IPART_NOW`.
pub fn today() -> Result<Date, Error> {
    match std::env::var("IPART_TODAY") {
        Ok(s) if !s.is_empty() => parse_date(&s).map_err(|e| Error::usage(format!("IPART_TODAY: {e}"))),
        _ => Ok(now()?.to_zoned_datetime(jiff::tz::TimeZone::system()).date()),
    }
}

/// Now, or the moment in `IPART_NOW` (an RFC 3339 timestamp such as
/// `2024-02-15T10:00:00Z`): when the registry learns what a command writes.
/// Scripts that rebuild a registry and tests set it to make that time
/// reproducible.
pub fn now() -> Result<jiff::Timestamp, Error> {
    match std::env::var("IPART_NOW") {
        Ok(s) if !s.is_empty() => s.trim().parse::<jiff::Timestamp>().map_err(|e| {
            Error::usage(format!(
                "IPART_NOW: {s:?} is not a moment in time ({e}); expected RFC 3339, such as 2024-02-15T10:00:00Z"
            ))
        }),
        _ => Ok(jiff::Timestamp::now()),
    }
}

/// A moment as people give it for "what the registry knew then": a date
/// (`2024-02-15`, `15-02-2024`: the end of that day, local time), a local
/// date and time (`2024-02-15T14:30`, `2024-02-15 14:30:05`), or an RFC 3339
/// timestamp with its offset (`2024-02-15T13:30:00Z`).
pub fn parse_moment(input: &str) -> Result<jiff::Timestamp, Error> {
    let s = input.trim();
    let bad = || {
        Error::invalid(format!(
            "{} is not a day or a moment (expected a date such as 2024-02-15, a local time such as \
             2024-02-15T14:30, or a timestamp such as 2024-02-15T13:30:00Z)",
            super::names::shown(input)
        ))
    };
    let tz = jiff::tz::TimeZone::system();
    if !s.contains(['T', 't', ' ', ':']) {
        let day = parse_date(s)?;
        let end = day.to_datetime(jiff::civil::Time::constant(23, 59, 59, 0));
        return end.to_zoned_datetime(tz).map(|z| z.timestamp()).map_err(|_| bad());
    }
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    let local: jiff::civil::DateTime = s.replacen(' ', "T", 1).parse().map_err(|_| bad())?;
    local.to_zoned_datetime(tz).map(|z| z.timestamp()).map_err(|_| bad())
}

/// The first year ipart accepts in a date or a period: the programme's
/// records begin well after it, so an earlier year is a typo (`2013` for
/// `2023`, `23` for `2023`).
pub const EARLIEST_YEAR: i16 = 2000;

/// How many years after today's year a date may lie: plans (an end date, a
/// chair's term) reach a few years ahead, never decades.
pub const YEARS_AHEAD: i16 = 10;

/// The last year ipart accepts, counted from `today`.
pub fn latest_year(today: Date) -> i16 {
    today.year().saturating_add(YEARS_AHEAD)
}

/// The accepted years as people read them: "2000 to 2036".
pub fn accepted_years(today: Date) -> String {
    format!("{EARLIEST_YEAR} to {}", latest_year(today))
}

/// Refuses a year outside [`EARLIEST_YEAR`] ..= [`latest_year`], naming
/// the value and the range.
pub fn check_year(year: i64, today: Date) -> Result<(), Error> {
    if year < i64::from(EARLIEST_YEAR) || year > i64::from(latest_year(today)) {
        return Err(Error::invalid(format!(
            "{year} is not a year ipart accepts (it takes {}; a typo such as 23 or 2203 for 2023 is the usual cause)",
            accepted_years(today)
        )));
    }
    Ok(())
}

/// Refuses a date whose year [`check_year`] refuses.
pub fn check_date(date: Date, today: Date) -> Result<(), Error> {
    if date.year() < EARLIEST_YEAR || date.year() > latest_year(today) {
        return Err(Error::invalid(format!(
            "{date} is outside the dates ipart accepts (years {}; a typo such as 1923 or 2203 for 2023 is the usual cause)",
            accepted_years(today)
        )));
    }
    Ok(())
}

/// The last day of a year: the date a yearly figure is taken on.
pub fn year_end(year: i16) -> Result<Date, Error> {
    Date::new(year, 12, 31).map_err(|_| Error::invalid(format!("{year} is not a year ipart can handle")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_people_give() {
        let t = |s: &str| parse_moment(s).map(|t| t.to_string());
        assert_eq!(t("2024-02-15T13:30:00Z").unwrap(), "2024-02-15T13:30:00Z");
        assert_eq!(t("2024-02-15T14:30:00+01:00").unwrap(), "2024-02-15T13:30:00Z");
        // A day means its end, whatever the local time zone: after every
        // moment of that day in UTC-12 to UTC+14, before the next day's.
        let day_end = parse_moment("2024-02-15").unwrap();
        assert!(day_end > "2024-02-15T09:59:59Z".parse().unwrap());
        assert!(day_end < "2024-02-16T12:00:00Z".parse().unwrap());
        assert_eq!(parse_moment("15-02-2024").unwrap(), day_end);
        assert!(parse_moment("2024-02-15T14:30").is_ok());
        assert!(parse_moment("2024-02-15 14:30:05").is_ok());
        assert!(parse_moment("gisteren").unwrap_err().message.contains("not a day or a moment"));
        assert!(parse_moment("2024-02-30").is_err());
    }

    #[test]
    fn plausible_years_and_dates() {
        let today: Date = "2026-12-04".parse().unwrap();
        assert!(check_year(2000, today).is_ok() && check_year(2036, today).is_ok());
        let e = check_year(23, today).unwrap_err().message;
        assert!(e.contains("23 is not a year") && e.contains("2000 to 2036"), "{e}");
        assert!(check_year(1999, today).is_err() && check_year(2037, today).is_err());
        assert!(check_year(99999, today).is_err());
        assert!(check_date("2013-06-30".parse().unwrap(), today).is_ok());
        let e = check_date("1999-12-31".parse().unwrap(), today).unwrap_err().message;
        assert!(e.contains("1999-12-31") && e.contains("2000 to 2036"), "{e}");
    }

    #[test]
    fn accepts_iso_and_day_first() {
        let d = Date::new(2023, 9, 1).unwrap();
        for s in ["2023-09-01", "01-09-2023", "1-9-2023", "01/09/2023", " 2023-9-1 "] {
            assert_eq!(parse_date(s).unwrap(), d, "{s}");
        }
    }

    #[test]
    fn refuses_impossible_and_ambiguous_dates() {
        assert!(parse_date("2023-02-30").unwrap_err().to_string().contains("does not exist"));
        for s in ["01-09-23", "2023/09/01", "yesterday", "", "2023-09", "20230901"] {
            assert!(parse_date(s).is_err(), "{s}");
        }
    }
}
