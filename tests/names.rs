//! Names are names: in a file a reference is matched against names, short
//! names, aliases and codes only, never against internal ids; on the
//! command line a bare number is an id and `name:TEXT` a name.

mod common;

use common::Reg;

/// The demo registry's partner 1.
const PARTNER_1: &str = "Aeres Hogeschool";

fn write(reg: &Reg, name: &str, text: &str) -> String {
    let path = reg.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn partner_name(reg: &Reg, reference: &str) -> String {
    reg.json(&["partner", "show", reference])["name"].as_str().unwrap().to_string()
}

fn partner_id(reg: &Reg, reference: &str) -> String {
    reg.json(&["partner", "show", reference])["id"].to_string()
}

#[test]
fn a_partner_file_naming_a_partner_1_never_touches_partner_1() {
    let reg = Reg::demo();
    assert_eq!(partner_name(&reg, "1"), PARTNER_1);
    let file = write(&reg, "partners.csv", "name,sector\n1,government\n");
    let out = reg.run(&["import", "partners", &file]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("1 row: 1 added"), "{stderr}");
    assert!(!stderr.contains("update"), "{stderr}");
    // Partner 1 is as it was; the partner called "1" is a new one.
    assert_eq!(partner_name(&reg, "1"), PARTNER_1);
    assert_eq!(partner_name(&reg, "name:1"), "1");
    assert_ne!(partner_id(&reg, "name:1"), "1");
    // The same file again matches that partner by its name: nothing changes.
    let out = reg.run(&["import", "partners", &file]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 row: 1 unchanged"));
}

#[test]
fn reference_columns_holding_numbers_are_names_in_a_file() {
    let reg = Reg::demo();
    let header =
        "source,external_id,title,kind,level,theme,government_partner,education_partner,students,status_history";
    // Partner 2, theme 2 and lab 2 exist, but nothing is called "2".
    let file = write(
        &reg,
        "numbers.csv",
        &format!("{header},lab\nt,1,Opdracht,internship,HBO,2,2,HU,1,2023-01-10=preparation,2\n"),
    );
    let stderr = reg.refused(&["import", "assignments", &file]);
    for column in ["theme", "government_partner", "lab"] {
        let what = match column {
            "government_partner" => "partner",
            other => other,
        };
        assert!(stderr.contains(&format!("numbers.csv:2: column \"{column}\": no {what} called \"2\"")), "{stderr}");
    }
    // Once a government partner is called "2", the column names it.
    let partners = write(&reg, "partners.csv", "name,sector\n2,government\n");
    reg.ok(&["import", "partners", &partners]);
    let file = write(
        &reg,
        "numbers.csv",
        &format!("{header}\nt,1,Opdracht,internship,HBO,IHH,2,HU,1,2023-01-10=preparation\n"),
    );
    reg.ok(&["import", "assignments", &file]);
    let shown = reg.json(&["assignment", "show", "t:1"]);
    assert_eq!(shown["government_partner"], "2");
}

#[test]
fn on_the_command_line_a_bare_number_is_an_id_and_name_colon_a_name() {
    let reg = Reg::demo();
    reg.ok(&["partner", "add", "1", "--sector", "government"]);
    let called_1 = partner_id(&reg, "name:1");
    let duo = partner_id(&reg, "DUO");
    // Both ways for a reference flag.
    let add = |title: &str, partner: &str| {
        reg.ok(&[
            "assignment",
            "add",
            title,
            "--kind",
            "stage",
            "--theme",
            "IHH",
            "--government-partner",
            partner,
            "--education-partner",
            "HU",
        ])
        .trim()
        .to_string()
    };
    let by_name = add("Bij de partner die 1 heet", "name:1");
    let by_id = add("Bij DUO, met zijn id", &duo);
    assert_eq!(reg.json(&["assignment", "show", &by_name])["government_partner"], "1");
    assert_eq!(reg.json(&["assignment", "show", &by_id])["government_partner"], "DUO");
    // A bare number that is no partner's id is not read as a name.
    let stderr = reg.refused(&[
        "assignment",
        "add",
        "Mis",
        "--kind",
        "stage",
        "--theme",
        "IHH",
        "--government-partner",
        "999",
        "--education-partner",
        "HU",
    ]);
    assert!(stderr.contains("no partner has id 999; a partner whose name is 999 is written name:999"), "{stderr}");
    // Filters and the record argument follow the same rule.
    for partner in ["name:1", called_1.as_str()] {
        let listed = reg.json(&["assignment", "list", "--partner", partner]);
        let titles: Vec<&str> = listed.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Bij de partner die 1 heet"], "{partner}");
    }
    let stderr = reg.fails(&["partner", "show", "999"], 6);
    assert!(stderr.contains("no partner has id 999"), "{stderr}");
    let stderr = reg.fails(&["partner", "show", "name:999"], 6);
    assert!(stderr.contains("no partner called \"999\""), "{stderr}");
    assert_eq!(partner_name(&reg, "name:DUO"), "DUO");
    assert_eq!(reg.json(&["theme", "show", "1"])["code"], "data-ai");
    // Editing something else keeps the reference to the partner called "1".
    reg.ok(&["assignment", "edit", &by_name, "--students", "2"]);
    let shown = reg.json(&["assignment", "show", &by_name]);
    assert_eq!((shown["government_partner"].as_str(), shown["students"].as_i64()), (Some("1"), Some(2)));
}

#[test]
fn list_members_are_added_and_removed_by_id_or_name() {
    let reg = Reg::demo();
    let duo = partner_id(&reg, "DUO");
    let members = |reg: &Reg| -> Vec<String> {
        let lab = reg.json(&["lab", "show", "IDDI-Lab"]);
        lab["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect()
    };
    let before = members(&reg);
    assert!(!before.contains(&"DUO".to_string()), "{before:?}");
    reg.ok(&["lab", "edit", "IDDI-Lab", "--add-member", &duo]);
    assert!(members(&reg).contains(&"DUO".to_string()));
    // Added again by name: already there.
    reg.ok(&["lab", "edit", "IDDI-Lab", "--add-member", "Dienst Uitvoering Onderwijs"]);
    assert_eq!(members(&reg).len(), before.len() + 1);
    reg.ok(&["lab", "edit", "IDDI-Lab", "--remove-member", &duo]);
    assert_eq!(members(&reg), before);
}
