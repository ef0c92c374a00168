//! `ipart report` end to end: the seed's figures from the demo registry,
//! as-of semantics, history stability, empty registries, every format, the
//! JSON Schema and the output file.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// `ipart` with a fixed "today" and no colour.
fn ipart() -> Command {
    let mut cmd = Command::cargo_bin("ipart").unwrap();
    cmd.env("IPART_TODAY", "2025-03-01").env("NO_COLOR", "1").env_remove("IPART_DB");
    cmd
}

fn stdout(args: &[&str]) -> String {
    let out = ipart().args(args).output().unwrap();
    assert!(out.status.success(), "ipart {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&stdout(&all)).unwrap()
}

fn demo_file(dir: &Path) -> PathBuf {
    let db = dir.join("demo.sqlite");
    ipart().args(["--db", db.to_str().unwrap(), "init", "--demo", "-q"]).assert().success();
    db
}

fn count(rows: &Value, value: &str) -> i64 {
    rows.as_array().unwrap().iter().find(|r| r["value"] == value).unwrap_or_else(|| panic!("no {value}"))["count"]
        .as_i64()
        .unwrap()
}

fn share(rows: &Value, value: &str) -> i64 {
    rows.as_array().unwrap().iter().find(|r| r["value"] == value).unwrap()["share"].as_i64().unwrap()
}

#[test]
fn the_demo_2023_report_gives_every_figure_of_the_infographic() {
    let r = json(&["--demo", "report", "--year", "2023"]);
    let k = &r["key_figures"];
    let expected = [
        ("government_partners", 65),
        ("education_partners", 34),
        ("assignments", 548),
        ("assignments_completed", 287),
        ("assignments_in_preparation", 58),
        ("assignments_in_progress", 54),
        ("students_to_internship", 261),
        ("students_helped", 1235),
        ("active_labs", 8),
        ("labs_in_formation", 1),
        ("communities", 4),
        ("phds_started", 13),
        ("course_government_participants", 50),
        ("conference_participants", 220),
    ];
    for (field, value) in expected {
        assert_eq!(k[field], value, "{field}");
    }
    let levels = &r["assignments"]["by_level"];
    assert_eq!((share(levels, "HBO"), share(levels, "WO"), share(levels, "MBO")), (64, 33, 3));
    assert_eq!((count(levels, "HBO"), count(levels, "WO"), count(levels, "MBO")), (351, 181, 16));
    let themes = &r["assignments"]["by_theme"];
    for (theme, n) in [
        ("data-ai", 150),
        ("information-management", 128),
        ("cybersecurity", 104),
        ("software-development", 86),
        ("process-optimisation", 52),
        ("blockchain", 28),
    ] {
        assert_eq!(count(themes, theme), n, "{theme}");
    }
    let metrics: Vec<(String, f64)> = r["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap().to_string(), m["value"].as_f64().unwrap()))
        .collect();
    assert!(metrics.contains(&("linkedin-followers".into(), 1700.0)), "{metrics:?}");
    assert!(metrics.contains(&("website-visitors-new-share".into(), 75.0)));
    assert!(metrics.contains(&("website-visitors-returning-share".into(), 25.0)));
    // What does not add up: 548 = 287 + 58 + 54 + 112 + 37; nine labs named, eight active.
    let x = &r["not_adding_up"];
    assert_eq!(x["assignments"]["shown"], 399);
    assert_eq!(x["assignments"]["cancelled"], 112);
    assert_eq!(x["assignments"]["unknown"], 37);
    assert_eq!(
        (x["assignments"]["cancelled_before_start"].as_i64(), x["assignments"]["cancelled_after_start"].as_i64()),
        (Some(77), Some(35))
    );
    assert_eq!(x["labs"]["active_during_period"].as_array().unwrap().len(), 9);
    assert_eq!(x["labs"]["no_longer_active"], serde_json::json!(["Elsa Lab"]));
    assert_eq!(x["partners"]["left"], serde_json::json!(["FMHaaglanden"]));
    let p = &r["partners"];
    assert_eq!(
        (
            count(&p["education_by_level"], "HBO"),
            count(&p["education_by_level"], "WO"),
            count(&p["education_by_level"], "MBO")
        ),
        (18, 10, 6)
    );
    assert_eq!(p["joined_in_period"]["government"], 12);
    let students = &r["students"]["by_kind"];
    assert_eq!(
        (
            count(students, "internship"),
            count(students, "graduation"),
            count(students, "group"),
            count(students, "hackathon")
        ),
        (261, 66, 241, 667)
    );
    let phd = &r["phds"]["started_by_theme"];
    assert_eq!(
        (
            count(phd, "data-ai"),
            count(phd, "cybersecurity"),
            count(phd, "it-change"),
            count(phd, "information-management")
        ),
        (5, 3, 2, 3)
    );
    assert_eq!(r["assignments"]["in_period"]["registered"], 228);
}

#[test]
fn the_trend_matches_the_demo_readme() {
    let r = json(&["--demo", "report", "--year", "2024"]);
    let points = r["trend"]["points"].as_array().unwrap();
    let at = |period: &str| {
        let p = points.iter().find(|p| p["period"] == period).unwrap();
        (p["preparation"].as_i64().unwrap(), p["in_progress"].as_i64().unwrap(), p["completed"].as_i64().unwrap())
    };
    assert_eq!(points.first().unwrap()["period"], "2020-Q2");
    assert_eq!(points.last().unwrap()["period"], "2024-Q4");
    assert_eq!(at("2020-Q2"), (5, 0, 0));
    assert_eq!(at("2021-Q3"), (7, 30, 30));
    assert_eq!(at("2022-Q4"), (10, 54, 154));
    assert_eq!(at("2023-Q4"), (58, 54, 287));
    assert_eq!(at("2024-Q2"), (16, 62, 353));
    assert_eq!(at("2024-Q4"), (9, 16, 405));
    let monthly = json(&["--demo", "report", "--year", "2023", "--trend", "month"]);
    let last = monthly["trend"]["points"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["period"].as_str(), last["completed"].as_i64()), (Some("2023-12"), Some(287)));
}

#[test]
fn as_of_takes_the_state_on_that_date() {
    let r = json(&["--demo", "report", "--as-of", "2024-12-31"]);
    let by_status = &r["assignments"]["by_status"];
    assert_eq!(r["assignments"]["total"], 593);
    for (status, n) in
        [("completed", 405), ("cancelled", 126), ("unknown", 37), ("in_progress", 16), ("preparation", 9)]
    {
        assert_eq!(count(by_status, status), n, "{status}");
    }
    assert_eq!(r["key_figures"]["students_helped"], 1994);
    assert_eq!(r["key_figures"]["education_partners"], 35);
    assert_eq!(r["key_figures"]["active_labs"], 9);
    assert_eq!(count(&r["communities"]["by_status"], "active"), 2);
    assert_eq!(r["period"]["start"], "2024-01-01");
    // The calendar year is the same state as its last day.
    let year = json(&["--demo", "report", "--year", "2023"]);
    let day = json(&["--demo", "report", "--as-of", "2023-12-31"]);
    assert_eq!(year["key_figures"], day["key_figures"]);
    assert_eq!(year["trend"], day["trend"]);
    // The day before Elsa Lab closed, nine labs were active.
    let before = json(&["--demo", "report", "--as-of", "2023-12-14"]);
    assert_eq!(before["key_figures"]["active_labs"], 9);
    // Without a date, the state today (IPART_TODAY) from 1 January.
    let today = json(&["--demo", "report"]);
    assert_eq!(
        (today["period"]["start"].as_str(), today["period"]["end"].as_str()),
        (Some("2025-01-01"), Some("2025-03-01"))
    );
}

#[test]
fn the_academic_year_runs_from_september_to_august() {
    let r = json(&["--demo", "report", "--academic-year", "2023"]);
    assert_eq!((r["period"]["start"].as_str(), r["period"]["end"].as_str()), (Some("2023-09-01"), Some("2024-08-31")));
    assert_eq!(r["period"]["label"], "2023/2024");
    let last = r["trend"]["points"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["period"].as_str(), last["end"].as_str()), (Some("2024-Q3"), Some("2024-08-31")));
    assert_eq!(r["key_figures"]["education_partners"], 35, "Hogeschool Rotterdam joined on 2024-02-01");
}

