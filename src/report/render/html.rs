//! The report as one self-contained HTML page laid out like the
//! infographic: the key figures, partners, student assignments (levels,
//! statuses, trend, themes, kinds), knowledge development (portfolios,
//! field labs, PhD candidates, chairs, curricula, courses) and knowledge
//! sharing (communities, conferences and events, communication), then what
//! `--compare` and `--by` ask for, and the notes appendix when asked. Charts
//! are inline SVG drawn by the askama template `templates/report.html` from
//! the geometry in `report::chart`; the page makes no requests, needs no
//! JavaScript and prints on A4 (at most four pages for a year like 2023).

use std::io::Write;

use askama::Template;

use crate::domain::{
    ActivityKind, AssignmentStatus, ChairKind, ChairStatus, CommunityStatus, CurriculumKind, CurriculumStatus,
    LabStatus, Lang, Vocabulary,
};
use crate::error::Result;
use crate::report::Report;
use crate::report::chart::{self, Bars, Donut, GREY, LineChart, PALETTE, RegionMap, Segment, StackedBars};
use crate::report::document::{self, Names, Section, View, each_step, listing, percent, tr};
use crate::report::model::{ActivityItem, Item};
use crate::report::period::Basis;

/// The width of a chart in half a column and in a whole one (SVG units,
/// about CSS pixels on A4 paper), so its text prints at the page's size.
const HALF: f64 = 440.0;
const WHOLE: f64 = 700.0;

/// Headings and fixed words of the page.
struct Text {
    key_figures: &'static str,
    themes: &'static str,
    partners: &'static str,
    partners_by_region: &'static str,
    education_by_level: &'static str,
    assignments: &'static str,
    by_level: &'static str,
    assignments_word: &'static str,
    trend: &'static str,
    no_trend: &'static str,
    by_theme: &'static str,
    kinds: &'static str,
    kind: &'static str,
    count: &'static str,
    students_helped: &'static str,
    knowledge: &'static str,
    portfolios: &'static str,
    labs: &'static str,
    phds: &'static str,
    chairs: &'static str,
    curricula: &'static str,
    courses: &'static str,
    sharing: &'static str,
    communities: &'static str,
    events: &'static str,
    date: &'static str,
    name: &'static str,
    participants: &'static str,
    from_government: &'static str,
    none: &'static str,
    notes: &'static str,
    not_adding_up: &'static str,
}

impl Text {
    fn new(l: Lang) -> Text {
        Text {
            key_figures: tr(l, "Key figures", "Kerncijfers"),
            themes: tr(l, "Themes", "Thema's"),
            partners: tr(l, "Partners", "Partners"),
            partners_by_region: tr(l, "Partners by region", "Partners per regio"),
            education_by_level: tr(l, "Education partners by level", "Onderwijspartners per onderwijssoort"),
            assignments: tr(l, "Student assignments", "Studentenopdrachten"),
            by_level: tr(l, "Student assignments by education level", "Studentenopdrachten per onderwijssoort"),
            assignments_word: tr(l, "assignments", "opdrachten"),
            trend: tr(l, "Trend of student assignments", "Verloop aantal studentenopdrachten"),
            no_trend: tr(l, "no assignments yet", "nog geen opdrachten"),
            by_theme: tr(l, "Student assignments by theme", "Studentenopdrachten per thema"),
            kinds: tr(l, "Kinds of assignment", "Soorten opdrachten"),
            kind: tr(l, "kind", "soort"),
            count: tr(l, "assignments", "opdrachten"),
            students_helped: tr(l, "students helped", "geholpen studenten"),
            knowledge: tr(l, "Knowledge and curriculum development", "Kennis- en onderwijsontwikkeling"),
            portfolios: tr(l, "Knowledge portfolios", "Kennisportfolio's"),
            labs: tr(l, "Field labs", "Fieldlabs"),
            phds: tr(l, "Dual PhD candidates", "Duaal promovendi"),
            chairs: tr(l, "Lectorates and chairs", "Lectoraten en leerstoelen"),
            curricula: tr(l, "Minors and masters", "Minoren en masters"),
            courses: tr(l, "Courses and summer courses", "Cursussen en summercourses"),
            sharing: tr(l, "Knowledge sharing", "Kennisdeling"),
            communities: tr(l, "Communities", "Communities"),
            events: tr(l, "Conferences and events", "Conferenties en evenementen"),
            date: tr(l, "date", "datum"),
            name: tr(l, "name", "naam"),
            participants: tr(l, "participants", "deelnemers"),
            from_government: tr(l, "from government", "van de overheid"),
            none: tr(l, "None.", "Geen."),
            notes: tr(l, "Notes", "Toelichting"),
            not_adding_up: tr(l, "What does not add up, explained", "Wat niet optelt, verklaard"),
        }
    }
}

