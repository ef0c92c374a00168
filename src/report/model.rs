//! The report as plain data: what `--format json` prints, and what every
//! other format is rendered from. Field names are stable English; values
//! of a vocabulary are its codes (`in_progress`, `HBO`, `noord`), themes
//! their codes (names are in `themes`). `schema/report.schema.json`
//! documents each field; change both together, and raise
//! [`REPORT_VERSION`] when a field changes meaning or disappears.

use serde::Serialize;

use super::period::Period;
use crate::domain::Date;

/// The version of the report's JSON layout.
pub const REPORT_VERSION: u32 = 1;

/// Every figure of the yearly report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub report_version: u32,
    pub period: Period,
    /// The themes, in display order, with their names.
    pub themes: Vec<ThemeName>,
    /// The infographic's headline numbers (each also in its section below).
    pub key_figures: KeyFigures,
    pub partners: Partners,
    pub assignments: Assignments,
    pub students: Students,
    pub labs: Labs,
    pub communities: Communities,
    pub phds: Phds,
    pub activities: Activities,
    pub curricula: Initiatives,
    pub chairs: Initiatives,
    pub questions: Questions,
    /// The communication figures of `period.metric_year`.
    pub metrics: Vec<Metric>,
    pub trend: Trend,
    /// What explains the totals that do not add up at first sight.
    pub not_adding_up: NotAddingUp,
    /// `--by`: assignments existing on the end date by two dimensions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross: Option<Cross>,
    /// `--compare`: the key figures of another year and the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<Comparison>,
    /// `--changes-since`: what the registry learned since an earlier moment
    /// that changes this period's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes_since: Option<ChangesSince>,
    /// `--known-on`, as given: the figures are those the registry knew then.
    /// Not in the JSON, so that a report given again as known on the day it
    /// was published is that report, byte for byte.
    #[serde(skip)]
    pub known_on: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeName {
    pub code: String,
    pub name_en: String,
    pub name_nl: String,
}

/// A value of a dimension with its count, and where it applies its
/// percentage of the section's total (largest remainder: the shares of one
/// list add up to exactly 100 when the total is not zero).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub value: String,
    pub count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<u32>,
}

impl Row {
    pub fn new(value: impl Into<String>, count: i64) -> Row {
        Row { value: value.into(), count, share: None }
    }
}

/// The headline numbers, named as the figures of the infographic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyFigures {
    pub government_partners: i64,
    pub education_partners: i64,
    pub assignments: i64,
    pub assignments_completed: i64,
    pub assignments_in_preparation: i64,
    pub assignments_in_progress: i64,
    pub students_helped: i64,
    pub students_to_internship: i64,
    pub active_labs: i64,
    pub labs_in_formation: i64,
    pub communities: i64,
    pub phds_started: i64,
    pub course_government_participants: i64,
    pub conference_participants: i64,
}

impl KeyFigures {
    /// (field name, value) in display order.
    pub fn list(&self) -> [(&'static str, i64); 14] {
        [
            ("government_partners", self.government_partners),
            ("education_partners", self.education_partners),
            ("assignments", self.assignments),
            ("assignments_completed", self.assignments_completed),
            ("assignments_in_preparation", self.assignments_in_preparation),
            ("assignments_in_progress", self.assignments_in_progress),
            ("students_helped", self.students_helped),
            ("students_to_internship", self.students_to_internship),
            ("active_labs", self.active_labs),
            ("labs_in_formation", self.labs_in_formation),
            ("communities", self.communities),
            ("phds_started", self.phds_started),
            ("course_government_participants", self.course_government_participants),
            ("conference_participants", self.conference_participants),
        ]
    }
}

/// Counts per sector.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sectors {
    pub government: i64,
    pub education: i64,
    pub other: i64,
    pub total: i64,
}

/// Partners counting in a region, per sector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionSectors {
    /// A region code, or `unknown` for partners without a region.
    pub value: String,
    pub government: i64,
    pub education: i64,
    pub other: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Partners {
    /// Partners counting on the end date: joined on or before it, not left.
    pub counting: Sectors,
    /// Education partners counting on the end date, by level.
    pub education_by_level: Vec<Row>,
    /// Partners counting on the end date, by region.
    pub by_region: Vec<RegionSectors>,
    /// Partners whose joining date lies in the period.
    pub joined_in_period: Sectors,
}

