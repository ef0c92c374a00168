//! `ipart undo`: every kind of change taken back exactly (the registry's
//! records compared row by row with a dump taken before the change), a
//! removal restored with its history and links, refusals when later changes
//! build on a change, undo of an undo, `--dry-run`, imports, and what
//! `ipart log` shows.

mod common;

use common::{Reg, ipart_on, rows, stderr_of, stdout_of};
use serde_json::Value;

/// Every record of a registry: the current rows of every table but the
/// bookkeeping that grows with each command (audit trail, revisions,
/// import batches) and the retired versions, without `known_from` (an undo
/// is a revision of its own: what it puts back is known from it). The
/// rowid is compared where the audit trail names it (a yearly figure); a
/// link's rowid means nothing.
fn records(reg: &Reg) -> String {
    let conn = reg.conn();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table'
               AND name NOT LIKE '%\\_retired' ESCAPE '\\'
               AND name NOT IN ('change', 'revision', 'import_batch', 'sqlite_sequence')
             ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for table in tables {
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1) WHERE name <> 'known_from' ORDER BY cid")
            .unwrap()
            .query_map([&table], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut select: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
        if table == "metric" {
            select.insert(0, "rowid".into());
        }
        let select = select.join(", ");
        out.push_str(&format!("# {table}\n"));
        let mut stmt = conn.prepare(&format!("SELECT {select} FROM \"{table}\" ORDER BY {select}")).unwrap();
        let n = stmt.column_count();
        let mut found = stmt.query([]).unwrap();
        while let Some(row) = found.next().unwrap() {
            let cells: Vec<String> =
                (0..n).map(|i| format!("{:?}", row.get::<_, rusqlite::types::Value>(i).unwrap())).collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    out
}

/// The first line where two dumps differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .find(|(x, y)| x != y)
        .map(|(x, y)| format!("before: {x}\nnow:    {y}"))
        .unwrap_or_else(|| format!("{} lines before, {} now", a.lines().count(), b.lines().count()))
}

fn assert_same_records(reg: &Reg, before: &str, what: &str) {
    let now = records(reg);
    assert!(now == before, "{what}: the records differ\n{}", first_difference(before, &now));
}

/// When change `id` was recorded.
fn at(reg: &Reg, id: i64) -> String {
    reg.conn().query_row("SELECT at FROM change WHERE id = ?1", [id], |r| r.get(0)).unwrap()
}

/// The id of the newest audit entry.
fn last_change(reg: &Reg) -> i64 {
    reg.count("SELECT max(id) FROM change")
}

/// Runs `change`, takes it back with `ipart undo` (by its id when `by_id`),
/// and checks that every record is exactly as before; returns the undo's stderr.
fn round_trip(reg: &Reg, change: &[&str], by_id: bool) -> String {
    let before = records(reg);
    let first = last_change(reg) + 1;
    reg.ok(change);
    assert_ne!(records(reg), before, "{change:?} changed nothing");
    let first = first.to_string();
    let undo: Vec<&str> = if by_id { vec!["undo", &first] } else { vec!["undo"] };
    let output = reg.ipart(&undo).output().unwrap();
    let stderr = stderr_of(&output);
    assert!(output.status.success(), "undo of {change:?} failed: {stderr}");
    assert!(stderr.contains(&format!("took back change {first} (")), "{change:?}: {stderr}");
    assert_same_records(reg, &before, &format!("{change:?} taken back"));
    stderr
}

#[test]
fn every_kind_of_change_is_taken_back_exactly() {
    let reg = Reg::demo();
    // Records to work on, added first and kept.
    reg.ok(&["partner", "add", "Dienst Los", "--sector", "government", "--alias", "DL", "--region", "oost"]);
    let changes: &[&[&str]] = &[
        &["partner", "add", "Testdienst", "--sector", "government", "--alias", "TD"],
        &["partner", "edit", "DUO", "--region", "west", "--short-name", "DUO-X", "--add-alias", "Dienst X"],
        &["partner", "remove", "Dienst Los"],
        &[
            "assignment",
            "add",
            "Proef",
            "--kind",
            "stage",
            "--level",
            "HBO",
            "--theme",
            "data-ai",
            "--government-partner",
            "DUO",
            "--students",
            "2",
            "--status",
            "preparation",
            "--on",
            "2024-01-01",
        ],
        &["assignment", "edit", "12", "--students", "3", "--ends-on", "2024-01-31"],
        &["assignment", "status", "coordinator:IP-2023-092", "completed", "--on", "2023-12-15"],
        &["assignment", "status", "2", "--remove", "--on", "2020-08-06"],
        &["assignment", "remove", "2"],
        &["lab", "edit", "1", "--add-member", "RDW", "--add-region", "west", "--add-theme", "blockchain"],
        &["lab", "status", "1", "closed", "--on", "2026-01-01"],
        &["community", "edit", "2", "--description", "Voor promovendi bij het Rijk"],
        &["community", "remove", "3"],
        &["curriculum", "edit", "4", "--add-partner", "UvA"],
        &["chair", "edit", "1", "--theme", "cybersecurity"],
        &["phd", "edit", "3", "--ended-on", "2027-08-31"],
        &["activity", "edit", "2", "--government-participants", "140"],
        &["question", "edit", "5", "--assignment", "12"],
        &["theme", "edit", "it-change", "--add-alias", "ITC"],
        &["theme", "add", "quantum", "--name-en", "Quantum", "--name-nl", "Kwantum"],
        &["metric", "set", "linkedin-followers", "1750", "--year", "2023"],
        &["metric", "set", "linkedin-followers", "1900", "--year", "2024"],
        &["metric", "remove", "linkedin-followers", "--year", "2022"],
    ];
    for (n, change) in changes.iter().enumerate() {
        round_trip(&reg, change, n % 2 == 0);
    }
    reg.ok(&["db", "check"]);
}

#[test]
fn the_rest_of_the_command_run_is_taken_back_and_the_message_says_so() {
    let reg = Reg::demo();
    let before = records(&reg);
    // One command, three audit entries: the assignment and its two status changes.
    reg.ok(&[
        "assignment",
        "add",
        "Proef",
        "--kind",
        "stage",
        "--level",
        "HBO",
        "--theme",
        "data-ai",
        "--government-partner",
        "DUO",
        "--students",
        "1",
        "--status",
        "preparation",
        "--on",
        "2024-01-01",
    ]);
    reg.ok(&["assignment", "status", "594", "in_progress", "--on", "2024-02-01"]);
    let add = reg.count("SELECT min(id) FROM change WHERE command = 'assignment add'");
    let status = last_change(&reg);
    // The status change builds on the assignment: taking back the add is refused.
    let stderr = reg.refused(&["undo", &add.to_string()]);
    assert!(stderr.contains(&format!("ipart: change {add} (assignment add, ")), "{stderr}");
    assert!(
        stderr.contains(&format!("  change {status} (assignment status, "))
            && stderr.contains("added assignment_status"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("take those back first (`ipart undo {status}`)")), "{stderr}");
    assert!(stderr.ends_with("nothing was changed\n"), "{stderr}");
    reg.ok(&["undo"]);
    let second = (add + 1).to_string();
    let output = reg.ipart(&["undo", &second]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains(&format!(
            "took back change {add} (assignment add, {}, tester) and the 1 other change(s) of its command run: removed 1 assignment_status, 1 assignment",
            at(&reg, add)
        )),
        "{}",
        stderr_of(&output)
    );
    assert_same_records(&reg, &before, "the assignment and its history");
}

#[test]
fn a_removed_record_comes_back_with_its_history_and_links() {
    let reg = Reg::demo();
    reg.ok(&[
        "lab",
        "add",
        "Proeflab",
        "--region",
        "west",
        "--region",
        "noord",
        "--theme",
        "IHH",
        "--member",
        "DUO",
        "--member",
        "TU Delft",
        "--status",
        "in oprichting",
        "--on",
        "2023-10-01",
    ]);
    reg.ok(&["lab", "status", "Proeflab", "active", "--on", "2024-01-15"]);
    let show = |what: &str| reg.ok(&[what, "show", "Proeflab", "--format", "json"]);
    let lab = show("lab");
    let report = reg.ok(&["report", "--year", "2024", "--format", "json"]);
    let before = records(&reg);
    reg.ok(&["lab", "remove", "Proeflab"]);
    assert_eq!(reg.count("SELECT count(*) FROM lab_region WHERE lab_id = 11"), 0);
    let stderr = stderr_of(&reg.ipart(&["undo"]).output().unwrap());
    assert!(stderr.contains("restored 1 lab, 2 lab_region, 2 lab_partner, 1 lab_theme, 2 lab_status;"), "{stderr}");
    assert_same_records(&reg, &before, "the lab");
    assert_eq!(show("lab"), lab);
    assert_eq!(reg.ok(&["report", "--year", "2024", "--format", "json"]), report);

    // An assignment with its status history and the student pseudonyms an import linked.
    let file = reg.dir.path().join("students.csv");
    std::fs::write(
        &file,
        "source,external_id,title,kind,level,theme,government_partner,education_partner,lab,students,starts_on,ends_on,status_history,student_ids\n\
         sis,P1,Opdracht P1,internship,HBO,data-ai,Belastingdienst,De Haagse Hogeschool,,2,2023-02-01,2023-06-30,2023-01-10=preparation|2023-02-01=in_progress,S1234567; s7654321\n",
    )
    .unwrap();
    reg.ok(&["import", "assignments", file.to_str().unwrap()]);
    let id = reg.count("SELECT id FROM assignment WHERE external_id = 'P1'").to_string();
    let assignment = reg.ok(&["assignment", "show", &id, "--format", "json"]);
    let before = records(&reg);
    reg.ok(&["assignment", "status", &id, "completed", "--on", "2023-06-30"]);
    reg.ok(&["assignment", "remove", &id]);
    assert_eq!(reg.count("SELECT count(*) FROM assignment_student"), 0);
    reg.ok(&["undo"]);
    assert_eq!(reg.count("SELECT count(*) FROM assignment_student"), 2);
    reg.ok(&["undo"]);
    assert_same_records(&reg, &before, "the assignment, its history and its students");
    assert_eq!(reg.ok(&["assignment", "show", &id, "--format", "json"]), assignment);
    reg.ok(&["db", "check"]);
}

#[test]
fn refused_when_a_later_change_builds_on_it_and_nothing_changes() {
    let reg = Reg::demo();
    // A version the change wrote was replaced later.
    reg.ok(&["partner", "edit", "DUO", "--region", "west"]);
    let first = last_change(&reg);
    reg.ok(&["partner", "edit", "DUO", "--region", "zuid"]);
    let second = last_change(&reg);
    let stderr = reg.refused(&["undo", &first.to_string()]);
    assert_eq!(
        stderr,
        format!(
            "ipart: change {first} (partner edit, {}, tester) cannot be undone: later changes build on it:\n  \
             change {second} (partner edit, {}, tester): changed partner 45 \"DUO\" again\n\
             take those back first (`ipart undo {second}`), or change those records by hand; nothing was changed\n",
            at(&reg, first),
            at(&reg, second)
        )
    );
    // Taken back in order, both go.
    reg.ok(&["undo"]);
    reg.ok(&["undo", &first.to_string()]);
    assert_eq!(reg.count("SELECT count(*) FROM partner WHERE id = 45 AND region = 'noord'"), 1);

    // A later row refers to a record the change added.
    reg.ok(&["partner", "add", "Testdienst", "--sector", "government"]);
    let add = last_change(&reg);
    reg.ok(&["lab", "edit", "1", "--add-member", "Testdienst"]);
    let stderr = reg.refused(&["undo", &add.to_string()]);
    assert!(
        stderr.contains(
            "changed lab_partner (lab 1, partner 102), which refers to partner 102 \"Testdienst\", which change"
        ) || stderr.contains("added lab_partner (lab 1, partner 102), which refers to partner 102 \"Testdienst\""),
        "{stderr}"
    );
    reg.ok(&["undo"]);

    // A name the change freed was taken since.
    reg.ok(&["partner", "edit", "Testdienst", "--name", "Dienst Test"]);
    let rename = last_change(&reg);
    reg.ok(&["partner", "add", "Testdienst", "--sector", "other"]);
    let taken = last_change(&reg);
    let stderr = reg.refused(&["undo", &rename.to_string()]);
    assert!(
        stderr.contains(&format!(
            "  change {taken} (partner add, {}, tester): wrote partner 103 \"Testdienst\", which has the name that partner 102 \"Dienst Test\" would take back",
            at(&reg, taken)
        )),
        "{stderr}"
    );

    // An id SQLite gave again after a removal.
    reg.ok(&["partner", "remove", "Testdienst"]);
    reg.ok(&["partner", "remove", "Dienst Test"]);
    let removal = last_change(&reg);
    reg.ok(&["partner", "add", "Nieuwe dienst", "--sector", "government"]);
    assert_eq!(reg.count("SELECT id FROM partner WHERE name = 'Nieuwe dienst'"), 102);
    let stderr = reg.refused(&["undo", &removal.to_string()]);
    assert!(
        stderr.contains("added partner 102 \"Nieuwe dienst\", in the place of the row this change removed"),
        "{stderr}"
    );

    // A later record needs a value the change set: a partner's sector.
    reg.ok(&["partner", "add", "Dienst Anders", "--sector", "other"]);
    reg.ok(&["partner", "edit", "Dienst Anders", "--sector", "government"]);
    let sector = last_change(&reg);
    reg.ok(&[
        "assignment",
        "add",
        "Proef",
        "--kind",
        "stage",
        "--level",
        "HBO",
        "--theme",
        "data-ai",
        "--government-partner",
        "Dienst Anders",
        "--students",
        "1",
        "--status",
        "preparation",
        "--on",
        "2024-01-01",
    ]);
    let stderr = reg.refused(&["undo", &sector.to_string()]);
    assert!(
        stderr.contains("added assignment 594 \"Proef\", which needs partner 103 \"Dienst Anders\" as it is now"),
        "{stderr}"
    );
    reg.ok(&["undo"]);
    reg.ok(&["undo"]);
    reg.ok(&["undo"]);

    // A restored link would refer to a record removed since.
    reg.ok(&["lab", "edit", "1", "--add-member", "Nieuwe dienst"]);
    reg.ok(&["lab", "edit", "1", "--remove-member", "Nieuwe dienst"]);
    let unlink = last_change(&reg);
    reg.ok(&["partner", "remove", "Nieuwe dienst"]);
    let gone = last_change(&reg);
    let stderr = reg.refused(&["undo", &unlink.to_string()]);
    assert!(
        stderr.contains(&format!(
            "  change {gone} (partner remove, {}, tester): removed partner 102 \"Nieuwe dienst\", which lab_partner (lab 1, partner 102) refers to",
            at(&reg, gone)
        )),
        "{stderr}"
    );
    reg.ok(&["db", "check"]);
}

#[test]
fn an_undo_can_be_taken_back_and_a_taken_back_change_is_no_obstacle() {
    let reg = Reg::demo();
    let before = records(&reg);
    reg.ok(&["partner", "edit", "DUO", "--region", "west", "--add-alias", "Dienst X"]);
    let edit = last_change(&reg);
    let after = records(&reg);
    reg.ok(&["undo"]);
    let undo = last_change(&reg);
    assert_same_records(&reg, &before, "the edit taken back");
    // Taking the undo back does the edit again.
    let stderr = stderr_of(&reg.ipart(&["undo", &undo.to_string()]).output().unwrap());
    assert!(stderr.contains(&format!("took back change {undo} (undo, ")), "{stderr}");
    let redo = last_change(&reg);
    assert_same_records(&reg, &after, "the edit done again");
    // Neither the edit nor its undo can be taken back twice.
    let stderr = reg.refused(&["undo", &undo.to_string()]);
    assert!(
        stderr.contains(&format!("was taken back already, by change {redo} (undo, "))
            && stderr.contains(&format!("`ipart undo {redo}`")),
        "{stderr}"
    );
    // The edit, undone and redone in between, is as it left it: it can go.
    reg.ok(&["undo", &edit.to_string()]);
    assert_same_records(&reg, &before, "the edit taken back after its redo");
    let stderr = reg.refused(&["undo", &edit.to_string()]);
    assert!(stderr.contains("was taken back already"), "{stderr}");

    // The audit trail: the undo's entries say what they take back.
    let log = reg.json(&["log", "--limit", "4"]);
    let entries = rows(&log);
    assert_eq!(entries[0]["command"], "undo");
    assert_eq!(entries[0]["undoes"].as_i64(), Some(edit));
    assert_eq!(entries[0]["old"]["region"], "west");
    assert_eq!(entries[0]["new"]["region"], "noord");
    // The redo was taken back by the last undo; the first undo holds again.
    assert_eq!(entries[1]["undoes"].as_i64(), Some(undo), "the redo");
    assert_eq!(entries[1]["taken_back_by"].as_i64(), entries[0]["id"].as_i64());
    assert_eq!(entries[2]["undoes"].as_i64(), Some(edit));
    assert_eq!(entries[2]["taken_back_by"], Value::Null);
    assert_eq!(entries[3]["id"].as_i64(), Some(edit));
    assert_eq!(entries[3]["taken_back_by"].as_i64(), Some(entries[0]["id"].as_i64().unwrap()));
    assert_eq!(
        entries[3]["revision"].as_i64(),
        Some(reg.count(&format!("SELECT revision_id FROM change WHERE id = {edit}")))
    );
    let table = reg.ok(&["log", "--limit", "4"]);
    assert!(table.contains(&format!("takes back change {edit}: aliases: ")), "{table}");
    assert!(table.contains(&format!("[taken back by change {}]", entries[0]["id"])), "{table}");
    reg.ok(&["db", "check"]);
}

#[test]
fn undo_without_a_change_walks_back_over_undos() {
    let reg = Reg::demo();
    let before = records(&reg);
    reg.ok(&["partner", "edit", "DUO", "--region", "west"]);
    reg.ok(&["metric", "set", "linkedin-followers", "1750", "--year", "2023"]);
    reg.ok(&["undo"]);
    reg.ok(&["undo"]);
    assert_same_records(&reg, &before, "the last two changes taken back");
    let undone: i64 = reg.count("SELECT count(*) FROM revision WHERE undoes IS NOT NULL");
    assert_eq!(undone, 2);
}

#[test]
fn dry_run_shows_what_it_would_do_and_changes_nothing() {
    let reg = Reg::demo();
    reg.ok(&["partner", "edit", "DUO", "--region", "west", "--short-name", "DUO-X", "--add-alias", "Dienst X"]);
    let edit = last_change(&reg);
    let dump = reg.dump();
    let output = reg.ipart(&["undo", "--dry-run"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(reg.dump(), dump, "a dry run changed the registry");
    let table = stdout_of(&output);
    assert!(table.contains("change back  partner        45"), "{table}");
    assert!(table.contains("\"DUO\": short_name: DUO-X -> -; region: west -> noord"), "{table}");
    assert!(table.contains("remove       partner_alias  partner 45, Dienst X  \"Dienst X\""), "{table}");
    assert_eq!(
        stderr_of(&output),
        format!(
            "dry run: taking back change {edit} (partner edit, {}, tester) would remove 1 partner_alias; change back 1 partner; nothing was changed\n",
            at(&reg, edit)
        )
    );
    let json: Value =
        serde_json::from_str(&stdout_of(&reg.ipart(&["undo", "--dry-run", "--format", "json"]).output().unwrap()))
            .unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"action": "remove", "record": "partner_alias", "key": "partner 45, Dienst X", "what": "\"Dienst X\""},
            {"action": "change back", "record": "partner", "key": "45", "what": "\"DUO\": short_name: DUO-X -> -; region: west -> noord"}
        ])
    );
    assert_eq!(reg.dump(), dump);
}

