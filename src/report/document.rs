//! The report for people: titled sections of small tables and notes, in
//! English or Dutch. The table, Markdown and HTML formats all render this
//! one document (the HTML page also draws charts from the same names and
//! numbers), so they show the same figures, labels and definitions, written
//! the way people write them: `1.235` and `31 december 2023` in Dutch,
//! `1,235` and `31 December 2023` in English. JSON and CSV keep codes, ISO
//! dates and plain numbers for scripts and do not use this module.

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

/// How the report is shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub lang: Lang,
    /// Add the appendix of notes: what does not add up, and how each figure is counted.
    pub notes: bool,
    /// List every theme, also those without assignments, in the lists by theme.
    pub all_themes: bool,
}

impl View {
    /// Notes on, only the themes with assignments.
    pub fn new(lang: Lang) -> View {
        View { lang, notes: true, all_themes: false }
    }
}

// ---- numbers, dates and quotes as people write them

/// A whole number with thousands separators: `1.235` in Dutch, `1,235` in English.
pub fn number(lang: Lang, v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}", group(lang, &v.unsigned_abs().to_string()))
}

fn group(lang: Lang, digits: &str) -> String {
    let separator = tr(lang, ",", ".");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// A number that may have decimals (a communication figure): `1.700`,
/// `12,5` in Dutch; `1,700`, `12.5` in English.
pub fn decimal(lang: Lang, v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return number(lang, v as i64);
    }
    let plain = format!("{}", v.abs());
    let Some((whole, fraction)) = plain.split_once('.').filter(|_| !plain.contains('e')) else {
        return metric_value(v);
    };
    let sign = if v < 0.0 { "-" } else { "" };
    format!("{sign}{}{}{fraction}", group(lang, whole), tr(lang, ".", ","))
}

/// A change against another period: `+12`, `-3`, `0`.
pub fn signed(lang: Lang, v: i64) -> String {
    if v > 0 { format!("+{}", number(lang, v)) } else { number(lang, v) }
}

/// A whole percentage: `64%`.
pub fn percent(share: u32) -> String {
    format!("{share}%")
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// The name of month 1 to 12.
pub fn month(lang: Lang, m: i8) -> &'static str {
    let i = (m.clamp(1, 12) - 1) as usize;
    tr(lang, MONTHS_EN[i], MONTHS_NL[i])
}

/// A date as people write it: `31 december 2023`, `31 December 2023`.
pub fn date(lang: Lang, d: Date) -> String {
    format!("{} {} {}", d.day(), month(lang, d.month()), d.year())
}

/// From one date to another, naming the year (and month) once when they
/// share it: `1 januari t/m 31 december 2023`, `1 to 30 June 2023`.
pub fn span(lang: Lang, start: Date, end: Date) -> String {
    let to = tr(lang, "to", "t/m");
    if start.year() != end.year() {
        format!("{} {to} {}", date(lang, start), date(lang, end))
    } else if start.month() != end.month() {
        format!("{} {} {to} {}", start.day(), month(lang, start.month()), date(lang, end))
    } else if start.day() != end.day() {
        format!("{} {to} {}", start.day(), date(lang, end))
    } else {
        date(lang, end)
    }
}

/// Text in quotes, the same single curly quotes in both languages: ‘in de periode’.
pub fn quoted(text: &str) -> String {
    format!("‘{text}’")
}

/// The name of a period of the trend: `K4 2023` / `Q4 2023` for a quarter,
/// `december 2023` for a month; other labels are shown as they are.
pub fn trend_period(lang: Lang, label: &str) -> String {
    let Some((year, part)) = label.split_once('-') else { return label.to_string() };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return label.to_string();
    }
    if let Some(q) = part.strip_prefix('Q').filter(|q| matches!(*q, "1" | "2" | "3" | "4")) {
        return format!("{}{q} {year}", tr(lang, "Q", "K"));
    }
    match part.parse::<i8>() {
        Ok(m) if (1..=12).contains(&m) && part.len() == 2 => format!("{} {year}", month(lang, m)),
        _ => label.to_string(),
    }
}

/// A communication figure as scripts read it: 1700, not 1700.0 (CSV).
pub fn metric_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

// ---- the document

#[derive(Debug, Clone)]
pub struct Document {
    pub title: String,
    /// The period and the date the state is taken on.
    pub subtitle: String,
    pub sections: Vec<Section>,
    /// The notes (`--notes`): what does not add up, and the definitions.
    pub appendix: Vec<Section>,
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

    /// Whether column `i` holds numbers (right-aligned): `1.235`, `64%`, `+12`.
    pub fn numeric(&self, i: usize) -> bool {
        !self.rows.is_empty()
            && self.rows.iter().all(|r| {
                r.get(i).is_some_and(|c| {
                    let c = c.trim_end_matches('%').trim_start_matches(['+', '-']);
                    c.starts_with(|c: char| c.is_ascii_digit())
                        && c.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
                })
            })
    }
}

