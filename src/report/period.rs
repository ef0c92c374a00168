//! The period a report covers: the state is taken on its last day, and
//! "during the period" figures (started, joined, ...) count what happened
//! from its first day to its last.
//!
//! A period is a calendar year, an academic year, the year up to a date
//! (`--as-of`), a half year, a quarter, a month (`--period`) or any range
//! of days (`--from`/`--to`). Only the years `domain::date` accepts are
//! taken; the command line checks them before a period is made.

use serde::Serialize;

use crate::domain::Date;
use crate::domain::date::check_year;
use crate::error::Error;

/// How the period was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// `--year`: 1 January to 31 December.
    CalendarYear,
    /// `--academic-year`: 1 September to 31 August of the next year.
    AcademicYear,
    /// `--as-of`: 1 January of the date's year up to the date.
    AsOf,
    /// `--period 2023-H2`: January to June or July to December.
    HalfYear,
    /// `--period 2023-Q3`: three months from January, April, July or October.
    Quarter,
    /// `--period 2023-09`: one calendar month.
    Month,
    /// `--from DATE --to DATE`: any days, both included.
    Range,
}

impl Basis {
    /// The code the JSON uses.
    pub fn code(self) -> &'static str {
        match self {
            Basis::CalendarYear => "calendar_year",
            Basis::AcademicYear => "academic_year",
            Basis::AsOf => "as_of",
            Basis::HalfYear => "half_year",
            Basis::Quarter => "quarter",
            Basis::Month => "month",
            Basis::Range => "range",
        }
    }
}

/// The period of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub basis: Basis,
    /// "2023", "2023/2024" (academic year), "2023-06-30" (as of a date),
    /// "2023-H2", "2023-Q3", "2023-09", or "2023-09-01/2023-10-15" (a range).
    pub label: String,
    /// The first day of the period.
    pub start: Date,
    /// The last day: the date every status and count is taken on.
    pub end: Date,
    /// The year whose communication figures (`ipart metric`) the report
    /// shows: the year the period starts in.
    pub metric_year: i16,
}

fn date(y: i16, m: i8, d: i8) -> Result<Date, Error> {
    Date::new(y, m, d).map_err(|_| Error::invalid(format!("{y} is not a year ipart can report on")))
}

/// The forms `--period` takes, for messages.
pub const PERIOD_FORMS: &str = "a year (2023), a half year (2023-H2), a quarter (2023-Q3) or a month (2023-09)";

impl Period {
    /// The calendar year: the state on 31 December.
    pub fn calendar_year(year: i16) -> Result<Period, Error> {
        Ok(Period {
            basis: Basis::CalendarYear,
            label: year.to_string(),
            start: date(year, 1, 1)?,
            end: date(year, 12, 31)?,
            metric_year: year,
        })
    }

    /// The academic year starting in `year`: 1 September `year` to 31 August
    /// the year after, the year education partners count in.
    pub fn academic_year(year: i16) -> Result<Period, Error> {
        let next =
            year.checked_add(1).ok_or_else(|| Error::invalid(format!("{year} is not a year ipart can report on")))?;
        Ok(Period {
            basis: Basis::AcademicYear,
            label: format!("{year}/{next}"),
            start: date(year, 9, 1)?,
            end: date(next, 8, 31)?,
            metric_year: year,
        })
    }

    /// The state on `day`; the period is its calendar year up to that day.
    pub fn as_of(day: Date) -> Period {
        Period {
            basis: Basis::AsOf,
            label: day.to_string(),
            start: day.first_of_year(),
            end: day,
            metric_year: day.year(),
        }
    }

    /// Months `first` to `last` (1-12) of `year`, labelled `label`.
    fn months(basis: Basis, year: i16, first: i8, last: i8, label: String) -> Result<Period, Error> {
        Ok(Period {
            basis,
            label,
            start: date(year, first, 1)?,
            end: date(year, last, 1)?.last_of_month(),
            metric_year: year,
        })
    }

    /// Half year `half` (1 or 2) of `year`.
    pub fn half_year(year: i16, half: i8) -> Result<Period, Error> {
        if !(1..=2).contains(&half) {
            return Err(Error::invalid(format!("{year}-H{half}: a year has half years H1 and H2")));
        }
        Period::months(Basis::HalfYear, year, half * 6 - 5, half * 6, format!("{year}-H{half}"))
    }

