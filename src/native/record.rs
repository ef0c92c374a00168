//! Records as the outside world sees them: JSON objects with stable English
//! field names, references by name, in native column order after the `id`.
//! `list`, `show`, `edit` and exports all start from here.

use rusqlite::Connection;
use serde_json::{Map, Value, json};

use super::build::{Built, history_table};
use super::{Fields, Kind};
use crate::domain::*;
use crate::error::{Error, Result};
use crate::output::csv_text;
use crate::store::initiative::{CHAIR, CURRICULUM, InitiativeFilter, InitiativeTable, InitiativeView};
use crate::store::lookup::Written;
use crate::store::{self, history, lookup};

/// Filters of `list`, as typed; each kind uses those that apply to it.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    /// The date statuses (and partner membership) are taken on.
    pub as_of: Option<Date>,
    pub status: Option<String>,
    pub level: Option<String>,
    pub kind: Option<String>,
    pub theme: Option<String>,
    pub partner: Option<String>,
    pub lab: Option<String>,
    pub region: Option<String>,
    pub sector: Option<String>,
    pub source: Option<String>,
    /// The year something started in (PhDs, activities, questions).
    pub started_in: Option<i16>,
    pub taken_up: Option<bool>,
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn with_status<S: Vocabulary + serde::Serialize>(
    mut map: Map<String, Value>,
    status: Option<StatusChange<S>>,
) -> Map<String, Value> {
    map.insert("status".into(), json!(status.map(|s| s.status)));
    map.insert("status_since".into(), json!(status.map(|s| s.since)));
    map
}

fn parse_opt<V: Vocabulary>(flag: &str, value: &Option<String>) -> Result<Option<V>> {
    value
        .as_deref()
        .map(|s| V::parse(s).map_err(|e| Error::invalid(format!("--{flag}: {}", e.message))))
        .transpose()
        .map_err(Into::into)
}

fn resolve_opt(flag: &str, index: &lookup::NameIndex, value: &Option<String>) -> Result<Option<i64>> {
    value
        .as_deref()
        .map(|s| index.resolve(s, Written::Typed).map_err(|e| Error::invalid(format!("--{flag}: {}", e.message))))
        .transpose()
        .map_err(Into::into)
}

fn partner_record(p: &Partner) -> Map<String, Value> {
    object(json!({
        "id": p.id, "name": p.name, "short_name": p.short_name, "aliases": p.aliases, "sector": p.sector,
        "level": p.level, "region": p.region, "joined_on": p.joined_on, "left_on": p.left_on,
        "external_code": p.external_code, "source": p.source, "external_id": p.external_id,
    }))
}

fn assignment_record(v: &store::assignment::AssignmentView) -> Map<String, Value> {
    let a = &v.assignment;
    object(json!({
        "id": a.id, "source": a.source, "external_id": a.external_id, "title": a.title, "kind": a.kind,
        "level": a.level, "theme": v.theme, "government_partner": v.government_partner,
        "education_partner": v.education_partner, "lab": v.lab, "students": a.students,
        "starts_on": a.starts_on, "ends_on": a.ends_on, "registered_on": a.registered_on, "note": a.note,
    }))
}

fn lab_record(v: &store::lab::LabView) -> Map<String, Value> {
    object(json!({
        "id": v.lab.id, "name": v.lab.name, "regions": v.lab.regions, "themes": v.themes, "members": v.members,
        "description": v.lab.description,
    }))
}

fn phd_record(v: &store::phd::PhdView) -> Map<String, Value> {
    let p = &v.phd;
    object(json!({
        "id": p.id, "source": p.source, "external_id": p.external_id, "started_on": p.started_on,
        "ended_on": p.ended_on, "theme": v.theme, "government_partner": v.government_partner,
        "education_partner": v.education_partner, "topic": p.topic,
    }))
}

