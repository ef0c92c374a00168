//! The key of the student pseudonyms lives outside the registry: in a key
//! file of its own (the user's configuration directory, or --key-file /
//! IPART_KEY_FILE), never in the registry or its backups, which keep only
//! a check value. The registry file and a backup alone do not give back a
//! student number; with the key file they do, and imports link and match
//! as before. A registry without its key reports, and refuses imports with
//! student identifiers, saying how to bring the key; a wrong key is
//! refused; `ipart key export` and `ipart key import` move it
//! deliberately; older registries, the copy taken before their upgrade and
//! restored older backups have their key moved out.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const HEADER: &str = "source,external_id,title,kind,level,theme,government_partner,education_partner,lab,students,\
                      starts_on,ends_on,status_history,student_ids";

/// An assignment row of the native format, with `ids` in its student_ids column.
fn row(external_id: &str, history: &str, ids: &str) -> String {
    format!(
        "sis,{external_id},Opdracht {external_id},internship,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,,1,\
         2023-02-01,2023-06-30,{history},\"{ids}\""
    )
}

/// Writes a native assignment file of `rows` to `name` beside the registry.
fn file(registry: &Reg, name: &str, rows: &[String]) -> PathBuf {
    let path = registry.dir.path().join(name);
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path
}

/// The students of the key test: five student numbers out of s1000000 ..= s1000999.
const STUDENTS: [&str; 5] = ["s1000007", "s1000123", "s1000456", "s1000789", "s1000999"];

/// A registry with five assignments in progress, one student each.
fn registry_with_students() -> Reg {
    let registry = Reg::demo_in_use();
    let rows: Vec<String> = STUDENTS
        .iter()
        .enumerate()
        .map(|(i, s)| row(&format!("K{i}"), "2023-01-10=preparation|2023-02-01=in_progress", s))
        .collect();
    let path = file(&registry, "students.csv", &rows);
    registry.ok(&["--quiet", "import", "assignments", path.to_str().unwrap()]);
    registry
}

fn hmac(key: &[u8], id: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(id.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Every 32-byte value stored in any table of the SQLite file at `path`:
/// what someone holding the file would try as the key.
fn blobs_of_32_bytes(path: &Path) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut found = Vec::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                if let rusqlite::types::ValueRef::Blob(b) = row.get_ref(i).unwrap()
                    && b.len() == 32
                {
                    found.push(b.to_vec());
                }
            }
        }
    }
    found
}

/// The pseudonyms of the file at `path`.
fn pseudonyms(path: &Path) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = conn.prepare("SELECT pseudonym FROM assignment_student ORDER BY 1").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

