//! The closed vocabularies of the domain: education level, assignment kind and
//! status, region, sector, the lifecycles of labs, communities, curricula
//! and chairs (with the order of their stages), and the units of the
//! communication figures.
//!
//! Each is stored as its English code; input accepts the code, the English
//! and Dutch names and a few aliases, case- and accent-insensitively, so
//! "in voorbereiding", "In_Voorbereiding" and "preparation" are one status.
//! Themes are not here: they are data (see `store::theme`).

use super::names::fold;
use crate::error::Error;

/// A closed set of values with English codes and Dutch names.
pub trait Vocabulary: Sized + Copy + PartialEq + 'static {
    /// What a value is, for messages: "an education level".
    const WHAT: &'static str;
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The stored code ("in_progress").
    fn code(self) -> &'static str;
    /// The English name ("in progress").
    fn name_en(self) -> &'static str;
    /// The Dutch name ("in uitvoering").
    fn name_nl(self) -> &'static str;
    /// Further spellings accepted on input.
    fn aliases(self) -> &'static [&'static str];

    /// The name in the given language.
    fn name(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.name_en(),
            Lang::Nl => self.name_nl(),
        }
    }

    /// Parses any accepted spelling; the error lists what is accepted.
    fn parse(input: &str) -> Result<Self, Error> {
        // Stored values and native files use the codes: no folding needed.
        if let Some(v) = Self::ALL.iter().find(|v| v.code() == input) {
            return Ok(*v);
        }
        let wanted = fold(input);
        Self::ALL
            .iter()
            .copied()
            .find(|v| [v.code(), v.name_en(), v.name_nl()].iter().chain(v.aliases()).any(|s| fold(s) == wanted))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{} is not {} (expected {})",
                    super::names::shown(input),
                    Self::WHAT,
                    Self::expected()
                ))
            })
    }

    /// "MBO, HBO or WO"; with Dutch names where they differ from the code.
    fn expected() -> String {
        let names: Vec<String> = Self::ALL
            .iter()
            .map(|v| {
                if fold(v.name_nl()) == fold(v.code()) {
                    v.code().to_string()
                } else {
                    format!("{} ({})", v.code(), v.name_nl())
                }
            })
            .collect();
        match names.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// The name, in `lang`, of the value stored as `code`; `None` when `code`
/// is not one of the codes of `V` (lists show such a value as it is).
pub fn name_of<V: Vocabulary>(code: &str, lang: Lang) -> Option<&'static str> {
    V::ALL.iter().find(|v| v.code() == code).map(|v| v.name(lang))
}

/// The language of labels in human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English
    #[default]
    En,
    /// Dutch (Nederlands), the programme's language
    Nl,
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $variant:ident = $code:literal, $en:literal, $nl:literal, [$($alias:literal),* $(,)?] ; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl Vocabulary for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            fn name_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            fn name_nl(self) -> &'static str { match self { $($name::$variant => $nl),+ } }
            fn aliases(self) -> &'static [&'static str] { match self { $($name::$variant => &[$($alias),*]),+ } }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> { <$name as Vocabulary>::parse(s) }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$name as Vocabulary>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

vocabulary! {
    /// The three education levels. Fixed by the Dutch education system.
    Level, "an education level" {
        Mbo = "MBO", "MBO", "MBO", ["middelbaar beroepsonderwijs", "vocational"];
        Hbo = "HBO", "HBO", "HBO", ["hoger beroepsonderwijs", "applied sciences", "hbo-bachelor", "hbo bachelor", "hbo-master", "associate degree"];
        Wo = "WO", "WO", "WO", ["wetenschappelijk onderwijs", "university", "universiteit", "wo-bachelor", "wo-master"];
    }
}

