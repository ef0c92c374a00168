//! Turning a source row into native fields. In a native file (what `ipart
//! export` writes) the header names the fields; in a foreign file a mapping
//! says which column holds which field and how its values translate. Every
//! field remembers the column it came from, so that a problem found later
//! is reported in the file's own terms (`column "Niveau"`).

use std::collections::HashMap;

use super::mapping::{Column, Mapping, is_date_field, is_partner_field, native_fields};
use crate::domain::names::{did_you_mean, fold, suggest};
use crate::error::Error;
use crate::native::{Fields, Kind};

/// The column an export adds to rejected rows; importers ignore it, so a
/// fixed reject file imports as it is.
pub const REJECT_COLUMN: &str = "reject_reason";

/// Where one field of a row comes from.
#[derive(Debug, Clone)]
struct Rule {
    field: &'static str,
    cell: usize,
    pattern: Option<regex_lite::Regex>,
    /// The cell holds a date (a date field, or a milestone of `[history]`).
    date: bool,
}

/// How rows of one file become fields.
#[derive(Debug, Clone)]
pub struct Layout {
    kind: Kind,
    rules: Vec<Rule>,
    mapping: Option<Mapping>,
    labels: HashMap<&'static str, String>,
    /// Cells a row may have before the extra ones must be empty.
    width: usize,
    /// The fields the file gives (even where a row leaves them empty).
    pub provided: Vec<&'static str>,
}

/// A problem with one value, named as the file names it.
#[derive(Debug, Clone, PartialEq)]
pub struct CellProblem {
    pub label: String,
    pub message: String,
}

