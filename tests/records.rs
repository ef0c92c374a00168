//! End-to-end tests of the record commands: add, list, show, edit, remove
//! and status for every kind of record, through the real binary.

mod common;

use common::{Reg, count, rows};
use serde_json::json;

#[test]
fn partner_add_list_show_edit_remove() {
    let reg = Reg::empty();
    let id = reg.ok(&[
        "partner",
        "add",
        "Hogeschool Utrecht",
        "--short-name",
        "HU",
        "--sector",
        "onderwijs",
        "--level",
        "hbo",
        "--region",
        "Midden-Nederland",
        "--joined-on",
        "01-03-2021",
        "--external-code",
        "00IC",
        "--alias",
        "Stichting HU",
        "--alias",
        "HU University of Applied Sciences",
    ]);
    assert_eq!(id.trim(), "1");
    let p = reg.json(&["partner", "show", "hu"]);
    assert_eq!(p["name"], "Hogeschool Utrecht");
    assert_eq!(p["sector"], "education");
    assert_eq!(p["level"], "HBO");
    assert_eq!(p["region"], "midden");
    assert_eq!(p["joined_on"], "2021-03-01");
    assert_eq!(p["external_code"], "00IC", "codes stay text with their leading zeros");
    assert_eq!(p["aliases"], json!(["HU University of Applied Sciences", "Stichting HU"]));

    // Found by alias, accent- and case-insensitively.
    assert_eq!(reg.json(&["partner", "show", "stichting hu"])["id"], 1);

    reg.ok(&[
        "partner",
        "edit",
        "HU",
        "--region",
        "west",
        "--add-alias",
        "HU Utrecht",
        "--remove-alias",
        "Stichting HU",
    ]);
    let p = reg.json(&["partner", "show", "1"]);
    assert_eq!(p["region"], "west");
    assert_eq!(p["aliases"], json!(["HU University of Applied Sciences", "HU Utrecht"]));

    // An empty value clears an optional field.
    reg.ok(&["partner", "edit", "HU", "--short-name", ""]);
    assert_eq!(reg.json(&["partner", "show", "1"])["short_name"], serde_json::Value::Null);

    let csv = reg.ok(&["partner", "list", "--format", "csv"]);
    assert!(csv.starts_with(
        "id,name,short_name,aliases,sector,level,region,joined_on,left_on,external_code,source,external_id\n"
    ));
    assert!(csv.contains(",00IC,"), "{csv}");

    reg.ok(&["partner", "remove", "Hogeschool Utrecht"]);
    assert_eq!(count(&reg.json(&["partner", "list"])), 0);
    // An empty list is success, with an empty JSON array and a CSV header.
    assert_eq!(reg.ok(&["partner", "list", "--format", "json"]).trim(), "[]");
}

#[test]
fn partner_list_filters_by_sector_level_region_and_year() {
    let reg = Reg::demo();
    let gov = reg.json(&["partner", "list", "--sector", "rijksoverheid", "--year", "2023"]);
    assert_eq!(count(&gov), 65);
    assert!(rows(&gov).iter().all(|p| p["sector"] == "government"));
    assert_eq!(count(&reg.json(&["partner", "list", "--sector", "education", "--year", "2023"])), 34);
    assert_eq!(count(&reg.json(&["partner", "list", "--sector", "education", "--level", "WO", "--year", "2023"])), 10);
    let noord = reg.json(&["partner", "list", "--region", "noord"]);
    assert!(count(&noord) > 0 && rows(&noord).iter().all(|p| p["region"] == "noord"));
    // Without --year the list holds every partner, also those that left.
    assert_eq!(count(&reg.json(&["partner", "list", "--sector", "government"])), 66);
}

#[test]
fn a_partner_keeps_its_level_while_assignments_at_that_level_name_it() {
    // Found by fuzzing the import (fuzz/crashes/import): a partners file
    // gave Universiteit Twente another level, and `db check` then refused
    // every one of its assignments.
    let reg = Reg::demo();
    let stderr = reg.refused(&["partner", "edit", "Universiteit Twente", "--level", "HBO"]);
    assert!(
        stderr.contains("partner \"Universiteit Twente\" cannot change level from WO to HBO: ")
            && stderr.contains(" assignments at level WO have it as education partner"),
        "{stderr}"
    );
    // A partner no assignment names can change level.
    reg.ok(&["partner", "add", "Hogeschool Test", "--sector", "education", "--level", "HBO"]);
    reg.ok(&["partner", "edit", "Hogeschool Test", "--level", "WO"]);
    reg.ok(&["db", "check"]);
}

