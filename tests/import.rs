//! `ipart import`: the real binary on a temporary registry, one test per
//! behaviour of imports (native and mapped files, batches, undo).

mod importing;

use importing::{OSIRIS_MAP, Reg, fixture};

const OSIRIS_2023: &str = "fixtures/import/hanze-osiris/osiris-2023.csv";
const OSIRIS_2024: &str = "fixtures/import/hanze-osiris/osiris-2024.csv";
const OSIRIS_BAD: &str = "fixtures/import/hanze-osiris/osiris-3-bad-rows.csv";

fn import_osiris(reg: &Reg, file: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["import", "assignments", file, "--map", OSIRIS_MAP];
    args.extend_from_slice(extra);
    reg.run(&args)
}

fn hanze_assignments(reg: &Reg, extra: &[&str]) -> String {
    let mut args = vec!["assignment", "list", "--source", "hanze-osiris", "--format", "csv"];
    args.extend_from_slice(extra);
    reg.ok(&args)
}

#[test]
fn windows_1252_semicolons_dutch_headers_and_day_first_dates() {
    let reg = Reg::demo();
    let (code, stdout, stderr) = import_osiris(&reg, OSIRIS_2023, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with(
            "detected: Windows-1252, ';', header on line 3, dates d-m-yyyy, CRLF line ends\n8 rows: 8 added in "
        ),
        "{stderr}"
    );
    assert_eq!(stdout, "12\n", "the batch id (11 demo batches before it)");
    let list = hanze_assignments(&reg, &[]);
    let rows: Vec<&str> = list.lines().collect();
    assert_eq!(rows.len(), 9, "{list}");
    // Quoted ';', accents from Windows-1252, value maps, aliases, constants.
    assert!(
        list.contains(
            "hanze-osiris,HG-2023-0104,Archiefbeheer e-mail; een verkenning,group,HBO,information-management,Ministerie van Financiën,Hanze Hogeschool,,4,2023-09-04,2024-01-19,,,in_progress,2023-09-04"
        ),
        "{list}"
    );
    assert!(
        list.contains(
            "HG-2023-0108,Toegankelijkheid van één loket,internship,HBO,software-development,Dienst Toeslagen,"
        ),
        "{list}"
    );
    assert!(
        list.contains("HG-2023-0101,Datakwaliteit van leerlinggegevens bij DUO,graduation,HBO,data-ai,DUO,"),
        "{list}"
    );
}

