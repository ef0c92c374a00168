//! Every file ipart writes besides the registry itself: exports, reports,
//! reject files, backups, and the copies kept by restores and upgrades. They
//! are all written the same way, here:
//!
//! * into a new file in the target's directory, made with a random name and
//!   `O_EXCL` (never an existing file, never through a symbolic link),
//!   readable by its owner only (0600, or less when the umask says so);
//! * renamed into place only once it is complete and on disk. Without
//!   `--force` the rename itself refuses a name that exists at that moment
//!   (`renameat2(RENAME_NOREPLACE)`), so a file that appears meanwhile is
//!   never replaced; with `--force` the name is replaced, never written
//!   through: a symbolic link there is replaced, what it points to is left
//!   alone;
//! * removed again when the command fails. A command killed on the way
//!   leaves `.NAME.ipart-partial.XXXXXXXXXX` beside NAME; the next command
//!   that writes NAME removes it (the file is locked while it is written, so
//!   one still being written is never taken for a leftover).

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Marks the temporary files of ipart: `.NAME.ipart-partial.XXXXXXXXXX`.
const PARTIAL: &str = ".ipart-partial.";

/// The files SQLite may keep beside a database it writes.
const SQLITE_SIDECARS: [&str; 3] = ["-journal", "-wal", "-shm"];

/// A leftover younger than this is left alone: the file of a command that
/// has just made it and is about to lock it.
const SETTLED: Duration = Duration::from_secs(1);

/// An output file being written. Nothing is visible under its name until
/// [`OutFile::commit`]; dropped without a commit, it leaves nothing.
pub struct OutFile {
    target: PathBuf,
    force: bool,
    /// `None` once committed.
    temp: Option<NamedTempFile>,
    /// Writes to the temporary file (the same open file, so that errors
    /// come without the tempfile crate's note of its path).
    out: BufWriter<File>,
}

impl OutFile {
    /// Starts writing `target`. Refused at once (exit 2), before anything is
    /// made: a directory, something that is not a regular file, and an
    /// existing name unless `force`. Leftovers of earlier runs that were
    /// killed while writing `target` are removed first.
    pub fn create(target: &Path, force: bool) -> Result<OutFile> {
        refuse_target(target, force)?;
        clear_leftovers(target);
        let shown = target.display();
        let temp = tempfile::Builder::new()
            .prefix(&partial_prefix(target))
            .rand_bytes(10)
            .make_in(directory_of(target), |path| {
                use std::os::unix::fs::OpenOptionsExt;
                // O_EXCL: a new file, never one that exists, never through a link.
                OpenOptions::new().read(true).write(true).create_new(true).mode(0o600).open(path)
            })
            .map_err(|e| Error::usage(format!("cannot write {shown}: {e}")))?;
        // Marks the file as in use for `clear_leftovers` of other processes;
        // where locks are not supported, leftovers are never removed.
        let _ = temp.as_file().try_lock();
        let out = BufWriter::new(temp.as_file().try_clone()?);
        Ok(OutFile { target: target.to_path_buf(), force, temp: Some(temp), out })
    }

    /// The name the file gets on [`OutFile::commit`].
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file, for writers that need a path (SQLite). Open it
    /// without following symbolic links (`SQLITE_OPEN_NOFOLLOW`).
    pub fn temporary_path(&self) -> &Path {
        self.temp().path()
    }

    fn temp(&self) -> &NamedTempFile {
        self.temp.as_ref().expect("an output file is used only until it is committed")
    }

    /// Puts the complete file in place: flushed and synced, then renamed to
    /// its name (without `force`, refused if the name exists by now).
    pub fn commit(mut self) -> Result<()> {
        let shown = self.target.display().to_string();
        self.out.flush().map_err(|e| anyhow::anyhow!("cannot write {shown}: {e}"))?;
        let temp = self.temp.take().expect("an output file is committed once");
        temp.as_file().sync_all().map_err(|e| anyhow::anyhow!("cannot write {shown}: {e}"))?;
        remove_sidecars(temp.path());
        // Someone who can write to the directory could have swapped the
        // temporary file for another: only ours is put in place.
        let ours = temp.as_file().metadata()?;
        let there = std::fs::symlink_metadata(temp.path())?;
        if !same_inode(&ours, &there) {
            let name = temp.path().file_name().unwrap_or_default().to_string_lossy().into_owned();
            anyhow::bail!(
                "cannot write {shown}: its temporary file {name} was replaced by another; nothing was written"
            );
        }
        if self.force {
            refuse_target(&self.target, true)?;
        }
        let placed = if self.force { temp.persist(&self.target) } else { temp.persist_noclobber(&self.target) };
        match placed {
            Ok(_) => {
                sync_directory(&self.target);
                Ok(())
            }
            // The temporary file is removed with the error's file.
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Err(exists(&self.target).into()),
            Err(e) => Err(anyhow::anyhow!("cannot write {shown}: {}", e.error)),
        }
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf).map_err(|e| named(&self.target, e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| named(&self.target, e))
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        // Not committed: the temporary file goes with the NamedTempFile;
        // what SQLite may have made beside it goes here.
        if let Some(temp) = &self.temp {
            remove_sidecars(temp.path());
        }
    }
}

