//! Student identifiers, kept only as pseudonyms: HMAC-SHA256 of the
//! normalised identifier under the key of this registry. The key is made on
//! the first import that needs it (32 bytes from the operating system's
//! random source) and lives outside the registry, in a key file of its own
//! (see `key`): the registry keeps only its check value. No command prints
//! the key, and `ipart export` writes neither it nor the pseudonyms. A
//! pseudonym only tells whether two assignments share a student; without
//! the key it cannot be checked against a guessed student number, and
//! another registry's pseudonym of the same student differs.

use hmac::{Hmac, KeyInit, Mac};
use rusqlite::{Connection, params};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;

use super::Writer;
use super::key::{self, Key};
use crate::error::{Error, Result};

/// A pseudonym: HMAC-SHA256, 32 bytes.
pub type Pseudonym = [u8; 32];

/// Turns identifiers into this registry's pseudonyms.
#[derive(Clone)]
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.write_str("Pseudonymiser")
    }
}

impl Pseudonymiser {
    /// The pseudonymiser of the registry behind `w`. A registry without a
    /// key yet gets one: its check value is recorded in `w`'s transaction
    /// and the key stored at the key place just before that commits (a dry
    /// run keeps neither). A registry whose key is not at its place is
    /// refused, saying where it should be and how to bring it.
    pub fn of(w: &Writer) -> Result<Pseudonymiser> {
        let place = w.key_place();
        let Some(check) = key::stored_check(w)? else {
            let key = Key::generate()?;
            key::record_check(w, &key)?;
            let pseudonymiser = Pseudonymiser::with_key(key.bytes());
            w.keep_new_key(key);
            return Ok(pseudonymiser);
        };
        match place.load(&check)? {
            Some(key) => Ok(Pseudonymiser::with_key(key.bytes())),
            None => Err(Error::registry(format!(
                "the key of this registry's student pseudonyms (key id {}) is not at {}; an import with student \
                 identifiers needs it: bring it with `ipart key import FILE` from the copy made with `ipart key \
                 export`, or name its file with --key-file or IPART_KEY_FILE; nothing was changed",
                key::key_id(&check),
                place.describe(&check)
            ))
            .into()),
        }
    }

    fn with_key(key: &[u8; 32]) -> Pseudonymiser {
        Pseudonymiser { mac: <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length") }
    }

    /// The pseudonym of one identifier, normalised first (see [`normalise`]).
    pub fn pseudonym(&self, id: &str) -> Pseudonym {
        let mut mac = self.mac.clone();
        mac.update(normalise(id).as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// An identifier as it is hashed: without surrounding white space, in
/// Unicode normal form C and lower case, so `S123456`, ` s123456 ` and
/// `s123456` are one student.
pub fn normalise(id: &str) -> String {
    id.trim().nfc().flat_map(char::to_lowercase).collect()
}

/// Links pseudonyms to assignments; a pair already there is left as it was
/// (with the batch that first linked it). Returns how many were new.
pub fn link(w: &Writer, batch: i64, rows: &[(i64, Pseudonym)]) -> Result<usize> {
    let mut stmt = w.prepare_cached(
        "INSERT OR IGNORE INTO assignment_student (assignment_id, pseudonym, batch_id, known_from) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut added = 0;
    for (assignment, pseudonym) in rows {
        added += stmt.execute(params![assignment, &pseudonym[..], batch, w.revision()])?;
    }
    Ok(added)
}

/// Other batches, not undone, that linked pseudonyms to assignments `batch`
/// added: undoing it would take their links with its assignments.
pub fn later_links(conn: &Connection, batch: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT s.batch_id FROM assignment_student s JOIN assignment a ON a.id = s.assignment_id
         WHERE a.batch_id = ?1 AND s.batch_id <> ?1
           AND s.batch_id NOT IN (SELECT id FROM import_batch WHERE undone_at IS NOT NULL)
         ORDER BY 1",
    )?;
    let rows = stmt.query_map([batch], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes the links `batch` made (the undo of an import).
pub fn unlink_batch(w: &Writer, batch: i64) -> Result<usize> {
    Ok(w.execute("DELETE FROM assignment_student WHERE batch_id = ?1", [batch])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_normalised_before_hashing() {
        assert_eq!(normalise("  S123456\t"), "s123456");
        // "é" composed and decomposed are one identifier.
        assert_eq!(normalise("Jos\u{e9}@Example.NL"), normalise("jose\u{301}@example.nl"));
        let p = Pseudonymiser::with_key(&[7; 32]);
        assert_eq!(p.pseudonym("S123456"), p.pseudonym(" s123456 "));
        assert_ne!(p.pseudonym("s123456"), p.pseudonym("s123457"));
        assert_ne!(p.pseudonym("s123456"), Pseudonymiser::with_key(&[8; 32]).pseudonym("s123456"));
    }

    #[test]
    fn a_pseudonym_is_hmac_sha256_of_the_normalised_identifier() {
        // Computed independently: Python's hmac.new(bytes([7] * 32), b"s123456", hashlib.sha256).
        let hex: String =
            Pseudonymiser::with_key(&[7; 32]).pseudonym(" S123456").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "7358e4ee6abeecc3a135a4e120a48f360621598469e2a654652053ccfc15124d");
    }
}
