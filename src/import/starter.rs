//! `ipart mapping new`: a starter mapping for an export ipart has not seen.
//! The file is read as an import would read it (encoding, delimiter, header
//! line, sheet); each column is matched to its likeliest field by the
//! header words of `synonyms`; the date style is found from the date
//! columns; and each vocabulary column's values are listed under
//! `[values.FIELD]`, those the registry already understands filled in, the
//! others left `""` with the accepted values beside them. What remains is
//! to fill in those blanks.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::input::{Detected, Rows};
use super::mapping::{DateFormat, is_date_field, native_fields};
use super::synonyms::{Accepted, accepted, is_list, match_columns};
use crate::error::Error;
use crate::native::Kind;

/// Distinct values listed per column, at most.
const MAX_VALUES: usize = 200;

/// The date formats tried, in order: day first before month first.
const DATE_FORMATS: [&str; 7] =
    ["dd-mm-yyyy", "dd/mm/yyyy", "dd.mm.yyyy", "yyyymmdd", "dd-mm-yy", "dd/mm/yy", "mm/dd/yyyy"];

/// What the starter needs to know besides the file.
pub struct Context<'a> {
    pub kind: Kind,
    /// The file as named on the command line.
    pub name: &'a str,
    /// The registry's theme codes and what names them, when a registry was
    /// at hand.
    pub themes: Option<(Vec<String>, &'a crate::store::lookup::NameIndex)>,
    /// Lines or rows given with `--skip-lines`, to say so in the mapping.
    pub skip_lines_given: bool,
}

/// What the file's columns hold, read to its end.
struct Seen {
    /// Per column: distinct values (trimmed) and how often each occurs.
    values: Vec<BTreeMap<String, u64>>,
    /// Per column: more distinct values than listed.
    more: Vec<bool>,
    rows: u64,
}

/// Writes the starter mapping for the file `detected` and `rows` describe.
pub fn starter(ctx: &Context, detected: &Detected, mut rows: Rows) -> Result<String, Error> {
    let header = &detected.header;
    let fields = match_columns(ctx.kind, header);
    let wanted: Vec<bool> =
        fields.iter().map(|f| f.is_some_and(|f| accepted(ctx.kind, f).is_some() || is_date_field(f))).collect();
    let mut seen = Seen { values: vec![BTreeMap::new(); header.len()], more: vec![false; header.len()], rows: 0 };
    while let Some((_, record)) =
        rows.next_row().map_err(|e| Error::invalid(format!("{}{}", detected.at(ctx.name, e.line), e.message)))?
    {
        seen.rows += 1;
        for (cell, value) in record.iter().enumerate().take(header.len()) {
            let value = value.trim();
            if !wanted[cell] || value.is_empty() {
                continue;
            }
            let values = &mut seen.values[cell];
            let full = values.len() >= MAX_VALUES;
            match values.get_mut(value) {
                Some(n) => *n += 1,
                None if !full => {
                    values.insert(value.to_string(), 1);
                }
                None => seen.more[cell] = true,
            }
        }
    }
    let mut out = String::new();
    preamble(&mut out, ctx, detected, &seen);
    if let Some(line) = ignore_line(header, &fields) {
        let _ = writeln!(out, "\n{line}");
    }
    let date_format = date_format(&fields, &seen);
    file_table(&mut out, ctx, detected, date_format);
    fields_table(&mut out, ctx, header, &fields);
    constants_table(&mut out, ctx, &fields, &seen);
    values_tables(&mut out, ctx, header, &fields, &seen);
    Ok(out)
}

/// A TOML string, quoted and escaped.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn preamble(out: &mut String, ctx: &Context, detected: &Detected, seen: &Seen) {
    let plural = ctx.kind.file_name().trim_end_matches(".csv");
    let stem = std::path::Path::new(ctx.name).file_stem().map_or("source".into(), |s| s.to_string_lossy());
    let _ = writeln!(out, "# A starter mapping for {} ({} rows), written by `ipart mapping new`.", ctx.name, seen.rows);
    let _ = writeln!(out, "# Read as: {}.", detected.line(None));
    let _ = writeln!(out, "# Check each column below, fill in every \"\" under [values.*], then see what is left with");
    let _ = writeln!(out, "#   ipart mapping check THIS.toml {}", ctx.name);
    let _ = writeln!(out, "# and import with");
    let _ = writeln!(out, "#   ipart import {plural} {} --map THIS.toml --dry-run", ctx.name);
    let _ = writeln!(out);
    let _ = writeln!(out, "kind = {}", quoted(ctx.kind.name()));
    let _ = writeln!(out, "source = {}                # the system the file comes from", quoted(&stem));
}