/// A big number with what it counts.
struct Figure {
    value: String,
    label: String,
}

/// A coloured square and what it stands for.
struct Key {
    color: &'static str,
    label: String,
}

/// A lab, community, curriculum or chair: name, what it is and its status.
struct Entry {
    name: String,
    meta: String,
    status: String,
    status_code: String,
    since: String,
}

/// A row of a table of courses or events.
struct Happening {
    date: String,
    name: String,
    kind: String,
    participants: String,
    government: String,
}

struct Website {
    segments: Vec<Segment>,
    width: f64,
}

/// The notes appendix.
struct Notes {
    status: Vec<Segment>,
    status_caption: String,
    explanations: Vec<String>,
    definitions: Section,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    lang: &'static str,
    title: String,
    subtitle: String,
    text: Text,
    tiles: Vec<Figure>,
    themes_list: Vec<String>,
    partners: PartnersBlock,
    assignments: AssignmentBlocks,
    knowledge: KnowledgeBlocks,
    sharing: SharingBlocks,
    /// What was asked for besides the infographic: the comparison, the cross table.
    extra: Vec<Section>,
    notes: Option<Notes>,
}

pub fn render(report: &Report, view: &View, out: &mut dyn Write) -> Result<()> {
    let page = page(report, view);
    out.write_all(page.render()?.as_bytes())?;
    writeln!(out)?;
    Ok(())
}

/// "In 2023", "In studiejaar 2023/2024", "Van 1 januari t/m 30 juni 2024":
/// how sentences about what happened during the period begin.
fn during(report: &Report, lang: Lang) -> String {
    let p = &report.period;
    if p.basis == Basis::CalendarYear {
        format!("{} {}", tr(lang, "In", "In"), p.label)
    } else if p.basis == Basis::AcademicYear {
        format!("{} {}", tr(lang, "In academic year", "In studiejaar"), p.label)
    } else {
        format!("{} {}", tr(lang, "From", "Van"), document::span(lang, p.start, p.end))
    }
}

fn page(report: &Report, view: &View) -> Page {
    let lang = view.lang;
    let names = Names::new(report, lang);
    let doc = document::build_view(report, view);
    let k = &report.key_figures;
    let kf = |value: i64, en: &str, nl: &str| Figure { value: names.n(value), label: tr_owned(lang, en, nl) };
    let tiles = vec![
        kf(k.government_partners, "government partners", "samenwerkingspartners binnen de rijksoverheid"),
        kf(k.education_partners, "education partners", "samenwerkingspartners binnen het onderwijs"),
        kf(k.assignments, "assignments and internships", "opdrachten en stages"),
        kf(k.students_helped, "students helped to an assignment", "studenten geholpen aan een opdracht"),
        kf(k.active_labs, "active labs", "actieve labs"),
        kf(k.communities, "communities", "communities"),
    ];
    let themes_list = report
        .assignments
        .by_theme
        .iter()
        .filter(|r| view.all_themes || r.count > 0)
        .map(|r| names.theme(&r.value))
        .collect();
    Page {
        lang: match lang {
            Lang::En => "en",
            Lang::Nl => "nl",
        },
        title: doc.title.clone(),
        subtitle: doc.subtitle.clone(),
        text: Text::new(lang),
        tiles,
        themes_list,
        partners: partners(report, &names),
        assignments: assignments(report, &names, view),
        knowledge: knowledge(report, &names),
        sharing: sharing(report, &names),
        extra: extra(report, lang, &doc),
        notes: view.notes.then(|| notes(report, &names, &doc)),
    }
}

/// The comparison (`--compare`), what changed since a day (`--changes-since`)
/// and the cross table (`--by`), as the document has them.
fn extra(report: &Report, lang: Lang, doc: &document::Document) -> Vec<Section> {
    let mut extra = Vec::new();
    if let Some(c) = &report.compare
        && let Some(key) = doc.sections.iter().find(|s| s.id == "key-figures")
    {
        extra.push(Section {
            id: "compare",
            title: match lang {
                Lang::En => format!("Compared with {}", c.period.label),
                Lang::Nl => format!("Vergeleken met {}", c.period.label),
            },
            tables: key.tables.iter().take(1).cloned().collect(),
            notes: vec![],
        });
    }
    extra.extend(doc.sections.iter().filter(|s| s.id == "changes-since" || s.id == "cross").cloned());
    extra
}

