//! `ipart db`: look after the registry file itself: check it, back it up,
//! restore a backup, compact it.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::{Context, finish};
use crate::error::{Error, Result};
use crate::output::{Format, Listing};
use crate::store::check::{self, Report};
use crate::store::maintenance;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Check the registry: SQLite's integrity and foreign-key checks, then
    /// the registry's own rules (status histories, dates, sectors, identity).
    /// Exits 4 when a problem is found
    #[command(after_help = "Examples:
  ipart db check
  ipart db check --format json
  ipart --db /srv/ipart/registry.sqlite db check && echo whole")]
    Check {
        /// Output format
        #[arg(long, short, value_enum, default_value_t)]
        format: Format,
    },
    /// Copy the registry to FILE with SQLite's online backup: a consistent
    /// copy even while other processes write
    #[command(after_help = "Examples:
  ipart db backup registry-2024-01-15.sqlite
  ipart db backup /mnt/backup/ipart.sqlite --force")]
    Backup {
        /// The file to write (readable by its owner only)
        file: PathBuf,
        /// Replace FILE if it exists (only once the new copy is complete)
        #[arg(long)]
        force: bool,
    },
    /// Replace the registry with the backup in FILE. FILE is checked first
    /// (an ipart registry this ipart understands, passing every `db check`
    /// rule); the replaced registry is kept beside it
    #[command(after_help = "Examples:
  ipart db restore registry-2024-01-15.sqlite
  ipart --db /srv/ipart/registry.sqlite db restore /mnt/backup/ipart.sqlite")]
    Restore {
        /// The backup to restore (left unchanged)
        file: PathBuf,
    },
    /// Rebuild the registry file without free space (after many removals)
    #[command(after_help = "Examples:
  ipart db vacuum")]
    Vacuum,
}

pub fn run(cmd: &DbCommand, ctx: &Context) -> Result<()> {
    match cmd {
        DbCommand::Check { format } => {
            let registry = ctx.open()?;
            let report = check::run(registry.conn())?;
            let mut out = ctx.stdout();
            render_report(&report, *format, ctx, &mut out)?;
            finish(out)?;
            warn_if_shared(ctx);
            let name = registry_name(ctx);
            if report.is_ok() {
                let passed = report.checks.iter().filter(|c| !c.warning).count();
                match report.warning_count() {
                    0 => ctx.info(format!("{name}: all {} checks passed", report.checks.len())),
                    n => ctx.info(format!(
                        "{name}: all {passed} checks passed, with {n} warning{} (histories out of lifecycle order: \
                         recorded with --any-order, or dates to correct with `ipart KIND status`)",
                        if n == 1 { "" } else { "s" }
                    )),
                }
                Ok(())
            } else {
                Err(failed(&name, &report).into())
            }
        }
        DbCommand::Backup { file, force } => {
            let copy = maintenance::start_backup(file, *force, (!ctx.demo).then_some(ctx.db.as_path()))?;
            let registry = ctx.open()?;
            let made = maintenance::backup(&registry, copy)?;
            ctx.info(format!(
                "backed up {} to {} ({} bytes; the copy passes SQLite's integrity check)",
                registry_name(ctx),
                made.path.display(),
                made.bytes
            ));
            if crate::store::key::stored_check(registry.conn())?.is_some() {
                ctx.info(
                    "the backup holds no key of the student pseudonyms: keep a copy of the key apart from it \
                     (`ipart key export FILE`)",
                );
            }
            Ok(())
        }
        DbCommand::Restore { file } => {
            if ctx.demo {
                return Err(Error::usage("--demo works on an in-memory registry; restore into a file with --db").into());
            }
            match maintenance::restore(file, &ctx.db, &ctx.key_place())? {
                Ok(done) => {
                    let kept = match &done.safety_copy {
                        Some(p) => format!("; the registry it replaced is kept at {}", p.display()),
                        None => String::new(),
                    };
                    ctx.info(format!("restored {} from {}{kept}", ctx.db.display(), file.display()));
                    if let Some(moved) = &done.key_moved {
                        ctx.tell_key_moved(&ctx.db.display().to_string(), moved);
                        ctx.warn(format!(
                            "{} still holds the key of the student pseudonyms: keep it as safe as the key, or \
                             remove it now that the key is in its key file",
                            file.display()
                        ));
                    }
                    if let Some(place) = &done.key_missing {
                        ctx.warn(format!(
                            "the key of the restored registry's student pseudonyms is not at {place}: imports with \
                             student identifiers are refused until it is brought with `ipart key import FILE`"
                        ));
                    }
                    Ok(())
                }
                Err(refused) => {
                    let mut out = ctx.stdout();
                    render_report(&refused.report, Format::Table, ctx, &mut out)?;
                    finish(out)?;
                    Err(Error::registry(format!(
                        "{} fails {} of the checks; it was not restored and the registry was not changed",
                        file.display(),
                        refused.report.checks.iter().filter(|c| c.count > 0).count()
                    ))
                    .into())
                }
            }
        }
        DbCommand::Vacuum => {
            let mut registry = ctx.open()?;
            let done = maintenance::vacuum(&mut registry)?;
            ctx.info(format!("vacuumed {}: {} bytes, was {}", registry_name(ctx), done.after, done.before));
            Ok(())
        }
    }
}

