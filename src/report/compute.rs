//! Computing a [`Report`] from the registry: the figures come from the SQL
//! in `store::report`; this module puts them in a fixed order (vocabulary
//! order, theme order, names), adds the zero rows a stable layout needs,
//! rounds the shares and fills in the trend's quiet periods.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;

use super::model::*;
use super::period::Period;
use super::share::largest_remainder;
use crate::domain::*;
use crate::error::Result;
use crate::store::report::{Bucket, CubeColumn, Lifecycle, LifecycleRow, Snapshot, Tally};

/// The steps of the trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrendStep {
    /// Per quarter
    Quarter,
    /// Per month
    Month,
    /// Per ISO week (Monday to Sunday)
    Week,
}

impl TrendStep {
    fn bucket(self) -> Bucket {
        match self {
            TrendStep::Quarter => Bucket::Quarter,
            TrendStep::Month => Bucket::Month,
            TrendStep::Week => Bucket::Week,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            TrendStep::Quarter => "quarter",
            TrendStep::Month => "month",
            TrendStep::Week => "week",
        }
    }

    /// The step that suits a period: quarters for a year and longer (and for
    /// the year up to a date), months for a period of two months up to a
    /// year (a quarter, a half year), weeks for up to 62 days (a month).
    pub fn for_period(period: &Period) -> TrendStep {
        if period.trend_shows_history() {
            TrendStep::Quarter
        } else if period.days() > 62 {
            TrendStep::Month
        } else {
            TrendStep::Week
        }
    }
}

/// A dimension of assignments for `--by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dimension {
    Theme,
    Level,
    Kind,
    Status,
    Region,
    Lab,
}

impl Dimension {
    fn column(self) -> CubeColumn {
        match self {
            Dimension::Theme => CubeColumn::Theme,
            Dimension::Level => CubeColumn::Level,
            Dimension::Kind => CubeColumn::Kind,
            Dimension::Status => CubeColumn::Status,
            Dimension::Region => CubeColumn::Region,
            Dimension::Lab => CubeColumn::Lab,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Dimension::Theme => "theme",
            Dimension::Level => "level",
            Dimension::Kind => "kind",
            Dimension::Status => "status",
            Dimension::Region => "region",
            Dimension::Lab => "lab",
        }
    }

    /// The word for a missing value: no region, no lab.
    fn missing(self) -> &'static str {
        match self {
            Dimension::Lab => NO_LAB,
            _ => UNKNOWN,
        }
    }
}

/// The value of a region for partners and assignments without one.
pub const UNKNOWN: &str = "unknown";
/// The value of a lab for assignments without one.
pub const NO_LAB: &str = "none";

/// What to compute.
#[derive(Debug, Clone)]
pub struct Options {
    pub period: Period,
    /// `--trend`; `None`: the step that suits the period ([`TrendStep::for_period`]).
    pub trend: Option<TrendStep>,
    /// `--by ROWS,COLUMNS`.
    pub by: Option<(Dimension, Dimension)>,
    /// `--compare YEAR`.
    pub compare: Option<i16>,
    /// How many top partners to list.
    pub top: usize,
}

impl Options {
    pub fn new(period: Period) -> Options {
        Options { period, trend: None, by: None, compare: None, top: 10 }
    }
}

/// Computes the report.
pub fn compute(conn: &Connection, options: &Options) -> Result<Report> {
    let mut report = compute_period(conn, options)?;
    if let Some(year) = options.compare {
        let other = Options { period: options.period.in_year(year)?, by: None, compare: None, ..options.clone() };
        let previous = compute_period(conn, &other)?;
        let key_figures = key_figure_changes(&report.key_figures, &previous.key_figures);
        report.compare = Some(Comparison { period: previous.period, key_figures });
    }
    Ok(report)
}

