//! `ipart db check`: proves a registry file is whole and keeps its own rules.
//!
//! SQLite's own checks come first (`PRAGMA integrity_check`, which also
//! re-tests every CHECK and NOT NULL constraint, and `foreign_key_check`);
//! then the rules the schema cannot state on its own or that another SQL
//! tool could have broken (triggers dropped, constraints ignored): status
//! histories in date order, dates consistent, partners of the right sector
//! and level, the file's identity. Every rule is a query that returns the
//! offending records, so a problem names the record it is about.
//!
//! A status history out of lifecycle order (completed before in
//! preparation) is a warning, not a problem: `--any-order` records such a
//! history on purpose, and the registry stays whole with it.

use rusqlite::Connection;
use serde::Serialize;

use super::history::{self, HistoryTable};
use super::{APPLICATION_ID, SCHEMA_VERSION};
use crate::domain::history::out_of_order;
use crate::domain::{
    AssignmentStatus, ChairStatus, CommunityStatus, CurriculumStatus, LabStatus, Lifecycle, StatusChange, Vocabulary,
};
use crate::error::Result;

/// How many problems one check lists before it only counts the rest.
const MAX_LISTED: usize = 50;

/// One problem: the record it concerns and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// "assignment 12", "partner 3", or the table for file-level problems.
    pub record: String,
    pub problem: String,
}

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// A stable name scripts can match on ("status-histories").
    pub name: &'static str,
    /// What the check proves when it finds nothing.
    pub description: &'static str,
    /// The problems listed (at most [`MAX_LISTED`]).
    pub problems: Vec<Problem>,
    /// All problems found, listed or not.
    pub count: usize,
    /// What this check finds is a warning: shown, but the registry passes.
    pub warning: bool,
}

/// Every check, in the order they ran.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub checks: Vec<Outcome>,
}

impl Report {
    /// How many problems were found in all (warnings not counted).
    pub fn problem_count(&self) -> usize {
        self.checks.iter().filter(|c| !c.warning).map(|c| c.count).sum()
    }

    /// How many warnings were found in all.
    pub fn warning_count(&self) -> usize {
        self.checks.iter().filter(|c| c.warning).map(|c| c.count).sum()
    }

    pub fn is_ok(&self) -> bool {
        self.problem_count() == 0
    }
}

/// A rule as a query returning `(record, problem)` rows, one per offence.
struct Rule {
    check: &'static str,
    sql: String,
}

const CHECKS: &[(&str, &str)] = &[
    ("integrity", "SQLite's integrity check: pages, indexes, CHECK and NOT NULL constraints, STRICT types"),
    ("foreign-keys", "every reference points at a record that exists"),
    ("identity", "the file says it is an ipart registry of the schema version this ipart writes"),
    ("status-histories", "every status history is a list of valid statuses in date order, one change per day"),
    ("dates", "every date is a real YYYY-MM-DD date and every end comes on or after its start"),
    ("sectors", "government partners are government, education partners are education and match the level"),
    ("pseudonyms", "student pseudonyms belong to assignments and imports that exist, under the registry's key"),
    (LIFECYCLE, "every status history follows its lifecycle (a warning: --any-order records another order on purpose)"),
];

/// The check whose findings are warnings.
const LIFECYCLE: &str = "lifecycle-order";

