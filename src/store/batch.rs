//! Import batches: recording each run of `ipart import`, the fast path that
//! adds assignments marked with their batch instead of one audit entry each,
//! the look-ups that match rows of a file to stored records, and what
//! `ipart import undo` needs to revert a batch exactly.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ToSql, params};
use serde::Serialize;
use serde_json::{Value, json};

use super::audit::Change;
use super::history::{HistoryTable, parse_stored_date};
use super::lookup::QuickHasher;
use super::{Writer, now, optional};
use crate::domain::history::Entry;
use crate::domain::{Assignment, AssignmentStatus, Date, StatusChange, Vocabulary};
use crate::error::{Error, Result};

/// One recorded import.
#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    pub id: i64,
    pub kind: String,
    pub file: String,
    pub sha256: String,
    pub source: Option<String>,
    pub mapping: Option<String>,
    pub rows: i64,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    /// Student pseudonyms linked to assignments that did not have them yet.
    pub students_linked: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub actor: String,
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
}

/// What became of the rows of a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub rows: u64,
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Student pseudonyms linked to assignments that did not have them yet.
    pub students_linked: u64,
}

/// A batch being written: its id, and where its audit entries begin.
#[derive(Debug, Clone, Copy)]
pub struct OpenBatch {
    pub id: i64,
    /// The last audit entry before the batch began; every later one in the
    /// same transaction belongs to it.
    before: i64,
}

const COLUMNS: &str = "id, kind, file, sha256, source, mapping, rows, added, updated, unchanged, rejected,
    started_at, finished_at, actor, undone_at, undone_by, students_linked";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Batch> {
    Ok(Batch {
        id: r.get(0)?,
        kind: r.get(1)?,
        file: r.get(2)?,
        sha256: r.get(3)?,
        source: r.get(4)?,
        mapping: r.get(5)?,
        rows: r.get(6)?,
        added: r.get(7)?,
        updated: r.get(8)?,
        unchanged: r.get(9)?,
        rejected: r.get(10)?,
        started_at: r.get(11)?,
        finished_at: r.get(12)?,
        actor: r.get(13)?,
        undone_at: r.get(14)?,
        undone_by: r.get(15)?,
        students_linked: r.get(16)?,
    })
}

/// Sets up a connection for a bulk write; call before the transaction
/// begins. A larger page cache (32 MB at most, taken only as needed) spares
/// SQLite spilling pages to the WAL over and over within the one
/// transaction (measured: more brings little, and memory must stay flat),
/// and statement journals in memory spare a write to a temporary file for
/// every statement (SQLite decides where they go when a transaction begins).
pub fn tune_for_bulk(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "cache_size", -32768)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Room for the statements of every size the chunked inserts use.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Every batch, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<Batch>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM import_batch ORDER BY id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Batch> {
    optional(conn.query_row(&format!("SELECT {COLUMNS} FROM import_batch WHERE id = ?1"), [id], from_row))?
        .ok_or_else(|| Error::not_found(format!("no import batch {id} (see `ipart import log`)")).into())
}

/// The revision that recorded batch `id` (none for a registry made before
/// schema step 7 that was not upgraded, which cannot happen once opened).
pub fn revision_of(conn: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(optional(conn.query_row("SELECT revision_id FROM import_batch WHERE id = ?1", [id], |r| r.get(0)))?.flatten())
}

/// The last earlier batch, not undone, that read a file with these bytes.
pub fn same_file(conn: &Connection, sha256: &str, kind: &str) -> Result<Option<Batch>> {
    Ok(optional(conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM import_batch WHERE sha256 = ?1 AND kind = ?2 AND undone_at IS NULL
             ORDER BY id DESC LIMIT 1"
        ),
        params![sha256, kind],
        from_row,
    ))?)
}

