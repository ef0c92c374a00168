//! Mapping files: how a source system's export becomes native fields, in
//! the spirit of hledger's CSV rules. A TOML file says which column holds
//! which field (by header name or by position), how source values map to
//! registry values, which fields are the same for the whole file, the date
//! formats, partner aliases, and how the file is laid out. Unknown keys are
//! refused with their line and column, so a typo never passes silently.
//! docs/import.md documents the format with a complete example.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::input::Encoding;
use crate::domain::names::fold;
use crate::domain::{
    AssignmentStatus, ChairStatus, CommunityStatus, CurriculumStatus, Date, LabStatus, Sector, Vocabulary,
};
use crate::error::Error;
use crate::native::Kind;

/// Where a field comes from in the source file.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// A header name.
    Name(String),
    /// A position, counted from 1.
    Position(usize),
}

impl Column {
    /// `column "Niveau"` or `column 5`, for messages.
    pub fn label(&self) -> String {
        match self {
            Column::Name(n) => format!("column {n:?}"),
            Column::Position(p) => format!("column {p}"),
        }
    }
}

/// One field taken from a column.
#[derive(Debug, Clone)]
pub struct FieldRule {
    pub field: &'static str,
    pub column: Column,
    /// Keep only what this matches (its first group, if it has one).
    pub pattern: Option<regex_lite::Regex>,
}

