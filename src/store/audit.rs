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
            "INSERT INTO change (at, actor, command, entity, entity_id, action, old, new, revision_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            self.at,
            self.actor,
            self.command,
            entity,
            id,
            action,
            old.map(Value::to_string),
            new.map(Value::to_string),
            self.revision
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
    /// The import batch the change belongs to (made by the import or by its
    /// undo); `None` for a change by a command.
    pub batch_id: Option<i64>,
    /// The command run (revision) that made it: `ipart undo` takes back
    /// every change of one run together.
    pub revision: Option<i64>,
    /// For a change made by an undo: the first change of the run it took back.
    pub undoes: Option<i64>,
    /// The first change of the undo (still in force) that took this one back.
    pub taken_back_by: Option<i64>,
}

/// Filters for `ipart log`.
#[derive(Debug, Default)]
pub struct ChangeFilter {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub limit: Option<i64>,
}

/// Changes, newest first.
///
/// An import adds assignments without an audit entry each (the batch
/// records them: `assignment.batch_id`), so the trail of one such
/// assignment begins with an entry made up from its batch: "added by import
/// batch B", with the id, time and actor of the batch's own entry, the
/// batch (file, SHA-256, when, who) and the status history the import gave
/// it. Without `--id`, the changes to a kind of record include the imports
/// of that kind and their undoing (the batch's entries).
pub fn list(conn: &Connection, filter: &ChangeFilter) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, command, entity, entity_id, action, old, new, batch_id, revision_id FROM change
         WHERE (?1 IS NULL OR entity = ?1 OR entity LIKE ?1 || '\\_%' ESCAPE '\\'
                OR (?2 IS NULL AND entity = 'import_batch' AND json_extract(coalesce(new, old), '$.kind') = ?1))
           AND (?2 IS NULL OR (entity = ?1 AND entity_id = ?2)
                OR (entity <> ?1 AND json_extract(coalesce(new, old), '$.' || ?1 || '_id') = ?2))
         ORDER BY id DESC LIMIT coalesce(?3, -1)",
    )?;
    let rows = stmt.query_map(params![filter.entity, filter.entity_id, filter.limit], from_row)?;
    let mut changes: Vec<Change> = rows.collect::<Result<_, _>>()?;
    if let (Some("assignment"), Some(id)) = (filter.entity.as_deref(), filter.entity_id) {
        let mut made_up = student_links(conn, id)?;
        if !super::batch::exists(conn, "assignment", id)? {
            made_up.extend(removed_by_undo(conn, id)?);
        }
        if let Some(mut added) = added_by_import(conn, id)? {
            // The pseudonyms the same batch linked are part of its entry.
            if let Some(i) = made_up.iter().position(|c| c.batch_id == added.batch_id) {
                let links = made_up.remove(i);
                if let (Some(new), Some(n)) = (added.new.as_mut(), links.new.as_ref().map(|v| &v["student_pseudonyms"]))
                {
                    new["student_pseudonyms"] = n.clone();
                }
            }
            made_up.push(added);
        }
        for entry in made_up {
            let at = changes.iter().position(|c| c.id < entry.id).unwrap_or(changes.len());
            changes.insert(at, entry);
        }
        if let Some(limit) = filter.limit.filter(|l| *l >= 0) {
            changes.truncate(limit as usize);
        }
    }
    link_undos(conn, &mut changes)?;
    Ok(changes)
}

