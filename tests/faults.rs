//! The registry file under faults: something else at its path, damage, a
//! failed upgrade, a restore racing other commands, a disk that refuses
//! writes, another process holding the lock. Each is met with the exit code
//! the README documents and a sentence that says what to do, and leaves the
//! registry as it was.

mod common;
mod held;

use std::path::Path;
use std::time::Duration;

use common::*;
use held::*;

const DAMAGED_ADVICE: &str =
    "run `ipart db check` to see what is damaged, and `ipart db restore FILE` to put back a backup";

/// Runs `ipart --db DB ARGS`; a command that hangs is killed after 20 s
/// and fails the test.
fn run_briefly(db: &Path, args: &[&str]) -> std::process::Output {
    let output = ipart_on(db, args).timeout(Duration::from_secs(20)).output().unwrap();
    assert!(output.status.code().is_some(), "ipart {args:?} hung on {}", db.display());
    output
}

/// The commands of every kind: reading, writing, the file commands.
fn every_kind_of_command(dir: &Path) -> Vec<Vec<String>> {
    let backup = dir.join("backup.sqlite").display().to_string();
    let out = dir.join("out.csv").display().to_string();
    let rows = dir.join("rows.csv");
    std::fs::write(&rows, "name,sector\nGood BV,other\n").unwrap();
    [
        vec!["report", "--year", "2023"],
        vec!["partner", "list"],
        vec!["partner", "add", "X", "--sector", "other"],
        vec!["export", "partners", "--output", &out],
        vec!["import", "partners", rows.to_str().unwrap()],
        vec!["db", "check"],
        vec!["db", "backup", &backup],
        vec!["db", "vacuum"],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_string).collect())
    .collect()
}

#[test]
fn a_fifo_or_socket_at_the_registry_path_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("registry.sqlite");
    mkfifo(&fifo);
    let socket = dir.path().join("socket.sqlite");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    for (path, kind) in [(&fifo, "named pipe (FIFO)"), (&socket, "socket")] {
        for args in every_kind_of_command(dir.path()) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = run_briefly(path, &args);
            assert_eq!(output.status.code(), Some(4), "{args:?}: {}", stderr_of(&output));
            assert_eq!(
                stderr_of(&output),
                format!("ipart: {} is a {kind}, not a registry file; it was left untouched\n", path.display()),
                "{args:?}"
            );
        }
    }
    // A backup restored into it, or restored from one.
    let registry = Reg::demo_in_use();
    let backup = registry.dir.path().join("backup.sqlite");
    registry.ok(&["--quiet", "db", "backup", backup.to_str().unwrap()]);
    let output = run_briefly(&fifo, &["db", "restore", backup.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: the registry was not changed: {} is a named pipe (FIFO), not a registry file; it was left untouched\n",
            fifo.display()
        )
    );
    let output = run_briefly(&registry.path, &["db", "restore", fifo.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert!(stderr_of(&output).ends_with(&format!(
        "{} is a named pipe (FIFO), not a registry file; it was left untouched\n",
        fifo.display()
    )));
    let files: Vec<String> = files_in(dir.path()).into_iter().filter(|f| !f.ends_with(".csv")).collect();
    assert_eq!(files, ["registry.sqlite", "socket.sqlite"]);
}

#[test]
fn a_fifo_beside_the_registry_is_refused_at_once() {
    let registry = Reg::demo_in_use();
    let wal = registry.dir.path().join("registry.sqlite-wal");
    mkfifo(&wal);
    let before = snapshot(&registry.path);
    let output = run_briefly(&registry.path, &["report", "--year", "2023"]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: {} is a named pipe (FIFO), where SQLite keeps a file of the registry's; it was left untouched (remove it, then try again)\n",
            wal.display()
        )
    );
    assert_eq!(snapshot(&registry.path), before);
}

/// Overwrites the first bytes of the page that holds the root of `table`:
/// damage SQLite's quick check finds, where a command on other tables does
/// not look.
fn damage_table(registry: &Reg, table: &str) {
    let conn = registry.conn();
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    let root: i64 =
        conn.query_row("SELECT rootpage FROM sqlite_schema WHERE name = ?1", [table], |r| r.get(0)).unwrap();
    drop(conn);
    let mut bytes = std::fs::read(&registry.path).unwrap();
    let at = ((root - 1) * page_size) as usize;
    bytes[at..at + 64].fill(0x5a);
    std::fs::write(&registry.path, bytes).unwrap();
}

