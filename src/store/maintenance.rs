//! `ipart db backup|restore|vacuum`: copying the registry out, putting a
//! copy back, and compacting the file.
//!
//! Every copy is made in a temporary file beside its final name (see
//! `outfile`), checked, and renamed into place only when complete. A backup
//! is made with SQLite's online backup API (a consistent copy while other
//! processes go on writing) and must pass SQLite's integrity check. A
//! restore checks the file it is given on a private copy first (identity,
//! version, every `db check` rule), keeps a copy of the registry it
//! replaces, and swaps the files with one rename in the registry's
//! directory, so at every moment the registry path holds one whole registry.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rusqlite::Connection;

use super::check::{self, Report};
use super::key::{self, KeyPlace};
use super::{
    MIGRATIONS, Registry, SCHEMA_VERSION, Thoroughness, actor, check_file, copy_database, identify, now,
    open_connection, open_copy, refuse_if_damaged, sqlite_sidecars, verify_copy, wait_when_busy,
};
use crate::error::{Error, Result};
use crate::outfile::OutFile;

/// What `db backup` made.
#[derive(Debug)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
}

/// Starts a backup of the registry at `registry` (`None` in memory) to
/// `target`: refused at once when `target` is a directory, the registry
/// itself, or exists (unless `force`). Before the registry is opened, so
/// that nothing is read for a backup that cannot be written.
pub fn start_backup(target: &Path, force: bool, registry: Option<&Path>) -> Result<OutFile> {
    let shown = target.display();
    if target.is_dir() {
        return Err(Error::usage(format!("{shown} is a directory; give the name of the backup file to write")).into());
    }
    if force && registry.is_some_and(|p| same_file(p, target)) {
        return Err(Error::usage(format!("{shown} is the registry itself; choose another file")).into());
    }
    OutFile::create(target, force)
}

/// Copies the registry into `copy` (from [`start_backup`]) and puts it in
/// place: an existing file is replaced (with `--force`) only once the new
/// copy is complete and passes SQLite's integrity check.
pub fn backup(registry: &Registry, copy: OutFile) -> Result<Backup> {
    registry.copy_into(&copy)?;
    stand_alone(copy.temporary_path())?;
    verify_copy(copy.temporary_path(), SCHEMA_VERSION, Thoroughness::Integrity)?;
    let path = copy.target().to_path_buf();
    copy.commit()?;
    Ok(Backup { bytes: std::fs::metadata(&path)?.len(), path })
}

/// What `db restore` did.
#[derive(Debug)]
pub struct Restore {
    /// The schema version of the file restored (it was upgraded if older).
    pub version: i32,
    /// Where the registry that was replaced was kept, if there was one.
    pub safety_copy: Option<PathBuf>,
    /// Set when the file restored held the key of its student pseudonyms
    /// (an older backup): the key was moved to its key file, and the
    /// restored registry holds none.
    pub key_moved: Option<key::Moved>,
    /// Set when the restored registry has a key that is not at its place:
    /// where it should be.
    pub key_missing: Option<String>,
}

/// Why a file cannot be restored: the checks it failed.
#[derive(Debug)]
pub struct Refused {
    pub report: Report,
}

/// Replaces the registry at `registry` with the one in `source`, after
/// checking `source`. A file that fails the checks gives `Ok(Err(Refused))`,
/// so the caller can show what it failed; the registry is then untouched.
pub fn restore(source: &Path, registry: &Path, key_place: &KeyPlace) -> Result<std::result::Result<Restore, Refused>> {
    let shown = source.display();
    let refuse = |e: anyhow::Error| e.context(format!("cannot restore from {shown}; the registry was not changed"));
    if !source.exists() {
        return Err(
            Error::usage(format!("there is no file {shown} to restore from; the registry was not changed")).into()
        );
    }
    let replacing = std::fs::symlink_metadata(registry).is_ok();
    if replacing {
        // What is there now is opened to keep a copy: never a FIFO or the like.
        check_file(registry).map_err(|e| e.context("the registry was not changed"))?;
        if same_file(source, registry) {
            return Err(Error::usage(format!("{shown} is the registry itself; give the backup file to restore")).into());
        }
    } else if let Some(parent) = registry.parent().filter(|p| !p.as_os_str().is_empty() && !p.is_dir()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create directory {}", parent.display()))?;
    }
    let source_conn = open_connection(source, true).map_err(refuse)?;
    let version = identify(&source_conn, source, SCHEMA_VERSION).map_err(refuse)?;

    // Check a private copy, upgraded as the registry would be, never the
    // file given: it stays as it was whatever happens.
    let candidate = OutFile::create(registry, true)?;
    // What became of the key: moved out of the copy, missing at its place.
    type KeyOutcome = (Option<key::Moved>, Option<String>);
    let checked = (|| -> Result<std::result::Result<KeyOutcome, Refused>> {
        copy_database(&source_conn, candidate.temporary_path())?;
        drop(source_conn);
        let mut copy = private_copy(candidate.temporary_path(), key_place.clone())?;
        if version < SCHEMA_VERSION {
            copy.migrate(MIGRATIONS, version, None)?;
        }
        let report = check::run(copy.conn())?;
        if !report.is_ok() {
            return Ok(Err(Refused { report }));
        }
        // An older backup holding its key: the key goes to its key file
        // before the copy takes the registry's place, never with it.
        let moved = key::move_out(&mut copy)?;
        let missing = match key::stored_check(copy.conn())? {
            Some(check) if key_place.load(&check).ok().flatten().is_none() => Some(key_place.describe(&check)),
            _ => None,
        };
        Ok(Ok((moved, missing)))
    })();
    let (key_moved, key_missing) = match checked {
        Ok(Ok(key)) => key,
        Ok(Err(refused)) => return Ok(Err(refused)),
        Err(e) => return Err(refuse(e)),
    };

    let swapped = (|| -> Result<Option<PathBuf>> {
        let safety_copy = if replacing { Some(safety_copy_path(registry)?) } else { None };
        // The copy is left in WAL mode, as every registry ipart opens, with
        // its WAL folded in and removed when its connection closed.
        record_restore(candidate.temporary_path(), source, version, safety_copy.as_deref())?;
        match &safety_copy {
            Some(keep) => replace_keeping_copy(registry, candidate, keep)?,
            None => candidate.commit()?,
        }
        Ok(safety_copy)
    })();
    match swapped {
        Ok(safety_copy) => Ok(Ok(Restore { version, safety_copy, key_moved, key_missing })),
        Err(e) => Err(e.context("the registry was not changed")),
    }
}