impl Writer<'_> {
    /// Starts recording a batch; its counts and hash are filled in by
    /// [`Writer::finish_batch`].
    pub fn begin_batch(
        &self,
        kind: &str,
        file: &str,
        source: Option<&str>,
        mapping: Option<&str>,
    ) -> Result<OpenBatch> {
        let before: i64 = self.query_row("SELECT coalesce(max(id), 0) FROM change", [], |r| r.get(0))?;
        self.execute(
            "INSERT INTO import_batch (kind, file, sha256, source, mapping, started_at, actor, revision_id)
             VALUES (?1, ?2, '', ?3, ?4, ?5, ?6, ?7)",
            params![kind, file, source, mapping, self.at, self.actor, self.revision],
        )?;
        Ok(OpenBatch { id: self.last_insert_rowid(), before })
    }

    /// Completes a batch: its counts and hash, an audit entry for the batch
    /// itself (so `ipart log` shows the import), and the batch id on every
    /// audit entry written since it began.
    pub fn finish_batch(&self, batch: OpenBatch, sha256: &str, counts: &Counts) -> Result<Batch> {
        self.execute(
            "UPDATE import_batch SET sha256 = ?2, rows = ?3, added = ?4, updated = ?5, unchanged = ?6, rejected = ?7,
                 finished_at = ?8, students_linked = ?9
             WHERE id = ?1",
            params![
                batch.id,
                sha256,
                counts.rows as i64,
                counts.added as i64,
                counts.updated as i64,
                counts.unchanged as i64,
                counts.rejected as i64,
                now()?,
                counts.students_linked as i64
            ],
        )?;
        let recorded = get(self, batch.id)?;
        self.audit("import_batch", batch.id, None, Some(&serde_json::to_value(&recorded)?))?;
        self.tag_changes(batch)?;
        Ok(recorded)
    }

    /// Gives every audit entry written since `batch` began its id.
    fn tag_changes(&self, batch: OpenBatch) -> Result<()> {
        self.execute("UPDATE change SET batch_id = ?1 WHERE id > ?2", params![batch.id, batch.before])?;
        Ok(())
    }

    /// Starts undoing `batch`: later audit entries in this transaction will
    /// carry its id too, so an earlier batch's undo can tell them apart.
    pub fn begin_undo(&self, batch: i64) -> Result<OpenBatch> {
        let before: i64 = self.query_row("SELECT coalesce(max(id), 0) FROM change", [], |r| r.get(0))?;
        Ok(OpenBatch { id: batch, before })
    }

    /// Marks `batch` undone and tags the audit entries of the undo, which
    /// names the runs of assignment ids it removed (`removed_assignments`).
    pub fn finish_undo(&self, batch: OpenBatch, removed_assignments: &[[i64; 2]]) -> Result<()> {
        self.mark_batch_undone(batch.id, removed_assignments)?;
        self.tag_changes(batch)
    }

    /// Marks `batch` undone, with an audit entry of its own (tagged with
    /// the batch) that names the runs of assignment ids the undo removed.
    pub fn mark_batch_undone(&self, batch: i64, removed_assignments: &[[i64; 2]]) -> Result<()> {
        let old = serde_json::to_value(get(self, batch)?)?;
        self.execute(
            "UPDATE import_batch SET undone_at = ?2, undone_by = ?3 WHERE id = ?1",
            params![batch, self.at, self.actor],
        )?;
        let mut new = serde_json::to_value(get(self, batch)?)?;
        if !removed_assignments.is_empty() {
            new["removed_assignments"] = json!(removed_assignments);
        }
        self.audit("import_batch", batch, Some(&old), Some(&new))?;
        self.execute("UPDATE change SET batch_id = ?1 WHERE id = last_insert_rowid()", [batch])?;
        Ok(())
    }

    /// Marks `batch` imported again (its undo taken back), with an audit
    /// entry of its own, tagged with the batch.
    pub fn mark_batch_redone(&self, batch: i64) -> Result<()> {
        let old = serde_json::to_value(get(self, batch)?)?;
        self.execute("UPDATE import_batch SET undone_at = NULL, undone_by = NULL WHERE id = ?1", [batch])?;
        let mut new = serde_json::to_value(get(self, batch)?)?;
        new["redone"] = json!(true);
        self.audit("import_batch", batch, Some(&old), Some(&new))?;
        self.execute("UPDATE change SET batch_id = ?1 WHERE id = last_insert_rowid()", [batch])?;
        Ok(())
    }
}