/// Fills in which entries an undo took back, and which undo took them back.
fn link_undos(conn: &Connection, changes: &mut [Change]) -> Result<()> {
    let undos = super::undo::Undos::load(conn)?;
    let mut wanted = std::collections::BTreeSet::new();
    for c in changes.iter() {
        let Some(revision) = c.revision else { continue };
        wanted.extend(undos.target(revision));
        wanted.extend(undos.taken_back_by(revision));
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let first = super::undo::first_changes(conn, &wanted)?;
    for c in changes.iter_mut() {
        let Some(revision) = c.revision else { continue };
        c.undoes = undos.target(revision).and_then(|r| first.get(&r).copied());
        c.taken_back_by = undos.taken_back_by(revision).and_then(|r| first.get(&r).copied());
    }
    Ok(())
}

/// Student pseudonyms imports linked to an assignment, one made-up entry
/// per batch with how many (never the pseudonyms): the links carry their
/// batch (`assignment_student.batch_id`) instead of an audit entry each.
fn student_links(conn: &Connection, assignment: i64) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.at, c.actor, c.command, s.batch_id, count(*)
         FROM assignment_student s
         JOIN change c ON c.entity = 'import_batch' AND c.entity_id = s.batch_id AND c.action = 'insert'
         WHERE s.assignment_id = ?1
         GROUP BY s.batch_id, c.id",
    )?;
    let rows = stmt.query_map([assignment], |r| {
        let batch: i64 = r.get(4)?;
        Ok(Change {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            command: r.get(3)?,
            entity: "assignment_student".into(),
            entity_id: assignment,
            action: "insert".into(),
            old: None,
            new: Some(serde_json::json!({
                "assignment_id": assignment,
                "import_batch": batch,
                "student_pseudonyms": r.get::<_, i64>(5)?,
            })),
            batch_id: Some(batch),
            revision: None,
            undoes: None,
            taken_back_by: None,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The entry "added by import batch B" of an assignment an import added
/// (see [`list`]); `None` for one added by a command.
fn added_by_import(conn: &Connection, assignment: i64) -> Result<Option<Change>> {
    let batch: Option<i64> = super::optional(conn.query_row(
        "SELECT batch_id FROM assignment WHERE id = ?1 AND batch_id IS NOT NULL",
        [assignment],
        |r| r.get(0),
    ))?;
    let Some(entry) = batch.map(|b| batch_entry(conn, b)).transpose()?.flatten() else { return Ok(None) };
    // The history as the import gave it: the changes no audit entry added
    // (later ones, by commands or other imports, have entries of their own).
    let mut stmt = conn.prepare(
        "SELECT since, status FROM assignment_status s
         WHERE assignment_id = ?1
           AND NOT EXISTS (SELECT 1 FROM change c WHERE c.entity = 'assignment_status' AND c.entity_id = s.id)
         ORDER BY since",
    )?;
    let history: Vec<Value> = stmt
        .query_map([assignment], |r| {
            Ok(serde_json::json!({ "since": r.get::<_, String>(0)?, "status": r.get::<_, String>(1)? }))
        })?
        .collect::<Result<_, _>>()?;
    let new = serde_json::json!({ "added_by_import": entry.4, "status_history": history });
    Ok(Some(added_entry(entry, assignment, new)))
}

/// The made-up entry "added by import batch B" of `assignment`, at the
/// place of the batch's own entry; `new` says what the batch added.
fn added_entry(batch: BatchEntry, assignment: i64, new: Value) -> Change {
    let (id, at, actor, command, batch) = batch;
    Change {
        id,
        at,
        actor,
        command,
        entity: "assignment".into(),
        entity_id: assignment,
        action: "insert".into(),
        old: None,
        new: Some(new),
        batch_id: batch["id"].as_i64(),
        revision: None,
        undoes: None,
        taken_back_by: None,
    }
}

/// An import batch's own entry (its id, when, who, the command) and what
/// the batch read, for the made-up entries of the assignments it added.
type BatchEntry = (i64, String, String, String, Value);

fn batch_entry(conn: &Connection, batch: i64) -> Result<Option<BatchEntry>> {
    Ok(super::optional(conn.query_row(
        "SELECT c.id, c.at, c.actor, c.command, b.id, b.file, b.sha256, b.source, b.mapping, b.started_at,
                b.finished_at, b.actor
         FROM import_batch b
         JOIN change c ON c.entity = 'import_batch' AND c.entity_id = b.id AND c.action = 'insert'
         WHERE b.id = ?1",
        [batch],
        |r| {
            let batch = serde_json::json!({
                "id": r.get::<_, i64>(4)?,
                "file": r.get::<_, String>(5)?,
                "sha256": r.get::<_, String>(6)?,
                "source": r.get::<_, Option<String>>(7)?,
                "mapping": r.get::<_, Option<String>>(8)?,
                "started_at": r.get::<_, String>(9)?,
                "finished_at": r.get::<_, Option<String>>(10)?,
                "actor": r.get::<_, String>(11)?,
            });
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, batch))
        },
    ))?)
}

/// For an assignment an import added and its undo removed again: the
/// undo's entry, which names the ids it removed, and a made-up entry for
/// the adding (its history went with it).
fn removed_by_undo(conn: &Connection, assignment: i64) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.at, c.actor, c.command, c.entity, c.entity_id, c.action, c.old, c.new, c.batch_id, c.revision_id
         FROM change c, json_each(c.new, '$.removed_assignments') run
         WHERE c.entity = 'import_batch' AND c.action = 'update'
           AND json_extract(run.value, '$[0]') <= ?1 AND ?1 <= json_extract(run.value, '$[1]')",
    )?;
    let undos: Vec<Change> = stmt.query_map([assignment], from_row)?.collect::<Result<_, _>>()?;
    let mut entries = Vec::new();
    for undo in undos {
        if let Some(entry) = batch_entry(conn, undo.entity_id)? {
            let new = serde_json::json!({ "added_by_import": entry.4, "removed_by_undo": true });
            entries.push(added_entry(entry, assignment, new));
        }
        entries.push(undo);
    }
    Ok(entries)
}

/// A change from a row of `SELECT id, at, actor, command, entity,
/// entity_id, action, old, new, batch_id, revision_id FROM change`.
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
        batch_id: r.get(9)?,
        revision: r.get(10)?,
        undoes: None,
        taken_back_by: None,
    })
}
