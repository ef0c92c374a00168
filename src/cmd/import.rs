//! `ipart import`: bulk import of CSV files (native, or foreign through a
//! mapping file), `import log` and `import undo`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};

use super::export::parse_kind;
use super::{Context, finish, new_date_arg};
use crate::error::{Error, Result};
use crate::import::input::Encoding;
use crate::import::mapping::{DateFormat, Mapping, parse_delimiter};
use crate::import::{self, Observer, Options, Outcome, Request, summary, tally, thousands};
use crate::native::Kind;
use crate::outfile::OutFile;
use crate::output::{Format, Listing};
use crate::store::batch;

const EXAMPLES: &str = "Examples:
  ipart import assignments assignments.csv              a native file, as `ipart export` writes it
  ipart import assignments osiris.csv --map fixtures/import/hanze-osiris/osiris.toml --dry-run
  ipart import partners instellingen.csv --map fixtures/import/duo/duo-instellingen.toml
  ipart import assignments export.csv --map portal.toml --skip-invalid   refused rows go to export.rejected.csv
  ipart import assignments export.csv --map portal.toml --create-missing-partners --on 2024-01-31
  ipart import labs labs.csv --any-order                 histories as the file gives them, in any order
  cat assignments.csv | ipart import assignments -
  ipart import log
  ipart import undo 7

Records match on their key, so importing the same file again changes nothing: assignments and
PhD candidates on (source, external_id); partners on external_code, then (source, external_id),
then any of their names; themes on code; metrics on (name, year); the others on name.

Dates must lie in 2000 to ten years after today, figures must be declared (`ipart metric names`),
and status histories must follow their lifecycle (completed after in preparation) unless
--any-order says the order is meant; a row that breaks a rule is refused by line and column.

An assignment file may give student_ids (one or more per row, separated by ; , or |): only their
keyed hashes are kept, to count unique students in `ipart report`; they are never exported. The key
lives in a key file outside the registry (see `ipart key`).";

/// Import records from a CSV file; `import log` lists imports, `import undo` reverts one
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true, after_help = EXAMPLES)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub action: Option<ImportAction>,
    /// What the file holds: assignments, partners, labs, communities, phds, activities,
    /// curricula, chairs, questions, themes or metrics
    #[arg(value_parser = parse_kind, value_name = "KIND", required = true)]
    pub kind: Option<Kind>,
    /// The file: CSV (or tab-separated) text, or a spreadsheet (.xlsx, .xls, .ods); '-' reads
    /// standard input
    #[arg(value_name = "FILE", required = true)]
    pub file: Option<PathBuf>,
    /// A mapping file (TOML) for a foreign layout; see docs/import.md
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Check everything and show what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows; write the refused ones, with a reason, to a reject file
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where refused rows go [default: FILE.rejected.csv beside FILE]
    #[arg(long, value_name = "FILE", requires = "skip_invalid")]
    pub reject: Option<PathBuf>,
    /// Replace an existing reject file
    #[arg(long)]
    pub force: bool,
    /// Add partners the file names that the registry does not know (the sector follows from
    /// the column: government_partner, education_partner)
    #[arg(long)]
    pub create_missing_partners: bool,
    /// The date of a status the file gives without one [default: today]
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// The encoding: utf-8, utf-8-bom, windows-1252, utf-16le, utf-16be, or any WHATWG label
    /// (big5, shift_jis, windows-1250, iso-8859-15 ...) [default: detected]
    #[arg(long, value_name = "NAME", help_heading = "Reading the file (overrides the mapping and sniffing)")]
    pub encoding: Option<String>,
    /// The delimiter: ',', ';', '|' or tab [default: sniffed]
    #[arg(long, value_name = "CHAR", help_heading = "Reading the file (overrides the mapping and sniffing)")]
    pub delimiter: Option<String>,
    /// Lines (a spreadsheet's rows) before the header [default: sniffed]
    #[arg(long, value_name = "N", help_heading = "Reading the file (overrides the mapping and sniffing)")]
    pub skip_lines: Option<usize>,
    /// The file has no header line (columns by position; needs --map)
    #[arg(long, help_heading = "Reading the file (overrides the mapping and sniffing)")]
    pub no_header: bool,
    /// Date format of the file, such as dd-mm-yyyy (repeatable; needs --map)
    #[arg(long, value_name = "FORMAT", help_heading = "Reading the file (overrides the mapping and sniffing)")]
    pub date_format: Vec<String>,
    /// The sheet of a spreadsheet, by name or number from 1 [default: the first]
    #[arg(long, value_name = "NAME|NUMBER", help_heading = "Reading the file (overrides the mapping and sniffing)")]
    pub sheet: Option<String>,
    /// Accept a file with a header and no rows, recording an import of nothing (such a file is
    /// otherwise refused: most likely an export that failed)
    #[arg(long)]
    pub allow_empty: bool,
    /// Accept status histories out of lifecycle order (completed before in preparation), where
    /// that order is meant; refused without it, naming the row, the column and both changes
    #[arg(long)]
    pub any_order: bool,
    /// How many problems to list before counting the rest
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub max_errors: usize,
}

