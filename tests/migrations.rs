//! Registries made by earlier schema versions (fixtures/registries/, one
//! file per released version, see make.sh there) open with this binary,
//! upgraded in one transaction after a copy is taken, with every record
//! kept; newer registries and files that are no registry are refused and
//! left exactly as they were.
//!
//! The tests read the fixtures present and the version this binary writes,
//! so they hold unchanged when a migration is added: a v1 registry must
//! still upgrade then. (That an upgrade failing half-way leaves the file
//! as it was is tested in `store::tests` with a step made to fail.)

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use rusqlite::types::Value;

/// Columns a later migration rewrites on purpose: (table, column). An entry
/// here needs the migration's reason beside it. None yet.
const REWRITTEN_BY_MIGRATIONS: &[(&str, &str)] = &[];

/// The one row an upgrade takes out on purpose: the key of the student
/// pseudonyms (`registry_secret`, schema 4 to 7) moves to a key file of its
/// own (schema step 8), and the registry keeps only its check value. Takes
/// the key out of `tables` and returns it.
fn take_key(tables: &mut Tables) -> Option<[u8; 32]> {
    let secrets = tables.get_mut("registry_secret")?;
    let (&rowid, _) = secrets.iter().find(|(_, row)| row["name"] == Value::Text("student_id_key".into()))?;
    match secrets.remove(&rowid).unwrap().remove("value") {
        Some(Value::Blob(key)) => Some(key.try_into().unwrap()),
        other => panic!("a key of another kind: {other:?}"),
    }
}

/// Every table's rows, all columns, by rowid (by id in a WITHOUT ROWID table).
type Tables = BTreeMap<String, BTreeMap<i64, BTreeMap<String, Value>>>;

fn tables(path: &Path) -> Tables {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Tables::new();
    for table in names {
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
            .unwrap()
            .query_map([&table], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        // A table WITHOUT ROWID (assignment_status since step 5) keeps its rows by id where it has one,
        // so that a row is compared with itself across the upgrade; otherwise it is numbered in the
        // order of its primary key (assignment_student).
        let order = common::row_order(&conn, &table);
        let key = if order == "rowid" {
            "rowid".to_string()
        } else if columns.iter().any(|c| c == "id") {
            "id".to_string()
        } else {
            format!("row_number() OVER (ORDER BY {order})")
        };
        let mut stmt = conn.prepare(&format!("SELECT {key}, {list} FROM \"{table}\" ORDER BY {order}")).unwrap();
        let rows = stmt
            .query_map([], |r| {
                let mut row = BTreeMap::new();
                for (i, c) in columns.iter().enumerate() {
                    row.insert(c.clone(), r.get::<_, Value>(i + 1)?);
                }
                Ok((r.get::<_, i64>(0)?, row))
            })
            .unwrap()
            .collect::<Result<BTreeMap<_, _>, _>>()
            .unwrap();
        out.insert(table, rows);
    }
    out
}

fn pragma(path: &Path, name: &str) -> i32 {
    rusqlite::Connection::open(path).unwrap().pragma_query_value(None, name, |r| r.get(0)).unwrap()
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/registries");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sqlite"))
        .collect();
    found.sort();
    found
}

/// Every record of `before` is in `after` with the same values in the
/// columns it had; only the audit trail may have grown (by the upgrade).
fn assert_kept(before: &Tables, after: &Tables, fixture: &Path) {
    for (table, rows) in before {
        let now = after.get(table).unwrap_or_else(|| panic!("{}: table {table} is gone", fixture.display()));
        if table == "change" {
            assert!(now.len() >= rows.len(), "{}: audit entries were lost", fixture.display());
        } else {
            assert_eq!(now.len(), rows.len(), "{}: {table} has a different number of rows", fixture.display());
        }
        for (rowid, row) in rows {
            let kept = now.get(rowid).unwrap_or_else(|| panic!("{}: {table} row {rowid} is gone", fixture.display()));
            for (column, value) in row {
                if REWRITTEN_BY_MIGRATIONS.contains(&(table.as_str(), column.as_str())) {
                    continue;
                }
                assert_eq!(kept.get(column), Some(value), "{}: {table} row {rowid} column {column}", fixture.display());
            }
        }
    }
}

