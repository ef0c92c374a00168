//! The report as one self-contained HTML page laid out like the
//! infographic: key numbers as tiles, a donut of the level shares, the
//! statuses as one stacked bar, bars per theme, the trend as a line chart,
//! the labs, what does not add up, then every table. Charts are inline SVG
//! drawn by the askama template `templates/report.html` from the geometry
//! in `report::chart`; the page makes no requests, needs no JavaScript and
//! prints on A4.

use std::io::Write;

use askama::Template;

use crate::domain::{AssignmentStatus, LabStatus, Lang, Vocabulary};
use crate::error::Result;
use crate::report::Report;
use crate::report::chart::{self, Bars, Donut, LineChart, PALETTE, Segment};
use crate::report::document::{self, Names, Section, tr};

/// Headings and words of the page.
struct Text {
    assignments: &'static str,
    assignments_word: &'static str,
    by_theme: &'static str,
    trend: &'static str,
    no_trend: &'static str,
    labs: &'static str,
    not_adding_up: &'static str,
    details: &'static str,
}

impl Text {
    fn new(l: Lang) -> Text {
        Text {
            assignments: tr(l, "Student assignments", "Studentenopdrachten"),
            assignments_word: tr(l, "assignments", "opdrachten"),
            by_theme: tr(l, "Assignments by theme", "Studentenopdrachten per thema"),
            trend: tr(l, "Trend of assignments by status", "Verloop aantal studentenopdrachten"),
            no_trend: tr(l, "no assignments yet", "nog geen opdrachten"),
            labs: tr(l, "Field labs", "Fieldlabs"),
            not_adding_up: tr(l, "What does not add up, explained", "Wat niet optelt, verklaard"),
            details: tr(l, "All figures", "Alle cijfers"),
        }
    }
}

struct Tile {
    value: String,
    label: String,
}

struct LabCard {
    name: String,
    regions: String,
    status: String,
    status_code: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    lang: &'static str,
    title: String,
    subtitle: String,
    text: Text,
    tiles: Vec<Tile>,
    levels: Donut,
    levels_caption: String,
    status: Vec<Segment>,
    status_caption: String,
    explanation: String,
    themes: Bars,
    trend: LineChart,
    trend_empty: bool,
    trend_caption: String,
    labs: Vec<LabCard>,
    labs_note: String,
    explanations: Vec<String>,
    sections: Vec<Section>,
}

pub fn render(report: &Report, lang: Lang, out: &mut dyn Write) -> Result<()> {
    let page = page(report, lang);
    out.write_all(page.render()?.as_bytes())?;
    writeln!(out)?;
    Ok(())
}

fn page(report: &Report, lang: Lang) -> Page {
    let names = Names::new(report, lang);
    let doc = document::build(report, lang);
    let a = &report.assignments;
    let end = report.period.end;

    let mut tiles: Vec<Tile> = report
        .key_figures
        .list()
        .iter()
        .map(|(field, value)| Tile { value: value.to_string(), label: names.key_figure(field).to_string() })
        .collect();
    tiles.extend(
        report
            .metrics
            .iter()
            .filter(|m| m.name == "linkedin-followers")
            .map(|m| Tile { value: document::metric_value(m.value), label: names.metric(&m.name) }),
    );

    let levels = chart::donut(
        &a.by_level.iter().map(|r| (names.level(&r.value), r.count, r.share.unwrap_or(0))).collect::<Vec<_>>(),
        80.0,
    );
    let levels_caption = match lang {
        Lang::En => {
            format!("Share of all {} assignments by education level (largest remainder, adding up to 100%)", a.total)
        }
        Lang::Nl => format!("Aandeel in alle {} opdrachten per onderwijssoort (grootste rest, samen 100%)", a.total),
    };

    // The statuses the infographic shows first, then those it leaves out.
    let status_order = [
        (AssignmentStatus::Completed, PALETTE[2]),
        (AssignmentStatus::InProgress, PALETTE[0]),
        (AssignmentStatus::Preparation, PALETTE[1]),
        (AssignmentStatus::Cancelled, PALETTE[4]),
        (AssignmentStatus::Unknown, "#9b9b9b"),
    ];
    let status = chart::stack(
        &status_order
            .iter()
            .map(|(s, color)| {
                let count = a.by_status.iter().find(|r| r.value == s.code()).map_or(0, |r| r.count);
                (s.name(lang).to_string(), count, *color)
            })
            .collect::<Vec<_>>(),
        480.0,
    );
    let status_caption = match lang {
        Lang::En => format!("The {} assignments by status on {end}", a.total),
        Lang::Nl => format!("De {} opdrachten per status op {end}", a.total),
    };
    let explanations = document::explanations(report, lang);

    let themes = chart::bars(
        &a.by_theme.iter().map(|r| (names.theme(&r.value), r.count, r.count.to_string())).collect::<Vec<_>>(),
        640.0,
        210.0,
    );

    let points = &report.trend.points;
    let labels: Vec<String> = points.iter().map(|p| p.period.clone()).collect();
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
        (s.name(lang).to_string(), color, values)
    });
    // Label the first period of each year (and the first point) with the year.
    let trend = chart::lines(&labels, &series, |i, label| {
        let year = &label[..4];
        let first_of_year = i == 0 || labels[i - 1][..4] != *year;
        first_of_year.then(|| year.to_string())
    });
    let trend_caption = match lang {
        Lang::En => format!("Assignments per status at the end of each {}, up to {end}", report.trend.step),
        Lang::Nl => format!(
            "Opdrachten per status aan het eind van elk(e) {}, tot {end}",
            if report.trend.step == "month" { "maand" } else { "kwartaal" }
        ),
    };

    let labs = report
        .labs
        .list
        .iter()
        .map(|lab| LabCard {
            name: lab.name.clone(),
            regions: lab.links.iter().map(|r| names.region(r)).collect::<Vec<_>>().join(" / "),
            status: LabStatus::parse(&lab.status).map(|s| s.name(lang).to_string()).unwrap_or(lab.status.clone()),
            status_code: lab.status.clone(),
        })
        .collect();
    let labs_section = doc.sections.iter().find(|s| s.id == "labs");
    let labs_note = labs_section.and_then(|s| s.notes.first()).cloned().unwrap_or_default();

    Page {
        lang: match lang {
            Lang::En => "en",
            Lang::Nl => "nl",
        },
        title: doc.title.clone(),
        subtitle: doc.subtitle.clone(),
        text: Text::new(lang),
        tiles,
        levels,
        levels_caption,
        status,
        status_caption,
        explanation: explanations.first().cloned().unwrap_or_default(),
        themes,
        trend_empty: points.is_empty(),
        trend,
        trend_caption,
        labs,
        labs_note,
        explanations: explanations.into_iter().skip(1).collect(),
        sections: doc.sections.into_iter().filter(|s| s.id != "not-adding-up").collect(),
    }
}
