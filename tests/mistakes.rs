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
