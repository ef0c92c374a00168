//! Applying rows to the registry. Each row is matched to a stored record by
//! its key (see docs/import.md for the key of each kind), then added, updated,
//! or left as it is. A row's status history is merged into the recorded
//! one (`domain::history::merge`): what the file tells of before, between
//! or after the recorded changes is added when it agrees with them, and a
//! row that contradicts them is refused, naming both sides.

use super::mapping::{STUDENT_ID_SEPARATORS, STUDENT_IDS, is_partner_field};
use crate::domain::history::{self, OutOfOrder, first_out_of_order};
use crate::domain::*;
use crate::error::{ExitCode, Result, classify};
use crate::native::build::{Built, build, history_table};
use crate::native::record;
use crate::native::{Catalog, Fields, Kind};
use crate::store::batch::{self, find_by_columns, find_by_external_id};
use crate::store::history::HistoryTable;
use crate::store::lookup::{self, NameIndex, Written};
use crate::store::student::{self, Pseudonym, Pseudonymiser};
use crate::store::{self, Writer};

/// A problem with a row, named by the field it concerns (if one).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub field: Option<&'static str>,
    pub message: String,
}

impl Problem {
    fn row(message: impl Into<String>) -> Problem {
        Problem { field: None, message: message.into() }
    }
    fn field(field: &'static str, message: impl Into<String>) -> Problem {
        Problem { field: Some(field), message: message.into() }
    }
}

/// What a row did.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// Added a record (named on a dry run).
    Added(String),
    /// Changed a record (named): what changed (filled in on a dry run).
    Updated(String, String),
    Unchanged,
}

/// A row built ahead of `Applier::apply` (see there).
pub type Prebuilt = std::result::Result<Built, Problems>;

/// How the rows of one file are applied.
pub struct Settings {
    pub kind: Kind,
    pub batch: i64,
    /// Fields the file gives; the others keep their stored values on a match.
    pub provided: Vec<&'static str>,
    /// Fields used to add a record but never to change one.
    pub create_only: Vec<&'static str>,
    /// Partner fields whose unknown names are added, with their sector.
    pub create_partners: Vec<(&'static str, Sector)>,
    /// Each row in its own savepoint, so a refused row leaves no trace
    /// (`--skip-invalid`; otherwise any refusal rolls everything back).
    pub row_savepoints: bool,
    /// Say what an update changes (a dry run's plan).
    pub describe: bool,
    /// Add assignments one by one with an audit entry each, as commands do.
    pub audit_each: bool,
    /// What separates student identifiers in their cell; `None`: any of
    /// `;`, `,` and `|`.
    pub student_id_separator: Option<String>,
    /// Accept status histories out of lifecycle order.
    pub any_order: bool,
}

/// The longest student identifier accepted, in characters.
pub const MAX_STUDENT_ID_CHARS: usize = 100;

/// The most student identifiers one assignment's cell may hold: more is a
/// wrong column or separator rather than an assignment.
pub const MAX_STUDENT_IDS: usize = 1000;

/// Ids of records a file touched, to catch a record given twice.
#[derive(Default)]
struct IdSet(Vec<u64>);

impl IdSet {
    fn insert(&mut self, id: i64) {
        let (word, bit) = ((id as u64 / 64) as usize, id as u64 % 64);
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }
    fn contains(&self, id: i64) -> bool {
        let (word, bit) = ((id as u64 / 64) as usize, id as u64 % 64);
        self.0.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }
}

/// The external ids of one source in a file, so that most rows of a file
/// exported in id order need no look-up (see [`Applier::is_fresh_key`]).
struct SourceKeys {
    /// Whether the registry held records of the source when the import began.
    stored: bool,
    /// The largest external id of the source read so far.
    largest: String,
}

/// Sources whose external ids are followed; past these, rows are looked up.
const FOLLOWED_SOURCES: usize = 64;

/// Matches and writes the rows of one file.
pub struct Applier<'a, 'w> {
    w: &'a Writer<'w>,
    s: Settings,
    cat: Catalog,
    /// Names of the kinds the catalog does not index (communities, ...).
    names: NameIndex,
    /// The file gives every field of the record: no need to start from the
    /// stored one on a match.
    complete: bool,
    seen: IdSet,
    /// Assignments added but not written yet (they go many at a time).
    pending: batch::PendingAssignments,
    pub created_partners: Vec<String>,
    /// Whether the file has a column of student identifiers.
    wants_students: bool,
    /// Set at the first row that gives student identifiers (so that a file
    /// whose column is empty needs no key).
    pseudonymiser: Option<Pseudonymiser>,
    /// Pseudonyms of rows applied, to be linked once their assignments are
    /// written (queued assignments are not yet).
    students: Vec<(i64, Pseudonym)>,
    /// Pseudonyms linked to assignments that had not got them yet.
    pub students_linked: usize,
    /// The record the last row added or matched.
    last_id: i64,
    keys: std::collections::HashMap<String, SourceKeys>,
}

/// Pseudonyms held back before they are written.
const STUDENT_CHUNK: usize = 4096;

impl<'a, 'w> Applier<'a, 'w> {
    pub fn new(w: &'a Writer<'w>, s: Settings, today: Date) -> Result<Self> {
        let cat = Catalog::load(w, s.kind, today)?;
        let names = match s.kind {
            Kind::Community => lookup::community_index(w)?,
            Kind::Curriculum => lookup::curriculum_index(w)?,
            Kind::Chair => lookup::chair_index(w)?,
            _ => NameIndex::default(),
        };
        let gives = |c: &str| s.provided.contains(&c) || (c == "status_history" && s.provided.contains(&"status"));
        let complete = s.create_only.is_empty() && s.kind.columns().iter().all(|c| gives(c));
        let pending = batch::PendingAssignments::new(w, s.batch)?;
        let wants_students = s.kind == Kind::Assignment && s.provided.contains(&STUDENT_IDS);
        Ok(Applier {
            w,
            s,
            cat,
            names,
            complete,
            seen: IdSet::default(),
            pending,
            created_partners: Vec::new(),
            wants_students,
            pseudonymiser: None,
            students: Vec::new(),
            students_linked: 0,
            last_id: 0,
            keys: Default::default(),
        })
    }