/// The format every date of the date columns is in, when it is not ISO.
fn date_format(fields: &[Option<&'static str>], seen: &Seen) -> Option<&'static str> {
    let dates: Vec<&str> = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_some_and(is_date_field))
        .flat_map(|(cell, _)| seen.values[cell].keys().map(String::as_str))
        .filter(|v| !is_iso(v))
        .collect();
    if dates.is_empty() {
        return None;
    }
    DATE_FORMATS.into_iter().find(|f| {
        let format = DateFormat::parse(f).expect("the formats tried are valid");
        dates.iter().all(|d| format.read(d).is_some())
    })
}

fn is_iso(v: &str) -> bool {
    DateFormat::parse("yyyy-mm-dd").ok().and_then(|f| f.read(v)).is_some()
}

fn file_table(out: &mut String, ctx: &Context, detected: &Detected, date_format: Option<&str>) {
    let _ = writeln!(out, "\n[file]");
    if let Some(sheet) = &detected.sheet {
        let _ = writeln!(out, "sheet = {}", quoted(&sheet.name));
    } else {
        match detected.encoding {
            Some(e) => {
                let _ = writeln!(out, "encoding = {}", quoted(&e.label()));
            }
            None => {
                let _ = writeln!(out, "# encoding: ASCII in the part read, so left to detection");
            }
        }
        let delimiter = match detected.delimiter {
            b'\t' => "tab".to_string(),
            d => (d as char).to_string(),
        };
        let _ = writeln!(out, "delimiter = {}", quoted(&delimiter));
    }
    match detected.header_line {
        Some(line) => {
            let what = if detected.sheet.is_some() { "rows" } else { "lines" };
            let comment = if ctx.skip_lines_given { "given" } else { "found" };
            let _ = writeln!(out, "skip_lines = {}                 # {what} above the header ({comment})", line - 1);
        }
        None => {
            let _ = writeln!(out, "header = false");
        }
    }
    match date_format {
        Some(f) => {
            let _ = writeln!(out, "date_format = {}", quoted(f));
        }
        None => {
            let _ = writeln!(out, "# date_format: the dates are ISO (yyyy-mm-dd), or there are none");
        }
    }
}

fn fields_table(out: &mut String, ctx: &Context, header: &[String], fields: &[Option<&'static str>]) {
    let _ = writeln!(out, "\n[fields]                         # native field = the column it comes from");
    for (cell, field) in fields.iter().enumerate() {
        if let Some(field) = field {
            let _ = writeln!(out, "{field} = {}", quoted(&header[cell]));
        }
    }
    let missing: Vec<&str> =
        native_fields(ctx.kind).into_iter().filter(|f| !fields.contains(&Some(f)) && *f != "status_history").collect();
    if !missing.is_empty() {
        let _ = writeln!(out, "# not found among the columns: {}", missing.join(", "));
    }
}

fn constants_table(out: &mut String, ctx: &Context, fields: &[Option<&'static str>], seen: &Seen) {
    let has = |f: &str| fields.contains(&Some(f));
    let mut lines = Vec::new();
    if ctx.kind == Kind::Partner && !has("sector") {
        // Only education partners have a level.
        let levels = fields.iter().position(|f| *f == Some("level")).is_some_and(|c| !seen.values[c].is_empty());
        if levels {
            lines.push("sector = \"education\"             # the file gives education levels".to_string());
        } else {
            lines.push("# sector = \"\"                     # one of: government, education, other".to_string());
        }
    }
    if ctx.kind == Kind::Assignment && !has("education_partner") && !has("level") {
        lines.push("# education_partner = \"\"          # the institution, when the same for every row".to_string());
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "\n[constants]                      # the same for every row");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn values_tables(out: &mut String, ctx: &Context, header: &[String], fields: &[Option<&'static str>], seen: &Seen) {
    for (cell, field) in fields.iter().enumerate() {
        let Some(field) = field else { continue };
        let Some(accepts) = accepted(ctx.kind, field) else { continue };
        let values = &seen.values[cell];
        if values.is_empty() {
            continue;
        }
        let (codes, read): (Vec<String>, Reads) = match accepts {
            Accepted::Closed { codes, read } => {
                (codes.iter().map(|c| c.to_string()).collect(), Box::new(move |v: &str| read(v).map(str::to_string)))
            }
            Accepted::Themes => match ctx.themes {
                Some((ref codes, index)) => (
                    codes.clone(),
                    Box::new(move |v: &str| {
                        index
                            .find(v, crate::store::lookup::Written::InFile)
                            .ok()
                            .flatten()
                            .and_then(|id| index.name(id))
                            .map(str::to_string)
                    }),
                ),
                None => (vec!["a theme code of the registry (ipart theme list)".to_string()], Box::new(|_: &str| None)),
            },
        };
        let _ = writeln!(out, "\n[values.{field}]                   # column {:?}", header[cell]);
        let one_of = codes.join(", ");
        let mut listed = std::collections::BTreeSet::new();
        for (value, count) in values {
            let items: Vec<&str> = if is_list(field) { value.split('|').map(str::trim).collect() } else { vec![value] };
            for item in items.into_iter().filter(|i| !i.is_empty()) {
                if !listed.insert(item.to_string()) {
                    continue;
                }
                let rows = if *count == 1 { "1 row".to_string() } else { format!("{count} rows") };
                match read(item) {
                    Some(code) => {
                        let _ = writeln!(out, "{} = {}  # understood as it is; {rows}", quoted(item), quoted(&code));
                    }
                    None => {
                        let _ = writeln!(out, "{} = \"\"  # one of: {one_of}; {rows}", quoted(item));
                    }
                }
            }
        }
        if seen.more[cell] {
            let _ = writeln!(out, "# ... and more values than the {MAX_VALUES} listed");
        }
    }
}

/// What a value means in the registry, if it means something.
type Reads<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// The `ignore = [...]` line of the columns no field was found for (a
/// top-level key: before the first table).
fn ignore_line(header: &[String], fields: &[Option<&'static str>]) -> Option<String> {
    let unmapped: Vec<String> = fields
        .iter()
        .enumerate()
        .filter(|(c, f)| f.is_none() && !header[*c].is_empty())
        .map(|(c, _)| quoted(&header[c]))
        .collect();
    (!unmapped.is_empty()).then(|| {
        format!(
            "# Columns no field was found for: left out on purpose (a column missing from both [fields] and\n# this list is warned about at import). Move one to [fields] to import it.\nignore = [{}]",
            unmapped.join(", ")
        )
    })
}
