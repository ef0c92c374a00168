//! Field labs: regions, member partners, focus themes and status history.

use rusqlite::{Connection, Row, params};

use super::history::{self, LAB};
use super::{Writer, found, linked_names, read, refuse_if_referenced, replace_links};
use crate::domain::{Date, Lab, LabStatus, Region, StatusChange, Vocabulary};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct LabView {
    pub lab: Lab,
    pub members: Vec<String>,
    pub themes: Vec<String>,
    pub status: Option<StatusChange<LabStatus>>,
}

#[derive(Debug, Default, Clone)]
pub struct LabFilter {
    pub as_of: Option<Date>,
    pub status: Option<LabStatus>,
    pub region: Option<Region>,
    pub theme_id: Option<i64>,
    pub partner_id: Option<i64>,
}

fn select() -> String {
    format!(
        "SELECT l.id, l.name, l.description,
            (SELECT group_concat(region, char(31)) FROM (SELECT region FROM lab_region WHERE lab_id = l.id ORDER BY region)),
            (SELECT group_concat(partner_id, char(31)) FROM (SELECT partner_id FROM lab_partner WHERE lab_id = l.id ORDER BY partner_id)),
            (SELECT group_concat(theme_id, char(31)) FROM (SELECT theme_id FROM lab_theme WHERE lab_id = l.id ORDER BY theme_id)),
            {members},
            (SELECT group_concat(code, char(31)) FROM (SELECT t.code FROM lab_theme x JOIN theme t ON t.id = x.theme_id
                WHERE x.lab_id = l.id ORDER BY t.position)),
            s.status, s.since
        FROM lab l
        LEFT JOIN lab_status s ON s.id = (
            SELECT id FROM lab_status WHERE lab_id = l.id AND since <= ?1 ORDER BY since DESC LIMIT 1)",
        members = linked_names("lab_partner", "lab_id", "l")
    )
}

fn from_row(r: &Row) -> rusqlite::Result<LabView> {
    let regions = read::vocab_list::<Region>(r, 3)?;
    let status = match r.get::<_, Option<String>>(8)? {
        Some(_) => Some(StatusChange { status: read::vocab(r, 8)?, since: read::date(r, 9)? }),
        None => None,
    };
    Ok(LabView {
        lab: Lab {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            regions,
            member_ids: read::ids(r, 4)?,
            theme_ids: read::ids(r, 5)?,
        },
        members: read::list(r, 6)?,
        themes: read::list(r, 7)?,
        status,
    })
}

pub fn list(conn: &Connection, f: &LabFilter, today: Date) -> Result<Vec<LabView>> {
    let sql = format!(
        "{}
        WHERE (?2 = 0 OR s.id IS NOT NULL) AND (?3 IS NULL OR s.status = ?3)
          AND (?4 IS NULL OR EXISTS (SELECT 1 FROM lab_region WHERE lab_id = l.id AND region = ?4))
          AND (?5 IS NULL OR EXISTS (SELECT 1 FROM lab_theme WHERE lab_id = l.id AND theme_id = ?5))
          AND (?6 IS NULL OR EXISTS (SELECT 1 FROM lab_partner WHERE lab_id = l.id AND partner_id = ?6))
        ORDER BY l.name COLLATE NOCASE, l.id",
        select()
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![
            f.as_of.unwrap_or(today).to_string(),
            f.as_of.is_some(),
            f.status.map(|v| v.code()),
            f.region.map(|v| v.code()),
            f.theme_id,
            f.partner_id
        ],
        from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_view(conn: &Connection, id: i64, on: Date) -> Result<LabView> {
    found(conn.query_row(&format!("{} WHERE l.id = ?2", select()), params![on.to_string(), id], from_row), "lab", id)
}

pub fn get(conn: &Connection, id: i64) -> Result<Lab> {
    Ok(get_view(conn, id, Date::MAX)?.lab)
}

fn write_links(w: &Writer, lab: &Lab) -> Result<()> {
    let regions: Vec<&str> = lab.regions.iter().map(|r| r.code()).collect();
    replace_links(w, "lab_region", "lab_id", "region", lab.id, &regions)?;
    replace_links(w, "lab_partner", "lab_id", "partner_id", lab.id, &lab.member_ids)?;
    replace_links(w, "lab_theme", "lab_id", "theme_id", lab.id, &lab.theme_ids)
}

pub fn insert(w: &Writer, mut lab: Lab, history: &[StatusChange<LabStatus>]) -> Result<Lab> {
    w.execute(
        "INSERT INTO lab (name, description, known_from) VALUES (?1, ?2, ?3)",
        params![lab.name, lab.description, w.revision()],
    )?;
    lab.id = w.last_insert_rowid();
    write_links(w, &lab)?;
    w.audit_record("lab", lab.id, None, Some(&lab))?;
    history::insert_all(w, LAB, lab.id, history)?;
    Ok(lab)
}

pub fn update(w: &Writer, old: &Lab, new: &Lab) -> Result<()> {
    w.execute("UPDATE lab SET name = ?1, description = ?2 WHERE id = ?3", params![new.name, new.description, new.id])?;
    write_links(w, new)?;
    w.audit_record("lab", new.id, Some(old), Some(new))
}

/// Removes a lab no assignment or question refers to.
pub fn delete(w: &Writer, lab: &Lab) -> Result<()> {
    refuse_if_referenced(
        w,
        &format!("lab {:?} (id {})", lab.name, lab.id),
        lab.id,
        &[
            ("assignment", "assignments", "SELECT count(*) FROM assignment WHERE lab_id = ?1"),
            ("question", "questions", "SELECT count(*) FROM question WHERE lab_id = ?1"),
        ],
    )?;
    history::remove_all(w, LAB, lab.id)?;
    w.execute("DELETE FROM lab WHERE id = ?1", [lab.id])?;
    w.audit_record("lab", lab.id, Some(lab), None)
}
