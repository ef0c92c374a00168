//! Status histories: assignments, labs, communities, curricula and chairs
//! each keep a table of (status, since) changes. The status on a date is the
//! last change on or before it; nothing stores the "current" status.

use rusqlite::{Connection, params};

use super::Writer;
use crate::domain::history::first_out_of_order;
use crate::domain::{Date, Lifecycle, StatusChange, Vocabulary};
use crate::error::{Error, Result};

/// Which history table belongs to which record table.
#[derive(Debug, Clone, Copy)]
pub struct HistoryTable {
    /// The record table ("assignment").
    pub owner: &'static str,
    /// The history table ("assignment_status").
    pub table: &'static str,
    /// Its column referring to the record ("assignment_id").
    pub owner_column: &'static str,
}

pub const ASSIGNMENT: HistoryTable =
    HistoryTable { owner: "assignment", table: "assignment_status", owner_column: "assignment_id" };
pub const LAB: HistoryTable = HistoryTable { owner: "lab", table: "lab_status", owner_column: "lab_id" };
pub const COMMUNITY: HistoryTable =
    HistoryTable { owner: "community", table: "community_status", owner_column: "community_id" };
pub const CURRICULUM: HistoryTable =
    HistoryTable { owner: "curriculum", table: "curriculum_status", owner_column: "curriculum_id" };
pub const CHAIR: HistoryTable = HistoryTable { owner: "chair", table: "chair_status", owner_column: "chair_id" };

/// The history of one record, oldest first.
pub fn load<S: Vocabulary>(conn: &Connection, t: HistoryTable, id: i64) -> Result<Vec<StatusChange<S>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT since, status FROM {} WHERE {} = ?1 ORDER BY since",
        t.table, t.owner_column
    ))?;
    let rows = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (since, status) = row?;
        out.push(StatusChange { since: parse_stored_date(&since)?, status: S::parse(&status)? });
    }
    Ok(out)
}

/// Why a history out of lifecycle order is refused, and the flag that says
/// the order is meant.
pub fn refusal<S: Lifecycle>(wrong: &crate::domain::history::OutOfOrder<S>, flag: &str) -> String {
    format!("{}; check the dates, or give {flag} if this order is meant", wrong.describe())
}

/// Records that the record took `status` on `since`. A change already on that
/// day is replaced: a history holds one status per day. Returns false when
/// the history already says exactly this (nothing changed).
pub fn set<S: Vocabulary + serde::Serialize>(
    w: &Writer,
    t: HistoryTable,
    id: i64,
    change: StatusChange<S>,
) -> Result<bool> {
    // Cached statements: an import or the demo load runs these per record.
    let existing: Option<(i64, String)> = super::optional(
        w.prepare_cached(&format!("SELECT id, status FROM {} WHERE {} = ?1 AND since = ?2", t.table, t.owner_column))?
            .query_row(params![id, change.since.to_string()], |r| Ok((r.get(0)?, r.get(1)?))),
    )?;
    let new = audited(t, id, change.since, &change.status);
    match existing {
        Some((_, status)) if status == change.status.code() => Ok(false),
        Some((row_id, status)) => {
            w.execute(
                &format!("UPDATE {} SET status = ?1 WHERE id = ?2", t.table),
                params![change.status.code(), row_id],
            )?;
            let old = audited(t, id, change.since, &status);
            w.audit(t.table, row_id, Some(&old), Some(&new))?;
            Ok(true)
        }
        None => {
            let row_id = next_id(w, t)?;
            insert_statement(w, t)?.execute(params![row_id, id, change.status.code(), change.since.to_string()])?;
            w.audit(t.table, row_id, None, Some(&new))?;
            Ok(true)
        }
    }
}

/// What a status change typed on the command line did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<S> {
    /// A new change was recorded.
    Added,
    /// The change on the same day, to `was`, was replaced (`--replace`).
    Replaced { was: S },
    /// The status in force on that day already was this one, since `since`:
    /// nothing was recorded.
    AlreadySo { since: Date },
}

