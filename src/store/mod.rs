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
pub mod key;
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

use std::cell::RefCell;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{DAMAGED_ADVICE, Error, ExitCode, Result};
use crate::outfile::OutFile;
use key::KeyPlace;

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
    include_str!("../../migrations/0008_student_key_outside.sql"),
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

/// A command that has waited this long for another process says so.
const TELL_WAITING_AFTER: Duration = Duration::from_secs(1);

/// What to call when a command has waited [`TELL_WAITING_AFTER`] for
/// another process; the command line says so on stderr.
type WaitNotice = Box<dyn Fn(&Path) + Send + Sync>;
static WAIT_NOTICE: RwLock<Option<WaitNotice>> = RwLock::new(None);
/// The notice is given once per process.
static TOLD_WAITING: AtomicBool = AtomicBool::new(false);

/// Sets what is called, once, when a command has waited a second for
/// another process to finish with the registry (`path`).
pub fn on_long_wait(notice: impl Fn(&Path) + Send + Sync + 'static) {
    if let Ok(mut slot) = WAIT_NOTICE.write() {
        *slot = Some(Box::new(notice));
    }
}

fn tell_waiting(path: &Path) {
    if !TOLD_WAITING.swap(true, Ordering::Relaxed)
        && let Ok(slot) = WAIT_NOTICE.read()
        && let Some(notice) = slot.as_ref()
    {
        notice(path);
    }
}

/// Makes `conn` wait for another process's lock for up to the busy timeout,
/// saying so once it has waited a second (SQLite's own busy timeout waits
/// in silence).
pub(crate) fn wait_when_busy(conn: &mut Connection, path: &Path) -> Result<()> {
    // SQLite's own pauses between tries, in milliseconds.
    const PAUSES: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    let timeout = busy_timeout()?;
    let path = path.to_path_buf();
    let mut started = Instant::now();
    conn.busy_handler(Some(move |tries: i32| {
        if tries == 0 {
            started = Instant::now();
        }
        let waited = started.elapsed();
        if waited >= timeout {
            return false;
        }
        if waited >= TELL_WAITING_AFTER {
            tell_waiting(&path);
        }
        let pause = Duration::from_millis(PAUSES[(tries as usize).min(PAUSES.len() - 1)]);
        std::thread::sleep(pause.min(timeout - waited));
        true
    }))?;
    Ok(())
}

/// For loops that wait themselves: sleeps a little, saying so once the
/// wait that began at `started` has lasted a second; false once it has
/// lasted the busy timeout.
pub(crate) fn wait_a_little(started: Instant, path: &Path) -> Result<bool> {
    let waited = started.elapsed();
    if waited >= busy_timeout()? {
        return Ok(false);
    }
    if waited >= TELL_WAITING_AFTER {
        tell_waiting(path);
    }
    std::thread::sleep(Duration::from_millis(20));
    Ok(true)
}

/// Registries up to this size (the file and its write-ahead log) are
/// checked with SQLite's quick check before every write: 6 to 12 ms per MB
/// measured (bench/quick_check.sh), so at most about 0.05 to 0.1 s here
/// (some 20,000 assignments; ten years of today's programme are a few MB).
/// Larger ones are checked whole before bulk writes (imports, their
/// undoing, vacuum) only, where the check is small beside the work; a
/// typed command there relies on SQLite's checks of the pages it reads
/// (`cell_size_check`), so that it stays quick (the whole check of a
/// million assignments takes 1.6 s or more).
const CHECK_BEFORE_EVERY_WRITE_UP_TO: i64 = 8 << 20;

/// An open registry.
pub struct Registry {
    conn: Connection,
    /// The file, or `None` for an in-memory registry (`--demo`).
    path: Option<PathBuf>,
    read_only: bool,
    actor: String,
    /// Check the whole file before writing, whatever its size.
    check_whole: bool,
    /// Where the key of the student pseudonyms is kept (see `key`).
    key_place: KeyPlace,
}

