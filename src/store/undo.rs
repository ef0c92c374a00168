//! Taking a change back exactly: `ipart undo`.
//!
//! What revision R did is in the rows themselves (see `revision.rs`): the
//! rows it wrote carry `known_from = R`, and the versions it replaced or
//! removed are in the `_retired` twins with `known_until = R`. Taking R back
//! is one new revision U that, for every row R touched, puts back the
//! version R found: a row R added is removed, a row R changed is changed
//! back in place (never removed and added again, which would take its
//! children with it), and a row R removed is added back with its history
//! and links, which R's cascade retired with it.
//!
//! The undo is refused, with the later changes named, when something built
//! on R since: a version R wrote was replaced or removed later (unless that
//! later change was taken back itself), a row R removed has a new row in
//! its place (an id reused), a later row refers to a row R added or
//! changed, a row removed by R refers to a record removed since, or a name
//! R freed was taken. Foreign keys are deferred to the end of U and checked
//! there row by row, so that the refusal can say which row refers to what.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::Serialize;
use serde_json::{Map, Value};

use super::Writer;
use super::revision::VERSIONED;
use crate::error::{Error, Result};

/// What an undo does to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// The change added it: it goes.
    Remove,
    /// The change changed it: its earlier version comes back.
    ChangeBack,
    /// The change removed it: it comes back.
    Restore,
}

impl Action {
    /// The word in listings and in the work tables.
    pub fn word(self) -> &'static str {
        match self {
            Action::Remove => "remove",
            Action::ChangeBack => "change back",
            Action::Restore => "restore",
        }
    }
}

/// A revision as people see it in `ipart log`: its audit entries.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub revision: i64,
    pub at: String,
    pub actor: String,
    pub command: String,
    /// The revision this one took back, when it is an undo.
    pub undoes: Option<i64>,
    /// Its audit entries (the ids `ipart log` shows), oldest first.
    pub changes: Vec<i64>,
    /// Made before the registry kept every version of its rows (schema
    /// step 7): what it did is known from the audit trail only.
    pub before_history: bool,
    /// The import batch the revision recorded, if it was an import.
    pub batch: Option<i64>,
}

impl Target {
    /// "change 42 (partner edit, 2024-02-15T10:00:00Z, alice)".
    pub fn name(&self) -> String {
        let handle = match self.changes.first() {
            Some(id) => format!("change {id}"),
            None => format!("revision {}", self.revision),
        };
        format!("{handle} ({}, {}, {})", self.command, self.at, self.actor)
    }
}

/// One row of what an undo does (or would do), for people and scripts.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub action: &'static str,
    /// The table ("partner", "lab_region").
    pub record: String,
    /// Which row: its id, or its key ("lab 3, west").
    pub key: String,
    /// Its name, or the fields that change ("region: west -> noord").
    pub what: String,
}

/// What an undo did.
#[derive(Debug, Clone)]
pub struct Undone {
    pub target: Target,
    /// The rows, in the order they were handled; long runs are summed up.
    pub steps: Vec<Step>,
    /// Rows per table and action, in the order they were handled.
    pub counts: Vec<(String, Action, usize)>,
    /// Status changes of records that stay (those of removed or restored
    /// records go and come with them).
    pub status_changes: usize,
    /// Import batches marked undone, and marked imported again.
    pub batches_undone: Vec<i64>,
    pub batches_redone: Vec<i64>,
    /// The first audit entry of the undo itself.
    pub first_change: Option<i64>,
}

impl Undone {
    /// Rows of record tables (not links, aliases or status changes) with `action`.
    pub fn records(&self, action: Action) -> usize {
        self.counts.iter().filter(|(t, a, _)| *a == action && is_record_table(t)).map(|(_, _, n)| n).sum()
    }

    /// Rows of `table` with `action`.
    pub fn rows(&self, table: &str, action: Action) -> usize {
        self.counts.iter().filter(|(t, a, _)| t == table && *a == action).map(|(_, _, n)| n).sum()
    }

    /// Every row the undo touched.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|(_, _, n)| n).sum()
    }
}

/// Tables of records people name (as opposed to their aliases, links and
/// status changes).
fn is_record_table(table: &str) -> bool {
    matches!(
        table,
        "theme"
            | "partner"
            | "lab"
            | "assignment"
            | "community"
            | "phd"
            | "activity"
            | "curriculum"
            | "chair"
            | "question"
            | "metric_name"
            | "metric"
    )
}

/// The revision that wrote audit entry `change`.
pub fn revision_of_change(conn: &Connection, change: i64) -> Result<i64> {
    let revision: Option<Option<i64>> =
        conn.query_row("SELECT revision_id FROM change WHERE id = ?1", [change], |r| r.get(0)).optional()?;
    match revision {
        None => Err(Error::not_found(format!("no change {change} in the audit trail (see `ipart log`)")).into()),
        Some(None) => Err(Error::invalid(format!(
            "change {change} names no command run (the audit trail of this registry lacks it); ipart cannot take it back"
        ))
        .into()),
        Some(Some(revision)) => Ok(revision),
    }
}

/// Which revisions took which back (`revision.undoes`), to tell what is in
/// force. A change, its undo, the undo of that undo (doing it again) and so
/// on are one family: each member does the change (even depth) or takes it
/// back (odd depth), and the newest member says which holds now. A revision
/// is in force when the family's newest member does what it does.
pub struct Undos {
    /// Undo -> the revision it took back.
    target_of: HashMap<i64, i64>,
    /// The change a family began with -> its newest member.
    newest: HashMap<i64, i64>,
}

impl Undos {
    pub fn load(conn: &Connection) -> Result<Undos> {
        let mut undos = Undos { target_of: HashMap::new(), newest: HashMap::new() };
        let mut stmt = conn.prepare("SELECT id, undoes FROM revision WHERE undoes IS NOT NULL ORDER BY id")?;
        for pair in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            let (undo, target) = pair?;
            undos.target_of.insert(undo, target);
            let root = undos.root(undo);
            undos.newest.insert(root, undo);
        }
        Ok(undos)
    }

    /// The revision `revision` took back, when it is an undo.
    pub fn target(&self, revision: i64) -> Option<i64> {
        self.target_of.get(&revision).copied()
    }

    /// The change `revision`'s family began with, and whether `revision`
    /// takes it back (odd depth) rather than doing it.
    fn root_and_parity(&self, revision: i64) -> (i64, bool) {
        let (mut at, mut odd) = (revision, false);
        while let Some(target) = self.target(at) {
            (at, odd) = (target, !odd);
        }
        (at, odd)
    }

    fn root(&self, revision: i64) -> i64 {
        self.root_and_parity(revision).0
    }

    /// The newest member of `revision`'s family.
    fn newest_of(&self, revision: i64) -> i64 {
        let root = self.root(revision);
        self.newest.get(&root).copied().unwrap_or(root)
    }

    /// Whether what `revision` did holds now.
    pub fn in_force(&self, revision: i64) -> bool {
        self.root_and_parity(revision).1 == self.root_and_parity(self.newest_of(revision)).1
    }

    /// The revision that took `revision` back (the newest of its family),
    /// when what it did does not hold now.
    pub fn taken_back_by(&self, revision: i64) -> Option<i64> {
        (!self.in_force(revision)).then(|| self.newest_of(revision))
    }

    /// Whether `revision` takes something back rather than doing it.
    fn takes_back(&self, revision: i64) -> bool {
        self.root_and_parity(revision).1
    }

    /// Whether `revision` is the newest of its family.
    fn is_newest(&self, revision: i64) -> bool {
        self.newest_of(revision) == revision
    }

    /// Whether a revision after `r` left nothing behind: its family began
    /// after `r` and is taken back now (a change and its undo, or a change
    /// done again and taken back again ...). One of `r`'s own family does
    /// what `r` did or took it back, which `r`'s undo checks on its own.
    fn left_nothing_after(&self, revision: i64, r: i64) -> bool {
        let root = self.root(revision);
        root == self.root(r) || (root > r && self.root_and_parity(self.newest_of(revision)).1)
    }
}