/// What changed in `report` (computed on `later`) since the registry as it
/// was known at an earlier moment (`earlier`, after `revision`): the
/// assignments of the period and every key figure.
pub fn changes_since(
    report: &Report,
    earlier: &Connection,
    later: &Connection,
    options: &Options,
    since: String,
    revision: i64,
) -> Result<ChangesSince> {
    let then = compute_period(earlier, &Options { by: None, compare: None, ..options.clone() })?;
    Ok(ChangesSince {
        since,
        revision,
        assignments: crate::store::revision::assignment_changes(earlier, later, options.period.end)?,
        key_figures: key_figure_changes(&report.key_figures, &then.key_figures),
    })
}

/// Each key figure of `now` beside its value in `then`.
fn key_figure_changes(now: &KeyFigures, then: &KeyFigures) -> Vec<Change> {
    now.list()
        .iter()
        .zip(then.list())
        .map(|((figure, value), (_, before))| Change {
            figure: figure.to_string(),
            value: *value,
            previous: before,
            change: value - before,
        })
        .collect()
}

/// The rows of a tally in a fixed order of values, with zeros for those
/// missing; values outside the order (none expected) follow, so nothing is
/// ever dropped.
fn ordered(tally: &Tally, order: &[String], missing: &str) -> Vec<Row> {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for (value, n) in tally {
        *counts.entry(value.clone().unwrap_or_else(|| missing.to_string())).or_default() += n;
    }
    let mut rows: Vec<Row> = order.iter().map(|v| Row::new(v.clone(), counts.remove(v).unwrap_or(0))).collect();
    rows.extend(counts.into_iter().map(|(v, n)| Row::new(v, n)));
    rows
}

fn with_shares(mut rows: Vec<Row>) -> Vec<Row> {
    let shares = largest_remainder(&rows.iter().map(|r| r.count).collect::<Vec<_>>());
    for (row, share) in rows.iter_mut().zip(shares) {
        row.share = Some(share);
    }
    rows
}

fn codes<V: Vocabulary>() -> Vec<String> {
    V::ALL.iter().map(|v| v.code().to_string()).collect()
}

fn count_of(rows: &[Row], value: &str) -> i64 {
    rows.iter().find(|r| r.value == value).map_or(0, |r| r.count)
}

/// The fixed order of a dimension's values; labs have none (they are listed by name).
fn order_of(dim: Dimension, themes: &[ThemeName]) -> Vec<String> {
    match dim {
        Dimension::Theme => themes.iter().map(|t| t.code.clone()).collect(),
        Dimension::Level => codes::<Level>(),
        Dimension::Kind => codes::<AssignmentKind>(),
        Dimension::Status => codes::<AssignmentStatus>(),
        Dimension::Region => {
            let mut v = codes::<Region>();
            v.push(UNKNOWN.to_string());
            v
        }
        Dimension::Lab => Vec::new(),
    }
}

fn by_dimension(snapshot: &Snapshot, dim: Dimension, themes: &[ThemeName]) -> Result<Vec<Row>> {
    let tally = snapshot.assignments_by(dim.column())?;
    Ok(ordered(&tally, &order_of(dim, themes), dim.missing()))
}

fn sectors(counts: &BTreeMap<String, i64>) -> Sectors {
    let get = |s: Sector| counts.get(s.code()).copied().unwrap_or(0);
    Sectors {
        government: get(Sector::Government),
        education: get(Sector::Education),
        other: get(Sector::Other),
        total: counts.values().sum(),
    }
}

fn item(row: LifecycleRow) -> Item {
    let mut links = row.links;
    // Regions in their own order (noord, oost, ...), partners by name as stored.
    if links.iter().all(|l| Region::parse(l).is_ok()) {
        links.sort_by_key(|l| Region::parse(l).ok());
    }
    Item { name: row.name, status: row.status, since: row.since.parse().unwrap_or(Date::MIN), kind: row.kind, links }
}

/// Counts of a lifecycle's statuses in vocabulary order.
fn status_rows<S: Vocabulary>(items: &[Item]) -> Vec<Row> {
    codes::<S>()
        .into_iter()
        .map(|s| Row::new(s.clone(), items.iter().filter(|i| i.status == s).count() as i64))
        .collect()
}