/// A parsed, checked mapping file.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The file, as named on the command line.
    pub name: String,
    pub source: Option<String>,
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    pub skip_lines: Option<usize>,
    pub header: bool,
    pub date_formats: Vec<DateFormat>,
    pub fields: Vec<FieldRule>,
    /// The `[history]` table: the dated column that marks each status (the
    /// rule's field is the status code), read as milestones before the
    /// current status (see `domain::history::with_milestones`).
    pub history: Vec<FieldRule>,
    pub constants: Vec<(&'static str, String)>,
    /// Per field: folded source value -> registry value.
    pub values: HashMap<&'static str, HashMap<String, String>>,
    /// Folded spelling in the file -> the registry's partner name.
    pub partner_aliases: HashMap<String, String>,
    /// Partner fields whose unknown names `--create-missing-partners` adds,
    /// and the sector they get.
    pub create_partners: Vec<(&'static str, Sector)>,
    /// Fields set when a record is added but never overwritten on a match.
    pub create_only: Vec<&'static str>,
    /// What separates the student identifiers in their cell (`separator`
    /// of the `student_ids` field); `None`: any of [`STUDENT_ID_SEPARATORS`].
    pub student_id_separator: Option<String>,
    /// Columns of the file left out on purpose (any other column that no
    /// field takes is warned about).
    pub ignore: Vec<String>,
    /// The sheet of a spreadsheet: its name, or its number from 1.
    pub sheet: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    source: Option<String>,
    kind: Option<Spanned<String>>,
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    file: RawFile,
    #[serde(default)]
    fields: BTreeMap<Spanned<String>, Spanned<RawColumn>>,
    #[serde(default)]
    history: BTreeMap<Spanned<String>, Spanned<RawColumn>>,
    #[serde(default)]
    constants: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    values: BTreeMap<Spanned<String>, BTreeMap<String, String>>,
    #[serde(default)]
    partner_aliases: BTreeMap<String, String>,
    #[serde(default)]
    create_partners: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    create_only: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    encoding: Option<Spanned<String>>,
    delimiter: Option<Spanned<String>>,
    skip_lines: Option<usize>,
    header: Option<bool>,
    date_format: Option<Spanned<OneOrMany>>,
    sheet: Option<Spanned<SheetRef>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SheetRef {
    Name(String),
    Number(i64),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawColumn {
    Name(String),
    Position(i64),
    Detailed(Detailed),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Detailed {
    column: RawColumnRef,
    pattern: Option<String>,
    separator: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawColumnRef {
    Name(String),
    Position(i64),
}

/// The native fields a mapping may set for `kind`: its columns, and a single
/// status with its date for kinds with a history.
pub fn native_fields(kind: Kind) -> Vec<&'static str> {
    let mut fields = kind.columns().to_vec();
    if kind.has_history() {
        fields.extend(["status", "status_since"]);
    }
    if kind == Kind::Assignment {
        // Imported only: kept as pseudonyms, never exported (store::student).
        fields.push(STUDENT_IDS);
    }
    fields
}

/// The field of an assignment's student identifiers: read from a file,
/// stored only as pseudonyms, never a column of an export.
pub const STUDENT_IDS: &str = "student_ids";

/// What separates student identifiers in one cell unless the mapping says
/// otherwise: any of these.
pub const STUDENT_ID_SEPARATORS: [char; 3] = [';', ',', '|'];

/// Fields holding dates (status histories hold their own, in ISO form; the
/// milestones of a mapping's `[history]` are dates too).
pub fn is_date_field(field: &str) -> bool {
    matches!(
        field,
        "joined_on"
            | "left_on"
            | "starts_on"
            | "ends_on"
            | "started_on"
            | "ended_on"
            | "asked_on"
            | "status_since"
            | "registered_on"
    )
}

/// The code of the status `name` spells for records of `kind` (any
/// spelling its vocabulary accepts); `None` for a kind without a status.
fn status_code(kind: Kind, name: &str) -> Option<Result<&'static str, Error>> {
    fn code<S: Vocabulary>(name: &str) -> Result<&'static str, Error> {
        S::parse(name).map(|s| s.code())
    }
    Some(match kind {
        Kind::Assignment => code::<AssignmentStatus>(name),
        Kind::Lab => code::<LabStatus>(name),
        Kind::Community => code::<CommunityStatus>(name),
        Kind::Curriculum => code::<CurriculumStatus>(name),
        Kind::Chair => code::<ChairStatus>(name),
        _ => return None,
    })
}

/// Fields naming partners.
pub fn is_partner_field(field: &str) -> bool {
    matches!(field, "government_partner" | "education_partner" | "source_partner" | "members" | "partners")
}

/// A record kind by its singular or plural name ("assignment", "assignments").
pub fn kind_from_name(s: &str) -> Option<Kind> {
    let s = s.trim().to_ascii_lowercase();
    Kind::ALL.iter().copied().find(|k| k.name() == s || k.file_name().trim_end_matches(".csv") == s)
}

impl Mapping {
    /// Every column rule: `[fields]`, then `[history]`.
    pub fn rules(&self) -> impl Iterator<Item = &FieldRule> {
        self.fields.iter().chain(&self.history)
    }

    /// Reads and checks the mapping file at `path` for records of `kind`.
    pub fn load(path: &Path, kind: Kind) -> Result<Mapping, Error> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| Error::usage(format!("cannot read mapping file {name}: {e}")))?;
        Mapping::parse_bytes(&bytes, &name, kind)
    }

    /// Parses the bytes of a mapping file: UTF-8, with or without the BOM
    /// Windows editors write. Bytes that are not UTF-8 are refused with
    /// their line and column, like any other mistake in the file.
    pub fn parse_bytes(bytes: &[u8], name: &str, kind: Kind) -> Result<Mapping, Error> {
        let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            Error::usage(format!(
                "{name}{}: this byte is not UTF-8 (save the mapping file as UTF-8)",
                position(valid, valid.len())
            ))
        })?;
        Mapping::parse(text, name, kind)
    }

    /// Parses mapping text; `name` is used in messages.
    pub fn parse(text: &str, name: &str, kind: Kind) -> Result<Mapping, Error> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| position(text, s.start)).unwrap_or_default();
            Error::usage(format!("{name}{at}: {}", e.message()))
        })?;
        let fail = |span: std::ops::Range<usize>, message: String| {
            Error::usage(format!("{name}{}: {message}", position(text, span.start)))
        };
        if let Some(k) = &raw.kind {
            match kind_from_name(k.get_ref()) {
                Some(k2) if k2 == kind => {}
                Some(other) => {
                    return Err(fail(
                        k.span(),
                        format!(
                            "this mapping is for {} records, not {} (import it with `ipart import {} ...`)",
                            other.name(),
                            kind.name(),
                            other.file_name().trim_end_matches(".csv")
                        ),
                    ));
                }
                None => return Err(fail(k.span(), format!("{:?} is not a kind of record", k.get_ref()))),
            }
        }
        let known = native_fields(kind);
        let field = |key: &Spanned<String>| -> Result<&'static str, Error> {
            known.iter().copied().find(|f| *f == key.get_ref()).ok_or_else(|| {
                fail(
                    key.span(),
                    format!(
                        "{:?} is not a field of {} records (expected one of: {})",
                        key.get_ref(),
                        kind.name(),
                        known.join(", ")
                    ),
                )
            })
        };

        let mut fields = Vec::new();
        let mut student_id_separator = None;
        for (key, spec) in &raw.fields {
            let f = field(key)?;
            let (column, pattern, separator) = column_spec(spec).map_err(|m| fail(spec.span(), m))?;
            if let Some(separator) = separator {
                if f != STUDENT_IDS {
                    return Err(fail(spec.span(), format!("separator applies to {STUDENT_IDS} only, not to {f}")));
                }
                student_id_separator = Some(separator);
            }
            fields.push(FieldRule { field: f, column, pattern });
        }
        let mut history: Vec<FieldRule> = Vec::new();
        for (key, spec) in &raw.history {
            let code = match status_code(kind, key.get_ref()) {
                None => {
                    return Err(fail(
                        key.span(),
                        format!(
                            "[history] is for records with a status history (assignments, labs, communities, curricula and chairs), not {} records",
                            kind.name()
                        ),
                    ));
                }
                Some(Err(e)) => return Err(fail(key.span(), e.message)),
                Some(Ok(code)) => code,
            };
            if history.iter().any(|r| r.field == code) {
                return Err(fail(key.span(), format!("[history] gives {code} twice (under two of its names)")));
            }
            let (column, pattern, separator) = column_spec(spec).map_err(|m| fail(spec.span(), m))?;
            if separator.is_some() {
                return Err(fail(spec.span(), format!("separator applies to {STUDENT_IDS} only, not to {code}")));
            }
            history.push(FieldRule { field: code, column, pattern });
        }
        let mut constants = Vec::new();
        for (key, value) in &raw.constants {
            let f = field(key)?;
            if fields.iter().any(|r| r.field == f) {
                return Err(fail(key.span(), format!("{f} is both a column ([fields]) and a constant; choose one")));
            }
            constants.push((f, value.clone()));
        }
        let mut values = HashMap::new();
        for (key, map) in &raw.values {
            let f = field(key)?;
            values.insert(f, map.iter().map(|(from, to)| (fold(from), to.clone())).collect());
        }
        let mut create_partners = Vec::new();
        for (key, sector) in &raw.create_partners {
            let f = field(key)?;
            if !is_partner_field(f) {
                return Err(fail(key.span(), format!("{f} does not name partners")));
            }
            let s = Sector::parse(sector.get_ref()).map_err(|e| fail(sector.span(), e.message))?;
            create_partners.push((f, s));
        }
        let create_only = raw.create_only.iter().map(field).collect::<Result<_, _>>()?;
        let encoding = raw
            .file
            .encoding
            .as_ref()
            .map(|e| Encoding::parse(e.get_ref()).map_err(|err| fail(e.span(), err.message)))
            .transpose()?;
        let delimiter = raw
            .file
            .delimiter
            .as_ref()
            .map(|d| parse_delimiter(d.get_ref()).map_err(|err| fail(d.span(), err.message)))
            .transpose()?;
        let date_formats = match &raw.file.date_format {
            None => Vec::new(),
            Some(spanned) => {
                let list = match spanned.get_ref() {
                    OneOrMany::One(s) => vec![s.clone()],
                    OneOrMany::Many(v) => v.clone(),
                };
                list.iter()
                    .map(|f| DateFormat::parse(f).map_err(|m| fail(spanned.span(), m)))
                    .collect::<Result<_, _>>()?
            }
        };
        let sheet = match &raw.file.sheet {
            None => None,
            Some(spanned) => Some(match spanned.get_ref() {
                SheetRef::Name(n) => n.clone(),
                SheetRef::Number(n) if *n >= 1 => n.to_string(),
                SheetRef::Number(n) => {
                    return Err(fail(spanned.span(), format!("sheets are numbered from 1 (got {n})")));
                }
            }),
        };
        Ok(Mapping {
            name: name.to_string(),
            source: raw.source.filter(|s| !s.trim().is_empty()),
            encoding,
            delimiter,
            skip_lines: raw.file.skip_lines,
            header: raw.file.header.unwrap_or(true),
            date_formats,
            fields,
            history,
            constants,
            values,
            partner_aliases: raw.partner_aliases.iter().map(|(k, v)| (fold(k), v.clone())).collect(),
            create_partners,
            create_only,
            student_id_separator,
            ignore: raw.ignore,
            sheet,
        })
    }
}

