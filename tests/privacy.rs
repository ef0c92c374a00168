//! Privacy: the registry and every copy ipart makes of it are readable by
//! their owner only, student identifiers are kept only as keyed hashes
//! (pseudonyms) that never leave the registry, and the README says what
//! personal data it holds. (Copies: tests/db.rs for backups and restores,
//! tests/migrations.rs and store::tests for the copy taken before an
//! upgrade. The key of the pseudonyms, kept outside the registry:
//! tests/key.rs.)

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
                   OR c.name LIKE '%birth%' OR c.name IN ('first_name', 'last_name', 'surname'))
             ORDER BY 1",
        )
        .unwrap();
    let columns: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    // Counts: students on an assignment (and on its earlier versions, kept
    // for reports as known on an earlier day), pseudonyms an import linked.
    assert_eq!(columns, ["assignment.students", "assignment_retired.students", "import_batch.students_linked"]);
    for (table, column) in
        [("assignment", "students"), ("assignment_retired", "students"), ("import_batch", "students_linked")]
    {
        let kind: String = conn
            .query_row("SELECT type FROM pragma_table_info(?1) WHERE name = ?2", [table, column], |r| r.get(0))
            .unwrap();
        assert_eq!(kind, "INTEGER", "{table}.{column}");
    }
    // The one table about students (and its earlier versions) holds
    // pseudonyms (32-byte keyed hashes), no text column where an identifier
    // could be kept.
    for (table, extra) in [("assignment_student", None), ("assignment_student_retired", Some("known_until"))] {
        let mut stmt =
            conn.prepare(&format!("SELECT name, type FROM pragma_table_info('{table}') ORDER BY cid")).unwrap();
        let student_columns: Vec<(String, String)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap();
        let mut expected = vec![
            ("assignment_id", "INTEGER"),
            ("pseudonym", "BLOB"),
            ("batch_id", "INTEGER"),
            ("known_from", "INTEGER"),
        ];
        expected.extend(extra.map(|e| (e, "INTEGER")));
        let expected: Vec<(String, String)> = expected.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        assert_eq!(student_columns, expected, "{table}");
    }
}

// ---------------------------------------------------------------- student identifiers

const HEADER: &str = "source,external_id,title,kind,level,theme,government_partner,education_partner,lab,students,\
                      starts_on,ends_on,status_history,student_ids";

/// An assignment row of the native format, with `ids` in its student_ids column.
fn row(external_id: &str, history: &str, ids: &str) -> String {
    format!(
        "sis,{external_id},Opdracht {external_id},internship,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,,2,\
         2023-02-01,2023-06-30,{history},\"{ids}\""
    )
}

/// Clear student identifiers used below: none may be found anywhere.
const CLEAR_IDS: [&str; 4] = ["s1234567", "s7654321", "s5550001", "jan.jansen@student.example.nl"];

