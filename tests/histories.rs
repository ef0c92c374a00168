//! Whole histories from a student-administration export: the figures that
//! need them equal what the rows say, in whatever order its exports come;
//! late files add history, contradictions are refused naming both sides;
//! registration dates and notes.
//!
//! The export (`fixtures/import/stageplein/`, made by its `generate.py`) is
//! read here too, by a few lines of its own, and the expected figures are
//! computed from the rows' dates by the rule `docs/import.md` gives, not
//! taken from ipart.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::Reg;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/import/stageplein");
const PARTNERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo/partners.csv");

fn file(name: &str) -> String {
    format!("{DIR}/{name}")
}

fn map() -> String {
    file("stageplein.toml")
}

const OLDER: &str = "stageplein-2024-01-15.csv";
const NEWER: &str = "stageplein-2024-07-01.csv";

/// A registry holding the demo partners and nothing else, so that every
/// assignment in it comes from the export.
fn registry() -> Reg {
    let reg = Reg::empty();
    reg.ok(&["import", "partners", PARTNERS]);
    reg
}

fn import(reg: &Reg, name: &str) -> String {
    let path = if Path::new(name).is_absolute() { name.to_string() } else { file(name) };
    let out = reg.run(&["import", "assignments", &path, "--map", &map()]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "import of {name} failed:\n{stderr}");
    stderr
}

// ---------------------------------------------------------------- the rows, read by the test itself

/// One row of the export: the dates that make its history, as ISO text.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    created: String,
    start: String,
    phase: &'static str,
    since: String,
}

/// `dd-mm-yyyy` as `yyyy-mm-dd`.
fn iso(day_first: &str) -> String {
    let parts: Vec<&str> = day_first.split('-').collect();
    assert_eq!(parts.len(), 3, "{day_first}");
    format!("{}-{}-{}", parts[2], parts[1], parts[0])
}

fn phase_code(phase: &str) -> &'static str {
    match phase {
        "In voorbereiding" => "preparation",
        "In uitvoering" => "in_progress",
        "Afgerond" => "completed",
        "Geannuleerd" => "cancelled",
        other => panic!("a phase the test does not know: {other}"),
    }
}

/// The rows of an export (two title lines, then the header).
fn rows(path: &str) -> Vec<Row> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').has_headers(false).flexible(true).from_path(path).unwrap();
    let records: Vec<csv::ByteRecord> = reader.byte_records().map(Result::unwrap).collect();
    let text = |r: &csv::ByteRecord, i: usize| String::from_utf8_lossy(&r[i]).into_owned();
    let header: Vec<String> = (0..records[2].len()).map(|i| text(&records[2], i)).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, phase, created, start, since) =
        (at("Opdrachtnummer"), at("Fase"), at("Aangemaakt op"), at("Startdatum"), at("Fase gewijzigd op"));
    records[3..]
        .iter()
        .map(|r| Row {
            id: text(r, id),
            created: iso(&text(r, created)),
            start: iso(&text(r, start)),
            phase: phase_code(&text(r, phase)),
            since: iso(&text(r, since)),
        })
        .collect()
}

