//! How `list` writes its records: a table for people (in the reader's
//! language, fitted to a terminal), JSON, JSON Lines or CSV for scripts,
//! an Excel sheet or an Excel-ready CSV (`--excel`) for spreadsheets; to
//! standard output or a file (`-o`, whose extension chooses the format).
//!
//! Records are streamed from the registry, so memory stays flat however
//! many there are. A table is read twice in one read transaction: once to
//! size its columns, once to write them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, ArgMatches, Command};

use super::{Context, finish};
use crate::domain::{Date, Lang};
use crate::error::{Error, Result};
use crate::export::spreadsheet_cell;
use crate::native::Kind;
use crate::native::labels::{Names, kind_plural};
use crate::native::record::{self, ListFilter, is_date_field};
use crate::outfile::write_file;
use crate::output::table::Fit;
use crate::output::{
    CsvOptions, Humanize, ListFormat, RowWriter, TableOptions, choose_format, format_name, table_cells, write_table,
};

/// The output flags of `list`.
pub fn output_args(cmd: Command) -> Command {
    cmd.arg(
        Arg::new("format")
            .long("format")
            .short('f')
            .value_name("FORMAT")
            .value_parser(clap::builder::EnumValueParser::<ListFormat>::new())
            .help("Output format [default: table, or the one the extension of --output names]"),
    )
    .arg(
        Arg::new("output")
            .long("output")
            .short('o')
            .value_name("FILE")
            .value_parser(clap::value_parser!(PathBuf))
            .help("Write to FILE instead of standard output; .csv, .json, .jsonl, .xlsx or .txt chooses the format"),
    )
    .arg(
        Arg::new("force").long("force").action(ArgAction::SetTrue).requires("output").help("Replace FILE if it exists"),
    )
    .arg(
        Arg::new("excel")
            .long("excel")
            .action(ArgAction::SetTrue)
            .help("CSV for Dutch Excel: ';', a BOM, formulas neutralised, labels and values in Dutch (or --lang)"),
    )
    .arg(
        Arg::new("wide")
            .long("wide")
            .action(ArgAction::SetTrue)
            .conflicts_with("columns")
            .help("Show every column of the table, in full, whatever the terminal's width"),
    )
    .arg(
        Arg::new("columns")
            .long("columns")
            .value_name("COLUMN,...")
            .value_delimiter(',')
            .help("Only these columns, in this order (every format; field names as in --format csv)"),
    )
}

/// The help text on a list's formats, below its examples.
pub const FORMATS_HELP: &str =
    "Formats: a table for people (names in the --lang language; on a terminal it fits the width,
dropping the least important columns and shortening titles with …; piped, a plain table at full
width, columns two spaces apart); json, jsonl and csv for scripts (field names and codes; a CSV
cell starting with =, +, -, @, tab or CR gets a ' in front); xlsx, one typed sheet; --excel, a
CSV for Dutch Excel. -o FILE.EXT chooses the format by its extension.";

/// Columns by importance, most important first: on a narrow terminal the
/// last go first.
fn importance(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Assignment => {
            &["id", "title", "status", "government_partner", "theme", "level", "kind", "education_partner", "students"]
        }
        Kind::Partner => {
            &["id", "name", "sector", "short_name", "level", "region", "joined_on", "left_on", "external_code"]
        }
        Kind::Lab => &["id", "name", "status", "regions", "members", "status_since"],
        Kind::Community => &["id", "name", "status", "status_since"],
        Kind::Phd => &["id", "started_on", "theme", "government_partner", "education_partner", "ended_on", "topic"],
        Kind::Activity => &["id", "name", "kind", "starts_on", "participants", "government_participants", "ends_on"],
        Kind::Curriculum | Kind::Chair => &["id", "name", "kind", "status", "theme", "partners", "status_since"],
        Kind::Question => &["id", "text", "taken_up", "theme", "asked_on"],
        Kind::Theme => &["id", "code", "name_en", "name_nl", "aliases"],
        Kind::Metric => &[],
    }
}

/// How far a text column may be shortened (ending in …) to fit a terminal.
fn shrink_to(column: &str) -> Option<usize> {
    match column {
        "title" | "name" | "text" | "topic" => Some(30),
        "description" | "members" | "partners" | "aliases" | "government_partner" | "education_partner"
        | "source_activity" | "source_partner" | "lab" | "theme" | "themes" | "name_en" | "name_nl" | "assignment"
        | "phd" | "short_name" => Some(15),
        _ => None,
    }
}

