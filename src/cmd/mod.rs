//! The commands. Each file holds one command's arguments and its `run`;
//! this module holds what they share: the context (which registry, colour,
//! quiet) and the helpers that turn problems into messages.

pub mod db;
pub mod entity;
pub mod export;
pub mod import;
pub mod init;
pub mod key;
pub mod list;
pub mod log;
pub mod mapping;
pub mod meta;
pub mod metric;
pub mod report;
pub mod undo;

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use crate::domain::{Date, FieldError, Lang, today};
use crate::error::{Error, Result};
use crate::output::Style;
use crate::store::{self, Registry};

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set
    #[default]
    Auto,
    Always,
    Never,
}

/// What every command needs to know besides its own arguments.
pub struct Context {
    /// The registry file (`--db`, `IPART_DB`, or the default path).
    pub db: PathBuf,
    /// Work on an in-memory copy of the demo registry instead.
    pub demo: bool,
    pub quiet: bool,
    /// Colour for stdout.
    pub style: Style,
    /// Colour for stderr.
    pub err_style: Style,
    /// `--lang`, when given.
    pub lang_flag: Option<Lang>,
    /// `--key-file` (or `IPART_KEY_FILE`), when given.
    pub key_file: Option<PathBuf>,
}

impl Context {
    pub fn new(db: Option<PathBuf>, demo: bool, color: ColorChoice, quiet: bool) -> Context {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |is_terminal: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && !no_color,
        };
        // A command held up by another one says so, once, after a second.
        store::on_long_wait(move |path| {
            if !quiet {
                eprintln!("waiting for another process to finish writing to {} ...", path.display());
            }
        });
        Context {
            db: db.unwrap_or_else(store::default_path),
            demo,
            quiet,
            style: Style::stdout(decide(std::io::stdout().is_terminal())),
            err_style: Style { color: decide(std::io::stderr().is_terminal()), width: None },
            lang_flag: None,
            key_file: None,
        }
    }

    /// The context with the key file of `--key-file` or `IPART_KEY_FILE`.
    pub fn with_key_file(mut self, key_file: Option<PathBuf>) -> Context {
        self.key_file = key_file;
        self
    }

    /// Where the key of the student pseudonyms is kept: the file given, or
    /// the user's key directory.
    pub fn key_place(&self) -> store::key::KeyPlace {
        store::key::KeyPlace::for_user(self.key_file.as_deref())
    }

    /// The context with `--lang` as given on the command line.
    pub fn with_lang(mut self, lang: Option<Lang>) -> Context {
        self.lang_flag = lang;
        self
    }

    /// The language people read: `--lang`, else `IPART_LANG`, else the
    /// locale, else English.
    pub fn lang(&self) -> Lang {
        self.lang_or(None)
    }

    /// [`Context::lang`], with `default` taking the place of the locale:
    /// an HTML report is published in Dutch unless asked otherwise.
    pub fn lang_or(&self, default: Option<Lang>) -> Lang {
        self.lang_flag
            .or_else(|| lang_from_env("IPART_LANG"))
            .or(default)
            .or_else(|| ["LC_ALL", "LC_MESSAGES", "LANG"].into_iter().find_map(lang_from_locale))
            .unwrap_or_default()
    }

    /// Opens the registry the command works on. With `--demo`, a fresh
    /// in-memory registry loaded with the bundled demo data.
    pub fn open(&self) -> Result<Registry> {
        if self.demo {
            let mut registry = Registry::create_in_memory()?;
            crate::demo::load(&mut registry)?;
            return Ok(registry);
        }
        let (registry, report) = Registry::open_keyed(&self.db, self.key_place())?;
        if let Some((from, backup)) = &report.migrated_from {
            let without_key = if report.key_moved.is_some() && report.key_warnings.is_empty() {
                ", without the key of its student pseudonyms"
            } else {
                ""
            };
            self.info(format!(
                "upgraded registry {} from schema version {from} to {} (the old file was copied to {}{without_key})",
                self.db.display(),
                store::SCHEMA_VERSION,
                backup.display()
            ));
        }
        if let Some(moved) = &report.key_moved {
            self.tell_key_moved(&self.db.display().to_string(), moved);
        }
        for warning in &report.key_warnings {
            self.warn(warning);
        }
        Ok(registry)
    }

    /// Says where the key of the student pseudonyms of `registry` went
    /// (shown even with `--quiet`: it happens once, and the key must be
    /// looked after from then on).
    pub fn tell_key_moved(&self, registry: &str, moved: &store::key::Moved) {
        let to = moved.to.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "memory".to_string());
        eprintln!(
            "ipart: the key of the student pseudonyms of registry {registry} (key id {}) was moved out of the \
             registry to {to}; keep a copy apart from the registry's backups (`ipart key export FILE`)",
            moved.id
        );
    }

    /// A message for the person at the terminal (stderr), unless `--quiet`.
    pub fn info(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    /// A message for the person at the terminal, in their language.
    pub fn say(&self, en: impl std::fmt::Display, nl: impl std::fmt::Display) {
        match self.lang() {
            Lang::En => self.info(en),
            Lang::Nl => self.info(nl),
        }
    }

    /// A warning on stderr (shown even with `--quiet`).
    pub fn warn(&self, message: impl std::fmt::Display) {
        let prefix = if self.err_style.color { "\x1b[1;33mwarning:\x1b[0m" } else { "warning:" };
        eprintln!("ipart: {prefix} {message}");
    }

    /// Says that a change went nowhere, with `--demo`.
    pub fn note_demo_write(&self) {
        if self.demo {
            self.info("(--demo: this change was made to an in-memory copy of the demo registry and is not kept)");
        }
    }

    /// Buffered stdout.
    pub fn stdout(&self) -> BufWriter<std::io::StdoutLock<'static>> {
        BufWriter::new(std::io::stdout().lock())
    }

    pub fn today(&self) -> Result<Date> {
        Ok(today()?)
    }
}

