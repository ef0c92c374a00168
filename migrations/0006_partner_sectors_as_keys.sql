-- Schema step 6: the sector rules of assignments and PhDs as foreign keys.
--
-- An assignment's government partner must be a government partner, its
-- education partner an education partner; likewise a PhD's. Steps 1-5 said
-- so with BEFORE INSERT and UPDATE triggers. Here each partner reference is
-- a foreign key on (partner id, sector) instead, the sector side a constant
-- generated column ('government', 'education'), to partner's new UNIQUE
-- (id, sector): one index lookup checks that the partner exists and has
-- the sector. Same guarantee, declared rather than programmed, and cheaper:
-- a trigger made SQLite run a sub-program per row and stage every
-- multi-row INSERT in a temporary table first (measured: a 1M-row import
-- 1 s faster, of about 10). A partner named by any of them cannot change
-- sector either (the foreign keys hold that too; the trigger
-- partner_sector_in_use stays, for its clearer message).
--
-- The tables are rebuilt (SQLite cannot add a table constraint), through a
-- staging table as in step 5, with every row and id kept. Two of the
-- assignment's indexes change on the way, each built again after a bulk
-- import (together 0.6 s of a 1M-row one): the one on lab_id keeps only
-- the assignments that have a lab (most have none; `lab_id = ?`, the only
-- way it is read, uses it as before), and the one on theme_id goes: six
-- themes, a sixth of the table each, are found as fast by reading the
-- table (ipart never deletes a theme; another tool deleting one has SQLite
-- read the table once for the foreign key: 60 ms at a million).

CREATE UNIQUE INDEX partner_id_sector ON partner (id, sector);

CREATE TABLE assignment_staging AS SELECT * FROM assignment;
-- Its indexes and its two sector triggers go with it.
DROP TABLE assignment;
CREATE TABLE assignment (
    id                    INTEGER PRIMARY KEY,
    title                 TEXT NOT NULL CONSTRAINT assignment_title_not_blank CHECK (trim(title) <> ''),
    kind                  TEXT NOT NULL CONSTRAINT assignment_kind CHECK (kind = 'internship' OR kind = 'graduation' OR kind = 'group' OR kind = 'hackathon'),
    level                 TEXT NOT NULL CONSTRAINT assignment_level CHECK (level = 'MBO' OR level = 'HBO' OR level = 'WO'),
    theme_id              INTEGER NOT NULL REFERENCES theme (id),
    -- a government partner (the foreign key below)
    government_partner_id INTEGER NOT NULL,
    -- an education partner (the foreign key below); unknown for some sources
    education_partner_id  INTEGER,
    lab_id                INTEGER REFERENCES lab (id),
    -- how many students work on it
    students              INTEGER NOT NULL CONSTRAINT assignment_students_positive CHECK (students > 0),
    source                TEXT,
    external_id           TEXT,
    -- the planned period
    starts_on             TEXT CONSTRAINT assignment_starts_on_date CHECK (starts_on IS NULL OR starts_on IS date(starts_on)),
    ends_on               TEXT CONSTRAINT assignment_ends_on_date CHECK (ends_on IS NULL OR ends_on IS date(ends_on)),
    -- the import batch that added it (step 3)
    batch_id              INTEGER REFERENCES import_batch (id),
    -- the sectors its partners must have, for the foreign keys
    government_sector     TEXT NOT NULL GENERATED ALWAYS AS ('government') VIRTUAL,
    education_sector      TEXT NOT NULL GENERATED ALWAYS AS ('education') VIRTUAL,
    CONSTRAINT assignment_ends_after_start CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on),
    CONSTRAINT assignment_external_id_has_source CHECK (external_id IS NULL OR source IS NOT NULL),
    CONSTRAINT assignment_government_partner_sector
        FOREIGN KEY (government_partner_id, government_sector) REFERENCES partner (id, sector),
    CONSTRAINT assignment_education_partner_sector
        FOREIGN KEY (education_partner_id, education_sector) REFERENCES partner (id, sector)
) STRICT;
INSERT INTO assignment (id, title, kind, level, theme_id, government_partner_id, education_partner_id, lab_id,
                        students, source, external_id, starts_on, ends_on, batch_id)
    SELECT id, title, kind, level, theme_id, government_partner_id, education_partner_id, lab_id,
           students, source, external_id, starts_on, ends_on, batch_id
    FROM assignment_staging ORDER BY id;
DROP TABLE assignment_staging;
CREATE UNIQUE INDEX assignment_source_external_id_unique ON assignment (source, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX assignment_government_partner ON assignment (government_partner_id);
CREATE INDEX assignment_education_partner ON assignment (education_partner_id);
CREATE INDEX assignment_lab ON assignment (lab_id) WHERE lab_id IS NOT NULL;

CREATE TABLE phd_staging AS SELECT * FROM phd;
DROP TABLE phd;
CREATE TABLE phd (
    id                    INTEGER PRIMARY KEY,
    started_on            TEXT NOT NULL CONSTRAINT phd_started_on_date CHECK (started_on IS date(started_on)),
    ended_on              TEXT CONSTRAINT phd_ended_on_date CHECK (ended_on IS NULL OR ended_on IS date(ended_on)),
    theme_id              INTEGER NOT NULL REFERENCES theme (id),
    -- a government partner (the foreign key below)
    government_partner_id INTEGER NOT NULL,
    -- the university (an education partner: the foreign key below)
    education_partner_id  INTEGER NOT NULL,
    topic                 TEXT,
    source                TEXT,
    external_id           TEXT,
    government_sector     TEXT NOT NULL GENERATED ALWAYS AS ('government') VIRTUAL,
    education_sector      TEXT NOT NULL GENERATED ALWAYS AS ('education') VIRTUAL,
    CONSTRAINT phd_ends_after_start CHECK (ended_on IS NULL OR ended_on >= started_on),
    CONSTRAINT phd_external_id_has_source CHECK (external_id IS NULL OR source IS NOT NULL),
    CONSTRAINT phd_government_partner_sector
        FOREIGN KEY (government_partner_id, government_sector) REFERENCES partner (id, sector),
    CONSTRAINT phd_education_partner_sector
        FOREIGN KEY (education_partner_id, education_sector) REFERENCES partner (id, sector)
) STRICT;
INSERT INTO phd (id, started_on, ended_on, theme_id, government_partner_id, education_partner_id, topic, source,
                 external_id)
    SELECT id, started_on, ended_on, theme_id, government_partner_id, education_partner_id, topic, source, external_id
    FROM phd_staging ORDER BY id;
DROP TABLE phd_staging;
CREATE UNIQUE INDEX phd_source_external_id_unique ON phd (source, external_id) WHERE external_id IS NOT NULL;
