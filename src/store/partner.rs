//! Partners and their aliases.

use rusqlite::{Connection, Row, params};

use super::lookup::PartnerIndex;
use super::{Reference, Writer, count_references, found, optional, read, refuse_if_referenced};
use crate::domain::{Date, Level, Partner, Region, Sector, Vocabulary};
use crate::error::{Error, Result};

const COLUMNS: &str = "p.id, p.name, p.short_name, p.sector, p.level, p.region, p.joined_on, p.left_on,
    p.external_code, p.source, p.external_id,
    (SELECT group_concat(alias, char(31)) FROM (SELECT alias FROM partner_alias WHERE partner_id = p.id ORDER BY alias))";

fn from_row(r: &Row) -> rusqlite::Result<Partner> {
    Ok(Partner {
        id: r.get(0)?,
        name: r.get(1)?,
        short_name: r.get(2)?,
        sector: read::vocab(r, 3)?,
        level: read::opt_vocab(r, 4)?,
        region: read::opt_vocab(r, 5)?,
        joined_on: read::opt_date(r, 6)?,
        left_on: read::opt_date(r, 7)?,
        external_code: r.get(8)?,
        source: r.get(9)?,
        external_id: r.get(10)?,
        aliases: read::list(r, 11)?,
    })
}

/// What `partner list` can filter on.
#[derive(Debug, Default, Clone)]
pub struct PartnerFilter {
    pub sector: Option<Sector>,
    pub level: Option<Level>,
    pub region: Option<Region>,
    /// Only partners counting on this date (joined on or before it, not left).
    pub as_of: Option<Date>,
}

