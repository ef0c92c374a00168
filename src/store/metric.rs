//! Yearly communication figures (LinkedIn followers, website visitors).

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::{Writer, optional};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub name: String,
    pub year: i64,
    pub value: f64,
}

pub fn list(conn: &Connection, name: Option<&str>, year: Option<i64>) -> Result<Vec<Metric>> {
    let mut stmt = conn.prepare(
        "SELECT name, year, value FROM metric WHERE (?1 IS NULL OR name = ?1) AND (?2 IS NULL OR year = ?2)
         ORDER BY name, year",
    )?;
    let rows =
        stmt.query_map(params![name, year], |r| Ok(Metric { name: r.get(0)?, year: r.get(1)?, value: r.get(2)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, name: &str, year: i64) -> Result<Option<Metric>> {
    Ok(optional(conn.query_row(
        "SELECT name, year, value FROM metric WHERE name = ?1 AND year = ?2",
        params![name, year],
        |r| Ok(Metric { name: r.get(0)?, year: r.get(1)?, value: r.get(2)? }),
    ))?)
}

/// Sets a figure, replacing the one for the same name and year. Returns the
/// previous value.
pub fn set(w: &Writer, m: &Metric) -> Result<Option<Metric>> {
    let old = get(w, &m.name, m.year)?;
    if old.as_ref() == Some(m) {
        return Ok(old);
    }
    w.execute(
        "INSERT INTO metric (name, year, value, known_from) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name, year) DO UPDATE SET value = excluded.value",
        params![m.name, m.year, m.value, w.revision()],
    )?;
    let rowid: i64 =
        w.query_row("SELECT rowid FROM metric WHERE name = ?1 AND year = ?2", params![m.name, m.year], |r| r.get(0))?;
    w.audit_record("metric", rowid, old.as_ref(), Some(m))?;
    Ok(old)
}

pub fn remove(w: &Writer, name: &str, year: i64) -> Result<Metric> {
    let Some(old) = get(w, name, year)? else {
        return Err(Error::not_found(format!("no figure {name:?} for {year} (see `ipart metric list`)")).into());
    };
    let rowid: i64 =
        w.query_row("SELECT rowid FROM metric WHERE name = ?1 AND year = ?2", params![name, year], |r| r.get(0))?;
    w.execute("DELETE FROM metric WHERE name = ?1 AND year = ?2", params![name, year])?;
    w.audit_record("metric", rowid, Some(&old), None)?;
    Ok(old)
}