/// The import batches a revision imported or imported again (taking it
/// back marks them undone), and those it undid (taking it back marks them
/// imported again).
#[derive(Debug, Default)]
pub struct Affected {
    pub made_live: Vec<i64>,
    pub made_undone: Vec<i64>,
}

pub fn affected_by(conn: &Connection, revision: i64) -> Result<Affected> {
    let ids = |sql: &str| -> Result<Vec<i64>> {
        Ok(conn.prepare(sql)?.query_map([revision], |r| r.get(0))?.collect::<Result<_, _>>()?)
    };
    let made_live = ids("SELECT id FROM import_batch WHERE revision_id = ?1
         UNION SELECT entity_id FROM change
         WHERE revision_id = ?1 AND entity = 'import_batch' AND action = 'update'
           AND json_extract(old, '$.undone_at') IS NOT NULL AND json_extract(new, '$.undone_at') IS NULL
         ORDER BY 1")?;
    let made_undone = ids("SELECT DISTINCT entity_id FROM change
         WHERE revision_id = ?1 AND entity = 'import_batch' AND action = 'update'
           AND json_extract(old, '$.undone_at') IS NULL AND json_extract(new, '$.undone_at') IS NOT NULL
         ORDER BY 1")?;
    Ok(Affected { made_live, made_undone })
}

/// Assignments an import adds, written many to a statement: SQLite's cost
/// per statement (its CHECK lists, triggers and statement journal) is then
/// paid once per chunk instead of once per row. Ids are given here, in
/// order after the largest one, which is safe because the import holds the
/// only write transaction. The records are marked with the batch instead of
/// audited entry by entry.
pub struct PendingAssignments {
    batch: i64,
    next_id: i64,
    rows: Vec<(i64, Assignment, Vec<StatusChange<AssignmentStatus>>)>,
    /// The rows not written yet (their index in `rows`) by a hash of their
    /// (source, external id), to find one a later row names again; rows
    /// whose hash an earlier one has are in `collided`.
    keys: std::collections::HashMap<u64, usize, std::hash::BuildHasherDefault<QuickHasher>>,
    collided: Vec<usize>,
    /// Status changes of written assignments, held back to be written many
    /// at a time.
    statuses: Vec<(i64, &'static str, DateText)>,
    /// Status changes written so far, and how many make a bulk import.
    statuses_written: usize,
    bulk: usize,
    /// The indexes set aside for a bulk import (their `CREATE INDEX`
    /// statements), built again before it commits.
    set_aside: Vec<String>,
    /// Whether indexes were set aside already (once per import).
    bulk_started: bool,
    /// Whether a row was matched by government partner: its index then
    /// stays (or is built again at once).
    matching_index: bool,
}

/// Status changes held back before they are written together.
const STATUS_CHUNK: usize = 4096;

/// Status changes after which an import is a bulk import: it sets aside the
/// plain (not UNIQUE) indexes of the assignments and their histories and
/// builds them again at the end, in the same transaction. Kept up row by row, an index on
/// (status, since) takes its entries at random places all over it, and at a
/// million assignments that was most of an import's time; built at once, it
/// is a sort.
const BULK: usize = 100_000;

/// Assignments per statement (16 values each, well under SQLite's limit of
/// 32766 parameters).
pub const CHUNK: usize = 256;

/// The values of one assignment row (the revision is a literal).
const ASSIGNMENT_VALUES: usize = 16;

const ASSIGNMENT_COLUMNS: &str = "(id, title, kind, level, theme_id, government_partner_id, education_partner_id,
    lab_id, students, source, external_id, starts_on, ends_on, registered_on, note, batch_id, known_from)";

impl PendingAssignments {
    pub fn new(conn: &Connection, batch: i64) -> Result<Self> {
        let max: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM assignment", [], |r| r.get(0))?;
        Ok(PendingAssignments {
            batch,
            next_id: max + 1,
            rows: Vec::new(),
            keys: Default::default(),
            collided: Vec::new(),
            statuses: Vec::new(),
            statuses_written: 0,
            bulk: BULK,
            set_aside: Vec::new(),
            bulk_started: false,
            matching_index: false,
        })
    }

    /// Queues an assignment; returns the id it will have.
    pub fn push(&mut self, mut a: Assignment, history: Vec<StatusChange<AssignmentStatus>>) -> Result<i64> {
        if history.is_empty() {
            return Err(Error::invalid("an assignment needs a status (and the date it began)").into());
        }
        a.id = self.next_id;
        self.next_id += 1;
        if let (Some(source), Some(external_id)) = (&a.source, &a.external_id) {
            let at = self.rows.len();
            match self.keys.entry(key_hash(source, external_id)) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(at);
                }
                std::collections::hash_map::Entry::Occupied(_) => self.collided.push(at),
            }
        }
        self.rows.push((a.id, a, history));
        Ok(self.next_id - 1)
    }

    /// The id of a queued assignment with this (source, external id).
    pub fn find(&self, source: &str, external_id: &str) -> Option<i64> {
        let is = |&at: &usize| {
            let (_, a, _) = &self.rows[at];
            a.source.as_deref() == Some(source) && a.external_id.as_deref() == Some(external_id)
        };
        let first = self.keys.get(&key_hash(source, external_id)).filter(|at| is(at));
        first.or_else(|| self.collided.iter().find(|at| is(at))).map(|&at| self.rows[at].0)
    }

    pub fn is_full(&self) -> bool {
        self.rows.len() >= CHUNK
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes the queued assignments (their status changes once enough
    /// have gathered).
    pub fn flush(&mut self, w: &Writer) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        use rusqlite::types::{ToSqlOutput, ValueRef};
        fn text(s: &str) -> ToSqlOutput<'_> {
            ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
        }
        let int = |n: i64| ToSqlOutput::Owned(SqlValue::Integer(n));
        let opt_int = |n: Option<i64>| ToSqlOutput::Owned(n.map_or(SqlValue::Null, SqlValue::Integer));
        // Dates as text, made first so that the values below can borrow them.
        let dates: Vec<[Option<DateText>; 3]> = self
            .rows
            .iter()
            .map(|(_, a, _)| {
                [a.starts_on.map(DateText::of), a.ends_on.map(DateText::of), a.registered_on.map(DateText::of)]
            })
            .collect();
        let mut values: Vec<ToSqlOutput> = Vec::with_capacity(self.rows.len() * ASSIGNMENT_VALUES);
        for ((id, a, history), [starts, ends, registered]) in self.rows.iter().zip(&dates) {
            fn opt_text<T: AsRef<str>>(s: &Option<T>) -> ToSqlOutput<'_> {
                s.as_ref().map_or(ToSqlOutput::Owned(SqlValue::Null), |s| text(s.as_ref()))
            }
            values.extend([
                int(*id),
                text(&a.title),
                text(a.kind.code()),
                text(a.level.code()),
                int(a.theme_id),
                int(a.government_partner_id),
                opt_int(a.education_partner_id),
                opt_int(a.lab_id),
                int(a.students),
                opt_text(&a.source),
                opt_text(&a.external_id),
                opt_text(starts),
                opt_text(ends),
                opt_text(registered),
                opt_text(&a.note),
                int(self.batch),
            ]);
            self.statuses.extend(history.iter().map(|c| (*id, c.status.code(), DateText::of(c.since))));
        }
        insert_rows(
            w,
            &format!("INSERT INTO assignment {ASSIGNMENT_COLUMNS} VALUES"),
            ASSIGNMENT_VALUES,
            &values,
            w.revision(),
        )?;
        drop(values);
        self.rows.clear();
        self.keys.clear();
        self.collided.clear();
        if self.statuses.len() >= STATUS_CHUNK {
            if self.statuses_written >= self.bulk && !self.bulk_started {
                self.set_aside_indexes(w)?;
            }
            self.flush_statuses(w)?;
        }
        Ok(())
    }

    /// Writes everything still held back and builds any index set aside;
    /// call when the rows are done.
    pub fn finish(&mut self, w: &Writer) -> Result<()> {
        self.flush(w)?;
        self.flush_statuses(w)?;
        if !self.set_aside.is_empty() {
            // Building an index sorts; what does not fit in a 16 MB page
            // cache goes to temporary files on disk, so memory stays flat.
            w.pragma_update(None, "temp_store", "FILE")?;
            w.pragma_update(None, "cache_size", -16384)?;
            for sql in self.set_aside.drain(..) {
                w.execute_batch(&sql)?;
            }
        }
        Ok(())
    }

    fn set_aside_indexes(&mut self, w: &Writer) -> Result<()> {
        self.bulk_started = true;
        let indexes: Vec<(String, String)> = w
            .prepare(
                // Not the UNIQUE ones (they guard the data).
                "SELECT name, sql FROM sqlite_master
                 WHERE type = 'index' AND tbl_name IN ('assignment', 'assignment_status') AND sql IS NOT NULL
                   AND sql NOT LIKE 'CREATE UNIQUE%'",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (name, sql) in indexes {
            // Nor the one the import reads once it has matched a row by it.
            if self.matching_index && is_matching_index(&sql) {
                continue;
            }
            w.execute_batch(&format!("DROP INDEX \"{name}\""))?;
            self.set_aside.push(sql);
        }
        Ok(())
    }

    /// Call before matching a row without an external id, which is looked
    /// up by government partner: builds that index again at once if it was
    /// set aside, and keeps it from then on. (A file of rows with external
    /// ids, the usual bulk import, never reads it.)
    pub fn keep_matching_index(&mut self, w: &Writer) -> Result<()> {
        self.matching_index = true;
        if let Some(at) = self.set_aside.iter().position(|sql| is_matching_index(sql)) {
            let sql = self.set_aside.remove(at);
            w.execute_batch(&sql)?;
        }
        Ok(())
    }

    fn flush_statuses(&mut self, w: &Writer) -> Result<()> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        // Numbered in order after the largest id (see PendingAssignments);
        // read per chunk, since an import also adds changes one by one to
        // the assignments it updates.
        let max: i64 = w.query_row("SELECT coalesce(max(id), 0) FROM assignment_status", [], |r| r.get(0))?;
        let mut values: Vec<ToSqlOutput> = Vec::with_capacity(self.statuses.len() * 4);
        for (n, (id, status, since)) in self.statuses.iter().enumerate() {
            values.extend([
                ToSqlOutput::Owned(SqlValue::Integer(max + 1 + n as i64)),
                ToSqlOutput::Owned(SqlValue::Integer(*id)),
                ToSqlOutput::Borrowed(ValueRef::Text(status.as_bytes())),
                ToSqlOutput::Borrowed(ValueRef::Text(since.as_str().as_bytes())),
            ]);
        }
        insert_rows(
            w,
            "INSERT INTO assignment_status (id, assignment_id, status, since, known_from) VALUES",
            4,
            &values,
            w.revision(),
        )?;
        drop(values);
        self.statuses_written += self.statuses.len();
        self.statuses.clear();
        Ok(())
    }
}