/// A column as `[fields]` and `[history]` give it: a header name, a
/// position, or `{ column = ..., pattern = '...', separator = "..." }`.
fn column_spec(spec: &Spanned<RawColumn>) -> Result<(Column, Option<regex_lite::Regex>, Option<String>), String> {
    match spec.get_ref() {
        RawColumn::Name(n) => Ok((Column::Name(n.clone()), None, None)),
        RawColumn::Position(p) => Ok((column_position(*p)?, None, None)),
        RawColumn::Detailed(d) => {
            let column = match &d.column {
                RawColumnRef::Name(n) => Column::Name(n.clone()),
                RawColumnRef::Position(p) => column_position(*p)?,
            };
            let pattern = d
                .pattern
                .as_deref()
                .map(|p| {
                    regex_lite::Regex::new(p).map_err(|e| format!("pattern {p:?} is not a regular expression: {e}"))
                })
                .transpose()?;
            if d.separator.as_deref() == Some("") {
                return Err("separator is empty: give the text between two student identifiers, such as \";\"".into());
            }
            Ok((column, pattern, d.separator.clone()))
        }
    }
}

fn column_position(p: i64) -> Result<Column, String> {
    if p < 1 {
        return Err(format!("column positions count from 1 (got {p})"));
    }
    Ok(Column::Position(p as usize))
}

