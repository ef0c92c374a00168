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
        vec!["--demo", "report", "--year", "2023", "--changes-since", "2000-01-01"],
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
    assert!(markdown.contains("| Students helped to an assignment | 1,235 |"));
}

#[test]
fn html_is_self_contained_and_dutch_by_default() {
    let html = stdout(&["--demo", "report", "--year", "2023", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"nl\">"));
    for external in ["http://", "https://", "<script", "<link", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 8);
    assert!(html.contains("studenten geholpen aan een opdracht") && html.contains(">1.235<"));
    assert!(html.contains("@page") && html.contains("@media print"));
    // Names are escaped by the template.
    assert!(html.contains("Datamanagement &#38; AI") && !html.contains("Datamanagement & AI"));
    let english = stdout(&["--demo", "report", "--year", "2023", "--format", "html", "--lang", "en"]);
    assert!(english.contains("<html lang=\"en\">") && english.contains("students helped to an assignment"));
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
    // The extension chooses the format; a --format that contradicts it is refused.
    let out = ipart()
        .args(["--demo", "report", "--year", "2023", "--format", "json", "-o", path, "--force"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("--format json does not match"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    ipart().args(["--demo", "report", "--year", "2023", "--output", path, "--force"]).assert().success();
    let replaced = std::fs::read_to_string(&file).unwrap();
    assert!(replaced.starts_with("<!DOCTYPE html>") && replaced.contains(">548<"), "{replaced}");
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

/// The seed's key figures with the Dutch labels of the table and Markdown
/// formats, written as Dutch readers write them.
const SEED_NL: [(&str, &str); 14] = [
    ("Samenwerkingspartners rijksoverheid", "65"),
    ("Samenwerkingspartners onderwijs", "34"),
    ("Opdrachten en stages", "548"),
    ("Opdrachten afgerond", "287"),
    ("Opdrachten in voorbereiding", "58"),
    ("Opdrachten in uitvoering", "54"),
    ("Studenten geholpen aan een opdracht", "1.235"),
    ("Studenten geholpen aan een stage", "261"),
    ("Actieve labs", "8"),
    ("Labs in oprichting", "1"),
    ("Communities", "4"),
    ("Promovendi gestart", "13"),
    ("Overheidsdeelnemers cursussen", "50"),
    ("Deelnemers conferenties", "220"),
];

fn nl(format: &str, more: &[&str]) -> String {
    let mut args = vec!["--demo", "report", "--year", "2023", "--format", format, "--lang", "nl"];
    args.extend_from_slice(more);
    stdout(&args)
}

#[test]
fn the_seed_figures_in_every_format_for_people() {
    let markdown = nl("markdown", &[]);
    let table = nl("table", &[]);
    // A table row holding the label and ending in the value.
    let in_table = |label: &str, value: &str| {
        table.lines().any(|l| {
            l.contains(&format!("│ {label} ")) && l.trim_end_matches(['│', ' ']).ends_with(&format!(" {value}"))
        })
    };
    for (label, value) in SEED_NL.iter().chain(&[
        ("HBO", "64%"),
        ("WO", "33%"),
        ("MBO", "3%"),
        ("LinkedIn-volgers", "1.700"),
        ("Websitebezoekers, nieuw (%)", "75"),
        ("Websitebezoekers, terugkerend (%)", "25"),
    ]) {
        assert!(markdown.contains(&format!("| {label} | {value} |")), "markdown: {label} {value}");
        assert!(in_table(label, value), "table: {label} {value}");
    }
    for theme in [
        "| Datamanagement & AI | 150 | 27% |",
        "| Informatiehuishouding | 128 |",
        "| Cyberveiligheid | 104 |",
        "| Softwareontwikkeling | 86 |",
        "| Procesoptimalisatie | 52 |",
        "| Blockchain | 28 |",
    ] {
        assert!(markdown.contains(theme), "{theme}");
    }

    let html = nl("html", &[]);
    let figure =
        |value: &str, label: &str| format!("<span class=\"value\">{value}</span><span class=\"label\">{label}</span>");
    for (value, label) in [
        ("65", "samenwerkingspartners binnen de rijksoverheid"),
        ("34", "samenwerkingspartners binnen het onderwijs"),
        ("548", "opdrachten en stages"),
        ("1.235", "studenten geholpen aan een opdracht"),
        ("8", "actieve labs"),
        ("4", "communities"),
        ("287", "opdrachten afgerond"),
        ("58", "opdrachten in voorbereiding"),
        ("54", "opdrachten in uitvoering"),
        ("261", "studenten geholpen aan een stage bij het Rijk"),
        ("1.235*", "studenten geholpen aan een opdracht binnen het Rijk"),
        ("1.700", "LinkedIn-volgers"),
    ] {
        assert!(html.contains(&figure(value, label)), "html: {value} {label}");
    }
    for sentence in [
        "Van het totaal aantal opdrachten is 64% afkomstig van het HBO, 33% van het WO en 3% van het MBO.",
        "In 2023 zijn er 13 promovendi gestart bij het Rijk",
        "Het totaal aantal overheidsdeelnemers was 50.",
        "In totaal waren er 220 deelnemers aan conferenties.",
        "8 actieve fieldlabs op 31 december 2023. In oprichting: IHH Lab West. Gesloten: Elsa Lab.",
        "4 communities op 31 december 2023: 3 gepland en 1 actief.",
        "In 2023 traden 16 partners toe: 12 binnen de rijksoverheid en 4 binnen het onderwijs.",
        "nieuw 75%",
        "terugkerend 25%",
    ] {
        assert!(html.contains(sentence), "html: {sentence}");
    }
    // Unique students only where imports gave student identifiers (tests/privacy.rs), not in the demo.
    assert!(!html.contains("Unieke studenten"));
    // The bars per theme: the six themes of the seed with their counts.
    let themes = svg(&html, "chart-themes");
    for (theme, n) in [
        ("Datamanagement &#38; AI", "150"),
        ("Cyberveiligheid", "104"),
        ("Informatiehuishouding", "128"),
        ("Blockchain", "28"),
        ("Softwareontwikkeling", "86"),
        ("Procesoptimalisatie", "52"),
    ] {
        assert!(themes.contains(&format!("<title>{theme}: {n}</title>")), "{theme} {n}");
    }
}

/// The SVG chart with this id.
fn svg<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no {id}"));
    &html[start..start + html[start..].find("</svg>").unwrap()]
}

#[test]
fn dutch_output_writes_dates_numbers_and_quotes_the_dutch_way() {
    let iso = regex_lite::Regex::new(r"\b\d{4}-\d{2}-\d{2}\b").unwrap();
    for format in ["table", "markdown", "html"] {
        let out = nl(format, &["--notes"]);
        assert!(
            out.contains("Stand per 31 december 2023; ‘in de periode’: 1 januari t/m 31 december 2023"),
            "{format}"
        );
        assert!(out.contains("1.235") && out.contains("1.535"), "{format}: thousands separator");
        assert!(!out.contains("1235") && !out.contains("1,235"), "{format}");
        assert_eq!(iso.find(&out).map(|m| m.as_str()), None, "{format}: an ISO date");
        for wrong in ["elk(e)", "grootste rest,", "\"in de periode\"", "IT-Change 0"] {
            assert!(!out.contains(wrong), "{format}: {wrong}");
        }
        assert!(out.contains("aan het eind van elk kwartaal"), "{format}");
        assert!(out.contains("15 december 2023"), "{format}: Elsa Lab closed");
    }
    let table = nl("table", &[]);
    assert!(table.contains("│ K4 2023 ") && table.contains("┆ 1 februari 2023 "), "{table}");
    let monthly = nl("markdown", &["--trend", "month"]);
    assert!(monthly.contains("aan het eind van elke maand") && monthly.contains("| december 2023 | 58 |"));
    let mut args = vec!["--demo", "report", "--as-of", "2024-06-30", "--format", "markdown", "--lang", "nl"];
    let day = stdout(&args);
    assert!(day.starts_with("# I-Partnerschap verslag per 30 juni 2024\n\nStand per 30 juni 2024; ‘in de periode’: 1 januari t/m 30 juni 2024"), "{day}");
    args[5] = "html";
    assert!(stdout(&args).contains(
        "Van 1 januari t/m 30 juni 2024 trad 1 partner toe: 0 binnen de rijksoverheid en 1 binnen het onderwijs."
    ));

    // English: the same dates and numbers in English.
    let english = stdout(&["--demo", "report", "--year", "2023", "--format", "markdown", "--lang", "en"]);
    assert!(english.contains("State on 31 December 2023; ‘during the period’: 1 January to 31 December 2023"));
    assert!(english.contains("| Students helped to an assignment | 1,235 |") && english.contains("| Q4 2023 |"));
    assert_eq!(iso.find(&english).map(|m| m.as_str()), None);

    // JSON and CSV stay for scripts: ISO dates, plain numbers, codes.
    let json = stdout(&["--demo", "report", "--year", "2023", "--format", "json", "--lang", "nl"]);
    assert!(json.contains("\"end\": \"2023-12-31\"") && json.contains("\"students_helped\": 1235"));
    let csv = stdout(&["--demo", "report", "--year", "2023", "--format", "csv", "--lang", "nl"]);
    assert!(csv.contains("key_figures,students_helped,,1235,") && csv.contains("period,end,2023-12-31,,"));
}

#[test]
fn the_notes_are_an_appendix_on_request() {
    let titles = ["WHAT DOES NOT ADD UP, EXPLAINED", "DEFINITIONS"];
    let table = stdout(&["--demo", "report", "--year", "2023"]);
    assert!(titles.iter().all(|t| table.contains(t)), "the table has the notes by default");
    let bare = stdout(&["--demo", "report", "--year", "2023", "--no-notes"]);
    assert!(titles.iter().all(|t| !bare.contains(t)) && !bare.contains("548 = 287"));
    assert!(bare.contains("KEY FIGURES") && bare.contains("COMMUNICATION 2023"), "only the notes are left out");
    assert!(!nl("markdown", &["--no-notes"]).contains("## Wat niet optelt, verklaard"));
    assert!(nl("markdown", &[]).contains("## Wat niet optelt, verklaard\n\nOpdrachten: 548 = 287 afgerond"));

    let page = nl("html", &[]);
    for absent in ["id=\"notes\"", "Wat niet optelt, verklaard", "548 = 287", "chart-status", "Definities"] {
        assert!(!page.contains(absent), "the page to publish has no notes: {absent}");
    }
    let with_notes = nl("html", &["--notes"]);
    for present in [
        "<section id=\"notes\" class=\"notes\">",
        "<h2>Toelichting</h2>",
        "<h3>Wat niet optelt, verklaard</h3>",
        "Opdrachten: 548 = 287 afgerond + 58 in voorbereiding + 54 in uitvoering + 112 geannuleerd + 37 met een \
         onbekende status.",
        "id=\"chart-status\"",
        "<h3>Definities</h3>",
    ] {
        assert!(with_notes.contains(present), "{present}");
    }
    // The last of --notes and --no-notes counts.
    assert!(!nl("html", &["--notes", "--no-notes"]).contains("id=\"notes\""));
    assert!(nl("html", &["--no-notes", "--notes"]).contains("id=\"notes\""));
    // JSON and CSV always hold every figure: the flags are refused there.
    for (format, flag) in [("json", "--notes"), ("csv", "--no-notes"), ("json", "--all-themes")] {
        let out = ipart().args(["--demo", "report", "--year", "2023", "--format", format, flag]).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(flag) && err.contains("table, markdown, html"), "{err}");
    }
}

#[test]
fn themes_without_assignments_are_left_out_unless_asked() {
    let it_change = "| IT-Change | 0 | 0% |";
    assert!(!nl("markdown", &[]).contains(it_change));
    assert!(nl("markdown", &["--all-themes"]).contains(it_change));
    // IT-Change has PhD candidates, so it stays where they are counted.
    assert!(nl("markdown", &[]).contains("| IT-Change | 2 |"));
    let cross = "| IT-Change | 0 | 0 | 0 | 0 |";
    assert!(!nl("markdown", &["--by", "theme,level"]).contains(cross));
    assert!(nl("markdown", &["--by", "theme,level", "--all-themes"]).contains(cross));
    // Themes as columns: no empty column either.
    let header = |more: &[&str]| {
        let out = nl("markdown", &[&["--by", "level,theme"], more].concat());
        out.lines().find(|l| l.starts_with("| onderwijssoort \\\\ thema |")).unwrap().to_string()
    };
    assert!(header(&[]).ends_with("| Procesoptimalisatie | totaal |"), "{}", header(&[]));
    assert!(header(&["--all-themes"]).ends_with("| Procesoptimalisatie | IT-Change | totaal |"));

    let page = nl("html", &[]);
    assert!(
        !svg(&page, "chart-themes").contains("IT-Change") && !page.contains("<span class=\"chip\">IT-Change</span>")
    );
    let all = nl("html", &["--all-themes"]);
    assert!(svg(&all, "chart-themes").contains("<title>IT-Change: 0</title>"));
    assert!(all.contains("<span class=\"chip\">IT-Change</span>"));
    let table = stdout(&["--demo", "report", "--year", "2023", "--all-themes"]);
    assert!(table.lines().any(|l| l.starts_with("│ IT change ") && l.ends_with("0% │")), "{table}");
}

#[test]
fn the_html_page_shows_what_else_is_asked_for() {
    let page = nl("html", &["--compare", "2022", "--by", "theme,level"]);
    assert!(
        page.contains("<h2>Vergeleken met 2022</h2>")
            && page.contains("<h2>Opdrachten per thema en onderwijssoort</h2>")
    );
    assert!(page.contains("<td>Opdrachten en stages</td><td class=\"num\">548</td>"), "the comparison table");
    let academic = stdout(&["--demo", "report", "--academic-year", "2023", "--format", "html", "--trend", "month"]);
    assert!(academic.contains("I-Partnerschap verslag, studiejaar 2023/2024"));
    assert!(academic.contains("In studiejaar 2023/2024 zijn er "));
    assert!(academic.contains("aan het eind van elke maand, tot en met 31 augustus 2024"));
}