/// The singular or the plural, as `n` asks.
fn plural<'a>(n: i64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// "in 2023", "in studiejaar 2023/2024", "in de periode": where a part of a
/// total happened, inside a sentence.
fn within(report: &Report, lang: Lang) -> String {
    let p = &report.period;
    if p.basis == Basis::CalendarYear {
        format!("in {}", p.label)
    } else if p.basis == Basis::AcademicYear {
        format!("{} {}", tr(lang, "in academic year", "in studiejaar"), p.label)
    } else {
        tr_owned(lang, "during the period", "in de periode")
    }
}

fn tr_owned(lang: Lang, en: &str, nl: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Nl => nl.to_string(),
    }
}

/// The partners by region as stacked bars, the education partners by level
/// and who joined during the period.
struct PartnersBlock {
    chart: StackedBars,
    keys: Vec<Key>,
    caption: String,
    /// Education partners by level.
    levels: Vec<Figure>,
    sentence: String,
}

fn partners(report: &Report, names: &Names) -> PartnersBlock {
    let l = names.lang;
    let p = &report.partners;
    let sectors = [tr(l, "government", "rijksoverheid"), tr(l, "education", "onderwijs"), tr(l, "other", "overig")];
    let colors = [PALETTE[0], PALETTE[1], PALETTE[3]];
    // Regions without partners, and the sector "other" when no partner has it, are left out.
    let has_other = p.by_region.iter().any(|r| r.other > 0);
    let rows: Vec<_> = p
        .by_region
        .iter()
        .filter(|r| r.government + r.education + r.other > 0)
        .map(|r| {
            let mut parts = vec![
                (sectors[0].to_string(), r.government, names.n(r.government)),
                (sectors[1].to_string(), r.education, names.n(r.education)),
            ];
            if has_other {
                parts.push((sectors[2].to_string(), r.other, names.n(r.other)));
            }
            (names.region(&r.value), names.n(r.government + r.education + r.other), parts)
        })
        .collect();
    let chart = chart::stacked_bars(&rows, &colors, HALF, 90.0);
    let keys = sectors
        .iter()
        .zip(colors)
        .take(if has_other { 3 } else { 2 })
        .map(|(label, color)| Key { color, label: label.to_string() })
        .collect();
    let levels =
        p.education_by_level.iter().map(|r| Figure { value: names.n(r.count), label: names.level(&r.value) }).collect();
    let j = &p.joined_in_period;
    let (during, joined, government, education) =
        (during(report, l), names.n(j.total), names.n(j.government), names.n(j.education));
    let sentence = match l {
        Lang::En => format!(
            "{during}, {joined} {} joined: {government} in government and {education} in education.",
            plural(j.total, "partner", "partners")
        ),
        Lang::Nl => format!(
            "{during} {} {joined} {} toe: {government} binnen de rijksoverheid en {education} binnen het onderwijs.",
            plural(j.total, "trad", "traden"),
            plural(j.total, "partner", "partners")
        ),
    };
    let end = names.date(report.period.end);
    let caption = match l {
        Lang::En => format!("Partners counting on {end}, by region."),
        Lang::Nl => format!("Partners die op {end} tellen, per regio."),
    };
    PartnersBlock { chart, keys, caption, levels, sentence }
}

struct AssignmentBlocks {
    total: String,
    levels: Donut,
    levels_sentence: String,
    status_heading: String,
    status_figures: Vec<Figure>,
    students_footnote: String,
    /// The unique students, when imports gave student identifiers.
    unique_students: String,
    trend: LineChart,
    trend_empty: bool,
    trend_caption: String,
    themes: Bars,
    themes_caption: String,
    kinds: Vec<(String, String, String)>,
    in_period_sentence: String,
}

