//! `ipart report`: the yearly figures, as a table, JSON, CSV, Markdown or
//! an HTML page, on stdout or in a file.

use std::io::Write;
use std::path::PathBuf;

use clap::{ArgGroup, Args};

use super::{Context, date_arg, finish};
use crate::domain::Lang;
use crate::error::{Error, Result};
use crate::outfile::OutFile;
use crate::report::render::{self, ReportFormat};
use crate::report::{Dimension, Options, Period, TrendStep, compute};

const EXAMPLES: &str = "Examples:
  ipart report --year 2023                          the 2023 figures as tables (state on 31 December)
  ipart report --academic-year 2023 --format json   1 September 2023 to 31 August 2024, for scripts
  ipart report --as-of 2024-06-30 --compare 2023    so far this year, against the same day of 2023
  ipart report --year 2023 --by theme,level         with a cross table of assignments
  ipart report --year 2023 --trend month --format csv > figures-2023.csv
  ipart report --year 2023 --format html --output jaarverslag-2023.html
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
    /// Output format
    #[arg(long, short, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Write to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
}

pub fn run(args: &ReportArgs, ctx: &Context) -> Result<()> {
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
    // The output file first: a name that cannot be written is refused
    // before the report is computed. It appears whole, or not at all.
    let output = args.output.as_deref().map(|path| OutFile::create(path, args.force)).transpose()?;
    let lang = ctx.lang_or((args.format == ReportFormat::Html).then_some(Lang::Nl));
    let options = Options { period, trend: args.trend, by, compare: args.compare, top: args.top };
    let registry = ctx.open()?;
    let report = compute(registry.conn(), &options)?;
    match output {
        None => {
            let mut text = Vec::new();
            render::render(&report, args.format, lang, ctx.style, &mut text)?;
            let mut out = ctx.stdout();
            out.write_all(&text)?;
            finish(out)
        }
        Some(mut file) => {
            render::render(&report, args.format, lang, ctx.style, &mut file)?;
            let shown = file.target().display().to_string();
            file.commit()?;
            ctx.info(format!("wrote the {} report to {shown}", report.period.label));
            Ok(())
        }
    }
}