/// A registry ipart is making in a temporary file of its own.
fn private_copy(path: &Path, key_place: KeyPlace) -> Result<Registry> {
    let mut copy = Registry {
        conn: open_copy(path)?,
        path: Some(path.to_path_buf()),
        read_only: false,
        actor: actor(),
        check_whole: false,
        key_place,
    };
    copy.configure()?;
    Ok(copy)
}

/// Notes the restore in the restored registry's own audit trail.
fn record_restore(temporary: &Path, source: &Path, version: i32, safety_copy: Option<&Path>) -> Result<()> {
    let mut copy = private_copy(temporary, KeyPlace::memory())?;
    let old = serde_json::json!({ "replaced_registry_kept_at": safety_copy.map(|p| p.display().to_string()) });
    let new = serde_json::json!({ "restored_from": source.display().to_string(), "schema_version": version });
    copy.write("db restore", |w| w.audit("registry", 0, Some(&old), Some(&new)))
}

/// Swaps `replacement` in at `registry`, first copying the registry's bytes
/// to `keep`. The registry is taken out of WAL mode and locked exclusively
/// while this happens, so no other process is part-way through a write
/// (switching out of WAL fails while any other connection has it open, and
/// that is reported as busy). Refused, it leaves nothing behind: the copy
/// of the registry appears under its name only once it is complete.
fn replace_keeping_copy(registry: &Path, replacement: OutFile, keep: &Path) -> Result<()> {
    let in_use = || {
        Error::busy(format!(
            "registry busy: another process has {} open (reading or writing); it was not replaced; try again when it is done",
            registry.display()
        ))
    };
    let mut lock = Connection::open(registry)?;
    wait_when_busy(&mut lock, registry)?;
    let is_database = match lock.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0)) {
        Ok(mode) if mode.eq_ignore_ascii_case("delete") => true,
        Ok(_) => return Err(in_use().into()),
        Err(e) if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::NotADatabase)) => false,
        Err(e) if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy)) => {
            return Err(in_use().into());
        }
        Err(e) => return Err(e.into()),
    };
    if is_database {
        lock.execute_batch("BEGIN EXCLUSIVE").map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) => in_use().into(),
            _ => anyhow::Error::from(e),
        })?;
    }
    let mut kept = OutFile::create(keep, false)?;
    // Through the temporary file's own handle: never a file put in its place.
    std::io::copy(&mut File::open(registry)?, &mut kept)
        .map_err(anyhow::Error::from)
        .and_then(|_| kept.commit())
        .with_context(|| format!("cannot keep a copy of the registry at {}", keep.display()))?;
    if !is_database {
        // Whatever SQLite files lie beside a file that is no database
        // belong to nothing; keep them with the copy, out of the new one's way.
        for (side, kept) in sqlite_sidecars(registry).iter().zip(sqlite_sidecars(keep)) {
            if side.exists() {
                std::fs::rename(side, kept)?;
            }
        }
    }
    replacement
        .commit()
        .with_context(|| format!("cannot move the restored registry into place at {}", registry.display()))?;
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
    if let Some(path) = registry.path.clone() {
        refuse_if_damaged(&registry.conn, &path, true)?;
    }
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

/// `registry.sqlite.before-restore-20240115T101500Z.backup`, numbered when
/// that exists.
fn safety_copy_path(registry: &Path) -> Result<PathBuf> {
    let stamp: String = now()?.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let name = registry.file_name().unwrap_or_default().to_string_lossy();
    (1..)
        .map(|n| {
            let suffix = if n == 1 { String::new() } else { format!(".{n}") };
            registry.with_file_name(format!("{name}.before-restore-{stamp}.backup{suffix}"))
        })
        .find(|candidate| std::fs::symlink_metadata(candidate).is_err())
        .ok_or_else(|| anyhow::anyhow!("no free name for a copy beside {}", registry.display()))
}

/// Takes a copy out of WAL mode, so it is one self-contained file that can
/// be moved, mailed or opened on read-only media.
fn stand_alone(path: &Path) -> Result<()> {
    let conn = open_copy(path)?;
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
