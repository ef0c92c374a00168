//! `ipart export`: records in the native format, for scripts, spreadsheets
//! and `ipart import`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::entity::list_filters;
use super::{Context, as_of_arg, finish};
use crate::error::{Error, Result};
use crate::export::{CsvStyle, ExportFormat, export};
use crate::import::mapping::parse_delimiter;
use crate::native::Kind;
use crate::native::record::ListFilter;
use crate::outfile::OutFile;
use crate::output::{choose_format, format_name};

/// The help heading of the list filters.
const FILTERS: &str = "Filters (as for list)";

/// Export records: native CSV (what `ipart import` reads), JSON, JSON Lines or an Excel sheet
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  ipart export assignments > assignments.csv           native CSV: import it again with `ipart import`
  ipart export assignments --year 2023 --status completed --format json
  ipart export partners --sector education --output partners.jsonl   the extension chooses the format
  ipart export assignments --year 2023 -o assignments-2023.xlsx       one typed Excel sheet
  ipart export assignments --excel --output opdrachten.csv   for Dutch Excel: ';', a BOM, no live formulas

In a CSV for a spreadsheet (--excel, --bom or --delimiter), a cell starting with =, +, -, @,
tab or CR gets a ' in front, so that it is not run as a formula; `ipart import` removes it again.")]
pub struct ExportArgs {
    /// What to export: themes, partners, labs, communities, assignments, phds, activities,
    /// curricula, chairs, questions or metrics
    #[arg(value_parser = parse_kind, value_name = "KIND")]
    pub kind: Kind,
    /// Output format [default: csv, or the one the extension of --output names]
    #[arg(long, short, value_enum)]
    pub format: Option<ExportFormat>,
    /// Write to FILE instead of standard output; .csv, .json, .jsonl or .xlsx chooses the format
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
    /// CSV delimiter: ',' (default), ';', '|' or tab; for a spreadsheet
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Start the CSV with a UTF-8 byte-order mark; for a spreadsheet
    #[arg(long)]
    pub bom: bool,
    /// For Dutch Excel: ';' as delimiter, a BOM, formulas neutralised
    #[arg(long)]
    pub excel: bool,
    /// Statuses on this date; leave out what did not exist yet
    #[arg(long, value_name = "DATE", help_heading = FILTERS)]
    pub as_of: Option<String>,
    /// As of 31 December of YEAR
    #[arg(long, value_name = "YEAR", help_heading = FILTERS)]
    pub year: Option<i16>,
    /// Only this status
    #[arg(long, value_name = "STATUS", help_heading = FILTERS)]
    pub status: Option<String>,
    /// Only this education level
    #[arg(long, value_name = "LEVEL", help_heading = FILTERS)]
    pub level: Option<String>,
    /// Only this kind (of assignment, activity, curriculum or chair)
    #[arg(long = "kind", value_name = "KIND", help_heading = FILTERS)]
    pub of_kind: Option<String>,
    /// Only this theme
    #[arg(long, value_name = "THEME", help_heading = FILTERS)]
    pub theme: Option<String>,
    /// Only those of this partner
    #[arg(long, value_name = "PARTNER", help_heading = FILTERS)]
    pub partner: Option<String>,
    /// Only those of this lab
    #[arg(long, value_name = "LAB", help_heading = FILTERS)]
    pub lab: Option<String>,
    /// Only this region
    #[arg(long, value_name = "REGION", help_heading = FILTERS)]
    pub region: Option<String>,
    /// Only this sector
    #[arg(long, value_name = "SECTOR", help_heading = FILTERS)]
    pub sector: Option<String>,
    /// Only records from this source system
    #[arg(long, value_name = "SOURCE", help_heading = FILTERS)]
    pub source: Option<String>,
    /// Only those that started in YEAR
    #[arg(long, value_name = "YEAR", help_heading = FILTERS)]
    pub started_in: Option<i16>,
    /// Only questions something took up
    #[arg(long, conflicts_with = "open", help_heading = FILTERS)]
    pub taken_up: bool,
    /// Only questions nothing took up yet
    #[arg(long, help_heading = FILTERS)]
    pub open: bool,
}

