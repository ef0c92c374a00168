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
use crate::cmd::log::LogArgs;
use crate::cmd::metric::MetricCommand;
use crate::cmd::report::ReportArgs;
use crate::cmd::undo::UndoArgs;

const AFTER_HELP: &str = "Examples:
  ipart init --demo                      create a registry with the demo data
  ipart --demo assignment list --year 2023 --status completed
  ipart partner add DUO --sector government --region noord --joined-on 2020-06-01
  ipart assignment status 12 completed --on 2023-06-30
  ipart import assignments osiris.csv --map fixtures/import/hanze-osiris/osiris.toml
  ipart export assignments --year 2023 --format json
  ipart undo --dry-run                   show what taking back the last change would do

Exit codes:
  0  success (also when a list is empty)
  1  unexpected failure (I/O error, a bug)
  2  usage error (unknown command or flag, missing argument)
  3  data refused by validation; nothing was written
  4  registry problem: missing, newer than this ipart, not a registry, corrupt or read-only
  5  registry busy: another process is writing; try again
  6  the record asked for does not exist";

/// ipart: the registry of I-Partnerschap. Partners, student assignments,
/// labs, PhD candidates, courses and events, and the yearly figures.
#[derive(Debug, Parser)]
#[command(name = "ipart", version, after_help = AFTER_HELP, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a registry file
    Init(InitArgs),
    #[command(flatten)]
    Record(RecordCommand),
    /// Import records from a CSV file (native, or foreign through a mapping); list and undo imports
    Import(ImportArgs),
    /// Export records as native CSV (what import reads), JSON or JSON Lines
    Export(ExportArgs),
    /// Yearly communication figures (LinkedIn followers, website visitors)
    #[command(subcommand)]
    Metric(MetricCommand),
    /// The audit trail: who changed what, and when
    Log(LogArgs),
    /// Take back a change (the whole command run that made it), exactly
    Undo(UndoArgs),
    /// The yearly figures of the infographic (table, JSON, CSV, Markdown, HTML)
    Report(ReportArgs),
    /// Look after the registry file: check, backup, restore, vacuum
    #[command(subcommand)]
    Db(DbCommand),
    /// Print shell completions
    #[command(after_help = "Examples:\n  ipart completions bash > ~/.local/share/bash-completion/completions/ipart")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(after_help = "Examples:\n  ipart man > ipart.1 && man ./ipart.1")]
    Man,
}