const OSIRIS_2023: &str = "fixtures/import/hanze-osiris/osiris-2023.csv";
const OSIRIS_MAP: &str = "fixtures/import/hanze-osiris/osiris.toml";

#[test]
fn an_import_is_taken_back_and_its_undo_too() {
    let reg = Reg::demo();
    let before = records(&reg);
    reg.ok(&["import", "assignments", OSIRIS_2023, "--map", OSIRIS_MAP]);
    let after = records(&reg);
    let import = last_change(&reg);
    let output = reg.ipart(&["undo"]).output().unwrap();
    let stderr = stderr_of(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("took back change {import} (import assignments ")), "{stderr}");
    assert!(stderr.contains("removed 8 assignment_status, 8 assignment; import batch 12 marked undone"), "{stderr}");
    assert_same_records(&reg, &before, "the import taken back");
    assert_eq!(reg.count("SELECT count(*) FROM import_batch WHERE id = 12 AND undone_by = 'tester'"), 1);
    // ipart log --record assignment --id N still finds what the import added and what took it back.
    let trail = reg.ok(&["log", "--record", "assignment", "--id", "594"]);
    assert!(trail.contains("removed again by its undo"), "{trail}");
    // Taking the undo back imports it again.
    let undo = last_change(&reg);
    reg.ok(&["undo", &undo.to_string()]);
    assert_same_records(&reg, &after, "the import done again");
    assert_eq!(reg.count("SELECT count(*) FROM import_batch WHERE id = 12 AND undone_at IS NULL"), 1);
    let log = reg.ok(&["log", "--record", "import_batch", "--limit", "1"]);
    assert!(log.contains("imported batch 12 again"), "{log}");
    // ipart import undo takes it back as well, and says so in its own terms.
    let output = reg.ipart(&["import", "undo", "12"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("undid import batch 12: removed 8 records, restored 0, took out 0 status changes")
    );
    assert_same_records(&reg, &before, "import undo after the redo");
    // Its undo is an undo like any other, and a change the user made:
    // `ipart undo` takes it back.
    let stderr = reg.refused(&["undo", &import.to_string()]);
    assert!(stderr.contains("was taken back already, by change"), "{stderr}");
    let stderr = stderr_of(&reg.ipart(&["undo"]).output().unwrap());
    assert!(stderr.contains("(import undo 12, "), "{stderr}");
    assert_same_records(&reg, &after, "import undo taken back");
    reg.ok(&["db", "check"]);
}