    /// Writes what is still queued; call once the rows are done.
    pub fn finish(&mut self) -> Result<()> {
        self.pending.finish(self.w)?;
        self.link_students()
    }

    /// Writes the queued assignments, then the pseudonyms of the rows so far.
    fn flush(&mut self) -> Result<()> {
        self.pending.flush(self.w)?;
        self.link_students()
    }

    fn link_students(&mut self) -> Result<()> {
        if !self.students.is_empty() {
            self.students_linked += student::link(self.w, self.s.batch, &self.students)?;
            self.students.clear();
        }
        Ok(())
    }

    /// Applies one row. `Ok(Err(..))` is a refused row; `Err` is a failure
    /// that ends the import.
    ///
    /// `prebuilt` is the row already built from these fields against a
    /// catalog that this import does not change (see `import::run`): done
    /// on the reading thread, it is what `build` would give here.
    pub fn apply(&mut self, fields: &Fields, prebuilt: Option<Prebuilt>) -> Result<Result<Applied, Vec<Problem>>> {
        // Queued assignments are written between rows, never inside a row's
        // savepoint (rolling that back must not take earlier rows with it),
        // and before a row that can only be matched by a query.
        if self.pending.is_full()
            || (!self.pending.is_empty() && fields.get("external_id").is_none())
            || self.students.len() >= STUDENT_CHUNK
        {
            self.flush()?;
        }
        // The key is fetched (or made) outside a row's savepoint: a refused
        // row must not take a new key's check value with it.
        if self.wants_students && self.pseudonymiser.is_none() && fields.get(STUDENT_IDS).is_some() {
            self.pseudonymiser = Some(Pseudonymiser::of(self.w)?);
        }
        if !self.s.row_savepoints {
            return self.apply_row(fields, prebuilt);
        }
        self.w.execute_batch("SAVEPOINT import_row")?;
        let created = self.created_partners.len();
        let outcome = self.apply_row(fields, prebuilt);
        match &outcome {
            Ok(Ok(_)) => self.w.execute_batch("RELEASE import_row")?,
            _ => {
                self.w.execute_batch("ROLLBACK TO import_row; RELEASE import_row")?;
                if self.created_partners.len() > created {
                    // The partners this row added are gone again.
                    self.created_partners.truncate(created);
                    self.cat.partners = lookup::PartnerIndex::load(self.w)?;
                }
            }
        }
        outcome
    }

