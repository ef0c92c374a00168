-- Schema step 5: assignment status histories stored in history order.
--
-- assignment_status becomes a WITHOUT ROWID table whose primary key is
-- (assignment_id, since): the table itself is the B-tree the report and the
-- import walk, each history's changes side by side in date order, status
-- included. Before, a rowid table kept the same rows three more times: the
-- UNIQUE (assignment_id, since) index, step 2's (assignment_id, since,
-- status) index and its (status, since) index; every status change an
-- import wrote went into four B-trees, now into two. The report reads first
-- changes from its one pass over the histories, so (status, since) is not
-- needed either.
--
-- The guarantees stay: one status per assignment and day (the primary key),
-- the same CHECKs, the foreign key with its cascade, STRICT. `id` stays the
-- change's number that the audit trail and `ipart import undo` refer to,
-- UNIQUE; it is no longer given by SQLite, so every insert names it (the
-- largest one plus one, as SQLite gave it before).

-- The rows wait in a staging table while the old table goes: no ALTER
-- TABLE ... RENAME, which would open the temporary database and so keep a
-- bulk import later in the same process from tuning it.
CREATE TABLE assignment_status_staging (id INTEGER NOT NULL, assignment_id INTEGER NOT NULL, status TEXT NOT NULL,
                                        since TEXT NOT NULL) STRICT;
INSERT INTO assignment_status_staging SELECT id, assignment_id, status, since FROM assignment_status;
-- Its indexes (step 2's and the UNIQUE one) go with it.
DROP TABLE assignment_status;

-- The key's columns come first, in the key's order: SQLite 3.40.0 to 3.41.0
-- (Debian 12's sqlite3 shell among them) falsely report NULLs in a WITHOUT
-- ROWID table's NOT NULL columns from integrity_check when the two orders differ.
CREATE TABLE assignment_status (
    assignment_id INTEGER NOT NULL REFERENCES assignment (id) ON DELETE CASCADE,
    since         TEXT NOT NULL CONSTRAINT assignment_status_since_date CHECK (since IS date(since)),
    id            INTEGER NOT NULL,
    status        TEXT NOT NULL CONSTRAINT assignment_status_status
                  CHECK (status = 'preparation' OR status = 'in_progress' OR status = 'completed' OR status = 'cancelled' OR status = 'unknown'),
    PRIMARY KEY (assignment_id, since)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX assignment_status_id ON assignment_status (id);

INSERT INTO assignment_status (id, assignment_id, status, since)
    SELECT id, assignment_id, status, since FROM assignment_status_staging ORDER BY assignment_id, since;
DROP TABLE assignment_status_staging;
