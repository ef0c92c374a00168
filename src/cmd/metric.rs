//! `ipart metric`: the yearly communication figures the infographic reports
//! besides the registry's own counts (LinkedIn followers, website visitors).

use clap::Subcommand;

use super::{Context, finish, problems_error};
use crate::error::Result;
use crate::native::build::{Built, build};
use crate::native::{Catalog, Fields, Kind};
use crate::output::{Format, Listing};
use crate::store::metric;

#[derive(Debug, Subcommand)]
pub enum MetricCommand {
    /// Set a figure for a year (replacing an earlier value)
    #[command(after_help = "Examples:
  ipart metric set linkedin-followers 1700 --year 2023
  ipart metric set website-visitors-new-share 75 --year 2023")]
    Set {
        /// The figure's name: lower-case letters, digits and '-'
        name: String,
        /// Its value
        #[arg(allow_negative_numbers = true)]
        value: String,
        /// The year it belongs to
        #[arg(long)]
        year: String,
    },
    /// List figures
    #[command(after_help = "Examples:
  ipart metric list --year 2023
  ipart metric list --name linkedin-followers --format csv")]
    List {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        year: Option<i64>,
        /// Output format
        #[arg(long, short, value_enum, default_value_t)]
        format: Format,
    },
    /// Remove a figure
    #[command(after_help = "Examples:
  ipart metric remove linkedin-followers --year 2023")]
    Remove {
        name: String,
        #[arg(long)]
        year: i64,
    },
}

pub fn run(cmd: &MetricCommand, ctx: &Context) -> Result<()> {
    match cmd {
        MetricCommand::Set { name, value, year } => {
            let mut fields = Fields::new();
            fields.set("name", name.as_str());
            fields.set("value", value.as_str());
            fields.set("year", year.as_str());
            let today = ctx.today()?;
            let mut registry = ctx.open()?;
            let (m, old) = registry.write("metric set", |w| {
                let cat = Catalog::load(w, Kind::Metric, today)?;
                let Built::Metric(m) = build(Kind::Metric, &fields, &cat).map_err(problems_error)? else {
                    anyhow::bail!("a figure was expected");
                };
                let old = metric::set(w, &m)?;
                Ok((m, old))
            })?;
            match old {
                Some(old) if old.value != m.value => {
                    ctx.info(format!("{} {} is now {} (was {})", m.name, m.year, m.value, old.value))
                }
                Some(_) => ctx.info(format!("{} {} was already {}; nothing changed", m.name, m.year, m.value)),
                None => ctx.info(format!("{} {} is {}", m.name, m.year, m.value)),
            }
            ctx.note_demo_write();
            Ok(())
        }
        MetricCommand::List { name, year, format } => {
            let registry = ctx.open()?;
            let rows = metric::list(registry.conn(), name.as_deref(), *year)?;
            let listing = Listing::from_serialize(&rows, &["name", "year", "value"], &[])?;
            let mut out = ctx.stdout();
            listing.render(*format, ctx.style, &mut out)?;
            finish(out)
        }
        MetricCommand::Remove { name, year } => {
            let mut registry = ctx.open()?;
            registry.write("metric remove", |w| metric::remove(w, name, *year))?;
            ctx.info(format!("removed {name} {year}"));
            ctx.note_demo_write();
            Ok(())
        }
    }
}