#[test]
fn a_damaged_registry_takes_no_writes_and_says_what_to_do() {
    let registry = Reg::demo_in_use();
    damage_table(&registry, "assignment_status");
    let dir = registry.dir.path();
    let rows = dir.join("rows.csv");
    std::fs::write(&rows, "name,sector\nGood BV,other\n").unwrap();
    let before = snapshot(&registry.path);
    let files = registry.files();
    let refusal = format!(
        "ipart: registry {} is damaged (SQLite's quick check: Tree 29 page 29: btreeInitPage() returns error code 11); nothing was changed: {DAMAGED_ADVICE}\n",
        registry.path.display()
    );
    for args in [
        vec!["partner", "add", "X", "--sector", "other"],
        vec!["--quiet", "import", "partners", rows.to_str().unwrap()],
        vec!["--quiet", "import", "partners", rows.to_str().unwrap(), "--dry-run"],
        vec!["db", "vacuum"],
    ] {
        let output = registry.ipart(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(4), "{args:?}: {}", stderr_of(&output));
        assert_eq!(stderr_of(&output), refusal, "{args:?}");
        assert_eq!(snapshot(&registry.path), before, "{args:?} changed the registry");
        assert_eq!(registry.files(), files, "{args:?} left files");
    }
    // What does not need the damaged pages can still be read.
    registry.ipart(&["partner", "show", "DUO"]).assert().success();
    // A command that reads them says what it met and what to do.
    let output = registry.ipart(&["report", "--year", "2023"]).output().unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: the registry is damaged (database disk image is malformed); nothing was changed: {DAMAGED_ADVICE}\n"
        )
    );
    // A backup of it is not kept: its copy fails the integrity check too.
    let target = dir.join("copy.sqlite");
    let output = registry.ipart(&["db", "backup", target.to_str().unwrap()]).output().unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: the copy fails SQLite's integrity check (Tree 29 page 29: btreeInitPage() returns error code 11), so the registry it was made from is damaged; the copy was not kept: {DAMAGED_ADVICE}\n"
        )
    );
    assert_eq!(registry.files(), files);
    assert_eq!(snapshot(&registry.path), before);
}

#[test]
fn text_that_is_not_utf8_is_reported_as_damage_with_what_to_do() {
    let registry = Reg::demo_in_use();
    registry.conn().execute("UPDATE partner SET name = CAST(x'ff41' AS TEXT) WHERE name = 'DUO'", []).unwrap();
    let output = registry.ipart(&["partner", "list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        format!("ipart: the registry holds text that is not UTF-8; nothing was changed: {DAMAGED_ADVICE}\n")
    );
}

#[test]
fn a_failed_upgrade_keeps_one_copy_and_says_only_why() {
    let registry = Reg::demo_in_use();
    // A registry whose schema version was set to 0 outside ipart: the
    // upgrade from 0 creates the first tables, which are there.
    registry.conn().pragma_update(None, "user_version", 0).unwrap();
    let before = snapshot(&registry.path);
    let kept = registry.dir.path().join("registry.sqlite.v0.failed-upgrade.backup");
    for attempt in 1..=2 {
        let output = registry.ipart(&["partner", "list"]).output().unwrap();
        assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
        assert_eq!(
            stderr_of(&output),
            format!(
                "ipart: upgrading registry {} from schema version 0 to {} failed (schema step 1 failed: table theme already exists); it was left at version 0, and a copy of it is at {}\n",
                registry.path.display(),
                ipart::store::SCHEMA_VERSION,
                kept.display()
            ),
            "attempt {attempt}"
        );
        assert_eq!(snapshot(&registry.path), before, "attempt {attempt} changed the registry");
        assert_eq!(registry.files(), ["registry.sqlite", "registry.sqlite.v0.failed-upgrade.backup"]);
        assert_eq!(mode(&kept), 0o600);
    }
}

#[test]
fn a_restore_refused_because_the_registry_is_being_read_says_so_and_leaves_nothing() {
    let registry = Reg::demo_in_use();
    let backup = registry.dir.path().join("backup.sqlite");
    registry.ok(&["--quiet", "db", "backup", backup.to_str().unwrap()]);
    let reader = registry.conn();
    reader.execute_batch("BEGIN; SELECT count(*) FROM partner;").unwrap();
    let before = snapshot(&registry.path);
    let files = registry.files();
    let output = registry.ipart(&["db", "restore", backup.to_str().unwrap()]).output().unwrap();
    assert_eq!(output.status.code(), Some(5), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        format!(
            "ipart: the registry was not changed: registry busy: another process has {} open (reading or writing); it was not replaced; try again when it is done\n",
            registry.path.display()
        )
    );
    // No copy of the registry it did not replace, empty or whole.
    assert_eq!(registry.files(), files);
    assert_eq!(snapshot(&registry.path), before);
    reader.execute_batch("COMMIT").unwrap();
}

#[test]
fn a_writer_that_waited_while_a_restore_replaced_the_registry_is_told_to_try_again() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let replacement = dir.join("replacement.sqlite");
    registry.ok(&["--quiet", "db", "backup", replacement.to_str().unwrap()]);
    let restored = dump(&replacement);
    // As `db restore` does: the registry locked, the new file renamed over
    // it, the lock let go. A writer that opened the old file meanwhile finds
    // it gone when it gets its turn.
    let holder = Holder::exclusive(&registry.path);
    let mut writer = start(&registry.path, dir, &["partner", "add", "Too late", "--sector", "other"]);
    writer.until_it_says(&waiting_line(&registry.path));
    std::fs::rename(&replacement, &registry.path).unwrap();
    holder.release();
    let (code, stderr) = writer.finish();
    assert_eq!(code, Some(5), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "{}\nipart: registry busy: the registry file was replaced (by `ipart db restore`?) while this command had it open; nothing was changed; run the command again\n",
            waiting_line(&registry.path)
        )
    );
    assert_eq!(registry.dump(), restored);
    assert_eq!(registry.files(), ["registry.sqlite"]);
    registry.ok(&["--quiet", "partner", "add", "Too late", "--sector", "other"]);
}

