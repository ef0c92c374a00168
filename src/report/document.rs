//! The report for people: titled sections of small tables and notes, in
//! English or Dutch. The table, Markdown and HTML formats all render this
//! one document, so they show the same figures, labels and definitions.

use super::compute::{NO_LAB, UNKNOWN};
use super::model::*;
use super::period::Basis;
use crate::domain::*;

/// Picks the English or the Dutch text.
pub fn tr(lang: Lang, en: &'static str, nl: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Nl => nl,
    }
}

#[derive(Debug, Clone)]
pub struct Document {
    pub title: String,
    /// The period and the date the state is taken on.
    pub subtitle: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone)]
pub struct Section {
    /// A stable English identifier ("assignments"), for anchors.
    pub id: &'static str,
    pub title: String,
    pub tables: Vec<Table>,
    /// Sentences shown after the tables.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    /// What the table shows, above it.
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    fn new<S: AsRef<str>>(caption: impl Into<String>, header: &[S]) -> Table {
        Table {
            caption: caption.into(),
            header: header.iter().map(|h| h.as_ref().to_string()).collect(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Whether column `i` holds numbers (right-aligned).
    pub fn numeric(&self, i: usize) -> bool {
        !self.rows.is_empty()
            && self.rows.iter().all(|r| {
                r.get(i).is_some_and(|c| {
                    let c = c.trim_end_matches('%').trim_start_matches(['+', '-']);
                    !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit())
                })
            })
    }
}

/// Names of the values the report holds as codes.
pub struct Names<'r> {
    pub lang: Lang,
    themes: &'r [ThemeName],
}

impl<'r> Names<'r> {
    pub fn new(report: &'r Report, lang: Lang) -> Self {
        Names { lang, themes: &report.themes }
    }

    fn vocab<V: Vocabulary>(&self, code: &str) -> String {
        if code == UNKNOWN {
            return tr(self.lang, "unknown", "onbekend").to_string();
        }
        V::parse(code).map(|v| v.name(self.lang).to_string()).unwrap_or_else(|_| code.to_string())
    }

    pub fn status(&self, code: &str) -> String {
        self.vocab::<AssignmentStatus>(code)
    }
    pub fn level(&self, code: &str) -> String {
        self.vocab::<Level>(code)
    }
    pub fn kind(&self, code: &str) -> String {
        self.vocab::<AssignmentKind>(code)
    }
    pub fn region(&self, code: &str) -> String {
        self.vocab::<Region>(code)
    }
    pub fn theme(&self, code: &str) -> String {
        match self.themes.iter().find(|t| t.code == code) {
            Some(t) => match self.lang {
                Lang::En => t.name_en.clone(),
                Lang::Nl => t.name_nl.clone(),
            },
            None => code.to_string(),
        }
    }
    pub fn lab(&self, name: &str) -> String {
        if name == NO_LAB { tr(self.lang, "no lab", "geen lab").to_string() } else { name.to_string() }
    }

    /// The name of a value of a `--by` dimension.
    pub fn dimension_value(&self, dimension: &str, value: &str) -> String {
        match dimension {
            "theme" => self.theme(value),
            "level" => self.level(value),
            "kind" => self.kind(value),
            "status" => self.status(value),
            "region" => self.region(value),
            _ => self.lab(value),
        }
    }

    pub fn dimension(&self, dimension: &str) -> &'static str {
        match dimension {
            "theme" => tr(self.lang, "theme", "thema"),
            "level" => tr(self.lang, "level", "onderwijssoort"),
            "kind" => tr(self.lang, "kind", "soort"),
            "status" => tr(self.lang, "status", "status"),
            "region" => tr(self.lang, "region", "regio"),
            _ => tr(self.lang, "lab", "lab"),
        }
    }

