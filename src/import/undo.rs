//! `ipart import undo`: reverting one batch exactly. It refuses, saying
//! why, when later changes build on the batch. A batch imported since the
//! registry keeps every version of its rows is undone by taking its
//! revision back (`store::undo`, as `ipart undo` does). One imported before
//! is reverted from the audit trail: the assignments it added go (they
//! carry its id); every audit entry it wrote is reverted, newest first:
//! records it added are removed, records it changed get their old values
//! back, status changes it appended are taken out.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;

use super::mapping::kind_from_name;
use crate::domain::Date;
use crate::error::{Error, Result};
use crate::native::build::{Built, history_table};
use crate::native::{Catalog, Kind, record};
use crate::store::Writer;
use crate::store::audit::Change;
use crate::store::undo::{self, Action};
use crate::store::{batch, student};

/// What an undo did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Undone {
    pub batch: i64,
    pub removed: usize,
    pub restored: usize,
    pub status_changes: usize,
    /// Student pseudonyms the batch had linked to assignments, removed.
    pub student_links: usize,
}

/// Reverts `id`, in the caller's transaction.
pub fn undo(w: &Writer, id: i64, today: Date) -> Result<Undone> {
    let b = batch::get(w, id)?;
    if let Some(at) = &b.undone_at {
        return Err(Error::invalid(format!(
            "import batch {id} was already undone at {at} by {}",
            b.undone_by.as_deref().unwrap_or("?")
        ))
        .into());
    }
    let later = batch::later_changes(w, id)?;
    if !later.is_empty() {
        let lines: Vec<String> = later
            .iter()
            .map(|d| {
                format!(
                    "  change {} at {} by {} ({}): {} {}",
                    d.change_id, d.at, d.actor, d.command, d.entity, d.entity_id
                )
            })
            .collect();
        return Err(Error::invalid(format!(
            "import batch {id} cannot be undone: later changes build on records it added or changed:\n{}\nundo or revert those first (see `ipart log` and `ipart import log`)",
            lines.join("\n")
        ))
        .into());
    }
    let questions = batch::questions_on_batch_assignments(w, id)?;
    if questions > 0 {
        return Err(Error::invalid(format!(
            "import batch {id} cannot be undone: {questions} question(s) name assignments it added as what took them up; change those first"
        ))
        .into());
    }
    let linking = student::later_links(w, id)?;
    if !linking.is_empty() {
        let list: Vec<String> = linking.iter().map(i64::to_string).collect();
        return Err(Error::invalid(format!(
            "import batch {id} cannot be undone: later import batch(es) {} linked student pseudonyms to assignments it added; undo those first",
            list.join(", ")
        ))
        .into());
    }
    match batch::revision_of(w, id)? {
        Some(revision) if revision >= undo::history_start(w)? => {
            return by_revision(w, id, revision);
        }
        _ => {}
    }
    let open = w.begin_undo(id)?;
    let removed_runs = batch::added_assignment_runs(w, id)?;
    // First the pseudonyms the batch linked: to assignments it added they
    // would go with them, but it may have linked some to older ones too.
    let student_links = student::unlink_batch(w, id)?;
    let mut undone =
        Undone { batch: id, removed: batch::delete_batch_assignments(w, id)?, student_links, ..Undone::default() };
    let changes = batch::changes_newest_first(w, id)?;
    let added: HashSet<(String, i64)> =
        changes.iter().filter(|c| c.action == "insert").map(|c| (c.entity.clone(), c.entity_id)).collect();
    for change in &changes {
        let refused = |e: anyhow::Error| {
            Error::invalid(format!("import batch {id} cannot be undone: {}", crate::error::classify(&e).1))
        };
        if let Some(owner) = change.entity.strip_suffix("_status") {
            let owner_id = owner_id(change, owner);
            // A record the batch added takes its history with it.
            if added.contains(&(owner.to_string(), owner_id)) {
                continue;
            }
            let Some(table) = kind_from_name(owner).and_then(history_table) else { continue };
            batch::revert_status_change(w, table, change.entity_id, change.old.as_ref()).map_err(refused)?;
            undone.status_changes += 1;
            continue;
        }
        let Some(kind) = kind_from_name(&change.entity) else { continue };
        match change.action.as_str() {
            "insert" if remove(w, kind, change).map_err(refused)? => undone.removed += 1,
            "update" => {
                restore(w, kind, change, today).map_err(refused)?;
                undone.restored += 1;
            }
            _ => {}
        }
    }
    w.finish_undo(open, &removed_runs)?;
    if let Some(revision) = batch::revision_of(w, id)? {
        undo::record_undoes(w, revision)?;
    }
    Ok(undone)
}

