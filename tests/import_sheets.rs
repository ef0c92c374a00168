//! Spreadsheets in: `.xlsx` and `.ods` exports imported through a mapping
//! (or natively), with every CSV promise kept: problems named by sheet, row
//! and column, dry runs, reject files (CSV), undo, and the SHA-256 of the
//! file's bytes.

mod importing;

use importing::{Reg, fixture};
use sha2::{Digest, Sha256};

const MAP: &str = "fixtures/import/student-admin/stages.toml";

/// The workbook copied into the registry's directory (the reject file is
/// written beside it).
fn workbook(reg: &Reg, ext: &str) -> String {
    let path = reg.path(&format!("stages-2024.{ext}"));
    std::fs::copy(fixture(&format!("fixtures/import/student-admin/stages-2024.{ext}")), &path).unwrap();
    path.display().to_string()
}

#[test]
fn an_xlsx_export_names_its_bad_rows_by_sheet_row_and_column_and_writes_nothing() {
    let reg = Reg::demo();
    let file = workbook(&reg, "xlsx");
    let before = reg.snapshot();
    let (code, stdout, stderr) = reg.run(&["import", "assignments", &file, "--map", MAP]);
    assert_eq!((code, stdout.as_str()), (3, ""), "{stderr}");
    assert!(
        stderr.starts_with("detected: xlsx, sheet \"Stages\", header on row 3, dates dd-mm-yyyy (mapping)\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{file}: sheet \"Stages\", row 7, column \"Einddatum\": \"31-02-2024\" is not a date in the form dd-mm-yyyy\n{file}: sheet \"Stages\", row 10, column \"Niveau\": \"HBOO\" is not an education level (expected MBO, HBO or WO)\nnothing was written: 2 of 8 rows have problems"
        )),
        "{stderr}"
    );
    assert_eq!(reg.snapshot(), before);
}

