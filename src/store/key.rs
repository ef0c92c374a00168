//! The key of the student pseudonyms, kept outside the registry.
//!
//! A pseudonym is HMAC-SHA256 of a student identifier under this key (see
//! `student`). Student numbers are few enough to try them all, so whoever
//! holds the key and the pseudonyms holds the student numbers: the key
//! therefore never lives in the registry or in any copy of it. It lives in
//! a key file of its own, readable by its owner only:
//!
//! * by default in the user's configuration directory,
//!   `ipart/keys/KEYID.key` (`~/.config/ipart/keys/` on Linux), so that
//!   several registries each find their own;
//! * or in the file named by `--key-file` or `IPART_KEY_FILE`.
//!
//! The registry keeps only a check value, HMAC-SHA256 of "ipart key check"
//! under the key: it tells which key belongs to the registry (the key id,
//! which names the key file, is its first eight bytes) and refuses a wrong
//! one, and gives nothing away about the key.
//!
//! Registries of schema 7 and before kept the key in `registry_secret`;
//! [`move_out`] takes it out when such a registry is opened for writing.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hmac::{Hmac, KeyInit, Mac};
use rusqlite::Connection;
use sha2::Sha256;

use super::{Writer, optional};
use crate::error::{Error, Result};

/// What the check value is the HMAC of.
const CHECK_MESSAGE: &[u8] = b"ipart key check";

/// The first line that is not a comment in a key file.
const FORMAT: &str = "ipart-student-key-1";

/// The name under which registries of schema 7 and before kept the key.
const LEGACY_NAME: &str = "student_id_key";

/// A key file is a few hundred bytes; anything much larger is not one.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// The key of a registry's student pseudonyms: 32 random bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        write!(f, "Key({})", self.id())
    }
}

/// HMAC-SHA256 of [`CHECK_MESSAGE`] under a key.
pub type CheckValue = [u8; 32];

impl Key {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Key> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| Error::registry(format!("cannot make the key for student pseudonyms: {e}")))?;
        Ok(Key(key))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The check value the registry keeps for this key.
    pub fn check(&self) -> CheckValue {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(CHECK_MESSAGE);
        mac.finalize().into_bytes().into()
    }

    /// The key id: the first eight bytes of the check value, in hex.
    pub fn id(&self) -> String {
        key_id(&self.check())
    }

    /// The text of a key file holding this key.
    pub fn to_file_text(&self) -> String {
        format!(
            "# The key of the student pseudonyms of an ipart registry (key id {id}).\n\
             # With this key and the registry, a guessed student number can be tested\n\
             # against the pseudonyms: keep it apart from the registry and its backups,\n\
             # readable by you only. `ipart key import FILE` puts a copy in place.\n\
             {FORMAT}\n\
             check {check}\n\
             key {key}\n",
            id = self.id(),
            check = hex(&self.check()),
            key = hex(&self.0),
        )
    }

    /// Reads the text of a key file; `source` names it in messages.
    pub fn from_file_text(text: &str, source: &str) -> Result<Key> {
        let not_key = |line: usize, what: &str| -> anyhow::Error {
            Error::invalid(format!(
                "{source}:{line}: {what}; a key file of ipart (made by `ipart key export`) has the lines \
                 `{FORMAT}`, `check HEX` and `key HEX`"
            ))
            .into()
        };
        // The lines that say something, numbered from 1.
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
            .collect();
        match lines.first() {
            None => return Err(not_key(1, "this is not a key file (it is empty)")),
            Some((n, first)) if *first != FORMAT => return Err(not_key(*n, "this is not a key file")),
            Some(_) => {}
        }
        let field = |index: usize, name: &str| -> Result<[u8; 32]> {
            let Some((n, line)) = lines.get(index) else {
                let last = lines.last().map_or(1, |(n, _)| *n);
                return Err(not_key(last, &format!("the line `{name} HEX` is missing")));
            };
            let value = line
                .strip_prefix(name)
                .filter(|rest| rest.starts_with(' '))
                .ok_or_else(|| not_key(*n, &format!("`{name} HEX` was expected here")))?;
            unhex(value.trim()).ok_or_else(|| not_key(*n, &format!("the {name} is not 64 hexadecimal digits")))
        };
        let check = field(1, "check")?;
        let key = Key(field(2, "key")?);
        if let Some((n, _)) = lines.get(3) {
            return Err(not_key(*n, "nothing is expected after the key"));
        }
        if key.check() != check {
            return Err(Error::invalid(format!(
                "{source}: the key does not match the check value written beside it: the file is damaged \
                 (take another copy)"
            ))
            .into());
        }
        Ok(key)
    }
}