/// A record kind by its plural or singular name.
pub fn parse_kind(s: &str) -> std::result::Result<Kind, String> {
    crate::import::mapping::kind_from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.file_name().trim_end_matches(".csv")).collect();
        format!("{s:?} is not a kind of record (expected {})", names.join(", "))
    })
}

impl ExportArgs {
    /// The list filters given, refusing those that do not apply to the kind.
    fn filter(&self) -> Result<ListFilter> {
        let given = [
            ("as-of", self.as_of.is_some()),
            ("year", self.year.is_some()),
            ("status", self.status.is_some()),
            ("level", self.level.is_some()),
            ("kind", self.of_kind.is_some()),
            ("theme", self.theme.is_some()),
            ("partner", self.partner.is_some()),
            ("lab", self.lab.is_some()),
            ("region", self.region.is_some()),
            ("sector", self.sector.is_some()),
            ("source", self.source.is_some()),
            ("started-in", self.started_in.is_some()),
            ("taken-up", self.taken_up),
            ("open", self.open),
        ];
        let applies = list_filters(self.kind);
        if let Some((flag, _)) = given.iter().find(|(flag, on)| *on && !applies.contains(flag)) {
            let plural = self.kind.file_name().trim_end_matches(".csv");
            let accepted = if applies.is_empty() {
                "none".to_string()
            } else {
                applies.iter().map(|f| format!("--{f}")).collect::<Vec<_>>().join(", ")
            };
            return Err(Error::usage(format!(
                "--{flag} does not apply to {plural} (filters for {plural}: {accepted})"
            ))
            .into());
        }
        Ok(ListFilter {
            as_of: as_of_arg(self.as_of.as_deref(), self.year)?,
            status: self.status.clone(),
            level: self.level.clone(),
            kind: self.of_kind.clone(),
            theme: self.theme.clone(),
            partner: self.partner.clone(),
            lab: self.lab.clone(),
            region: self.region.clone(),
            sector: self.sector.clone(),
            source: self.source.clone(),
            started_in: self.started_in,
            taken_up: if self.taken_up {
                Some(true)
            } else if self.open {
                Some(false)
            } else {
                None
            },
        })
    }

    fn style(&self) -> Result<CsvStyle> {
        let delimiter = match (&self.delimiter, self.excel) {
            (Some(d), _) => parse_delimiter(d)?,
            (None, true) => b';',
            (None, false) => b',',
        };
        Ok(CsvStyle {
            delimiter,
            bom: self.bom || self.excel,
            // A BOM or another delimiter is asked for by people opening the
            // file in a spreadsheet: there, no cell may run as a formula.
            spreadsheet: self.excel || self.bom || delimiter != b',',
        })
    }
}

pub fn run(args: &ExportArgs, ctx: &Context) -> Result<()> {
    let filter = args.filter()?;
    let style = args.style()?;
    let format =
        choose_format(args.format, args.output.as_deref(), ExportFormat::EXTENSIONS, ExportFormat::Csv, format_name)?;
    if format != ExportFormat::Csv && (args.delimiter.is_some() || args.bom || args.excel) {
        return Err(Error::usage(format!(
            "--delimiter, --bom and --excel are for CSV (--format csv), not {}",
            format_name(format)
        ))
        .into());
    }
    if format == ExportFormat::Xlsx && args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Error::usage(
            "an Excel workbook is binary and would garble the terminal; write it to a file with -o FILE.xlsx",
        )
        .into());
    }
    // The output file first: a name that cannot be written is refused
    // before the registry is read.
    let output = args.output.as_deref().map(|path| OutFile::create(path, args.force)).transpose()?;
    let registry = ctx.open()?;
    let today = ctx.today()?;
    match output {
        None => {
            let mut out = ctx.stdout();
            export(registry.conn(), args.kind, &filter, today, format, style, &mut out)?;
            finish(out)
        }
        Some(mut file) => {
            let count = export(registry.conn(), args.kind, &filter, today, format, style, &mut file)?;
            let shown = file.target().display().to_string();
            file.commit()?;
            ctx.info(format!("wrote {count} {} to {shown}", args.kind.file_name().trim_end_matches(".csv")));
            Ok(())
        }
    }
}
