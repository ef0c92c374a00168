//! The report as an Excel workbook (`--format xlsx`): the sheets of
//! [`workbook`](super::workbook), with counts as numbers, shares as
//! percentages (`0%`), dates as dates, and native Excel charts of the
//! assignments by status, level and theme and of the trend, drawn from the
//! cells beside them (so a chart follows when someone corrects a cell).
//! Text is always written as text, never as a formula.

use std::io::Write;

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartType, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

use super::workbook::{self, Block, Cell, ChartKind, Sheet};
use crate::domain::{Date, Lang};
use crate::error::Result;
use crate::report::Report;
use crate::report::document;

/// The formats of a sheet's cells.
struct Formats {
    title: Format,
    subtitle: Format,
    block_title: Format,
    header: Format,
    /// The header of a column of numbers, aligned with them.
    number_header: Format,
    integer: Format,
    share: Format,
    date: Format,
    long_text: Format,
}

impl Formats {
    fn new(lang: Lang) -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            subtitle: Format::new().set_italic(),
            block_title: Format::new().set_bold(),
            header: Format::new().set_bold().set_border_bottom(FormatBorder::Thin),
            number_header: Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_align(FormatAlign::Right),
            // Excel shows the separators of the reader's locale: 1.235 in Dutch, 1,235 in English.
            integer: Format::new().set_num_format("#,##0"),
            share: Format::new().set_num_format("0%"),
            date: Format::new().set_num_format(match lang {
                Lang::Nl => "dd-mm-yyyy",
                Lang::En => "yyyy-mm-dd",
            }),
            long_text: Format::new().set_text_wrap(),
        }
    }
}

/// The widest a column gets (in characters); longer text wraps.
const MAX_WIDTH: usize = 60;
/// Rows a chart takes (its default height of 288 pixels is 14.4 rows of 20).
const CHART_ROWS: u32 = 16;
/// The trend's line chart spans years: wider and taller than the default 480 x 288.
const TREND_SIZE: (u32, u32) = (720, 400);
/// The first row of the first block: below the title, the period and a blank row.
const FIRST_BLOCK_ROW: u32 = 3;

pub fn render(report: &Report, lang: Lang, out: &mut dyn Write) -> Result<()> {
    let bytes = workbook_bytes(report, lang)?;
    out.write_all(&bytes)?;
    Ok(())
}

/// The workbook as the bytes of an .xlsx file.
pub fn workbook_bytes(report: &Report, lang: Lang) -> Result<Vec<u8>> {
    let formats = Formats::new(lang);
    let mut book = Workbook::new();
    // A fixed creation date (today, or IPART_TODAY) makes the same report the same bytes.
    let mut properties = DocProperties::new().set_title(document::title(report, lang)).set_author("ipart");
    if let Some(day) = crate::domain::today().ok().and_then(|d| excel_date(d).ok()) {
        properties = properties.set_creation_datetime(&day);
    }
    book.set_properties(&properties);
    let subtitle = document::subtitle(report, lang);
    for sheet in workbook::build(report, lang) {
        let worksheet = book.add_worksheet();
        write_sheet(worksheet, &sheet, &subtitle, &formats).map_err(xlsx_error)?;
    }
    book.save_to_buffer().map_err(xlsx_error)
}

fn xlsx_error(e: XlsxError) -> anyhow::Error {
    anyhow::anyhow!("cannot make the Excel workbook: {e}")
}

fn excel_date(d: Date) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, subtitle: &str, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    ws.write_string_with_format(0, 0, &sheet.title, &f.title)?;
    ws.write_string_with_format(1, 0, subtitle, &f.subtitle)?;
    let widths = column_widths(&sheet.blocks);
    for (col, width) in widths.iter().enumerate() {
        ws.set_column_width(col as u16, *width as f64 + 2.0)?;
    }
    // Charts stand right of the widest table, each beside its own table
    // and below the chart before it.
    let chart_col = widths.len() as u16 + 1;
    let mut row = FIRST_BLOCK_ROW;
    let mut next_chart_row = FIRST_BLOCK_ROW;
    for block in &sheet.blocks {
        let first_data_row = write_block(ws, block, row, f)?;
        if let Some(spec) = &block.chart
            && !block.rows.is_empty()
        {
            let chart_row = row.max(next_chart_row);
            let chart = chart(&sheet.name, block, spec, first_data_row);
            ws.insert_chart(chart_row, chart_col, &chart)?;
            next_chart_row = chart_row + CHART_ROWS;
        }
        row = first_data_row + block.rows.len() as u32 + 1;
    }
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    Ok(())
}