/// `:LINE:COLUMN` of a byte offset, for messages.
fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(":{line}:{column}")
}

/// A delimiter as a mapping or `--delimiter` gives it: `,` `;` `|`, or tab
/// (`\t`, `tab`).
pub fn parse_delimiter(s: &str) -> Result<u8, Error> {
    match s {
        "\t" | "\\t" | "tab" | "TAB" => Ok(b'\t'),
        "," | ";" | "|" | ":" => Ok(s.as_bytes()[0]),
        _ => Err(Error::usage(format!("{s:?} is not a delimiter ipart reads (expected ',', ';', '|' or tab)"))),
    }
}

/// A date format such as `dd-mm-yyyy`, `d/m/yy` or `yyyymmdd`: `d` day,
/// `m` month, `yyyy` a four-digit year, `yy` a two-digit year in 2000-2099.
#[derive(Debug, Clone, PartialEq)]
pub struct DateFormat {
    pub text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    Day(usize),
    Month(usize),
    Year(usize),
    Literal(char),
}

impl DateFormat {
    pub fn parse(text: &str) -> Result<DateFormat, String> {
        let mut parts = Vec::new();
        let chars: Vec<char> = text.trim().chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i].to_ascii_lowercase();
            let run = chars[i..].iter().take_while(|x| x.to_ascii_lowercase() == c).count();
            let part = match (c, run) {
                ('d', 1 | 2) => Part::Day(run),
                ('m', 1 | 2) => Part::Month(run),
                ('y', 2 | 4) => Part::Year(run),
                (c, _) if !c.is_ascii_alphanumeric() => Part::Literal(chars[i]),
                _ => {
                    return Err(format!(
                        "{text:?} is not a date format (use d or dd, m or mm, yy or yyyy and separators, such as dd-mm-yyyy)"
                    ));
                }
            };
            i += if matches!(part, Part::Literal(_)) { 1 } else { run };
            parts.push(part);
        }
        let count = |f: fn(&Part) -> bool| parts.iter().filter(|p| f(p)).count();
        if count(|p| matches!(p, Part::Day(_))) != 1
            || count(|p| matches!(p, Part::Month(_))) != 1
            || count(|p| matches!(p, Part::Year(_))) != 1
        {
            return Err(format!(
                "{text:?} is not a date format: it needs one day, one month and one year (dd-mm-yyyy)"
            ));
        }
        Ok(DateFormat { text: text.trim().to_string(), parts })
    }

    /// The date `value` holds in this format; a time of day after the date
    /// (`01-09-2023 00:00`) is allowed and left out.
    pub fn read(&self, value: &str) -> Option<Date> {
        let bytes = value.trim().as_bytes();
        let (mut i, mut day, mut month, mut year) = (0, 0, 0, 0);
        for (n, part) in self.parts.iter().enumerate() {
            let next_is_number = matches!(self.parts.get(n + 1), Some(p) if !matches!(p, Part::Literal(_)));
            let (min, max) = match part {
                Part::Literal(c) => {
                    if bytes.get(i) != Some(&(*c as u8)) {
                        return None;
                    }
                    i += 1;
                    continue;
                }
                Part::Year(w) => (*w, *w),
                Part::Day(w) | Part::Month(w) => (if next_is_number { *w } else { 1 }, 2),
            };
            let digits = bytes[i..].iter().take(max).take_while(|b| b.is_ascii_digit()).count();
            if digits < min {
                return None;
            }
            let number: i32 = std::str::from_utf8(&bytes[i..i + digits]).ok()?.parse().ok()?;
            i += digits;
            match part {
                Part::Day(_) => day = number,
                Part::Month(_) => month = number,
                Part::Year(2) => year = 2000 + number,
                _ => year = number,
            }
        }
        let rest = std::str::from_utf8(&bytes[i..]).ok()?;
        if !rest.is_empty() && !is_time_of_day(rest) {
            return None;
        }
        Date::new(year as i16, month as i8, day as i8).ok()
    }
}