impl Layout {
    /// The layout of a native file: every header cell is a native field.
    /// The kind of record each row is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn native(kind: Kind, header: &[String], name: &str) -> Result<Layout, Error> {
        let known = native_fields(kind);
        let unknown: Vec<&String> =
            header.iter().filter(|c| c.as_str() != REJECT_COLUMN && !known.contains(&c.as_str())).collect();
        if !unknown.is_empty() {
            return Err(Error::invalid(unknown_columns(kind, &unknown, &known, name)));
        }
        let mut rules = Vec::new();
        let mut labels = HashMap::new();
        for (cell, column) in header.iter().enumerate() {
            if column == REJECT_COLUMN {
                continue;
            }
            let Some(field) = known.iter().copied().find(|f| f == column) else { continue };
            if let Some(first) = rules.iter().find(|r: &&Rule| r.field == field) {
                return Err(Error::invalid(format!(
                    "{name}: column {column:?} appears twice in the header (columns {} and {}); a native file has each field once",
                    first.cell + 1,
                    cell + 1
                )));
            }
            labels.insert(field, format!("column {column:?}"));
            rules.push(Rule { field, cell, pattern: None, date: is_date_field(field) });
        }
        let provided = rules.iter().map(|r| r.field).collect();
        Ok(Layout { kind, rules, mapping: None, labels, width: header.len(), provided })
    }

    /// The layout a mapping gives a file with this header (empty without
    /// one); `width` is the widest row seen, for columns by position.
    pub fn mapped(kind: Kind, mapping: &Mapping, header: &[String], width: usize, name: &str) -> Result<Layout, Error> {
        let mut rules = Vec::new();
        let mut labels = HashMap::new();
        let width = width.max(header.len());
        for (n, rule) in mapping.rules().enumerate() {
            let milestone = n >= mapping.fields.len();
            let cell = match &rule.column {
                Column::Position(p) if *p <= width => p - 1,
                Column::Position(p) => {
                    return Err(Error::invalid(format!(
                        "{name}: the mapping {} takes {} from column {p}, but the rows have {width} columns",
                        mapping.name, rule.field
                    )));
                }
                Column::Name(wanted) => column_index(header, wanted).map_err(|message| {
                    Error::invalid(format!("{name}: the mapping {} takes {} from {message}", mapping.name, rule.field))
                })?,
            };
            labels.insert(rule.field, rule.column.label());
            let date = milestone || is_date_field(rule.field);
            rules.push(Rule { field: rule.field, cell, pattern: rule.pattern.clone(), date });
        }
        let mut provided: Vec<&'static str> = rules.iter().map(|r| r.field).collect();
        for (field, _) in &mapping.constants {
            labels.insert(field, format!("{field} (a constant of the mapping)"));
            provided.push(field);
        }
        if mapping.source.is_some() && gets_source(kind) && !provided.contains(&"source") {
            labels.insert("source", "source (the mapping's source)".to_string());
            provided.push("source");
        }
        Ok(Layout { kind, rules, mapping: Some(mapping.clone()), labels, width, provided })
    }

    /// How a problem with `field` is named: the source column, else the field.
    pub fn label(&self, field: &str) -> String {
        self.labels.get(field).cloned().unwrap_or_else(|| format!("field {field:?} (not in the file)"))
    }

    pub fn is_native(&self) -> bool {
        self.mapping.is_none()
    }

    /// The column a field comes from, when it comes from one.
    pub fn cell_of(&self, field: &str) -> Option<usize> {
        self.rules.iter().find(|r| r.field == field).map(|r| r.cell)
    }

    /// The fields of one row, into `fields` (reused from row to row: every
    /// row sets the same fields); problems with single values are collected.
    pub fn fields_into(&self, cells: &csv::StringRecord, problems: &mut Vec<CellProblem>, fields: &mut Fields) {
        if let Some(extra) = cells.iter().skip(self.width).position(|c| !c.trim().is_empty()) {
            problems.push(CellProblem {
                label: format!("column {}", self.width + extra + 1),
                message: format!(
                    "the row has {} cells, more than the {} columns of the header",
                    cells.len(),
                    self.width
                ),
            });
        }
        for rule in &self.rules {
            let raw = cells.get(rule.cell).unwrap_or("");
            match &self.mapping {
                None => fields.set_str(rule.field, unescape_formula(raw)),
                Some(m) => match self.translate(m, rule, raw.trim()) {
                    Ok(v) => fields.set_str(rule.field, &v),
                    Err(message) => {
                        fields.set_str(rule.field, "");
                        problems.push(CellProblem { label: self.label(rule.field), message });
                    }
                },
            }
        }
        if let Some(m) = &self.mapping {
            for (field, value) in &m.constants {
                fields.set_str(field, value);
            }
            if let Some(source) = &m.source
                && gets_source(self.kind)
                && self.cell_of("source").is_none()
                && !m.constants.iter().any(|(f, _)| *f == "source")
            {
                if self.kind != Kind::Partner || fields.get("external_id").is_some() {
                    fields.set_str("source", source);
                } else {
                    fields.remove("source");
                }
            }
        }
    }

    /// One cell through the mapping: pattern, value map, partner aliases,
    /// date format.
    fn translate(&self, m: &Mapping, rule: &Rule, raw: &str) -> Result<String, String> {
        let mut value = match &rule.pattern {
            Some(re) => match re.captures(raw) {
                Some(c) => c.get(1).or_else(|| c.get(0)).map_or("", |g| g.as_str()).trim().to_string(),
                None => String::new(),
            },
            None => raw.to_string(),
        };
        if let Some(map) = m.values.get(rule.field)
            && let Some(to) = map.get(&fold(&value))
        {
            if to.trim().is_empty() {
                return Err(format!(
                    "{value:?} is not mapped yet: fill in what it means under [values.{}] in {}",
                    rule.field, m.name
                ));
            }
            value = to.clone();
        }
        if is_partner_field(rule.field) && !m.partner_aliases.is_empty() {
            value = value
                .split('|')
                .map(|name| m.partner_aliases.get(&fold(name)).map_or(name.trim(), String::as_str))
                .collect::<Vec<_>>()
                .join("|");
        }
        // An ISO date is read as one whatever the file's format: that is
        // how a spreadsheet's date cells and a reject file's dates come.
        if rule.date && !m.date_formats.is_empty() && !value.is_empty() && !is_iso_date(&value) {
            let read = m.date_formats.iter().find_map(|f| f.read(&value));
            value = match read {
                Some(date) => date.to_string(),
                None => {
                    let forms: Vec<&str> = m.date_formats.iter().map(|f| f.text.as_str()).collect();
                    return Err(format!("{value:?} is not a date in the form {}", forms.join(" or ")));
                }
            };
        }
        Ok(value)
    }

    /// The way the dates of the sample rows are written, for the "detected"
    /// line (`dates d-m-yyyy`); an error when they look month-first, since
    /// reading those day-first would be a guess.
    pub fn date_styles(&self, sample: &[Vec<String>], name: &str) -> Result<String, Error> {
        if let Some(m) = &self.mapping
            && !m.date_formats.is_empty()
        {
            let forms: Vec<&str> = m.date_formats.iter().map(|f| f.text.as_str()).collect();
            return Ok(format!("dates {} (mapping)", forms.join(" or ")));
        }
        let mut styles: Vec<&str> = Vec::new();
        for rule in self.rules.iter().filter(|r| r.date) {
            for row in sample {
                let Some(value) = row.get(rule.cell).map(|v| v.trim()).filter(|v| !v.is_empty()) else { continue };
                let style = date_style(value);
                if style == "m/d/yyyy" {
                    return Err(Error::invalid(format!(
                        "{name}: {} holds {value:?}, which reads only month first; ipart does not guess: give the date format in a mapping file (date_format = \"mm/dd/yyyy\")",
                        self.label(rule.field)
                    )));
                }
                if !styles.contains(&style) {
                    styles.push(style);
                }
            }
        }
        Ok(if styles.is_empty() { "no dates".to_string() } else { format!("dates {}", styles.join(" and ")) })
    }
}