    fn apply_row(&mut self, fields: &Fields, prebuilt: Option<Prebuilt>) -> Result<Result<Applied, Vec<Problem>>> {
        let student_ids = match self.wants_students.then(|| self.student_ids(fields)).transpose() {
            Ok(ids) => ids.unwrap_or_default(),
            Err(problem) => return Ok(Err(vec![problem])),
        };
        if let Err(problems) = self.create_missing_partners(fields)? {
            return Ok(Err(problems));
        }
        if self.s.kind == Kind::Assignment && fields.get("external_id").is_none() {
            // Matched by government partner: that index must be there.
            self.pending.keep_matching_index(self.w)?;
        }
        let fresh = self.is_fresh_key(fields)?;
        let found = match self.find(fields, fresh)? {
            Ok(found) => found,
            Err(problem) => return Ok(Err(vec![problem])),
        };
        let outcome = match found {
            None => self.add(fields, prebuilt)?,
            Some(id) if self.seen.contains(id) => Err(vec![Problem::row(format!(
                "{} {} appears more than once in the file",
                self.s.kind.name(),
                label(self.s.kind, fields)
            ))]),
            Some(id) => self.update(id, fields, prebuilt)?,
        };
        if outcome.is_ok()
            && let Some(p) = &self.pseudonymiser
        {
            let id = self.last_id;
            self.students.extend(student_ids.iter().map(|s| (id, p.pseudonym(s))));
        }
        Ok(outcome)
    }

