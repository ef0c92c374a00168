//! The native record format: every kind of record as named text fields.
//!
//! One format serves the command line (`partner add --short-name HU`
//! becomes the field `short_name`), native CSV files (the columns of
//! `ipart export`, and the demo data in `fixtures/demo/`) and `edit` (a
//! record is turned into fields, changed, and built again). Building a
//! record from fields is where every rule is checked, so a value is judged
//! the same way whichever way it came in.

pub mod build;
pub mod file;
pub mod labels;
pub mod record;

use rusqlite::Connection;

use crate::domain::Date;
use crate::error::Result;
use crate::store::lookup::{self, NameIndex, PartnerIndex, Written};

/// The kinds of record, in the order files must be loaded (a record may
/// only refer to kinds before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Kind {
    Theme,
    Partner,
    Lab,
    Community,
    Assignment,
    Phd,
    Activity,
    Curriculum,
    Chair,
    Question,
    Metric,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Theme,
        Kind::Partner,
        Kind::Lab,
        Kind::Community,
        Kind::Assignment,
        Kind::Phd,
        Kind::Activity,
        Kind::Curriculum,
        Kind::Chair,
        Kind::Question,
        Kind::Metric,
    ];

    /// The command and table name ("partner").
    /// The name of the kind in `lang`, for messages: "assignment", "opdracht".
    pub fn name_in(self, lang: crate::domain::Lang) -> &'static str {
        match lang {
            crate::domain::Lang::En => self.name(),
            crate::domain::Lang::Nl => match self {
                Kind::Theme => "thema",
                Kind::Partner => "partner",
                Kind::Lab => "lab",
                Kind::Community => "community",
                Kind::Assignment => "opdracht",
                Kind::Phd => "promovendus",
                Kind::Activity => "activiteit",
                Kind::Curriculum => "onderwijsprogramma",
                Kind::Chair => "leerstoel",
                Kind::Question => "vraag",
                Kind::Metric => "cijfer",
            },
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Theme => "theme",
            Kind::Partner => "partner",
            Kind::Lab => "lab",
            Kind::Community => "community",
            Kind::Assignment => "assignment",
            Kind::Phd => "phd",
            Kind::Activity => "activity",
            Kind::Curriculum => "curriculum",
            Kind::Chair => "chair",
            Kind::Question => "question",
            Kind::Metric => "metric",
        }
    }

    /// The file name of this kind in a native data set ("partners.csv").
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Theme => "themes.csv",
            Kind::Partner => "partners.csv",
            Kind::Lab => "labs.csv",
            Kind::Community => "communities.csv",
            Kind::Assignment => "assignments.csv",
            Kind::Phd => "phds.csv",
            Kind::Activity => "activities.csv",
            Kind::Curriculum => "curricula.csv",
            Kind::Chair => "chairs.csv",
            Kind::Question => "questions.csv",
            Kind::Metric => "metrics.csv",
        }
    }

    /// The native columns, in file order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Theme => &["code", "name_en", "name_nl", "aliases"],
            Kind::Partner => &[
                "name",
                "short_name",
                "aliases",
                "sector",
                "level",
                "region",
                "joined_on",
                "left_on",
                "external_code",
                "source",
                "external_id",
            ],
            Kind::Lab => &["name", "regions", "themes", "members", "status_history", "description"],
            Kind::Community => &["name", "status_history", "description"],
            Kind::Assignment => &[
                "source",
                "external_id",
                "title",
                "kind",
                "level",
                "theme",
                "government_partner",
                "education_partner",
                "lab",
                "students",
                "starts_on",
                "ends_on",
                "status_history",
                "registered_on",
                "note",
            ],
            Kind::Phd => &[
                "source",
                "external_id",
                "started_on",
                "ended_on",
                "theme",
                "government_partner",
                "education_partner",
                "topic",
            ],
            Kind::Activity => &[
                "kind",
                "name",
                "starts_on",
                "ends_on",
                "theme",
                "participants",
                "government_participants",
                "partners",
            ],
            Kind::Curriculum | Kind::Chair => &["kind", "name", "theme", "partners", "status_history"],
            Kind::Question => {
                &["text", "theme", "asked_on", "source_activity", "source_partner", "assignment", "lab", "phd"]
            }
            Kind::Metric => &["name", "year", "value"],
        }
    }

    /// Whether records of this kind have a status history.
    pub fn has_history(self) -> bool {
        matches!(self, Kind::Lab | Kind::Community | Kind::Assignment | Kind::Curriculum | Kind::Chair)
    }

    /// Columns holding several values joined with `|`.
    pub fn is_multi(column: &str) -> bool {
        matches!(column, "aliases" | "regions" | "themes" | "members" | "partners")
    }

    /// Columns naming other records by name (partners, themes, labs,
    /// activities), as opposed to keys (`SOURCE:EXTERNAL_ID`).
    pub fn is_name_reference(column: &str) -> bool {
        matches!(
            column,
            "theme"
                | "themes"
                | "government_partner"
                | "education_partner"
                | "source_partner"
                | "members"
                | "partners"
                | "lab"
                | "source_activity"
        )
    }
}

