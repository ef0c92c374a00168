//! Building checked records from fields: every vocabulary, date, number and
//! reference is parsed here, and every problem of a record is collected (not
//! just the first), named by its field.

use super::{Catalog, Fields, Kind};
use crate::domain::*;
use crate::error::Result;
use crate::store::history::{self, HistoryTable};
use crate::store::initiative::{CHAIR, CURRICULUM};
use crate::store::lookup::NameIndex;
use crate::store::metric::Metric;
use crate::store::{self, Writer};

/// A checked record, ready to store, with its status history if it has one.
#[derive(Debug, Clone, PartialEq)]
pub enum Built {
    Theme(Theme),
    Partner(Partner),
    Lab(Lab, Vec<StatusChange<LabStatus>>),
    Community(Community, Vec<StatusChange<CommunityStatus>>),
    Assignment(Assignment, Vec<StatusChange<AssignmentStatus>>),
    Phd(Phd),
    Activity(Activity),
    Curriculum(Curriculum, Vec<StatusChange<CurriculumStatus>>),
    Chair(Chair, Vec<StatusChange<ChairStatus>>),
    Question(Question),
    Metric(Metric),
}

/// Reads fields, collecting problems instead of stopping at the first.
struct Reader<'a> {
    fields: &'a Fields,
    cat: &'a Catalog,
    problems: Problems,
}

impl<'a> Reader<'a> {
    fn fail(&mut self, field: &'static str, message: impl Into<String>) {
        self.problems.push(FieldError::new(field, message));
    }

    fn text(&self, field: &str) -> Option<String> {
        // Free text keeps its line breaks as LF, however the file wrote them.
        let value = self.fields.get(field)?;
        Some(if limits::is_multi_line(field) {
            limits::normalise_line_breaks(value).into_owned()
        } else {
            value.to_string()
        })
    }

    fn required_text(&mut self, field: &'static str) -> Option<String> {
        let value = self.text(field);
        if value.is_none() {
            self.fail(field, "is required");
        }
        value
    }

    fn parse<T>(&mut self, field: &'static str, parse: impl Fn(&str) -> Result<T, crate::error::Error>) -> Option<T> {
        let raw = self.fields.get(field)?;
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(field, e.message);
                None
            }
        }
    }

    fn required<T>(
        &mut self,
        field: &'static str,
        parse: impl Fn(&str) -> Result<T, crate::error::Error>,
    ) -> Option<T> {
        if self.fields.get(field).is_none() {
            self.fail(field, "is required");
            return None;
        }
        self.parse(field, parse)
    }

    fn vocab<V: Vocabulary>(&mut self, field: &'static str) -> Option<V> {
        self.parse(field, V::parse)
    }

    /// A date, in the years ipart accepts (see [`date::check_date`]).
    fn date(&mut self, field: &'static str) -> Option<Date> {
        let today = self.cat.today;
        self.parse(field, |s| {
            let d = parse_date(s)?;
            date::check_date(d, today)?;
            Ok(d)
        })
    }

    fn required_date(&mut self, field: &'static str) -> Option<Date> {
        if self.fields.get(field).is_none() {
            self.fail(field, "is required");
            return None;
        }
        self.date(field)
    }

    fn integer(&mut self, field: &'static str) -> Option<i64> {
        self.parse(field, |s| {
            s.parse::<i64>().map_err(|_| crate::error::Error::invalid(format!("{s:?} is not a whole number")))
        })
    }

    fn reference(&mut self, field: &'static str, index: &NameIndex) -> Option<i64> {
        let written = self.cat.written;
        self.parse(field, |s| index.resolve(s, written))
    }

    fn partner(&mut self, field: &'static str, sector: Sector) -> Option<i64> {
        let (partners, written) = (&self.cat.partners, self.cat.written);
        self.parse(field, |s| partners.resolve_in(s, sector, written))
    }

    fn references(&mut self, field: &'static str, index: &NameIndex) -> Vec<i64> {
        let mut ids = Vec::new();
        for item in self.fields.list(field) {
            match index.resolve(item, self.cat.written) {
                Ok(id) if !ids.contains(&id) => ids.push(id),
                Ok(_) => {}
                Err(e) => self.fail(field, e.message),
            }
        }
        ids
    }

    /// The status history: `status_history` (DATE=status|...), or the
    /// current `status` with `status_since` (today when absent), after the
    /// milestones a mapping's `[history]` gives: a field per status, named
    /// by its code, holding the day a column says it began. Every
    /// milestone is checked, also those that turn out to be plans (see
    /// [`crate::domain::history::with_milestones`]).
    fn history<S: Vocabulary>(&mut self) -> Option<Vec<StatusChange<S>>> {
        if self.fields.get("status_history").is_some() {
            let today = self.cat.today;
            return self.parse("status_history", |s| {
                let history = history::parse_native::<S>(s)?;
                for change in &history {
                    date::check_date(change.since, today)?;
                }
                Ok(history)
            });
        }
        let mut milestones = Vec::new();
        for status in S::ALL {
            if let Some(since) = self.date(status.code()) {
                milestones.push(StatusChange { since, status: *status });
            }
        }
        let status = self.required("status", S::parse)?;
        let since = match self.fields.get("status_since") {
            Some(_) => self.date("status_since")?,
            None => self.cat.today,
        };
        Some(crate::domain::history::with_milestones(milestones, StatusChange { since, status }))
    }

    fn finish<T>(mut self, value: Option<T>) -> Result<T, Problems> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => {
                // A rule checked early (to report it even when a required
                // field is missing) and again by the record says it once.
                let mut seen = Vec::new();
                self.problems.retain(|p| {
                    let new = !seen.contains(p);
                    seen.push(p.clone());
                    new
                });
                Err(self.problems)
            }
        }
    }
}

