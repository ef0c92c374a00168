//! Excel workbooks from `list` and `export`, read back with calamine: one
//! sheet, its header, numbers as numbers and dates as dates.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;

/// The one sheet of a workbook: its name and its cells.
fn sheet(path: &std::path::Path) -> (String, Vec<Vec<Data>>) {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 1, "one sheet: {names:?}");
    let range = book.worksheet_range(&names[0]).unwrap();
    (names[0].clone(), range.rows().map(|r| r.to_vec()).collect())
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        other => panic!("expected text, found {other:?}"),
    }
}

fn column(header: &[Data], name: &str) -> usize {
    header.iter().position(|c| text(c) == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// Excel's serial number of a date: days since 1899-12-30.
fn serial(date: &str) -> f64 {
    let day: jiff::civil::Date = date.parse().unwrap();
    let epoch = jiff::civil::date(1899, 12, 30);
    (day - epoch).get_days() as f64
}

fn date(cell: &Data) -> f64 {
    match cell {
        Data::DateTime(d) if d.is_datetime() => d.as_f64(),
        other => panic!("expected a date, found {other:?}"),
    }
}

#[test]
fn a_list_as_a_workbook_is_one_typed_sheet_in_dutch() {
    let reg = Reg::demo();
    let path = reg.dir.path().join("opdrachten.xlsx");
    let out = reg.run(&["assignment", "list", "--year", "2023", "-o", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stderr_of(&out), format!("wrote 548 assignments to {}\n", path.display()));
    let (name, rows) = sheet(&path);
    assert_eq!(name, "opdrachten");
    assert_eq!(rows.len(), 1 + 548, "a header and the 548 assignments of 2023");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(
        header,
        [
            "id",
            "bron",
            "extern id",
            "titel",
            "soort",
            "niveau",
            "thema",
            "overheidspartner",
            "onderwijspartner",
            "lab",
            "studenten",
            "begint op",
            "eindigt op",
            "geregistreerd op",
            "opmerking",
            "status",
            "sinds"
        ]
    );
    // Assignment 2, as `assignment show 2 --as-of 2023-12-31` has it.
    let shown = reg.json(&["assignment", "show", "2", "--as-of", "2023-12-31"]);
    let row = &rows[2];
    assert_eq!(row[0], Data::Float(2.0), "ids are numbers");
    assert_eq!(row[column(&rows[0], "studenten")], Data::Float(shown["students"].as_f64().unwrap()));
    assert_eq!(date(&row[column(&rows[0], "begint op")]), serial(shown["starts_on"].as_str().unwrap()));
    assert_eq!(date(&row[column(&rows[0], "sinds")]), serial(shown["status_since"].as_str().unwrap()));
    assert_eq!(text(&row[column(&rows[0], "status")]), "afgerond");
    assert_eq!(text(&row[column(&rows[0], "soort")]), "groepsopdracht");
    assert_eq!(text(&row[column(&rows[0], "titel")]), shown["title"].as_str().unwrap());
    assert_eq!(row[column(&rows[0], "lab")], Data::Empty, "nothing where there is no value");

    // In English when asked.
    let path = reg.dir.path().join("labs.xlsx");
    reg.ok(&["--lang", "en", "lab", "list", "--output", path.to_str().unwrap()]);
    let (name, rows) = sheet(&path);
    assert_eq!(name, "labs");
    assert_eq!(text(&rows[0][2]), "regions");
    assert_eq!(text(&rows[1][2]), "Central");
}

#[test]
fn an_export_as_a_workbook_has_the_csv_columns_typed() {
    let reg = Reg::demo();
    let path = reg.dir.path().join("assignments.xlsx");
    reg.ok(&["export", "assignments", "--status", "completed", "--year", "2023", "-o", path.to_str().unwrap()]);
    let (name, rows) = sheet(&path);
    assert_eq!(name, "assignments");
    let csv = reg.ok(&["export", "assignments", "--status", "completed", "--year", "2023"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(rows[0].iter().map(text).collect::<Vec<_>>(), header, "the native columns, as the CSV has them");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1 + records.len());
    assert_eq!(records.len(), 287);
    for (row, record) in rows[1..].iter().zip(&records) {
        for (i, field) in header.iter().enumerate() {
            let expected = &record[i];
            match field.as_str() {
                "students" => assert_eq!(row[i], Data::Float(expected.parse().unwrap())),
                "starts_on" | "ends_on" if !expected.is_empty() => assert_eq!(date(&row[i]), serial(expected)),
                _ if expected.is_empty() => assert_eq!(row[i], Data::Empty),
                // Codes and histories as text, exactly.
                _ => assert_eq!(text(&row[i]), *expected, "{field}"),
            }
        }
    }
    // To a pipe, the same bytes a file gets.
    let out = reg.run(&["export", "themes", "--format", "xlsx"]);
    assert!(out.status.success() && out.stdout.starts_with(b"PK\x03\x04"), "a zip archive");
    let piped = reg.dir.path().join("piped.xlsx");
    std::fs::write(&piped, &out.stdout).unwrap();
    let (name, rows) = sheet(&piped);
    assert_eq!((name.as_str(), rows.len()), ("themes", 1 + 7));
    assert_eq!(text(&rows[1][0]), "data-ai");
}
