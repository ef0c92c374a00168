//! Spreadsheets in: `.xlsx`, `.xls` and `.ods` workbooks, read with
//! `calamine`, become rows like a CSV file's, so the same mappings, checks,
//! reject files and undo apply. A workbook is recognised by its bytes (a
//! ZIP or OLE container), whatever its name says. The sheet is chosen by
//! name or number, else the first; its header row is found as a CSV
//! file's header line. Cells keep their meaning: a date cell becomes an ISO
//! date, a number is written plainly (`12`, not `12.0` or `1.2E1`), and
//! text stays text (a BRIN code `00IC` keeps its zeros).
//!
//! A workbook is read whole (the format packs its rows in a compressed
//! archive); its SHA-256 is of its bytes, as a CSV file's.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Sheets};

use super::input::{
    Detected, RowError, Rows, Settings, Shared, SheetRead, Tally, column_name, header_and_skip, header_cells,
    too_many_cells,
};
use crate::domain::names::fold;
use crate::error::Error;

/// The bytes a workbook starts with: a ZIP archive (xlsx, ods) or an OLE
/// compound file (xls).
pub fn is_spreadsheet(sample: &[u8]) -> bool {
    sample.starts_with(b"PK\x03\x04") || sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// The rows of one sheet.
pub struct SheetRows {
    range: Range<Data>,
    /// The next row to read, within the range.
    next: usize,
    /// The sheet's row and column where the range starts (from 0).
    first_row: u32,
    first_column: u32,
    header: Vec<String>,
}

impl SheetRows {
    /// The next row that is not blank, into `record`, with its row number.
    pub fn read_into(&mut self, record: &mut csv::StringRecord) -> Result<Option<u64>, RowError> {
        loop {
            if self.next >= self.range.height() {
                return Ok(None);
            }
            let index = self.next;
            let row = u64::from(self.first_row) + self.next as u64 + 1;
            self.next += 1;
            record.clear();
            for _ in 0..self.first_column {
                record.push_field("");
            }
            let mut failed = None;
            let cells = (0..self.range.width()).filter_map(|column| self.range.get((index, column)));
            for (i, cell) in cells.enumerate() {
                match cell_text(cell) {
                    Ok(text) => record.push_field(&text),
                    Err(message) => {
                        record.push_field(&cell.to_string());
                        let column = column_name(&self.header, self.first_column as usize + i);
                        failed.get_or_insert(format!("{column} {message}"));
                    }
                }
            }
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if let Some(e) = too_many_cells(record, &self.header, row) {
                return Err(e);
            }
            if let Some(message) = failed {
                return Err(RowError { line: row, message, fatal: false, invalid_data: true });
            }
            return Ok(Some(row));
        }
    }
}

/// A cell as text: dates as `yyyy-mm-dd` (with the time when there is
/// one), numbers without a needless `.0` or exponent; a formula's error
/// value is a problem of the row.
pub fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        Data::DateTime(dt) if dt.is_duration() => number(dt.as_f64()),
        Data::DateTime(dt) => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        Data::DateTimeIso(s) => {
            let s = s.strip_suffix("T00:00:00").unwrap_or(s);
            s.replacen('T', " ", 1)
        }
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("holds the error value {e} (a formula that failed in the spreadsheet)")),
    })
}

/// `12`, `0.5`, `1234567890123`: a number as people write it.
fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// Opens the workbook in `bytes` at the sheet `settings` names (else the
/// first) and finds its header row.
pub fn open(
    bytes: Vec<u8>,
    name: &str,
    settings: &Settings,
    tally: Shared<Tally>,
    announce: &mut dyn FnMut(&str),
) -> Result<(Detected, Rows), Error> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.as_slice())).map_err(|e| {
        Error::invalid(format!("{name} looks like a spreadsheet (xlsx, xls or ods) but cannot be read: {e}"))
    })?;
    let format = match &workbook {
        Sheets::Xls(_) => "xls",
        Sheets::Xlsx(_) => "xlsx",
        Sheets::Xlsb(_) => "xlsb",
        Sheets::Ods(_) => "ods",
    };
    let sheets = workbook.sheet_names();
    let sheet = choose_sheet(name, &sheets, settings.sheet.as_deref())?;
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| Error::invalid(format!("{name}: cannot read sheet {sheet:?}: {e}")))?;
    drop(workbook);
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let text_row = |cells: &[Data]| -> Vec<String> {
        let pad = std::iter::repeat_n(String::new(), first_column as usize);
        pad.chain(cells.iter().map(|c| cell_text(c).unwrap_or_else(|_| c.to_string()))).collect()
    };
    // The first rows, as (row number, cells), blank ones left out.
    let records: Vec<(u64, Vec<String>)> = range
        .rows()
        .enumerate()
        .map(|(i, cells)| (u64::from(first_row) + i as u64 + 1, text_row(cells)))
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .take(200)
        .collect();
    if records.is_empty() {
        return Err(Error::invalid(format!("{name}: sheet {sheet:?} is empty: there is nothing to import")));
    }
    let mut detected = Detected {
        // The reject file of a workbook is CSV: UTF-8 with a BOM, so that
        // a spreadsheet opens it right, and CRLF.
        encoding: Some(super::input::Encoding::Utf8Bom),
        guessed: false,
        // The mapping's delimiter, so that the reject file reads back
        // through the same mapping.
        delimiter: settings.delimiter.unwrap_or(b','),
        header_line: None,
        header: Vec::new(),
        preamble: Vec::new(),
        sample: Vec::new(),
        crlf: true,
        line_ends: "CRLF",
        sheet: Some(SheetRead { format, name: sheet, sheets, chosen: settings.sheet.is_some() }),
    };
    let (header_line, skip) = header_and_skip(name, &records, settings, || announce(&detected.line(None)))?;
    let row_cells = |row: u64| -> Vec<String> {
        row.checked_sub(u64::from(first_row) + 1)
            .and_then(|i| range.rows().nth(i as usize))
            .map(text_row)
            .unwrap_or_default()
    };
    if let Some(row) = header_line {
        detected.header = header_cells(row_cells(row).iter().map(String::as_str));
        if detected.header.is_empty() {
            detected.header_line = Some(row);
            announce(&detected.line(None));
            return Err(Error::invalid(format!(
                "{name}: sheet {:?}, row {row} (the header) is empty",
                detected_sheet(&detected)
            )));
        }
    }
    detected.preamble = (1..=skip).map(|row| csv_line(&row_cells(row), detected.delimiter)).collect();
    detected.header_line = header_line;
    detected.sample =
        records.iter().filter(|(row, _)| *row > header_line.unwrap_or(skip)).take(50).map(|(_, c)| c.clone()).collect();
    let next = (header_line.unwrap_or(skip)).saturating_sub(u64::from(first_row)) as usize;
    let rows = SheetRows { range, next, first_row, first_column, header: detected.header.clone() };
    Ok((detected, Rows::sheet(rows, tally)))
}

