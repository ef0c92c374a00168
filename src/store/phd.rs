//! Dual PhD candidates.

use rusqlite::{Connection, Row, ToSql, params};

use super::{Writer, found, read, refuse_if_referenced};
use crate::domain::{Date, Phd};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct PhdView {
    pub phd: Phd,
    pub theme: String,
    pub government_partner: String,
    pub education_partner: String,
}

#[derive(Debug, Default, Clone)]
pub struct PhdFilter {
    /// Only candidates at work on this date (started, not ended).
    pub as_of: Option<Date>,
    /// Only candidates who started in this year.
    pub started_in: Option<i16>,
    pub theme_id: Option<i64>,
    pub partner_id: Option<i64>,
}

const SELECT: &str =
    "SELECT d.id, d.started_on, d.ended_on, d.theme_id, d.government_partner_id, d.education_partner_id,
        d.topic, d.source, d.external_id, t.code, g.name, e.name
    FROM phd d JOIN theme t ON t.id = d.theme_id
    JOIN partner g ON g.id = d.government_partner_id JOIN partner e ON e.id = d.education_partner_id";

fn from_row(r: &Row) -> rusqlite::Result<PhdView> {
    Ok(PhdView {
        phd: Phd {
            id: r.get(0)?,
            started_on: read::date(r, 1)?,
            ended_on: read::opt_date(r, 2)?,
            theme_id: r.get(3)?,
            government_partner_id: r.get(4)?,
            education_partner_id: r.get(5)?,
            topic: r.get(6)?,
            source: r.get(7)?,
            external_id: r.get(8)?,
        },
        theme: r.get(9)?,
        government_partner: r.get(10)?,
        education_partner: r.get(11)?,
    })
}

pub fn list(conn: &Connection, f: &PhdFilter) -> Result<Vec<PhdView>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT}
        WHERE (?1 IS NULL OR (d.started_on <= ?1 AND (d.ended_on IS NULL OR d.ended_on > ?1)))
          AND (?2 IS NULL OR substr(d.started_on, 1, 4) = printf('%04d', ?2))
          AND (?3 IS NULL OR d.theme_id = ?3)
          AND (?4 IS NULL OR d.government_partner_id = ?4 OR d.education_partner_id = ?4)
        ORDER BY d.started_on, d.id"
    ))?;
    let values: [&dyn ToSql; 4] = [&f.as_of.map(|d| d.to_string()), &f.started_in, &f.theme_id, &f.partner_id];
    let rows = stmt.query_map(&values[..], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_view(conn: &Connection, id: i64) -> Result<PhdView> {
    found(conn.query_row(&format!("{SELECT} WHERE d.id = ?1"), [id], from_row), "PhD candidate", id)
}

fn bind(p: &Phd) -> [Box<dyn ToSql + '_>; 8] {
    [
        Box::new(p.started_on.to_string()),
        Box::new(p.ended_on.map(|d| d.to_string())),
        Box::new(p.theme_id),
        Box::new(p.government_partner_id),
        Box::new(p.education_partner_id),
        Box::new(&p.topic),
        Box::new(&p.source),
        Box::new(&p.external_id),
    ]
}

pub fn insert(w: &Writer, mut p: Phd) -> Result<Phd> {
    w.execute(
        "INSERT INTO phd (started_on, ended_on, theme_id, government_partner_id, education_partner_id, topic, source, external_id, known_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        w.and_revision(&bind(&p)),
    )?;
    p.id = w.last_insert_rowid();
    w.audit_record("phd", p.id, None, Some(&p))?;
    Ok(p)
}

pub fn update(w: &Writer, old: &Phd, new: &Phd) -> Result<()> {
    let mut values = bind(new).into_iter().collect::<Vec<_>>();
    values.push(Box::new(new.id));
    w.execute(
        "UPDATE phd SET started_on = ?1, ended_on = ?2, theme_id = ?3, government_partner_id = ?4,
             education_partner_id = ?5, topic = ?6, source = ?7, external_id = ?8 WHERE id = ?9",
        rusqlite::params_from_iter(values.iter()),
    )?;
    w.audit_record("phd", new.id, Some(old), Some(new))
}

pub fn delete(w: &Writer, p: &Phd) -> Result<()> {
    refuse_if_referenced(
        w,
        &format!("PhD candidate {}", p.id),
        p.id,
        &[("question", "questions", "SELECT count(*) FROM question WHERE phd_id = ?1")],
    )?;
    w.execute("DELETE FROM phd WHERE id = ?1", params![p.id])?;
    w.audit_record("phd", p.id, Some(p), None)
}