#[test]
fn changes_after_2023_leave_the_2023_report_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_file(dir.path());
    let db = db.to_str().unwrap();
    let before = stdout(&["--db", db, "report", "--year", "2023", "--format", "json"]);
    let before_csv = stdout(&["--db", db, "report", "--year", "2023", "--format", "csv"]);
    let changes: &[&[&str]] = &[
        &["assignment", "status", "1", "cancelled", "--on", "2024-03-01"],
        &["assignment", "status", "2", "completed", "--on", "2025-01-15"],
        &[
            "assignment",
            "add",
            "Na 2023",
            "--kind",
            "stage",
            "--theme",
            "data-ai",
            "--government-partner",
            "DUO",
            "--education-partner",
            "Hogeschool Utrecht",
            "--status",
            "in_progress",
            "--on",
            "2024-02-01",
        ],
        &["partner", "add", "Nieuwe partner", "--sector", "government", "--joined-on", "2024-05-01"],
        &["partner", "edit", "DUO", "--left-on", "2024-06-30"],
        &["lab", "status", "AI-Labs", "closed", "--on", "2024-09-01"],
        &["community", "status", "Data/AI community", "closed", "--on", "2024-01-02"],
        &[
            "phd",
            "add",
            "2024-02-01",
            "--theme",
            "data-ai",
            "--government-partner",
            "UWV",
            "--education-partner",
            "Universiteit Twente",
        ],
        &[
            "activity",
            "add",
            "Cursus 2025",
            "--kind",
            "course",
            "--starts-on",
            "2025-02-01",
            "--government-participants",
            "40",
            "--participants",
            "40",
        ],
        &["metric", "set", "linkedin-followers", "2600", "--year", "2024"],
    ];
    for args in changes {
        let mut all = vec!["--db", db, "-q"];
        all.extend_from_slice(args);
        ipart().args(&all).assert().success();
    }
    assert_eq!(stdout(&["--db", db, "report", "--year", "2023", "--format", "json"]), before);
    assert_eq!(stdout(&["--db", db, "report", "--year", "2023", "--format", "csv"]), before_csv);
    let after_2024: Value =
        serde_json::from_str(&stdout(&["--db", db, "report", "--year", "2024", "--format", "json"])).unwrap();
    assert_eq!(after_2024["assignments"]["total"], 594, "the new assignment counts from 2024 on");
}