/// Builds a record of `kind` from `fields`, or says every problem it has.
pub fn build(kind: Kind, fields: &Fields, cat: &Catalog) -> Result<Built, Problems> {
    // Sizes and characters first: a value refused here is not parsed,
    // matched against names or quoted back in a message.
    let problems: Problems = raw_fields(kind)
        .filter_map(|field| fields.get(field).map(|value| limits::check_field(field, value)))
        .flatten()
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut r = Reader { fields, cat, problems: Problems::new() };
    match kind {
        Kind::Theme => {
            let code = r.required_text("code");
            let name_en = r.required_text("name_en");
            let name_nl = r.required_text("name_nl");
            let aliases = fields.list("aliases").into_iter().map(str::to_string).collect();
            let theme = match (code, name_en, name_nl) {
                (Some(code), Some(name_en), Some(name_nl)) => {
                    let t = Theme { id: 0, code, name_en, name_nl, aliases, position: 0 };
                    r.problems.extend(t.check());
                    Some(t)
                }
                _ => None,
            };
            r.finish(theme).map(Built::Theme)
        }
        Kind::Partner => {
            let name = r.required_text("name");
            let sector = r.required("sector", Sector::parse);
            let level = r.vocab("level");
            let region = r.vocab("region");
            let joined_on = r.date("joined_on");
            let left_on = r.date("left_on");
            let partner = name.zip(sector).map(|(name, sector)| Partner {
                id: 0,
                name,
                short_name: r.text("short_name"),
                aliases: fields.list("aliases").into_iter().map(str::to_string).collect(),
                sector,
                level,
                region,
                joined_on,
                left_on,
                external_code: r.text("external_code"),
                source: r.text("source"),
                external_id: r.text("external_id"),
            });
            if let Some(p) = &partner {
                r.problems.extend(p.check());
            }
            r.finish(partner).map(Built::Partner)
        }
        Kind::Assignment => {
            let title = r.required_text("title");
            let kind = r.required("kind", AssignmentKind::parse);
            let theme = r.required("theme", |s| cat.themes.resolve(s, cat.written));
            let government =
                r.required("government_partner", |s| cat.partners.resolve_in(s, Sector::Government, cat.written));
            let education = r.partner("education_partner", Sector::Education);
            let given_level: Option<Level> = r.vocab("level");
            let partner_level = education.and_then(|id| cat.partners.level(id));
            let level = match (given_level, partner_level) {
                (Some(given), Some(of_partner)) if given != of_partner => {
                    let name = education.and_then(|id| cat.partners.names.name(id)).unwrap_or("?");
                    r.fail(
                        "level",
                        format!("{given} does not match the education partner {name:?}, which is {of_partner}"),
                    );
                    None
                }
                (Some(level), _) | (None, Some(level)) => Some(level),
                (None, None) => {
                    if fields.get("level").is_none() && fields.get("education_partner").is_none() {
                        r.fail(
                            "level",
                            format!("is required when there is no education partner (expected {})", Level::expected()),
                        );
                    }
                    None
                }
            };
            let lab = r.reference("lab", &cat.labs);
            let students = if fields.get("students").is_some() { r.integer("students") } else { Some(1) };
            let starts_on = r.date("starts_on");
            let ends_on = r.date("ends_on");
            let registered_on = r.date("registered_on");
            // Checked here too, so they are reported alongside other problems.
            if let Some(n) = students {
                require_students(&mut r.problems, n);
            }
            require_order(&mut r.problems, "ends_on", ("start", starts_on), ends_on);
            let history = r.history::<AssignmentStatus>();
            let assignment = match (title, kind, level, theme, government, students) {
                (Some(title), Some(kind), Some(level), Some(theme_id), Some(government_partner_id), Some(students)) => {
                    let a = Assignment {
                        id: 0,
                        title,
                        kind,
                        level,
                        theme_id,
                        government_partner_id,
                        education_partner_id: education,
                        lab_id: lab,
                        students,
                        source: r.text("source"),
                        external_id: r.text("external_id"),
                        starts_on,
                        ends_on,
                        registered_on,
                        note: r.text("note"),
                    };
                    r.problems.extend(a.check());
                    Some(a)
                }
                _ => None,
            };
            r.finish(assignment.zip(history)).map(|(a, h)| Built::Assignment(a, h))
        }
        Kind::Lab => {
            let name = r.required_text("name");
            let mut regions = Vec::new();
            for item in fields.list("regions") {
                match Region::parse(item) {
                    Ok(region) if !regions.contains(&region) => regions.push(region),
                    Ok(_) => {}
                    Err(e) => r.fail("regions", e.message),
                }
            }
            regions.sort();
            let theme_ids = r.references("themes", &cat.themes);
            let member_ids = r.references("members", &cat.partners.names);
            let history = r.history::<LabStatus>();
            let lab = name.map(|name| Lab {
                id: 0,
                name,
                description: r.text("description"),
                regions,
                member_ids,
                theme_ids,
            });
            if let Some(l) = &lab {
                r.problems.extend(l.check());
            }
            r.finish(lab.zip(history)).map(|(l, h)| Built::Lab(l, h))
        }
        Kind::Community => {
            let name = r.required_text("name");
            let history = r.history::<CommunityStatus>();
            let community = name.map(|name| Community { id: 0, name, description: r.text("description") });
            if let Some(c) = &community {
                r.problems.extend(c.check());
            }
            r.finish(community.zip(history)).map(|(c, h)| Built::Community(c, h))
        }
        Kind::Phd => {
            let started_on = r.required_date("started_on");
            let theme = r.required("theme", |s| cat.themes.resolve(s, cat.written));
            let government =
                r.required("government_partner", |s| cat.partners.resolve_in(s, Sector::Government, cat.written));
            let education =
                r.required("education_partner", |s| cat.partners.resolve_in(s, Sector::Education, cat.written));
            let ended_on = r.date("ended_on");
            let phd = match (started_on, theme, government, education) {
                (Some(started_on), Some(theme_id), Some(government_partner_id), Some(education_partner_id)) => {
                    let p = Phd {
                        id: 0,
                        started_on,
                        ended_on,
                        theme_id,
                        government_partner_id,
                        education_partner_id,
                        topic: r.text("topic"),
                        source: r.text("source"),
                        external_id: r.text("external_id"),
                    };
                    r.problems.extend(p.check());
                    Some(p)
                }
                _ => None,
            };
            r.finish(phd).map(Built::Phd)
        }
        Kind::Activity => {
            let kind = r.required("kind", ActivityKind::parse);
            let name = r.required_text("name");
            let starts_on = r.required_date("starts_on");
            let partner_ids = r.references("partners", &cat.partners.names);
            let ends_on = r.date("ends_on");
            let theme_id = r.reference("theme", &cat.themes);
            let participants = r.integer("participants");
            let government_participants = r.integer("government_participants");
            let activity = match (kind, name, starts_on) {
                (Some(kind), Some(name), Some(starts_on)) => {
                    let a = Activity {
                        id: 0,
                        kind,
                        name,
                        starts_on,
                        ends_on,
                        theme_id,
                        participants,
                        government_participants,
                        partner_ids,
                    };
                    r.problems.extend(a.check());
                    Some(a)
                }
                _ => None,
            };
            r.finish(activity).map(Built::Activity)
        }
        Kind::Curriculum => {
            let (item, history) = initiative::<CurriculumKind, CurriculumStatus>(&mut r);
            r.finish(item.zip(history)).map(|(c, h)| Built::Curriculum(c, h))
        }
        Kind::Chair => {
            let (item, history) = initiative::<ChairKind, ChairStatus>(&mut r);
            r.finish(item.zip(history)).map(|(c, h)| Built::Chair(c, h))
        }
        Kind::Question => {
            let text = r.required_text("text");
            let theme = r.required("theme", |s| cat.themes.resolve(s, cat.written));
            let asked_on = r.required_date("asked_on");
            let source_activity_id = r.reference("source_activity", &cat.activities);
            let source_partner_id = r.reference("source_partner", &cat.partners.names);
            let assignment_id = r.reference("assignment", &cat.assignments);
            let lab_id = r.reference("lab", &cat.labs);
            let phd_id = r.reference("phd", &cat.phds);
            let question = match (text, theme, asked_on) {
                (Some(text), Some(theme_id), Some(asked_on)) => {
                    let q = Question {
                        id: 0,
                        text,
                        theme_id,
                        asked_on,
                        source_activity_id,
                        source_partner_id,
                        assignment_id,
                        lab_id,
                        phd_id,
                    };
                    r.problems.extend(q.check());
                    Some(q)
                }
                _ => None,
            };
            r.finish(question).map(Built::Question)
        }
        Kind::Metric => {
            let name = r.required_text("name");
            let today = r.cat.today;
            let year = r.required("year", |s| {
                let year = s.trim().parse::<i64>().map_err(|_| {
                    crate::error::Error::invalid(format!("{s:?} is not a year (expected such as 2023)"))
                })?;
                date::check_year(year, today)?;
                Ok(year)
            });
            let value = r.required("value", |s| {
                s.replace(',', ".")
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| crate::error::Error::invalid(format!("{s:?} is not a number")))
            });
            if let Some(n) = &name {
                let problems = check_slug("name", "a figure name", n, "linkedin-followers");
                if problems.is_empty()
                    && let Err(message) = store::metric::check_name(n, &r.cat.metrics)
                {
                    r.fail("name", message);
                }
                r.problems.extend(problems);
            }
            let metric = match (name, year, value) {
                (Some(name), Some(year), Some(value)) => Some(Metric { name, year, value }),
                _ => None,
            };
            r.finish(metric).map(Built::Metric)
        }
    }
}