fn compute_period(conn: &Connection, options: &Options) -> Result<Report> {
    let period = &options.period;
    let (start, end) = (period.start, period.end);
    let snapshot = Snapshot::take(conn, end)?;

    let themes: Vec<ThemeName> =
        snapshot.themes()?.into_iter().map(|(code, name_en, name_nl)| ThemeName { code, name_en, name_nl }).collect();

    // ---- partners
    let counting = sectors(&snapshot.partners_counting()?);
    let mut region_rows: Vec<RegionSectors> = order_of(Dimension::Region, &themes)
        .into_iter()
        .map(|value| RegionSectors { value, government: 0, education: 0, other: 0 })
        .collect();
    for (region, sector, n) in snapshot.partners_by_region()? {
        let value = region.unwrap_or_else(|| UNKNOWN.to_string());
        if let Some(row) = region_rows.iter_mut().find(|r| r.value == value) {
            match sector.as_str() {
                "government" => row.government += n,
                "education" => row.education += n,
                _ => row.other += n,
            }
        }
    }
    let partners = Partners {
        education_by_level: ordered(&snapshot.education_partners_by_level()?, &codes::<Level>(), UNKNOWN),
        by_region: region_rows,
        joined_in_period: sectors(&snapshot.partners_joined_since(start)?),
        counting: counting.clone(),
    };

    // ---- assignments
    let total = snapshot.assignments()?;
    let by_status = with_shares(by_dimension(&snapshot, Dimension::Status, &themes)?);
    let firsts: HashMap<String, i64> =
        snapshot.first_changes_between(start)?.into_iter().filter_map(|(s, n)| s.map(|s| (s, n))).collect();
    let first = |s: AssignmentStatus| firsts.get(s.code()).copied().unwrap_or(0);
    let in_period = InPeriod {
        registered: snapshot.registered_since(start)?,
        started: first(AssignmentStatus::InProgress),
        completed: first(AssignmentStatus::Completed),
        cancelled: first(AssignmentStatus::Cancelled),
    };
    let lab_tally = snapshot.assignments_by(CubeColumn::Lab)?;
    let mut by_lab: Vec<Row> =
        lab_tally.iter().filter_map(|(lab, n)| lab.as_ref().map(|lab| Row::new(lab.clone(), *n))).collect();
    by_lab.sort_by(|a, b| a.value.to_lowercase().cmp(&b.value.to_lowercase()).then(a.value.cmp(&b.value)));
    let without_lab: i64 = lab_tally.iter().filter(|(lab, _)| lab.is_none()).map(|(_, n)| n).sum();
    by_lab.push(Row::new(NO_LAB, without_lab));
    let top = |education| -> Result<Vec<Row>> {
        Ok(snapshot.top_partners(education, options.top)?.into_iter().map(|(name, n)| Row::new(name, n)).collect())
    };
    let assignments = Assignments {
        total,
        in_period,
        by_level: with_shares(by_dimension(&snapshot, Dimension::Level, &themes)?),
        by_theme: with_shares(by_dimension(&snapshot, Dimension::Theme, &themes)?),
        by_kind: with_shares(by_dimension(&snapshot, Dimension::Kind, &themes)?),
        by_region: by_dimension(&snapshot, Dimension::Region, &themes)?,
        by_lab,
        top_government_partners: top(false)?,
        top_education_partners: top(true)?,
        by_status,
    };

    // ---- students
    let students_by_kind =
        ordered(&snapshot.students_helped_by(CubeColumn::Kind)?, &codes::<AssignmentKind>(), UNKNOWN);
    let (unique, with_identifiers, assignments_helped) = snapshot.unique_students()?;
    let students = Students {
        helped: students_by_kind.iter().map(|r| r.count).sum(),
        unique_from_identifiers: unique,
        assignments_with_identifiers: with_identifiers,
        assignments_helped,
        to_internship: count_of(&students_by_kind, AssignmentKind::Internship.code()),
        by_level: ordered(&snapshot.students_helped_by(CubeColumn::Level)?, &codes::<Level>(), UNKNOWN),
        by_kind: students_by_kind,
    };

    // ---- labs
    let lab_list: Vec<Item> = snapshot.lifecycle(Lifecycle::Lab)?.into_iter().map(item).collect();
    let lab_status = status_rows::<LabStatus>(&lab_list);
    let mut lab_regions: Vec<RegionLabs> = codes::<Region>()
        .into_iter()
        .map(|value| RegionLabs { value, active: 0, in_formation: 0, closed: 0 })
        .collect();
    for (region, status, n) in snapshot.labs_by_region()? {
        if let Some(row) = lab_regions.iter_mut().find(|r| r.value == region) {
            match LabStatus::parse(&status) {
                Ok(LabStatus::Active) => row.active += n,
                Ok(LabStatus::InFormation) => row.in_formation += n,
                _ => row.closed += n,
            }
        }
    }
    let active_during = snapshot.labs_active_during(start)?;
    let labs = Labs {
        active: count_of(&lab_status, LabStatus::Active.code()),
        in_formation: count_of(&lab_status, LabStatus::InFormation.code()),
        closed: count_of(&lab_status, LabStatus::Closed.code()),
        active_during_period: active_during.len() as i64,
        by_status: lab_status,
        by_region: lab_regions,
        list: lab_list,
    };

    // ---- communities, curricula, chairs
    let community_list: Vec<Item> = snapshot.lifecycle(Lifecycle::Community)?.into_iter().map(item).collect();
    let community_status = status_rows::<CommunityStatus>(&community_list);
    let closed_communities = count_of(&community_status, CommunityStatus::Closed.code());
    let communities = Communities {
        counted: community_list.len() as i64 - closed_communities,
        by_status: community_status,
        list: community_list,
    };
    let curriculum_list: Vec<Item> = snapshot.lifecycle(Lifecycle::Curriculum)?.into_iter().map(item).collect();
    let curricula = Initiatives { by_status: status_rows::<CurriculumStatus>(&curriculum_list), list: curriculum_list };
    let chair_list: Vec<Item> = snapshot.lifecycle(Lifecycle::Chair)?.into_iter().map(item).collect();
    let chairs = Initiatives { by_status: status_rows::<ChairStatus>(&chair_list), list: chair_list };

    // ---- PhDs, activities, questions, metrics
    let theme_order: Vec<String> = themes.iter().map(|t| t.code.clone()).collect();
    let started_by_theme: Vec<Row> = ordered(&snapshot.phds_started_by_theme(start)?, &theme_order, UNKNOWN)
        .into_iter()
        .filter(|r| r.count > 0)
        .collect();
    let phds = Phds {
        started: started_by_theme.iter().map(|r| r.count).sum(),
        started_by_theme,
        at_work: snapshot.phds_at_work()?,
    };

    let mut by_kind: Vec<ActivityKindRow> = codes::<ActivityKind>()
        .into_iter()
        .map(|value| ActivityKindRow {
            value,
            count: 0,
            participants: 0,
            government_participants: 0,
            participants_unknown: 0,
        })
        .collect();
    for (kind, count, participants, government_participants, participants_unknown) in
        snapshot.activities_by_kind(start)?
    {
        if let Some(row) = by_kind.iter_mut().find(|r| r.value == kind) {
            *row = ActivityKindRow { value: kind, count, participants, government_participants, participants_unknown };
        }
    }
    let kind_sum = |kinds: &[ActivityKind], f: fn(&ActivityKindRow) -> i64| -> i64 {
        by_kind.iter().filter(|r| kinds.iter().any(|k| k.code() == r.value)).map(f).sum()
    };
    let activities = Activities {
        course_government_participants: kind_sum(&[ActivityKind::Course, ActivityKind::SummerCourse], |r| {
            r.government_participants
        }),
        conference_participants: kind_sum(&[ActivityKind::Conference], |r| r.participants),
        list: snapshot
            .activities(start)?
            .into_iter()
            .map(|a| ActivityItem {
                name: a.name,
                kind: a.kind,
                starts_on: a.starts_on.parse().unwrap_or(Date::MIN),
                participants: a.participants,
                government_participants: a.government_participants,
            })
            .collect(),
        by_kind,
    };

    let mut question_themes: Vec<QuestionTheme> =
        theme_order.iter().map(|t| QuestionTheme { value: t.clone(), taken_up: 0, open: 0 }).collect();
    let mut asked_in_period = 0;
    for (theme, taken_up, n, in_period) in snapshot.questions(start)? {
        asked_in_period += in_period;
        if let Some(row) = question_themes.iter_mut().find(|r| r.value == theme) {
            if taken_up {
                row.taken_up += n;
            } else {
                row.open += n;
            }
        }
    }
    question_themes.retain(|r| r.taken_up + r.open > 0);
    let taken_up: i64 = question_themes.iter().map(|r| r.taken_up).sum();
    let open: i64 = question_themes.iter().map(|r| r.open).sum();
    let questions = Questions { asked: taken_up + open, asked_in_period, taken_up, open, by_theme: question_themes };

    let metrics = snapshot
        .metrics(period.metric_year)?
        .into_iter()
        .map(|(n, value)| Metric { name: n.name, name_en: n.name_en, name_nl: n.name_nl, unit: n.unit, value })
        .collect();

    // ---- trend
    let step = options.trend.unwrap_or_else(|| TrendStep::for_period(period));
    let trend = Trend { step: step.code().to_string(), points: trend_points(&snapshot, period, step)? };

    // ---- what does not add up
    let status_count = |s: AssignmentStatus| count_of(&assignments.by_status, s.code());
    let (completed, preparation, in_progress, cancelled) = (
        status_count(AssignmentStatus::Completed),
        status_count(AssignmentStatus::Preparation),
        status_count(AssignmentStatus::InProgress),
        status_count(AssignmentStatus::Cancelled),
    );
    let cancelled_after_start = snapshot.cancelled_after_start()?;
    let students_all: i64 = snapshot.students_by_status()?.iter().map(|t| t.1).sum();
    let mut partner_reasons: HashMap<String, Vec<String>> = HashMap::new();
    for (why, name) in snapshot.partners_not_counting()? {
        partner_reasons.entry(why).or_default().push(name);
    }
    let mut reason = |why: &str| partner_reasons.remove(why).unwrap_or_default();
    let not_adding_up = NotAddingUp {
        assignments: AssignmentsExplained {
            total,
            completed,
            preparation,
            in_progress,
            shown: completed + preparation + in_progress,
            cancelled,
            cancelled_before_start: cancelled - cancelled_after_start,
            cancelled_after_start,
            unknown: status_count(AssignmentStatus::Unknown),
            students_not_helped: students_all - students.helped,
        },
        labs: LabsExplained {
            existing: labs.list.len() as i64,
            active: labs.active,
            in_formation: labs.in_formation,
            closed: labs.closed,
            no_longer_active: active_during
                .iter()
                .filter(|name| labs.list.iter().any(|l| &l.name == *name && l.status != LabStatus::Active.code()))
                .cloned()
                .collect(),
            active_during_period: active_during,
        },
        communities: CommunitiesExplained {
            existing: communities.list.len() as i64,
            counted: communities.counted,
            closed: closed_communities,
        },
        partners: PartnersExplained {
            counting: counting.total,
            left: reason("left"),
            no_joined_date: reason("no_joined_date"),
        },
    };

    // ---- the cross table
    let cross = match options.by {
        Some((rows, columns)) => Some(cross_table(&snapshot, rows, columns, &themes)?),
        None => None,
    };

    let key_figures = KeyFigures {
        government_partners: counting.government,
        education_partners: counting.education,
        assignments: total,
        assignments_completed: completed,
        assignments_in_preparation: preparation,
        assignments_in_progress: in_progress,
        students_helped: students.helped,
        students_to_internship: students.to_internship,
        active_labs: labs.active,
        labs_in_formation: labs.in_formation,
        communities: communities.counted,
        phds_started: phds.started,
        course_government_participants: activities.course_government_participants,
        conference_participants: activities.conference_participants,
    };

    Ok(Report {
        report_version: REPORT_VERSION,
        period: period.clone(),
        themes,
        key_figures,
        partners,
        assignments,
        students,
        labs,
        communities,
        phds,
        activities,
        curricula,
        chairs,
        questions,
        metrics,
        trend,
        not_adding_up,
        cross,
        compare: None,
        changes_since: None,
        known_on: None,
    })
}