/// ` 00:00` or ` 13:45:10` (or `T...`): a time after a date.
fn is_time_of_day(rest: &str) -> bool {
    let Some(time) = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('T')) else { return false };
    let parts: Vec<&str> = time.trim().split(':').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats_read_strictly() {
        let d = |f: &str, v: &str| DateFormat::parse(f).unwrap().read(v).map(|d| d.to_string());
        assert_eq!(d("dd-mm-yyyy", "01-09-2023").as_deref(), Some("2023-09-01"));
        assert_eq!(d("dd-mm-yyyy", "1-9-2023").as_deref(), Some("2023-09-01"));
        assert_eq!(d("dd-mm-yyyy", "01-09-2023 00:00").as_deref(), Some("2023-09-01"));
        assert_eq!(d("dd/mm/yy", "07/09/16").as_deref(), Some("2016-09-07"));
        assert_eq!(d("yyyymmdd", "20230901").as_deref(), Some("2023-09-01"));
        assert_eq!(d("mm/dd/yyyy", "09/01/2023").as_deref(), Some("2023-09-01"));
        assert_eq!(d("dd-mm-yyyy", "2023-09-01"), None);
        assert_eq!(d("dd-mm-yyyy", "31-02-2023"), None);
        assert_eq!(d("dd-mm-yyyy", "01-09-23"), None);
        assert!(DateFormat::parse("dd-mm").is_err());
        assert!(DateFormat::parse("qq-mm-yyyy").is_err());
    }

    #[test]
    fn unknown_keys_are_refused_with_line_and_column() {
        let text = "source = \"x\"\n[file]\ndelimter = \";\"\n";
        let err = Mapping::parse(text, "m.toml", Kind::Assignment).unwrap_err().message;
        assert!(err.starts_with("m.toml:3:1: unknown field `delimter`"), "{err}");
        let text = "[fields]\ntitle = \"Titel\"\nniveau = \"Niveau\"\n";
        let err = Mapping::parse(text, "m.toml", Kind::Assignment).unwrap_err().message;
        assert!(err.starts_with("m.toml:3:1: \"niveau\" is not a field of assignment records"), "{err}");
        let err = Mapping::parse("kind = \"partners\"\n", "m.toml", Kind::Assignment).unwrap_err().message;
        assert!(err.contains("this mapping is for partner records"), "{err}");
    }

    #[test]
    fn mapping_bytes_may_carry_a_bom_but_must_be_utf8() {
        let m = Mapping::parse_bytes(b"\xef\xbb\xbfsource = \"x\"\n", "m.toml", Kind::Assignment).unwrap();
        assert_eq!(m.source.as_deref(), Some("x"));
        let err = Mapping::parse_bytes(b"source = \"x\"\n# caf\xe9\n", "m.toml", Kind::Assignment).unwrap_err();
        assert!(err.message.starts_with("m.toml:2:6: this byte is not UTF-8"), "{}", err.message);
    }

    #[test]
    fn parses_columns_by_name_position_and_pattern() {
        let text = r#"
source = "hr"
[file]
delimiter = "tab"
date_format = ["dd-mm-yyyy", "yyyy-mm-dd"]
[fields]
title = "Titel"
external_id = 1
short_name = { column = "Naam", pattern = '\(([^)]+)\)$' }
[values.kind]
"Afstudeerstage" = "graduation"
"#;
        let m = Mapping::parse(text, "m.toml", Kind::Assignment);
        assert!(m.is_err(), "short_name is not an assignment field");
        let m = Mapping::parse(&text.replace("short_name", "lab"), "m.toml", Kind::Assignment).unwrap();
        assert_eq!(m.delimiter, Some(b'\t'));
        assert_eq!(m.date_formats.len(), 2);
        assert_eq!(m.fields.iter().map(|f| f.field).collect::<Vec<_>>(), ["external_id", "lab", "title"]);
        assert_eq!(m.fields[0].column, Column::Position(1));
        assert_eq!(m.values["kind"]["afstudeerstage"], "graduation");
        assert!(m.fields[1].pattern.is_some());
    }

    #[test]
    fn history_columns_are_statuses_of_the_kind() {
        let text =
            "[fields]\nstatus = \"Fase\"\n[history]\n\"in voorbereiding\" = \"Aangemaakt op\"\nin_progress = 11\n";
        let m = Mapping::parse(text, "m.toml", Kind::Assignment).unwrap();
        let rules: Vec<(&str, Column)> = m.history.iter().map(|r| (r.field, r.column.clone())).collect();
        assert_eq!(
            rules,
            [("preparation", Column::Name("Aangemaakt op".into())), ("in_progress", Column::Position(11))]
        );
        assert_eq!(m.rules().count(), 3);
        let fails = |text: &str, kind| Mapping::parse(text, "m.toml", kind).unwrap_err().message;
        let err = fails("[history]\nbezig = \"Einddatum\"\n", Kind::Assignment);
        assert!(err.starts_with("m.toml:2:1: \"bezig\" is not an assignment status (expected preparation"), "{err}");
        let err = fails("[history]\npreparation = \"A\"\n\"in voorbereiding\" = \"B\"\n", Kind::Assignment);
        assert!(err.contains(":2:1: [history] gives preparation twice"), "{err}");
        let err = fails("[history]\nactive = \"Sinds\"\n", Kind::Partner);
        assert!(err.starts_with("m.toml:2:1: [history] is for records with a status history"), "{err}");
        let err = fails("[history]\npreparation = { column = \"A\", separator = \";\" }\n", Kind::Assignment);
        assert!(err.contains("separator applies to student_ids only, not to preparation"), "{err}");
        // Labs have histories of their own statuses.
        let m = Mapping::parse("[history]\n\"in oprichting\" = \"Opgericht\"\n", "m.toml", Kind::Lab).unwrap();
        assert_eq!(m.history[0].field, "in_formation");
    }
}