/// Every field a record of `kind` is built from.
fn raw_fields(kind: Kind) -> impl Iterator<Item = &'static str> {
    let status: &[&str] = if kind.has_history() { &["status", "status_since"] } else { &[] };
    kind.columns().iter().chain(status).copied()
}

fn initiative<K: Vocabulary, S: Vocabulary>(r: &mut Reader) -> (Option<Initiative<K>>, Option<Vec<StatusChange<S>>>) {
    let kind = r.required("kind", K::parse);
    let name = r.required_text("name");
    let theme_id = r.reference("theme", &r.cat.themes);
    let partner_ids = r.references("partners", &r.cat.partners.names);
    let history = r.history::<S>();
    let item = kind.zip(name).map(|(kind, name)| Initiative { id: 0, kind, name, theme_id, partner_ids });
    if let Some(i) = &item {
        r.problems.extend(i.check());
    }
    (item, history)
}

impl Built {
    pub fn kind(&self) -> Kind {
        match self {
            Built::Theme(_) => Kind::Theme,
            Built::Partner(_) => Kind::Partner,
            Built::Lab(..) => Kind::Lab,
            Built::Community(..) => Kind::Community,
            Built::Assignment(..) => Kind::Assignment,
            Built::Phd(_) => Kind::Phd,
            Built::Activity(_) => Kind::Activity,
            Built::Curriculum(..) => Kind::Curriculum,
            Built::Chair(..) => Kind::Chair,
            Built::Question(_) => Kind::Question,
            Built::Metric(_) => Kind::Metric,
        }
    }

