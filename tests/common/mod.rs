//! Shared helpers for the end-to-end tests: a temporary registry and the
//! real `ipart` binary run against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use assert_cmd::Command;
use tempfile::TempDir;

/// The date the tests pretend it is (status changes without --on get it).
pub const TODAY: &str = "2026-11-28";

/// A registry file in its own temporary directory.
pub struct Reg {
    pub dir: TempDir,
    pub path: PathBuf,
}

/// The binary, with the environment pinned so output is reproducible.
pub fn ipart() -> Command {
    let mut cmd = Command::cargo_bin("ipart").expect("the ipart binary is built");
    cmd.env("IPART_TODAY", TODAY)
        .env("IPART_ACTOR", "tester")
        .env("NO_COLOR", "1")
        .env_remove("IPART_DB")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// A demo registry made once per test binary, copied for each test.
fn demo_template() -> &'static Path {
    static TEMPLATE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.sqlite");
        let out = ipart().arg("--db").arg(&path).args(["init", "--demo"]).output().unwrap();
        assert!(out.status.success(), "init --demo failed: {}", String::from_utf8_lossy(&out.stderr));
        // Fold the WAL into the file so a plain copy carries everything.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        (dir, path)
    });
    path
}

impl Reg {
    /// A path for a registry that does not exist yet.
    pub fn absent() -> Reg {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        Reg { dir, path }
    }

    /// A new, empty registry.
    pub fn empty() -> Reg {
        let reg = Reg::absent();
        reg.ok(&["init"]);
        reg
    }

    /// A registry holding the demo data.
    pub fn demo() -> Reg {
        let reg = Reg::absent();
        std::fs::copy(demo_template(), &reg.path).unwrap();
        reg
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = ipart();
        cmd.arg("--db").arg(&self.path);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "ipart {args:?} failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(code), "ipart {args:?}: expected exit {code}, stderr:\n{stderr}");
        assert!(out.stdout.is_empty(), "a failed command printed data: {}", String::from_utf8_lossy(&out.stdout));
        stderr
    }

    /// Runs a command that must be refused as invalid data (exit 3) without
    /// changing anything; returns its stderr.
    pub fn refused(&self, args: &[&str]) -> String {
        let before = self.dump();
        let stderr = self.fails(args, 3);
        assert_eq!(before, self.dump(), "ipart {args:?} was refused but changed the registry");
        stderr
    }

    /// Parses the JSON a command prints.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// Every row of every table, for "nothing changed" checks.
    pub fn dump(&self) -> String {
        dump(&self.path)
    }
}

/// Every row of every table of a registry file, in a stable order.
pub fn dump(path: &Path) -> String {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    dump_connection(&conn)
}

/// Every row of every table a connection sees (an in-memory registry too).
pub fn dump_connection(conn: &rusqlite::Connection) -> String {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for table in tables {
        out.push_str(&format!("# {table}\n"));
        // A WITHOUT ROWID table (assignment_status) is read in its primary key's order.
        let without_rowid: bool = conn
            .query_row("SELECT wr FROM pragma_table_list WHERE name = ?1 AND schema = 'main'", [&table], |r| r.get(0))
            .unwrap_or(false);
        let order = if without_rowid { "" } else { " ORDER BY rowid" };
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"{order}")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> =
                (0..n).map(|i| format!("{:?}", row.get::<_, rusqlite::types::Value>(i).unwrap())).collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    out
}

/// The records of a JSON list.
pub fn rows(value: &serde_json::Value) -> &Vec<serde_json::Value> {
    value.as_array().expect("a JSON array")
}

/// How many records a JSON list holds.
pub fn count(value: &serde_json::Value) -> usize {
    rows(value).len()
}

// Helpers of the reliability tests (issue 5): commands with arguments in
// one call, raw SQL on the file, and snapshots proving a file is untouched.

impl Reg {
    /// A demo registry as any ipart command leaves it (in WAL mode), so a
    /// later command has nothing left to change in the file's header.
    pub fn demo_in_use() -> Reg {
        let reg = Reg::demo();
        reg.ok(&["partner", "list"]);
        reg
    }

    /// `ipart --db <this registry> args...`
    pub fn ipart(&self, args: &[&str]) -> Command {
        ipart_on(&self.path, args)
    }

    pub fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }

    /// The one number `sql` returns.
    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The names in the registry's directory, sorted.
    pub fn files(&self) -> Vec<String> {
        files_in(self.dir.path())
    }
}

/// `ipart --db <db> args...`, with the default busy timeout.
pub fn ipart_on(db: &Path, args: &[&str]) -> Command {
    let mut cmd = ipart();
    cmd.env_remove("IPART_BUSY_TIMEOUT_MS").arg("--db").arg(db).args(args);
    cmd
}

/// A file's bytes and modification time, to prove it was left untouched.
#[derive(PartialEq, Eq)]
pub struct Snapshot {
    bytes: Vec<u8>,
    modified: std::time::SystemTime,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The length and a checksum say enough; the bytes would flood the output.
        let sum = self.bytes.iter().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b)));
        write!(f, "Snapshot({} bytes, checksum {sum:x}, modified {:?})", self.bytes.len(), self.modified)
    }
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

pub fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a command that must succeed and returns the JSON it printed.
pub fn json(mut cmd: Command) -> serde_json::Value {
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `assignment add TITLE` with the fewest flags the demo registry accepts.
pub fn add_assignment(title: &str) -> Vec<String> {
    ["assignment", "add", title, "--kind", "internship", "--theme", "data-ai"]
        .into_iter()
        .chain(["--government-partner", "DUO", "--education-partner", "HU"])
        .map(str::to_string)
        .collect()
}