/// The first audit entry of each of `revisions`: the id `ipart log` and
/// `ipart undo` know a command run by.
pub fn first_changes(conn: &Connection, revisions: &BTreeSet<i64>) -> Result<HashMap<i64, i64>> {
    let list = serde_json::to_string(revisions)?;
    let mut stmt = conn.prepare(
        "SELECT revision_id, min(id) FROM change
         WHERE revision_id IN (SELECT value FROM json_each(?1)) GROUP BY revision_id",
    )?;
    let pairs = stmt.query_map([list], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(pairs.collect::<Result<_, _>>()?)
}

/// The first revision made with every version of every row kept: the one
/// that upgraded the registry to schema step 7, or 0 for a registry made
/// with it. Revisions before it were pieced together from the audit trail.
pub fn history_start(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(min(revision_id), 0) FROM change
         WHERE entity = 'registry' AND command = 'upgrade' AND json_extract(new, '$.schema_version') >= 7",
        [],
        |r| r.get(0),
    )?)
}

/// Loads revision `revision` as people know it.
pub fn target(conn: &Connection, revision: i64) -> Result<Target> {
    let (at, actor, command, undoes) = conn
        .query_row("SELECT at, actor, command, undoes FROM revision WHERE id = ?1", [revision], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?
        .ok_or_else(|| Error::not_found(format!("no revision {revision} in the registry")))?;
    let changes: Vec<i64> = conn
        .prepare("SELECT id FROM change WHERE revision_id = ?1 ORDER BY id")?
        .query_map([revision], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let batch = conn
        .query_row("SELECT id FROM import_batch WHERE revision_id = ?1 ORDER BY id LIMIT 1", [revision], |r| r.get(0))
        .optional()?;
    let before_history = revision < history_start(conn)?;
    Ok(Target { revision, at, actor, command, undoes, changes, before_history, batch })
}

/// The revision `ipart undo` takes back when given none: the last one in
/// force, walking back past the undos `ipart undo` made and what they took
/// back, so that `ipart undo` run twice takes back the last two changes.
/// `current` is the undo's own revision.
pub fn last_in_force(conn: &Connection, current: i64) -> Result<i64> {
    let undos = Undos::load(conn)?;
    let mut stmt = conn.prepare(
        "SELECT c.revision_id, r.command FROM change c JOIN revision r ON r.id = c.revision_id
         WHERE c.revision_id < ?1 ORDER BY c.id DESC",
    )?;
    let mut rows = stmt.query([current])?;
    let mut upgrade: Option<i64> = None;
    let mut seen = BTreeSet::new();
    while let Some(row) = rows.next()? {
        let (revision, command): (i64, String) = (row.get(0)?, row.get(1)?);
        // Undos made by `ipart undo` are stepped over with what they took
        // back; another command that undoes (`import undo`) is a change the
        // user made like any other.
        let stepped_over = command == "undo" && undos.takes_back(revision);
        if !seen.insert(revision) || !undos.is_newest(revision) || stepped_over {
            continue;
        }
        if upgrade.is_none() && replaces_registry(conn, revision)? {
            upgrade = Some(revision);
            continue;
        }
        match upgrade {
            None => return Ok(revision),
            Some(upgrade) => {
                let (last, before) = (target(conn, upgrade)?, target(conn, revision)?);
                return Err(Error::invalid(format!(
                    "the last change, {}, {}; the change before it is {}: `ipart undo {}` takes that back",
                    last.name(),
                    why_not_registry(conn, &last)?,
                    before.name(),
                    before.changes.first().copied().unwrap_or_default()
                ))
                .into());
            }
        }
    }
    if let Some(upgrade) = upgrade {
        let last = target(conn, upgrade)?;
        return Err(
            Error::invalid(format!("the last change, {}, {}", last.name(), why_not_registry(conn, &last)?)).into()
        );
    }
    Err(Error::invalid(if seen.is_empty() {
        "there is no change to take back: the audit trail (`ipart log`) is empty"
    } else {
        "there is no change to take back: every change in `ipart log` was taken back already"
    })
    .into())
}

/// Whether a revision replaced or upgraded the registry file as a whole.
fn replaces_registry(conn: &Connection, revision: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM change WHERE revision_id = ?1 AND entity = 'registry')",
        [revision],
        |r| r.get(0),
    )?)
}

/// Why an upgrade or a restore cannot be taken back, and what can.
fn why_not_registry(conn: &Connection, t: &Target) -> Result<String> {
    let (old, new): (Option<String>, Option<String>) = conn.query_row(
        "SELECT old, new FROM change WHERE revision_id = ?1 AND entity = 'registry' ORDER BY id LIMIT 1",
        [t.revision],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok()).unwrap_or(Value::Null);
    let (old, new) = (json(old), json(new));
    Ok(if t.command == "upgrade" {
        let copy = new["backup"].as_str().map(|p| format!(" (the copy made before it: {p})")).unwrap_or_default();
        format!(
            "upgraded the registry file, which ipart undo does not take back; `ipart db restore` puts back the copy made before it{copy}"
        )
    } else {
        let kept = old["replaced_registry_kept_at"].as_str().map(|p| format!(" ({p})")).unwrap_or_default();
        format!(
            "replaced the whole registry with a copy, which ipart undo does not take back; `ipart db restore` puts back the registry it replaced{kept}"
        )
    })
}

/// Refuses a revision ipart cannot take back here: an upgrade or restore,
/// one taken back already, one from before the registry kept its versions.
pub fn check_target(conn: &Connection, t: &Target) -> Result<()> {
    if replaces_registry(conn, t.revision)? {
        return Err(Error::invalid(format!("{} {}", t.name(), why_not_registry(conn, t)?)).into());
    }
    let undos = Undos::load(conn)?;
    if let Some(by) = undos.taken_back_by(t.revision) {
        let by = target(conn, by)?;
        return Err(Error::invalid(format!(
            "{} was taken back already, by {}; to have it again, take that back: `ipart undo {}`",
            t.name(),
            by.name(),
            by.changes.first().copied().unwrap_or_default()
        ))
        .into());
    }
    Ok(())
}

/// Refuses a revision from before the registry kept every version of its
/// rows: what it did is known from the audit trail only (an import of
/// then is taken back from its batch, by `import undo`).
fn check_history(t: &Target) -> Result<()> {
    if !t.before_history {
        return Ok(());
    }
    let instead = match t.batch {
        Some(batch) => format!("`ipart import undo {batch}` takes its import back from the audit trail"),
        None => "change the records by hand (`ipart log` shows what it did)".to_string(),
    };
    Err(Error::invalid(format!(
        "{} was made before this registry kept every version of its records (its upgrade to schema version 7), so ipart cannot take it back exactly; {instead}",
        t.name()
    ))
    .into())
}

/// Takes revision `t` back in `w`'s transaction (a revision of its own),
/// records the undo in the audit trail and in `revision.undoes`, and says
/// what it did. Refuses, changing nothing, when a later change builds on it.
pub fn take_back(w: &Writer, t: &Target) -> Result<Undone> {
    check_target(w, t)?;
    check_history(t)?;
    let shapes = plan(w, t)?;
    let mut undone = describe(w, t, &shapes)?;
    let batches = Batches::of(w, t)?;
    if undone.total() == 0 && batches.is_empty() {
        return Err(Error::invalid(format!("{} changed nothing that can be taken back", t.name())).into());
    }
    apply(w, t, &shapes)?;
    refuse_if_blocked(w, t, after_checks(w, t, &shapes)?)?;
    undone.first_change = record(w, t.revision, &batches)?;
    (undone.batches_undone, undone.batches_redone) = (batches.undone, batches.redone);
    for shape in &shapes {
        shape.drop_work(w)?;
    }
    Ok(undone)
}