/// The key id of a check value: its first eight bytes, in hex.
pub fn key_id(check: &CheckValue) -> String {
    hex(&check[..8])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Where the key of a registry is kept.
#[derive(Clone, Debug)]
pub enum KeyPlace {
    /// A directory of key files, each named by its key id: by default the
    /// user's configuration directory, `ipart/keys`.
    Directory(PathBuf),
    /// One file, named by `--key-file` or `IPART_KEY_FILE`.
    File(PathBuf),
    /// With the registry in memory (`--demo`): lost with it.
    Memory(Arc<Mutex<Option<Key>>>),
    /// No configuration directory is known (no HOME).
    Unknown,
}

impl KeyPlace {
    /// The user's key directory, or the file given.
    pub fn for_user(file: Option<&Path>) -> KeyPlace {
        match file {
            Some(file) => KeyPlace::File(file.to_path_buf()),
            None => match dirs::config_dir() {
                Some(dir) => KeyPlace::Directory(dir.join("ipart").join("keys")),
                None => KeyPlace::Unknown,
            },
        }
    }

    pub fn memory() -> KeyPlace {
        KeyPlace::Memory(Arc::new(Mutex::new(None)))
    }

    /// The file that holds (or is to hold) the key whose check value is
    /// `check`; `None` in memory.
    pub fn path_for(&self, check: &CheckValue) -> Result<Option<PathBuf>> {
        match self {
            KeyPlace::Directory(dir) => Ok(Some(dir.join(format!("{}.key", key_id(check))))),
            KeyPlace::File(file) => Ok(Some(file.clone())),
            KeyPlace::Memory(_) => Ok(None),
            KeyPlace::Unknown => Err(Error::registry(
                "the key of the student pseudonyms has no place: the user's configuration directory is not known \
                 (HOME is not set); name the key file with --key-file or IPART_KEY_FILE",
            )
            .into()),
        }
    }

    /// Where the key of `check` is, in words.
    pub fn describe(&self, check: &CheckValue) -> String {
        match self.path_for(check) {
            Ok(Some(path)) => path.display().to_string(),
            Ok(None) => "memory".to_string(),
            Err(_) => "no place (no configuration directory is known)".to_string(),
        }
    }

    /// The key whose check value is `check`; `None` when its file is not
    /// there. A file holding another key, or one that others can read, is
    /// refused.
    pub fn load(&self, check: &CheckValue) -> Result<Option<Key>> {
        if let KeyPlace::Memory(slot) = self {
            return Ok(slot.lock().expect("the key slot is never poisoned").clone().filter(|k| k.check() == *check));
        }
        let path = self.path_for(check)?.expect("a key file outside memory");
        let Some(key) = read_key_file(&path)? else { return Ok(None) };
        refuse_shared(&path)?;
        if key.check() != *check {
            return Err(Error::registry(format!(
                "{} holds the key with id {}, not the key of this registry (id {}); name the right file with \
                 --key-file or IPART_KEY_FILE, or bring a copy with `ipart key import FILE`; nothing was changed",
                path.display(),
                key.id(),
                key_id(check)
            ))
            .into());
        }
        Ok(Some(key))
    }

    /// Keeps `key` here: writes its key file (0600, whole or not at all),
    /// then reads it back to make sure. A file that holds this key already
    /// is left as it is; one holding another key is never replaced.
    /// Returns the file (`None` in memory).
    pub fn store(&self, key: &Key) -> Result<Option<PathBuf>> {
        if let KeyPlace::Memory(slot) = self {
            *slot.lock().expect("the key slot is never poisoned") = Some(key.clone());
            return Ok(None);
        }
        let check = key.check();
        let path = self.path_for(&check)?.expect("a key file outside memory");
        let shown = path.display();
        let refuse_other = |other: &Key| -> anyhow::Error {
            Error::registry(format!(
                "{shown} already holds another key (id {}), which is never replaced; name another file for this \
                 registry's key (id {}) with --key-file or IPART_KEY_FILE",
                other.id(),
                key.id()
            ))
            .into()
        };
        match read_key_file(&path)? {
            Some(there) if there == *key => return Ok(Some(path)),
            Some(other) => return Err(refuse_other(&other)),
            None => {}
        }
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            make_private_dir(dir)?;
        }
        let text = key.to_file_text();
        let written = crate::outfile::write_file(&path, false, |out| Ok(out.write_all(text.as_bytes())?));
        if let Err(e) = written {
            // Another process may have put the same key there meanwhile.
            return match read_key_file(&path) {
                Ok(Some(there)) if there == *key => Ok(Some(path)),
                Ok(Some(other)) => Err(refuse_other(&other)),
                _ => Err(e.context(format!("cannot write the key file {shown}"))),
            };
        }
        match read_key_file(&path)? {
            Some(there) if there == *key => Ok(Some(path)),
            _ => Err(Error::registry(format!("the key file {shown} does not read back as written")).into()),
        }
    }
}

