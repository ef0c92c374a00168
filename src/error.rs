//! Errors that carry their exit code: the contract scripts rely on.
//!
//! Code paths raise [`Error`] through the constructors below; anything else
//! (an I/O error, a bug) reaches `main` as an `anyhow::Error` and exits 1.
//! SQLite errors are classified here too, so a busy or corrupt registry is
//! reported the same way wherever it surfaces.

use std::fmt;

/// The exit codes of `ipart`, documented in docs/scripting.md and `ipart --help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: success (also when a list is empty).
    Success = 0,
    /// 1: an unexpected failure (I/O, a bug).
    Failure = 1,
    /// 2: the command line is wrong (unknown flag, missing argument).
    Usage = 2,
    /// 3: the data was refused by validation; nothing was written.
    Invalid = 3,
    /// 4: the registry cannot be used: missing, newer than this binary, not a
    /// registry, not a regular file, damaged, read-only, or on a disk that
    /// fails or is full.
    Registry = 4,
    /// 5: the registry is busy (another process is writing, or it was
    /// replaced by a restore while the command waited); try again.
    Busy = 5,
    /// 6: the record asked for does not exist.
    NotFound = 6,
}

/// An error whose kind decides the exit code.
#[derive(Debug)]
pub struct Error {
    pub code: ExitCode,
    pub message: String,
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error { code: ExitCode::Invalid, message: message.into() }
    }
    pub fn registry(message: impl Into<String>) -> Self {
        Error { code: ExitCode::Registry, message: message.into() }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Error { code: ExitCode::NotFound, message: message.into() }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Error { code: ExitCode::Usage, message: message.into() }
    }
    pub fn busy(message: impl Into<String>) -> Self {
        Error { code: ExitCode::Busy, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `return Err(invalid!("..."))`-style shorthands.
#[macro_export]
macro_rules! invalid {
    ($($arg:tt)*) => { $crate::error::Error::invalid(format!($($arg)*)) };
}

#[macro_export]
macro_rules! not_found {
    ($($arg:tt)*) => { $crate::error::Error::not_found(format!($($arg)*)) };
}

/// What to do about a damaged registry: every message that finds one ends so.
pub const DAMAGED_ADVICE: &str =
    "run `ipart db check` to see what is damaged, and `ipart db restore FILE` to put back a backup";

/// The exit code for any error that reaches `main`, and the message to print.
pub fn classify(err: &anyhow::Error) -> (ExitCode, String) {
    for (depth, cause) in err.chain().enumerate() {
        if let Some(e) = cause.downcast_ref::<Error>() {
            return (e.code, format!("{err:#}"));
        }
        if let Some(e) = cause.downcast_ref::<rusqlite::Error>()
            && e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
        {
            return (ExitCode::Invalid, format!("{err:#}"));
        }
        if let Some(e) = cause.downcast_ref::<rusqlite::Error>()
            && let Some((code, sentence)) = sqlite_problem(e)
        {
            if code == ExitCode::Busy {
                return (code, sentence);
            }
            // What the command was doing, then what SQLite met and what to do.
            let mut parts: Vec<String> = err.chain().take(depth).map(|c| c.to_string()).collect();
            parts.push(sentence);
            return (code, parts.join(": "));
        }
        // A reader that stopped reading (`ipart ... | head`) is not a failure;
        // the csv writer wraps the pipe's error in its own.
        let io = cause.downcast_ref::<std::io::Error>().or_else(|| match cause.downcast_ref::<csv::Error>()?.kind() {
            csv::ErrorKind::Io(e) => Some(e),
            _ => None,
        });
        if io.is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) {
            return (ExitCode::Success, String::new());
        }
    }
    (ExitCode::Failure, format!("{err:#}"))
}

/// SQLite's own words for an error, without the SQL it was running.
pub fn sqlite_message(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) | rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::SqliteFailure(f, None) => rusqlite::ffi::code_to_str(f.extended_code).to_string(),
        other => other.to_string(),
    }
}