/// Three assignments: two in progress on 2023-12-31 sharing a student (given
/// as `S1234567` and ` s1234567`), one still in preparation with a student
/// of its own.
fn students_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("students.csv");
    let lines = [
        HEADER.to_string(),
        row("P1", "2023-01-10=preparation|2023-02-01=in_progress", "S1234567; s7654321"),
        row("P2", "2023-01-10=preparation|2023-03-01=completed", " s1234567 | jan.jansen@student.example.nl"),
        row("P3", "2023-01-10=preparation", "s5550001"),
    ];
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Every file beside the registry, as bytes, with the registry's WAL.
fn all_bytes(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    files_in(dir).into_iter().map(|name| (name.clone(), std::fs::read(dir.join(&name)).unwrap())).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

fn assert_no_clear_ids(what: &str, bytes: &[u8]) {
    for id in CLEAR_IDS {
        assert!(!contains(bytes, id.as_bytes()), "{what} holds the student identifier {id:?}");
    }
}

fn pseudonyms(registry: &Reg) -> Vec<(i64, Vec<u8>)> {
    let conn = registry.conn();
    let mut stmt = conn.prepare("SELECT assignment_id, pseudonym FROM assignment_student ORDER BY 1, 2").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

fn students_figures(registry: &Reg) -> (i64, i64, i64, i64) {
    let report = registry.json(&["report", "--year", "2023"]);
    let s = &report["students"];
    let get = |k: &str| s[k].as_i64().unwrap_or_else(|| panic!("students.{k} missing: {s}"));
    (get("helped"), get("unique_from_identifiers"), get("assignments_with_identifiers"), get("assignments_helped"))
}

#[test]
fn student_identifiers_are_kept_only_as_keyed_hashes() {
    let registry = Reg::demo_in_use();
    let file = students_file(registry.dir.path());
    let output = registry.ipart(&["import", "assignments", file.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("linked 5 student pseudonym(s)"), "{}", stderr_of(&output));
    assert_no_clear_ids("the import's output", &output.stdout);
    assert_no_clear_ids("the import's messages", &output.stderr);

    let stored = pseudonyms(&registry);
    // P1: two students; P2: two (one shared with P1); P3: one.
    assert_eq!(stored.len(), 5, "{stored:?}");
    assert!(stored.iter().all(|(_, p)| p.len() == 32), "a pseudonym is not 32 bytes");
    let by_assignment = |external_id: &str| -> Vec<Vec<u8>> {
        let id = registry.count(&format!("SELECT id FROM assignment WHERE external_id = '{external_id}'"));
        stored.iter().filter(|(a, _)| *a == id).map(|(_, p)| p.clone()).collect()
    };
    let (p1, p2) = (by_assignment("P1"), by_assignment("P2"));
    // "S1234567" and " s1234567 " are one student once normalised.
    assert_eq!(p1.iter().filter(|p| p2.contains(p)).count(), 1, "one student is on both P1 and P2");
    // The key is not in the registry: only its check value, and the key in its key file (0600).
    assert_eq!(registry.count("SELECT count(*) FROM registry_secret"), 0);
    assert_eq!(registry.count("SELECT count(*) FROM student_key_check WHERE length(value) = 32"), 1);
    assert_eq!(mode(&key_file(&registry.path)), 0o600);

    // Not in the file, its WAL, or anything beside it; the key is never printed.
    for (name, bytes) in all_bytes(registry.dir.path()) {
        if name != "students.csv" {
            assert_no_clear_ids(&name, &bytes);
        }
    }
    let key = key_of(&registry.path);
    let key_hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    for args in [&["log", "--limit", "1000", "--format", "json"][..], &["import", "log", "--format", "json"]] {
        let out = registry.ok(args);
        assert_no_clear_ids(&format!("ipart {args:?}"), out.as_bytes());
        assert!(!out.contains(&key_hex), "ipart {args:?} shows the key");
    }
    // The registry passes every check, the pseudonyms one included.
    registry.ok(&["db", "check"]);
}

#[test]
fn the_report_counts_each_student_once_and_says_how_many_assignments_had_identifiers() {
    let registry = Reg::demo_in_use();
    let (helped_before, unique_before, with_before, assignments_before) = students_figures(&registry);
    // None yet: zero, not an error.
    assert_eq!((unique_before, with_before), (0, 0));
    let file = students_file(registry.dir.path());
    registry.ok(&["--quiet", "import", "assignments", file.to_str().unwrap()]);
    let (helped, unique, with, assignments) = students_figures(&registry);
    // P1 and P2 count as helped (2 students each); P3 is in preparation.
    assert_eq!(helped, helped_before + 4);
    assert_eq!(assignments, assignments_before + 2);
    // s1234567 (on both), s7654321 and jan.jansen: three students; P3's is not helped.
    assert_eq!(unique, 3);
    assert_eq!(with, 2);
    // Every format shows it, in both languages.
    let csv = registry.ok(&["report", "--year", "2023", "--format", "csv"]);
    assert!(csv.contains("students,unique_from_identifiers,,3,"), "{csv}");
    assert!(csv.contains("students,assignments_with_identifiers,,2,"), "{csv}");
    let table = registry.ok(&["report", "--year", "2023"]);
    let line = table.lines().find(|l| l.contains("│ Unique students (from student identifiers)")).expect(&table);
    assert!(line.trim_end_matches('│').trim_end().ends_with(" 3"), "{line}");
    let markdown = registry.ok(&["report", "--year", "2023", "--format", "markdown", "--lang", "nl"]);
    assert!(markdown.contains("| Unieke studenten (uit studentnummers) | 3 |"), "{markdown}");
    assert!(markdown.contains("| Opdrachten van geholpen studenten, met studentnummers | 2 |"), "{markdown}");
    let html = registry.ok(&["report", "--year", "2023", "--format", "html", "--lang", "en"]);
    assert!(html.contains("Unique students (from student identifiers)"));

    // Importing the same file again adds nothing.
    let before = pseudonyms(&registry);
    let output = registry.ipart(&["import", "assignments", file.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success());
    assert!(!stderr_of(&output).contains("pseudonym"), "{}", stderr_of(&output));
    assert_eq!(pseudonyms(&registry), before);
    assert_eq!(students_figures(&registry), (helped, unique, with, assignments));
}

#[test]
fn two_registries_give_the_same_student_different_pseudonyms() {
    let (one, two) = (Reg::demo_in_use(), Reg::demo_in_use());
    for registry in [&one, &two] {
        let file = students_file(registry.dir.path());
        registry.ok(&["--quiet", "import", "assignments", file.to_str().unwrap()]);
    }
    let (a, b) = (pseudonyms(&one), pseudonyms(&two));
    assert_eq!(a.len(), b.len());
    assert!(a.iter().all(|(_, p)| !b.iter().any(|(_, q)| q == p)), "a pseudonym is the same in two registries");
    assert_ne!(key_of(&one.path), key_of(&two.path));
    assert_ne!(key_file(&one.path), key_file(&two.path), "each registry finds its own key file");
}

#[test]
fn export_never_writes_student_identifiers_or_pseudonyms() {
    let registry = Reg::demo_in_use();
    let file = students_file(registry.dir.path());
    registry.ok(&["--quiet", "import", "assignments", file.to_str().unwrap()]);
    let hex: Vec<String> =
        pseudonyms(&registry).iter().map(|(_, p)| p.iter().map(|b| format!("{b:02x}")).collect()).collect();
    for format in ["csv", "json", "jsonl"] {
        let out = registry.ok(&["export", "assignments", "--format", format]);
        assert!(out.contains("Opdracht P1"), "the export lacks the imported assignments");
        assert!(!out.contains("student_ids"), "{format} export has a student_ids field");
        assert!(!out.contains("pseudonym"), "{format} export has pseudonyms");
        assert_no_clear_ids(&format!("the {format} export"), out.as_bytes());
        for h in &hex {
            assert!(!out.contains(h.as_str()) && !out.to_uppercase().contains(&h.to_uppercase()));
        }
    }
    // The export imports again as it is: the pseudonyms stay as they were.
    let export = registry.dir.path().join("assignments.csv");
    registry.ok(&["--quiet", "export", "assignments", "--output", export.to_str().unwrap()]);
    let before = pseudonyms(&registry);
    registry.ok(&["--quiet", "import", "assignments", export.to_str().unwrap()]);
    assert_eq!(pseudonyms(&registry), before);
}

#[test]
fn undo_removes_the_pseudonyms_a_batch_linked() {
    let registry = Reg::demo_in_use();
    let file = students_file(registry.dir.path());
    let first: i64 = registry.ok(&["--quiet", "import", "assignments", file.to_str().unwrap()]).trim().parse().unwrap();
    let after_first = pseudonyms(&registry);
    // A second file links a new student to P1, which the first batch added.
    let second_file = registry.dir.path().join("more.csv");
    let p1 = row("P1", "2023-01-10=preparation|2023-02-01=in_progress", "s9990001");
    std::fs::write(&second_file, format!("{HEADER}\n{p1}\n")).unwrap();
    let second: i64 =
        registry.ok(&["--quiet", "import", "assignments", second_file.to_str().unwrap()]).trim().parse().unwrap();
    assert_eq!(pseudonyms(&registry).len(), after_first.len() + 1);
    // The first batch's undo would take the second's link with P1: refused.
    let stderr = registry.refused(&["import", "undo", &first.to_string()]);
    assert!(
        stderr.contains(&format!(
            "import batch {first} cannot be undone: later import batch(es) {second} linked student pseudonyms to \
             assignments it added; undo those first"
        )),
        "{stderr}"
    );
    let output = registry.ipart(&["import", "undo", &second.to_string()]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("unlinked 1 student pseudonym(s)"), "{}", stderr_of(&output));
    assert_eq!(pseudonyms(&registry), after_first, "the second batch's pseudonym is gone, the first's stay");
    registry.ok(&["--quiet", "import", "undo", &first.to_string()]);
    assert_eq!(pseudonyms(&registry), []);
    registry.ok(&["db", "check"]);
}

#[test]
fn refused_rows_and_their_messages_never_repeat_student_identifiers() {
    let registry = Reg::demo_in_use();
    let file = registry.dir.path().join("bad.csv");
    let bad_level = row("R1", "2023-01-10=preparation", "s1234567;s7654321").replace(",HBO,", ",HBOO,");
    let too_long =
        row("R2", "2023-01-10=preparation", &format!("s5550001;{}", "jan.jansen@student.example.nl".repeat(4)));
    let many: Vec<String> = (0..1001).map(|n| format!("s5550001-{n}")).collect();
    let too_many = row("R3", "2023-01-10=preparation", &many.join(";"));
    std::fs::write(&file, format!("{HEADER}\n{bad_level}\n{too_long}\n{too_many}\n")).unwrap();
    let reject = registry.dir.path().join("refused.csv");
    let output = registry
        .ipart(&[
            "import",
            "assignments",
            file.to_str().unwrap(),
            "--skip-invalid",
            "--reject",
            reject.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(
            "bad.csv:3: column \"student_ids\": student identifier 2 is 116 characters long; at most 100 are accepted"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "bad.csv:4: column \"student_ids\": holds 1001 student identifiers; at most 1000 are accepted for one \
             assignment (check the separator)"
        ),
        "{stderr}"
    );
    assert_no_clear_ids("the import's messages", stderr.as_bytes());
    let rejected = std::fs::read(&reject).unwrap();
    assert_no_clear_ids("the reject file", &rejected);
    let text = String::from_utf8(rejected).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.lines().next().unwrap().ends_with(",student_ids,reject_reason"), "{text}");
    assert_eq!(pseudonyms(&registry), []);
    // Without --skip-invalid the message is the same and nothing is kept.
    let stderr = registry.refused(&["import", "assignments", file.to_str().unwrap()]);
    assert_no_clear_ids("the refusal", stderr.as_bytes());
}

#[test]
fn a_mapping_takes_student_identifiers_with_its_own_separator() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let map = dir.join("sis.toml");
    std::fs::write(
        &map,
        r#"source = "sis"
[fields]
external_id = "Nr"
title = "Titel"
kind = "Soort"
level = "Niveau"
theme = "Thema"
government_partner = "Opdrachtgever"
education_partner = "Onderwijsinstelling"
students = "Aantal"
status = "Status"
status_since = "Sinds"
student_ids = { column = "Studentnummers", separator = " " }
"#,
    )
    .unwrap();
    let file = dir.join("sis.csv");
    std::fs::write(
        &file,
        "Nr;Titel;Soort;Niveau;Thema;Opdrachtgever;Onderwijsinstelling;Aantal;Status;Sinds;Studentnummers\n\
         M1;Opdracht M1;internship;HBO;data-ai;Belastingdienst;De Haagse Hogeschool;2;in_progress;2023-03-01;S1234567  s7654321\n\
         M2;Opdracht M2;internship;HBO;data-ai;Belastingdienst;De Haagse Hogeschool;1;completed;2023-04-01;s1234567\n",
    )
    .unwrap();
    registry.ok(&["--quiet", "import", "assignments", file.to_str().unwrap(), "--map", map.to_str().unwrap()]);
    assert_eq!(pseudonyms(&registry).len(), 3);
    let (_, unique, with, _) = students_figures(&registry);
    assert_eq!((unique, with), (2, 2));
    // A separator on another field is refused, saying where.
    std::fs::write(&map, "[fields]\ntitle = { column = \"Titel\", separator = \" \" }\n").unwrap();
    let stderr = registry.fails(&["import", "assignments", file.to_str().unwrap(), "--map", map.to_str().unwrap()], 2);
    assert!(stderr.contains("sis.toml:2:9: separator applies to student_ids only, not to title"), "{stderr}");
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
