//! The report for a spreadsheet: a sheet per section, each a column of
//! titled tables ("blocks") whose cells keep their type (a count, a share,
//! a date, text), in English or Dutch. The xlsx workbook writes these
//! sheets with typed cells and native charts; `--excel` writes the same
//! blocks as one semicolon CSV, so both show the same tables.

use crate::domain::*;
use crate::report::Report;
use crate::report::document::{self, Names, tr};
use crate::report::model::*;
use crate::report::period::Basis;

/// One cell, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A whole percentage (64 is 64%).
    Share(u32),
    Date(Date),
    /// A figure that may have decimals (communication figures).
    Number(f64),
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

/// The kinds of chart a block can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Column,
    Bar,
    Pie,
    Line,
}

/// A native chart of a block: categories from one column, one series per
/// value column.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    pub categories: usize,
    pub values: Vec<usize>,
}

/// A titled table.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub chart: Option<Chart>,
}

impl Block {
    fn new(title: impl Into<String>, header: &[&str]) -> Block {
        Block {
            title: title.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            chart: None,
        }
    }

    fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    fn chart(mut self, kind: ChartKind, title: impl Into<String>, values: &[usize]) -> Block {
        self.chart = Some(Chart { kind, title: title.into(), categories: 0, values: values.to_vec() });
        self
    }

    /// A block of sentences, one per row.
    fn text(title: impl Into<String>, header: &str, lines: &[String]) -> Block {
        let mut b = Block::new(title, &[header]);
        for line in lines {
            b.row(vec![Cell::text(line)]);
        }
        b
    }
}

/// One sheet: a name (at most 31 characters, as Excel allows), a title and its blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// The report's sheets, in the order of the report.
pub fn build(report: &Report, lang: Lang) -> Vec<Sheet> {
    let names = Names::new(report, lang);
    let mut sheets = vec![
        key_figures(report, &names),
        partners(report, &names),
        assignments(report, &names),
        students(report, &names),
        labs(report, &names),
        communities(report, &names),
        phds(report, &names),
        activities(report, &names),
        initiatives(report, &names, false),
        initiatives(report, &names, true),
        questions(report, &names),
        communication(report, &names),
        trend(report, &names),
        not_adding_up(report, &names),
    ];
    sheets.extend(cross(report, &names));
    sheets.extend(compare(report, &names));
    sheets.push(about(report, &names));
    sheets
}

fn sheet(name: &str, title: impl Into<String>, blocks: Vec<Block>) -> Sheet {
    Sheet { name: name.chars().take(31).collect(), title: title.into(), blocks }
}

/// The name of a code of vocabulary `V`, or the code itself.
fn vocab<V: Vocabulary>(code: &str, lang: Lang) -> String {
    V::parse(code).map(|v| v.name(lang).to_string()).unwrap_or_else(|_| code.to_string())
}

/// A block of (value, count[, share]) rows.
fn rows_block(title: String, header: &[&str], rows: &[Row], name: impl Fn(&str) -> String) -> Block {
    let mut b = Block::new(title, header);
    for r in rows {
        let mut cells = vec![Cell::Text(name(&r.value)), Cell::Int(r.count)];
        if header.len() > 2 {
            cells.push(r.share.map(Cell::Share).unwrap_or(Cell::Empty));
        }
        b.row(cells);
    }
    b
}

/// A block of (label, number) rows.
fn figures(title: String, header: [&str; 2], rows: &[(&str, i64)]) -> Block {
    let mut b = Block::new(title, &header);
    for (label, n) in rows {
        b.row(vec![Cell::text(*label), Cell::Int(*n)]);
    }
    b
}

fn key_figures(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let mut figures =
        Block::new(tr(l, "Key figures", "Kerncijfers"), &[tr(l, "figure", "cijfer"), tr(l, "value", "waarde")]);
    for (field, value) in report.key_figures.list() {
        figures.row(vec![Cell::text(names.key_figure(field)), Cell::Int(value)]);
    }
    let levels = rows_block(
        tr(l, "Share of assignments by education level", "Aandeel opdrachten per onderwijssoort").into(),
        &[tr(l, "level", "onderwijssoort"), tr(l, "assignments", "opdrachten"), tr(l, "share", "aandeel")],
        &report.assignments.by_level,
        |v| names.level(v),
    );
    sheet(tr(l, "Key figures", "Kerncijfers"), document::title(report, l), vec![figures, levels])
}

