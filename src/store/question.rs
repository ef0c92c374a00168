//! Research questions from government (the knowledge portfolios) and what
//! took them up.

use rusqlite::{Connection, Row, ToSql, params};

use super::{Writer, found, read};
use crate::domain::Question;
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct QuestionView {
    pub question: Question,
    pub theme: String,
    pub source_activity: Option<String>,
    pub source_partner: Option<String>,
    /// `SOURCE:EXTERNAL_ID`, or the id when the assignment has no external id.
    pub assignment: Option<String>,
    pub lab: Option<String>,
    pub phd: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct QuestionFilter {
    pub theme_id: Option<i64>,
    /// Some(true): only questions something took up; Some(false): only open ones.
    pub taken_up: Option<bool>,
    pub year: Option<i16>,
}

const SELECT: &str = "SELECT q.id, q.text, q.theme_id, q.asked_on, q.source_activity_id, q.source_partner_id,
        q.assignment_id, q.lab_id, q.phd_id, t.code, act.name, p.name,
        CASE WHEN a.external_id IS NOT NULL THEN a.source || ':' || a.external_id ELSE CAST(a.id AS TEXT) END,
        l.name,
        CASE WHEN d.external_id IS NOT NULL THEN d.source || ':' || d.external_id ELSE CAST(d.id AS TEXT) END
    FROM question q JOIN theme t ON t.id = q.theme_id
    LEFT JOIN activity act ON act.id = q.source_activity_id
    LEFT JOIN partner p ON p.id = q.source_partner_id
    LEFT JOIN assignment a ON a.id = q.assignment_id
    LEFT JOIN lab l ON l.id = q.lab_id
    LEFT JOIN phd d ON d.id = q.phd_id";

fn from_row(r: &Row) -> rusqlite::Result<QuestionView> {
    Ok(QuestionView {
        question: Question {
            id: r.get(0)?,
            text: r.get(1)?,
            theme_id: r.get(2)?,
            asked_on: read::date(r, 3)?,
            source_activity_id: r.get(4)?,
            source_partner_id: r.get(5)?,
            assignment_id: r.get(6)?,
            lab_id: r.get(7)?,
            phd_id: r.get(8)?,
        },
        theme: r.get(9)?,
        source_activity: r.get(10)?,
        source_partner: r.get(11)?,
        assignment: r.get(12)?,
        lab: r.get(13)?,
        phd: r.get(14)?,
    })
}

pub fn list(conn: &Connection, f: &QuestionFilter) -> Result<Vec<QuestionView>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT}
        WHERE (?1 IS NULL OR q.theme_id = ?1)
          AND (?2 IS NULL OR ?2 = (q.assignment_id IS NOT NULL OR q.lab_id IS NOT NULL OR q.phd_id IS NOT NULL))
          AND (?3 IS NULL OR substr(q.asked_on, 1, 4) = printf('%04d', ?3))
        ORDER BY q.asked_on, q.id"
    ))?;
    let values: [&dyn ToSql; 3] = [&f.theme_id, &f.taken_up, &f.year];
    let rows = stmt.query_map(&values[..], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_view(conn: &Connection, id: i64) -> Result<QuestionView> {
    found(conn.query_row(&format!("{SELECT} WHERE q.id = ?1"), [id], from_row), "question", id)
}

fn bind(q: &Question) -> [Box<dyn ToSql + '_>; 8] {
    [
        Box::new(&q.text),
        Box::new(q.theme_id),
        Box::new(q.asked_on.to_string()),
        Box::new(q.source_activity_id),
        Box::new(q.source_partner_id),
        Box::new(q.assignment_id),
        Box::new(q.lab_id),
        Box::new(q.phd_id),
    ]
}

pub fn insert(w: &Writer, mut q: Question) -> Result<Question> {
    w.execute(
        "INSERT INTO question (text, theme_id, asked_on, source_activity_id, source_partner_id, assignment_id, lab_id, phd_id, known_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        w.and_revision(&bind(&q)),
    )?;
    q.id = w.last_insert_rowid();
    w.audit_record("question", q.id, None, Some(&q))?;
    Ok(q)
}

pub fn update(w: &Writer, old: &Question, new: &Question) -> Result<()> {
    let mut values = bind(new).into_iter().collect::<Vec<_>>();
    values.push(Box::new(new.id));
    w.execute(
        "UPDATE question SET text = ?1, theme_id = ?2, asked_on = ?3, source_activity_id = ?4, source_partner_id = ?5,
             assignment_id = ?6, lab_id = ?7, phd_id = ?8 WHERE id = ?9",
        rusqlite::params_from_iter(values.iter()),
    )?;
    w.audit_record("question", new.id, Some(old), Some(new))
}

pub fn delete(w: &Writer, q: &Question) -> Result<()> {
    w.execute("DELETE FROM question WHERE id = ?1", params![q.id])?;
    w.audit_record("question", q.id, Some(q), None)
}
