//! Themes: a table, seeded with the programme's six and extendable.

use rusqlite::{Connection, Row, params};

use super::lookup::NameIndex;
use super::{Reference, Writer, found, read, refuse_if_referenced};
use crate::domain::Theme;
use crate::error::{Error, Result};

const SELECT: &str = "SELECT t.id, t.code, t.name_en, t.name_nl, t.position,
    (SELECT group_concat(alias, char(31)) FROM (SELECT alias FROM theme_alias WHERE theme_id = t.id ORDER BY alias))
    FROM theme t";

fn from_row(r: &Row) -> rusqlite::Result<Theme> {
    Ok(Theme {
        id: r.get(0)?,
        code: r.get(1)?,
        name_en: r.get(2)?,
        name_nl: r.get(3)?,
        position: r.get(4)?,
        aliases: read::list(r, 5)?,
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Theme>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY t.position, t.code"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Theme> {
    found(conn.query_row(&format!("{SELECT} WHERE t.id = ?1"), [id], from_row), "theme", id)
}

fn check_spellings(index: &NameIndex, t: &Theme) -> Result<()> {
    let spellings = [&t.code, &t.name_en, &t.name_nl].into_iter().chain(&t.aliases);
    for s in spellings {
        if let Some(other) = index.taken_by_other(s, t.id) {
            return Err(Error::invalid(format!(
                "{s:?} already names theme {:?}; codes, names and aliases of themes must be unique",
                index.name(other).unwrap_or("?")
            ))
            .into());
        }
    }
    Ok(())
}

fn write_aliases(w: &Writer, t: &Theme) -> Result<()> {
    super::replace_links(w, "theme_alias", "theme_id", "alias", t.id, &t.aliases)
}

/// Adds a theme at the end of the display order.
pub fn insert(w: &Writer, index: &NameIndex, mut t: Theme) -> Result<Theme> {
    t.id = 0;
    check_spellings(index, &t)?;
    t.position = w.query_row("SELECT coalesce(max(position), 0) + 1 FROM theme", [], |r| r.get(0))?;
    w.execute(
        "INSERT INTO theme (code, name_en, name_nl, position, known_from) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![t.code, t.name_en, t.name_nl, t.position, w.revision()],
    )?;
    t.id = w.last_insert_rowid();
    write_aliases(w, &t)?;
    w.audit_record("theme", t.id, None, Some(&t))?;
    Ok(t)
}

pub fn update(w: &Writer, index: &NameIndex, old: &Theme, new: &Theme) -> Result<()> {
    check_spellings(index, new)?;
    w.execute(
        "UPDATE theme SET code = ?1, name_en = ?2, name_nl = ?3 WHERE id = ?4",
        params![new.code, new.name_en, new.name_nl, new.id],
    )?;
    write_aliases(w, new)?;
    w.audit_record("theme", new.id, Some(old), Some(new))
}

const REFERENCES: &[Reference] = &[
    ("assignment", "assignments", "SELECT count(*) FROM assignment WHERE theme_id = ?1"),
    ("PhD candidate", "PhD candidates", "SELECT count(*) FROM phd WHERE theme_id = ?1"),
    ("lab", "labs", "SELECT count(*) FROM lab_theme WHERE theme_id = ?1"),
    ("activity", "activities", "SELECT count(*) FROM activity WHERE theme_id = ?1"),
    ("curriculum", "curricula", "SELECT count(*) FROM curriculum WHERE theme_id = ?1"),
    ("chair", "chairs", "SELECT count(*) FROM chair WHERE theme_id = ?1"),
    ("question", "questions", "SELECT count(*) FROM question WHERE theme_id = ?1"),
];

pub fn delete(w: &Writer, t: &Theme) -> Result<()> {
    refuse_if_referenced(w, &format!("theme {:?}", t.code), t.id, REFERENCES)?;
    w.execute("DELETE FROM theme WHERE id = ?1", [t.id])?;
    w.audit_record("theme", t.id, Some(t), None)
}