/// The work tables of every versioned table: what the undo does to each
/// row. Refuses when a later change wrote or removed a row `t` touched.
fn plan(w: &Writer, t: &Target) -> Result<Vec<Shape>> {
    let shapes = VERSIONED.iter().map(|table| Shape::load(w, table)).collect::<Result<Vec<_>>>()?;
    // Checked row by row at the end instead, so that a refusal can say
    // which row refers to what; SQLite switches this off again at commit.
    w.pragma_update(None, "defer_foreign_keys", true)?;
    let mut blockers = Vec::new();
    for shape in &shapes {
        shape.plan(w, t.revision)?;
        blockers.extend(shape.later_writes(w, t.revision)?);
    }
    refuse_if_blocked(w, t, blockers)?;
    Ok(shapes)
}

/// What the undo will do, table by table, in the order it does it.
fn describe(w: &Writer, t: &Target, shapes: &[Shape]) -> Result<Undone> {
    let mut undone = Undone {
        target: t.clone(),
        steps: Vec::new(),
        counts: Vec::new(),
        status_changes: 0,
        batches_undone: Vec::new(),
        batches_redone: Vec::new(),
        first_change: None,
    };
    for (shape, action) in in_order(shapes) {
        let n = shape.count(w, action)?;
        if n > 0 {
            undone.counts.push((shape.table.to_string(), action, n));
            undone.steps.extend(shape.steps(w, action, n)?);
        }
    }
    for shape in shapes {
        undone.status_changes += shape.status_changes_of_kept_records(w)?;
    }
    Ok(undone)
}

/// The import batches the undo marks undone (with the runs of assignment
/// ids it removes, read before they go) and marks imported again.
struct Batches {
    undone: Vec<i64>,
    runs: Vec<Vec<[i64; 2]>>,
    redone: Vec<i64>,
}

impl Batches {
    fn of(w: &Writer, t: &Target) -> Result<Batches> {
        let affected = super::batch::affected_by(w, t.revision)?;
        let mut runs = Vec::new();
        for batch in &affected.made_live {
            // An import undone before undos named what they took back.
            let b = super::batch::get(w, *batch)?;
            if let Some(at) = b.undone_at {
                return Err(Error::invalid(format!(
                    "{} cannot be undone: its import batch {batch} was undone already, at {at} by {}",
                    t.name(),
                    b.undone_by.unwrap_or_default()
                ))
                .into());
            }
            runs.push(super::batch::added_assignment_runs(w, *batch)?);
        }
        Ok(Batches { undone: affected.made_live, runs, redone: affected.made_undone })
    }

    fn is_empty(&self) -> bool {
        self.undone.is_empty() && self.redone.is_empty()
    }
}

/// Removes, changes back and restores, in an order that never needs a
/// record removed and added again: rows R added go first, children before
/// parents (freeing the names they took); then rows R changed get their
/// earlier version; then rows R removed come back, parents first.
fn apply(w: &Writer, t: &Target, shapes: &[Shape]) -> Result<()> {
    for (shape, action) in in_order(shapes) {
        shape.run(w, t, action)?;
    }
    Ok(())
}

/// Each table with each action, in the order [`apply`] runs them.
fn in_order(shapes: &[Shape]) -> impl Iterator<Item = (&Shape, Action)> {
    let removes = shapes.iter().rev().map(|s| (s, Action::Remove));
    let changes = shapes.iter().map(|s| (s, Action::ChangeBack));
    removes.chain(changes).chain(shapes.iter().map(|s| (s, Action::Restore)))
}

/// The audit entries of the undo: the inverse of the revision's own, newest
/// first (an entry that added a record becomes one that removes it, and so
/// on), each with the import batch of the entry it reverses. An import
/// batch's own entries are not reversed but followed by a new one (the
/// batch marked undone or imported again), and the revision says what it
/// took back. Returns the first of the entries.
fn record(w: &Writer, r: i64, batches: &Batches) -> Result<Option<i64>> {
    let before: i64 = w.query_row("SELECT coalesce(max(id), 0) FROM change", [], |r| r.get(0))?;
    w.execute(
        "INSERT INTO change (at, actor, command, entity, entity_id, action, old, new, batch_id, revision_id)
         SELECT ?1, ?2, ?3, entity, entity_id,
                CASE action WHEN 'insert' THEN 'delete' WHEN 'delete' THEN 'insert' ELSE 'update' END,
                new, old, batch_id, ?4
         FROM change WHERE revision_id = ?5 AND entity <> 'import_batch' ORDER BY id DESC",
        params![w.at, w.actor, w.command, w.revision, r],
    )?;
    for (batch, runs) in batches.undone.iter().zip(&batches.runs) {
        w.mark_batch_undone(*batch, runs)?;
    }
    for batch in &batches.redone {
        w.mark_batch_redone(*batch)?;
    }
    record_undoes(w, r)?;
    Ok(w.query_row("SELECT min(id) FROM change WHERE id > ?1", [before], |r| r.get(0))?)
}

/// Records that the writer's revision took revision `r` back, for an undo
/// made otherwise than by [`take_back`] (an import undone from the audit
/// trail).
pub fn record_undoes(w: &Writer, r: i64) -> Result<()> {
    w.execute("UPDATE revision SET undoes = ?1 WHERE id = ?2", [r, w.revision])?;
    Ok(())
}

/// A later change that stands in the way, and how.
#[derive(Debug, Clone)]
struct Blocker {
    revision: i64,
    text: String,
}

/// The refusal naming the later changes, newest first (the order to take
/// them back in), or nothing when there are none.
fn refuse_if_blocked(conn: &Connection, t: &Target, blockers: Vec<Blocker>) -> Result<()> {
    if blockers.is_empty() {
        return Ok(());
    }
    let mut by_revision: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for b in blockers {
        by_revision.entry(b.revision).or_default().insert(b.text);
    }
    let mut lines = Vec::new();
    let mut firsts = Vec::new();
    for (revision, texts) in by_revision.iter().rev() {
        let shown: Vec<&String> = texts.iter().take(5).collect();
        let more = match texts.len().saturating_sub(shown.len()) {
            0 => String::new(),
            n => format!(" (and {n} more)"),
        };
        let what: Vec<&str> = shown.iter().map(|s| s.as_str()).collect();
        // Revision 0 wrote what a new registry holds (the built-in themes).
        let Ok(later) = target(conn, *revision) else {
            lines.push(format!("  the registry as it was made: {}{more}", what.join("; ")));
            continue;
        };
        lines.push(format!("  {}: {}{more}", later.name(), what.join("; ")));
        if *revision != t.revision {
            firsts.extend(later.changes.first().map(|c| format!("`ipart undo {c}`")));
        }
    }
    let advice = if firsts.is_empty() {
        "change those records by hand first".to_string()
    } else {
        format!("take those back first ({}), or change those records by hand", firsts.join(", then "))
    };
    Err(Error::invalid(format!(
        "{} cannot be undone: later changes build on it:\n{}\n{advice}; nothing was changed",
        t.name(),
        lines.join("\n")
    ))
    .into())
}

