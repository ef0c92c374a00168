//! The audit trail: every change a command makes is in the `change` table
//! with when (UTC), who (the OS user, or IPART_ACTOR) and what (the record
//! before and after, as JSON), written in the same transaction as the
//! change; `ipart log` shows it, filterable by record.

mod common;

use common::*;
use serde_json::Value;

const ACTOR: &str = "coordinator@test";

/// The change rows after `id`, oldest first.
fn changes_after(registry: &Reg, id: i64) -> Vec<Value> {
    let output = registry.ipart(&["log", "--limit", "1000", "--format", "json"]).output().unwrap();
    let mut rows: Vec<Value> = serde_json::from_slice::<Value>(&output.stdout).unwrap().as_array().unwrap().clone();
    rows.retain(|r| r["id"].as_i64().unwrap() > id);
    rows.reverse();
    rows
}

fn last_change(registry: &Reg) -> i64 {
    registry.count("SELECT coalesce(max(id), 0) FROM change")
}

/// Runs a command as ACTOR and checks the audit rows it wrote: one per
/// `(entity, action)`, in order, each with when, who, which command and
/// the record before and after as the action implies.
fn assert_audited(registry: &Reg, args: &[&str], expected: &[(&str, &str)]) -> Vec<Value> {
    let before = last_change(registry);
    let started = std::time::SystemTime::now();
    let output = registry.ipart(args).env("IPART_ACTOR", ACTOR).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", stderr_of(&output));
    let rows = changes_after(registry, before);
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["entity"].as_str().unwrap().to_string(), r["action"].as_str().unwrap().to_string()))
        .collect();
    let want: Vec<(String, String)> = expected.iter().map(|(e, a)| (e.to_string(), a.to_string())).collect();
    assert_eq!(got, want, "{args:?}");
    let command = if args[0] == "metric" { format!("metric {}", args[1]) } else { format!("{} {}", args[0], args[1]) };
    for row in &rows {
        assert_eq!(row["actor"], ACTOR);
        assert_eq!(row["command"], command.as_str(), "{row}");
        let at: jiff::Timestamp = row["at"].as_str().unwrap().parse().unwrap();
        let started = jiff::Timestamp::try_from(started).unwrap();
        assert!(at >= started.round(jiff::Unit::Second).unwrap() - jiff::SignedDuration::from_secs(1), "{row}");
        assert!(row["at"].as_str().unwrap().ends_with('Z'), "not UTC: {row}");
        let (old, new) = (&row["old"], &row["new"]);
        match row["action"].as_str().unwrap() {
            "insert" => assert!(old.is_null() && new.is_object(), "{row}"),
            "delete" => assert!(old.is_object() && new.is_null(), "{row}"),
            _ => assert!(old.is_object() && new.is_object() && old != new, "{row}"),
        }
    }
    rows
}

