//! One renderer for every listing and record: a table for people, JSON,
//! CSV and Excel for scripts and spreadsheets. Commands build a
//! [`Listing`] or a [`Record`] of JSON values, or stream records through a
//! [`RowWriter`] and [`write_table`], so every command formats the same way
//! and tests can render into a buffer.
//!
//! Tables are for people: values by their names in the reader's language
//! (through [`Humanize`]), hidden characters escaped ([`text::shown`]),
//! plain aligned columns, fitted to a terminal's width. JSON and CSV are
//! for scripts: English field names and the stored codes.

pub mod table;
pub mod text;
pub mod xlsx;

use std::borrow::Cow;
use std::io::{IsTerminal, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Result;
use table::{Fit, Layout, Measure};
use xlsx::{XlsxCell, XlsxSheet};

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

/// The formats of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ListFormat {
    /// A table for people: names in the reader's language, fitted to a terminal
    #[default]
    Table,
    /// One JSON array of objects with stable English field names and codes
    Json,
    /// One JSON object per line
    Jsonl,
    /// CSV with a header row of field names, formulas neutralised
    Csv,
    /// An Excel workbook of one typed sheet (to a file, or a pipe)
    Xlsx,
}

impl ListFormat {
    /// The output file extensions of `list`, and what each writes.
    pub const EXTENSIONS: &'static [(&'static str, ListFormat)] = &[
        ("txt", ListFormat::Table),
        ("json", ListFormat::Json),
        ("jsonl", ListFormat::Jsonl),
        ("csv", ListFormat::Csv),
        ("xlsx", ListFormat::Xlsx),
    ];
}

/// A format's `--format` value ("jsonl").
pub fn format_name<F: clap::ValueEnum>(format: F) -> String {
    format.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default()
}

/// How output looks where it goes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    /// The width of the terminal the output goes to; `None` when it goes
    /// to a file or a pipe (tables are then written at full width).
    pub width: Option<usize>,
}

impl Style {
    /// The style of standard output: its terminal's width, if it is one.
    pub fn stdout(color: bool) -> Style {
        Style { color, width: terminal_width() }
    }
}

/// The width of the terminal on standard output: `COLUMNS` when set (as
/// shells do), else what the terminal says, else 80; `None` when standard
/// output is not a terminal.
pub fn terminal_width() -> Option<usize> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&c| c > 0);
    Some(columns.or_else(|| terminal_size::terminal_size_of(&stdout).map(|(w, _)| usize::from(w.0))).unwrap_or(80))
}

/// How values are named for people: column labels and the names of coded
/// values in the reader's language. The default names nothing: field names
/// and values as they are.
pub trait Humanize {
    /// The header of a column.
    fn label(&self, column: &str) -> String {
        column.to_string()
    }
    /// The name of a coded value of a column, when it has one.
    fn value_name(&self, _column: &str, _code: &str) -> Option<String> {
        None
    }
    fn yes_no(&self, value: bool) -> &'static str {
        if value { "true" } else { "false" }
    }
    /// The line under a table: "12 records".
    fn records(&self, n: u64) -> String {
        format!("{n} {}", if n == 1 { "record" } else { "records" })
    }
}

/// Field names and codes as they are.
pub struct Codes;

impl Humanize for Codes {}

/// Makes a text cell safe to open in a spreadsheet (a formula is
/// neutralised), or leaves it as it is.
pub type CellGuard = for<'a> fn(&'a str) -> Cow<'a, str>;

/// Leaves a cell as it is.
pub fn unguarded(cell: &str) -> Cow<'_, str> {
    Cow::Borrowed(cell)
}

/// A value as people read it: a coded value by its name, lists joined
/// with commas, yes and no.
pub fn human_text(human: &dyn Humanize, column: &str, value: &Value) -> String {
    match value {
        Value::String(s) => human.value_name(column, s).unwrap_or_else(|| s.clone()),
        Value::Bool(b) => human.yes_no(*b).to_string(),
        Value::Array(items) if !items.iter().any(Value::is_object) => {
            items.iter().map(|item| human_text(human, column, item)).collect::<Vec<_>>().join(", ")
        }
        other => csv_text(other),
    }
}

/// The cells of a table row: each value as people read it, hidden
/// characters escaped, and whether it is a number.
pub fn table_cells(record: &Map<String, Value>, columns: &[String], human: &dyn Humanize) -> Vec<(String, bool)> {
    columns
        .iter()
        .map(|c| match record.get(c) {
            Some(v) => (text::shown(&human_text(human, c, v)).into_owned(), v.is_number()),
            None => (String::new(), false),
        })
        .collect()
}

