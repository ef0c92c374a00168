//! The report as sections of tables for a terminal, each table at most 80
//! columns wide (long names wrap).

use std::io::Write;

use comfy_table::{
    Attribute, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table as Grid, Width, presets,
};

use crate::domain::Lang;
use crate::error::Result;
use crate::output::Style;
use crate::report::Report;
use crate::report::document::{self, Table};

/// The width the tables are laid out in.
const WIDTH: u16 = 80;

pub fn render(report: &Report, lang: Lang, style: Style, out: &mut dyn Write) -> Result<()> {
    let doc = document::build(report, lang);
    let bold = |text: &str| if style.color { format!("\x1b[1m{text}\x1b[0m") } else { text.to_string() };
    writeln!(out, "{}", bold(&doc.title))?;
    writeln!(out, "{}", doc.subtitle)?;
    for section in &doc.sections {
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
    // Names come first: keep their longest word whole rather than split it.
    let longest_word = table.rows.iter().flat_map(|r| r[0].split_whitespace()).map(|w| w.chars().count()).max();
    if let (Some(words), Some(column)) = (longest_word, grid.column_mut(0)) {
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(words.min(24) as u16)));
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