    /// The label of a key figure (a field of `KeyFigures`).
    pub fn key_figure(&self, field: &str) -> &'static str {
        let l = self.lang;
        match field {
            "government_partners" => tr(l, "Government partners", "Samenwerkingspartners rijksoverheid"),
            "education_partners" => tr(l, "Education partners", "Samenwerkingspartners onderwijs"),
            "assignments" => tr(l, "Assignments and internships", "Opdrachten en stages"),
            "assignments_completed" => tr(l, "Assignments completed", "Opdrachten afgerond"),
            "assignments_in_preparation" => tr(l, "Assignments in preparation", "Opdrachten in voorbereiding"),
            "assignments_in_progress" => tr(l, "Assignments in progress", "Opdrachten in uitvoering"),
            "students_helped" => tr(l, "Students helped to an assignment", "Studenten geholpen aan een opdracht"),
            "students_to_internship" => tr(l, "Students helped to an internship", "Studenten geholpen aan een stage"),
            "active_labs" => tr(l, "Active labs", "Actieve labs"),
            "labs_in_formation" => tr(l, "Labs in formation", "Labs in oprichting"),
            "communities" => tr(l, "Communities", "Communities"),
            "phds_started" => tr(l, "PhD candidates started", "Promovendi gestart"),
            "course_government_participants" => {
                tr(l, "Government participants in courses", "Overheidsdeelnemers cursussen")
            }
            "conference_participants" => tr(l, "Conference participants", "Deelnemers conferenties"),
            _ => "",
        }
    }

    /// The label of a communication figure; unknown names are shown as they are.
    pub fn metric(&self, name: &str) -> String {
        let l = self.lang;
        match name {
            "linkedin-followers" => tr(l, "LinkedIn followers", "LinkedIn-volgers").to_string(),
            "website-visitors-new-share" => {
                tr(l, "Website visitors, new (%)", "Websitebezoekers, nieuw (%)").to_string()
            }
            "website-visitors-returning-share" => {
                tr(l, "Website visitors, returning (%)", "Websitebezoekers, terugkerend (%)").to_string()
            }
            other => other.to_string(),
        }
    }
}

fn n(v: i64) -> String {
    v.to_string()
}

fn pct(share: Option<u32>) -> String {
    share.map(|s| format!("{s}%")).unwrap_or_default()
}

fn signed(v: i64) -> String {
    if v > 0 { format!("+{v}") } else { v.to_string() }
}

/// A communication figure as people write it: 1700, not 1700.0.
pub fn metric_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// The title of the report.
pub fn title(report: &Report, lang: Lang) -> String {
    let p = &report.period;
    match p.basis {
        Basis::CalendarYear => format!("I-Partnerschap {} — {}", tr(lang, "report", "jaarverslag"), p.label),
        Basis::AcademicYear => {
            format!("I-Partnerschap {} {}", tr(lang, "report, academic year", "verslag, studiejaar"), p.label)
        }
        Basis::AsOf => format!("I-Partnerschap {} {}", tr(lang, "report as of", "verslag per"), p.label),
    }
}

pub fn subtitle(report: &Report, lang: Lang) -> String {
    let p = &report.period;
    match lang {
        Lang::En => format!("State on {}; \"during the period\": {} to {}", p.end, p.start, p.end),
        Lang::Nl => format!("Stand op {}; \"in de periode\": {} t/m {}", p.end, p.start, p.end),
    }
}

/// Builds the document.
pub fn build(report: &Report, lang: Lang) -> Document {
    let names = Names::new(report, lang);
    let sections = vec![
        key_figures(report, &names),
        partners(report, &names),
        assignments(report, &names),
        students(report, &names),
        trend(report, &names),
        labs(report, &names),
        knowledge(report, &names),
        activities(report, &names),
        metrics(report, &names),
        not_adding_up(report, &names),
    ]
    .into_iter()
    .chain(cross(report, &names))
    .chain(std::iter::once(definitions(&names)))
    .collect();
    Document { title: title(report, lang), subtitle: subtitle(report, lang), sections }
}

fn key_figures(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let mut t = match &report.compare {
        Some(c) => Table::new(
            "",
            &[
                tr(l, "figure", "cijfer"),
                report.period.label.as_str(),
                c.period.label.as_str(),
                tr(l, "change", "verschil"),
            ],
        ),
        None => Table::new("", &[tr(l, "figure", "cijfer"), tr(l, "value", "waarde")]),
    };
    for (field, value) in report.key_figures.list() {
        let mut row = vec![names.key_figure(field).to_string(), n(value)];
        if let Some(c) = report.compare.as_ref().and_then(|c| c.key_figures.iter().find(|k| k.figure == field)) {
            row.extend([n(c.previous), signed(c.change)]);
        }
        t.row(row);
    }
    let mut levels = Table::new(
        match l {
            Lang::En => {
                format!("Assignments by education level: share of all {} assignments", report.assignments.total)
            }
            Lang::Nl => {
                format!("Opdrachten per onderwijssoort: aandeel in alle {} opdrachten", report.assignments.total)
            }
        },
        &[tr(l, "level", "onderwijssoort"), tr(l, "share", "aandeel")],
    );
    for r in &report.assignments.by_level {
        levels.row(vec![names.level(&r.value), pct(r.share)]);
    }
    Section {
        id: "key-figures",
        title: tr(l, "Key figures", "Kerncijfers").into(),
        tables: vec![t, levels],
        notes: vec![],
    }
}

