//! Status histories put together from what files say, and merged with what
//! the registry holds. No SQL here: a history is a list of changes in date
//! order, and merging is a function of (recorded, file) that gives the
//! merged history or the contradiction, so that other rules (the order of
//! a lifecycle) can check its result.
//!
//! What a history asserts (`docs/import.md`, "Late and re-sent files"):
//!
//! * each change: the status on its day;
//! * between two consecutive changes: that the status stayed what the
//!   first says. A file asserts that of all its changes. The registry
//!   asserts it of two consecutive changes one import or one command
//!   recorded together (the same revision); two changes recorded by
//!   different imports say nothing about what happened between them, as
//!   each import knew only its own;
//! * after the last change: nothing (the file knows nothing after it, and
//!   neither does the registry about its last change).
//!
//! A change of one side that the other side's assertions contradict is a
//! contradiction; otherwise every change of both sides is kept, in date
//! order, and a status repeated by the next change collapses into the
//! earliest (a file's change that repeats the status in force adds
//! nothing; a recorded change that a file's earlier change of the same
//! status precedes moves to that earlier day). Importing consistent files
//! in any order then ends in the same history.

use super::records::StatusChange;
use super::vocab::{Lifecycle, Vocabulary};

/// The history a foreign file gives: its current status since its day,
/// preceded by the milestones of the mapping's `[history]` (each status
/// with the day a column gives for it). Milestones after the current
/// status's day are plans, not history, and are left out; on that day the
/// current status wins; two milestones on one day leave the later status
/// of the lifecycle (the vocabulary's order). Consecutive changes to one
/// status collapse into the earliest.
pub fn with_milestones<S: Vocabulary>(
    mut milestones: Vec<StatusChange<S>>,
    current: StatusChange<S>,
) -> Vec<StatusChange<S>> {
    // In place: a bulk import builds one history per row.
    milestones.retain(|m| m.since < current.since);
    milestones.sort_by_key(|m| (m.since, std::cmp::Reverse(position(m.status))));
    milestones.dedup_by_key(|m| m.since);
    milestones.push(current);
    collapse(milestones)
}

/// The position of a status in its lifecycle (the vocabulary's order).
fn position<S: Vocabulary>(status: S) -> usize {
    S::ALL.iter().position(|s| *s == status).unwrap_or(usize::MAX)
}

/// A history without a change that repeats the status before it: each run
/// of one status keeps its earliest day.
pub fn collapse<S: Vocabulary>(mut history: Vec<StatusChange<S>>) -> Vec<StatusChange<S>> {
    history.dedup_by(|later, earlier| later.status == earlier.status);
    history
}

/// One change of a merged history: from the registry (with the revision
/// that recorded it), or new from the file (`revision` is `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<S> {
    pub change: StatusChange<S>,
    pub revision: Option<i64>,
}

impl<S> Entry<S> {
    pub fn recorded(change: StatusChange<S>, revision: i64) -> Self {
        Entry { change, revision: Some(revision) }
    }
}

/// Why a file's history cannot be merged with the recorded one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contradiction<S> {
    /// The file has `file`, where the registry has `recorded`: on that
    /// very day, or from `recorded` until `until`, two changes one import
    /// or command recorded together.
    FileChange { file: StatusChange<S>, recorded: StatusChange<S>, until: Option<StatusChange<S>> },
    /// The registry has `recorded` where the file says its status stayed
    /// the same, from `from` until `until`: a change the file says never
    /// happened.
    RecordedChange { recorded: StatusChange<S>, from: StatusChange<S>, until: StatusChange<S> },
}

impl<S: Vocabulary> Contradiction<S> {
    /// The change of the file the contradiction is about (for the column
    /// it came from): the file's own, or the end of its span.
    pub fn file_change(&self) -> StatusChange<S> {
        match self {
            Contradiction::FileChange { file, .. } => *file,
            Contradiction::RecordedChange { until, .. } => *until,
        }
    }

