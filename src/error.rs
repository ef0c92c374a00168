//! Errors that carry their exit code: the contract scripts rely on.
//!
//! Code paths raise [`Error`] through the constructors below; anything else
//! (an I/O error, a bug) reaches `main` as an `anyhow::Error` and exits 1.
//! SQLite errors are classified here too, so a busy or corrupt registry is
//! reported the same way wherever it surfaces.

use std::fmt;

/// The exit codes of `ipart`, documented in the README and `ipart --help`.
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
    /// registry, corrupt or read-only.
    Registry = 4,
    /// 5: the registry is busy (another process is writing); try again.
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

/// The exit code for any error that reaches `main`, and the message to print.
pub fn classify(err: &anyhow::Error) -> (ExitCode, String) {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<Error>() {
            return (e.code, format!("{err:#}"));
        }
        if let Some(e) = cause.downcast_ref::<rusqlite::Error>()
            && let Some(code) = sqlite_exit_code(e)
        {
            let message = match code {
                ExitCode::Busy => {
                    let waited = crate::store::busy_timeout().map(|d| d.as_millis()).unwrap_or_default();
                    format!(
                        "registry busy: another process is writing to it; try again (gave up after {waited} ms; IPART_BUSY_TIMEOUT_MS sets how long to wait)"
                    )
                }
                _ => format!("{err:#}"),
            };
            return (code, message);
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

fn sqlite_exit_code(e: &rusqlite::Error) -> Option<ExitCode> {
    use rusqlite::ErrorCode as C;
    let rusqlite::Error::SqliteFailure(f, _) = e else { return None };
    match f.code {
        C::DatabaseBusy | C::DatabaseLocked => Some(ExitCode::Busy),
        C::NotADatabase | C::DatabaseCorrupt | C::ReadOnly | C::CannotOpen => Some(ExitCode::Registry),
        C::ConstraintViolation => Some(ExitCode::Invalid),
        _ => None,
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = anyhow::Error> = std::result::Result<T, E>;