fn assignments(report: &Report, names: &Names, view: &View) -> AssignmentBlocks {
    let l = names.lang;
    let a = &report.assignments;
    let (levels, levels_sentence) = levels(report, names);
    let (status_heading, status_figures, students_footnote) = status(report, names);
    let (trend, trend_caption) = trend(report, names);
    let theme_rows: Vec<_> = a
        .by_theme
        .iter()
        .filter(|r| view.all_themes || r.count > 0)
        .map(|r| (names.theme(&r.value), r.count, names.n(r.count)))
        .collect();
    let themes_caption = match l {
        Lang::En => format!("The themes of all {} assignments.", names.n(a.total)),
        Lang::Nl => format!("Op welk thema de {} opdrachten zijn uitgevoerd.", names.n(a.total)),
    };
    let (kinds, in_period_sentence) = kinds(report, names);
    AssignmentBlocks {
        total: names.n(a.total),
        levels,
        levels_sentence,
        status_heading,
        status_figures,
        students_footnote,
        unique_students: unique_students(report, names),
        trend,
        trend_empty: report.trend.points.is_empty(),
        trend_caption,
        themes: chart::bars(&theme_rows, HALF, 150.0),
        themes_caption,
        kinds,
        in_period_sentence,
    }
}

/// The donut of the levels, largest first as the infographic lists them,
/// and the sentence that says it.
fn levels(report: &Report, names: &Names) -> (Donut, String) {
    let l = names.lang;
    let a = &report.assignments;
    let mut by_level: Vec<_> = a.by_level.iter().collect();
    by_level.sort_by_key(|r| std::cmp::Reverse(r.count));
    let donut = chart::donut(
        &by_level
            .iter()
            .map(|r| (names.level(&r.value), r.count, names.n(r.count), r.share.unwrap_or(0)))
            .collect::<Vec<_>>(),
        80.0,
    );
    let parts: Vec<String> = by_level
        .iter()
        .filter(|r| r.count > 0)
        .enumerate()
        .map(|(i, r)| {
            let (share, level) = (percent(r.share.unwrap_or(0)), names.level(&r.value));
            match (l, i) {
                (Lang::En, 0) => format!("{share} are from {level}"),
                (Lang::En, _) => format!("{share} from {level}"),
                (Lang::Nl, 0) => format!("{share} afkomstig van het {level}"),
                (Lang::Nl, _) => format!("{share} van het {level}"),
            }
        })
        .collect();
    let sentence = match l {
        _ if parts.is_empty() => tr_owned(l, "No assignments yet.", "Nog geen opdrachten."),
        Lang::En => format!("Of all {} assignments, {}.", names.n(a.total), listing(l, &parts)),
        Lang::Nl => format!("Van het totaal aantal opdrachten is {}.", listing(l, &parts)),
    };
    (donut, sentence)
}

/// The heading, the big numbers of the statuses and students, and the footnote to the students.
fn status(report: &Report, names: &Names) -> (String, Vec<Figure>, String) {
    let l = names.lang;
    let a = &report.assignments;
    let end = names.date(report.period.end);
    let count = |status: AssignmentStatus| a.by_status.iter().find(|r| r.value == status.code()).map_or(0, |r| r.count);
    let k = &report.key_figures;
    let figure = |value: String, en: &str, nl: &str| Figure { value, label: tr_owned(l, en, nl) };
    let figures = vec![
        figure(names.n(count(AssignmentStatus::Completed)), "assignments completed", "opdrachten afgerond"),
        figure(
            names.n(count(AssignmentStatus::Preparation)),
            "assignments in preparation",
            "opdrachten in voorbereiding",
        ),
        figure(names.n(count(AssignmentStatus::InProgress)), "assignments in progress", "opdrachten in uitvoering"),
        figure(
            names.n(k.students_to_internship),
            "students helped to an internship at government",
            "studenten geholpen aan een stage bij het Rijk",
        ),
        figure(
            format!("{}*", names.n(k.students_helped)),
            "students helped to an assignment at government",
            "studenten geholpen aan een opdracht binnen het Rijk",
        ),
    ];
    let (heading, footnote) = match l {
        Lang::En => (
            format!("On {end}"),
            format!(
                "* The students of the registered assignments in progress or completed on {end}; assignments that \
                 are not registered are not counted."
            ),
        ),
        Lang::Nl => (
            format!("Stand per {end}"),
            format!(
                "* De studenten van de geregistreerde opdrachten die op {end} in uitvoering of afgerond zijn; \
                 opdrachten die niet geregistreerd zijn, tellen niet mee."
            ),
        ),
    };
    (heading, figures, footnote)
}

