//! `ipart report`: the yearly figures, as a table, JSON, CSV, Markdown, an
//! HTML page or an Excel workbook, on stdout or in a file, for a year or any
//! other period.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};

use super::{Context, date_arg, finish};
use crate::domain::date::{accepted_years, check_date, check_year};
use crate::domain::{Date, Lang};
use crate::error::{Error, Result};
use crate::outfile::OutFile;
use crate::output::choose_format;
use crate::report::document::View;
use crate::report::render::{self, ReportFormat};
use crate::report::{Dimension, Options, Period, TrendStep, changes_since, compute};
use crate::store::revision;

const EXAMPLES: &str = "Examples:
  ipart report --year 2023                          the 2023 figures as tables (state on 31 December)
  ipart report --academic-year 2023 --format json   1 September 2023 to 31 August 2024, for scripts
  ipart report --period 2023-Q3                     a quarter; also 2023-H2, 2023-09, 2023
  ipart report --from 2023-09-01 --to 2023-10-15    any days; the state on the last one
  ipart report --as-of 2024-06-30 --compare 2023    so far this year, against the same day of 2023
  ipart report --period 2024-H1 --compare 2023      a half year against the same half of 2023
  ipart report --year 2023 --by theme,level         with a cross table of assignments
  ipart report --year 2023 -o jaarverslag.xlsx      an Excel workbook with charts
  ipart report --year 2023 --excel -o cijfers.csv   CSV for Dutch Excel (';', BOM, Dutch labels)
  ipart report --year 2023 --trend month --format csv > figures-2023.csv
  ipart report --year 2023 --output jaarverslag-2023.html   the extension chooses the format
  ipart report --year 2023 --format html --lang en --output report-2023.html --force
  ipart report --year 2023 --format html --notes -o intern.html   the page with the notes appendix
  ipart report --year 2023 --no-notes --all-themes  no notes; also themes without assignments
  ipart --demo report --year 2023                   the demo registry: the figures of the 2023 infographic
  ipart report --year 2023 --known-on 2024-02-15    the 2023 figures as published on 15 February 2024
  ipart report --year 2023 --changes-since 2024-02-15   what late files and corrections changed since then

The output file's extension chooses the format (.txt, .json, .csv, .md, .html, .xlsx) unless
--format says otherwise. Years are taken from 2000 to ten years after today; a period that
ends after today is reported with a warning.

Definitions: the state on a date is each record's last status change on or before it; an assignment
exists on a date when its first change is on or before it; a partner counts when it joined on or
before the date and had not left. See docs/report.md for what every figure counts.

--as-of says which day the figures are about; --known-on says what the registry knew: the figures as
they came out on that day, before any later import, edit, removal or undo. A day means its end,
local time; a moment can be given too (2024-02-15T14:30, or 2024-02-15T13:30:00Z).";

