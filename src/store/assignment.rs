//! Assignments and their status histories.

use rusqlite::{Connection, Row, ToSql, params};

use super::history::{self, ASSIGNMENT};
use super::{Writer, found, read};
use crate::domain::{Assignment, AssignmentKind, AssignmentStatus, Date, Level, StatusChange, Vocabulary};
use crate::error::{Error, Result};

/// An assignment with its references by name and its status on a date.
#[derive(Debug, Clone)]
pub struct AssignmentView {
    pub assignment: Assignment,
    pub theme: String,
    pub government_partner: String,
    pub education_partner: Option<String>,
    pub lab: Option<String>,
    /// The status on the date asked for; `None` if it did not exist yet.
    pub status: Option<StatusChange<AssignmentStatus>>,
}

/// What `assignment list` can filter on. All given filters must hold.
#[derive(Debug, Default, Clone)]
pub struct AssignmentFilter {
    /// The date statuses are taken on; records registered later are left out.
    pub as_of: Option<Date>,
    pub status: Option<AssignmentStatus>,
    pub level: Option<Level>,
    pub kind: Option<AssignmentKind>,
    pub theme_id: Option<i64>,
    /// Either the government or the education partner.
    pub partner_id: Option<i64>,
    pub lab_id: Option<i64>,
    pub source: Option<String>,
}

const SELECT: &str =
    "SELECT a.id, a.title, a.kind, a.level, a.theme_id, a.government_partner_id, a.education_partner_id,
        a.lab_id, a.students, a.source, a.external_id, a.starts_on, a.ends_on,
        t.code, g.name, e.name, l.name, s.status, s.since, a.registered_on, a.note
    FROM assignment a
    JOIN theme t ON t.id = a.theme_id
    JOIN partner g ON g.id = a.government_partner_id
    LEFT JOIN partner e ON e.id = a.education_partner_id
    LEFT JOIN lab l ON l.id = a.lab_id
    LEFT JOIN assignment_status s ON s.id = (
        SELECT id FROM assignment_status WHERE assignment_id = a.id AND since <= ?1 ORDER BY since DESC LIMIT 1)";

fn from_row(r: &Row) -> rusqlite::Result<AssignmentView> {
    let status = match r.get::<_, Option<String>>(17)? {
        Some(_) => Some(StatusChange { status: read::vocab(r, 17)?, since: read::date(r, 18)? }),
        None => None,
    };
    Ok(AssignmentView {
        assignment: Assignment {
            id: r.get(0)?,
            title: r.get(1)?,
            kind: read::vocab(r, 2)?,
            level: read::vocab(r, 3)?,
            theme_id: r.get(4)?,
            government_partner_id: r.get(5)?,
            education_partner_id: r.get(6)?,
            lab_id: r.get(7)?,
            students: r.get(8)?,
            source: r.get(9)?,
            external_id: r.get(10)?,
            starts_on: read::opt_date(r, 11)?,
            ends_on: read::opt_date(r, 12)?,
            registered_on: read::opt_date(r, 19)?,
            note: r.get(20)?,
        },
        theme: r.get(13)?,
        government_partner: r.get(14)?,
        education_partner: r.get(15)?,
        lab: r.get(16)?,
        status,
    })
}

pub fn list(conn: &Connection, f: &AssignmentFilter, today: Date) -> Result<Vec<AssignmentView>> {
    let mut out = Vec::new();
    visit(conn, f, today, |v| {
        out.push(v);
        Ok(())
    })?;
    Ok(out)
}