/// The refusal of a file whose header holds columns that are not native
/// fields: every such column (with a suggestion where one is close), the
/// fields a native file has, and how to start a mapping for the file.
fn unknown_columns(kind: Kind, unknown: &[&String], known: &[&str], name: &str) -> String {
    let hint = |c: &str| did_you_mean(&suggest(c, known.iter().copied(), 1));
    let what = match unknown {
        [one] => format!("column {one:?} is not a field of {} records{}", kind.name(), hint(one)),
        many => format!(
            "{} columns are not fields of {} records:\n{}",
            many.len(),
            kind.name(),
            many.iter().map(|c| format!("  {c:?}{}", hint(c))).collect::<Vec<_>>().join("\n")
        ),
    };
    let plural = kind.file_name().trim_end_matches(".csv");
    format!(
        "{name}: {what}\na native file (as `ipart export {plural}` writes it) has the columns: {}\nto import another layout, describe it in a mapping file; start one with\n  ipart mapping new {name} --kind {plural} -o {plural}.toml\nfill in what it leaves open, check it with `ipart mapping check {plural}.toml {name}`, and import with --map {plural}.toml",
        known.join(", ")
    )
}

/// The columns of `header` that no field of the mapping takes and that its
/// `ignore` list does not name: a column an export has gained, perhaps.
pub fn unmapped_columns(mapping: &Mapping, header: &[String]) -> Vec<String> {
    header
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            !h.trim().is_empty()
                && h.as_str() != REJECT_COLUMN
                && !mapping.fields.iter().any(|r| match &r.column {
                    Column::Name(n) => n.trim() == h.trim() || fold(n) == fold(h),
                    Column::Position(p) => *p == i + 1,
                })
                && !mapping.ignore.iter().any(|n| n.trim() == h.trim() || fold(n) == fold(h))
        })
        .map(|(_, h)| h.clone())
        .collect()
}