/// Runs every check on the registry behind `conn` (read-only).
pub fn run(conn: &Connection) -> Result<Report> {
    let mut checks: Vec<Outcome> = CHECKS
        .iter()
        .map(|(name, description)| Outcome {
            name,
            description,
            problems: Vec::new(),
            count: 0,
            warning: *name == LIFECYCLE,
        })
        .collect();
    let mut found = |check: &str, problem: Problem| {
        if let Some(outcome) = checks.iter_mut().find(|c| c.name == check) {
            outcome.count += 1;
            if outcome.problems.len() < MAX_LISTED {
                outcome.problems.push(problem);
            }
        }
    };

    // A damaged file can make any query fail part-way: that is a finding of
    // the check that ran it, not a reason to stop checking.
    let unreadable = |e: rusqlite::Error| Problem { record: "file".into(), problem: format!("cannot be read: {e}") };

    match integrity_problems(conn) {
        Ok(lines) => lines.into_iter().for_each(|p| found("integrity", p)),
        Err(e) => found("integrity", unreadable(e)),
    }
    match foreign_key_problems(conn) {
        Ok(broken) => broken.into_iter().for_each(|p| found("foreign-keys", p)),
        Err(e) => found("foreign-keys", unreadable(e)),
    }
    match identity_problems(conn) {
        Ok(wrong) => wrong.into_iter().for_each(|p| found("identity", p)),
        Err(e) => found("identity", unreadable(e)),
    }
    for rule in rules() {
        match problems_of(conn, &rule.sql) {
            Ok(rows) => rows.into_iter().for_each(|p| found(rule.check, p)),
            Err(e) => found(rule.check, unreadable(e)),
        }
    }
    match lifecycle_warnings(conn) {
        Ok(rows) => rows.into_iter().for_each(|p| found(LIFECYCLE, p)),
        Err(e) => found(LIFECYCLE, Problem { record: "file".into(), problem: format!("cannot be read: {e}") }),
    }
    Ok(Report { checks })
}

/// Every history out of lifecycle order, each pair of changes that breaks
/// it named. Statuses or dates that cannot be read are left to the
/// status-histories check.
fn lifecycle_warnings(conn: &Connection) -> Result<Vec<Problem>> {
    fn of<S: Lifecycle>(conn: &Connection, t: HistoryTable, out: &mut Vec<Problem>) -> Result<()> {
        let mut stmt = conn.prepare(&format!(
            "SELECT {column}, since, status FROM {table} WHERE since IS date(since) ORDER BY {column}, since",
            column = t.owner_column,
            table = t.table
        ))?;
        let mut rows = stmt.query([])?;
        let mut current: Option<i64> = None;
        let mut changes: Vec<StatusChange<S>> = Vec::new();
        let mut flush = |id: Option<i64>, changes: &mut Vec<StatusChange<S>>| {
            if let Some(id) = id {
                for (a, b) in out_of_order(changes) {
                    let wrong = crate::domain::history::OutOfOrder { first: changes[a], second: changes[b] };
                    out.push(Problem { record: format!("{} {id}", t.owner), problem: wrong.describe() });
                }
            }
            changes.clear();
        };
        while let Some(row) = rows.next()? {
            let (id, since, status): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
            if current != Some(id) {
                flush(current, &mut changes);
                current = Some(id);
            }
            if let (Ok(since), Ok(status)) = (since.parse(), S::parse(&status)) {
                changes.push(StatusChange { since, status });
            }
        }
        flush(current, &mut changes);
        Ok(())
    }
    let mut out = Vec::new();
    of::<AssignmentStatus>(conn, history::ASSIGNMENT, &mut out)?;
    of::<LabStatus>(conn, history::LAB, &mut out)?;
    of::<CommunityStatus>(conn, history::COMMUNITY, &mut out)?;
    of::<CurriculumStatus>(conn, history::CURRICULUM, &mut out)?;
    of::<ChairStatus>(conn, history::CHAIR, &mut out)?;
    Ok(out)
}

/// The `(record, problem)` rows a rule's query returns.
fn problems_of(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<Problem>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| Ok(Problem { record: r.get(0)?, problem: r.get(1)? }))?;
    rows.collect()
}

fn integrity_problems(conn: &Connection) -> rusqlite::Result<Vec<Problem>> {
    let mut stmt = conn.prepare(&format!("PRAGMA integrity_check({})", MAX_LISTED + 1))?;
    let lines = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let lines: Vec<String> = lines.collect::<rusqlite::Result<_>>()?;
    Ok(lines.into_iter().filter(|l| l != "ok").map(|l| Problem { record: "file".into(), problem: l }).collect())
}