/// The students counted once, told apart by their identifiers, and how
/// many assignments gave them; nothing when no import gave any.
fn unique_students(report: &Report, names: &Names) -> String {
    let s = &report.students;
    if s.assignments_with_identifiers == 0 {
        return String::new();
    }
    let (unique, with, all) =
        (names.n(s.unique_from_identifiers), names.n(s.assignments_with_identifiers), names.n(s.assignments_helped));
    match names.lang {
        Lang::En => format!(
            "Unique students (from student identifiers): {unique}; {with} of the {all} assignments of students \
             helped have student identifiers."
        ),
        Lang::Nl => format!(
            "Unieke studenten (uit studentnummers): {unique}; {with} van de {all} opdrachten van geholpen studenten \
             hebben studentnummers."
        ),
    }
}

/// The kinds of assignment with the students they helped, and what happened during the period.
fn kinds(report: &Report, names: &Names) -> (Vec<(String, String, String)>, String) {
    let l = names.lang;
    let a = &report.assignments;
    let helped = |kind: &str| report.students.by_kind.iter().find(|r| r.value == kind).map_or(0, |r| r.count);
    let kinds = a.by_kind.iter().map(|r| (names.kind(&r.value), names.n(r.count), names.n(helped(&r.value)))).collect();
    let p = &a.in_period;
    let (registered, started, completed, cancelled) =
        (names.n(p.registered), names.n(p.started), names.n(p.completed), names.n(p.cancelled));
    let during = during(report, l);
    let sentence = match l {
        Lang::En => format!(
            "{during}, {registered} {} registered, {started} started, {completed} completed and {cancelled} \
             cancelled.",
            plural(p.registered, "assignment was", "assignments were")
        ),
        Lang::Nl => format!(
            "{during} {} {registered} {} geregistreerd, {started} gestart, {completed} afgerond en {cancelled} \
             geannuleerd.",
            plural(p.registered, "is", "zijn"),
            plural(p.registered, "opdracht", "opdrachten")
        ),
    };
    (kinds, sentence)
}

/// The trend as lines (in progress, in preparation, completed, as the
/// infographic draws it), with the year under its first point.
fn trend(report: &Report, names: &Names) -> (LineChart, String) {
    let l = names.lang;
    let points = &report.trend.points;
    let labels: Vec<String> = points.iter().map(|p| document::trend_period(l, &p.period)).collect();
    let series = [
        (AssignmentStatus::InProgress, PALETTE[0]),
        (AssignmentStatus::Preparation, PALETTE[1]),
        (AssignmentStatus::Completed, PALETTE[2]),
    ]
    .map(|(s, color)| {
        let values = points
            .iter()
            .map(|p| match s {
                AssignmentStatus::InProgress => p.in_progress,
                AssignmentStatus::Preparation => p.preparation,
                _ => p.completed,
            })
            .collect();
        (s.name(l).to_string(), color, values)
    });
    let year = |i: usize| points[i].period.get(..4).unwrap_or_default();
    let chart = chart::lines(
        (HALF, 200.0),
        &labels,
        &series,
        |i| (i == 0 || year(i - 1) != year(i)).then(|| year(i).to_string()),
        |v| names.n(v),
    );
    let end = names.date(report.period.end);
    let each = each_step(l, &report.trend.step);
    let caption = match l {
        Lang::En => format!("Assignments per status {each}, up to {end}."),
        Lang::Nl => format!("Opdrachten per status {each}, tot en met {end}."),
    };
    (chart, caption)
}

struct KnowledgeBlocks {
    questions_sentence: String,
    questions: StackedBars,
    questions_keys: Vec<Key>,
    phds_sentence: String,
    phds: Bars,
    labs_sentence: String,
    labs_map: RegionMap,
    labs_caption: String,
    labs: Vec<Entry>,
    chairs: Vec<Entry>,
    curricula: Vec<Entry>,
    courses: Vec<Happening>,
    courses_sentence: String,
}

fn knowledge(report: &Report, names: &Names) -> KnowledgeBlocks {
    let l = names.lang;
    let (questions, questions_keys, questions_sentence) = questions(report, names);
    let (phds, phds_sentence) = phds(report, names);
    let (labs_sentence, labs_map, labs) = labs(report, names);
    let (chairs, curricula) = initiatives(report, names);
    let is_course = |i: &&ActivityItem| {
        matches!(ActivityKind::parse(&i.kind), Ok(ActivityKind::Course | ActivityKind::SummerCourse))
    };
    let total = names.n(report.activities.course_government_participants);
    KnowledgeBlocks {
        questions_sentence,
        questions,
        questions_keys,
        phds_sentence,
        phds,
        labs_sentence,
        labs_map,
        labs_caption: tr_owned(
            l,
            "Labs by region; a lab in two regions counts in both.",
            "Labs per regio; een lab in twee regio's telt in beide.",
        ),
        labs,
        chairs,
        curricula,
        courses: report.activities.list.iter().filter(is_course).map(|i| happening(i, names)).collect(),
        courses_sentence: match l {
            Lang::En => format!("Government participants in all: {total}."),
            Lang::Nl => format!("Het totaal aantal overheidsdeelnemers was {total}."),
        },
    }
}

