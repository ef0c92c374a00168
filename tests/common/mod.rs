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
/// Keys of student pseudonyms go to a configuration directory of this test
/// process, never the user's.
pub fn ipart() -> Command {
    let mut cmd = Command::cargo_bin("ipart").expect("the ipart binary is built");
    cmd.env("IPART_TODAY", TODAY)
        .env("IPART_ACTOR", "tester")
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", config_home())
        .env_remove("IPART_DB")
        .env_remove("IPART_KEY_FILE")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// The configuration directory the tests' ipart uses (`XDG_CONFIG_HOME`):
/// one per test binary, removed when it ends.
pub fn config_home() -> &'static Path {
    static HOME: OnceLock<TempDir> = OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// The key directory the tests' ipart uses.
pub fn key_dir() -> PathBuf {
    config_home().join("ipart").join("keys")
}

/// The check value of the key of `registry`'s student pseudonyms, if it has one.
pub fn key_check(registry: &Path) -> Option<Vec<u8>> {
    let conn = rusqlite::Connection::open_with_flags(registry, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row("SELECT value FROM student_key_check", [], |r| r.get(0)).ok()
}

/// The key file of `registry`'s student pseudonyms in [`key_dir`] (named by
/// its key id: the first eight bytes of the check value, in hex).
pub fn key_file(registry: &Path) -> PathBuf {
    let check = key_check(registry).expect("the registry has a key");
    let id: String = check[..8].iter().map(|b| format!("{b:02x}")).collect();
    key_dir().join(format!("{id}.key"))
}

/// The key of `registry`'s student pseudonyms, read from its key file.
pub fn key_of(registry: &Path) -> [u8; 32] {
    let text = std::fs::read_to_string(key_file(registry)).unwrap();
    *ipart::store::key::Key::from_file_text(&text, "key file").unwrap().bytes()
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
    // A command that has just ended may still be checkpointing on a busy machine.
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
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
        let mut stmt =
            conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY {}", row_order(conn, &table))).unwrap();
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

/// How a table's rows are put in a fixed order: by rowid, or by the
/// primary key of a table WITHOUT ROWID (assignment_student).
pub fn row_order(conn: &rusqlite::Connection, table: &str) -> String {
    let without_rowid: bool = conn
        .query_row("SELECT coalesce(max(wr), 0) FROM pragma_table_list WHERE name = ?1", [table], |r| r.get(0))
        .unwrap();
    if !without_rowid {
        return "rowid".to_string();
    }
    conn.query_row(
        "SELECT group_concat('\"' || name || '\"', ', ')
         FROM (SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk)",
        [table],
        |r| r.get(0),
    )
    .unwrap()
}

/// The records of a JSON list.
pub fn rows(value: &serde_json::Value) -> &Vec<serde_json::Value> {
    value.as_array().expect("a JSON array")
}

/// How many records a JSON list holds.
pub fn count(value: &serde_json::Value) -> usize {
    rows(value).len()
}

// Helpers of the reliability tests: commands with arguments in
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

// Large native import files for the crash and concurrency tests.

/// Writes `rows` assignments from `source` in the native CSV format of
/// `ipart import`, fitted to what `registry` holds (its partners and their
/// levels), to `file`. Deterministic, like `bench/gen_assignments.py`.
pub fn write_native_assignments(registry: &Path, source: &str, rows: usize, file: &Path) {
    let conn = rusqlite::Connection::open_with_flags(registry, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let names = |sql: &str| -> Vec<(String, String)> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let government = names("SELECT name, '' FROM partner WHERE sector = 'government' ORDER BY id");
    let education = names("SELECT name, level FROM partner WHERE sector = 'education' ORDER BY id");
    assert!(!government.is_empty() && !education.is_empty(), "the registry has partners of both sectors");
    let themes = ["data-ai", "cybersecurity", "information-management", "software-development"];
    let kinds = ["internship", "graduation", "group", "hackathon"];
    let mut out = csv::Writer::from_path(file).unwrap();
    // The native header, as `ipart export assignments` writes it.
    out.write_record(ipart::native::Kind::Assignment.columns()).unwrap();
    // Each source its own rows.
    let mut seed = source.bytes().fold(20240115u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut next = |n: usize| -> usize {
        // A linear congruential generator is enough to spread the rows.
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) % n as u64) as usize
    };
    for i in 1..=rows {
        let government = &government[next(government.len())].0;
        let (education, level) = &education[next(education.len())];
        let (year, month, day) = (2019 + next(5), 1 + next(7), 1 + next(28));
        let registered = format!("{year}-{month:02}-{day:02}");
        let begins = format!("{year}-{:02}-{day:02}", month + 1);
        let ends = format!("{year}-{:02}-{day:02}", month + 5);
        let history = match next(10) {
            0 => format!("{registered}=preparation|{begins}=cancelled"),
            1 | 2 => format!("{registered}=preparation|{begins}=in_progress"),
            _ => format!("{registered}=preparation|{begins}=in_progress|{ends}=completed"),
        };
        let students = (1 + next(3)).to_string();
        out.write_record([
            source,
            &format!("{source}-{i:07}"),
            &format!("Opdracht {i} van {source} bij {government}"),
            kinds[next(kinds.len())],
            level,
            themes[next(themes.len())],
            government,
            education,
            "",
            &students,
            &begins,
            &ends,
            &history,
            "",
            "",
        ])
        .unwrap();
    }
    out.flush().unwrap();
}

/// A dump with the moments of the audit trail and the import batches
/// blanked out, so two runs of the same commands compare equal.
pub fn dump_without_times(path: &Path) -> String {
    let dump = dump(path);
    let bytes = dump.as_bytes();
    // An RFC 3339 timestamp as ipart writes them: 2026-11-30T18:03:27Z.
    let shape = b"dddd-dd-ddTdd:dd:dd";
    let mut out = String::with_capacity(dump.len());
    let mut i = 0;
    while i < bytes.len() {
        let fits = bytes.len() - i >= shape.len()
            && shape.iter().zip(&bytes[i..]).all(|(s, b)| if *s == b'd' { b.is_ascii_digit() } else { s == b });
        if fits {
            out.push_str("<time>");
            i += shape.len();
        } else {
            let c = dump[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

// Files beside the repository and tools outside it: a test that needs one
// runs when it is there and says it skipped when not, so that a fresh clone
// passes its tests; `.ci/run` sets IPART_REQUIRE_REALDATA=1 and
// IPART_REQUIRE_MAN=1, under which a missing one fails the test instead.

/// Where a test looks for the real public data: `../shared/realdata` beside
/// the repository, or `IPART_REALDATA_DIR`.
pub fn realdata_root() -> PathBuf {
    match std::env::var_os("IPART_REALDATA_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata"),
    }
}

/// What a test does about something it needs from outside the repository.
#[derive(Debug, PartialEq, Eq)]
pub enum Needed {
    /// It is there.
    Present(PathBuf),
    /// It is not: the test says this on stderr and passes.
    Skip(String),
    /// It is not, and it is required: the test fails with this.
    Fail(String),
}

/// `path` under `root` (the real public data), or what to do without it:
/// skip, or fail when `require` (the value of IPART_REQUIRE_REALDATA) is set.
pub fn locate(root: &Path, path: &str, require: Option<&str>) -> Needed {
    let full = root.join(path);
    if full.exists() {
        return Needed::Present(full);
    }
    let missing = format!("{} (the real public files beside the repository)", full.display());
    without(&missing, "IPART_REQUIRE_REALDATA", require)
}

/// What a test does without `missing`: skip, or fail when `require` (the
/// value of `require_var`) is set and not 0.
pub fn without(missing: &str, require_var: &str, require: Option<&str>) -> Needed {
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    if require.is_some_and(|v| !v.is_empty() && v != "0") {
        Needed::Fail(format!("{test}: {missing} is not present, and {require_var} requires it"))
    } else {
        Needed::Skip(format!("skipped: {test}: {missing} not present (set {require_var}=1 to make this a failure)"))
    }
}

/// A file or directory of the real public data (`../shared/realdata`), or
/// `None` after saying on stderr that the test is skipped. Under
/// `IPART_REQUIRE_REALDATA=1` a missing one fails the test.
///
/// ```ignore
/// let Some(file) = common::realdata("duo-ho-adressen/01-instellingen-hbo-en-wo.csv") else { return };
/// ```
pub fn realdata(path: &str) -> Option<PathBuf> {
    let require = std::env::var("IPART_REQUIRE_REALDATA").ok();
    needed(locate(&realdata_root(), path, require.as_deref()))
}

/// A program on PATH (`man`), or `None` after saying on stderr that the
/// test is skipped. Under `IPART_REQUIRE_MAN=1` a missing one fails.
pub fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(found) = std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()) {
        return Some(found);
    }
    let require = std::env::var("IPART_REQUIRE_MAN").ok();
    needed(without(&format!("the program `{name}` (on PATH)"), "IPART_REQUIRE_MAN", require.as_deref()))
}

fn needed(needed: Needed) -> Option<PathBuf> {
    match needed {
        Needed::Present(path) => Some(path),
        Needed::Skip(message) => {
            eprintln!("{message}");
            None
        }
        Needed::Fail(message) => panic!("{message}"),
    }
}
