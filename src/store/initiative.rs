//! Curricula and chairs: both have a kind, a name, an optional theme,
//! partner institutions and a status history, so one module keeps both.

use std::marker::PhantomData;

use rusqlite::{Connection, Row, params};

use super::history::{self, HistoryTable};
use super::{Writer, found, linked_names, read, replace_links};
use crate::domain::{
    ChairKind, ChairStatus, CurriculumKind, CurriculumStatus, Date, Initiative, StatusChange, Vocabulary,
};
use crate::error::Result;

/// Where one kind of initiative is stored.
pub struct InitiativeTable<K, S> {
    pub table: &'static str,
    pub link_table: &'static str,
    pub owner_column: &'static str,
    pub history: HistoryTable,
    /// "curriculum", for messages.
    pub what: &'static str,
    _types: PhantomData<(K, S)>,
}

pub const CURRICULUM: InitiativeTable<CurriculumKind, CurriculumStatus> = InitiativeTable {
    table: "curriculum",
    link_table: "curriculum_partner",
    owner_column: "curriculum_id",
    history: history::CURRICULUM,
    what: "curriculum",
    _types: PhantomData,
};

pub const CHAIR: InitiativeTable<ChairKind, ChairStatus> = InitiativeTable {
    table: "chair",
    link_table: "chair_partner",
    owner_column: "chair_id",
    history: history::CHAIR,
    what: "chair",
    _types: PhantomData,
};

#[derive(Debug, Clone)]
pub struct InitiativeView<K, S> {
    pub item: Initiative<K>,
    pub theme: Option<String>,
    pub partners: Vec<String>,
    pub status: Option<StatusChange<S>>,
}

#[derive(Debug, Clone)]
pub struct InitiativeFilter<K, S> {
    pub as_of: Option<Date>,
    pub status: Option<S>,
    pub kind: Option<K>,
    pub theme_id: Option<i64>,
    pub partner_id: Option<i64>,
}

impl<K, S> Default for InitiativeFilter<K, S> {
    fn default() -> Self {
        InitiativeFilter { as_of: None, status: None, kind: None, theme_id: None, partner_id: None }
    }
}

impl<K: Vocabulary + serde::Serialize, S: Vocabulary + serde::Serialize> InitiativeTable<K, S> {
    fn select(&self) -> String {
        format!(
            "SELECT x.id, x.kind, x.name, x.theme_id,
                (SELECT group_concat(partner_id, char(31)) FROM (SELECT partner_id FROM {link} WHERE {owner} = x.id ORDER BY partner_id)),
                t.code, {partners}, s.status, s.since
            FROM {table} x
            LEFT JOIN theme t ON t.id = x.theme_id
            LEFT JOIN {hist} s ON s.id = (
                SELECT id FROM {hist} WHERE {owner} = x.id AND since <= ?1 ORDER BY since DESC LIMIT 1)",
            link = self.link_table,
            owner = self.owner_column,
            table = self.table,
            hist = self.history.table,
            partners = linked_names(self.link_table, self.owner_column, "x"),
        )
    }

    fn from_row(r: &Row) -> rusqlite::Result<InitiativeView<K, S>> {
        let status = match r.get::<_, Option<String>>(7)? {
            Some(_) => Some(StatusChange { status: read::vocab(r, 7)?, since: read::date(r, 8)? }),
            None => None,
        };
        Ok(InitiativeView {
            item: Initiative {
                id: r.get(0)?,
                kind: read::vocab(r, 1)?,
                name: r.get(2)?,
                theme_id: r.get(3)?,
                partner_ids: read::ids(r, 4)?,
            },
            theme: r.get(5)?,
            partners: read::list(r, 6)?,
            status,
        })
    }

    pub fn list(
        &self,
        conn: &Connection,
        f: &InitiativeFilter<K, S>,
        today: Date,
    ) -> Result<Vec<InitiativeView<K, S>>> {
        let sql = format!(
            "{}
            WHERE (?2 = 0 OR s.id IS NOT NULL) AND (?3 IS NULL OR s.status = ?3) AND (?4 IS NULL OR x.kind = ?4)
              AND (?5 IS NULL OR x.theme_id = ?5)
              AND (?6 IS NULL OR EXISTS (SELECT 1 FROM {} WHERE {} = x.id AND partner_id = ?6))
            ORDER BY x.name COLLATE NOCASE, x.id",
            self.select(),
            self.link_table,
            self.owner_column
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(
            params![
                f.as_of.unwrap_or(today).to_string(),
                f.as_of.is_some(),
                f.status.map(|v| v.code()),
                f.kind.map(|v| v.code()),
                f.theme_id,
                f.partner_id
            ],
            Self::from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn get_view(&self, conn: &Connection, id: i64, on: Date) -> Result<InitiativeView<K, S>> {
        found(
            conn.query_row(&format!("{} WHERE x.id = ?2", self.select()), params![on.to_string(), id], Self::from_row),
            self.what,
            id,
        )
    }

    pub fn get(&self, conn: &Connection, id: i64) -> Result<Initiative<K>> {
        Ok(self.get_view(conn, id, Date::MAX)?.item)
    }

    pub fn insert(&self, w: &Writer, mut item: Initiative<K>, history: &[StatusChange<S>]) -> Result<Initiative<K>> {
        w.execute(
            &format!("INSERT INTO {} (kind, name, theme_id, known_from) VALUES (?1, ?2, ?3, ?4)", self.table),
            params![item.kind.code(), item.name, item.theme_id, w.revision()],
        )?;
        item.id = w.last_insert_rowid();
        replace_links(w, self.link_table, self.owner_column, "partner_id", item.id, &item.partner_ids)?;
        w.audit_record(self.table, item.id, None, Some(&item))?;
        history::insert_all(w, self.history, item.id, history)?;
        Ok(item)
    }

    pub fn update(&self, w: &Writer, old: &Initiative<K>, new: &Initiative<K>) -> Result<()> {
        w.execute(
            &format!("UPDATE {} SET kind = ?1, name = ?2, theme_id = ?3 WHERE id = ?4", self.table),
            params![new.kind.code(), new.name, new.theme_id, new.id],
        )?;
        replace_links(w, self.link_table, self.owner_column, "partner_id", new.id, &new.partner_ids)?;
        w.audit_record(self.table, new.id, Some(old), Some(new))
    }

    pub fn delete(&self, w: &Writer, item: &Initiative<K>) -> Result<()> {
        history::remove_all(w, self.history, item.id)?;
        w.execute(&format!("DELETE FROM {} WHERE id = ?1", self.table), [item.id])?;
        w.audit_record(self.table, item.id, Some(item), None)
    }
}
