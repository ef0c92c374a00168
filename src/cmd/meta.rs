//! `ipart completions` and `ipart man`: generated at run time from the clap
//! definitions, so they never fall behind the commands.

use clap::CommandFactory;

use super::{Context, finish};
use crate::cli::Cli;
use crate::error::Result;

pub fn completions(shell: clap_complete::Shell, ctx: &Context) -> Result<()> {
    let mut out = ctx.stdout();
    clap_complete::generate(shell, &mut Cli::command(), "ipart", &mut out);
    finish(out)
}

pub fn man(ctx: &Context) -> Result<()> {
    let mut out = ctx.stdout();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    finish(out)
}
