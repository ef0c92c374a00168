//! Records in words: column labels and the names of coded values, in
//! English or Dutch, for what people read (tables, spreadsheets, `list
//! --excel`). Scripts get the field names and codes instead (JSON, CSV).

use std::collections::HashMap;

use rusqlite::Connection;

use super::Kind;
use crate::domain::*;
use crate::error::Result;
use crate::output::Humanize;
use crate::store;

/// Field -> (English label, Dutch label).
const LABELS: &[(&str, &str, &str)] = &[
    ("id", "id", "id"),
    ("name", "name", "naam"),
    ("short_name", "short name", "korte naam"),
    ("aliases", "aliases", "aliassen"),
    ("sector", "sector", "sector"),
    ("level", "level", "niveau"),
    ("region", "region", "regio"),
    ("regions", "regions", "regio's"),
    ("joined_on", "joined on", "lid sinds"),
    ("left_on", "left on", "lid tot"),
    ("external_code", "external code", "externe code"),
    ("source", "source", "bron"),
    ("external_id", "external id", "extern id"),
    ("title", "title", "titel"),
    ("kind", "kind", "soort"),
    ("theme", "theme", "thema"),
    ("themes", "themes", "thema's"),
    ("government_partner", "government partner", "overheidspartner"),
    ("education_partner", "education partner", "onderwijspartner"),
    ("lab", "lab", "lab"),
    ("students", "students", "studenten"),
    ("starts_on", "starts on", "begint op"),
    ("ends_on", "ends on", "eindigt op"),
    ("registered_on", "registered on", "geregistreerd op"),
    ("note", "note", "opmerking"),
    ("status", "status", "status"),
    ("status_since", "since", "sinds"),
    ("since", "since", "sinds"),
    ("status_history", "status history", "statusgeschiedenis"),
    ("members", "members", "leden"),
    ("description", "description", "beschrijving"),
    ("started_on", "started on", "gestart op"),
    ("ended_on", "ended on", "geëindigd op"),
    ("topic", "topic", "onderwerp"),
    ("participants", "participants", "deelnemers"),
    ("government_participants", "from government", "van de overheid"),
    ("partners", "partners", "partners"),
    ("text", "question", "vraag"),
    ("asked_on", "asked on", "gesteld op"),
    ("source_activity", "asked at", "gesteld bij"),
    ("source_partner", "asked by", "gesteld door"),
    ("assignment", "assignment", "opdracht"),
    ("phd", "PhD", "promotie"),
    ("taken_up", "taken up", "opgepakt"),
    ("code", "code", "code"),
    ("name_en", "English name", "Engelse naam"),
    ("name_nl", "Dutch name", "Nederlandse naam"),
    ("year", "year", "jaar"),
    ("value", "value", "waarde"),
    ("field", "field", "veld"),
];

/// The label of a field in `lang`; a field without one is shown with
/// spaces for underscores.
pub fn column_label(column: &str, lang: Lang) -> String {
    match LABELS.iter().find(|(c, _, _)| *c == column) {
        Some((_, en, nl)) => match lang {
            Lang::En => en.to_string(),
            Lang::Nl => nl.to_string(),
        },
        None => column.replace('_', " "),
    }
}

/// What records of a kind are called, in the plural ("opdrachten").
pub fn kind_plural(kind: Kind, lang: Lang) -> &'static str {
    let (en, nl) = match kind {
        Kind::Theme => ("themes", "thema's"),
        Kind::Partner => ("partners", "partners"),
        Kind::Lab => ("labs", "labs"),
        Kind::Community => ("communities", "communities"),
        Kind::Assignment => ("assignments", "opdrachten"),
        Kind::Phd => ("PhD candidates", "promovendi"),
        Kind::Activity => ("activities", "activiteiten"),
        Kind::Curriculum => ("curricula", "curricula"),
        Kind::Chair => ("chairs", "leerstoelen"),
        Kind::Question => ("questions", "vragen"),
        Kind::Metric => ("figures", "cijfers"),
    };
    match lang {
        Lang::En => en,
        Lang::Nl => nl,
    }
}

