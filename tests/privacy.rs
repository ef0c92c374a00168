//! Privacy: the registry and every copy ipart makes of it are readable by
//! their owner only, and the README says what personal data it holds.
//! (Copies: tests/db.rs for backups and restores, tests/migrations.rs and
//! store::tests for the copy taken before an upgrade.)
//!
//! Student identifiers, stored only as a keyed hash, arrive with `ipart
//! import` (issue 5, part 2).

mod common;

use common::*;

#[test]
fn a_new_registry_is_readable_by_its_owner_only() {
    let registry = Reg::empty();
    assert_eq!(mode(&registry.path), 0o600);
    let nested = registry.dir.path().join("new").join("dir").join("r.sqlite");
    ipart_on(&nested, &["--quiet", "init", "--demo"]).assert().success();
    assert_eq!(mode(&nested), 0o600);
}

#[test]
fn the_files_sqlite_keeps_beside_it_are_private_too() {
    let registry = Reg::demo_in_use();
    // While a connection is open, SQLite keeps the -wal and -shm files; it
    // gives them the registry's own permissions.
    let conn = registry.conn();
    conn.execute_batch("BEGIN; SELECT count(*) FROM partner;").unwrap();
    registry.ipart(&["--quiet", "partner", "add", "While open", "--sector", "other"]).assert().success();
    for side in ["registry.sqlite-wal", "registry.sqlite-shm"] {
        let path = registry.dir.path().join(side);
        assert!(path.exists(), "{side} missing");
        assert_eq!(mode(&path), 0o600, "{side}");
    }
    conn.execute_batch("COMMIT").unwrap();
}

#[test]
fn check_warns_when_others_can_read_the_registry() {
    let registry = Reg::demo_in_use();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&registry.path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = registry.ipart(&["db", "check"]).output().unwrap();
    assert!(output.status.success());
    let path = registry.path.display();
    assert!(
        stderr_of(&output).contains(&format!(
            "ipart: warning: {path} can be read by other users (mode 644); `chmod 600 {path}` keeps it to its owner"
        )),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn no_student_names_are_kept() {
    // The figures need counts: no table has a column for a person's name.
    let registry = Reg::empty();
    let conn = registry.conn();
    let mut stmt = conn
        .prepare(
            "SELECT m.name || '.' || c.name FROM sqlite_schema m JOIN pragma_table_info(m.name) c
             WHERE m.type = 'table' AND (c.name LIKE '%student%' OR c.name LIKE '%person%' OR c.name LIKE '%email%'
                   OR c.name LIKE '%birth%' OR c.name IN ('first_name', 'last_name', 'surname'))",
        )
        .unwrap();
    let columns: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    // `assignment.students` is a count.
    assert_eq!(columns, ["assignment.students"]);
    let kind: String = conn
        .query_row("SELECT type FROM pragma_table_info('assignment') WHERE name = 'students'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kind, "INTEGER");
}

#[test]
fn the_readme_says_what_is_guaranteed_and_what_personal_data_is_kept() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("<!-- section: reliability -->").expect("the reliability section marker");
    let section = &readme[start..];
    let section = &section[..section[1..].find("<!-- section:").map_or(section.len(), |i| i + 1)];
    for needed in ["## Reliability", "db check", "db backup", "db restore", "0600", "Personal data", "keyed hash"] {
        assert!(section.contains(needed), "the reliability section does not mention {needed:?}");
    }
}
