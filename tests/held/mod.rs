//! For the tests of files and faults: a registry held by another process
//! (so that an ipart command waits, and can be killed while it waits), and
//! ipart run as a child whose stderr is read as it comes.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant, SystemTime};

use rusqlite::Connection;

use crate::common::TODAY;

/// What an ipart command held up by another says, once, after a second.
pub fn waiting_line(db: &Path) -> String {
    format!("waiting for another process to finish writing to {} ...", db.display())
}

/// Holds `db` locked so that no other connection can read or write it:
/// out of WAL mode, in an exclusive transaction, until dropped (or
/// [`Holder::release`]).
pub struct Holder(Option<Connection>);

impl Holder {
    pub fn exclusive(db: &Path) -> Holder {
        let conn = Connection::open(db).unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "delete", "the registry is in use elsewhere");
        conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
        Holder(Some(conn))
    }

    /// Holds only the write lock (WAL mode): readers go on, writers wait.
    pub fn writing(db: &Path) -> Holder {
        let conn = Connection::open(db).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        Holder(Some(conn))
    }

    pub fn release(mut self) {
        if let Some(conn) = self.0.take() {
            conn.execute_batch("COMMIT").unwrap();
        }
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
}

/// `ipart --db DB ARGS` started as a child in `dir`, its stderr read line
/// by line as it comes.
pub struct Running {
    pub child: Child,
    lines: Receiver<String>,
    pub stderr: Vec<String>,
}

pub fn start(db: &Path, dir: &Path, args: &[&str]) -> Running {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ipart"))
        .env("IPART_TODAY", TODAY)
        .env("IPART_ACTOR", "tester")
        .env("NO_COLOR", "1")
        .env_remove("IPART_DB")
        .env_remove("IPART_BUSY_TIMEOUT_MS")
        .current_dir(dir)
        .arg("--db")
        .arg(db)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (send, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { return };
            if send.send(line).is_err() {
                return;
            }
        }
    });
    Running { child, lines, stderr: Vec::new() }
}

impl Running {
    /// Waits until the command says `line` on stderr (at most 30 s).
    pub fn until_it_says(&mut self, line: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.stderr.iter().any(|l| l == line) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.stderr.push(l),
                Err(_) => panic!("the command never said {line:?}; it said {:?}", self.stderr),
            }
        }
    }

    /// Kills the command (SIGKILL) and waits for it.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits for the command to end; its exit code and all it said.
    pub fn finish(mut self) -> (Option<i32>, String) {
        let status = self.child.wait().unwrap();
        self.stderr.extend(self.lines.iter());
        let mut text = self.stderr.join("\n");
        text.push('\n');
        (status.code(), text)
    }
}

/// The temporary files ipart is writing (or left) in `dir`.
pub fn partial_files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(".ipart-partial."))
        .collect();
    found.sort();
    found
}

/// Waits until ipart has made a temporary file in `dir` (at most 30 s).
pub fn until_partial_file(dir: &Path) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(p) = partial_files(dir).into_iter().next() {
            return p;
        }
        assert!(Instant::now() < deadline, "no temporary file appeared in {}", dir.display());
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Makes a file look as old as a leftover of a run long gone.
pub fn age(path: &Path) {
    let old = SystemTime::now() - Duration::from_secs(60);
    std::fs::File::options().write(true).open(path).unwrap().set_modified(old).unwrap();
}

/// Makes a FIFO at `path`.
pub fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `ipart ARGS` under `sh` with a umask: `umask 022; exec ipart ...`.
pub fn with_umask(umask: &str, db: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    under_sh(&format!("umask {umask}"), db, dir, args)
}

/// `ipart ARGS` run by `sh` after `setup` (a shell command that sets up the
/// process: a umask, a file size limit), on registry `db`, in `dir`.
pub fn under_sh(setup: &str, db: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{setup} && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("ipart"))
        .arg("--quiet")
        .arg("--db")
        .arg(db)
        .args(args)
        .current_dir(dir)
        .env("IPART_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env_remove("IPART_DB")
        .output()
        .unwrap()
}