/// A date as ISO text (`2023-09-01`) on the stack: a bulk import writes
/// millions, and a `String` each cost it an allocation and a free.
struct DateText {
    bytes: [u8; 16],
    len: usize,
}

impl DateText {
    fn of(date: crate::domain::Date) -> DateText {
        use std::io::Write;
        let mut bytes = [0u8; 16];
        let mut cursor = std::io::Cursor::new(&mut bytes[..]);
        // The longest date is "-009999-12-31": it always fits.
        let _ = write!(cursor, "{date}");
        let len = cursor.position() as usize;
        DateText { bytes, len }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl AsRef<str> for DateText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// The hash of a (source, external id) pair.
fn key_hash(source: &str, external_id: &str) -> u64 {
    use std::hash::BuildHasher;
    std::hash::BuildHasherDefault::<QuickHasher>::default().hash_one((source, external_id))
}

/// The index on assignment's government partner, which matches rows without
/// an external id.
fn is_matching_index(sql: &str) -> bool {
    sql.contains("ON assignment (government_partner_id)")
}

/// Runs `insert` (up to `VALUES`) over `values`, `width` to a row: in
/// statements of a few fixed sizes, so that each is prepared once.
/// Inserts rows of `width` values each, and the revision as the last
/// column of every row: a literal in the statement, not a value bound per
/// row (the statements are cached for the import).
fn insert_rows(
    w: &Writer,
    insert: &str,
    width: usize,
    values: &[rusqlite::types::ToSqlOutput],
    revision: i64,
) -> Result<()> {
    let mut rest = values;
    for rows in [(CHUNK * ASSIGNMENT_VALUES / width).max(1), 64, 16, 4, 1] {
        while rest.len() >= rows * width {
            let (now, later) = rest.split_at(rows * width);
            let row = format!("({},{revision})", vec!["?"; width].join(","));
            let sql = format!("{insert} {}", vec![row.as_str(); rows].join(","));
            w.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(now.iter()))?;
            rest = later;
        }
    }
    Ok(())
}

/// The record of `table` with this (source, external id).
pub fn find_by_external_id(conn: &Connection, table: &str, source: &str, external_id: &str) -> Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT id FROM {table} WHERE source = ?1 AND external_id = ?2"))?;
    Ok(optional(stmt.query_row(params![source, external_id], |r| r.get(0)))?)
}

