//! Resolving what people type (a name, a short name, an alias, an id) to the
//! record it means. Loaded once per command, so a bulk import resolves a
//! million references without a query each.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::domain::names::{did_you_mean, fold, suggest};
use crate::domain::{Level, Sector, Vocabulary};
use crate::error::{Error, Result};

/// A quick hash for short keys we make ourselves (folded names): the
/// standard hasher resists hostile keys, which a name index does not need,
/// and costs a bulk import more than its lookups.
#[derive(Default, Clone, Copy)]
pub struct QuickHasher(u64);

impl std::hash::Hasher for QuickHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type QuickMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<QuickHasher>>;

/// Every spelling of every record of one kind, folded (see `names::fold`).
#[derive(Debug, Default)]
pub struct NameIndex {
    /// "a partner", "a lab": for messages.
    what: &'static str,
    /// The command that lists them, for messages.
    list_command: &'static str,
    by_key: QuickMap<String, Vec<i64>>,
    /// The main name of each record, for messages and suggestions.
    names: QuickMap<i64, String>,
    /// Every spelling as written, for suggestions.
    spellings: Vec<String>,
    /// Whether ids are spellings too (see [`NameIndex::keyed`]).
    keyed: bool,
}

/// How a reference was written, which decides how a number reads.
///
/// In a file (an import, a native CSV) a reference is a name, a short
/// name, an alias or a code, never an internal id: a partner column holding
/// `1` names the partner called "1", whatever partner has id 1. On the
/// command line a bare number is an id (`ipart partner show 12`), and
/// `name:TEXT` is TEXT read as a name only (`ipart partner show name:1`);
/// anything else is a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Written {
    #[default]
    InFile,
    Typed,
}

/// What marks a typed reference as a name: `name:1`.
pub const NAME_PREFIX: &str = "name:";

/// The id a typed reference gives: a bare number.
fn as_id(input: &str) -> Option<i64> {
    if input.is_empty() || !input.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    input.parse().ok()
}