/// How a table is laid out: which columns may be shortened, and how it
/// meets the width of a terminal.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions<'a> {
    /// Per column: the width a text column may be shortened to.
    pub shrink_to: &'a [Option<usize>],
    pub fit: Fit<'a>,
    pub bold: bool,
    /// End with the count ("12 records").
    pub count: bool,
}

/// Rows fed to a table, as [`table_cells`] makes them. A table is fed
/// twice: once to size its columns, once to write them.
pub type RowSource<'s> = dyn FnMut(&mut dyn FnMut(Vec<(String, bool)>) -> Result<()>) -> Result<()> + 's;

/// Writes a table of `labels` from `rows`, then the count; returns it.
pub fn write_table(
    labels: Vec<String>,
    options: TableOptions,
    human: &dyn Humanize,
    rows: &mut RowSource,
    out: &mut dyn Write,
) -> Result<u64> {
    let mut measure = Measure::new(labels, options.shrink_to);
    rows(&mut |cells| {
        measure.add(&cells);
        Ok(())
    })?;
    let layout = Layout::new(&measure, options.fit, options.bold);
    layout.write_header(out)?;
    let mut written = 0u64;
    rows(&mut |cells| {
        // The same rows as measured; a row past that count is left out so
        // the count below stays true to the table.
        if written < measure.rows {
            let shown: Vec<&str> = layout.shown().iter().map(|&i| cells[i].0.as_str()).collect();
            layout.write_row(&shown, out)?;
            written += 1;
        }
        Ok(())
    })?;
    if options.count {
        writeln!(out, "{}", human.records(written))?;
    }
    Ok(written)
}

/// How a CSV listing is written.
#[derive(Clone, Copy)]
pub struct CsvOptions {
    pub delimiter: u8,
    /// Start with a UTF-8 byte-order mark (Excel needs it to read UTF-8).
    pub bom: bool,
    /// Applied to every text cell: neutralises formulas for a spreadsheet.
    pub guard: CellGuard,
    /// Column labels and value names for people (`--excel`), instead of
    /// field names and codes.
    pub human: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions { delimiter: b',', bom: false, guard: unguarded, human: false }
    }
}

/// Writes records one at a time as JSON, JSON Lines, CSV or an Excel
/// sheet, so that a listing of any length takes the same memory.
pub struct RowWriter<'a> {
    columns: Vec<String>,
    human: &'a dyn Humanize,
    sink: Sink<'a>,
    count: u64,
}