/// Assignments registered, and whose first change of a kind lies, in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InPeriod {
    /// Registration date (`registered_on`) in the period; without one, the
    /// first status change.
    pub registered: i64,
    /// First change to in progress in the period.
    pub started: i64,
    /// First change to completed in the period.
    pub completed: i64,
    /// First change to cancelled in the period.
    pub cancelled: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assignments {
    /// Assignments existing on the end date: their first status change is on or before it.
    pub total: i64,
    /// By status on the end date; shares of `total`.
    pub by_status: Vec<Row>,
    pub in_period: InPeriod,
    /// By education level; shares of `total`.
    pub by_level: Vec<Row>,
    /// By theme code, in theme order; shares of `total`.
    pub by_theme: Vec<Row>,
    /// By kind; shares of `total`.
    pub by_kind: Vec<Row>,
    /// By the region of the education partner, else of the government partner (`unknown`: neither has one).
    pub by_region: Vec<Row>,
    /// By lab name (labs with assignments, by name), then `none` for those without a lab.
    pub by_lab: Vec<Row>,
    /// Government partners with the most assignments (name, count).
    pub top_government_partners: Vec<Row>,
    /// Education partners with the most assignments (name, count).
    pub top_education_partners: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Students {
    /// Students on assignments in progress or completed on the end date.
    pub helped: i64,
    /// The same, internships only.
    pub to_internship: i64,
    /// Distinct students on the assignments counted for `helped`, told
    /// apart by the pseudonyms of the student identifiers imports gave;
    /// assignments without identifiers add none.
    pub unique_from_identifiers: i64,
    /// Of the assignments counted for `helped`, those with student identifiers.
    pub assignments_with_identifiers: i64,
    /// The assignments counted for `helped` (in progress or completed on the end date).
    pub assignments_helped: i64,
    /// Students helped, by level.
    pub by_level: Vec<Row>,
    /// Students helped, by kind of assignment.
    pub by_kind: Vec<Row>,
}

/// A lab, community, curriculum or chair with its status on the end date.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub name: String,
    pub status: String,
    /// The day that status began.
    pub since: Date,
    /// Curricula and chairs: their kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Labs: their regions; curricula and chairs: their partners.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
}

