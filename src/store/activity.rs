//! Courses, summer courses, events and conferences.

use rusqlite::{Connection, Row, ToSql, params};

use super::{Writer, found, linked_names, read, refuse_if_referenced, replace_links};
use crate::domain::{Activity, ActivityKind, Vocabulary};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct ActivityView {
    pub activity: Activity,
    pub theme: Option<String>,
    pub partners: Vec<String>,
}

#[derive(Debug, Default, Clone)]
pub struct ActivityFilter {
    pub kind: Option<ActivityKind>,
    /// Only activities that started in this year.
    pub year: Option<i16>,
    pub theme_id: Option<i64>,
    pub partner_id: Option<i64>,
}

fn select() -> String {
    format!(
        "SELECT a.id, a.kind, a.name, a.starts_on, a.ends_on, a.theme_id, a.participants, a.government_participants,
            (SELECT group_concat(partner_id, char(31)) FROM (SELECT partner_id FROM activity_partner WHERE activity_id = a.id ORDER BY partner_id)),
            t.code, {}
        FROM activity a LEFT JOIN theme t ON t.id = a.theme_id",
        linked_names("activity_partner", "activity_id", "a")
    )
}

fn from_row(r: &Row) -> rusqlite::Result<ActivityView> {
    Ok(ActivityView {
        activity: Activity {
            id: r.get(0)?,
            kind: read::vocab(r, 1)?,
            name: r.get(2)?,
            starts_on: read::date(r, 3)?,
            ends_on: read::opt_date(r, 4)?,
            theme_id: r.get(5)?,
            participants: r.get(6)?,
            government_participants: r.get(7)?,
            partner_ids: read::ids(r, 8)?,
        },
        theme: r.get(9)?,
        partners: read::list(r, 10)?,
    })
}

pub fn list(conn: &Connection, f: &ActivityFilter) -> Result<Vec<ActivityView>> {
    let mut stmt = conn.prepare(&format!(
        "{}
        WHERE (?1 IS NULL OR a.kind = ?1) AND (?2 IS NULL OR substr(a.starts_on, 1, 4) = printf('%04d', ?2))
          AND (?3 IS NULL OR a.theme_id = ?3)
          AND (?4 IS NULL OR EXISTS (SELECT 1 FROM activity_partner WHERE activity_id = a.id AND partner_id = ?4))
        ORDER BY a.starts_on, a.name COLLATE NOCASE, a.id",
        select()
    ))?;
    let values: [&dyn ToSql; 4] = [&f.kind.map(|k| k.code()), &f.year, &f.theme_id, &f.partner_id];
    let rows = stmt.query_map(&values[..], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_view(conn: &Connection, id: i64) -> Result<ActivityView> {
    found(conn.query_row(&format!("{} WHERE a.id = ?1", select()), [id], from_row), "activity", id)
}

fn bind(a: &Activity) -> [Box<dyn ToSql + '_>; 7] {
    [
        Box::new(a.kind.code()),
        Box::new(&a.name),
        Box::new(a.starts_on.to_string()),
        Box::new(a.ends_on.map(|d| d.to_string())),
        Box::new(a.theme_id),
        Box::new(a.participants),
        Box::new(a.government_participants),
    ]
}

pub fn insert(w: &Writer, mut a: Activity) -> Result<Activity> {
    w.execute(
        "INSERT INTO activity (kind, name, starts_on, ends_on, theme_id, participants, government_participants, known_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        w.and_revision(&bind(&a)),
    )?;
    a.id = w.last_insert_rowid();
    replace_links(w, "activity_partner", "activity_id", "partner_id", a.id, &a.partner_ids)?;
    w.audit_record("activity", a.id, None, Some(&a))?;
    Ok(a)
}

pub fn update(w: &Writer, old: &Activity, new: &Activity) -> Result<()> {
    let mut values = bind(new).into_iter().collect::<Vec<_>>();
    values.push(Box::new(new.id));
    w.execute(
        "UPDATE activity SET kind = ?1, name = ?2, starts_on = ?3, ends_on = ?4, theme_id = ?5, participants = ?6,
             government_participants = ?7 WHERE id = ?8",
        rusqlite::params_from_iter(values.iter()),
    )?;
    replace_links(w, "activity_partner", "activity_id", "partner_id", new.id, &new.partner_ids)?;
    w.audit_record("activity", new.id, Some(old), Some(new))
}

pub fn delete(w: &Writer, a: &Activity) -> Result<()> {
    refuse_if_referenced(
        w,
        &format!("activity {:?} (id {})", a.name, a.id),
        a.id,
        &[("question", "questions", "SELECT count(*) FROM question WHERE source_activity_id = ?1")],
    )?;
    w.execute("DELETE FROM activity WHERE id = ?1", params![a.id])?;
    w.audit_record("activity", a.id, Some(a), None)
}
