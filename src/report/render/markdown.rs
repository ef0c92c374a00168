//! The report as Markdown: a heading per section and pipe tables, for a
//! wiki page or a pull request.

use std::io::Write;

use crate::error::Result;
use crate::report::Report;
use crate::report::document::{self, View};

pub fn render(report: &Report, view: &View, out: &mut dyn Write) -> Result<()> {
    let doc = document::build_view(report, view);
    writeln!(out, "# {}\n\n{}", escape(&doc.title), escape(&doc.subtitle))?;
    for section in doc.sections.iter().chain(&doc.appendix) {
        writeln!(out, "\n## {}", escape(&section.title))?;
        for table in &section.tables {
            if !table.caption.is_empty() {
                writeln!(out, "\n{}", escape(&table.caption))?;
            }
            writeln!(out)?;
            let cells = |row: &[String]| row.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ");
            writeln!(out, "| {} |", cells(&table.header))?;
            let rule: Vec<&str> =
                (0..table.header.len()).map(|i| if i > 0 && table.numeric(i) { "---:" } else { "---" }).collect();
            writeln!(out, "| {} |", rule.join(" | "))?;
            for row in &table.rows {
                writeln!(out, "| {} |", cells(row))?;
            }
        }
        for note in &section.notes {
            writeln!(out, "\n{}", escape(note))?;
        }
    }
    Ok(())
}

/// Escapes what Markdown would read as markup in table cells and text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