fn partners(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let p = &report.partners;
    let (gov, edu, other) =
        (tr(l, "government", "rijksoverheid"), tr(l, "education", "onderwijs"), tr(l, "other", "overig"));
    let mut sectors = Block::new(
        tr(l, "Partners by sector", "Partners per sector"),
        &[tr(l, "partners", "partners"), gov, edu, other, tr(l, "total", "totaal")],
    );
    for (label, s) in [
        (tr(l, "counting on the end date", "tellend op de einddatum"), &p.counting),
        (tr(l, "joined during the period", "toegetreden in de periode"), &p.joined_in_period),
    ] {
        sectors.row(vec![
            Cell::text(label),
            Cell::Int(s.government),
            Cell::Int(s.education),
            Cell::Int(s.other),
            Cell::Int(s.total),
        ]);
    }
    let levels = rows_block(
        tr(l, "Education partners by level", "Onderwijspartners per onderwijssoort").into(),
        &[tr(l, "level", "onderwijssoort"), tr(l, "partners", "partners")],
        &p.education_by_level,
        |v| names.level(v),
    );
    let mut regions =
        Block::new(tr(l, "Partners by region", "Partners per regio"), &[tr(l, "region", "regio"), gov, edu, other]);
    for r in &p.by_region {
        regions.row(vec![
            Cell::Text(names.region(&r.value)),
            Cell::Int(r.government),
            Cell::Int(r.education),
            Cell::Int(r.other),
        ]);
    }
    sheet("Partners", tr(l, "Partners", "Partners"), vec![sectors, levels, regions])
}

fn assignments(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let a = &report.assignments;
    let count = tr(l, "assignments", "opdrachten");
    let share = tr(l, "share", "aandeel");
    let title = |en: &str, nl: &str| match l {
        Lang::En => format!("Assignments {en}"),
        Lang::Nl => format!("Opdrachten {nl}"),
    };
    let mut in_period = Block::new(
        title("during the period (first change of that kind)", "in de periode (eerste wijziging van die soort)"),
        &[tr(l, "what", "wat"), count],
    );
    for (label, v) in [
        (tr(l, "registered", "geregistreerd"), a.in_period.registered),
        (tr(l, "started", "gestart"), a.in_period.started),
        (tr(l, "completed", "afgerond"), a.in_period.completed),
        (tr(l, "cancelled", "geannuleerd"), a.in_period.cancelled),
    ] {
        in_period.row(vec![Cell::text(label), Cell::Int(v)]);
    }
    let head = |dim: &'static str, with_share: bool| -> Vec<&str> {
        let mut h = vec![dim, count];
        if with_share {
            h.push(share);
        }
        h
    };
    let blocks = vec![
        rows_block(
            title("by status on the end date", "per status op de einddatum"),
            &head(tr(l, "status", "status"), true),
            &a.by_status,
            |v| names.status(v),
        )
        .chart(ChartKind::Column, tr(l, "Assignments by status", "Opdrachten per status"), &[1]),
        in_period,
        rows_block(
            title("by education level", "per onderwijssoort"),
            &head(tr(l, "level", "onderwijssoort"), true),
            &a.by_level,
            |v| names.level(v),
        )
        .chart(ChartKind::Pie, tr(l, "Assignments by education level", "Opdrachten per onderwijssoort"), &[1]),
        rows_block(title("by theme", "per thema"), &head(tr(l, "theme", "thema"), true), &a.by_theme, |v| {
            names.theme(v)
        })
        .chart(ChartKind::Bar, tr(l, "Assignments by theme", "Opdrachten per thema"), &[1]),
        rows_block(title("by kind", "per soort"), &head(tr(l, "kind", "soort"), true), &a.by_kind, |v| names.kind(v)),
        rows_block(
            title(
                "by region (of the education partner, else of the government partner)",
                "per regio (van de onderwijspartner, anders van de overheidspartner)",
            ),
            &head(tr(l, "region", "regio"), false),
            &a.by_region,
            |v| names.region(v),
        ),
        rows_block(title("by lab", "per lab"), &head(tr(l, "lab", "lab"), false), &a.by_lab, |v| names.lab(v)),
        rows_block(
            tr(l, "Government partners with the most assignments", "Overheidspartners met de meeste opdrachten").into(),
            &head(tr(l, "partner", "partner"), false),
            &a.top_government_partners,
            str::to_string,
        ),
        rows_block(
            tr(l, "Education partners with the most assignments", "Onderwijspartners met de meeste opdrachten").into(),
            &head(tr(l, "partner", "partner"), false),
            &a.top_education_partners,
            str::to_string,
        ),
    ];
    let sheet_title = match l {
        Lang::En => format!("Assignments: {} existing on {}", a.total, report.period.end),
        Lang::Nl => format!("Opdrachten: {} op {}", a.total, report.period.end),
    };
    sheet(tr(l, "Assignments", "Opdrachten"), sheet_title, blocks)
}