/// Creates `dir` (and its parents) readable by the user only.
fn make_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::registry(format!("cannot create the key directory {}: {e}", dir.display())).into())
}

/// The key in the key file at `path`; `None` when there is no file.
pub fn read_key_file(path: &Path) -> Result<Option<Key>> {
    let shown = path.display();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::registry(format!("cannot read the key file {shown}: {e}")).into()),
    };
    if meta.is_dir() {
        return Err(Error::registry(format!("{shown} is a directory, not a key file")).into());
    }
    if let Some(kind) = crate::outfile::special_kind(&meta) {
        return Err(Error::registry(format!("{shown} is a {kind}, not a key file")).into());
    }
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err(Error::invalid(format!(
            "{shown} is not a key file of ipart ({} bytes; a key file has a few hundred)",
            meta.len()
        ))
        .into());
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_KEY_FILE_BYTES).read_to_string(&mut text))
        .map_err(|e| Error::registry(format!("cannot read the key file {shown}: {e}")))?;
    Key::from_file_text(&text, &shown.to_string()).map(Some)
}

/// Refuses a key file that other users can read, as ssh does its keys.
fn refuse_shared(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::registry(format!(
            "the key file {shown} can be read by other users (mode {mode:o}); `chmod 600 {shown}` keeps it to its \
             owner; nothing was changed",
            shown = path.display()
        ))
        .into());
    }
    Ok(())
}

/// The check value of the registry's key; `None` before its first key.
pub fn stored_check(conn: &Connection) -> Result<Option<CheckValue>> {
    let value: Option<Vec<u8>> =
        optional(conn.query_row("SELECT value FROM student_key_check WHERE id = 1", [], |r| r.get(0)))?;
    match value {
        None => Ok(None),
        Some(v) => v.try_into().map(Some).map_err(|_| {
            Error::registry("the check value of the student key is damaged (not 32 bytes); run `ipart db check`").into()
        }),
    }
}

/// The key a registry of schema 7 or before kept inside itself, if it is
/// still there.
pub fn legacy_key(conn: &Connection) -> Result<Option<Key>> {
    let value: Option<Vec<u8>> =
        optional(conn.query_row("SELECT value FROM registry_secret WHERE name = ?1", [LEGACY_NAME], |r| r.get(0)))?;
    match value {
        None => Ok(None),
        Some(v) => v.try_into().map(|bytes| Some(Key(bytes))).map_err(|_| {
            Error::registry("the key for student pseudonyms is damaged (not 32 bytes); run `ipart db check`").into()
        }),
    }
}

