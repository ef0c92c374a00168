//! `ipart init`: create a registry file.

use clap::Args;

use super::Context;
use crate::error::Result;
use crate::store::{Registry, SCHEMA_VERSION};

/// Create a new, empty registry; with --demo, one holding the bundled demo
/// data set (the figures of the 2023 infographic).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  ipart init
  ipart --db registry.sqlite init --demo
  IPART_DB=/srv/ipart/registry.sqlite ipart init")]
pub struct InitArgs {}

pub fn run(_args: &InitArgs, ctx: &Context) -> Result<()> {
    // For init, the global --demo means: put the demo data in the new file.
    let mut registry = Registry::create(&ctx.db)?;
    ctx.info(format!("created registry {} (schema version {SCHEMA_VERSION})", ctx.db.display()));
    if ctx.demo {
        let counts = match crate::demo::load(&mut registry) {
            Ok(counts) => counts,
            Err(e) => {
                drop(registry);
                let _ = std::fs::remove_file(&ctx.db);
                return Err(e);
            }
        };
        let summary: Vec<String> =
            counts.iter().map(|(kind, n)| format!("{n} {}", kind.file_name().trim_end_matches(".csv"))).collect();
        ctx.info(format!("loaded the demo data: {}", summary.join(", ")));
    }
    Ok(())
}
