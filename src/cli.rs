//! The command line: global options and the list of commands. Each
//! command's own arguments live with its code in `cmd/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cmd::ColorChoice;
use crate::cmd::db::DbCommand;
use crate::cmd::entity::RecordCommand;
use crate::cmd::export::ExportArgs;
use crate::cmd::import::ImportArgs;
use crate::cmd::init::InitArgs;
use crate::cmd::key::KeyCommand;
use crate::cmd::log::LogArgs;
use crate::cmd::mapping::MappingCommand;
use crate::cmd::metric::MetricCommand;
use crate::cmd::report::ReportArgs;
use crate::cmd::undo::UndoArgs;
use crate::error::ExitCode;

/// The exit codes, in order, as `ipart --help` and the man pages list them.
pub const EXIT_CODES: [ExitCode; 7] = [
    ExitCode::Success,
    ExitCode::Failure,
    ExitCode::Usage,
    ExitCode::Invalid,
    ExitCode::Registry,
    ExitCode::Busy,
    ExitCode::NotFound,
];

/// What an exit code tells a script (a new code cannot go without one).
pub fn exit_code_meaning(code: ExitCode) -> &'static str {
    match code {
        ExitCode::Success => "success (also when a list is empty)",
        ExitCode::Failure => "unexpected failure (I/O error, a bug)",
        ExitCode::Usage => "usage error (unknown command or flag, missing argument)",
        ExitCode::Invalid => "data refused by validation; nothing was written",
        ExitCode::Registry => {
            "registry problem: missing, newer than this ipart, not a registry, damaged, read-only, or on a disk \
             that fails or is full"
        }
        ExitCode::Busy => "registry busy: another process is writing (or a restore replaced it); try again",
        ExitCode::NotFound => "the record asked for does not exist",
    }
}

const EXAMPLES: &str = "Examples:
  ipart init --demo                      create a registry with the demo data
  ipart --demo assignment list --year 2023 --status completed
  ipart partner add DUO --sector government --region noord --joined-on 2020-06-01
  ipart assignment status 12 completed --on 2023-06-30
  ipart import assignments osiris.csv --map fixtures/import/hanze-osiris/osiris.toml
  ipart export assignments --year 2023 --format json
  ipart undo --dry-run                   show what taking back the last change would do
  ipart man report | man -l -            the manual page of a command";

/// The text after the options of `ipart --help`: examples, exit codes.
fn after_help() -> String {
    let codes: Vec<String> =
        EXIT_CODES.iter().map(|&code| format!("  {}  {}", code as u8, exit_code_meaning(code))).collect();
    format!("{EXAMPLES}\n\nExit codes:\n{}", codes.join("\n"))
}

/// Where the options that work with every command are listed in `--help`.
pub const GLOBAL_OPTIONS: &str = "Global options";

/// The registry of I-Partnerschap: partners, student assignments, labs, PhD
/// candidates, courses and events, and the yearly figures.
#[derive(Debug, Parser)]
#[command(name = "ipart", version, after_help = after_help(), propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = GLOBAL_OPTIONS)]
pub struct GlobalArgs {
    /// The registry file [default: the user's data directory, ipart/registry.sqlite]
    #[arg(long, global = true, env = "IPART_DB", hide_env_values = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Work on an in-memory copy of the bundled demo registry (nothing is kept)
    #[arg(long, global = true)]
    pub demo: bool,
    /// When to use colour (NO_COLOR is honoured with auto)
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Say nothing on stderr but errors and warnings
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// The language people read: tables, headers, values, confirmations and messages
    /// [default: IPART_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG), else en; HTML reports: nl]
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    pub lang: Option<crate::domain::Lang>,
    /// The file holding the key of the student pseudonyms
    /// [default: the user's config directory, ipart/keys/KEYID.key]
    #[arg(long, global = true, env = "IPART_KEY_FILE", hide_env_values = true, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a registry file
    Init(InitArgs),
    #[command(flatten)]
    Record(RecordCommand),
    /// Import records from a CSV file (native, or foreign through a mapping); list and undo imports
    Import(ImportArgs),
    /// Start a mapping for an institution's export (`mapping new`), or check one against a file
    #[command(
        subcommand,
        after_help = "Examples:
  ipart mapping new stages-2024.xlsx --kind assignments -o stages.toml
  ipart mapping check stages.toml stages-2024.xlsx"
    )]
    Mapping(MappingCommand),
    /// Export records as native CSV (what import reads), JSON or JSON Lines
    Export(ExportArgs),
    /// Yearly communication figures (LinkedIn followers, website visitors)
    #[command(
        subcommand,
        after_help = "Examples:
  ipart metric set linkedin-followers 1700 --year 2023
  ipart metric list --year 2023 --format csv
  ipart metric remove linkedin-followers --year 2023"
    )]
    Metric(MetricCommand),
    /// The audit trail: who changed what, and when
    Log(LogArgs),
    /// Take back a change (the whole command run that made it), exactly
    Undo(UndoArgs),
    /// The yearly figures of the infographic (table, JSON, CSV, Markdown, HTML)
    Report(ReportArgs),
    /// Look after the registry file: check, backup, restore, vacuum
    #[command(
        subcommand,
        after_help = "Examples:
  ipart db check
  ipart db backup registry-2024-01-15.sqlite
  ipart db restore registry-2024-01-15.sqlite
  ipart db vacuum"
    )]
    Db(DbCommand),
    /// The key of the student pseudonyms, kept outside the registry: where it is, export a copy, import one
    #[command(
        subcommand,
        after_help = "Examples:
  ipart key show
  ipart key export /media/usb/ipart-registry.key
  ipart key import /media/usb/ipart-registry.key"
    )]
    Key(KeyCommand),
    /// Print shell completions
    #[command(after_help = "Examples:\n  ipart completions bash > ~/.local/share/bash-completion/completions/ipart")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the manual page of ipart or of one of its commands (roff), or write them all
    #[command(after_help = crate::cmd::meta::MAN_EXAMPLES)]
    Man(crate::cmd::meta::ManArgs),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exit_code_is_listed_once_in_order() {
        let codes: Vec<u8> = EXIT_CODES.iter().map(|&c| c as u8).collect();
        assert_eq!(codes, (0..7).collect::<Vec<u8>>());
    }
}