/// `IPART_LANG=nl` (also `nl_NL.UTF-8`, `dutch`): an explicit choice.
fn lang_from_env(name: &str) -> Option<Lang> {
    let value = std::env::var(name).ok()?;
    parse_lang(&value)
}

/// The language of a locale variable; `None` when it is unset or empty, so
/// the next variable is asked (as POSIX does for LC_ALL, LC_MESSAGES, LANG).
fn lang_from_locale(name: &str) -> Option<Lang> {
    let value = std::env::var(name).ok().filter(|v| !v.trim().is_empty())?;
    Some(parse_lang(&value).unwrap_or(Lang::En))
}

fn parse_lang(value: &str) -> Option<Lang> {
    let v = value.trim().to_ascii_lowercase();
    if v.is_empty() {
        None
    } else if v == "nl" || v.starts_with("nl_") || v.starts_with("nl-") || v.starts_with("nl.") || v == "dutch" {
        Some(Lang::Nl)
    } else {
        Some(Lang::En)
    }
}

/// Flushes stdout, treating a closed pipe (`ipart ... | head`) as success.
pub fn finish(mut out: impl Write) -> Result<()> {
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// The command-line flag for a native field: `left_on` -> `--left-on`.
pub fn flag_of(field: &str) -> String {
    match field {
        "status_history" | "status" => "--status".to_string(),
        "status_since" => "--on".to_string(),
        "aliases" => "--alias".to_string(),
        "regions" => "--region".to_string(),
        "themes" => "--theme".to_string(),
        "members" => "--member".to_string(),
        "partners" => "--partner".to_string(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// Problems found in command-line values, one per line, named by flag.
pub fn problems_error(problems: Vec<FieldError>) -> Error {
    let lines: Vec<String> = problems.iter().map(|p| format!("{}: {}", flag_of(p.field), p.message)).collect();
    Error::invalid(format!("{}\nnothing was changed", lines.join("\n")))
}

/// Parses a date a command is to write, in the years ipart accepts
/// (`domain::date::check_date`), naming the flag on failure.
pub fn new_date_arg(flag: &str, value: &str, today: Date) -> Result<Date> {
    let day = date_arg(flag, value)?;
    crate::domain::date::check_date(day, today).map_err(|e| Error::invalid(format!("{flag}: {}", e.message)))?;
    Ok(day)
}

/// Parses a date given on the command line, naming the flag on failure.
pub fn date_arg(flag: &str, value: &str) -> Result<Date> {
    crate::domain::parse_date(value).map_err(|e| Error::invalid(format!("{flag}: {}", e.message)).into())
}

/// The date a listing or report is taken on: `--as-of`, else the end of
/// `--year`, else none.
pub fn as_of_arg(as_of: Option<&str>, year: Option<i16>) -> Result<Option<Date>> {
    match (as_of, year) {
        (Some(d), _) => Ok(Some(date_arg("--as-of", d)?)),
        (None, Some(y)) => Ok(Some(crate::domain::date::year_end(y)?)),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_the_environment() {
        assert_eq!(parse_lang("nl"), Some(Lang::Nl));
        assert_eq!(parse_lang("nl_NL.UTF-8"), Some(Lang::Nl));
        assert_eq!(parse_lang("NL-be"), Some(Lang::Nl));
        assert_eq!(parse_lang("en_GB.UTF-8"), Some(Lang::En));
        assert_eq!(parse_lang("C"), Some(Lang::En));
        assert_eq!(parse_lang(" "), None);
        assert_eq!(parse_lang("nlx"), Some(Lang::En));
    }
}