#[test]
fn upgrades_and_changes_from_before_the_versions_were_kept_are_refused() {
    let reg = Reg::absent();
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/registries/v6-edits.sqlite"), &reg.path).unwrap();
    ipart_on(&reg.path, &["db", "check"]).assert().success();
    let upgrade = reg.count("SELECT max(id) FROM change WHERE command = 'upgrade'");
    let edit = reg.count("SELECT max(id) FROM change WHERE command = 'partner edit'");
    let stderr = reg.refused(&["undo"]);
    assert!(
        stderr.contains(&format!("the last change, change {upgrade} (upgrade, "))
            && stderr.contains("upgraded the registry file, which ipart undo does not take back; `ipart db restore` puts back the copy made before it"),
        "{stderr}"
    );
    let stderr = reg.refused(&["undo", &edit.to_string()]);
    assert!(
        stderr.contains("was made before this registry kept every version of its records (its upgrade to schema version 7), so ipart cannot take it back exactly"),
        "{stderr}"
    );
    // A change made after the upgrade is taken back as any other.
    let before = records(&reg);
    reg.ok(&["partner", "edit", "DUO", "--region", "zuid"]);
    reg.ok(&["undo"]);
    assert_same_records(&reg, &before, "a change after the upgrade");
}

#[test]
fn missing_changes_demo_and_help() {
    let reg = Reg::demo();
    let empty = Reg::empty();
    let stderr = empty.refused(&["undo"]);
    assert_eq!(stderr, "ipart: there is no change to take back: the audit trail (`ipart log`) is empty\n");
    let stderr = reg.fails(&["undo", "999999"], 6);
    assert_eq!(stderr, "ipart: no change 999999 in the audit trail (see `ipart log`)\n");
    let output = common::ipart().args(["--demo", "undo", "--dry-run", "--format", "csv"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("dry run: taking back change "), "{}", stderr_of(&output));
    let help = stdout_of(&common::ipart().args(["undo", "--help"]).output().unwrap());
    assert!(help.contains("Examples:\n  ipart undo --dry-run"), "{help}");
    assert!(help.contains("ipart undo --dry-run --format json"), "{help}");
    let help = stdout_of(&common::ipart().args(["log", "--help"]).output().unwrap());
    assert!(help.contains("Each entry's id is what `ipart undo` takes"), "{help}");
}

#[test]
fn a_read_only_registry_is_refused_and_left_untouched() {
    // Root may write whatever the permission bits say: run as `nobody`.
    let reg = Reg::demo_in_use();
    let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0;
    if root && std::process::Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: running as root without setpriv, so permission bits cannot be tested");
        return;
    }
    reg.ok(&["partner", "edit", "DUO", "--region", "west"]);
    if root {
        for path in [reg.dir.path(), reg.path.as_path()] {
            std::os::unix::fs::chown(path, Some(65534), Some(65534)).unwrap();
        }
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&reg.path, std::fs::Permissions::from_mode(0o400)).unwrap();
    let before = common::snapshot(&reg.path);
    for args in [&["undo"][..], &["undo", "--dry-run"]] {
        let ipart = assert_cmd::cargo::cargo_bin("ipart");
        let mut cmd = if root {
            let mut cmd = std::process::Command::new("setpriv");
            cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(ipart);
            cmd
        } else {
            std::process::Command::new(ipart)
        };
        let output = cmd.env("NO_COLOR", "1").arg("--db").arg(&reg.path).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(4), "{args:?}: {}", stderr_of(&output));
        assert_eq!(
            stderr_of(&output),
            format!(
                "ipart: registry {} is read-only (check the permissions of the file and its directory); nothing was changed\n",
                reg.path.display()
            )
        );
    }
    assert!(common::snapshot(&reg.path) == before, "the registry file changed");
    std::fs::set_permissions(&reg.path, std::fs::Permissions::from_mode(0o600)).unwrap();
}