vocabulary! {
    /// What kind of student assignment.
    AssignmentKind, "an assignment kind" {
        Internship = "internship", "internship", "stage", ["stageopdracht", "meeloopstage", "werkstage"];
        Graduation = "graduation", "graduation assignment", "afstudeeropdracht", ["afstudeerstage", "afstuderen", "graduation project", "thesis"];
        Group = "group", "group assignment", "groepsopdracht", ["groepsproject", "project", "group project"];
        Hackathon = "hackathon", "hackathon", "hackathon", ["hackaton", "hackatons", "hackathons"];
    }
}

vocabulary! {
    /// The lifecycle of an assignment. `unknown` marks records whose source
    /// gave no status, so totals can be explained rather than hidden.
    AssignmentStatus, "an assignment status" {
        Preparation = "preparation", "in preparation", "in voorbereiding", ["voorbereiding", "in_preparation", "planned", "gepland"];
        InProgress = "in_progress", "in progress", "in uitvoering", ["uitvoering", "in uitvoer", "lopend", "active", "actief", "started", "gestart"];
        Completed = "completed", "completed", "afgerond", ["done", "finished", "voltooid", "klaar", "afgesloten"];
        Cancelled = "cancelled", "cancelled", "geannuleerd", ["canceled", "vervallen", "gestopt", "afgebroken"];
        Unknown = "unknown", "unknown", "onbekend", [];
    }
}

vocabulary! {
    /// The regions the programme reports on.
    Region, "a region" {
        Noord = "noord", "North", "Noord", ["north", "noord nl", "noord nederland", "noord-nederland"];
        Oost = "oost", "East", "Oost", ["east", "oost nl", "oost nederland", "oost-nederland"];
        Midden = "midden", "Central", "Midden", ["central", "midden nl", "midden nederland", "midden-nederland"];
        West = "west", "West", "West", ["west nl", "west nederland", "west-nederland", "randstad"];
        Zuid = "zuid", "South", "Zuid", ["south", "zuid nl", "zuid nederland", "zuid-nederland"];
    }
}

vocabulary! {
    /// Which side of the partnership an organisation is on.
    Sector, "a sector" {
        Government = "government", "government", "rijksoverheid", ["overheid", "rijk", "gov"];
        Education = "education", "education", "onderwijs", ["edu", "onderwijsinstelling"];
        Other = "other", "other", "overig", ["anders"];
    }
}

vocabulary! {
    /// The lifecycle of a field lab.
    LabStatus, "a lab status" {
        InFormation = "in_formation", "in formation", "in oprichting", ["i.o.", "io", "oprichting", "forming"];
        Active = "active", "active", "actief", [];
        Closed = "closed", "closed", "gesloten", ["beeindigd", "gestopt", "ended"];
    }
}

vocabulary! {
    /// The lifecycle of a community.
    CommunityStatus, "a community status" {
        Planned = "planned", "planned", "gepland", ["in oprichting", "plan"];
        Active = "active", "active", "actief", [];
        Closed = "closed", "closed", "gesloten", ["beeindigd", "gestopt", "ended"];
    }
}

vocabulary! {
    /// Courses and events the programme organises or joins.
    ActivityKind, "an activity kind" {
        Course = "course", "course", "cursus", ["training", "opleiding"];
        SummerCourse = "summer_course", "summer course", "summercourse", ["zomercursus", "summerschool", "summer school"];
        Event = "event", "event", "evenement", ["bijeenkomst", "meetup"];
        Conference = "conference", "conference", "conferentie", ["werkconferentie", "congres", "symposium"];
    }
}

vocabulary! {
    /// Curricula developed with education partners.
    CurriculumKind, "a curriculum kind" {
        Minor = "minor", "minor", "minor", ["minoren"];
        Master = "master", "master", "master", ["masteropleiding"];
        PostMaster = "post_master", "post-master", "post-master", ["postmaster", "post-initieel"];
    }
}