pub fn list(conn: &Connection, f: &PartnerFilter) -> Result<Vec<Partner>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM partner p
         WHERE (?1 IS NULL OR sector = ?1) AND (?2 IS NULL OR level = ?2) AND (?3 IS NULL OR region = ?3)
           AND (?4 IS NULL OR (joined_on <= ?4 AND (left_on IS NULL OR left_on > ?4)))
         ORDER BY name COLLATE NOCASE, id"
    ))?;
    let rows = stmt.query_map(
        params![
            f.sector.map(|v| v.code()),
            f.level.map(|v| v.code()),
            f.region.map(|v| v.code()),
            f.as_of.map(|d| d.to_string())
        ],
        from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Partner> {
    found(conn.query_row(&format!("SELECT {COLUMNS} FROM partner p WHERE id = ?1"), [id], from_row), "partner", id)
}

/// Refuses a spelling that already names another partner: a name must
/// resolve to one partner only.
fn check_spellings(index: &PartnerIndex, p: &Partner) -> Result<()> {
    for spelling in p.spellings() {
        if let Some(other) = index.names.taken_by_other(spelling, p.id) {
            let other_name = index.names.name(other).unwrap_or("?");
            return Err(Error::invalid(format!(
                "{spelling:?} already names partner {other_name:?} (id {other}); names, short names and aliases must be unique"
            ))
            .into());
        }
    }
    Ok(())
}

fn write_aliases(w: &Writer, p: &Partner) -> Result<()> {
    super::replace_links(w, "partner_alias", "partner_id", "alias", p.id, &p.aliases)
}

fn bind(p: &Partner) -> [Option<String>; 10] {
    [
        Some(p.name.clone()),
        p.short_name.clone(),
        Some(p.sector.code().to_string()),
        p.level.map(|v| v.code().to_string()),
        p.region.map(|v| v.code().to_string()),
        p.joined_on.map(|d| d.to_string()),
        p.left_on.map(|d| d.to_string()),
        p.external_code.clone(),
        p.source.clone(),
        p.external_id.clone(),
    ]
}

/// Adds a partner; returns it with its new id.
pub fn insert(w: &Writer, index: &PartnerIndex, mut p: Partner) -> Result<Partner> {
    p.id = 0;
    check_spellings(index, &p)?;
    check_unique_code(w, &p)?;
    let b = bind(&p);
    w.execute(
        "INSERT INTO partner (name, short_name, sector, level, region, joined_on, left_on, external_code, source, external_id, known_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        w.and_revision(&b),
    )?;
    p.id = w.last_insert_rowid();
    write_aliases(w, &p)?;
    w.audit_record("partner", p.id, None, Some(&p))?;
    Ok(p)
}

/// Saves changed fields of an existing partner.
pub fn update(w: &Writer, index: &PartnerIndex, old: &Partner, new: &Partner) -> Result<()> {
    check_spellings(index, new)?;
    check_unique_code(w, new)?;
    if new.sector != old.sector {
        // Assignments and PhD candidates rely on the sector of their partners.
        let relied_on = count_references(w, old.id, &REFERENCES[..2])?;
        if !relied_on.is_empty() {
            return Err(Error::invalid(format!(
                "partner {:?} cannot change sector from {} to {}: {} rely on it being a {} partner",
                old.name,
                old.sector,
                new.sector,
                relied_on.join(" and "),
                old.sector
            ))
            .into());
        }
    }
    if new.sector == Sector::Education && new.level != old.level {
        refuse_level_in_use(w, old, new)?;
    }
    let b = bind(new);
    let mut values: Vec<Option<String>> = b.to_vec();
    values.push(Some(new.id.to_string()));
    w.execute(
        "UPDATE partner SET name = ?1, short_name = ?2, sector = ?3, level = ?4, region = ?5, joined_on = ?6,
             left_on = ?7, external_code = ?8, source = ?9, external_id = ?10
         WHERE id = CAST(?11 AS INTEGER)",
        rusqlite::params_from_iter(values.iter()),
    )?;
    write_aliases(w, new)?;
    w.audit_record("partner", new.id, Some(old), Some(new))?;
    Ok(())
}

/// An assignment's level is its education partner's (`ipart db check`,
/// rule "sectors"), so a partner's level stays while assignments at another
/// level name it.
fn refuse_level_in_use(conn: &Connection, old: &Partner, new: &Partner) -> Result<()> {
    let (count, levels): (i64, Option<String>) = conn.query_row(
        "SELECT count(*), group_concat(DISTINCT level) FROM assignment
         WHERE education_partner_id = ?1 AND level IS NOT ?2",
        params![old.id, new.level.map(|l| l.code())],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if count == 0 {
        return Ok(());
    }
    let level = |l: Option<Level>| l.map_or_else(|| "no level".to_string(), |l| l.to_string());
    Err(Error::invalid(format!(
        "partner {:?} cannot change level from {} to {}: {count} {} at level {} {} it as education partner, \
         and an assignment's level is its education partner's",
        old.name,
        level(old.level),
        level(new.level),
        if count == 1 { "assignment" } else { "assignments" },
        levels.unwrap_or_default().replace(',', " and "),
        if count == 1 { "has" } else { "have" },
    ))
    .into())
}

fn check_unique_code(conn: &Connection, p: &Partner) -> Result<()> {
    if let Some(code) = &p.external_code {
        let other: Option<String> = optional(conn.query_row(
            "SELECT name FROM partner WHERE external_code = ?1 AND id <> ?2",
            params![code, p.id],
            |r| r.get(0),
        ))?;
        if let Some(other) = other {
            return Err(Error::invalid(format!("external code {code:?} already belongs to partner {other:?}")).into());
        }
    }
    Ok(())
}

/// What refers to a partner.
const REFERENCES: &[Reference] = &[
    (
        "assignment",
        "assignments",
        "SELECT count(*) FROM assignment WHERE government_partner_id = ?1 OR education_partner_id = ?1",
    ),
    (
        "PhD candidate",
        "PhD candidates",
        "SELECT count(*) FROM phd WHERE government_partner_id = ?1 OR education_partner_id = ?1",
    ),
    ("lab", "labs", "SELECT count(*) FROM lab_partner WHERE partner_id = ?1"),
    ("activity", "activities", "SELECT count(*) FROM activity_partner WHERE partner_id = ?1"),
    ("curriculum", "curricula", "SELECT count(*) FROM curriculum_partner WHERE partner_id = ?1"),
    ("chair", "chairs", "SELECT count(*) FROM chair_partner WHERE partner_id = ?1"),
    ("question", "questions", "SELECT count(*) FROM question WHERE source_partner_id = ?1"),
];

/// Removes a partner nothing refers to.
pub fn delete(w: &Writer, p: &Partner) -> Result<()> {
    refuse_if_referenced(w, &format!("partner {:?} (id {})", p.name, p.id), p.id, REFERENCES)?;
    w.execute("DELETE FROM partner WHERE id = ?1", [p.id])?;
    w.audit_record("partner", p.id, Some(p), None)?;
    Ok(())
}
