//! `ipart metric`: the yearly communication figures the infographic reports
//! besides the registry's own counts (LinkedIn followers, website visitors),
//! each under a declared name.

use clap::Subcommand;

use super::{Context, finish};
use crate::domain::{MetricUnit, Vocabulary, check_slug};
use crate::error::{Error, Result};
use crate::native::build::{Built, build};
use crate::native::{Catalog, Fields, Kind};
use crate::output::{Format, Listing};
use crate::store::metric::{self, MetricName};

#[derive(Debug, Subcommand)]
pub enum MetricCommand {
    /// Set a figure for a year (replacing an earlier value)
    #[command(after_help = "The name must be declared (`ipart metric names` lists them; `ipart metric add` declares \
one); a name that is not is refused with the closest declared names. The year is one of 2000 to ten years after \
today.

Examples:
  ipart metric set linkedin-followers 1700 --year 2023
  ipart metric set website-visitors-new-share 75 --year 2023")]
    Set {
        /// The figure's declared name (see `ipart metric names`)
        name: String,
        /// Its value
        #[arg(allow_negative_numbers = true)]
        value: String,
        /// The year it belongs to
        #[arg(long)]
        year: String,
    },
    /// Declare a new figure, so that it can be set and reported
    #[command(after_help = "The report labels the figure with --name-en or --name-nl, in the language of --lang.

Examples:
  ipart metric add instagram-followers --name-en \"Instagram followers\" --name-nl \"Instagram-volgers\"
  ipart metric add newsletter-open-share --name-en \"Newsletter opened (%)\" --name-nl \"Nieuwsbrief geopend (%)\" --unit percent
  ipart metric set instagram-followers 420 --year 2023")]
    Add {
        /// The name commands and files use: lower-case letters, digits and '-'
        name: String,
        /// Its label in English reports
        #[arg(long)]
        name_en: String,
        /// Its label in Dutch reports
        #[arg(long)]
        name_nl: String,
        /// How a value reads: count or percent
        #[arg(long, default_value = "count")]
        unit: String,
    },
    /// List the declared figures: the names `metric set` accepts
    #[command(after_help = "Examples:
  ipart metric names
  ipart metric names --format csv")]
    Names {
        /// Output format
        #[arg(long, short, value_enum, default_value_t)]
        format: Format,
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
                let Built::Metric(m) = build(Kind::Metric, &fields, &cat).map_err(positional_name)? else {
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
        MetricCommand::Add { name, name_en, name_nl, unit } => add(ctx, name, name_en, name_nl, unit),
        MetricCommand::Names { format } => {
            let registry = ctx.open()?;
            let rows = metric::names(registry.conn())?;
            let listing = Listing::from_serialize(&rows, &["name", "name_en", "name_nl", "unit"], &[])?;
            let mut out = ctx.stdout();
            listing.render(*format, ctx.style, &mut out)?;
            finish(out)
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

/// `ipart metric add`: the name and labels checked before anything is written.
fn add(ctx: &Context, name: &str, name_en: &str, name_nl: &str, unit: &str) -> Result<()> {
    let mut problems = check_slug("name", "a figure name", name, "instagram-followers");
    for (field, label) in [("name_en", name_en), ("name_nl", name_nl)] {
        if label.trim().is_empty() {
            problems.push(crate::domain::FieldError::new(field, "is empty (give the label the report shows)"));
        }
        // One line of visible text, of a name's length, as every name.
        problems.extend(crate::domain::limits::check_field(field, label));
    }
    let unit = MetricUnit::parse(unit).map_err(|e| Error::usage(format!("--unit: {}", e.message)))?;
    if !problems.is_empty() {
        return Err(positional_name(problems).into());
    }
    let new = MetricName {
        name: name.to_string(),
        name_en: name_en.trim().to_string(),
        name_nl: name_nl.trim().to_string(),
        unit: unit.code().to_string(),
        position: 0,
    };
    let mut registry = ctx.open()?;
    let m = registry.write("metric add", |w| metric::add(w, &new))?;
    ctx.info(format!("declared {} (\"{}\", \"{}\", {})", m.name, m.name_en, m.name_nl, m.unit));
    ctx.note_demo_write();
    Ok(())
}

/// The problems of `metric set`; the name is an argument, not a flag, and
/// its messages name the value.
fn positional_name(problems: Vec<crate::domain::FieldError>) -> Error {
    let lines: Vec<String> =
        problems
            .iter()
            .map(|p| {
                if p.field == "name" {
                    p.message.clone()
                } else {
                    format!("{}: {}", super::flag_of(p.field), p.message)
                }
            })
            .collect();
    Error::invalid(format!("{}\nnothing was changed", lines.join("\n")))
}
