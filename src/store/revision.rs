//! What the registry knew, and when.
//!
//! Every write transaction is a revision (`revision`: when, who, which
//! command). Every row of a versioned table carries the revision that wrote
//! it (`known_from`), and triggers keep each earlier version of a row in the
//! table's `_retired` twin with the revision that replaced or removed it
//! (`known_until`); see `migrations/0007_revisions.sql`. The registry as it
//! was known after revision K is therefore the rows with `known_from <= K`
//! and the retired versions with `known_from <= K < known_until`:
//! [`as_known_after`] builds that registry in memory, so that every reader
//! (the report above all) works on it unchanged.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// The tables whose rows carry `known_from` and have a `_retired` twin.
pub const VERSIONED: &[&str] = &[
    "theme",
    "theme_alias",
    "partner",
    "partner_alias",
    "lab",
    "lab_region",
    "lab_partner",
    "lab_theme",
    "lab_status",
    "assignment",
    "assignment_status",
    "assignment_student",
    "community",
    "community_status",
    "phd",
    "activity",
    "activity_partner",
    "curriculum",
    "curriculum_partner",
    "curriculum_status",
    "chair",
    "chair_partner",
    "chair_status",
    "question",
    "metric_name",
    "metric",
];

/// One revision: a write transaction of ipart.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Revision {
    pub id: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub actor: String,
    pub command: String,
}

/// The last revision made at or before `moment` (UTC, RFC 3339, to the
/// second, as revisions record it); `None` when the registry had learned
/// nothing yet.
pub fn last_at_or_before(conn: &Connection, moment: jiff::Timestamp) -> Result<Option<Revision>> {
    let at = moment.round(jiff::Unit::Second).unwrap_or(moment).to_string();
    Ok(conn
        .query_row(
            "SELECT id, at, actor, command FROM revision WHERE at <= ?1 ORDER BY at DESC, id DESC LIMIT 1",
            [at],
            |r| Ok(Revision { id: r.get(0)?, at: r.get(1)?, actor: r.get(2)?, command: r.get(3)? }),
        )
        .optional()?)
}

/// The newest revision, if any.
pub fn latest(conn: &Connection) -> Result<Option<Revision>> {
    Ok(conn
        .query_row("SELECT id, at, actor, command FROM revision ORDER BY id DESC LIMIT 1", [], |r| {
            Ok(Revision { id: r.get(0)?, at: r.get(1)?, actor: r.get(2)?, command: r.get(3)? })
        })
        .optional()?)
}

/// A copy of the registry, in memory, as it was known after `revision`:
/// what later revisions added is gone, what they changed or removed is back
/// as it was. Nothing is written to the registry itself. The copy is for
/// reading (its triggers are dropped).
pub fn as_known_after(conn: &Connection, revision: i64) -> Result<Connection> {
    let mut copy = Connection::open_in_memory()?;
    super::backup_into(conn, &mut copy)?;
    // Rows come back in table order, parents not always first.
    copy.pragma_update(None, "foreign_keys", false)?;
    let tx = copy.transaction()?;
    let triggers: Vec<String> = tx
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%\\_retire\\_%' ESCAPE '\\'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for name in triggers {
        tx.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
    }
    for table in VERSIONED {
        let columns: Vec<String> = tx
            .prepare("SELECT name FROM pragma_table_info(?1) WHERE name <> 'known_until' ORDER BY cid")?
            .query_map([format!("{table}_retired")], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let columns = columns.join(", ");
        tx.execute(&format!("DELETE FROM {table} WHERE known_from > ?1"), [revision])?;
        tx.execute(
            &format!(
                "INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_retired
                 WHERE known_from <= ?1 AND known_until > ?1"
            ),
            [revision],
        )?;
    }
    // The bookkeeping as it stood then too: later audit entries, imports
    // and revisions were not there yet, nor later undos of earlier imports.
    let at: Option<String> =
        tx.query_row("SELECT at FROM revision WHERE id = ?1", [revision], |r| r.get(0)).optional()?;
    tx.execute("DELETE FROM change WHERE revision_id > ?1", [revision])?;
    tx.execute("DELETE FROM import_batch WHERE revision_id > ?1", [revision])?;
    tx.execute(
        "UPDATE import_batch SET undone_at = NULL, undone_by = NULL WHERE undone_at > ?1",
        params![at.unwrap_or_default()],
    )?;
    tx.execute("DELETE FROM revision WHERE id > ?1", [revision])?;
    tx.commit()?;
    Ok(copy)
}