/// The research questions per theme, taken up and open, as stacked bars with their key and sentence.
fn questions(report: &Report, names: &Names) -> (StackedBars, Vec<Key>, String) {
    let l = names.lang;
    let q = &report.questions;
    let (taken_up, open) = (tr(l, "taken up", "opgepakt"), tr(l, "open", "open"));
    let rows: Vec<_> = q
        .by_theme
        .iter()
        .map(|r| {
            (
                names.theme(&r.value),
                names.n(r.taken_up + r.open),
                vec![
                    (taken_up.to_string(), r.taken_up, names.n(r.taken_up)),
                    (open.to_string(), r.open, names.n(r.open)),
                ],
            )
        })
        .collect();
    let colors = [PALETTE[2], PALETTE[5]];
    let keys = vec![Key { color: colors[0], label: taken_up.into() }, Key { color: colors[1], label: open.into() }];
    let n_themes = q.by_theme.len() as i64;
    let (asked, themes, in_period, up) =
        (names.n(q.asked), names.n(n_themes), names.n(q.asked_in_period), names.n(q.taken_up));
    let within = within(report, l);
    let sentence = match l {
        Lang::En => format!(
            "{asked} research {} from government on {themes} {}, {in_period} of them asked {within}; {up} taken up \
             by an assignment, a lab or a PhD.",
            plural(q.asked, "question", "questions"),
            plural(n_themes, "theme", "themes")
        ),
        Lang::Nl => format!(
            "Rond {themes} {} {} {asked} {} van het Rijk verzameld, {in_period} daarvan {within}; {up} {} opgepakt \
             in een opdracht, lab of promotieonderzoek.",
            plural(n_themes, "thema", "thema's"),
            plural(q.asked, "is", "zijn"),
            plural(q.asked, "onderzoeksvraag", "onderzoeksvragen"),
            plural(q.taken_up, "is", "zijn")
        ),
    };
    (chart::stacked_bars(&rows, &colors, HALF, 150.0), keys, sentence)
}

/// The PhD candidates who started, by theme, and the sentence that says how many.
fn phds(report: &Report, names: &Names) -> (Bars, String) {
    let l = names.lang;
    let ph = &report.phds;
    let bars = chart::bars(
        &ph.started_by_theme.iter().map(|r| (names.theme(&r.value), r.count, names.n(r.count))).collect::<Vec<_>>(),
        HALF,
        150.0,
    );
    let (during, started, at_work) = (during(report, l), names.n(ph.started), names.n(ph.at_work));
    let end = names.date(report.period.end);
    let sentence = match l {
        Lang::En => format!(
            "{during}, {started} PhD {} at government; {at_work} {} at work on {end}.",
            plural(ph.started, "candidate started", "candidates started"),
            plural(ph.at_work, "is", "are")
        ),
        Lang::Nl => format!(
            "{during} {} er {started} {} gestart bij het Rijk; op {end} {} er {at_work} aan het werk.",
            plural(ph.started, "is", "zijn"),
            plural(ph.started, "promovendus", "promovendi"),
            plural(ph.at_work, "is", "zijn")
        ),
    };
    (bars, sentence)
}

/// The chairs and the curricula: name, kind and partners, status since.
fn initiatives(report: &Report, names: &Names) -> (Vec<Entry>, Vec<Entry>) {
    let l = names.lang;
    let entry = |i: &Item, kind: String, status: String| Entry {
        name: i.name.clone(),
        meta: [kind, i.links.join(", ")].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · "),
        status,
        status_code: i.status.clone(),
        since: since(l, names, i),
    };
    let kind = |i: &Item, name: &dyn Fn(&str) -> String| i.kind.as_deref().map(name).unwrap_or_default();
    let chairs = report
        .chairs
        .list
        .iter()
        .map(|i| entry(i, kind(i, &|k| names.vocab::<ChairKind>(k)), names.vocab::<ChairStatus>(&i.status)))
        .collect();
    let curricula = report
        .curricula
        .list
        .iter()
        .map(|i| entry(i, kind(i, &|k| names.vocab::<CurriculumKind>(k)), names.vocab::<CurriculumStatus>(&i.status)))
        .collect();
    (chairs, curricula)
}

