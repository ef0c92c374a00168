//! The `ipart` binary: parse, run, map the error to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ipart::cli::Cli::parse();
    let color = match cli.global.color {
        ipart::cmd::ColorChoice::Always => true,
        ipart::cmd::ColorChoice::Never => false,
        ipart::cmd::ColorChoice::Auto => {
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    match ipart::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, message) = ipart::error::classify(&err);
            if !message.is_empty() {
                let prefix = if color { "\x1b[1;31mipart:\x1b[0m" } else { "ipart:" };
                eprintln!("{prefix} {message}");
            }
            ExitCode::from(code as u8)
        }
    }
}
