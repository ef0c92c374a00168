//! The records of the registry as the code writes them: references are ids,
//! values are typed. Each record checks the rules that need only itself;
//! rules that need other records (is this partner a government partner?)
//! are checked where references are resolved (`store::lookup`).

use serde::{Deserialize, Serialize};

use super::date::Date;
use super::vocab::*;

/// A rule a record broke, naming the field as the native CSV column does
/// (the command line shows it as `--column-name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError { field, message: message.into() }
    }
}

/// Collected rule violations of one record.
pub type Problems = Vec<FieldError>;

fn require_text(problems: &mut Problems, field: &'static str, value: &str) {
    if value.trim().is_empty() {
        problems.push(FieldError::new(field, "must not be empty"));
    }
}

/// Refuses an end before its start: `last` is `field`, `first` is named.
pub fn require_order(problems: &mut Problems, field: &'static str, first: (&str, Option<Date>), last: Option<Date>) {
    if let (Some(a), Some(b)) = (first.1, last)
        && b < a
    {
        problems.push(FieldError::new(field, format!("{b} is before the {}, {a}", first.0)));
    }
}

/// An assignment has at least one student.
pub fn require_students(problems: &mut Problems, students: i64) {
    if students < 1 {
        problems.push(FieldError::new("students", format!("must be at least 1 (got {students})")));
    }
}

fn require_source(problems: &mut Problems, source: &Option<String>, external_id: &Option<String>) {
    if external_id.is_some() && source.is_none() {
        problems.push(FieldError::new("source", "is needed with an external_id (the system the id comes from)"));
    }
}

/// An organisation taking part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    pub aliases: Vec<String>,
    pub sector: Sector,
    pub level: Option<Level>,
    pub region: Option<Region>,
    pub joined_on: Option<Date>,
    pub left_on: Option<Date>,
    pub external_code: Option<String>,
    pub source: Option<String>,
    pub external_id: Option<String>,
}

impl Partner {
    pub fn check(&self) -> Problems {
        let mut p = Problems::new();
        require_text(&mut p, "name", &self.name);
        match (self.sector, self.level) {
            (Sector::Education, None) => p.push(FieldError::new(
                "level",
                format!("an education partner needs an education level (expected {})", Level::expected()),
            )),
            (sector, Some(_)) if sector != Sector::Education => p.push(FieldError::new(
                "level",
                format!("only education partners have a level, and this is a {} partner", sector.name_en()),
            )),
            _ => {}
        }
        require_order(&mut p, "left_on", ("joining date", self.joined_on), self.left_on);
        require_source(&mut p, &self.source, &self.external_id);
        p
    }

    /// Every spelling this partner answers to.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.short_name.as_deref())
            .chain(self.aliases.iter().map(String::as_str))
    }
}

/// A student assignment at government.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: i64,
    pub title: String,
    pub kind: AssignmentKind,
    pub level: Level,
    pub theme_id: i64,
    pub government_partner_id: i64,
    pub education_partner_id: Option<i64>,
    pub lab_id: Option<i64>,
    pub students: i64,
    pub source: Option<String>,
    pub external_id: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    /// The day the source system registered it (its "created on").
    #[serde(default)]
    pub registered_on: Option<Date>,
    /// A remark from the source, kept as given.
    #[serde(default)]
    pub note: Option<String>,
}

impl Assignment {
    pub fn check(&self) -> Problems {
        let mut p = Problems::new();
        require_text(&mut p, "title", &self.title);
        require_students(&mut p, self.students);
        require_order(&mut p, "ends_on", ("start", self.starts_on), self.ends_on);
        require_source(&mut p, &self.source, &self.external_id);
        p
    }
}

/// One entry of a status history: the status and the day it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusChange<S> {
    pub since: Date,
    pub status: S,
}

/// The status on `date`: the last change on or before it. `None` when the
/// record did not exist yet. `history` must be sorted by date.
pub fn status_on<S: Copy>(history: &[StatusChange<S>], date: Date) -> Option<StatusChange<S>> {
    history.iter().rev().find(|c| c.since <= date).copied()
}

/// A field lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lab {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub regions: Vec<Region>,
    pub member_ids: Vec<i64>,
    pub theme_ids: Vec<i64>,
}

impl Lab {
    pub fn check(&self) -> Problems {
        let mut p = Problems::new();
        require_text(&mut p, "name", &self.name);
        p
    }
}

/// A community of practice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Community {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
}

impl Community {
    pub fn check(&self) -> Problems {
        let mut p = Problems::new();
        require_text(&mut p, "name", &self.name);
        p
    }
}

/// A dual PhD candidate (no name: the figures need counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phd {
    pub id: i64,
    pub started_on: Date,
    pub ended_on: Option<Date>,
    pub theme_id: i64,
    pub government_partner_id: i64,
    pub education_partner_id: i64,
    pub topic: Option<String>,
    pub source: Option<String>,
    pub external_id: Option<String>,
}