    /// The student identifiers of a row, each checked; a problem never
    /// quotes one (they are personal data: see store::student).
    fn student_ids<'f>(&self, fields: &'f Fields) -> Result<Vec<&'f str>, Problem> {
        let Some(cell) = fields.get(STUDENT_IDS) else { return Ok(Vec::new()) };
        let ids: Vec<&str> = match &self.s.student_id_separator {
            Some(sep) => cell.split(sep.as_str()).collect(),
            None => cell.split(STUDENT_ID_SEPARATORS).collect(),
        };
        let ids: Vec<&str> = ids.into_iter().map(str::trim).filter(|s| !s.is_empty()).collect();
        if ids.len() > MAX_STUDENT_IDS {
            return Err(Problem::field(
                STUDENT_IDS,
                format!(
                    "holds {} student identifiers; at most {MAX_STUDENT_IDS} are accepted for one assignment (check the separator)",
                    ids.len()
                ),
            ));
        }
        for (n, id) in ids.iter().enumerate() {
            let length = id.chars().count();
            if length > MAX_STUDENT_ID_CHARS {
                return Err(Problem::field(
                    STUDENT_IDS,
                    format!(
                        "student identifier {} is {length} characters long; at most {MAX_STUDENT_ID_CHARS} are accepted (check the separator)",
                        n + 1
                    ),
                ));
            }
            // Named by the character, never quoted: identifiers are personal data.
            if let Some(c) = id.chars().find(|c| limits::refused_name(*c).is_some()) {
                return Err(Problem::field(
                    STUDENT_IDS,
                    format!(
                        "student identifier {} contains {}; an identifier is one line of visible text",
                        n + 1,
                        limits::describe(c)
                    ),
                ));
            }
        }
        Ok(ids)
    }

    fn add(&mut self, fields: &Fields, prebuilt: Option<Prebuilt>) -> Result<Result<Applied, Vec<Problem>>> {
        let built = match prebuilt.unwrap_or_else(|| build(self.s.kind, fields, &self.cat)) {
            Ok(b) => b,
            Err(problems) => return Ok(Err(from_field_errors(problems))),
        };
        if !self.s.any_order
            && let Some(problem) = built_out_of_order(&built, fields)
        {
            return Ok(Err(vec![problem]));
        }
        let inserted = match built {
            Built::Assignment(a, h) if !self.s.audit_each => self.pending.push(a, h),
            Built::Metric(m) => store::metric::set(self.w, &m)
                .and_then(|_| batch::find_metric(self.w, &m.name, m.year).map(Option::unwrap_or_default)),
            other => other.insert(self.w, &mut self.cat),
        };
        let id = match written(inserted)? {
            Ok(id) => id,
            Err(problem) => return Ok(Err(vec![problem])),
        };
        if let Some(name) = fields.get("name") {
            self.names.add(id, name);
        }
        self.seen.insert(id);
        self.last_id = id;
        let name = if self.s.describe { label(self.s.kind, fields) } else { String::new() };
        Ok(Ok(Applied::Added(name)))
    }

    fn update(
        &mut self,
        id: i64,
        fields: &Fields,
        prebuilt: Option<Prebuilt>,
    ) -> Result<Result<Applied, Vec<Problem>>> {
        let kind = self.s.kind;
        let overlaid;
        let (fields, prebuilt) = if self.complete {
            (fields, prebuilt)
        } else {
            // Built from the stored record with the file's fields on top.
            overlaid = self.overlay(id, fields)?;
            (&overlaid, None)
        };
        let built = match prebuilt.unwrap_or_else(|| build(kind, fields, &self.cat)) {
            Ok(b) => b.with_id(id),
            Err(problems) => return Ok(Err(from_field_errors(problems))),
        };
        let stored = match &built {
            Built::Metric(m) => match store::metric::get(self.w, &m.name, m.year)? {
                Some(old) => Built::Metric(old),
                None => anyhow::bail!("figure {} {} vanished during the import", m.name, m.year),
            },
            _ => record::stored(self.w, kind, id)?,
        };
        let before =
            if self.s.describe && kind != Kind::Metric { Some(record::fields(self.w, kind, id)?) } else { None };
        let changed = !built.same_record(&stored);
        let appended = match self.merge_history(id, &built, fields)? {
            Ok(n) => n,
            Err(problem) => return Ok(Err(vec![problem])),
        };
        if changed && let Err(problem) = written(built.update(self.w, &self.cat, &stored))? {
            return Ok(Err(vec![problem]));
        }
        self.seen.insert(id);
        self.last_id = id;
        if !changed && appended.is_empty() {
            return Ok(Ok(Applied::Unchanged));
        }
        let mut what = Vec::new();
        if let Some(before) = before {
            let after = record::fields(self.w, kind, id)?;
            what.extend(
                kind.columns()
                    .iter()
                    .filter(|c| **c != "status_history" && before.get(c) != after.get(c))
                    .map(|c| format!("{c}: {} -> {}", before.get(c).unwrap_or("-"), after.get(c).unwrap_or("-"))),
            );
        }
        what.extend(appended);
        Ok(Ok(Applied::Updated(label(kind, fields), what.join("; "))))
    }

    /// The stored record's fields with the file's on top: what the file
    /// does not give keeps its value. A status given by the file replaces
    /// the stored history in what is built; the history itself is only
    /// ever appended to (see `append_history`).
    fn overlay(&self, id: i64, fields: &Fields) -> Result<Fields> {
        let mut base = match self.s.kind {
            Kind::Metric => fields.clone(),
            kind => record::fields(self.w, kind, id)?,
        };
        if ["status", "status_since", "status_history"].iter().any(|f| self.s.provided.contains(f)) {
            base.remove("status_history");
        }
        for (field, value) in fields.iter() {
            if !self.s.create_only.contains(&field) {
                base.set(field, value);
            }
        }
        Ok(base)
    }

    /// Merges the file's status history into the stored one; returns a
    /// description of each change added or moved.
    fn merge_history(&self, id: i64, built: &Built, fields: &Fields) -> Result<Result<Vec<String>, Problem>> {
        let Some(table) = history_table(self.s.kind) else { return Ok(Ok(Vec::new())) };
        match built {
            Built::Assignment(_, h) => self.merge::<AssignmentStatus>(table, id, h, fields),
            Built::Lab(_, h) => self.merge::<LabStatus>(table, id, h, fields),
            Built::Community(_, h) => self.merge::<CommunityStatus>(table, id, h, fields),
            Built::Curriculum(_, h) => self.merge::<CurriculumStatus>(table, id, h, fields),
            Built::Chair(_, h) => self.merge::<ChairStatus>(table, id, h, fields),
            _ => Ok(Ok(Vec::new())),
        }
    }

    fn merge<S: Lifecycle + serde::Serialize>(
        &self,
        table: HistoryTable,
        id: i64,
        file: &[StatusChange<S>],
        fields: &Fields,
    ) -> Result<Result<Vec<String>, Problem>> {
        let recorded = batch::history_entries::<S>(self.w, table, id)?;
        let merged = match history::merge(&recorded, file) {
            Ok(merged) => merged,
            Err(contradiction) => {
                let field = origin(fields, contradiction.file_change());
                let message = format!(
                    "{}; a status history takes what a file adds to it, never a contradiction (if the file is right, correct the registry with `ipart {} status` first)",
                    contradiction.describe(),
                    self.s.kind.name()
                );
                return Ok(Err(Problem::field(field, message)));
            }
        };
        if !self.s.any_order {
            let changes: Vec<StatusChange<S>> = merged.iter().map(|e| e.change).collect();
            if let Some(wrong) = first_out_of_order(&changes, |i| merged[i].revision.is_none()) {
                let first_is_new = merged.iter().any(|e| e.change == wrong.first && e.revision.is_none());
                let new = if first_is_new { wrong.first } else { wrong.second };
                return Ok(Err(out_of_order_problem(&wrong, new, fields)));
            }
        }
        let mut said = Vec::new();
        for entry in merged.iter().filter(|e| e.revision.is_none()) {
            store::history::set(self.w, table, id, entry.change)?;
            said.push(format!("status {} from {}", entry.change.status.code(), entry.change.since));
        }
        for gone in recorded.iter().filter(|r| !merged.iter().any(|m| m.change.since == r.change.since)) {
            batch::remove_status_change(self.w, table, id, gone.change.since)?;
            said.push(format!("no status change on {} (it began earlier)", gone.change.since));
        }
        Ok(Ok(said))
    }

    /// Adds the partners a row names that the registry does not know, when
    /// `--create-missing-partners` asks for it.
    fn create_missing_partners(&mut self, fields: &Fields) -> Result<Result<(), Vec<Problem>>> {
        for (field, sector) in self.s.create_partners.clone() {
            for name in fields.list(field) {
                match self.cat.partners.names.find(name, Written::InFile) {
                    Ok(None) => {}
                    _ => continue,
                }
                let mut partner = Fields::new();
                partner.set("name", name);
                partner.set("sector", sector.code());
                if sector == Sector::Education
                    && let Some(level) = fields.get("level")
                {
                    partner.set("level", level);
                }
                let built = match build(Kind::Partner, &partner, &self.cat) {
                    Ok(b) => b,
                    Err(problems) => {
                        let why: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect();
                        return Ok(Err(vec![Problem::field(
                            field,
                            format!("no partner called {name:?}, and it cannot be added: {}", why.join("; ")),
                        )]));
                    }
                };
                if let Err(problem) = written(built.insert(self.w, &mut self.cat))? {
                    return Ok(Err(vec![problem]));
                }
                self.created_partners.push(name.to_string());
            }
        }
        Ok(Ok(()))
    }

    /// Whether the row's (source, external id) cannot belong to a stored
    /// record, so that it needs no look-up: its source had no records when
    /// the import began, and the id sorts after every id of that source the
    /// file gave before (the records this import wrote have those). An id
    /// out of order, or of a source the registry knows, is looked up.
    fn is_fresh_key(&mut self, f: &Fields) -> Result<bool> {
        let (Some(source), Some(id)) = (f.get("source"), f.get("external_id")) else { return Ok(false) };
        if !matches!(self.s.kind, Kind::Assignment | Kind::Phd) {
            return Ok(false);
        }
        if !self.keys.contains_key(source) {
            if self.keys.len() >= FOLLOWED_SOURCES {
                return Ok(false);
            }
            let stored = batch::has_external_ids(self.w, self.s.kind.name(), source)?;
            self.keys.insert(source.to_string(), SourceKeys { stored, largest: String::new() });
        }
        let Some(keys) = self.keys.get_mut(source) else { return Ok(false) };
        if keys.stored || id <= keys.largest.as_str() {
            return Ok(false);
        }
        keys.largest.clear();
        keys.largest.push_str(id);
        Ok(true)
    }

    /// The stored record a row is about, by the key of its kind; `fresh`:
    /// its external id is known to be new (see [`Applier::is_fresh_key`]).
    fn find(&self, f: &Fields, fresh: bool) -> Result<Result<Option<i64>, Problem>> {
        let w = self.w;
        let one = |ids: Vec<i64>, what: &str| -> Result<Option<i64>, Problem> {
            match ids.as_slice() {
                [] => Ok(None),
                [id] => Ok(Some(*id)),
                many => Err(Problem::row(format!(
                    "matches {} {what}s (ids {}); give it an external id to tell them apart",
                    many.len(),
                    many.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                ))),
            }
        };
        let partner = |field: &str| {
            f.get(field).and_then(|name| self.cat.partners.names.find(name, Written::InFile).ok().flatten())
        };
        let date = |field: &str| f.get(field).and_then(|d| parse_date(d).ok()).map(|d| d.to_string());
        let by_name = |index: &NameIndex| match f.get("name") {
            None => Ok(None),
            Some(name) => index.find(name, Written::InFile).map_err(|e| Problem::field("name", e.message)),
        };
        Ok(match self.s.kind {
            Kind::Assignment | Kind::Phd => match (f.get("source"), f.get("external_id")) {
                // A fresh key is new to the registry and to the file so far.
                (Some(_), Some(_)) if fresh => Ok(None),
                (Some(source), Some(id)) => match self.pending.find(source, id) {
                    Some(queued) => Ok(Some(queued)),
                    None => Ok(find_by_external_id(w, self.s.kind.name(), source, id)?),
                },
                // Refused by the builder: an external id needs its source.
                (None, Some(_)) => Ok(None),
                (source, None) if self.s.kind == Kind::Assignment => {
                    let (Some(title), Some(government)) = (f.get("title"), partner("government_partner")) else {
                        return Ok(Ok(None));
                    };
                    let columns = ["source", "external_id", "title", "government_partner_id", "starts_on"];
                    let values: [&dyn rusqlite::ToSql; 5] =
                        [&source, &None::<String>, &title, &government, &date("starts_on")];
                    one(find_by_columns(w, "assignment", &columns, &values)?, "assignment")
                }
                (source, None) => {
                    let theme = f.get("theme").and_then(|t| self.cat.themes.find(t, Written::InFile).ok().flatten());
                    let columns = [
                        "source",
                        "external_id",
                        "government_partner_id",
                        "education_partner_id",
                        "started_on",
                        "theme_id",
                    ];
                    let values: [&dyn rusqlite::ToSql; 6] = [
                        &source,
                        &None::<String>,
                        &partner("government_partner"),
                        &partner("education_partner"),
                        &date("started_on"),
                        &theme,
                    ];
                    one(find_by_columns(w, "phd", &columns, &values)?, "PhD candidate")
                }
            },
            Kind::Partner => self.find_partner(f)?,
            Kind::Theme => match f.get("code") {
                Some(code) => one(find_by_columns(w, "theme", &["code"], &[&code])?, "theme"),
                None => Ok(None),
            },
            Kind::Lab => by_name(&self.cat.labs),
            Kind::Activity => by_name(&self.cat.activities),
            Kind::Community | Kind::Curriculum | Kind::Chair => by_name(&self.names),
            Kind::Question => match (f.get("text"), date("asked_on")) {
                (Some(text), Some(asked_on)) => {
                    one(find_by_columns(w, "question", &["text", "asked_on"], &[&text, &asked_on])?, "question")
                }
                _ => Ok(None),
            },
            Kind::Metric => match (f.get("name"), f.get("year").and_then(|y| y.parse::<i64>().ok())) {
                (Some(name), Some(year)) => Ok(batch::find_metric(w, name, year)?),
                _ => Ok(None),
            },
        })
    }

    /// A partner matches on its external code, then on (source, external
    /// id), then on any of its names; all that match must be one partner.
    fn find_partner(&self, f: &Fields) -> Result<Result<Option<i64>, Problem>> {
        let mut found: Vec<(i64, String)> = Vec::new();
        if let Some(code) = f.get("external_code") {
            for id in find_by_columns(self.w, "partner", &["external_code"], &[&code])? {
                found.push((id, format!("external code {code:?}")));
            }
        }
        if let (Some(source), Some(ext)) = (f.get("source"), f.get("external_id"))
            && let Some(id) = find_by_external_id(self.w, "partner", source, ext)?
        {
            found.push((id, format!("external id {source}:{ext}")));
        }
        let spellings = f.get("name").into_iter().chain(f.get("short_name")).chain(f.list("aliases"));
        for spelling in spellings {
            match self.cat.partners.names.find(spelling, Written::InFile) {
                Ok(Some(id)) => found.push((id, format!("the name {spelling:?}"))),
                Ok(None) => {}
                Err(e) => return Ok(Err(Problem::field("name", e.message))),
            }
        }
        let first = found.first().map(|(id, _)| *id);
        if let Some((other, why)) = found.iter().find(|(id, _)| Some(*id) != first) {
            let (id, first_why) = &found[0];
            let name = |id: i64| self.cat.partners.names.name(id).unwrap_or("?").to_string();
            return Ok(Err(Problem::row(format!(
                "the row names two partners: {:?} (by {first_why}) and {:?} (by {why})",
                name(*id),
                name(*other)
            ))));
        }
        Ok(Ok(first))
    }
}

