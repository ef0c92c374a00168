//! `ipart mapping check`: how a mapping reads a file, without writing
//! anything. Every column of the file is shown with the field it fills (or
//! that it is ignored, or left out unawares); every column the mapping
//! names that the file lacks; and every value that does not map yet — a
//! vocabulary value the mapping does not translate, a date not in the
//! mapping's format, a value left `""`, a partner or theme the registry
//! does not know — with how often it occurs and the first lines it is on.

use std::collections::BTreeMap;
use std::io::Read;

use super::fields::{CellProblem, Layout, REJECT_COLUMN, unmapped_columns};
use super::input::{self, Encoding, HeaderHint, Settings};
use super::mapping::{Column, Mapping};
use super::synonyms::{Accepted, accepted};
use crate::domain::Sector;
use crate::domain::names::fold;
use crate::error::Error;
use crate::native::{Catalog, Fields, Kind};

/// Lines shown per value that does not map.
const LINES_SHOWN: usize = 5;

/// What the command line says about reading the file, over the mapping.
#[derive(Default)]
pub struct Overrides {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    pub skip_lines: Option<usize>,
    pub sheet: Option<String>,
}

/// The outcome: the report to print, and how many columns and values are
/// left to map.
pub struct Checked {
    pub report: String,
    pub columns_left: usize,
    pub values_left: usize,
}

/// One value that does not map, and where.
#[derive(Default)]
struct Occurrences {
    rows: u64,
    lines: Vec<u64>,
}

/// Checks `mapping` against the file `open` reads; `catalog` (when a
/// registry is at hand) checks partners and themes too.
pub fn check(
    kind: Kind,
    mapping: &Mapping,
    name: &str,
    open: &dyn Fn() -> Result<Box<dyn Read + Send>, Error>,
    over: &Overrides,
    catalog: Option<&Catalog>,
) -> Result<Checked, Error> {
    let names: Vec<String> = mapping
        .fields
        .iter()
        .filter_map(|f| match &f.column {
            Column::Name(n) => Some(n.clone()),
            Column::Position(_) => None,
        })
        .collect();
    let mut settings = Settings {
        encoding: over.encoding.or(mapping.encoding),
        delimiter: over.delimiter.or(mapping.delimiter),
        skip_lines: over.skip_lines.or(mapping.skip_lines),
        header: mapping.header,
        hint: HeaderHint::Names(names),
        sheet: over.sheet.clone().or_else(|| mapping.sheet.clone()),
    };
    // A file whose header lacks a column of the mapping is still checked,
    // at its likeliest header, so that every missing column is shown.
    let (detected, mut rows) = match input::open(open()?, name, &settings) {
        Ok(opened) => opened,
        Err(e) if e.message.contains("no line in the first 64 KB holds the columns") => {
            settings.hint = HeaderHint::Likeliest;
            input::open(open()?, name, &settings)?
        }
        Err(e) => return Err(e),
    };
    let header = &detected.header;
    let width = detected.sample.iter().map(Vec::len).max().unwrap_or(0).max(header.len());
    let mut report = format!("{name}: {}\n", detected.line(None));
    let (present, missing) = split_rules(mapping, header, width);
    report.push_str(&columns_section(mapping, &present, header));
    let unmapped = unmapped_columns(mapping, header);
    let columns_left = unmapped.len() + missing.len();
    if !missing.is_empty() {
        report.push_str("\ncolumns the mapping names that the file lacks:\n");
        for (field, column) in &missing {
            report.push_str(&format!("  {field} <- {}\n", column.label()));
        }
    }
    let layout = Layout::mapped(kind, &present, header, width, name)?;
    let mut problems: BTreeMap<(String, String), Occurrences> = BTreeMap::new();
    let mut note = |key: (String, String), line: u64| {
        let o = problems.entry(key).or_default();
        o.rows += 1;
        if o.lines.len() < LINES_SHOWN {
            o.lines.push(line);
        }
    };
    let mut cells = Vec::new();
    let mut fields = Fields::new();
    let mut count = 0u64;
    loop {
        let (line, record) = match rows.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) if e.fatal => return Err(Error::invalid(format!("{}{}", detected.at(name, e.line), e.message))),
            Err(e) => {
                note(("row".into(), e.message), e.line);
                continue;
            }
        };
        count += 1;
        cells.clear();
        layout.fields_into(record, &mut cells, &mut fields);
        for CellProblem { label, message } in cells.drain(..) {
            note((label, message), line);
        }
        for rule in &present.fields {
            let Some(cell) = layout.cell_of(rule.field) else { continue };
            let raw = record.get(cell).unwrap_or("").trim();
            for message in unknown_values(kind, rule.field, &fields, catalog) {
                note((rule.column.label(), format!("{raw:?}: {message} ({})", rule.field)), line);
            }
        }
    }
    let values_left = problems.len();
    if !problems.is_empty() {
        report.push_str("\nvalues that do not map yet:\n");
        for ((label, message), o) in &problems {
            let lines: Vec<String> = o.lines.iter().map(u64::to_string).collect();
            let more = if o.rows as usize > o.lines.len() { ", ..." } else { "" };
            let line_word = match (detected.sheet.is_some(), o.lines.len() == 1) {
                (true, true) => "row",
                (true, false) => "rows",
                (false, true) => "line",
                (false, false) => "lines",
            };
            let rows = if o.rows == 1 { "1 row".to_string() } else { format!("{} rows", o.rows) };
            report.push_str(&format!("  {label}: {message}; {rows} ({line_word} {}{more})\n", lines.join(", ")));
        }
    }
    if catalog.is_none() {
        report.push_str("\n(no registry at hand: partner names and themes were not checked; give --db or --demo)\n");
    }
    report.push_str(&format!(
        "\n{} rows read: {}\n",
        crate::import::thousands(count),
        match (columns_left, values_left) {
            (0, 0) => "every column and value maps".to_string(),
            (c, v) => format!("{c} column(s) and {v} value(s) left to map"),
        }
    ));
    Ok(Checked { report, columns_left, values_left })
}

