//! Several ipart processes on one registry at once: every write lands or
//! fails with "registry busy, try again" (exit 5) after the busy timeout;
//! nothing that was reported written is lost, nothing is written twice,
//! nothing panics, and readers only ever see whole commands.
//!
//! Imports and reports join them: a report taken while imports run sees the
//! registry as it was before an import or after it, never part of one.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const PROCESSES: usize = 8;
const ROUNDS: usize = 6;

/// What one process saw: (command, exit code, stdout, stderr).
type Run = (String, Option<i32>, String, String);

fn run(registry_path: &std::path::Path, args: &[&str], busy_timeout_ms: &str) -> Run {
    let output = ipart_on(registry_path, args).env("IPART_BUSY_TIMEOUT_MS", busy_timeout_ms).output().unwrap();
    (args.join(" "), output.status.code(), stdout_of(&output), stderr_of(&output))
}

/// A write either landed (0) or was refused as busy (5), saying so.
fn assert_landed_or_busy(runs: &[Run]) {
    for (command, code, _, stderr) in runs {
        match code {
            Some(0) => {}
            Some(5) => assert!(
                stderr.starts_with("ipart: registry busy: another process is writing to it; try again"),
                "{command}: {stderr}"
            ),
            other => panic!("{command}: exit {other:?}: {stderr}"),
        }
    }
}

#[test]
fn eight_processes_at_once_lose_nothing_and_see_only_whole_commands() {
    let registry = Reg::demo_in_use();
    let partners_before = registry.count("SELECT count(*) FROM partner");
    let assignments_before = registry.count("SELECT count(*) FROM assignment");
    let start = Arc::new(Barrier::new(PROCESSES));
    let workers: Vec<_> = (0..PROCESSES)
        .map(|worker| {
            let path = registry.path.clone();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                let mut runs = Vec::new();
                for round in 0..ROUNDS {
                    let name = format!("Concurrent {worker}-{round}");
                    let assignment = add_assignment(&name);
                    let mut args: Vec<&str> = match worker % 4 {
                        0 => vec!["partner", "add", &name, "--sector", "other"],
                        1 => assignment.iter().map(String::as_str).chain(["--students", "2"]).collect(),
                        2 => vec!["assignment", "list", "--format", "json"],
                        _ => vec!["partner", "list", "--format", "json"],
                    };
                    args.insert(0, "--quiet");
                    // Half the writers give up at once when the registry is
                    // busy, so the crowd takes both paths.
                    let timeout = if matches!(worker, 4 | 5) { "0" } else { "10000" };
                    runs.push(run(&path, &args, timeout));
                }
                runs
            })
        })
        .collect();
    let runs: Vec<Vec<Run>> = workers.into_iter().map(|w| w.join().unwrap()).collect();

    for (command, code, _, stderr) in runs.iter().flatten() {
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
        assert!(matches!(code, Some(0) | Some(5)), "{command}: exit {code:?}: {stderr}");
    }
    let landed = |worker: usize| -> BTreeSet<String> {
        assert_landed_or_busy(&runs[worker]);
        runs[worker]
            .iter()
            .filter(|(_, code, _, _)| *code == Some(0))
            .map(|(command, _, _, _)| command.split(" add ").nth(1).unwrap().split(" --").next().unwrap().to_string())
            .collect()
    };
    let partners_landed: BTreeSet<String> = (0..PROCESSES).filter(|w| w % 4 == 0).flat_map(landed).collect();
    let assignments_landed: BTreeSet<String> = (0..PROCESSES).filter(|w| w % 4 == 1).flat_map(landed).collect();

    let busy = runs.iter().flatten().filter(|(_, code, _, _)| *code == Some(5)).count();
    eprintln!("{busy} of {} commands found the registry busy", PROCESSES * ROUNDS);
    // What landed is exactly what was reported as landed, once each.
    let stored = |sql: &str| -> BTreeSet<String> {
        let conn = registry.conn();
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(stored("SELECT name FROM partner WHERE name LIKE 'Concurrent %'"), partners_landed);
    assert_eq!(stored("SELECT title FROM assignment WHERE title LIKE 'Concurrent %'"), assignments_landed);
    assert_eq!(registry.count("SELECT count(*) FROM partner"), partners_before + partners_landed.len() as i64);
    assert_eq!(registry.count("SELECT count(*) FROM assignment"), assignments_before + assignments_landed.len() as i64);
    // Each add and its audit entries went in together.
    assert_eq!(
        registry.count("SELECT count(*) FROM change WHERE command = 'partner add'"),
        partners_landed.len() as i64
    );
    assert_eq!(
        registry.count("SELECT count(*) FROM change WHERE command = 'assignment add'"),
        2 * assignments_landed.len() as i64
    );

    // Readers saw whole commands only: every assignment with its status,
    // and never fewer records than they had seen before.
    for worker in (0..PROCESSES).filter(|w| w % 4 >= 2) {
        let mut seen = 0;
        for (command, code, stdout, stderr) in &runs[worker] {
            assert_eq!(*code, Some(0), "{command}: {stderr}");
            let rows: Value = serde_json::from_str(stdout).unwrap();
            let rows = rows.as_array().unwrap();
            if worker % 4 == 2 {
                // The demo has assignments that only begin after today; each
                // one added here begins today, in the same transaction.
                for row in rows.iter().filter(|r| r["title"].as_str().unwrap().starts_with("Concurrent ")) {
                    assert!(row["status"].is_string(), "an assignment without its status: {row}");
                }
            }
            assert!(rows.len() >= seen, "{command}: {} records after {seen}", rows.len());
            seen = rows.len();
        }
    }
    registry.ipart(&["db", "check"]).assert().success();
}