fn activity_record(v: &store::activity::ActivityView) -> Map<String, Value> {
    let a = &v.activity;
    object(json!({
        "id": a.id, "kind": a.kind, "name": a.name, "starts_on": a.starts_on, "ends_on": a.ends_on,
        "theme": v.theme, "participants": a.participants, "government_participants": a.government_participants,
        "partners": v.partners,
    }))
}

fn initiative_record<K: serde::Serialize, S>(v: &InitiativeView<K, S>) -> Map<String, Value> {
    object(json!({
        "id": v.item.id, "kind": v.item.kind, "name": v.item.name, "theme": v.theme, "partners": v.partners,
    }))
}

fn question_record(v: &store::question::QuestionView) -> Map<String, Value> {
    let q = &v.question;
    object(json!({
        "id": q.id, "text": q.text, "theme": v.theme, "asked_on": q.asked_on,
        "source_activity": v.source_activity, "source_partner": v.source_partner,
        "assignment": v.assignment, "lab": v.lab, "phd": v.phd,
        "taken_up": q.assignment_id.is_some() || q.lab_id.is_some() || q.phd_id.is_some(),
    }))
}

fn theme_record(t: &Theme) -> Map<String, Value> {
    object(json!({ "id": t.id, "code": t.code, "name_en": t.name_en, "name_nl": t.name_nl, "aliases": t.aliases }))
}

/// The fields of a record as `list` gives them, in order: the id, the
/// native columns (a status history becomes the status on the date and
/// since when), and what a kind adds (whether a question was taken up).
pub fn list_columns(kind: Kind) -> Vec<&'static str> {
    if kind == Kind::Metric {
        return kind.columns().to_vec();
    }
    let mut columns = vec!["id"];
    columns.extend(kind.columns().iter().filter(|c| **c != "status_history"));
    if has_status(kind) {
        columns.extend(["status", "status_since"]);
    }
    if kind == Kind::Question {
        columns.push("taken_up");
    }
    columns
}

/// Whether a field holds a date (`joined_on`, `status_since`), which a
/// spreadsheet gets as a date.
pub fn is_date_field(field: &str) -> bool {
    field.ends_with("_on") || field == "status_since" || field == "since"
}