    /// Stores a new record; returns its id. `cat` is updated so later
    /// records in the same command can refer to it.
    pub fn insert(self, w: &Writer, cat: &mut Catalog) -> Result<i64> {
        Ok(match self {
            Built::Theme(t) => {
                let t = store::theme::insert(w, &cat.themes, t)?;
                for s in [&t.code, &t.name_en, &t.name_nl].into_iter().chain(&t.aliases) {
                    cat.themes.add(t.id, s);
                }
                t.id
            }
            Built::Partner(p) => {
                let p = store::partner::insert(w, &cat.partners, p)?;
                let spellings: Vec<&str> = p.spellings().collect();
                cat.partners.add(p.id, &spellings, p.sector, p.level);
                p.id
            }
            Built::Lab(l, h) => {
                let l = store::lab::insert(w, l, &h)?;
                cat.labs.add(l.id, &l.name);
                l.id
            }
            Built::Community(c, h) => store::community::insert(w, c, &h)?.id,
            Built::Assignment(a, h) => store::assignment::insert(w, a, &h)?.id,
            Built::Phd(p) => store::phd::insert(w, p)?.id,
            Built::Activity(a) => {
                let a = store::activity::insert(w, a)?;
                cat.activities.add(a.id, &a.name);
                a.id
            }
            Built::Curriculum(c, h) => CURRICULUM.insert(w, c, &h)?.id,
            Built::Chair(c, h) => CHAIR.insert(w, c, &h)?.id,
            Built::Question(q) => store::question::insert(w, q)?.id,
            Built::Metric(m) => {
                store::metric::set(w, &m)?;
                0
            }
        })
    }

