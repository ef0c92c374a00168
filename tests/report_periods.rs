//! `ipart report` for any period: half years, quarters, months and ranges
//! of days, their figures checked against the demo's assignments counted
//! here from `fixtures/demo/assignments.csv` and against the equivalent
//! `--as-of` reports; the trend steps that follow the period; `--compare`
//! on them; implausible years and dates refused; a period ending after
//! today reported with a warning.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Reg, ipart};
use serde_json::Value;

/// The tests' today (IPART_TODAY): years up to 2035 are accepted.
const TODAY: &str = "2025-03-01";

/// The demo registry, made once for these tests (reports only read it; a
/// file is quicker than loading `--demo` for each run).
fn demo() -> &'static Path {
    static DEMO: std::sync::OnceLock<Reg> = std::sync::OnceLock::new();
    &DEMO.get_or_init(Reg::demo).path
}

/// `ipart ARGS` with the tests' today; `--demo` stands for the demo registry's file.
fn run(args: &[&str]) -> std::process::Output {
    let mut cmd = ipart();
    cmd.env("IPART_TODAY", TODAY);
    for arg in args {
        match *arg {
            "--demo" => cmd.arg("--db").arg(demo()),
            other => cmd.arg(other),
        };
    }
    cmd.output().unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--demo", "report"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let out = run(&all);
    assert!(out.status.success(), "{all:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One demo assignment: its students and its status history, in date order.
struct Assignment {
    students: i64,
    history: Vec<(String, String)>,
}

impl Assignment {
    /// The status on `day` (None: it did not exist yet).
    fn status_on(&self, day: &str) -> Option<&str> {
        self.history.iter().rev().find(|(since, _)| since.as_str() <= day).map(|(_, s)| s.as_str())
    }

    /// The first day it had `status`.
    fn first(&self, status: &str) -> Option<&str> {
        self.history.iter().find(|(_, s)| s == status).map(|(since, _)| since.as_str())
    }
}

fn demo_assignments() -> Vec<Assignment> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/assignments.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (students, history) = (column("students"), column("status_history"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let mut changes: Vec<(String, String)> = r[history]
                .split('|')
                .map(|c| {
                    let (since, status) = c.split_once('=').unwrap();
                    (since.to_string(), status.to_string())
                })
                .collect();
            changes.sort();
            Assignment { students: r[students].parse().unwrap_or(0), history: changes }
        })
        .collect()
}

/// The figures of the demo's assignments for the period `start` to `end`, counted here.
#[derive(Debug, PartialEq)]
struct Expected {
    total: i64,
    by_status: BTreeMap<String, i64>,
    registered: i64,
    started: i64,
    completed: i64,
    students_helped: i64,
}

fn expected(start: &str, end: &str) -> Expected {
    let all = demo_assignments();
    let existing: Vec<&Assignment> = all.iter().filter(|a| a.status_on(end).is_some()).collect();
    let mut by_status = BTreeMap::new();
    for a in &existing {
        *by_status.entry(a.status_on(end).unwrap().to_string()).or_default() += 1;
    }
    let within = |day: Option<&str>| day.is_some_and(|d| d >= start && d <= end);
    Expected {
        total: existing.len() as i64,
        registered: all.iter().filter(|a| within(a.history.first().map(|(d, _)| d.as_str()))).count() as i64,
        started: all.iter().filter(|a| within(a.first("in_progress"))).count() as i64,
        completed: all.iter().filter(|a| within(a.first("completed"))).count() as i64,
        students_helped: existing
            .iter()
            .filter(|a| matches!(a.status_on(end), Some("in_progress" | "completed")))
            .map(|a| a.students)
            .sum(),
        by_status,
    }
}

fn actual(r: &Value) -> Expected {
    let a = &r["assignments"];
    let by_status = a["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["count"].as_i64().unwrap() > 0)
        .map(|row| (row["value"].as_str().unwrap().to_string(), row["count"].as_i64().unwrap()))
        .collect();
    let n = |v: &Value| v.as_i64().unwrap();
    Expected {
        total: n(&a["total"]),
        by_status,
        registered: n(&a["in_period"]["registered"]),
        started: n(&a["in_period"]["started"]),
        completed: n(&a["in_period"]["completed"]),
        students_helped: n(&r["key_figures"]["students_helped"]),
    }
}

fn period(r: &Value) -> (&str, &str, &str, &str) {
    let p = &r["period"];
    (
        p["basis"].as_str().unwrap(),
        p["label"].as_str().unwrap(),
        p["start"].as_str().unwrap(),
        p["end"].as_str().unwrap(),
    )
}

#[test]
fn a_quarter_counts_its_three_months() {
    let r = json(&["--period", "2023-Q3"]);
    assert_eq!(period(&r), ("quarter", "2023-Q3", "2023-07-01", "2023-09-30"));
    let figures = actual(&r);
    assert_eq!(figures, expected("2023-07-01", "2023-09-30"));
    assert!(figures.registered > 0 && figures.started > 0, "{figures:?}");
    // The state figures are those of its last day.
    let as_of = json(&["--as-of", "2023-09-30"]);
    assert_eq!(r["assignments"]["by_status"], as_of["assignments"]["by_status"]);
    assert_eq!(r["key_figures"]["government_partners"], as_of["key_figures"]["government_partners"]);
    // The Dutch kwartaal is accepted too.
    assert_eq!(json(&["--period", "2023-k3"])["period"], r["period"]);
}

#[test]
fn a_half_year_counts_its_six_months() {
    let r = json(&["--period", "2023-H2"]);
    assert_eq!(period(&r), ("half_year", "2023-H2", "2023-07-01", "2023-12-31"));
    assert_eq!(actual(&r), expected("2023-07-01", "2023-12-31"));
    // The second half ends where the year ends: the same state, fewer "during the period" figures.
    let year = json(&["--year", "2023"]);
    assert_eq!(r["key_figures"]["assignments"], 548);
    assert_eq!(r["assignments"]["by_status"], year["assignments"]["by_status"]);
    let registered = |v: &Value| v["assignments"]["in_period"]["registered"].as_i64().unwrap();
    let first_half = json(&["--period", "2023-H1"]);
    assert_eq!(registered(&first_half) + registered(&r), registered(&year));
}

#[test]
fn a_month_and_a_range_of_days() {
    let m = json(&["--period", "2023-09"]);
    assert_eq!(period(&m), ("month", "2023-09", "2023-09-01", "2023-09-30"));
    assert_eq!(actual(&m), expected("2023-09-01", "2023-09-30"));
    let r = json(&["--from", "2023-09-01", "--to", "2023-10-15"]);
    assert_eq!(period(&r), ("range", "2023-09-01/2023-10-15", "2023-09-01", "2023-10-15"));
    assert_eq!(actual(&r), expected("2023-09-01", "2023-10-15"));
    assert_eq!(r["assignments"]["by_status"], json(&["--as-of", "2023-10-15"])["assignments"]["by_status"]);
    // Day first, as people type dates, is the same range.
    assert_eq!(json(&["--from", "1-9-2023", "--to", "15-10-2023"])["period"], r["period"]);
    // --from alone runs up to today.
    let since = json(&["--from", "2024-09-01"]);
    assert_eq!(period(&since), ("range", "2024-09-01/2025-03-01", "2024-09-01", "2025-03-01"));
}

/// (label, end, in preparation, in progress, completed) of each trend point.
fn trend(r: &Value) -> Vec<(String, String, i64, i64, i64)> {
    r["trend"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let n = |k: &str| p[k].as_i64().unwrap();
            (
                p["period"].as_str().unwrap().into(),
                p["end"].as_str().unwrap().into(),
                n("preparation"),
                n("in_progress"),
                n("completed"),
            )
        })
        .collect()
}

#[test]
fn the_trend_steps_follow_the_period() {
    let count = |e: &Expected, s: &str| e.by_status.get(s).copied().unwrap_or(0);
    // A quarter: its months, each counted on its last day.
    let q = json(&["--period", "2023-Q3"]);
    assert_eq!(q["trend"]["step"], "month");
    let points = trend(&q);
    let labels: Vec<&str> = points.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(labels, ["2023-07", "2023-08", "2023-09"]);
    for (_, end, preparation, in_progress, completed) in &points {
        let e = expected("2000-01-01", end);
        assert_eq!(
            (*preparation, *in_progress, *completed),
            (count(&e, "preparation"), count(&e, "in_progress"), count(&e, "completed")),
            "{end}"
        );
    }
    // A half year: six months.
    assert_eq!(trend(&json(&["--period", "2023-H2"])).len(), 6);
    // A month: its ISO weeks, the last one cut at the month's end.
    let m = json(&["--period", "2023-09"]);
    assert_eq!(m["trend"]["step"], "week");
    let weeks = trend(&m);
    let labels: Vec<(&str, &str)> = weeks.iter().map(|p| (p.0.as_str(), p.1.as_str())).collect();
    assert_eq!(
        labels,
        [
            ("2023-W35", "2023-09-03"),
            ("2023-W36", "2023-09-10"),
            ("2023-W37", "2023-09-17"),
            ("2023-W38", "2023-09-24"),
            ("2023-W39", "2023-09-30")
        ]
    );
    for (_, end, preparation, in_progress, completed) in &weeks {
        let e = expected("2000-01-01", end);
        assert_eq!(
            (*preparation, *in_progress, *completed),
            (count(&e, "preparation"), count(&e, "in_progress"), count(&e, "completed"))
        );
    }
    // A range of a year or more, and a year: quarters over the whole history, as before.
    assert_eq!(json(&["--from", "2023-01-01", "--to", "2023-12-31"])["trend"], json(&["--year", "2023"])["trend"]);
    // --trend still decides when given.
    assert_eq!(json(&["--period", "2023-Q3", "--trend", "week"])["trend"]["points"].as_array().unwrap().len(), 14);
}

#[test]
fn compare_shifts_the_same_period() {
    let r = json(&["--period", "2024-Q1", "--compare", "2023"]);
    assert_eq!(r["compare"]["period"]["label"], "2023-Q1");
    let before = json(&["--period", "2023-Q1"]);
    for change in r["compare"]["key_figures"].as_array().unwrap() {
        let figure = change["figure"].as_str().unwrap();
        assert_eq!(change["previous"], before["key_figures"][figure], "{figure}");
        assert_eq!(change["value"], r["key_figures"][figure], "{figure}");
    }
    let h = json(&["--period", "2024-H1", "--compare", "2023"]);
    assert_eq!(h["compare"]["period"]["start"], "2023-01-01");
    assert_eq!(h["compare"]["period"]["end"], "2023-06-30");
    let range = json(&["--from", "2023-12-01", "--to", "2024-02-29", "--compare", "2022"]);
    let c = &range["compare"]["period"];
    assert_eq!((c["start"].as_str(), c["end"].as_str()), (Some("2022-12-01"), Some("2023-02-28")));
}

/// Runs a refused report: exit 3, nothing on stdout; returns stderr.
fn refused(args: &[&str]) -> String {
    let mut all = vec!["--demo", "report"];
    all.extend_from_slice(args);
    let out = run(&all);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?}");
    stderr
}