/// The exit code of an SQLite error a user can meet, and a sentence that
/// says what happened and what to do; `None` for the others (exit 1).
fn sqlite_problem(e: &rusqlite::Error) -> Option<(ExitCode, String)> {
    use rusqlite::ErrorCode as C;
    /// SQLITE_READONLY_DBMOVED: the file was renamed or replaced while open.
    const READONLY_DBMOVED: i32 = 1032;
    let said = sqlite_message(e);
    let failure = match e {
        rusqlite::Error::SqliteFailure(f, _) | rusqlite::Error::SqlInputError { error: f, .. } => f,
        // Values the schema's constraints rule out: the file was changed
        // outside ipart, or is damaged.
        rusqlite::Error::Utf8Error(..) => {
            return Some((
                ExitCode::Registry,
                format!("the registry holds text that is not UTF-8; nothing was changed: {DAMAGED_ADVICE}"),
            ));
        }
        rusqlite::Error::FromSqlConversionFailure(_, _, what) => {
            return Some((ExitCode::Registry, format!("{what}; nothing was changed: {DAMAGED_ADVICE}")));
        }
        _ => return None,
    };
    let problem = match failure.code {
        C::DatabaseBusy | C::DatabaseLocked | C::FileLockingProtocolFailed => (ExitCode::Busy, busy_sentence()),
        C::ReadOnly if failure.extended_code == READONLY_DBMOVED => (
            ExitCode::Busy,
            "registry busy: the registry file was replaced (by `ipart db restore`?) while this command had it open; nothing was changed; run the command again".to_string(),
        ),
        C::ReadOnly => (
            ExitCode::Registry,
            format!(
                "the registry cannot be written ({said}): check the permissions of the file and its directory, and that its disk is not mounted read-only; nothing was changed"
            ),
        ),
        C::DatabaseCorrupt | C::NotADatabase => {
            (ExitCode::Registry, format!("the registry is damaged ({said}); nothing was changed: {DAMAGED_ADVICE}"))
        }
        C::SystemIoFailure => (
            ExitCode::Registry,
            format!(
                "the disk could not be read or written ({said}); nothing was changed: check the disk and its file system, then run `ipart db check`"
            ),
        ),
        C::DiskFull => (
            ExitCode::Registry,
            format!("the disk is full ({said}); nothing was changed: make room on it, then try again"),
        ),
        C::CannotOpen | C::PermissionDenied | C::AuthorizationForStatementDenied => (
            ExitCode::Registry,
            format!(
                "the registry cannot be opened ({said}): check that the file and its directory exist and that you may read them; nothing was changed"
            ),
        ),
        C::OutOfMemory => (ExitCode::Failure, format!("out of memory ({said}); nothing was changed")),
        C::TooBig => (ExitCode::Invalid, format!("a value is too large for the registry ({said}); nothing was changed")),
        _ => return None,
    };
    Some(problem)
}

fn busy_sentence() -> String {
    let waited = crate::store::busy_timeout().map(|d| d.as_millis()).unwrap_or_default();
    format!(
        "registry busy: another process is writing to it; try again (gave up after {waited} ms; IPART_BUSY_TIMEOUT_MS sets how long to wait)"
    )
}

/// Shorthand used throughout the crate.
pub type Result<T, E = anyhow::Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(extended_code: i32) -> anyhow::Error {
        anyhow::Error::from(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(extended_code), None))
            .context("cannot copy the registry to copy.sqlite")
    }

    #[test]
    fn every_sqlite_error_a_user_can_meet_has_its_exit_code_and_what_to_do() {
        let context = "cannot copy the registry to copy.sqlite: ";
        let cases = [
            (
                13,
                ExitCode::Registry,
                "the disk is full (database or disk is full); nothing was changed: make room on it, then try again",
            ),
            (
                10,
                ExitCode::Registry,
                "the disk could not be read or written (disk I/O error); nothing was changed: check the disk and its file system, then run `ipart db check`",
            ),
            (
                778,
                ExitCode::Registry,
                "the disk could not be read or written (disk I/O error); nothing was changed: check the disk and its file system, then run `ipart db check`",
            ),
            (
                11,
                ExitCode::Registry,
                "the registry is damaged (database disk image is malformed); nothing was changed: run `ipart db check` to see what is damaged, and `ipart db restore FILE` to put back a backup",
            ),
            (
                26,
                ExitCode::Registry,
                "the registry is damaged (file is not a database); nothing was changed: run `ipart db check` to see what is damaged, and `ipart db restore FILE` to put back a backup",
            ),
            (
                8,
                ExitCode::Registry,
                "the registry cannot be written (attempt to write a readonly database): check the permissions of the file and its directory, and that its disk is not mounted read-only; nothing was changed",
            ),
            (
                14,
                ExitCode::Registry,
                "the registry cannot be opened (unable to open database file): check that the file and its directory exist and that you may read them; nothing was changed",
            ),
            (7, ExitCode::Failure, "out of memory (out of memory); nothing was changed"),
        ];
        for (code, exit, sentence) in cases {
            assert_eq!(classify(&sqlite(code)), (exit, format!("{context}{sentence}")), "SQLite error {code}");
        }
        // Busy, locked, and a file replaced while open: try again, without the context.
        for code in [5, 6, 15] {
            let (exit, message) = classify(&sqlite(code));
            assert_eq!(exit, ExitCode::Busy, "SQLite error {code}");
            assert!(message.starts_with("registry busy: another process is writing to it; try again"), "{message}");
        }
        assert_eq!(
            classify(&sqlite(1032)),
            (
                ExitCode::Busy,
                "registry busy: the registry file was replaced (by `ipart db restore`?) while this command had it open; nothing was changed; run the command again".to_string()
            )
        );
    }

    #[test]
    fn the_sql_of_a_failed_statement_is_not_repeated() {
        let e = rusqlite::Error::SqlInputError {
            error: rusqlite::ffi::Error::new(1),
            msg: "table theme already exists".to_string(),
            sql: "CREATE TABLE theme (...) -- and 20 KB more".to_string(),
            offset: 13,
        };
        assert_eq!(sqlite_message(&e), "table theme already exists");
    }
}
