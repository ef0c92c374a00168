//! `ipart log`: the audit trail, newest first.

use clap::Args;
use serde_json::Value;

use super::{Context, finish};
use crate::error::{Error, Result};
use crate::output::{Format, Listing};
use crate::store::audit::{self, ChangeFilter};

/// Show who changed what, and when
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  ipart log --limit 20
  ipart log --record assignment --id 12
  ipart log --record partner --format json")]
pub struct LogArgs {
    /// Only changes to this kind of record (partner, assignment, lab, ...,
    /// registry for upgrades and restores, import_batch for imports and
    /// their undoing); with --id, also the changes to its status history
    #[arg(long, value_name = "KIND")]
    pub record: Option<String>,
    /// Only changes to the record with this id
    #[arg(long, requires = "record")]
    pub id: Option<i64>,
    /// At most this many changes
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    /// Output format
    #[arg(long, short, value_enum, default_value_t)]
    pub format: Format,
}

/// What `--record` accepts: every kind of record, `registry` for changes
/// to the file as a whole (upgrades, restores), and `import_batch` for
/// imports and their undoing.
fn recorded_kinds() -> Vec<&'static str> {
    crate::native::Kind::ALL.iter().map(|k| k.name()).chain(["registry", "import_batch"]).collect()
}

pub fn run(args: &LogArgs, ctx: &Context) -> Result<()> {
    if let Some(kind) = &args.record
        && !recorded_kinds().contains(&kind.as_str())
    {
        return Err(Error::usage(format!(
            "--record: {} is not a kind of record (expected one of {})",
            crate::domain::names::shown(kind),
            recorded_kinds().join(", ")
        ))
        .into());
    }
    let registry = ctx.open()?;
    let filter = ChangeFilter { entity: args.record.clone(), entity_id: args.id, limit: Some(args.limit) };
    let changes = audit::list(registry.conn(), &filter)?;
    let mut listing = Listing::from_serialize(
        &changes,
        &["id", "at", "actor", "command", "entity", "entity_id", "action", "old", "new"],
        &["id", "at", "actor", "command", "entity", "entity_id", "action", "changed"],
    )?;
    if args.format == Format::Table {
        // A table shows which fields changed rather than two JSON blobs.
        listing.columns.push("changed".into());
        let (old_at, new_at) = (7, 8);
        for row in &mut listing.rows {
            let summary = changed_fields(&row[old_at], &row[new_at]);
            row.push(Value::String(summary));
        }
    }
    let mut out = ctx.stdout();
    listing.render(args.format, ctx.style, &mut out)?;
    finish(out)
}

/// "students: 2 -> 3; ends_on: - -> 2024-01-31"
fn changed_fields(old: &Value, new: &Value) -> String {
    let show =
        |v: Option<&Value>| v.map(crate::output::csv_text).filter(|s| !s.is_empty()).unwrap_or_else(|| "-".into());
    match (old.as_object(), new.as_object()) {
        (Some(o), Some(n)) => n
            .iter()
            .filter(|(k, v)| o.get(*k) != Some(*v))
            .map(|(k, v)| format!("{k}: {} -> {}", show(o.get(k)), show(Some(v))))
            .collect::<Vec<_>>()
            .join("; "),
        (None, Some(n)) => {
            n.get("name").or(n.get("title")).or(n.get("status")).map(|v| show(Some(v))).unwrap_or_default()
        }
        (Some(o), None) => {
            o.get("name").or(o.get("title")).or(o.get("status")).map(|v| show(Some(v))).unwrap_or_default()
        }
        _ => String::new(),
    }
}
