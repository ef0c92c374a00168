//! A registry killed (SIGKILL) in the middle of a large import, or of an
//! `import undo`, is whole afterwards: `ipart db check` passes and every
//! table holds exactly what it held before the command or exactly what the
//! complete command leaves, never a part of it.

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;
use tempfile::TempDir;

/// Enough rows that an import takes a second or two in a debug build.
const ROWS: usize = 6_000;

/// When a command is killed.
#[derive(Debug, Clone)]
enum Moment {
    /// As soon as it has started.
    AtOnce,
    /// This share of a complete run after it started.
    After(f64),
    /// This share of a complete run after it said what it detected in the
    /// file, that is once it is reading rows in its transaction.
    AfterDetected(f64),
    /// As soon as the write-ahead log grows: the transaction is being
    /// written out (pages that no longer fit the cache, or the commit).
    WhileWriting,
    /// As soon as another connection sees this query return 1: the command
    /// has committed, and is finishing (checkpointing, closing).
    Committed(String),
}

/// A copy of `template` in a directory of its own.
fn copy_of(template: &Path) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    std::fs::copy(template, &path).unwrap();
    (dir, path)
}

/// Copies of a registry are of its main file only: nothing may wait in
/// its write-ahead log (a reader may leave an empty one).
fn assert_no_log(db: &Path) {
    assert_eq!(std::fs::metadata(wal_of(db)).map_or(0, |m| m.len()), 0, "{} has a write-ahead log", db.display());
}

fn wal_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// `ipart --db DB ARGS` started as a child process, stderr piped.
fn spawn(db: &Path, args: &[&str]) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("ipart"))
        .env("IPART_TODAY", TODAY)
        .env("IPART_ACTOR", "tester")
        .env("NO_COLOR", "1")
        .env_remove("IPART_DB")
        .env_remove("IPART_BUSY_TIMEOUT_MS")
        .arg("--db")
        .arg(db)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs `ipart --db DB ARGS` to its end; returns how long it took.
fn complete(db: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let output = spawn(db, args).wait_with_output().unwrap();
    assert!(output.status.success(), "ipart {args:?}: {}", stderr_of(&output));
    started.elapsed()
}