fn students(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let s = &report.students;
    let number = tr(l, "students", "studenten");
    let helped = figures(
        tr(l, "Students helped", "Geholpen studenten").into(),
        [tr(l, "figure", "cijfer"), number],
        &[
            (names.key_figure("students_helped"), s.helped),
            (names.key_figure("students_to_internship"), s.to_internship),
        ],
    );
    let unique = figures(
        tr(l, "Unique students (from student identifiers)", "Unieke studenten (uit studentnummers)").into(),
        [tr(l, "figure", "cijfer"), tr(l, "number", "aantal")],
        &[
            (
                tr(l, "Unique students (from student identifiers)", "Unieke studenten (uit studentnummers)"),
                s.unique_from_identifiers,
            ),
            (
                tr(
                    l,
                    "Assignments of students helped, with student identifiers",
                    "Opdrachten van geholpen studenten, met studentnummers",
                ),
                s.assignments_with_identifiers,
            ),
            (
                tr(l, "Assignments of students helped, in all", "Opdrachten van geholpen studenten, totaal"),
                s.assignments_helped,
            ),
        ],
    );
    let blocks = vec![
        helped,
        rows_block(
            tr(l, "Students helped, by level", "Geholpen studenten per onderwijssoort").into(),
            &[tr(l, "level", "onderwijssoort"), number],
            &s.by_level,
            |v| names.level(v),
        ),
        rows_block(
            tr(l, "Students helped, by kind of assignment", "Geholpen studenten per soort opdracht").into(),
            &[tr(l, "kind", "soort"), number],
            &s.by_kind,
            |v| names.kind(v),
        ),
        unique,
    ];
    sheet(tr(l, "Students", "Studenten"), tr(l, "Students", "Studenten"), blocks)
}

/// A list of labs, communities, curricula or chairs: name, [kind,] [links,] status, since.
fn item_block<S: Vocabulary, K: Vocabulary>(
    title: String,
    l: Lang,
    items: &[Item],
    links: Option<&str>,
    kinds: bool,
) -> Block {
    let mut head = vec![tr(l, "name", "naam")];
    if kinds {
        head.push(tr(l, "kind", "soort"));
    }
    head.extend(links);
    head.extend([tr(l, "status", "status"), tr(l, "since", "sinds")]);
    let mut b = Block::new(title, &head);
    for i in items {
        let mut row = vec![Cell::text(&i.name)];
        if kinds {
            row.push(Cell::Text(i.kind.as_deref().map(|k| vocab::<K>(k, l)).unwrap_or_default()));
        }
        if links.is_some() {
            let shown: Vec<String> = i
                .links
                .iter()
                .map(|r| if Region::parse(r).is_ok() { vocab::<Region>(r, l) } else { r.clone() })
                .collect();
            row.push(Cell::Text(shown.join(", ")));
        }
        row.extend([Cell::Text(vocab::<S>(&i.status, l)), Cell::Date(i.since)]);
        b.row(row);
    }
    b
}

/// Counts by status, with the status names of vocabulary `S`.
fn status_block<S: Vocabulary>(title: String, l: Lang, what: &str, rows: &[Row]) -> Block {
    rows_block(title, &[tr(l, "status", "status"), what], rows, |v| vocab::<S>(v, l))
}