/// What `list` was asked to write, and where.
struct Plan {
    format: ListFormat,
    excel: bool,
    columns: Vec<String>,
    fit: FitChoice,
    output: Option<PathBuf>,
    force: bool,
    /// A bold header (colour on a terminal).
    bold: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FitChoice {
    /// Full width: a pipe, a file, `--wide`.
    Full,
    /// Shorten text columns to the terminal (`--columns` keeps every column).
    Shrink(usize),
    /// Shorten, and leave the least important columns out.
    Drop(usize),
}

/// Writes the records of `kind` that pass `filter` as the flags in `m` ask.
pub fn run(ctx: &Context, kind: Kind, table_columns: &[&str], filter: &ListFilter, m: &ArgMatches) -> Result<()> {
    let plan = plan(ctx, kind, table_columns, m)?;
    let lang = match plan.format {
        ListFormat::Table => ctx.lang(),
        // A spreadsheet is a document to pass on: Dutch unless asked otherwise.
        _ => ctx.lang_or(Some(Lang::Nl)),
    };
    let today = ctx.today()?;
    let registry = ctx.open()?;
    let snapshot = registry.snapshot()?;
    let names = Names::load(&snapshot, kind, lang)?;
    let write = |out: &mut dyn Write| write_list(&snapshot, kind, filter, today, &plan, &names, lang, out);
    match &plan.output {
        None => {
            let mut out = ctx.stdout();
            write(&mut out)?;
            finish(out)
        }
        Some(path) => {
            let count = write_file(path, plan.force, write)?;
            ctx.info(format!("wrote {count} {} to {}", kind_plural(kind, Lang::En), path.display()));
            Ok(())
        }
    }
}

fn plan(ctx: &Context, kind: Kind, table_columns: &[&str], m: &ArgMatches) -> Result<Plan> {
    let output = m.get_one::<PathBuf>("output").cloned();
    let flag = m.get_one::<ListFormat>("format").copied();
    let excel = m.get_flag("excel");
    if excel {
        if let Some(f) = flag.filter(|f| *f != ListFormat::Csv) {
            return Err(
                Error::usage(format!("--excel writes CSV; it does not go with --format {}", format_name(f))).into()
            );
        }
        if let Some(path) = output.as_deref().filter(|p| !has_extension(p, &["csv"])) {
            return Err(Error::usage(format!("--excel writes CSV; give {} the extension .csv", path.display())).into());
        }
    }
    let flag = flag.or(excel.then_some(ListFormat::Csv));
    let format = choose_format(flag, output.as_deref(), ListFormat::EXTENSIONS, ListFormat::Table, format_name)?;
    if format == ListFormat::Xlsx && output.is_none() && std::io::stdout().is_terminal() {
        return Err(Error::usage(
            "an Excel workbook is binary and would garble the terminal; write it to a file with -o FILE.xlsx",
        )
        .into());
    }
    let all = record::list_columns(kind);
    let requested: Vec<String> = m.get_many::<String>("columns").map(|v| v.cloned().collect()).unwrap_or_default();
    if let Some(unknown) = requested.iter().find(|c| !all.contains(&c.as_str())) {
        return Err(Error::usage(format!(
            "--columns: {unknown:?} is not a column of {} (columns: {})",
            kind_plural(kind, Lang::En),
            all.join(", ")
        ))
        .into());
    }
    let wide = m.get_flag("wide");
    let columns: Vec<String> = if !requested.is_empty() {
        requested.clone()
    } else if format == ListFormat::Table && !wide {
        table_columns.iter().map(|c| c.to_string()).collect()
    } else {
        all.iter().map(|c| c.to_string()).collect()
    };
    let width = if output.is_none() { ctx.style.width } else { None };
    let fit = match (format, width) {
        (ListFormat::Table, Some(w)) if !wide && requested.is_empty() => FitChoice::Drop(w),
        (ListFormat::Table, Some(w)) if !wide => FitChoice::Shrink(w),
        _ => FitChoice::Full,
    };
    let bold = output.is_none() && ctx.style.color;
    Ok(Plan { format, excel, columns, fit, output, force: m.get_flag("force"), bold })
}

fn has_extension(path: &Path, accepted: &[&str]) -> bool {
    path.extension().is_some_and(|e| accepted.contains(&e.to_string_lossy().to_lowercase().as_str()))
}

#[allow(clippy::too_many_arguments)]
fn write_list(
    conn: &rusqlite::Connection,
    kind: Kind,
    filter: &ListFilter,
    today: Date,
    plan: &Plan,
    names: &Names,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<u64> {
    let mut visit = |each: &mut dyn FnMut(serde_json::Map<String, serde_json::Value>) -> Result<()>| {
        record::visit(conn, kind, filter, today, each)
    };
    let columns = plan.columns.clone();
    let mut writer = match plan.format {
        ListFormat::Table => return write_list_table(plan, kind, names, &mut visit, out),
        ListFormat::Json => RowWriter::json(out, columns),
        ListFormat::Jsonl => RowWriter::jsonl(out, columns),
        ListFormat::Csv => {
            let options = if plan.excel {
                CsvOptions { delimiter: b';', bom: true, guard: spreadsheet_cell, human: true }
            } else {
                CsvOptions { guard: spreadsheet_cell, ..CsvOptions::default() }
            };
            RowWriter::csv(out, columns, options, names)?
        }
        ListFormat::Xlsx => RowWriter::xlsx(out, kind_plural(kind, lang), columns, Some(names), is_date_field)?,
    };
    visit(&mut |record| writer.write(&record))?;
    writer.finish()
}

type Visit<'a> = dyn FnMut(&mut dyn FnMut(serde_json::Map<String, serde_json::Value>) -> Result<()>) -> Result<()> + 'a;

fn write_list_table(plan: &Plan, kind: Kind, names: &Names, visit: &mut Visit, out: &mut dyn Write) -> Result<u64> {
    let columns = &plan.columns;
    let shrink: Vec<Option<usize>> = columns.iter().map(|c| shrink_to(c)).collect();
    let ranked: Vec<usize> = importance(kind).iter().filter_map(|c| columns.iter().position(|x| x == c)).collect();
    let fit = match plan.fit {
        FitChoice::Full => Fit::Full,
        FitChoice::Shrink(w) => Fit::Shrink(w),
        FitChoice::Drop(w) => Fit::Drop(w, &ranked),
    };
    let labels = columns.iter().map(|c| names.label(c)).collect();
    let options = TableOptions { shrink_to: &shrink, fit, bold: plan.bold, count: true };
    write_table(
        labels,
        options,
        names,
        &mut |each| visit(&mut |record| each(table_cells(&record, columns, names))),
        out,
    )
}
