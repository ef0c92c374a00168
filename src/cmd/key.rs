//! `ipart key`: the key of the student pseudonyms, which lives in a key
//! file outside the registry: where it is, a copy to keep, putting a copy
//! back.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::{Context, finish};
use crate::domain::Lang;
use crate::error::{Error, Result};
use crate::output::{Format, Humanize, Record, unguarded};
use crate::store::key::{self, State};

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Say where the key of the student pseudonyms is kept and whether it is
    /// there. Exits 4 when the registry has a key that is missing or refused
    #[command(after_help = "Examples:
  ipart key show
  ipart key show --format json
  ipart --key-file /media/usb/ipart.key key show")]
    Show {
        /// Output format
        #[arg(long, short, value_enum, default_value_t)]
        format: Format,
    },
    /// Write a copy of the key to FILE (readable by its owner only), to keep
    /// apart from the registry and its backups
    #[command(after_help = "Examples:
  ipart key export /media/usb/ipart-registry.key
  ipart key export ipart.key --force")]
    Export {
        /// The file to write
        file: PathBuf,
        /// Replace FILE if it exists (only once the new copy is complete)
        #[arg(long)]
        force: bool,
    },
    /// Put the key in FILE (made by `ipart key export`) in its place, after
    /// checking that it is this registry's key: on a new computer, for a
    /// restored registry, after the key file was lost
    #[command(after_help = "Examples:
  ipart key import /media/usb/ipart-registry.key
  ipart --key-file /srv/ipart/registry.key key import /media/usb/ipart-registry.key")]
    Import {
        /// The key file to take the key from (left unchanged)
        file: PathBuf,
    },
}

pub fn run(cmd: &KeyCommand, ctx: &Context) -> Result<()> {
    match cmd {
        KeyCommand::Show { format } => show(*format, ctx),
        KeyCommand::Export { file, force } => {
            let registry = ctx.open()?;
            let key = key::current(&registry)?;
            crate::outfile::write_file(file, *force, |out| Ok(out.write_all(key.to_file_text().as_bytes())?))?;
            ctx.info(format!(
                "wrote the key of the student pseudonyms (key id {}) to {}; keep it apart from the registry and its \
                 backups: with both, a guessed student number can be tested against the pseudonyms",
                key.id(),
                file.display()
            ));
            Ok(())
        }
        KeyCommand::Import { file } => {
            let registry = ctx.open()?;
            let done = key::import(&registry, file)?;
            if done.already_there {
                ctx.info(format!("the key (key id {}) is already at {}; nothing was changed", done.id, done.to));
            } else {
                ctx.info(format!(
                    "put the key of the student pseudonyms (key id {}) at {}: imports with student identifiers \
                     work again",
                    done.id, done.to
                ));
            }
            Ok(())
        }
    }
}

fn show(format: Format, ctx: &Context) -> Result<()> {
    let registry = ctx.open()?;
    let status = key::status(&registry)?;
    let registry_name = if ctx.demo { "the demo registry".to_string() } else { ctx.db.display().to_string() };
    let lang = ctx.lang();
    let problem = match &status.state {
        State::Missing => Some(format!(
            "the key of the student pseudonyms of {registry_name} is not at {}: bring it with `ipart key import \
             FILE`, or name its file with --key-file or IPART_KEY_FILE",
            status.place
        )),
        State::Refused(why) => Some(why.clone()),
        _ => None,
    };
    let state =
        if format == Format::Table { json!(state_text(&status.state, lang)) } else { json!(status.state.code()) };
    let fields = match json!({
        "registry": registry_name,
        "key_id": status.id,
        "key_file": status.place,
        "state": state,
        "pseudonyms": status.pseudonyms,
    }) {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    };
    let mut out = ctx.stdout();
    Record::new(fields).render(format, ctx.style, &Labels(lang), unguarded, &mut out)?;
    finish(out)?;
    match problem {
        Some(why) => Err(Error::registry(why).into()),
        None => Ok(()),
    }
}

/// The state of the key, as people read it.
fn state_text(state: &State, lang: Lang) -> String {
    let (en, nl) = match state {
        State::NoKeyYet => (
            "none yet: the first import with student identifiers makes one",
            "nog geen: de eerste import met studentnummers maakt er een",
        ),
        State::Present => ("present", "aanwezig"),
        State::Missing => ("missing", "ontbreekt"),
        State::Refused(_) => ("refused", "geweigerd"),
        State::InRegistry => (
            "inside the registry: moved to a key file of its own when the registry is opened with write access",
            "in het register: gaat naar een eigen sleutelbestand zodra het register met schrijfrechten wordt geopend",
        ),
    };
    match lang {
        Lang::En => en.to_string(),
        Lang::Nl => nl.to_string(),
    }
}

/// The labels of `key show` in a table.
struct Labels(Lang);

impl Humanize for Labels {
    fn label(&self, column: &str) -> String {
        let (en, nl) = match column {
            "field" => ("field", "veld"),
            "value" => ("value", "waarde"),
            "registry" => ("registry", "register"),
            "key_id" => ("key id", "sleutel-id"),
            "key_file" => ("key file", "sleutelbestand"),
            "state" => ("state", "toestand"),
            "pseudonyms" => ("student pseudonyms", "pseudoniemen van studenten"),
            other => (other, other),
        };
        match self.0 {
            Lang::En => en.to_string(),
            Lang::Nl => nl.to_string(),
        }
    }
}