#[derive(Debug, Subcommand)]
pub enum ImportAction {
    /// List the imports: file, SHA-256, source, what they did, when and by whom
    #[command(after_help = "Examples:
  ipart import log
  ipart import log --format json")]
    Log {
        /// Output format
        #[arg(long, short, value_enum, default_value_t)]
        format: Format,
    },
    /// Revert one import exactly (refused when later changes build on it)
    #[command(after_help = "Examples:
  ipart import undo 7")]
    Undo {
        /// The batch id (see `ipart import log`)
        batch: i64,
    },
}

pub fn run(args: &ImportArgs, ctx: &Context) -> Result<()> {
    match &args.action {
        Some(ImportAction::Log { format }) => log(*format, ctx),
        Some(ImportAction::Undo { batch }) => undo(*batch, ctx),
        None => import_file(args, ctx),
    }
}

fn import_file(args: &ImportArgs, ctx: &Context) -> Result<()> {
    let (Some(kind), Some(file)) = (args.kind, args.file.as_deref()) else {
        return Err(Error::usage("give the kind of record and the file: ipart import assignments FILE").into());
    };
    let name = file.display().to_string();
    let stdin = name == "-";
    let mapping = args.map.as_deref().map(|m| Mapping::load(m, kind)).transpose()?;
    let on = match &args.on {
        Some(d) => new_date_arg("--on", d, ctx.today()?)?,
        None => ctx.today()?,
    };
    let request = Request {
        kind,
        name: name.clone(),
        mapping,
        encoding: args.encoding.as_deref().map(Encoding::parse).transpose()?,
        delimiter: args.delimiter.as_deref().map(parse_delimiter).transpose()?,
        skip_lines: args.skip_lines,
        no_header: args.no_header,
        date_formats: args
            .date_format
            .iter()
            .map(|f| DateFormat::parse(f).map_err(Error::usage))
            .collect::<Result<_, _>>()?,
        sheet: args.sheet.clone(),
        options: Options {
            dry_run: args.dry_run,
            skip_invalid: args.skip_invalid,
            create_missing_partners: args.create_missing_partners,
            on,
            max_errors: args.max_errors.max(1),
            audit_each: false,
            allow_empty: args.allow_empty,
            any_order: args.any_order,
        },
    };
    let reject_path = (args.skip_invalid && !args.dry_run).then(|| {
        args.reject
            .clone()
            .unwrap_or_else(|| if stdin { PathBuf::from("stdin.rejected.csv") } else { rejected_beside(file) })
    });
    if let Some(path) = reject_path.as_deref().filter(|p| p.is_dir()) {
        return Err(Error::usage(format!(
            "the reject file {} is a directory; give a file name with --reject FILE",
            path.display()
        ))
        .into());
    }
    if let Some(path) = &reject_path
        && std::fs::symlink_metadata(path).is_ok()
        && !args.force
    {
        return Err(Error::usage(format!(
            "the reject file {} exists; remove it, give another with --reject FILE, or --force to replace it",
            path.display()
        ))
        .into());
    }
    // Refused rows are written to it as they come; it is put in place only
    // when the import is kept and a row was refused.
    let mut reject = reject_path.as_deref().map(|path| OutFile::create(path, args.force)).transpose()?;
    let input: Box<dyn Read + Send> = if stdin {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(file).map_err(|e| Error::usage(format!("cannot read {name}: {e}")))?)
    };
    let size = if stdin { None } else { std::fs::metadata(file).ok().map(|m| m.len()) };
    let mut registry = ctx.open()?;
    registry.check_whole_before_writing();
    batch::tune_for_bulk(registry.conn())?;
    let command = format!("import {} {name}", kind.file_name().trim_end_matches(".csv"));
    let mut progress = Progress::new(ctx, size);
    let mut placed = false;
    let outcome = if args.dry_run {
        registry.rehearse(&command, |w| import::run(w, input, &request, None, &mut progress))
    } else {
        registry.write(&command, |w| {
            let rejects = reject.as_mut().map(|r| r as &mut dyn Write);
            let outcome = import::run(w, input, &request, rejects, &mut progress)?;
            // Placed just before the import commits: a reject file that
            // cannot be placed fails the import.
            if let Some(file) = reject.take().filter(|_| outcome.counts.rejected > 0) {
                file.commit()?;
                placed = true;
            }
            Ok(outcome)
        })
    };
    progress.clear();
    if let (Err(_), true, Some(path)) = (&outcome, placed, &reject_path) {
        // The commit itself failed: no reject file for an import not kept.
        let _ = std::fs::remove_file(path);
    }
    let outcome = outcome?;
    report(ctx, &outcome, args.dry_run, reject_path.as_deref())
}

