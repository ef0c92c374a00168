//! Communities and their status histories.

use rusqlite::{Connection, Row, params};

use super::history::{self, COMMUNITY};
use super::{Writer, found, read};
use crate::domain::{Community, CommunityStatus, Date, StatusChange, Vocabulary};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct CommunityView {
    pub community: Community,
    pub status: Option<StatusChange<CommunityStatus>>,
}

const SELECT: &str = "SELECT c.id, c.name, c.description, s.status, s.since FROM community c
    LEFT JOIN community_status s ON s.id = (
        SELECT id FROM community_status WHERE community_id = c.id AND since <= ?1 ORDER BY since DESC LIMIT 1)";

fn from_row(r: &Row) -> rusqlite::Result<CommunityView> {
    let status = match r.get::<_, Option<String>>(3)? {
        Some(_) => Some(StatusChange { status: read::vocab(r, 3)?, since: read::date(r, 4)? }),
        None => None,
    };
    Ok(CommunityView { community: Community { id: r.get(0)?, name: r.get(1)?, description: r.get(2)? }, status })
}

pub fn list(
    conn: &Connection,
    as_of: Option<Date>,
    status: Option<CommunityStatus>,
    today: Date,
) -> Result<Vec<CommunityView>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE (?2 = 0 OR s.id IS NOT NULL) AND (?3 IS NULL OR s.status = ?3) ORDER BY c.name COLLATE NOCASE, c.id"
    ))?;
    let rows = stmt
        .query_map(params![as_of.unwrap_or(today).to_string(), as_of.is_some(), status.map(|v| v.code())], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_view(conn: &Connection, id: i64, on: Date) -> Result<CommunityView> {
    found(conn.query_row(&format!("{SELECT} WHERE c.id = ?2"), params![on.to_string(), id], from_row), "community", id)
}

pub fn get(conn: &Connection, id: i64) -> Result<Community> {
    Ok(get_view(conn, id, Date::MAX)?.community)
}

pub fn insert(w: &Writer, mut c: Community, history: &[StatusChange<CommunityStatus>]) -> Result<Community> {
    w.execute(
        "INSERT INTO community (name, description, known_from) VALUES (?1, ?2, ?3)",
        params![c.name, c.description, w.revision()],
    )?;
    c.id = w.last_insert_rowid();
    w.audit_record("community", c.id, None, Some(&c))?;
    history::insert_all(w, COMMUNITY, c.id, history)?;
    Ok(c)
}

pub fn update(w: &Writer, old: &Community, new: &Community) -> Result<()> {
    w.execute(
        "UPDATE community SET name = ?1, description = ?2 WHERE id = ?3",
        params![new.name, new.description, new.id],
    )?;
    w.audit_record("community", new.id, Some(old), Some(new))
}

pub fn delete(w: &Writer, c: &Community) -> Result<()> {
    history::remove_all(w, COMMUNITY, c.id)?;
    w.execute("DELETE FROM community WHERE id = ?1", [c.id])?;
    w.audit_record("community", c.id, Some(c), None)
}