fn sector_table(caption: String, l: Lang, rows: [(&str, &Sectors); 2]) -> Table {
    let mut t = Table::new(
        caption,
        &[
            tr(l, "sector", "sector"),
            tr(l, "government", "rijksoverheid"),
            tr(l, "education", "onderwijs"),
            tr(l, "other", "overig"),
            tr(l, "total", "totaal"),
        ],
    );
    for (label, s) in rows {
        t.row(vec![label.to_string(), n(s.government), n(s.education), n(s.other), n(s.total)]);
    }
    t
}

fn partners(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let p = &report.partners;
    let sectors = sector_table(
        tr(l, "Partners", "Partners").to_string(),
        l,
        [
            (tr(l, "counting on the end date", "tellend op de einddatum"), &p.counting),
            (tr(l, "joined during the period", "toegetreden in de periode"), &p.joined_in_period),
        ],
    );
    let mut levels = Table::new(
        tr(l, "Education partners by level", "Onderwijspartners per onderwijssoort"),
        &[tr(l, "level", "onderwijssoort"), tr(l, "partners", "partners")],
    );
    for r in &p.education_by_level {
        levels.row(vec![names.level(&r.value), n(r.count)]);
    }
    let mut regions = Table::new(
        tr(l, "Partners by region", "Partners per regio"),
        &[
            tr(l, "region", "regio"),
            tr(l, "government", "rijksoverheid"),
            tr(l, "education", "onderwijs"),
            tr(l, "other", "overig"),
        ],
    );
    for r in &p.by_region {
        regions.row(vec![names.region(&r.value), n(r.government), n(r.education), n(r.other)]);
    }
    Section {
        id: "partners",
        title: tr(l, "Partners", "Partners").into(),
        tables: vec![sectors, levels, regions],
        notes: vec![],
    }
}

/// A table of rows: value and count, and the share when `header` names a third column.
fn rows_table(caption: String, header: &[&str], rows: &[Row], name: impl Fn(&str) -> String) -> Table {
    let mut t = Table::new(caption, header);
    for r in rows {
        let mut row = vec![name(&r.value), n(r.count)];
        if header.len() > 2 {
            row.push(pct(r.share));
        }
        t.row(row);
    }
    t
}

fn assignments(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let a = &report.assignments;
    let count = tr(l, "assignments", "opdrachten");
    let share_of = match l {
        Lang::En => format!("shares of all {} assignments existing on {}", a.total, report.period.end),
        Lang::Nl => format!("aandelen in alle {} opdrachten op {}", a.total, report.period.end),
    };
    let mut in_period = Table::new(
        tr(l, "During the period (first change of that kind)", "In de periode (eerste wijziging van die soort)"),
        &[tr(l, "what", "wat"), count],
    );
    for (label, v) in [
        (tr(l, "registered", "geregistreerd"), a.in_period.registered),
        (tr(l, "started", "gestart"), a.in_period.started),
        (tr(l, "completed", "afgerond"), a.in_period.completed),
        (tr(l, "cancelled", "geannuleerd"), a.in_period.cancelled),
    ] {
        in_period.row(vec![label.to_string(), n(v)]);
    }
    let share = tr(l, "share", "aandeel");
    let caption = |en: &str, nl: &str| match l {
        Lang::En => format!("{en} ({share_of})"),
        Lang::Nl => format!("{nl} ({share_of})"),
    };
    let tables = vec![
        rows_table(
            caption("By status on the end date", "Per status op de einddatum"),
            &[tr(l, "status", "status"), count, share],
            &a.by_status,
            |v| names.status(v),
        ),
        in_period,
        rows_table(
            caption("By education level", "Per onderwijssoort"),
            &[tr(l, "level", "onderwijssoort"), count, share],
            &a.by_level,
            |v| names.level(v),
        ),
        rows_table(caption("By theme", "Per thema"), &[tr(l, "theme", "thema"), count, share], &a.by_theme, |v| {
            names.theme(v)
        }),
        rows_table(caption("By kind", "Per soort"), &[tr(l, "kind", "soort"), count, share], &a.by_kind, |v| {
            names.kind(v)
        }),
        rows_table(
            tr(
                l,
                "By region (of the education partner, else of the government partner)",
                "Per regio (van de onderwijspartner, anders van de overheidspartner)",
            )
            .into(),
            &[tr(l, "region", "regio"), count],
            &a.by_region,
            |v| names.region(v),
        ),
        rows_table(tr(l, "By lab", "Per lab").into(), &[tr(l, "lab", "lab"), count], &a.by_lab, |v| names.lab(v)),
        rows_table(
            tr(l, "Top government partners", "Meeste opdrachten: overheidspartners").into(),
            &[tr(l, "partner", "partner"), count],
            &a.top_government_partners,
            str::to_string,
        ),
        rows_table(
            tr(l, "Top education partners", "Meeste opdrachten: onderwijspartners").into(),
            &[tr(l, "partner", "partner"), count],
            &a.top_education_partners,
            str::to_string,
        ),
    ];
    Section {
        id: "assignments",
        title: match l {
            Lang::En => format!("Assignments: {} on {}", a.total, report.period.end),
            Lang::Nl => format!("Opdrachten: {} op {}", a.total, report.period.end),
        },
        tables,
        notes: vec![],
    }
}

