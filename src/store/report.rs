//! The SQL of `ipart report`: every figure of the yearly report is counted
//! here, from the status histories, never from a stored "current" status.
//! `report::compute` calls these functions and shapes their rows into the
//! `Report`; it adds nothing but order, zero rows and rounding.
//!
//! A report first calls [`Snapshot::take`], which opens one read
//! transaction (all figures see the same registry, even while an import
//! writes) and reads the assignments' histories once:
//!
//! * one pass over `assignment_status` in its own order (a WITHOUT ROWID
//!   table clustered on (assignment_id, since), so each history comes in
//!   date order without a sort) finds each assignment's status on the end
//!   date, its first change, its first change to each status, whether it
//!   was in progress before a cancellation, and every move from one status
//!   to the next by day (the trend);
//! * one pass over `assignment` in id order, merged with those states,
//!   counts the assignments by status, kind, level, theme, region and lab,
//!   with their students, into the temporary table `report_cube`, and by
//!   partner into `report_partners`, and the registrations by day (its
//!   `registered_on`, else its first change). Every breakdown of
//!   assignments and students is a small GROUP BY over them.
//!
//! Only dates on or before the end date are read, so a report for 2023
//! gives the same figures whenever it is run.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, Params, Row, Transaction, params};

use super::lookup::QuickHasher;
use crate::domain::{AssignmentStatus, Date, Vocabulary};
use crate::error::{Error, Result};

/// How the trend's periods are numbered: an integer per quarter, month or
/// week, computed from a date. [`Bucket::label`] turns it back into a label
/// and a last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// year * 4 + quarter - 1
    Quarter,
    /// year * 12 + month - 1
    Month,
    /// ISO weeks (Monday to Sunday), counted from the week of 5 January 1970.
    Week,
}

impl Bucket {
    /// The period of a day (see [`day_number`]).
    fn of_day(self, day: u32) -> i64 {
        let (year, month) = (i64::from(day / 10_000), i64::from(day / 100 % 100));
        match self {
            Bucket::Quarter => year * 4 + (month - 1) / 3,
            Bucket::Month => year * 12 + month - 1,
            Bucket::Week => days_from_civil(year, month, i64::from(day % 100)).div_euclid(7),
        }
    }

    /// The period a date falls in.
    pub fn index(self, d: Date) -> i64 {
        let day = d.year() as u32 * 10_000 + d.month() as u32 * 100 + d.day() as u32;
        self.of_day(day)
    }

    /// The label ("2023-Q4", "2023-12", "2023-W52") and the last day of period `index`.
    pub fn label(self, index: i64) -> (String, Date) {
        let last_of = |year: i64, month: i64| {
            Date::new(year as i16, month as i8, 1).map(|d| d.last_of_month()).unwrap_or(Date::MAX)
        };
        match self {
            Bucket::Quarter => {
                let (y, q) = (index.div_euclid(4), index.rem_euclid(4) + 1);
                (format!("{y}-Q{q}"), last_of(y, q * 3))
            }
            Bucket::Month => {
                let (y, m) = (index.div_euclid(12), index.rem_euclid(12) + 1);
                (format!("{y:04}-{m:02}"), last_of(y, m))
            }
            Bucket::Week => {
                // Week 0 starts on Monday 5 January 1970 (day 4 after the epoch).
                let monday = Date::new(1970, 1, 5)
                    .ok()
                    .and_then(|d| d.checked_add(jiff::Span::new().days(index * 7)).ok())
                    .unwrap_or(Date::MAX);
                let week = monday.iso_week_date();
                let sunday = monday.checked_add(jiff::Span::new().days(6)).unwrap_or(Date::MAX);
                (format!("{}-W{:02}", week.year(), week.week()), sunday)
            }
        }
    }

    #[cfg(test)]
    fn sql(self, column: &str) -> String {
        match self {
            Bucket::Quarter => format!(
                "(CAST(substr({column}, 1, 4) AS INTEGER) * 4 + (CAST(substr({column}, 6, 2) AS INTEGER) - 1) / 3)"
            ),
            Bucket::Month => {
                format!("(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER) - 1)")
            }
            // julianday('1970-01-05') is 2440591.5; stored dates are all later.
            Bucket::Week => format!("(CAST(julianday({column}) - 2440591.5 AS INTEGER) / 7)"),
        }
    }
}

/// A dimension of the assignment cube (for breakdowns and cross tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CubeColumn {
    Status,
    Kind,
    Level,
    /// The theme code.
    Theme,
    /// The region of the education partner, else of the government partner.
    Region,
    /// The lab name.
    Lab,
}

impl CubeColumn {
    fn sql(self) -> &'static str {
        match self {
            CubeColumn::Status => "c.status",
            CubeColumn::Kind => "c.kind",
            CubeColumn::Level => "c.level",
            CubeColumn::Theme => "(SELECT code FROM theme WHERE id = c.theme_id)",
            CubeColumn::Region => "c.region",
            CubeColumn::Lab => "(SELECT name FROM lab WHERE id = c.lab_id)",
        }
    }
}

