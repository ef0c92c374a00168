//! Yearly communication figures (LinkedIn followers, website visitors),
//! and their vocabulary: a figure is set only under a declared name
//! (`metric_name`: three built in, more with `ipart metric add`).

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::{Writer, optional};
use crate::domain::names::{did_you_mean, suggest};
use crate::error::{Error, Result};

/// A declared figure: its name in commands and files, its labels in
/// reports, and how its value reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricName {
    pub name: String,
    pub name_en: String,
    pub name_nl: String,
    pub unit: String,
    pub position: i64,
}

/// The declared figures, in display order.
pub fn names(conn: &Connection) -> Result<Vec<MetricName>> {
    let mut stmt =
        conn.prepare("SELECT name, name_en, name_nl, unit, position FROM metric_name ORDER BY position, name")?;
    let rows = stmt.query_map([], |r| {
        Ok(MetricName { name: r.get(0)?, name_en: r.get(1)?, name_nl: r.get(2)?, unit: r.get(3)?, position: r.get(4)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether `name` is declared; when not, the message that says so, with the
/// closest declared names and the command that declares one.
pub fn check_name(name: &str, declared: &[String]) -> std::result::Result<(), String> {
    if declared.iter().any(|d| d == name) {
        return Ok(());
    }
    let hint = did_you_mean(&suggest(name, declared.iter().map(String::as_str), 3));
    Err(format!(
        "no figure is named {}{hint} (`ipart metric names` lists them; declare a new one with \
         `ipart metric add {} --name-en ... --name-nl ...`)",
        crate::domain::names::shown(name),
        // The name itself where it could be declared as it is.
        if crate::domain::check_slug("name", "", name, "").is_empty() && name.len() <= 60 { name } else { "NAME" },
    ))
}

/// The declared names, for [`check_name`].
pub fn declared(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM metric_name")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Refuses a name that is not declared (exit 3), as [`check_name`] says.
fn require_name(conn: &Connection, name: &str) -> Result<()> {
    check_name(name, &declared(conn)?).map_err(|m| Error::invalid(m).into())
}

/// Declares a figure after the others (its `position` is ignored; its
/// unit is a `MetricUnit` code). A name declared already is refused, with
/// its labels.
pub fn add(w: &Writer, new: &MetricName) -> Result<MetricName> {
    if let Some(old) = names(w)?.into_iter().find(|m| m.name == new.name) {
        return Err(Error::invalid(format!(
            "the figure {:?} is declared already (\"{}\", \"{}\", {}); nothing changed",
            old.name, old.name_en, old.name_nl, old.unit
        ))
        .into());
    }
    let position: i64 = w.query_row("SELECT coalesce(max(position), 0) + 1 FROM metric_name", [], |r| r.get(0))?;
    let m = MetricName { position, ..new.clone() };
    w.execute(
        "INSERT INTO metric_name (name, name_en, name_nl, unit, position, known_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![m.name, m.name_en, m.name_nl, m.unit, m.position, w.revision()],
    )?;
    let rowid: i64 = w.query_row("SELECT rowid FROM metric_name WHERE name = ?1", [&m.name], |r| r.get(0))?;
    w.audit_record("metric_name", rowid, None, Some(&m))?;
    Ok(m)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub name: String,
    pub year: i64,
    pub value: f64,
}

pub fn list(conn: &Connection, name: Option<&str>, year: Option<i64>) -> Result<Vec<Metric>> {
    if let Some(name) = name {
        require_name(conn, name)?;
    }
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
    require_name(w, &m.name)?;
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
    require_name(w, name)?;
    let Some(old) = get(w, name, year)? else {
        return Err(Error::not_found(format!("no figure {name:?} for {year} (see `ipart metric list`)")).into());
    };
    let rowid: i64 =
        w.query_row("SELECT rowid FROM metric WHERE name = ?1 AND year = ?2", params![name, year], |r| r.get(0))?;
    w.execute("DELETE FROM metric WHERE name = ?1 AND year = ?2", params![name, year])?;
    w.audit_record("metric", rowid, Some(&old), None)?;
    Ok(old)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undeclared_name_gets_the_closest_and_the_way_to_declare_it() {
        let declared: Vec<String> =
            ["linkedin-followers", "website-visitors-new-share", "website-visitors-returning-share"]
                .map(String::from)
                .to_vec();
        assert_eq!(check_name("linkedin-followers", &declared), Ok(()));
        assert_eq!(
            check_name("website-visitors-share", &declared).unwrap_err(),
            "no figure is named \"website-visitors-share\"; did you mean \"website-visitors-new-share\" or \
             \"website-visitors-returning-share\"? (`ipart metric names` lists them; declare a new one with `ipart \
             metric add website-visitors-share --name-en ... --name-nl ...`)"
        );
        let nothing_close = check_name("tiktok", &declared).unwrap_err();
        assert!(nothing_close.starts_with("no figure is named \"tiktok\" (`ipart metric names`"), "{nothing_close}");
    }
}
