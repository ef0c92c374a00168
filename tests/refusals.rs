//! Every refusal the registry makes: the message says what is wrong and what
//! would be accepted, the exit code says why, and the registry is unchanged.

mod common;

use common::{Reg, TODAY, dump, ipart};

const ADD: [&str; 2] = ["assignment", "add"];

fn add_assignment<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![ADD[0], ADD[1], "Testopdracht", "--kind", "stage"];
    args.extend_from_slice(extra);
    args
}

#[test]
fn unknown_theme_is_refused_with_suggestions() {
    let reg = Reg::demo();
    let stderr = reg.refused(&add_assignment(&[
        "--theme",
        "Cyber securiti",
        "--government-partner",
        "RDW",
        "--education-partner",
        "HU",
    ]));
    assert!(stderr.contains(r#"--theme: no theme called "Cyber securiti"; did you mean "cybersecurity"?"#), "{stderr}");
    assert!(stderr.contains("nothing was changed"));
}

#[test]
fn education_partner_given_as_government_partner_is_refused() {
    let reg = Reg::demo();
    let stderr = reg.refused(&add_assignment(&["--theme", "IHH", "--government-partner", "HU"]));
    assert!(
        stderr.contains(
            r#"--government-partner: "Hogeschool Utrecht" is an education partner, not a government partner"#
        ),
        "{stderr}"
    );
    let stderr =
        reg.refused(&add_assignment(&["--theme", "IHH", "--government-partner", "DUO", "--education-partner", "RDW"]));
    assert!(stderr.contains(r#""RDW" is a government partner, not an education partner"#), "{stderr}");
}

#[test]
fn education_partner_without_level_is_refused() {
    let reg = Reg::demo();
    let stderr = reg.refused(&["partner", "add", "Nieuwe Hogeschool", "--sector", "onderwijs"]);
    assert!(
        stderr.contains("--level: an education partner needs an education level (expected MBO, HBO or WO)"),
        "{stderr}"
    );
    let stderr = reg.refused(&["partner", "add", "Nieuw Agentschap", "--sector", "government", "--level", "HBO"]);
    assert!(stderr.contains("only education partners have a level"), "{stderr}");
}

#[test]
fn zero_or_negative_students_are_refused() {
    let reg = Reg::demo();
    for n in ["0", "-3"] {
        let stderr = reg.refused(&add_assignment(&["--theme", "IHH", "--government-partner", "DUO", "--students", n]));
        assert!(stderr.contains(&format!("--students: must be at least 1 (got {n})")), "{stderr}");
    }
    let stderr = reg.refused(&["assignment", "edit", "1", "--students", "0"]);
    assert!(stderr.contains("--students: must be at least 1 (got 0)"), "{stderr}");
    let stderr = reg.refused(&["assignment", "edit", "1", "--students", "twee"]);
    assert!(stderr.contains(r#"--students: "twee" is not a whole number"#), "{stderr}");
}

#[test]
fn end_date_before_start_date_is_refused() {
    let reg = Reg::demo();
    let stderr = reg.refused(&add_assignment(&[
        "--theme",
        "IHH",
        "--government-partner",
        "DUO",
        "--starts-on",
        "2023-05-01",
        "--ends-on",
        "2023-01-31",
    ]));
    assert!(stderr.contains("--ends-on: 2023-01-31 is before the start, 2023-05-01"), "{stderr}");
    let stderr = reg.refused(&["partner", "edit", "DUO", "--left-on", "2019-01-01"]);
    assert!(stderr.contains("--left-on: 2019-01-01 is before the joining date"), "{stderr}");
    let stderr = reg.refused(&["phd", "edit", "1", "--ended-on", "2000-01-01"]);
    assert!(stderr.contains("--ended-on: 2000-01-01 is before the start"), "{stderr}");
}

#[test]
fn impossible_dates_and_unknown_vocabulary_are_refused() {
    let reg = Reg::demo();
    let stderr = reg.refused(&add_assignment(&["--theme", "IHH", "--government-partner", "DUO", "--on", "2023-02-30"]));
    assert!(stderr.contains(r#"--on: "2023-02-30" is not a date in the calendar"#), "{stderr}");
    let stderr = reg.refused(&[
        "assignment",
        "add",
        "X",
        "--kind",
        "stages",
        "--level",
        "HBOO",
        "--theme",
        "IHH",
        "--government-partner",
        "DUO",
    ]);
    assert!(stderr.contains(r#"--level: "HBOO" is not an education level (expected MBO, HBO or WO)"#), "{stderr}");
    assert!(
        stderr.contains(r#"--kind: "stages" is not an assignment kind (expected internship (stage), graduation"#),
        "{stderr}"
    );
    let stderr = reg.refused(&["assignment", "status", "1", "bezig"]);
    assert!(
        stderr.contains(r#""bezig" is not an assignment status (expected preparation (in voorbereiding)"#),
        "{stderr}"
    );
    let stderr = reg.refused(&["partner", "add", "X", "--sector", "ministerie"]);
    assert!(
        stderr.contains(r#"--sector: "ministerie" is not a sector (expected government (rijksoverheid)"#),
        "{stderr}"
    );
    let stderr = reg.refused(&["lab", "add", "X", "--region", "Randstad Noord"]);
    assert!(stderr.contains(r#"--region: "Randstad Noord" is not a region"#), "{stderr}");
    let stderr = reg.refused(&["assignment", "list", "--status", "bezig"]);
    assert!(stderr.contains("--status:"), "{stderr}");
}

#[test]
fn level_must_match_the_education_partner() {
    let reg = Reg::demo();
    let stderr = reg.refused(&add_assignment(&[
        "--theme",
        "IHH",
        "--government-partner",
        "DUO",
        "--education-partner",
        "Universiteit Twente",
        "--level",
        "MBO",
    ]));
    assert!(
        stderr.contains(r#"--level: MBO does not match the education partner "Universiteit Twente", which is WO"#),
        "{stderr}"
    );
}

#[test]
fn removing_a_referenced_partner_is_refused() {
    let reg = Reg::demo();
    let stderr = reg.refused(&["partner", "remove", "DUO"]);
    assert!(stderr.contains(r#"partner "DUO""#), "{stderr}");
    assert!(stderr.contains("assignments") && stderr.contains("labs") && stderr.contains("refer to it"), "{stderr}");
    let stderr = reg.refused(&["lab", "remove", "IDDI-Lab"]);
    assert!(stderr.contains("assignments"), "{stderr}");
    // Changing the sector of a partner that assignments rely on is refused too.
    let stderr = reg.refused(&["partner", "edit", "DUO", "--sector", "other"]);
    assert!(stderr.contains("cannot change sector"), "{stderr}");
}

#[test]
fn duplicate_names_are_refused() {
    let reg = Reg::demo();
    let stderr = reg.refused(&["partner", "add", "hu", "--sector", "other"]);
    assert!(stderr.contains(r#""hu" already names partner "Hogeschool Utrecht""#), "{stderr}");
    let stderr = reg.refused(&["partner", "edit", "RDW", "--add-alias", "DUO"]);
    assert!(stderr.contains(r#""DUO" already names partner "DUO""#), "{stderr}");
}

#[test]
fn unknown_record_is_not_found() {
    let reg = Reg::demo();
    let stderr = reg.fails(&["partner", "show", "Hogeschool Utrect"], 6);
    assert!(
        stderr.contains(r#"no partner called "Hogeschool Utrect"; did you mean "Hogeschool Utrecht"?"#),
        "{stderr}"
    );
    reg.fails(&["assignment", "show", "99999"], 6);
}

#[test]
fn missing_registry_is_named_and_not_created() {
    let reg = Reg::absent();
    let stderr = reg.fails(&["partner", "list"], 4);
    assert!(stderr.contains(&format!("no registry at {}", reg.path.display())), "{stderr}");
    assert!(stderr.contains("ipart init"), "{stderr}");
    assert!(!reg.path.exists(), "a missing registry must not be created by a read");
}

#[test]
fn registry_newer_than_the_binary_is_refused_untouched() {
    let reg = Reg::demo();
    {
        let conn = rusqlite::Connection::open(&reg.path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let bytes = std::fs::read(&reg.path).unwrap();
    let stderr = reg.fails(&["partner", "list"], 4);
    assert!(stderr.contains("has schema version 999, newer than this ipart understands"), "{stderr}");
    assert_eq!(bytes, std::fs::read(&reg.path).unwrap(), "the newer registry was modified");
}

#[test]
fn a_file_that_is_not_a_registry_is_refused_untouched() {
    let reg = Reg::absent();
    std::fs::write(&reg.path, b"name;level\nHU;HBO\n").unwrap();
    let stderr = reg.fails(&["partner", "list"], 4);
    assert!(stderr.contains("is not an ipart registry"), "{stderr}");
    assert_eq!(std::fs::read(&reg.path).unwrap(), b"name;level\nHU;HBO\n");
}

#[test]
fn init_never_overwrites() {
    let reg = Reg::demo();
    let before = dump(&reg.path);
    let stderr = reg.fails(&["init"], 4);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(before, dump(&reg.path));
}

#[test]
fn usage_errors_exit_2() {
    let reg = Reg::demo();
    reg.fails(&["partner", "add"], 2);
    reg.fails(&["partner", "frobnicate"], 2);
    reg.fails(&["--no-such-flag"], 2);
    let out = ipart().args(["report-all-the-things"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(TODAY.len(), 10);
}