/// A name as it must be typed so that it reads as that name under the
/// command line's rule: `name:` before one that looks like an id (or
/// already starts with `name:`), any other as it is. `edit` uses it for the
/// stored references it passes on unchanged.
pub fn typed_name(name: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = name.trim();
    if as_id(trimmed).is_some() || trimmed.starts_with(NAME_PREFIX) {
        std::borrow::Cow::Owned(format!("{NAME_PREFIX}{trimmed}"))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

impl NameIndex {
    /// Builds an index from `(id, main name, other spellings...)` rows.
    /// `sql` returns `id, name, spelling` where spelling may be NULL.
    pub fn load(conn: &Connection, what: &'static str, list_command: &'static str, sql: &str) -> Result<Self> {
        let mut index = NameIndex { what, list_command, ..Default::default() };
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let name: String = row.get(1)?;
            let spelling: Option<String> = row.get(2)?;
            index.names.entry(id).or_insert_with(|| name.clone());
            index.add(id, &name);
            if let Some(s) = spelling {
                index.add(id, &s);
            }
        }
        Ok(index)
    }

    /// Adds a spelling (used when an import creates records as it goes).
    pub fn add(&mut self, id: i64, spelling: &str) {
        let ids = self.by_key.entry(fold(spelling)).or_default();
        if !ids.contains(&id) {
            ids.push(id);
            self.spellings.push(spelling.to_string());
        }
        self.names.entry(id).or_insert_with(|| spelling.to_string());
    }

    /// The main name of a record.
    pub fn name(&self, id: i64) -> Option<&str> {
        self.names.get(&id).map(String::as_str)
    }

    /// The id of the record `input` names, or `None` when nothing matches.
    /// An error when the spelling names more than one record. How `input`
    /// was written decides how a number reads (see [`Written`]).
    pub fn find(&self, input: &str, written: Written) -> Result<Option<i64>, Error> {
        let trimmed = input.trim();
        if written == Written::Typed {
            if let Some(id) = as_id(trimmed) {
                return Ok(self.names.contains_key(&id).then_some(id));
            }
            if let Some(name) = trimmed.strip_prefix(NAME_PREFIX)
                && let Some(id) = self.find_name(name)?
            {
                return Ok(Some(id));
            }
        }
        self.find_name(trimmed)
    }

    /// The record one of whose spellings is `input`: names only, never ids.
    fn find_name(&self, input: &str) -> Result<Option<i64>, Error> {
        match self.by_key.get(&fold(input)).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([id]) => Ok(Some(*id)),
            Some(ids) => {
                let names: Vec<String> =
                    ids.iter().map(|id| format!("{} (id {id})", self.names.get(id).map_or("?", |s| s))).collect();
                Err(Error::invalid(format!(
                    "{} names more than one {}: {}; give a spelling only one of them has (or, on the command line, the id)",
                    crate::domain::names::shown(input),
                    self.noun(),
                    names.join(", ")
                )))
            }
        }
    }

    /// The id of the record `input` names; an error suggesting the closest
    /// names when nothing matches.
    pub fn resolve(&self, input: &str, written: Written) -> Result<i64, Error> {
        self.find(input, written)?.ok_or_else(|| self.unknown(input, written))
    }

    /// "partner", "lab": what the index holds, without its article.
    fn noun(&self) -> &'static str {
        self.what.trim_start_matches("a ").trim_start_matches("an ")
    }

    /// The "no such record" error, with suggestions.
    pub fn unknown(&self, input: &str, written: Written) -> Error {
        if written == Written::Typed
            && let Some(id) = as_id(input.trim())
        {
            let name_hint = if self.keyed {
                String::new()
            } else {
                format!("; a {} whose name is {id} is written {NAME_PREFIX}{id}", self.noun())
            };
            return Error::invalid(format!(
                "no {} has id {id}{name_hint} (see `ipart {}`)",
                self.noun(),
                self.list_command
            ));
        }
        let input = match written {
            Written::Typed => input.trim().strip_prefix(NAME_PREFIX).unwrap_or(input),
            Written::InFile => input,
        };
        let suggestions = suggest(input, self.spellings.iter().map(String::as_str), 3);
        let mut names: Vec<&str> = Vec::new();
        for s in suggestions {
            // Suggest the main name where an alias matched.
            let main = self.find_name(s).ok().flatten().and_then(|id| self.name(id)).unwrap_or(s);
            if !names.contains(&main) {
                names.push(main);
            }
        }
        Error::invalid(format!(
            "no {} called {}{} (see `ipart {}`)",
            self.noun(),
            crate::domain::names::shown(input),
            did_you_mean(&names),
            self.list_command
        ))
    }

    /// Marks the index as one of keyed records (assignments, PhDs,
    /// questions), whose ids are among their spellings: their files refer
    /// to them by `SOURCE:EXTERNAL_ID`, or by id when they have none.
    pub fn keyed(mut self) -> Self {
        self.keyed = true;
        self
    }

    /// The ids that already answer to `spelling`, other than `except`.
    pub fn taken_by_other(&self, spelling: &str, except: i64) -> Option<i64> {
        self.by_key.get(&fold(spelling)).and_then(|ids| ids.iter().copied().find(|id| *id != except))
    }
}

/// Partners with what references to them need: sector and level.
#[derive(Debug, Default)]
pub struct PartnerIndex {
    pub names: NameIndex,
    info: QuickMap<i64, (Sector, Option<Level>)>,
}

impl PartnerIndex {
    pub fn load(conn: &Connection) -> Result<Self> {
        let names = NameIndex::load(
            conn,
            "a partner",
            "partner list",
            "SELECT id, name, short_name FROM partner
             UNION ALL SELECT p.id, p.name, a.alias FROM partner_alias a JOIN partner p ON p.id = a.partner_id
             ORDER BY 1",
        )?;
        let mut info = QuickMap::default();
        let mut stmt = conn.prepare("SELECT id, sector, level FROM partner")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let sector: String = row.get(1)?;
            let level: Option<String> = row.get(2)?;
            info.insert(
                row.get::<_, i64>(0)?,
                (Sector::parse(&sector)?, level.as_deref().map(Level::parse).transpose()?),
            );
        }
        Ok(PartnerIndex { names, info })
    }

    /// Registers a partner created during this command.
    pub fn add(&mut self, id: i64, spellings: &[&str], sector: Sector, level: Option<Level>) {
        for s in spellings {
            self.names.add(id, s);
        }
        self.info.insert(id, (sector, level));
    }

    pub fn sector(&self, id: i64) -> Option<Sector> {
        self.info.get(&id).map(|i| i.0)
    }

    pub fn level(&self, id: i64) -> Option<Level> {
        self.info.get(&id).and_then(|i| i.1)
    }

    /// Resolves `input` and requires the partner to be of `sector`.
    pub fn resolve_in(&self, input: &str, sector: Sector, written: Written) -> Result<i64, Error> {
        let id = self.names.resolve(input, written)?;
        let actual = self.sector(id).unwrap_or(Sector::Other);
        if actual != sector {
            let name = self.names.name(id).unwrap_or(input);
            return Err(Error::invalid(format!(
                "{name:?} is {} partner, not {} partner",
                article(actual),
                article(sector)
            )));
        }
        Ok(id)
    }
}

