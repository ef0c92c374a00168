-- Schema step 8: the key of the student pseudonyms leaves the registry.
--
-- Up to step 7 the key lived in `registry_secret`, so anyone holding the
-- registry file or a backup of it could test every student number against
-- the pseudonyms. From this step on the key lives in a key file of its own
-- (see src/store/key.rs), and the registry keeps only a check value:
-- HMAC-SHA256 of the text "ipart key check" under the key. It tells which
-- key belongs to the registry (and names its key file) but gives nothing
-- away about the key.
--
-- The key itself cannot be moved out by SQL: ipart does that right after
-- this step, writing the key file first and then removing the key from
-- `registry_secret` (with SQLite's secure_delete). Until then, and for a
-- copy that still holds a key, `registry_secret` keeps it; it holds nothing
-- else afterwards. A copy taken before the upgrade and cleared of its key
-- keeps the check value in `registry_secret` as 'student_key_check', where
-- a schema-7 registry has room for it; it is carried over here.

CREATE TABLE student_key_check (
    -- one row at most: the key of this registry
    id      INTEGER PRIMARY KEY CONSTRAINT student_key_check_one CHECK (id = 1),
    value   BLOB NOT NULL CONSTRAINT student_key_check_length CHECK (length(value) = 32)
) STRICT;

INSERT INTO student_key_check (id, value)
    SELECT 1, value FROM registry_secret WHERE name = 'student_key_check';
DELETE FROM registry_secret WHERE name = 'student_key_check';
