//! Plain aligned tables: a header row, then one line per row, columns
//! separated by two spaces, numbers right-aligned, no box drawing. On a
//! terminal a table can be fitted to its width: text columns are shortened
//! (ending in `…`) and, where that is not enough, the least important
//! columns are left out, so that no cell wraps.
//!
//! A table is sized before it is written: [`Measure`] takes every row once
//! (the widest cell of each column), [`Layout`] decides the columns and
//! their widths, and then takes the rows again to write them. The caller
//! decides where the rows come from (a list in memory, or a second pass
//! over the registry), so memory does not grow with the rows.

use std::cmp::Reverse;
use std::io::Write;

use super::text::{truncate, width};
use crate::error::Result;

/// Two spaces between columns.
const GAP: usize = 2;

/// What a column needs, gathered from all of its cells.
#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    /// The widest cell, or the label when it is wider.
    pub width: usize,
    /// A text column may be shortened to this many cells to fit a terminal.
    pub shrink_to: Option<usize>,
    seen_number: bool,
    seen_text: bool,
}

impl Column {
    /// Numbers are right-aligned: a column of numbers (and empty cells).
    pub fn numeric(&self) -> bool {
        self.seen_number && !self.seen_text
    }
}

/// The widths of a table's columns, measured over its rows.
#[derive(Debug, Clone)]
pub struct Measure {
    pub columns: Vec<Column>,
    pub rows: u64,
}

impl Measure {
    /// Columns with these labels; `shrink_to` as for [`Column::shrink_to`].
    pub fn new(labels: Vec<String>, shrink_to: &[Option<usize>]) -> Measure {
        let columns = labels
            .into_iter()
            .enumerate()
            .map(|(i, label)| Column {
                width: width(&label),
                label,
                shrink_to: shrink_to.get(i).copied().flatten(),
                seen_number: false,
                seen_text: false,
            })
            .collect();
        Measure { columns, rows: 0 }
    }

    /// Takes one row: its cells as shown, each with whether it is a number.
    pub fn add(&mut self, cells: &[(String, bool)]) {
        self.rows += 1;
        for (column, (text, number)) in self.columns.iter_mut().zip(cells) {
            column.width = column.width.max(width(text));
            if *number {
                column.seen_number = true;
            } else if !text.is_empty() {
                column.seen_text = true;
            }
        }
    }
}

/// How a table meets the width it is shown in.
#[derive(Debug, Clone, Copy)]
pub enum Fit<'a> {
    /// Every column at full width (a file, a pipe, `--wide`).
    Full,
    /// Shorten text columns to fit `width`, keeping every column.
    Shrink(usize),
    /// Shorten text columns, and leave columns out when that is not enough:
    /// the last of `importance` (column indexes, most important first) go
    /// first; the first two stay.
    Drop(usize, &'a [usize]),
}

/// The columns a table shows and how wide each is.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Indexes of the columns shown, in their order in the measure.
    shown: Vec<usize>,
    widths: Vec<usize>,
    numeric: Vec<bool>,
    labels: Vec<String>,
    bold: bool,
}

impl Layout {
    pub fn new(measure: &Measure, fit: Fit, bold: bool) -> Layout {
        let columns = &measure.columns;
        let mut shown: Vec<usize> = (0..columns.len()).collect();
        let mut widths: Vec<usize> = columns.iter().map(|c| c.width).collect();
        let total = |shown: &[usize], widths: &[usize]| -> usize {
            shown.iter().map(|&i| widths[i]).sum::<usize>() + GAP * shown.len().saturating_sub(1)
        };
        // A text column is shortened no further than its floor or its label.
        let floor = |i: usize| {
            let c = &columns[i];
            c.shrink_to.map_or(c.width, |m| m.max(width(&c.label)).min(c.width))
        };
        let available = match fit {
            Fit::Full => None,
            Fit::Shrink(w) | Fit::Drop(w, _) => Some(w),
        };
        if let Fit::Drop(available, importance) = fit
            && total(&shown, &widths) > available
        {
            let floors: Vec<usize> = (0..columns.len()).map(floor).collect();
            let kept = importance.iter().take(2).copied().collect::<Vec<_>>();
            while total(&shown, &floors) > available && shown.len() > 2 {
                // Columns not ranked go before ranked ones; the first two stay.
                let victim = shown
                    .iter()
                    .copied()
                    .filter(|i| !kept.contains(i))
                    .max_by_key(|i| importance.iter().position(|x| x == i).unwrap_or(usize::MAX));
                let Some(victim) = victim else { break };
                shown.retain(|&i| i != victim);
            }
        }
        if let Some(available) = available {
            // Shorten text columns down to their floor: the least important
            // first when the importance is known, else the widest; on a
            // terminal narrower than that, down to three cells.
            let importance = match fit {
                Fit::Drop(_, importance) => importance,
                _ => &[],
            };
            let rank = |i: usize| importance.iter().position(|&x| x == i).unwrap_or(usize::MAX);
            for hard in [false, true] {
                while total(&shown, &widths) > available {
                    let floor_of = |i: usize| if hard { 3.min(widths[i]) } else { floor(i) };
                    let candidates = shown.iter().copied().filter(|&i| columns[i].shrink_to.is_some());
                    let next = if importance.is_empty() || hard {
                        candidates.filter(|&i| widths[i] > floor_of(i)).max_by_key(|&i| (widths[i], Reverse(i)))
                    } else {
                        candidates.filter(|&i| widths[i] > floor_of(i)).max_by_key(|&i| (rank(i), Reverse(i)))
                    };
                    let Some(i) = next else { break };
                    let excess = total(&shown, &widths) - available;
                    // The widest goes one cell at a time, so the widest
                    // columns end up alike; a ranked one as far as needed.
                    let step = if importance.is_empty() || hard { 1 } else { excess.min(widths[i] - floor_of(i)) };
                    widths[i] -= step;
                }
            }
        }
        Layout {
            widths: shown.iter().map(|&i| widths[i]).collect(),
            numeric: shown.iter().map(|&i| columns[i].numeric()).collect(),
            labels: shown.iter().map(|&i| columns[i].label.clone()).collect(),
            shown,
            bold,
        }
    }