    /// Both sides, for a message: `in_progress from 2023-03-01, but the
    /// registry has preparation from 2023-01-10 until completed on
    /// 2023-07-01 (recorded together by one import or command)`.
    pub fn describe(&self) -> String {
        match self {
            Contradiction::FileChange { file, recorded, until: None } => format!(
                "the file has {} on {}, but the registry has {} on that day",
                file.status.code(),
                file.since,
                recorded.status.code()
            ),
            Contradiction::FileChange { file, recorded, until: Some(until) } => format!(
                "the file has {} from {}, but the registry has {} from {} until {} on {} (two changes recorded together, by one import or command)",
                file.status.code(),
                file.since,
                recorded.status.code(),
                recorded.since,
                until.status.code(),
                until.since
            ),
            Contradiction::RecordedChange { recorded, from, until } => format!(
                "the file has {} from {} until {} on {}, but the registry has {} from {}, a change the file says never happened",
                from.status.code(),
                from.since,
                until.status.code(),
                until.since,
                recorded.status.code(),
                recorded.since
            ),
        }
    }
}

/// The change of `history` whose assertion covers `day`: the change on
/// that day, or the one before it when `spans` says the status is known
/// to have lasted until the next change.
fn covering<T>(
    history: &[T],
    day: super::Date,
    since: impl Fn(&T) -> super::Date,
    spans: impl Fn(usize) -> bool,
) -> Option<usize> {
    let after = history.partition_point(|c| since(c) <= day);
    let i = after.checked_sub(1)?;
    (since(&history[i]) == day || (i + 1 < history.len() && spans(i))).then_some(i)
}

/// Merges a file's history into the recorded one (both in date order, one
/// change per day): the merged history, each change marked with where it
/// comes from, or the first contradiction between them (see the module's
/// documentation for the rule).
pub fn merge<S: Vocabulary>(
    recorded: &[Entry<S>],
    file: &[StatusChange<S>],
) -> Result<Vec<Entry<S>>, Contradiction<S>> {
    let file = collapse(file.to_vec());
    // Two recorded changes bound a known span when one revision wrote both
    // (revision 0, "known from the start", tells nothing of the sort).
    let recorded_span = |i: usize| {
        let (a, b) = (recorded[i].revision, recorded[i + 1].revision);
        a.is_some() && a == b && a != Some(0)
    };
    for change in &file {
        if let Some(i) = covering(recorded, change.since, |e| e.change.since, recorded_span)
            && recorded[i].change.status != change.status
        {
            let same_day = recorded[i].change.since == change.since;
            return Err(Contradiction::FileChange {
                file: *change,
                recorded: recorded[i].change,
                until: if same_day { None } else { Some(recorded[i + 1].change) },
            });
        }
    }
    for entry in recorded {
        let change = entry.change;
        if let Some(j) = covering(&file, change.since, |c| c.since, |_| true)
            && file[j].status != change.status
        {
            // The same day is the case above, seen from the file's side.
            return Err(Contradiction::RecordedChange { recorded: change, from: file[j], until: file[j + 1] });
        }
    }
    // Both lists in date order, one change per day (on a shared day both
    // say the same status by now): the recorded change stays.
    let mut union: Vec<Entry<S>> = Vec::with_capacity(recorded.len() + file.len());
    let (mut r, mut f) = (0, 0);
    while r < recorded.len() || f < file.len() {
        match (recorded.get(r), file.get(f)) {
            (Some(a), Some(b)) if a.change.since <= b.since => {
                if a.change.since == b.since {
                    f += 1;
                }
                union.push(*a);
                r += 1;
            }
            (_, Some(b)) => {
                union.push(Entry { change: *b, revision: None });
                f += 1;
            }
            (Some(a), None) => {
                union.push(*a);
                r += 1;
            }
            (None, None) => break,
        }
    }
    let mut merged: Vec<Entry<S>> = Vec::with_capacity(union.len());
    for entry in union {
        if let Some(last) = merged.last()
            && last.change.status == entry.change.status
        {
            match (last.revision, entry.revision) {
                // The registry's own repeats stay as they are.
                (Some(_), Some(_)) => {}
                // A file's change repeating the status in force adds
                // nothing; a recorded one after a file's earlier change of
                // the same status gives way to it.
                _ => continue,
            }
        }
        merged.push(entry);
    }
    Ok(merged)
}