fn labs(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let labs = &report.labs;
    let list = item_block::<LabStatus, LabStatus>(
        tr(l, "Labs on the end date", "Labs op de einddatum").into(),
        l,
        &labs.list,
        Some(tr(l, "regions", "regio's")),
        false,
    );
    let mut by_status = status_block::<LabStatus>(
        tr(l, "Labs by status on the end date", "Labs per status op de einddatum").into(),
        l,
        "labs",
        &labs.by_status,
    );
    by_status.row(vec![
        Cell::text(tr(l, "active at some time during the period", "ergens in de periode actief")),
        Cell::Int(labs.active_during_period),
    ]);
    let mut regions = Block::new(
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
        regions.row(vec![
            Cell::Text(names.region(&r.value)),
            Cell::Int(r.active),
            Cell::Int(r.in_formation),
            Cell::Int(r.closed),
        ]);
    }
    sheet("Labs", tr(l, "Labs", "Labs"), vec![by_status, list, regions])
}

fn communities(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let c = &report.communities;
    let mut by_status = status_block::<CommunityStatus>(
        tr(l, "Communities by status on the end date", "Communities per status op de einddatum").into(),
        l,
        "communities",
        &c.by_status,
    );
    by_status.row(vec![
        Cell::text(tr(l, "counted (existing and not closed)", "geteld (bestaand en niet gesloten)")),
        Cell::Int(c.counted),
    ]);
    let list = item_block::<CommunityStatus, CommunityStatus>(
        tr(l, "Communities on the end date", "Communities op de einddatum").into(),
        l,
        &c.list,
        None,
        false,
    );
    sheet("Communities", "Communities", vec![by_status, list])
}

fn phds(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let p = &report.phds;
    let counts = figures(
        tr(l, "PhD candidates", "Promovendi").into(),
        [tr(l, "figure", "cijfer"), tr(l, "number", "aantal")],
        &[
            (tr(l, "started during the period", "gestart in de periode"), p.started),
            (tr(l, "at work on the end date", "aan het werk op de einddatum"), p.at_work),
        ],
    );
    let by_theme = rows_block(
        tr(l, "PhD candidates started during the period, by theme", "Promovendi gestart in de periode, per thema")
            .into(),
        &[tr(l, "theme", "thema"), tr(l, "started", "gestart")],
        &p.started_by_theme,
        |v| names.theme(v),
    );
    sheet(
        tr(l, "PhD candidates", "Promovendi"),
        tr(l, "Dual PhD candidates", "Duale promovendi"),
        vec![counts, by_theme],
    )
}

fn activities(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let a = &report.activities;
    let (participants, government) = (tr(l, "participants", "deelnemers"), tr(l, "from government", "van de overheid"));
    let totals = figures(
        tr(l, "Participants", "Deelnemers").into(),
        [tr(l, "figure", "cijfer"), tr(l, "number", "aantal")],
        &[
            (names.key_figure("course_government_participants"), a.course_government_participants),
            (names.key_figure("conference_participants"), a.conference_participants),
        ],
    );
    let mut by_kind = Block::new(
        tr(
            l,
            "Courses and events that started during the period, by kind",
            "Cursussen en evenementen gestart in de periode, per soort",
        ),
        &[
            tr(l, "kind", "soort"),
            tr(l, "number", "aantal"),
            participants,
            government,
            tr(l, "participants unknown", "deelnemers onbekend"),
        ],
    );
    for r in &a.by_kind {
        by_kind.row(vec![
            Cell::Text(vocab::<ActivityKind>(&r.value, l)),
            Cell::Int(r.count),
            Cell::Int(r.participants),
            Cell::Int(r.government_participants),
            Cell::Int(r.participants_unknown),
        ]);
    }
    let mut list = Block::new(
        tr(l, "Courses and events that started during the period", "Cursussen en evenementen gestart in de periode"),
        &[tr(l, "date", "datum"), tr(l, "name", "naam"), tr(l, "kind", "soort"), participants, government],
    );
    let opt = |v: Option<i64>| v.map(Cell::Int).unwrap_or(Cell::Empty);
    for i in &a.list {
        list.row(vec![
            Cell::Date(i.starts_on),
            Cell::text(&i.name),
            Cell::Text(vocab::<ActivityKind>(&i.kind, l)),
            opt(i.participants),
            opt(i.government_participants),
        ]);
    }
    let name = tr(l, "Courses and events", "Cursussen en evenementen");
    sheet(name, name, vec![totals, by_kind, list])
}