#[test]
fn a_writer_that_cannot_get_the_lock_says_busy_after_the_timeout() {
    // In use, the registry is in WAL mode, where readers never wait for a writer.
    let registry = Reg::demo_in_use();
    let holder = registry.conn();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();

    let started = Instant::now();
    let output = registry
        .ipart(&["partner", "add", "Waits in vain", "--sector", "other"])
        .env("IPART_BUSY_TIMEOUT_MS", "300")
        .output()
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(output.status.code(), Some(5));
    assert_eq!(
        stderr_of(&output),
        "ipart: registry busy: another process is writing to it; try again (gave up after 300 ms; IPART_BUSY_TIMEOUT_MS sets how long to wait)\n"
    );
    assert!(waited >= Duration::from_millis(300), "gave up after {waited:?}");
    assert!(stdout_of(&output).is_empty());

    // Readers are not held up by a writer.
    registry.ipart(&["partner", "show", "DUO"]).env("IPART_BUSY_TIMEOUT_MS", "300").assert().success();

    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert_eq!(registry.count("SELECT count(*) FROM partner WHERE name = 'Waits in vain'"), 0);
    registry.ipart(&["--quiet", "partner", "add", "Waits in vain", "--sector", "other"]).assert().success();
    assert_eq!(registry.count("SELECT count(*) FROM partner WHERE name = 'Waits in vain'"), 1);
}

#[test]
fn a_writer_waits_for_a_short_write_to_finish() {
    let registry = Reg::demo_in_use();
    let holder = registry.conn();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        holder.execute_batch("COMMIT").unwrap();
    });
    let output = registry
        .ipart(&["--quiet", "partner", "add", "Waits its turn", "--sector", "other"])
        .env("IPART_BUSY_TIMEOUT_MS", "10000")
        .output()
        .unwrap();
    release.join().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(registry.count("SELECT count(*) FROM partner WHERE name = 'Waits its turn'"), 1);
}

#[test]
fn the_busy_timeout_must_be_a_number() {
    let registry = Reg::demo_in_use();
    let output = registry.ipart(&["partner", "list"]).env("IPART_BUSY_TIMEOUT_MS", "soon").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr_of(&output),
        "ipart: IPART_BUSY_TIMEOUT_MS: \"soon\" is not a number of milliseconds (such as 10000)\n"
    );
}

/// Rows of each large assignments file: an import that takes a while.
const IMPORT_ROWS: usize = 4_000;

/// The totals of a 2023 report in JSON: every figure an import of
/// assignments moves (partners added without a joined_on date are only
/// listed elsewhere, as not counted).
fn totals(report: &str) -> Value {
    let report: Value = serde_json::from_str(report).unwrap();
    let part = |name: &str| report.get(name).cloned().unwrap_or_else(|| panic!("a report without {name}"));
    serde_json::json!({
        "key_figures": part("key_figures"),
        "assignments": part("assignments"),
        "students": part("students"),
        "trend": part("trend"),
    })
}

