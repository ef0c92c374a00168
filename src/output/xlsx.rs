//! One typed sheet in an Excel workbook (`--format xlsx`): numbers as
//! numbers, dates as dates, a bold header row that stays in view, filters
//! on every column, and columns as wide as their content (within reason).
//!
//! Rows are written as they come, to a temporary file (the writer's
//! constant memory mode), so a sheet of a million rows does not grow the
//! process; the workbook is assembled when it is finished.

use std::borrow::Cow;
use std::io::{Seek, Write};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use super::text::width;
use crate::error::{Error, Result};

/// The most rows an Excel sheet holds, the header included.
pub const MAX_ROWS: u32 = 1_048_576;

/// Columns are at most this wide (in characters); longer text wraps in
/// the cell when a reader widens it, and stays whole in the file.
const MAX_WIDTH: usize = 60;

/// One cell's value and type.
#[derive(Debug, Clone, PartialEq)]
pub enum XlsxCell<'a> {
    Empty,
    Number(f64),
    /// A calendar date, shown as 2023-09-01.
    Date {
        year: u16,
        month: u8,
        day: u8,
    },
    Bool(bool),
    Text(Cow<'a, str>),
}

impl XlsxCell<'_> {
    /// A `YYYY-MM-DD` text as a date cell; anything else stays text.
    pub fn date_or_text(text: &str) -> XlsxCell<'_> {
        let parts: Vec<&str> = text.split('-').collect();
        if let [y, m, d] = parts[..]
            && y.len() == 4
            && m.len() == 2
            && d.len() == 2
            && let (Ok(year), Ok(month), Ok(day)) = (y.parse(), m.parse(), d.parse())
            && ExcelDateTime::from_ymd(year, month, day).is_ok()
        {
            return XlsxCell::Date { year, month, day };
        }
        XlsxCell::Text(Cow::Borrowed(text))
    }

    fn width(&self) -> usize {
        match self {
            XlsxCell::Empty => 0,
            XlsxCell::Number(n) => n.to_string().len(),
            XlsxCell::Date { .. } => 10,
            XlsxCell::Bool(_) => 5,
            XlsxCell::Text(t) => width(t),
        }
    }
}

/// A workbook of one sheet, written a row at a time.
pub struct XlsxSheet {
    workbook: Workbook,
    date: Format,
    /// The next row to write (0 is the header).
    row: u32,
    widths: Vec<usize>,
}

impl XlsxSheet {
    /// A sheet named `name` with a header row of `labels`.
    pub fn new(name: &str, labels: &[String]) -> Result<XlsxSheet> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        sheet.set_name(name).map_err(xlsx_error)?;
        let bold = Format::new().set_bold();
        for (col, label) in labels.iter().enumerate() {
            sheet.write_string_with_format(0, column(col)?, label.as_str(), &bold).map_err(xlsx_error)?;
        }
        // The filter buttons in the header take about two characters.
        let widths = labels.iter().map(|l| width(l) + 3).collect();
        Ok(XlsxSheet { workbook, date: Format::new().set_num_format("yyyy-mm-dd"), row: 1, widths })
    }

    /// Writes the next row. Refused past the last row a sheet can hold.
    pub fn row(&mut self, cells: &[XlsxCell]) -> Result<()> {
        if self.row >= MAX_ROWS {
            return Err(Error::usage(format!(
                "an Excel sheet holds at most {} rows besides its header, and this one would hold more; \
                 filter it (--year, --status, ...) or write CSV (--format csv); nothing was written",
                MAX_ROWS - 1
            ))
            .into());
        }
        let row = self.row;
        let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx_error)?;
        for (col, cell) in cells.iter().enumerate() {
            let c = column(col)?;
            match cell {
                XlsxCell::Empty => Ok(&mut *sheet),
                XlsxCell::Number(n) => sheet.write_number(row, c, *n),
                XlsxCell::Date { year, month, day } => {
                    let date = ExcelDateTime::from_ymd(*year, *month, *day).map_err(xlsx_error)?;
                    sheet.write_datetime_with_format(row, c, &date, &self.date)
                }
                XlsxCell::Bool(b) => sheet.write_boolean(row, c, *b),
                XlsxCell::Text(t) => sheet.write_string(row, c, t.as_ref()),
            }
            .map_err(xlsx_error)?;
            if let Some(w) = self.widths.get_mut(col) {
                *w = (*w).max(cell.width() + 1);
            }
        }
        self.row += 1;
        Ok(())
    }

    /// Freezes the header, sets filters and widths, and writes the workbook
    /// to `out`; returns how many rows it holds besides the header.
    pub fn finish(mut self, out: &mut dyn Write) -> Result<u64> {
        let last_row = self.row - 1;
        let last_col = column(self.widths.len().saturating_sub(1))?;
        let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx_error)?;
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        if !self.widths.is_empty() {
            sheet.autofilter(0, 0, last_row, last_col).map_err(xlsx_error)?;
        }
        for (col, w) in self.widths.iter().enumerate() {
            sheet.set_column_width(column(col)?, (*w).min(MAX_WIDTH) as f64).map_err(xlsx_error)?;
        }
        // Assembled in a temporary file and copied, so that the whole
        // workbook never sits in memory.
        let mut file = tempfile::tempfile()?;
        self.workbook.save_to_writer(&mut file).map_err(xlsx_error)?;
        file.rewind()?;
        std::io::copy(&mut file, out)?;
        Ok(u64::from(last_row))
    }
}

fn column(i: usize) -> Result<u16> {
    u16::try_from(i).map_err(|_| anyhow::anyhow!("too many columns for a sheet"))
}

fn xlsx_error(e: XlsxError) -> anyhow::Error {
    match e {
        XlsxError::MaxStringLengthExceeded => Error::usage(
            "a value is longer than the 32,767 characters an Excel cell holds; write CSV (--format csv) instead",
        )
        .into(),
        other => anyhow::anyhow!("cannot write the Excel workbook: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_recognised_only_in_full() {
        assert_eq!(XlsxCell::date_or_text("2023-09-01"), XlsxCell::Date { year: 2023, month: 9, day: 1 });
        assert!(matches!(XlsxCell::date_or_text("2023-02-30"), XlsxCell::Text(_)));
        assert!(matches!(XlsxCell::date_or_text("2023-9-1"), XlsxCell::Text(_)));
        assert!(matches!(XlsxCell::date_or_text("00IC"), XlsxCell::Text(_)));
    }

    #[test]
    fn a_row_past_the_last_an_excel_sheet_holds_is_refused() {
        let mut sheet = XlsxSheet::new("test", &["id".into()]).unwrap();
        sheet.row = MAX_ROWS - 1;
        sheet.row(&[XlsxCell::Number(1.0)]).unwrap();
        let refused = sheet.row(&[XlsxCell::Number(2.0)]).unwrap_err().to_string();
        assert!(refused.contains("at most 1048575 rows") && refused.contains("--format csv"), "{refused}");
    }

    #[test]
    fn a_sheet_is_a_zip_file() {
        let mut sheet = XlsxSheet::new("test", &["id".into(), "on".into()]).unwrap();
        sheet.row(&[XlsxCell::Number(1.0), XlsxCell::date_or_text("2023-09-01")]).unwrap();
        let mut out = Vec::new();
        assert_eq!(sheet.finish(&mut out).unwrap(), 1);
        assert!(out.starts_with(b"PK"), "an xlsx file is a zip archive");
    }
}