    /// Saves `self` over the stored record `old` (same kind, same id). The
    /// status history is not touched: it changes through `status` only.
    pub fn update(self, w: &Writer, cat: &Catalog, old: &Built) -> Result<()> {
        match (self, old) {
            (Built::Theme(new), Built::Theme(old)) => store::theme::update(w, &cat.themes, old, &new),
            (Built::Partner(new), Built::Partner(old)) => store::partner::update(w, &cat.partners, old, &new),
            (Built::Lab(new, _), Built::Lab(old, _)) => store::lab::update(w, old, &new),
            (Built::Community(new, _), Built::Community(old, _)) => store::community::update(w, old, &new),
            (Built::Assignment(new, _), Built::Assignment(old, _)) => store::assignment::update(w, old, &new),
            (Built::Phd(new), Built::Phd(old)) => store::phd::update(w, old, &new),
            (Built::Activity(new), Built::Activity(old)) => store::activity::update(w, old, &new),
            (Built::Curriculum(new, _), Built::Curriculum(old, _)) => CURRICULUM.update(w, old, &new),
            (Built::Chair(new, _), Built::Chair(old, _)) => CHAIR.update(w, old, &new),
            (Built::Question(new), Built::Question(old)) => store::question::update(w, old, &new),
            (Built::Metric(new), Built::Metric(_)) => store::metric::set(w, &new).map(|_| ()),
            (new, old) => anyhow::bail!("cannot update a {} with a {}", old.kind().name(), new.kind().name()),
        }
    }

