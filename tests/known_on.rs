//! Published figures stay reproducible while late data corrects them:
//! `ipart report --known-on DAY` gives the figures as the registry knew them
//! then, after any later import, edit, removal and undo; `--changes-since
//! DAY` says what changed since.

mod common;

use common::*;

/// A registry whose every command is recorded at a moment the test chooses.
struct Timeline {
    reg: Reg,
}

impl Timeline {
    fn new() -> Timeline {
        let reg = Reg::absent();
        let timeline = Timeline { reg };
        timeline.at("2024-01-10T09:00:00Z", &["init", "--demo"]);
        timeline
    }

    /// Runs `args` as if it were `moment`; returns stdout.
    fn at(&self, moment: &str, args: &[&str]) -> String {
        let output = self.reg.ipart(args).env("IPART_NOW", moment).env("TZ", "UTC").output().unwrap();
        assert!(output.status.success(), "ipart {args:?} at {moment}: {}", stderr_of(&output));
        stdout_of(&output)
    }

    fn report(&self, moment: &str, extra: &[&str]) -> String {
        let mut args = vec!["report", "--year", "2023", "--format", "json"];
        args.extend(extra);
        self.at(moment, &args)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.reg.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }
}

const HEADER: &str = "source,external_id,title,kind,level,theme,government_partner,education_partner,lab,students,\
                      starts_on,ends_on,status_history";

#[test]
fn a_published_report_comes_back_byte_for_byte_after_late_data() {
    let t = Timeline::new();
    let published = t.report("2024-02-15T10:00:00Z", &[]);
    let published_md = t.at("2024-02-15T10:00:01Z", &["report", "--year", "2023", "--format", "markdown"]);

    // A late file: two assignments of 2023 that were not known on the day
    // of publication, and a second late file that is undone again.
    let late = t.file(
        "late.csv",
        &format!(
            "{HEADER}\n\
             sis,L1,Te laat gemeld 1,internship,HBO,data-ai,DUO,Hogeschool Utrecht,,1,2023-03-01,2023-07-01,2023-02-01=preparation|2023-03-01=in_progress|2023-07-01=completed\n\
             sis,L2,Te laat gemeld 2,graduation,WO,cybersecurity,DUO,Universiteit Twente,,2,2023-09-01,,2023-08-15=preparation\n"
        ),
    );
    t.at("2024-02-20T10:00:00Z", &["import", "assignments", &late]);
    let wrong = t.file(
        "wrong.csv",
        &format!(
            "{HEADER}\nsis,W1,Verkeerd bestand,internship,HBO,data-ai,DUO,Hogeschool Utrecht,,1,2023-03-01,,2023-02-01=preparation\n"
        ),
    );
    let batch = t.at("2024-02-21T10:00:00Z", &["import", "assignments", &wrong]);
    let after_wrong = t.report("2024-02-21T10:00:01Z", &[]);
    t.at("2024-02-22T10:00:00Z", &["import", "undo", batch.trim()]);
    // Corrections: the students of one, a status in 2023, a removal.
    t.at("2024-02-23T10:00:00Z", &["assignment", "edit", "coordinator:IP-2023-101", "--students", "5"]);
    let edited = t.report("2024-02-23T10:00:01Z", &[]);
    t.at(
        "2024-02-24T10:00:00Z",
        &["assignment", "status", "coordinator:IP-2023-092", "completed", "--on", "2023-12-15"],
    );
    let removed = t.conn_first_assignment_of_2023();
    t.at("2024-02-25T10:00:00Z", &["assignment", "remove", &removed.to_string()]);
    // A removal by mistake, taken back the next day with `ipart undo`.
    let mistaken = t.conn_first_assignment_of_2023();
    t.at("2024-02-26T10:00:00Z", &["assignment", "remove", &mistaken.to_string()]);
    let after_mistake = t.report("2024-02-26T10:00:01Z", &[]);
    t.at("2024-02-27T10:00:00Z", &["undo"]);
    let now = t.report("2024-03-01T10:00:00Z", &[]);
    assert_ne!(after_mistake, now, "the undo brought the assignment back");
    assert_ne!(now, published, "the late data changed the 2023 figures");

    // As known on the day of publication: exactly what was published.
    assert_eq!(t.report("2024-03-01T10:00:00Z", &["--known-on", "2024-02-15"]), published);
    let md = t.at(
        "2024-03-01T10:00:00Z",
        &["report", "--year", "2023", "--format", "markdown", "--known-on", "2024-02-15T10:00:01Z"],
    );
    assert_eq!(md.replace("; as known on 2024-02-15T10:00:01Z", ""), published_md);
    // And as known at each later moment: what a report said then.
    assert_eq!(t.report("2024-03-01T10:00:00Z", &["--known-on", "2024-02-21T10:00:00Z"]), after_wrong);
    assert_eq!(t.report("2024-03-01T10:00:00Z", &["--known-on", "2024-02-23"]), edited);
    assert_eq!(t.report("2024-03-01T10:00:00Z", &["--known-on", "2024-02-26"]), after_mistake);
    assert_eq!(t.report("2024-03-01T10:00:00Z", &["--known-on", "2024-03-01"]), now);

    // What changed since publication, counted by what the test did: two
    // assignments added (the undone file adds none), one removed (the
    // other removal was undone), one status changed on 31 December, one
    // changed otherwise (students).
    let changes: serde_json::Value =
        serde_json::from_str(&t.report("2024-03-01T10:00:00Z", &["--changes-since", "2024-02-15"])).unwrap();
    let c = &changes["changes_since"];
    assert_eq!(c["since"], "2024-02-15");
    assert_eq!(
        c["assignments"],
        serde_json::json!({"added": 2, "removed": 1, "status_changed": 1, "details_changed": 1}),
    );
    let figure =
        |name: &str| c["key_figures"].as_array().unwrap().iter().find(|k| k["figure"] == name).unwrap().clone();
    let published: serde_json::Value = serde_json::from_str(&published).unwrap();
    let assignments = figure("assignments");
    assert_eq!(assignments["previous"], published["key_figures"]["assignments"]);
    assert_eq!(assignments["change"], 1, "two added, one removed");
    // The same, said in words for people.
    let text = t.at("2024-03-01T10:00:00Z", &["report", "--year", "2023", "--changes-since", "2024-02-15"]);
    // (The table format folds the sentence at 80 columns.)
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Since 2024-02-15: 2 assignments added to 2023, 1 assignment taken out of 2023, 1 changed status, 1 changed otherwise."),
        "{text}"
    );
    let nl =
        t.at("2024-03-01T10:00:00Z", &["report", "--year", "2023", "--changes-since", "2024-02-15", "--lang", "nl"]);
    assert!(nl.contains("Sinds 2024-02-15: 2 opdrachten bij 2023 gekomen"), "{nl}");
    let csv =
        t.at("2024-03-01T10:00:00Z", &["report", "--year", "2023", "--changes-since", "2024-02-15", "--format", "csv"]);
    assert!(csv.contains("changes_since,assignments_added,2024-02-15,2,"), "{csv}");
}