impl Phd {
    pub fn check(&self) -> Problems {
        let mut p = Problems::new();
        require_order(&mut p, "ended_on", ("start", Some(self.started_on)), self.ended_on);
        require_source(&mut p, &self.source, &self.external_id);
        p
    }
}

/// A course, summer course, event or conference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: i64,
    pub kind: ActivityKind,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub theme_id: Option<i64>,
    pub participants: Option<i64>,
    pub government_participants: Option<i64>,
    pub partner_ids: Vec<i64>,
}

impl Activity {
    pub fn check(&self) -> Problems {
        let mut p = Problems::new();
        require_text(&mut p, "name", &self.name);
        require_order(&mut p, "ends_on", ("start", Some(self.starts_on)), self.ends_on);
        for (field, value) in
            [("participants", self.participants), ("government_participants", self.government_participants)]
        {
            if let Some(n) = value.filter(|n| *n < 0) {
                p.push(FieldError::new(field, format!("must not be negative (got {n})")));
            }
        }
        if let (Some(all), Some(gov)) = (self.participants, self.government_participants)
            && gov > all
        {
            p.push(FieldError::new(
                "government_participants",
                format!("{gov} is more than the {all} participants in all"),
            ));
        }
        p
    }
}

/// Something developed with education partners that has a kind, a theme
/// and a lifecycle: a curriculum (minor, master, post-master) or a chair
/// (lectorate, chair).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Initiative<K> {
    pub id: i64,
    pub kind: K,
    pub name: String,
    pub theme_id: Option<i64>,
    pub partner_ids: Vec<i64>,
}

impl<K> Initiative<K> {
    pub fn check(&self) -> Problems {
        let mut p = Problems::new();
        require_text(&mut p, "name", &self.name);
        p
    }
}

/// A minor, master or post-master.
pub type Curriculum = Initiative<CurriculumKind>;
/// A lectorate or chair.
pub type Chair = Initiative<ChairKind>;

/// A research question from government (the knowledge portfolios).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: i64,
    pub text: String,
    pub theme_id: i64,
    pub asked_on: Date,
    pub source_activity_id: Option<i64>,
    pub source_partner_id: Option<i64>,
    pub assignment_id: Option<i64>,
    pub lab_id: Option<i64>,
    pub phd_id: Option<i64>,
}

impl Question {
    pub fn check(&self) -> Problems {
        let mut p = Problems::new();
        require_text(&mut p, "text", &self.text);
        p
    }
}

/// A theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    pub id: i64,
    pub code: String,
    pub name_en: String,
    pub name_nl: String,
    pub aliases: Vec<String>,
    pub position: i64,
}

impl Theme {
    pub fn check(&self) -> Problems {
        let mut p = Problems::new();
        let code_ok = self.code.starts_with(|c: char| c.is_ascii_lowercase())
            && self.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !code_ok {
            p.push(FieldError::new(
                "code",
                format!(
                    "{:?} is not a theme code (expected lower-case letters, digits and '-', such as it-change)",
                    self.code
                ),
            ));
        }
        require_text(&mut p, "name_en", &self.name_en);
        require_text(&mut p, "name_nl", &self.name_nl);
        p
    }
}

/// Checks a name used as a record key (metric names): lower case, digits, '-'.
pub fn check_slug(field: &'static str, what: &str, value: &str, example: &str) -> Problems {
    let ok = value.starts_with(|c: char| c.is_ascii_lowercase())
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Vec::new()
    } else {
        vec![FieldError::new(
            field,
            format!("{value:?} is not {what} (expected lower-case letters, digits and '-', such as {example})"),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn status_on_takes_the_last_change_on_or_before() {
        let h = [
            StatusChange { since: d("2023-01-10"), status: AssignmentStatus::Preparation },
            StatusChange { since: d("2023-03-01"), status: AssignmentStatus::InProgress },
            StatusChange { since: d("2023-07-01"), status: AssignmentStatus::Completed },
        ];
        assert_eq!(status_on(&h, d("2023-01-09")), None);
        assert_eq!(status_on(&h, d("2023-03-01")).unwrap().status, AssignmentStatus::InProgress);
        assert_eq!(status_on(&h, d("2024-01-01")).unwrap().status, AssignmentStatus::Completed);
    }

    #[test]
    fn education_partner_needs_level_and_others_have_none() {
        let mut p = Partner {
            id: 0,
            name: "Hanze".into(),
            short_name: None,
            aliases: vec![],
            sector: Sector::Education,
            level: None,
            region: None,
            joined_on: Some(d("2021-01-01")),
            left_on: Some(d("2020-01-01")),
            external_code: None,
            source: None,
            external_id: None,
        };
        let fields: Vec<_> = p.check().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["level", "left_on"]);
        p.sector = Sector::Government;
        p.level = Some(Level::Hbo);
        p.left_on = None;
        assert_eq!(p.check()[0].field, "level");
    }
}
