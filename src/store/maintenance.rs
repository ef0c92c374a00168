//! `ipart db backup|restore|vacuum`: copying the registry out, putting a
//! copy back, and compacting the file.
//!
//! A backup is made with SQLite's online backup API (a consistent copy
//! while other processes go on writing), into a temporary file beside the
//! target that is renamed into place only once it reads back whole. A
//! restore checks the file it is given on a private copy first (identity,
//! version, every `db check` rule), keeps a safety copy of the registry it
//! replaces, and swaps the files with one rename in the registry's directory,
//! so at every moment the registry path holds one whole registry.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rusqlite::Connection;

use super::check::{self, Report};
use super::{
    MIGRATIONS, Registry, SCHEMA_VERSION, actor, copy_database, create_private, identify, now, open_connection,
    sqlite_sidecars, verify_copy,
};
use crate::error::{Error, Result};

/// What `db backup` made.
#[derive(Debug)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
}

/// Copies the registry to `target`. An existing `target` is replaced only
/// with `force`, and only once the new copy is complete.
pub fn backup(registry: &Registry, target: &Path, force: bool) -> Result<Backup> {
    let shown = target.display();
    if target.is_dir() {
        return Err(Error::usage(format!("{shown} is a directory; give the name of the backup file to write")).into());
    }
    if target.exists() {
        if !force {
            return Err(Error::usage(format!(
                "{shown} already exists; it was left untouched (use --force to replace it, or choose another name)"
            ))
            .into());
        }
        if registry.path().is_some_and(|p| same_file(p, target)) {
            return Err(Error::usage(format!("{shown} is the registry itself; choose another file")).into());
        }
    }
    let temporary = temporary_beside(target, "backup")?;
    let made = (|| -> Result<u64> {
        registry.backup_to(&temporary)?;
        stand_alone(&temporary)?;
        verify_copy(&temporary, SCHEMA_VERSION)?;
        sync_file(&temporary)?;
        std::fs::rename(&temporary, target).with_context(|| format!("cannot move the backup into place at {shown}"))?;
        sync_parent(target);
        Ok(std::fs::metadata(target)?.len())
    })();
    match made {
        Ok(bytes) => Ok(Backup { path: target.to_path_buf(), bytes }),
        Err(e) => {
            remove_with_sidecars(&temporary);
            Err(e)
        }
    }
}

/// What `db restore` did.
#[derive(Debug)]
pub struct Restore {
    /// The schema version of the file restored (it was upgraded if older).
    pub version: i32,
    /// Where the registry that was replaced was kept, if there was one.
    pub safety_copy: Option<PathBuf>,
}

/// Why a file cannot be restored: the checks it failed.
#[derive(Debug)]
pub struct Refused {
    pub report: Report,
}

/// Replaces the registry at `registry` with the one in `source`, after
/// checking `source`. A file that fails the checks gives `Ok(Err(Refused))`,
/// so the caller can show what it failed; the registry is then untouched.
pub fn restore(source: &Path, registry: &Path) -> Result<std::result::Result<Restore, Refused>> {
    let shown = source.display();
    let refuse = |e: anyhow::Error| e.context(format!("cannot restore from {shown}; the registry was not changed"));
    if !source.exists() {
        return Err(
            Error::usage(format!("there is no file {shown} to restore from; the registry was not changed")).into()
        );
    }
    if registry.exists() && same_file(source, registry) {
        return Err(Error::usage(format!("{shown} is the registry itself; give the backup file to restore")).into());
    }
    let source_conn = open_connection(source, true).map_err(refuse)?;
    let version = identify(&source_conn, source, SCHEMA_VERSION).map_err(refuse)?;

    // Check a private copy, upgraded as the registry would be, never the
    // file given: it stays as it was whatever happens.
    let temporary = temporary_beside(registry, "restore")?;
    let candidate = (|| -> Result<std::result::Result<(), Refused>> {
        create_private(&temporary)?;
        copy_database(&source_conn, &temporary)?;
        drop(source_conn);
        let mut copy = Registry {
            conn: Connection::open(&temporary)?,
            path: Some(temporary.clone()),
            read_only: false,
            actor: actor(),
        };
        copy.configure()?;
        if version < SCHEMA_VERSION {
            copy.migrate(MIGRATIONS, version, None)?;
        }
        let report = check::run(copy.conn())?;
        if !report.is_ok() {
            return Ok(Err(Refused { report }));
        }
        Ok(Ok(()))
    })();
    match candidate {
        Ok(Ok(())) => {}
        Ok(Err(refused)) => {
            remove_with_sidecars(&temporary);
            return Ok(Err(refused));
        }
        Err(e) => {
            remove_with_sidecars(&temporary);
            return Err(refuse(e));
        }
    }

    let swapped = (|| -> Result<Option<PathBuf>> {
        let safety_copy = if registry.exists() { Some(safety_copy_path(registry)?) } else { None };
        // The copy is left in WAL mode, as every registry ipart opens, with
        // its WAL folded in and removed when its connection closed.
        record_restore(&temporary, source, version, safety_copy.as_deref())?;
        sync_file(&temporary)?;
        match &safety_copy {
            Some(keep) => replace_keeping_copy(registry, &temporary, keep)?,
            None => {
                std::fs::rename(&temporary, registry)?;
                sync_parent(registry);
            }
        }
        Ok(safety_copy)
    })();
    match swapped {
        Ok(safety_copy) => Ok(Ok(Restore { version, safety_copy })),
        Err(e) => {
            remove_with_sidecars(&temporary);
            Err(e.context("the registry was not changed"))
        }
    }
}