/// Labs in one region, by status on the end date (a lab in two regions counts in both).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionLabs {
    pub value: String,
    pub active: i64,
    pub in_formation: i64,
    pub closed: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Labs {
    pub active: i64,
    pub in_formation: i64,
    pub closed: i64,
    /// Labs active at some time during the period (also those closed before its end).
    pub active_during_period: i64,
    pub by_status: Vec<Row>,
    pub by_region: Vec<RegionLabs>,
    /// The labs existing on the end date, by name.
    pub list: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Communities {
    /// Communities existing on the end date and not closed.
    pub counted: i64,
    pub by_status: Vec<Row>,
    pub list: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phds {
    /// PhD candidates whose start date lies in the period.
    pub started: i64,
    /// Those started, by theme code (themes with candidates).
    pub started_by_theme: Vec<Row>,
    /// Candidates at work on the end date (started, not ended).
    pub at_work: i64,
}

/// Activities of one kind that started during the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityKindRow {
    pub value: String,
    pub count: i64,
    /// Participants in all (where known).
    pub participants: i64,
    /// Participants from government (where known).
    pub government_participants: i64,
    /// Activities whose number of participants is not known.
    pub participants_unknown: i64,
}

/// One activity that started during the period.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityItem {
    pub name: String,
    pub kind: String,
    pub starts_on: Date,
    pub participants: Option<i64>,
    pub government_participants: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Activities {
    pub by_kind: Vec<ActivityKindRow>,
    /// Government participants of courses and summer courses.
    pub course_government_participants: i64,
    /// Participants of conferences.
    pub conference_participants: i64,
    pub list: Vec<ActivityItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Initiatives {
    pub by_status: Vec<Row>,
    pub list: Vec<Item>,
}

/// Questions of one theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionTheme {
    pub value: String,
    pub taken_up: i64,
    pub open: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Questions {
    /// Questions asked on or before the end date.
    pub asked: i64,
    /// Of those, asked during the period.
    pub asked_in_period: i64,
    /// Taken up by the end date (by an assignment or lab existing then, or a PhD started by then).
    pub taken_up: i64,
    pub open: i64,
    pub by_theme: Vec<QuestionTheme>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Metric {
    pub name: String,
    /// The labels it was declared with (`ipart metric add`).
    pub name_en: String,
    pub name_nl: String,
    /// `count` or `percent`.
    pub unit: String,
    pub value: f64,
}

/// The number of assignments in each status at the end of one period of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// "2023-Q4", "2023-12" or "2023-W52" (ISO week).
    pub period: String,
    /// The date counted on: the period's last day, or the report's end date for the last one.
    pub end: Date,
    pub preparation: i64,
    pub in_progress: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub unknown: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// `quarter`, `month` or `week`.
    pub step: String,
    /// Up to the report's end date: from the period of the first status
    /// change, or for a half year, quarter, month or a range shorter than a
    /// year from the step the period starts in (`Period::trend_shows_history`).
    pub points: Vec<TrendPoint>,
}

/// How the assignment total splits into the statuses the infographic shows and those it does not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignmentsExplained {
    pub total: i64,
    pub completed: i64,
    pub preparation: i64,
    pub in_progress: i64,
    /// completed + preparation + in progress: what the infographic shows.
    pub shown: i64,
    pub cancelled: i64,
    /// Cancelled before they had started.
    pub cancelled_before_start: i64,
    /// Cancelled after they had been in progress.
    pub cancelled_after_start: i64,
    /// With an unknown status (sources that never recorded one).
    pub unknown: i64,
    /// Students on assignments that do not count as helped (in preparation, cancelled or unknown).
    pub students_not_helped: i64,
}

/// Labs existing on the end date (a lab added with a later history does not
/// show: that would change a past report).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabsExplained {
    pub existing: i64,
    pub active: i64,
    pub in_formation: i64,
    pub closed: i64,
    /// Active at some time during the period.
    pub active_during_period: Vec<String>,
    /// Active during the period but no longer on the end date.
    pub no_longer_active: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommunitiesExplained {
    pub existing: i64,
    pub counted: i64,
    pub closed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
/// Partners that do not count on the end date. Those joining later are
/// left out: a partner added afterwards must not change a past report.
pub struct PartnersExplained {
    pub counting: i64,
    /// Joined, then left on or before the end date.
    pub left: Vec<String>,
    /// Without a joining date (undated, so never counted).
    pub no_joined_date: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotAddingUp {
    pub assignments: AssignmentsExplained,
    pub labs: LabsExplained,
    pub communities: CommunitiesExplained,
    pub partners: PartnersExplained,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cross {
    /// The dimension of the rows (`theme`, `level`, `kind`, `status`, `region`, `lab`).
    pub rows: String,
    pub columns: String,
    pub row_values: Vec<String>,
    pub column_values: Vec<String>,
    /// `cells[i][j]`: assignments with row value i and column value j.
    pub cells: Vec<Vec<i64>>,
}

/// One key figure in two periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// A field name of `key_figures`.
    pub figure: String,
    pub value: i64,
    pub previous: i64,
    pub change: i64,
}

/// What the registry learned between an earlier moment and the moment the
/// report is taken at (now, or `--known-on`), for this period.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesSince {
    /// The earlier moment, as given (`2024-02-15`).
    pub since: String,
    /// The last revision the registry had made by then (0: none yet).
    pub revision: i64,
    /// How the assignments existing on the end date differ.
    pub assignments: crate::store::revision::AssignmentChanges,
    /// Every key figure, then (`previous`) and now (`value`).
    pub key_figures: Vec<Change>,
}

impl ChangesSince {
    /// Whether nothing the report shows changed.
    pub fn is_empty(&self) -> bool {
        let a = &self.assignments;
        a.added == 0
            && a.removed == 0
            && a.status_changed == 0
            && a.details_changed == 0
            && self.key_figures.iter().all(|k| k.change == 0)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The period compared with.
    pub period: Period,
    pub key_figures: Vec<Change>,
}