/// Records the check value of a new key (in `w`'s transaction).
pub fn record_check(w: &Writer, key: &Key) -> Result<()> {
    w.execute("INSERT INTO student_key_check (id, value) VALUES (1, ?1)", [&key.check()[..]])?;
    Ok(())
}

/// Where [`move_out`] put a key.
#[derive(Debug)]
pub struct Moved {
    /// The key file (`None` in memory).
    pub to: Option<PathBuf>,
    /// The key id.
    pub id: String,
    /// The write-ahead log was folded into the file and emptied, so that
    /// the key's bytes are gone from both; false when a reader held it up.
    pub checkpointed: bool,
}

/// Takes the key of a registry of schema 7 or before out of it: the key
/// file is written and read back first, then, in one transaction, the
/// check value is recorded and the key deleted with SQLite's
/// `secure_delete` (its bytes overwritten, not left in a free page or
/// cell), and the write-ahead log is folded in and truncated. `None` when
/// the registry holds no key.
pub fn move_out(registry: &mut super::Registry) -> Result<Option<Moved>> {
    let Some(key) = legacy_key(registry.conn())? else { return Ok(None) };
    let to = registry.key_place().store(&key)?;
    registry.conn().pragma_update(None, "secure_delete", true)?;
    let moved = registry.write("key move", |w| {
        // Another process may have moved it meanwhile.
        if legacy_key(w)?.as_ref() != Some(&key) {
            return Ok(());
        }
        match stored_check(w)? {
            Some(check) if check != key.check() => {
                return Err(Error::registry(format!(
                    "the registry holds a key (id {}) and the check value of another (id {}); run `ipart db check`",
                    key.id(),
                    key_id(&check)
                ))
                .into());
            }
            Some(_) => {}
            None => record_check(w, &key)?,
        }
        w.execute("DELETE FROM registry_secret WHERE name = ?1", [LEGACY_NAME])?;
        let place = to.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "memory".into());
        let old = serde_json::json!({ "student_key": "in the registry", "key_id": key.id() });
        let new = serde_json::json!({ "student_key": place, "key_id": key.id() });
        w.audit("registry", 0, Some(&old), Some(&new))
    });
    let secure_off = registry.conn().pragma_update(None, "secure_delete", false);
    moved?;
    secure_off?;
    let checkpointed = registry.path().is_none() || checkpoint(registry.conn())?;
    Ok(Some(Moved { to, id: key.id(), checkpointed }))
}

/// Folds the write-ahead log into the file and truncates it; false when a
/// reader kept part of it.
fn checkpoint(conn: &Connection) -> Result<bool> {
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(busy == 0)
}

/// Takes the key out of a copy of a registry of schema 7 or before (the
/// copy kept before an upgrade): deleted with `secure_delete`, the check
/// value left in its place (schema step 8 carries it over when the copy is
/// restored), and the copy left in rollback mode, one file.
pub(crate) fn clear_copy(path: &Path, key: &Key) -> Result<()> {
    let conn = super::open_copy(path)?;
    conn.pragma_update(None, "secure_delete", true)?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let cleared = (|| -> Result<()> {
        conn.execute(
            "INSERT OR REPLACE INTO registry_secret (name, value) VALUES ('student_key_check', ?1)",
            [&key.check()[..]],
        )?;
        conn.execute("DELETE FROM registry_secret WHERE name = ?1", [LEGACY_NAME])?;
        Ok(())
    })();
    match cleared {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    Ok(())
}

/// What `ipart key show` tells about the key of a registry.
#[derive(Debug)]
pub struct Status {
    /// The key id, once the registry has a key.
    pub id: Option<String>,
    /// Where the key is kept (or is to be kept), in words.
    pub place: String,
    pub state: State,
    /// How many pseudonyms the registry holds.
    pub pseudonyms: i64,
}

/// Whether the key is where it belongs.
#[derive(Debug, PartialEq, Eq)]
pub enum State {
    /// The registry has no key yet: the first import with student
    /// identifiers makes one.
    NoKeyYet,
    /// The key file is there and holds the registry's key.
    Present,
    /// The key file is not there.
    Missing,
    /// The key file is there but refused (why).
    Refused(String),
    /// The key is still inside the registry (schema 7 and before, opened
    /// read-only).
    InRegistry,
}

impl State {
    /// The state as a word, for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            State::NoKeyYet => "none",
            State::Present => "present",
            State::Missing => "missing",
            State::Refused(_) => "refused",
            State::InRegistry => "in_registry",
        }
    }
}

