//! Bulk import: CSV files as institutions' systems export them, in the
//! native format (what `ipart export` writes) or through a mapping file.
//!
//! The path of every file is the same: sniff and open it (`input`), turn
//! each row into native fields (`fields`, with a `mapping`), check them with
//! the one builder every command uses (`native::build`), match them to what
//! the registry holds and add, update or leave them (`apply`). It all runs
//! in the caller's single transaction: any refused row (without
//! `--skip-invalid`) fails the import and nothing is kept. Rows stream, so
//! memory stays flat however large the file. Each import is recorded as a
//! batch that `undo` can revert.

pub mod apply;
pub mod check;
pub mod fields;
pub mod input;
pub mod mapping;
pub mod read_ahead;
pub mod reject;
pub mod sheet;
pub mod starter;
pub mod synonyms;
pub mod undo;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use apply::{Applied, Applier, Problem, default_partner_sectors};
use fields::{CellProblem, Layout};
use input::{Encoding, HeaderHint, Settings};
use mapping::{DateFormat, Mapping, native_fields};
use read_ahead::ReadAhead;
use reject::RejectWriter;

use crate::domain::Date;
use crate::error::{Error, Result};
use crate::native::{Catalog, Kind};
use crate::store::Writer;
use crate::store::batch::{self, Batch, Counts};

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: Kind,
    /// The file as named on the command line (`-` for standard input).
    pub name: String,
    pub mapping: Option<Mapping>,
    /// Overrides of what the mapping says or sniffing finds.
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    pub skip_lines: Option<usize>,
    pub no_header: bool,
    pub date_formats: Vec<DateFormat>,
    /// The sheet of a spreadsheet (overrides the mapping's).
    pub sheet: Option<String>,
    pub options: Options,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub create_missing_partners: bool,
    /// The date of a status the file gives without one.
    pub on: Date,
    /// How many problems a message lists before it counts the rest.
    pub max_errors: usize,
    /// Write an audit entry for every assignment added, as commands do,
    /// instead of marking them with the batch (the demo data: a few hundred;
    /// a bulk import of a million would write a million JSON copies).
    pub audit_each: bool,
    /// Accept a file with a header and no rows (an import of nothing);
    /// otherwise it is refused, as most likely an export that failed.
    pub allow_empty: bool,
    /// Accept status histories out of lifecycle order (`--any-order`).
    pub any_order: bool,
}

impl Request {
    /// A native file with default options, as the demo loader reads them.
    pub fn native(kind: Kind, name: &str, on: Date) -> Request {
        Request {
            kind,
            name: name.to_string(),
            mapping: None,
            encoding: None,
            delimiter: None,
            skip_lines: None,
            no_header: false,
            date_formats: Vec::new(),
            sheet: None,
            options: Options {
                dry_run: false,
                skip_invalid: false,
                create_missing_partners: false,
                on,
                max_errors: 20,
                audit_each: false,
                // The data sets ipart itself loads may have a kind with none.
                allow_empty: true,
                any_order: false,
            },
        }
    }
}

/// Told what happens while a file is read.
pub trait Observer {
    /// Once, before any row is read (or before the file is refused for its
    /// header): what sniffing found.
    fn detected(&mut self, _description: &str) {}
    /// Something the person importing should know, once per import.
    fn warn(&mut self, _message: &str) {}
    /// Now and then: bytes read so far and rows done.
    fn progress(&mut self, _bytes: u64, _rows: u64) {}
    /// Once, when every row is read: what is left (the last rows written,
    /// indexes set aside built again, the commit) takes a moment on a
    /// large file.
    fn finishing(&mut self, _rows: u64) {}
}

/// An observer that is told nothing.
pub struct Silent;
impl Observer for Silent {}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub counts: Counts,
    /// The recorded batch (rolled back again on a dry run).
    pub batch: Batch,
    /// The one line of what sniffing found.
    pub detected: String,
    /// On a dry run: one line per record added or updated.
    pub plan: Vec<String>,
    /// Problems of the rows refused (with `--skip-invalid`), as reported.
    pub problems: Vec<String>,
    pub more_problems: usize,
    pub created_partners: Vec<String>,
    /// An earlier batch that read the very same bytes.
    pub same_file: Option<Batch>,
    pub elapsed: Duration,
}