fn students(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let s = &report.students;
    let head = [tr(l, "", ""), tr(l, "students", "studenten")];
    let mut t = Table::new("", &[tr(l, "figure", "cijfer"), head[1]]);
    t.row(vec![names.key_figure("students_helped").into(), n(s.helped)]);
    t.row(vec![names.key_figure("students_to_internship").into(), n(s.to_internship)]);
    // Counted apart: the unique students, and how many of the assignments
    // behind "students helped" gave identifiers (the figure's coverage).
    let mut unique = Table::new(
        tr(l, "Unique students (from student identifiers)", "Unieke studenten (uit studentnummers)"),
        &[tr(l, "figure", "cijfer"), tr(l, "number", "aantal")],
    );
    unique.row(vec![
        tr(l, "Unique students (from student identifiers)", "Unieke studenten (uit studentnummers)").into(),
        n(s.unique_from_identifiers),
    ]);
    unique.row(vec![
        tr(
            l,
            "Assignments of students helped, with student identifiers",
            "Opdrachten van geholpen studenten, met studentnummers",
        )
        .into(),
        n(s.assignments_with_identifiers),
    ]);
    unique.row(vec![
        tr(l, "Assignments of students helped, in all", "Opdrachten van geholpen studenten, totaal").into(),
        n(s.assignments_helped),
    ]);
    Section {
        id: "students",
        title: tr(l, "Students", "Studenten").into(),
        tables: vec![
            t,
            rows_table(
                tr(l, "Students helped, by level", "Geholpen studenten per onderwijssoort").into(),
                &[tr(l, "level", "onderwijssoort"), head[1]],
                &s.by_level,
                |v| names.level(v),
            ),
            rows_table(
                tr(l, "Students helped, by kind of assignment", "Geholpen studenten per soort opdracht").into(),
                &[tr(l, "kind", "soort"), head[1]],
                &s.by_kind,
                |v| names.kind(v),
            ),
            unique,
        ],
        notes: vec![
            tr(
                l,
                "Students helped: the students of assignments in progress or completed on the end date.",
                "Geholpen studenten: de studenten van opdrachten die op de einddatum in uitvoering of afgerond zijn.",
            )
            .into(),
            tr(
                l,
                "Unique students: students counted once however many of those assignments they are on, told apart by \
                 the student identifiers imports gave (kept only as keyed hashes); assignments without identifiers add \
                 none, so the figure covers only the assignments with student identifiers.",
                "Unieke studenten: studenten eenmaal geteld, op hoeveel van die opdrachten ze ook zitten, herkend aan \
                 de studentnummers die imports meegaven (alleen als sleutel-hash bewaard); opdrachten zonder \
                 studentnummers tellen niet mee, dus het cijfer dekt alleen de opdrachten met studentnummers.",
            )
            .into(),
        ],
    }
}