/// Curricula, or (`chairs`) lectorates and chairs.
fn initiatives(report: &Report, names: &Names, chairs: bool) -> Sheet {
    let l = names.lang;
    let (name, title) = if chairs {
        (tr(l, "Chairs", "Leerstoelen"), tr(l, "Lectorates and chairs", "Lectoraten en leerstoelen"))
    } else {
        ("Curricula", tr(l, "Curricula (minors, masters, post-masters)", "Curricula (minoren, masters, post-masters)"))
    };
    let partners = Some(tr(l, "partners", "partners"));
    let (list, by_status) = if chairs {
        let c = &report.chairs;
        (
            item_block::<ChairStatus, ChairKind>(title.into(), l, &c.list, partners, true),
            status_block::<ChairStatus>(
                format!("{title}: {}", tr(l, "by status", "per status")),
                l,
                name,
                &c.by_status,
            ),
        )
    } else {
        let c = &report.curricula;
        (
            item_block::<CurriculumStatus, CurriculumKind>(title.into(), l, &c.list, partners, true),
            status_block::<CurriculumStatus>(
                format!("{title}: {}", tr(l, "by status", "per status")),
                l,
                name,
                &c.by_status,
            ),
        )
    };
    sheet(name, title, vec![by_status, list])
}

fn questions(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let q = &report.questions;
    let counts = figures(
        tr(l, "Research questions", "Onderzoeksvragen").into(),
        [tr(l, "figure", "cijfer"), tr(l, "questions", "vragen")],
        &[
            (tr(l, "asked by the end date", "gesteld tot de einddatum"), q.asked),
            (tr(l, "asked during the period", "gesteld in de periode"), q.asked_in_period),
            (tr(l, "taken up", "opgepakt"), q.taken_up),
            (tr(l, "open", "open"), q.open),
        ],
    );
    let mut by_theme = Block::new(
        tr(l, "Research questions by theme", "Onderzoeksvragen per thema"),
        &[tr(l, "theme", "thema"), tr(l, "taken up", "opgepakt"), tr(l, "open", "open")],
    );
    for r in &q.by_theme {
        by_theme.row(vec![Cell::Text(names.theme(&r.value)), Cell::Int(r.taken_up), Cell::Int(r.open)]);
    }
    sheet(
        tr(l, "Questions", "Vragen"),
        tr(l, "Knowledge portfolio: research questions", "Kennisportfolio: onderzoeksvragen"),
        vec![counts, by_theme],
    )
}

fn communication(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let year = report.period.metric_year;
    let mut b = Block::new(
        match l {
            Lang::En => format!("Communication figures {year}"),
            Lang::Nl => format!("Communicatiecijfers {year}"),
        },
        &[tr(l, "figure", "cijfer"), tr(l, "value", "waarde")],
    );
    for m in &report.metrics {
        // A whole number stays an integer; 75.5 stays 75.5.
        let value = if m.value.fract() == 0.0 && m.value.abs() < 1e15 {
            Cell::Int(m.value as i64)
        } else {
            Cell::Number(m.value)
        };
        b.row(vec![Cell::Text(names.metric(m)), value]);
    }
    let name = tr(l, "Communication", "Communicatie");
    sheet(name, name, vec![b])
}

fn trend(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    // "elk kwartaal" but "elke maand", "elke week".
    let (step, each) = match report.trend.step.as_str() {
        "month" => (tr(l, "month", "maand"), tr(l, "each month", "elke maand")),
        "week" => (tr(l, "week", "week"), tr(l, "each week", "elke week")),
        _ => (tr(l, "quarter", "kwartaal"), tr(l, "each quarter", "elk kwartaal")),
    };
    let title = match l {
        Lang::En => format!("Assignments in each status at the end of {each}, up to {}", report.period.end),
        Lang::Nl => format!("Opdrachten per status aan het eind van {each}, tot {}", report.period.end),
    };
    let statuses = [
        AssignmentStatus::Preparation,
        AssignmentStatus::InProgress,
        AssignmentStatus::Completed,
        AssignmentStatus::Cancelled,
        AssignmentStatus::Unknown,
    ];
    let mut head = vec![step, tr(l, "counted on", "geteld op")];
    head.extend(statuses.iter().map(|s| s.name(l)));
    let mut b = Block::new(title, &head);
    for p in &report.trend.points {
        b.row(vec![
            Cell::text(&p.period),
            Cell::Date(p.end),
            Cell::Int(p.preparation),
            Cell::Int(p.in_progress),
            Cell::Int(p.completed),
            Cell::Int(p.cancelled),
            Cell::Int(p.unknown),
        ]);
    }
    // The infographic's lines: in preparation, in progress, completed.
    let b = b.chart(
        ChartKind::Line,
        tr(l, "Assignments by status over time", "Opdrachten per status in de tijd"),
        &[2, 3, 4],
    );
    sheet(tr(l, "Trend", "Verloop"), tr(l, "Trend", "Verloop"), vec![b])
}