/// Names of the values the report holds as codes, and its numbers and
/// dates written for people.
pub struct Names<'r> {
    pub lang: Lang,
    themes: &'r [ThemeName],
}

impl<'r> Names<'r> {
    pub fn new(report: &'r Report, lang: Lang) -> Self {
        Names { lang, themes: &report.themes }
    }

    /// A whole number: `1.235` (nl), `1,235` (en).
    pub fn n(&self, v: i64) -> String {
        number(self.lang, v)
    }

    /// A date: `31 december 2023`.
    pub fn date(&self, d: Date) -> String {
        date(self.lang, d)
    }

    pub fn vocab<V: Vocabulary>(&self, code: &str) -> String {
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
            None if code == UNKNOWN => tr(self.lang, "unknown", "onbekend").to_string(),
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

    /// The label of a communication figure: the name it was declared with,
    /// in the report's language.
    pub fn metric(&self, m: &Metric) -> String {
        match self.lang {
            Lang::En => m.name_en.clone(),
            Lang::Nl => m.name_nl.clone(),
        }
    }
}

fn pct(share: Option<u32>) -> String {
    share.map(percent).unwrap_or_default()
}

/// The title of the report.
pub fn title(report: &Report, lang: Lang) -> String {
    let p = &report.period;
    if p.basis == Basis::CalendarYear {
        format!("I-Partnerschap {} — {}", tr(lang, "report", "jaarverslag"), p.label)
    } else if p.basis == Basis::AcademicYear {
        format!("I-Partnerschap {} {}", tr(lang, "report, academic year", "verslag, studiejaar"), p.label)
    } else if p.basis == Basis::AsOf {
        format!("I-Partnerschap {} {}", tr(lang, "report as of", "verslag per"), date(lang, p.end))
    } else {
        // "K3 2023", "september 2023": a quarter or month as people write it.
        format!("I-Partnerschap {} {}", tr(lang, "report", "verslag"), trend_period(lang, &p.label))
    }
}

/// The date the state is taken on, and what "during the period" covers.
pub fn subtitle(report: &Report, lang: Lang) -> String {
    let p = &report.period;
    let (end, span) = (date(lang, p.end), span(lang, p.start, p.end));
    let state = match lang {
        Lang::En => format!("State on {end}; {}: {span}", quoted("during the period")),
        Lang::Nl => format!("Stand per {end}; {}: {span}", quoted("in de periode")),
    };
    match &report.known_on {
        Some(day) => format!("{state}; {} {day}", tr(lang, "as known on", "zoals bekend op")),
        None => state,
    }
}

/// Whether a list by theme shows this row: every theme with `--all-themes`,
/// else those with a count.
fn theme_shown(view: &View, count: i64) -> bool {
    view.all_themes || count != 0
}

/// Builds the document: the notes appendix included, themes without assignments left out.
pub fn build(report: &Report, lang: Lang) -> Document {
    build_view(report, &View::new(lang))
}

/// Builds the document as `view` asks.
pub fn build_view(report: &Report, view: &View) -> Document {
    let lang = view.lang;
    let names = Names::new(report, lang);
    let sections = [
        Some(key_figures(report, &names)),
        changes_since(report, &names),
        Some(partners(report, &names)),
        Some(assignments(report, &names, view)),
        Some(students(report, &names)),
        Some(trend(report, &names)),
        Some(labs(report, &names)),
        Some(knowledge(report, &names)),
        Some(activities(report, &names)),
        Some(metrics(report, &names)),
        cross(report, &names, view),
    ]
    .into_iter()
    .flatten()
    .collect();
    let appendix = if view.notes { vec![not_adding_up(report, &names), definitions(&names)] } else { vec![] };
    Document { title: title(report, lang), subtitle: subtitle(report, lang), sections, appendix }
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
        let mut row = vec![names.key_figure(field).to_string(), names.n(value)];
        if let Some(c) = report.compare.as_ref().and_then(|c| c.key_figures.iter().find(|k| k.figure == field)) {
            row.extend([names.n(c.previous), signed(l, c.change)]);
        }
        t.row(row);
    }
    let total = names.n(report.assignments.total);
    let mut levels = Table::new(
        match l {
            Lang::En => format!("Assignments by education level: share of all {total} assignments"),
            Lang::Nl => format!("Opdrachten per onderwijssoort: aandeel in alle {total} opdrachten"),
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

/// `--changes-since`: one sentence on the assignments of the period, and
/// the key figures that changed, then and now.
fn changes_since(report: &Report, names: &Names) -> Option<Section> {
    let c = report.changes_since.as_ref()?;
    let l = names.lang;
    let a = &c.assignments;
    let period = &report.period.label;
    let parts: Vec<String> = match l {
        Lang::En => [
            (a.added, format!("{} added to {period}", plural(a.added, "assignment", "assignments"))),
            (a.removed, format!("{} taken out of {period}", plural(a.removed, "assignment", "assignments"))),
            (a.status_changed, format!("{} changed status", a.status_changed)),
            (a.details_changed, format!("{} changed otherwise", a.details_changed)),
        ],
        Lang::Nl => [
            (a.added, format!("{} bij {period} gekomen", plural(a.added, "opdracht", "opdrachten"))),
            (a.removed, format!("{} uit {period} verdwenen", plural(a.removed, "opdracht", "opdrachten"))),
            (a.status_changed, format!("{} met een andere status", a.status_changed)),
            (a.details_changed, format!("{} anders gewijzigd", a.details_changed)),
        ],
    }
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(_, text)| text)
    .collect();
    let summary = match (l, parts.is_empty()) {
        (Lang::En, true) => format!("Since {}: no change to the assignments of {period}.", c.since),
        (Lang::Nl, true) => format!("Sinds {}: geen wijziging in de opdrachten van {period}.", c.since),
        (Lang::En, false) => format!("Since {}: {}.", c.since, parts.join(", ")),
        (Lang::Nl, false) => format!("Sinds {}: {}.", c.since, parts.join(", ")),
    };
    // The sentence leads; the key figures that changed follow it.
    let mut t = Table::new(
        summary.clone(),
        &[tr(l, "figure", "cijfer"), tr(l, "then", "toen"), tr(l, "now", "nu"), tr(l, "change", "verschil")],
    );
    for k in c.key_figures.iter().filter(|k| k.change != 0) {
        t.row(vec![
            names.key_figure(&k.figure).to_string(),
            names.n(k.previous),
            names.n(k.value),
            signed(l, k.change),
        ]);
    }
    let (tables, notes) = if t.rows.is_empty() { (vec![], vec![summary]) } else { (vec![t], vec![]) };
    Some(Section {
        id: "changes-since",
        title: match l {
            Lang::En => format!("Changes since {}", c.since),
            Lang::Nl => format!("Wijzigingen sinds {}", c.since),
        },
        tables,
        notes,
    })
}

/// "1 assignment", "12 assignments".
fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn sector_table(caption: String, names: &Names, rows: [(&str, &Sectors); 2]) -> Table {
    let l = names.lang;
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
        t.row(vec![label.to_string(), names.n(s.government), names.n(s.education), names.n(s.other), names.n(s.total)]);
    }
    t
}

fn partners(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let p = &report.partners;
    let end = names.date(report.period.end);
    let counting = match l {
        Lang::En => format!("counting on {end}"),
        Lang::Nl => format!("tellend op {end}"),
    };
    let sectors = sector_table(
        tr(l, "Partners", "Partners").to_string(),
        names,
        [
            (counting.as_str(), &p.counting),
            (tr(l, "joined during the period", "toegetreden in de periode"), &p.joined_in_period),
        ],
    );
    let mut levels = Table::new(
        tr(l, "Education partners by level", "Onderwijspartners per onderwijssoort"),
        &[tr(l, "level", "onderwijssoort"), tr(l, "partners", "partners")],
    );
    for r in &p.education_by_level {
        levels.row(vec![names.level(&r.value), names.n(r.count)]);
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
        regions.row(vec![names.region(&r.value), names.n(r.government), names.n(r.education), names.n(r.other)]);
    }
    Section {
        id: "partners",
        title: tr(l, "Partners", "Partners").into(),
        tables: vec![sectors, levels, regions],
        notes: vec![],
    }
}

/// A table of rows: value and count, and the share when `header` names a third column.
fn rows_table<'a>(
    caption: String,
    header: &[&str],
    rows: impl IntoIterator<Item = &'a Row>,
    names: &Names,
    name: impl Fn(&str) -> String,
) -> Table {
    let mut t = Table::new(caption, header);
    for r in rows {
        let mut row = vec![name(&r.value), names.n(r.count)];
        if header.len() > 2 {
            row.push(pct(r.share));
        }
        t.row(row);
    }
    t
}