fn detected_sheet(detected: &Detected) -> &str {
    detected.sheet.as_ref().map_or("", |s| s.name.as_str())
}

/// The sheet named (exactly, else ignoring case and accents) or numbered
/// (from 1) by `wanted`; the first without.
fn choose_sheet(name: &str, sheets: &[String], wanted: Option<&str>) -> Result<String, Error> {
    let listed = || sheets.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
    let Some(wanted) = wanted.map(str::trim) else {
        return sheets.first().cloned().ok_or_else(|| Error::invalid(format!("{name} has no sheets")));
    };
    if let Some(sheet) =
        sheets.iter().find(|s| s.as_str() == wanted).or_else(|| sheets.iter().find(|s| fold(s) == fold(wanted)))
    {
        return Ok(sheet.clone());
    }
    if let Ok(n) = wanted.parse::<usize>() {
        return match n.checked_sub(1).and_then(|i| sheets.get(i)) {
            Some(sheet) => Ok(sheet.clone()),
            None => Err(Error::usage(format!(
                "{name} has {} sheet(s), so there is no sheet {n} (its sheets: {})",
                sheets.len(),
                listed()
            ))),
        };
    }
    Err(Error::usage(format!("{name} has no sheet {wanted:?} (its sheets: {}); give --sheet NAME or NUMBER", listed())))
}

/// Cells as one CSV line, for the lines above the header in a reject file.
fn csv_line(cells: &[String], delimiter: u8) -> String {
    let mut w =
        csv::WriterBuilder::new().delimiter(delimiter).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let trimmed = &cells[..cells.len() - cells.iter().rev().take_while(|c| c.is_empty()).count()];
    if trimmed.is_empty() {
        return String::new();
    }
    let _ = w.write_record(trimmed);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end_matches('\n').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_people_wrote_them() {
        assert_eq!(cell_text(&Data::Float(12.0)).unwrap(), "12");
        assert_eq!(cell_text(&Data::Float(0.5)).unwrap(), "0.5");
        assert_eq!(cell_text(&Data::Float(1e20)).unwrap(), "100000000000000000000");
        assert_eq!(cell_text(&Data::Float(1234567890123.0)).unwrap(), "1234567890123");
        assert_eq!(cell_text(&Data::String("00IC".into())).unwrap(), "00IC");
        assert_eq!(cell_text(&Data::DateTimeIso("2023-09-04T00:00:00".into())).unwrap(), "2023-09-04");
        assert_eq!(cell_text(&Data::DateTimeIso("2023-09-04T10:30:00".into())).unwrap(), "2023-09-04 10:30:00");
        let date = calamine::ExcelDateTime::new(45173.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)).unwrap(), "2023-09-04");
        let err = cell_text(&Data::Error(calamine::CellErrorType::Div0)).unwrap_err();
        assert!(err.contains("#DIV/0!"), "{err}");
    }

    #[test]
    fn sheets_by_name_or_number() {
        let sheets = vec!["Stages".to_string(), "Codes".to_string()];
        assert_eq!(choose_sheet("s.xlsx", &sheets, None).unwrap(), "Stages");
        assert_eq!(choose_sheet("s.xlsx", &sheets, Some("codes")).unwrap(), "Codes");
        assert_eq!(choose_sheet("s.xlsx", &sheets, Some("2")).unwrap(), "Codes");
        let err = choose_sheet("s.xlsx", &sheets, Some("3")).unwrap_err().message;
        assert_eq!(err, "s.xlsx has 2 sheet(s), so there is no sheet 3 (its sheets: \"Stages\", \"Codes\")");
        let err = choose_sheet("s.xlsx", &sheets, Some("Blad1")).unwrap_err().message;
        assert!(err.starts_with("s.xlsx has no sheet \"Blad1\" (its sheets: \"Stages\", \"Codes\")"), "{err}");
    }
}