/// Hands the assignments `list` would return to `each`, one at a time, so
/// that an export of a million does not hold them all in memory.
pub fn visit(
    conn: &Connection,
    f: &AssignmentFilter,
    today: Date,
    mut each: impl FnMut(AssignmentView) -> Result<()>,
) -> Result<()> {
    let on = f.as_of.unwrap_or(today).to_string();
    let sql = format!(
        "{SELECT}
        WHERE (?2 = 0 OR s.id IS NOT NULL)
          AND (?3 IS NULL OR s.status = ?3) AND (?4 IS NULL OR a.level = ?4) AND (?5 IS NULL OR a.kind = ?5)
          AND (?6 IS NULL OR a.theme_id = ?6)
          AND (?7 IS NULL OR a.government_partner_id = ?7 OR a.education_partner_id = ?7)
          AND (?8 IS NULL OR a.lab_id = ?8) AND (?9 IS NULL OR a.source = ?9)
        ORDER BY a.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let values: [&dyn ToSql; 9] = [
        &on,
        &f.as_of.is_some(),
        &f.status.map(|v| v.code()),
        &f.level.map(|v| v.code()),
        &f.kind.map(|v| v.code()),
        &f.theme_id,
        &f.partner_id,
        &f.lab_id,
        &f.source,
    ];
    let mut rows = stmt.query(&values[..])?;
    while let Some(row) = rows.next()? {
        each(from_row(row)?)?;
    }
    Ok(())
}

/// One assignment with its status on `on`.
pub fn get_view(conn: &Connection, id: i64, on: Date) -> Result<AssignmentView> {
    found(conn.query_row(&format!("{SELECT} WHERE a.id = ?2"), params![on.to_string(), id], from_row), "assignment", id)
}

pub fn get(conn: &Connection, id: i64) -> Result<Assignment> {
    // The status date does not matter here: only the record is used.
    Ok(get_view(conn, id, Date::MAX)?.assignment)
}

pub fn status_history(conn: &Connection, id: i64) -> Result<Vec<StatusChange<AssignmentStatus>>> {
    history::load(conn, ASSIGNMENT, id)
}

fn bind(a: &Assignment) -> [Box<dyn ToSql + '_>; 14] {
    [
        Box::new(&a.title),
        Box::new(a.kind.code()),
        Box::new(a.level.code()),
        Box::new(a.theme_id),
        Box::new(a.government_partner_id),
        Box::new(a.education_partner_id),
        Box::new(a.lab_id),
        Box::new(a.students),
        Box::new(&a.source),
        Box::new(&a.external_id),
        Box::new(a.starts_on.map(|d| d.to_string())),
        Box::new(a.ends_on.map(|d| d.to_string())),
        Box::new(a.registered_on.map(|d| d.to_string())),
        Box::new(&a.note),
    ]
}

/// Adds an assignment with its status history (at least one change).
pub fn insert(w: &Writer, mut a: Assignment, history: &[StatusChange<AssignmentStatus>]) -> Result<Assignment> {
    if history.is_empty() {
        return Err(Error::invalid("an assignment needs a status (and the date it began)").into());
    }
    {
        let values = bind(&a);
        w.prepare_cached(
            "INSERT INTO assignment (title, kind, level, theme_id, government_partner_id, education_partner_id, lab_id,
             students, source, external_id, starts_on, ends_on, registered_on, note, known_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?
        .execute(w.and_revision(&values))?;
    }
    a.id = w.last_insert_rowid();
    w.audit_record("assignment", a.id, None, Some(&a))?;
    history::insert_all(w, ASSIGNMENT, a.id, history)?;
    Ok(a)
}

pub fn update(w: &Writer, old: &Assignment, new: &Assignment) -> Result<()> {
    let mut values = bind(new).into_iter().collect::<Vec<_>>();
    values.push(Box::new(new.id));
    w.execute(
        "UPDATE assignment SET title = ?1, kind = ?2, level = ?3, theme_id = ?4, government_partner_id = ?5,
             education_partner_id = ?6, lab_id = ?7, students = ?8, source = ?9, external_id = ?10,
             starts_on = ?11, ends_on = ?12, registered_on = ?13, note = ?14
         WHERE id = ?15",
        rusqlite::params_from_iter(values.iter()),
    )?;
    w.audit_record("assignment", new.id, Some(old), Some(new))?;
    Ok(())
}

/// Removes an assignment and its history; refused while a question names it.
pub fn delete(w: &Writer, a: &Assignment) -> Result<()> {
    let questions: i64 = w.query_row("SELECT count(*) FROM question WHERE assignment_id = ?1", [a.id], |r| r.get(0))?;
    if questions > 0 {
        return Err(Error::invalid(format!(
            "assignment {} cannot be removed: {questions} question{} refer to it as what took {} up; change those first",
            a.id,
            if questions == 1 { "" } else { "s" },
            if questions == 1 { "it" } else { "them" }
        ))
        .into());
    }
    history::remove_all(w, ASSIGNMENT, a.id)?;
    w.execute("DELETE FROM assignment WHERE id = ?1", [a.id])?;
    w.audit_record("assignment", a.id, Some(a), None)?;
    Ok(())
}