fn trend(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let mut t = Table::new(
        "",
        &[
            tr(l, "period", "periode"),
            tr(l, "in preparation", "in voorbereiding"),
            tr(l, "in progress", "in uitvoering"),
            tr(l, "completed", "afgerond"),
            tr(l, "cancelled", "geannuleerd"),
            tr(l, "unknown", "onbekend"),
        ],
    );
    for p in &report.trend.points {
        t.row(vec![p.period.clone(), n(p.preparation), n(p.in_progress), n(p.completed), n(p.cancelled), n(p.unknown)]);
    }
    let step = if report.trend.step == "month" { tr(l, "month", "maand") } else { tr(l, "quarter", "kwartaal") };
    Section {
        id: "trend",
        title: tr(l, "Trend", "Verloop").into(),
        tables: vec![t],
        notes: vec![match l {
            Lang::En => format!(
                "Assignments in each status at the end of each {step}, from the first record to {}.",
                report.period.end
            ),
            Lang::Nl => format!(
                "Opdrachten per status aan het eind van elk(e) {step}, van de eerste registratie tot {}.",
                report.period.end
            ),
        }],
    }
}

fn item_table(
    caption: String,
    l: Lang,
    items: &[Item],
    status: impl Fn(&str) -> String,
    links: &str,
    kind: Option<&dyn Fn(&str) -> String>,
) -> Table {
    let mut head = vec![tr(l, "name", "naam")];
    if kind.is_some() {
        head.push(tr(l, "kind", "soort"));
    }
    head.extend([links, tr(l, "status", "status"), tr(l, "since", "sinds")]);
    let mut t = Table::new(caption, &head);
    for i in items {
        let mut row = vec![i.name.clone()];
        if let Some(k) = kind {
            row.push(i.kind.as_deref().map(k).unwrap_or_default());
        }
        row.extend([i.links.join(", "), status(&i.status), i.since.to_string()]);
        t.row(row);
    }
    t
}

fn labs(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let labs = &report.labs;
    let region_name = |code: &str| names.region(code);
    let mut list = item_table(
        tr(l, "Labs on the end date", "Labs op de einddatum").into(),
        l,
        &labs.list,
        |s| names.vocab::<LabStatus>(s),
        tr(l, "regions", "regio's"),
        None,
    );
    for row in &mut list.rows {
        row[1] = row[1].split(", ").map(region_name).collect::<Vec<_>>().join(", ");
    }
    let mut regions = Table::new(
        tr(
            l,
            "Labs by region (a lab in two regions counts in both)",
            "Labs per regio (een lab in twee regio's telt in beide)",
        ),
        &[
            tr(l, "region", "regio"),
            tr(l, "active", "actief"),
            tr(l, "in formation", "in oprichting"),
            tr(l, "closed", "gesloten"),
        ],
    );
    for r in &labs.by_region {
        regions.row(vec![names.region(&r.value), n(r.active), n(r.in_formation), n(r.closed)]);
    }
    let mut communities = item_table(
        tr(l, "Communities on the end date", "Communities op de einddatum").into(),
        l,
        &report.communities.list,
        |s| names.vocab::<CommunityStatus>(s),
        "",
        None,
    );
    // Communities have no links: drop that empty column.
    communities.header.remove(1);
    for row in &mut communities.rows {
        row.remove(1);
    }
    let lab_note = match l {
        Lang::En => format!(
            "{} active, {} in formation, {} closed on {}; {} active at some time during the period. Communities counted: {} (existing and not closed).",
            labs.active,
            labs.in_formation,
            labs.closed,
            report.period.end,
            labs.active_during_period,
            report.communities.counted
        ),
        Lang::Nl => format!(
            "{} actief, {} in oprichting, {} gesloten op {}; {} ergens in de periode actief. Communities geteld: {} (bestaand en niet gesloten).",
            labs.active,
            labs.in_formation,
            labs.closed,
            report.period.end,
            labs.active_during_period,
            report.communities.counted
        ),
    };
    Section {
        id: "labs",
        title: tr(l, "Labs and communities", "Labs en communities").into(),
        tables: vec![list, regions, communities],
        notes: vec![lab_note],
    }
}