#[test]
fn assignment_add_status_history_and_show() {
    let reg = Reg::demo();
    let id = reg.ok(&[
        "assignment",
        "add",
        "Datakwaliteit dashboard",
        "--kind",
        "stage",
        "--theme",
        "Data/AI",
        "--government-partner",
        "RDW",
        "--education-partner",
        "HU",
        "--students",
        "2",
        "--starts-on",
        "2025-02-01",
        "--ends-on",
        "2025-06-30",
        "--status",
        "in voorbereiding",
        "--on",
        "2025-01-10",
    ]);
    let id = id.trim().to_string();
    let a = reg.json(&["assignment", "show", &id]);
    assert_eq!(a["kind"], "internship");
    assert_eq!(a["level"], "HBO", "the level follows from the education partner");
    assert_eq!(a["theme"], "data-ai");
    assert_eq!(a["education_partner"], "Hogeschool Utrecht");
    assert_eq!(a["status"], "preparation");

    reg.ok(&["assignment", "status", &id, "in uitvoering", "--on", "2025-02-03"]);
    reg.ok(&["assignment", "status", &id, "afgerond", "--on", "2025-06-30"]);
    let a = reg.json(&["assignment", "show", &id]);
    assert_eq!(a["status"], "completed");
    assert_eq!(
        a["status_history"],
        json!([
            {"since": "2025-01-10", "status": "preparation"},
            {"since": "2025-02-03", "status": "in_progress"},
            {"since": "2025-06-30", "status": "completed"},
        ])
    );
    // The state on an earlier date comes from the history.
    assert_eq!(reg.json(&["assignment", "show", &id, "--as-of", "2025-03-01"])["status"], "in_progress");
    assert_eq!(reg.json(&["assignment", "show", &id, "--as-of", "2024-12-31"])["status"], serde_json::Value::Null);

    // A second change on the same day replaces the first when --replace says
    // so (refused without it); removing a mistake works.
    reg.refused(&["assignment", "status", &id, "cancelled", "--on", "2025-06-30"]);
    reg.ok(&["assignment", "status", &id, "cancelled", "--on", "2025-06-30", "--replace"]);
    assert_eq!(reg.json(&["assignment", "show", &id])["status"], "cancelled");
    reg.ok(&["assignment", "status", &id, "--remove", "--on", "2025-06-30"]);
    assert_eq!(reg.json(&["assignment", "show", &id])["status"], "in_progress");

    // Without --on a status begins today.
    reg.ok(&["assignment", "status", &id, "completed"]);
    assert_eq!(reg.json(&["assignment", "show", &id])["status_since"], common::TODAY);

    reg.ok(&["assignment", "edit", &id, "--students", "3", "--lab", "IDDI-Lab"]);
    let a = reg.json(&["assignment", "show", &id]);
    assert_eq!((a["students"].clone(), a["lab"].clone()), (json!(3), json!("IDDI-Lab")));

    reg.ok(&["assignment", "remove", &id]);
    reg.fails(&["assignment", "show", &id], 6);
}