#[test]
fn there_is_a_fixture_for_each_released_schema_version() {
    // Versions 1, 3, 5 and 6 were released (landed); 2 and 4 only ever existed between them.
    let versions: Vec<i32> = fixtures().iter().map(|f| pragma(f, "user_version")).collect();
    assert!([1, 3, 5, 6].iter().all(|v| versions.contains(v)), "{versions:?}");
}

#[test]
fn an_import_made_before_an_upgrade_can_still_be_undone() {
    let fixture = fixtures().into_iter().find(|f| pragma(f, "user_version") == 3).expect("the v3 fixture");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    std::fs::copy(&fixture, &path).unwrap();
    let count = |path: &Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("SELECT count(*) FROM assignment WHERE source = 'rijksstageportaal'", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count(&path), 6);
    // Batch 13 imported the stage portal's six vacancies with schema version 3.
    let output = ipart_on(&path, &["import", "undo", "13"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(count(&path), 0);
    ipart_on(&path, &["db", "check"]).assert().success();
    // The other batch is still there, and a later import of the same file adds it again.
    let output = ipart_on(
        &path,
        &[
            "import",
            "assignments",
            &format!("{}/fixtures/import/rijksstageportaal/vacatures-2023.tsv", env!("CARGO_MANIFEST_DIR")),
            "--map",
            &format!("{}/fixtures/import/rijksstageportaal/rijksstageportaal.toml", env!("CARGO_MANIFEST_DIR")),
        ],
    )
    .output()
    .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(count(&path), 6);
    ipart_on(&path, &["db", "check"]).assert().success();
}

#[test]
fn every_fixture_opens_upgraded_with_every_record_kept() {
    let current = ipart::store::SCHEMA_VERSION;
    for fixture in fixtures() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        std::fs::copy(&fixture, &path).unwrap();
        let version = pragma(&path, "user_version");
        let before = tables(&path);
        let mut before_without_key = before.clone();
        let key = take_key(&mut before_without_key);
        assert!(before["partner"].len() > 50 && before["assignment"].len() > 500, "{}", fixture.display());

        let output = ipart_on(&path, &["partner", "list", "--format", "json"]).output().unwrap();
        assert!(output.status.success(), "{}: {}", fixture.display(), stderr_of(&output));
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), before["partner"].len());

        assert_eq!(pragma(&path, "user_version"), current, "{}", fixture.display());
        assert_eq!(pragma(&path, "application_id"), ipart::store::APPLICATION_ID);
        let after = tables(&path);
        assert_kept(&before_without_key, &after, &fixture);
        if let Some(key) = key {
            // The key is in its key file, and only its check value in the registry and the copy.
            let key = ipart::store::key::Key::from_bytes(key);
            let file = key_dir().join(format!("{}.key", key.id()));
            let kept = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert_eq!(ipart::store::key::Key::from_file_text(&kept, "key file").unwrap(), key);
            assert_eq!(after["registry_secret"].len(), 0, "{}: the key is still in the registry", fixture.display());
            assert_eq!(after["student_key_check"][&1]["value"], Value::Blob(key.check().to_vec()));
            assert!(
                stderr_of(&output).contains(&format!("was moved out of the registry to {}", file.display())),
                "{}",
                stderr_of(&output)
            );
        }
        let backup = dir.path().join(format!("registry.sqlite.v{version}.backup"));
        if version < current {
            assert!(
                stderr_of(&output).contains(&format!(
                    "upgraded registry {} from schema version {version} to {current}",
                    path.display()
                )),
                "{}",
                stderr_of(&output)
            );
            // The copy was taken before anything changed: it holds the old file's records, at the old
            // version, but for the key, which left it too (its check value in its place).
            assert_eq!(pragma(&backup, "user_version"), version);
            let mut copy = tables(&backup);
            if let Some(key) = key {
                let secrets = copy.get_mut("registry_secret").unwrap();
                let (&rowid, row) = secrets.iter().next().expect("the check value in the copy");
                assert_eq!(row["name"], Value::Text("student_key_check".into()));
                let check = ipart::store::key::Key::from_bytes(key).check().to_vec();
                assert_eq!(row["value"], Value::Blob(check));
                secrets.remove(&rowid);
                assert!(secrets.is_empty());
            }
            assert_eq!(copy, before_without_key, "{}: the backup differs from the old file", fixture.display());
            assert_eq!(mode(&backup), 0o600);
            let upgrades = after["change"].values().filter(|row| row["command"] == Value::Text("upgrade".into()));
            assert_eq!(upgrades.count(), 1, "{}: the upgrade is not in the audit trail", fixture.display());
        } else {
            assert!(!backup.exists(), "nothing to upgrade, yet a copy was taken");
            assert_eq!(after, before);
        }
        ipart_on(&path, &["db", "check"]).assert().success();
    }
}