fn knowledge(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let phd = rows_table(
        match l {
            Lang::En => format!(
                "PhD candidates started during the period: {} (at work on the end date: {})",
                report.phds.started, report.phds.at_work
            ),
            Lang::Nl => format!(
                "Promovendi gestart in de periode: {} (aan het werk op de einddatum: {})",
                report.phds.started, report.phds.at_work
            ),
        },
        &[tr(l, "theme", "thema"), tr(l, "started", "gestart")],
        &report.phds.started_by_theme,
        |v| names.theme(v),
    );
    let curriculum_kind = |k: &str| names.vocab::<CurriculumKind>(k);
    let chair_kind = |k: &str| names.vocab::<ChairKind>(k);
    let curricula = item_table(
        tr(l, "Curricula (minors, masters, post-masters)", "Curricula (minoren, masters, post-masters)").into(),
        l,
        &report.curricula.list,
        |s| names.vocab::<CurriculumStatus>(s),
        tr(l, "partners", "partners"),
        Some(&curriculum_kind),
    );
    let chairs = item_table(
        tr(l, "Lectorates and chairs", "Lectoraten en leerstoelen").into(),
        l,
        &report.chairs.list,
        |s| names.vocab::<ChairStatus>(s),
        tr(l, "partners", "partners"),
        Some(&chair_kind),
    );
    let q = &report.questions;
    let mut questions = Table::new(
        match l {
            Lang::En => format!(
                "Research questions asked by the end date: {} ({} during the period); taken up {}, open {}",
                q.asked, q.asked_in_period, q.taken_up, q.open
            ),
            Lang::Nl => format!(
                "Onderzoeksvragen gesteld tot de einddatum: {} ({} in de periode); opgepakt {}, open {}",
                q.asked, q.asked_in_period, q.taken_up, q.open
            ),
        },
        &[tr(l, "theme", "thema"), tr(l, "taken up", "opgepakt"), tr(l, "open", "open")],
    );
    for r in &q.by_theme {
        questions.row(vec![names.theme(&r.value), n(r.taken_up), n(r.open)]);
    }
    Section {
        id: "knowledge",
        title: tr(l, "PhD candidates, curricula, chairs and questions", "Promovendi, curricula, leerstoelen en vragen")
            .into(),
        tables: vec![phd, curricula, chairs, questions],
        notes: vec![],
    }
}

fn activities(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let a = &report.activities;
    let kind = |k: &str| names.vocab::<ActivityKind>(k);
    let mut by_kind = Table::new(
        tr(l, "Courses and events that started during the period", "Cursussen en evenementen gestart in de periode"),
        &[
            tr(l, "kind", "soort"),
            tr(l, "number", "aantal"),
            tr(l, "participants", "deelnemers"),
            tr(l, "from government", "van de overheid"),
            tr(l, "participants unknown", "deelnemers onbekend"),
        ],
    );
    for r in &a.by_kind {
        by_kind.row(vec![
            kind(&r.value),
            n(r.count),
            n(r.participants),
            n(r.government_participants),
            n(r.participants_unknown),
        ]);
    }
    let mut list = Table::new(
        "",
        &[
            tr(l, "date", "datum"),
            tr(l, "name", "naam"),
            tr(l, "kind", "soort"),
            tr(l, "participants", "deelnemers"),
            tr(l, "from government", "van de overheid"),
        ],
    );
    let opt = |v: Option<i64>| v.map(n).unwrap_or_else(|| "–".into());
    for i in &a.list {
        list.row(vec![
            i.starts_on.to_string(),
            i.name.clone(),
            kind(&i.kind),
            opt(i.participants),
            opt(i.government_participants),
        ]);
    }
    Section {
        id: "activities",
        title: tr(l, "Courses and events", "Cursussen en evenementen").into(),
        tables: vec![by_kind, list],
        notes: vec![match l {
            Lang::En => format!(
                "Government participants in courses and summer courses: {}; conference participants: {}.",
                a.course_government_participants, a.conference_participants
            ),
            Lang::Nl => format!(
                "Overheidsdeelnemers aan cursussen en summercourses: {}; deelnemers aan conferenties: {}.",
                a.course_government_participants, a.conference_participants
            ),
        }],
    }
}

fn metrics(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let mut t = Table::new("", &[tr(l, "figure", "cijfer"), tr(l, "value", "waarde")]);
    for m in &report.metrics {
        t.row(vec![names.metric(&m.name), metric_value(m.value)]);
    }
    Section {
        id: "communication",
        title: match l {
            Lang::En => format!("Communication {}", report.period.metric_year),
            Lang::Nl => format!("Communicatie {}", report.period.metric_year),
        },
        tables: vec![t],
        notes: if report.metrics.is_empty() {
            vec![
                tr(
                    l,
                    "No figures recorded for this year (ipart metric set).",
                    "Geen cijfers vastgelegd voor dit jaar (ipart metric set).",
                )
                .into(),
            ]
        } else {
            vec![]
        },
    }
}

fn list_or_none(l: Lang, names: &[String]) -> String {
    if names.is_empty() { tr(l, "none", "geen").to_string() } else { names.join(", ") }
}