/// The labs: a sentence, the map of regions and a card per lab.
fn labs(report: &Report, names: &Names) -> (String, RegionMap, Vec<Entry>) {
    let l = names.lang;
    let labs = &report.labs;
    let with = |status: LabStatus| -> Vec<String> {
        labs.list.iter().filter(|i| i.status == status.code()).map(|i| i.name.clone()).collect()
    };
    let end = names.date(report.period.end);
    let mut sentence = match l {
        Lang::En => format!("{} active field {} on {end}.", names.n(labs.active), plural(labs.active, "lab", "labs")),
        Lang::Nl => {
            format!(
                "{} {} op {end}.",
                names.n(labs.active),
                plural(labs.active, "actief fieldlab", "actieve fieldlabs")
            )
        }
    };
    for (status, en, nl) in
        [(LabStatus::InFormation, "In formation", "In oprichting"), (LabStatus::Closed, "Closed", "Gesloten")]
    {
        let list = with(status);
        if !list.is_empty() {
            sentence.push_str(&format!(" {}: {}.", tr(l, en, nl), listing(l, &list)));
        }
    }
    let tiles: Vec<_> = labs
        .by_region
        .iter()
        .map(|r| {
            let mut lines = vec![match l {
                Lang::En => format!("{} active", names.n(r.active)),
                Lang::Nl => format!("{} actief", names.n(r.active)),
            }];
            if r.in_formation > 0 {
                lines.push(format!("{} {}", names.n(r.in_formation), tr(l, "in formation", "in oprichting")));
            }
            (r.value.as_str(), names.region(&r.value), lines, r.active)
        })
        .collect();
    let map = chart::region_map(&tiles);
    let cards = labs
        .list
        .iter()
        .map(|i| Entry {
            name: i.name.clone(),
            meta: i.links.iter().map(|r| names.region(r)).collect::<Vec<_>>().join(" / "),
            status: names.vocab::<LabStatus>(&i.status),
            status_code: i.status.clone(),
            // When a lab began is no news; when it closed or began to form is.
            since: if i.status == LabStatus::Active.code() { String::new() } else { since(l, names, i) },
        })
        .collect();
    (sentence, map, cards)
}

/// "since 1 February 2023" / "sinds 1 februari 2023".
fn since(l: Lang, names: &Names, i: &Item) -> String {
    format!("{} {}", tr(l, "since", "sinds"), names.date(i.since))
}

fn happening(i: &ActivityItem, names: &Names) -> Happening {
    let known = |v: Option<i64>| v.map(|v| names.n(v)).unwrap_or_else(|| "–".into());
    Happening {
        date: names.date(i.starts_on),
        name: i.name.clone(),
        kind: names.vocab::<ActivityKind>(&i.kind),
        participants: known(i.participants),
        government: known(i.government_participants),
    }
}

struct SharingBlocks {
    communities: Vec<Entry>,
    communities_sentence: String,
    events: Vec<Happening>,
    events_sentence: String,
    communication_heading: String,
    communication: Vec<Figure>,
    website: Option<Website>,
    website_caption: String,
}

fn sharing(report: &Report, names: &Names) -> SharingBlocks {
    let l = names.lang;
    let c = &report.communities;
    let communities = c
        .list
        .iter()
        .map(|i| Entry {
            name: i.name.clone(),
            meta: String::new(),
            status: names.vocab::<CommunityStatus>(&i.status),
            status_code: i.status.clone(),
            since: since(l, names, i),
        })
        .collect();
    let by_status: Vec<String> = c
        .by_status
        .iter()
        .filter(|r| r.count > 0)
        .map(|r| format!("{} {}", names.n(r.count), names.vocab::<CommunityStatus>(&r.value)))
        .collect();
    let end = names.date(report.period.end);
    let word = plural(c.counted, "community", "communities");
    let communities_sentence = match (l, by_status.is_empty()) {
        (Lang::En, false) => format!("{} {word} on {end}: {}.", names.n(c.counted), listing(l, &by_status)),
        (Lang::Nl, false) => format!("{} {word} op {end}: {}.", names.n(c.counted), listing(l, &by_status)),
        (Lang::En, true) => format!("No communities on {end}."),
        (Lang::Nl, true) => format!("Geen communities op {end}."),
    };

    let is_event =
        |i: &&ActivityItem| matches!(ActivityKind::parse(&i.kind), Ok(ActivityKind::Event | ActivityKind::Conference));
    let events: Vec<Happening> = report.activities.list.iter().filter(is_event).map(|i| happening(i, names)).collect();
    let unknown = report.activities.list.iter().filter(is_event).filter(|i| i.participants.is_none()).count() as i64;
    let mut events_sentence = match l {
        Lang::En => format!("Conference participants in all: {}.", names.n(report.activities.conference_participants)),
        Lang::Nl => format!(
            "In totaal waren er {} deelnemers aan conferenties.",
            names.n(report.activities.conference_participants)
        ),
    };
    if unknown > 0 {
        events_sentence.push_str(&match l {
            Lang::En => format!(" The number of participants of {} is not known.", names.n(unknown)),
            Lang::Nl => format!(" Van {} is het aantal deelnemers niet bekend.", names.n(unknown)),
        });
    }

    let (communication_heading, communication, website, website_caption) = communication(report, names);
    SharingBlocks {
        communities,
        communities_sentence,
        events,
        events_sentence,
        communication_heading,
        communication,
        website,
        website_caption,
    }
}

