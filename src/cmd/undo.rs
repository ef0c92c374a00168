//! `ipart undo`: takes a change back, exactly: the whole command run that
//! made it, whatever it was.

use clap::Args;

use super::{Context, finish};
use crate::error::Result;
use crate::import::thousands;
use crate::output::{Format, Listing};
use crate::store::Writer;
use crate::store::undo::{self, Action, Target};

/// Take back a change (the whole command run that made it), exactly
#[derive(Debug, Args)]
#[command(after_help = "Without CHANGE, the last change still in force is taken back: run it twice to take
back the last two. CHANGE is an id from `ipart log`; the whole command run that made it is taken
back (an edit with its aliases and links, a removal with the history that went with it, an import
with everything it added). An undo is a change like any other: taking it back does again what it
took back. It is refused, naming them, when later changes build on the change.

Examples:
  ipart undo --dry-run                  show what taking back the last change would do
  ipart undo                            take back the last change
  ipart log --limit 10                  find the id of an earlier change
  ipart undo 2391                       take back change 2391 (and the rest of its command run)
  ipart undo 2395                       where 2395 is an undo: do again what it took back
  ipart undo --dry-run --format json    what it would do, for scripts")]
pub struct UndoArgs {
    /// The change to take back: its id in `ipart log` [default: the last change still in force]
    #[arg(value_name = "CHANGE")]
    pub change: Option<i64>,
    /// Show what the undo would do (records removed, changed back, restored), and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of what is taken back
    #[arg(long, short, value_enum, default_value_t)]
    pub format: Format,
}

/// What an undo did: the rows of a revision, or (for an import made before
/// the registry kept every version) its batch, from the audit trail.
enum Outcome {
    Rows(undo::Undone),
    Import(Target, crate::import::undo::Undone),
}

pub fn run(args: &UndoArgs, ctx: &Context) -> Result<()> {
    let today = ctx.today()?;
    let mut registry = ctx.open()?;
    let work = |w: &Writer| -> Result<Outcome> {
        let revision = match args.change {
            Some(change) => undo::revision_of_change(w, change)?,
            None => undo::last_in_force(w, w.revision())?,
        };
        let target = undo::target(w, revision)?;
        undo::check_target(w, &target)?;
        match target.batch {
            Some(batch) if target.before_history => {
                let done = crate::import::undo::undo(w, batch, today)?;
                Ok(Outcome::Import(target, done))
            }
            _ => Ok(Outcome::Rows(undo::take_back(w, &target)?)),
        }
    };
    let outcome = if args.dry_run { registry.rehearse("undo", work)? } else { registry.write("undo", work)? };
    match outcome {
        Outcome::Rows(done) => report(ctx, args, &done)?,
        Outcome::Import(target, done) => {
            let verb = if args.dry_run { "would take back" } else { "took back" };
            ctx.info(format!(
                "{verb} {}: import batch {} (removed {} records, restored {}, took out {} status changes)",
                target.name(),
                done.batch,
                done.removed,
                done.restored,
                done.status_changes
            ));
        }
    }
    if !args.dry_run {
        ctx.note_demo_write();
    }
    Ok(())
}

/// The rows on stdout; on stderr, what was taken back and how to have it again.
fn report(ctx: &Context, args: &UndoArgs, done: &undo::Undone) -> Result<()> {
    let listing = Listing::from_serialize(&done.steps, &["action", "record", "key", "what"], &[])?;
    let mut out = ctx.stdout();
    listing.render(args.format, ctx.style, &mut out)?;
    finish(out)?;
    let t = &done.target;
    let run = match t.changes.len() {
        0 | 1 => String::new(),
        n => format!(" and the {} other change(s) of its command run", n - 1),
    };
    let mut parts: Vec<String> = [Action::Remove, Action::ChangeBack, Action::Restore]
        .into_iter()
        .filter_map(|action| {
            let rows: Vec<String> = done
                .counts
                .iter()
                .filter(|(_, a, _)| *a == action)
                .map(|(table, _, n)| format!("{} {table}", thousands(*n as u64)))
                .collect();
            (!rows.is_empty()).then(|| format!("{} {}", verb(action, args.dry_run), rows.join(", ")))
        })
        .collect();
    parts.extend(done.batches_undone.iter().map(|b| format!("import batch {b} marked undone")));
    parts.extend(done.batches_redone.iter().map(|b| format!("import batch {b} marked imported again")));
    if args.dry_run {
        ctx.info(format!("dry run: taking back {}{run} would {}; nothing was changed", t.name(), parts.join("; ")));
    } else {
        let again = match done.first_change {
            Some(id) => format!("; recorded as change {id} (`ipart undo {id}` does it again)"),
            None => String::new(),
        };
        ctx.info(format!("took back {}{run}: {}{again}", t.name(), parts.join("; ")));
    }
    Ok(())
}

fn verb(action: Action, dry_run: bool) -> &'static str {
    match (action, dry_run) {
        (Action::Remove, false) => "removed",
        (Action::ChangeBack, false) => "changed back",
        (Action::Restore, false) => "restored",
        (action, true) => action.word(),
    }
}
