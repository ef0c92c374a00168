//! The period a report covers: the state is taken on its last day, and
//! "during the period" figures (started, joined, ...) count what happened
//! from its first day to its last.

use serde::Serialize;

use crate::domain::Date;
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
}

impl Basis {
    /// The code the JSON uses.
    pub fn code(self) -> &'static str {
        match self {
            Basis::CalendarYear => "calendar_year",
            Basis::AcademicYear => "academic_year",
            Basis::AsOf => "as_of",
        }
    }
}

/// The period of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub basis: Basis,
    /// "2023", "2023/2024" (academic year) or "2023-06-30" (as of a date).
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

    /// The same period in another year, for `--compare` (as of 29 February
    /// becomes as of 28 February in a year without it).
    pub fn in_year(&self, year: i16) -> Result<Period, Error> {
        match self.basis {
            Basis::CalendarYear => Period::calendar_year(year),
            Basis::AcademicYear => Period::academic_year(year),
            Basis::AsOf => {
                let day = date(year, self.end.month(), 1)?;
                Ok(Period::as_of(
                    day.with()
                        .day(self.end.day().min(day.days_in_month()))
                        .build()
                        .map_err(|e| Error::invalid(format!("no day like {} in {year}: {e}", self.end)))?,
                ))
            }
        }
    }

    /// The year the period starts in (the `--year`, `--academic-year` or the
    /// year of `--as-of`).
    pub fn year(&self) -> i16 {
        self.start.year()
    }
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
}