    /// Whether saving `self` over the stored record `stored` would change
    /// it. Status histories are not compared (they change through
    /// `status`), nor a theme's display position.
    pub fn same_record(&self, stored: &Built) -> bool {
        match (self, stored) {
            (Built::Lab(a, _), Built::Lab(b, _)) => a == b,
            (Built::Community(a, _), Built::Community(b, _)) => a == b,
            (Built::Assignment(a, _), Built::Assignment(b, _)) => a == b,
            (Built::Curriculum(a, _), Built::Curriculum(b, _)) => a == b,
            (Built::Chair(a, _), Built::Chair(b, _)) => a == b,
            (Built::Theme(a), Built::Theme(b)) => Theme { position: b.position, ..a.clone() } == *b,
            (a, b) => a == b,
        }
    }

    /// Gives the record the id of the stored one it replaces.
    pub fn with_id(mut self, id: i64) -> Built {
        match &mut self {
            Built::Theme(x) => x.id = id,
            Built::Partner(x) => x.id = id,
            Built::Lab(x, _) => x.id = id,
            Built::Community(x, _) => x.id = id,
            Built::Assignment(x, _) => x.id = id,
            Built::Phd(x) => x.id = id,
            Built::Activity(x) => x.id = id,
            Built::Curriculum(x, _) => x.id = id,
            Built::Chair(x, _) => x.id = id,
            Built::Question(x) => x.id = id,
            Built::Metric(_) => {}
        }
        self
    }

    /// Removes the stored record `self`.
    pub fn delete(&self, w: &Writer) -> Result<()> {
        match self {
            Built::Theme(t) => store::theme::delete(w, t),
            Built::Partner(p) => store::partner::delete(w, p),
            Built::Lab(l, _) => store::lab::delete(w, l),
            Built::Community(c, _) => store::community::delete(w, c),
            Built::Assignment(a, _) => store::assignment::delete(w, a),
            Built::Phd(p) => store::phd::delete(w, p),
            Built::Activity(a) => store::activity::delete(w, a),
            Built::Curriculum(c, _) => CURRICULUM.delete(w, c),
            Built::Chair(c, _) => CHAIR.delete(w, c),
            Built::Question(q) => store::question::delete(w, q),
            Built::Metric(m) => store::metric::remove(w, &m.name, m.year).map(|_| ()),
        }
    }
}

/// The history table of a kind with a lifecycle.
pub fn history_table(kind: Kind) -> Option<HistoryTable> {
    match kind {
        Kind::Assignment => Some(history::ASSIGNMENT),
        Kind::Lab => Some(history::LAB),
        Kind::Community => Some(history::COMMUNITY),
        Kind::Curriculum => Some(history::CURRICULUM),
        Kind::Chair => Some(history::CHAIR),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Registry;

    #[test]
    fn a_ten_megabyte_field_is_refused_before_anything_reads_it() {
        let registry = Registry::create_in_memory().unwrap();
        let today = Date::new(2024, 1, 15).unwrap();
        let cat = Catalog::load(registry.conn(), Kind::Assignment, today).unwrap();
        let mut fields = Fields::new();
        // A reference that long would otherwise be compared with every name.
        fields.set("government_partner", "x".repeat(10 * 1024 * 1024));
        fields.set("title", "Dashboard\0");
        // (How quickly is the benchmarks' business, not a test's: a timed
        // assertion fails on a busy machine.)
        let problems = build(Kind::Assignment, &fields, &cat).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "government_partner"]);
        assert_eq!(problems[1].message, "is 10485760 characters long; at most 500 are accepted");
    }
}
