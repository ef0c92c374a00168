//! What the end-to-end tests share: a registry in a temporary directory,
//! the binary pointed at it, and snapshots of files to prove they did not
//! change.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

use assert_cmd::Command;
use tempfile::TempDir;

/// The date every test runs on, so statuses without a date are reproducible.
pub const TODAY: &str = "2024-01-15";

/// A registry file in its own temporary directory.
pub struct Registry {
    pub dir: TempDir,
    pub path: PathBuf,
}

impl Registry {
    /// `ipart --db <this registry> args...`
    pub fn ipart(&self, args: &[&str]) -> Command {
        ipart_on(&self.path, args)
    }

    pub fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The names in the registry's directory, sorted.
    pub fn files(&self) -> Vec<String> {
        files_in(self.dir.path())
    }
}

/// The binary with a fixed date and no colour, reading no registry from the
/// environment of whoever runs the tests.
pub fn ipart(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("ipart").unwrap();
    cmd.env("IPART_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env_remove("IPART_DB")
        .env_remove("IPART_ACTOR")
        .env_remove("IPART_BUSY_TIMEOUT_MS")
        .args(args);
    cmd
}

pub fn ipart_on(db: &Path, args: &[&str]) -> Command {
    let mut cmd = ipart(&["--db", db.to_str().unwrap()]);
    cmd.args(args);
    cmd
}

/// A new empty registry.
pub fn empty() -> Registry {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    ipart_on(&path, &["--quiet", "init"]).assert().success();
    Registry { dir, path }
}

/// A copy of a registry holding the demo data (made once per test binary).
pub fn demo() -> Registry {
    static MADE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, original) = MADE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.sqlite");
        ipart_on(&path, &["--quiet", "init", "--demo"]).assert().success();
        (dir, path)
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    std::fs::copy(original, &path).unwrap();
    Registry { dir, path }
}

/// A file's bytes and modification time, to prove it was left untouched.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    bytes: Vec<u8>,
    modified: SystemTime,
}

pub fn snapshot(path: &Path) -> Snapshot {
    Snapshot { bytes: std::fs::read(path).unwrap(), modified: std::fs::metadata(path).unwrap().modified().unwrap() }
}

pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// The permission bits of a file.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs and returns the JSON the command printed.
pub fn json(mut cmd: Command) -> serde_json::Value {
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}
