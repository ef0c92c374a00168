//! `ipart log`: the audit trail, newest first.

use clap::Args;
use serde_json::Value;

use super::{Context, finish};
use crate::error::{Error, Result};
use crate::output::{Format, Listing};
use crate::store::audit::{self, ChangeFilter};

/// Show who changed what, and when
#[derive(Debug, Args)]
#[command(after_help = "Each entry's id is what `ipart undo` takes: it takes back the whole command run
(JSON and CSV: `revision`) the entry belongs to. An undo's own entries say which change they take
back (`undoes`); an entry taken back says by which (`taken_back_by`).

Examples:
  ipart log --limit 20
  ipart log --record assignment --id 12
  ipart log --record partner --format json
  ipart undo 2391 --dry-run")]
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
        &[
            "id",
            "at",
            "actor",
            "command",
            "entity",
            "entity_id",
            "action",
            "old",
            "new",
            "batch_id",
            "revision",
            "undoes",
            "taken_back_by",
        ],
        &["id", "at", "actor", "command", "entity", "entity_id", "action", "changed"],
    )?;
    if args.format == Format::Table {
        // A table shows which fields changed rather than two JSON blobs,
        // and what an undo took back.
        listing.columns.push("changed".into());
        let (old_at, new_at, undoes_at, taken_back_at) = (7, 8, 11, 12);
        for row in &mut listing.rows {
            let mut summary = changed_fields(&row[old_at], &row[new_at]);
            if let Some(change) = row[undoes_at].as_i64() {
                summary = format!("takes back change {change}: {summary}");
            }
            if let Some(change) = row[taken_back_at].as_i64() {
                summary = format!("{summary} [taken back by change {change}]");
            }
            row.push(Value::String(summary));
        }
    }
    let mut out = ctx.stdout();
    listing.render(args.format, ctx.style, &mut out)?;
    finish(out)
}

/// "students: 2 -> 3; ends_on: - -> 2024-01-31"; for imports, what the
/// batch read and did.
fn changed_fields(old: &Value, new: &Value) -> String {
    let show =
        |v: Option<&Value>| v.map(crate::output::csv_text).filter(|s| !s.is_empty()).unwrap_or_else(|| "-".into());
    let text = |v: &Value, key: &str| show(v.get(key));
    if let Some(batch) = new.get("added_by_import") {
        let history: Vec<String> = new["status_history"]
            .as_array()
            .map(|h| h.iter().map(|c| format!("{} {}", text(c, "status"), text(c, "since"))).collect())
            .unwrap_or_default();
        let students = match new["student_pseudonyms"].as_i64() {
            Some(n) if n > 0 => format!("; {n} student pseudonym(s)"),
            _ => String::new(),
        };
        let then = if new["removed_by_undo"] == true {
            "; removed again by its undo".to_string()
        } else {
            format!("; status {}", if history.is_empty() { "-".to_string() } else { history.join(", ") })
        };
        return format!(
            "added by import batch {} ({}, sha256 {}, {}, {}){then}{students}",
            text(batch, "id"),
            text(batch, "file"),
            short_hash(&text(batch, "sha256")),
            text(batch, "started_at"),
            text(batch, "actor"),
        );
    }
    if let (Some(n), Some(batch)) = (new["student_pseudonyms"].as_i64(), new["import_batch"].as_i64()) {
        return format!("linked {n} student pseudonym(s) (import batch {batch})");
    }
    if old.is_null() && new.get("sha256").is_some() && new.get("rows").is_some() {
        // An import batch's own entry.
        let mut counts = ["added", "updated", "unchanged", "rejected"]
            .iter()
            .filter(|k| new[**k].as_i64().is_some_and(|n| n > 0))
            .map(|k| format!("{} {k}", text(new, k)))
            .collect::<Vec<_>>();
        if let Some(n) = new["students_linked"].as_i64().filter(|n| *n > 0) {
            counts.push(format!("{n} student pseudonym(s) linked"));
        }
        let source = new["source"].as_str().map(|s| format!("source {s}, ")).unwrap_or_default();
        return format!(
            "import of {} {} ({source}sha256 {}): {} rows{}",
            text(new, "kind"),
            text(new, "file"),
            short_hash(&text(new, "sha256")),
            text(new, "rows"),
            if counts.is_empty() { String::new() } else { format!(", {}", counts.join(", ")) }
        );
    }
    if old.get("sha256").is_some() && !old["undone_at"].is_null() && new["undone_at"].is_null() {
        return format!(
            "imported batch {} again ({} {}, sha256 {})",
            text(new, "id"),
            text(new, "kind"),
            text(new, "file"),
            short_hash(&text(new, "sha256"))
        );
    }
    if old.get("sha256").is_some() && old["undone_at"].is_null() && !new["undone_at"].is_null() {
        return format!(
            "undid import batch {} ({} {}, sha256 {})",
            text(new, "id"),
            text(new, "kind"),
            text(new, "file"),
            short_hash(&text(new, "sha256"))
        );
    }
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

/// The first 12 hex digits of a SHA-256: enough to tell files apart in a
/// table (JSON has all 64).
fn short_hash(hex: &str) -> String {
    hex.chars().take(12).collect()
}
