//! The SQL of `ipart report`: every figure of the yearly report is counted
//! here, from the status histories, never from a stored "current" status.
//! `report::compute` calls these functions and shapes their rows into the
//! `Report`; it adds nothing but order, zero rows and rounding.
//!
//! A report first calls [`Snapshot::take`], which opens one read
//! transaction (all figures see the same registry, even while an import
//! writes) and builds two temporary tables:
//!
//! * `report_state`: each assignment existing on the end date with its
//!   status then: the last change on or before it. (SQLite's `max()` with a
//!   bare column takes the other columns from the row holding the maximum,
//!   and the `assignment_status_history` index hands the rows over already
//!   grouped, so this is one pass without a sort.)
//! * `report_cube`: those assignments counted by status, kind, level,
//!   theme, region and lab, with their students. Every breakdown of
//!   assignments and students is a small GROUP BY over it.
//!
//! Only dates on or before the end date are read, so a report for 2023
//! gives the same figures whenever it is run.

use std::collections::BTreeMap;

use rusqlite::{Connection, Params, Row, Transaction, params};

use crate::domain::Date;
use crate::error::Result;

/// How the trend's periods are numbered: an integer per quarter or month,
/// computed from an ISO date column. The caller turns it back into a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// year * 4 + quarter - 1
    Quarter,
    /// year * 12 + month - 1
    Month,
}

impl Bucket {
    fn sql(self, column: &str) -> String {
        match self {
            Bucket::Quarter => format!(
                "(CAST(substr({column}, 1, 4) AS INTEGER) * 4 + (CAST(substr({column}, 6, 2) AS INTEGER) - 1) / 3)"
            ),
            Bucket::Month => {
                format!("(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER) - 1)")
            }
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
}

impl<'c> Snapshot<'c> {
    /// Starts a read transaction and builds the temporary tables for the
    /// state on `end`.
    pub fn take(conn: &'c Connection, end: Date) -> Result<Snapshot<'c>> {
        // Sorting a large registry's history is the report's main cost: keep
        // the temporary tables and sorts in memory rather than in files.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let tx = conn.unchecked_transaction()?;
        let end = end.to_string();
        tx.execute_batch(
            "DROP TABLE IF EXISTS temp.report_state;
             DROP TABLE IF EXISTS temp.report_cube;",
        )?;
        tx.execute(
            "CREATE TEMP TABLE report_state AS
             SELECT assignment_id, status, max(since) AS since
             FROM assignment_status WHERE since <= ?1 GROUP BY assignment_id",
            [&end],
        )?;
        tx.execute_batch(
            "CREATE TEMP TABLE report_cube AS
             SELECT s.status, a.kind, a.level, a.theme_id, coalesce(e.region, g.region) AS region, a.lab_id,
                    count(*) AS assignments, sum(a.students) AS students
             FROM temp.report_state s
             JOIN assignment a ON a.id = s.assignment_id
             JOIN partner g ON g.id = a.government_partner_id
             LEFT JOIN partner e ON e.id = a.education_partner_id
             GROUP BY 1, 2, 3, 4, 5, 6;",
        )?;
        Ok(Snapshot { tx, end })
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
            "SELECT (SELECT count(DISTINCT st.pseudonym) FROM temp.report_state s
                     JOIN assignment_student st ON st.assignment_id = s.assignment_id
                     WHERE s.status IN ('in_progress', 'completed')),
                    (SELECT count(*) FROM temp.report_state s
                     WHERE s.status IN ('in_progress', 'completed')
                       AND EXISTS (SELECT 1 FROM assignment_student st WHERE st.assignment_id = s.assignment_id)),
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
    /// `column` is `government_partner_id` or `education_partner_id`.
    pub fn top_partners(&self, education: bool, limit: usize) -> Result<Vec<(String, i64)>> {
        let column = if education { "education_partner_id" } else { "government_partner_id" };
        let mut stmt = self.conn().prepare(&format!(
            "SELECT p.name, count(*) AS n
             FROM temp.report_state s
             JOIN assignment a ON a.id = s.assignment_id
             JOIN partner p ON p.id = a.{column}
             GROUP BY p.id
             ORDER BY n DESC, p.name COLLATE NOCASE, p.id
             LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Assignments registered during the period: their first change lies in it.
    pub fn registered_since(&self, start: Date) -> Result<i64> {
        self.count(
            "SELECT count(*) FROM assignment_status c
             WHERE c.since BETWEEN ?1 AND ?2
               AND NOT EXISTS (SELECT 1 FROM assignment_status p WHERE p.assignment_id = c.assignment_id AND p.since < c.since)",
            params![start.to_string(), self.end],
        )
    }

    /// Assignments whose first change to in progress, completed or cancelled
    /// lies in the period, by that status.
    pub fn first_changes_between(&self, start: Date) -> Result<Tally> {
        self.tally(
            "SELECT c.status, count(*) FROM assignment_status c
             WHERE c.status IN ('in_progress', 'completed', 'cancelled') AND c.since BETWEEN ?1 AND ?2
               AND NOT EXISTS (SELECT 1 FROM assignment_status p
                               WHERE p.assignment_id = c.assignment_id AND p.status = c.status AND p.since < c.since)
             GROUP BY c.status",
            params![start.to_string(), self.end],
        )
    }

    /// Assignments cancelled on the end date that had been in progress before.
    pub fn cancelled_after_start(&self) -> Result<i64> {
        self.count(
            "SELECT count(*) FROM temp.report_state s
             WHERE s.status = 'cancelled'
               AND EXISTS (SELECT 1 FROM assignment_status p
                           WHERE p.assignment_id = s.assignment_id AND p.status = 'in_progress' AND p.since < s.since)",
            [],
        )
    }

    /// The trend: for each period (see [`Bucket`]) in which some status
    /// changed on or before the end date, the number of assignments in each
    /// status at its end, as (period, status, count). Each change adds one to
    /// its status and takes one from the status before it (`lag`), in the
    /// period it happened; the running sum of those moves per status is the
    /// count at each period's end. A status without moves in a period keeps
    /// its count from before (the caller carries it forward).
    pub fn trend(&self, bucket: Bucket) -> Result<Vec<(i64, String, i64)>> {
        let mut stmt = self.conn().prepare(&format!(
            "WITH changes AS (
                 SELECT since, status, lag(status) OVER (PARTITION BY assignment_id ORDER BY since) AS previous
                 FROM assignment_status WHERE since <= ?1),
             moves AS (
                 SELECT {b} AS bucket, status, previous, count(*) AS n FROM changes GROUP BY 1, 2, 3),
             deltas AS (
                 SELECT bucket, status, n AS delta FROM moves
                 UNION ALL
                 SELECT bucket, previous, -n FROM moves WHERE previous IS NOT NULL)
             SELECT bucket, status, sum(sum(delta)) OVER (PARTITION BY status ORDER BY bucket)
             FROM deltas GROUP BY bucket, status ORDER BY bucket, status",
            b = bucket.sql("since")
        ))?;
        let rows = stmt.query_map([&self.end], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
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

    /// The communication figures of a year, by name.
    pub fn metrics(&self, year: i16) -> Result<Vec<(String, f64)>> {
        let mut stmt = self.conn().prepare("SELECT name, value FROM metric WHERE year = ?1 ORDER BY name")?;
        let rows = stmt.query_map([year], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The themes, in display order: (code, English name, Dutch name).
    pub fn themes(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self.conn().prepare("SELECT code, name_en, name_nl FROM theme ORDER BY position, code")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
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
