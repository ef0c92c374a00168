//! One renderer for every listing and record: a table for people, JSON and
//! CSV for scripts. Commands build a [`Listing`] or a [`Record`] of JSON
//! values and hand it here, so every command formats the same way and tests
//! can render into a buffer.

use std::io::Write;

use comfy_table::{Attribute, Cell, ContentArrangement, Table, presets};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Result;

/// How data is written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// A table for reading on a terminal
    #[default]
    Table,
    /// JSON with stable English field names
    Json,
    /// CSV with a header row, for spreadsheets and scripts
    Csv,
}

/// Whether to colour output.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

/// Rows with named columns. `table_columns` chooses which columns the table
/// shows (all when empty); JSON and CSV always carry every column.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub columns: Vec<String>,
    pub table_columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Listing {
    /// Rows from JSON objects; the columns are the keys of the first object
    /// (or `columns` when there are none, so an empty CSV still has a header).
    pub fn from_objects(objects: Vec<Map<String, Value>>, columns: &[&str], table_columns: &[&str]) -> Self {
        let columns: Vec<String> = match objects.first() {
            Some(first) => first.keys().cloned().collect(),
            None => columns.iter().map(|c| c.to_string()).collect(),
        };
        let rows = objects
            .into_iter()
            .map(|mut o| columns.iter().map(|c| o.remove(c).unwrap_or(Value::Null)).collect())
            .collect();
        Listing { columns, table_columns: table_columns.iter().map(|c| c.to_string()).collect(), rows }
    }

    /// Rows from serialisable values (structs become objects).
    pub fn from_serialize<T: Serialize>(items: &[T], columns: &[&str], table_columns: &[&str]) -> Result<Self> {
        let objects = items.iter().map(to_object).collect::<Result<Vec<_>>>()?;
        Ok(Self::from_objects(objects, columns, table_columns))
    }

    pub fn render(&self, format: Format, style: Style, out: &mut dyn Write) -> Result<()> {
        match format {
            Format::Json => {
                let array: Vec<Value> = self
                    .rows
                    .iter()
                    .map(|row| Value::Object(self.columns.iter().cloned().zip(row.iter().cloned()).collect()))
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &array)?;
                writeln!(out)?;
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&self.columns)?;
                for row in &self.rows {
                    w.write_record(row.iter().map(csv_text))?;
                }
                w.flush()?;
            }
            Format::Table => {
                let shown: Vec<usize> = if self.table_columns.is_empty() {
                    (0..self.columns.len()).collect()
                } else {
                    self.table_columns.iter().filter_map(|c| self.columns.iter().position(|x| x == c)).collect()
                };
                let mut table = new_table(style);
                table.set_header(shown.iter().map(|&i| header_cell(&self.columns[i], style)));
                for row in &self.rows {
                    table.add_row(shown.iter().map(|&i| Cell::new(table_text(&row[i]))));
                }
                writeln!(out, "{table}")?;
                let n = self.rows.len();
                writeln!(out, "{n} {}", if n == 1 { "record" } else { "records" })?;
            }
        }
        Ok(())
    }
}

/// One record: its fields, and sub-lists (such as a status history) that a
/// table shows below it.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub fields: Map<String, Value>,
    /// Field names whose values are arrays of objects, shown as sub-tables.
    pub sections: Vec<String>,
}

impl Record {
    pub fn new(fields: Map<String, Value>) -> Self {
        let sections = fields
            .iter()
            .filter(|(_, v)| matches!(v, Value::Array(items) if items.iter().any(Value::is_object)))
            .map(|(k, _)| k.clone())
            .collect();
        Record { fields, sections }
    }

    pub fn render(&self, format: Format, style: Style, out: &mut dyn Write) -> Result<()> {
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &self.fields)?;
                writeln!(out)?;
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(self.fields.keys())?;
                w.write_record(self.fields.values().map(csv_text))?;
                w.flush()?;
            }
            Format::Table => {
                let mut table = new_table(style);
                table.set_header([header_cell("field", style), header_cell("value", style)]);
                for (k, v) in self.fields.iter().filter(|(k, _)| !self.sections.contains(k)) {
                    table.add_row([Cell::new(k), Cell::new(table_text(v))]);
                }
                writeln!(out, "{table}")?;
                for name in &self.sections {
                    let Some(Value::Array(items)) = self.fields.get(name) else { continue };
                    let objects = items.iter().filter_map(|v| v.as_object().cloned()).collect();
                    writeln!(out, "\n{}:", name.replace('_', " "))?;
                    let listing = Listing::from_objects(objects, &[], &[]);
                    let mut sub = new_table(style);
                    sub.set_header(listing.columns.iter().map(|c| header_cell(c, style)));
                    for row in &listing.rows {
                        sub.add_row(row.iter().map(|v| Cell::new(table_text(v))));
                    }
                    writeln!(out, "{sub}")?;
                }
            }
        }
        Ok(())
    }
}