/// The sentences that explain each total.
pub fn explanations(report: &Report, lang: Lang) -> Vec<String> {
    let x = &report.not_adding_up;
    let a = &x.assignments;
    let (lb, c, p) = (&x.labs, &x.communities, &x.partners);
    let end = report.period.end;
    let (active_during, no_longer) =
        (list_or_none(lang, &lb.active_during_period), list_or_none(lang, &lb.no_longer_active));
    let (left, undated) = (list_or_none(lang, &p.left), list_or_none(lang, &p.no_joined_date));
    match lang {
        Lang::En => vec![
            format!(
                "Assignments: {} = {} completed + {} in preparation + {} in progress + {} cancelled + {} with an \
                 unknown status. The first three add up to {}; the other {} are {} cancelled ({} before they \
                 started, {} after) and {} whose source never recorded a status. All count as assignments and in \
                 the level shares, but only those in progress or completed count as students helped.",
                a.total,
                a.completed,
                a.preparation,
                a.in_progress,
                a.cancelled,
                a.unknown,
                a.shown,
                a.cancelled + a.unknown,
                a.cancelled,
                a.cancelled_before_start,
                a.cancelled_after_start,
                a.unknown
            ),
            format!(
                "Students: {} more students are on assignments in preparation, cancelled or with an unknown status; \
                 they are not counted as helped.",
                a.students_not_helped
            ),
            format!(
                "Labs: {} on {end}: {} active, {} in formation, {} closed. Active at some time during the period: {} \
                 ({active_during}). No longer active on {end}: {no_longer}.",
                lb.existing,
                lb.active,
                lb.in_formation,
                lb.closed,
                lb.active_during_period.len()
            ),
            format!("Communities: {} on {end}; {} counted (not closed), {} closed.", c.existing, c.counted, c.closed),
            format!(
                "Partners: {} counting on {end}. Registered but not counting: left {left}; without a joining date \
                 {undated}. Partners joining after {end} belong to later reports.",
                p.counting
            ),
        ],
        Lang::Nl => vec![
            format!(
                "Opdrachten: {} = {} afgerond + {} in voorbereiding + {} in uitvoering + {} geannuleerd + {} met een \
                 onbekende status. De eerste drie tellen op tot {}; de andere {} zijn {} geannuleerd ({} voor de \
                 start, {} daarna) en {} waarvan de bron nooit een status vastlegde. Ze tellen alle mee als opdracht \
                 en in de verdeling over onderwijssoorten, maar alleen opdrachten in uitvoering of afgerond tellen \
                 als geholpen studenten.",
                a.total,
                a.completed,
                a.preparation,
                a.in_progress,
                a.cancelled,
                a.unknown,
                a.shown,
                a.cancelled + a.unknown,
                a.cancelled,
                a.cancelled_before_start,
                a.cancelled_after_start,
                a.unknown
            ),
            format!(
                "Studenten: nog {} studenten zitten op opdrachten in voorbereiding, geannuleerd of met een onbekende \
                 status; zij tellen niet als geholpen.",
                a.students_not_helped
            ),
            format!(
                "Labs: {} op {end}: {} actief, {} in oprichting, {} gesloten. Ergens in de periode actief: {} \
                 ({active_during}). Op {end} niet meer actief: {no_longer}.",
                lb.existing,
                lb.active,
                lb.in_formation,
                lb.closed,
                lb.active_during_period.len()
            ),
            format!(
                "Communities: {} op {end}; {} geteld (niet gesloten), {} gesloten.",
                c.existing, c.counted, c.closed
            ),
            format!(
                "Partners: {} tellend op {end}. Geregistreerd maar niet tellend: vertrokken {left}; zonder \
                 toetredingsdatum {undated}. Partners die na {end} toetreden horen bij latere verslagen.",
                p.counting
            ),
        ],
    }
}

fn not_adding_up(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    Section {
        id: "not-adding-up",
        title: tr(l, "What does not add up, explained", "Wat niet optelt, verklaard").into(),
        tables: vec![],
        notes: explanations(report, l),
    }
}