    /// The indexes of the columns shown, in order: the cells `write_row` takes.
    pub fn shown(&self) -> &[usize] {
        &self.shown
    }

    pub fn write_header(&self, out: &mut dyn Write) -> Result<()> {
        let labels: Vec<&str> = self.labels.iter().map(String::as_str).collect();
        self.write_line(&labels, self.bold, out)
    }

    /// Writes one row: the cells of the columns [shown](Layout::shown).
    pub fn write_row<S: AsRef<str>>(&self, cells: &[S], out: &mut dyn Write) -> Result<()> {
        let cells: Vec<&str> = cells.iter().map(AsRef::as_ref).collect();
        self.write_line(&cells, false, out)
    }

    fn write_line(&self, cells: &[&str], bold: bool, out: &mut dyn Write) -> Result<()> {
        let mut line = String::new();
        let last = self.widths.len().saturating_sub(1);
        for (i, (cell, &w)) in cells.iter().zip(&self.widths).enumerate() {
            if i > 0 {
                line.push_str(&" ".repeat(GAP));
            }
            let text = truncate(cell, w);
            let pad = " ".repeat(w.saturating_sub(width(&text)));
            // Right-aligned numbers; no spaces after the last column.
            let (before, after) = match (self.numeric[i], i == last) {
                (true, _) => (pad.as_str(), ""),
                (false, false) => ("", pad.as_str()),
                (false, true) => ("", ""),
            };
            line.push_str(before);
            if bold {
                line.push_str(&format!("\x1b[1m{text}\x1b[0m"));
            } else {
                line.push_str(&text);
            }
            line.push_str(after);
        }
        writeln!(out, "{}", line.trim_end())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(rows: &[[&str; 4]]) -> Measure {
        let labels = ["id", "title", "status", "students"].map(String::from).to_vec();
        let mut m = Measure::new(labels, &[None, Some(12), None, None]);
        for row in rows {
            let cells: Vec<(String, bool)> =
                row.iter().enumerate().map(|(i, c)| (c.to_string(), i == 0 || i == 3)).collect();
            m.add(&cells);
        }
        m
    }

    fn render(m: &Measure, fit: Fit, rows: &[[&str; 4]]) -> String {
        let layout = Layout::new(m, fit, false);
        let mut out = Vec::new();
        layout.write_header(&mut out).unwrap();
        for row in rows {
            let cells: Vec<&str> = layout.shown().iter().map(|&i| row[i]).collect();
            layout.write_row(&cells, &mut out).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    const ROWS: [[&str; 4]; 2] =
        [["1", "Zaakgericht werken invoeren bij Dictu", "completed", "1"], ["12", "Pentest", "in preparation", "12"]];

    #[test]
    fn plain_table_aligns_columns_with_two_spaces() {
        let text = render(&measure(&ROWS), Fit::Full, &ROWS);
        assert_eq!(
            text,
            "id  title                                  status          students\n\
             \x201  Zaakgericht werken invoeren bij Dictu  completed              1\n\
             12  Pentest                                in preparation        12\n"
        );
    }

    #[test]
    fn a_narrow_width_shortens_text_then_leaves_columns_out() {
        let m = measure(&ROWS);
        let shrunk = render(&m, Fit::Drop(50, &[0, 1, 2, 3]), &ROWS);
        assert!(shrunk.lines().all(|l| width(l) <= 50), "{shrunk}");
        assert!(shrunk.contains("Zaakgericht werken…"), "{shrunk}");
        assert!(shrunk.contains("students"), "{shrunk}");
        let dropped = render(&m, Fit::Drop(34, &[0, 1, 2, 3]), &ROWS);
        assert!(dropped.lines().all(|l| width(l) <= 34), "{dropped}");
        assert!(!dropped.contains("students") && dropped.contains("in preparation"), "{dropped}");
        // The least important go first: status before title.
        let two = render(&m, Fit::Drop(30, &[0, 1, 2, 3]), &ROWS);
        assert!(!two.contains("status") && two.contains("Pentest"), "{two}");
        // Shrink keeps every column even when the line is then too long.
        let kept = render(&m, Fit::Shrink(30), &ROWS);
        assert!(kept.contains("students"), "{kept}");
    }
}
