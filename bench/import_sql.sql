-- The floor for the registry's schema: the bench's assignments CSV loaded
-- into a registry by SQL alone, as a competent analyst would with the
-- sqlite3 shell. bench/import.sh first runs
--   .import --csv --schema temp FILE bench_rows
-- then this. The same rows land in the same tables, under the same CHECKs,
-- foreign keys, triggers and indexes, in one transaction; names resolve
-- through an indexed table of names and short names (exact spelling only).
-- What ipart does besides (sniffing, every row checked with its line
-- named, names matched case- and accent-insensitively, matching on
-- (source, external id), the import batch) is not done here.
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TEMP TABLE partner_name (name TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO partner_name SELECT name, id FROM partner;
INSERT OR IGNORE INTO partner_name SELECT short_name, id FROM partner WHERE short_name IS NOT NULL;
CREATE TEMP TABLE base AS
    SELECT (SELECT coalesce(max(id), 0) FROM assignment) AS assignment_id,
           (SELECT coalesce(max(id), 0) FROM assignment_status) AS status_id;

INSERT INTO assignment (id, title, kind, level, theme_id, government_partner_id, education_partner_id, lab_id,
                        students, source, external_id, starts_on, ends_on)
SELECT (SELECT assignment_id FROM base) + r.rowid, r.title, r.kind, r.level, t.id, g.id, e.id, l.id,
       CAST(r.students AS INTEGER), r.source, r.external_id, nullif(r.starts_on, ''), nullif(r.ends_on, '')
FROM temp.bench_rows r
JOIN theme t ON t.code = r.theme
JOIN partner_name g ON g.name = r.government_partner
LEFT JOIN partner_name e ON e.name = nullif(r.education_partner, '')
LEFT JOIN lab l ON l.name = nullif(r.lab, '')
ORDER BY r.rowid;

-- "2023-06-22=preparation|2023-08-02=in_progress" -> one row per change.
INSERT INTO assignment_status (id, assignment_id, status, since)
SELECT (SELECT status_id FROM base) + row_number() OVER (), (SELECT assignment_id FROM base) + r.rowid,
       substr(j.value, 12), substr(j.value, 1, 10)
FROM temp.bench_rows r, json_each('["' || replace(r.status_history, '|', '","') || '"]') j;
COMMIT;
