//! Mistakes people make at the command line do not go in silently: a
//! status set again changes nothing and says so, a change on a day that
//! already has one needs `--replace`, and every confirmation says what was
//! understood, in the reader's language.

mod common;

use common::*;

fn history(reg: &Reg, id: i64) -> Vec<(String, String)> {
    let conn = reg.conn();
    let mut stmt =
        conn.prepare("SELECT since, status FROM assignment_status WHERE assignment_id = ?1 ORDER BY since").unwrap();
    stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_status_set_again_changes_nothing_and_says_so() {
    let reg = Reg::demo();
    // Assignment 12: preparation 2020-08-28, in progress 2020-09-21, completed 2021-03-30.
    let before = reg.dump();
    let out = reg.run(&["assignment", "status", "12", "afgerond", "--on", "2021-06-01"]);
    assert!(out.status.success());
    assert_eq!(stderr_of(&out), "assignment 12 is already completed (since 2021-03-30); nothing changed\n");
    assert_eq!(reg.dump(), before, "a status already in force was recorded again");
    let out = reg.run(&["--lang", "nl", "assignment", "status", "12", "klaar", "--on", "2021-03-30"]);
    assert_eq!(stderr_of(&out), "opdracht 12 is al afgerond (sinds 2021-03-30); er is niets gewijzigd\n");
    assert_eq!(reg.dump(), before);
}

#[test]
fn a_change_on_a_day_that_has_one_needs_replace() {
    let reg = Reg::demo();
    let stderr = reg.refused(&["assignment", "status", "12", "cancelled", "--on", "2021-03-30"]);
    assert_eq!(
        stderr,
        "ipart: assignment 12 already has a status change on 2021-03-30, to completed; give --replace to replace it \
         with cancelled, or choose another --on (nothing was changed)\n"
    );
    let out = reg.run(&["assignment", "status", "12", "cancelled", "--on", "2021-03-30", "--replace"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stderr_of(&out), "assignment 12: cancelled since 2021-03-30 (replacing completed on that day)\n");
    assert_eq!(history(&reg, 12).last().unwrap(), &("2021-03-30".to_string(), "cancelled".to_string()));
}

#[test]
fn a_confirmation_says_what_was_understood() {
    let reg = Reg::demo();
    let out =
        reg.run(&["--lang", "nl", "assignment", "status", "coordinator:IP-2023-092", "klaar", "--on", "29-12-2023"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let id = reg.count("SELECT id FROM assignment WHERE external_id = 'IP-2023-092'");
    // The word typed was "klaar"; what was understood is "afgerond", on 29 December 2023.
    assert_eq!(stderr_of(&out), format!("opdracht {id}: afgerond sinds 2023-12-29\n"));
    let out = reg.run(&["assignment", "status", &id.to_string(), "--remove", "--on", "2023-12-29"]);
    assert_eq!(
        stderr_of(&out),
        format!("assignment {id}: the status change on 2023-12-29 is removed; now in progress since 2023-08-16\n")
    );
}

// ---------------------------------------------------------------- figures are a vocabulary

#[test]
fn a_misspelt_figure_is_refused_with_the_closest_names() {
    let reg = Reg::demo();
    let stderr = reg.refused(&["metric", "set", "linkedin-follower", "1800", "--year", "2023"]);
    assert_eq!(
        stderr,
        "ipart: no figure is named \"linkedin-follower\"; did you mean \"linkedin-followers\"? (`ipart metric names` \
         lists them; declare a new one with `ipart metric add linkedin-follower --name-en ... --name-nl ...`)\n\
         nothing was changed\n"
    );
    // Everywhere a name is read: listing, removal, an import.
    let stderr = reg.refused(&["metric", "remove", "linkedin-follower", "--year", "2023"]);
    assert!(stderr.contains("did you mean \"linkedin-followers\"?"), "{stderr}");
    let stderr = reg.refused(&["metric", "list", "--name", "website-visitors-new"]);
    assert!(stderr.starts_with("ipart: no figure is named \"website-visitors-new\"; did you mean"), "{stderr}");
    let file = reg.dir.path().join("figures.csv");
    std::fs::write(&file, "name,year,value\nlinkedin-followers,2024,2100\nlinkedin-follower,2024,2200\n").unwrap();
    let stderr = reg.refused(&["import", "metrics", file.to_str().unwrap()]);
    assert!(
        stderr.contains(
            ":3: column \"name\": no figure is named \"linkedin-follower\"; did you mean \"linkedin-followers\"?"
        ),
        "{stderr}"
    );
}

#[test]
fn a_two_digit_year_is_refused_for_a_figure() {
    let reg = Reg::demo();
    let stderr = reg.refused(&["metric", "set", "linkedin-followers", "1800", "--year", "23"]);
    assert_eq!(
        stderr,
        "ipart: --year: 23 is not a year ipart accepts (it takes 2000 to 2036; a typo such as 23 or 2203 for 2023 is \
         the usual cause)\nnothing was changed\n"
    );
    let file = reg.dir.path().join("figures.csv");
    std::fs::write(&file, "name,year,value\nlinkedin-followers,2203,2100\n").unwrap();
    let stderr = reg.refused(&["import", "metrics", file.to_str().unwrap()]);
    assert!(
        stderr.contains(":2: column \"year\": 2203 is not a year ipart accepts (it takes 2000 to 2036"),
        "{stderr}"
    );
}

#[test]
fn a_figure_declared_is_set_listed_and_reported_by_its_name() {
    let reg = Reg::demo();
    let names = reg.json(&["metric", "names"]);
    let declared: Vec<&str> = rows(&names).iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(declared, ["linkedin-followers", "website-visitors-new-share", "website-visitors-returning-share"]);

    let out = reg.run(&[
        "metric",
        "add",
        "instagram-followers",
        "--name-en",
        "Instagram followers",
        "--name-nl",
        "Instagram-volgers",
    ]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        "declared instagram-followers (\"Instagram followers\", \"Instagram-volgers\", count)\n"
    );
    assert_eq!(reg.count("SELECT count(*) FROM metric_name WHERE name = 'instagram-followers' AND known_from > 0"), 1);
    assert_eq!(reg.count("SELECT count(*) FROM change WHERE entity = 'metric_name' AND action = 'insert'"), 1);
    // Declared once: again is refused, naming what is declared.
    let stderr = reg.refused(&["metric", "add", "instagram-followers", "--name-en", "x", "--name-nl", "y"]);
    assert_eq!(
        stderr,
        "ipart: the figure \"instagram-followers\" is declared already (\"Instagram followers\", \"Instagram-volgers\", \
         count); nothing changed\n"
    );
    reg.ok(&["metric", "set", "instagram-followers", "420", "--year", "2023"]);
    let report = reg.ok(&["--lang", "nl", "report", "--year", "2023"]);
    assert!(report.contains("│ Instagram-volgers                 ┆    420 │"), "{report}");
    assert!(report.contains("│ LinkedIn-volgers                  ┆  1.700 │"), "{report}");
    let report = reg.json(&["report", "--year", "2023"]);
    let last = report["metrics"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last,
        serde_json::json!({"name": "instagram-followers", "name_en": "Instagram followers",
                           "name_nl": "Instagram-volgers", "unit": "count", "value": 420.0})
    );
}

#[test]
fn a_declaration_is_checked_before_it_is_written() {
    let reg = Reg::demo();
    let stderr = reg.refused(&["metric", "add", "Instagram", "--name-en", " ", "--name-nl", "Instagram-volgers"]);
    assert_eq!(
        stderr,
        "ipart: \"Instagram\" is not a figure name (expected lower-case letters, digits and '-', such as \
         instagram-followers)\n--name-en: is empty (give the label the report shows)\nnothing was changed\n"
    );
    let before = reg.dump();
    let stderr = reg.fails(&["metric", "add", "x", "--name-en", "X", "--name-nl", "X", "--unit", "pct"], 2);
    assert_eq!(stderr, "ipart: --unit: \"pct\" is not a unit (expected count (aantal) or percent (procent))\n");
    assert_eq!(reg.dump(), before);
}

// ---------------------------------------------------------------- lifecycle order

#[test]
fn a_completion_before_the_preparation_is_refused_unless_meant() {
    let reg = Reg::demo();
    // Assignment 369 starts in 2024, in preparation since 2023-07-03; 2013 is a typo for 2023.
    let stderr = reg.refused(&["assignment", "status", "369", "afgerond", "--on", "30-06-2013"]);
    assert_eq!(
        stderr,
        "ipart: assignment 369: completed on 2013-06-30 comes before in preparation on 2023-07-03, out of lifecycle \
         order (an assignment is in preparation, then in progress, then completed or cancelled; unknown at any \
         point); check the dates, or give --any-order if this order is meant (nothing was changed)\n"
    );
    let out = reg.run(&["assignment", "status", "369", "afgerond", "--on", "30-06-2013", "--any-order"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stderr_of(&out), "assignment 369: completed since 2013-06-30\n");
    assert_eq!(
        history(&reg, 369),
        [("2013-06-30".to_string(), "completed".to_string()), ("2023-07-03".to_string(), "preparation".to_string())]
    );
}

#[test]
fn a_record_does_not_go_back_a_stage_or_end_twice() {
    let reg = Reg::demo();
    // Lab 1: in formation 2020-12-14, active 2021-01-11.
    let stderr = reg.refused(&["lab", "status", "1", "in oprichting", "--on", "2022-01-01"]);
    assert_eq!(
        stderr,
        "ipart: lab 1: active on 2021-01-11 comes before in formation on 2022-01-01, out of lifecycle order (a lab \
         is in formation, then active, then closed); check the dates, or give --any-order if this order is meant \
         (nothing was changed)\n"
    );
    // Assignment 12 was completed on 2021-03-30: cancelled after it is a second end.
    let stderr = reg.refused(&["assignment", "status", "12", "cancelled", "--on", "2021-06-01"]);
    assert!(stderr.starts_with("ipart: assignment 12: completed on 2021-03-30 comes before cancelled on 2021-06-01"));
    // Forward, and unknown at any point, go in without the flag.
    reg.ok(&["lab", "status", "1", "closed", "--on", "2024-01-01"]);
    reg.ok(&["assignment", "status", "12", "unknown", "--on", "2021-06-01"]);
    // A change replacing another on its day is judged in its place:
    // assignment 350 is in preparation 2023-06-12, in progress 2024-01-18.
    let stderr = reg.refused(&["assignment", "status", "350", "completed", "--on", "2023-06-12", "--replace"]);
    assert!(
        stderr.starts_with("ipart: assignment 350: completed on 2023-06-12 comes before in progress on 2024-01-18")
    );
}

#[test]
fn an_import_keeps_the_lifecycle_order_unless_meant() {
    let reg = Reg::demo();
    // A new record whose history opens with a completion in 2013.
    let file = reg.dir.path().join("new.csv");
    std::fs::write(
        &file,
        "source,external_id,title,kind,level,theme,government_partner,education_partner,students,starts_on,status_history\n\
         coordinator,NEW-1,Nieuwe opdracht,graduation,WO,data-ai,Dictu,Universiteit Twente,1,2024-02-01,\
         2013-06-30=completed|2023-07-03=preparation\n",
    )
    .unwrap();
    let stderr = reg.refused(&["import", "assignments", file.to_str().unwrap()]);
    assert!(
        stderr.contains(
            "new.csv:2: column \"status_history\": completed on 2013-06-30 comes before in preparation on \
             2023-07-03, out of lifecycle order (an assignment is in preparation, then in progress, then completed \
             or cancelled; unknown at any point); check the dates, or give --any-order if this order is meant\n"
        ),
        "{stderr}"
    );
    // A file that sends a recorded assignment back to preparation after its completion
    // (IP-2020-002: completed 2020-12-09).
    let back = reg.dir.path().join("back.csv");
    std::fs::write(&back, "source,external_id,status,status_since\ncoordinator,IP-2020-002,preparation,2021-01-01\n")
        .unwrap();
    let stderr = reg.refused(&["import", "assignments", back.to_str().unwrap()]);
    assert!(
        stderr.contains(
            "back.csv:2: column \"status_since\": completed on 2020-12-09 comes before in preparation on 2021-01-01"
        ),
        "{stderr}"
    );
    reg.ok(&["import", "assignments", file.to_str().unwrap(), "--any-order"]);
    assert_eq!(reg.count("SELECT count(*) FROM assignment WHERE external_id = 'NEW-1'"), 1);
}

#[test]
fn db_check_warns_of_a_history_out_of_lifecycle_order() {
    let reg = Reg::demo();
    let out = reg.run(&["db", "check"]);
    assert!(out.status.success());
    assert!(stderr_of(&out).ends_with(": all 8 checks passed\n"), "{}", stderr_of(&out));
    reg.ok(&["assignment", "status", "369", "completed", "--on", "2013-06-30", "--any-order"]);
    let out = reg.run(&["db", "check"]);
    assert_eq!(out.status.code(), Some(0), "a history recorded on purpose is a warning, not damage");
    let stdout = stdout_of(&out);
    assert!(stdout.contains("lifecycle-order   1 warning"), "{stdout}");
    assert!(
        stdout.contains(
            "lifecycle-order  assignment 369  completed on 2013-06-30 comes before in preparation on 2023-07-03, out \
             of lifecycle order"
        ),
        "{stdout}"
    );
    assert!(stderr_of(&out).ends_with(": all 7 checks passed, with 1 warning (histories out of lifecycle order: recorded with --any-order, or dates to correct with `ipart KIND status`)\n"));
    let report = reg.json(&["db", "check"]);
    assert_eq!(
        (report["ok"].as_bool(), report["problems"].as_i64(), report["warnings"].as_i64()),
        (Some(true), Some(0), Some(1))
    );
}

// ---------------------------------------------------------------- plausible dates

#[test]
fn a_date_outside_the_accepted_years_is_refused_in_a_typed_command() {
    let reg = Reg::demo();
    let stderr = reg.refused(&["assignment", "status", "12", "unknown", "--on", "30-06-1913"]);
    assert_eq!(
        stderr,
        "ipart: --on: 1913-06-30 is outside the dates ipart accepts (years 2000 to 2036; a typo such as 1923 or 2203 \
         for 2023 is the usual cause)\n"
    );
    let stderr = reg.refused(&["partner", "edit", "DUO", "--joined-on", "2203-01-01"]);
    assert_eq!(
        stderr,
        "ipart: --joined-on: 2203-01-01 is outside the dates ipart accepts (years 2000 to 2036; a typo such as 1923 \
         or 2203 for 2023 is the usual cause)\nnothing was changed\n"
    );
    let stderr = reg.refused(&[
        "assignment",
        "add",
        "Datakwaliteit",
        "--kind",
        "stage",
        "--theme",
        "data-ai",
        "--government-partner",
        "RDW",
        "--education-partner",
        "HU",
        "--starts-on",
        "01-09-2023",
        "--registered-on",
        "28-08-1923",
    ]);
    assert!(stderr.starts_with("ipart: --registered-on: 1923-08-28 is outside the dates ipart accepts"), "{stderr}");
    // The last accepted year is ten years after today; its first day after is refused.
    reg.ok(&["partner", "edit", "DUO", "--left-on", "2036-12-31"]);
    let stderr = reg.refused(&["partner", "edit", "DUO", "--left-on", "2037-01-01"]);
    assert!(stderr.starts_with("ipart: --left-on: 2037-01-01 is outside"), "{stderr}");
}

#[test]
fn a_date_outside_the_accepted_years_is_refused_in_an_import_by_line_and_column() {
    let reg = Reg::demo();
    let file = reg.dir.path().join("activities.csv");
    std::fs::write(&file, "name,kind,starts_on\nDag,conference,2023-05-23\nDag2,conference,23-05-1923\n").unwrap();
    let stderr = reg.refused(&["import", "activities", file.to_str().unwrap()]);
    assert!(
        stderr.contains(
            "activities.csv:3: column \"starts_on\": 1923-05-23 is outside the dates ipart accepts (years 2000 to 2036; \
             a typo such as 1923 or 2203 for 2023 is the usual cause)\n"
        ),
        "{stderr}"
    );
    let history = reg.dir.path().join("labs.csv");
    std::fs::write(&history, "name,status_history\nNieuw lab,2013-01-01=in_formation|2203-01-01=active\n").unwrap();
    let stderr = reg.refused(&["import", "labs", history.to_str().unwrap()]);
    assert!(stderr.contains("labs.csv:2: column \"status_history\": 2203-01-01 is outside the dates"), "{stderr}");
    let stderr = reg.refused(&["import", "activities", file.to_str().unwrap(), "--on", "2230-01-01"]);
    assert!(stderr.starts_with("ipart: --on: 2230-01-01 is outside the dates ipart accepts"), "{stderr}");
}

#[test]
fn a_label_is_one_line_of_visible_text() {
    let reg = Reg::demo();
    let stderr =
        reg.refused(&["metric", "add", "x-followers", "--name-en", "X\u{202e}followers", "--name-nl", "X-volgers"]);
    assert!(stderr.starts_with("ipart: --name-en: contains U+202E"), "{stderr}");
    // A name that could not be declared as it is is not offered as one.
    let stderr = reg.refused(&["metric", "list", "--name", "LinkedIn Followers"]);
    assert!(
        stderr.ends_with("declare a new one with `ipart metric add NAME --name-en ... --name-nl ...`)\n"),
        "{stderr}"
    );
}