/// Hands the records of `kind` that pass `f` to `each`, one at a time,
/// with their status on `f.as_of` (or `today`), ordered deterministically.
/// Assignments, the kind that runs into millions, are streamed from the
/// registry; the other kinds are few.
pub fn visit(
    conn: &Connection,
    kind: Kind,
    f: &ListFilter,
    today: Date,
    each: &mut dyn FnMut(Map<String, Value>) -> Result<()>,
) -> Result<()> {
    let themes = lookup::theme_index(conn)?;
    let partners = lookup::PartnerIndex::load(conn)?;
    let theme_id = resolve_opt("theme", &themes, &f.theme)?;
    let partner_id = resolve_opt("partner", &partners.names, &f.partner)?;
    let records: Vec<Map<String, Value>> = match kind {
        Kind::Theme => store::theme::list(conn)?.iter().map(theme_record).collect(),
        Kind::Partner => {
            let filter = store::partner::PartnerFilter {
                sector: parse_opt("sector", &f.sector)?,
                level: parse_opt("level", &f.level)?,
                region: parse_opt("region", &f.region)?,
                as_of: f.as_of,
            };
            store::partner::list(conn, &filter)?.iter().map(partner_record).collect()
        }
        Kind::Assignment => {
            let filter = store::assignment::AssignmentFilter {
                as_of: f.as_of,
                status: parse_opt("status", &f.status)?,
                level: parse_opt("level", &f.level)?,
                kind: parse_opt("kind", &f.kind)?,
                theme_id,
                partner_id,
                lab_id: resolve_opt("lab", &lookup::lab_index(conn)?, &f.lab)?,
                source: f.source.clone(),
            };
            return store::assignment::visit(conn, &filter, today, |v| {
                each(with_status(assignment_record(&v), v.status))
            });
        }
        Kind::Lab => {
            let filter = store::lab::LabFilter {
                as_of: f.as_of,
                status: parse_opt("status", &f.status)?,
                region: parse_opt("region", &f.region)?,
                theme_id,
                partner_id,
            };
            store::lab::list(conn, &filter, today)?.iter().map(|v| with_status(lab_record(v), v.status)).collect()
        }
        Kind::Community => store::community::list(conn, f.as_of, parse_opt("status", &f.status)?, today)?
            .iter()
            .map(|v| {
                let c = &v.community;
                with_status(object(json!({ "id": c.id, "name": c.name, "description": c.description })), v.status)
            })
            .collect(),
        Kind::Phd => {
            let filter = store::phd::PhdFilter { as_of: f.as_of, started_in: f.started_in, theme_id, partner_id };
            store::phd::list(conn, &filter)?.iter().map(phd_record).collect()
        }
        Kind::Activity => {
            let filter = store::activity::ActivityFilter {
                kind: parse_opt("kind", &f.kind)?,
                year: f.started_in,
                theme_id,
                partner_id,
            };
            store::activity::list(conn, &filter)?.iter().map(activity_record).collect()
        }
        Kind::Curriculum => initiative_list(&CURRICULUM, conn, f, theme_id, partner_id, today)?,
        Kind::Chair => initiative_list(&CHAIR, conn, f, theme_id, partner_id, today)?,
        Kind::Question => {
            let filter = store::question::QuestionFilter { theme_id, taken_up: f.taken_up, year: f.started_in };
            store::question::list(conn, &filter)?.iter().map(question_record).collect()
        }
        Kind::Metric => store::metric::list(conn, None, None)?
            .iter()
            .map(|m| object(json!({ "name": m.name, "year": m.year, "value": m.value })))
            .collect(),
    };
    records.into_iter().try_for_each(each)
}

fn initiative_list<K, S>(
    table: &InitiativeTable<K, S>,
    conn: &Connection,
    f: &ListFilter,
    theme_id: Option<i64>,
    partner_id: Option<i64>,
    today: Date,
) -> Result<Vec<Map<String, Value>>>
where
    K: Vocabulary + serde::Serialize,
    S: Vocabulary + serde::Serialize,
{
    let filter = InitiativeFilter {
        as_of: f.as_of,
        status: parse_opt("status", &f.status)?,
        kind: parse_opt("kind", &f.kind)?,
        theme_id,
        partner_id,
    };
    Ok(table.list(conn, &filter, today)?.iter().map(|v| with_status(initiative_record(v), v.status)).collect())
}

/// One record in full, with its status on `on` and its status history.
pub fn show(conn: &Connection, kind: Kind, id: i64, on: Date) -> Result<Map<String, Value>> {
    fn with_history<S: Vocabulary + serde::Serialize>(
        map: Map<String, Value>,
        status: Option<StatusChange<S>>,
        history: Vec<StatusChange<S>>,
    ) -> Map<String, Value> {
        let mut map = with_status(map, status);
        map.insert("status_history".into(), json!(history));
        map
    }
    Ok(match kind {
        Kind::Theme => theme_record(&store::theme::get(conn, id)?),
        Kind::Partner => partner_record(&store::partner::get(conn, id)?),
        Kind::Assignment => {
            let v = store::assignment::get_view(conn, id, on)?;
            with_history(assignment_record(&v), v.status, history::load(conn, history::ASSIGNMENT, id)?)
        }
        Kind::Lab => {
            let v = store::lab::get_view(conn, id, on)?;
            with_history(lab_record(&v), v.status, history::load(conn, history::LAB, id)?)
        }
        Kind::Community => {
            let v = store::community::get_view(conn, id, on)?;
            let c = &v.community;
            let map = object(json!({ "id": c.id, "name": c.name, "description": c.description }));
            with_history(map, v.status, history::load(conn, history::COMMUNITY, id)?)
        }
        Kind::Phd => phd_record(&store::phd::get_view(conn, id)?),
        Kind::Activity => activity_record(&store::activity::get_view(conn, id)?),
        Kind::Curriculum => {
            let v = CURRICULUM.get_view(conn, id, on)?;
            with_history(initiative_record(&v), v.status, history::load(conn, history::CURRICULUM, id)?)
        }
        Kind::Chair => {
            let v = CHAIR.get_view(conn, id, on)?;
            with_history(initiative_record(&v), v.status, history::load(conn, history::CHAIR, id)?)
        }
        Kind::Question => question_record(&store::question::get_view(conn, id)?),
        Kind::Metric => anyhow::bail!("figures have no ids; use `ipart metric list`"),
    })
}