fn article(sector: Sector) -> String {
    match sector {
        Sector::Education => "an education".to_string(),
        Sector::Government => "a government".to_string(),
        Sector::Other => "an other".to_string(),
    }
}

/// Themes by code, English and Dutch name, and alias.
pub fn theme_index(conn: &Connection) -> Result<NameIndex> {
    NameIndex::load(
        conn,
        "a theme",
        "theme list",
        "SELECT id, code, name_en FROM theme
         UNION ALL SELECT id, code, name_nl FROM theme
         UNION ALL SELECT t.id, t.code, a.alias FROM theme_alias a JOIN theme t ON t.id = a.theme_id
         ORDER BY 1",
    )
}

pub fn lab_index(conn: &Connection) -> Result<NameIndex> {
    NameIndex::load(conn, "a lab", "lab list", "SELECT id, name, NULL FROM lab")
}

pub fn community_index(conn: &Connection) -> Result<NameIndex> {
    NameIndex::load(conn, "a community", "community list", "SELECT id, name, NULL FROM community")
}

pub fn activity_index(conn: &Connection) -> Result<NameIndex> {
    NameIndex::load(conn, "an activity", "activity list", "SELECT id, name, NULL FROM activity")
}

pub fn curriculum_index(conn: &Connection) -> Result<NameIndex> {
    NameIndex::load(conn, "a curriculum", "curriculum list", "SELECT id, name, NULL FROM curriculum")
}

pub fn chair_index(conn: &Connection) -> Result<NameIndex> {
    NameIndex::load(conn, "a chair", "chair list", "SELECT id, name, NULL FROM chair")
}

/// Records with (source, external id) keys, referred to as `SOURCE:ID` or by
/// their numeric id.
pub fn keyed_index(conn: &Connection, table: &'static str) -> Result<NameIndex> {
    let (what, list) = match table {
        "assignment" => ("an assignment", "assignment list"),
        "phd" => ("a PhD candidate", "phd list"),
        _ => ("a record", "--help"),
    };
    Ok(NameIndex::load(
        conn,
        what,
        list,
        &format!(
            "SELECT id, CAST(id AS TEXT), CASE WHEN external_id IS NOT NULL THEN source || ':' || external_id END FROM {table}"
        ),
    )?
    .keyed())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partners() -> NameIndex {
        let mut index = NameIndex { what: "a partner", list_command: "partner list", ..Default::default() };
        index.add(1, "Aeres Hogeschool");
        index.add(7, "1");
        index.add(8, "name:x");
        index
    }

    #[test]
    fn a_number_is_an_id_only_when_typed() {
        let index = partners();
        let find = |input: &str, written| index.find(input, written).unwrap();
        assert_eq!(find("1", Written::InFile), Some(7), "in a file, the partner called 1");
        assert_eq!(find("1", Written::Typed), Some(1), "typed, partner 1");
        assert_eq!(find("name:1", Written::Typed), Some(7));
        assert_eq!(find("name:1", Written::InFile), None);
        assert_eq!(find("2", Written::Typed), None, "no id 2, and not read as a name");
        assert_eq!(find("name:name:x", Written::Typed), Some(8));
        assert_eq!(find("name:x", Written::Typed), Some(8), "a name that starts with name: is found as it is");
        assert_eq!(find(" aeres  hogeschool ", Written::Typed), Some(1));
        // What edit passes on for stored names reads as those names.
        assert_eq!(find(&typed_name("1"), Written::Typed), Some(7));
        assert_eq!(find(&typed_name("name:x"), Written::Typed), Some(8));
        assert_eq!(typed_name("Aeres Hogeschool"), "Aeres Hogeschool");
        assert_eq!(
            index.unknown("2", Written::Typed).message,
            "no partner has id 2; a partner whose name is 2 is written name:2 (see `ipart partner list`)"
        );
        assert_eq!(
            index.unknown("name:2", Written::Typed).message,
            "no partner called \"2\" (see `ipart partner list`)"
        );
        assert_eq!(index.unknown("2", Written::InFile).message, "no partner called \"2\" (see `ipart partner list`)");
    }
}