/// Undoes a batch made since the registry keeps every version of its rows:
/// its revision is taken back exactly (see `store::undo`), after the checks
/// above have named what stands in the way in the terms of imports.
fn by_revision(w: &Writer, id: i64, revision: i64) -> Result<Undone> {
    let target = undo::target(w, revision)?;
    let done = undo::take_back(w, &target).map_err(|e| {
        let (code, message) = crate::error::classify(&e);
        let refused = format!("{} cannot be undone", target.name());
        match code {
            crate::error::ExitCode::Invalid if message.starts_with(&refused) => {
                Error::invalid(message.replacen(&refused, &format!("import batch {id} cannot be undone"), 1)).into()
            }
            _ => e,
        }
    })?;
    Ok(Undone {
        batch: id,
        removed: done.records(Action::Remove),
        restored: done.records(Action::ChangeBack) + done.records(Action::Restore),
        status_changes: done.status_changes,
        student_links: done.rows("assignment_student", Action::Remove),
    })
}

fn owner_id(change: &Change, owner: &str) -> i64 {
    let key = format!("{owner}_id");
    change.new.as_ref().or(change.old.as_ref()).and_then(|v| v.get(&key)).and_then(Value::as_i64).unwrap_or(0)
}

/// Removes a record the batch added; false when it is gone already.
fn remove(w: &Writer, kind: Kind, change: &Change) -> Result<bool> {
    if !batch::exists(w, kind.name(), change.entity_id)? {
        return Ok(false);
    }
    let stored = match kind {
        Kind::Metric => built(kind, change.new.as_ref())?,
        _ => record::stored(w, kind, change.entity_id)?,
    };
    stored.delete(w)?;
    Ok(true)
}

/// Puts back the values a record had before the batch changed it.
fn restore(w: &Writer, kind: Kind, change: &Change, today: Date) -> Result<()> {
    let old = built(kind, change.old.as_ref())?;
    let current = match kind {
        Kind::Metric => built(kind, change.new.as_ref())?,
        _ => record::stored(w, kind, change.entity_id)?,
    };
    // Loaded per record: a restored name must be checked against the
    // registry as it is now, after the records restored before it.
    let cat = Catalog::load(w, kind, today)?;
    old.with_id(change.entity_id).update(w, &cat, &current)
}

/// A record from its audited JSON.
fn built(kind: Kind, json: Option<&Value>) -> Result<Built> {
    let json = json.cloned().ok_or_else(|| anyhow::anyhow!("the audit trail lacks a {} record", kind.name()))?;
    use serde_json::from_value as from;
    Ok(match kind {
        Kind::Theme => Built::Theme(from(json)?),
        Kind::Partner => Built::Partner(from(json)?),
        Kind::Lab => Built::Lab(from(json)?, Vec::new()),
        Kind::Community => Built::Community(from(json)?, Vec::new()),
        Kind::Assignment => Built::Assignment(from(json)?, Vec::new()),
        Kind::Phd => Built::Phd(from(json)?),
        Kind::Activity => Built::Activity(from(json)?),
        Kind::Curriculum => Built::Curriculum(from(json)?, Vec::new()),
        Kind::Chair => Built::Chair(from(json)?, Vec::new()),
        Kind::Question => Built::Question(from(json)?),
        Kind::Metric => Built::Metric(from(json)?),
    })
}
