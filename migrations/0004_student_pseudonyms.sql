-- Schema step 4: student pseudonyms.
--
-- An import may bring the identifiers of the students on an assignment (a
-- student number, an e-mail address), so that a report can count unique
-- students across assignments. The registry never keeps them as given:
-- only HMAC-SHA256 of the normalised identifier under a key of this
-- registry, which `ipart` makes on first use and never prints or exports.
-- The same student in two registries gets two unrelated pseudonyms.

-- Secrets of this registry, by name ('student_id_key': 32 random bytes).
CREATE TABLE registry_secret (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL CONSTRAINT registry_secret_length CHECK (length(value) = 32)
) STRICT;

-- The students of an assignment, as pseudonyms. The batch is the import
-- that first linked the pseudonym to the assignment, so that
-- `ipart import undo` takes out exactly what it added.
CREATE TABLE assignment_student (
    assignment_id INTEGER NOT NULL REFERENCES assignment (id) ON DELETE CASCADE,
    pseudonym     BLOB NOT NULL CONSTRAINT assignment_student_pseudonym CHECK (length(pseudonym) = 32),
    batch_id      INTEGER NOT NULL REFERENCES import_batch (id),
    PRIMARY KEY (assignment_id, pseudonym)
) WITHOUT ROWID, STRICT;

-- How many pseudonyms a batch linked that were not linked yet: part of what
-- it did, like its counts of rows added and updated.
ALTER TABLE import_batch ADD COLUMN students_linked INTEGER NOT NULL DEFAULT 0
    CONSTRAINT import_batch_students_linked CHECK (students_linked >= 0);