vocabulary! {
    /// The lifecycle of a curriculum.
    CurriculumStatus, "a curriculum status" {
        InDevelopment = "in_development", "in development", "in ontwikkeling", ["ontwikkeling", "development", "voorprogramma"];
        Running = "running", "running", "lopend", ["active", "actief", "gestart"];
        Ended = "ended", "ended", "beëindigd", ["closed", "gestopt"];
    }
}

vocabulary! {
    /// Research positions: a lectorate at a university of applied sciences, a
    /// chair at a university.
    ChairKind, "a chair kind" {
        Lectorate = "lectorate", "lectorate", "lectoraat", ["lector", "professorship", "lectoraten"];
        Chair = "chair", "chair", "leerstoel", ["hoogleraar", "leerstoelen"];
    }
}

vocabulary! {
    /// The lifecycle of a chair.
    ChairStatus, "a chair status" {
        Planned = "planned", "planned", "gepland", [];
        Active = "active", "active", "actief", [];
        Ended = "ended", "ended", "beëindigd", ["closed", "gestopt"];
    }
}

/// A vocabulary whose values follow each other in a lifecycle: a record
/// moves from one stage to a later one, never back (an assignment is not
/// in preparation after it was completed).
pub trait Lifecycle: Vocabulary {
    /// What the record is, for messages: "an assignment".
    const RECORD: &'static str;

    /// The stage of a status, counted from 0; `None` for a status that may
    /// come at any point (`unknown`). Statuses of one stage are alternative
    /// ends (completed or cancelled): one cannot follow the other.
    fn stage(self) -> Option<u8>;

    /// The lifecycle as people read it: "in preparation, then in progress,
    /// then completed or cancelled; unknown at any point".
    fn order() -> String {
        let mut stages: Vec<Vec<&str>> = Vec::new();
        let mut anywhere: Vec<&str> = Vec::new();
        for status in Self::ALL {
            match status.stage() {
                Some(stage) => {
                    let stage = usize::from(stage);
                    if stages.len() <= stage {
                        stages.resize(stage + 1, Vec::new());
                    }
                    stages[stage].push(status.name_en());
                }
                None => anywhere.push(status.name_en()),
            }
        }
        let order = stages.iter().filter(|s| !s.is_empty()).map(|s| s.join(" or ")).collect::<Vec<_>>().join(", then ");
        if anywhere.is_empty() { order } else { format!("{order}; {} at any point", anywhere.join(" or ")) }
    }
}

impl Lifecycle for AssignmentStatus {
    const RECORD: &'static str = "an assignment";
    fn stage(self) -> Option<u8> {
        match self {
            AssignmentStatus::Preparation => Some(0),
            AssignmentStatus::InProgress => Some(1),
            AssignmentStatus::Completed | AssignmentStatus::Cancelled => Some(2),
            AssignmentStatus::Unknown => None,
        }
    }
}

impl Lifecycle for LabStatus {
    const RECORD: &'static str = "a lab";
    fn stage(self) -> Option<u8> {
        Some(match self {
            LabStatus::InFormation => 0,
            LabStatus::Active => 1,
            LabStatus::Closed => 2,
        })
    }
}

impl Lifecycle for CommunityStatus {
    const RECORD: &'static str = "a community";
    fn stage(self) -> Option<u8> {
        Some(match self {
            CommunityStatus::Planned => 0,
            CommunityStatus::Active => 1,
            CommunityStatus::Closed => 2,
        })
    }
}

impl Lifecycle for CurriculumStatus {
    const RECORD: &'static str = "a curriculum";
    fn stage(self) -> Option<u8> {
        Some(match self {
            CurriculumStatus::InDevelopment => 0,
            CurriculumStatus::Running => 1,
            CurriculumStatus::Ended => 2,
        })
    }
}

impl Lifecycle for ChairStatus {
    const RECORD: &'static str = "a chair";
    fn stage(self) -> Option<u8> {
        Some(match self {
            ChairStatus::Planned => 0,
            ChairStatus::Active => 1,
            ChairStatus::Ended => 2,
        })
    }
}