/// Two changes of a history out of lifecycle order: `first`, the earlier
/// by date, belongs to a later stage than `second` (completed before in
/// preparation), or both are alternative ends (completed, then cancelled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfOrder<S> {
    pub first: StatusChange<S>,
    pub second: StatusChange<S>,
}

impl<S: Lifecycle> OutOfOrder<S> {
    /// `completed on 2013-06-30 comes before in preparation on 2023-01-10,
    /// out of lifecycle order (an assignment is in preparation, then ...)`.
    pub fn describe(&self) -> String {
        format!(
            "{} on {} comes before {} on {}, out of lifecycle order ({} is {})",
            self.first.status.name_en(),
            self.first.since,
            self.second.status.name_en(),
            self.second.since,
            S::RECORD,
            S::order()
        )
    }
}

/// The pairs of changes of `history` (in date order) that break the order
/// of its lifecycle, as indexes: each change of a stage against the change
/// of a stage before it (a status of no stage, `unknown`, may come
/// anywhere). A status repeated is in order.
pub fn out_of_order<S: Lifecycle>(history: &[StatusChange<S>]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut before: Option<(usize, u8)> = None;
    for (i, change) in history.iter().enumerate() {
        let Some(stage) = change.status.stage() else { continue };
        if let Some((j, earlier)) = before
            && (stage < earlier || (stage == earlier && history[j].status != change.status))
        {
            pairs.push((j, i));
        }
        before = Some((i, stage));
    }
    pairs
}