/// What opening a registry did besides opening it, for the user to hear.
#[derive(Debug, Default)]
pub struct OpenReport {
    /// Set when an older registry was migrated: (from version, backup copy).
    pub migrated_from: Option<(i32, PathBuf)>,
    /// Set when the registry held the key of its student pseudonyms (schema
    /// 7 and before) and it was moved to its key file.
    pub key_moved: Option<key::Moved>,
    /// Warnings about the key: a copy that still holds it, a registry that
    /// could not be rid of it yet.
    pub key_warnings: Vec<String>,
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
        let key_place = if path.is_some() { KeyPlace::for_user(None) } else { KeyPlace::memory() };
        let mut registry = Registry { conn, path, read_only: false, actor: actor(), check_whole: false, key_place };
        registry.configure()?;
        registry.conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        registry.migrate_from(0)?;
        Ok(registry)
    }

    /// Opens an existing registry, migrating it if it is older than this
    /// binary. Anything that is not an ipart registry is refused before
    /// SQLite gets to write to it. The key of its student pseudonyms is
    /// kept in the user's key directory.
    pub fn open(path: &Path) -> Result<(Registry, OpenReport)> {
        Self::open_keyed(path, KeyPlace::for_user(None))
    }

    /// [`Registry::open`], with the key of the student pseudonyms kept at
    /// `key_place`. A registry that still holds its key (schema 7 and
    /// before) has it moved there (see [`key::move_out`]).
    pub fn open_keyed(path: &Path, key_place: KeyPlace) -> Result<(Registry, OpenReport)> {
        Self::open_with(path, MIGRATIONS, key_place)
    }

    /// [`Registry::open_keyed`] with the migration steps given, so a test
    /// can make a step fail half-way.
    pub(crate) fn open_with(path: &Path, steps: &[&str], key_place: KeyPlace) -> Result<(Registry, OpenReport)> {
        // Before anything opens it: a FIFO would hold up every command.
        check_file(path)?;
        let read_only = is_read_only(path);
        let conn = open_connection(path, read_only)?;
        // Only reads until the file is known to be an ipart registry of a
        // version this binary understands: anything else is left untouched.
        let version = identify(&conn, path, steps.len() as i32)?;
        let mut registry =
            Registry { conn, path: Some(path.to_path_buf()), read_only, actor: actor(), check_whole: false, key_place };
        registry.configure()?;
        if !read_only {
            crate::outfile::clear_leftovers(path);
        }
        let mut report = OpenReport::default();
        if version < steps.len() as i32 {
            let backup = registry.upgrade(steps, version)?;
            report.migrated_from = Some((version, backup));
        }
        if steps.len() as i32 >= SCHEMA_VERSION {
            registry.move_key_out(&mut report)?;
        }
        Ok((registry, report))
    }

    /// Moves the key of a registry of schema 7 and before to its key file,
    /// and out of the copy taken before the upgrade (see [`key::move_out`]).
    fn move_key_out(&mut self, report: &mut OpenReport) -> Result<()> {
        let shown = self.path.as_deref().unwrap_or(Path::new("")).display().to_string();
        if self.read_only {
            if key::legacy_key(&self.conn)?.is_some() {
                report.key_warnings.push(format!(
                    "registry {shown} holds the key of its student pseudonyms; it is moved to a key file of its own \
                     the next time the registry is opened with write access"
                ));
            }
            return Ok(());
        }
        let Some(key) = key::legacy_key(&self.conn)? else { return Ok(()) };
        let moved = key::move_out(self).map_err(|e| {
            e.context(format!(
                "registry {shown} holds the key of its student pseudonyms, and it could not be moved to a key file \
                 of its own (it is still in the registry; nothing else was changed)"
            ))
        })?;
        if let Some((_, copy)) = &report.migrated_from {
            let cleared = key::clear_copy(copy, &key).and_then(|()| {
                verify_copy(copy, report.migrated_from.as_ref().map_or(0, |(v, _)| *v), Thoroughness::Quick)
            });
            if let Err(e) = cleared {
                report.key_warnings.push(format!(
                    "the copy {} still holds the key of the student pseudonyms ({e:#}); remove the copy once you \
                     no longer need it",
                    copy.display()
                ));
            }
        }
        if let Some(moved) = &moved
            && !moved.checkpointed
        {
            report.key_warnings.push(format!(
                "another process is reading registry {shown}: the bytes of the key leave its write-ahead log when \
                 that process is done and the next command checkpoints it"
            ));
        }
        report.key_moved = moved;
        Ok(())
    }

    /// Upgrades the registry from `version` to the last of `steps`, after
    /// keeping a copy of it; returns where the copy is. An upgrade that
    /// fails leaves the registry as it was and keeps one copy of it
    /// (`NAME.vN.failed-upgrade.backup`, replacing one an earlier failed
    /// attempt kept), and says only why it failed.
    fn upgrade(&mut self, steps: &[&str], version: i32) -> Result<PathBuf> {
        let path = self.path.clone().unwrap_or_default();
        let shown = path.display();
        let target = steps.len();
        if self.read_only {
            return Err(Error::registry(format!(
                "registry {shown} has schema version {version} and must be upgraded to {target}, but it is read-only"
            ))
            .into());
        }
        let backup = self.copy_before_upgrade(&path, version)?;
        let Err(failure) = self.migrate(steps, version, Some(&backup)) else { return Ok(backup) };
        let (code, cause) = crate::error::classify(&failure);
        if code == ExitCode::Busy {
            return Err(failure);
        }
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".v{version}.failed-upgrade.backup"));
        let kept = path.with_file_name(name);
        let kept = match std::fs::rename(&backup, &kept) {
            Ok(()) => kept,
            Err(_) => backup,
        };
        Err(Error::registry(format!(
            "upgrading registry {shown} from schema version {version} to {target} failed ({cause}); it was left at version {version}, and a copy of it is at {}",
            kept.display()
        ))
        .into())
    }

    /// Copies the registry, checked, to `NAME.vN.backup` (numbered when
    /// that exists) before it is upgraded from `version`.
    fn copy_before_upgrade(&self, path: &Path, version: i32) -> Result<PathBuf> {
        let target = backup_path(path, version)?;
        let made = (|| -> Result<()> {
            let copy = OutFile::create(&target, false)?;
            self.copy_into(&copy)?;
            verify_copy(copy.temporary_path(), version, Thoroughness::Quick)?;
            copy.commit()
        })();
        made.with_context(|| {
            format!(
                "cannot copy registry {} to {} before upgrading it; nothing was changed",
                path.display(),
                target.display()
            )
        })?;
        Ok(target)
    }

    /// The pragmas every connection needs.
    fn configure(&mut self) -> Result<()> {
        let path = self.path.clone().unwrap_or_else(|| PathBuf::from("the registry"));
        wait_when_busy(&mut self.conn, &path)?;
        // SQLite checks each page it reads more closely, so that a command
        // meeting a damaged page stops there rather than building on it.
        self.conn.pragma_update(None, "cell_size_check", true)?;
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
        let started = Instant::now();
        let path = self.path.clone().unwrap_or_default();
        loop {
            match self.conn.pragma_update(None, "journal_mode", "WAL") {
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && wait_a_little(started, &path)? => {}
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
                // The cause only: the step's SQL is no message for a person.
                tx.execute_batch(step).map_err(|e| {
                    anyhow::anyhow!("schema step {} failed: {}", index + 1, crate::error::sqlite_message(&e))
                })?;
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

    /// Copies the registry into the temporary file of `copy` with SQLite's
    /// online backup, which is safe while other processes write.
    pub fn copy_into(&self, copy: &OutFile) -> Result<()> {
        copy_database(&self.conn, copy.temporary_path())
            .with_context(|| format!("cannot copy the registry to {}", copy.target().display()))
    }

    /// Checks the whole file before each write, whatever its size: for bulk
    /// writes (imports, their undoing, vacuum), which take long anyway and
    /// would spread damage furthest.
    pub fn check_whole_before_writing(&mut self) {
        self.check_whole = true;
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A read transaction: the queries made while it lives all see the
    /// registry as the first of them found it, even if another process
    /// writes meanwhile (so a table read twice, to size its columns and
    /// then to write them, shows the same rows both times).
    pub fn snapshot(&self) -> Result<rusqlite::Transaction<'_>> {
        Ok(self.conn.unchecked_transaction()?)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where the key of the student pseudonyms is kept.
    pub fn key_place(&self) -> &KeyPlace {
        &self.key_place
    }

    /// Keeps the key of the student pseudonyms at `place` from now on.
    pub fn set_key_place(&mut self, place: KeyPlace) {
        self.key_place = place;
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
        if let Some(path) = &self.path {
            refuse_if_damaged(&tx, path, self.check_whole)?;
        }
        let at = now()?;
        // The revision comes first: the triggers that keep earlier versions
        // of rows name the newest one as the revision that replaced them.
        tx.prepare_cached("INSERT INTO revision (at, actor, command) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![at, self.actor, command])?;
        let revision = tx.last_insert_rowid();
        let before = tx.total_changes();
        let writer = Writer {
            tx,
            command: command.to_string(),
            actor: self.actor.clone(),
            at,
            revision,
            key_place: &self.key_place,
            key_made: RefCell::new(None),
        };
        let value = f(&writer)?;
        // A command that changed nothing leaves nothing, not even its revision.
        if commit && writer.tx.total_changes() != before {
            // A key made by this command is in its file before the check
            // value that names it is committed (a dry run keeps neither).
            if let Some(key) = writer.key_made.take() {
                writer.key_place.store(&key)?;
            }
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
    /// Where the key of the student pseudonyms is kept.
    key_place: &'a KeyPlace,
    /// A key this transaction made, stored at `key_place` before it commits.
    key_made: RefCell<Option<key::Key>>,
}

impl Writer<'_> {
    /// Where the key of the student pseudonyms is kept.
    pub fn key_place(&self) -> &KeyPlace {
        self.key_place
    }

    /// Keeps `key`, made by this transaction, at the key place just before
    /// the transaction commits.
    pub(crate) fn keep_new_key(&self, key: key::Key) {
        *self.key_made.borrow_mut() = Some(key);
    }

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
    // A file without a name (O_TMPFILE where there is one): nothing is left
    // behind, even by a process killed right then.
    let dir_ro = std::fs::metadata(dir).map(|m| m.permissions().readonly()).unwrap_or(false)
        || tempfile::tempfile_in(dir).is_err();
    file_ro || dir_ro
}

/// Refuses a write on a registry that fails SQLite's quick check, before
/// anything is written (see [`CHECK_BEFORE_EVERY_WRITE_UP_TO`]).
pub(crate) fn refuse_if_damaged(conn: &Connection, path: &Path, always: bool) -> Result<()> {
    if !always {
        let size: i64 =
            conn.query_row("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size", [], |r| r.get(0))?;
        if size > CHECK_BEFORE_EVERY_WRITE_UP_TO {
            return Ok(());
        }
    }
    // Of `main` only: checking every schema would open the temporary one,
    // after which a bulk import could no longer move its sorts to disk.
    let Some(problem) = first_problem(conn, "PRAGMA main.quick_check(2)")? else { return Ok(()) };
    Err(Error::registry(format!(
        "registry {} is damaged (SQLite's quick check: {problem}); nothing was changed: {DAMAGED_ADVICE}",
        path.display()
    ))
    .into())
}

/// The first problem an SQLite check (`PRAGMA quick_check(N)` or
/// `integrity_check(N)`) reports, shortened for a message; `None` for "ok".
fn first_problem(conn: &Connection, pragma: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare(pragma)?;
    let lines = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    if lines.iter().all(|l| l == "ok") {
        return Ok(None);
    }
    // "*** in database main ***" only says which schema.
    let line = lines.iter().flat_map(|l| l.lines()).find(|l| !l.starts_with("*** in database")).unwrap_or_default();
    Ok(Some(match line.char_indices().nth(200) {
        Some((end, _)) => format!("{}...", &line[..end]),
        None => line.to_string(),
    }))
}

/// Refuses, before SQLite opens anything, a registry path that is missing,
/// a directory, or anything but a regular file (a FIFO would hold up every
/// command), and SQLite's files beside it when they are not regular files.
pub(crate) fn check_file(path: &Path) -> Result<()> {
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
    if let Some(kind) = crate::outfile::special_kind(&meta) {
        return Err(Error::registry(format!("{shown} is a {kind}, not a registry file; it was left untouched")).into());
    }
    for side in sqlite_sidecars(path) {
        if let Some(kind) = std::fs::metadata(&side).ok().as_ref().and_then(crate::outfile::special_kind) {
            return Err(Error::registry(format!(
                "{} is a {kind}, where SQLite keeps a file of the registry's; it was left untouched (remove it, then try again)",
                side.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// A name beside `path` for the copy taken before upgrading from `version`,
/// never one that exists: `registry.sqlite.v1.backup`, then `.v1.backup.2`...
fn backup_path(path: &Path, version: i32) -> Result<PathBuf> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}.backup"));
    let mut candidate = path.with_file_name(&name);
    let mut n = 1;
    // A name taken by anything, a dangling symbolic link too, is passed over.
    let taken = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    while taken(&candidate) || sqlite_sidecars(&candidate).iter().any(|p| taken(p)) {
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
    backup_into(source, &mut open_copy(target)?)
}

/// Copies the database behind `source` into `dest` (a file or memory) with
/// SQLite's online backup API, in one step (see [`copy_database`]).
pub(crate) fn backup_into(source: &Connection, dest: &mut Connection) -> Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    let backup = Backup::new(source, dest)?;
    let started = Instant::now();
    let source_path = source.path().map(PathBuf::from).unwrap_or_default();
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked if wait_a_little(started, &source_path)? => {}
            _ => return Err(Error::busy("registry busy: the copy could not read it; try again").into()),
        }
    }
}

/// Opens a copy ipart is making (a temporary file it created), never
/// through a symbolic link.
pub(crate) fn open_copy(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    Ok(Connection::open_with_flags(path, flags)?)
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

/// How closely a copy is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Thoroughness {
    /// SQLite's quick check: every page read, no index compared with its table.
    Quick,
    /// SQLite's integrity check: `db check`'s first check.
    Integrity,
}

/// Checks that a copy just written is a whole ipart registry of `version`.
pub(crate) fn verify_copy(path: &Path, version: i32, thoroughness: Thoroughness) -> Result<()> {
    let conn = open_copy(path)?;
    let (id, v): (i32, i32) = conn.query_row(
        "SELECT application_id, user_version FROM pragma_application_id, pragma_user_version",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (pragma, name) = match thoroughness {
        Thoroughness::Quick => ("PRAGMA main.quick_check(2)", "quick check"),
        Thoroughness::Integrity => ("PRAGMA main.integrity_check(2)", "integrity check"),
    };
    if let Some(problem) = first_problem(&conn, pragma)? {
        return Err(Error::registry(format!(
            "the copy fails SQLite's {name} ({problem}), so the registry it was made from is damaged; the copy was not kept: {DAMAGED_ADVICE}"
        ))
        .into());
    }
    if id != APPLICATION_ID || v != version {
        return Err(Error::registry(
            "the copy does not read back as the registry it was made from; it was not kept and nothing was changed",
        )
        .into());
    }
    Ok(())
}

/// Opens the SQLite connection of a registry file, refusing a missing file
/// and a directory with a message that says what to do.
pub(crate) fn open_connection(path: &Path, read_only: bool) -> Result<Connection> {
    let shown = path.display();
    check_file(path)?;
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let mut conn = Connection::open_with_flags(path, flags)
        .map_err(|e| Error::registry(format!("cannot open registry {shown}: {e}")))?;
    wait_when_busy(&mut conn, path)?;
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
        let (registry, report) = Registry::open_with(&path, &steps, KeyPlace::memory()).unwrap();
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
        let kept = path.with_file_name("registry.sqlite.v1.failed-upgrade.backup");
        // Tried twice: one copy is kept, not one more each time.
        for _ in 0..2 {
            let err = Registry::open_with(&path, &steps, KeyPlace::memory()).err().expect("a failed upgrade");
            let (code, message) = crate::error::classify(&err);
            assert_eq!(code, crate::error::ExitCode::Registry);
            assert_eq!(
                message,
                format!(
                    "upgrading registry {} from schema version 1 to 3 failed (schema step 3 failed: NOT NULL constraint failed: partner.sector); it was left at version 1, and a copy of it is at {}",
                    path.display(),
                    kept.display()
                )
            );
            assert_eq!(std::fs::read(&path).unwrap(), before, "the registry file changed");
            let mut files: Vec<String> = std::fs::read_dir(path.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            assert_eq!(files, ["registry.sqlite", "registry.sqlite.v1.failed-upgrade.backup"]);
        }
        assert_eq!(count(&Connection::open(&kept).unwrap(), "PRAGMA user_version"), 1);
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
        let message = format!("{:#}", Registry::open_with(&path, &steps, KeyPlace::memory()).err().expect("refused"));
        assert!(message.contains("broken references"), "{message}");
        let conn = Connection::open(&path).unwrap();
        assert_eq!(count(&conn, "SELECT count(*) FROM theme WHERE id = 1"), 1);
        assert_eq!(count(&conn, "PRAGMA user_version"), 1);
    }

    #[test]
    fn the_check_before_a_write_leaves_the_temporary_storage_to_be_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Registry::create(&dir.path().join("r.sqlite")).unwrap();
        r.check_whole_before_writing();
        // What a bulk import does before it builds the indexes it set aside.
        r.write("import", |w| Ok(w.pragma_update(None, "temp_store", "FILE")?)).unwrap();
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
            format!("the registry holds {what}, which it cannot hold").into(),
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