// One per command: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Sink<'a> {
    Json(&'a mut dyn Write),
    Jsonl(&'a mut dyn Write),
    /// The header is written with the first row (or at the end), so that
    /// a listing refused before its first row writes nothing.
    Csv {
        pending: Option<&'a mut dyn Write>,
        writer: Option<csv::Writer<&'a mut dyn Write>>,
        options: CsvOptions,
    },
    Xlsx {
        sheet: XlsxSheet,
        out: &'a mut dyn Write,
        human: bool,
        date: fn(&str) -> bool,
    },
}

impl<'a> RowWriter<'a> {
    /// A JSON array, one object per record, laid out as `--format json`
    /// always was (pretty-printed).
    pub fn json(out: &'a mut dyn Write, columns: Vec<String>) -> Self {
        RowWriter { columns, human: &Codes, sink: Sink::Json(out), count: 0 }
    }

    pub fn jsonl(out: &'a mut dyn Write, columns: Vec<String>) -> Self {
        RowWriter { columns, human: &Codes, sink: Sink::Jsonl(out), count: 0 }
    }

    /// CSV with a header row; `human` names the columns and values when
    /// `options.human` asks for it.
    pub fn csv(
        out: &'a mut dyn Write,
        columns: Vec<String>,
        options: CsvOptions,
        human: &'a dyn Humanize,
    ) -> Result<Self> {
        let sink = Sink::Csv { pending: Some(out), writer: None, options };
        Ok(RowWriter { columns, human, sink, count: 0 })
    }

    /// The CSV writer, with the byte-order mark and header written first.
    fn csv_started<'w>(
        pending: &mut Option<&'a mut dyn Write>,
        writer: &'w mut Option<csv::Writer<&'a mut dyn Write>>,
        options: &CsvOptions,
        columns: &[String],
        human: &dyn Humanize,
    ) -> Result<&'w mut csv::Writer<&'a mut dyn Write>> {
        if let Some(out) = pending.take() {
            if options.bom {
                out.write_all(b"\xEF\xBB\xBF")?;
            }
            let mut w = csv::WriterBuilder::new().delimiter(options.delimiter).from_writer(out);
            let header = columns
                .iter()
                .map(|c| if options.human { (options.guard)(&human.label(c)).into_owned() } else { c.clone() });
            w.write_record(header)?;
            *writer = Some(w);
        }
        writer.as_mut().ok_or_else(|| anyhow::anyhow!("the CSV writer was not started"))
    }

    /// An Excel sheet named `sheet`. With `human`, headers are labels and
    /// values names (for people); else field names and codes. Columns for
    /// which `date` holds are written as dates.
    pub fn xlsx(
        out: &'a mut dyn Write,
        sheet: &str,
        columns: Vec<String>,
        human: Option<&'a dyn Humanize>,
        date: fn(&str) -> bool,
    ) -> Result<Self> {
        let labels: Vec<String> = match human {
            Some(h) => columns.iter().map(|c| h.label(c)).collect(),
            None => columns.clone(),
        };
        let sheet = XlsxSheet::new(sheet, &labels)?;
        let sink = Sink::Xlsx { sheet, out, human: human.is_some(), date };
        Ok(RowWriter { columns, human: human.unwrap_or(&Codes), sink, count: 0 })
    }

    /// Writes one record: its values of the writer's columns.
    pub fn write(&mut self, record: &Map<String, Value>) -> Result<()> {
        let value = |c: &String| record.get(c).unwrap_or(&Value::Null);
        match &mut self.sink {
            Sink::Json(out) => {
                let object: Map<String, Value> = self.columns.iter().map(|c| (c.clone(), value(c).clone())).collect();
                let text = serde_json::to_string_pretty(&object)?;
                out.write_all(if self.count == 0 { b"[\n  " } else { b",\n  " })?;
                // Indented one level, as the element of a pretty array is (a
                // line break inside a JSON string is written \n: no line of
                // the value itself is touched).
                out.write_all(text.replace('\n', "\n  ").as_bytes())?;
            }
            Sink::Jsonl(out) => {
                let object: Map<String, Value> = self.columns.iter().map(|c| (c.clone(), value(c).clone())).collect();
                let mut line = serde_json::to_vec(&object)?;
                line.push(b'\n');
                out.write_all(&line)?;
            }
            Sink::Csv { pending, writer, options } => {
                let w = Self::csv_started(pending, writer, options, &self.columns, self.human)?;
                let cells = self.columns.iter().map(|c| {
                    let v = value(c);
                    let text = if options.human { human_text(self.human, c, v) } else { csv_text(v) };
                    if v.is_number() { text } else { (options.guard)(&text).into_owned() }
                });
                w.write_record(cells)?;
            }
            Sink::Xlsx { sheet, human, date, .. } => {
                let texts: Vec<(String, &Value)> = self
                    .columns
                    .iter()
                    .map(|c| {
                        let v = value(c);
                        (if *human { human_text(self.human, c, v) } else { csv_text(v) }, v)
                    })
                    .collect();
                let cells: Vec<XlsxCell> = self
                    .columns
                    .iter()
                    .zip(&texts)
                    .map(|(c, (text, v))| match v {
                        Value::Null => XlsxCell::Empty,
                        Value::Number(n) => n.as_f64().map_or(XlsxCell::Text(Cow::Borrowed(text)), XlsxCell::Number),
                        Value::Bool(b) if !*human => XlsxCell::Bool(*b),
                        Value::String(_) if date(c) => XlsxCell::date_or_text(text),
                        _ => XlsxCell::Text(Cow::Borrowed(text)),
                    })
                    .collect();
                sheet.row(&cells)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the output; returns how many records were written.
    pub fn finish(self) -> Result<u64> {
        match self.sink {
            Sink::Json(out) => out.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?,
            Sink::Jsonl(_) => {}
            Sink::Csv { mut pending, mut writer, options } => {
                Self::csv_started(&mut pending, &mut writer, &options, &self.columns, self.human)?.flush()?
            }
            Sink::Xlsx { sheet, out, .. } => {
                sheet.finish(out)?;
            }
        }
        Ok(self.count)
    }
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
                let labels = shown.iter().map(|&i| self.columns[i].clone()).collect();
                let options = TableOptions { shrink_to: &[], fit: Fit::Full, bold: style.color, count: true };
                write_table(
                    labels,
                    options,
                    &Codes,
                    &mut |each| {
                        for row in &self.rows {
                            let cells = shown
                                .iter()
                                .map(|&i| {
                                    let v = &row[i];
                                    (text::shown(&human_text(&Codes, &self.columns[i], v)).into_owned(), v.is_number())
                                })
                                .collect();
                            each(cells)?;
                        }
                        Ok(())
                    },
                    out,
                )?;
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

    /// Writes the record; a table names fields and values through `human`,
    /// a CSV passes every text cell through `guard`.
    pub fn render(
        &self,
        format: Format,
        style: Style,
        human: &dyn Humanize,
        guard: CellGuard,
        out: &mut dyn Write,
    ) -> Result<()> {
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &self.fields)?;
                writeln!(out)?;
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(self.fields.keys())?;
                w.write_record(self.fields.values().map(|v| {
                    let text = csv_text(v);
                    if v.is_number() { text } else { guard(&text).into_owned() }
                }))?;
                w.flush()?;
            }
            Format::Table => self.render_table(style, human, out)?,
        }
        Ok(())
    }

    fn render_table(&self, style: Style, human: &dyn Humanize, out: &mut dyn Write) -> Result<()> {
        let fields: Vec<(&String, &Value)> = self.fields.iter().filter(|(k, _)| !self.sections.contains(k)).collect();
        let options = TableOptions { shrink_to: &[], fit: Fit::Full, bold: style.color, count: false };
        let labels = vec![human.label("field"), human.label("value")];
        let mut measure = Measure::new(labels, options.shrink_to);
        let cells = |(k, v): &(&String, &Value)| {
            vec![
                (text::shown(&human.label(k)).into_owned(), false),
                (text::shown(&human_text(human, k, v)).into_owned(), false),
            ]
        };
        fields.iter().for_each(|f| measure.add(&cells(f)));
        let layout = Layout::new(&measure, options.fit, options.bold);
        layout.write_header(out)?;
        for f in &fields {
            let row: Vec<String> = cells(f).into_iter().map(|(t, _)| t).collect();
            layout.write_row(&row, out)?;
        }
        for name in &self.sections {
            let Some(Value::Array(items)) = self.fields.get(name) else { continue };
            let objects: Vec<Map<String, Value>> = items.iter().filter_map(|v| v.as_object().cloned()).collect();
            let columns: Vec<String> = objects.first().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            writeln!(out, "\n{}:", human.label(name))?;
            write_table(
                columns.iter().map(|c| human.label(c)).collect(),
                options,
                human,
                &mut |each| objects.iter().try_for_each(|o| each(table_cells(o, &columns, human))),
                out,
            )?;
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

    fn records() -> Vec<Map<String, Value>> {
        let rows = [
            json!({"id": 1, "name": "two\nlines \"quoted\"", "tags": ["a", "b"], "since": "2023-09-01"}),
            json!({"id": 2, "name": "=1+1", "tags": [], "since": null}),
        ];
        rows.into_iter().map(|v| v.as_object().unwrap().clone()).collect()
    }

    fn columns() -> Vec<String> {
        ["id", "name", "tags", "since"].map(String::from).to_vec()
    }

    #[test]
    fn streamed_json_is_what_a_pretty_array_was() {
        for rows in [records(), vec![]] {
            let mut out = Vec::new();
            let mut writer = RowWriter::json(&mut out, columns());
            rows.iter().for_each(|r| writer.write(r).unwrap());
            assert_eq!(writer.finish().unwrap(), rows.len() as u64);
            let mut expected = serde_json::to_vec_pretty(&rows).unwrap();
            expected.push(b'\n');
            assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(expected).unwrap());
        }
    }

    #[test]
    fn streamed_csv_guards_text_cells_and_names_for_people() {
        fn guard(cell: &str) -> Cow<'_, str> {
            if cell.starts_with('=') { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
        }
        struct Dutch;
        impl Humanize for Dutch {
            fn label(&self, column: &str) -> String {
                if column == "name" { "naam".into() } else { column.into() }
            }
        }
        let mut out = Vec::new();
        let options = CsvOptions { guard, ..CsvOptions::default() };
        let mut writer = RowWriter::csv(&mut out, columns(), options, &Codes).unwrap();
        records().iter().for_each(|r| writer.write(r).unwrap());
        writer.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id,name,tags,since\n1,\"two\nlines \"\"quoted\"\"\",a|b,2023-09-01\n2,'=1+1,,\n"
        );
        let mut out = Vec::new();
        let options = CsvOptions { delimiter: b';', bom: true, guard, human: true };
        let mut writer = RowWriter::csv(&mut out, columns(), options, &Dutch).unwrap();
        records().iter().for_each(|r| writer.write(r).unwrap());
        writer.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\u{feff}id;naam;tags;since\n"), "{text}");
        assert!(text.contains(";a, b;"), "lists read as a list: {text}");
    }

    #[test]
    fn empty_csv_still_has_a_header() {
        let l = Listing::from_objects(vec![], &["id", "name"], &[]);
        let mut out = Vec::new();
        l.render(Format::Csv, Style::default(), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "id,name\n");
    }
}
