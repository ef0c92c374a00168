//! The report as CSV, in two forms.
//!
//! `--format csv`: long format, one figure per line: `section, dimension,
//! value, count, share`, for scripts and pivot tables. Values are codes
//! and names as in the JSON. In two-dimensional sections (`trend`,
//! `cross`) `dimension` holds the row (the period, or the row value) and
//! `value` the column, so a pivot on those two rebuilds the table.
//!
//! `--excel`: for Dutch Excel: `;`, a UTF-8 byte-order mark, decimal
//! commas, and the tables of the [`workbook`](super::workbook) one below
//! the other (a title line, a header row, the rows, a blank line), with
//! labels and value names in the report's language.
//!
//! In both, a text cell that a spreadsheet would run as a formula (one
//! starting with `=`, `+`, `-`, `@`, tab or CR) gets a `'` in front, as
//! `ipart export --excel` does: a name like `=HYPERLINK(...)` stays text.

use std::io::Write;

use super::workbook::{self, Cell};
use crate::domain::Lang;
use crate::error::Result;
use crate::export::cell as safe;
use crate::report::Report;
use crate::report::document::{self, metric_value};
use crate::report::model::{Row, Sectors};

struct Lines<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> Lines<W> {
    fn put(
        &mut self,
        section: &str,
        dimension: &str,
        value: &str,
        count: impl ToString,
        share: Option<u32>,
    ) -> Result<()> {
        let share = share.map(|s| s.to_string()).unwrap_or_default();
        let cells = [safe(section, true), safe(dimension, true), safe(value, true)];
        self.w.write_record([&cells[0], &cells[1], &cells[2], count.to_string().as_str(), &share])?;
        Ok(())
    }

    fn rows(&mut self, section: &str, dimension: &str, rows: &[Row]) -> Result<()> {
        for r in rows {
            self.put(section, dimension, &r.value, r.count, r.share)?;
        }
        Ok(())
    }