/// The totals of `ipart report --year 2023 --format json` on `db`.
fn report_2023(db: &Path) -> Value {
    let output = ipart_on(db, &["report", "--year", "2023", "--format", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    totals(&stdout_of(&output))
}

/// A copy of a registry's main file (the registry must be closed).
fn copy_to(db: &Path, dir: &Path, name: &str) -> PathBuf {
    let copy = dir.join(name);
    std::fs::copy(db, &copy).unwrap();
    copy
}

/// `ipart import KIND FILE` on `db` that must land.
fn import(db: &Path, kind: &str, file: &Path) {
    let output = ipart_on(db, &["--quiet", "import", kind, file.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
}

/// What one process saw, with when it ran.
struct Timed {
    run: Run,
    started: Instant,
    ended: Instant,
}

#[test]
fn imports_adds_and_reports_at_once_lose_nothing_and_reports_see_whole_imports() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    // Two large imports of assignments from different sources (both count
    // in the 2023 report) and one of partners (known, not counted).
    let files = [dir.join("a.csv"), dir.join("b.csv")];
    write_native_assignments(&registry.path, "conc-a", IMPORT_ROWS, &files[0]);
    write_native_assignments(&registry.path, "conc-b", IMPORT_ROWS, &files[1]);
    let partners_file = dir.join("partners.csv");
    let mut partners = String::from("name,sector,source,external_id\n");
    for i in 0..200 {
        partners.push_str(&format!("Imported partner {i},other,conc-c,C-{i}\n"));
    }
    std::fs::write(&partners_file, partners).unwrap();

    // The 2023 report in each state the imports of assignments can leave:
    // none, a, b, both (index: bit 0 for a, bit 1 for b).
    let states = tempfile::tempdir().unwrap();
    let none = copy_to(&registry.path, states.path(), "none.sqlite");
    let only_a = copy_to(&registry.path, states.path(), "a.sqlite");
    let only_b = copy_to(&registry.path, states.path(), "b.sqlite");
    import(&only_a, "assignments", &files[0]);
    import(&only_b, "assignments", &files[1]);
    let both = copy_to(&only_a, states.path(), "both.sqlite");
    import(&both, "assignments", &files[1]);
    let expected: Vec<Value> = [&none, &only_a, &only_b, &both].map(|db| report_2023(db)).into();
    for (i, a) in expected.iter().enumerate() {
        assert!(expected[..i].iter().all(|b| a != b), "each import changes the 2023 report");
    }

    let imports_running = Arc::new(AtomicUsize::new(2));
    let start = Arc::new(Barrier::new(PROCESSES));
    let workers: Vec<_> = (0..PROCESSES)
        .map(|worker| {
            let path = registry.path.clone();
            let start = Arc::clone(&start);
            let imports_running = Arc::clone(&imports_running);
            let files = files.clone();
            let partners_file = partners_file.clone();
            std::thread::spawn(move || {
                let timed = |args: &[&str], timeout: &str| {
                    let started = Instant::now();
                    let run = run(&path, args, timeout);
                    Timed { run, started, ended: Instant::now() }
                };
                start.wait();
                let mut runs = Vec::new();
                match worker {
                    0 | 1 => {
                        let file = files[worker].to_str().unwrap();
                        runs.push(timed(&["--quiet", "import", "assignments", file], "10000"));
                        imports_running.fetch_sub(1, Ordering::SeqCst);
                    }
                    // This import gives up at once when the registry is busy.
                    2 => runs.push(timed(&["--quiet", "import", "partners", partners_file.to_str().unwrap()], "0")),
                    3..=5 => {
                        for round in 0..ROUNDS {
                            let name = format!("Concurrent {worker}-{round}");
                            let assignment = add_assignment(&name);
                            let args: Vec<&str> = match worker {
                                3 => vec!["--quiet", "partner", "add", &name, "--sector", "other"],
                                _ => ["--quiet"].into_iter().chain(assignment.iter().map(String::as_str)).collect(),
                            };
                            runs.push(timed(&args, if worker == 5 { "0" } else { "10000" }));
                        }
                    }
                    _ => {
                        // Reports, over and over until both imports are done.
                        while imports_running.load(Ordering::SeqCst) > 0 || runs.len() < 2 {
                            runs.push(timed(&["report", "--year", "2023", "--format", "json"], "10000"));
                        }
                    }
                }
                runs
            })
        })
        .collect();
    let runs: Vec<Vec<Timed>> = workers.into_iter().map(|w| w.join().unwrap()).collect();

    for Timed { run: (command, _, _, stderr), .. } in runs.iter().flatten() {
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
    }
    for writer in &runs[..6] {
        assert_landed_or_busy(&writer.iter().map(|t| t.run.clone()).collect::<Vec<_>>());
    }
    let landed = |worker: usize| runs[worker].iter().filter(|t| t.run.1 == Some(0)).count();
    let busy = (0..6).map(|w| runs[w].len() - landed(w)).sum::<usize>();
    eprintln!(
        "{busy} of {} writes found the registry busy; imports landed: a {}, b {}, partners {}",
        runs[..6].iter().map(Vec::len).sum::<usize>(),
        landed(0),
        landed(1),
        landed(2)
    );

    // Every landed import is there once, with all its rows; a busy one left nothing.
    let sources = [
        (0, "conc-a", "assignment", IMPORT_ROWS, &files[0]),
        (1, "conc-b", "assignment", IMPORT_ROWS, &files[1]),
        (2, "conc-c", "partner", 200, &partners_file),
    ];
    for (worker, source, table, rows, file) in sources {
        let rows = if landed(worker) == 1 { rows as i64 } else { 0 };
        let counted =
            |sql: &str, value: &str| -> i64 { registry.conn().query_row(sql, [value], |r| r.get(0)).unwrap() };
        assert_eq!(counted(&format!("SELECT count(*) FROM {table} WHERE source = ?1"), source), rows, "{source}");
        assert_eq!(
            counted(&format!("SELECT count(DISTINCT external_id) FROM {table} WHERE source = ?1"), source),
            rows,
            "{source}"
        );
        assert_eq!(
            counted("SELECT count(*) FROM import_batch WHERE file = ?1", file.to_str().unwrap()),
            landed(worker) as i64,
            "{source}: one batch per landed import"
        );
    }
    // Every add reported done is there, once.
    let stored = |sql: &str| -> BTreeSet<String> {
        let conn = registry.conn();
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let added = |workers: &[usize]| -> BTreeSet<String> {
        workers
            .iter()
            .flat_map(|w| &runs[*w])
            .filter(|t| t.run.1 == Some(0))
            .map(|t| t.run.0.split(" add ").nth(1).unwrap().split(" --").next().unwrap().to_string())
            .collect()
    };
    assert_eq!(stored("SELECT name FROM partner WHERE name LIKE 'Concurrent %'"), added(&[3]));
    assert_eq!(stored("SELECT title FROM assignment WHERE title LIKE 'Concurrent %'"), added(&[4, 5]));
    assert_eq!(
        registry.count("SELECT count(*) FROM assignment WHERE title LIKE 'Concurrent %'"),
        added(&[4, 5]).len() as i64
    );

    // Each report shows a state some imports left whole, and a reader
    // never goes back to an earlier one.
    let imports = [&runs[0][0], &runs[1][0]];
    let mut during = 0;
    for reader in &runs[6..] {
        let mut seen = 0usize;
        for t in reader {
            let (command, code, stdout, stderr) = &t.run;
            assert_eq!(*code, Some(0), "{command}: {stderr}");
            let report = totals(stdout);
            let state = expected.iter().position(|r| *r == report).unwrap_or_else(|| {
                panic!(
                    "a report taken during the imports is none of the states they leave: {}; expected one of {:?}",
                    report["key_figures"],
                    expected.iter().map(|e| e["key_figures"].to_string()).collect::<Vec<_>>()
                )
            });
            assert_eq!(state & seen, seen, "a report went back from state {seen} to {state}");
            seen = state;
            if imports.iter().any(|i| i.started < t.started && t.ended < i.ended) {
                during += 1;
            }
        }
    }
    eprintln!("{during} reports ran while an import was running");
    assert!(during > 0, "no report ran while an import did");
    let landed_state = landed(0) | landed(1) << 1;
    assert!(
        report_2023(&registry.path) == expected[landed_state],
        "the report after it all is not state {landed_state}"
    );
    registry.ipart(&["db", "check"]).assert().success();
}