/// Where the key of `registry` is and whether it is there.
pub fn status(registry: &super::Registry) -> Result<Status> {
    let conn = registry.conn();
    let place = registry.key_place();
    let pseudonyms: i64 = conn.query_row("SELECT count(*) FROM assignment_student", [], |r| r.get(0))?;
    if let Some(key) = legacy_key(conn)? {
        let where_ = registry.path().map(|p| p.display().to_string()).unwrap_or_default();
        return Ok(Status { id: Some(key.id()), place: where_, state: State::InRegistry, pseudonyms });
    }
    let Some(check) = stored_check(conn)? else {
        let place = match place {
            KeyPlace::Directory(dir) => dir.join("KEYID.key").display().to_string(),
            other => other.describe(&[0; 32]),
        };
        return Ok(Status { id: None, place, state: State::NoKeyYet, pseudonyms });
    };
    let state = match place.load(&check) {
        Ok(Some(_)) => State::Present,
        Ok(None) => State::Missing,
        Err(e) => State::Refused(crate::error::classify(&e).1),
    };
    Ok(Status { id: Some(key_id(&check)), place: place.describe(&check), state, pseudonyms })
}

/// The key of `registry`, for `ipart key export`: refused when it has none
/// yet or its key file is not there.
pub fn current(registry: &super::Registry) -> Result<Key> {
    let conn = registry.conn();
    if let Some(key) = legacy_key(conn)? {
        return Ok(key);
    }
    let Some(check) = stored_check(conn)? else {
        return Err(Error::not_found(
            "this registry has no key for student pseudonyms yet: the first import with student identifiers makes one",
        )
        .into());
    };
    let place = registry.key_place();
    place.load(&check)?.ok_or_else(|| {
        Error::registry(format!(
            "the key of this registry's student pseudonyms (key id {}) is not at {}; bring it with `ipart key import \
             FILE` from the copy made with `ipart key export`, or name its file with --key-file or IPART_KEY_FILE",
            key_id(&check),
            place.describe(&check)
        ))
        .into()
    })
}

/// What `ipart key import` did: where the key is now, and whether it was
/// there already.
#[derive(Debug)]
pub struct Imported {
    pub id: String,
    pub to: String,
    pub already_there: bool,
}