/// Notes the restore in the restored registry's own audit trail.
fn record_restore(temporary: &Path, source: &Path, version: i32, safety_copy: Option<&Path>) -> Result<()> {
    let mut copy = Registry {
        conn: Connection::open(temporary)?,
        path: Some(temporary.to_path_buf()),
        read_only: false,
        actor: actor(),
    };
    copy.configure()?;
    let old = serde_json::json!({ "replaced_registry_kept_at": safety_copy.map(|p| p.display().to_string()) });
    let new = serde_json::json!({ "restored_from": source.display().to_string(), "schema_version": version });
    copy.write("db restore", |w| w.audit("registry", 0, Some(&old), Some(&new)))
}

/// Swaps `replacement` in at `registry`, first copying the registry's bytes
/// to `keep`. The registry is taken out of WAL mode and locked exclusively
/// while this happens, so no other process is part-way through a write
/// (switching out of WAL fails while any other connection has it open, and
/// that is reported as busy).
fn replace_keeping_copy(registry: &Path, replacement: &Path, keep: &Path) -> Result<()> {
    let lock = Connection::open(registry)?;
    lock.busy_timeout(super::busy_timeout()?)?;
    let is_database = match lock.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0)) {
        Ok(mode) if mode.eq_ignore_ascii_case("delete") => true,
        Ok(_) => {
            return Err(Error::busy(format!(
                "registry busy: another process has {} open; close it and try again",
                registry.display()
            ))
            .into());
        }
        Err(e) if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::NotADatabase)) => false,
        Err(e) => return Err(e.into()),
    };
    if is_database {
        lock.execute_batch("BEGIN EXCLUSIVE")?;
    }
    copy_bytes(registry, keep).with_context(|| format!("cannot keep a copy of the registry at {}", keep.display()))?;
    if !is_database {
        // Whatever SQLite files lie beside a file that is no database
        // belong to nothing; keep them with the copy, out of the new one's way.
        for (side, kept) in sqlite_sidecars(registry).iter().zip(sqlite_sidecars(keep)) {
            if side.exists() {
                std::fs::rename(side, kept)?;
            }
        }
    }
    std::fs::rename(replacement, registry)
        .with_context(|| format!("cannot move the restored registry into place at {}", registry.display()))?;
    sync_parent(registry);
    drop(lock);
    Ok(())
}

/// What `db vacuum` did: the file size before and after.
#[derive(Debug)]
pub struct Vacuum {
    pub before: u64,
    pub after: u64,
}

/// Rebuilds the registry file without free pages (`VACUUM`), then folds the
/// WAL back into it.
pub fn vacuum(registry: &mut Registry) -> Result<Vacuum> {
    registry.refuse_read_only()?;
    let size = |conn: &Connection| -> Result<u64> {
        Ok(conn.query_row("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size", [], |r| {
            r.get::<_, i64>(0)
        })? as u64)
    };
    let before = size(&registry.conn)?;
    registry.conn.execute_batch("VACUUM")?;
    if registry.path.is_some() {
        registry.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    registry.conn.execute_batch("PRAGMA optimize")?;
    Ok(Vacuum { before, after: size(&registry.conn)? })
}

/// A name beside `path` for work in progress (`.registry.sqlite.restore-1234`,
/// cleared of any leftover): the same directory, so the rename that
/// finishes the work is atomic.
fn temporary_beside(path: &Path, purpose: &str) -> Result<PathBuf> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = path.with_file_name(format!(".{name}.{purpose}-{}", std::process::id()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create directory {}", parent.display()))?;
    }
    remove_with_sidecars(&temporary);
    Ok(temporary)
}

/// `registry.sqlite.before-restore-20240115T101500Z.backup`, never existing.
fn safety_copy_path(registry: &Path) -> Result<PathBuf> {
    let stamp: String = now()?.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let name = registry.file_name().unwrap_or_default().to_string_lossy();
    for n in 1.. {
        let suffix = if n == 1 { String::new() } else { format!(".{n}") };
        let candidate = registry.with_file_name(format!("{name}.before-restore-{stamp}.backup{suffix}"));
        if !candidate.exists() {
            create_private(&candidate)?;
            return Ok(candidate);
        }
    }
    unreachable!("an unbounded range ends only by returning")
}

/// Takes a copy out of WAL mode, so it is one self-contained file that can
/// be moved, mailed or opened on read-only media.
fn stand_alone(path: &Path) -> Result<()> {
    let conn = Connection::open(path)?;
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    Ok(())
}

/// Copies bytes into `target`, an existing private file (so the copy keeps
/// owner-only permissions whatever the source has).
fn copy_bytes(source: &Path, target: &Path) -> Result<()> {
    let mut from = File::open(source)?;
    let mut to = std::fs::OpenOptions::new().write(true).truncate(true).open(target)?;
    std::io::copy(&mut from, &mut to)?;
    to.flush()?;
    to.sync_all()?;
    Ok(())
}

fn sync_file(path: &Path) -> Result<()> {
    File::open(path)?.sync_all()?;
    Ok(())
}

/// Makes a rename durable. Best effort: not every platform can sync a directory.
fn sync_parent(path: &Path) {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
}

fn remove_with_sidecars(path: &Path) {
    let _ = std::fs::remove_file(path);
    for side in sqlite_sidecars(path) {
        let _ = std::fs::remove_file(side);
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