#[test]
fn a_command_held_up_by_another_says_so_once_unless_quiet() {
    let registry = Reg::demo_in_use();
    let before = registry.dump();
    let holder = Holder::writing(&registry.path);
    let busy = "ipart: registry busy: another process is writing to it; try again (gave up after 2500 ms; IPART_BUSY_TIMEOUT_MS sets how long to wait)\n";
    let output = registry
        .ipart(&["partner", "add", "Waits", "--sector", "other"])
        .env("IPART_BUSY_TIMEOUT_MS", "2500")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    assert_eq!(stderr_of(&output), format!("{}\n{busy}", waiting_line(&registry.path)));
    let output = registry
        .ipart(&["--quiet", "partner", "add", "Waits", "--sector", "other"])
        .env("IPART_BUSY_TIMEOUT_MS", "2500")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    assert_eq!(stderr_of(&output), busy);
    assert_eq!(registry.dump(), before);
    // A wait of less than a second is not worth a word.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        holder.release();
    });
    let output = registry.ipart(&["partner", "add", "Waits", "--sector", "other"]).output().unwrap();
    release.join().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(!stderr_of(&output).contains("waiting"), "{}", stderr_of(&output));
}

/// `ipart ARGS` with files limited to `kb` KB (`ulimit -f`; SIGXFSZ
/// ignored, so a write past it fails with EFBIG): a disk that refuses to
/// take more.
fn with_file_limit(kb: u32, db: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    under_sh(&format!("trap '' XFSZ; ulimit -f {kb}"), db, dir, args)
}

#[test]
fn a_disk_that_refuses_writes_is_reported_with_what_to_do() {
    let registry = Reg::demo_in_use();
    let dir = registry.dir.path();
    let rows = dir.join("assignments.csv");
    write_native_assignments(&registry.path, "big", 2_000, &rows);
    let before = registry.dump();
    let output = with_file_limit(64, &registry.path, dir, &["import", "assignments", "assignments.csv"]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        "ipart: the disk could not be read or written (disk I/O error); nothing was changed: check the disk and its file system, then run `ipart db check`\n"
    );
    assert_eq!(registry.dump(), before);
    registry.ipart(&["db", "check"]).assert().success();
    // An output file that cannot be written whole is not written at all.
    let output = with_file_limit(64, &registry.path, dir, &["export", "assignments", "--output", "out.csv"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert_eq!(stderr_of(&output), "ipart: cannot write out.csv: File too large (os error 27)\n");
    assert!(!dir.join("out.csv").exists());
    assert!(partial_files(dir).is_empty(), "{:?}", registry.files());
    let output = with_file_limit(64, &registry.path, dir, &["db", "backup", "copy.sqlite"]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert_eq!(
        stderr_of(&output),
        "ipart: cannot copy the registry to copy.sqlite: the disk could not be read or written (disk I/O error); nothing was changed: check the disk and its file system, then run `ipart db check`\n"
    );
    assert!(!dir.join("copy.sqlite").exists());
    assert!(partial_files(dir).is_empty(), "{:?}", registry.files());
}