#[test]
fn knowledge_before_anything_was_known_is_refused() {
    let t = Timeline::new();
    let output =
        t.reg.ipart(&["report", "--year", "2023", "--known-on", "2020-01-01"]).env("TZ", "UTC").output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr_of(&output).contains(
            "--known-on 2020-01-01: the registry had learned nothing by then (its first change was recorded at 2024-01-10T09:00:00Z)"
        ),
        "{}",
        stderr_of(&output)
    );
    let output = t
        .reg
        .ipart(&["report", "--year", "2023", "--known-on", "2024-01-10", "--changes-since", "2024-02-01"])
        .env("TZ", "UTC")
        .output()
        .unwrap();
    // Nothing happened between the two days: the later one is the same revision, so it is allowed.
    assert!(output.status.success(), "{}", stderr_of(&output));
    let output = t.reg.ipart(&["report", "--year", "2023", "--known-on", "gisteren"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr_of(&output).contains("--known-on: \"gisteren\" is not a day or a moment"), "{}", stderr_of(&output));
}

impl Timeline {
    /// The id of an assignment that counts in 2023 and is no edit target.
    fn conn_first_assignment_of_2023(&self) -> i64 {
        self.reg.count(
            "SELECT min(a.id) FROM assignment a JOIN assignment_status s ON s.assignment_id = a.id
             WHERE s.since BETWEEN '2023-01-01' AND '2023-12-31'
               AND a.external_id NOT IN ('IP-2023-101', 'IP-2023-092')
               AND NOT EXISTS (SELECT 1 FROM question q WHERE q.assignment_id = a.id)",
        )
    }
}