fn not_adding_up(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let x = &report.not_adding_up;
    let a = &x.assignments;
    let status = |s: AssignmentStatus| s.name(l);
    let assignments = figures(
        tr(l, "Assignments: how the total splits", "Opdrachten: hoe het totaal is opgebouwd").into(),
        [tr(l, "figure", "cijfer"), tr(l, "assignments", "opdrachten")],
        &[
            (tr(l, "total", "totaal"), a.total),
            (status(AssignmentStatus::Completed), a.completed),
            (status(AssignmentStatus::Preparation), a.preparation),
            (status(AssignmentStatus::InProgress), a.in_progress),
            (
                tr(l, "shown in the infographic (the three above)", "getoond in de infographic (de drie hierboven)"),
                a.shown,
            ),
            (status(AssignmentStatus::Cancelled), a.cancelled),
            (
                tr(l, "of which cancelled before they started", "waarvan geannuleerd voor de start"),
                a.cancelled_before_start,
            ),
            (
                tr(l, "of which cancelled after they started", "waarvan geannuleerd na de start"),
                a.cancelled_after_start,
            ),
            (status(AssignmentStatus::Unknown), a.unknown),
            (
                tr(
                    l,
                    "students on assignments that do not count as helped",
                    "studenten op opdrachten die niet als geholpen tellen",
                ),
                a.students_not_helped,
            ),
        ],
    );
    let (lb, c) = (&x.labs, &x.communities);
    let others = figures(
        tr(l, "Labs and communities", "Labs en communities").into(),
        [tr(l, "figure", "cijfer"), tr(l, "number", "aantal")],
        &[
            (tr(l, "labs existing on the end date", "labs op de einddatum"), lb.existing),
            (tr(l, "labs active", "labs actief"), lb.active),
            (tr(l, "labs in formation", "labs in oprichting"), lb.in_formation),
            (tr(l, "labs closed", "labs gesloten"), lb.closed),
            (
                tr(l, "labs active at some time during the period", "labs ergens in de periode actief"),
                lb.active_during_period.len() as i64,
            ),
            (tr(l, "communities existing on the end date", "communities op de einddatum"), c.existing),
            (tr(l, "communities counted", "communities geteld"), c.counted),
            (tr(l, "communities closed", "communities gesloten"), c.closed),
            (tr(l, "partners counting on the end date", "partners tellend op de einddatum"), x.partners.counting),
        ],
    );
    let explained = Block::text(
        tr(l, "Explained", "Toelichting"),
        tr(l, "explanation", "toelichting"),
        &document::explanations(report, l),
    );
    let name = tr(l, "Not adding up", "Wat niet optelt");
    sheet(
        name,
        tr(l, "What does not add up, explained", "Wat niet optelt, verklaard"),
        vec![assignments, others, explained],
    )
}