/// The names of one kind's fields and values in one language.
pub struct Names {
    kind: Kind,
    lang: Lang,
    /// Theme code -> (English name, Dutch name).
    themes: HashMap<String, (String, String)>,
}

impl Names {
    /// The names for `kind`, with the themes the registry holds.
    pub fn load(conn: &Connection, kind: Kind, lang: Lang) -> Result<Names> {
        Ok(Names::new(kind, lang, &store::theme::list(conn)?))
    }

    pub fn new(kind: Kind, lang: Lang, themes: &[Theme]) -> Names {
        let themes = themes.iter().map(|t| (t.code.clone(), (t.name_en.clone(), t.name_nl.clone()))).collect();
        Names { kind, lang, themes }
    }

    fn kind_name(&self, code: &str) -> Option<&'static str> {
        match self.kind {
            Kind::Assignment => name_of::<AssignmentKind>(code, self.lang),
            Kind::Activity => name_of::<ActivityKind>(code, self.lang),
            Kind::Curriculum => name_of::<CurriculumKind>(code, self.lang),
            Kind::Chair => name_of::<ChairKind>(code, self.lang),
            _ => None,
        }
    }

    fn status_name(&self, code: &str) -> Option<&'static str> {
        match self.kind {
            Kind::Assignment => name_of::<AssignmentStatus>(code, self.lang),
            Kind::Lab => name_of::<LabStatus>(code, self.lang),
            Kind::Community => name_of::<CommunityStatus>(code, self.lang),
            Kind::Curriculum => name_of::<CurriculumStatus>(code, self.lang),
            Kind::Chair => name_of::<ChairStatus>(code, self.lang),
            _ => None,
        }
    }
}

impl Humanize for Names {
    fn label(&self, column: &str) -> String {
        column_label(column, self.lang)
    }

    fn value_name(&self, column: &str, code: &str) -> Option<String> {
        let name = match column {
            "sector" => name_of::<Sector>(code, self.lang),
            "level" => name_of::<Level>(code, self.lang),
            "region" | "regions" => name_of::<Region>(code, self.lang),
            "kind" => self.kind_name(code),
            "status" => self.status_name(code),
            "theme" | "themes" => {
                let (en, nl) = self.themes.get(code)?;
                return Some(match self.lang {
                    Lang::En => en.clone(),
                    Lang::Nl => nl.clone(),
                });
            }
            _ => None,
        };
        name.map(str::to_string)
    }

    fn yes_no(&self, value: bool) -> &'static str {
        match (self.lang, value) {
            (Lang::En, true) => "yes",
            (Lang::En, false) => "no",
            (Lang::Nl, true) => "ja",
            (Lang::Nl, false) => "nee",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme() -> Theme {
        Theme {
            id: 1,
            code: "information-management".into(),
            name_en: "Information management".into(),
            name_nl: "Informatiehuishouding".into(),
            aliases: vec![],
            position: 1,
        }
    }

    #[test]
    fn values_are_named_by_their_kind_and_language() {
        let nl = Names::new(Kind::Assignment, Lang::Nl, &[theme()]);
        assert_eq!(nl.value_name("status", "in_progress").as_deref(), Some("in uitvoering"));
        assert_eq!(nl.value_name("kind", "internship").as_deref(), Some("stage"));
        assert_eq!(nl.value_name("theme", "information-management").as_deref(), Some("Informatiehuishouding"));
        assert_eq!(nl.value_name("title", "in_progress"), None, "free text is never renamed");
        assert_eq!(nl.label("government_partner"), "overheidspartner");
        let lab = Names::new(Kind::Lab, Lang::En, &[]);
        assert_eq!(lab.value_name("status", "in_formation").as_deref(), Some("in formation"));
        assert_eq!(lab.value_name("regions", "midden").as_deref(), Some("Central"));
        let partner = Names::new(Kind::Partner, Lang::Nl, &[]);
        assert_eq!(partner.value_name("sector", "government").as_deref(), Some("rijksoverheid"));
        assert_eq!(partner.value_name("region", "midden").as_deref(), Some("Midden"));
        assert_eq!(partner.label("unlisted_field"), "unlisted field");
    }
}