/// Imports `input` in `w`'s transaction; refused rows go to `reject` with
/// `--skip-invalid`.
pub fn run(
    w: &Writer,
    input: Box<dyn Read + Send>,
    req: &Request,
    reject: Option<&mut dyn Write>,
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let started = Instant::now();
    let kind = req.kind;
    let mapping = req.mapping.clone().map(|mut m| {
        if !req.date_formats.is_empty() {
            m.date_formats = req.date_formats.clone();
        }
        m
    });
    if mapping.is_none() && (req.no_header || !req.date_formats.is_empty()) {
        return Err(
            Error::usage("--no-header and --date-format describe a foreign file: give its mapping with --map").into()
        );
    }
    let hint = match &mapping {
        None => {
            let mut columns = native_fields(kind);
            columns.push(fields::REJECT_COLUMN);
            HeaderHint::Columns(columns)
        }
        Some(m) => HeaderHint::Names(
            m.rules()
                .filter_map(|f| match &f.column {
                    mapping::Column::Name(n) => Some(n.clone()),
                    mapping::Column::Position(_) => None,
                })
                .collect(),
        ),
    };
    let settings = Settings {
        encoding: req.encoding.or(mapping.as_ref().and_then(|m| m.encoding)),
        delimiter: req.delimiter.or(mapping.as_ref().and_then(|m| m.delimiter)),
        skip_lines: req.skip_lines.or(mapping.as_ref().and_then(|m| m.skip_lines)),
        header: !req.no_header && mapping.as_ref().is_none_or(|m| m.header),
        hint,
        sheet: req.sheet.clone().or_else(|| mapping.as_ref().and_then(|m| m.sheet.clone())),
    };
    let (detected, rows) = input::open_announcing(input, &req.name, &settings, &mut |line| observer.detected(line))?;
    // The file is refused here for its header or its dates: say first how
    // it was read.
    let laid_out = match &mapping {
        None => Layout::native(kind, &detected.header, &req.name),
        Some(m) => {
            let width = detected.sample.iter().map(Vec::len).max().unwrap_or(0);
            Layout::mapped(kind, m, &detected.header, width, &req.name)
        }
    }
    .and_then(|layout| layout.date_styles(&detected.sample, &req.name).map(|dates| (layout, dates)));
    let (layout, dates) = match laid_out {
        Ok(found) => found,
        Err(e) => {
            observer.detected(&detected.line(None));
            return Err(e.into());
        }
    };
    let description = detected.line(Some(&dates));
    observer.detected(&description);
    if let Some(m) = &mapping {
        let unmapped = fields::unmapped_columns(m, &detected.header);
        if !unmapped.is_empty() {
            observer.warn(&unmapped_warning(&req.name, m, &unmapped));
        }
    }

    let open = w.begin_batch(
        kind.name(),
        &req.name,
        mapping.as_ref().and_then(|m| m.source.as_deref()),
        mapping.as_ref().map(|m| m.name.as_str()),
    )?;
    let mut create_partners = Vec::new();
    if req.options.create_missing_partners {
        create_partners = default_partner_sectors(kind);
        for (field, sector) in mapping.iter().flat_map(|m| &m.create_partners) {
            create_partners.retain(|(f, _)| f != field);
            create_partners.push((field, *sector));
        }
    }
    let mut applier = Applier::new(
        w,
        apply::Settings {
            kind,
            batch: open.id,
            provided: layout.provided.clone(),
            create_only: mapping.as_ref().map(|m| m.create_only.clone()).unwrap_or_default(),
            create_partners,
            row_savepoints: req.options.skip_invalid,
            audit_each: req.options.audit_each,
            describe: req.options.dry_run,
            student_id_separator: mapping.as_ref().and_then(|m| m.student_id_separator.clone()),
            any_order: req.options.any_order,
        },
        req.options.on,
    )?;
    let mut counts = Counts::default();
    let mut report = Report::new(req.options.max_errors);
    let mut plan = Vec::new();
    let mut rejects = reject.map(|out| RejectWriter::new(out, &detected));
    // A reject file never repeats student identifiers: their cell is left
    // empty (the rows, fixed and imported again, carry none; importing the
    // original file again adds them).
    let student_cell = layout.cell_of(mapping::STUDENT_IDS);
    let encoding = rows.encoding_handle();
    let tally = rows.tally.clone();
    // Assignments are built (checked, names resolved) on the reading thread
    // too, against a catalog of their own: nothing an assignment import
    // does changes partners, themes or labs, unless it creates partners.
    let prebuild = if kind == Kind::Assignment && !req.options.create_missing_partners {
        Some(Catalog::load(w, kind, req.options.on)?)
    } else {
        None
    };
    let layout = Arc::new(layout);
    let mut ahead = ReadAhead::start(rows, layout.clone(), prebuild, &req.name);
    while let Some(mut chunk) = ahead.next_chunk()? {
        for row in &mut chunk {
            let line = row.line;
            if let Some(e) = row.error.take() {
                if e.fatal {
                    let message = format!("{}{}", detected.at(&req.name, e.line), e.message);
                    return Err(if e.invalid_data { Error::invalid(message) } else { Error::usage(message) }.into());
                }
                counts.rows += 1;
                counts.rejected += 1;
                report.add(&detected.at(&req.name, e.line), &[e.message]);
                continue;
            }
            counts.rows += 1;
            let record = &row.record;
            let cell_problems = &row.cell_problems;
            let outcome = if cell_problems.is_empty() {
                applier.apply(&row.fields, row.prebuilt.take())?
            } else {
                Err(Vec::new())
            };
            match outcome {
                Ok(Applied::Added(label)) => {
                    counts.added += 1;
                    if req.options.dry_run {
                        plan.push(format!("add {} {label}", kind.name()));
                    }
                }
                Ok(Applied::Updated(label, what)) => {
                    counts.updated += 1;
                    if req.options.dry_run {
                        plan.push(format!("update {} {label}: {what}", kind.name()));
                    }
                }
                Ok(Applied::Unchanged) => counts.unchanged += 1,
                Err(problems) => {
                    counts.rejected += 1;
                    let messages = messages(&layout, cell_problems, &problems);
                    report.add(&detected.at(&req.name, line), &messages);
                    if let Some(rejects) = rejects.as_mut() {
                        let encoding = *encoding.lock();
                        match student_cell.filter(|&cell| record.get(cell).is_some_and(|c| !c.is_empty())) {
                            Some(cell) => {
                                let blanked: csv::StringRecord =
                                    record.iter().enumerate().map(|(i, c)| if i == cell { "" } else { c }).collect();
                                rejects.write(&blanked, &messages.join("; "), encoding)?;
                            }
                            None => rejects.write(record, &messages.join("; "), encoding)?,
                        }
                    }
                }
            }
            if counts.rows.is_multiple_of(2048) {
                observer.progress(tally.lock().bytes, counts.rows);
            }
        }
        ahead.give_back(chunk);
    }
    observer.progress(tally.lock().bytes, counts.rows);
    observer.finishing(counts.rows);
    applier.finish()?;
    if counts.rows == 0 && !req.options.allow_empty {
        let has = match detected.header_line {
            Some(line) => format!("a header (line {line}) and no rows"),
            None => "no rows, only blank lines".to_string(),
        };
        return Err(Error::invalid(format!(
            "{}: the file has {has}: nothing to import (a failed export?); give --allow-empty to record an import of nothing",
            req.name
        ))
        .into());
    }
    if report.total > 0 && !req.options.skip_invalid {
        return Err(Error::invalid(report.message(&counts)).into());
    }
    counts.students_linked = applier.students_linked as u64;
    let sha256 = tally.lock().sha256();
    let same_file = batch::same_file(w, &sha256, kind.name())?;
    let recorded = w.finish_batch(open, &sha256, &counts)?;
    Ok(Outcome {
        counts,
        batch: recorded,
        detected: description,
        plan,
        more_problems: report.total.saturating_sub(report.shown.len()),
        problems: report.shown,
        created_partners: std::mem::take(&mut applier.created_partners),
        same_file,
        elapsed: started.elapsed(),
    })
}