fn has_id_column(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.query_row("SELECT count(*) > 0 FROM pragma_table_info(?1) WHERE name = 'id'", [table], |r| r.get(0))
}

/// Each broken reference, naming the referring column and the missing id.
fn foreign_key_problems(conn: &Connection) -> rusqlite::Result<Vec<Problem>> {
    let mut stmt = conn.prepare(
        "SELECT c.\"table\", c.rowid, c.parent,
                (SELECT f.\"from\" FROM pragma_foreign_key_list(c.\"table\") f WHERE f.id = c.fkid LIMIT 1),
                (SELECT coalesce(f.\"to\", 'id') FROM pragma_foreign_key_list(c.\"table\") f WHERE f.id = c.fkid LIMIT 1)
         FROM pragma_foreign_key_check c ORDER BY 1, 2",
    )?;
    type Broken = (String, Option<i64>, String, Option<String>, Option<String>);
    let rows: Vec<Broken> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    // A WITHOUT ROWID table (assignment_status) has no rowid to report: its
    // broken rows are found again by their column, once per reference, and
    // named by their id. One without an id (assignment_student) is left to
    // its own rule (pseudonyms), which names what is broken.
    let mut searched = std::collections::HashSet::new();
    for (table, rowid, parent, column, to) in rows {
        let Some(rowid) = rowid else {
            if let (Some(c), Some(to)) = (&column, &to)
                && has_id_column(conn, &table)?
                && searched.insert((table.clone(), c.clone()))
            {
                let mut stmt = conn.prepare(&format!(
                    "SELECT id, \"{c}\" FROM \"{table}\" t
                     WHERE \"{c}\" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \"{parent}\" p WHERE p.\"{to}\" = t.\"{c}\")
                     ORDER BY id"
                ))?;
                let found = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
                for row in found {
                    let (id, value) = row?;
                    out.push(Problem {
                        record: format!("{table} {id}"),
                        problem: format!("{c} refers to {parent} {value}, which does not exist"),
                    });
                }
            }
            continue;
        };
        let value: Option<i64> = match &column {
            Some(c) => conn
                .query_row(&format!("SELECT \"{c}\" FROM \"{table}\" WHERE rowid = ?1"), [rowid], |r| r.get(0))
                .ok()
                .flatten(),
            None => None,
        };
        let problem = match (column, value) {
            (Some(c), Some(v)) => format!("{c} refers to {parent} {v}, which does not exist"),
            _ => format!("refers to a {parent} that does not exist"),
        };
        out.push(Problem { record: format!("{table} {rowid}"), problem });
    }
    Ok(out)
}

fn identity_problems(conn: &Connection) -> rusqlite::Result<Vec<Problem>> {
    let (application_id, version): (i32, i32) = conn.query_row(
        "SELECT application_id, user_version FROM pragma_application_id, pragma_user_version",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut out = Vec::new();
    if application_id != APPLICATION_ID {
        out.push(Problem {
            record: "file".into(),
            problem: format!("application_id is {application_id:#x}, not {APPLICATION_ID:#x} (\"ipar\")"),
        });
    }
    if version != SCHEMA_VERSION {
        out.push(Problem {
            record: "file".into(),
            problem: format!("schema version (user_version) is {version}, this ipart writes {SCHEMA_VERSION}"),
        });
    }
    Ok(out)
}

/// The valid status codes of a history table, from the vocabularies.
fn status_codes(t: &HistoryTable) -> Vec<&'static str> {
    fn codes<S: Vocabulary>() -> Vec<&'static str> {
        S::ALL.iter().map(|s| s.code()).collect()
    }
    match t.table {
        "assignment_status" => codes::<AssignmentStatus>(),
        "lab_status" => codes::<LabStatus>(),
        "community_status" => codes::<CommunityStatus>(),
        "curriculum_status" => codes::<CurriculumStatus>(),
        _ => codes::<ChairStatus>(),
    }
}

/// Date columns: (table, column). A record is named by its table and id.
const DATES: &[(&str, &str)] = &[
    ("partner", "joined_on"),
    ("partner", "left_on"),
    ("assignment", "starts_on"),
    ("assignment", "ends_on"),
    ("phd", "started_on"),
    ("phd", "ended_on"),
    ("activity", "starts_on"),
    ("activity", "ends_on"),
    ("question", "asked_on"),
];

/// Periods: (table, start column, end column). A partner that left on the
/// day it joined never counted, which the schema allows; an end before the
/// start is an error everywhere.
const PERIODS: &[(&str, &str, &str)] = &[
    ("partner", "joined_on", "left_on"),
    ("assignment", "starts_on", "ends_on"),
    ("phd", "started_on", "ended_on"),
    ("activity", "starts_on", "ends_on"),
];

fn rules() -> Vec<Rule> {
    let mut rules = Vec::new();
    let histories = [history::ASSIGNMENT, history::LAB, history::COMMUNITY, history::CURRICULUM, history::CHAIR];
    for t in &histories {
        let (table, owner, column) = (t.table, t.owner, t.owner_column);
        let codes: Vec<String> = status_codes(t).iter().map(|c| format!("'{c}'")).collect();
        rules.push(Rule {
            check: "status-histories",
            sql: format!(
                "SELECT '{owner} ' || {column}, 'status change ' || id || ' has status ' || quote(status)
                        || ', which is not one of {codes}'
                 FROM {table} WHERE status NOT IN ({list}) ORDER BY {column}, id",
                codes = status_codes(t).join(", "),
                list = codes.join(", ")
            ),
        });
        rules.push(Rule {
            check: "status-histories",
            sql: format!(
                "SELECT '{owner} ' || {column}, 'status change ' || id || ' is dated ' || quote(since)
                        || ', not a YYYY-MM-DD date, so the history cannot be read in date order'
                 FROM {table} WHERE since IS NOT date(since) ORDER BY {column}, id"
            ),
        });
        rules.push(Rule {
            check: "status-histories",
            sql: format!(
                "SELECT '{owner} ' || {column}, count(*) || ' status changes on ' || since || ' (one per day is allowed)'
                 FROM {table} GROUP BY {column}, since HAVING count(*) > 1 ORDER BY {column}, since"
            ),
        });
        rules.push(Rule {
            check: "status-histories",
            sql: format!(
                "SELECT '{owner} ' || x.id, 'has no status history, so it exists on no date'
                 FROM {owner} x WHERE NOT EXISTS (SELECT 1 FROM {table} s WHERE s.{column} = x.id) ORDER BY x.id"
            ),
        });
    }
    for (table, column) in DATES {
        rules.push(Rule {
            check: "dates",
            sql: format!(
                "SELECT '{table} ' || id, '{column} is ' || quote({column}) || ', not a YYYY-MM-DD date'
                 FROM {table} WHERE {column} IS NOT NULL AND {column} IS NOT date({column}) ORDER BY id"
            ),
        });
    }
    for (table, start, end) in PERIODS {
        rules.push(Rule {
            check: "dates",
            sql: format!(
                "SELECT '{table} ' || id, '{end} ' || {end} || ' is before {start} ' || {start}
                 FROM {table} WHERE {end} IS NOT NULL AND {start} IS NOT NULL AND {end} < {start} ORDER BY id"
            ),
        });
    }
    for table in ["assignment", "phd"] {
        for sector in ["government", "education"] {
            rules.push(Rule {
                check: "sectors",
                sql: format!(
                    "SELECT '{table} ' || x.id, 'its {sector} partner ' || quote(p.name) || ' (id ' || p.id || ') is '
                            || p.sector || ', not {sector}'
                     FROM {table} x JOIN partner p ON p.id = x.{sector}_partner_id
                     WHERE p.sector IS NOT '{sector}' ORDER BY x.id"
                ),
            });
        }
    }
    rules.push(Rule {
        check: "sectors",
        sql: "SELECT 'assignment ' || a.id, 'its level is ' || a.level || ' but its education partner '
                    || quote(p.name) || ' (id ' || p.id || ') is ' || coalesce(p.level, 'without a level')
              FROM assignment a JOIN partner p ON p.id = a.education_partner_id
              WHERE p.sector = 'education' AND p.level IS NOT a.level ORDER BY a.id"
            .into(),
    });
    rules.push(Rule {
        check: "sectors",
        sql: "SELECT 'partner ' || id, CASE WHEN sector = 'education'
                    THEN 'is an education partner without an education level'
                    ELSE 'is a ' || sector || ' partner with an education level (' || level || ')' END
              FROM partner WHERE (sector = 'education') <> (level IS NOT NULL) ORDER BY id"
            .into(),
    });
    // Student pseudonyms (never shown: a problem names the assignment).
    rules.push(Rule {
        check: "pseudonyms",
        sql: "SELECT 'assignment ' || s.assignment_id,
                     count(*) || ' student pseudonym(s) linked to it, but it does not exist'
              FROM assignment_student s WHERE NOT EXISTS (SELECT 1 FROM assignment a WHERE a.id = s.assignment_id)
              GROUP BY s.assignment_id ORDER BY s.assignment_id"
            .into(),
    });
    rules.push(Rule {
        check: "pseudonyms",
        sql: "SELECT 'assignment ' || s.assignment_id, count(*) || ' student pseudonym(s) linked by import batch '
                    || s.batch_id || ', which does not exist'
              FROM assignment_student s WHERE NOT EXISTS (SELECT 1 FROM import_batch b WHERE b.id = s.batch_id)
              GROUP BY s.assignment_id, s.batch_id ORDER BY s.assignment_id"
            .into(),
    });
    rules.push(Rule {
        check: "pseudonyms",
        sql: "SELECT 'assignment ' || assignment_id, 'a student pseudonym of ' || length(pseudonym)
                    || ' bytes, not the 32 of HMAC-SHA256'
              FROM assignment_student WHERE typeof(pseudonym) <> 'blob' OR length(pseudonym) <> 32
              ORDER BY assignment_id"
            .into(),
    });
    rules.push(Rule {
        check: "pseudonyms",
        sql: "SELECT 'student_key_check', 'the registry holds ' || count(*) || ' student pseudonym(s) but not the \
              check value of the key they were made with, so students imported from now on would not match them'
              FROM assignment_student
              HAVING count(*) > 0
                 AND NOT EXISTS (SELECT 1 FROM student_key_check WHERE length(value) = 32)
                 AND NOT EXISTS (SELECT 1 FROM registry_secret WHERE name = 'student_id_key' AND length(value) = 32)"
            .into(),
    });
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Registry;

    fn registry() -> Registry {
        let mut r = Registry::create_in_memory().unwrap();
        crate::demo::load(&mut r).unwrap();
        r
    }

    fn problems(r: &Registry, check: &str) -> Vec<Problem> {
        let report = run(r.conn()).unwrap();
        report.checks.into_iter().find(|c| c.name == check).unwrap().problems
    }

    #[test]
    fn demo_registry_passes_every_check() {
        let r = registry();
        let report = run(r.conn()).unwrap();
        assert!(report.is_ok(), "{report:#?}");
        assert_eq!(report.warning_count(), 0, "{report:#?}");
        assert_eq!(report.checks.len(), CHECKS.len());
    }

    #[test]
    fn finds_a_level_that_does_not_match_the_education_partner() {
        let r = registry();
        let id: i64 = r
            .conn()
            .query_row(
                "SELECT min(id) FROM assignment WHERE education_partner_id IS NOT NULL AND level = 'HBO'",
                [],
                |x| x.get(0),
            )
            .unwrap();
        r.conn().execute("UPDATE assignment SET level = 'MBO' WHERE id = ?1", [id]).unwrap();
        let found = problems(&r, "sectors");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].record, format!("assignment {id}"));
        assert!(found[0].problem.starts_with("its level is MBO but its education partner"), "{found:?}");
    }

    #[test]
    fn warns_of_a_history_out_of_lifecycle_order_and_still_passes() {
        let r = registry();
        // Lab 1: in formation 2020-12-14, active 2021-01-11; closed before both.
        r.conn()
            .execute("INSERT INTO lab_status (lab_id, status, since) VALUES (1, 'closed', '2020-01-01')", [])
            .unwrap();
        let report = run(r.conn()).unwrap();
        assert!(report.is_ok(), "a warning is no problem: {report:#?}");
        assert_eq!(report.warning_count(), 1, "each change against the one before it");
        let found = problems(&r, "lifecycle-order");
        assert_eq!(found[0].record, "lab 1");
        assert_eq!(
            found[0].problem,
            "closed on 2020-01-01 comes before in formation on 2020-12-14, out of lifecycle order (a lab is in \
             formation, then active, then closed)"
        );
    }

    #[test]
    fn finds_a_record_without_history_and_a_date_out_of_order() {
        let r = registry();
        r.conn().execute("DELETE FROM lab_status WHERE lab_id = 1", []).unwrap();
        r.conn().execute_batch("PRAGMA ignore_check_constraints = ON").unwrap();
        r.conn().execute("UPDATE assignment_status SET since = '2023-9-1' WHERE id = 1", []).unwrap();
        r.conn().execute_batch("PRAGMA ignore_check_constraints = OFF").unwrap();
        let found = problems(&r, "status-histories");
        let records: Vec<&str> = found.iter().map(|p| p.record.as_str()).collect();
        assert!(records.contains(&"lab 1"), "{found:?}");
        assert!(found.iter().any(|p| p.problem.contains("'2023-9-1', not a YYYY-MM-DD date")), "{found:?}");
        // SQLite's own check sees the ignored CHECK constraint too.
        assert!(!problems(&r, "integrity").is_empty());
    }

    #[test]
    fn names_the_column_of_a_broken_reference() {
        let r = registry();
        r.conn().execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let (id, partner): (i64, i64) = r
            .conn()
            .query_row("SELECT id, government_partner_id FROM assignment ORDER BY id LIMIT 1", [], |x| {
                Ok((x.get(0)?, x.get(1)?))
            })
            .unwrap();
        r.conn().execute("DELETE FROM partner WHERE id = ?1", [partner]).unwrap();
        let found = problems(&r, "foreign-keys");
        let expected = Problem {
            record: format!("assignment {id}"),
            problem: format!("government_partner_id refers to partner {partner}, which does not exist"),
        };
        assert!(found.contains(&expected), "{found:?}");
    }

    #[test]
    fn names_the_status_changes_of_a_missing_assignment() {
        // assignment_status has no rowid (schema step 5): its rows are named by id.
        let r = registry();
        r.conn().execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let assignment: i64 =
            r.conn().query_row("SELECT min(assignment_id) FROM assignment_status", [], |x| x.get(0)).unwrap();
        let ids: Vec<i64> = r
            .conn()
            .prepare("SELECT id FROM assignment_status WHERE assignment_id = ?1 ORDER BY id")
            .unwrap()
            .query_map([assignment], |x| x.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        r.conn().execute("DELETE FROM question WHERE assignment_id = ?1", [assignment]).unwrap();
        r.conn().execute("DELETE FROM assignment WHERE id = ?1", [assignment]).unwrap();
        let found = problems(&r, "foreign-keys");
        let expected: Vec<Problem> = ids
            .iter()
            .map(|id| Problem {
                record: format!("assignment_status {id}"),
                problem: format!("assignment_id refers to assignment {assignment}, which does not exist"),
            })
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(found, expected);
    }
}