#[test]
fn implausible_years_and_dates_are_refused_with_the_range() {
    for (args, flag, shown) in [
        (&["--year", "23"][..], "--year", "23"),
        (&["--year", "0"], "--year", "0"),
        (&["--year", "99999"], "--year", "99999"),
        (&["--year", "99999999999999999999999"], "--year", "99999999999999999999999"),
        (&["--year", "-2023"], "--year", "-2023"),
        (&["--year", "2036"], "--year", "2036"),
        (&["--academic-year", "1999"], "--academic-year", "1999"),
        (&["--year", "2023", "--compare", "2203"], "--compare", "2203"),
        (&["--period", "2203-Q1"], "--period", "2203"),
        (&["--period", "23-H1"], "--period", "23"),
        (&["--from", "1923-01-01", "--to", "2023-01-01"], "--from", "1923-01-01"),
        (&["--from", "2023-01-01", "--to", "2099-12-31"], "--to", "2099-12-31"),
        (&["--as-of", "1999-12-31"], "--as-of", "1999-12-31"),
    ] {
        let message = refused(args);
        assert!(message.contains(flag) && message.contains(shown), "{args:?}: {message}");
        assert!(message.contains("2000 to 2035"), "{args:?}: {message}");
    }
    let message = refused(&["--year", "twenty"]);
    assert!(message.contains("\"twenty\" is not a year"), "{message}");
    let message = refused(&["--period", "2023-Q5"]);
    assert!(message.contains("2023-Q3") && message.contains("2023-H2") && message.contains("2023-09"), "{message}");
    let message = refused(&["--from", "2023-10-01", "--to", "2023-09-01"]);
    assert!(message.contains("--from 2023-10-01 is after --to 2023-09-01"), "{message}");
    let message = refused(&["--from", "2025-06-01"]);
    assert!(message.contains("after today (2025-03-01)"), "{message}");
    // --to needs --from; periods do not combine.
    for args in [
        &["--to", "2023-10-01"][..],
        &["--year", "2023", "--period", "2023-Q1"],
        &["--period", "2023-Q1", "--from", "2023-01-01"],
    ] {
        let mut all = vec!["--demo", "report"];
        all.extend_from_slice(args);
        assert_eq!(run(&all).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn a_period_ending_after_today_is_reported_with_a_warning() {
    let warning =
        "the period ends after today (2025-12-31, today is 2025-03-01): figures after today are plans, not facts";
    for quiet in [false, true] {
        let mut args = vec!["--demo", "report", "--year", "2025", "--format", "json"];
        if quiet {
            args.insert(0, "--quiet");
        }
        let out = run(&args);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains(warning), "{}", String::from_utf8_lossy(&out.stderr));
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["period"]["end"], "2025-12-31");
    }
    let out = run(&["--demo", "report", "--period", "2025-Q2"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("the period ends after today (2025-06-30"));
    // Up to today, or a past period: no warning.
    for args in
        [&["--year", "2024"][..], &["--as-of", "2025-03-01"], &[], &["--period", "2024-Q4", "--compare", "2023"]]
    {
        let mut all = vec!["--demo", "report"];
        all.extend_from_slice(args);
        let out = run(&all);
        assert!(out.status.success() && out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = run(&["--demo", "report", "--period", "2024-Q2", "--compare", "2025"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("the period compared with ends after today (2025-06-30"));
}

#[test]
fn every_format_reports_a_quarter() {
    for format in ["table", "markdown", "html", "csv"] {
        let out = run(&["--demo", "report", "--period", "2023-Q3", "--format", format, "--lang", "nl"]);
        assert!(out.status.success(), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        // People read "K3 2023" and "30 september 2023"; scripts the codes and ISO dates.
        let (period, end) = if format == "csv" { ("2023-Q3", "2023-09-30") } else { ("K3 2023", "30 september 2023") };
        assert!(text.contains(period) && text.contains(end), "{format}: {text}");
    }
    let csv = String::from_utf8(run(&["--demo", "report", "--period", "2023-Q3", "--format", "csv"]).stdout).unwrap();
    assert!(csv.contains("\nperiod,basis,quarter,,\n") && csv.contains("\ntrend,2023-09,completed,257,\n"), "{csv}");
    let excel = String::from_utf8(run(&["--demo", "report", "--period", "2023-Q3", "--excel"]).stdout).unwrap();
    assert!(excel.contains("\r\nsoort periode;kwartaal\r\nperiode;2023-Q3\r\n"), "{excel}");
    assert!(excel.contains("\r\nmaand;geteld op;in voorbereiding;"), "{excel}");
    let xlsx = run(&["--demo", "report", "--period", "2023-Q3", "--format", "xlsx"]);
    assert!(xlsx.status.success() && xlsx.stdout.starts_with(b"PK"));
}

#[test]
fn the_json_of_every_period_follows_its_schema() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap();
    for args in [
        &["--period", "2023-H2"][..],
        &["--period", "2023-Q3", "--compare", "2022"],
        &["--period", "2023-09"],
        &["--from", "2023-09-01", "--to", "2023-10-15", "--compare", "2022"],
        &["--period", "2023"],
    ] {
        let value = json(args);
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
}