/// The mapping with only the fields whose columns the file has, and the
/// (field, column) of the others.
fn split_rules(mapping: &Mapping, header: &[String], width: usize) -> (Mapping, Vec<(&'static str, Column)>) {
    let mut present = mapping.clone();
    let mut missing = Vec::new();
    present.fields.retain(|rule| {
        let found = match &rule.column {
            Column::Position(p) => *p <= width,
            Column::Name(n) => header.iter().any(|h| h.trim() == n.trim() || fold(h) == fold(n)),
        };
        if !found {
            missing.push((rule.field, rule.column.clone()));
        }
        found
    });
    (present, missing)
}

/// Each column of the file and what becomes of it.
fn columns_section(mapping: &Mapping, present: &Mapping, header: &[String]) -> String {
    let mut out = String::from("\ncolumns:\n");
    let widest = header.iter().map(|h| h.chars().count()).max().unwrap_or(0).min(40);
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() || h == REJECT_COLUMN {
            continue;
        }
        let fields: Vec<&str> = present
            .fields
            .iter()
            .filter(|r| match &r.column {
                Column::Name(n) => n.trim() == h.trim() || fold(n) == fold(h),
                Column::Position(p) => *p == i + 1,
            })
            .map(|r| r.field)
            .collect();
        let what = if !fields.is_empty() {
            format!("-> {}", fields.join(", "))
        } else if mapping.ignore.iter().any(|n| fold(n) == fold(h)) {
            "ignored".to_string()
        } else {
            "NOT MAPPED: neither a field nor in ignore = [...]".to_string()
        };
        let quoted = format!("{h:?}");
        out.push_str(&format!("  {:<w$}  {what}\n", quoted, w = widest + 2));
    }
    out
}

/// Why the value of `field` does not map, for each of its items that does
/// not: not one of a closed list, or unknown to the registry.
fn unknown_values(kind: Kind, field: &'static str, fields: &Fields, catalog: Option<&Catalog>) -> Vec<String> {
    let items = fields.list(field);
    let mut out = Vec::new();
    match accepted(kind, field) {
        Some(Accepted::Closed { codes, read }) => {
            for item in items {
                if read(item).is_none() {
                    out.push(format!("not one of {}: give what it means under [values.{field}]", codes.join(", ")));
                }
            }
        }
        Some(Accepted::Themes) => {
            if let Some(catalog) = catalog {
                for item in items {
                    if !matches!(catalog.themes.find(item, crate::store::lookup::Written::InFile), Ok(Some(_))) {
                        out.push(format!("not a theme of the registry: give its code under [values.{field}]"));
                    }
                }
            }
        }
        None => {
            let sector = match field {
                "government_partner" => Some(Sector::Government),
                "education_partner" => Some(Sector::Education),
                _ => None,
            };
            if let (Some(sector), Some(catalog)) = (sector, catalog) {
                for item in items {
                    if let Err(e) = catalog.partners.resolve_in(item, sector, crate::store::lookup::Written::InFile) {
                        out.push(format!("{}: give the registry's name under [partner_aliases]", e.message));
                    }
                }
            }
        }
    }
    out
}