/// After the rows are put back: what went with them that R did not write
/// (a cascade took a later row), and every reference into or out of the
/// rows the undo touched.
fn after_checks(w: &Writer, t: &Target, shapes: &[Shape]) -> Result<Vec<Blocker>> {
    let by_table: HashMap<&str, &Shape> = shapes.iter().map(|s| (s.table, s)).collect();
    let mut blockers = Vec::new();
    for shape in shapes {
        blockers.extend(shape.swept_along(w, t, w.revision)?);
    }
    for child in shapes {
        for fk in ForeignKey::of(w, child.table)? {
            let Some(parent) = by_table.get(fk.parent.as_str()) else { continue };
            blockers.extend(fk.orphaned_children(w, t, w.revision, child, parent)?);
            blockers.extend(fk.restored_orphans(w, w.revision, child, parent)?);
        }
    }
    Ok(blockers)
}

/// The layout of one versioned table, and the SQL the undo runs on it.
struct Shape {
    table: &'static str,
    /// The columns that name a row across its versions: its primary key
    /// (for a status history clustered on it, the record and the day, so
    /// that an undo works through it in order).
    key: Vec<String>,
    key_types: Vec<String>,
    /// Every stored column but `known_from`, in table order (with the key).
    columns: Vec<String>,
    /// A rowid table without an id (metric): its rowid is what the audit
    /// trail names, so a restored row gets it back.
    audited_rowid: bool,
}

impl Shape {
    fn load(conn: &Connection, table: &'static str) -> Result<Shape> {
        let names = |sql: &str, of: &str| -> Result<Vec<String>> {
            Ok(conn.prepare(sql)?.query_map([of], |r| r.get(0))?.collect::<Result<_, _>>()?)
        };
        let columns = names(
            "SELECT name FROM pragma_table_info(?1) WHERE name NOT IN ('known_from', 'known_until') ORDER BY cid",
            &format!("{table}_retired"),
        )?;
        let key = names("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk", table)?;
        // Typed as in the table: a work table's key must compare with the
        // table's own (STRICT) columns for its index to be used.
        let key_types = names("SELECT type FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk", table)?;
        let without_rowid: bool =
            conn.query_row("SELECT coalesce(max(wr), 0) FROM pragma_table_list WHERE name = ?1", [table], |r| {
                r.get(0)
            })?;
        let audited_rowid = !without_rowid && !columns.iter().any(|c| c == "id");
        Ok(Shape { table, key, key_types, columns, audited_rowid })
    }

    /// The work table of the rows R touched (key, action, later) and the
    /// one of the versions R replaced or removed.
    fn work(&self) -> String {
        format!("temp.\"undo_{}\"", self.table)
    }

    fn before(&self) -> String {
        format!("temp.\"undo_before_{}\"", self.table)
    }

    fn retired(&self) -> String {
        format!("main.\"{}_retired\"", self.table)
    }

    fn current(&self) -> String {
        format!("main.\"{}\"", self.table)
    }

    fn non_key(&self) -> Vec<String> {
        self.columns.iter().filter(|c| !self.key.contains(c)).cloned().collect()
    }

    fn drop_work(&self, conn: &Connection) -> Result<()> {
        conn.execute_batch(&format!(
            "DROP TABLE IF EXISTS {work}; DROP TABLE IF EXISTS {before};",
            work = self.work(),
            before = self.before()
        ))?;
        Ok(())
    }

    /// Fills the work tables: which rows R touched, which of them a later
    /// revision wrote or removed too, and what the undo does to each.
    fn plan(&self, conn: &Connection, r: i64) -> Result<()> {
        self.drop_work(conn)?;
        let (key, cols) = (list(&self.key, ""), list(&self.columns, ""));
        let (work, before, retired, current) = (self.work(), self.before(), self.retired(), self.current());
        let (b_u, c_u, c_b) = (join(&self.key, "b", "u"), join(&self.key, "c", "u"), join(&self.key, "c", "b"));
        let same = same(&self.non_key(), "b", "c");
        let first = &self.key[0];
        // Rows as R wrote them (most of them) are classified as they are
        // read, in key order; the others ('plan': rows R removed, or wrote
        // and a later revision replaced) below.
        conn.execute_batch(&format!(
            "CREATE TEMP TABLE \"undo_before_{t}\" AS SELECT {cols} FROM {retired} WHERE known_until = {r};
             CREATE INDEX temp.\"undo_before_{t}_key\" ON \"undo_before_{t}\" ({key});
             CREATE TEMP TABLE \"undo_{t}\" ({typed}, action TEXT, later INTEGER, PRIMARY KEY ({key})) WITHOUT ROWID;
             INSERT INTO {work} SELECT {c_key},
                     CASE WHEN b.\"{first}\" IS NULL THEN 'remove' WHEN {same} THEN NULL ELSE 'change back' END, 0
                 FROM {current} c LEFT JOIN {before} b ON {c_b} WHERE c.known_from = {r};
             INSERT OR IGNORE INTO {work} SELECT {key}, 'plan', 0 FROM {retired}
                 WHERE known_from = {r} OR known_until = {r};
             UPDATE {work} SET later = 1 WHERE ({key}) IN (
                 SELECT {key} FROM {current} WHERE known_from > {r}
                 UNION ALL SELECT {key} FROM {retired} WHERE known_until > {r});",
            t = self.table,
            c_key = list(&self.key, "c."),
            typed = self
                .key
                .iter()
                .zip(&self.key_types)
                .map(|(k, t)| format!("\"{k}\" {t}"))
                .collect::<Vec<_>>()
                .join(", "),
        ))?;
        conn.execute(
            &format!(
                "UPDATE {work} AS u SET action = CASE
                   WHEN EXISTS (SELECT 1 FROM {before} b WHERE {b_u}) THEN CASE
                       WHEN NOT EXISTS (SELECT 1 FROM {current} c WHERE {c_u}) THEN 'restore'
                       WHEN EXISTS (SELECT 1 FROM {before} b JOIN {current} c ON {c_b} WHERE {b_u} AND {same}) THEN NULL
                       ELSE 'change back' END
                   WHEN EXISTS (SELECT 1 FROM {current} c WHERE {c_u}) THEN 'remove'
                 END
                 WHERE action = 'plan'"
            ),
            [],
        )?;
        Ok(())
    }

    /// Later revisions that wrote or removed rows R touched: each builds on
    /// R, unless it left nothing behind (a later change taken back since,
    /// with its undo), or belongs to R's own family (R done again after an
    /// undo); the rows are then as R left them (checked, not assumed).
    fn later_writes(&self, conn: &Connection, r: i64) -> Result<Vec<Blocker>> {
        let later: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {} WHERE later", self.work()), [], |r| r.get(0))?;
        if later == 0 {
            return Ok(Vec::new());
        }
        let (work, retired, current) = (self.work(), self.retired(), self.current());
        let (c_u, r_u) = (join(&self.key, "c", "u"), join(&self.key, "x", "u"));
        let revisions: BTreeSet<i64> = conn
            .prepare(&format!(
                "SELECT c.known_from FROM {current} c JOIN {work} u ON {c_u} WHERE u.later AND c.known_from > {r}
                 UNION SELECT x.known_from FROM {retired} x JOIN {work} u ON {r_u} WHERE u.later AND x.known_from > {r}
                 UNION SELECT x.known_until FROM {retired} x JOIN {work} u ON {r_u} WHERE u.later AND x.known_until > {r}"
            ))?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let undos = Undos::load(conn)?;
        let mut blockers = Vec::new();
        for &l in revisions.iter().filter(|&&l| !undos.left_nothing_after(l, r)) {
            blockers.extend(self.what_later_did(conn, l)?);
        }
        if blockers.is_empty() {
            blockers = self.not_as_left(conn, r)?;
        }
        Ok(blockers)
    }