/// The warning about columns neither mapped nor ignored: once per import,
/// so that a column an export has gained is noticed.
fn unmapped_warning(name: &str, m: &Mapping, columns: &[String]) -> String {
    let listed = columns.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ");
    let (what, verb) = if columns.len() == 1 { ("column", "is") } else { ("columns", "are") };
    format!(
        "{name}: {} {what} {verb} neither mapped nor ignored by {}, so not imported: {listed} (map it under [fields], or list it in ignore = [...] if it is left out on purpose)",
        columns.len(),
        m.name
    )
}

/// `column "Niveau": "HBOO" is not an education level (...)`, per problem.
fn messages(layout: &Layout, cells: &[CellProblem], problems: &[Problem]) -> Vec<String> {
    let mut out: Vec<String> = cells.iter().map(|p| format!("{}: {}", p.label, p.message)).collect();
    for p in problems {
        out.push(match p.field {
            Some(field) => format!("{}: {}", layout.label(field), p.message),
            None => p.message.clone(),
        });
    }
    // One column may feed two fields (a creation date that is both the
    // registration date and a milestone): its problem is said once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|m| seen.insert(m.clone()));
    out
}

/// The problems of the rows, as many as are shown and a count of the rest.
struct Report {
    limit: usize,
    shown: Vec<String>,
    total: usize,
    rows: usize,
}

