//! `ipart db check|backup|restore|vacuum`, end to end: each problem `check`
//! exists to find is injected with plain SQL, bypassing ipart, and found.

mod common;

use common::*;
use serde_json::Value;

/// Runs `db check` and returns (exit code, stdout, stderr).
fn check(registry: &Reg) -> (Option<i32>, String, String) {
    let output = registry.ipart(&["db", "check"]).output().unwrap();
    (output.status.code(), stdout_of(&output), stderr_of(&output))
}

fn check_json(registry: &Reg) -> Value {
    let output = registry.ipart(&["db", "check", "--format", "json"]).output().unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The problems one check found, as "record: problem".
fn problems(report: &Value, name: &str) -> Vec<String> {
    let check = report["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
    check["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{}: {}", p["record"].as_str().unwrap(), p["problem"].as_str().unwrap()))
        .collect()
}

#[test]
fn a_whole_registry_passes_every_check() {
    let registry = Reg::demo_in_use();
    let (code, stdout, stderr) = check(&registry);
    assert_eq!(code, Some(0), "{stderr}");
    for name in [
        "integrity",
        "foreign-keys",
        "identity",
        "status-histories",
        "dates",
        "sectors",
        "pseudonyms",
        "lifecycle-order",
    ] {
        let line = stdout.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{name} missing:\n{stdout}"));
        assert!(line.contains(" ok "), "{line}");
    }
    assert_eq!(stderr, format!("registry {}: all 8 checks passed\n", registry.path.display()));
    let report = check_json(&registry);
    assert_eq!(report["ok"], true);
    assert_eq!(report["problems"], 0);
}

#[test]
fn finds_a_status_history_out_of_date_order() {
    let registry = Reg::demo_in_use();
    let conn = registry.conn();
    // A date that is no ISO date sorts out of order: "2023-9-1" > "2023-12-01".
    conn.execute_batch("PRAGMA ignore_check_constraints = ON").unwrap();
    let (row, assignment): (i64, i64) = conn
        .query_row("SELECT id, assignment_id FROM assignment_status ORDER BY id LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    conn.execute("UPDATE assignment_status SET since = '2023-9-1' WHERE id = ?1", [row]).unwrap();
    drop(conn);
    let (code, stdout, stderr) = check(&registry);
    assert_eq!(code, Some(4));
    assert!(stdout.contains("status-histories  1 problem"), "{stdout}");
    assert_eq!(
        problems(&check_json(&registry), "status-histories"),
        [format!(
            "assignment {assignment}: status change {row} is dated '2023-9-1', not a YYYY-MM-DD date, so the history cannot be read in date order"
        )]
    );
    assert!(
        stderr.starts_with(&format!(
            "ipart: registry {} has 2 problems (integrity, status-histories)",
            registry.path.display()
        )),
        "{stderr}"
    );
}

#[test]
fn finds_a_record_whose_history_was_deleted() {
    let registry = Reg::demo_in_use();
    registry.conn().execute("DELETE FROM community_status WHERE community_id = 2", []).unwrap();
    assert_eq!(check(&registry).0, Some(4));
    assert_eq!(
        problems(&check_json(&registry), "status-histories"),
        ["community 2: has no status history, so it exists on no date"]
    );
}

#[test]
fn finds_broken_references_made_with_foreign_keys_off() {
    let registry = Reg::demo_in_use();
    let conn = registry.conn();
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let partner: i64 = conn
        .query_row("SELECT government_partner_id FROM assignment GROUP BY 1 ORDER BY count(*), 1 LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let referring: i64 =
        registry.count(&format!("SELECT count(*) FROM assignment WHERE government_partner_id = {partner}"));
    conn.execute("DELETE FROM lab_partner WHERE partner_id = ?1", [partner]).unwrap();
    conn.execute("DELETE FROM activity_partner WHERE partner_id = ?1", [partner]).unwrap();
    conn.execute("DELETE FROM question WHERE source_partner_id = ?1", [partner]).unwrap();
    conn.execute("DELETE FROM partner WHERE id = ?1", [partner]).unwrap();
    drop(conn);
    assert_eq!(check(&registry).0, Some(4));
    let found = problems(&check_json(&registry), "foreign-keys");
    assert_eq!(found.len() as i64, referring, "{found:?}");
    for p in &found {
        assert!(
            p.ends_with(&format!("government_partner_id refers to partner {partner}, which does not exist")),
            "{p}"
        );
    }
}

#[test]
fn finds_student_pseudonyms_without_their_assignment_batch_or_key() {
    let registry = Reg::demo_in_use();
    let file = registry.dir.path().join("students.csv");
    std::fs::write(
        &file,
        "source,external_id,title,kind,level,theme,government_partner,education_partner,students,status_history,\
         student_ids\n\
         sis,K1,Opdracht K1,internship,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,2,2023-01-10=preparation,a;b\n",
    )
    .unwrap();
    registry.ipart(&["--quiet", "import", "assignments", file.to_str().unwrap()]).assert().success();
    assert_eq!(check(&registry).0, Some(0));
    let assignment = registry.count("SELECT id FROM assignment WHERE external_id = 'K1'");
    let conn = registry.conn();
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    // Outside ipart: the assignment goes without its pseudonyms, another
    // pseudonym names a batch that never was, and the key is lost.
    conn.execute("DELETE FROM assignment_status WHERE assignment_id = ?1", [assignment]).unwrap();
    conn.execute("DELETE FROM assignment WHERE id = ?1", [assignment]).unwrap();
    let other = registry.count("SELECT min(id) FROM assignment");
    conn.execute(
        "INSERT INTO assignment_student (assignment_id, pseudonym, batch_id) VALUES (?1, randomblob(32), 999)",
        [other],
    )
    .unwrap();
    conn.execute("DELETE FROM student_key_check", []).unwrap();
    drop(conn);
    let (code, _, stderr) = check(&registry);
    assert_eq!(code, Some(4), "{stderr}");
    assert_eq!(
        problems(&check_json(&registry), "pseudonyms"),
        [
            format!("assignment {assignment}: 2 student pseudonym(s) linked to it, but it does not exist"),
            format!("assignment {other}: 1 student pseudonym(s) linked by import batch 999, which does not exist"),
            "student_key_check: the registry holds 3 student pseudonym(s) but not the check value of the key they \
             were made with, so students imported from now on would not match them"
                .to_string(),
        ]
    );
    // The foreign-key check lists no rows of a table without rowids (it could not name them).
    assert_eq!(problems(&check_json(&registry), "foreign-keys"), Vec::<String>::new());
}

#[test]
fn finds_an_assignment_whose_level_differs_from_its_education_partner() {
    let registry = Reg::demo_in_use();
    let (assignment, education, name): (i64, i64, String) = registry
        .conn()
        .query_row(
            "SELECT a.id, p.id, p.name FROM assignment a JOIN partner p ON p.id = a.education_partner_id
             WHERE p.level = 'HBO' ORDER BY a.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    // No constraint ties the two levels: plain SQL can set it.
    registry.conn().execute("UPDATE assignment SET level = 'WO' WHERE id = ?1", [assignment]).unwrap();
    assert_eq!(check(&registry).0, Some(4));
    assert_eq!(
        problems(&check_json(&registry), "sectors"),
        [format!(
            "assignment {assignment}: its level is WO but its education partner '{name}' (id {education}) is HBO"
        )]
    );
}

#[test]
fn finds_a_government_partner_that_is_no_longer_one() {
    let registry = Reg::demo_in_use();
    let conn = registry.conn();
    let partner: i64 = conn
        .query_row(
            "SELECT p.government_partner_id FROM phd p
             ORDER BY (SELECT count(*) FROM assignment a WHERE a.government_partner_id = p.government_partner_id), 1
             LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Another tool with foreign keys off (SQLite's default) and the trigger
    // guarding a partner's sector dropped.
    conn.execute_batch("PRAGMA foreign_keys = OFF; DROP TRIGGER partner_sector_in_use").unwrap();
    conn.execute("UPDATE partner SET sector = 'other' WHERE id = ?1", [partner]).unwrap();
    drop(conn);
    let relying = registry.count(&format!(
        "SELECT (SELECT count(*) FROM assignment WHERE government_partner_id = {partner})
              + (SELECT count(*) FROM phd WHERE government_partner_id = {partner})"
    ));
    let report = check_json(&registry);
    let sectors = report["checks"].as_array().unwrap().iter().find(|c| c["name"] == "sectors").unwrap();
    assert_eq!(sectors["count"].as_i64(), Some(relying));
    for p in problems(&report, "sectors") {
        assert!(p.ends_with(&format!("(id {partner}) is other, not government")), "{p}");
    }
    assert_eq!(check(&registry).0, Some(4));
}

#[test]
fn finds_dates_that_end_before_they_start() {
    let registry = Reg::demo_in_use();
    let conn = registry.conn();
    conn.execute_batch("PRAGMA ignore_check_constraints = ON").unwrap();
    let id: i64 = conn.query_row("SELECT min(id) FROM phd", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE phd SET ended_on = '2001-01-01' WHERE id = ?1", [id]).unwrap();
    drop(conn);
    let found = problems(&check_json(&registry), "dates");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with(&format!("phd {id}: ended_on 2001-01-01 is before started_on ")), "{found:?}");
    assert_eq!(check(&registry).0, Some(4));
}

#[test]
fn a_damaged_file_is_reported_without_a_panic() {
    let registry = Reg::demo_in_use();
    let mut bytes = std::fs::read(&registry.path).unwrap();
    let page = 4096;
    // Overwrite the middle pages (tables and indexes), not the header.
    let middle = bytes.len() / 2 / page * page;
    for b in &mut bytes[middle..middle + 4 * page] {
        *b = 0x5a;
    }
    std::fs::write(&registry.path, &bytes).unwrap();
    let (code, _, stderr) = check(&registry);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("problem") || stderr.contains("malformed"), "{stderr}");
}

#[test]
fn backup_makes_a_private_copy_that_passes_check() {
    let registry = Reg::demo_in_use();
    let target = registry.dir.path().join("copy.sqlite");
    let output = registry.ipart(&["db", "backup", target.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).starts_with(&format!(
        "backed up registry {} to {} (",
        registry.path.display(),
        target.display()
    )));
    assert_eq!(mode(&target), 0o600);
    ipart_on(&target, &["db", "check"]).assert().success();
    let copy = rusqlite::Connection::open(&target).unwrap();
    let count: i64 = copy.query_row("SELECT count(*) FROM assignment", [], |r| r.get(0)).unwrap();
    assert_eq!(count, registry.count("SELECT count(*) FROM assignment"));
    drop(copy);
    // Nothing is left beside it but the copy.
    assert_eq!(registry.files(), ["copy.sqlite", "registry.sqlite"]);
}

#[test]
fn backup_refuses_to_overwrite_without_force() {
    let registry = Reg::demo_in_use();
    let target = registry.dir.path().join("copy.sqlite");
    std::fs::write(&target, "an older backup").unwrap();
    let before = snapshot(&target);
    let output = registry.ipart(&["db", "backup", target.to_str().unwrap()]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: {} already exists; it was left untouched (give --force to replace it, or choose another name)\n",
            target.display()
        )
    );
    assert_eq!(snapshot(&target), before);
    registry.ipart(&["db", "backup", target.to_str().unwrap(), "--force"]).assert().success();
    ipart_on(&target, &["db", "check"]).assert().success();

    let output = registry.ipart(&["db", "backup", registry.dir.path().to_str().unwrap()]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("is a directory; give the name of the backup file to write"));
    let output = registry.ipart(&["db", "backup", registry.path.to_str().unwrap(), "--force"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("is the registry itself"));
}

#[test]
fn backup_while_others_write_is_a_consistent_copy() {
    let registry = Reg::demo_in_use();
    let before = registry.count("SELECT count(*) FROM partner");
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = registry.path.clone();
            std::thread::spawn(move || {
                let mut landed = 0;
                for i in 0..8 {
                    let name = format!("Writer {w} partner {i}");
                    if ipart_on(&path, &["--quiet", "partner", "add", &name, "--sector", "other"])
                        .output()
                        .unwrap()
                        .status
                        .success()
                    {
                        landed += 1;
                    }
                }
                landed
            })
        })
        .collect();
    let mut copies = Vec::new();
    for n in 0..3 {
        let target = registry.dir.path().join(format!("copy-{n}.sqlite"));
        registry.ipart(&["--quiet", "db", "backup", target.to_str().unwrap()]).assert().success();
        copies.push(target);
    }
    let landed: i64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    let after = registry.count("SELECT count(*) FROM partner");
    assert_eq!(after, before + landed);
    for copy in copies {
        ipart_on(&copy, &["db", "check"]).assert().success();
        let conn = rusqlite::Connection::open(&copy).unwrap();
        let partners: i64 = conn.query_row("SELECT count(*) FROM partner", [], |r| r.get(0)).unwrap();
        let audited: i64 =
            conn.query_row("SELECT count(*) FROM change WHERE command = 'partner add'", [], |r| r.get(0)).unwrap();
        assert!((before..=after).contains(&partners));
        // Each add and its audit entry are in the copy together, or neither.
        assert_eq!(partners - before, audited);
    }
}

/// A backup of `registry` with one extra partner, to restore later.
fn backup_with_marker(registry: &Reg) -> std::path::PathBuf {
    registry.ipart(&["--quiet", "partner", "add", "In the backup", "--sector", "other"]).assert().success();
    let target = registry.dir.path().join("backup.sqlite");
    registry.ipart(&["--quiet", "db", "backup", target.to_str().unwrap()]).assert().success();
    target
}

#[test]
fn restore_replaces_the_registry_and_keeps_the_one_it_replaced() {
    let registry = Reg::demo_in_use();
    let backup = backup_with_marker(&registry);
    let backup_before = snapshot(&backup);
    registry.ipart(&["--quiet", "partner", "add", "After the backup", "--sector", "other"]).assert().success();
    let output = registry.ipart(&["db", "restore", backup.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    let kept = stderr.trim_end().rsplit("kept at ").next().unwrap().to_string();
    assert!(stderr.starts_with(&format!("restored {} from {}", registry.path.display(), backup.display())));
    assert_eq!(registry.count("SELECT count(*) FROM partner WHERE name = 'In the backup'"), 1);
    assert_eq!(registry.count("SELECT count(*) FROM partner WHERE name = 'After the backup'"), 0);
    assert_eq!(registry.count("SELECT count(*) FROM change WHERE command = 'db restore'"), 1);
    // The replaced registry is kept, whole and private.
    let kept = std::path::PathBuf::from(kept);
    assert_eq!(mode(&kept), 0o600);
    let old = rusqlite::Connection::open(&kept).unwrap();
    let n: i64 =
        old.query_row("SELECT count(*) FROM partner WHERE name = 'After the backup'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    drop(old);
    ipart_on(&kept, &["db", "check"]).assert().success();
    registry.ipart(&["db", "check"]).assert().success();
    assert_eq!(snapshot(&backup), backup_before, "the restored file changed");
    // No temporary file is left behind.
    assert!(registry.files().iter().all(|f| !f.starts_with('.')), "{:?}", registry.files());
}

#[test]
fn restore_refuses_a_file_that_fails_the_checks_and_changes_nothing() {
    let registry = Reg::demo_in_use();
    let backup = backup_with_marker(&registry);
    let conn = rusqlite::Connection::open(&backup).unwrap();
    conn.execute("DELETE FROM lab_status WHERE lab_id = 3", []).unwrap();
    drop(conn);
    let before = snapshot(&registry.path);
    let backup_before = snapshot(&backup);
    let files = registry.files();
    let output = registry.ipart(&["db", "restore", backup.to_str().unwrap()]).output().unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert!(stdout_of(&output).contains("lab 3"), "{}", stdout_of(&output));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: {} fails 1 of the checks; it was not restored and the registry was not changed\n",
            backup.display()
        )
    );
    assert_eq!(snapshot(&registry.path), before);
    assert_eq!(snapshot(&backup), backup_before);
    assert_eq!(registry.files(), files);
}

#[test]
fn restore_refuses_what_is_no_registry_of_this_version() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let newer = dir.join("newer.sqlite");
    registry.ipart(&["--quiet", "db", "backup", newer.to_str().unwrap()]).assert().success();
    rusqlite::Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let junk = dir.join("junk.sqlite");
    std::fs::write(&junk, "not a registry").unwrap();
    let empty = dir.join("empty.sqlite");
    std::fs::write(&empty, "").unwrap();
    let before = snapshot(&registry.path);
    let files = registry.files();
    for (file, reason) in [
        (&newer, "has schema version 99, newer than this ipart understands"),
        (&junk, "is not an ipart registry (not an SQLite database)"),
        (&empty, "is not an ipart registry (an empty file)"),
    ] {
        let output = registry.ipart(&["db", "restore", file.to_str().unwrap()]).output().unwrap();
        assert_eq!(output.status.code(), Some(4), "{}", file.display());
        let stderr = stderr_of(&output);
        assert!(
            stderr
                .starts_with(&format!("ipart: cannot restore from {}; the registry was not changed: ", file.display())),
            "{stderr}"
        );
        assert!(stderr.contains(reason), "{stderr}");
        assert_eq!(snapshot(&registry.path), before);
        assert_eq!(registry.files(), files);
    }
    let output = registry.ipart(&["db", "restore", registry.path.to_str().unwrap()]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("is the registry itself"));
}

#[test]
fn restore_waits_for_no_one_and_refuses_while_the_registry_is_in_use() {
    let registry = Reg::demo_in_use();
    let backup = backup_with_marker(&registry);
    let conn = registry.conn();
    conn.execute_batch("BEGIN; SELECT count(*) FROM partner;").unwrap();
    let before = registry.count("SELECT count(*) FROM partner");
    let output = registry
        .ipart(&["db", "restore", backup.to_str().unwrap()])
        .env("IPART_BUSY_TIMEOUT_MS", "200")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("registry busy"), "{}", stderr_of(&output));
    conn.execute_batch("COMMIT").unwrap();
    drop(conn);
    assert_eq!(registry.count("SELECT count(*) FROM partner"), before);
    assert!(registry.files().iter().all(|f| !f.starts_with('.')), "{:?}", registry.files());
    registry.ipart(&["db", "restore", backup.to_str().unwrap()]).assert().success();
}

#[test]
fn restore_into_a_new_path_creates_the_registry() {
    let registry = Reg::demo_in_use();
    let backup = backup_with_marker(&registry);
    let fresh = registry.dir.path().join("elsewhere").join("new.sqlite");
    let output = ipart_on(&fresh, &["db", "restore", backup.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stderr_of(&output), format!("restored {} from {}\n", fresh.display(), backup.display()));
    assert_eq!(mode(&fresh), 0o600);
    ipart_on(&fresh, &["db", "check"]).assert().success();
}

#[test]
fn vacuum_keeps_every_record() {
    let registry = Reg::demo_in_use();
    let before = registry.count("SELECT count(*) FROM assignment");
    let output = registry.ipart(&["db", "vacuum"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).starts_with(&format!("vacuumed registry {}: ", registry.path.display())));
    assert_eq!(registry.count("SELECT count(*) FROM assignment"), before);
    registry.ipart(&["db", "check"]).assert().success();
}