#[test]
fn an_xlsx_export_dry_run_skip_invalid_reject_csv_and_undo() {
    let reg = Reg::demo();
    let file = workbook(&reg, "xlsx");
    let before = reg.snapshot();
    let (code, stdout, stderr) =
        reg.run(&["import", "assignments", &file, "--map", MAP, "--dry-run", "--skip-invalid"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("add assignment student-admin:SA-2024-001\n"), "{stdout}");
    assert!(
        stdout.ends_with("dry run, nothing was written: 8 rows: 6 added, 2 rejected would be the outcome\n"),
        "{stdout}"
    );
    assert_eq!(reg.snapshot(), before, "a dry run writes nothing");
    assert!(!reg.path("stages-2024.rejected.csv").exists(), "a dry run writes no reject file");

    let (code, stdout, stderr) = reg.run(&["import", "assignments", &file, "--map", MAP, "--skip-invalid"]);
    assert_eq!(code, 0, "{stderr}");
    let batch = stdout.trim().to_string();
    assert!(stderr.contains("8 rows: 6 added, 2 rejected"), "{stderr}");
    let rejected = std::fs::read_to_string(reg.path("stages-2024.rejected.csv")).unwrap();
    assert_eq!(
        rejected,
        "\u{feff}Studentenadministratie - export stages en opdrachten\r\nAangemaakt op 12-02-2024 08:30\r\n\
         Stagenummer;Titel opdracht;Soort;Niveau;Thema;Opdrachtgever;Onderwijsinstelling;Aantal studenten;Startdatum;Einddatum;Status;Statusdatum;Opmerking intern;reject_reason\r\n\
         SA-2024-004;Pentest van een zaaksysteem;Afstudeerstage;WO-master;Cyberveiligheid;CJIB;TU Delft;1;2024-02-01;31-02-2024;In voorbereiding;2024-01-15;;\"column \"\"Einddatum\"\": \"\"31-02-2024\"\" is not a date in the form dd-mm-yyyy\"\r\n\
         SA-2024-007;Dashboard open data;Afstudeerstage;HBOO;Data & AI;UWV;Hogeschool van Amsterdam;1;2024-02-05;2024-06-28;Lopend;2024-02-05;;\"column \"\"Niveau\"\": \"\"HBOO\"\" is not an education level (expected MBO, HBO or WO)\"\r\n"
    );
    // Numbers without ".0", date cells as dates.
    let list = reg.ok(&["export", "assignments"]);
    assert!(
        list.contains("student-admin,SA-2024-003,Toegankelijkheid van één loket,group,WO,software-development,Dienst Toeslagen,Universiteit Twente,,4,2024-03-01,2024-06-30,2024-01-20=preparation,,\n"),
        "{list}"
    );
    // The batch's SHA-256 is of the workbook's bytes.
    let sha: String = Sha256::digest(std::fs::read(&file).unwrap()).iter().map(|b| format!("{b:02x}")).collect();
    let log = reg.ok(&["import", "log", "--format", "csv"]);
    assert!(log.contains(&sha), "{log}");

    // The reject file, fixed, imports with the same mapping.
    let fixed = rejected.replace("31-02-2024", "29-02-2024").replace("HBOO", "HBO");
    std::fs::write(reg.path("stages-2024.rejected.csv"), fixed).unwrap();
    let reject = reg.path("stages-2024.rejected.csv").display().to_string();
    let (code, _, stderr) = reg.run(&["import", "assignments", &reject, "--map", MAP]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("2 rows: 2 added"), "{stderr}");

    let (code, _, stderr) = reg.run(&["import", "undo", &(batch.parse::<i64>().unwrap() + 1).to_string()]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = reg.run(&["import", "undo", &batch]);
    assert_eq!(code, 0, "{stderr}");
    let count = reg.ok(&["assignment", "list", "--source", "student-admin", "--format", "csv"]);
    assert_eq!(count.lines().count(), 1, "only the header is left: {count}");
}

#[test]
fn an_ods_export_imports_through_the_same_mapping() {
    let reg = Reg::demo();
    let file = workbook(&reg, "ods");
    let (code, _, stderr) = reg.run(&["import", "assignments", &file, "--map", MAP, "--skip-invalid"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with("detected: ods, sheet \"Stages\", header on row 3, dates dd-mm-yyyy (mapping)\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{file}: sheet \"Stages\", row 10, column \"Niveau\": \"HBOO\" is not an education level"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("8 rows: 6 added, 2 rejected"), "{stderr}");
    let list = reg.ok(&["export", "assignments"]);
    assert!(list.contains(",Archivering van e-mail bij Financiën,internship,HBO,information-management,Ministerie van Financiën,Hanze Hogeschool,,2,2024-02-12,2024-07-05,2024-02-12=in_progress,,\n"), "{list}");
}

#[test]
fn the_sheet_is_chosen_by_name_or_number_and_a_wrong_one_is_refused() {
    let reg = Reg::demo();
    let file = workbook(&reg, "xlsx");
    let before = reg.snapshot();
    let (code, _, stderr) = reg.run(&["import", "assignments", &file, "--map", MAP, "--sheet", "3"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("has 2 sheet(s), so there is no sheet 3 (its sheets: \"Stages\", \"Toelichting\")"),
        "{stderr}"
    );
    let (code, _, stderr) = reg.run(&["import", "assignments", &file, "--map", MAP, "--sheet", "2"]);
    assert_eq!(code, 3, "{stderr}");
    // The mapping puts the header on row 3, which this sheet leaves empty.
    assert!(stderr.starts_with("detected: xlsx, sheet \"Toelichting\", header on row 3\n"), "{stderr}");
    assert!(stderr.contains("sheet \"Toelichting\", row 3 (the header) is empty"), "{stderr}");
    assert_eq!(reg.snapshot(), before);
}

#[test]
fn a_native_xlsx_keeps_codes_as_text_and_dates_as_dates() {
    let reg = Reg::empty();
    let path = reg.path("partners.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["name", "sector", "level", "external_code", "joined_on"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 9, 1).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("d-m-yyyy");
    for (r, (name, code)) in [("Universiteit Twente", "00IC"), ("Hanze Hogeschool", "21UI")].iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *name).unwrap();
        sheet.write_string(r, 1, "education").unwrap();
        sheet.write_string(r, 2, "WO").unwrap();
        sheet.write_string(r, 3, *code).unwrap();
        sheet.write_datetime_with_format(r, 4, &date, &format).unwrap();
    }
    book.save(&path).unwrap();
    let (code, _, stderr) = reg.run(&["import", "partners", &path.display().to_string()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with("detected: xlsx, sheet \"Sheet1\" (the only one), header on row 1, dates yyyy-mm-dd\n"),
        "{stderr}"
    );
    let partners = reg.ok(&["export", "partners"]);
    assert!(partners.contains("Universiteit Twente,,,education,WO,,2021-09-01,,00IC,,"), "{partners}");
}