    /// Quarter `quarter` (1 to 4) of `year`.
    pub fn quarter(year: i16, quarter: i8) -> Result<Period, Error> {
        if !(1..=4).contains(&quarter) {
            return Err(Error::invalid(format!("{year}-Q{quarter}: a year has quarters Q1 to Q4")));
        }
        Period::months(Basis::Quarter, year, quarter * 3 - 2, quarter * 3, format!("{year}-Q{quarter}"))
    }

    /// Month `month` (1 to 12) of `year`.
    pub fn month(year: i16, month: i8) -> Result<Period, Error> {
        if !(1..=12).contains(&month) {
            return Err(Error::invalid(format!("{year}-{month:02}: months run from 01 to 12")));
        }
        Period::months(Basis::Month, year, month, month, format!("{year:04}-{month:02}"))
    }

    /// The days from `start` to `end`, both included.
    pub fn range(start: Date, end: Date) -> Result<Period, Error> {
        if start > end {
            return Err(Error::invalid(format!(
                "--from {start} is after --to {end}: the period runs from its first day to its last"
            )));
        }
        Ok(Period { basis: Basis::Range, label: format!("{start}/{end}"), start, end, metric_year: start.year() })
    }

    /// Parses `--period`: `2023`, `2023-H2`, `2023-Q3` (also `2023-K3`,
    /// the Dutch kwartaal) or `2023-09`, and checks the year against the
    /// years ipart accepts (see [`check_year`]).
    pub fn parse(text: &str, today: Date) -> Result<Period, Error> {
        let t = text.trim();
        let bad = || Error::invalid(format!("--period {t:?} is not a period: give {PERIOD_FORMS}"));
        let (year, rest) = match t.split_once('-') {
            Some((y, rest)) => (y, Some(rest)),
            None => (t, None),
        };
        if year.is_empty() || year.len() > 6 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i64 = year.parse().map_err(|_| bad())?;
        check_year(year, today).map_err(|e| Error::invalid(format!("--period {t}: {}", e.message)))?;
        let year = year as i16;
        let number = |digits: &str, max: i8| -> Result<i8, Error> {
            match digits.parse::<i8>() {
                Ok(n) if digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit()) && (1..=max).contains(&n) => {
                    Ok(n)
                }
                _ => Err(bad()),
            }
        };
        let Some(rest) = rest else { return Period::calendar_year(year) };
        let upper = rest.to_ascii_uppercase();
        if let Some(half) = upper.strip_prefix('H') {
            Period::half_year(year, number(half, 2)?)
        } else if let Some(quarter) = upper.strip_prefix('Q').or_else(|| upper.strip_prefix('K')) {
            Period::quarter(year, number(quarter, 4)?)
        } else if rest.len() == 2 {
            Period::month(year, number(rest, 12)?)
        } else {
            Err(bad())
        }
    }

    /// The same period in another year, for `--compare`: the same half
    /// year, quarter or month; a range shifted by whole years; as of 29
    /// February becomes as of 28 February in a year without it.
    pub fn in_year(&self, year: i16) -> Result<Period, Error> {
        match self.basis {
            Basis::CalendarYear => Period::calendar_year(year),
            Basis::AcademicYear => Period::academic_year(year),
            Basis::HalfYear => Period::half_year(year, if self.start.month() <= 6 { 1 } else { 2 }),
            Basis::Quarter => Period::quarter(year, (self.start.month() + 2) / 3),
            Basis::Month => Period::month(year, self.start.month()),
            Basis::AsOf => Ok(Period::as_of(same_day_in(self.end, year)?)),
            Basis::Range => {
                let shift = year - self.start.year();
                Period::range(same_day_in(self.start, year)?, same_day_in(self.end, self.end.year() + shift)?)
            }
        }
    }

    /// The year the period starts in (the `--year`, `--academic-year` or the
    /// year of `--as-of`).
    pub fn year(&self) -> i16 {
        self.start.year()
    }

    /// How many days the period has, both ends included.
    pub fn days(&self) -> i64 {
        i64::from(self.start.until(self.end).map(|s| s.get_days()).unwrap_or(0)) + 1
    }

    /// Whether the trend shows the whole history (from the first status
    /// change) rather than only the period itself. A year, an academic year
    /// and the year up to a date show how the programme grew, as the
    /// infographic does; a half year, quarter, month or a range shorter than
    /// a year show how that period went.
    pub fn trend_shows_history(&self) -> bool {
        match self.basis {
            Basis::CalendarYear | Basis::AcademicYear | Basis::AsOf => true,
            Basis::HalfYear | Basis::Quarter | Basis::Month => false,
            Basis::Range => self.days() >= 365,
        }
    }
}

