//! Several ipart processes on one registry at once: every write lands or
//! fails with "registry busy, try again" (exit 5) after the busy timeout;
//! nothing that was reported written is lost, nothing is written twice,
//! nothing panics, and readers only ever see whole commands.
//!
//! Imports and reports join these processes in a later pass (issue 5, part 2).

mod common;

use std::collections::BTreeSet;
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
