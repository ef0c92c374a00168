//! `ipart completions` and `ipart man`: generated at run time from the clap
//! definitions, so they never fall behind the commands.

mod manpage;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::CommandFactory;

use super::{Context, finish};
use crate::cli::Cli;
use crate::error::{Error, Result};

pub use manpage::{AfterHelp, Page, pages};

pub fn completions(shell: clap_complete::Shell, ctx: &Context) -> Result<()> {
    let mut out = ctx.stdout();
    clap_complete::generate(shell, &mut Cli::command(), "ipart", &mut out);
    finish(out)
}

pub const MAN_EXAMPLES: &str = "Examples:
  ipart man | man -l -                      the page of ipart: global options, environment, exit codes
  ipart man report | man -l -
  ipart man partner add > ipart-partner-add.1
  ipart man --dir ~/.local/share/man/man1   every page; then: man ipart-report";

#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// The command whose page to print (`report`, `partner add`, or the page's name,
    /// `ipart-partner-add`) [default: the page of ipart itself]
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Write every page to DIR instead (ipart.1, ipart-report.1, ipart-partner-add.1, ...),
    /// creating DIR when it is missing and replacing pages written before
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

pub fn man(args: &ManArgs, ctx: &Context) -> Result<()> {
    let pages = pages();
    if let Some(dir) = &args.dir {
        return write_pages(&pages, dir, ctx);
    }
    let page = find(&pages, &args.command)?;
    let mut out = ctx.stdout();
    out.write_all(&page.render(&pages))?;
    finish(out)
}

/// The page of `ipart partner add`, given as its words or its name.
fn find<'a>(pages: &'a [Page], words: &[String]) -> Result<&'a Page> {
    let wanted = match words {
        [name] if name.starts_with("ipart-") => name.trim_end_matches(".1").to_string(),
        _ => manpage::page_name(words),
    };
    if let Some(page) = pages.iter().find(|p| p.name == wanted) {
        return Ok(page);
    }
    if words.len() == 1 && words[0].starts_with("ipart-") {
        let message = format!("no manual page named {wanted} (`ipart man --dir DIR` writes every page)");
        return Err(Error::usage(message).into());
    }
    // The deepest command the words name, to say what would follow it.
    let parent = (0..words.len())
        .map_while(|i| pages.iter().find(|p| p.name == manpage::page_name(&words[..=i])))
        .last()
        .unwrap_or(&pages[0]);
    let commands: Vec<&str> = parent.cmd.get_subcommands().map(|c| c.get_name()).collect();
    let message = if commands.is_empty() {
        format!("`{}` has no commands, so no page for `ipart {}`", parent.command_line(), words.join(" "))
    } else {
        format!(
            "no manual page for `ipart {}`: the commands of `{}` are {} (`ipart man --dir DIR` writes every page)",
            words.join(" "),
            parent.command_line(),
            commands.join(", ")
        )
    };
    Err(Error::usage(message).into())
}

/// Writes every page to `dir`, as `man` finds them there (`ipart-report.1`).
fn write_pages(pages: &[Page], dir: &std::path::Path, ctx: &Context) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the directory {}", dir.display()))?;
    for page in pages {
        let path = dir.join(page.file_name());
        std::fs::write(&path, page.render(pages)).with_context(|| format!("cannot write {}", path.display()))?;
    }
    ctx.info(format!(
        "wrote {} manual pages to {} ({}, {}, ...)",
        pages.len(),
        dir.display(),
        pages[0].file_name(),
        pages[1].file_name()
    ));
    Ok(())
}