/// Print every figure of the yearly infographic for a calendar year, an
/// academic year, a half year, quarter or month, any range of days, or up to
/// a date: partners, assignments (by status, level, theme, kind, region,
/// lab), students, labs, communities, PhD candidates, courses and events,
/// curricula, chairs, questions, communication figures, the trend, and what
/// explains the totals.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
#[command(group(ArgGroup::new("when").args(["year", "academic_year", "as_of", "period", "from"])))]
pub struct ReportArgs {
    /// The calendar year: the state on 31 December, the period 1 January to 31 December
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true)]
    pub year: Option<String>,
    /// The academic year starting in YEAR: the state on 31 August YEAR+1, the period from 1 September YEAR
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true)]
    pub academic_year: Option<String>,
    /// The state on DATE, the period from 1 January of its year [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// A half year (2023-H2), quarter (2023-Q3), month (2023-09) or year (2023)
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// The first day of the period; up to --to, or up to today without it
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// The last day of the period (with --from): the state on it
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// Add the change against the same period of YEAR (the same half year, quarter, month or days)
    #[arg(long, value_name = "YEAR", allow_negative_numbers = true)]
    pub compare: Option<String>,
    /// Add a cross table of assignments by two dimensions (rows,columns)
    #[arg(long, value_name = "DIM,DIM", value_delimiter = ',', num_args = 1)]
    pub by: Vec<Dimension>,
    /// The steps of the trend [default: quarters for a year, months for a quarter or half year, weeks for a month]
    #[arg(long, value_enum, value_name = "STEP")]
    pub trend: Option<TrendStep>,
    /// How many government and education partners the top lists show
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// The figures as the registry knew them at the end of DAY (or at a moment), leaving out what it learned later
    #[arg(long, value_name = "DAY")]
    pub known_on: Option<String>,
    /// Add what the registry learned since DAY (or a moment) that changes this period's figures
    #[arg(long, value_name = "DAY")]
    pub changes_since: Option<String>,
    /// Output format [default: the --output file's extension, else table]
    #[arg(long, short, value_enum)]
    pub format: Option<ReportFormat>,
    /// CSV for Dutch Excel: ';', a UTF-8 BOM, a table per section, Dutch labels (or --lang)
    #[arg(long)]
    pub excel: bool,
    /// Write to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Add the notes: what does not add up, explained, and how each figure is counted
    /// [default: with table and markdown; not with html, the page to publish]
    #[arg(long, overrides_with = "no_notes")]
    pub notes: bool,
    /// Leave the notes out [the default for html]
    #[arg(long, overrides_with = "notes")]
    pub no_notes: bool,
    /// Show every theme in the lists and charts by theme, also those without assignments
    /// [default: only themes with assignments]
    #[arg(long)]
    pub all_themes: bool,
}

pub fn run(args: &ReportArgs, ctx: &Context) -> Result<()> {
    let today = ctx.today()?;
    let period = period_of(args, today)?;
    let compare = args.compare.as_deref().map(|y| year_arg("--compare", y, today)).transpose()?;
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
    let format = format_of(args)?;
    if format.is_binary() && args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Error::usage(format!(
            "--format {} is a binary workbook, not for a terminal: write it to a file with -o FILE.xlsx",
            format.name()
        ))
        .into());
    }
    let lang = language(ctx, format);
    let view = view(args, format, lang)?;
    // The output file first: a name that cannot be written is refused
    // before the report is computed. It appears whole, or not at all.
    let output = args.output.as_deref().map(|path| OutFile::create(path, args.force)).transpose()?;
    warn_if_future(ctx, "the period", &period, today);
    if let Some(year) = compare {
        warn_if_future(ctx, "the period compared with", &period.in_year(year)?, today);
    }
    let options = Options { period, trend: args.trend, by, compare, top: args.top };
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
    match output {
        None => {
            let mut text = Vec::new();
            render::render(&report, format, &view, ctx.style, &mut text)?;
            let mut out = ctx.stdout();
            out.write_all(&text)?;
            finish(out)
        }
        Some(mut file) => {
            render::render(&report, format, &view, ctx.style, &mut file)?;
            let shown = file.target().display().to_string();
            file.commit()?;
            ctx.info(format!("wrote the {} report to {shown}", report.period.label));
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

/// The period asked for; years and dates outside those ipart accepts are refused.
fn period_of(args: &ReportArgs, today: Date) -> Result<Period> {
    let period = if let Some(year) = &args.year {
        Period::calendar_year(year_arg("--year", year, today)?)?
    } else if let Some(year) = &args.academic_year {
        Period::academic_year(year_arg("--academic-year", year, today)?)?
    } else if let Some(day) = &args.as_of {
        Period::as_of(date_in_range("--as-of", day, today)?)
    } else if let Some(period) = &args.period {
        Period::parse(period, today)?
    } else if let Some(from) = &args.from {
        let from = date_in_range("--from", from, today)?;
        let to = match &args.to {
            Some(to) => date_in_range("--to", to, today)?,
            None if from > today => {
                return Err(Error::invalid(format!(
                    "--from {from} is after today ({today}); add --to DATE for a period that ends later"
                ))
                .into());
            }
            None => today,
        };
        Period::range(from, to)?
    } else {
        Period::as_of(today)
    };
    Ok(period)
}

/// A year given on the command line, refused (exit 3) with the years
/// ipart accepts when it is not one of them.
fn year_arg(flag: &str, text: &str, today: Date) -> Result<i16> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(format!("{flag}: {t:?} is not a year (give four digits, such as 2023)")).into());
    }
    let Ok(year) = t.parse::<i64>() else {
        return Err(Error::invalid(format!(
            "{flag}: {t} is not a year ipart accepts (it takes {})",
            accepted_years(today)
        ))
        .into());
    };
    check_year(year, today).map_err(|e| Error::invalid(format!("{flag}: {}", e.message)))?;
    Ok(year as i16)
}

