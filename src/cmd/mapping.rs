//! `ipart mapping new` and `ipart mapping check`: from an export ipart has
//! not seen to a mapping that imports it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::export::parse_kind;
use super::{Context, finish};
use crate::error::{Error, Result};
use crate::import::check::{self, Overrides};
use crate::import::input::{self, Encoding, HeaderHint, Settings};
use crate::import::mapping::{Mapping, kind_from_name, parse_delimiter};
use crate::import::starter;
use crate::native::{Catalog, Kind};
use crate::outfile::write_file;

/// Start a mapping for an institution's export, or check one against a file
#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Write a starter mapping (TOML) for a file: its encoding, delimiter, header and date style,
    /// each column matched to a field, and the values to fill in
    #[command(after_help = "Examples:
  ipart mapping new stages-2024.csv --kind assignments -o stages.toml
  ipart mapping new instellingen.csv --kind partners > duo.toml
  ipart mapping new stages.xlsx --kind assignments --sheet Stages -o stages.toml

Then fill in every \"\" under [values.*], and check what is left with `ipart mapping check`.
With a registry at hand (--db, IPART_DB or --demo), its themes are listed as the accepted values.")]
    New(NewArgs),
    /// Show how a mapping reads a file: every column, and every value that does not map yet,
    /// with counts and lines; writes nothing. Exit 0 when everything maps, 3 when not
    #[command(after_help = "Examples:
  ipart mapping check stages.toml stages-2024.csv
  ipart --demo mapping check fixtures/import/hanze-osiris/osiris.toml fixtures/import/hanze-osiris/osiris-2023.csv
  ipart mapping check stages.toml stages.xlsx --sheet 2 && ipart import assignments stages.xlsx --map stages.toml

With a registry at hand (--db, IPART_DB or --demo), partner names and themes are checked against it.")]
    Check(CheckArgs),
}

/// How to read the file, over what is detected (and what the mapping says).
#[derive(Debug, Args)]
pub struct Reading {
    /// The encoding (utf-8, windows-1252, big5 ... any WHATWG label) [default: detected]
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// The delimiter: ',', ';', '|' or tab [default: sniffed]
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Lines (a spreadsheet's rows) before the header [default: found]
    #[arg(long, value_name = "N")]
    pub skip_lines: Option<usize>,
    /// The sheet of a spreadsheet, by name or number from 1 [default: the first]
    #[arg(long, value_name = "NAME|NUMBER")]
    pub sheet: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The file: CSV text or a spreadsheet (.xlsx, .xls, .ods)
    pub file: PathBuf,
    /// What the file holds: assignments, partners, labs, phds ...
    #[arg(long, value_parser = parse_kind, value_name = "KIND")]
    pub kind: Kind,
    /// Write the mapping to this file instead of standard output
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing output file
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub reading: Reading,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The mapping file (TOML)
    pub map: PathBuf,
    /// The file it is for
    pub file: PathBuf,
    /// What the file holds [default: the mapping's `kind`]
    #[arg(long, value_parser = parse_kind, value_name = "KIND")]
    pub kind: Option<Kind>,
    #[command(flatten)]
    pub reading: Reading,
}

pub fn run(command: &MappingCommand, ctx: &Context) -> Result<()> {
    match command {
        MappingCommand::New(args) => new(args, ctx),
        MappingCommand::Check(args) => check(args, ctx),
    }
}

impl Reading {
    fn overrides(&self) -> Result<Overrides> {
        Ok(Overrides {
            encoding: self.encoding.as_deref().map(Encoding::parse).transpose()?,
            delimiter: self.delimiter.as_deref().map(parse_delimiter).transpose()?,
            skip_lines: self.skip_lines,
            sheet: self.sheet.clone(),
        })
    }
}

fn open_file(path: &Path) -> std::result::Result<Box<dyn Read + Send>, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
    Ok(Box::new(file))
}

/// The registry's catalog for `kind`, when there is a registry to read.
fn catalog(ctx: &Context, kind: Kind) -> Result<Option<(Catalog, Vec<String>)>> {
    if !ctx.demo && !ctx.db.exists() {
        return Ok(None);
    }
    let registry = ctx.open()?;
    let catalog = Catalog::load(registry.conn(), kind, ctx.today()?)?;
    let themes = crate::store::theme::list(registry.conn())?.into_iter().map(|t| t.code).collect();
    Ok(Some((catalog, themes)))
}

fn new(args: &NewArgs, ctx: &Context) -> Result<()> {
    let name = args.file.display().to_string();
    let over = args.reading.overrides()?;
    let settings = Settings {
        encoding: over.encoding,
        delimiter: over.delimiter,
        skip_lines: over.skip_lines,
        header: true,
        hint: HeaderHint::Likeliest,
        sheet: over.sheet.clone(),
    };
    if let Some(path) = &args.output
        && path.exists()
        && !args.force
    {
        return Err(Error::usage(format!("{} exists; give --force to replace it", path.display())).into());
    }
    let (detected, rows) = input::open(open_file(&args.file)?, &name, &settings)?;
    let catalog = catalog(ctx, args.kind)?;
    let themes = catalog.as_ref().map(|(c, codes)| (codes.clone(), &c.themes));
    let text = starter::starter(
        &starter::Context { kind: args.kind, name: &name, themes, skip_lines_given: over.skip_lines.is_some() },
        &detected,
        rows,
    )?;
    match &args.output {
        Some(path) => {
            write_file(path, args.force, |out| Ok(out.write_all(text.as_bytes())?))?;
            ctx.info(format!(
                "wrote {}: fill in every \"\" under [values.*], then run `ipart mapping check {} {name}`",
                path.display(),
                path.display()
            ));
        }
        None => {
            let mut out = ctx.stdout();
            out.write_all(text.as_bytes())?;
            finish(out)?;
        }
    }
    Ok(())
}

/// The kind a mapping file names with `kind = "..."`, if it does.
fn kind_of(path: &Path) -> Option<Kind> {
    let text = std::fs::read_to_string(path).ok()?;
    let table: toml::Table = toml::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    kind_from_name(table.get("kind")?.as_str()?)
}

fn check(args: &CheckArgs, ctx: &Context) -> Result<()> {
    let Some(kind) = args.kind.or_else(|| kind_of(&args.map)) else {
        return Err(Error::usage(format!(
            "{} does not say what the file holds (kind = \"...\"): give --kind",
            args.map.display()
        ))
        .into());
    };
    let mapping = Mapping::load(&args.map, kind)?;
    let name = args.file.display().to_string();
    let catalog = catalog(ctx, kind)?;
    let checked = check::check(
        kind,
        &mapping,
        &name,
        &|| open_file(&args.file),
        &args.reading.overrides()?,
        catalog.as_ref().map(|(c, _)| c),
    )?;
    let mut out = ctx.stdout();
    out.write_all(checked.report.as_bytes())?;
    finish(out)?;
    if checked.columns_left + checked.values_left > 0 {
        return Err(Error::invalid(format!(
            "{name}: {} column(s) and {} value(s) do not map yet through {} (see above)",
            checked.columns_left,
            checked.values_left,
            args.map.display()
        ))
        .into());
    }
    Ok(())
}
