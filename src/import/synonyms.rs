//! What an institution's export calls the registry's fields, in Dutch and
//! English, and which values a field accepts: what `ipart mapping new`
//! proposes and `ipart mapping check` checks against. The words are data,
//! keyed by native field name; a field a kind does not have (see
//! `mapping::native_fields`) is never proposed for it.

use super::mapping::native_fields;
use crate::domain::names::fold;
use crate::domain::*;
use crate::native::Kind;

/// Header words per native field, compared folded (case and accents do
/// not matter). A header that is one of them matches best; one that holds
/// one as whole words matches too, the longer the better.
pub const SYNONYMS: &[(&str, &[&str])] = &[
    ("source", &["bron", "bronsysteem", "source", "source system"]),
    (
        "external_id",
        &[
            "stagenummer",
            "opdrachtnummer",
            "opdracht id",
            "opdrachtid",
            "zaaknummer",
            "vacature-id",
            "vacature id",
            "vacaturenummer",
            "registratienummer",
            "referentie",
            "kenmerk",
            "nummer",
            "nr",
            "id",
            "external id",
            "reference",
            "reference number",
        ],
    ),
    (
        "title",
        &[
            "titel opdracht",
            "opdrachttitel",
            "titel",
            "title",
            "onderwerp",
            "functietitel",
            "naam opdracht",
            "omschrijving opdracht",
            "assignment title",
            "subject",
        ],
    ),
    (
        "kind",
        &[
            "soort",
            "soort opdracht",
            "type opdracht",
            "type",
            "stagetype",
            "soort stage",
            "vorm",
            "kind",
            "assignment type",
            "soort activiteit",
            "soort initiatief",
        ],
    ),
    (
        "level",
        &[
            "niveau",
            "onderwijsniveau",
            "opleidingsniveau",
            "soort ho",
            "onderwijssoort",
            "onderwijstype",
            "level",
            "education level",
        ],
    ),
    ("theme", &["thema", "vakgebied", "domein", "aandachtsgebied", "theme", "topic area"]),
    (
        "government_partner",
        &[
            "opdrachtgever",
            "organisatie",
            "overheidsorganisatie",
            "rijksorganisatie",
            "ministerie",
            "stageverlener",
            "stagebedrijf",
            "government partner",
            "government organisation",
            "client",
            "organisation",
            "organization",
        ],
    ),
    (
        "education_partner",
        &[
            "onderwijsinstelling",
            "instelling",
            "hogeschool",
            "universiteit",
            "school",
            "onderwijspartner",
            "education partner",
            "institution",
            "university",
        ],
    ),
    ("lab", &["lab", "fieldlab", "field lab", "living lab"]),
    ("students", &["aantal studenten", "studenten", "plaatsen", "aantal plaatsen", "students", "number of students"]),
    (
        "starts_on",
        &["startdatum", "begindatum", "datum start", "start", "begin", "ingangsdatum", "start date", "starts on"],
    ),
    ("ends_on", &["einddatum", "datum eind", "eind", "afloopdatum", "end date", "ends on"]),
    ("status", &["status", "fase", "stand", "state"]),
    (
        "status_since",
        &[
            "statusdatum",
            "status datum",
            "datum status",
            "gewijzigd op",
            "laatst gewijzigd",
            "wijzigingsdatum",
            "mutatiedatum",
            "status since",
            "status date",
        ],
    ),
    ("student_ids", &["studentnummer", "studentnummers", "studentnr", "student id", "student ids", "student number"]),
    (
        "registered_on",
        &[
            "aangemaakt op",
            "datum aanmelding",
            "aanmelddatum",
            "aangemeld op",
            "registratiedatum",
            "created on",
            "registration date",
        ],
    ),
    ("note", &["opmerking", "opmerkingen", "toelichting", "notitie", "remarks", "note", "notes"]),
    (
        "name",
        &[
            "naam",
            "instellingsnaam",
            "organisatienaam",
            "naam organisatie",
            "naam instelling",
            "name",
            "organisation name",
        ],
    ),
    ("short_name", &["afkorting", "korte naam", "acroniem", "short name", "abbreviation"]),
    ("aliases", &["aliassen", "alias", "ook bekend als", "aliases"]),
    ("sector", &["sector", "soort organisatie"]),
    ("region", &["regio", "provincie", "region", "province"]),
    ("regions", &["regio's", "regios", "regio", "provincies", "regions"]),
    ("joined_on", &["lid sinds", "partner sinds", "aangesloten op", "datum toetreding", "joined on", "member since"]),
    ("left_on", &["vertrokken op", "uitgetreden op", "einddatum samenwerking", "left on"]),
    (
        "external_code",
        &[
            "brin",
            "brin nummer",
            "brinnummer",
            "brin code",
            "brincode",
            "instellingscode",
            "organisatiecode",
            "oin",
            "external code",
        ],
    ),
    ("themes", &["thema's", "themas", "thema", "themes"]),
    ("members", &["leden", "deelnemende partners", "members"]),
    ("description", &["omschrijving", "beschrijving", "description"]),
    ("started_on", &["startdatum", "begindatum", "aanvang", "start promotie", "started on", "start date"]),
    ("ended_on", &["einddatum", "promotiedatum", "ended on", "end date"]),
    ("topic", &["onderwerp", "promotieonderwerp", "titel proefschrift", "titel", "topic"]),
    ("participants", &["deelnemers", "aantal deelnemers", "participants"]),
    (
        "government_participants",
        &["deelnemers overheid", "deelnemers rijk", "rijksdeelnemers", "government participants"],
    ),
    ("partners", &["partners", "partner", "samenwerkingspartners"]),
    ("code", &["code", "themacode"]),
    ("name_en", &["naam engels", "engelse naam", "name en", "english name"]),
    ("name_nl", &["naam nederlands", "nederlandse naam", "naam", "name nl", "dutch name"]),
    ("text", &["vraag", "onderzoeksvraag", "kennisvraag", "tekst", "question", "text"]),
    ("asked_on", &["gesteld op", "datum vraag", "datum", "asked on"]),
    ("source_activity", &["activiteit", "bron activiteit", "source activity"]),
    ("source_partner", &["vraagsteller", "vraag van", "source partner"]),
    ("assignment", &["opdracht", "assignment"]),
    ("phd", &["promovendus", "phd"]),
    ("year", &["jaar", "year"]),
    ("value", &["waarde", "value"]),
    ("status_history", &["statushistorie", "status history"]),
];