#[test]
fn assignment_list_gives_the_seed_counts_for_2023() {
    let reg = Reg::demo();
    let on = |status: &str| count(&reg.json(&["assignment", "list", "--year", "2023", "--status", status]));
    assert_eq!(on("completed"), 287);
    assert_eq!(on("in voorbereiding"), 58);
    assert_eq!(on("in_progress"), 54);
    let all = reg.json(&["assignment", "list", "--year", "2023"]);
    assert_eq!(count(&all), 548);
    // The rest of the 548 is explained: cancelled or of unknown status.
    assert_eq!(on("cancelled") + on("unknown"), 548 - 287 - 58 - 54);

    let level = |l: &str| rows(&all).iter().filter(|a| a["level"] == l).count();
    let (hbo, wo, mbo) = (level("HBO"), level("WO"), level("MBO"));
    assert_eq!(hbo + wo + mbo, 548);
    let pct = |n: usize| (n as f64 * 100.0 / 548.0).round() as i64;
    assert_eq!((pct(hbo), pct(wo), pct(mbo)), (64, 33, 3));
    let students: i64 = rows(&all)
        .iter()
        .filter(|a| a["status"] == "in_progress" || a["status"] == "completed")
        .map(|a| a["students"].as_i64().unwrap())
        .sum();
    assert_eq!(students, 1235);

    // --as-of is the same as --year's last day; other filters combine.
    assert_eq!(count(&reg.json(&["assignment", "list", "--as-of", "2023-12-31", "--status", "completed"])), 287);
    let hbo_data = reg.json(&["assignment", "list", "--year", "2023", "--level", "HBO", "--theme", "data-ai"]);
    assert!(rows(&hbo_data).iter().all(|a| a["level"] == "HBO" && a["theme"] == "data-ai"));
    let duo = reg.json(&["assignment", "list", "--partner", "DUO", "--kind", "stage"]);
    assert!(count(&duo) > 0);
    assert!(rows(&duo).iter().all(|a| a["government_partner"] == "DUO" && a["kind"] == "internship"));
    let lab = reg.json(&["assignment", "list", "--lab", "IDDI-Lab"]);
    assert!(count(&lab) > 0 && rows(&lab).iter().all(|a| a["lab"] == "IDDI-Lab"));

    // A stable order: by id.
    let ids: Vec<i64> = rows(&all).iter().map(|a| a["id"].as_i64().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn lab_commands() {
    let reg = Reg::demo();
    let id = reg
        .ok(&[
            "lab",
            "add",
            "Testlab Oost",
            "--region",
            "oost",
            "--region",
            "Midden NL",
            "--theme",
            "IHH",
            "--member",
            "DUO",
            "--member",
            "Universiteit Twente",
            "--status",
            "in oprichting",
            "--on",
            "2024-01-15",
            "--description",
            "Een lab om te testen",
        ])
        .trim()
        .to_string();
    let lab = reg.json(&["lab", "show", "testlab oost"]);
    assert_eq!(lab["regions"], json!(["oost", "midden"]));
    assert_eq!(lab["themes"], json!(["information-management"]));
    assert_eq!(lab["members"], json!(["DUO", "Universiteit Twente"]));
    assert_eq!(lab["status"], "in_formation");
    reg.ok(&["lab", "status", &id, "actief", "--on", "2024-06-01"]);
    reg.ok(&["lab", "edit", &id, "--add-member", "RDW", "--remove-member", "DUO", "--add-theme", "blockchain"]);
    let lab = reg.json(&["lab", "show", &id]);
    assert_eq!(lab["members"], json!(["RDW", "Universiteit Twente"]));
    assert_eq!(lab["themes"], json!(["information-management", "blockchain"]));
    assert_eq!(lab["status"], "active");

    // The seed's labs on 2023-12-31: 8 active, 1 in formation, 1 closed.
    let active = reg.json(&["lab", "list", "--year", "2023", "--status", "active"]);
    assert_eq!(count(&active), 8);
    assert_eq!(count(&reg.json(&["lab", "list", "--year", "2023", "--status", "in_formation"])), 1);
    assert_eq!(count(&reg.json(&["lab", "list", "--region", "zuid"])), 2);

    reg.ok(&["lab", "remove", &id]);
    reg.fails(&["lab", "show", &id], 6);
}

#[test]
fn community_commands() {
    let reg = Reg::demo();
    assert_eq!(count(&reg.json(&["community", "list", "--year", "2023"])), 4);
    assert_eq!(count(&reg.json(&["community", "list", "--year", "2023", "--status", "gepland"])), 3);
    let id =
        reg.ok(&["community", "add", "Testcommunity", "--status", "planned", "--on", "2024-01-01"]).trim().to_string();
    reg.ok(&["community", "status", &id, "active", "--on", "2024-03-01"]);
    reg.ok(&["community", "edit", &id, "--description", "Voor tests"]);
    let c = reg.json(&["community", "show", &id]);
    assert_eq!((c["status"].clone(), c["description"].clone()), (json!("active"), json!("Voor tests")));
    reg.ok(&["community", "remove", "Testcommunity"]);
    assert_eq!(count(&reg.json(&["community", "list"])), 4);
}

#[test]
fn phd_commands() {
    let reg = Reg::demo();
    assert_eq!(count(&reg.json(&["phd", "list", "--started-in", "2023"])), 13);
    let id = reg
        .ok(&[
            "phd",
            "add",
            "2024-09-01",
            "--theme",
            "it-change",
            "--government-partner",
            "UWV",
            "--education-partner",
            "Universiteit Twente",
            "--topic",
            "Wendbare IT",
        ])
        .trim()
        .to_string();
    reg.ok(&["phd", "edit", &id, "--ended-on", "2028-08-31"]);
    let p = reg.json(&["phd", "show", &id]);
    assert_eq!((p["theme"].clone(), p["ended_on"].clone()), (json!("it-change"), json!("2028-08-31")));
    assert_eq!(count(&reg.json(&["phd", "list", "--started-in", "2024", "--theme", "IT-Change"])), 1);
    reg.ok(&["phd", "remove", &id]);
    assert_eq!(count(&reg.json(&["phd", "list", "--started-in", "2024"])), 0);
}

#[test]
fn activity_commands() {
    let reg = Reg::demo();
    let courses = reg.json(&["activity", "list", "--started-in", "2023"]);
    let gov: i64 = rows(&courses)
        .iter()
        .filter(|a| a["kind"] == "course" || a["kind"] == "summer_course")
        .map(|a| a["government_participants"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(gov, 50);
    let conf = reg.json(&["activity", "list", "--started-in", "2023", "--kind", "werkconferentie"]);
    assert_eq!(rows(&conf).iter().map(|a| a["participants"].as_i64().unwrap()).sum::<i64>(), 220);

    let id = reg
        .ok(&[
            "activity",
            "add",
            "Testdag",
            "--kind",
            "evenement",
            "--starts-on",
            "2024-05-01",
            "--participants",
            "30",
            "--government-participants",
            "12",
            "--partner",
            "DUO",
        ])
        .trim()
        .to_string();
    reg.ok(&["activity", "edit", &id, "--add-partner", "HU", "--participants", "35"]);
    let a = reg.json(&["activity", "show", &id]);
    assert_eq!(a["partners"], json!(["DUO", "Hogeschool Utrecht"]));
    assert_eq!(a["participants"], 35);
    reg.ok(&["activity", "remove", "Testdag"]);
}

#[test]
fn curriculum_and_chair_commands() {
    let reg = Reg::demo();
    assert_eq!(count(&reg.json(&["curriculum", "list", "--year", "2023"])), 4);
    let id = reg
        .ok(&[
            "curriculum",
            "add",
            "Minor Test",
            "--kind",
            "minor",
            "--theme",
            "IHH",
            "--partner",
            "Windesheim",
            "--on",
            "2025-01-01",
        ])
        .trim()
        .to_string();
    reg.ok(&["curriculum", "status", &id, "lopend", "--on", "2025-09-01"]);
    reg.ok(&["curriculum", "edit", &id, "--kind", "master"]);
    let c = reg.json(&["curriculum", "show", &id]);
    assert_eq!((c["kind"].clone(), c["status"].clone()), (json!("master"), json!("running")));
    reg.ok(&["curriculum", "remove", &id]);

    let chair = reg.json(&["chair", "show", "Human Centered AI in the public sector", "--as-of", "2023-12-31"]);
    assert_eq!((chair["kind"].clone(), chair["status"].clone()), (json!("lectorate"), json!("active")));
    let id = reg
        .ok(&["chair", "add", "Leerstoel Test", "--kind", "leerstoel", "--partner", "TU Delft", "--on", "2024-01-01"])
        .trim()
        .to_string();
    reg.ok(&["chair", "status", &id, "beëindigd", "--on", "2028-01-01"]);
    reg.ok(&["chair", "edit", &id, "--theme", "cybersecurity"]);
    assert_eq!(reg.json(&["chair", "show", &id])["status"], "active");
    reg.ok(&["chair", "remove", &id]);
}

#[test]
fn question_commands() {
    let reg = Reg::demo();
    let all = count(&reg.json(&["question", "list"]));
    let open = count(&reg.json(&["question", "list", "--open"]));
    let taken = count(&reg.json(&["question", "list", "--taken-up"]));
    assert_eq!(open + taken, all);
    assert!(open > 0 && taken > 0);
    let id = reg
        .ok(&[
            "question",
            "add",
            "Hoe archiveren we chatberichten?",
            "--theme",
            "IHH",
            "--asked-on",
            "2023-09-13",
            "--source-activity",
            "iBestuur event 2023",
            "--source-partner",
            "DUO",
        ])
        .trim()
        .to_string();
    reg.ok(&["question", "edit", &id, "--assignment", "coordinator:IP-2020-002"]);
    let q = reg.json(&["question", "show", &id]);
    assert_eq!(q["assignment"], "coordinator:IP-2020-002");
    assert_eq!(q["taken_up"], true);
    // An assignment that a question refers to cannot be removed.
    let stderr = reg.refused(&["assignment", "remove", "coordinator:IP-2020-002"]);
    assert!(stderr.contains("question"), "{stderr}");
    reg.ok(&["question", "remove", &id]);
}

#[test]
fn theme_commands() {
    let reg = Reg::empty();
    let themes = reg.json(&["theme", "list"]);
    let codes: Vec<&str> = rows(&themes).iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "data-ai",
            "cybersecurity",
            "information-management",
            "blockchain",
            "software-development",
            "process-optimisation"
        ]
    );
    reg.ok(&["theme", "add", "it-change", "--name-en", "IT change", "--name-nl", "IT-Change", "--alias", "ITC"]);
    assert_eq!(reg.json(&["theme", "show", "itc"])["code"], "it-change");
    reg.ok(&["theme", "edit", "it-change", "--add-alias", "IT-veranderkunde"]);
    assert_eq!(reg.json(&["theme", "show", "it-change"])["aliases"], json!(["IT-veranderkunde", "ITC"]));
    let stderr = reg.refused(&["theme", "add", "cyber", "--name-en", "Cyber security", "--name-nl", "Cyber"]);
    assert!(stderr.contains("already names theme"), "{stderr}");
    reg.ok(&["theme", "remove", "it-change"]);
    // A theme in use cannot be removed.
    let demo = Reg::demo();
    assert!(demo.refused(&["theme", "remove", "blockchain"]).contains("assignments"));
}

#[test]
fn metric_commands() {
    let reg = Reg::demo();
    let m = reg.json(&["metric", "list", "--year", "2023"]);
    let linkedin = rows(&m).iter().find(|m| m["name"] == "linkedin-followers").unwrap();
    assert_eq!(linkedin["value"], 1700.0);
    assert!(reg.ok(&["metric", "list", "--format", "csv"]).contains("linkedin-followers,2023,1700\n"));
    reg.ok(&["metric", "set", "linkedin-followers", "2100", "--year", "2024"]);
    assert_eq!(count(&reg.json(&["metric", "list", "--name", "linkedin-followers"])), 4);
    reg.ok(&["metric", "remove", "linkedin-followers", "--year", "2024"]);
    reg.refused(&["metric", "set", "LinkedIn Followers", "1", "--year", "2024"]);
    reg.refused(&["metric", "set", "linkedin-followers", "veel", "--year", "2024"]);
    reg.fails(&["metric", "remove", "linkedin-followers", "--year", "1999"], 6);
}

#[test]
fn log_shows_who_changed_what() {
    let reg = Reg::demo();
    reg.ok(&["assignment", "edit", "1", "--students", "4"]);
    reg.ok(&["assignment", "status", "1", "in_progress", "--on", "2020-06-20"]);
    let log = reg.json(&["log", "--record", "assignment", "--id", "1"]);
    let entries = rows(&log);
    assert_eq!(entries[0]["command"], "assignment status");
    assert_eq!(entries[0]["entity"], "assignment_status");
    assert_eq!(entries[1]["command"], "assignment edit");
    assert_eq!(entries[1]["actor"], "tester");
    assert_eq!(entries[1]["old"]["students"], 1);
    assert_eq!(entries[1]["new"]["students"], 4);
    assert!(reg.ok(&["log", "--limit", "1"]).contains("assignment status"));
}