fn registry_name(ctx: &Context) -> String {
    if ctx.demo { "the demo registry".to_string() } else { format!("registry {}", ctx.db.display()) }
}

/// The error `db check` ends with when something is wrong.
fn failed(name: &str, report: &Report) -> Error {
    let failing: Vec<&str> = report.checks.iter().filter(|c| c.count > 0 && !c.warning).map(|c| c.name).collect();
    let n = report.problem_count();
    Error::registry(format!(
        "{name} has {n} problem{} ({}); restore a backup with `ipart db restore FILE`, or repair the records named above",
        if n == 1 { "" } else { "s" },
        failing.join(", ")
    ))
}

/// The outcome of every check, then each problem found.
fn render_report(report: &Report, format: Format, ctx: &Context, out: &mut dyn std::io::Write) -> Result<()> {
    let found = |warnings: bool| -> Vec<serde_json::Map<String, serde_json::Value>> {
        report
            .checks
            .iter()
            .filter(|c| c.warning == warnings)
            .flat_map(|c| {
                c.problems.iter().map(|p| {
                    let mut row = serde_json::Map::new();
                    row.insert("check".into(), json!(c.name));
                    row.insert("record".into(), json!(p.record));
                    row.insert("problem".into(), json!(p.problem));
                    row
                })
            })
            .collect()
    };
    let (problems, warnings) = (found(false), found(true));
    match format {
        Format::Json => {
            let value = json!({
                "ok": report.is_ok(),
                "problems": report.problem_count(),
                "warnings": report.warning_count(),
                "checks": report.checks
            });
            serde_json::to_writer_pretty(&mut *out, &value)?;
            writeln!(out)?;
        }
        Format::Csv => {
            Listing::from_objects(problems.into_iter().chain(warnings).collect(), &["check", "record", "problem"], &[])
                .render(Format::Csv, ctx.style, out)?
        }
        Format::Table => {
            let rows: Vec<serde_json::Map<String, serde_json::Value>> = report
                .checks
                .iter()
                .map(|c| {
                    let what = if c.warning { "warning" } else { "problem" };
                    let result = match c.count {
                        0 => "ok".to_string(),
                        1 => format!("1 {what}"),
                        n => format!("{n} {what}s"),
                    };
                    let mut row = serde_json::Map::new();
                    row.insert("check".into(), json!(c.name));
                    row.insert("result".into(), json!(result));
                    row.insert("what it proves".into(), json!(c.description));
                    row
                })
                .collect();
            let mut summary = Listing::from_objects(rows, &[], &[]);
            summary.render(Format::Table, ctx.style, out)?;
            for (heading, rows) in [("problems", problems), ("warnings", warnings)] {
                if !rows.is_empty() {
                    writeln!(out, "\n{heading}:")?;
                    summary = Listing::from_objects(rows, &[], &[]);
                    summary.render(Format::Table, ctx.style, out)?;
                }
            }
            for c in report.checks.iter().filter(|c| c.count > c.problems.len()) {
                writeln!(out, "{}: {} more not listed", c.name, c.count - c.problems.len())?;
            }
        }
    }
    Ok(())
}

/// The registry holds personal data: say so when others can read it.
fn warn_if_shared(ctx: &Context) {
    #[cfg(unix)]
    if !ctx.demo
        && let Ok(meta) = std::fs::metadata(&ctx.db)
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            ctx.warn(format!(
                "{} can be read by other users (mode {mode:o}); `chmod 600 {}` keeps it to its owner",
                ctx.db.display(),
                ctx.db.display()
            ));
        }
    }
}