vocabulary! {
    /// How the value of a communication figure reads.
    MetricUnit, "a unit" {
        Count = "count", "count", "aantal", ["number", "n"];
        Percent = "percent", "percent", "procent", ["%", "percentage"];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_names_and_aliases_in_any_case() {
        assert_eq!(Level::parse("hbo").unwrap(), Level::Hbo);
        assert_eq!(AssignmentStatus::parse("In Voorbereiding").unwrap(), AssignmentStatus::Preparation);
        assert_eq!(AssignmentStatus::parse("in_progress").unwrap(), AssignmentStatus::InProgress);
        assert_eq!(AssignmentStatus::parse("IN-UITVOERING").unwrap(), AssignmentStatus::InProgress);
        assert_eq!(AssignmentKind::parse("Afstudeeropdracht").unwrap(), AssignmentKind::Graduation);
        assert_eq!(AssignmentKind::parse("stage").unwrap(), AssignmentKind::Internship);
        assert_eq!(Region::parse("Noord-Nederland").unwrap(), Region::Noord);
        assert_eq!(CurriculumStatus::parse("beeindigd").unwrap(), CurriculumStatus::Ended);
        assert_eq!(LabStatus::parse("i.o.").unwrap(), LabStatus::InFormation);
    }

    #[test]
    fn lifecycles_read_as_people_say_them() {
        assert_eq!(
            AssignmentStatus::order(),
            "in preparation, then in progress, then completed or cancelled; unknown at any point"
        );
        assert_eq!(LabStatus::order(), "in formation, then active, then closed");
        assert_eq!(CurriculumStatus::order(), "in development, then running, then ended");
    }

    #[test]
    fn values_have_one_name_per_language() {
        assert_eq!(name_of::<AssignmentStatus>("in_progress", Lang::Nl), Some("in uitvoering"));
        assert_eq!(name_of::<AssignmentStatus>("in_progress", Lang::En), Some("in progress"));
        assert_eq!(name_of::<Sector>("government", Lang::Nl), Some("rijksoverheid"));
        assert_eq!(name_of::<LabStatus>("in_formation", Lang::Nl), Some("in oprichting"));
        assert_eq!(name_of::<Level>("hbo", Lang::En), None, "codes only, as stored");
        // Lists and the report name regions through these: one spelling per language.
        let names = |lang| Region::ALL.iter().map(|r| r.name(lang)).collect::<Vec<_>>();
        assert_eq!(names(Lang::En), ["North", "East", "Central", "West", "South"]);
        assert_eq!(names(Lang::Nl), ["Noord", "Oost", "Midden", "West", "Zuid"]);
    }

    #[test]
    fn refusal_lists_accepted_values() {
        let err = Level::parse("HBOO").unwrap_err();
        assert_eq!(err.to_string(), r#""HBOO" is not an education level (expected MBO, HBO or WO)"#);
        let err = AssignmentStatus::parse("busy").unwrap_err().to_string();
        assert!(err.contains("preparation (in voorbereiding)"), "{err}");
    }

    #[test]
    fn no_two_values_share_a_spelling() {
        fn check<V: Vocabulary + std::fmt::Debug>() {
            let mut seen = std::collections::HashMap::new();
            for v in V::ALL {
                for s in [v.code(), v.name_en(), v.name_nl()].iter().chain(v.aliases()) {
                    if let Some(other) = seen.insert(fold(s), *v) {
                        assert_eq!(other, *v, "{s:?} names both {other:?} and {v:?}");
                    }
                }
            }
        }
        check::<Level>();
        check::<AssignmentKind>();
        check::<AssignmentStatus>();
        check::<Region>();
        check::<Sector>();
        check::<LabStatus>();
        check::<CommunityStatus>();
        check::<ActivityKind>();
        check::<CurriculumKind>();
        check::<CurriculumStatus>();
        check::<ChairKind>();
        check::<ChairStatus>();
        check::<MetricUnit>();
    }
}