#[test]
fn an_empty_registry_gives_a_report_of_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.sqlite");
    let db = db.to_str().unwrap();
    ipart().args(["--db", db, "init", "-q"]).assert().success();
    let r = json(&["--db", db, "report", "--year", "2023"]);
    for (field, value) in r["key_figures"].as_object().unwrap() {
        assert_eq!(value, 0, "{field}");
    }
    assert_eq!(r["trend"]["points"], serde_json::json!([]));
    assert!(r["assignments"]["by_level"].as_array().unwrap().iter().all(|row| row["share"] == 0));
    for format in ["table", "csv", "markdown", "html"] {
        ipart().args(["--db", db, "report", "--year", "2023", "--format", format]).assert().success();
    }
}

#[test]
fn a_year_without_data_gives_zeros_too() {
    let r = json(&["--demo", "report", "--year", "2019"]);
    assert_eq!(r["assignments"]["total"], 0);
    assert_eq!(r["key_figures"]["government_partners"], 0);
    assert_eq!(r["trend"]["points"], serde_json::json!([]));
    assert_eq!(r["labs"]["list"], serde_json::json!([]));
    assert_eq!(r["not_adding_up"]["labs"]["existing"], 0);
}

#[test]
fn shares_add_up_to_100() {
    for year in ["2021", "2022", "2023", "2024"] {
        let r = json(&["--demo", "report", "--year", year]);
        for list in ["by_status", "by_level", "by_theme", "by_kind"] {
            let sum: i64 =
                r["assignments"][list].as_array().unwrap().iter().map(|x| x["share"].as_i64().unwrap()).sum();
            assert_eq!(sum, 100, "{year} {list}");
        }
    }
}

#[test]
fn compare_and_cross_table() {
    let r = json(&["--demo", "report", "--year", "2023", "--compare", "2022", "--by", "theme,level"]);
    let c = &r["compare"];
    assert_eq!(c["period"]["label"], "2022");
    let assignments = c["key_figures"].as_array().unwrap().iter().find(|k| k["figure"] == "assignments").unwrap();
    assert_eq!(assignments["value"], 548);
    assert_eq!(
        assignments["value"].as_i64().unwrap() - assignments["previous"].as_i64().unwrap(),
        assignments["change"].as_i64().unwrap()
    );
    let cross = &r["cross"];
    assert_eq!((cross["rows"].as_str(), cross["columns"].as_str()), (Some("theme"), Some("level")));
    let total: i64 = cross["cells"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(total, 548);
    let data_ai = cross["row_values"].as_array().unwrap().iter().position(|v| v == "data-ai").unwrap();
    assert_eq!(cross["cells"][data_ai].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).sum::<i64>(), 150);
    ipart().args(["--demo", "report", "--year", "2023", "--by", "theme"]).assert().code(2);
    ipart().args(["--demo", "report", "--year", "2023", "--by", "theme,theme"]).assert().code(2);
    ipart().args(["--demo", "report", "--year", "2023", "--by", "colour,level"]).assert().code(2);
}