/// The status counts at the end of every trend period up to the report's
/// end date: from the first status change when the trend shows the whole
/// history, else from the period's start (see
/// [`Period::trend_shows_history`]). Periods without changes carry the
/// counts before them.
fn trend_points(snapshot: &Snapshot, period: &Period, step: TrendStep) -> Result<Vec<TrendPoint>> {
    let bucket = step.bucket();
    let mut changes: BTreeMap<i64, Vec<(String, i64)>> = BTreeMap::new();
    for (index, status, count) in snapshot.trend(bucket)? {
        changes.entry(index).or_default().push((status, count));
    }
    // From the period of the first change; no change yet, no trend.
    let Some(first) = changes.keys().next().copied() else { return Ok(Vec::new()) };
    let shown_from = if period.trend_shows_history() { first } else { first.max(bucket.index(period.start)) };
    let mut current: HashMap<String, i64> = HashMap::new();
    let mut points = Vec::new();
    for index in first..=bucket.index(period.end) {
        for (status, count) in changes.remove(&index).unwrap_or_default() {
            current.insert(status, count);
        }
        if index < shown_from {
            continue;
        }
        let (label, last_day) = bucket.label(index);
        let get = |s: AssignmentStatus| current.get(s.code()).copied().unwrap_or(0);
        points.push(TrendPoint {
            period: label,
            end: last_day.min(period.end),
            preparation: get(AssignmentStatus::Preparation),
            in_progress: get(AssignmentStatus::InProgress),
            completed: get(AssignmentStatus::Completed),
            cancelled: get(AssignmentStatus::Cancelled),
            unknown: get(AssignmentStatus::Unknown),
        });
    }
    Ok(points)
}