/// How the assignments existing on a day differ between two views of the
/// registry (two moments of knowledge).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct AssignmentChanges {
    /// Existing on the day in the later view only: learned since, or dated
    /// into the period since.
    pub added: i64,
    /// Existing on the day in the earlier view only: removed since, or dated
    /// out of the period since.
    pub removed: i64,
    /// In both, with another status on the day.
    pub status_changed: i64,
    /// In both with the same status, but another kind, level, theme,
    /// partner, lab or number of students.
    pub details_changed: i64,
}

/// Compares the assignments existing on `day` in `earlier` and `later`,
/// reading both in id order side by side (memory stays flat).
pub fn assignment_changes(
    earlier: &Connection,
    later: &Connection,
    day: crate::domain::Date,
) -> Result<AssignmentChanges> {
    const STATES: &str = "SELECT a.id, s.status, a.kind, a.level, a.theme_id, a.government_partner_id,
               a.education_partner_id, a.lab_id, a.students
        FROM assignment a
        JOIN assignment_status s ON s.assignment_id = a.id
         AND s.since = (SELECT max(since) FROM assignment_status WHERE assignment_id = a.id AND since <= ?1)
        ORDER BY a.id";
    type State = (i64, String, [Option<String>; 7]);
    fn state(r: &rusqlite::Row) -> rusqlite::Result<State> {
        let text = |i: usize| -> rusqlite::Result<Option<String>> {
            Ok(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => None,
                rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
                rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                other => Some(format!("{other:?}")),
            })
        };
        Ok((r.get(0)?, r.get(1)?, [text(2)?, text(3)?, text(4)?, text(5)?, text(6)?, text(7)?, text(8)?]))
    }
    let day = day.to_string();
    let mut before_stmt = earlier.prepare(STATES)?;
    let mut after_stmt = later.prepare(STATES)?;
    let mut before = before_stmt.query_map([&day], state)?;
    let mut after = after_stmt.query_map([&day], state)?;
    let mut changes = AssignmentChanges::default();
    let (mut b, mut a) = (before.next().transpose()?, after.next().transpose()?);
    loop {
        match (&b, &a) {
            (None, None) => break,
            (Some(_), None) => {
                changes.removed += 1;
                b = before.next().transpose()?;
            }
            (None, Some(_)) => {
                changes.added += 1;
                a = after.next().transpose()?;
            }
            (Some(x), Some(y)) if x.0 < y.0 => {
                changes.removed += 1;
                b = before.next().transpose()?;
            }
            (Some(x), Some(y)) if x.0 > y.0 => {
                changes.added += 1;
                a = after.next().transpose()?;
            }
            (Some(x), Some(y)) => {
                if x.1 != y.1 {
                    changes.status_changed += 1;
                } else if x.2 != y.2 {
                    changes.details_changed += 1;
                }
                b = before.next().transpose()?;
                a = after.next().transpose()?;
            }
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Registry;

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn demo() -> Registry {
        let mut registry = Registry::create_in_memory().unwrap();
        crate::demo::load(&mut registry).unwrap();
        registry
    }

    #[test]
    fn every_row_ipart_writes_names_its_revision() {
        let registry = demo();
        let conn = registry.conn();
        for table in VERSIONED {
            // Only what a new registry holds before any command: the
            // built-in themes, their aliases and the built-in figure names.
            let unknown = count(conn, &format!("SELECT count(*) FROM {table} WHERE known_from = 0"));
            let built_in = match *table {
                "theme" => 6,
                "theme_alias" => 13,
                "metric_name" => 3,
                _ => 0,
            };
            assert_eq!(unknown, built_in, "{table}");
            let later =
                count(conn, &format!("SELECT count(*) FROM {table} WHERE known_from > (SELECT max(id) FROM revision)"));
            assert_eq!(later, 0, "{table}");
        }
        assert_eq!(count(conn, "SELECT count(*) FROM change WHERE revision_id IS NULL"), 0);
    }

    #[test]
    fn a_change_keeps_the_version_before_it_and_a_removal_the_last_one() {
        let mut registry = demo();
        let before = latest(registry.conn()).unwrap().unwrap().id;
        let edit = registry
            .write("test edit", |w| {
                w.execute("UPDATE partner SET region = 'west' WHERE id = 1 AND region IS NOT 'west'", [])?;
                w.execute("UPDATE partner SET short_name = 'X1' WHERE id = 1", [])?;
                Ok(w.revision())
            })
            .unwrap();
        let conn = registry.conn();
        // Two updates in one revision: one earlier version, the one before it.
        assert_eq!(count(conn, "SELECT count(*) FROM partner_retired WHERE id = 1"), 1);
        assert_eq!(count(conn, "SELECT known_until FROM partner_retired WHERE id = 1"), edit);
        assert_eq!(count(conn, "SELECT known_from FROM partner WHERE id = 1"), edit);
        let removal = registry
            .write("test remove", |w| {
                w.execute("DELETE FROM metric WHERE name = 'linkedin-followers' AND year = 2023", [])?;
                Ok(w.revision())
            })
            .unwrap();
        let conn = registry.conn();
        assert_eq!(count(conn, &format!("SELECT count(*) FROM metric_retired WHERE known_until = {removal}")), 1);
        // An update that changes nothing keeps nothing.
        registry.write("test same", |w| Ok(w.execute("UPDATE lab SET name = name", [])?)).unwrap();
        assert_eq!(count(registry.conn(), "SELECT count(*) FROM lab_retired"), 0);

        // As known after the demo load: the partner as it was, the figure back.
        let then = as_known_after(registry.conn(), before).unwrap();
        assert_eq!(count(&then, "SELECT count(*) FROM partner WHERE id = 1 AND short_name = 'X1'"), 0);
        assert_eq!(
            count(&then, "SELECT count(*) FROM partner"),
            count(registry.conn(), "SELECT count(*) FROM partner")
        );
        assert_eq!(count(&then, "SELECT count(*) FROM metric WHERE name = 'linkedin-followers' AND year = 2023"), 1);
        assert_eq!(count(&then, &format!("SELECT count(*) FROM revision WHERE id > {before}")), 0);
        // As known after the edit: the edit, not the removal.
        let after_edit = as_known_after(registry.conn(), edit).unwrap();
        assert_eq!(count(&after_edit, "SELECT count(*) FROM partner WHERE id = 1 AND short_name = 'X1'"), 1);
        assert_eq!(
            count(&after_edit, "SELECT count(*) FROM metric WHERE name = 'linkedin-followers' AND year = 2023"),
            1
        );
    }

    #[test]
    fn a_row_added_and_removed_in_one_revision_leaves_nothing() {
        let mut registry = demo();
        registry
            .write("test", |w| {
                w.execute("INSERT INTO community (name, known_from) VALUES ('Kort', ?1)", [w.revision()])?;
                w.execute("DELETE FROM community WHERE name = 'Kort'", [])?;
                Ok(())
            })
            .unwrap();
        assert_eq!(count(registry.conn(), "SELECT count(*) FROM community_retired"), 0);
    }

    #[test]
    fn the_revision_of_a_moment() {
        let registry = demo();
        let conn = registry.conn();
        let latest = latest(conn).unwrap().unwrap();
        let at: jiff::Timestamp = latest.at.parse().unwrap();
        assert_eq!(last_at_or_before(conn, at).unwrap().map(|r| r.id), Some(latest.id));
        let before = at.checked_sub(jiff::SignedDuration::from_hours(24 * 365 * 30)).unwrap();
        assert_eq!(last_at_or_before(conn, before).unwrap(), None);
    }
}