/// The format of an output: `--format` when given, else the one the output
/// file's extension names (`-o report.html`), else `default`. An extension
/// that names another format than `--format`, or none ipart can write, is
/// refused with the list, so `-o out.xlsx` never holds a text table.
/// `by_extension` pairs each extension (lower case, without the dot) with
/// its format; `name` gives a format's `--format` value.
pub fn choose_format<F: Copy + PartialEq>(
    flag: Option<F>,
    output: Option<&std::path::Path>,
    by_extension: &[(&str, F)],
    default: F,
    name: impl Fn(F) -> String,
) -> Result<F> {
    let Some(path) = output else { return Ok(flag.unwrap_or(default)) };
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    let known = by_extension.iter().find(|(ext, _)| Some(*ext) == extension.as_deref()).map(|(_, f)| *f);
    let accepted = || by_extension.iter().map(|(ext, _)| format!(".{ext}")).collect::<Vec<_>>().join(", ");
    match (flag, known, extension) {
        (Some(f), Some(k), Some(ext)) if f != k => Err(crate::error::Error::usage(format!(
            "--format {} does not match the extension of {} (.{ext} is written as --format {}); change one of them",
            name(f),
            path.display(),
            name(k)
        ))
        .into()),
        (Some(f), _, None) => Ok(f),
        (Some(f), Some(_), _) => Ok(f),
        (None, Some(k), _) => Ok(k),
        (None, None, None) => Ok(default),
        (_, None, Some(ext)) => Err(crate::error::Error::usage(format!(
            "{}: ipart cannot write .{ext} files here (it writes {}); choose one of those extensions, or a name without one",
            path.display(),
            accepted()
        ))
        .into()),
    }
}

pub fn to_object<T: Serialize>(value: &T) -> Result<Map<String, Value>> {
    match serde_json::to_value(value)? {
        Value::Object(map) => Ok(map),
        other => anyhow::bail!("expected an object, got {other}"),
    }
}

fn new_table(style: Style) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    if style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

fn header_cell(name: &str, style: Style) -> Cell {
    let cell = Cell::new(name);
    if style.color { cell.add_attribute(Attribute::Bold) } else { cell }
}

/// A number as people write it: 1700, not 1700.0.
pub fn number_text(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// A value as one CSV cell. Lists are joined with `|` and status histories
/// written `DATE=status`, as in the native import format.
pub fn csv_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => number_text(n),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Object(o) => o.values().map(csv_text).collect::<Vec<_>>().join("="),
                other => csv_text(other),
            })
            .collect::<Vec<_>>()
            .join("|"),
        Value::Object(o) => serde_json::to_string(o).unwrap_or_default(),
    }
}

/// A value as one table cell: lists joined with commas.
fn table_text(v: &Value) -> String {
    match v {
        Value::Array(items) if !items.iter().any(Value::is_object) => {
            items.iter().map(csv_text).collect::<Vec<_>>().join(", ")
        }
        other => csv_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn listing() -> Listing {
        let rows = vec![
            json!({"id": 1, "code": "00IC", "aliases": ["a", "b"], "value": 1700.0}),
            json!({"id": 2, "code": null, "aliases": [], "value": 75.5}),
        ];
        let objects = rows.into_iter().map(|v| v.as_object().unwrap().clone()).collect();
        Listing::from_objects(objects, &[], &["id", "code"])
    }

    #[test]
    fn csv_keeps_codes_as_text_and_joins_lists() {
        let mut out = Vec::new();
        listing().render(Format::Csv, Style::default(), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "id,code,aliases,value\n1,00IC,a|b,1700\n2,,,75.5\n");
    }

    #[test]
    fn json_keeps_column_order_and_types() {
        let mut out = Vec::new();
        listing().render(Format::Json, Style::default(), &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v[0]["code"], "00IC");
        assert_eq!(v[1]["code"], Value::Null);
        let text = String::from_utf8(out).unwrap();
        assert!(text.find("\"id\"").unwrap() < text.find("\"code\"").unwrap());
    }

    #[test]
    fn table_shows_chosen_columns_and_count() {
        let mut out = Vec::new();
        listing().render(Format::Table, Style::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("00IC") && !text.contains("aliases"), "{text}");
        assert!(text.ends_with("2 records\n"), "{text}");
    }

    #[test]
    fn the_extension_chooses_the_format_unless_it_contradicts_the_flag() {
        use std::path::Path;
        let table = [("json", Format::Json), ("csv", Format::Csv)];
        let name = |f: Format| format!("{f:?}").to_lowercase();
        let choose = |flag, path: Option<&str>| {
            choose_format(flag, path.map(Path::new), &table, Format::Table, name).map_err(|e| e.to_string())
        };
        assert_eq!(choose(None, None), Ok(Format::Table));
        assert_eq!(choose(Some(Format::Csv), None), Ok(Format::Csv));
        assert_eq!(choose(None, Some("out.JSON")), Ok(Format::Json));
        assert_eq!(choose(None, Some("out")), Ok(Format::Table));
        assert_eq!(choose(Some(Format::Csv), Some("out")), Ok(Format::Csv));
        assert_eq!(choose(Some(Format::Json), Some("x.json")), Ok(Format::Json));
        let clash = choose(Some(Format::Csv), Some("x.json")).unwrap_err();
        assert!(clash.contains("--format csv does not match") && clash.contains("--format json"), "{clash}");
        let unknown = choose(None, Some("x.pdf")).unwrap_err();
        assert!(unknown.contains(".pdf") && unknown.contains(".json, .csv"), "{unknown}");
        assert!(choose(Some(Format::Csv), Some("x.pdf")).is_err());
    }

    #[test]
    fn empty_csv_still_has_a_header() {
        let l = Listing::from_objects(vec![], &["id", "name"], &[]);
        let mut out = Vec::new();
        l.render(Format::Csv, Style::default(), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "id,name\n");
    }
}