/// A value of a dimension (`None`: no region, no lab) and its count.
pub type Tally = Vec<(Option<String>, i64)>;

/// Counts by two dimensions: (row value, column value, count).
pub type CrossTally = Vec<(Option<String>, Option<String>, i64)>;

/// Activities of one kind: (kind, count, participants, government
/// participants, with participants unknown).
pub type ActivityTally = Vec<(String, i64, i64, i64, i64)>;

/// Counts per sector (government, education, other).
pub type BySector = BTreeMap<String, i64>;

/// The figures an open read transaction sees. Dropping it ends the
/// transaction and removes the temporary tables.
pub struct Snapshot<'c> {
    tx: Transaction<'c>,
    end: String,
    histories: Histories,
}

type QuickMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<QuickHasher>>;

/// What the pass over the assignment histories gathers; days are
/// [`day_number`]s, statuses indexes into `AssignmentStatus::ALL`.
#[derive(Default)]
struct Histories {
    /// Changes by (day, status, the status before; `NONE` for a first change).
    moves: QuickMap<(u32, u8, u8), i64>,
    /// First changes to each status by (status, day).
    firsts: QuickMap<(u8, u32), i64>,
    /// Assignments cancelled on the end date that had been in progress before.
    cancelled_after_start: i64,
    /// Assignments registered on or before the end date, by day.
    registered: QuickMap<u32, i64>,
}

/// An assignment existing on the end date: its id, its status then (an
/// index into `AssignmentStatus::ALL`) and the day of its first change.
type State = (i64, u8, u32);

/// "No status before": the first change of a history.
const NONE: u8 = u8::MAX;

/// A stored ISO date as yyyymmdd, which sorts as the dates do.
fn day_number(text: &str) -> Result<u32> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    match (b.len(), b.get(4), b.get(7), digits(0..4), digits(5..7), digits(8..10)) {
        (10, Some(b'-'), Some(b'-'), Some(y), Some(m), Some(d)) => Ok(y * 10_000 + m * 100 + d),
        _ => Err(crate::store::history::parse_stored_date(text).err().unwrap_or_else(|| {
            Error::registry(format!("the registry holds {text:?} where a date belongs; run `ipart db check`")).into()
        })),
    }
}

/// Days from Monday 5 January 1970 to a civil date (negative before it),
/// by Howard Hinnant's `days_from_civil`: integer arithmetic, no calendar
/// library on the trend's hot path.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 - 4
}

/// A stored assignment status as its index in `AssignmentStatus::ALL`.
fn status_index(code: &str) -> Result<u8> {
    AssignmentStatus::ALL.iter().position(|s| s.code() == code).map(|i| i as u8).ok_or_else(|| {
        Error::registry(format!("the registry holds {code:?} where an assignment status belongs; run `ipart db check`"))
            .into()
    })
}

fn status_code(index: u8) -> &'static str {
    AssignmentStatus::ALL[usize::from(index)].code()
}

/// A small list of distinct values, each known by its position: the text
/// columns of the cube, read without allocating a string per row.
#[derive(Default)]
struct Interned(Vec<Option<String>>);

impl Interned {
    fn index(&mut self, value: Option<&str>) -> usize {
        match self.0.iter().position(|v| v.as_deref() == value) {
            Some(i) => i,
            None => {
                self.0.push(value.map(str::to_string));
                self.0.len() - 1
            }
        }
    }
}

impl<'c> Snapshot<'c> {
    /// Starts a read transaction and gathers the state on `end`.
    pub fn take(conn: &'c Connection, end: Date) -> Result<Snapshot<'c>> {
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let tx = conn.unchecked_transaction()?;
        let end = end.to_string();
        tx.execute_batch(
            "DROP TABLE IF EXISTS temp.report_cube;
             DROP TABLE IF EXISTS temp.report_partners;
             CREATE TEMP TABLE report_cube (status TEXT, kind TEXT, level TEXT, theme_id INTEGER, region TEXT,
                                            lab_id INTEGER, assignments INTEGER, students INTEGER);
             CREATE TEMP TABLE report_partners (education INTEGER, partner_id INTEGER, assignments INTEGER);",
        )?;
        let (mut histories, states) = read_histories(&tx, &end)?;
        histories.registered = count_assignments(&tx, &states, day_number(&end)?)?;
        // The assignments helped on the end date, kept only where imports gave
        // student pseudonyms to count (most registries have none).
        let pseudonyms: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM assignment_student)", [], |r| r.get(0))?;
        tx.execute_batch(
            "DROP TABLE IF EXISTS temp.report_helped;
             CREATE TEMP TABLE report_helped (assignment_id INTEGER PRIMARY KEY);",
        )?;
        if pseudonyms {
            let mut insert = tx.prepare("INSERT INTO temp.report_helped VALUES (?1)")?;
            for &(id, status, _) in &states {
                if matches!(status_code(status), "in_progress" | "completed") {
                    insert.execute([id])?;
                }
            }
        }
        Ok(Snapshot { tx, end, histories })
    }