/// Starts `ipart --db DB ARGS` and kills it at `moment`; says whether it
/// was still running then.
fn kill_at(db: &Path, args: &[&str], moment: &Moment, full: Duration) -> bool {
    let mut child = spawn(db, args);
    match moment {
        Moment::AtOnce => {}
        Moment::After(share) => std::thread::sleep(full.mul_f64(*share)),
        Moment::AfterDetected(share) => {
            let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
            let mut line = String::new();
            while stderr.read_line(&mut line).unwrap() > 0 && !line.starts_with("detected: ") {
                line.clear();
            }
            assert!(line.starts_with("detected: "), "ipart {args:?} ended before reading the file");
            std::thread::sleep(full.mul_f64(*share));
        }
        Moment::Committed(sql) => {
            let reader = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let done = || reader.query_row(sql.as_str(), [], |r| r.get::<_, i64>(0)).unwrap_or(0) == 1;
            while child.try_wait().unwrap().is_none() && !done() {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        Moment::WhileWriting => {
            let wal = wal_of(db);
            while child.try_wait().unwrap().is_none() && std::fs::metadata(&wal).map_or(0, |m| m.len()) == 0 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    running
}

/// Kills `args` on a copy of `template` at each moment and checks that the
/// registry is whole and holds `before` or `after`; returns how often each.
fn kill_and_check(
    template: &Path,
    args: &[&str],
    moments: &[Moment],
    full: Duration,
    (before, after): (&str, &str),
) -> (usize, usize) {
    let (mut as_before, mut as_after) = (0, 0);
    for moment in moments {
        let (_dir, db) = copy_of(template);
        let running = kill_at(&db, args, moment, full);
        ipart_on(&db, &["db", "check"]).assert().success();
        let state = dump_without_times(&db);
        if state == before {
            as_before += 1;
        } else if state == after {
            as_after += 1;
        } else {
            panic!(
                "ipart {args:?} killed at {moment:?} (running: {running}) left a registry that is neither before nor after it"
            );
        }
        eprintln!(
            "ipart {args:?} killed at {moment:?} (running: {running}): {}",
            if state == before { "before" } else { "after" }
        );
    }
    (as_before, as_after)
}

/// The demo registry (as a command leaves it: no write-ahead log beside it)
/// and a large native file of new assignments.
fn demo_and_file() -> (Reg, PathBuf) {
    let registry = Reg::demo_in_use();
    assert_no_log(&registry.path);
    let file = registry.dir.path().join("assignments.csv");
    write_native_assignments(&registry.path, "crash", ROWS, &file);
    (registry, file)
}

#[test]
fn an_import_killed_at_any_moment_leaves_the_registry_before_or_after_it() {
    let (template, file) = demo_and_file();
    let file = file.to_str().unwrap();
    let args = ["import", "assignments", file];
    let before = dump_without_times(&template.path);

    let (_done_dir, done) = copy_of(&template.path);
    let full = complete(&done, &args);
    let after = dump_without_times(&done);
    assert_ne!(before, after);
    eprintln!("a complete import of {ROWS} rows took {full:?}");

    let moments = [
        Moment::AtOnce,
        Moment::AfterDetected(0.0),
        Moment::AfterDetected(0.15),
        Moment::AfterDetected(0.35),
        Moment::WhileWriting,
        Moment::Committed(format!(
            "SELECT count(*) > {} FROM import_batch",
            template.count("SELECT count(*) FROM import_batch")
        )),
    ];
    let (as_before, as_after) = kill_and_check(&template.path, &args, &moments, full, (&before, &after));
    assert!(as_before >= 1, "at least the kill at once found the registry as it was");
    assert!(as_after >= 1, "at least the kill once committed found the registry imported");
}

#[test]
fn a_registry_left_by_a_killed_import_takes_the_same_import_again() {
    let (template, file) = demo_and_file();
    let file = file.to_str().unwrap();
    let args = ["import", "assignments", file];
    let before = dump_without_times(&template.path);
    assert!(kill_at(&template.path, &args, &Moment::AfterDetected(0.0), Duration::ZERO), "killed while it ran");
    ipart_on(&template.path, &["db", "check"]).assert().success();
    assert_eq!(dump_without_times(&template.path), before);
    complete(&template.path, &args);
    assert_eq!(template.count("SELECT count(*) FROM assignment WHERE source = 'crash'"), ROWS as i64);
    ipart_on(&template.path, &["db", "check"]).assert().success();
}

#[test]
fn an_undo_killed_at_any_moment_leaves_the_registry_before_or_after_it() {
    let (registry, file) = demo_and_file();
    let file = file.to_str().unwrap();
    complete(&registry.path, &["import", "assignments", file]);
    let batch = registry.count("SELECT max(id) FROM import_batch").to_string();
    let args = ["import", "undo", batch.as_str()];
    assert_no_log(&registry.path);
    let before = dump_without_times(&registry.path);

    let (_done_dir, done) = copy_of(&registry.path);
    let full = complete(&done, &args);
    let after = dump_without_times(&done);
    assert_ne!(before, after);
    eprintln!("a complete undo of {ROWS} rows took {full:?}");

    let moments = [
        Moment::AtOnce,
        Moment::After(0.2),
        Moment::After(0.5),
        Moment::After(0.8),
        Moment::WhileWriting,
        Moment::Committed("SELECT count(*) FROM import_batch WHERE undone_at IS NOT NULL".to_string()),
    ];
    let (as_before, as_after) = kill_and_check(&registry.path, &args, &moments, full, (&before, &after));
    assert!(as_before >= 1, "at least the kill at once found the registry as it was");
    assert!(as_after >= 1, "at least the kill once committed found the import undone");
}