/// Whether `table` holds records of `source` with an external id.
pub fn has_external_ids(conn: &Connection, table: &str, source: &str) -> Result<bool> {
    Ok(conn.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE source = ?1 AND external_id IS NOT NULL)"),
        [source],
        |r| r.get(0),
    )?)
}

/// The ids of records of `table` whose `columns` equal `values` (NULL
/// matching NULL): the natural key of records without an external id.
pub fn find_by_columns(conn: &Connection, table: &str, columns: &[&str], values: &[&dyn ToSql]) -> Result<Vec<i64>> {
    let conditions: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("{c} IS ?{}", i + 1)).collect();
    let mut stmt =
        conn.prepare_cached(&format!("SELECT id FROM {table} WHERE {} ORDER BY id LIMIT 3", conditions.join(" AND ")))?;
    let rows = stmt.query_map(values, |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The rowid of a yearly figure.
pub fn find_metric(conn: &Connection, name: &str, year: i64) -> Result<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT rowid FROM metric WHERE name = ?1 AND year = ?2")?;
    Ok(optional(stmt.query_row(params![name, year], |r| r.get(0)))?)
}

/// A status history as (since, status) pairs, oldest first, as stored.
pub fn history_pairs(conn: &Connection, t: HistoryTable, id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT since, status FROM {} WHERE {} = ?1 ORDER BY since",
        t.table, t.owner_column
    ))?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The audit entries `batch` wrote (not its own entry), newest first: the