/// Records a status change asked for by a person: a status already in
/// force on that day changes nothing (it would only repeat itself), and a
/// change already recorded on that day is replaced only when `replace` says
/// so: otherwise the refusal names both. A change that would put the
/// history out of its lifecycle order (completed before in preparation) is
/// refused unless `any_order` says the order is meant.
pub fn change<S: Lifecycle + serde::Serialize>(
    w: &Writer,
    t: HistoryTable,
    id: i64,
    change: StatusChange<S>,
    replace: bool,
    any_order: bool,
) -> Result<Outcome<S>> {
    let stored = load::<S>(w, t, id)?;
    let same_day = stored.iter().find(|c| c.since == change.since).copied();
    match (crate::domain::status_on(&stored, change.since), same_day) {
        (Some(now), _) if now.status == change.status => return Ok(Outcome::AlreadySo { since: now.since }),
        (_, Some(existing)) if !replace => {
            return Err(Error::invalid(format!(
                "{} {id} already has a status change on {}, to {}; give --replace to replace it with {}, or choose another --on (nothing was changed)",
                t.owner,
                change.since,
                existing.status.name_en(),
                change.status.name_en()
            ))
            .into());
        }
        _ => {}
    }
    if !any_order {
        let mut after: Vec<StatusChange<S>> = stored.iter().filter(|c| c.since != change.since).copied().collect();
        after.push(change);
        after.sort_by_key(|c| c.since);
        if let Some(wrong) = first_out_of_order(&after, |i| after[i].since == change.since) {
            return Err(Error::invalid(format!(
                "{} {id}: {} (nothing was changed)",
                t.owner,
                refusal(&wrong, "--any-order")
            ))
            .into());
        }
    }
    set(w, t, id, change)?;
    Ok(match same_day {
        Some(existing) => Outcome::Replaced { was: existing.status },
        None => Outcome::Added,
    })
}

/// Removes the change on `since`; refuses to remove the only one, since a
/// record without history would not exist on any date.
pub fn remove(w: &Writer, t: HistoryTable, id: i64, since: Date) -> Result<()> {
    let rows: Vec<(i64, String, String)> = {
        let mut stmt = w.prepare(&format!(
            "SELECT id, since, status FROM {} WHERE {} = ?1 ORDER BY since",
            t.table, t.owner_column
        ))?;
        stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?
    };
    let Some((row_id, _, status)) = rows.iter().find(|(_, s, _)| *s == since.to_string()) else {
        let dates: Vec<&str> = rows.iter().map(|(_, s, _)| s.as_str()).collect();
        return Err(Error::invalid(format!(
            "{} {id} has no status change on {since} (its changes are on {})",
            t.owner,
            dates.join(", ")
        ))
        .into());
    };
    if rows.len() == 1 {
        return Err(Error::invalid(format!(
            "{since} is the only status of {} {id}; a record needs at least one (remove the {} instead)",
            t.owner, t.owner
        ))
        .into());
    }
    w.execute(&format!("DELETE FROM {} WHERE id = ?1", t.table), [row_id])?;
    let old = serde_json::json!({ t.owner_column: id, "since": since, "status": status });
    w.audit(t.table, *row_id, Some(&old), None)?;
    Ok(())
}

/// Removes the whole history of a record that is being removed, each change
/// audited so the trail shows what was lost.
pub fn remove_all(w: &Writer, t: HistoryTable, id: i64) -> Result<()> {
    let rows: Vec<(i64, String, String)> = {
        let mut stmt =
            w.prepare(&format!("SELECT id, since, status FROM {} WHERE {} = ?1", t.table, t.owner_column))?;
        stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?
    };
    for (row_id, since, status) in rows {
        w.execute(&format!("DELETE FROM {} WHERE id = ?1", t.table), [row_id])?;
        let old = serde_json::json!({ t.owner_column: id, "since": since, "status": status });
        w.audit(t.table, row_id, Some(&old), None)?;
    }
    Ok(())
}