/// Writes `target` whole or not at all: `write` fills it, and it is put in
/// place only when `write` returns Ok. An existing file is replaced only
/// with `force`.
pub fn write_file<T>(target: &Path, force: bool, write: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    let mut out = OutFile::create(target, force)?;
    let value = write(&mut out)?;
    out.commit()?;
    Ok(value)
}

/// The refusal of an existing name (exit 2).
pub fn exists(target: &Path) -> Error {
    Error::usage(format!(
        "{} already exists; it was left untouched (give --force to replace it, or choose another name)",
        target.display()
    ))
}

/// Refuses a target that cannot or may not be replaced.
fn refuse_target(target: &Path, force: bool) -> Result<()> {
    let shown = target.display();
    if target.is_dir() {
        return Err(Error::usage(format!("{shown} is a directory; give a file name")).into());
    }
    let Ok(meta) = std::fs::symlink_metadata(target) else { return Ok(()) };
    if !force {
        return Err(exists(target).into());
    }
    if let Some(kind) = special_kind(&meta) {
        return Err(Error::usage(format!(
            "{shown} is a {kind}; ipart writes regular files only and does not replace it, even with --force"
        ))
        .into());
    }
    Ok(())
}

/// What a file that is neither a regular file, a directory nor a symbolic
/// link is, in words; `None` for those three.
pub fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        Some("named pipe (FIFO)")
    } else if t.is_socket() {
        Some("socket")
    } else if t.is_char_device() {
        Some("character device")
    } else if t.is_block_device() {
        Some("block device")
    } else {
        None
    }
}