/// order to revert them in.
pub fn changes_newest_first(conn: &Connection, batch: i64) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, command, entity, entity_id, action, old, new, batch_id, revision_id FROM change
         WHERE batch_id = ?1 AND entity <> 'import_batch' ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([batch], super::audit::from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A later change that stands in the way of undoing a batch.
#[derive(Debug, Clone)]
pub struct Dependent {
    pub change_id: i64,
    pub at: String,
    pub actor: String,
    pub command: String,
    pub entity: String,
    pub entity_id: i64,
}

/// The record an audit entry is about: a status change belongs to its
/// record (`assignment_status` -> `assignment`), as SQL over `change` `c`.
const OWNER: &str = "CASE WHEN c.entity LIKE '%\\_status' ESCAPE '\\' THEN substr(c.entity, 1, length(c.entity) - 7)
         ELSE c.entity END";
const OWNER_ID: &str = "CASE WHEN c.entity LIKE '%\\_status' ESCAPE '\\'
         THEN json_extract(coalesce(c.new, c.old), '$.' || substr(c.entity, 1, length(c.entity) - 7) || '_id')
         ELSE c.entity_id END";

/// Changes made after `batch` (by commands or by batches not undone) to the
/// records it added or changed: undoing it would overwrite or orphan them.
pub fn later_changes(conn: &Connection, batch: i64) -> Result<Vec<Dependent>> {
    let sql = format!(
        "WITH touched (entity, entity_id) AS (
             SELECT {OWNER}, {OWNER_ID} FROM change c WHERE c.batch_id = ?1 AND c.entity <> 'import_batch'
             UNION SELECT 'assignment', id FROM assignment WHERE batch_id = ?1
         )
         SELECT c.id, c.at, c.actor, c.command, c.entity, c.entity_id FROM change c
         WHERE c.id > (SELECT max(id) FROM change WHERE batch_id = ?1)
           AND c.entity <> 'import_batch'
           AND (c.batch_id IS NULL OR c.batch_id NOT IN (SELECT id FROM import_batch WHERE undone_at IS NOT NULL))
           AND ({OWNER}, {OWNER_ID}) IN (SELECT entity, entity_id FROM touched)
         ORDER BY c.id LIMIT 5"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([batch], |r| {
        Ok(Dependent {
            change_id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            command: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Questions that name an assignment `batch` added (as what took them up).
pub fn questions_on_batch_assignments(conn: &Connection, batch: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM question WHERE assignment_id IN (SELECT id FROM assignment WHERE batch_id = ?1)",
        [batch],
        |r| r.get(0),
    )?)
}

/// The ids of the assignments `batch` added, as runs of consecutive ids
/// (`[first, last]`): what its undo says it removed, so that the audit
/// trail of such an assignment can still be found.
pub fn added_assignment_runs(conn: &Connection, batch: i64) -> Result<Vec<[i64; 2]>> {
    let mut stmt = conn.prepare(
        "SELECT min(id), max(id) FROM (SELECT id, id - row_number() OVER (ORDER BY id) AS run
                                       FROM assignment WHERE batch_id = ?1)
         GROUP BY run ORDER BY 1",
    )?;
    let runs = stmt.query_map([batch], |r| Ok([r.get(0)?, r.get(1)?]))?;
    Ok(runs.collect::<Result<_, _>>()?)
}

/// Removes the assignments `batch` added, with their histories.
pub fn delete_batch_assignments(w: &Writer, batch: i64) -> Result<usize> {
    Ok(w.execute("DELETE FROM assignment WHERE batch_id = ?1", [batch])?)
}

/// Whether a record still exists (an undo skips what is already gone).
pub fn exists(conn: &Connection, table: &str, id: i64) -> Result<bool> {
    let rowid = if table == "metric" { "rowid" } else { "id" };
    Ok(conn.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE {rowid} = ?1)"), [id], |r| r.get(0))?)
}

/// A stored history with the revision that recorded each change, oldest
/// first: what an import merges a file's history into.
pub fn history_entries<S: Vocabulary>(conn: &Connection, t: HistoryTable, id: i64) -> Result<Vec<Entry<S>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT since, status, known_from FROM {} WHERE {} = ?1 ORDER BY since",
        t.table, t.owner_column
    ))?;
    let mut rows = stmt.query([id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let since = parse_stored_date(row.get_ref(0)?.as_str()?)?;
        let status = S::parse(row.get_ref(1)?.as_str()?)?;
        out.push(Entry::recorded(StatusChange { since, status }, row.get(2)?));
    }
    Ok(out)
}