/// `2023-09-04`: the shape of an ISO date (whether it exists is checked
/// with the record).
fn is_iso_date(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Kinds whose records name the system they came from.
fn gets_source(kind: Kind) -> bool {
    kind.columns().contains(&"source")
}

/// The index of the header cell named `wanted`: exactly, else folded; an
/// error naming the closest columns.
fn column_index(header: &[String], wanted: &str) -> Result<usize, String> {
    let exact: Vec<usize> =
        header.iter().enumerate().filter(|(_, h)| h.trim() == wanted.trim()).map(|(i, _)| i).collect();
    let found = if exact.is_empty() {
        header.iter().enumerate().filter(|(_, h)| fold(h) == fold(wanted)).map(|(i, _)| i).collect()
    } else {
        exact
    };
    match found.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!(
            "column {wanted:?}, which the file does not have{} (its columns: {})",
            did_you_mean(&suggest(wanted, header.iter().map(String::as_str), 2)),
            header.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ")
        )),
        many => Err(format!(
            "column {wanted:?}, which appears {} times in the header (columns {}); name it by position instead",
            many.len(),
            many.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(" and ")
        )),
    }
}

/// How a date is written, by its shape: `yyyy-mm-dd`, `d-m-yyyy`,
/// `d/m/yyyy`, the month-first `m/d/yyyy` (told apart only by a day above
/// 12), or `other`. Whether it is a real date is checked later.
fn date_style(value: &str) -> &'static str {
    let value = value.trim();
    let numbers = |sep: char| -> Option<Vec<&str>> {
        let parts: Vec<&str> = value.split(sep).collect();
        (parts.len() == 3
            && parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit())))
        .then_some(parts)
    };
    if let Some(p) = numbers('-') {
        return match (p[0].len(), p[2].len()) {
            (4, 1..=2) => "yyyy-mm-dd",
            (1..=2, 4) => "d-m-yyyy",
            _ => "other",
        };
    }
    if let Some(p) = numbers('/')
        && p[0].len() <= 2
        && p[2].len() == 4
    {
        let (first, second) = (p[0].parse::<u8>().unwrap_or(0), p[1].parse::<u8>().unwrap_or(0));
        return if (1..=12).contains(&first) && (13..=31).contains(&second) { "m/d/yyyy" } else { "d/m/yyyy" };
    }
    "other"
}

/// Cells a spreadsheet would run as a formula begin with one of these; an
/// export meant for a spreadsheet puts a `'` before them.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell needs a `'` in front so that it is neither run as a
/// formula nor mistaken for one that was neutralised: it starts with a
/// formula character, or with `'`s followed by one.
pub fn needs_quote_prefix(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// Reverses the `'` an export puts before a formula-like cell, so both the
/// exact and the spreadsheet-safe native CSV import as they were exported.
pub fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote_prefix(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_escape_round_trips() {
        for cell in ["=1+1", "-5", "'=x", "''+y", "'plain", "plain", "", "\tTab", "@SUM(A1)"] {
            let exported = if needs_quote_prefix(cell) { format!("'{cell}") } else { cell.to_string() };
            assert_eq!(unescape_formula(&exported), cell, "{cell:?} exported as {exported:?}");
        }
        assert_eq!(unescape_formula("'plain"), "'plain");
    }

    #[test]
    fn date_styles_are_named() {
        assert_eq!(date_style("2023-09-01"), "yyyy-mm-dd");
        assert_eq!(date_style("1-9-2023"), "d-m-yyyy");
        assert_eq!(date_style("01/09/2023"), "d/m/yyyy");
        assert_eq!(date_style("09/25/2023"), "m/d/yyyy");
        assert_eq!(date_style("25.09.2023"), "other");
        assert_eq!(date_style("31-02-2024"), "d-m-yyyy");
        assert_eq!(date_style("01/09/23"), "other");
    }
}