/// A registry file made by a newer ipart (a higher schema version).
fn newer_registry() -> Reg {
    let registry = Reg::demo_in_use();
    registry.conn().pragma_update(None, "user_version", ipart::store::SCHEMA_VERSION + 1).unwrap();
    registry
}

#[test]
fn a_newer_registry_is_refused_and_left_byte_for_byte() {
    let registry = newer_registry();
    let files = registry.files();
    let before = snapshot(&registry.path);
    let newer = ipart::store::SCHEMA_VERSION + 1;
    for args in [&["partner", "add", "X", "--sector", "other"][..], &["partner", "list"], &["db", "check"]] {
        let output = registry.ipart(args).output().unwrap();
        assert_eq!(output.status.code(), Some(4), "{args:?}");
        assert_eq!(
            stderr_of(&output),
            format!(
                "ipart: registry {} has schema version {newer}, newer than this ipart understands (up to {}); use a newer ipart (the registry was left untouched)\n",
                registry.path.display(),
                ipart::store::SCHEMA_VERSION
            )
        );
        assert_eq!(snapshot(&registry.path), before, "{args:?} changed the file");
        assert_eq!(registry.files(), files, "{args:?} left files behind");
    }
}

/// Files that are not an ipart registry, and what ipart calls them.
fn foreign_files(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let text = dir.join("notes.sqlite");
    std::fs::write(&text, "This is not a database, just some notes.\n".repeat(200)).unwrap();
    let junk = dir.join("junk.sqlite");
    std::fs::write(&junk, (0..8192u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect::<Vec<u8>>()).unwrap();
    let empty = dir.join("empty.sqlite");
    std::fs::write(&empty, "").unwrap();
    let other = dir.join("other.sqlite");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada');").unwrap();
    drop(conn);
    let other_wal = dir.join("other-wal.sqlite");
    let conn = rusqlite::Connection::open(&other_wal).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    drop(conn);
    vec![
        (text, "not an SQLite database"),
        (junk, "not an SQLite database"),
        (empty, "an empty file"),
        (other, "an SQLite database of another program"),
        (other_wal, "an SQLite database of another program"),
    ]
}

#[test]
fn files_that_are_no_ipart_registry_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let cases = foreign_files(dir.path());
    let files = files_in(dir.path());
    for (path, what) in cases {
        let before = snapshot(&path);
        for args in [&["partner", "add", "X", "--sector", "other"][..], &["partner", "list"], &["db", "vacuum"]] {
            let output = ipart_on(&path, args).output().unwrap();
            assert_eq!(output.status.code(), Some(4), "{} {args:?}", path.display());
            assert_eq!(
                stderr_of(&output),
                format!("ipart: {} is not an ipart registry ({what}); it was left untouched\n", path.display())
            );
            assert_eq!(snapshot(&path), before, "{} {args:?} changed the file", path.display());
            assert_eq!(files_in(dir.path()), files, "{args:?} left files behind");
        }
    }
}

#[test]
fn init_never_overwrites_a_file() {
    let dir = tempfile::tempdir().unwrap();
    for (path, _) in foreign_files(dir.path()) {
        let before = snapshot(&path);
        let output = ipart_on(&path, &["init"]).output().unwrap();
        assert_eq!(output.status.code(), Some(4));
        assert!(stderr_of(&output).contains("already exists; ipart init never overwrites a registry"));
        assert_eq!(snapshot(&path), before);
    }
}

/// The revision of the audit entry about `entity` `id` made by `command`.
fn revision_of(conn: &rusqlite::Connection, command: &str, entity: &str, id: i64) -> i64 {
    conn.query_row(
        "SELECT revision_id FROM change WHERE command = ?1 AND entity = ?2 AND entity_id = ?3",
        rusqlite::params![command, entity, id],
        |r| r.get(0),
    )
    .unwrap_or_else(|e| panic!("no {command} entry for {entity} {id}: {e}"))
}