fn report(ctx: &Context, o: &Outcome, dry_run: bool, reject: Option<&Path>) -> Result<()> {
    let mut out = ctx.stdout();
    if dry_run {
        for line in &o.plan {
            std::io::Write::write_fmt(&mut out, format_args!("{line}\n"))?;
        }
        std::io::Write::write_fmt(
            &mut out,
            format_args!("dry run, nothing was written: {} would be the outcome\n", tally(&o.counts)),
        )?;
    } else {
        std::io::Write::write_fmt(&mut out, format_args!("{}\n", o.batch.id))?;
    }
    finish(out)?;
    if let Some(earlier) = &o.same_file {
        ctx.info(format!(
            "note: batch {} ({}, {}) read the very same file",
            earlier.id, earlier.started_at, earlier.file
        ));
    }
    if !o.created_partners.is_empty() {
        ctx.info(format!(
            "added {} partner(s) the registry did not know: {} (they have no joined_on yet, so reports do not count them)",
            o.created_partners.len(),
            o.created_partners.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
        ));
    }
    if o.counts.students_linked > 0 {
        let (verb, prefix) = if dry_run { ("would link", "dry run: ") } else { ("linked", "") };
        ctx.info(format!(
            "{prefix}{verb} {} student pseudonym(s) to assignments (keyed hashes; the student identifiers themselves are not kept)",
            thousands(o.counts.students_linked)
        ));
    }
    if o.counts.rejected > 0 {
        let mut lines = o.problems.join("\n");
        if o.more_problems > 0 {
            lines.push_str(&format!("\n... and {} more problems", o.more_problems));
        }
        ctx.warn(format!("{} rows refused:\n{lines}", thousands(o.counts.rejected)));
        if let Some(path) = reject {
            ctx.warn(format!(
                "the refused rows, each with its reason, are in {}; fix them and import that file",
                path.display()
            ));
        }
    }
    if !dry_run {
        ctx.info(format!("{} (batch {})", summary(&o.counts, o.elapsed), o.batch.id));
        ctx.note_demo_write();
    }
    Ok(())
}