impl Report {
    fn new(limit: usize) -> Self {
        Report { limit, shown: Vec::new(), total: 0, rows: 0 }
    }

    /// The problems of one row; `at` says where it is (`f.csv:7: `).
    fn add(&mut self, at: &str, messages: &[String]) {
        self.rows += 1;
        for m in messages {
            self.total += 1;
            if self.shown.len() < self.limit {
                self.shown.push(format!("{at}{m}"));
            }
        }
    }

    fn message(&self, counts: &Counts) -> String {
        let mut text = self.shown.join("\n");
        if self.total > self.shown.len() {
            text.push_str(&format!("\n... and {} more problems", self.total - self.shown.len()));
        }
        text.push_str(&format!(
            "\nnothing was written: {} of {} rows have problems (fix them, or give --skip-invalid to import the others and write the refused rows to a reject file)",
            self.rows, counts.rows
        ));
        text
    }
}

/// `1,000,000 rows: 999,998 added, 2 rejected in 4.1 s`.
pub fn summary(counts: &Counts, elapsed: Duration) -> String {
    format!("{} in {:.1} s", tally(counts), elapsed.as_secs_f64())
}

/// `10 rows: 8 added, 2 rejected`.
pub fn tally(counts: &Counts) -> String {
    let parts: Vec<String> = [
        (counts.added, "added"),
        (counts.updated, "updated"),
        (counts.unchanged, "unchanged"),
        (counts.rejected, "rejected"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{} {what}", thousands(*n)))
    .collect();
    let rows = if counts.rows == 1 { "row" } else { "rows" };
    let parts = if parts.is_empty() { "nothing to do".to_string() } else { parts.join(", ") };
    format!("{} {rows}: {parts}", thousands(counts.rows))
}

pub use crate::domain::names::thousands;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_rows_with_thousands_separators() {
        let counts = Counts { rows: 1_000_000, added: 999_998, rejected: 2, ..Counts::default() };
        assert_eq!(summary(&counts, Duration::from_millis(4100)), "1,000,000 rows: 999,998 added, 2 rejected in 4.1 s");
        assert_eq!(summary(&Counts::default(), Duration::ZERO), "0 rows: nothing to do in 0.0 s");
    }
}