fn one<T: rusqlite::types::FromSql>(conn: &rusqlite::Connection, sql: &str) -> T {
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn an_upgrade_knows_from_the_audit_trail_what_was_known_when() {
    // v6-edits.sqlite: the demo registry, then (by the ipart of schema 6) DUO
    // (partner 45) given a short name and another region, assignment 5 four
    // students and a status that was removed again, LinkedIn 2023 set to
    // 1750, lab 1 without Politie and with the region west, a community and
    // a partner added and removed (see fixtures/registries/make.sh).
    let fixture = fixtures().into_iter().find(|f| f.ends_with("v6-edits.sqlite")).expect("the v6-edits fixture");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    std::fs::copy(&fixture, &path).unwrap();
    ipart_on(&path, &["db", "check"]).assert().success();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let init: i64 = one(&conn, "SELECT max(revision_id) FROM change WHERE command = 'init --demo'");
    let edit = revision_of(&conn, "partner edit", "partner", 45);
    let assignment_edit = revision_of(&conn, "assignment edit", "assignment", 5);
    let community_add = revision_of(&conn, "community add", "community", 5);
    let partner_add = revision_of(&conn, "partner add", "partner", 102);
    assert!(init < edit && edit < assignment_edit && assignment_edit < community_add && community_add < partner_add);

    // Today's rows are known from the revision that last wrote them.
    assert_eq!(one::<i64>(&conn, "SELECT known_from FROM partner WHERE id = 45"), edit);
    assert_eq!(one::<i64>(&conn, "SELECT known_from FROM assignment WHERE id = 5"), assignment_edit);
    assert!(one::<i64>(&conn, "SELECT max(known_from) FROM partner WHERE id <> 45") <= init);
    // A lab region added by the edit is known from it, the others from before.
    let lab_edit = revision_of(&conn, "lab edit", "lab", 1);
    assert_eq!(one::<i64>(&conn, "SELECT known_from FROM lab_region WHERE lab_id = 1 AND region = 'west'"), lab_edit);
    assert!(one::<i64>(&conn, "SELECT known_from FROM lab_region WHERE lab_id = 1 AND region = 'midden'") <= init);

    // As known after the demo load: every edit undone, the removed records not there yet.
    let then = ipart::store::revision::as_known_after(&conn, init).unwrap();
    assert_eq!(one::<Option<String>>(&then, "SELECT short_name FROM partner WHERE id = 45"), None);
    assert_eq!(one::<i64>(&then, "SELECT students FROM assignment WHERE id = 5"), 1);
    assert_eq!(one::<f64>(&then, "SELECT value FROM metric WHERE name = 'linkedin-followers' AND year = 2023"), 1700.0);
    assert_eq!(one::<i64>(&then, "SELECT count(*) FROM community WHERE id = 5"), 0);
    assert_eq!(one::<i64>(&then, "SELECT count(*) FROM lab_region WHERE lab_id = 1 AND region = 'west'"), 0);
    // Now: the edits, and neither removed record.
    assert_eq!(one::<String>(&conn, "SELECT short_name FROM partner WHERE id = 45"), "DUO-IB");
    assert_eq!(one::<f64>(&conn, "SELECT value FROM metric WHERE name = 'linkedin-followers' AND year = 2023"), 1750.0);
    assert_eq!(one::<i64>(&conn, "SELECT count(*) FROM partner WHERE id = 102"), 0);

    // Known in between: the community with its status, the partner, the
    // status change that was removed later.
    let with_community = ipart::store::revision::as_known_after(&conn, community_add).unwrap();
    assert_eq!(one::<i64>(&with_community, "SELECT count(*) FROM community_status WHERE community_id = 5"), 1);
    assert_eq!(
        one::<i64>(
            &with_community,
            "SELECT count(*) FROM assignment_status WHERE assignment_id = 5 AND since = '2024-01-10'"
        ),
        1
    );
    let with_partner = ipart::store::revision::as_known_after(&conn, partner_add).unwrap();
    assert_eq!(one::<String>(&with_partner, "SELECT name FROM partner WHERE id = 102"), "Tijdelijke Dienst");
    assert_eq!(one::<i64>(&with_partner, "SELECT count(*) FROM community WHERE id = 5"), 0);
}
