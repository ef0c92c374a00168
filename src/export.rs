//! Export: records in the native format, for scripts, spreadsheets and
//! `ipart import`. CSV has the native columns (`Kind::columns`) in a stable
//! order and is what the importer reads; JSON and JSON Lines add the
//! registry id and keep lists and histories as arrays; an Excel sheet has
//! the CSV's columns with numbers and dates typed. Rows come in the
//! order `list` gives, streamed from the registry.
//!
//! A CSV for a spreadsheet must not carry live formulas: there, a cell
//! starting with `=`, `+`, `-`, `@`, tab or CR gets a `'` in front. The
//! native import removes that `'` again, so both forms import exactly as
//! they were exported; the plain form escapes only the rare cell that
//! already starts with `'` before such a character, so a round trip is
//! exact for every value.

use std::io::Write;

use rusqlite::Connection;
use serde_json::{Map, Value, json};

use crate::domain::Date;
use crate::error::Result;
use crate::import::fields::needs_quote_prefix;
use crate::native::Kind;
use crate::native::build::history_table;
use crate::native::record::{self, ListFilter, is_date_field};
use crate::output::{Codes, CsvOptions, RowWriter};
use crate::store::batch::history_pairs;

/// The formats `ipart export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExportFormat {
    /// Native CSV: the columns `ipart import` reads
    #[default]
    Csv,
    /// One JSON array of objects
    Json,
    /// One JSON object per line
    Jsonl,
    /// An Excel workbook: the CSV's columns in one typed sheet (to a file, or a pipe)
    Xlsx,
}

impl ExportFormat {
    /// The output file extensions of `export`, and what each writes.
    pub const EXTENSIONS: &'static [(&'static str, ExportFormat)] = &[
        ("csv", ExportFormat::Csv),
        ("json", ExportFormat::Json),
        ("jsonl", ExportFormat::Jsonl),
        ("xlsx", ExportFormat::Xlsx),
    ];
}

/// How a CSV is written.
#[derive(Debug, Clone, Copy)]
pub struct CsvStyle {
    pub delimiter: u8,
    /// Start with a UTF-8 byte-order mark (Excel needs it to read UTF-8).
    pub bom: bool,
    /// Neutralise formulas, for a spreadsheet.
    pub spreadsheet: bool,
}

impl Default for CsvStyle {
    fn default() -> Self {
        CsvStyle { delimiter: b',', bom: false, spreadsheet: false }
    }
}

/// A cell as written: neutralised for a spreadsheet, or escaped only where
/// the importer would otherwise read it differently.
pub fn cell(value: &str, spreadsheet: bool) -> std::borrow::Cow<'_, str> {
    let escape = needs_quote_prefix(value) && (spreadsheet || value.starts_with('\''));
    if escape { format!("'{value}").into() } else { value.into() }
}

/// A cell made safe for a spreadsheet: a formula gets a `'` in front.
pub fn spreadsheet_cell(value: &str) -> std::borrow::Cow<'_, str> {
    cell(value, true)
}

/// A cell as the importer reads it back exactly.
fn exact_cell(value: &str) -> std::borrow::Cow<'_, str> {
    cell(value, false)
}

/// Writes the records of `kind` that pass `filter`; returns how many.
pub fn export(
    conn: &Connection,
    kind: Kind,
    filter: &ListFilter,
    today: Date,
    format: ExportFormat,
    style: CsvStyle,
    out: &mut dyn Write,
) -> Result<u64> {
    let columns = kind.columns();
    let history = history_table(kind);
    let mut count = 0u64;
    match format {
        ExportFormat::Csv | ExportFormat::Xlsx => {
            let names: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
            let mut writer = if format == ExportFormat::Csv {
                let guard = if style.spreadsheet { spreadsheet_cell } else { exact_cell };
                let options = CsvOptions { delimiter: style.delimiter, bom: style.bom, guard, human: false };
                RowWriter::csv(out, names, options, &Codes)?
            } else {
                RowWriter::xlsx(out, kind.file_name().trim_end_matches(".csv"), names, None, is_date_field)?
            };
            record::visit(conn, kind, filter, today, &mut |mut record| {
                if let Some(table) = history {
                    let text = history_text(conn, table, &record)?;
                    record.insert("status_history".into(), Value::String(text));
                }
                writer.write(&record)
            })?;
            count = writer.finish()?;
        }
        ExportFormat::Json | ExportFormat::Jsonl => {
            let lines = format == ExportFormat::Jsonl;
            record::visit(conn, kind, filter, today, &mut |record| {
                let mut object = Map::new();
                if let Some(id) = record.get("id") {
                    object.insert("id".into(), id.clone());
                }
                for column in columns {
                    let value = match (*column, history) {
                        ("status_history", Some(table)) => {
                            let pairs = history_pairs(conn, table, id_of(&record))?;
                            Value::Array(
                                pairs
                                    .into_iter()
                                    .map(|(since, status)| json!({"since": since, "status": status}))
                                    .collect(),
                            )
                        }
                        _ => record.get(*column).cloned().unwrap_or(Value::Null),
                    };
                    object.insert(column.to_string(), value);
                }
                let text = serde_json::to_string(&object)?;
                // "[" comes with the first record, so a listing refused
                // before it writes nothing.
                match (lines, count) {
                    (true, _) => writeln!(out, "{text}")?,
                    (false, 0) => write!(out, "[\n  {text}")?,
                    (false, _) => write!(out, ",\n  {text}")?,
                }
                count += 1;
                Ok(())
            })?;
            if !lines {
                out.write_all(if count == 0 { b"[]\n" } else { b"\n]\n" })?;
            }
        }
    }
    Ok(count)
}

fn id_of(record: &Map<String, Value>) -> i64 {
    record.get("id").and_then(Value::as_i64).unwrap_or_default()
}

/// `DATE=status|DATE=status`, as native files hold a history.
fn history_text(
    conn: &Connection,
    table: crate::store::history::HistoryTable,
    record: &Map<String, Value>,
) -> Result<String> {
    let pairs = history_pairs(conn, table, id_of(record))?;
    Ok(pairs.iter().map(|(since, status)| format!("{since}={status}")).collect::<Vec<_>>().join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_neutralised_only_for_spreadsheets() {
        assert_eq!(cell("=SUM(A1)", true), "'=SUM(A1)");
        assert_eq!(cell("=SUM(A1)", false), "=SUM(A1)");
        assert_eq!(cell("-5", true), "'-5");
        assert_eq!(cell("'=x", false), "''=x");
        assert_eq!(cell("'plain", true), "'plain");
        assert_eq!(cell("Hanze", true), "Hanze");
    }
}