/// A date given on the command line, refused (exit 3) when it is not a date
/// or lies outside the years ipart accepts.
fn date_in_range(flag: &str, text: &str, today: Date) -> Result<Date> {
    let day = date_arg(flag, text)?;
    check_date(day, today).map_err(|e| Error::invalid(format!("{flag}: {}", e.message)))?;
    Ok(day)
}

/// Says so when a period ends after today: what the registry holds for
/// later dates are plans.
fn warn_if_future(ctx: &Context, what: &str, period: &Period, today: Date) {
    if period.end > today {
        ctx.warn(format!(
            "{what} ends after today ({}, today is {today}): figures after today are plans, not facts",
            period.end
        ));
    }
}

/// The format: `--excel`, `--format`, or the output file's extension.
fn format_of(args: &ReportArgs) -> Result<ReportFormat> {
    if args.excel {
        if let Some(format) = args.format.filter(|f| *f != ReportFormat::Csv) {
            return Err(Error::usage(format!(
                "--excel writes CSV for Dutch Excel and does not go with --format {}; for a workbook use --format xlsx alone",
                format.name()
            ))
            .into());
        }
        let extension = args.output.as_deref().and_then(Path::extension).map(|e| e.to_string_lossy().to_lowercase());
        if let Some(ext) = extension.filter(|e| e != "csv") {
            return Err(Error::usage(format!(
                "--excel writes a CSV file, not .{ext}: name the output FILE.csv (for an Excel workbook: -o FILE.xlsx without --excel)"
            ))
            .into());
        }
        return Ok(ReportFormat::ExcelCsv);
    }
    choose_format(args.format, args.output.as_deref(), ReportFormat::BY_EXTENSION, ReportFormat::Table, |f| {
        f.name().to_string()
    })
}

/// The language of the labels: `--lang`, else `IPART_LANG`; files for
/// people to open (HTML, xlsx, CSV for Excel) are Dutch by default, the
/// rest follow the locale. JSON and CSV for scripts keep their codes.
fn language(ctx: &Context, format: ReportFormat) -> Lang {
    if matches!(format, ReportFormat::Json | ReportFormat::Csv) && ctx.lang_flag.is_some() {
        ctx.info(format!(
            "--format {} keeps codes and English field names for scripts whatever --lang; \
             for labels in a spreadsheet use --excel (CSV) or --format xlsx",
            format.name()
        ));
    }
    let for_people = matches!(format, ReportFormat::Html | ReportFormat::Xlsx | ReportFormat::ExcelCsv);
    ctx.lang_or(for_people.then_some(Lang::Nl))
}

/// How the formats for people show the report: the notes appendix is on
/// for the table and Markdown (read by the coordinator), off for the HTML
/// page (published); JSON and CSV always hold every figure, so the flags
/// would change nothing there and are refused.
fn view(args: &ReportArgs, format: ReportFormat, lang: Lang) -> Result<View> {
    let flag = [(args.notes, "--notes"), (args.no_notes, "--no-notes"), (args.all_themes, "--all-themes")]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name));
    if let (Some(flag), ReportFormat::Json | ReportFormat::Csv) = (flag, format) {
        return Err(Error::usage(format!(
            "{flag} changes the report for people (table, markdown, html); json and csv always hold every figure \
             and every theme"
        ))
        .into());
    }
    let notes = if args.notes {
        true
    } else if args.no_notes {
        false
    } else {
        format != ReportFormat::Html
    };
    Ok(View { lang, notes, all_themes: args.all_themes })
}