/// Writes a whole history for a new record.
pub fn insert_all<S: Vocabulary + serde::Serialize>(
    w: &Writer,
    t: HistoryTable,
    id: i64,
    history: &[StatusChange<S>],
) -> Result<()> {
    // A new record has no history yet: with its dates in order, one per day,
    // each change is a plain insert numbered after the largest id, without
    // the look-up `set` makes (the demo load writes ~1600 of these). Any
    // other list goes through `set`, which replaces a change on the same day.
    if !history.windows(2).all(|pair| pair[0].since < pair[1].since) {
        for change in history {
            set(w, t, id, *change)?;
        }
        return Ok(());
    }
    let first = next_id(w, t)?;
    let mut insert = insert_statement(w, t)?;
    for (row_id, change) in (first..).zip(history) {
        insert.execute(params![row_id, id, change.status.code(), change.since.to_string()])?;
        w.audit(t.table, row_id, None, Some(&audited(t, id, change.since, &change.status)))?;
    }
    Ok(())
}

/// The id of a new status change. It is named on insert: assignment_status
/// has no rowid to give one (schema step 5); the largest plus one is what
/// SQLite gave.
fn next_id(w: &Writer, t: HistoryTable) -> Result<i64> {
    let sql = format!("SELECT coalesce(max(id), 0) + 1 FROM {}", t.table);
    Ok(w.prepare_cached(&sql)?.query_row([], |r| r.get(0))?)
}

/// Inserts one change: (id, owner, status, since).
fn insert_statement<'w>(w: &'w Writer, t: HistoryTable) -> Result<rusqlite::CachedStatement<'w>> {
    let sql = format!(
        "INSERT INTO {} (id, {}, status, since, known_from) VALUES (?1, ?2, ?3, ?4, {})",
        t.table,
        t.owner_column,
        w.revision()
    );
    Ok(w.prepare_cached(&sql)?)
}

/// A status change as the audit trail keeps it.
fn audited(t: HistoryTable, id: i64, since: Date, status: &impl serde::Serialize) -> serde_json::Value {
    serde_json::json!({ t.owner_column: id, "since": since, "status": status })
}

/// `DATE=status|DATE=status`: the native-file form of a history.
pub fn format_native<S: Vocabulary>(history: &[StatusChange<S>]) -> String {
    history.iter().map(|c| format!("{}={}", c.since, c.status.code())).collect::<Vec<_>>().join("|")
}

/// Parses the native-file form; dates must increase strictly.
pub fn parse_native<S: Vocabulary>(text: &str) -> Result<Vec<StatusChange<S>>, Error> {
    let mut out: Vec<StatusChange<S>> = Vec::new();
    for entry in text.split('|').map(str::trim).filter(|e| !e.is_empty()) {
        let (date, status) = entry.split_once('=').ok_or_else(|| {
            Error::invalid(format!(
                "{entry:?} is not a status change (expected DATE=status, such as 2023-09-01=completed)"
            ))
        })?;
        let change = StatusChange { since: crate::domain::parse_date(date)?, status: S::parse(status)? };
        if let Some(last) = out.last()
            && last.since >= change.since
        {
            return Err(Error::invalid(format!(
                "status changes must be in date order, one per day: {} follows {}",
                change.since, last.since
            )));
        }
        out.push(change);
    }
    Ok(out)
}

/// Dates in the registry are valid by construction (CHECK constraints); a
/// failure here means the file was damaged.
pub fn parse_stored_date(s: &str) -> Result<Date> {
    s.parse::<Date>().map_err(|_| {
        Error::registry(format!("the registry holds {s:?} where a date belongs; run `ipart db check`")).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AssignmentStatus;

    #[test]
    fn native_history_round_trips_and_refuses_disorder() {
        let text = "2023-01-10=preparation|2023-03-01=in_progress|2023-07-01=completed";
        let h = parse_native::<AssignmentStatus>(text).unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(format_native(&h), text);
        assert!(parse_native::<AssignmentStatus>("2023-03-01=preparation|2023-01-01=completed").is_err());
        assert!(parse_native::<AssignmentStatus>("2023-03-01 preparation").is_err());
        assert!(parse_native::<AssignmentStatus>("2023-03-01=busy").is_err());
    }
}