    fn sectors(&mut self, section: &str, dimension: &str, s: &Sectors) -> Result<()> {
        for (value, n) in
            [("government", s.government), ("education", s.education), ("other", s.other), ("total", s.total)]
        {
            self.put(section, dimension, value, n, None)?;
        }
        Ok(())
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> Result<()> {
    let mut l = Lines { w: csv::Writer::from_writer(out) };
    l.w.write_record(["section", "dimension", "value", "count", "share"])?;
    let p = &report.period;
    for (dimension, value) in [
        ("basis", p.basis.code().to_string()),
        ("label", p.label.clone()),
        ("start", p.start.to_string()),
        ("end", p.end.to_string()),
    ] {
        l.put("period", dimension, &value, "", None)?;
    }
    for (figure, value) in report.key_figures.list() {
        l.put("key_figures", figure, "", value, None)?;
    }

    let pa = &report.partners;
    l.sectors("partners", "counting", &pa.counting)?;
    l.sectors("partners", "joined_in_period", &pa.joined_in_period)?;
    l.rows("partners", "education_level", &pa.education_by_level)?;
    for r in &pa.by_region {
        for (sector, n) in [("government", r.government), ("education", r.education), ("other", r.other)] {
            l.put("partners_by_region", &r.value, sector, n, None)?;
        }
    }

    let a = &report.assignments;
    l.put("assignments", "total", "", a.total, None)?;
    l.rows("assignments", "status", &a.by_status)?;
    let ip = &a.in_period;
    for (what, n) in [
        ("registered", ip.registered),
        ("started", ip.started),
        ("completed", ip.completed),
        ("cancelled", ip.cancelled),
    ] {
        l.put("assignments", "in_period", what, n, None)?;
    }
    l.rows("assignments", "level", &a.by_level)?;
    l.rows("assignments", "theme", &a.by_theme)?;
    l.rows("assignments", "kind", &a.by_kind)?;
    l.rows("assignments", "region", &a.by_region)?;
    l.rows("assignments", "lab", &a.by_lab)?;
    l.rows("assignments", "top_government_partner", &a.top_government_partners)?;
    l.rows("assignments", "top_education_partner", &a.top_education_partners)?;

    let s = &report.students;
    l.put("students", "helped", "", s.helped, None)?;
    l.put("students", "to_internship", "", s.to_internship, None)?;
    l.put("students", "unique_from_identifiers", "", s.unique_from_identifiers, None)?;
    l.put("students", "assignments_with_identifiers", "", s.assignments_with_identifiers, None)?;
    l.put("students", "assignments_helped", "", s.assignments_helped, None)?;
    l.rows("students", "level", &s.by_level)?;
    l.rows("students", "kind", &s.by_kind)?;

    let labs = &report.labs;
    l.rows("labs", "status", &labs.by_status)?;
    l.put("labs", "active_during_period", "", labs.active_during_period, None)?;
    for r in &labs.by_region {
        for (status, n) in [("active", r.active), ("in_formation", r.in_formation), ("closed", r.closed)] {
            l.put("labs_by_region", &r.value, status, n, None)?;
        }
    }
    for item in &labs.list {
        l.put("lab", &item.name, &item.status, 1, None)?;
    }
    l.put("communities", "counted", "", report.communities.counted, None)?;
    l.rows("communities", "status", &report.communities.by_status)?;
    l.put("phds", "started", "", report.phds.started, None)?;
    l.rows("phds", "started_theme", &report.phds.started_by_theme)?;
    l.put("phds", "at_work", "", report.phds.at_work, None)?;

    let act = &report.activities;
    for r in &act.by_kind {
        l.put("activities", "count", &r.value, r.count, None)?;
        l.put("activities", "participants", &r.value, r.participants, None)?;
        l.put("activities", "government_participants", &r.value, r.government_participants, None)?;
    }
    l.put("activities", "course_government_participants", "", act.course_government_participants, None)?;
    l.put("activities", "conference_participants", "", act.conference_participants, None)?;
    l.rows("curricula", "status", &report.curricula.by_status)?;
    l.rows("chairs", "status", &report.chairs.by_status)?;
    for q in &report.questions.by_theme {
        l.put("questions", "taken_up", &q.value, q.taken_up, None)?;
        l.put("questions", "open", &q.value, q.open, None)?;
    }
    for m in &report.metrics {
        l.put("metrics", &m.name, "", metric_value(m.value), None)?;
    }
    for pt in &report.trend.points {
        for (status, n) in [
            ("preparation", pt.preparation),
            ("in_progress", pt.in_progress),
            ("completed", pt.completed),
            ("cancelled", pt.cancelled),
            ("unknown", pt.unknown),
        ] {
            l.put("trend", &pt.period, status, n, None)?;
        }
    }
    let x = &report.not_adding_up.assignments;
    for (what, n) in [
        ("shown", x.shown),
        ("cancelled_before_start", x.cancelled_before_start),
        ("cancelled_after_start", x.cancelled_after_start),
        ("unknown", x.unknown),
        ("students_not_helped", x.students_not_helped),
    ] {
        l.put("not_adding_up", "assignments", what, n, None)?;
    }
    if let Some(c) = &report.cross {
        let section = format!("cross_{}_{}", c.rows, c.columns);
        for (row, cells) in c.row_values.iter().zip(&c.cells) {
            for (column, n) in c.column_values.iter().zip(cells) {
                l.put(&section, row, column, n, None)?;
            }
        }
    }
    if let Some(c) = &report.compare {
        for k in &c.key_figures {
            l.put("compare", &k.figure, &c.period.label, k.previous, None)?;
        }
    }
    if let Some(c) = &report.changes_since {
        let a = &c.assignments;
        for (what, n) in [
            ("assignments_added", a.added),
            ("assignments_removed", a.removed),
            ("assignments_status_changed", a.status_changed),
            ("assignments_details_changed", a.details_changed),
        ] {
            l.put("changes_since", what, &c.since, n, None)?;
        }
        for k in &c.key_figures {
            l.put("changes_since_key_figures", &k.figure, &c.since, k.previous, None)?;
        }
    }
    l.w.flush()?;
    Ok(())
}

/// The UTF-8 byte-order mark: Excel reads a CSV without it as Windows-1252.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The report for Dutch Excel (`--excel`).
pub fn render_excel(report: &Report, lang: Lang, out: &mut dyn Write) -> Result<()> {
    out.write_all(BOM)?;
    let lines = |out: &mut dyn Write, records: Vec<Vec<String>>| -> Result<()> {
        let mut w =
            csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).flexible(true).from_writer(out);
        for record in records {
            w.write_record(&record)?;
        }
        w.flush()?;
        Ok(())
    };
    let text = |s: &str| safe(s, true).into_owned();
    lines(out, vec![vec![text(&document::title(report, lang))], vec![text(&document::subtitle(report, lang))]])?;
    for sheet in workbook::build(report, lang) {
        for block in &sheet.blocks {
            // A blank line between tables (a record of one empty field would be `""`).
            out.write_all(b"\r\n")?;
            let mut records = vec![vec![text(&block.title)], block.header.iter().map(|h| text(h)).collect()];
            records.extend(block.rows.iter().map(|row| row.iter().map(excel_text).collect()));
            lines(out, records)?;
        }
    }
    Ok(())
}

/// A cell as Dutch Excel reads it: `64%` a percentage, `75,5` a decimal
/// number, an ISO date a date.
fn excel_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => safe(s, true).into_owned(),
        Cell::Int(n) => n.to_string(),
        Cell::Share(s) => format!("{s}%"),
        Cell::Date(d) => d.to_string(),
        Cell::Number(x) => metric_value(*x).replace('.', ","),
        Cell::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_cells_as_dutch_excel_reads_them() {
        assert_eq!(excel_text(&Cell::Number(75.5)), "75,5");
        assert_eq!(excel_text(&Cell::Number(1700.0)), "1700");
        assert_eq!(excel_text(&Cell::Share(64)), "64%");
        assert_eq!(excel_text(&Cell::Int(-3)), "-3", "a number is not a formula");
        assert_eq!(excel_text(&Cell::Date("2023-12-31".parse().unwrap())), "2023-12-31");
        assert_eq!(excel_text(&Cell::Text("=1+1".into())), "'=1+1");
        assert_eq!(excel_text(&Cell::Text("@SUM(A1)".into())), "'@SUM(A1)");
        assert_eq!(excel_text(&Cell::Text("\tx".into())), "'\tx");
        assert_eq!(excel_text(&Cell::Text("Hanze".into())), "Hanze");
        assert_eq!(excel_text(&Cell::Empty), "");
    }
}
