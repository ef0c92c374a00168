//! The audit trail: one row per changed record, written in the same
//! transaction as the change, with the record before and after as JSON.

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;

use super::Writer;
use crate::error::Result;

impl Writer<'_> {
    /// Records a change of `entity` `id`: insert (old None), delete (new
    /// None) or update (both).
    pub fn audit(&self, entity: &str, id: i64, old: Option<&Value>, new: Option<&Value>) -> Result<()> {
        let action = match (old, new) {
            (None, _) => "insert",
            (_, None) => "delete",
            _ => "update",
        };
        self.prepare_cached(
            "INSERT INTO change (at, actor, command, entity, entity_id, action, old, new)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            self.at,
            self.actor,
            self.command,
            entity,
            id,
            action,
            old.map(Value::to_string),
            new.map(Value::to_string)
        ])?;
        Ok(())
    }

    /// Audits a record given as a serialisable value.
    pub fn audit_record<T: Serialize>(&self, entity: &str, id: i64, old: Option<&T>, new: Option<&T>) -> Result<()> {
        let old = old.map(serde_json::to_value).transpose()?;
        let new = new.map(serde_json::to_value).transpose()?;
        if old.is_some() && old == new {
            return Ok(());
        }
        self.audit(entity, id, old.as_ref(), new.as_ref())
    }
}

/// One entry of the audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub command: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Filters for `ipart log`.
#[derive(Debug, Default)]
pub struct ChangeFilter {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub limit: Option<i64>,
}

/// Changes, newest first.
pub fn list(conn: &Connection, filter: &ChangeFilter) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, command, entity, entity_id, action, old, new FROM change
         WHERE (?1 IS NULL OR entity = ?1 OR entity LIKE ?1 || '\\_%' ESCAPE '\\')
           AND (?2 IS NULL OR (entity = ?1 AND entity_id = ?2)
                OR (entity <> ?1 AND json_extract(coalesce(new, old), '$.' || ?1 || '_id') = ?2))
         ORDER BY id DESC LIMIT coalesce(?3, -1)",
    )?;
    let rows = stmt.query_map(params![filter.entity, filter.entity_id, filter.limit], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A change from a row of `SELECT id, at, actor, command, entity,
/// entity_id, action, old, new FROM change`.
pub(crate) fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Change> {
    let json = |i: usize| -> rusqlite::Result<Option<Value>> {
        let text: Option<String> = r.get(i)?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    };
    Ok(Change {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        command: r.get(3)?,
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        action: r.get(6)?,
        old: json(7)?,
        new: json(8)?,
    })
}