fn cross(report: &Report, names: &Names) -> Option<Section> {
    let c = report.cross.as_ref()?;
    let l = names.lang;
    let corner = format!("{} \\ {}", names.dimension(&c.rows), names.dimension(&c.columns));
    let mut header: Vec<String> = vec![corner];
    header.extend(c.column_values.iter().map(|v| names.dimension_value(&c.columns, v)));
    header.push(tr(l, "total", "totaal").into());
    let mut t = Table { caption: String::new(), header, rows: Vec::new() };
    for (value, cells) in c.row_values.iter().zip(&c.cells) {
        let mut row = vec![names.dimension_value(&c.rows, value)];
        row.extend(cells.iter().map(|v| n(*v)));
        row.push(n(cells.iter().sum()));
        t.row(row);
    }
    let mut totals = vec![tr(l, "total", "totaal").to_string()];
    totals.extend((0..c.column_values.len()).map(|j| n(c.cells.iter().map(|r| r[j]).sum())));
    totals.push(n(c.cells.iter().flatten().sum()));
    t.row(totals);
    Some(Section {
        id: "cross",
        title: match l {
            Lang::En => format!("Assignments by {} and {}", names.dimension(&c.rows), names.dimension(&c.columns)),
            Lang::Nl => format!("Opdrachten per {} en {}", names.dimension(&c.rows), names.dimension(&c.columns)),
        },
        tables: vec![t],
        notes: vec![],
    })
}

/// How each figure is counted.
pub fn definitions(names: &Names) -> Section {
    let l = names.lang;
    let notes: Vec<&str> = match l {
        Lang::En => vec![
            "The state on a date: each record's last status change on or before it; a record exists on a date when its first change is on or before it. Changes dated later never alter a report, so a report for a past period gives the same figures whenever it is run.",
            "Partners count on a date when they joined on or before it and had not left (left after it, or not at all).",
            "Assignments: those existing on the end date, whatever their status. Started, completed and cancelled during the period: the assignment's first change to that status lies in the period; registered: its registration date lies in the period (for one without a registration date, its first change of all).",
            "Shares are whole percentages of the total named with them, rounded by largest remainder so that they add up to 100.",
            "Students helped: the students of assignments in progress or completed on the end date; to an internship: the same for internships.",
            "Region of an assignment: that of its education partner, else that of its government partner. A lab in two regions counts in both.",
            "Labs, communities, curricula and chairs: status on the end date. Communities counted: those existing and not closed.",
            "PhD candidates, courses and events: those whose start date lies in the period. Government participants in courses: courses and summer courses; conference participants: conferences. Unknown participant numbers count as none.",
            "Questions: asked on or before the end date; taken up when an assignment or lab existing then, or a PhD started by then, took it up.",
            "Communication figures: those recorded for the year the period starts in.",
        ],
        Lang::Nl => vec![
            "De stand op een datum: de laatste statuswijziging van elk record op of voor die datum; een record bestaat op een datum als de eerste wijziging op of voor die datum ligt. Latere wijzigingen veranderen een verslag nooit: een verslag over een afgelopen periode geeft altijd dezelfde cijfers.",
            "Partners tellen op een datum als ze op of voor die datum toetraden en nog niet vertrokken waren.",
            "Opdrachten: alle opdrachten die op de einddatum bestaan, met welke status ook. Gestart, afgerond en geannuleerd in de periode: de eerste wijziging naar die status ligt in de periode; geregistreerd: de registratiedatum ligt in de periode (zonder registratiedatum: de allereerste wijziging).",
            "Aandelen zijn hele procenten van het genoemde totaal, afgerond volgens de grootste-restmethode zodat ze samen 100 zijn.",
            "Geholpen studenten: de studenten van opdrachten die op de einddatum in uitvoering of afgerond zijn; aan een stage: hetzelfde voor stages.",
            "Regio van een opdracht: die van de onderwijspartner, anders die van de overheidspartner. Een lab in twee regio's telt in beide.",
            "Labs, communities, curricula en leerstoelen: status op de einddatum. Communities geteld: bestaand en niet gesloten.",
            "Promovendi, cursussen en evenementen: met een startdatum in de periode. Overheidsdeelnemers cursussen: cursussen en summercourses; deelnemers conferenties: conferenties. Onbekende aantallen tellen als nul.",
            "Vragen: gesteld op of voor de einddatum; opgepakt als een opdracht of lab dat toen bestond, of een promovendus die toen gestart was, de vraag oppakte.",
            "Communicatiecijfers: die van het jaar waarin de periode begint.",
        ],
    };
    Section {
        id: "definitions",
        title: tr(l, "Definitions", "Definities").into(),
        tables: vec![],
        notes: notes.into_iter().map(str::to_string).collect(),
    }
}