/// The communication figures: the heading with the year, big numbers, and
/// the website's new and returning visitors as one bar.
fn communication(report: &Report, names: &Names) -> (String, Vec<Figure>, Option<Website>, String) {
    let l = names.lang;
    let year = report.period.metric_year;
    let communication_heading = match l {
        Lang::En => format!("Communication {year}"),
        Lang::Nl => format!("Communicatie {year}"),
    };
    let share = |name: &str| report.metrics.iter().find(|m| m.name == name).map(|m| m.value);
    let (new, returning) = (share("website-visitors-new-share"), share("website-visitors-returning-share"));
    let communication = report
        .metrics
        .iter()
        .filter(|m| !m.name.starts_with("website-visitors-") || new.is_none() || returning.is_none())
        .map(|m| Figure { value: document::decimal(l, m.value), label: names.metric(m) })
        .collect();
    let website = new.zip(returning).map(|(new, returning)| {
        let parts = [
            (
                tr(l, "new", "nieuw").to_string(),
                new.round() as i64,
                format!("{}%", document::decimal(l, new)),
                PALETTE[0],
            ),
            (
                tr(l, "returning", "terugkerend").to_string(),
                returning.round() as i64,
                format!("{}%", document::decimal(l, returning)),
                PALETTE[5],
            ),
        ];
        Website { segments: chart::stack(&parts, 0.0, HALF), width: HALF }
    });
    let website_caption = match (&website, l) {
        (None, _) if report.metrics.is_empty() => match l {
            Lang::En => format!("No figures recorded for {year} (ipart metric set)."),
            Lang::Nl => format!("Geen cijfers vastgelegd voor {year} (ipart metric set)."),
        },
        (None, _) => String::new(),
        (Some(_), Lang::En) => "Website visitors: new and returning.".into(),
        (Some(_), Lang::Nl) => "Websitebezoekers: nieuw en terugkerend.".into(),
    };
    (communication_heading, communication, website, website_caption)
}

/// The appendix: all assignments split by status, the explanations and the definitions.
fn notes(report: &Report, names: &Names, doc: &document::Document) -> Notes {
    let l = names.lang;
    let a = &report.assignments;
    // The statuses the infographic shows first, then those it leaves out.
    let order = [
        (AssignmentStatus::Completed, PALETTE[2]),
        (AssignmentStatus::InProgress, PALETTE[0]),
        (AssignmentStatus::Preparation, PALETTE[1]),
        (AssignmentStatus::Cancelled, PALETTE[4]),
        (AssignmentStatus::Unknown, GREY),
    ];
    let parts: Vec<_> = order
        .iter()
        .map(|(s, color)| {
            let count = a.by_status.iter().find(|r| r.value == s.code()).map_or(0, |r| r.count);
            (s.name(l).to_string(), count, names.n(count), *color)
        })
        .collect();
    let end = names.date(report.period.end);
    let status_caption = match l {
        Lang::En => format!("The {} assignments by status on {end}.", names.n(a.total)),
        Lang::Nl => format!("De {} opdrachten per status op {end}.", names.n(a.total)),
    };
    let definitions =
        doc.appendix.iter().find(|s| s.id == "definitions").cloned().unwrap_or_else(|| document::definitions(names));
    Notes {
        status: chart::stack(&parts, 0.0, WHOLE),
        status_caption,
        explanations: document::explanations(report, l),
        definitions,
    }
}
