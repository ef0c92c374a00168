//! `ipart report`: the yearly figures, as a table, JSON, CSV, Markdown or
//! an HTML page, on stdout or in a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};

use super::{Context, date_arg, finish};
use crate::domain::Lang;
use crate::error::{Error, Result};
use crate::output::{choose_format, format_name};
use crate::report::render::{self, ReportFormat};
use crate::report::{Dimension, Options, Period, TrendStep, compute};

const EXAMPLES: &str = "Examples:
  ipart report --year 2023                          the 2023 figures as tables (state on 31 December)
  ipart report --academic-year 2023 --format json   1 September 2023 to 31 August 2024, for scripts
  ipart report --as-of 2024-06-30 --compare 2023    so far this year, against the same day of 2023
  ipart report --year 2023 --by theme,level         with a cross table of assignments
  ipart report --year 2023 --trend month --format csv > figures-2023.csv
  ipart report --year 2023 --output jaarverslag-2023.html   the extension chooses the format
  ipart report --year 2023 --format html --lang en --output report-2023.html --force
  ipart --demo report --year 2023                   the demo registry: the figures of the 2023 infographic

Definitions: the state on a date is each record's last status change on or before it; an assignment
exists on a date when its first change is on or before it; a partner counts when it joined on or
before the date and had not left. See the README (section \"report\") for every figure.";

/// Print every figure of the yearly infographic for a calendar year, an
/// academic year or up to a date: partners, assignments (by status, level,
/// theme, kind, region, lab), students, labs, communities, PhD candidates,
/// courses and events, curricula, chairs, questions, communication figures,
/// the trend, and what explains the totals.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("when").args(["year", "academic_year", "as_of"])))]
pub struct ReportArgs {
    /// The calendar year: the state on 31 December, the period 1 January to 31 December
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i16>,
    /// The academic year starting in YEAR: the state on 31 August YEAR+1, the period from 1 September YEAR
    #[arg(long, value_name = "YEAR")]
    pub academic_year: Option<i16>,
    /// The state on DATE, the period from 1 January of its year [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Add the change against the same period of YEAR
    #[arg(long, value_name = "YEAR")]
    pub compare: Option<i16>,
    /// Add a cross table of assignments by two dimensions (rows,columns)
    #[arg(long, value_name = "DIM,DIM", value_delimiter = ',', num_args = 1)]
    pub by: Vec<Dimension>,
    /// The steps of the trend
    #[arg(long, value_enum, default_value_t, value_name = "STEP")]
    pub trend: TrendStep,
    /// How many government and education partners the top lists show
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Output format [default: table, or the one the extension of --output names]
    #[arg(long, short, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write to FILE instead of stdout; .html, .json, .csv, .md or .txt chooses the format
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// The output file extensions of `report`, and the format each writes.
const EXTENSIONS: &[(&str, ReportFormat)] = &[
    ("txt", ReportFormat::Table),
    ("json", ReportFormat::Json),
    ("csv", ReportFormat::Csv),
    ("md", ReportFormat::Markdown),
    ("markdown", ReportFormat::Markdown),
    ("html", ReportFormat::Html),
];

pub fn run(args: &ReportArgs, ctx: &Context) -> Result<()> {
    let format = choose_format(args.format, args.output.as_deref(), EXTENSIONS, ReportFormat::Table, format_name)?;
    let period = match (args.year, args.academic_year, &args.as_of) {
        (Some(year), _, _) => Period::calendar_year(year)?,
        (_, Some(year), _) => Period::academic_year(year)?,
        (_, _, Some(day)) => Period::as_of(date_arg("--as-of", day)?),
        _ => Period::as_of(ctx.today()?),
    };
    let by = match args.by.as_slice() {
        [] => None,
        [rows, columns] if rows != columns => Some((*rows, *columns)),
        _ => {
            return Err(Error::usage(
                "--by takes two different dimensions, rows then columns, such as --by theme,level",
            )
            .into());
        }
    };
    if let Some(path) = args.output.as_deref().filter(|p| p.is_dir()) {
        return Err(Error::usage(format!("{} is a directory; give a file name", path.display())).into());
    }
    if let Some(path) = &args.output
        && !args.force
        && path.exists()
    {
        return Err(refuse_overwrite(path).into());
    }
    let lang = ctx.lang_or((format == ReportFormat::Html).then_some(Lang::Nl));
    let options = Options { period, trend: args.trend, by, compare: args.compare, top: args.top };
    let registry = ctx.open()?;
    let report = compute(registry.conn(), &options)?;
    let mut text = Vec::new();
    render::render(&report, format, lang, ctx.style, &mut text)?;
    match &args.output {
        None => {
            let mut out = ctx.stdout();
            out.write_all(&text)?;
            finish(out)
        }
        Some(path) => {
            write_file(path, &text, args.force)?;
            ctx.info(format!("wrote the {} report to {}", report.period.label, path.display()));
            Ok(())
        }
    }
}

fn refuse_overwrite(path: &Path) -> Error {
    Error::usage(format!("{} exists; add --force to replace it, or choose another --output", path.display()))
}

/// Writes the whole report or nothing: a new file is created exclusively,
/// a replaced one is written beside it first and then renamed over it.
fn write_file(path: &Path, text: &[u8], force: bool) -> Result<()> {
    let shown = path.display();
    if !force {
        let mut file =
            std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => refuse_overwrite(path),
                // A place no file can be made in is the caller's to fix, as for export.
                _ => Error::usage(format!("cannot write {shown}: {e}")),
            })?;
        if let Err(e) = file.write_all(text).and_then(|()| file.sync_all()) {
            let _ = std::fs::remove_file(path);
            anyhow::bail!("cannot write {shown}: {e}");
        }
        return Ok(());
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".ipart-{}.tmp", std::process::id()));
    let temporary = path.with_file_name(name);
    std::fs::write(&temporary, text).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Error::usage(format!("cannot write {shown}: {e}"))
    })?;
    if let Err(e) = std::fs::rename(&temporary, path) {
        let _ = std::fs::remove_file(&temporary);
        anyhow::bail!("cannot write {shown}: {e}");
    }
    Ok(())
}