/// The field of a row that gave `change` of its status history: the
/// milestone column of its status, the status date, or the native history.
/// The problem of a new record whose history is out of lifecycle order.
fn built_out_of_order(built: &Built, fields: &Fields) -> Option<Problem> {
    fn check<S: Lifecycle>(history: &[StatusChange<S>], fields: &Fields) -> Option<Problem> {
        let wrong = first_out_of_order(history, |_| true)?;
        Some(out_of_order_problem(&wrong, wrong.first, fields))
    }
    match built {
        Built::Assignment(_, h) => check(h, fields),
        Built::Lab(_, h) => check(h, fields),
        Built::Community(_, h) => check(h, fields),
        Built::Curriculum(_, h) => check(h, fields),
        Built::Chair(_, h) => check(h, fields),
        _ => None,
    }
}

/// A history out of lifecycle order, named by the column of `new`, the
/// change the file gives.
fn out_of_order_problem<S: Lifecycle>(wrong: &OutOfOrder<S>, new: StatusChange<S>, fields: &Fields) -> Problem {
    Problem::field(origin(fields, new), store::history::refusal(wrong, "--any-order"))
}

fn origin<S: Vocabulary>(fields: &Fields, change: StatusChange<S>) -> &'static str {
    if fields.get("status_history").is_some() {
        return "status_history";
    }
    let day = change.since.to_string();
    let dated = |field: &str| fields.get(field).and_then(|d| parse_date(d).ok()).map(|d| d.to_string());
    if dated(change.status.code()).as_deref() == Some(day.as_str()) {
        return change.status.code();
    }
    if fields.get("status_since").is_some() { "status_since" } else { "status" }
}