/// Puts the key in the key file `source` in its place, after checking
/// that it is the key of `registry`; the registry itself is not written.
pub fn import(registry: &super::Registry, source: &Path) -> Result<Imported> {
    let shown = source.display();
    let key = read_key_file(source)?
        .ok_or_else(|| Error::usage(format!("there is no file {shown} to take the key from; nothing was changed")))?;
    let conn = registry.conn();
    let check = match (stored_check(conn)?, legacy_key(conn)?) {
        (Some(check), _) => check,
        (None, Some(inside)) => inside.check(),
        (None, None) => {
            return Err(Error::invalid(format!(
                "this registry has no key for student pseudonyms yet, so the key in {shown} (key id {}) belongs to \
                 another registry; a registry makes its own key on the first import with student identifiers; \
                 nothing was changed",
                key.id()
            ))
            .into());
        }
    };
    if key.check() != check {
        return Err(Error::invalid(format!(
            "{shown} holds the key with id {}, not the key of this registry (id {}); nothing was changed",
            key.id(),
            key_id(&check)
        ))
        .into());
    }
    let place = registry.key_place();
    let already_there = matches!(place.load(&check), Ok(Some(_)));
    if !already_there {
        place.store(&key)?;
    }
    Ok(Imported { id: key.id(), to: place.describe(&check), already_there })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_reads_back_as_written_and_checks_itself() {
        let key = Key([7; 32]);
        let text = key.to_file_text();
        assert_eq!(Key::from_file_text(&text, "k").unwrap(), key);
        assert!(text.contains(&format!("key {}", "07".repeat(32))), "{text}");
        // The check value: HMAC-SHA256 of "ipart key check", computed independently
        // (Python: hmac.new(bytes([7] * 32), b"ipart key check", hashlib.sha256)).
        let check = "5916e6db745d1eb224d73d04d657d0989ee02cf91ccaccdb9a17a990221926a7";
        assert!(text.contains(&format!("\ncheck {check}\n")), "{text}");
        assert_eq!(key.id(), check[..16]);
        // One digit changed in the key: the file is damaged.
        let damaged = text.replace(&format!("key {}", "07".repeat(32)), &format!("key 08{}", "07".repeat(31)));
        let err = Key::from_file_text(&damaged, "k").unwrap_err().to_string();
        assert!(err.contains("the key does not match the check value"), "{err}");
    }

    #[test]
    fn what_is_not_a_key_file_is_refused_with_its_line() {
        let message = |text: &str| Key::from_file_text(text, "f.txt").unwrap_err().to_string();
        assert!(message("").starts_with("f.txt:1: this is not a key file (it is empty)"));
        assert!(message("name,sector\nDUO,government\n").starts_with("f.txt:1: this is not a key file;"));
        assert!(message("# c\nipart-student-key-1\ncheck 12\n").starts_with("f.txt:3: the check is not 64 hex"));
        assert!(message("ipart-student-key-1\nkey 00\n").starts_with("f.txt:2: `check HEX` was expected here"));
        let check_only = format!("ipart-student-key-1\ncheck {}\n", "00".repeat(32));
        assert!(message(&check_only).contains("the line `key HEX` is missing"), "{}", message(&check_only));
    }

    #[test]
    fn a_key_place_keeps_one_key_per_file_and_never_replaces_another() {
        let dir = tempfile::tempdir().unwrap();
        let place = KeyPlace::Directory(dir.path().join("keys"));
        let (one, two) = (Key([1; 32]), Key([2; 32]));
        let path = place.store(&one).unwrap().unwrap();
        assert_eq!(path, dir.path().join("keys").join(format!("{}.key", one.id())));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(place.store(&one).unwrap(), Some(path.clone()), "storing it again changes nothing");
        assert_eq!(place.load(&one.check()).unwrap(), Some(one.clone()));
        assert_eq!(place.load(&two.check()).unwrap(), None);
        // One file for one key: another key is refused there.
        let file = KeyPlace::File(path.clone());
        let err = file.store(&two).unwrap_err().to_string();
        assert!(err.contains("already holds another key"), "{err}");
        let err = file.load(&two.check()).unwrap_err().to_string();
        assert!(err.contains("not the key of this registry"), "{err}");
        assert_eq!(Key::from_file_text(&std::fs::read_to_string(&path).unwrap(), "k").unwrap(), one);
        // A key file others can read is refused.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = place.load(&one.check()).unwrap_err().to_string();
        assert!(err.contains("can be read by other users (mode 644)"), "{err}");
    }

    #[test]
    fn a_key_in_memory_stays_there() {
        let place = KeyPlace::memory();
        let key = Key([3; 32]);
        assert_eq!(place.store(&key).unwrap(), None);
        assert_eq!(place.load(&key.check()).unwrap(), Some(key));
        assert_eq!(place.load(&Key([4; 32]).check()).unwrap(), None);
    }
}
