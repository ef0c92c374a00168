//! The registry file: creating, opening, migrating and writing to it. This
//! module and its children are the only places with SQL.
//!
//! Every write goes through [`Registry::write`]: one `BEGIN IMMEDIATE`
//! transaction (so a second writer waits for the busy timeout instead of
//! failing half-way), with an audit entry for each changed record, committed
//! only when the whole command succeeded.

pub mod activity;
pub mod assignment;
pub mod audit;
pub mod batch;
pub mod check;
pub mod community;
pub mod history;
pub mod initiative;
pub mod lab;
pub mod lookup;
pub mod maintenance;
pub mod metric;
pub mod partner;
pub mod phd;
pub mod question;
pub mod report;
pub mod revision;
pub mod student;
pub mod theme;
pub mod undo;

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

/// `PRAGMA application_id` of an ipart registry: "ipar" in ASCII. It tells an
/// ipart registry from any other SQLite file before anything is written.
pub const APPLICATION_ID: i32 = 0x6970_6172;

/// The page size of a registry `ipart init` makes (see `create_in`).
pub const PAGE_SIZE: i64 = 16384;

/// The schema steps, in order: version N is reached by applying step N.
/// Step 1 is the baseline `schema.sql`; later steps live in `migrations/`.
/// A shipped step is never edited, only new ones appended.
const MIGRATIONS: &[&str] = &[
    include_str!("../../schema.sql"),
    include_str!("../../migrations/0002_report_indexes.sql"),
    include_str!("../../migrations/0003_import.sql"),
    include_str!("../../migrations/0004_student_pseudonyms.sql"),
    include_str!("../../migrations/0005_status_history_clustered.sql"),
    include_str!("../../migrations/0006_partner_sectors_as_keys.sql"),
    include_str!("../../migrations/0007_revisions.sql"),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// How long a command waits for another process's write to finish, unless
/// `IPART_BUSY_TIMEOUT_MS` says otherwise.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The busy timeout in force: `IPART_BUSY_TIMEOUT_MS` lets a script that
/// would rather fail fast (or wait longer) say so, and lets tests reach the
/// busy path quickly.
pub fn busy_timeout() -> Result<Duration> {
    match std::env::var("IPART_BUSY_TIMEOUT_MS") {
        Ok(v) if !v.trim().is_empty() => v.trim().parse::<u64>().map(Duration::from_millis).map_err(|_| {
            Error::usage(format!("IPART_BUSY_TIMEOUT_MS: {v:?} is not a number of milliseconds (such as 10000)")).into()
        }),
        _ => Ok(BUSY_TIMEOUT),
    }
}

/// An open registry.
pub struct Registry {
    conn: Connection,
    /// The file, or `None` for an in-memory registry (`--demo`).
    path: Option<PathBuf>,
    read_only: bool,
    actor: String,
}

/// What opening a registry did besides opening it, for the user to hear.
#[derive(Debug, Default)]
pub struct OpenReport {
    /// Set when an older registry was migrated: (from version, backup copy).
    pub migrated_from: Option<(i32, PathBuf)>,
}

impl Registry {
    /// Creates a new registry file, readable by its owner only, and refuses to
    /// touch an existing file.
    pub fn create(path: &Path) -> Result<Registry> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create directory {}", parent.display()))?;
        }
        if path.is_dir() {
            return Err(Error::registry(format!(
                "{} is a directory; give the path of the registry file to create (such as {})",
                path.display(),
                path.join("registry.sqlite").display()
            ))
            .into());
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::registry(format!(
                "{} already exists; ipart init never overwrites a registry (choose another path with --db, or remove the file first)",
                path.display()
            )),
            _ => Error::registry(format!("cannot create registry {}: {e}", path.display())),
        })?;
        let created = Self::create_in(Connection::open(path)?, Some(path.to_path_buf()));
        if created.is_err() {
            // Leave nothing half-made behind.
            let _ = std::fs::remove_file(path);
        }
        created
    }

    /// A fresh registry that lives in memory only (`--demo`, tests).
    pub fn create_in_memory() -> Result<Registry> {
        Self::create_in(Connection::open_in_memory()?, None)
    }

    fn create_in(conn: Connection, path: Option<PathBuf>) -> Result<Registry> {
        // 16 KB pages, set while the file is empty (in WAL mode it never
        // changes): a registry is mostly long status histories, read whole by
        // the report and written in bulk by imports, and fewer, larger pages
        // cost SQLite less B-tree work for both (measured: a 1M-row import
        // 12.2 s -> 10.8 s, the 1M report 4% faster; the empty registry is
        // 0.8 MB larger). Registries made before keep their 4 KB pages.
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        let mut registry = Registry { conn, path, read_only: false, actor: actor() };
        registry.configure()?;
        registry.conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        registry.migrate_from(0)?;
        Ok(registry)
    }

    /// Opens an existing registry, migrating it if it is older than this
    /// binary. Anything that is not an ipart registry is refused before
    /// SQLite gets to write to it.
    pub fn open(path: &Path) -> Result<(Registry, OpenReport)> {
        Self::open_with(path, MIGRATIONS)
    }

    /// [`Registry::open`] with the migration steps given, so a test can
    /// make a step fail half-way.
    pub(crate) fn open_with(path: &Path, steps: &[&str]) -> Result<(Registry, OpenReport)> {
        let shown = path.display();
        let read_only = is_read_only(path);
        let conn = open_connection(path, read_only)?;
        // Only reads until the file is known to be an ipart registry of a
        // version this binary understands: anything else is left untouched.
        let version = identify(&conn, path, steps.len() as i32)?;
        let mut registry = Registry { conn, path: Some(path.to_path_buf()), read_only, actor: actor() };
        registry.configure()?;
        let mut report = OpenReport::default();
        if version < steps.len() as i32 {
            if read_only {
                return Err(Error::registry(format!(
                    "registry {shown} has schema version {version} and must be upgraded to {}, but it is read-only",
                    steps.len()
                ))
                .into());
            }
            let backup = backup_path(path, version)?;
            registry.backup_to(&backup).with_context(|| {
                format!("cannot copy registry {shown} to {} before upgrading it; nothing was changed", backup.display())
            })?;
            verify_copy(&backup, version)?;
            registry.migrate(steps, version, Some(&backup)).with_context(|| {
                format!(
                    "upgrading registry {shown} from schema version {version} failed; it was left at version {version} (a copy is at {})",
                    backup.display()
                )
            })?;
            report.migrated_from = Some((version, backup));
        }
        Ok((registry, report))
    }

    /// The pragmas every connection needs.
    fn configure(&mut self) -> Result<()> {
        self.conn.busy_timeout(busy_timeout()?)?;
        // Enforce REFERENCES; SQLite leaves it off by default.
        self.conn.pragma_update(None, "foreign_keys", true)?;
        // Statement journals and sorts in memory, not temporary files.
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        if !self.read_only && self.path.is_some() {
            // WAL lets reports read while an import writes; FULL makes each
            // commit durable once it returns.
            self.enter_wal()?;
            self.conn.pragma_update(None, "synchronous", "FULL")?;
        }
        Ok(())
    }

    /// Switches the file to WAL (a no-op when it is already). Leaving
    /// rollback mode needs the file to itself, and SQLite reports a writer
    /// in the way at once rather than through the busy handler, so this
    /// waits here, for as long as the busy timeout says.
    fn enter_wal(&self) -> Result<()> {
        let deadline = std::time::Instant::now() + busy_timeout()?;
        loop {
            match self.conn.pragma_update(None, "journal_mode", "WAL") {
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return Ok(other?),
            }
        }
    }

    /// Applies the steps after `from`, all in one transaction.
    fn migrate_from(&mut self, from: i32) -> Result<()> {
        self.migrate(MIGRATIONS, from, None)
    }

    /// Applies `steps` after `from` in one transaction: a step that fails
    /// leaves the registry exactly as it was. Foreign keys are switched off
    /// for the duration, as SQLite asks for steps that rebuild a table, and
    /// checked as a whole before the commit instead.
    fn migrate(&mut self, steps: &[&str], from: i32, backup: Option<&Path>) -> Result<()> {
        let target = steps.len() as i32;
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let result = (|| -> Result<()> {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Another process may have upgraded the file while this one
            // waited for the write lock: then there is nothing left to do.
            let current: i32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if current != from {
                return Ok(());
            }
            for (index, step) in steps.iter().enumerate().skip(from as usize) {
                tx.execute_batch(step).with_context(|| format!("schema step {} failed", index + 1))?;
            }
            let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
            if broken > 0 {
                anyhow::bail!("the upgraded registry would have {broken} broken references");
            }
            tx.pragma_update(None, "user_version", target)?;
            if from > 0 {
                let old = serde_json::json!({ "schema_version": from });
                let new =
                    serde_json::json!({ "schema_version": target, "backup": backup.map(|p| p.display().to_string()) });
                let at = now()?;
                let has_revisions: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'revision')",
                    [],
                    |r| r.get(0),
                )?;
                if has_revisions {
                    tx.execute(
                        "INSERT INTO revision (at, actor, command) VALUES (?1, ?2, 'upgrade')",
                        rusqlite::params![at, self.actor],
                    )?;
                    tx.execute(
                        "INSERT INTO change (at, actor, command, entity, entity_id, action, old, new, revision_id)
                         VALUES (?1, ?2, 'upgrade', 'registry', 0, 'update', ?3, ?4, last_insert_rowid())",
                        rusqlite::params![at, self.actor, old.to_string(), new.to_string()],
                    )?;
                } else {
                    tx.execute(
                        "INSERT INTO change (at, actor, command, entity, entity_id, action, old, new)
                         VALUES (?1, ?2, 'upgrade', 'registry', 0, 'update', ?3, ?4)",
                        rusqlite::params![at, self.actor, old.to_string(), new.to_string()],
                    )?;
                }
            }
            tx.commit()?;
            Ok(())
        })();
        self.conn.pragma_update(None, "foreign_keys", true)?;
        result
    }

    /// Copies the registry to `target`, a file that must not exist yet, with
    /// SQLite's online backup, which is safe while other processes write.
    /// The copy is readable by its owner only, like the registry.
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        create_private(target)?;
        let copied = copy_database(&self.conn, target);
        if copied.is_err() {
            let _ = std::fs::remove_file(target);
        }
        copied.with_context(|| format!("cannot copy the registry to {}", target.display()))
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` in one write transaction; nothing is kept unless it returns Ok.
    /// `command` names the change in the audit trail ("partner add").
    pub fn write<T>(&mut self, command: &str, f: impl FnOnce(&Writer) -> Result<T>) -> Result<T> {
        self.transact(command, true, f)
    }

    /// Runs `f` like [`Registry::write`], then rolls everything back: the
    /// same path as a real write, for `--dry-run`.
    pub fn rehearse<T>(&mut self, command: &str, f: impl FnOnce(&Writer) -> Result<T>) -> Result<T> {
        self.transact(command, false, f)
    }

    fn transact<T>(&mut self, command: &str, commit: bool, f: impl FnOnce(&Writer) -> Result<T>) -> Result<T> {
        self.refuse_read_only()?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now()?;
        // The revision comes first: the triggers that keep earlier versions
        // of rows name the newest one as the revision that replaced them.
        tx.prepare_cached("INSERT INTO revision (at, actor, command) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![at, self.actor, command])?;
        let revision = tx.last_insert_rowid();
        let writer = Writer { tx, command: command.to_string(), actor: self.actor.clone(), at, revision };
        let value = f(&writer)?;
        if commit {
            writer.tx.commit()?;
        }
        Ok(value)
    }
}

impl Registry {
    /// The error for a change asked of a registry that cannot be written.
    fn refuse_read_only(&self) -> Result<()> {
        if self.read_only {
            let path = self.path.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
            return Err(Error::registry(format!(
                "registry {path} is read-only (check the permissions of the file and its directory); nothing was changed"
            ))
            .into());
        }
        Ok(())
    }
}

/// A write transaction with what the audit trail needs to know about it.
pub struct Writer<'a> {
    tx: rusqlite::Transaction<'a>,
    command: String,
    actor: String,
    at: String,
    /// This transaction's revision: the `known_from` of every row it writes.
    revision: i64,
}

impl Writer<'_> {
    /// This transaction's revision (see `migrations/0007_revisions.sql`).
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// `values` followed by this revision: the parameters of an insert whose
    /// last column is `known_from`.
    pub(crate) fn and_revision<'p, T: rusqlite::ToSql>(&'p self, values: &'p [T]) -> impl rusqlite::Params + 'p {
        let revision: &dyn rusqlite::ToSql = &self.revision;
        rusqlite::params_from_iter(values.iter().map(|v| v as &dyn rusqlite::ToSql).chain(std::iter::once(revision)))
    }
}

impl std::ops::Deref for Writer<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.tx
    }
}

fn is_read_only(path: &Path) -> bool {
    // Writing needs the file and, for the WAL and lock files, its directory.
    let file_ro = OpenOptions::new().write(true).open(path).is_err();
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let dir_ro =
        std::fs::metadata(dir).map(|m| m.permissions().readonly()).unwrap_or(false) || tempfile_probe(dir).is_err();
    file_ro || dir_ro
}

fn tempfile_probe(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".ipart-write-probe-{}", std::process::id()));
    OpenOptions::new().write(true).create_new(true).open(&probe)?;
    std::fs::remove_file(&probe)
}

/// A name beside `path` for the copy taken before upgrading from `version`,
/// never one that exists: `registry.sqlite.v1.backup`, then `.v1.backup.2`...
fn backup_path(path: &Path, version: i32) -> Result<PathBuf> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}.backup"));
    let mut candidate = path.with_file_name(&name);
    let mut n = 1;
    while candidate.exists() || sqlite_sidecars(&candidate).iter().any(|p| p.exists()) {
        n += 1;
        if n > 1000 {
            return Err(
                Error::registry(format!("too many backup copies beside {}; remove old ones", path.display())).into()
            );
        }
        let mut numbered = name.clone();
        numbered.push(format!(".{n}"));
        candidate = path.with_file_name(numbered);
    }
    Ok(candidate)
}

/// Copies the database behind `source` into the file `target` with SQLite's
/// online backup API. One step: the copy is read in one transaction, so a
/// write by another process cannot make it start over, and in WAL mode that
/// read holds up no writer.
pub(crate) fn copy_database(source: &Connection, target: &Path) -> Result<()> {
    copy_into(source, &mut Connection::open(target)?)
}

/// Copies the database behind `source` into `dest` (a file or memory) with
/// SQLite's online backup API, in one step (see [`copy_database`]).
pub(crate) fn copy_into(source: &Connection, dest: &mut Connection) -> Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    let backup = Backup::new(source, dest)?;
    let deadline = std::time::Instant::now() + busy_timeout()?;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => return Err(Error::busy("registry busy: the copy could not read it; try again").into()),
        }
    }
}

/// The files SQLite keeps beside a database while it is in use.
pub(crate) fn sqlite_sidecars(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    [with("-wal"), with("-shm"), with("-journal")]
}

/// Creates an empty file readable by its owner only; refuses an existing one.
pub(crate) fn create_private(path: &Path) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            Error::registry(format!("{} already exists; it was left untouched", path.display()))
        }
        _ => Error::registry(format!("cannot create {}: {e}", path.display())),
    })?;
    Ok(())
}

/// Checks that a copy just written is a whole ipart registry of `version`.
pub(crate) fn verify_copy(path: &Path, version: i32) -> Result<()> {
    let conn = Connection::open(path)?;
    let (id, v, check): (i32, i32, String) = conn.query_row(
        "SELECT application_id, user_version, (SELECT quick_check FROM pragma_quick_check LIMIT 1)
         FROM pragma_application_id, pragma_user_version",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if id != APPLICATION_ID || v != version || check != "ok" {
        return Err(Error::registry(format!(
            "the copy {} does not read back as the registry it was made from ({check}); nothing was changed",
            path.display()
        ))
        .into());
    }
    Ok(())
}

/// Opens the SQLite connection of a registry file, refusing a missing file
/// and a directory with a message that says what to do.
pub(crate) fn open_connection(path: &Path, read_only: bool) -> Result<Connection> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::registry(format!(
            "no registry at {shown}; create one with `ipart init` (or `ipart init --demo` for the demo data), or point to another with --db or IPART_DB"
        )),
        _ => Error::registry(format!("cannot read registry {shown}: {e}")),
    })?;
    if meta.is_dir() {
        return Err(Error::registry(format!("{shown} is a directory, not a registry file")).into());
    }
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let mut conn = Connection::open_with_flags(path, flags)
        .map_err(|e| Error::registry(format!("cannot open registry {shown}: {e}")))?;
    conn.busy_timeout(busy_timeout()?)?;
    if read_only && needs_immutable(&conn, path) {
        conn = open_immutable(path).map_err(|e| Error::registry(format!("cannot open registry {shown}: {e}")))?;
    }
    Ok(conn)
}

/// Whether a read-only registry can only be read as an immutable file: a
/// WAL-mode file in a directory where SQLite cannot create its shared-memory
/// file. No `-wal` file beside it means every commit is in the file itself,
/// and no one can be writing (a writer would need that directory too).
fn needs_immutable(conn: &Connection, path: &Path) -> bool {
    const SQLITE_READONLY_DIRECTORY: i32 = 1544;
    let probe = conn.query_row("PRAGMA schema_version", [], |_| Ok(()));
    let in_read_only_directory = matches!(
        probe,
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.extended_code == SQLITE_READONLY_DIRECTORY
    );
    in_read_only_directory && !sqlite_sidecars(path)[0].exists()
}

fn open_immutable(path: &Path) -> rusqlite::Result<Connection> {
    // A URI file name: '%', '?' and '#' would be read as its syntax.
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// The schema version of the registry behind `conn`, after making sure it is
/// an ipart registry this binary understands (`newest` is the newest
/// version it knows). Only reads.
pub(crate) fn identify(conn: &Connection, path: &Path, newest: i32) -> Result<i32> {
    let shown = path.display();
    let identity = conn.query_row(
        "SELECT application_id, user_version FROM pragma_application_id, pragma_user_version",
        [],
        |r| Ok((r.get::<_, i32>(0)?, r.get::<_, i32>(1)?)),
    );
    let (application_id, version) = match identity {
        Ok(pair) => pair,
        Err(e) if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::NotADatabase)) => {
            return Err(Error::registry(format!(
                "{shown} is not an ipart registry (not an SQLite database); it was left untouched"
            ))
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    if application_id != APPLICATION_ID {
        let empty = std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(false);
        let what = if empty { "an empty file" } else { "an SQLite database of another program" };
        return Err(Error::registry(format!("{shown} is not an ipart registry ({what}); it was left untouched")).into());
    }
    if version > newest {
        return Err(Error::registry(format!(
            "registry {shown} has schema version {version}, newer than this ipart understands (up to {newest}); use a newer ipart (the registry was left untouched)"
        ))
        .into());
    }
    if version < 0 {
        return Err(Error::registry(format!(
            "registry {shown} has schema version {version}, which no ipart ever wrote; it was left untouched"
        ))
        .into());
    }
    Ok(version)
}

/// The operating-system user, for the audit trail. `IPART_ACTOR` names a
/// script or service account acting for someone.
pub fn actor() -> String {
    std::env::var("IPART_ACTOR")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| whoami::username().ok())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The time the registry learns something, to the second: now, or
/// `IPART_NOW` (an RFC 3339 timestamp such as `2024-02-15T10:00:00Z`) for
/// reproducible scripts and tests.
pub fn now() -> Result<String> {
    Ok(crate::domain::date::now()?.round(jiff::Unit::Second).unwrap_or(jiff::Timestamp::now()).to_string())
}

/// Where the registry lives when neither --db nor IPART_DB says.
pub fn default_path() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("ipart").join("registry.sqlite")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_registry_has_current_version_and_identity() {
        let r = Registry::create_in_memory().unwrap();
        let v: i32 = r.conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
        let id: i32 = r.conn.pragma_query_value(None, "application_id", |row| row.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(id, APPLICATION_ID);
    }

    #[test]
    fn a_new_registry_file_has_large_pages_and_wal() {
        let dir = tempfile::tempdir().unwrap();
        let r = Registry::create(&dir.path().join("r.sqlite")).unwrap();
        let page_size: i64 = r.conn.pragma_query_value(None, "page_size", |row| row.get(0)).unwrap();
        let journal: String = r.conn.pragma_query_value(None, "journal_mode", |row| row.get(0)).unwrap();
        assert_eq!((page_size, journal.as_str()), (PAGE_SIZE, "wal"));
    }

    /// A copy of the schema-version-1 fixture in a fresh directory.
    fn v1_copy() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/registries/v1-demo.sqlite"), &path).unwrap();
        (dir, path)
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Schema step 1 followed by a made-up step 2, to exercise the upgrade
    /// path before a real second step exists.
    const V1_SCHEMA: &str = include_str!("../../schema.sql");

    #[test]
    fn an_upgrade_copies_the_file_first_and_keeps_every_record() {
        let (_dir, path) = v1_copy();
        let partners = count(&Connection::open(&path).unwrap(), "SELECT count(*) FROM partner");
        let steps = [V1_SCHEMA, "ALTER TABLE partner ADD COLUMN note TEXT; CREATE TABLE extra (x INTEGER) STRICT;"];
        let (registry, report) = Registry::open_with(&path, &steps).unwrap();
        let (from, backup) = report.migrated_from.expect("an upgrade");
        assert_eq!(from, 1);
        assert_eq!(backup, path.with_file_name("registry.sqlite.v1.backup"));
        let conn = registry.conn();
        assert_eq!(count(conn, "PRAGMA user_version"), 2);
        assert_eq!(count(conn, "SELECT count(*) FROM partner"), partners);
        assert_eq!(count(conn, "SELECT count(*) FROM extra"), 0);
        assert_eq!(count(conn, "SELECT count(*) FROM change WHERE command = 'upgrade' AND entity = 'registry'"), 1);
        let old = Connection::open(&backup).unwrap();
        assert_eq!(count(&old, "PRAGMA user_version"), 1);
        assert_eq!(count(&old, "SELECT count(*) FROM partner"), partners);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn an_upgrade_that_fails_half_way_leaves_the_file_as_it_was() {
        let (_dir, path) = v1_copy();
        let before = std::fs::read(&path).unwrap();
        // Step 2 succeeds, step 3 fails: step 2 must not remain either.
        let steps = [V1_SCHEMA, "CREATE TABLE extra (x INTEGER) STRICT;", "INSERT INTO partner (name) VALUES ('x');"];
        let err = Registry::open_with(&path, &steps).err().expect("a failed upgrade");
        let message = format!("{err:#}");
        assert!(message.contains("from schema version 1 failed; it was left at version 1"), "{message}");
        assert!(message.contains("schema step 3 failed"), "{message}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "the registry file changed");
        let conn = Connection::open(&path).unwrap();
        assert_eq!(count(&conn, "PRAGMA user_version"), 1);
        assert_eq!(count(&conn, "SELECT count(*) FROM sqlite_schema WHERE name = 'extra'"), 0);
        // The current binary opens it as before.
        drop(conn);
        assert!(Registry::open(&path).is_ok());
    }

    #[test]
    fn an_upgrade_that_breaks_references_is_rolled_back() {
        let (_dir, path) = v1_copy();
        let steps = [V1_SCHEMA, "DELETE FROM theme WHERE id = 1;"];
        let message = format!("{:#}", Registry::open_with(&path, &steps).err().expect("refused"));
        assert!(message.contains("broken references"), "{message}");
        let conn = Connection::open(&path).unwrap();
        assert_eq!(count(&conn, "SELECT count(*) FROM theme WHERE id = 1"), 1);
        assert_eq!(count(&conn, "PRAGMA user_version"), 1);
    }

    #[test]
    fn backup_names_never_reuse_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        std::fs::write(dir.path().join("r.sqlite.v1.backup"), "taken").unwrap();
        assert_eq!(backup_path(&path, 1).unwrap(), dir.path().join("r.sqlite.v1.backup.2"));
    }

    #[test]
    fn read_only_registry_refuses_writes_with_a_clear_message() {
        let mut r = Registry::create_in_memory().unwrap();
        r.read_only = true;
        r.path = Some(PathBuf::from("/srv/ipart/registry.sqlite"));
        let err = r.write("partner add", |_| Ok(())).unwrap_err();
        let (code, message) = crate::error::classify(&err);
        assert_eq!(code, crate::error::ExitCode::Registry);
        assert_eq!(
            message,
            "registry /srv/ipart/registry.sqlite is read-only (check the permissions of the file and its directory); nothing was changed"
        );
    }

    #[test]
    fn write_access_is_probed_on_the_file_and_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.sqlite");
        std::fs::write(&file, "").unwrap();
        // As root every file is writable, so only the writable case can be
        // asserted everywhere; tests/hostile.rs covers the rest as another user.
        if !is_root() {
            assert!(!is_read_only(&file));
        }
        assert!(is_read_only(&dir.path().join("missing").join("r.sqlite")));
    }

    fn is_root() -> bool {
        std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false)
    }

    #[test]
    fn check_constraints_hold_outside_ipart() {
        let r = Registry::create_in_memory().unwrap();
        let bad = [
            "INSERT INTO partner (name, sector) VALUES ('X', 'education')",
            "INSERT INTO partner (name, sector, level) VALUES ('X', 'government', 'HBO')",
            "INSERT INTO partner (name, sector, joined_on) VALUES ('X', 'government', '2023-02-30')",
            "INSERT INTO partner (name, sector) VALUES ('X', 'ministry')",
            "INSERT INTO metric (name, year, value) VALUES ('x', 'y', 1)",
            "INSERT INTO assignment_status (id, assignment_id, status, since) VALUES (1, 1, 'busy', '2023-01-01')",
        ];
        for sql in bad {
            assert!(r.conn.execute(sql, []).is_err(), "{sql}");
        }
    }

    #[test]
    fn cross_table_rules_hold_outside_ipart() {
        let r = Registry::create_in_memory().unwrap();
        r.conn
            .execute_batch(
                "INSERT INTO partner (id, name, sector) VALUES (1, 'DUO', 'government');
                 INSERT INTO partner (id, name, sector, level) VALUES (2, 'HU', 'education', 'HBO');",
            )
            .unwrap();
        let insert = |gov: i64, edu: i64, students: i64| {
            r.conn.execute(
                "INSERT INTO assignment (title, kind, level, theme_id, government_partner_id, education_partner_id, students)
                 VALUES ('t', 'internship', 'HBO', 1, ?1, ?2, ?3)",
                [gov, edu, students],
            )
        };
        // The partners swapped: each has the other's sector (schema step 6:
        // foreign keys on partner id and sector).
        let err = insert(2, 1, 1).unwrap_err().to_string();
        assert!(err.contains("FOREIGN KEY constraint failed"), "{err}");
        let err = insert(1, 1, 1).unwrap_err().to_string();
        assert!(err.contains("FOREIGN KEY constraint failed"), "an education partner that is not one: {err}");
        assert!(insert(1, 2, 0).unwrap_err().to_string().contains("assignment_students_positive"));
        insert(1, 2, 1).unwrap();
        let err = r.conn.execute("UPDATE partner SET sector = 'other', level = NULL WHERE id = 2", []).unwrap_err();
        assert!(err.to_string().contains("partner_sector_in_use"), "{err}");
    }
}

/// Reading typed values out of rows. The CHECK constraints make a failure
/// here a sign of a damaged file, reported as such.
pub(crate) mod read {
    use rusqlite::Row;
    use rusqlite::types::Type;

    use crate::domain::{Date, Vocabulary};

    fn damaged(i: usize, what: String) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            Type::Text,
            format!("the registry holds {what}; run `ipart db check`").into(),
        )
    }

    pub fn vocab<V: Vocabulary>(r: &Row, i: usize) -> rusqlite::Result<V> {
        let s: String = r.get(i)?;
        V::parse(&s).map_err(|_| damaged(i, format!("{s:?} where {} belongs", V::WHAT)))
    }

    pub fn opt_vocab<V: Vocabulary>(r: &Row, i: usize) -> rusqlite::Result<Option<V>> {
        match r.get::<_, Option<String>>(i)? {
            None => Ok(None),
            Some(_) => vocab(r, i).map(Some),
        }
    }

    pub fn date(r: &Row, i: usize) -> rusqlite::Result<Date> {
        let s: String = r.get(i)?;
        s.parse().map_err(|_| damaged(i, format!("{s:?} where a date belongs")))
    }

    pub fn opt_date(r: &Row, i: usize) -> rusqlite::Result<Option<Date>> {
        match r.get::<_, Option<String>>(i)? {
            None => Ok(None),
            Some(_) => date(r, i).map(Some),
        }
    }

    /// A list packed by `group_concat(x, char(31))`.
    pub fn list(r: &Row, i: usize) -> rusqlite::Result<Vec<String>> {
        Ok(r.get::<_, Option<String>>(i)?.map(|s| s.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default())
    }

    /// A list of vocabulary values packed by `group_concat`, in vocabulary order.
    pub fn vocab_list<V: Vocabulary + Ord>(r: &Row, i: usize) -> rusqlite::Result<Vec<V>> {
        let mut values = list(r, i)?
            .iter()
            .map(|s| V::parse(s).map_err(|_| damaged(i, format!("{s:?} where {} belongs", V::WHAT))))
            .collect::<rusqlite::Result<Vec<V>>>()?;
        values.sort();
        Ok(values)
    }

    /// A list of ids packed by `group_concat(id, char(31))`.
    pub fn ids(r: &Row, i: usize) -> rusqlite::Result<Vec<i64>> {
        list(r, i)?.iter().map(|s| s.parse().map_err(|_| damaged(i, format!("{s:?} where an id belongs")))).collect()
    }
}

/// `Ok(None)` for no row.
pub(crate) fn optional<T>(result: rusqlite::Result<T>) -> rusqlite::Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The not-found error for `get` functions.
pub(crate) fn found<T>(result: rusqlite::Result<T>, what: &str, id: i64) -> Result<T> {
    match result {
        Ok(v) => Ok(v),
        Err(rusqlite::Error::QueryReturnedNoRows) => Err(Error::not_found(format!("no {what} with id {id}")).into()),
        Err(e) => Err(e.into()),
    }
}

/// Makes the rows of a link table (`lab_partner`, `partner_alias`, ...) for
/// one record hold exactly `others`: only the links that went are removed
/// and only the new ones added, so the links that stay keep the revision
/// that wrote them.
pub(crate) fn replace_links<T: serde::Serialize>(
    w: &Writer,
    table: &str,
    owner_column: &str,
    other_column: &str,
    owner: i64,
    others: &[T],
) -> Result<()> {
    let list = serde_json::to_string(others)?;
    w.prepare_cached(&format!(
        "DELETE FROM {table} WHERE {owner_column} = ?1 AND {other_column} NOT IN (SELECT value FROM json_each(?2))"
    ))?
    .execute(rusqlite::params![owner, list])?;
    w.prepare_cached(&format!(
        "INSERT OR IGNORE INTO {table} ({owner_column}, {other_column}, known_from)
         SELECT ?1, value, ?3 FROM json_each(?2)"
    ))?
    .execute(rusqlite::params![owner, list, w.revision])?;
    Ok(())
}

/// `group_concat` of the names a link table points at, in name order, for
/// use as a column expression. `alias` is the outer table's alias.
pub(crate) fn linked_names(table: &str, owner_column: &str, alias: &str) -> String {
    format!(
        "(SELECT group_concat(name, char(31)) FROM (SELECT p.name FROM {table} x JOIN partner p ON p.id = x.partner_id
          WHERE x.{owner_column} = {alias}.id ORDER BY p.name COLLATE NOCASE))"
    )
}

/// A query counting records that refer to another: (one, many, sql with ?1).
pub(crate) type Reference = (&'static str, &'static str, &'static str);

/// "3 assignments", "1 lab": what refers to record `id`.
pub(crate) fn count_references(conn: &Connection, id: i64, checks: &[Reference]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (one, many, sql) in checks {
        let n: i64 = conn.query_row(sql, [id], |r| r.get(0))?;
        if n > 0 {
            out.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    Ok(out)
}

/// Refuses to remove `record` ("partner \"DUO\" (id 3)") while anything refers to it.
pub(crate) fn refuse_if_referenced(conn: &Connection, record: &str, id: i64, checks: &[Reference]) -> Result<()> {
    let refs = count_references(conn, id, checks)?;
    if refs.is_empty() {
        return Ok(());
    }
    let verb = if refs.len() == 1 && refs[0].starts_with("1 ") { "refers" } else { "refer" };
    Err(Error::invalid(format!(
        "{record} cannot be removed: {} {verb} to it; remove or change those first",
        refs.join(", ")
    ))
    .into())
}