/// A write that may be refused for this row (a name already taken, a
/// constraint) rather than fail the whole import.
fn written<T>(result: Result<T>) -> Result<Result<T, Problem>> {
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(e) => match classify(&e) {
            (ExitCode::Invalid, message) => Ok(Err(Problem::row(message))),
            _ => Err(e),
        },
    }
}

fn from_field_errors(problems: Problems) -> Vec<Problem> {
    problems.into_iter().map(|p| Problem::field(p.field, p.message)).collect()
}

/// How a record is named in messages and a dry run's plan.
pub fn label(kind: Kind, f: &Fields) -> String {
    let text = |field: &str| f.get(field).unwrap_or("?").to_string();
    match kind {
        Kind::Assignment | Kind::Phd => match (f.get("source"), f.get("external_id")) {
            (Some(s), Some(id)) => format!("{s}:{id}"),
            _ if kind == Kind::Assignment => format!("{:?}", text("title")),
            _ => format!("started {}", text("started_on")),
        },
        Kind::Theme => text("code"),
        Kind::Metric => format!("{} {}", text("name"), text("year")),
        Kind::Question => {
            let t = text("text");
            let short: String = t.chars().take(50).collect();
            format!("{short:?}{}", if short.len() < t.len() { "..." } else { "" })
        }
        _ => format!("{:?}", text("name")),
    }
}

/// Whether the partner fields of a kind can be created, and as what: the
/// fields that say their sector by their name.
pub fn default_partner_sectors(kind: Kind) -> Vec<(&'static str, Sector)> {
    kind.columns()
        .iter()
        .filter(|c| is_partner_field(c))
        .filter_map(|c| match *c {
            "government_partner" => Some((*c, Sector::Government)),
            "education_partner" => Some((*c, Sector::Education)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_set_remembers() {
        let mut s = IdSet::default();
        s.insert(1);
        s.insert(1_000_003);
        assert!(s.contains(1) && s.contains(1_000_003) && !s.contains(2) && !s.contains(5_000_000));
    }
}