/// A kind of record with the arguments of its add and edit, and a status
/// to move it to when it has a lifecycle.
type KindSteps = (&'static str, &'static [&'static str], &'static [&'static str], Option<&'static str>);

#[test]
fn every_record_command_is_audited() {
    let registry = Reg::empty();
    let a = |args: &[&str], expected: &[(&str, &str)]| assert_audited(&registry, args, expected);
    let rows =
        a(&["theme", "add", "it-change", "--name-en", "IT change", "--name-nl", "IT-Change"], &[("theme", "insert")]);
    assert_eq!(rows[0]["new"]["code"], "it-change");
    a(&["partner", "add", "DUO", "--sector", "government", "--joined-on", "2020-06-01"], &[("partner", "insert")]);
    a(
        &["partner", "add", "Hogeschool Utrecht", "--short-name", "HU", "--sector", "education", "--level", "HBO"],
        &[("partner", "insert")],
    );
    a(&["partner", "add", "Universiteit Twente", "--sector", "education", "--level", "WO"], &[("partner", "insert")]);
    let rows = a(
        &["partner", "edit", "DUO", "--region", "noord", "--add-alias", "Dienst Uitvoering Onderwijs"],
        &[("partner", "update")],
    );
    assert_eq!((&rows[0]["old"]["region"], &rows[0]["new"]["region"]), (&Value::Null, &Value::from("noord")));
    assert_eq!(rows[0]["new"]["aliases"][0], "Dienst Uitvoering Onderwijs");

    let add = [
        "assignment",
        "add",
        "Archief op orde",
        "--kind",
        "internship",
        "--theme",
        "it-change",
        "--government-partner",
        "DUO",
        "--education-partner",
        "HU",
        "--status",
        "preparation",
        "--on",
        "2023-09-01",
    ];
    let rows = a(&add, &[("assignment", "insert"), ("assignment_status", "insert")]);
    let id = rows[0]["entity_id"].as_i64().unwrap().to_string();
    assert_eq!(rows[1]["new"]["assignment_id"].as_i64(), rows[0]["entity_id"].as_i64());
    a(&["assignment", "status", &id, "in_progress", "--on", "2023-10-01"], &[("assignment_status", "insert")]);
    let rows = a(
        &["assignment", "status", &id, "completed", "--on", "2023-10-01", "--replace"],
        &[("assignment_status", "update")],
    );
    assert_eq!((&rows[0]["old"]["status"], &rows[0]["new"]["status"]), (&"in_progress".into(), &"completed".into()));
    a(&["assignment", "status", &id, "--remove", "--on", "2023-10-01"], &[("assignment_status", "delete")]);
    let rows = a(&["assignment", "edit", &id, "--students", "3"], &[("assignment", "update")]);
    assert_eq!((rows[0]["old"]["students"].as_i64(), rows[0]["new"]["students"].as_i64()), (Some(1), Some(3)));
    a(&["assignment", "remove", &id], &[("assignment_status", "delete"), ("assignment", "delete")]);

    a(&["metric", "set", "linkedin-followers", "1700", "--year", "2023"], &[("metric", "insert")]);
    a(&["metric", "set", "linkedin-followers", "1800", "--year", "2023"], &[("metric", "update")]);
    a(&["metric", "set", "linkedin-followers", "1800", "--year", "2023"], &[]);
    a(&["metric", "remove", "linkedin-followers", "--year", "2023"], &[("metric", "delete")]);

    // Every other kind: add, edit, status where it has one, remove.
    let kinds: &[KindSteps] = &[
        ("lab", &["IHH Lab", "--region", "west", "--member", "DUO"], &["--description", "Archives"], Some("closed")),
        ("community", &["Data/AI community", "--status", "planned"], &["--description", "AI"], Some("active")),
        (
            "phd",
            &[
                "2023-09-01",
                "--theme",
                "data-ai",
                "--government-partner",
                "DUO",
                "--education-partner",
                "Universiteit Twente",
            ],
            &["--topic", "Wendbare IT"],
            None,
        ),
        (
            "activity",
            &["iBestuur event", "--kind", "event", "--starts-on", "2023-09-13"],
            &["--participants", "80"],
            None,
        ),
        ("curriculum", &["Minor Data", "--kind", "minor", "--partner", "HU"], &["--theme", "data-ai"], Some("running")),
        (
            "chair",
            &["Human Centered AI", "--kind", "lectorate", "--partner", "HU"],
            &["--theme", "data-ai"],
            Some("ended"),
        ),
        (
            "question",
            &["Hoe archiveren we chats?", "--theme", "IHH", "--asked-on", "2023-09-13"],
            &["--theme", "data-ai"],
            None,
        ),
    ];
    for (kind, add_args, edit_args, status) in kinds {
        let history = format!("{kind}_status");
        let mut args = vec![*kind, "add"];
        args.extend_from_slice(add_args);
        let expected: Vec<(&str, &str)> = match status {
            Some(_) => vec![(kind, "insert"), (history.as_str(), "insert")],
            None => vec![(kind, "insert")],
        };
        let rows = a(&args, &expected);
        let id = rows[0]["entity_id"].as_i64().unwrap().to_string();
        let mut args = vec![*kind, "edit", &id];
        args.extend_from_slice(edit_args);
        a(&args, &[(kind, "update")]);
        let mut removed = vec![(*kind, "delete")];
        if let Some(status) = status {
            // After the day it was added with its first status (today), in
            // lifecycle order.
            a(&[kind, "status", &id, status, "--on", "2026-12-10"], &[(history.as_str(), "insert")]);
            removed = vec![(history.as_str(), "delete"), (history.as_str(), "delete"), (kind, "delete")];
        }
        a(&[kind, "remove", &id], &removed);
    }
    a(&["partner", "remove", "Universiteit Twente"], &[("partner", "delete")]);
    a(&["theme", "remove", "it-change"], &[("theme", "delete")]);
}

#[test]
fn a_refused_command_writes_no_audit_entry() {
    let registry = Reg::demo_in_use();
    let before = last_change(&registry);
    let output = registry
        .ipart(&["assignment", "add", "X", "--kind", "internship", "--theme", "data-ai", "--government-partner", "HU"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    let output = registry.ipart(&["partner", "remove", "DUO"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr_of(&output));
    assert_eq!(last_change(&registry), before);
}

#[test]
fn the_actor_is_the_os_user_unless_ipart_actor_says_otherwise() {
    let registry = Reg::empty();
    registry
        .ipart(&["--quiet", "partner", "add", "DUO", "--sector", "government"])
        .env_remove("IPART_ACTOR")
        .assert()
        .success();
    registry
        .ipart(&["--quiet", "partner", "add", "RDW", "--sector", "government"])
        .env("IPART_ACTOR", "import-job")
        .assert()
        .success();
    let rows = changes_after(&registry, 0);
    assert_eq!(rows[0]["actor"], whoami::username().unwrap().as_str());
    assert_eq!(rows[1]["actor"], "import-job");
}

#[test]
fn log_filters_by_record_with_its_status_history() {
    let registry = Reg::demo_in_use();
    let id: i64 = registry.count("SELECT min(id) FROM assignment");
    let other = id + 1;
    let students = registry.count(&format!("SELECT students FROM assignment WHERE id = {id}"));
    registry
        .ipart(&["--quiet", "assignment", "status", &id.to_string(), "in_progress", "--on", "2020-06-20"])
        .assert()
        .success();
    registry
        .ipart(&["--quiet", "assignment", "status", &other.to_string(), "in_progress", "--on", "2020-06-20"])
        .assert()
        .success();
    registry.ipart(&["--quiet", "assignment", "edit", &id.to_string(), "--students", "44"]).assert().success();
    let rows = json(registry.ipart(&["log", "--record", "assignment", "--id", &id.to_string(), "--format", "json"]));
    let rows = rows.as_array().unwrap();
    let history = registry.count(&format!("SELECT count(*) FROM assignment_status WHERE assignment_id = {id}"));
    // Its insert, its edit, and every change of its history (the demo load and the new one).
    assert_eq!(rows.len() as i64, 2 + history, "{rows:#?}");
    for row in rows {
        match row["entity"].as_str().unwrap() {
            "assignment" => assert_eq!(row["entity_id"].as_i64(), Some(id)),
            "assignment_status" => {
                assert_eq!(row["new"]["assignment_id"].as_i64(), Some(id))
            }
            other => panic!("{other}"),
        }
    }
    // The table says what changed.
    let output =
        registry.ipart(&["log", "--record", "assignment", "--id", &id.to_string(), "--limit", "2"]).output().unwrap();
    let table = stdout_of(&output);
    assert!(table.contains(&format!("students: {students} -> 44")), "{table}");

    let output = registry.ipart(&["log", "--record", "assignments"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output)
            .starts_with("ipart: --record: \"assignments\" is not a kind of record (expected one of theme, partner,")
    );
}

/// A native assignments file of two new assignments; returns its path.
fn two_assignments(registry: &Reg) -> std::path::PathBuf {
    let path = registry.dir.path().join("new-assignments.csv");
    let header = "source,external_id,title,kind,level,theme,government_partner,education_partner,lab,students,\
                  starts_on,ends_on,status_history";
    let rows = [
        "sis,L1,Opdracht L1,internship,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,,2,2023-02-01,,\
         2023-01-10=preparation|2023-02-01=in_progress",
        "sis,L2,Opdracht L2,internship,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,,1,2023-02-01,,\
         2023-01-10=preparation",
    ];
    std::fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    path
}

#[test]
fn log_shows_an_assignment_added_by_an_import_then_its_status_changes() {
    let registry = Reg::demo_in_use();
    let file = two_assignments(&registry);
    let output = registry
        .ipart(&["--quiet", "import", "assignments", file.to_str().unwrap()])
        .env("IPART_ACTOR", "import-job")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let batch: i64 = stdout_of(&output).trim().parse().unwrap();
    let id = registry.count("SELECT id FROM assignment WHERE external_id = 'L1'");
    assert_eq!(registry.count(&format!("SELECT batch_id FROM assignment WHERE id = {id}")), batch);
    registry
        .ipart(&["--quiet", "assignment", "status", &id.to_string(), "completed", "--on", "2023-06-30"])
        .env("IPART_ACTOR", ACTOR)
        .assert()
        .success();

    let rows = json(registry.ipart(&["log", "--record", "assignment", "--id", &id.to_string(), "--format", "json"]));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    // Newest first: the status change, then the import that added it.
    let (change, added) = (&rows[0], &rows[1]);
    assert_eq!(change["entity"], "assignment_status");
    assert_eq!(change["actor"], ACTOR);
    assert_eq!(change["new"]["status"], "completed");
    assert_eq!(change["batch_id"], Value::Null);
    assert_eq!(added["entity"], "assignment");
    assert_eq!(added["entity_id"].as_i64(), Some(id));
    assert_eq!(added["action"], "insert");
    assert_eq!(added["actor"], "import-job");
    assert_eq!(added["batch_id"].as_i64(), Some(batch));
    assert!(added["id"].as_i64() < change["id"].as_i64());
    let recorded = &json(registry.ipart(&["import", "log", "--format", "json"]))
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"].as_i64() == Some(batch))
        .unwrap()
        .clone();
    let by = &added["new"]["added_by_import"];
    for key in ["id", "file", "sha256", "started_at", "actor"] {
        assert_eq!(by[key], recorded[key], "{key}");
    }
    assert_eq!(by["sha256"].as_str().unwrap().len(), 64);
    assert!(by["file"].as_str().unwrap().ends_with("new-assignments.csv"));
    assert_eq!(
        added["new"]["status_history"],
        serde_json::json!([
            { "since": "2023-01-10", "status": "preparation" },
            { "since": "2023-02-01", "status": "in_progress" }
        ])
    );
    // The table says it in words.
    let table =
        stdout_of(&registry.ipart(&["log", "--record", "assignment", "--id", &id.to_string()]).output().unwrap());
    let sha = &by["sha256"].as_str().unwrap()[..12];
    assert!(table.contains(&format!("added by import batch {batch} (")), "{table}");
    assert!(table.contains(&format!("sha256 {sha}")), "{table}");
    assert!(table.contains("status preparation 2023-01-10, in_progress 2023-02-01"), "{table}");
    // An assignment with an audit entry of its own (the demo data, loaded entry by entry) gets no made-up one.
    let other = registry.count("SELECT min(id) FROM assignment");
    let rows = json(registry.ipart(&["log", "--record", "assignment", "--id", &other.to_string(), "--format", "json"]));
    assert!(rows.as_array().unwrap().iter().all(|r| r["new"].get("added_by_import").is_none()));
}

/// Imports `two_assignments`; returns the batch.
fn import_two_assignments(registry: &Reg) -> i64 {
    let file = two_assignments(registry);
    let output = registry.ipart(&["--quiet", "import", "assignments", file.to_str().unwrap()]).output().unwrap();
    stdout_of(&output).trim().parse().unwrap()
}

#[test]
fn log_lists_imports_and_their_undoing_in_time_order() {
    let registry = Reg::demo_in_use();
    let start = last_change(&registry);
    let batch = import_two_assignments(&registry);
    registry.ipart(&["--quiet", "partner", "add", "Tussendoor", "--sector", "other"]).assert().success();
    registry.ipart(&["--quiet", "import", "undo", &batch.to_string()]).assert().success();

    let rows = changes_after(&registry, start);
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["entity"].as_str().unwrap().to_string(), r["action"].as_str().unwrap().to_string()))
        .collect();
    let want = [("import_batch", "insert"), ("partner", "insert"), ("import_batch", "update")];
    assert_eq!(got, want.map(|(e, a)| (e.to_string(), a.to_string())));
    assert_eq!(rows[0]["batch_id"].as_i64(), Some(batch));
    assert_eq!(rows[0]["new"]["added"].as_i64(), Some(2));
    assert_eq!(rows[2]["batch_id"].as_i64(), Some(batch));
    assert!(rows[2]["new"]["undone_at"].is_string());
    let times: Vec<&str> = rows.iter().map(|r| r["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    // The table says what each did.
    let table = stdout_of(&registry.ipart(&["log", "--limit", "3"]).output().unwrap());
    assert!(table.contains(&format!("undid import batch {batch} (assignment ")), "{table}");
    assert!(table.contains("import of assignment"), "{table}");
    assert!(table.contains(": 2 rows, 2 added"), "{table}");
    // The changes to assignments include the imports of assignments.
    let rows = json(registry.ipart(&["log", "--record", "assignment", "--limit", "2", "--format", "json"]));
    let entries: Vec<(&str, i64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["entity"].as_str().unwrap(), r["entity_id"].as_i64().unwrap()))
        .collect();
    assert_eq!(entries, [("import_batch", batch), ("import_batch", batch)]);
}

#[test]
fn log_counts_the_student_pseudonyms_each_import_linked_never_showing_them() {
    let registry = Reg::demo_in_use();
    let first = registry.dir.path().join("with-students.csv");
    std::fs::write(
        &first,
        "source,external_id,title,kind,level,theme,government_partner,education_partner,students,status_history,\
         student_ids\n\
         sis,L9,Opdracht L9,internship,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,2,2023-01-10=preparation,\
         s2000001;s2000002\n",
    )
    .unwrap();
    let second = registry.dir.path().join("more-students.csv");
    // Only the key and the identifiers: one known, one new.
    std::fs::write(&second, "source,external_id,student_ids\nsis,L9,s2000002|s2000003\n").unwrap();
    let batch = |file: &std::path::Path| -> i64 {
        let output = registry.ipart(&["--quiet", "import", "assignments", file.to_str().unwrap()]).output().unwrap();
        assert!(output.status.success(), "{}", stderr_of(&output));
        stdout_of(&output).trim().parse().unwrap()
    };
    let (one, two) = (batch(&first), batch(&second));
    let id = registry.count("SELECT id FROM assignment WHERE external_id = 'L9'");

    let log = registry.ipart(&["log", "--record", "assignment", "--id", &id.to_string(), "--format", "json"]);
    let rows = json(log);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert_eq!(rows[0]["entity"], "assignment_student");
    assert_eq!(rows[0]["batch_id"].as_i64(), Some(two));
    assert_eq!(
        rows[0]["new"],
        serde_json::json!({ "assignment_id": id, "import_batch": two, "student_pseudonyms": 1 })
    );
    assert_eq!(rows[1]["entity"], "assignment");
    assert_eq!(rows[1]["batch_id"].as_i64(), Some(one));
    assert_eq!(rows[1]["new"]["student_pseudonyms"].as_i64(), Some(2));
    let text = serde_json::to_string(rows).unwrap();
    for clear in ["s2000001", "s2000002", "s2000003"] {
        assert!(!text.contains(clear), "the log shows {clear}");
    }
    let table =
        stdout_of(&registry.ipart(&["log", "--record", "assignment", "--id", &id.to_string()]).output().unwrap());
    assert!(table.contains(&format!("linked 1 student pseudonym(s) (import batch {two})")), "{table}");
    assert!(table.contains("; 2 student pseudonym(s)"), "{table}");

    // The batches count them too.
    let batches = json(registry.ipart(&["import", "log", "--format", "json"]));
    let linked = |b: i64| {
        batches.as_array().unwrap().iter().find(|x| x["id"].as_i64() == Some(b)).unwrap()["students_linked"].as_i64()
    };
    assert_eq!((linked(one), linked(two)), (Some(2), Some(1)));
    let table = stdout_of(&registry.ipart(&["log", "--limit", "1"]).output().unwrap());
    assert!(table.contains("1 rows, 1 unchanged, 1 student pseudonym(s) linked"), "{table}");
}

#[test]
fn log_of_an_assignment_whose_import_was_undone_shows_both() {
    let registry = Reg::demo_in_use();
    let batch = import_two_assignments(&registry);
    let added = registry.count("SELECT max(id) FROM assignment");
    registry.ipart(&["--quiet", "import", "undo", &batch.to_string()]).assert().success();
    assert_eq!(registry.count(&format!("SELECT count(*) FROM assignment WHERE id = {added}")), 0);

    let id = added.to_string();
    let rows = json(registry.ipart(&["log", "--record", "assignment", "--id", &id, "--format", "json"]));
    let rows = rows.as_array().unwrap();
    // Newest first: the undo, then the import that added it.
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0]["entity"].as_str(), rows[0]["entity_id"].as_i64()), (Some("import_batch"), Some(batch)));
    assert_eq!(rows[0]["new"]["removed_assignments"], serde_json::json!([[added - 1, added]]));
    assert_eq!(rows[1]["new"]["added_by_import"]["id"].as_i64(), Some(batch));
    assert_eq!(rows[1]["new"]["removed_by_undo"], true);
    let table = stdout_of(&registry.ipart(&["log", "--record", "assignment", "--id", &id]).output().unwrap());
    assert!(table.contains(&format!("undid import batch {batch} (assignment ")), "{table}");
    assert!(table.contains(&format!("added by import batch {batch} (")), "{table}");
    assert!(table.contains("removed again by its undo"), "{table}");

    // An id no import ever added still shows nothing.
    let none = json(registry.ipart(&["log", "--record", "assignment", "--id", "999999", "--format", "json"]));
    assert_eq!(none.as_array().unwrap().len(), 0);
}