/// `day` in `year`: 29 February becomes 28 February in a year without it.
fn same_day_in(day: Date, year: i16) -> Result<Date, Error> {
    let first = date(year, day.month(), 1)?;
    first
        .with()
        .day(day.day().min(first.days_in_month()))
        .build()
        .map_err(|e| Error::invalid(format!("no day like {day} in {year}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn periods_and_their_comparisons() {
        let y = Period::calendar_year(2023).unwrap();
        assert_eq!((y.start, y.end, y.label.as_str()), (d("2023-01-01"), d("2023-12-31"), "2023"));
        let a = Period::academic_year(2023).unwrap();
        assert_eq!((a.start, a.end, a.label.as_str()), (d("2023-09-01"), d("2024-08-31"), "2023/2024"));
        assert_eq!(a.metric_year, 2023);
        let o = Period::as_of(d("2024-02-29"));
        assert_eq!((o.start, o.end), (d("2024-01-01"), d("2024-02-29")));
        assert_eq!(o.in_year(2023).unwrap().end, d("2023-02-28"));
        assert_eq!(a.in_year(2022).unwrap().start, d("2022-09-01"));
        assert!(Period::academic_year(9999).is_err());
    }

    #[test]
    fn halves_quarters_months_and_ranges() {
        let today = d("2025-03-01");
        let p = |s: &str| Period::parse(s, today).unwrap();
        let h = p("2023-H2");
        assert_eq!(
            (h.basis, h.start, h.end, h.label.as_str()),
            (Basis::HalfYear, d("2023-07-01"), d("2023-12-31"), "2023-H2")
        );
        let q = p("2023-q3");
        assert_eq!(
            (q.basis, q.start, q.end, q.label.as_str()),
            (Basis::Quarter, d("2023-07-01"), d("2023-09-30"), "2023-Q3")
        );
        assert_eq!(p("2023-K1").end, d("2023-03-31"));
        let m = p("2024-02");
        assert_eq!(
            (m.basis, m.start, m.end, m.label.as_str()),
            (Basis::Month, d("2024-02-01"), d("2024-02-29"), "2024-02")
        );
        assert_eq!(p("2023"), Period::calendar_year(2023).unwrap());
        assert_eq!(q.in_year(2022).unwrap().label, "2022-Q3");
        assert_eq!(h.in_year(2022).unwrap().start, d("2022-07-01"));
        assert_eq!(m.in_year(2023).unwrap().end, d("2023-02-28"));
        let r = Period::range(d("2023-12-01"), d("2024-02-29")).unwrap();
        assert_eq!((r.label.as_str(), r.days(), r.metric_year), ("2023-12-01/2024-02-29", 91, 2023));
        let shifted = r.in_year(2022).unwrap();
        assert_eq!((shifted.start, shifted.end), (d("2022-12-01"), d("2023-02-28")));
        assert!(!r.trend_shows_history() && !q.trend_shows_history());
        assert!(Period::range(d("2023-01-01"), d("2023-12-31")).unwrap().trend_shows_history());
        assert!(Period::as_of(d("2023-01-05")).trend_shows_history());
        assert_eq!(Period::range(d("2023-05-05"), d("2023-05-05")).unwrap().days(), 1);
    }

    #[test]
    fn refusals_name_the_value_and_what_is_accepted() {
        let today = d("2025-03-01");
        let e = |s: &str| Period::parse(s, today).unwrap_err().message;
        for bad in ["2023-Q5", "2023-H3", "2023-13", "2023-00", "Q3-2023", "2023-", "2023-Q", "x", "", "2023-9-1"] {
            assert!(e(bad).contains("is not a period") && e(bad).contains("2023-Q3"), "{bad}: {}", e(bad));
        }
        let far = e("2203-Q1");
        assert!(far.contains("2203") && far.contains("2000 to 2035"), "{far}");
        assert!(e("23-Q1").contains("2000 to 2035"));
        let backwards = Period::range(d("2023-10-01"), d("2023-09-01")).unwrap_err().message;
        assert!(backwards.contains("--from 2023-10-01 is after --to 2023-09-01"), "{backwards}");
    }
}
