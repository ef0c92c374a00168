-- Schema step 3: import batches.
--
-- Every run of `ipart import` that writes is one batch: which file (its name
-- and SHA-256), from which source system, what it did, who ran it and when,
-- and whether it was undone. The batch ties every change it made together,
-- so that `ipart import undo` can revert exactly those:
--   * the audit entries it wrote (updates, status changes, small records)
--     carry its id in change.batch_id;
--   * the assignments it added carry its id in assignment.batch_id instead
--     of one audit entry each, so that a million-row import does not write a
--     million JSON copies of what the file already holds.

CREATE TABLE import_batch (
    id          INTEGER PRIMARY KEY,
    -- the kind of record imported ('assignment')
    kind        TEXT NOT NULL,
    -- the file as named on the command line; '-' for standard input
    file        TEXT NOT NULL,
    -- SHA-256 of the file's bytes, lower-case hex; empty while the import runs
    sha256      TEXT NOT NULL CONSTRAINT import_batch_sha256 CHECK (sha256 = '' OR length(sha256) = 64),
    -- the source system named by the mapping file; NULL for a native file
    source      TEXT,
    -- the mapping file as named on the command line; NULL for a native file
    mapping     TEXT,
    -- data rows read, and what became of them
    rows        INTEGER NOT NULL DEFAULT 0 CONSTRAINT import_batch_rows CHECK (rows >= 0),
    added       INTEGER NOT NULL DEFAULT 0 CONSTRAINT import_batch_added CHECK (added >= 0),
    updated     INTEGER NOT NULL DEFAULT 0 CONSTRAINT import_batch_updated CHECK (updated >= 0),
    unchanged   INTEGER NOT NULL DEFAULT 0 CONSTRAINT import_batch_unchanged CHECK (unchanged >= 0),
    rejected    INTEGER NOT NULL DEFAULT 0 CONSTRAINT import_batch_rejected CHECK (rejected >= 0),
    -- UTC, RFC 3339
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    -- the operating-system user (or IPART_ACTOR)
    actor       TEXT NOT NULL,
    -- set by `ipart import undo`
    undone_at   TEXT,
    undone_by   TEXT
) STRICT;

-- The batch an audit entry belongs to: made by the import, or by its undo.
ALTER TABLE change ADD COLUMN batch_id INTEGER REFERENCES import_batch (id);
CREATE INDEX change_batch ON change (batch_id) WHERE batch_id IS NOT NULL;

-- The batch that added an assignment; NULL for one added by a command.
ALTER TABLE assignment ADD COLUMN batch_id INTEGER REFERENCES import_batch (id);
