//! ipart: the registry of I-Partnerschap, a programme that connects Dutch
//! central-government organisations with education institutions.
//!
//! The binary (`src/main.rs`) only parses the command line and calls
//! [`run`]; everything else is this library, so tests and benchmarks use the
//! same code.

pub mod cli;
pub mod cmd;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod import;
pub mod native;
pub mod outfile;
pub mod output;
pub mod report;
pub mod store;

use cli::{Cli, Command};
use cmd::Context;
use error::Result;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let g = &cli.global;
    let ctx = Context::new(g.db.clone(), g.demo, g.color, g.quiet).with_lang(g.lang).with_key_file(g.key_file.clone());
    match &cli.command {
        Command::Init(args) => cmd::init::run(args, &ctx),
        Command::Record(record) => record.clone().run(&ctx),
        Command::Import(args) => cmd::import::run(args, &ctx),
        Command::Mapping(command) => cmd::mapping::run(command, &ctx),
        Command::Export(args) => cmd::export::run(args, &ctx),
        Command::Metric(metric) => cmd::metric::run(metric, &ctx),
        Command::Log(args) => cmd::log::run(args, &ctx),
        Command::Undo(args) => cmd::undo::run(args, &ctx),
        Command::Report(args) => cmd::report::run(args, &ctx),
        Command::Db(db) => cmd::db::run(db, &ctx),
        Command::Key(key) => cmd::key::run(key, &ctx),
        Command::Completions { shell } => cmd::meta::completions(*shell, &ctx),
        Command::Man(args) => cmd::meta::man(args, &ctx),
    }
}