#[test]
fn the_same_file_twice_changes_nothing() {
    let reg = Reg::demo();
    import_osiris(&reg, OSIRIS_2023, &[]);
    let before = reg.snapshot();
    let (code, stdout, stderr) = import_osiris(&reg, OSIRIS_2023, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("note: batch 12 ("), "{stderr}");
    assert!(stderr.contains("8 rows: 8 unchanged in "), "{stderr}");
    assert_eq!(stdout, "13\n");
    // Only the log has grown, by the second batch.
    let after = reg.snapshot();
    let (records_before, _) = before.split_at(before.find("id,kind,file").unwrap());
    assert!(after.starts_with(records_before));
    let log = reg.ok(&["import", "log", "--format", "json"]);
    let log: serde_json::Value = serde_json::from_str(&log).unwrap();
    let last = &log[12];
    assert_eq!(
        (last["added"].as_i64(), last["updated"].as_i64(), last["unchanged"].as_i64()),
        (Some(0), Some(0), Some(8))
    );
    assert_eq!(log[11]["sha256"], last["sha256"]);
    assert_eq!(last["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_changed_status_appends_to_the_history_and_2023_stays_as_it_was() {
    let reg = Reg::demo();
    import_osiris(&reg, OSIRIS_2023, &[]);
    let year_2023 = hanze_assignments(&reg, &["--year", "2023"]);
    let all_2023 = reg.ok(&["assignment", "list", "--year", "2023", "--format", "csv"]);
    let (code, _, stderr) = import_osiris(&reg, OSIRIS_2024, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("8 rows: 3 updated, 5 unchanged in "), "{stderr}");
    let shown = reg.ok(&["assignment", "show", "hanze-osiris:HG-2023-0101", "--format", "json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(
        shown["status_history"],
        serde_json::json!([
            {"since": "2023-09-04", "status": "in_progress"},
            {"since": "2024-01-26", "status": "completed"}
        ])
    );
    assert_eq!(hanze_assignments(&reg, &["--year", "2023"]), year_2023);
    assert_eq!(reg.ok(&["assignment", "list", "--year", "2023", "--format", "csv"]), all_2023);
    assert_ne!(hanze_assignments(&reg, &["--year", "2024"]), hanze_assignments(&reg, &["--as-of", "2023-12-31"]));
}

#[test]
fn an_older_export_after_a_newer_one_adds_the_history_before_it() {
    // In date order: 2023, then 2024.
    let in_order = Reg::demo();
    import_osiris(&in_order, OSIRIS_2023, &[]);
    import_osiris(&in_order, OSIRIS_2024, &[]);
    // The newer export first: HG-2023-0101 is completed since 2024-01-26.
    // The older one then says it was in progress since 2023-09-04, which
    // is what happened before: it is added, not refused.
    let late = Reg::demo();
    import_osiris(&late, OSIRIS_2024, &[]);
    let (code, _, stderr) = import_osiris(&late, OSIRIS_2023, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("8 rows: 3 updated, 5 unchanged in "), "{stderr}");
    let shown = late.ok(&["assignment", "show", "hanze-osiris:HG-2023-0101", "--format", "json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(
        shown["status_history"],
        serde_json::json!([
            {"since": "2023-09-04", "status": "in_progress"},
            {"since": "2024-01-26", "status": "completed"}
        ])
    );
    let export = ["export", "assignments", "--source", "hanze-osiris"];
    assert_eq!(late.ok(&export), in_order.ok(&export));
    for year in ["2023", "2024"] {
        let report = ["report", "--year", year, "--format", "json"];
        assert_eq!(late.ok(&report), in_order.ok(&report), "{year}");
    }
}

#[test]
fn three_bad_rows_are_all_reported_and_nothing_is_written() {
    let reg = Reg::demo();
    let before = reg.snapshot();
    let (code, stdout, stderr) = import_osiris(&reg, OSIRIS_BAD, &[]);
    assert_eq!(code, 3);
    assert_eq!(stdout, "");
    let expected = format!(
        "ipart: {OSIRIS_BAD}:5: column \"Niveau\": \"HBOO\" is not an education level (expected MBO, HBO or WO)
{OSIRIS_BAD}:7: column \"Einddatum\": \"31-02-2024\" is not a date in the calendar (2024-02-31 does not exist)
{OSIRIS_BAD}:8: column \"Status\": \"Bezig\" is not an assignment status (expected preparation (in voorbereiding), in_progress (in uitvoering), completed (afgerond), cancelled (geannuleerd) or unknown (onbekend))
nothing was written: 3 of 6 rows have problems (fix them, or give --skip-invalid to import the others and write the refused rows to a reject file)
"
    );
    assert!(stderr.ends_with(&expected), "{stderr}");
    assert_eq!(reg.snapshot(), before);
}

#[test]
fn errors_are_listed_up_to_a_limit_then_counted() {
    let reg = Reg::demo();
    let (code, _, stderr) = import_osiris(&reg, OSIRIS_BAD, &["--max-errors", "2"]);
    assert_eq!(code, 3);
    assert!(stderr.contains(":7: column \"Einddatum\""), "{stderr}");
    assert!(!stderr.contains(":8: column"), "{stderr}");
    assert!(stderr.contains("\n... and 1 more problems\nnothing was written: 3 of 6 rows"), "{stderr}");
}

#[test]
fn skip_invalid_writes_a_reject_file_that_imports_once_fixed() {
    let reg = Reg::demo();
    let bad = reg.path("osiris-bad.csv");
    std::fs::copy(fixture(OSIRIS_BAD), &bad).unwrap();
    let bad = bad.display().to_string();
    let (code, _, stderr) = import_osiris(&reg, &bad, &["--skip-invalid"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("6 rows: 3 added, 3 rejected in "), "{stderr}");
    let reject = reg.path("osiris-bad.rejected.csv");
    assert!(stderr.contains(&format!("the refused rows, each with its reason, are in {}", reject.display())));
    let bytes = std::fs::read(&reject).unwrap();
    // Written as the source was: Windows-1252, ';', CRLF, its title lines.
    let text: String = bytes.iter().map(|b| *b as char).collect();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "Osiris Stageregistratie - Hanze;;;;;;;;;;;;");
    assert!(lines[2].ends_with(";Status;Statusdatum;reject_reason"), "{}", lines[2]);
    assert_eq!(lines.len(), 7, "title lines, header, 3 rows, final newline: {text}");
    assert!(
        lines[3].contains("HBOO")
            && lines[3].ends_with(
                ";\"column \"\"Niveau\"\": \"\"HBOO\"\" is not an education level (expected MBO, HBO or WO)\""
            ),
        "{}",
        lines[3]
    );
    // Running again without --force keeps the reject file.
    let (code, _, stderr) = import_osiris(&reg, &bad, &["--skip-invalid"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("exists; remove it, give another with --reject FILE, or --force"), "{stderr}");

    let fixed = bytes_replace(&bytes, &[("HBOO", "HBO-bachelor"), ("31-02-2024", "29-02-2024"), ("Bezig", "Lopend")]);
    std::fs::write(&reject, fixed).unwrap();
    let reject = reject.display().to_string();
    let (code, _, stderr) = import_osiris(&reg, &reject, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("3 rows: 3 added in "), "{stderr}");
    assert_eq!(hanze_assignments(&reg, &[]).lines().count(), 7);
}

fn bytes_replace(bytes: &[u8], pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut text: String = bytes.iter().map(|b| *b as char).collect();
    for (from, to) in pairs {
        text = text.replace(from, to);
    }
    text.chars().map(|c| c as u8).collect()
}

#[test]
fn undo_reverts_a_batch_exactly_and_refuses_when_later_changes_build_on_it() {
    let reg = Reg::demo();
    let demo = reg.snapshot();
    import_osiris(&reg, OSIRIS_2023, &[]);
    let after_2023 = reg.snapshot();
    import_osiris(&reg, OSIRIS_2024, &[]);
    // Batch 12 (2023) cannot go while batch 13 changed its records.
    let (code, _, stderr) = reg.run(&["import", "undo", "12"]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("import batch 12 cannot be undone: later changes build on records it added or changed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(import assignments fixtures/import/hanze-osiris/osiris-2024.csv): assignment_status"),
        "{stderr}"
    );
    let (code, _, stderr) = reg.run(&["import", "undo", "13"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("undid import batch 13: removed 0 records, restored 0, took out 3 status changes"),
        "{stderr}"
    );
    let records = |s: &str| s[..s.find("id,kind,file").unwrap()].to_string();
    assert_eq!(records(&reg.snapshot()), records(&after_2023));
    let (code, _, stderr) = reg.run(&["import", "undo", "12"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("removed 8 records"), "{stderr}");
    assert_eq!(records(&reg.snapshot()), records(&demo));
    let log = reg.ok(&["import", "log", "--format", "csv"]);
    assert_eq!(log.lines().filter(|l| l.ends_with(",tester")).count(), 2, "both undone by tester:\n{log}");
    let (code, _, stderr) = reg.run(&["import", "undo", "12"]);
    assert_eq!(code, 3);
    assert!(stderr.contains("import batch 12 was already undone at "), "{stderr}");
    let (code, _, stderr) = reg.run(&["import", "undo", "99"]);
    assert_eq!(code, 6, "{stderr}");
    // The audit trail shows the import and its undo.
    let trail = reg.ok(&["log", "--record", "import_batch", "--format", "csv"]);
    assert!(trail.contains("import undo 12") && trail.contains("import assignments"), "{trail}");
}

#[test]
fn undo_restores_updated_records_and_removes_created_partners() {
    let reg = Reg::demo();
    let before = reg.snapshot();
    let records = |s: &str| s[..s.find("id,kind,file").unwrap()].to_string();
    let file = reg.path("students.csv");
    std::fs::write(
        &file,
        "source,external_id,title,kind,level,theme,government_partner,education_partner,lab,students,starts_on,ends_on,status_history\n\
         coordinator,IP-2020-001,Zaakgericht werken (herzien),graduation,WO,information-management,Dictu,Universiteit Twente,,1,2020-07-09,2020-11-30,2020-06-01=preparation|2020-07-06=cancelled\n\
         coordinator,IP-2024-900,Nieuwe opdracht,internship,HBO,data-ai,Dienst Nieuw,Hogeschool Nieuw,,1,2024-02-01,2024-06-30,2024-01-10=preparation\n",
    )
    .unwrap();
    let file = file.display().to_string();
    let (code, _, stderr) = reg.run(&["import", "assignments", &file]);
    assert_eq!(code, 3, "unknown partners are refused");
    assert!(stderr.contains("no partner called \"Dienst Nieuw\""), "{stderr}");
    let (code, _, stderr) = reg.run(&["import", "assignments", &file, "--create-missing-partners"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("added 2 partner(s) the registry did not know: \"Dienst Nieuw\", \"Hogeschool Nieuw\""),
        "{stderr}"
    );
    assert!(stderr.contains("2 rows: 1 added, 1 updated in "), "{stderr}");
    let partner = reg.ok(&["partner", "show", "Hogeschool Nieuw", "--format", "json"]);
    assert!(partner.contains("\"sector\": \"education\"") && partner.contains("\"level\": \"HBO\""), "{partner}");
    let (code, _, stderr) = reg.run(&["import", "undo", "12"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("removed 3 records, restored 1"), "{stderr}");
    assert_eq!(records(&reg.snapshot()), records(&before));
}

#[test]
fn an_unknown_partner_gets_a_suggestion() {
    let reg = Reg::demo();
    let file = reg.path("osiris.csv");
    let text = std::fs::read(fixture(OSIRIS_2023)).unwrap();
    std::fs::write(
        &file,
        bytes_replace(&text, &[(";RDW;", ";Rijksdienst voor het Wegverkeerr;"), (";UWV;", ";Belastingdienstt;")]),
    )
    .unwrap();
    let file = file.display().to_string();
    let (code, _, stderr) = import_osiris(&reg, &file, &[]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains(":9: column \"Opdrachtgever\": no partner called \"Rijksdienst voor het Wegverkeerr\"; did you mean \"RDW\"? (see `ipart partner list`)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            ":10: column \"Opdrachtgever\": no partner called \"Belastingdienstt\"; did you mean \"Belastingdienst\"?"
        ),
        "{stderr}"
    );
}

#[test]
fn dry_run_shows_the_plan_and_writes_nothing() {
    let reg = Reg::demo();
    import_osiris(&reg, OSIRIS_2023, &[]);
    let before = reg.snapshot();
    let (code, stdout, stderr) = import_osiris(&reg, OSIRIS_2024, &["--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "update assignment hanze-osiris:HG-2023-0101: status completed from 2024-01-26
update assignment hanze-osiris:HG-2023-0102: status completed from 2024-02-02
update assignment hanze-osiris:HG-2023-0105: status in_progress from 2024-01-08
dry run, nothing was written: 8 rows: 3 updated, 5 unchanged would be the outcome
"
    );
    assert_eq!(reg.snapshot(), before);
    let (_, stdout, _) =
        reg.run(&["import", "assignments", OSIRIS_BAD, "--map", OSIRIS_MAP, "--dry-run", "--skip-invalid"]);
    assert!(
        stdout.contains("dry run, nothing was written: 6 rows: 3 unchanged, 3 rejected would be the outcome"),
        "{stdout}"
    );
    assert!(!std::path::Path::new(&fixture("fixtures/import/hanze-osiris/osiris-3-bad-rows.rejected.csv")).exists());
}

#[test]
fn standard_input_and_a_stage_portal_layout() {
    let reg = Reg::demo();
    let data = std::fs::read(fixture("fixtures/import/rijksstageportaal/vacatures-2023.tsv")).unwrap();
    let out = reg
        .cmd(&["import", "assignments", "-", "--map", "fixtures/import/rijksstageportaal/rijksstageportaal.toml"])
        .write_stdin(data)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.starts_with(
            "detected: UTF-8 with BOM, tab, header on line 1, dates d/m/yyyy (mapping), CRLF line ends\n6 rows: 6 added"
        ),
        "{stderr}"
    );
    let list = reg.ok(&["assignment", "list", "--source", "rijksstageportaal", "--format", "csv"]);
    assert!(list.contains("rijksstageportaal,RSP-2023-00440,\"Stagiair servicedesk, \"\"eerste lijn\"\"\",internship,MBO,software-development,UWV,mbo Rijnland,,1,2024-02-05,2024-06-28,,,preparation,2023-12-01"), "{list}");
    assert!(list.contains("RSP-2023-00415,Afstudeerder zero trust architectuur,graduation,WO,cybersecurity,Ministerie van Binnenlandse Zaken en Koninkrijksrelaties,Universiteit Twente,"), "{list}");
    let log = reg.ok(&["import", "log", "--format", "json"]);
    assert!(log.contains("\"file\": \"-\"") && log.contains("\"source\": \"rijksstageportaal\""), "{log}");
}

#[test]
fn utf16_with_a_bom_is_decoded() {
    let reg = Reg::empty();
    let text = "code,name_en,name_nl,aliases\r\nit-change,IT change,IT-verandering,Wendbare IT\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let file = reg.path("themes.csv");
    std::fs::write(&file, bytes).unwrap();
    let (code, _, stderr) = reg.run(&["import", "themes", &file.display().to_string()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("detected: UTF-16LE, ',', header on line 1, no dates, CRLF line ends"), "{stderr}");
    assert!(reg.ok(&["theme", "show", "Wendbare IT"]).contains("IT-verandering"));
}

#[test]
fn mapping_mistakes_are_reported_with_line_and_column() {
    let reg = Reg::demo();
    let map = reg.path("bad.toml");
    std::fs::write(&map, "source = \"x\"\n[fields]\ntitle = \"Titel\"\n[file]\ndelimeter = \";\"\n").unwrap();
    let (code, _, stderr) = reg.run(&["import", "assignments", OSIRIS_2023, "--map", &map.display().to_string()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("bad.toml:5:1: unknown field `delimeter`, expected one of"), "{stderr}");
    std::fs::write(&map, "[fields]\ntitle = \"Titel opdracht\"\nlevel = \"Niveua\"\n").unwrap();
    let (code, _, stderr) = reg.run(&["import", "assignments", OSIRIS_2023, "--map", &map.display().to_string()]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("no line in the first 64 KB holds the columns the mapping names; missing: \"Niveua\""),
        "{stderr}"
    );
}

// Empty, header-only and binary files, and other hostile input: tests/hostile_import.rs.
#[test]
fn an_unknown_column_gets_a_suggestion() {
    let reg = Reg::demo();
    let before = reg.snapshot();
    let unknown = reg.path("unknown.csv");
    std::fs::write(&unknown, "name,sectr\nX,government\n").unwrap();
    let (code, _, stderr) = reg.run(&["import", "partners", &unknown.display().to_string()]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("column \"sectr\" is not a field of partner records; did you mean \"sector\"?"),
        "{stderr}"
    );
    assert_eq!(reg.snapshot(), before);
}

#[test]
fn duplicates_within_a_file_are_refused() {
    let reg = Reg::empty();
    let file = reg.path("partners.csv");
    std::fs::write(&file, "name,sector,external_code\nDUO,government,\nDienst X,government,\nduo,government,\n")
        .unwrap();
    let (code, _, stderr) = reg.run(&["import", "partners", &file.display().to_string()]);
    assert_eq!(code, 3);
    assert!(stderr.contains("partners.csv:4: partner \"duo\" appears more than once in the file"), "{stderr}");
}

#[test]
fn help_of_every_new_command_has_examples() {
    let reg = Reg::empty();
    for args in
        [&["import", "--help"][..], &["import", "log", "--help"], &["import", "undo", "--help"], &["export", "--help"]]
    {
        let out = reg.ok(args);
        assert!(out.contains("Examples:\n  ipart "), "{args:?}:\n{out}");
    }
}

#[test]
fn a_version_1_registry_is_migrated_and_imports() {
    // A registry as the first release made it: schema.sql only.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(include_str!("../schema.sql")).unwrap();
        conn.pragma_update(None, "application_id", ipart::store::APPLICATION_ID).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute("INSERT INTO partner (name, sector, joined_on) VALUES ('DUO', 'government', '2020-06-01')", [])
            .unwrap();
    }
    let reg = Reg { dir, db };
    let (code, _, stderr) = reg.run(&["partner", "list"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(&format!("from schema version 1 to {}", ipart::store::SCHEMA_VERSION)), "{stderr}");
    let file = reg.path("partners.csv");
    std::fs::write(&file, "name,sector,joined_on\nDUO,government,2020-06-01\nRDW,government,2021-01-01\n").unwrap();
    let (code, _, stderr) = reg.run(&["import", "partners", &file.display().to_string()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("2 rows: 1 added, 1 unchanged in "), "{stderr}");
    assert_eq!(reg.ok(&["import", "log", "--format", "csv"]).lines().count(), 2);
}

/// A native assignments file of a source new to the registry: ids in order
/// need no look-up each (the import follows the largest id it has read), so
/// these check that an id out of order, and one given twice after its first
/// row was written, are still matched.
fn new_source_file(ids: &[String]) -> String {
    let mut csv = String::from(
        "source,external_id,title,kind,level,theme,government_partner,education_partner,lab,students,starts_on,ends_on,status_history\n",
    );
    for id in ids {
        csv.push_str(&format!(
            "fresh,{id},Opdracht {id},internship,HBO,software-development,\"Ministerie van Onderwijs, Cultuur en Wetenschap\",\
             De Haagse Hogeschool,,1,,,2023-02-01=preparation|2023-03-01=in_progress\n"
        ));
    }
    csv
}

#[test]
fn ids_of_a_new_source_out_of_order_or_twice_are_still_matched() {
    let reg = Reg::demo();
    // 600 rows in order (written in chunks before the file ends), one new id out of order.
    let mut ids: Vec<String> = (1..=600).map(|n| format!("B-{n:04}")).collect();
    ids.push("A-0001".into());
    std::fs::write(reg.path("fresh.csv"), new_source_file(&ids)).unwrap();
    let (code, _, stderr) = reg.run(&["import", "assignments", reg.path("fresh.csv").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("601 rows: 601 added"), "{stderr}");

    // The same ids again: the source is known now, every row is looked up.
    let (code, _, stderr) = reg.run(&["import", "assignments", reg.path("fresh.csv").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("601 rows: 601 unchanged"), "{stderr}");

    // A source new to the registry whose file gives an id again after its first row was written.
    let mut ids: Vec<String> = (1..=600).map(|n| format!("C-{n:04}")).collect();
    ids.push("C-0005".into());
    std::fs::write(reg.path("twice.csv"), new_source_file(&ids).replace("fresh,", "other,")).unwrap();
    let before = reg.snapshot();
    let (code, _, stderr) = reg.run(&["import", "assignments", reg.path("twice.csv").to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("appears more than once in the file"), "{stderr}");
    assert!(stderr.contains("602"), "the line is named: {stderr}");
    assert_eq!(reg.snapshot(), before, "nothing written");
}

#[test]
fn problems_across_a_large_file_are_reported_in_line_order() {
    // Rows are read, checked and resolved ahead of the writing, in chunks of
    // a few hundred: problems on both sides of a chunk's end, and far into
    // the file, come out in file order with their lines.
    let reg = Reg::demo();
    let ids: Vec<String> = (1..=1000).map(|n| format!("L-{n:04}")).collect();
    let mut lines: Vec<String> = new_source_file(&ids).lines().map(str::to_string).collect();
    // lines[n] is line n + 1 of the file, the row of id n.
    lines[3] = lines[3].replace(",HBO,", ",HBOO,");
    lines[256] = lines[256].replace("De Haagse Hogeschool", "De Haagse Hogeschoool");
    lines[257] = lines[257].replace(",1,,,", ",nul,,,");
    lines[900] = lines[900].replace("2023-03-01=in_progress", "2023-02-30=in_progress");
    std::fs::write(reg.path("large.csv"), lines.join("\n") + "\n").unwrap();
    let before = reg.snapshot();
    let (code, _, stderr) = reg.run(&["import", "assignments", reg.path("large.csv").to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    let named: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("ipart: ").or(Some(l)))
        .filter_map(|l| l.split_once(": column ").map(|(at, _)| at.rsplit(':').next().unwrap()))
        .collect();
    assert_eq!(named, ["4", "257", "258", "901"], "{stderr}");
    assert!(stderr.contains(":4: column \"level\": \"HBOO\" is not an education level"), "{stderr}");
    assert!(
        stderr.contains(":257: column \"education_partner\": no partner called \"De Haagse Hogeschoool\""),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written: 4 of 1000 rows have problems"), "{stderr}");
    assert_eq!(reg.snapshot(), before, "nothing written");

    let (code, _, stderr) =
        reg.run(&["import", "assignments", reg.path("large.csv").to_str().unwrap(), "--skip-invalid"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1,000 rows: 996 added, 4 rejected"), "{stderr}");
    let rejected = std::fs::read_to_string(reg.path("large.rejected.csv")).unwrap();
    let ids: Vec<&str> = rejected.lines().skip(1).map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(ids, ["L-0003", "L-0256", "L-0257", "L-0900"]);
}

#[test]
fn an_assignment_given_twice_before_it_is_written_is_refused() {
    // The second X-2 comes while the first is still queued to be written.
    let reg = Reg::demo();
    let ids: Vec<String> = ["X-1", "X-2", "X-3", "X-2"].iter().map(|s| s.to_string()).collect();
    std::fs::write(reg.path("twice.csv"), new_source_file(&ids)).unwrap();
    let before = reg.snapshot();
    let (code, _, stderr) = reg.run(&["import", "assignments", reg.path("twice.csv").to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("twice.csv:5: assignment fresh:X-2 appears more than once in the file"), "{stderr}");
    assert_eq!(reg.snapshot(), before);
}