/// Writes a block's title, header and rows from `row`; returns the row of its first data row.
fn write_block(ws: &mut Worksheet, block: &Block, row: u32, f: &Formats) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, &block.title, &f.block_title)?;
    for (col, name) in block.header.iter().enumerate() {
        let numbers = !block.rows.is_empty()
            && block
                .rows
                .iter()
                .all(|r| matches!(r.get(col), Some(Cell::Int(_) | Cell::Share(_) | Cell::Number(_) | Cell::Empty)));
        ws.write_string_with_format(row + 1, col as u16, name, if numbers { &f.number_header } else { &f.header })?;
    }
    let first = row + 2;
    for (i, cells) in block.rows.iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            write_cell(ws, first + i as u32, col as u16, cell, f)?;
        }
    }
    Ok(first)
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, f: &Formats) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) if s.chars().count() > MAX_WIDTH => ws.write_string_with_format(row, col, s, &f.long_text)?,
        Cell::Text(s) => ws.write_string(row, col, s)?,
        Cell::Int(n) => ws.write_number_with_format(row, col, *n as f64, &f.integer)?,
        Cell::Share(s) => ws.write_number_with_format(row, col, f64::from(*s) / 100.0, &f.share)?,
        Cell::Date(d) => ws.write_datetime_with_format(row, col, excel_date(*d)?, &f.date)?,
        Cell::Number(x) => ws.write_number(row, col, *x)?,
        Cell::Empty => ws,
    };
    Ok(())
}

/// The width of each column in characters: its longest header or cell
/// (block titles run over empty cells and do not count).
fn column_widths(blocks: &[Block]) -> Vec<usize> {
    let mut widths: Vec<usize> = Vec::new();
    for block in blocks {
        let rows = std::iter::once(block.header.iter().map(|h| h.chars().count()).collect::<Vec<_>>())
            .chain(block.rows.iter().map(|r| r.iter().map(shown_width).collect()));
        for row in rows {
            if widths.len() < row.len() {
                widths.resize(row.len(), 0);
            }
            for (w, n) in widths.iter_mut().zip(row) {
                *w = (*w).max(n);
            }
        }
    }
    widths.into_iter().map(|w| w.clamp(6, MAX_WIDTH)).collect()
}

fn shown_width(cell: &Cell) -> usize {
    match cell {
        Cell::Text(s) => s.chars().count(),
        Cell::Int(n) => n.to_string().len() * 4 / 3,
        Cell::Share(_) => 4,
        Cell::Date(_) => 10,
        Cell::Number(x) => x.to_string().len(),
        Cell::Empty => 0,
    }
}

/// A native chart of `block`, whose data rows start at `first_row`.
fn chart(sheet: &str, block: &Block, spec: &workbook::Chart, first_row: u32) -> Chart {
    let mut chart = Chart::new(match spec.kind {
        ChartKind::Column => ChartType::Column,
        ChartKind::Bar => ChartType::Bar,
        ChartKind::Pie => ChartType::Pie,
        ChartKind::Line => ChartType::Line,
    });
    chart.title().set_name(&spec.title);
    let last_row = first_row + block.rows.len() as u32 - 1;
    let category = spec.categories as u16;
    for &value in &spec.values {
        let value = value as u16;
        let series = chart
            .add_series()
            .set_categories((sheet, first_row, category, last_row, category))
            .set_values((sheet, first_row, value, last_row, value))
            .set_name((sheet, first_row - 1, value));
        if spec.kind == ChartKind::Pie {
            series.set_data_label(ChartDataLabel::new().show_percentage());
        }
    }
    if matches!(spec.kind, ChartKind::Column | ChartKind::Bar) {
        // One series, named by the title: no legend.
        chart.legend().set_hidden();
    }
    if spec.kind == ChartKind::Bar {
        // Bars run top to bottom in the order of the table.
        chart.y_axis().set_reverse();
    }
    if spec.kind == ChartKind::Line {
        chart.set_width(TREND_SIZE.0).set_height(TREND_SIZE.1);
    }
    chart
}
