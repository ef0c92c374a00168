//! Turning a [`Report`] into text: JSON and CSV for scripts, a table,
//! Markdown and an HTML page for people. The three formats for people
//! are drawn from one [`document`](super::document) of titled tables, so
//! they always show the same figures in the same order.

pub mod csv;
pub mod html;
pub mod markdown;
pub mod table;

use std::io::Write;

use super::Report;
use super::document::View;
use crate::error::Result;
use crate::output::Style;

/// The formats of `ipart report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// Sections of tables, for reading on a terminal (80 columns)
    #[default]
    Table,
    /// One JSON object with stable English field names (schema/report.schema.json)
    Json,
    /// Long format: section, dimension, value, count, share; for spreadsheets
    Csv,
    /// Headings and tables, for a wiki page or a pull request
    Markdown,
    /// One self-contained HTML page with charts, laid out like the infographic
    Html,
}

/// Writes `report` in `format`; `view` (language, notes, themes) applies to
/// the formats for people.
pub fn render(report: &Report, format: ReportFormat, view: &View, style: Style, out: &mut dyn Write) -> Result<()> {
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
            Ok(())
        }
        ReportFormat::Csv => csv::render(report, out),
        ReportFormat::Table => table::render(report, view, style, out),
        ReportFormat::Markdown => markdown::render(report, view, out),
        ReportFormat::Html => html::render(report, view, out),
    }
}