/// Removes what earlier runs, killed while writing `target` or a file
/// named after it (`registry.sqlite.v5.backup` beside `registry.sqlite`),
/// left beside it: their temporary files (and SQLite's files beside those),
/// once they are a second old and no process holds their lock. Best
/// effort: what cannot be looked at or removed is left.
pub fn clear_leftovers(target: &Path) {
    let stem = format!(".{}", shortened_name(target));
    let directory = directory_of(target);
    let Ok(entries) = std::fs::read_dir(&directory) else { return };
    let mut sidecars = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&stem) || !name.contains(PARTIAL) {
            continue;
        }
        if SQLITE_SIDECARS.iter().any(|s| name.ends_with(s)) {
            sidecars.push((entry.path(), name));
        } else if is_abandoned(&entry.path()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    for (path, name) in sidecars {
        let suffix = SQLITE_SIDECARS.iter().find(|s| name.ends_with(*s)).map_or(0, |s| s.len());
        let base = directory.join(&name[..name.len() - suffix]);
        let plain = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if plain && std::fs::symlink_metadata(&base).is_err() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Whether a temporary file was left by a process that is gone: a regular
/// file, settled, that no one holds locked. Opened without following a
/// link and without blocking on a FIFO.
fn is_abandoned(path: &Path) -> bool {
    use std::os::unix::fs::OpenOptionsExt;
    let Ok(file) = OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path) else {
        return false;
    };
    let Ok(meta) = file.metadata() else { return false };
    let settled =
        meta.modified().ok().and_then(|m| SystemTime::now().duration_since(m).ok()).is_some_and(|age| age >= SETTLED);
    meta.is_file() && settled && file.try_lock().is_ok()
}

/// `.NAME.ipart-partial.`: the start of the temporary files for `target`.
fn partial_prefix(target: &Path) -> OsString {
    OsString::from(format!(".{}{PARTIAL}", shortened_name(target)))
}

/// The name of `target`, shortened when long, so that the temporary file's
/// name always fits.
fn shortened_name(target: &Path) -> String {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let mut end = name.len().min(100);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

fn directory_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

fn remove_sidecars(path: &Path) {
    for suffix in SQLITE_SIDECARS {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let side = PathBuf::from(name);
        if std::fs::symlink_metadata(&side).is_ok_and(|m| m.is_file()) {
            let _ = std::fs::remove_file(side);
        }
    }
}

/// Makes a rename durable. Best effort: not every file system can sync a
/// directory.
pub fn sync_directory(path: &Path) {
    if let Ok(dir) = File::open(directory_of(path)) {
        let _ = dir.sync_all();
    }
}

/// An I/O error that names the file it concerns.
fn named(target: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot write {}: {e}", target.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    fn message(result: Result<impl Sized>) -> String {
        format!("{:#}", result.err().expect("an error"))
    }

    #[test]
    fn nothing_is_visible_until_the_commit_and_then_the_whole_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let mut out = OutFile::create(&target, false).unwrap();
        out.write_all(b"a,b\n1,2\n").unwrap();
        assert!(!target.exists());
        let partial = names(dir.path());
        assert_eq!(partial.len(), 1);
        assert!(partial[0].starts_with(".out.csv.ipart-partial."), "{partial:?}");
        out.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"a,b\n1,2\n");
        assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[test]
    fn a_file_dropped_or_failed_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let out = OutFile::create(&target, false).unwrap();
        std::fs::write(format!("{}-journal", out.temporary_path().display()), "sqlite's").unwrap();
        drop(out);
        let failed = write_file(&target, false, |out| -> Result<()> {
            out.write_all(b"half")?;
            anyhow::bail!("the query failed")
        });
        assert_eq!(message(failed), "the query failed");
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[test]
    fn a_name_that_appears_while_writing_is_not_replaced_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let mut out = OutFile::create(&target, false).unwrap();
        out.write_all(b"ours").unwrap();
        std::fs::write(&target, "theirs").unwrap();
        let shown = target.display();
        assert_eq!(
            message(out.commit()),
            format!(
                "{shown} already exists; it was left untouched (give --force to replace it, or choose another name)"
            )
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs");
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[test]
    fn force_replaces_a_symbolic_link_and_never_writes_what_it_points_to() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("out.csv");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(message(OutFile::create(&link, false)).contains("already exists"));
        write_file(&link, true, |out| Ok(out.write_all(b"new")?)).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "new");
        // A dangling link is a name that exists too.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(message(OutFile::create(&dangling, false)).contains("already exists"));
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn directories_and_special_files_are_refused_before_anything_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let shown = dir.path().display();
        assert_eq!(message(OutFile::create(dir.path(), true)), format!("{shown} is a directory; give a file name"));
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(
            message(OutFile::create(&fifo, true)),
            format!(
                "{} is a named pipe (FIFO); ipart writes regular files only and does not replace it, even with --force",
                fifo.display()
            )
        );
        let missing = dir.path().join("missing").join("out.csv");
        assert_eq!(
            message(OutFile::create(&missing, false)),
            format!("cannot write {}: No such file or directory (os error 2)", missing.display())
        );
        assert_eq!(names(dir.path()), ["pipe"]);
    }

    #[test]
    fn leftovers_of_killed_runs_go_but_a_file_being_written_stays() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.html");
        // A run that was killed: its file, unlocked, and SQLite's beside it.
        let dead = dir.path().join(".report.html.ipart-partial.AAAAAAAAAA");
        std::fs::write(&dead, "half a report").unwrap();
        std::fs::write(dir.path().join(".report.html.ipart-partial.AAAAAAAAAA-journal"), "").unwrap();
        let old = SystemTime::now() - Duration::from_secs(5);
        File::options().write(true).open(&dead).unwrap().set_modified(old).unwrap();
        // A copy named after it, left by a killed run: a restore's copy of the registry.
        let derived = dir.path().join(".report.html.before-restore-x.backup.ipart-partial.CCCCCCCCCC");
        std::fs::write(&derived, "").unwrap();
        File::options().write(true).open(&derived).unwrap().set_modified(old).unwrap();
        // A run still writing: its file is locked.
        let live = OutFile::create(&dir.path().join("report.html"), false).unwrap();
        File::options().write(true).open(live.temporary_path()).unwrap().set_modified(old).unwrap();
        // Another file's leftovers and the user's own files are not ours to remove.
        std::fs::write(dir.path().join(".other.csv.ipart-partial.BBBBBBBBBB"), "").unwrap();
        std::fs::write(dir.path().join(".report.html.swp"), "").unwrap();
        clear_leftovers(&target);
        let live_name = live.temporary_path().file_name().unwrap().to_string_lossy().into_owned();
        let mut expected = vec![".other.csv.ipart-partial.BBBBBBBBBB".to_string(), ".report.html.swp".to_string()];
        expected.push(live_name);
        expected.sort();
        assert_eq!(names(dir.path()), expected);
    }

    #[test]
    fn a_write_error_names_the_file() {
        let e = named(Path::new("out.csv"), io::Error::from_raw_os_error(28));
        assert_eq!(e.to_string(), "cannot write out.csv: No space left on device (os error 28)");
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
    }
}