    /// What revision `l` did to rows R touched: changed, removed or added
    /// one under the same key.
    fn what_later_did(&self, conn: &Connection, l: i64) -> Result<Vec<Blocker>> {
        let (work, retired, current) = (self.work(), self.retired(), self.current());
        let (c_u, x_u) = (join(&self.key, "c", "u"), join(&self.key, "x", "u"));
        let sql = format!(
            "SELECT {key_json},
                    EXISTS (SELECT 1 FROM {current} c WHERE {c_u} AND c.known_from = {l})
                        OR EXISTS (SELECT 1 FROM {retired} x WHERE {x_u} AND x.known_from = {l}),
                    EXISTS (SELECT 1 FROM {retired} x WHERE {x_u} AND x.known_until = {l})
             FROM {work} u WHERE u.later AND (
                 EXISTS (SELECT 1 FROM {current} c WHERE {c_u} AND c.known_from = {l})
                 OR EXISTS (SELECT 1 FROM {retired} x WHERE {x_u} AND (x.known_from = {l} OR x.known_until = {l})))
             LIMIT 6",
            key_json = json_of(&self.key, "u"),
        );
        let rows: Vec<(String, bool, bool)> = conn
            .prepare(&sql)?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (key, wrote, retired) in rows {
            let record = self.describe_key(conn, &parse(&key))?;
            let text = match (wrote, retired) {
                (true, true) => format!("changed {record} again"),
                (false, true) => format!("removed {record}"),
                _ => format!("added {record}, in the place of the row this change removed"),
            };
            out.push(Blocker { revision: l, text });
        }
        Ok(out)
    }