fn validator() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn the_json_follows_its_schema() {
    let validator = validator();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.sqlite");
    ipart().args(["--db", empty.to_str().unwrap(), "init", "-q"]).assert().success();
    let cases: Vec<Vec<&str>> = vec![
        vec!["--demo", "report", "--year", "2023"],
        vec!["--demo", "report", "--academic-year", "2023", "--trend", "month"],
        vec!["--demo", "report", "--as-of", "2024-06-30", "--compare", "2023", "--by", "lab,status"],
        vec!["--demo", "report", "--year", "2019", "--by", "region,kind"],
        vec!["--db", empty.to_str().unwrap(), "report", "--year", "2023"],
    ];
    for args in cases {
        let value = json(&args);
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
    // The schema is strict: an unknown field is refused.
    let mut value = json(&["--demo", "report", "--year", "2023"]);
    value["surprise"] = Value::from(1);
    assert!(!validator.is_valid(&value));
}

#[test]
fn the_table_fits_80_columns_and_every_format_renders() {
    let table = stdout(&["--demo", "report", "--year", "2023", "--by", "theme,level", "--compare", "2022"]);
    for line in table.lines() {
        assert!(line.chars().count() <= 80, "{} wide: {line}", line.chars().count());
    }
    assert!(table.contains("548 = 287 completed + 58 in preparation + 54 in progress + 112"), "{table}");
    let dutch = stdout(&["--demo", "report", "--year", "2023", "--lang", "nl"]);
    assert!(dutch.contains("Samenwerkingspartners rijksoverheid") && dutch.contains("in voorbereiding"));
    let csv = stdout(&["--demo", "report", "--year", "2023", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["section", "dimension", "value", "count", "share"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.iter().any(|r| r == vec!["assignments", "level", "HBO", "351", "64"]));
    assert!(rows.iter().any(|r| r == vec!["key_figures", "students_helped", "", "1235", ""]));
    let markdown = stdout(&["--demo", "report", "--year", "2023", "--format", "markdown"]);
    assert!(markdown.starts_with("# I-Partnerschap report"));
    assert!(markdown.contains("| Students helped to an assignment | 1235 |"));
}

#[test]
fn html_is_self_contained_and_dutch_by_default() {
    let html = stdout(&["--demo", "report", "--year", "2023", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"nl\">"));
    for external in ["http://", "https://", "<script", "<link", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 4);
    assert!(html.contains("Studenten geholpen aan een opdracht") && html.contains(">1235<"));
    assert!(html.contains("@page") && html.contains("@media print"));
    // Names are escaped by the template.
    assert!(html.contains("Datamanagement &#38; AI") && !html.contains("Datamanagement & AI"));
    let english = stdout(&["--demo", "report", "--year", "2023", "--format", "html", "--lang", "en"]);
    assert!(english.contains("<html lang=\"en\">") && english.contains("Students helped to an assignment"));
}

#[test]
fn snapshots_of_every_format() {
    let args = ["--demo", "report", "--year", "2023"];
    insta::assert_snapshot!("table_en", stdout(&[&args[..], &["--by", "theme,level"]].concat()));
    insta::assert_snapshot!("markdown_nl", stdout(&[&args[..], &["--format", "markdown", "--lang", "nl"]].concat()));
    insta::assert_snapshot!("csv", stdout(&[&args[..], &["--format", "csv"]].concat()));
    insta::assert_snapshot!("json_compare", stdout(&[&args[..], &["--format", "json", "--compare", "2022"]].concat()));
}

#[test]
fn output_writes_a_file_and_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    let path = file.to_str().unwrap();
    ipart()
        .args(["--demo", "report", "--year", "2023", "--format", "html", "--output", path])
        .assert()
        .success()
        .stdout("");
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(first.contains("</html>"));
    std::fs::write(&file, "keep me").unwrap();
    let out = ipart().args(["--demo", "report", "--year", "2023", "--output", path]).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    ipart().args(["--demo", "report", "--year", "2023", "--output", path, "--force"]).assert().success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first, "replaced by the report (.html: HTML)");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left behind");
}

#[test]
fn help_shows_examples_and_bad_periods_are_refused() {
    let help = stdout(&["report", "--help"]);
    assert!(help.contains("Examples:") && help.contains("ipart report --year 2023"));
    ipart().args(["--demo", "report", "--year", "2023", "--as-of", "2023-06-30"]).assert().code(2);
    ipart().args(["--demo", "report", "--as-of", "2023-02-30"]).assert().code(3);
    ipart().args(["--demo", "report", "--academic-year", "9999"]).assert().code(3);
}