/// `data.csv` -> `data.rejected.csv`.
fn rejected_beside(file: &Path) -> PathBuf {
    let stem = file.file_stem().unwrap_or_default().to_string_lossy();
    file.with_file_name(format!("{stem}.rejected.csv"))
}

fn log(format: Format, ctx: &Context) -> Result<()> {
    let registry = ctx.open()?;
    let batches = batch::list(registry.conn())?;
    let listing = Listing::from_serialize(
        &batches,
        &[
            "id",
            "kind",
            "file",
            "sha256",
            "source",
            "mapping",
            "rows",
            "added",
            "updated",
            "unchanged",
            "rejected",
            "students_linked",
            "started_at",
            "finished_at",
            "actor",
            "undone_at",
            "undone_by",
        ],
        &[
            "id",
            "started_at",
            "actor",
            "kind",
            "file",
            "source",
            "rows",
            "added",
            "updated",
            "unchanged",
            "rejected",
            "undone_at",
        ],
    )?;
    let mut out = ctx.stdout();
    listing.render(format, ctx.style, &mut out)?;
    finish(out)
}

fn undo(id: i64, ctx: &Context) -> Result<()> {
    let today = ctx.today()?;
    let mut registry = ctx.open()?;
    registry.check_whole_before_writing();
    let undone = registry.write(&format!("import undo {id}"), |w| import::undo::undo(w, id, today))?;
    let students = match undone.student_links {
        0 => String::new(),
        n => format!(", unlinked {n} student pseudonym(s)"),
    };
    ctx.info(format!(
        "undid import batch {id}: removed {} records, restored {}, took out {} status changes{students}",
        undone.removed, undone.restored, undone.status_changes
    ));
    ctx.note_demo_write();
    Ok(())
}

/// A progress bar on stderr, shown only on a terminal and only once an
/// import has taken more than a moment.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    size: Option<u64>,
    enabled: bool,
    quiet: bool,
    /// Warnings in colour.
    color: bool,
}

impl Progress {
    fn new(ctx: &Context, size: Option<u64>) -> Self {
        Progress {
            bar: None,
            started: Instant::now(),
            size,
            enabled: !ctx.quiet && std::io::stderr().is_terminal(),
            quiet: ctx.quiet,
            color: ctx.err_style.color,
        }
    }

    fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn detected(&mut self, description: &str) {
        if !self.quiet {
            eprintln!("detected: {description}");
        }
    }

    fn warn(&mut self, message: &str) {
        // As `Context::warn`: shown even with --quiet.
        let prefix = if self.color { "\x1b[1;33mwarning:\x1b[0m" } else { "warning:" };
        eprintln!("ipart: {prefix} {message}");
    }

    fn progress(&mut self, bytes: u64, rows: u64) {
        if !self.enabled || self.started.elapsed() < Duration::from_millis(700) {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let bar = match self.size {
                Some(size) => indicatif::ProgressBar::new(size).with_style(
                    indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg}, {elapsed}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                ),
                None => indicatif::ProgressBar::new_spinner(),
            };
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar
        });
        bar.set_position(bytes);
        bar.set_message(format!("{} rows", thousands(rows)));
    }

    fn finishing(&mut self, rows: u64) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} rows read; writing the last, building indexes", thousands(rows)));
            // Nothing moves the bar from here on: keep it drawn (and its clock going).
            bar.enable_steady_tick(Duration::from_millis(250));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_says_what_happens_once_every_row_is_read() {
        let mut progress = Progress {
            bar: None,
            started: Instant::now() - Duration::from_secs(1),
            size: Some(1000),
            enabled: true,
            quiet: false,
            color: false,
        };
        progress.progress(400, 2048);
        let bar = progress.bar.clone().expect("a bar after a moment");
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        assert_eq!((bar.position(), bar.message()), (400, "2,048 rows".to_string()));
        progress.finishing(5000);
        assert_eq!(bar.message(), "5,000 rows read; writing the last, building indexes");
    }
}