/// A record as named text values; an empty value is no value.
///
/// A record has a dozen fields at most, so they are kept in a list: looking
/// one up by comparing names is cheaper than hashing, which a bulk import
/// does for every field of every row.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    values: Vec<(String, String)>,
}

impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.values.len() == other.values.len() && self.values.iter().all(|(k, v)| other.raw(k) == Some(v.as_str()))
    }
}

impl Fields {
    pub fn new() -> Self {
        Fields::default()
    }

    fn raw(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value of `name`, trimmed; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).map(str::trim).filter(|s| !s.is_empty())
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        match self.values.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value.into(),
            None => self.values.push((name.to_string(), value.into())),
        }
    }

    /// Sets `name` to `value`, reusing the room of the value it replaces:
    /// an importer sets the same fields row after row.
    pub fn set_str(&mut self, name: &str, value: &str) {
        match self.values.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => {
                v.clear();
                v.push_str(value);
            }
            None => self.values.push((name.to_string(), value.to_string())),
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.values.retain(|(k, _)| k != name);
    }

    /// The values of a `|`-joined field.
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.get(name).map(|s| s.split('|').map(str::trim).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// What references resolve against: the registry's names, loaded once.
pub struct Catalog {
    pub partners: PartnerIndex,
    pub themes: NameIndex,
    pub labs: NameIndex,
    pub activities: NameIndex,
    /// Loaded only for kinds that refer to assignments and PhDs (questions).
    pub assignments: NameIndex,
    pub phds: NameIndex,
    /// The declared figure names; loaded only for figures.
    pub metrics: Vec<String>,
    /// The date a status without a date began.
    pub today: Date,
    /// How the references resolved against it were written: in a file
    /// (names only), unless [`Catalog::typed`] says on the command line.
    pub written: Written,
}

impl Catalog {
    /// Loads what records of `kind` can refer to.
    pub fn load(conn: &Connection, kind: Kind, today: Date) -> Result<Catalog> {
        let keyed = kind == Kind::Question;
        Ok(Catalog {
            partners: PartnerIndex::load(conn)?,
            themes: lookup::theme_index(conn)?,
            labs: lookup::lab_index(conn)?,
            activities: lookup::activity_index(conn)?,
            assignments: if keyed { lookup::keyed_index(conn, "assignment")? } else { NameIndex::default() },
            phds: if keyed { lookup::keyed_index(conn, "phd")? } else { NameIndex::default() },
            metrics: if kind == Kind::Metric { crate::store::metric::declared(conn)? } else { Vec::new() },
            today,
            written: Written::InFile,
        })
    }

    /// The index a name-reference column resolves against.
    pub fn index_for(&self, column: &str) -> Option<&NameIndex> {
        match column {
            "government_partner" | "education_partner" | "source_partner" | "members" | "partners" => {
                Some(&self.partners.names)
            }
            "theme" | "themes" => Some(&self.themes),
            "lab" => Some(&self.labs),
            "source_activity" => Some(&self.activities),
            _ => None,
        }
    }

    /// For values typed on the command line, where a bare number is an id
    /// (see [`Written`]).
    pub fn typed(mut self) -> Self {
        self.written = Written::Typed;
        self
    }
}