/// The native fields of a stored record: what `edit` starts from and what a
/// native export writes.
pub fn fields(conn: &Connection, kind: Kind, id: i64) -> Result<Fields> {
    let record = show(conn, kind, id, Date::MAX)?;
    let mut fields = Fields::new();
    for column in kind.columns() {
        if let Some(value) = record.get(*column) {
            fields.set(column, csv_text(value));
        }
    }
    Ok(fields)
}

/// The stored record as a [`Built`], for edit and remove.
pub fn stored(conn: &Connection, kind: Kind, id: i64) -> Result<Built> {
    Ok(match kind {
        Kind::Theme => Built::Theme(store::theme::get(conn, id)?),
        Kind::Partner => Built::Partner(store::partner::get(conn, id)?),
        Kind::Assignment => Built::Assignment(store::assignment::get(conn, id)?, Vec::new()),
        Kind::Lab => Built::Lab(store::lab::get(conn, id)?, Vec::new()),
        Kind::Community => Built::Community(store::community::get(conn, id)?, Vec::new()),
        Kind::Phd => Built::Phd(store::phd::get_view(conn, id)?.phd),
        Kind::Activity => Built::Activity(store::activity::get_view(conn, id)?.activity),
        Kind::Curriculum => Built::Curriculum(CURRICULUM.get(conn, id)?, Vec::new()),
        Kind::Chair => Built::Chair(CHAIR.get(conn, id)?, Vec::new()),
        Kind::Question => Built::Question(store::question::get_view(conn, id)?.question),
        Kind::Metric => anyhow::bail!("figures have no ids; use `ipart metric`"),
    })
}

/// The id of the record `input` names, as typed on the command line: a bare
/// number is an id; `name:TEXT` is TEXT read as a name only; anything else
/// a name, short name, alias, theme code or `SOURCE:EXTERNAL_ID`, as the
/// kind allows (see [`Written`]).
pub fn resolve(conn: &Connection, kind: Kind, input: &str) -> Result<i64> {
    let index = match kind {
        Kind::Theme => lookup::theme_index(conn)?,
        Kind::Partner => lookup::PartnerIndex::load(conn)?.names,
        Kind::Lab => lookup::lab_index(conn)?,
        Kind::Community => lookup::community_index(conn)?,
        Kind::Activity => lookup::activity_index(conn)?,
        Kind::Curriculum => lookup::curriculum_index(conn)?,
        Kind::Chair => lookup::chair_index(conn)?,
        Kind::Assignment => lookup::keyed_index(conn, "assignment")?,
        Kind::Phd => lookup::keyed_index(conn, "phd")?,
        Kind::Question => lookup::NameIndex::load(
            conn,
            "a question",
            "question list",
            "SELECT id, CAST(id AS TEXT), NULL FROM question",
        )?
        .keyed(),
        Kind::Metric => anyhow::bail!("figures have no ids; use `ipart metric`"),
    };
    index.resolve(input, Written::Typed).map_err(|e| Error::not_found(e.message).into())
}

/// Whether a kind's history table is what `status` changes.
pub fn has_status(kind: Kind) -> bool {
    history_table(kind).is_some()
}
