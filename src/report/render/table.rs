//! The report as sections of tables for a terminal, each table at most 80
//! columns wide (long names wrap).

use std::io::Write;

use comfy_table::{
    Attribute, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table as Grid, Width, presets,
};

use crate::error::Result;
use crate::output::Style;
use crate::report::Report;
use crate::report::document::{self, Table, View};

/// The width the tables are laid out in.
const WIDTH: u16 = 80;

/// Cells up to this many characters are never wrapped (the longest date, "30 september 2023", has 17).
const SHORT: usize = 18;

pub fn render(report: &Report, view: &View, style: Style, out: &mut dyn Write) -> Result<()> {
    let doc = document::build_view(report, view);
    let bold = |text: &str| if style.color { format!("\x1b[1m{text}\x1b[0m") } else { text.to_string() };
    writeln!(out, "{}", bold(&doc.title))?;
    writeln!(out, "{}", doc.subtitle)?;
    for section in doc.sections.iter().chain(&doc.appendix) {
        writeln!(out, "\n{}", bold(&section.title.to_uppercase()))?;
        for table in &section.tables {
            if !table.caption.is_empty() {
                writeln!(out, "\n{}", wrap(&table.caption))?;
            }
            writeln!(out, "{}", grid(table, style))?;
        }
        for note in &section.notes {
            writeln!(out, "\n{}", wrap(note))?;
        }
    }
    Ok(())
}

fn grid(table: &Table, style: Style) -> Grid {
    let mut grid = Grid::new();
    grid.load_style(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_width(WIDTH);
    if style.color {
        grid.enforce_styling();
    } else {
        grid.force_no_tty();
    }
    grid.set_header(table.header.iter().map(|h| {
        let cell = Cell::new(h);
        if style.color { cell.add_attribute(Attribute::Bold) } else { cell }
    }));
    for row in &table.rows {
        grid.add_row(row.iter().map(Cell::new));
    }
    // Short cells (numbers, dates, statuses) stay on one line: "31 december
    // 2023" is never split. Longer ones (names) wrap between words and keep
    // their longest word whole where the width allows it.
    let widths: Vec<(usize, usize)> = (0..table.header.len())
        .map(|i| {
            let cells = || table.rows.iter().filter_map(|r| r.get(i));
            let words = |c: &String| c.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
            let longest = cells().map(|c| c.chars().count()).max().unwrap_or(0);
            let word = cells().chain(table.header.get(i)).map(words).max().unwrap_or(0).min(24);
            (longest, word)
        })
        .collect();
    // A short column is as wide as its longest cell (and its header's longest word).
    let short = |(longest, word): (usize, usize)| (longest <= SHORT).then_some(longest.max(word));
    // Each column takes three characters of borders and padding, the table one more.
    let needed: usize = 1 + widths.iter().map(|&w| 3 + short(w).unwrap_or(w.1)).sum::<usize>();
    for (i, &w) in widths.iter().enumerate() {
        let lower = short(w).unwrap_or(if needed <= WIDTH as usize { w.1 } else { 0 });
        if let Some(column) = grid.column_mut(i)
            && lower > 0
        {
            // The width of a constraint includes the padding on both sides.
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(lower as u16 + 2)));
        }
    }
    for i in 1..table.header.len() {
        if table.numeric(i)
            && let Some(column) = grid.column_mut(i)
        {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    grid
}

/// Wraps a sentence at 80 columns.
pub fn wrap(text: &str) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > WIDTH as usize {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}