/// A row's history by the rule of `[history]`: the creation date marks
/// preparation and the start date in progress, where they lie before the
/// current phase's day (on that day the phase wins; created and started on
/// one day is in progress); the same status twice running is once, from
/// the earlier day.
fn history(row: &Row) -> Vec<(String, &'static str)> {
    let mut changes: Vec<(String, &'static str)> = Vec::new();
    for (day, status) in [(&row.created, "preparation"), (&row.start, "in_progress")] {
        if *day < row.since {
            match changes.last_mut() {
                Some(last) if last.0 == *day => last.1 = status,
                _ => changes.push((day.clone(), status)),
            }
        }
    }
    changes.sort();
    match changes.last_mut() {
        Some(last) if last.0 == row.since => last.1 = row.phase,
        _ => changes.push((row.since.clone(), row.phase)),
    }
    changes.dedup_by(|later, earlier| later.1 == earlier.1);
    changes
}

/// Registered, started, completed and cancelled between `start` and `end`.
fn in_period(rows: &[Row], start: &str, end: &str) -> [i64; 4] {
    let within = |day: &str| start <= day && day <= end;
    let first = |row: &Row, status: &str| history(row).into_iter().find(|c| c.1 == status).map(|c| c.0);
    let count = |status: &str| rows.iter().filter(|r| first(r, status).is_some_and(|d| within(&d))).count() as i64;
    let registered = rows.iter().filter(|r| within(&r.created)).count() as i64;
    [registered, count("in_progress"), count("completed"), count("cancelled")]
}

/// The assignments by their status on `day` (those existing then).
fn by_status(rows: &[Row], day: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for row in rows {
        if let Some((_, status)) = history(row).into_iter().rfind(|c| c.0.as_str() <= day) {
            *out.entry(status.to_string()).or_default() += 1;
        }
    }
    out
}

// ---------------------------------------------------------------- what ipart says

fn report(reg: &Reg, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    reg.json(&all)
}

fn reported_in_period(reg: &Reg, year: &str) -> [i64; 4] {
    let r = report(reg, &["--year", year]);
    let p = &r["assignments"]["in_period"];
    ["registered", "started", "completed", "cancelled"].map(|k| p[k].as_i64().unwrap())
}

fn reported_by_status(reg: &Reg, day: &str) -> BTreeMap<String, i64> {
    let r = report(reg, &["--as-of", day]);
    r["assignments"]["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["count"].as_i64() != Some(0))
        .map(|row| (row["value"].as_str().unwrap().to_string(), row["count"].as_i64().unwrap()))
        .collect()
}

/// The imported assignments as native CSV, in (source, external id) order.
fn records(reg: &Reg) -> Vec<String> {
    let mut lines: Vec<String> = reg.ok(&["export", "assignments"]).lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn the_fixture_holds_what_the_figures_need() {
    let rows = rows(&file(NEWER));
    assert!(rows.len() >= 400, "a few hundred rows: {}", rows.len());
    let histories: Vec<_> = rows.iter().map(history).collect();
    type Check<'a> = &'a dyn Fn(&[(String, &str)]) -> bool;
    let has = |f: Check| histories.iter().filter(|h| f(h)).count();
    let cancelled_before_start =
        has(&|h| h.last().unwrap().1 == "cancelled" && !h.iter().any(|c| c.1 == "in_progress"));
    let cancelled_after_start = has(&|h| h.last().unwrap().1 == "cancelled" && h.iter().any(|c| c.1 == "in_progress"));
    let completed_a_year_later = has(&|h| {
        let (first, last) = (h.first().unwrap(), h.last().unwrap());
        last.1 == "completed" && first.0[..4] == *"2023" && last.0[..4] == *"2024"
    });
    let started_late = rows.iter().filter(|r| r.phase == "in_progress" && r.since > r.start).count();
    assert!(
        cancelled_before_start >= 20
            && cancelled_after_start >= 20
            && completed_a_year_later >= 20
            && started_late >= 5,
        "{cancelled_before_start} {cancelled_after_start} {completed_a_year_later} {started_late}"
    );
}

#[test]
fn the_figures_of_a_year_and_a_day_are_what_the_rows_say() {
    let reg = registry();
    let stderr = import(&reg, NEWER);
    assert!(stderr.contains("420 rows: 420 added"), "{stderr}");
    let rows = rows(&file(NEWER));
    let expected = in_period(&rows, "2023-01-01", "2023-12-31");
    assert!(expected.iter().all(|n| *n > 20), "{expected:?}");
    assert_eq!(reported_in_period(&reg, "2023"), expected);
    assert_eq!(reported_in_period(&reg, "2024"), in_period(&rows, "2024-01-01", "2024-12-31"));
    let mid_year = by_status(&rows, "2023-06-30");
    assert!(mid_year["preparation"] > 10 && mid_year["in_progress"] > 10, "{mid_year:?}");
    assert_eq!(reported_by_status(&reg, "2023-06-30"), mid_year);
    assert_eq!(reported_by_status(&reg, "2023-12-31"), by_status(&rows, "2023-12-31"));
}

#[test]
fn a_newer_export_then_an_older_one_ends_as_in_date_order() {
    let rows = rows(&file(NEWER));
    let newest_first = registry();
    import(&newest_first, NEWER);
    let stderr = import(&newest_first, OLDER);
    // The older export knows nothing the newer one did not: it adds nothing.
    assert!(stderr.contains("rows: ") && !stderr.contains("added") && !stderr.contains("rejected"), "{stderr}");
    assert_eq!(reported_in_period(&newest_first, "2023"), in_period(&rows, "2023-01-01", "2023-12-31"));
    assert_eq!(reported_by_status(&newest_first, "2023-06-30"), by_status(&rows, "2023-06-30"));

    let in_order = registry();
    import(&in_order, OLDER);
    let stderr = import(&in_order, NEWER);
    assert!(stderr.contains("updated"), "the newer export moved statuses on: {stderr}");
    assert_eq!(records(&in_order), records(&newest_first));
    for args in [["--year", "2023"], ["--year", "2024"], ["--as-of", "2023-06-30"]] {
        assert_eq!(report(&in_order, &args), report(&newest_first, &args), "{args:?}");
    }
}

#[test]
fn the_older_export_alone_gives_2023_as_the_newer_one_does() {
    let reg = registry();
    import(&reg, OLDER);
    let rows = rows(&file(NEWER));
    assert_eq!(reported_in_period(&reg, "2023"), in_period(&rows, "2023-01-01", "2023-12-31"));
}

// ---------------------------------------------------------------- dates that only feed the history

/// A copy of an export in `dir` with one cell of one row replaced; returns
/// its path and the line of that row.
fn with_cell(dir: &Path, name: &str, id: &str, column: &str, value: &str) -> (PathBuf, usize) {
    let bytes = std::fs::read(file(name)).unwrap();
    let text: String = bytes.iter().map(|b| *b as char).collect();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    let header: Vec<&str> = lines[2].split(';').collect();
    let at = header.iter().position(|h| *h == column).unwrap();
    let n = lines.iter().position(|l| l.starts_with(&format!("{id};"))).unwrap();
    let mut cells: Vec<String> = lines[n].split(';').map(str::to_string).collect();
    cells[at] = value.to_string();
    lines[n] = cells.join(";");
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\r\n").chars().map(|c| c as u8).collect::<Vec<u8>>()).unwrap();
    (path, n + 1)
}

#[test]
fn an_impossible_creation_date_is_refused_with_its_line_and_column() {
    let reg = registry();
    let (path, line) = with_cell(reg.dir.path(), NEWER, "SP-0000003", "Aangemaakt op", "31-02-2023");
    let path = path.display().to_string();
    let stderr = reg.refused(&["import", "assignments", &path, "--map", &map()]);
    // Said once, though the column gives both the registration date and a milestone.
    let expected = format!(
        "{path}:{line}: column \"Aangemaakt op\": \"31-02-2023\" is not a date in the calendar (2023-02-31 does not exist)\n\
         nothing was written: 1 of 420 rows have problems"
    );
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn a_date_that_only_feeds_the_history_is_checked_too() {
    let reg = registry();
    // Only [history] reads these columns; the start date is a plan (the
    // row is in preparation), and it is checked all the same.
    let mapping = std::fs::read_to_string(map())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("registered_on") && !l.starts_with("starts_on"))
        .collect::<Vec<_>>()
        .join("\n");
    let mapping_path = reg.dir.path().join("history-only.toml");
    std::fs::write(&mapping_path, mapping).unwrap();
    let row = rows(&file(NEWER)).into_iter().find(|r| r.phase == "preparation").unwrap();
    let (path, line) = with_cell(reg.dir.path(), NEWER, &row.id, "Startdatum", "15-13-2024");
    let path = path.display().to_string();
    let stderr = reg.refused(&["import", "assignments", &path, "--map", &mapping_path.display().to_string()]);
    assert!(
        stderr.contains(&format!(
            "{path}:{line}: column \"Startdatum\": \"15-13-2024\" is not a date in the calendar (2024-13-15 does not exist)"
        )),
        "{stderr}"
    );
}

// ---------------------------------------------------------------- late files and contradictions

/// An export of one row in the layout of the fixture.
fn one_row(dir: &Path, name: &str, cells: [&str; 14]) -> String {
    let header = "Opdrachtnummer;Titel;Type;Fase;Niveau;Thema;Opdrachtgever;Onderwijsinstelling;Aantal studenten;\
                  Aangemaakt op;Startdatum;Einddatum;Fase gewijzigd op;Opmerking";
    let text =
        format!("Stageplein - overzicht opdrachten\r\nExport van vandaag\r\n{header}\r\n{}\r\n", cells.join(";"));
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn history_of(reg: &Reg, reference: &str) -> serde_json::Value {
    reg.json(&["assignment", "show", reference])["status_history"].clone()
}

/// SP-9: registered 10-01-2023, started 01-03-2023, completed 07-07-2023.
fn completed_row(phase: &str, since: &str, start: &str) -> [String; 14] {
    [
        "SP-9",
        "Dashboard bij DUO",
        "Stage",
        phase,
        "HBO",
        "Blockchain",
        "DUO",
        "HU",
        "1",
        "10-01-2023",
        start,
        "30-06-2023",
        since,
        "",
    ]
    .map(str::to_string)
}

fn cells(row: &[String; 14]) -> [&str; 14] {
    std::array::from_fn(|i| row[i].as_str())
}

#[test]
fn a_late_file_adds_what_happened_between_the_recorded_changes() {
    let reg = registry();
    let dir = reg.dir.path();
    // January, then July: in preparation, then completed, each from a file
    // without the start date.
    let mut january = completed_row("In voorbereiding", "10-01-2023", "01-03-2023");
    january[10] = String::new();
    let mut july = completed_row("Afgerond", "07-07-2023", "01-03-2023");
    july[10] = String::new();
    let january = one_row(dir, "january.csv", cells(&january));
    let july = one_row(dir, "july.csv", cells(&july));
    import(&reg, &january);
    import(&reg, &july);
    // The April export, found later: in progress since 1 March.
    let april = one_row(dir, "april.csv", cells(&completed_row("In uitvoering", "01-03-2023", "01-03-2023")));
    let stderr = import(&reg, &april);
    assert!(stderr.contains("1 row: 1 updated"), "{stderr}");
    assert_eq!(
        history_of(&reg, "stageplein:SP-9"),
        serde_json::json!([
            {"since": "2023-01-10", "status": "preparation"},
            {"since": "2023-03-01", "status": "in_progress"},
            {"since": "2023-07-07", "status": "completed"}
        ])
    );
}

#[test]
fn a_real_contradiction_is_refused_naming_both_sides() {
    let reg = registry();
    let files = tempfile::tempdir().unwrap();
    let dir = files.path();
    // One file: registered, started and completed, recorded together.
    let july = one_row(dir, "july.csv", cells(&completed_row("Afgerond", "07-07-2023", "01-03-2023")));
    import(&reg, &july);
    // Another says it was cancelled on 1 May: two statuses for that time.
    let may = one_row(dir, "may.csv", cells(&completed_row("Geannuleerd", "01-05-2023", "01-03-2023")));
    let stderr = reg.refused(&["import", "assignments", &may, "--map", &map()]);
    assert!(
        stderr.contains(&format!(
            "{may}:4: column \"Fase gewijzigd op\": the file has cancelled from 2023-05-01, but the registry has \
             in_progress from 2023-03-01 until completed on 2023-07-07 (two changes recorded together, by one import \
             or command); a status history takes what a file adds to it, never a contradiction (if the file is right, \
             correct the registry with `ipart assignment status` first)"
        )),
        "{stderr}"
    );
    // Elsewhere the registry knows only that it was in progress since
    // 1 March; a file says it was cancelled on 1 May before it ever
    // started (its start date a plan after that): the recorded start is a
    // change the file says never happened.
    let reg = registry();
    let april = one_row(dir, "april.csv", cells(&completed_row("In uitvoering", "01-03-2023", "01-03-2023")));
    import(&reg, &april);
    let never = one_row(dir, "never.csv", cells(&completed_row("Geannuleerd", "01-05-2023", "01-06-2023")));
    let stderr = reg.refused(&["import", "assignments", &never, "--map", &map()]);
    assert!(
        stderr.contains(&format!(
            "{never}:4: column \"Fase gewijzigd op\": the file has preparation from 2023-01-10 until cancelled on \
             2023-05-01, but the registry has in_progress from 2023-03-01, a change the file says never happened"
        )),
        "{stderr}"
    );
}

#[test]
fn an_earlier_start_moves_the_recorded_one_and_undo_puts_it_back() {
    let reg = registry();
    let dir = reg.dir.path();
    // First known as in progress since 8 March (the day the phase was set).
    let mut late = completed_row("In uitvoering", "08-03-2023", "");
    late[9] = String::new();
    let late = one_row(dir, "late.csv", cells(&late));
    import(&reg, &late);
    let before = reg.dump();
    // The full export knows it was registered on 10 January and started on 1 March.
    let full = one_row(dir, "full.csv", cells(&completed_row("In uitvoering", "08-03-2023", "01-03-2023")));
    let plan = reg.ok(&["import", "assignments", &full, "--map", &map(), "--dry-run"]);
    assert!(
        plan.contains(
            "update assignment stageplein:SP-9: starts_on: - -> 2023-03-01; registered_on: - -> 2023-01-10; status \
             preparation from 2023-01-10; status in_progress from 2023-03-01; no status change on 2023-03-08 (it began \
             earlier)"
        ),
        "{plan}"
    );
    let batch = reg.ok(&["import", "assignments", &full, "--map", &map()]);
    assert_eq!(
        history_of(&reg, "stageplein:SP-9"),
        serde_json::json!([
            {"since": "2023-01-10", "status": "preparation"},
            {"since": "2023-03-01", "status": "in_progress"}
        ])
    );
    reg.ok(&["import", "undo", batch.trim()]);
    assert_eq!(
        history_of(&reg, "stageplein:SP-9"),
        serde_json::json!([{"since": "2023-03-08", "status": "in_progress"}])
    );
    reg.ok(&["db", "check"]);
    // The records are as before (the trail and revisions have grown).
    let records = |dump: &str| -> String {
        let start = dump.find("# assignment\n").unwrap() + "# assignment\n".len();
        let end = dump[start..].find("# ").unwrap();
        dump[start..start + end]
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                // id|...|known_from: the revision differs after an undo.
                l.rsplit_once('|').map_or(l, |(head, _)| head).to_string() + "\n"
            })
            .collect()
    };
    assert_eq!(records(&reg.dump()), records(&before));
}

// ---------------------------------------------------------------- registration date and note

#[test]
fn registration_date_and_note_on_the_command_line_in_json_and_native_csv() {
    let reg = Reg::demo();
    let add = [
        "assignment",
        "add",
        "Archief in de cloud",
        "--kind",
        "stage",
        "--theme",
        "IHH",
        "--government-partner",
        "Nationaal Archief",
        "--education-partner",
        "HU",
        "--registered-on",
        "15-11-2022",
        "--note",
        "Via het loket; \"spoed\"",
        "--status",
        "in voorbereiding",
        "--on",
        "2023-01-09",
    ];
    let id = reg.ok(&add).trim().to_string();
    let shown = reg.json(&["assignment", "show", &id]);
    assert_eq!(
        (shown["registered_on"].as_str(), shown["note"].as_str()),
        (Some("2022-11-15"), Some("Via het loket; \"spoed\""))
    );
    let exported = reg.ok(&["export", "assignments"]);
    let header = exported.lines().next().unwrap();
    assert!(header.ends_with(",status_history,registered_on,note"), "{header}");
    let line = exported.lines().find(|l| l.contains("Archief in de cloud")).unwrap();
    assert!(line.ends_with(",2023-01-09=preparation,2022-11-15,\"Via het loket; \"\"spoed\"\"\""), "{line}");
    // Registered in 2022, though its first status is of 2023.
    let registered =
        |year: &str| reg.json(&["report", "--year", year])["assignments"]["in_period"]["registered"].as_i64().unwrap();
    let demo = Reg::demo();
    let demo_registered =
        |year: &str| demo.json(&["report", "--year", year])["assignments"]["in_period"]["registered"].as_i64().unwrap();
    assert_eq!(registered("2022"), demo_registered("2022") + 1);
    assert_eq!(registered("2023"), demo_registered("2023"));
    // Edit: an empty value clears the note; a bad date is refused.
    reg.ok(&["assignment", "edit", &id, "--note", ""]);
    assert!(reg.json(&["assignment", "show", &id])["note"].is_null());
    let stderr = reg.refused(&["assignment", "edit", &id, "--registered-on", "2023-02-30"]);
    assert!(stderr.contains("--registered-on: \"2023-02-30\" is not a date in the calendar"), "{stderr}");
    // A native file carries both back into another registry.
    let native = reg.dir.path().join("assignments.csv");
    std::fs::write(&native, &exported).unwrap();
    let other = Reg::demo();
    other.ok(&["import", "assignments", &native.display().to_string()]);
    let again = other.ok(&["export", "assignments"]);
    assert!(again.lines().any(|l| l == line), "{line}");
}
