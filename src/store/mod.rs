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
pub mod community;
pub mod history;
pub mod initiative;
pub mod lab;
pub mod lookup;
pub mod metric;
pub mod partner;
pub mod phd;
pub mod question;
pub mod report;
pub mod theme;

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

/// `PRAGMA application_id` of an ipart registry: "ipar" in ASCII. It tells an
/// ipart registry from any other SQLite file before anything is written.
pub const APPLICATION_ID: i32 = 0x6970_6172;

/// The schema steps, in order: version N is reached by applying step N.
/// Step 1 is the baseline `schema.sql`; later steps live in `migrations/`.
/// A shipped step is never edited, only new ones appended.
const MIGRATIONS: &[&str] =
    &[include_str!("../../schema.sql"), include_str!("../../migrations/0003_report_indexes.sql")];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// How long a command waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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
        let read_only = is_read_only(path);
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| Error::registry(format!("cannot open registry {shown}: {e}")))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Only reads until the file is known to be an ipart registry of a
        // version this binary understands: anything else is left untouched.
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
            let what = if meta.len() == 0 { "an empty file" } else { "an SQLite database of another program" };
            return Err(
                Error::registry(format!("{shown} is not an ipart registry ({what}); it was left untouched")).into()
            );
        }
        if version > SCHEMA_VERSION {
            return Err(Error::registry(format!(
                "registry {shown} has schema version {version}, newer than this ipart understands (up to {SCHEMA_VERSION}); use a newer ipart (the registry was left untouched)"
            ))
            .into());
        }
        let mut registry = Registry { conn, path: Some(path.to_path_buf()), read_only, actor: actor() };
        registry.configure()?;
        let mut report = OpenReport::default();
        if version < SCHEMA_VERSION {
            if read_only {
                return Err(Error::registry(format!(
                    "registry {shown} has schema version {version} and must be upgraded to {SCHEMA_VERSION}, but it is read-only"
                ))
                .into());
            }
            let backup = backup_path(path, version);
            registry.backup_to(&backup)?;
            registry.migrate_from(version)?;
            report.migrated_from = Some((version, backup));
        }
        Ok((registry, report))
    }

    /// The pragmas every connection needs.
    fn configure(&mut self) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // Enforce REFERENCES; SQLite leaves it off by default.
        self.conn.pragma_update(None, "foreign_keys", true)?;
        if !self.read_only && self.path.is_some() {
            // WAL lets reports read while an import writes; FULL makes each
            // commit durable once it returns.
            self.conn.pragma_update(None, "journal_mode", "WAL")?;
            self.conn.pragma_update(None, "synchronous", "FULL")?;
        }
        Ok(())
    }

    /// Applies the steps after `from`, all in one transaction.
    fn migrate_from(&mut self, from: i32) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (index, step) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            tx.execute_batch(step).with_context(|| format!("schema step {} failed", index + 1))?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }

    /// Copies the registry to `target` with SQLite's online backup, which is
    /// safe while other processes write.
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        let mut dest =
            Connection::open(target).with_context(|| format!("cannot create backup file {}", target.display()))?;
        let backup = rusqlite::backup::Backup::new(&self.conn, &mut dest)?;
        backup.run_to_completion(256, Duration::from_millis(10), None)?;
        Ok(())
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
        if self.read_only {
            let path = self.path.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
            return Err(Error::registry(format!(
                "registry {path} is read-only (check the permissions of the file and its directory); nothing was changed"
            ))
            .into());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let writer = Writer { tx, command: command.to_string(), actor: self.actor.clone(), at: now() };
        let value = f(&writer)?;
        writer.tx.commit()?;
        Ok(value)
    }
}

/// A write transaction with what the audit trail needs to know about it.
pub struct Writer<'a> {
    tx: rusqlite::Transaction<'a>,
    command: String,
    actor: String,
    at: String,
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

fn backup_path(path: &Path, version: i32) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}.backup"));
    let mut candidate = path.with_file_name(&name);
    let mut n = 1;
    while candidate.exists() {
        n += 1;
        let mut numbered = name.clone();
        numbered.push(format!(".{n}"));
        candidate = path.with_file_name(numbered);
    }
    candidate
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

fn now() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Second).unwrap_or(jiff::Timestamp::now()).to_string()
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
    fn check_constraints_hold_outside_ipart() {
        let r = Registry::create_in_memory().unwrap();
        let bad = [
            "INSERT INTO partner (name, sector) VALUES ('X', 'education')",
            "INSERT INTO partner (name, sector, level) VALUES ('X', 'government', 'HBO')",
            "INSERT INTO partner (name, sector, joined_on) VALUES ('X', 'government', '2023-02-30')",
            "INSERT INTO partner (name, sector) VALUES ('X', 'ministry')",
            "INSERT INTO metric (name, year, value) VALUES ('x', 'y', 1)",
        ];
        for sql in bad {
            assert!(r.conn.execute(sql, []).is_err(), "{sql}");
        }
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

/// Replaces the rows of a link table (`lab_partner`, ...) for one record.
pub(crate) fn replace_links(
    w: &Writer,
    table: &str,
    owner_column: &str,
    other_column: &str,
    owner: i64,
    others: &[i64],
) -> Result<()> {
    w.execute(&format!("DELETE FROM {table} WHERE {owner_column} = ?1"), [owner])?;
    let mut stmt =
        w.prepare_cached(&format!("INSERT OR IGNORE INTO {table} ({owner_column}, {other_column}) VALUES (?1, ?2)"))?;
    for other in others {
        stmt.execute([owner, *other])?;
    }
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
