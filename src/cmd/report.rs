//! `ipart report`: the yearly figures, as a table, JSON, CSV, Markdown or
//! an HTML page, on stdout or in a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};

use super::{Context, date_arg, finish};
use crate::domain::Lang;
use crate::error::{Error, Result};
use crate::report::render::{self, ReportFormat};
use crate::report::{Dimension, Options, Period, TrendStep, changes_since, compute};
use crate::store::revision;

const EXAMPLES: &str = "Examples:
  ipart report --year 2023                          the 2023 figures as tables (state on 31 December)
  ipart report --academic-year 2023 --format json   1 September 2023 to 31 August 2024, for scripts
  ipart report --as-of 2024-06-30 --compare 2023    so far this year, against the same day of 2023
  ipart report --year 2023 --by theme,level         with a cross table of assignments
  ipart report --year 2023 --trend month --format csv > figures-2023.csv
  ipart report --year 2023 --format html --output jaarverslag-2023.html
  ipart report --year 2023 --format html --lang en --output report-2023.html --force
  ipart --demo report --year 2023                   the demo registry: the figures of the 2023 infographic
  ipart report --year 2023 --known-on 2024-02-15    the 2023 figures as published on 15 February 2024
  ipart report --year 2023 --changes-since 2024-02-15   what late files and corrections changed since then

Definitions: the state on a date is each record's last status change on or before it; an assignment
exists on a date when its first change is on or before it; a partner counts when it joined on or
before the date and had not left. See the README (section \"report\") for every figure.

--as-of says which day the figures are about; --known-on says what the registry knew: the figures as
they came out on that day, before any later import, edit, removal or undo. A day means its end,
local time; a moment can be given too (2024-02-15T14:30, or 2024-02-15T13:30:00Z).";

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
    /// The figures as the registry knew them at the end of DAY (or at a moment), leaving out what it learned later
    #[arg(long, value_name = "DAY")]
    pub known_on: Option<String>,
    /// Add what the registry learned since DAY (or a moment) that changes this period's figures
    #[arg(long, value_name = "DAY")]
    pub changes_since: Option<String>,
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
    if let Some(path) = args.output.as_deref().filter(|p| p.is_dir()) {
        return Err(Error::usage(format!("{} is a directory; give a file name", path.display())).into());
    }
    if let Some(path) = &args.output
        && !args.force
        && path.exists()
    {
        return Err(refuse_overwrite(path).into());
    }
    let lang = ctx.lang_or((args.format == ReportFormat::Html).then_some(Lang::Nl));
    let options = Options { period, trend: args.trend, by, compare: args.compare, top: args.top };
    let registry = ctx.open()?;
    let known = match &args.known_on {
        Some(when) => Some(Knowledge::on(registry.conn(), "--known-on", when, false, ctx)?),
        None => None,
    };
    let conn = known.as_ref().map_or(registry.conn(), |k| &k.conn);
    let mut report = compute(conn, &options)?;
    report.known_on = args.known_on.clone();
    if let Some(since) = &args.changes_since {
        let earlier = Knowledge::on(registry.conn(), "--changes-since", since, true, ctx)?;
        if let Some(known) = known.as_ref().filter(|k| k.revision < earlier.revision) {
            return Err(Error::usage(format!(
                "--changes-since {since} is later than --known-on {}; give an earlier day to compare with",
                known.shown
            ))
            .into());
        }
        report.changes_since =
            Some(changes_since(&report, &earlier.conn, conn, &options, since.clone(), earlier.revision)?);
    }
    let mut text = Vec::new();
    render::render(&report, args.format, lang, ctx.style, &mut text)?;
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

/// The registry as it was known at a moment given on the command line.
struct Knowledge {
    conn: rusqlite::Connection,
    /// The last revision made by then (0: none).
    revision: i64,
    /// The moment as given.
    shown: String,
}

impl Knowledge {
    /// The registry as known at `when` (`flag`'s value). Before the first
    /// revision the registry knew nothing: an error, unless `empty_ok`.
    fn on(conn: &rusqlite::Connection, flag: &str, when: &str, empty_ok: bool, ctx: &Context) -> Result<Knowledge> {
        let moment = crate::domain::date::parse_moment(when).map_err(|e| Error::invalid(format!("{flag}: {e}")))?;
        let known = revision::last_at_or_before(conn, moment)?;
        let revision = match &known {
            Some(r) => {
                ctx.info(format!(
                    "{flag} {when}: as the registry knew it after the change recorded at {} ({}, revision {})",
                    r.at, r.command, r.id
                ));
                r.id
            }
            None if empty_ok => 0,
            None => {
                let first = conn
                    .query_row("SELECT min(at) FROM revision", [], |r| r.get::<_, Option<String>>(0))?
                    .unwrap_or_default();
                return Err(Error::invalid(format!(
                    "{flag} {when}: the registry had learned nothing by then (its first change was recorded at {first})"
                ))
                .into());
            }
        };
        Ok(Knowledge { conn: revision::as_known_after(conn, revision)?, revision, shown: when.to_string() })
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