/// How well `header` matches one of `words`: 0 for not at all.
fn score(header: &str, words: &[&str]) -> usize {
    let header = fold(header);
    let tokens: Vec<&str> = header.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let mut best = 0;
    for word in words {
        let word = fold(word);
        let want: Vec<&str> = word.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
        let s = if header.trim() == word || (tokens == want && !want.is_empty()) {
            1000 + word.len()
        } else if !want.is_empty() && tokens.windows(want.len()).any(|w| w == want.as_slice()) {
            100 + word.len()
        } else {
            0
        };
        best = best.max(s);
    }
    best
}

/// The most likely native field of each header cell (`None`: none fits),
/// each field taken once, the best matches first.
pub fn match_columns(kind: Kind, header: &[String]) -> Vec<Option<&'static str>> {
    let fields = native_fields(kind);
    let mut candidates: Vec<(usize, usize, &'static str)> = Vec::new();
    for (cell, h) in header.iter().enumerate() {
        for (field, words) in SYNONYMS {
            if let Some(f) = fields.iter().copied().find(|f| f == field) {
                let s = score(h, words).max(score(h, &[f]));
                if s > 0 {
                    candidates.push((s, cell, f));
                }
            }
        }
    }
    // Best score first; on a tie the column further left.
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<Option<&'static str>> = vec![None; header.len()];
    for (_, cell, field) in candidates {
        if chosen[cell].is_none() && !chosen.contains(&Some(field)) {
            chosen[cell] = Some(field);
        }
    }
    chosen
}

/// The values a field accepts, when they are a closed list or the
/// registry's themes.
pub enum Accepted {
    Closed {
        codes: Vec<&'static str>,
        /// The code a value means, if it means one.
        read: fn(&str) -> Option<&'static str>,
    },
    Themes,
}

fn closed<V: Vocabulary>() -> Accepted {
    Accepted::Closed { codes: V::ALL.iter().map(|v| v.code()).collect(), read: |s| V::parse(s).ok().map(|v| v.code()) }
}

/// What `field` of `kind` accepts, when it is a vocabulary.
pub fn accepted(kind: Kind, field: &str) -> Option<Accepted> {
    Some(match (kind, field) {
        (_, "level") => closed::<Level>(),
        (_, "sector") => closed::<Sector>(),
        (_, "region" | "regions") => closed::<Region>(),
        (_, "theme" | "themes") => Accepted::Themes,
        (Kind::Assignment, "kind") => closed::<AssignmentKind>(),
        (Kind::Activity, "kind") => closed::<ActivityKind>(),
        (Kind::Curriculum, "kind") => closed::<CurriculumKind>(),
        (Kind::Chair, "kind") => closed::<ChairKind>(),
        (Kind::Assignment, "status") => closed::<AssignmentStatus>(),
        (Kind::Lab, "status") => closed::<LabStatus>(),
        (Kind::Community, "status") => closed::<CommunityStatus>(),
        (Kind::Curriculum, "status") => closed::<CurriculumStatus>(),
        (Kind::Chair, "status") => closed::<ChairStatus>(),
        _ => return None,
    })
}

/// Fields holding several values, `|` between them.
pub fn is_list(field: &str) -> bool {
    Kind::is_multi(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matched(kind: Kind, header: &[&str]) -> Vec<Option<&'static str>> {
        match_columns(kind, &header.iter().map(|h| h.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn dutch_and_english_headers_find_their_fields() {
        let header = [
            "Titel opdracht",
            "Opdrachtgever",
            "Startdatum",
            "Niveau",
            "Opleiding",
            "Status",
            "Statusdatum",
            "Onderwijsinstelling",
            "End date",
        ];
        assert_eq!(
            matched(Kind::Assignment, &header),
            [
                Some("title"),
                Some("government_partner"),
                Some("starts_on"),
                Some("level"),
                None,
                Some("status"),
                Some("status_since"),
                Some("education_partner"),
                Some("ends_on"),
            ]
        );
        // Only fields of the kind are proposed, each once.
        assert_eq!(
            matched(Kind::Partner, &["Titel", "BRIN NUMMER", "Naam", "Naam"]),
            [None, Some("external_code"), Some("name"), None]
        );
    }

    #[test]
    fn every_synonym_names_a_field_some_kind_has_or_will_have() {
        let later = ["registered_on", "note"];
        for (field, _) in SYNONYMS {
            let known = Kind::ALL.iter().any(|k| native_fields(*k).contains(field));
            assert!(known || later.contains(field), "{field} is no field of any kind");
        }
    }
}