/// Takes out a recorded change that a merge let give way to an earlier one
/// (see `domain::history::merge`), audited so that an undo puts it back.
pub fn remove_status_change(w: &Writer, t: HistoryTable, id: i64, since: Date) -> Result<()> {
    let row: Option<(i64, String)> = optional(
        w.prepare_cached(&format!("SELECT id, status FROM {} WHERE {} = ?1 AND since = ?2", t.table, t.owner_column))?
            .query_row(params![id, since.to_string()], |r| Ok((r.get(0)?, r.get(1)?))),
    )?;
    let Some((row_id, status)) = row else { return Ok(()) };
    w.execute(&format!("DELETE FROM {} WHERE id = ?1", t.table), [row_id])?;
    let old = json!({ t.owner_column: id, "since": since, "status": status });
    w.audit(t.table, row_id, Some(&old), None)
}

/// Reverts one status-history change by its row: removes an added change,
/// puts back the status a change replaced, or the change a merge took out.
/// Audited like any change.
pub fn revert_status_change(w: &Writer, t: HistoryTable, row_id: i64, old: Option<&Value>) -> Result<()> {
    let current: Option<(i64, String, String)> = optional(w.query_row(
        &format!("SELECT {}, since, status FROM {} WHERE id = ?1", t.owner_column, t.table),
        [row_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    ))?;
    let Some((owner, since, status)) = current else {
        // Gone: a change the batch took out (later changes that would have
        // removed it stop an undo before this), put back under its id.
        let Some(old) = old else { return Ok(()) };
        let (Some(owner), Some(since), Some(status)) = (
            old.get(t.owner_column).and_then(Value::as_i64),
            old.get("since").and_then(Value::as_str),
            old.get("status").and_then(Value::as_str),
        ) else {
            return Ok(());
        };
        w.execute(
            &format!(
                "INSERT INTO {} (id, {}, status, since, known_from) VALUES (?1, ?2, ?3, ?4, ?5)",
                t.table, t.owner_column
            ),
            params![row_id, owner, status, since, w.revision()],
        )?;
        return w.audit(t.table, row_id, None, Some(old));
    };
    let now = json!({ t.owner_column: owner, "since": since, "status": status });
    match old.and_then(|o| o.get("status")).and_then(Value::as_str) {
        Some(previous) => {
            w.execute(&format!("UPDATE {} SET status = ?1 WHERE id = ?2", t.table), params![previous, row_id])?;
            let restored = json!({ t.owner_column: owner, "since": since, "status": previous });
            w.audit(t.table, row_id, Some(&now), Some(&restored))
        }
        None => {
            w.execute(&format!("DELETE FROM {} WHERE id = ?1", t.table), [row_id])?;
            w.audit(t.table, row_id, Some(&now), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AssignmentKind, Level};
    use crate::store::Registry;

    fn indexes(conn: &Connection) -> Vec<String> {
        conn.prepare(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('assignment', 'assignment_status') AND sql IS NOT NULL
             ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    #[test]
    fn a_bulk_import_sets_indexes_aside_and_builds_them_again() {
        let mut registry = Registry::create_in_memory().unwrap();
        let before = indexes(registry.conn());
        registry
            .write("test", |w| {
                w.execute("INSERT INTO partner (name, sector) VALUES ('DUO', 'government')", [])?;
                let open = w.begin_batch("assignment", "t.csv", None, None)?;
                let mut pending = PendingAssignments::new(w, open.id)?;
                pending.bulk = 10;
                for n in 0..(STATUS_CHUNK * 2) {
                    let a = Assignment {
                        id: 0,
                        title: format!("opdracht {n}"),
                        kind: AssignmentKind::Internship,
                        level: Level::Hbo,
                        theme_id: 1,
                        government_partner_id: 1,
                        education_partner_id: None,
                        lab_id: None,
                        students: 1,
                        source: Some("t".into()),
                        external_id: Some(n.to_string()),
                        starts_on: None,
                        ends_on: None,
                        registered_on: None,
                        note: None,
                    };
                    let since = "2023-01-02".parse().unwrap();
                    pending.push(a, vec![StatusChange { since, status: AssignmentStatus::Preparation }])?;
                    if pending.is_full() {
                        pending.flush(w)?;
                    }
                }
                assert!(!pending.set_aside.is_empty(), "the plain indexes were set aside");
                assert!(pending.set_aside.iter().any(|sql| is_matching_index(sql)));
                // A row to match by government partner brings its index back for good.
                pending.keep_matching_index(w)?;
                let kept = |w: &Writer| -> Result<bool> {
                    Ok(w.query_row(
                        "SELECT count(*) FROM sqlite_master WHERE name = 'assignment_government_partner'",
                        [],
                        |r| r.get::<_, i64>(0),
                    )? == 1)
                };
                assert!(kept(w)?);
                assert!(!pending.set_aside.iter().any(|sql| is_matching_index(sql)));
                pending.set_aside_indexes(w)?;
                assert!(kept(w)?, "not set aside again");
                pending.finish(w)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(indexes(registry.conn()), before);
        let conn = registry.conn();
        let count: i64 = conn.query_row("SELECT count(*) FROM assignment_status", [], |r| r.get(0)).unwrap();
        assert_eq!(count as usize, STATUS_CHUNK * 2);
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
    }
}