/// The student numbers of s1000000 ..= s1000999 whose pseudonym under one
/// of `keys` is among `pseudonyms`: the attack of trying every number.
fn recovered(keys: &[Vec<u8>], pseudonyms: &[Vec<u8>]) -> Vec<String> {
    let mut found = Vec::new();
    for key in keys {
        for n in 1_000_000..=1_000_999 {
            let id = format!("s{n}");
            if pseudonyms.contains(&hmac(key, &id)) {
                found.push(id);
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file beside the registry (its WAL too, if one is left), but the key files.
fn registry_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_in(dir)
        .into_iter()
        .filter(|name| !name.ends_with(".key"))
        .filter(|name| dir.join(name).is_file())
        .map(|name| (name.clone(), std::fs::read(dir.join(&name)).unwrap()))
        .collect()
}

#[test]
fn the_registry_and_its_backup_alone_do_not_give_back_a_student_number() {
    let registry = registry_with_students();
    let backup = registry.dir.path().join("backup.sqlite");
    registry.ok(&["--quiet", "db", "backup", backup.to_str().unwrap()]);
    let stored = pseudonyms(&registry.path);
    assert_eq!(stored.len(), STUDENTS.len());
    assert_eq!(pseudonyms(&backup), stored);

    // With the files only: every 32-byte value they hold, tried as the key
    // against every student number of the range, gives back none.
    let mut candidates = blobs_of_32_bytes(&registry.path);
    candidates.extend(blobs_of_32_bytes(&backup));
    assert!(candidates.len() > STUDENTS.len(), "the pseudonyms and the check value at least");
    assert_eq!(recovered(&candidates, &stored), Vec::<String>::new());
    // And the key's bytes are nowhere in them, in any table or free page.
    let key = key_of(&registry.path);
    for (name, bytes) in registry_files(registry.dir.path()) {
        assert!(!contains(&bytes, &key), "{name} holds the key");
    }
    assert!(!contains(&std::fs::read(&backup).unwrap(), &key));

    // With the key file, the same attempt gives back every student.
    assert_eq!(mode(&key_file(&registry.path)), 0o600);
    assert_eq!(recovered(&[key.to_vec()], &stored), STUDENTS.to_vec());
    // The backup finds the same key: restored, it needs no other.
    assert_eq!(key_check(&backup), key_check(&registry.path));
}

fn unique_students(registry: &Reg) -> (i64, i64) {
    let report = registry.json(&["report", "--year", "2023"]);
    let s = &report["students"];
    (s["unique_from_identifiers"].as_i64().unwrap(), s["assignments_with_identifiers"].as_i64().unwrap())
}

#[test]
fn with_the_key_file_two_imports_match_the_same_student() {
    let registry = Reg::demo_in_use();
    let first = file(&registry, "one.csv", &[row("M1", "2023-01-10=preparation|2023-02-01=in_progress", "S1234567")]);
    let second = file(&registry, "two.csv", &[row("M2", "2023-01-10=preparation|2023-03-01=completed", " s1234567 ")]);
    registry.ok(&["--quiet", "import", "assignments", first.to_str().unwrap()]);
    assert!(key_file(&registry.path).exists());
    registry.ok(&["--quiet", "import", "assignments", second.to_str().unwrap()]);
    // One student on two assignments, from two imports.
    assert_eq!(unique_students(&registry), (1, 2));
}

#[test]
fn without_its_key_a_registry_reports_but_refuses_imports_with_student_ids() {
    let registry = registry_with_students();
    let key_file = key_file(&registry.path);
    let kept = registry.dir.path().join("kept.key");
    std::fs::rename(&key_file, &kept).unwrap();
    let id = key_file.file_stem().unwrap().to_string_lossy().to_string();

    // The report counts the pseudonyms without the key.
    assert_eq!(unique_students(&registry), (5, 5));
    // An import that would pseudonymise is refused, saying where the key belongs and how to bring it.
    let more = file(&registry, "more.csv", &[row("K9", "2023-01-10=preparation", "s1000500")]);
    let before = snapshot(&registry.path);
    let output = registry.run(&["--quiet", "import", "assignments", more.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: the key of this registry's student pseudonyms (key id {id}) is not at {}; an import with student \
             identifiers needs it: bring it with `ipart key import FILE` from the copy made with `ipart key export`, \
             or name its file with --key-file or IPART_KEY_FILE; nothing was changed\n",
            key_file.display()
        )
    );
    assert_eq!(snapshot(&registry.path), before, "the refused import changed the registry");
    // So is a dry run; an import without identifiers goes ahead.
    assert_eq!(registry.run(&["import", "assignments", more.to_str().unwrap(), "--dry-run"]).status.code(), Some(4));
    let plain = registry.dir.path().join("plain.csv");
    std::fs::write(&plain, "name,sector\nZonder Sleutel BV,other\n").unwrap();
    registry.ok(&["--quiet", "import", "partners", plain.to_str().unwrap()]);
    // `key show` says so, and exits 4.
    let output = registry.run(&["key", "show", "--format", "json"]);
    assert_eq!(output.status.code(), Some(4));
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown["state"], "missing");
    assert_eq!(shown["key_id"], id.as_str());
    assert_eq!(shown["key_file"], key_file.display().to_string());
    assert_eq!(shown["pseudonyms"], 5);

    // Brought back, the key works again.
    let out = registry.run(&["key", "import", kept.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        format!(
            "put the key of the student pseudonyms (key id {id}) at {}: imports with student identifiers work again\n",
            key_file.display()
        )
    );
    assert_eq!(mode(&key_file), 0o600);
    registry.ok(&["--quiet", "import", "assignments", more.to_str().unwrap()]);
    assert_eq!(unique_students(&registry).0, 5, "K9 is in preparation: not counted as helped");
    assert_eq!(pseudonyms(&registry.path).len(), 6);
    assert_eq!(registry.json(&["key", "show"])["state"], "present");
}

#[test]
fn a_wrong_key_is_refused() {
    let (one, two) = (registry_with_students(), registry_with_students());
    let (one_key, two_key) = (key_file(&one.path), key_file(&two.path));
    let id = |p: &Path| p.file_stem().unwrap().to_string_lossy().to_string();
    let more = file(&two, "more.csv", &[row("K9", "2023-01-10=preparation", "s1000500")]);

    // Named with --key-file, another registry's key is refused at once.
    let before = snapshot(&two.path);
    let output =
        two.run(&["--quiet", "--key-file", one_key.to_str().unwrap(), "import", "assignments", more.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: {} holds the key with id {}, not the key of this registry (id {}); name the right file with \
             --key-file or IPART_KEY_FILE, or bring a copy with `ipart key import FILE`; nothing was changed\n",
            one_key.display(),
            id(&one_key),
            id(&two_key)
        )
    );
    // So it is through the environment.
    let output = two.ipart(&["import", "assignments", more.to_str().unwrap()]).env("IPART_KEY_FILE", &one_key).output();
    assert_eq!(output.unwrap().status.code(), Some(4));
    assert_eq!(snapshot(&two.path), before);

    // `key import` checks the key before it puts it anywhere.
    let output = two.run(&["key", "import", one_key.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: {} holds the key with id {}, not the key of this registry (id {}); nothing was changed\n",
            one_key.display(),
            id(&one_key),
            id(&two_key)
        )
    );
    // A damaged copy and a file that is no key file are refused with the line.
    let damaged = two.dir.path().join("damaged.key");
    let text = std::fs::read_to_string(&two_key).unwrap();
    let key_line = text.lines().find(|l| l.starts_with("key ")).unwrap();
    let flipped = format!("key {}{}", if &key_line[4..5] == "0" { "1" } else { "0" }, &key_line[5..]);
    std::fs::write(&damaged, text.replace(key_line, &flipped)).unwrap();
    let output = two.run(&["key", "import", damaged.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr_of(&output).contains("the key does not match the check value written beside it"));
    let output = two.run(&["key", "import", more.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr_of(&output).starts_with(&format!("ipart: {}:1: this is not a key file;", more.display())),
        "{}",
        stderr_of(&output)
    );
    // Nothing was changed: the right key is still in place and works.
    two.ok(&["--quiet", "import", "assignments", more.to_str().unwrap()]);
}

#[test]
fn key_export_and_import_move_the_key_deliberately() {
    let registry = Reg::demo_in_use();
    // No key yet: nothing to export.
    let copy = registry.dir.path().join("copy.key");
    let output = registry.run(&["key", "export", copy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(
        stderr_of(&output),
        "ipart: this registry has no key for student pseudonyms yet: the first import with student identifiers \
         makes one\n"
    );
    assert_eq!(registry.json(&["key", "show"])["state"], "none");

    let registry = registry_with_students();
    let key = key_of(&registry.path);
    let output = registry.run(&["key", "export", copy.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(mode(&copy), 0o600);
    let text = std::fs::read_to_string(&copy).unwrap();
    assert_eq!(ipart::store::key::Key::from_file_text(&text, "copy").unwrap().bytes(), &key);
    // The exported file is the key file, word for word.
    assert_eq!(text, std::fs::read_to_string(key_file(&registry.path)).unwrap());
    // Never over an existing file without --force.
    let output = registry.run(&["key", "export", copy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    registry.ok(&["--quiet", "key", "export", copy.to_str().unwrap(), "--force"]);

    // On another computer (another configuration directory), the key is brought in.
    let elsewhere = tempfile::tempdir().unwrap();
    let on_other = |args: &[&str]| registry.ipart(args).env("XDG_CONFIG_HOME", elsewhere.path()).output().unwrap();
    let more = file(&registry, "more.csv", &[row("K9", "2023-01-10=preparation", "s1000007")]);
    assert_eq!(on_other(&["import", "assignments", more.to_str().unwrap()]).status.code(), Some(4));
    let output = on_other(&["key", "import", copy.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let placed = elsewhere.path().join("ipart/keys").join(key_file(&registry.path).file_name().unwrap());
    assert_eq!(std::fs::read_to_string(&placed).unwrap(), text);
    assert_eq!(mode(&placed), 0o600);
    let output = on_other(&["key", "import", copy.to_str().unwrap()]);
    assert!(stderr_of(&output).ends_with("nothing was changed\n"), "{}", stderr_of(&output));
    // The student of K0 is matched on K9: the same pseudonym.
    let output = on_other(&["import", "assignments", more.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let conn = registry.conn();
    let shared: i64 = conn
        .query_row(
            "SELECT count(DISTINCT pseudonym) FROM assignment_student s JOIN assignment a ON a.id = s.assignment_id
             WHERE a.external_id IN ('K0', 'K9')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(shared, 1);
}

#[test]
fn a_key_file_named_by_flag_holds_one_registry_key() {
    let (one, two) = (Reg::demo_in_use(), Reg::demo_in_use());
    let key_path = one.dir.path().join("keys").join("registry.key");
    let ids = file(&one, "ids.csv", &[row("F1", "2023-01-10=preparation", "s1000001")]);
    one.ok(&["--quiet", "--key-file", key_path.to_str().unwrap(), "import", "assignments", ids.to_str().unwrap()]);
    assert_eq!(mode(&key_path), 0o600);
    assert!(!key_file(&one.path).exists(), "the key went to the file named, not the key directory");
    // Another registry's first key never replaces it.
    let before = snapshot(&two.path);
    let output = two.run(&["--key-file", key_path.to_str().unwrap(), "import", "assignments", ids.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr_of(&output).contains("already holds another key"), "{}", stderr_of(&output));
    assert_eq!(snapshot(&two.path), before);
    assert_eq!(key_check(&two.path), None);
}

#[test]
fn a_dry_run_and_the_demo_registry_leave_no_key_file() {
    let registry = Reg::demo_in_use();
    let config = tempfile::tempdir().unwrap();
    let ids = file(&registry, "ids.csv", &[row("D1", "2023-01-10=preparation", "s1000001")]);
    let run = |args: &[&str]| registry.ipart(args).env("XDG_CONFIG_HOME", config.path()).output().unwrap();
    let output = run(&["import", "assignments", ids.to_str().unwrap(), "--dry-run"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let output = run(&["--demo", "import", "assignments", ids.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(!config.path().join("ipart").exists(), "a key file was written");
    assert_eq!(key_check(&registry.path), None);
}

/// The v6 fixture: the demo data, an import with student identifiers (batch
/// 13: two assignments of source `sis`, three pseudonyms) and its key,
/// inside the registry as schema 6 kept it.
fn v6_copy() -> (tempfile::TempDir, PathBuf, [u8; 32]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/registries/v6-demo.sqlite"), &path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let key: Vec<u8> =
        conn.query_row("SELECT value FROM registry_secret WHERE name = 'student_id_key'", [], |r| r.get(0)).unwrap();
    (dir, path, key.try_into().unwrap())
}

#[test]
fn an_older_registry_has_its_key_moved_out_when_opened() {
    let (dir, path, key) = v6_copy();
    assert!(contains(&std::fs::read(&path).unwrap(), &key), "the fixture holds its key");
    let before = pseudonyms(&path);
    assert_eq!(before.len(), 3);

    let output = ipart_on(&path, &["--quiet", "report", "--year", "2023", "--format", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let id = ipart::store::key::Key::from_bytes(key).id();
    let moved_to = key_dir().join(format!("{id}.key"));
    // Said on stderr, even with --quiet: the key must be looked after from now on.
    assert!(
        stderr_of(&output).contains(&format!(
            "ipart: the key of the student pseudonyms of registry {} (key id {id}) was moved out of the registry to {}",
            path.display(),
            moved_to.display()
        )),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(key_of(&path), key);
    assert_eq!(mode(&moved_to), 0o600);
    // The key's bytes are in no file of the directory: not the registry (nor a WAL), nor the copy
    // taken before the upgrade.
    let files = registry_files(dir.path());
    assert!(files.iter().any(|(name, _)| name == "registry.sqlite.v6.backup"), "{:?}", files_in(dir.path()));
    for (name, bytes) in &files {
        assert!(!contains(bytes, &key), "{name} still holds the key");
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["students"]["assignments_with_identifiers"], 2);
    assert_eq!(pseudonyms(&path), before);
    // In the audit trail.
    let log = ipart_on(&path, &["log", "--format", "json", "--limit", "5"]).output().unwrap();
    assert!(String::from_utf8_lossy(&log.stdout).contains("key move"), "{}", stdout_of(&log));

    // The moved key is the one imports use: the README's example again links nothing new.
    let readme_file = dir.path().join("sis-2023.csv");
    std::fs::write(
        &readme_file,
        format!(
            "{HEADER}\nsis,S-101,Datagedreven toezicht,internship,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,,2,\
             2023-02-01,2023-06-30,2023-01-10=preparation|2023-02-01=in_progress,s1234567;s7654321\n"
        ),
    )
    .unwrap();
    let output = ipart_on(&path, &["import", "assignments", readme_file.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(!stderr_of(&output).contains("pseudonym"), "new pseudonyms were linked: {}", stderr_of(&output));
    assert_eq!(pseudonyms(&path), before);
    ipart_on(&path, &["db", "check"]).assert().success();
    // Opened again, nothing more is said or moved.
    let output = ipart_on(&path, &["partner", "list"]).output().unwrap();
    assert!(!stderr_of(&output).contains("key"), "{}", stderr_of(&output));
}

#[test]
fn a_restored_older_backup_has_its_key_moved_out_too() {
    let (_old, old_backup, key) = v6_copy();
    let registry = Reg::demo_in_use();
    let output = registry.run(&["db", "restore", old_backup.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    let id = ipart::store::key::Key::from_bytes(key).id();
    assert!(stderr.contains(&format!("(key id {id}) was moved out of the registry to")), "{stderr}");
    assert!(
        stderr.contains(&format!("warning: {} still holds the key of the student pseudonyms", old_backup.display())),
        "{stderr}"
    );
    assert_eq!(key_of(&registry.path), key);
    for (name, bytes) in registry_files(registry.dir.path()) {
        assert!(!contains(&bytes, &key), "{name} holds the key");
    }
    // The backup given is left as it was.
    assert!(contains(&std::fs::read(&old_backup).unwrap(), &key));
    ipart_on(&registry.path, &["db", "check"]).assert().success();
    // A backup of the restored registry holds no key either.
    let backup = registry.dir.path().join("after.sqlite");
    let output = registry.run(&["db", "backup", backup.to_str().unwrap()]);
    assert!(stderr_of(&output).contains("the backup holds no key of the student pseudonyms"), "{}", stderr_of(&output));
    assert!(!contains(&std::fs::read(&backup).unwrap(), &key));
}
