//! Turning a [`Report`] into text: JSON and CSV for scripts, a table,
//! Markdown and an HTML page for people, and for spreadsheets an Excel
//! workbook and a CSV for Dutch Excel. The three text formats for people
//! are drawn from one [`document`](super::document) of titled tables, so
//! they always show the same figures in the same order; the two for
//! spreadsheets from one [`workbook`] of typed tables.

pub mod csv;
pub mod html;
pub mod markdown;
pub mod table;
pub mod workbook;
pub mod xlsx;

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
    /// Long format: section, dimension, value, count, share; codes, for scripts (--excel: for Excel)
    Csv,
    /// Headings and tables, for a wiki page or a pull request
    Markdown,
    /// One self-contained HTML page with charts, laid out like the infographic
    Html,
    /// An Excel workbook: a sheet per section, typed cells, native charts (binary: use -o FILE.xlsx)
    Xlsx,
    /// CSV for Dutch Excel (`--excel`): ';', a BOM, a table per section, labels in the chosen language
    #[value(skip)]
    ExcelCsv,
}

impl ReportFormat {
    /// The `--format` value (`--excel` for the CSV for Excel).
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Table => "table",
            ReportFormat::Json => "json",
            ReportFormat::Csv => "csv",
            ReportFormat::Markdown => "markdown",
            ReportFormat::Html => "html",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::ExcelCsv => "csv --excel",
        }
    }

    /// The file extensions that choose a format (`-o report.xlsx`).
    pub const BY_EXTENSION: &[(&str, ReportFormat)] = &[
        ("txt", ReportFormat::Table),
        ("json", ReportFormat::Json),
        ("csv", ReportFormat::Csv),
        ("md", ReportFormat::Markdown),
        ("markdown", ReportFormat::Markdown),
        ("html", ReportFormat::Html),
        ("xlsx", ReportFormat::Xlsx),
    ];

    /// Whether the output is binary (never for a terminal).
    pub fn is_binary(self) -> bool {
        self == ReportFormat::Xlsx
    }
}

/// Writes `report` in `format`; `view` (language, notes, themes) applies to
/// the formats for people and spreadsheets.
pub fn render(report: &Report, format: ReportFormat, view: &View, style: Style, out: &mut dyn Write) -> Result<()> {
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
            Ok(())
        }
        ReportFormat::Csv => csv::render(report, out),
        ReportFormat::ExcelCsv => csv::render_excel(report, view.lang, out),
        ReportFormat::Xlsx => xlsx::render(report, view.lang, out),
        ReportFormat::Table => table::render(report, view, style, out),
        ReportFormat::Markdown => markdown::render(report, view, out),
        ReportFormat::Html => html::render(report, view, out),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::Lang;
    use crate::report::{Dimension, Options, Period, compute};
    use crate::store::Registry;

    /// The demo's 2023 report with a cross table and a comparison, computed
    /// once for the tests that render it.
    pub fn demo_report() -> &'static Report {
        static REPORT: std::sync::OnceLock<Report> = std::sync::OnceLock::new();
        REPORT.get_or_init(|| {
            let mut registry = Registry::create_in_memory().unwrap();
            crate::demo::load(&mut registry).unwrap();
            let mut options = Options::new(Period::calendar_year(2023).unwrap());
            options.by = Some((Dimension::Theme, Dimension::Level));
            options.compare = Some(2022);
            compute(registry.conn(), &options).unwrap()
        })
    }

    #[test]
    fn every_format_renders_the_demo() {
        let report = demo_report();
        for format in [
            ReportFormat::Table,
            ReportFormat::Json,
            ReportFormat::Csv,
            ReportFormat::Markdown,
            ReportFormat::Html,
            ReportFormat::Xlsx,
            ReportFormat::ExcelCsv,
        ] {
            let mut out = Vec::new();
            render(report, format, &View::new(Lang::Nl), Style::default(), &mut out).unwrap();
            assert!(!out.is_empty(), "{format:?}");
        }
    }

    #[test]
    fn the_excel_csv_is_dutch_with_a_bom_and_semicolons() {
        let mut out = Vec::new();
        render(demo_report(), ReportFormat::ExcelCsv, &View::new(Lang::Nl), Style::default(), &mut out).unwrap();
        assert!(out.starts_with(b"\xEF\xBB\xBFI-Partnerschap jaarverslag"));
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("\r\nKerncijfers\r\ncijfer;waarde\r\nSamenwerkingspartners rijksoverheid;65\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nHBO;351;64%\r\n"), "{text}");
    }
}