    fn conn(&self) -> &Connection {
        &self.tx
    }

    fn tally<P: Params>(&self, sql: &str, params: P) -> Result<Tally> {
        let mut stmt = self.conn().prepare(sql)?;
        let rows = stmt.query_map(params, |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn count<P: Params>(&self, sql: &str, params: P) -> Result<i64> {
        Ok(self.conn().query_row(sql, params, |r| r.get(0))?)
    }

    fn names<P: Params>(&self, sql: &str, params: P) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare(sql)?;
        let rows = stmt.query_map(params, |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ---------------------------------------------------------------- assignments

    /// Assignments existing on the end date (their first change is on or before it).
    pub fn assignments(&self) -> Result<i64> {
        self.count("SELECT coalesce(sum(assignments), 0) FROM temp.report_cube", [])
    }

    /// Assignments existing on the end date by one dimension.
    pub fn assignments_by(&self, column: CubeColumn) -> Result<Tally> {
        self.tally(
            &format!("SELECT {col}, sum(c.assignments) FROM temp.report_cube c GROUP BY 1", col = column.sql()),
            [],
        )
    }

    /// Assignments existing on the end date by two dimensions: (row, column, count).
    pub fn assignments_cross(&self, rows: CubeColumn, columns: CubeColumn) -> Result<CrossTally> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {r}, {c}, sum(c.assignments) FROM temp.report_cube c GROUP BY 1, 2",
            r = rows.sql(),
            c = columns.sql()
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Students on assignments whose status on the end date is in progress or
    /// completed ("students helped"), by one dimension.
    pub fn students_helped_by(&self, column: CubeColumn) -> Result<Tally> {
        self.tally(
            &format!(
                "SELECT {col}, sum(c.students) FROM temp.report_cube c
                 WHERE c.status IN ('in_progress', 'completed') GROUP BY 1",
                col = column.sql()
            ),
            [],
        )
    }

    /// Unique students among those helped, as far as imports gave their
    /// identifiers: (distinct pseudonyms, assignments helped that carry
    /// any, assignments helped). Helped is the rule of
    /// [`Snapshot::students_helped_by`]: in progress or completed on the end date.
    pub fn unique_students(&self) -> Result<(i64, i64, i64)> {
        Ok(self.conn().query_row(
            "SELECT (SELECT count(DISTINCT st.pseudonym) FROM temp.report_helped h
                     JOIN assignment_student st ON st.assignment_id = h.assignment_id),
                    (SELECT count(*) FROM temp.report_helped h
                     WHERE EXISTS (SELECT 1 FROM assignment_student st WHERE st.assignment_id = h.assignment_id)),
                    (SELECT coalesce(sum(assignments), 0) FROM temp.report_cube
                     WHERE status IN ('in_progress', 'completed'))",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    }

    /// Students on assignments by their status on the end date.
    pub fn students_by_status(&self) -> Result<Tally> {
        self.tally("SELECT status, sum(students) FROM temp.report_cube GROUP BY 1", [])
    }

    /// The partners with the most assignments existing on the end date:
    /// education partners or government partners.
    pub fn top_partners(&self, education: bool, limit: usize) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn().prepare(
            "SELECT p.name, c.assignments
             FROM temp.report_partners c JOIN partner p ON p.id = c.partner_id
             WHERE c.education = ?1
             ORDER BY c.assignments DESC, p.name COLLATE NOCASE, p.id
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![education, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Assignments registered during the period: their registration date
    /// (`registered_on`) lies in it, or for those without one, their first
    /// status change.
    pub fn registered_since(&self, start: Date) -> Result<i64> {
        let start = day_number(&start.to_string())?;
        Ok(self.histories.registered.iter().filter(|(day, _)| **day >= start).map(|(_, n)| n).sum())
    }

    /// Assignments whose first change to in progress, completed or cancelled
    /// lies in the period, by that status.
    pub fn first_changes_between(&self, start: Date) -> Result<Tally> {
        let start = day_number(&start.to_string())?;
        let mut out: Tally = Vec::new();
        for status in [AssignmentStatus::InProgress, AssignmentStatus::Completed, AssignmentStatus::Cancelled] {
            let index = status_index(status.code())?;
            let n: i64 =
                self.histories.firsts.iter().filter(|((s, day), _)| *s == index && *day >= start).map(|(_, n)| n).sum();
            if n > 0 {
                out.push((Some(status.code().to_string()), n));
            }
        }
        Ok(out)
    }

    /// Assignments cancelled on the end date that had been in progress before.
    pub fn cancelled_after_start(&self) -> Result<i64> {
        Ok(self.histories.cancelled_after_start)
    }

    /// The trend: for each period (see [`Bucket`]) in which some status
    /// changed on or before the end date, the number of assignments in each
    /// status at its end, as (period, status, count), in that order. Each
    /// change adds one to its status and takes one from the status before
    /// it, in the period it happened; the running sum of those moves per
    /// status is the count at each period's end. A status without moves in a
    /// period keeps its count from before (the caller carries it forward).
    pub fn trend(&self, bucket: Bucket) -> Result<Vec<(i64, String, i64)>> {
        let mut deltas: BTreeMap<(i64, &'static str), i64> = BTreeMap::new();
        for (&(day, status, before), &n) in &self.histories.moves {
            let period = bucket.of_day(day);
            *deltas.entry((period, status_code(status))).or_default() += n;
            if before != NONE {
                *deltas.entry((period, status_code(before))).or_default() -= n;
            }
        }
        let mut running: HashMap<&str, i64> = HashMap::new();
        Ok(deltas
            .into_iter()
            .map(|((period, status), delta)| {
                let count = running.entry(status).or_default();
                *count += delta;
                (period, status.to_string(), *count)
            })
            .collect())
    }

    // ---------------------------------------------------------------- partners

    const COUNTING: &'static str = "joined_on <= ?1 AND (left_on IS NULL OR left_on > ?1)";

    /// Partners counting on the end date, by sector.
    pub fn partners_counting(&self) -> Result<BySector> {
        let sql = format!("SELECT sector, count(*) FROM partner WHERE {} GROUP BY sector", Self::COUNTING);
        Ok(self.tally(&sql, [&self.end])?.into_iter().filter_map(|(k, n)| k.map(|k| (k, n))).collect())
    }

    /// Education partners counting on the end date, by level.
    pub fn education_partners_by_level(&self) -> Result<Tally> {
        let sql = format!(
            "SELECT level, count(*) FROM partner WHERE sector = 'education' AND {} GROUP BY level",
            Self::COUNTING
        );
        self.tally(&sql, [&self.end])
    }

    /// Partners counting on the end date by region and sector: (region, sector, count).
    pub fn partners_by_region(&self) -> Result<Vec<(Option<String>, String, i64)>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT region, sector, count(*) FROM partner WHERE {} GROUP BY region, sector",
            Self::COUNTING
        ))?;
        let rows = stmt.query_map([&self.end], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Partners that joined during the period, by sector.
    pub fn partners_joined_since(&self, start: Date) -> Result<BySector> {
        let rows = self.tally(
            "SELECT sector, count(*) FROM partner WHERE joined_on BETWEEN ?1 AND ?2 GROUP BY sector",
            params![start.to_string(), self.end],
        )?;
        Ok(rows.into_iter().filter_map(|(k, n)| k.map(|k| (k, n))).collect())
    }

    /// Partners that do not count on the end date although they could have:
    /// (why, name), `why` being `left` (on or before it) or `no_joined_date`.
    /// Partners joining later are not asked for: they belong to later reports.
    pub fn partners_not_counting(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn().prepare(
            "SELECT CASE WHEN joined_on IS NULL THEN 'no_joined_date' ELSE 'left' END, name
             FROM partner
             WHERE joined_on IS NULL OR (joined_on <= ?1 AND left_on <= ?1)
             ORDER BY name COLLATE NOCASE, id",
        )?;
        let rows = stmt.query_map([&self.end], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ---------------------------------------------------------------- labs, communities, curricula, chairs

    /// Each record of a kind with a lifecycle that exists on the end date,
    /// with its status then, ordered by name.
    pub fn lifecycle(&self, kind: Lifecycle) -> Result<Vec<LifecycleRow>> {
        let (table, history, owner, kind_column, links) = kind.tables();
        let mut stmt = self.conn().prepare(&format!(
            "SELECT x.name, s.status, s.since, {kind_column}, {links}
             FROM {table} x
             JOIN (SELECT {owner}, status, max(since) AS since FROM {history} WHERE since <= ?1 GROUP BY {owner}) s
               ON s.{owner} = x.id
             ORDER BY x.name COLLATE NOCASE, x.id"
        ))?;
        let rows = stmt.query_map([&self.end], LifecycleRow::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Labs in each region by their status on the end date: (region, status, count).
    pub fn labs_by_region(&self) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self.conn().prepare(
            "SELECT r.region, s.status, count(*)
             FROM lab_region r
             JOIN (SELECT lab_id, status, max(since) FROM lab_status WHERE since <= ?1 GROUP BY lab_id) s
               ON s.lab_id = r.lab_id
             GROUP BY 1, 2",
        )?;
        let rows = stmt.query_map([&self.end], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Labs that were active at some time during the period: active on its
    /// first day, or made active during it.
    pub fn labs_active_during(&self, start: Date) -> Result<Vec<String>> {
        self.names(
            "SELECT l.name FROM lab l
             WHERE (SELECT status FROM lab_status WHERE lab_id = l.id AND since <= ?1 ORDER BY since DESC LIMIT 1) = 'active'
                OR EXISTS (SELECT 1 FROM lab_status WHERE lab_id = l.id AND status = 'active' AND since BETWEEN ?1 AND ?2)
             ORDER BY l.name COLLATE NOCASE, l.id",
            params![start.to_string(), self.end],
        )
    }

    // ---------------------------------------------------------------- PhDs, activities, questions, metrics

    /// PhD candidates who started during the period, by theme code.
    pub fn phds_started_by_theme(&self, start: Date) -> Result<Tally> {
        self.tally(
            "SELECT t.code, count(*) FROM phd d JOIN theme t ON t.id = d.theme_id
             WHERE d.started_on BETWEEN ?1 AND ?2 GROUP BY t.code",
            params![start.to_string(), self.end],
        )
    }

    /// PhD candidates at work on the end date (started, not ended).
    pub fn phds_at_work(&self) -> Result<i64> {
        self.count(
            "SELECT count(*) FROM phd WHERE started_on <= ?1 AND (ended_on IS NULL OR ended_on > ?1)",
            [&self.end],
        )
    }

    /// Activities that started during the period, in date order.
    pub fn activities(&self, start: Date) -> Result<Vec<ActivityRow>> {
        let mut stmt = self.conn().prepare(
            "SELECT name, kind, starts_on, participants, government_participants FROM activity
             WHERE starts_on BETWEEN ?1 AND ?2 ORDER BY starts_on, name COLLATE NOCASE, id",
        )?;
        let rows = stmt.query_map(params![start.to_string(), self.end], |r| {
            Ok(ActivityRow {
                name: r.get(0)?,
                kind: r.get(1)?,
                starts_on: r.get(2)?,
                participants: r.get(3)?,
                government_participants: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Activities that started during the period, by kind: (kind, count,
    /// participants, government participants, with participants unknown).
    pub fn activities_by_kind(&self, start: Date) -> Result<ActivityTally> {
        let mut stmt = self.conn().prepare(
            "SELECT kind, count(*), coalesce(sum(participants), 0), coalesce(sum(government_participants), 0),
                    count(*) - count(participants)
             FROM activity WHERE starts_on BETWEEN ?1 AND ?2 GROUP BY kind",
        )?;
        let rows = stmt.query_map(params![start.to_string(), self.end], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Questions asked on or before the end date, by theme code and whether
    /// something had taken them up by then: an assignment or lab that
    /// existed, or a PhD that had started, on the end date.
    pub fn questions(&self, start: Date) -> Result<Vec<(String, bool, i64, i64)>> {
        let mut stmt = self.conn().prepare(
            "SELECT t.code,
                    EXISTS (SELECT 1 FROM assignment_status WHERE assignment_id = q.assignment_id AND since <= ?2)
                    OR EXISTS (SELECT 1 FROM lab_status WHERE lab_id = q.lab_id AND since <= ?2)
                    OR EXISTS (SELECT 1 FROM phd WHERE id = q.phd_id AND started_on <= ?2) AS taken_up,
                    count(*), sum(q.asked_on >= ?1)
             FROM question q JOIN theme t ON t.id = q.theme_id
             WHERE q.asked_on <= ?2
             GROUP BY 1, 2",
        )?;
        let rows =
            stmt.query_map(params![start.to_string(), self.end], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The communication figures of a year with their declarations, in
    /// declared order.
    pub fn metrics(&self, year: i16) -> Result<Vec<(super::metric::MetricName, f64)>> {
        let mut stmt = self.conn().prepare(
            "SELECT m.name, n.name_en, n.name_nl, n.unit, n.position, m.value
             FROM metric m JOIN metric_name n ON n.name = m.name
             WHERE m.year = ?1 ORDER BY n.position, m.name",
        )?;
        let rows = stmt.query_map([year], |r| {
            let name = super::metric::MetricName {
                name: r.get(0)?,
                name_en: r.get(1)?,
                name_nl: r.get(2)?,
                unit: r.get(3)?,
                position: r.get(4)?,
            };
            Ok((name, r.get(5)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The themes, in display order: (code, English name, Dutch name).
    pub fn themes(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self.conn().prepare("SELECT code, name_en, name_nl FROM theme ORDER BY position, code")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The pass over the histories (see the module's documentation): what it
/// gathers, and each assignment existing on `end` with its status then and
/// the day of its first change, in id order.
fn read_histories(conn: &Connection, end: &str) -> Result<(Histories, Vec<State>)> {
    let mut h = Histories::default();
    let mut states: Vec<State> = Vec::new();
    let in_progress = status_index(AssignmentStatus::InProgress.code())?;
    let cancelled = status_index(AssignmentStatus::Cancelled.code())?;
    // The history being read: its assignment, last status, the statuses
    // seen (a bit each), whether it was in progress before the last one,
    // and the day of its first change.
    let mut current: Option<(i64, u8, u32, bool, u32)> = None;
    let mut finish = |h: &mut Histories, (id, status, _, in_progress_before, first): (i64, u8, u32, bool, u32)| {
        states.push((id, status, first));
        if status == cancelled && in_progress_before {
            h.cancelled_after_start += 1;
        }
    };
    let mut stmt = conn.prepare(
        "SELECT assignment_id, since, status FROM assignment_status WHERE since <= ?1 ORDER BY assignment_id, since",
    )?;
    let mut rows = stmt.query([end])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let day = day_number(row.get_ref(1)?.as_str()?)?;
        let status = status_index(row.get_ref(2)?.as_str()?)?;
        let (before, seen, first) = match current {
            Some((owner, last, seen, _, first)) if owner == id => (last, seen | (1u32 << last), first),
            other => {
                if let Some(done) = other {
                    finish(&mut h, done);
                }
                (NONE, 0, day)
            }
        };
        if seen & (1u32 << status) == 0 {
            *h.firsts.entry((status, day)).or_default() += 1;
        }
        *h.moves.entry((day, status, before)).or_default() += 1;
        current = Some((id, status, seen, seen & (1u32 << in_progress) != 0, first));
    }
    if let Some(done) = current {
        finish(&mut h, done);
    }
    Ok((h, states))
}

/// A cell of the cube: (status, kind, level, theme, region, lab), the text
/// columns as positions in their [`Interned`] lists.
type CubeKey = (u8, usize, usize, i64, usize, Option<i64>);

/// The pass over the assignments, merged with those existing on the end
/// date (`states`, in id order): fills `report_cube` and `report_partners`
/// from the existing ones, and returns the registrations on or before the
/// end day by day: each assignment's `registered_on`, else (for one that
/// exists) the day of its first change.
fn count_assignments(conn: &Connection, states: &[State], end: u32) -> Result<QuickMap<u32, i64>> {
    // The region an assignment counts in: its education partner's, else its
    // government partner's.
    let mut regions = Interned::default();
    let mut partner_region: QuickMap<i64, usize> = QuickMap::default();
    {
        let mut stmt = conn.prepare("SELECT id, region FROM partner")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let region = regions.index(row.get_ref(1)?.as_str_or_null()?);
            partner_region.insert(row.get(0)?, region);
        }
    }
    let (mut kinds, mut levels) = (Interned::default(), Interned::default());
    // (status, kind, level, theme, region, lab) -> (assignments, students)
    let mut cube: QuickMap<CubeKey, (i64, i64)> = QuickMap::default();
    let mut partners: QuickMap<(bool, i64), i64> = QuickMap::default();
    let mut registered: QuickMap<u32, i64> = QuickMap::default();
    let mut next = states.iter().peekable();
    let mut stmt = conn.prepare(
        "SELECT id, kind, level, theme_id, government_partner_id, education_partner_id, lab_id, students,
                registered_on
         FROM assignment ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        while next.next_if(|(state_id, _, _)| *state_id < id).is_some() {}
        let state = next.next_if(|(state_id, _, _)| *state_id == id);
        let registered_on = match row.get_ref(8)?.as_str_or_null()? {
            Some(text) => Some(day_number(text)?),
            None => None,
        };
        if let Some(day) = registered_on.or(state.map(|s| s.2)).filter(|day| *day <= end) {
            *registered.entry(day).or_default() += 1;
        }
        let Some(&(_, status, _)) = state else { continue };
        let kind = kinds.index(Some(row.get_ref(1)?.as_str()?));
        let level = levels.index(Some(row.get_ref(2)?.as_str()?));
        let (government, education): (i64, Option<i64>) = (row.get(4)?, row.get(5)?);
        let region_of = |p: i64| partner_region.get(&p).copied().filter(|&r| regions.0[r].is_some());
        let region = education
            .and_then(region_of)
            .or_else(|| region_of(government))
            .unwrap_or_else(|| regions.0.iter().position(Option::is_none).unwrap_or(usize::MAX));
        let cell = cube.entry((status, kind, level, row.get(3)?, region, row.get(6)?)).or_default();
        cell.0 += 1;
        cell.1 += row.get::<_, i64>(7)?;
        *partners.entry((false, government)).or_default() += 1;
        if let Some(e) = education {
            *partners.entry((true, e)).or_default() += 1;
        }
    }
    let mut insert = conn.prepare("INSERT INTO temp.report_cube VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
    for ((status, kind, level, theme, region, lab), (n, students)) in cube {
        let region = regions.0.get(region).and_then(Option::as_deref);
        insert.execute(params![
            status_code(status),
            kinds.0[kind],
            levels.0[level],
            theme,
            region,
            lab,
            n,
            students
        ])?;
    }
    let mut insert = conn.prepare("INSERT INTO temp.report_partners VALUES (?1, ?2, ?3)")?;
    for ((education, partner), n) in partners {
        insert.execute(params![education, partner, n])?;
    }
    Ok(registered)
}

/// The kinds of record with a lifecycle besides assignments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Lab,
    Community,
    Curriculum,
    Chair,
}

impl Lifecycle {
    /// (table, history table, owner column, kind column, linked names).
    fn tables(self) -> (&'static str, &'static str, &'static str, &'static str, String) {
        match self {
            Lifecycle::Lab => (
                "lab",
                "lab_status",
                "lab_id",
                "NULL",
                "(SELECT group_concat(region, char(31)) FROM lab_region WHERE lab_id = x.id)".to_string(),
            ),
            Lifecycle::Community => ("community", "community_status", "community_id", "NULL", "NULL".to_string()),
            Lifecycle::Curriculum => (
                "curriculum",
                "curriculum_status",
                "curriculum_id",
                "x.kind",
                super::linked_names("curriculum_partner", "curriculum_id", "x"),
            ),
            Lifecycle::Chair => {
                ("chair", "chair_status", "chair_id", "x.kind", super::linked_names("chair_partner", "chair_id", "x"))
            }
        }
    }
}

/// A lab, community, curriculum or chair with its status on the end date.
#[derive(Debug, Clone)]
pub struct LifecycleRow {
    pub name: String,
    pub status: String,
    pub since: String,
    /// The kind of a curriculum or chair.
    pub kind: Option<String>,
    /// The regions of a lab; the partners of a curriculum or chair.
    pub links: Vec<String>,
}

impl LifecycleRow {
    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(LifecycleRow {
            name: r.get(0)?,
            status: r.get(1)?,
            since: r.get(2)?,
            kind: r.get(3)?,
            links: super::read::list(r, 4)?,
        })
    }
}

/// An activity that started during the period.
#[derive(Debug, Clone)]
pub struct ActivityRow {
    pub name: String,
    pub kind: String,
    pub starts_on: String,
    pub participants: Option<i64>,
    pub government_participants: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Registry;

    fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
        v.sort();
        v
    }

    fn rows3(conn: &Connection, sql: &str, p: impl Params) -> Vec<(i64, String, i64)> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map(p, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap()
    }

    /// The one-pass figures equal what plain SQL over the histories says,
    /// on the demo registry with a few histories made harder (a return to
    /// an earlier status, a cancellation after completion) and registration
    /// dates (before the first change, and after it).
    #[test]
    fn the_pass_over_the_histories_agrees_with_sql() {
        let mut registry = Registry::create_in_memory().unwrap();
        crate::demo::load(&mut registry).unwrap();
        let conn = registry.conn();
        conn.execute_batch(
            "INSERT INTO assignment_status (id, assignment_id, status, since)
                 SELECT (SELECT max(id) FROM assignment_status) + row_number() OVER (), assignment_id, 'in_progress',
                        date(max(since), '+40 days')
                 FROM assignment_status WHERE assignment_id % 3 = 0 GROUP BY assignment_id;
             INSERT INTO assignment_status (id, assignment_id, status, since)
                 SELECT (SELECT max(id) FROM assignment_status) + row_number() OVER (), assignment_id, 'cancelled',
                        date(max(since), '+20 days')
                 FROM assignment_status WHERE assignment_id % 5 = 0 GROUP BY assignment_id;
             UPDATE assignment SET registered_on =
                 date((SELECT min(since) FROM assignment_status WHERE assignment_id = assignment.id), '-45 days')
                 WHERE id % 4 = 0;
             UPDATE assignment SET registered_on = '2023-10-02' WHERE id % 7 = 0;",
        )
        .unwrap();
        for (start, end) in [("2022-01-01", "2022-12-31"), ("2023-01-01", "2023-12-31"), ("2023-09-01", "2024-08-31")] {
            let (start, end): (Date, Date) = (start.parse().unwrap(), end.parse().unwrap());
            let snapshot = Snapshot::take(conn, end).unwrap();
            let p = params![start.to_string(), end.to_string()];
            let registered: i64 = conn
                .query_row(
                    "SELECT count(*) FROM assignment a
                     WHERE coalesce(a.registered_on, (SELECT min(since) FROM assignment_status
                                                      WHERE assignment_id = a.id)) BETWEEN ?1 AND ?2",
                    p,
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(snapshot.registered_since(start).unwrap(), registered);
            let firsts: Tally = conn
                .prepare(
                    "SELECT c.status, count(*) FROM assignment_status c
                     WHERE c.status IN ('in_progress', 'completed', 'cancelled') AND c.since BETWEEN ?1 AND ?2
                       AND NOT EXISTS (SELECT 1 FROM assignment_status p WHERE p.assignment_id = c.assignment_id
                                       AND p.status = c.status AND p.since < c.since)
                     GROUP BY c.status",
                )
                .unwrap()
                .query_map(p, |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(!firsts.is_empty());
            assert_eq!(sorted(snapshot.first_changes_between(start).unwrap()), sorted(firsts));
            let state = "SELECT assignment_id, status, max(since) AS since FROM assignment_status WHERE since <= ?1
                         GROUP BY assignment_id";
            let cancelled: i64 = conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM ({state}) s WHERE s.status = 'cancelled'
                           AND EXISTS (SELECT 1 FROM assignment_status p WHERE p.assignment_id = s.assignment_id
                                       AND p.status = 'in_progress' AND p.since < s.since)"
                    ),
                    [end.to_string()],
                    |r| r.get(0),
                )
                .unwrap();
            assert!(cancelled > 0);
            assert_eq!(snapshot.cancelled_after_start().unwrap(), cancelled);
            for bucket in [Bucket::Quarter, Bucket::Month, Bucket::Week] {
                let trend = rows3(
                    conn,
                    &format!(
                        "WITH changes AS (
                             SELECT since, status, lag(status) OVER (PARTITION BY assignment_id ORDER BY since) AS previous
                             FROM assignment_status WHERE since <= ?1),
                         moves AS (SELECT {b} AS bucket, status, previous, count(*) AS n FROM changes GROUP BY 1, 2, 3),
                         deltas AS (SELECT bucket, status, n AS delta FROM moves
                                    UNION ALL SELECT bucket, previous, -n FROM moves WHERE previous IS NOT NULL)
                         SELECT bucket, status, sum(sum(delta)) OVER (PARTITION BY status ORDER BY bucket)
                         FROM deltas GROUP BY bucket, status ORDER BY bucket, status",
                        b = bucket.sql("since")
                    ),
                    [end.to_string()],
                );
                assert_eq!(snapshot.trend(bucket).unwrap(), trend);
            }
            let cube = rows3(
                conn,
                &format!(
                    "SELECT a.theme_id, s.status || '/' || a.kind || '/' || a.level || '/' || coalesce(e.region, g.region, '-')
                            || '/' || coalesce(a.lab_id, '-') || '/' || sum(a.students), count(*)
                     FROM ({state}) s JOIN assignment a ON a.id = s.assignment_id
                     JOIN partner g ON g.id = a.government_partner_id
                     LEFT JOIN partner e ON e.id = a.education_partner_id GROUP BY s.status, a.kind, a.level, a.theme_id,
                          coalesce(e.region, g.region), a.lab_id"
                ),
                [end.to_string()],
            );
            let ours = rows3(
                snapshot.conn(),
                "SELECT theme_id, status || '/' || kind || '/' || level || '/' || coalesce(region, '-') || '/'
                        || coalesce(lab_id, '-') || '/' || students, assignments FROM temp.report_cube",
                [],
            );
            assert_eq!(sorted(ours), sorted(cube));
            for education in [false, true] {
                let column = if education { "education_partner_id" } else { "government_partner_id" };
                let top: Vec<(String, i64)> = conn
                    .prepare(&format!(
                        "SELECT p.name, count(*) AS n FROM ({state}) s JOIN assignment a ON a.id = s.assignment_id
                         JOIN partner p ON p.id = a.{column} GROUP BY p.id ORDER BY n DESC, p.name COLLATE NOCASE, p.id"
                    ))
                    .unwrap()
                    .query_map([end.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                assert_eq!(snapshot.top_partners(education, 1000).unwrap(), top);
            }
        }
    }

    #[test]
    fn every_day_falls_in_its_iso_week_month_and_quarter() {
        let mut day: Date = "1999-12-20".parse().unwrap();
        let last: Date = "2032-01-10".parse().unwrap();
        while day <= last {
            let (label, sunday) = Bucket::Week.label(Bucket::Week.index(day));
            let iso = day.iso_week_date();
            assert_eq!(label, format!("{}-W{:02}", iso.year(), iso.week()), "{day}");
            assert!(sunday >= day && sunday.weekday() == jiff::civil::Weekday::Sunday, "{day}: {sunday}");
            assert!(sunday.since(day).unwrap().get_days() < 7, "{day}");
            let (month, end) = Bucket::Month.label(Bucket::Month.index(day));
            assert_eq!((month, end), (format!("{:04}-{:02}", day.year(), day.month()), day.last_of_month()));
            let (quarter, end) = Bucket::Quarter.label(Bucket::Quarter.index(day));
            assert_eq!(quarter, format!("{}-Q{}", day.year(), (day.month() + 2) / 3), "{day}");
            assert!(end >= day && end.month() % 3 == 0 && end == end.last_of_month(), "{day}");
            day = day.tomorrow().unwrap();
        }
    }

    #[test]
    fn a_damaged_date_or_status_is_a_registry_error() {
        assert_eq!(day_number("2023-09-01").unwrap(), 20230901);
        assert!(day_number("2023-9-1").is_err());
        assert!(status_index("busy").is_err());
    }
}
