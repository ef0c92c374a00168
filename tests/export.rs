//! `ipart export`, and the round trip through `ipart import`.

mod importing;

use importing::{KINDS, Reg};

#[test]
fn export_import_export_gives_identical_files() {
    let demo = Reg::demo();
    let empty = Reg::empty();
    for kind in KINDS {
        let first = demo.ok(&["export", kind]);
        let file = empty.path(&format!("{kind}.csv"));
        std::fs::write(&file, &first).unwrap();
        let (code, _, stderr) = empty.run(&["import", kind, &file.display().to_string()]);
        assert_eq!(code, 0, "{kind}: {stderr}");
        assert_eq!(empty.ok(&["export", kind]), first, "{kind} differs after the round trip");
    }
    // The assignments keep every status change.
    let assignments = empty.ok(&["export", "assignments"]);
    assert!(assignments.contains(
        "coordinator,IP-2020-002,Machine learning voor fraudesignalen bij de Belastingdienst,group,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,,3,2020-08-06,2020-12-01,2020-06-10=preparation|2020-08-06=in_progress|2020-12-09=completed"
    ));
    assert_eq!(assignments.lines().count(), 594);
    // Importing the export again changes nothing.
    let file = empty.path("assignments.csv");
    let (_, _, stderr) = empty.run(&["import", "assignments", &file.display().to_string()]);
    assert!(stderr.contains("593 rows: 593 unchanged in "), "{stderr}");
}

#[test]
fn formulas_are_neutralised_for_spreadsheets_and_both_forms_import_exactly() {
    let reg = Reg::demo();
    for (n, title) in ["=HYPERLINK(\"http://x\",\"klik\")", "-10% papier", "@risico", "'=al gequote"].iter().enumerate()
    {
        reg.ok(&[
            "assignment",
            "add",
            "--kind",
            "stage",
            "--theme",
            "data-ai",
            "--government-partner",
            "RDW",
            "--education-partner",
            "HU",
            "--source",
            "test",
            "--external-id",
            &n.to_string(),
            "--on",
            "2024-01-02",
            "--",
            title,
        ]);
    }
    let plain = reg.ok(&["export", "assignments", "--source", "test"]);
    assert!(plain.contains("\"=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\""), "{plain}");
    assert!(plain.contains(",-10% papier,") && plain.contains(",@risico,"), "{plain}");
    assert!(plain.contains(",''=al gequote,"), "a cell that already starts with ' before = is escaped: {plain}");

    let excel = reg.ok(&["export", "assignments", "--source", "test", "--excel"]);
    assert!(excel.starts_with("\u{feff}source;external_id;title;"), "{excel}");
    assert!(excel.contains(";\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\";"), "{excel}");
    assert!(
        excel.contains(";'-10% papier;") && excel.contains(";'@risico;") && excel.contains(";''=al gequote;"),
        "{excel}"
    );
    let semicolons = reg.ok(&["export", "assignments", "--source", "test", "--delimiter", ";"]);
    assert!(semicolons.contains(";'-10% papier;"), "another delimiter means a spreadsheet: {semicolons}");

    for (name, text) in [("plain.csv", &plain), ("excel.csv", &excel)] {
        let target = Reg::demo();
        let file = target.path(name);
        std::fs::write(&file, text).unwrap();
        let (code, _, stderr) = target.run(&["import", "assignments", &file.display().to_string()]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(target.ok(&["export", "assignments", "--source", "test"]), plain, "{name}");
    }
}

#[test]
fn json_and_json_lines_carry_ids_and_histories() {
    let reg = Reg::demo();
    let json = reg.ok(&["export", "labs", "--format", "json"]);
    let labs: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(labs.as_array().unwrap().len(), 10);
    assert_eq!(labs[0]["name"], "AI-Labs");
    assert_eq!(labs[0]["regions"], serde_json::json!(["midden"]));
    assert_eq!(labs[0]["status_history"][1], serde_json::json!({"since": "2021-01-11", "status": "active"}));
    assert!(labs[0]["id"].is_i64());
    let lines = reg.ok(&["export", "assignments", "--year", "2023", "--status", "completed", "--format", "jsonl"]);
    assert_eq!(lines.lines().count(), 287, "the 287 completed on 2023-12-31");
    for line in lines.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(record["status_history"].is_array());
    }
    assert_eq!(reg.ok(&["export", "chairs", "--format", "json", "--status", "ended"]), "[]\n");
}

#[test]
fn output_files_are_not_overwritten_without_force() {
    let reg = Reg::demo();
    let file = reg.path("partners.csv");
    let target = file.display().to_string();
    let (code, stdout, stderr) = reg.run(&["export", "partners", "--output", &target]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert!(stderr.contains(&format!("wrote 101 partners to {target}")), "{stderr}");
    std::fs::write(&file, "mine").unwrap();
    let (code, _, stderr) = reg.run(&["export", "partners", "--output", &target]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "ipart: {target} already exists; it was left untouched (give --force to replace it, or choose another name)\n"
        )
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    reg.ok(&["export", "partners", "--output", &target, "--force", "--sector", "government"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 67);
    let (code, _, stderr) = reg.run(&["export", "partners", "--output", &reg.dir.path().display().to_string()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is a directory"), "{stderr}");
}

#[test]
fn filters_that_do_not_apply_are_refused() {
    let reg = Reg::demo();
    let (code, _, stderr) = reg.run(&["export", "partners", "--status", "active"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "--status does not apply to partners (filters for partners: --as-of, --year, --sector, --level, --region)"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = reg.run(&["export", "gadgets"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a kind of record (expected themes, partners,"), "{stderr}");
}