    /// Rows whose later changes were all taken back, but which are not as R
    /// left them: a safety net, naming the last revision that wrote them.
    fn not_as_left(&self, conn: &Connection, r: i64) -> Result<Vec<Blocker>> {
        let (work, retired, current) = (self.work(), self.retired(), self.current());
        let first = &self.key[0];
        let sql = format!(
            "SELECT {key_json}, max(coalesce(c.known_from, 0), coalesce((SELECT max(x.known_until) FROM {retired} x WHERE {x_u}), 0))
             FROM {work} u
             LEFT JOIN {current} c ON {c_u}
             LEFT JOIN {retired} a ON {a_u} AND a.known_from = {r}
             WHERE u.later AND NOT ((c.\"{first}\" IS NULL AND a.\"{first}\" IS NULL)
                                    OR (c.\"{first}\" IS NOT NULL AND a.\"{first}\" IS NOT NULL AND {same}))
             LIMIT 6",
            key_json = json_of(&self.key, "u"),
            x_u = join(&self.key, "x", "u"),
            c_u = join(&self.key, "c", "u"),
            a_u = join(&self.key, "a", "u"),
            same = same(&self.non_key(), "a", "c"),
        );
        let rows: Vec<(String, i64)> =
            conn.prepare(&sql)?.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (key, revision) in rows {
            let record = self.describe_key(conn, &parse(&key))?;
            out.push(Blocker { revision, text: format!("left {record} otherwise than the change did") });
        }
        Ok(out)
    }

    fn count(&self, conn: &Connection, action: Action) -> Result<usize> {
        let n: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {} WHERE action = ?1", self.work()), [action.word()], |r| {
                r.get(0)
            })?;
        Ok(n as usize)
    }

    /// Rows of a status history R touched whose record stays: removing or
    /// restoring a record takes its history with it.
    fn status_changes_of_kept_records(&self, conn: &Connection) -> Result<usize> {
        let Some(owner) = self.table.strip_suffix("_status") else { return Ok(0) };
        let column = format!("{owner}_id");
        let removed_or_restored = format!("SELECT id FROM temp.\"undo_{owner}\" WHERE action IN ('remove', 'restore')");
        if self.key.contains(&column) {
            let sql = format!(
                "SELECT count(*) FROM {} WHERE action IS NOT NULL AND \"{column}\" NOT IN ({removed_or_restored})",
                self.work()
            );
            return Ok(conn.query_row(&sql, [], |r| r.get::<_, i64>(0))? as usize);
        }
        let sql = format!(
            "SELECT count(*) FROM {work} u
             WHERE u.action IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM temp.\"undo_{owner}\" o
                               WHERE o.id = coalesce((SELECT c.\"{column}\" FROM {current} c WHERE {c_u}),
                                                     (SELECT b.\"{column}\" FROM {before} b WHERE {b_u}))
                                 AND o.action IN ('remove', 'restore'))",
            work = self.work(),
            current = self.current(),
            before = self.before(),
            c_u = join(&self.key, "c", "u"),
            b_u = join(&self.key, "b", "u"),
        );
        let n: i64 = conn.query_row(&sql, [], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// What the undo does with action `action` on this table, row by row,
    /// or summed up in one step when there are many.
    fn steps(&self, conn: &Connection, action: Action, n: usize) -> Result<Vec<Step>> {
        const SHOWN: usize = 20;
        let record = self.table.to_string();
        if n > SHOWN {
            let ids = self.id_range(conn, action)?;
            return Ok(vec![Step {
                action: action.word(),
                record,
                key: ids,
                what: format!("{} rows", crate::domain::names::thousands(n as u64)),
            }]);
        }
        let (work, before, current) = (self.work(), self.before(), self.current());
        let sql = format!(
            "SELECT {key}, {now}, {then} FROM {work} u
             LEFT JOIN {current} c ON {c_u} LEFT JOIN {before} b ON {b_u}
             WHERE u.action = ?1 ORDER BY {order}",
            key = json_of(&self.key, "u"),
            now = json_or_null(&self.columns, "c"),
            then = json_or_null(&self.columns, "b"),
            c_u = join(&self.key, "c", "u"),
            b_u = join(&self.key, "b", "u"),
            order = list(&self.key, "u."),
        );
        let rows: Vec<(String, Option<String>, Option<String>)> = conn
            .prepare(&sql)?
            .query_map([action.word()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .map(|(key, now, then)| {
                let (key, now, then) = (parse(&key), now.map(|s| parse(&s)), then.map(|s| parse(&s)));
                let what = match (&now, &then) {
                    (Some(now), Some(then)) => differences(now, then),
                    (Some(row), None) | (None, Some(row)) => label(row),
                    (None, None) => String::new(),
                };
                Step { action: action.word(), record: record.clone(), key: key_text(&key), what }
            })
            .collect())
    }

    /// "ids 594-1593", for a summed-up step.
    fn id_range(&self, conn: &Connection, action: Action) -> Result<String> {
        if self.key != ["id"] {
            return Ok(String::new());
        }
        let (low, high): (i64, i64) = conn.query_row(
            &format!("SELECT min(id), max(id) FROM {} WHERE action = ?1", self.work()),
            [action.word()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(format!("{low}-{high}"))
    }

    /// Runs one action on every row planned for it.
    fn run(&self, w: &Writer, t: &Target, action: Action) -> Result<()> {
        let (work, before, current) = (self.work(), self.before(), self.current());
        let key = list(&self.key, "");
        let sql = match action {
            Action::Remove => {
                format!("DELETE FROM {current} WHERE ({key}) IN (SELECT {key} FROM {work} WHERE action = 'remove')")
            }
            Action::ChangeBack => {
                let non_key = self.non_key();
                if non_key.is_empty() {
                    return Ok(());
                }
                format!(
                    "UPDATE {current} AS c SET ({cols}) = (SELECT {b_cols} FROM {before} b WHERE {c_b})
                     WHERE ({c_key}) IN (SELECT {key} FROM {work} WHERE action = 'change back')",
                    cols = list(&non_key, ""),
                    b_cols = list(&non_key, "b."),
                    c_b = join(&self.key, "c", "b"),
                    c_key = list(&self.key, "c."),
                )
            }
            Action::Restore => self.restore_sql(t.revision, w.revision),
        };
        match w.execute(&sql, []) {
            Ok(_) => Ok(()),
            Err(e) => Err(self.explain(w, t, action, e)),
        }
    }

    /// Puts back the versions R removed, known from now on (from U).
    fn restore_sql(&self, r: i64, u: i64) -> String {
        let (work, before, current) = (self.work(), self.before(), self.current());
        let cols = list(&self.columns, "");
        let chosen = format!(
            "({}) IN (SELECT {} FROM {work} WHERE action = 'restore')",
            list(&self.key, "b."),
            list(&self.key, "")
        );
        if !self.audited_rowid {
            return format!(
                "INSERT INTO {current} ({cols}, known_from) SELECT {}, {u} FROM {before} b WHERE {chosen}",
                list(&self.columns, "b.")
            );
        }
        // The rowid the removal's audit entry named, unless taken since.
        let matches: Vec<String> =
            self.key.iter().map(|k| format!("json_extract(e.old, '$.{k}') IS b.\"{k}\"")).collect();
        format!(
            "INSERT INTO {current} (rowid, {cols}, known_from)
             SELECT (SELECT e.entity_id FROM main.change e
                     WHERE e.revision_id = {r} AND e.entity = '{t}' AND e.action = 'delete' AND {matches}
                       AND NOT EXISTS (SELECT 1 FROM {current} x WHERE x.rowid = e.entity_id)
                     ORDER BY e.id DESC LIMIT 1),
                    {b_cols}, {u}
             FROM {before} b WHERE {chosen}",
            t = self.table,
            matches = matches.join(" AND "),
            b_cols = list(&self.columns, "b."),
        )
    }

    /// A sentence for a constraint SQLite refused while putting rows back:
    /// a name (or key) taken since, or a later row that needs the version
    /// R wrote.
    fn explain(&self, conn: &Connection, t: &Target, action: Action, e: rusqlite::Error) -> anyhow::Error {
        if e.sqlite_error_code() != Some(rusqlite::ErrorCode::ConstraintViolation) {
            return e.into();
        }
        let blockers = match self.taken_since(conn).and_then(|mut b| {
            if b.is_empty() {
                b = self.later_references(conn, t.revision)?;
            }
            Ok(b)
        }) {
            Ok(b) => b,
            Err(other) => return other,
        };
        if let Err(refusal) = refuse_if_blocked(conn, t, blockers) {
            return refusal;
        }
        Error::invalid(format!(
            "{} cannot be undone: the registry refuses to {} {} rows as they were ({e}); nothing was changed",
            t.name(),
            action.word(),
            self.table
        ))
        .into()
    }

    /// Rows holding a unique value (a name, an external code, a key) that a
    /// row being changed back or restored would take back.
    fn taken_since(&self, conn: &Connection) -> Result<Vec<Blocker>> {
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM pragma_index_list(?1) WHERE \"unique\" = 1")?
            .query_map([self.table], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for index in indexes {
            let columns: Vec<(Option<String>, String)> = conn
                .prepare("SELECT name, coll FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno")?
                .query_map([&index], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let Some(columns) = columns.into_iter().map(|(n, c)| n.map(|n| (n, c))).collect::<Option<Vec<_>>>() else {
                continue;
            };
            let equal: Vec<String> =
                columns.iter().map(|(n, coll)| format!("c.\"{n}\" = b.\"{n}\" COLLATE {coll}")).collect();
            let sql = format!(
                "SELECT {b_key}, {c_key}, c.known_from FROM {before} b
                 JOIN {work} u ON {b_u} AND u.action IN ('change back', 'restore')
                 JOIN {current} c ON {equal} AND NOT ({c_b})
                 LIMIT 6",
                b_key = json_of(&self.key, "b"),
                c_key = json_of(&self.key, "c"),
                before = self.before(),
                work = self.work(),
                current = self.current(),
                b_u = join(&self.key, "b", "u"),
                equal = equal.join(" AND "),
                c_b = join(&self.key, "c", "b"),
            );
            let rows: Vec<(String, String, i64)> = conn
                .prepare(&sql)?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
            for (wanted, holder, revision) in rows {
                let (wanted, holder) =
                    (self.describe_key(conn, &parse(&wanted))?, self.describe_key(conn, &parse(&holder))?);
                let text =
                    format!("wrote {holder}, which has the {} that {wanted} would take back", names.join(" and "));
                out.push(Blocker { revision, text });
            }
        }
        Ok(out)
    }

    /// Later rows of other tables that refer to rows of this one R changed:
    /// the version they need is R's (a partner's sector, for one).
    fn later_references(&self, conn: &Connection, r: i64) -> Result<Vec<Blocker>> {
        let mut out = Vec::new();
        for child in VERSIONED {
            for fk in ForeignKey::of(conn, child)?.into_iter().filter(|fk| fk.parent == self.table) {
                let child_shape = Shape::load(conn, child)?;
                let refers: Vec<String> =
                    fk.from.iter().zip(&fk.to).map(|(f, t)| format!("x.\"{f}\" = p.\"{t}\"")).collect();
                let sql = format!(
                    "SELECT {x_key}, x.known_from, {p_key} FROM main.\"{child}\" x
                     JOIN {current} p ON {refers}
                     JOIN {work} u ON {p_u} AND u.action = 'change back'
                     WHERE x.known_from > {r} LIMIT 6",
                    x_key = json_of(&child_shape.key, "x"),
                    p_key = json_of(&self.key, "p"),
                    current = self.current(),
                    work = self.work(),
                    refers = refers.join(" AND "),
                    p_u = join(&self.key, "p", "u"),
                );
                let rows: Vec<(String, i64, String)> = conn
                    .prepare(&sql)?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<Result<_, _>>()?;
                for (x, revision, p) in rows {
                    let verb = child_shape.verb(conn, &parse(&x), revision)?;
                    let (x, p) = (child_shape.describe_key(conn, &parse(&x))?, self.describe_key(conn, &parse(&p))?);
                    out.push(Blocker { revision, text: format!("{verb} {x}, which needs {p} as it is now") });
                }
            }
        }
        Ok(out)
    }

    /// Rows the undo removed that R did not write: a cascade took them with
    /// a record R added, so a later change had added them to it.
    fn swept_along(&self, conn: &Connection, t: &Target, u: i64) -> Result<Vec<Blocker>> {
        let sql = format!(
            "SELECT {key}, {row}, x.known_from FROM {retired} x
             WHERE x.known_until = ?1 AND NOT EXISTS (SELECT 1 FROM {work} u WHERE {x_u})
             LIMIT 6",
            key = json_of(&self.key, "x"),
            row = json_of(&self.columns, "x"),
            retired = self.retired(),
            work = self.work(),
            x_u = join(&self.key, "x", "u"),
        );
        let rows: Vec<(String, String, i64)> =
            conn.prepare(&sql)?.query_map([u], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .map(|(key, row, revision)| {
                let record = record_text(self.table, &parse(&key), Some(&parse(&row)));
                Blocker { revision, text: format!("added {record} to a record {} added", t.name()) }
            })
            .collect())
    }

    /// `"id" = ?1` (or the key's columns), with the values of `key`.
    fn by_key(&self, key: &Map<String, Value>) -> (String, Vec<Sql>) {
        let condition: Vec<String> =
            self.key.iter().enumerate().map(|(i, k)| format!("\"{k}\" = ?{}", i + 1)).collect();
        let values = self.key.iter().map(|k| sql_value(key.get(k).unwrap_or(&Value::Null))).collect();
        (condition.join(" AND "), values)
    }

    /// The key of this table's row within `values` (a foreign key's
    /// columns, which may name more than the key).
    fn key_within(&self, values: &Map<String, Value>) -> Option<Map<String, Value>> {
        self.key.iter().map(|k| values.get(k).map(|v| (k.clone(), v.clone()))).collect()
    }

    /// What the undo does to a row: "remove", "change back", "restore".
    fn planned(&self, conn: &Connection, key: &Map<String, Value>) -> Result<Option<String>> {
        let (condition, values) = self.by_key(key);
        let action: Option<Option<String>> = conn
            .query_row(
                &format!("SELECT action FROM {} WHERE {condition}", self.work()),
                params_from_iter(values.iter()),
                |r| r.get(0),
            )
            .optional()?;
        Ok(action.flatten())
    }

    /// Whether revision `l` added the row or changed it.
    fn verb(&self, conn: &Connection, key: &Map<String, Value>, l: i64) -> Result<&'static str> {
        let (condition, values) = self.by_key(key);
        let changed: bool = conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {} WHERE {condition} AND known_until = {l})", self.retired()),
            params_from_iter(values.iter()),
            |r| r.get(0),
        )?;
        Ok(if changed { "changed" } else { "added" })
    }

    /// "partner 45 \"DUO\"": the row as it is now, or as last known.
    fn describe_key(&self, conn: &Connection, key: &Map<String, Value>) -> Result<String> {
        let (condition, values) = self.by_key(key);
        let row: Option<String> = conn
            .query_row(
                &format!(
                    "SELECT {} FROM {} WHERE {condition}
                     UNION ALL SELECT * FROM (SELECT {} FROM {} WHERE {condition} ORDER BY known_until DESC LIMIT 1)",
                    json_of(&self.columns, ""),
                    self.current(),
                    json_of(&self.columns, ""),
                    self.retired()
                ),
                params_from_iter(values.iter()),
                |r| r.get(0),
            )
            .optional()?;
        Ok(record_text(self.table, key, row.map(|r| parse(&r)).as_ref()))
    }
}

/// One foreign key of a versioned table, to another.
struct ForeignKey {
    parent: String,
    from: Vec<String>,
    to: Vec<String>,
}

impl ForeignKey {
    fn of(conn: &Connection, table: &str) -> Result<Vec<ForeignKey>> {
        let rows: Vec<(i64, String, String, Option<String>)> = conn
            .prepare("SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq")?
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let mut keys: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for (id, parent, from, to) in rows {
            let fk = keys.entry(id).or_insert_with(|| ForeignKey { parent, from: Vec::new(), to: Vec::new() });
            fk.from.push(from);
            fk.to.push(to.unwrap_or_else(|| "id".to_string()));
        }
        Ok(keys.into_values().filter(|fk| VERSIONED.contains(&fk.parent.as_str())).collect())
    }

    /// Rows of `child` that refer to a version of a `parent` row the undo
    /// replaced or removed, with no row of that version left: a later
    /// change that refers to what R added or changed.
    fn orphaned_children(
        &self,
        conn: &Connection,
        t: &Target,
        u: i64,
        child: &Shape,
        parent: &Shape,
    ) -> Result<Vec<Blocker>> {
        let retired_now: bool = conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {} WHERE known_until = ?1)", parent.retired()),
            [u],
            |r| r.get(0),
        )?;
        if !retired_now {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {c_key}, c.known_from, {refs} FROM {child} c
             WHERE ({from}) IN (SELECT {to} FROM {retired} WHERE known_until = ?1)
               AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {p_c})
             LIMIT 6",
            c_key = json_of(&child.key, "c"),
            refs = self.refs_json("c"),
            child = child.current(),
            from = list(&self.from, "c."),
            to = list(&self.to, ""),
            retired = parent.retired(),
            parent = parent.current(),
            p_c = self.matching("p", "c"),
        );
        let rows: Vec<(String, i64, String)> =
            conn.prepare(&sql)?.query_map([u], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (key, revision, refs) in rows {
            let key = parse(&key);
            let record = child.describe_key(conn, &key)?;
            let verb = child.verb(conn, &key, revision)?;
            let (target, how) = match parent.key_within(&parse(&refs)) {
                Some(parent_key) => {
                    let how = match parent.planned(conn, &parent_key)?.as_deref() {
                        Some("remove") => format!(", which {} added", t.name()),
                        _ => format!(" as {} left it", t.name()),
                    };
                    (parent.describe_key(conn, &parent_key)?, how)
                }
                None => (record_text(&self.parent, &parse(&refs), None), format!(" as {} left it", t.name())),
            };
            out.push(Blocker { revision, text: format!("{verb} {record}, which refers to {target}{how}") });
        }
        Ok(out)
    }

    /// Rows of `child` the undo wrote back that refer to a `parent` row no
    /// longer there: a later change removed it.
    fn restored_orphans(&self, conn: &Connection, u: i64, child: &Shape, parent: &Shape) -> Result<Vec<Blocker>> {
        let not_null: Vec<String> = self.from.iter().map(|f| format!("c.\"{f}\" IS NOT NULL")).collect();
        let sql = format!(
            "SELECT {c_key}, {refs},
                    (SELECT max(x.known_until) FROM {retired} x WHERE {x_c})
             FROM {child} c
             WHERE c.known_from = ?1 AND {not_null} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {p_c})
             LIMIT 6",
            c_key = json_of(&child.key, "c"),
            refs = self.refs_json("c"),
            retired = parent.retired(),
            x_c = self.matching("x", "c"),
            child = child.current(),
            not_null = not_null.join(" AND "),
            parent = parent.current(),
            p_c = self.matching("p", "c"),
        );
        let rows: Vec<(String, String, Option<i64>)> =
            conn.prepare(&sql)?.query_map([u], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (key, refs, revision) in rows {
            let record = child.describe_key(conn, &parse(&key))?;
            let gone = parent.describe_key(conn, &parse(&refs))?;
            let text = format!("removed {gone}, which {record} refers to");
            out.push(Blocker { revision: revision.unwrap_or(u), text });
        }
        Ok(out)
    }

    /// `p.id = c.partner_id AND ...`.
    fn matching(&self, parent: &str, child: &str) -> String {
        self.from
            .iter()
            .zip(&self.to)
            .map(|(f, t)| format!("{parent}.\"{t}\" = {child}.\"{f}\""))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The parent's key as the child names it, as JSON keyed by the
    /// parent's columns.
    fn refs_json(&self, child: &str) -> String {
        let pairs: Vec<String> =
            self.from.iter().zip(&self.to).map(|(f, t)| format!("'{t}', {child}.\"{f}\"")).collect();
        format!("json_object({})", pairs.join(", "))
    }
}

/// `a."x", a."y"` (alias given with its dot, or "").
fn list(columns: &[String], alias: &str) -> String {
    columns.iter().map(|c| format!("{alias}\"{c}\"")).collect::<Vec<_>>().join(", ")
}

/// `a."x" = b."x" AND ...`: key columns are never NULL.
fn join(columns: &[String], a: &str, b: &str) -> String {
    columns.iter().map(|c| format!("{a}.\"{c}\" = {b}.\"{c}\"")).collect::<Vec<_>>().join(" AND ")
}

/// `a."x" IS b."x" AND ...`: equal, NULL matching NULL.
fn same(columns: &[String], a: &str, b: &str) -> String {
    if columns.is_empty() {
        return "1".to_string();
    }
    columns.iter().map(|c| format!("{a}.\"{c}\" IS {b}.\"{c}\"")).collect::<Vec<_>>().join(" AND ")
}

/// A row's columns as a JSON object (blobs, the student pseudonyms, are
/// never shown).
fn json_of(columns: &[String], alias: &str) -> String {
    let dot = if alias.is_empty() { String::new() } else { format!("{alias}.") };
    let pairs: Vec<String> = columns
        .iter()
        .map(|c| format!("'{c}', CASE WHEN typeof({dot}\"{c}\") = 'blob' THEN NULL ELSE {dot}\"{c}\" END"))
        .collect();
    format!("json_object({})", pairs.join(", "))
}

/// [`json_of`], or NULL when the row is not there (an outer join missed).
fn json_or_null(columns: &[String], alias: &str) -> String {
    format!("CASE WHEN {alias}.\"{}\" IS NULL THEN NULL ELSE {} END", columns[0], json_of(columns, alias))
}

fn parse(json: &str) -> Map<String, Value> {
    serde_json::from_str(json).unwrap_or_default()
}

fn sql_value(v: &Value) -> Sql {
    match v {
        Value::Null => Sql::Null,
        Value::Bool(b) => Sql::Integer(*b as i64),
        Value::Number(n) => n.as_i64().map(Sql::Integer).unwrap_or_else(|| Sql::Real(n.as_f64().unwrap_or_default())),
        Value::String(s) => Sql::Text(s.clone()),
        other => Sql::Text(other.to_string()),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How a key reads: "45", or "lab 3, west" for a row without an id.
fn key_text(key: &Map<String, Value>) -> String {
    if let (1, Some(id)) = (key.len(), key.get("id")) {
        return text(id);
    }
    key.iter()
        .map(|(k, v)| match (k.strip_suffix("_id"), k.as_str()) {
            (_, "pseudonym") => "a student pseudonym".to_string(),
            (Some(owner), _) => format!("{owner} {}", text(v)),
            (None, _) => text(v),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row's name for people: its name, title, alias or status.
fn label(row: &Map<String, Value>) -> String {
    if let (Some(status), Some(since)) = (row.get("status"), row.get("since")) {
        return format!("{} since {}", text(status), text(since));
    }
    for field in ["name", "title", "alias", "text", "code", "topic", "value"] {
        if let Some(v) = row.get(field).filter(|v| !v.is_null()) {
            return if v.is_string() { format!("\"{}\"", text(v)) } else { text(v) };
        }
    }
    String::new()
}

/// "partner 45 \"DUO\"", "lab_region (lab 3, west)".
fn record_text(table: &str, key: &Map<String, Value>, row: Option<&Map<String, Value>>) -> String {
    let name = row.map(label).filter(|l| !l.is_empty()).map(|l| format!(" {l}")).unwrap_or_default();
    if key.len() == 1 && key.contains_key("id") {
        format!("{table} {}{name}", key_text(key))
    } else {
        format!("{table} ({}){name}", key_text(key))
    }
}

/// "region: west -> noord; short_name: X1 -> -": the fields a change back
/// puts back, from the row now to the version it gets.
fn differences(now: &Map<String, Value>, then: &Map<String, Value>) -> String {
    let changed: Vec<String> = then
        .iter()
        .filter(|(k, v)| now.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}: {} -> {}", now.get(k).map(text).unwrap_or_default(), text(v)))
        .collect();
    let name = label(now);
    match (name.is_empty(), changed.is_empty()) {
        (_, true) => name,
        (true, false) => changed.join("; "),
        (false, false) => format!("{name}: {}", changed.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Registry;

    fn demo() -> Registry {
        let mut registry = Registry::create_in_memory().unwrap();
        crate::demo::load(&mut registry).unwrap();
        registry
    }

    /// Revisions 1..=n, with `undoes` as given: (revision, the one it took back).
    fn family(pairs: &[(i64, i64)], n: i64) -> Undos {
        let registry = Registry::create_in_memory().unwrap();
        let conn = registry.conn();
        for id in 1..=n {
            let undoes = pairs.iter().find(|(u, _)| *u == id).map(|(_, t)| *t);
            conn.execute(
                "INSERT INTO revision (id, at, actor, command, undoes) VALUES (?1, 'now', 'me', 'x', ?2)",
                params![id, undoes],
            )
            .unwrap();
        }
        Undos::load(conn).unwrap()
    }

    #[test]
    fn what_is_in_force_is_what_the_newest_of_a_family_does() {
        // 1 a change; 2 its undo; 3 the undo of 2 (1 again); 4 an undo of 1.
        let undos = family(&[(2, 1), (3, 2), (4, 1)], 5);
        assert!(!undos.in_force(1));
        assert_eq!(undos.taken_back_by(1), Some(4));
        assert!(undos.in_force(2), "1 is taken back, as 2 did");
        assert_eq!(undos.taken_back_by(3), Some(4));
        assert!(undos.in_force(4) && undos.is_newest(4) && !undos.is_newest(3));
        assert!(undos.takes_back(2) && !undos.takes_back(3) && undos.takes_back(4));
        assert!(undos.in_force(5) && undos.taken_back_by(5).is_none());
        // After 1: the family is taken back, but it is 1's own.
        assert!(undos.left_nothing_after(3, 1));
        // After 0 (say): the family of 1 began after it and left nothing.
        assert!(undos.left_nothing_after(2, 0));
        let undos = family(&[(2, 1), (3, 2)], 3);
        assert!(!undos.left_nothing_after(3, 0), "1 done again holds");
    }

    #[test]
    fn a_revision_that_wrote_nothing_has_nothing_to_take_back() {
        let mut registry = demo();
        let revision = registry
            .write("test", |w| {
                w.audit("partner", 1, Some(&serde_json::json!({"x": 1})), Some(&serde_json::json!({"x": 2})))?;
                Ok(w.revision())
            })
            .unwrap();
        let before = crate::store::revision::latest(registry.conn()).unwrap().unwrap().id;
        let err = registry
            .write("undo", |w| {
                let t = target(w, revision)?;
                take_back(w, &t)
            })
            .unwrap_err();
        let (code, message) = crate::error::classify(&err);
        assert_eq!(code, crate::error::ExitCode::Invalid);
        let first = registry.conn().query_row("SELECT max(id) FROM change", [], |r| r.get::<_, i64>(0)).unwrap();
        assert!(message.starts_with(&format!("change {first} (test, ")), "{message}");
        assert!(message.ends_with(") changed nothing that can be taken back"), "{message}");
        // Nothing was kept, not even the undo's revision.
        assert_eq!(crate::store::revision::latest(registry.conn()).unwrap().unwrap().id, before);
    }

    #[test]
    fn rows_read_as_people_name_them() {
        let row = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(key_text(&row(serde_json::json!({"id": 45}))), "45");
        assert_eq!(key_text(&row(serde_json::json!({"lab_id": 3, "region": "west"}))), "lab 3, west");
        assert_eq!(
            key_text(&row(serde_json::json!({"assignment_id": 3, "pseudonym": null}))),
            "assignment 3, a student pseudonym"
        );
        assert_eq!(
            label(&row(serde_json::json!({"status": "active", "since": "2024-01-01"}))),
            "active since 2024-01-01"
        );
        assert_eq!(label(&row(serde_json::json!({"name": "DUO"}))), "\"DUO\"");
        let now = row(serde_json::json!({"name": "DUO", "region": "west", "short_name": "X"}));
        let then = row(serde_json::json!({"name": "DUO", "region": "noord", "short_name": null}));
        assert_eq!(differences(&now, &then), "\"DUO\": region: west -> noord; short_name: X -> -");
        let key = row(serde_json::json!({"lab_id": 1, "partner_id": 7}));
        assert_eq!(record_text("lab_partner", &key, None), "lab_partner (lab 1, partner 7)");
        assert_eq!(crate::domain::names::thousands(1234567), "1,234,567");
        assert_eq!(crate::domain::names::thousands(999), "999");
    }
}