fn cross(report: &Report, names: &Names) -> Option<Sheet> {
    let c = report.cross.as_ref()?;
    let l = names.lang;
    let corner = format!("{} \\ {}", names.dimension(&c.rows), names.dimension(&c.columns));
    let columns: Vec<String> = c.column_values.iter().map(|v| names.dimension_value(&c.columns, v)).collect();
    let total = tr(l, "total", "totaal");
    let mut head: Vec<&str> = vec![&corner];
    head.extend(columns.iter().map(String::as_str));
    head.push(total);
    let title = match l {
        Lang::En => format!("Assignments by {} and {}", names.dimension(&c.rows), names.dimension(&c.columns)),
        Lang::Nl => format!("Opdrachten per {} en {}", names.dimension(&c.rows), names.dimension(&c.columns)),
    };
    let mut b = Block::new(title.clone(), &head);
    for (value, cells) in c.row_values.iter().zip(&c.cells) {
        let mut row = vec![Cell::Text(names.dimension_value(&c.rows, value))];
        row.extend(cells.iter().map(|v| Cell::Int(*v)));
        row.push(Cell::Int(cells.iter().sum()));
        b.row(row);
    }
    let mut totals = vec![Cell::text(total)];
    totals.extend((0..c.column_values.len()).map(|j| Cell::Int(c.cells.iter().map(|r| r[j]).sum())));
    totals.push(Cell::Int(c.cells.iter().flatten().sum()));
    b.row(totals);
    Some(sheet(tr(l, "Cross table", "Kruistabel"), title, vec![b]))
}

fn compare(report: &Report, names: &Names) -> Option<Sheet> {
    let c = report.compare.as_ref()?;
    let l = names.lang;
    let mut b = Block::new(
        match l {
            Lang::En => format!("Key figures {} against {}", report.period.label, c.period.label),
            Lang::Nl => format!("Kerncijfers {} tegenover {}", report.period.label, c.period.label),
        },
        &[tr(l, "figure", "cijfer"), &report.period.label, &c.period.label, tr(l, "change", "verschil")],
    );
    for k in &c.key_figures {
        b.row(vec![
            Cell::text(names.key_figure(&k.figure)),
            Cell::Int(k.value),
            Cell::Int(k.previous),
            Cell::Int(k.change),
        ]);
    }
    let name = tr(l, "Comparison", "Vergelijking");
    Some(sheet(name, name, vec![b]))
}

/// The name of a period's basis.
pub fn basis_name(basis: Basis, l: Lang) -> &'static str {
    match basis {
        Basis::CalendarYear => tr(l, "calendar year", "kalenderjaar"),
        Basis::AcademicYear => tr(l, "academic year", "studiejaar"),
        Basis::AsOf => tr(l, "year up to a date", "jaar tot een datum"),
        Basis::HalfYear => tr(l, "half year", "halfjaar"),
        Basis::Quarter => tr(l, "quarter", "kwartaal"),
        Basis::Month => tr(l, "month", "maand"),
        Basis::Range => tr(l, "from a date to a date", "van datum tot datum"),
    }
}

fn about(report: &Report, names: &Names) -> Sheet {
    let l = names.lang;
    let p = &report.period;
    let mut period = Block::new(tr(l, "Period", "Periode"), &[tr(l, "what", "wat"), tr(l, "value", "waarde")]);
    period.row(vec![Cell::text(tr(l, "kind of period", "soort periode")), Cell::text(basis_name(p.basis, l))]);
    period.row(vec![Cell::text(tr(l, "period", "periode")), Cell::text(&p.label)]);
    period.row(vec![Cell::text(tr(l, "first day", "eerste dag")), Cell::Date(p.start)]);
    period.row(vec![Cell::text(tr(l, "last day (state on)", "laatste dag (stand op)")), Cell::Date(p.end)]);
    period.row(vec![
        Cell::text(tr(l, "communication figures of", "communicatiecijfers van")),
        Cell::Int(i64::from(p.metric_year)),
    ]);
    let definitions = document::definitions(names);
    let defined = Block::text(definitions.title.clone(), tr(l, "definition", "definitie"), &definitions.notes);
    let name = tr(l, "Definitions", "Definities");
    sheet(name, document::subtitle(report, l), vec![period, defined])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_fit_excel_and_are_unique() {
        let report = crate::report::render::tests::demo_report();
        for lang in [Lang::En, Lang::Nl] {
            let sheets = build(report, lang);
            let mut seen = std::collections::HashSet::new();
            for s in &sheets {
                assert!(
                    s.name.chars().count() <= 31 && !s.name.contains(['[', ']', ':', '*', '?', '/', '\\']),
                    "{}",
                    s.name
                );
                assert!(seen.insert(s.name.to_lowercase()), "{} twice", s.name);
                for b in &s.blocks {
                    assert!(b.rows.iter().all(|r| r.len() == b.header.len()), "{}: {}", s.name, b.title);
                }
            }
            assert_eq!(sheets.len(), 17, "with --by and --compare");
        }
    }
}