fn cross_table(snapshot: &Snapshot, rows: Dimension, columns: Dimension, themes: &[ThemeName]) -> Result<Cross> {
    let cells = snapshot.assignments_cross(rows.column(), columns.column())?;
    type Cell = (Option<String>, Option<String>, i64);
    let values = |dim: Dimension, pick: &dyn Fn(&Cell) -> &Option<String>| {
        let mut order = order_of(dim, themes);
        if order.is_empty() {
            // Labs: those that occur, by name, then assignments without a lab.
            let mut names: Vec<String> = cells.iter().filter_map(|c| pick(c).clone()).collect();
            names.sort_by_key(|n| n.to_lowercase());
            names.dedup();
            order = names;
            order.push(dim.missing().to_string());
        }
        order
    };
    let row_values = values(rows, &|c| &c.0);
    let column_values = values(columns, &|c| &c.1);
    let mut table = vec![vec![0; column_values.len()]; row_values.len()];
    for (r, c, n) in &cells {
        let r = r.clone().unwrap_or_else(|| rows.missing().to_string());
        let c = c.clone().unwrap_or_else(|| columns.missing().to_string());
        if let (Some(i), Some(j)) =
            (row_values.iter().position(|v| *v == r), column_values.iter().position(|v| *v == c))
        {
            table[i][j] += n;
        }
    }
    Ok(Cross {
        rows: rows.code().to_string(),
        columns: columns.code().to_string(),
        row_values,
        column_values,
        cells: table,
    })
}