fn assignments(report: &Report, names: &Names, view: &View) -> Section {
    let l = names.lang;
    let a = &report.assignments;
    let count = tr(l, "assignments", "opdrachten");
    let (total, end) = (names.n(a.total), names.date(report.period.end));
    let share_of = match l {
        Lang::En => format!("share of all {total} assignments"),
        Lang::Nl => format!("aandeel in alle {total} opdrachten"),
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
        in_period.row(vec![label.to_string(), names.n(v)]);
    }
    let share = tr(l, "share", "aandeel");
    let caption = |en: &str, nl: &str| match l {
        Lang::En => format!("{en} ({share_of})"),
        Lang::Nl => format!("{nl} ({share_of})"),
    };
    let by_status = match l {
        Lang::En => format!("By status on {end}"),
        Lang::Nl => format!("Per status op {end}"),
    };
    let top = |en: &'static str, nl: &'static str, rows: &[Row]| {
        rows_table(tr(l, en, nl).into(), &[tr(l, "partner", "partner"), count], rows, names, str::to_string)
    };
    let tables = vec![
        rows_table(
            caption(&by_status, &by_status),
            &[tr(l, "status", "status"), count, share],
            &a.by_status,
            names,
            |v| names.status(v),
        ),
        in_period,
        rows_table(
            caption("By education level", "Per onderwijssoort"),
            &[tr(l, "level", "onderwijssoort"), count, share],
            &a.by_level,
            names,
            |v| names.level(v),
        ),
        rows_table(
            caption("By theme", "Per thema"),
            &[tr(l, "theme", "thema"), count, share],
            a.by_theme.iter().filter(|r| theme_shown(view, r.count)),
            names,
            |v| names.theme(v),
        ),
        rows_table(caption("By kind", "Per soort"), &[tr(l, "kind", "soort"), count, share], &a.by_kind, names, |v| {
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
            names,
            |v| names.region(v),
        ),
        rows_table(tr(l, "By lab", "Per lab").into(), &[tr(l, "lab", "lab"), count], &a.by_lab, names, |v| {
            names.lab(v)
        }),
        top("Top government partners", "Meeste opdrachten: overheidspartners", &a.top_government_partners),
        top("Top education partners", "Meeste opdrachten: onderwijspartners", &a.top_education_partners),
    ];
    Section {
        id: "assignments",
        title: match l {
            Lang::En => format!("Assignments: {total} on {end}"),
            Lang::Nl => format!("Opdrachten: {total} op {end}"),
        },
        tables,
        notes: vec![],
    }
}

fn students(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let s = &report.students;
    let students = tr(l, "students", "studenten");
    let mut t = Table::new("", &[tr(l, "figure", "cijfer"), students]);
    t.row(vec![names.key_figure("students_helped").into(), names.n(s.helped)]);
    t.row(vec![names.key_figure("students_to_internship").into(), names.n(s.to_internship)]);
    // Counted apart: the unique students, and how many of the assignments
    // behind "students helped" gave identifiers (the figure's coverage).
    let unique_label = tr(l, "Unique students (from student identifiers)", "Unieke studenten (uit studentnummers)");
    let mut unique = Table::new(unique_label, &[tr(l, "figure", "cijfer"), tr(l, "number", "aantal")]);
    unique.row(vec![unique_label.into(), names.n(s.unique_from_identifiers)]);
    unique.row(vec![
        tr(
            l,
            "Assignments of students helped, with student identifiers",
            "Opdrachten van geholpen studenten, met studentnummers",
        )
        .into(),
        names.n(s.assignments_with_identifiers),
    ]);
    unique.row(vec![
        tr(l, "Assignments of students helped, in all", "Opdrachten van geholpen studenten, totaal").into(),
        names.n(s.assignments_helped),
    ]);
    Section {
        id: "students",
        title: tr(l, "Students", "Studenten").into(),
        tables: vec![
            t,
            rows_table(
                tr(l, "Students helped, by level", "Geholpen studenten per onderwijssoort").into(),
                &[tr(l, "level", "onderwijssoort"), students],
                &s.by_level,
                names,
                |v| names.level(v),
            ),
            rows_table(
                tr(l, "Students helped, by kind of assignment", "Geholpen studenten per soort opdracht").into(),
                &[tr(l, "kind", "soort"), students],
                &s.by_kind,
                names,
                |v| names.kind(v),
            ),
            unique,
        ],
        notes: vec![],
    }
}

/// "at the end of each quarter" / "aan het eind van elk kwartaal" (het
/// kwartaal, de maand); other steps by their code.
pub fn each_step(lang: Lang, step: &str) -> String {
    match (lang, step) {
        (Lang::En, step) => format!("at the end of each {step}"),
        (Lang::Nl, "quarter") => "aan het eind van elk kwartaal".into(),
        (Lang::Nl, "month") => "aan het eind van elke maand".into(),
        (Lang::Nl, "week") => "aan het eind van elke week".into(),
        (Lang::Nl, "year") => "aan het eind van elk jaar".into(),
        (Lang::Nl, step) => format!("aan het eind van elke {step}"),
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
        t.row(vec![
            trend_period(l, &p.period),
            names.n(p.preparation),
            names.n(p.in_progress),
            names.n(p.completed),
            names.n(p.cancelled),
            names.n(p.unknown),
        ]);
    }
    let (each, end) = (each_step(l, &report.trend.step), names.date(report.period.end));
    Section {
        id: "trend",
        title: tr(l, "Trend", "Verloop").into(),
        tables: vec![t],
        notes: vec![match (l, report.period.trend_shows_history()) {
            (Lang::En, true) => format!("Assignments in each status {each}, from the first record to {end}."),
            (Lang::Nl, true) => format!("Opdrachten per status {each}, van de eerste registratie tot en met {end}."),
            (Lang::En, false) => format!("Assignments in each status {each} of the period, up to {end}."),
            (Lang::Nl, false) => format!("Opdrachten per status {each} van de periode, tot en met {end}."),
        }],
    }
}

fn item_table(
    caption: String,
    names: &Names,
    items: &[Item],
    status: impl Fn(&str) -> String,
    links: Option<&str>,
    kind: Option<&dyn Fn(&str) -> String>,
) -> Table {
    let l = names.lang;
    let mut head = vec![tr(l, "name", "naam")];
    if kind.is_some() {
        head.push(tr(l, "kind", "soort"));
    }
    head.extend(links);
    head.extend([tr(l, "status", "status"), tr(l, "since", "sinds")]);
    let mut t = Table::new(caption, &head);
    for i in items {
        let mut row = vec![i.name.clone()];
        if let Some(k) = kind {
            row.push(i.kind.as_deref().map(k).unwrap_or_default());
        }
        if links.is_some() {
            row.push(i.links.join(", "));
        }
        row.extend([status(&i.status), names.date(i.since)]);
        t.row(row);
    }
    t
}

fn labs(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let labs = &report.labs;
    let end = names.date(report.period.end);
    let mut list = item_table(
        match l {
            Lang::En => format!("Labs on {end}"),
            Lang::Nl => format!("Labs op {end}"),
        },
        names,
        &labs.list,
        |s| names.vocab::<LabStatus>(s),
        Some(tr(l, "regions", "regio's")),
        None,
    );
    for row in &mut list.rows {
        row[1] = row[1].split(", ").map(|code| names.region(code)).collect::<Vec<_>>().join(", ");
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
        regions.row(vec![names.region(&r.value), names.n(r.active), names.n(r.in_formation), names.n(r.closed)]);
    }
    let communities = item_table(
        match l {
            Lang::En => format!("Communities on {end}"),
            Lang::Nl => format!("Communities op {end}"),
        },
        names,
        &report.communities.list,
        |s| names.vocab::<CommunityStatus>(s),
        None,
        None,
    );
    let n = |v| names.n(v);
    let lab_note = match l {
        Lang::En => format!(
            "On {end}: {} active, {} in formation, {} closed; {} active at some time during the period. \
             Communities counted: {} (existing and not closed).",
            n(labs.active),
            n(labs.in_formation),
            n(labs.closed),
            n(labs.active_during_period),
            n(report.communities.counted)
        ),
        Lang::Nl => format!(
            "Op {end}: {} actief, {} in oprichting, {} gesloten; {} ergens in de periode actief. \
             Communities geteld: {} (bestaand en niet gesloten).",
            n(labs.active),
            n(labs.in_formation),
            n(labs.closed),
            n(labs.active_during_period),
            n(report.communities.counted)
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
    let (started, at_work) = (names.n(report.phds.started), names.n(report.phds.at_work));
    let end = names.date(report.period.end);
    let phd = rows_table(
        match l {
            Lang::En => format!("PhD candidates started during the period: {started} (at work on {end}: {at_work})"),
            Lang::Nl => format!("Promovendi gestart in de periode: {started} (aan het werk op {end}: {at_work})"),
        },
        &[tr(l, "theme", "thema"), tr(l, "started", "gestart")],
        &report.phds.started_by_theme,
        names,
        |v| names.theme(v),
    );
    let curriculum_kind = |k: &str| names.vocab::<CurriculumKind>(k);
    let chair_kind = |k: &str| names.vocab::<ChairKind>(k);
    let curricula = item_table(
        tr(l, "Curricula (minors, masters, post-masters)", "Curricula (minoren, masters, post-masters)").into(),
        names,
        &report.curricula.list,
        |s| names.vocab::<CurriculumStatus>(s),
        Some(tr(l, "partners", "partners")),
        Some(&curriculum_kind),
    );
    let chairs = item_table(
        tr(l, "Lectorates and chairs", "Lectoraten en leerstoelen").into(),
        names,
        &report.chairs.list,
        |s| names.vocab::<ChairStatus>(s),
        Some(tr(l, "partners", "partners")),
        Some(&chair_kind),
    );
    let q = &report.questions;
    let (asked, in_period, taken_up, open) =
        (names.n(q.asked), names.n(q.asked_in_period), names.n(q.taken_up), names.n(q.open));
    let mut questions = Table::new(
        match l {
            Lang::En => format!(
                "Research questions asked up to {end}: {asked} ({in_period} during the period); taken up {taken_up}, \
                 open {open}"
            ),
            Lang::Nl => format!(
                "Onderzoeksvragen gesteld tot en met {end}: {asked} ({in_period} in de periode); opgepakt \
                 {taken_up}, open {open}"
            ),
        },
        &[tr(l, "theme", "thema"), tr(l, "taken up", "opgepakt"), tr(l, "open", "open")],
    );
    for r in &q.by_theme {
        questions.row(vec![names.theme(&r.value), names.n(r.taken_up), names.n(r.open)]);
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
            names.n(r.count),
            names.n(r.participants),
            names.n(r.government_participants),
            names.n(r.participants_unknown),
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
    let opt = |v: Option<i64>| v.map(|v| names.n(v)).unwrap_or_else(|| "–".into());
    for i in &a.list {
        list.row(vec![
            names.date(i.starts_on),
            i.name.clone(),
            kind(&i.kind),
            opt(i.participants),
            opt(i.government_participants),
        ]);
    }
    let (courses, conferences) = (names.n(a.course_government_participants), names.n(a.conference_participants));
    Section {
        id: "activities",
        title: tr(l, "Courses and events", "Cursussen en evenementen").into(),
        tables: vec![by_kind, list],
        notes: vec![match l {
            Lang::En => format!(
                "Government participants in courses and summer courses: {courses}; conference participants: \
                 {conferences}."
            ),
            Lang::Nl => format!(
                "Overheidsdeelnemers aan cursussen en summercourses: {courses}; deelnemers aan conferenties: \
                 {conferences}."
            ),
        }],
    }
}

fn metrics(report: &Report, names: &Names) -> Section {
    let l = names.lang;
    let mut t = Table::new("", &[tr(l, "figure", "cijfer"), tr(l, "value", "waarde")]);
    for m in &report.metrics {
        t.row(vec![names.metric(m), decimal(l, m.value)]);
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

/// Names joined as people list them: `A, B and C`, `A, B en C`; `none`/`geen` for none.
pub fn listing(lang: Lang, names: &[String]) -> String {
    match names {
        [] => tr(lang, "none", "geen").to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), tr(lang, "and", "en")),
    }
}

/// The sentences that explain each total.
pub fn explanations(report: &Report, lang: Lang) -> Vec<String> {
    let end = date(lang, report.period.end);
    vec![
        assignments_explained(&report.not_adding_up.assignments, lang),
        students_explained(&report.not_adding_up.assignments, lang),
        labs_explained(&report.not_adding_up.labs, lang, &end),
        communities_explained(&report.not_adding_up.communities, lang, &end),
        partners_explained(&report.not_adding_up.partners, lang, &end),
    ]
}

fn assignments_explained(a: &AssignmentsExplained, lang: Lang) -> String {
    let n = |v: i64| number(lang, v);
    let (total, completed, preparation, in_progress) = (n(a.total), n(a.completed), n(a.preparation), n(a.in_progress));
    let (cancelled, unknown, shown, rest) = (n(a.cancelled), n(a.unknown), n(a.shown), n(a.cancelled + a.unknown));
    let (before, after) = (n(a.cancelled_before_start), n(a.cancelled_after_start));
    match lang {
        Lang::En => format!(
            "Assignments: {total} = {completed} completed + {preparation} in preparation + {in_progress} in progress \
             + {cancelled} cancelled + {unknown} with an unknown status. The first three add up to {shown}; the other \
             {rest} are {cancelled} cancelled ({before} before they started, {after} after) and {unknown} whose \
             source never recorded a status. All count as assignments and in the level shares, but only those in \
             progress or completed count as students helped."
        ),
        Lang::Nl => format!(
            "Opdrachten: {total} = {completed} afgerond + {preparation} in voorbereiding + {in_progress} in \
             uitvoering + {cancelled} geannuleerd + {unknown} met een onbekende status. De eerste drie tellen op tot \
             {shown}; de andere {rest} zijn {cancelled} geannuleerd ({before} voor de start, {after} daarna) en \
             {unknown} waarvan de bron nooit een status vastlegde. Ze tellen alle mee als opdracht en in de \
             verdeling over onderwijssoorten, maar alleen opdrachten in uitvoering of afgerond tellen als geholpen \
             studenten."
        ),
    }
}

fn students_explained(a: &AssignmentsExplained, lang: Lang) -> String {
    let more = number(lang, a.students_not_helped);
    match lang {
        Lang::En => format!(
            "Students: {more} more students are on assignments in preparation, cancelled or with an unknown status; \
             they are not counted as helped."
        ),
        Lang::Nl => format!(
            "Studenten: nog {more} studenten zitten op opdrachten in voorbereiding, geannuleerd of met een onbekende \
             status; zij tellen niet als geholpen."
        ),
    }
}

fn labs_explained(lb: &LabsExplained, lang: Lang, end: &str) -> String {
    let n = |v: i64| number(lang, v);
    let (existing, active, in_formation, closed) = (n(lb.existing), n(lb.active), n(lb.in_formation), n(lb.closed));
    let during = n(lb.active_during_period.len() as i64);
    let (names, no_longer) = (listing(lang, &lb.active_during_period), listing(lang, &lb.no_longer_active));
    match lang {
        Lang::En => format!(
            "Labs: {existing} on {end}: {active} active, {in_formation} in formation, {closed} closed. Active at some \
             time during the period: {during} ({names}). No longer active on {end}: {no_longer}."
        ),
        Lang::Nl => format!(
            "Labs: {existing} op {end}: {active} actief, {in_formation} in oprichting, {closed} gesloten. Ergens in \
             de periode actief: {during} ({names}). Op {end} niet meer actief: {no_longer}."
        ),
    }
}

fn communities_explained(c: &CommunitiesExplained, lang: Lang, end: &str) -> String {
    let (existing, counted, closed) = (number(lang, c.existing), number(lang, c.counted), number(lang, c.closed));
    match lang {
        Lang::En => format!("Communities: {existing} on {end}; {counted} counted (not closed), {closed} closed."),
        Lang::Nl => format!("Communities: {existing} op {end}; {counted} geteld (niet gesloten), {closed} gesloten."),
    }
}

fn partners_explained(p: &PartnersExplained, lang: Lang, end: &str) -> String {
    let (counting, left, undated) =
        (number(lang, p.counting), listing(lang, &p.left), listing(lang, &p.no_joined_date));
    match lang {
        Lang::En => format!(
            "Partners: {counting} counting on {end}. Left, so not counting: {left}. Without a joining date, so not \
             counting: {undated}. Partners joining after {end} belong to later reports."
        ),
        Lang::Nl => format!(
            "Partners: {counting} tellend op {end}. Vertrokken en dus niet tellend: {left}. Zonder toetredingsdatum \
             en dus niet tellend: {undated}. Partners die na {end} toetreden, horen bij latere verslagen."
        ),
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

fn cross(report: &Report, names: &Names, view: &View) -> Option<Section> {
    let c = report.cross.as_ref()?;
    let l = names.lang;
    // Theme rows and columns without assignments are left out unless --all-themes.
    let row_total = |i: usize| c.cells[i].iter().sum::<i64>();
    let column_total = |j: usize| c.cells.iter().map(|r| r[j]).sum::<i64>();
    let keep_row = |i: usize| c.rows != "theme" || theme_shown(view, row_total(i));
    let keep_column = |j: usize| c.columns != "theme" || theme_shown(view, column_total(j));
    let columns: Vec<usize> = (0..c.column_values.len()).filter(|&j| keep_column(j)).collect();
    let corner = format!("{} \\ {}", names.dimension(&c.rows), names.dimension(&c.columns));
    let mut header: Vec<String> = vec![corner];
    header.extend(columns.iter().map(|&j| names.dimension_value(&c.columns, &c.column_values[j])));
    header.push(tr(l, "total", "totaal").into());
    let mut t = Table { caption: String::new(), header, rows: Vec::new() };
    for (i, value) in c.row_values.iter().enumerate().filter(|(i, _)| keep_row(*i)) {
        let mut row = vec![names.dimension_value(&c.rows, value)];
        row.extend(columns.iter().map(|&j| names.n(c.cells[i][j])));
        row.push(names.n(row_total(i)));
        t.row(row);
    }
    let mut totals = vec![tr(l, "total", "totaal").to_string()];
    totals.extend(columns.iter().map(|&j| names.n(column_total(j))));
    totals.push(names.n(c.cells.iter().flatten().sum()));
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
            "Shares are whole percentages of the total named with them, rounded so that together they make exactly 100% (largest remainder method).",
            "Students helped: the students of assignments in progress or completed on the end date; to an internship: the same for internships.",
            "Unique students: students counted once however many of those assignments they are on, told apart by the student identifiers imports gave (kept only as keyed hashes); assignments without identifiers add none, so the figure covers only the assignments with student identifiers.",
            "Region of an assignment: that of its education partner, else that of its government partner. A lab in two regions counts in both.",
            "Labs, communities, curricula and chairs: status on the end date. Communities counted: those existing and not closed.",
            "PhD candidates, courses and events: those whose start date lies in the period. Government participants in courses: courses and summer courses; conference participants: conferences. Unknown participant numbers count as none.",
            "Questions: asked on or before the end date; taken up when an assignment or lab existing then, or a PhD started by then, took it up.",
            "Communication figures: those recorded for the year the period starts in.",
        ],
        Lang::Nl => vec![
            "De stand op een datum: de laatste statuswijziging van elk record op of vóór die datum; een record bestaat op een datum als de eerste wijziging op of vóór die datum ligt. Latere wijzigingen veranderen een verslag nooit: een verslag over een afgelopen periode geeft altijd dezelfde cijfers.",
            "Partners tellen op een datum als ze op of vóór die datum toetraden en nog niet vertrokken waren.",
            "Opdrachten: alle opdrachten die op de einddatum bestaan, met welke status ook. Gestart, afgerond en geannuleerd in de periode: de eerste wijziging naar die status ligt in de periode; geregistreerd: de registratiedatum ligt in de periode (zonder registratiedatum: de allereerste wijziging).",
            "Aandelen zijn hele procenten van het genoemde totaal, zo afgerond dat ze samen precies 100% zijn (methode van de grootste overschotten).",
            "Geholpen studenten: de studenten van opdrachten die op de einddatum in uitvoering of afgerond zijn; aan een stage: hetzelfde voor stages.",
            "Unieke studenten: studenten eenmaal geteld, op hoeveel van die opdrachten ze ook zitten, herkend aan de studentnummers die imports meegaven (alleen als sleutel-hash bewaard); opdrachten zonder studentnummers tellen niet mee, dus het cijfer dekt alleen de opdrachten met studentnummers.",
            "Regio van een opdracht: die van de onderwijspartner, anders die van de overheidspartner. Een lab in twee regio's telt in beide.",
            "Labs, communities, curricula en leerstoelen: status op de einddatum. Communities geteld: bestaand en niet gesloten.",
            "Promovendi, cursussen en evenementen: met een startdatum in de periode. Overheidsdeelnemers cursussen: cursussen en summercourses; deelnemers conferenties: conferenties. Onbekende aantallen tellen als nul.",
            "Vragen: gesteld op of vóór de einddatum; opgepakt als een opdracht of lab dat toen bestond, of een promovendus die toen gestart was, de vraag oppakte.",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn numbers_have_the_separators_of_the_language() {
        assert_eq!(number(Lang::Nl, 1235), "1.235");
        assert_eq!(number(Lang::En, 1235), "1,235");
        assert_eq!(number(Lang::Nl, 999), "999");
        assert_eq!(number(Lang::Nl, 0), "0");
        assert_eq!(number(Lang::Nl, -1_234_567), "-1.234.567");
        assert_eq!(number(Lang::En, 1_000_000), "1,000,000");
        assert_eq!(signed(Lang::Nl, 1228), "+1.228");
        assert_eq!(signed(Lang::En, -3), "-3");
        assert_eq!(decimal(Lang::Nl, 1700.0), "1.700");
        assert_eq!(decimal(Lang::Nl, 1234.5), "1.234,5");
        assert_eq!(decimal(Lang::En, 1234.5), "1,234.5");
        assert_eq!(decimal(Lang::Nl, -0.25), "-0,25");
    }

    #[test]
    fn dates_and_periods_are_written_out() {
        assert_eq!(date(Lang::Nl, d("2023-12-31")), "31 december 2023");
        assert_eq!(date(Lang::En, d("2023-03-05")), "5 March 2023");
        assert_eq!(span(Lang::Nl, d("2023-01-01"), d("2023-12-31")), "1 januari t/m 31 december 2023");
        assert_eq!(span(Lang::En, d("2023-09-01"), d("2024-08-31")), "1 September 2023 to 31 August 2024");
        assert_eq!(span(Lang::Nl, d("2023-06-01"), d("2023-06-30")), "1 t/m 30 juni 2023");
        assert_eq!(span(Lang::Nl, d("2023-06-30"), d("2023-06-30")), "30 juni 2023");
        assert_eq!(trend_period(Lang::Nl, "2023-Q4"), "K4 2023");
        assert_eq!(trend_period(Lang::En, "2023-Q4"), "Q4 2023");
        assert_eq!(trend_period(Lang::Nl, "2023-09"), "september 2023");
        assert_eq!(trend_period(Lang::Nl, "2023-W05"), "2023-W05");
        assert_eq!(trend_period(Lang::Nl, "2023"), "2023");
        assert_eq!(each_step(Lang::Nl, "quarter"), "aan het eind van elk kwartaal");
        assert_eq!(each_step(Lang::Nl, "month"), "aan het eind van elke maand");
        assert_eq!(quoted("in de periode"), "‘in de periode’");
    }

    #[test]
    fn lists_and_numeric_columns() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(listing(Lang::Nl, &names(&["A", "B", "C"])), "A, B en C");
        assert_eq!(listing(Lang::En, &names(&["A", "B"])), "A and B");
        assert_eq!(listing(Lang::Nl, &[]), "geen");
        let mut t = Table::new("", &["a", "b", "c", "d"]);
        t.row(vec!["x".into(), "1.235".into(), "64%".into(), "31 december 2023".into()]);
        t.row(vec!["y".into(), "+12".into(), "3%".into(), "2023-Q4".into()]);
        assert_eq!((1..4).map(|i| t.numeric(i)).collect::<Vec<_>>(), [true, true, false]);
    }
}