/// The first pair of `history` out of lifecycle order of which `new` says
/// at least one change is new: what a command or a file is about to add
/// is judged, not a disorder the registry already holds.
pub fn first_out_of_order<S: Lifecycle>(
    history: &[StatusChange<S>],
    new: impl Fn(usize) -> bool,
) -> Option<OutOfOrder<S>> {
    out_of_order(history)
        .into_iter()
        .find(|&(a, b)| new(a) || new(b))
        .map(|(a, b)| OutOfOrder { first: history[a], second: history[b] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AssignmentStatus::{self, *};

    fn h(entries: &[(&str, AssignmentStatus)]) -> Vec<StatusChange<AssignmentStatus>> {
        entries.iter().map(|(d, s)| StatusChange { since: d.parse().unwrap(), status: *s }).collect()
    }

    /// Recorded entries, each with its revision.
    fn r(entries: &[(&str, AssignmentStatus, i64)]) -> Vec<Entry<AssignmentStatus>> {
        entries
            .iter()
            .map(|(d, s, rev)| Entry::recorded(StatusChange { since: d.parse().unwrap(), status: *s }, *rev))
            .collect()
    }

    fn changes(merged: &[Entry<AssignmentStatus>]) -> Vec<StatusChange<AssignmentStatus>> {
        merged.iter().map(|e| e.change).collect()
    }

    #[test]
    fn milestones_before_the_current_status_become_its_history() {
        let current = h(&[("2023-09-16", Completed)])[0];
        let milestones = h(&[("2023-01-10", Preparation), ("2023-03-01", InProgress)]);
        assert_eq!(
            with_milestones(milestones, current),
            h(&[("2023-01-10", Preparation), ("2023-03-01", InProgress), ("2023-09-16", Completed)])
        );
        // A start date after the current day is a plan.
        let current = h(&[("2023-02-01", Cancelled)])[0];
        let milestones = h(&[("2023-01-10", Preparation), ("2023-03-01", InProgress)]);
        assert_eq!(with_milestones(milestones, current), h(&[("2023-01-10", Preparation), ("2023-02-01", Cancelled)]));
        // In progress since a later day than the start date: the start date.
        let current = h(&[("2023-03-08", InProgress)])[0];
        let milestones = h(&[("2023-03-01", InProgress), ("2023-01-10", Preparation)]);
        assert_eq!(with_milestones(milestones, current), h(&[("2023-01-10", Preparation), ("2023-03-01", InProgress)]));
        // Created and started on one day: the later status of the lifecycle.
        let current = h(&[("2023-06-01", Completed)])[0];
        let milestones = h(&[("2023-01-10", InProgress), ("2023-01-10", Preparation)]);
        assert_eq!(with_milestones(milestones, current), h(&[("2023-01-10", InProgress), ("2023-06-01", Completed)]));
        // On the current status's day, the current status.
        let current = h(&[("2023-01-10", Cancelled)])[0];
        assert_eq!(with_milestones(h(&[("2023-01-10", Preparation)]), current), h(&[("2023-01-10", Cancelled)]));
    }

    #[test]
    fn an_older_file_adds_what_happened_before_the_recorded_change() {
        // The tracker's case: a newer export first, then the older one.
        let recorded = r(&[("2024-02-03", Completed, 1)]);
        let merged = merge(&recorded, &h(&[("2023-09-16", InProgress)])).unwrap();
        assert_eq!(changes(&merged), h(&[("2023-09-16", InProgress), ("2024-02-03", Completed)]));
        assert_eq!(merged[0].revision, None, "new from the file");
        assert_eq!(merged[1].revision, Some(1), "kept");
    }

    #[test]
    fn a_file_adds_what_happened_between_changes_recorded_by_different_imports() {
        let recorded = r(&[("2023-01-10", Preparation, 1), ("2023-07-01", Completed, 2)]);
        let merged = merge(&recorded, &h(&[("2023-03-01", InProgress)])).unwrap();
        assert_eq!(
            changes(&merged),
            h(&[("2023-01-10", Preparation), ("2023-03-01", InProgress), ("2023-07-01", Completed)])
        );
    }

    #[test]
    fn two_statuses_for_the_same_time_are_a_contradiction() {
        // One import recorded in progress from March until completed in July.
        let recorded =
            r(&[("2023-01-10", Preparation, 1), ("2023-03-01", InProgress, 1), ("2023-07-01", Completed, 1)]);
        let err = merge(&recorded, &h(&[("2023-05-01", Cancelled)])).unwrap_err();
        assert_eq!(
            err.describe(),
            "the file has cancelled from 2023-05-01, but the registry has in_progress from 2023-03-01 until completed on 2023-07-01 (two changes recorded together, by one import or command)"
        );
        assert_eq!(err.file_change(), h(&[("2023-05-01", Cancelled)])[0]);
        // The same day.
        let err = merge(&recorded, &h(&[("2023-03-01", Cancelled)])).unwrap_err();
        assert_eq!(
            err.describe(),
            "the file has cancelled on 2023-03-01, but the registry has in_progress on that day"
        );
    }

    #[test]
    fn a_recorded_change_the_file_says_never_happened_is_a_contradiction() {
        let recorded = r(&[("2023-01-10", Preparation, 1), ("2023-03-01", InProgress, 2)]);
        let file = h(&[("2023-01-10", Preparation), ("2023-05-01", Cancelled)]);
        let err = merge(&recorded, &file).unwrap_err();
        assert_eq!(
            err.describe(),
            "the file has preparation from 2023-01-10 until cancelled on 2023-05-01, but the registry has in_progress from 2023-03-01, a change the file says never happened"
        );
        assert_eq!(err.file_change(), file[1]);
    }

    #[test]
    fn repeats_collapse_into_the_earliest_day() {
        // A status dated by the import date adds nothing when it is in force.
        let recorded = r(&[("2023-01-10", Preparation, 1), ("2023-03-01", InProgress, 1)]);
        assert_eq!(merge(&recorded, &h(&[("2024-01-15", InProgress)])).unwrap(), recorded);
        assert_eq!(merge(&recorded, &h(&[("2023-04-15", InProgress)])).unwrap(), recorded);
        // A file that knows an earlier start moves the recorded change.
        let recorded = r(&[("2023-03-08", InProgress, 1)]);
        let merged = merge(&recorded, &h(&[("2023-01-10", Preparation), ("2023-03-01", InProgress)])).unwrap();
        assert_eq!(changes(&merged), h(&[("2023-01-10", Preparation), ("2023-03-01", InProgress)]));
        assert!(merged.iter().all(|e| e.revision.is_none()), "the recorded 2023-03-08 gave way");
        // The registry's own repeats stay.
        let recorded = r(&[("2023-01-10", Preparation, 1), ("2023-02-10", Preparation, 2)]);
        assert_eq!(merge(&recorded, &h(&[("2023-01-10", Preparation)])).unwrap(), recorded);
    }

    #[test]
    fn a_lifecycle_goes_forward() {
        let ok = h(&[("2023-01-10", Preparation), ("2023-03-01", InProgress), ("2023-07-01", Completed)]);
        assert!(out_of_order(&ok).is_empty());
        // Stages may be skipped, a status repeated, and unknown comes anywhere.
        let ok = h(&[
            ("2023-01-10", Unknown),
            ("2023-02-01", Preparation),
            ("2023-03-01", Unknown),
            ("2023-04-01", Cancelled),
        ]);
        assert!(out_of_order(&ok).is_empty());
        assert!(out_of_order(&h(&[("2023-01-10", InProgress), ("2023-02-01", InProgress)])).is_empty());
        // The tracker's case: a typo for 2023 puts completed first.
        let typo = h(&[("2013-06-30", Completed), ("2023-01-10", Preparation), ("2024-02-01", InProgress)]);
        assert_eq!(out_of_order(&typo), [(0, 1)]);
        let found = first_out_of_order(&typo, |i| i == 0).unwrap();
        assert_eq!(
            found.describe(),
            "completed on 2013-06-30 comes before in preparation on 2023-01-10, out of lifecycle order (an assignment is \
             in preparation, then in progress, then completed or cancelled; unknown at any point)"
        );
        // A disorder the registry holds already is not blamed on a new change after it.
        assert_eq!(first_out_of_order(&typo, |i| i == 2), None);
        // Back a stage across an unknown, and two ends.
        assert_eq!(
            out_of_order(&h(&[("2023-01-10", InProgress), ("2023-02-01", Unknown), ("2023-03-01", Preparation)])),
            [(0, 2)]
        );
        assert_eq!(out_of_order(&h(&[("2023-01-10", Completed), ("2023-02-01", Cancelled)])), [(0, 1)]);
    }

    #[test]
    fn the_same_file_again_changes_nothing() {
        let file = h(&[("2023-01-10", Preparation), ("2023-03-01", InProgress), ("2023-07-01", Completed)]);
        let recorded: Vec<Entry<AssignmentStatus>> = file.iter().map(|c| Entry::recorded(*c, 4)).collect();
        assert_eq!(merge(&recorded, &file).unwrap(), recorded);
        assert_eq!(merge(&recorded, &file[..2]).unwrap(), recorded);
        assert_eq!(changes(&merge(&[], &file).unwrap()), file);
    }

    /// Importing consistent exports in any order ends in the same history
    /// as importing them in date order, and none is refused.
    mod order {
        use super::*;
        use proptest::prelude::*;

        type History = Vec<StatusChange<AssignmentStatus>>;

        /// A true history: up to five statuses, none twice (a lifecycle
        /// that does not come back to a status), days apart.
        fn truth() -> impl Strategy<Value = History> {
            (Just(AssignmentStatus::ALL.to_vec()).prop_shuffle(), 1usize..=5, proptest::collection::vec(1i64..90, 5))
                .prop_map(|(statuses, n, gaps)| {
                    let mut day: crate::domain::Date = "2022-12-01".parse().unwrap();
                    statuses[..n]
                        .iter()
                        .zip(gaps)
                        .map(|(status, gap)| {
                            day = day.checked_add(jiff::Span::new().days(gap)).unwrap();
                            StatusChange { since: day, status: *status }
                        })
                        .collect()
                })
        }

        /// What an export taken some day says of the truth: the changes it
        /// knows, without a gap, up to the status in force that day (a
        /// whole history, or a file with a column per status from some
        /// status on); an export of one status may date it on a later day
        /// it was seen, before the next change. With its export day.
        fn export(truth: &History, first: usize, last: usize, seen_later: i64) -> (crate::domain::Date, History) {
            let (first, last) = (first.min(last), first.max(last));
            let mut told = truth[first..=last].to_vec();
            if first == last {
                let next = truth.get(last + 1).map(|c| c.since);
                let later = told[0].since.checked_add(jiff::Span::new().days(seen_later)).unwrap();
                if next.is_none_or(|next| later < next) {
                    told[0].since = later;
                }
            }
            (told.last().unwrap().since, told)
        }

        fn import_all(files: &[History]) -> Result<History, Contradiction<AssignmentStatus>> {
            let mut stored: Vec<Entry<AssignmentStatus>> = Vec::new();
            for (revision, file) in (1..).zip(files) {
                stored = merge(&stored, file)?
                    .into_iter()
                    .map(|e| Entry { revision: e.revision.or(Some(revision)), ..e })
                    .collect();
            }
            Ok(changes(&stored))
        }

        fn case() -> impl Strategy<Value = (Vec<(crate::domain::Date, History)>, Vec<usize>)> {
            truth().prop_flat_map(|truth| {
                let n = truth.len();
                let one = (0..n, 0..n, 0i64..120).prop_map({
                    let truth = truth.clone();
                    move |(a, b, late)| export(&truth, a, b, late)
                });
                proptest::collection::vec(one, 1..6).prop_flat_map(|exports| {
                    let order: Vec<usize> = (0..exports.len()).collect();
                    (Just(exports), Just(order).prop_shuffle())
                })
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn any_order_ends_as_date_order((exports, order) in case()) {
                let mut dated = exports.clone();
                dated.sort_by_key(|(day, _)| *day);
                let in_date_order: Vec<History> = dated.into_iter().map(|(_, h)| h).collect();
                let shuffled: Vec<History> = order.iter().map(|&i| exports[i].1.clone()).collect();
                let expected = import_all(&in_date_order);
                prop_assert!(expected.is_ok(), "refused in date order: {:?}", expected);
                prop_assert_eq!(import_all(&shuffled), expected);
            }

            #[test]
            fn a_status_the_recorded_history_rules_out_is_refused(
                truth in truth().prop_filter("two changes at least", |t| t.len() >= 2),
                at in 0usize..4,
                offset in 0i64..90,
                other in 0usize..5,
            ) {
                // The whole history recorded by one import; a file says
                // another status on a day within it.
                let stored: Vec<Entry<AssignmentStatus>> = truth.iter().map(|c| Entry::recorded(*c, 1)).collect();
                let at = at % (truth.len() - 1);
                let day = truth[at].since.checked_add(jiff::Span::new().days(offset)).unwrap();
                let day = if day < truth[at + 1].since { day } else { truth[at].since };
                let status = AssignmentStatus::ALL[other];
                prop_assume!(status != truth[at].status);
                let file = vec![StatusChange { since: day, status }];
                prop_assert!(merge(&stored, &file).is_err());
            }
        }
    }
}
