-- Schema step 7: what the registry knew, and when.
--
-- A status history says when things happened (valid time). This step adds
-- when the registry learned them (transaction time), so that a report
-- published on a day can be given again, exactly, after late files,
-- corrections, removals and undos (`ipart report --known-on DATE`), and so
-- that any change can be taken back exactly (`ipart undo`).
--
--   * Every write transaction of ipart is one revision: a row in
--     `revision` (when, who, which command), made before anything else is
--     written. Audit entries and import batches name their revision.
--   * Every row of a table that the report or a record shows carries
--     `known_from`: the revision that wrote it (0: known from the start,
--     such as the built-in themes). ipart sets it on insert; an update sets
--     it through the triggers below, never by hand.
--   * When a row is changed or removed, its earlier version goes to the
--     table's `_retired` twin with `known_until`, the revision that
--     replaced or removed it: triggers do it, whatever writes, so nothing
--     the registry once held is lost. A version written and replaced in
--     one revision was never seen by anyone and is not kept.
--   * The registry as known after revision K is then: the rows with
--     known_from <= K, and the retired versions with
--     known_from <= K < known_until.
--
-- The same step adds two fields of assignments (the date a source
-- registered it, and a note from the source), and the names of the yearly
-- communication figures: a figure must be declared before it is set, so a
-- typo is refused instead of becoming a new figure.
--
-- Existing registries: their audit trail and import batches say when each
-- row was recorded. Consecutive audit entries of one command run become one
-- revision; a row is known from the revision of its last recorded insert or
-- update (assignments and their statuses added by an import: from the
-- import's); the earlier versions the audit trail holds (the record before
-- each update and removal) become retired versions. Aliases and links of a
-- record (partner aliases, lab regions, members ...) are known from the
-- first recorded version of the record that holds them without a break;
-- removed links and the records an import undo removed are not
-- reconstructed (the trail does not hold them whole).

CREATE TABLE revision (
    id      INTEGER PRIMARY KEY,
    -- UTC, RFC 3339: when the registry learned what this revision wrote
    at      TEXT NOT NULL,
    -- the operating-system user (or IPART_ACTOR)
    actor   TEXT NOT NULL,
    -- the command that made it ("assignment status", "import assignments")
    command TEXT NOT NULL,
    -- the revision this one took back (`ipart undo`), if it did
    undoes  INTEGER REFERENCES revision (id)
) STRICT;
CREATE INDEX revision_at ON revision (at);

ALTER TABLE change ADD COLUMN revision_id INTEGER REFERENCES revision (id);
ALTER TABLE import_batch ADD COLUMN revision_id INTEGER REFERENCES revision (id);

-- The day the source system registered the assignment (its "created on"),
-- and a remark from the source, kept as given.
ALTER TABLE assignment ADD COLUMN registered_on TEXT
    CONSTRAINT assignment_registered_on_date CHECK (registered_on IS NULL OR registered_on IS date(registered_on));
ALTER TABLE assignment ADD COLUMN note TEXT
    CONSTRAINT assignment_note_not_blank CHECK (note IS NULL OR trim(note) <> '');

-- The communication figures ipart knows: built in, or declared with
-- `ipart metric add`. `unit` says how a value reads: a count or a percentage.
CREATE TABLE metric_name (
    name       TEXT PRIMARY KEY
               CONSTRAINT metric_name_format CHECK (name GLOB '[a-z]*' AND name NOT GLOB '*[^a-z0-9-]*'),
    name_en    TEXT NOT NULL CONSTRAINT metric_name_en_not_blank CHECK (trim(name_en) <> ''),
    name_nl    TEXT NOT NULL CONSTRAINT metric_name_nl_not_blank CHECK (trim(name_nl) <> ''),
    unit       TEXT NOT NULL CONSTRAINT metric_name_unit CHECK (unit = 'count' OR unit = 'percent'),
    -- display order in lists and reports
    position   INTEGER NOT NULL,
    known_from INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO metric_name (name, name_en, name_nl, unit, position) VALUES
    ('linkedin-followers', 'LinkedIn followers', 'LinkedIn-volgers', 'count', 1),
    ('website-visitors-new-share', 'Website visitors, new (%)', 'Websitebezoekers, nieuw (%)', 'percent', 2),
    ('website-visitors-returning-share', 'Website visitors, returning (%)', 'Websitebezoekers, terugkerend (%)', 'percent', 3);
-- Figures set before names were declared keep their names, declared here.
INSERT INTO metric_name (name, name_en, name_nl, unit, position)
    SELECT name, name, name, 'count', 100 + row_number() OVER (ORDER BY name)
    FROM (SELECT DISTINCT name FROM metric WHERE name NOT IN (SELECT name FROM metric_name));

-- metric is rebuilt to refer to metric_name (a table constraint cannot be
-- added); its rowids are kept, as the audit trail names them.
CREATE TABLE metric_staging AS SELECT rowid AS row_id, name, year, value FROM metric;
DROP TABLE metric;
CREATE TABLE metric (
    name       TEXT NOT NULL REFERENCES metric_name (name),
    year       INTEGER NOT NULL CONSTRAINT metric_year_range CHECK (year BETWEEN 1900 AND 2999),
    value      REAL NOT NULL,
    known_from INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (name, year)
) STRICT;
INSERT INTO metric (rowid, name, year, value) SELECT row_id, name, year, value FROM metric_staging ORDER BY row_id;
DROP TABLE metric_staging;

-- ---------------------------------------------------------------------------
-- known_from on every versioned table, its _retired twin, and the triggers
-- that keep earlier versions. Each update trigger fires only when a column
-- other than known_from changed, and only for a row an earlier revision
-- wrote; it then sets known_from itself.

-- theme
ALTER TABLE theme ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE theme_retired (
    id                      INTEGER,
    code                    TEXT,
    name_en                 TEXT,
    name_nl                 TEXT,
    position                INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX theme_retired_until ON theme_retired (known_until);
CREATE TRIGGER theme_retire_update AFTER UPDATE OF id, code, name_en, name_nl, position ON theme
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.code IS NOT NEW.code
      OR OLD.name_en IS NOT NEW.name_en
      OR OLD.name_nl IS NOT NEW.name_nl
      OR OLD.position IS NOT NEW.position)
BEGIN
    INSERT INTO theme_retired (id, code, name_en, name_nl, position, known_from, known_until)
    VALUES (OLD.id, OLD.code, OLD.name_en, OLD.name_nl, OLD.position, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE theme SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER theme_retire_delete AFTER DELETE ON theme
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO theme_retired (id, code, name_en, name_nl, position, known_from, known_until)
    VALUES (OLD.id, OLD.code, OLD.name_en, OLD.name_nl, OLD.position, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- theme_alias
ALTER TABLE theme_alias ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE theme_alias_retired (
    theme_id                INTEGER,
    alias                   TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX theme_alias_retired_until ON theme_alias_retired (known_until);
CREATE TRIGGER theme_alias_retire_update AFTER UPDATE OF theme_id, alias ON theme_alias
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.theme_id IS NOT NEW.theme_id
      OR OLD.alias IS NOT NEW.alias)
BEGIN
    INSERT INTO theme_alias_retired (theme_id, alias, known_from, known_until)
    VALUES (OLD.theme_id, OLD.alias, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE theme_alias SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER theme_alias_retire_delete AFTER DELETE ON theme_alias
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO theme_alias_retired (theme_id, alias, known_from, known_until)
    VALUES (OLD.theme_id, OLD.alias, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- partner
ALTER TABLE partner ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE partner_retired (
    id                      INTEGER,
    name                    TEXT,
    short_name              TEXT,
    sector                  TEXT,
    level                   TEXT,
    region                  TEXT,
    joined_on               TEXT,
    left_on                 TEXT,
    external_code           TEXT,
    source                  TEXT,
    external_id             TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX partner_retired_until ON partner_retired (known_until);
CREATE TRIGGER partner_retire_update AFTER UPDATE OF id, name, short_name, sector, level, region, joined_on, left_on, external_code, source, external_id ON partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.name IS NOT NEW.name
      OR OLD.short_name IS NOT NEW.short_name
      OR OLD.sector IS NOT NEW.sector
      OR OLD.level IS NOT NEW.level
      OR OLD.region IS NOT NEW.region
      OR OLD.joined_on IS NOT NEW.joined_on
      OR OLD.left_on IS NOT NEW.left_on
      OR OLD.external_code IS NOT NEW.external_code
      OR OLD.source IS NOT NEW.source
      OR OLD.external_id IS NOT NEW.external_id)
BEGIN
    INSERT INTO partner_retired (id, name, short_name, sector, level, region, joined_on, left_on, external_code, source, external_id, known_from, known_until)
    VALUES (OLD.id, OLD.name, OLD.short_name, OLD.sector, OLD.level, OLD.region, OLD.joined_on, OLD.left_on, OLD.external_code, OLD.source, OLD.external_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE partner SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER partner_retire_delete AFTER DELETE ON partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO partner_retired (id, name, short_name, sector, level, region, joined_on, left_on, external_code, source, external_id, known_from, known_until)
    VALUES (OLD.id, OLD.name, OLD.short_name, OLD.sector, OLD.level, OLD.region, OLD.joined_on, OLD.left_on, OLD.external_code, OLD.source, OLD.external_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- partner_alias
ALTER TABLE partner_alias ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE partner_alias_retired (
    partner_id              INTEGER,
    alias                   TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX partner_alias_retired_until ON partner_alias_retired (known_until);
CREATE TRIGGER partner_alias_retire_update AFTER UPDATE OF partner_id, alias ON partner_alias
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.partner_id IS NOT NEW.partner_id
      OR OLD.alias IS NOT NEW.alias)
BEGIN
    INSERT INTO partner_alias_retired (partner_id, alias, known_from, known_until)
    VALUES (OLD.partner_id, OLD.alias, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE partner_alias SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER partner_alias_retire_delete AFTER DELETE ON partner_alias
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO partner_alias_retired (partner_id, alias, known_from, known_until)
    VALUES (OLD.partner_id, OLD.alias, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- lab
ALTER TABLE lab ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE lab_retired (
    id                      INTEGER,
    name                    TEXT,
    description             TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX lab_retired_until ON lab_retired (known_until);
CREATE TRIGGER lab_retire_update AFTER UPDATE OF id, name, description ON lab
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.name IS NOT NEW.name
      OR OLD.description IS NOT NEW.description)
BEGIN
    INSERT INTO lab_retired (id, name, description, known_from, known_until)
    VALUES (OLD.id, OLD.name, OLD.description, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE lab SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER lab_retire_delete AFTER DELETE ON lab
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO lab_retired (id, name, description, known_from, known_until)
    VALUES (OLD.id, OLD.name, OLD.description, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- lab_region
ALTER TABLE lab_region ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE lab_region_retired (
    lab_id                  INTEGER,
    region                  TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX lab_region_retired_until ON lab_region_retired (known_until);
CREATE TRIGGER lab_region_retire_update AFTER UPDATE OF lab_id, region ON lab_region
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.lab_id IS NOT NEW.lab_id
      OR OLD.region IS NOT NEW.region)
BEGIN
    INSERT INTO lab_region_retired (lab_id, region, known_from, known_until)
    VALUES (OLD.lab_id, OLD.region, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE lab_region SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER lab_region_retire_delete AFTER DELETE ON lab_region
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO lab_region_retired (lab_id, region, known_from, known_until)
    VALUES (OLD.lab_id, OLD.region, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- lab_partner
ALTER TABLE lab_partner ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE lab_partner_retired (
    lab_id                  INTEGER,
    partner_id              INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX lab_partner_retired_until ON lab_partner_retired (known_until);
CREATE TRIGGER lab_partner_retire_update AFTER UPDATE OF lab_id, partner_id ON lab_partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.lab_id IS NOT NEW.lab_id
      OR OLD.partner_id IS NOT NEW.partner_id)
BEGIN
    INSERT INTO lab_partner_retired (lab_id, partner_id, known_from, known_until)
    VALUES (OLD.lab_id, OLD.partner_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE lab_partner SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER lab_partner_retire_delete AFTER DELETE ON lab_partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO lab_partner_retired (lab_id, partner_id, known_from, known_until)
    VALUES (OLD.lab_id, OLD.partner_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- lab_theme
ALTER TABLE lab_theme ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE lab_theme_retired (
    lab_id                  INTEGER,
    theme_id                INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX lab_theme_retired_until ON lab_theme_retired (known_until);
CREATE TRIGGER lab_theme_retire_update AFTER UPDATE OF lab_id, theme_id ON lab_theme
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.lab_id IS NOT NEW.lab_id
      OR OLD.theme_id IS NOT NEW.theme_id)
BEGIN
    INSERT INTO lab_theme_retired (lab_id, theme_id, known_from, known_until)
    VALUES (OLD.lab_id, OLD.theme_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE lab_theme SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER lab_theme_retire_delete AFTER DELETE ON lab_theme
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO lab_theme_retired (lab_id, theme_id, known_from, known_until)
    VALUES (OLD.lab_id, OLD.theme_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- lab_status
ALTER TABLE lab_status ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE lab_status_retired (
    id                      INTEGER,
    lab_id                  INTEGER,
    status                  TEXT,
    since                   TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX lab_status_retired_until ON lab_status_retired (known_until);
CREATE TRIGGER lab_status_retire_update AFTER UPDATE OF id, lab_id, status, since ON lab_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.lab_id IS NOT NEW.lab_id
      OR OLD.status IS NOT NEW.status
      OR OLD.since IS NOT NEW.since)
BEGIN
    INSERT INTO lab_status_retired (id, lab_id, status, since, known_from, known_until)
    VALUES (OLD.id, OLD.lab_id, OLD.status, OLD.since, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE lab_status SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER lab_status_retire_delete AFTER DELETE ON lab_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO lab_status_retired (id, lab_id, status, since, known_from, known_until)
    VALUES (OLD.id, OLD.lab_id, OLD.status, OLD.since, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- assignment
ALTER TABLE assignment ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE assignment_retired (
    id                      INTEGER,
    title                   TEXT,
    kind                    TEXT,
    level                   TEXT,
    theme_id                INTEGER,
    government_partner_id   INTEGER,
    education_partner_id    INTEGER,
    lab_id                  INTEGER,
    students                INTEGER,
    source                  TEXT,
    external_id             TEXT,
    starts_on               TEXT,
    ends_on                 TEXT,
    batch_id                INTEGER,
    registered_on           TEXT,
    note                    TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX assignment_retired_until ON assignment_retired (known_until);
CREATE TRIGGER assignment_retire_update AFTER UPDATE OF id, title, kind, level, theme_id, government_partner_id, education_partner_id, lab_id, students, source, external_id, starts_on, ends_on, batch_id, registered_on, note ON assignment
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.title IS NOT NEW.title
      OR OLD.kind IS NOT NEW.kind
      OR OLD.level IS NOT NEW.level
      OR OLD.theme_id IS NOT NEW.theme_id
      OR OLD.government_partner_id IS NOT NEW.government_partner_id
      OR OLD.education_partner_id IS NOT NEW.education_partner_id
      OR OLD.lab_id IS NOT NEW.lab_id
      OR OLD.students IS NOT NEW.students
      OR OLD.source IS NOT NEW.source
      OR OLD.external_id IS NOT NEW.external_id
      OR OLD.starts_on IS NOT NEW.starts_on
      OR OLD.ends_on IS NOT NEW.ends_on
      OR OLD.batch_id IS NOT NEW.batch_id
      OR OLD.registered_on IS NOT NEW.registered_on
      OR OLD.note IS NOT NEW.note)
BEGIN
    INSERT INTO assignment_retired (id, title, kind, level, theme_id, government_partner_id, education_partner_id, lab_id, students, source, external_id, starts_on, ends_on, batch_id, registered_on, note, known_from, known_until)
    VALUES (OLD.id, OLD.title, OLD.kind, OLD.level, OLD.theme_id, OLD.government_partner_id, OLD.education_partner_id, OLD.lab_id, OLD.students, OLD.source, OLD.external_id, OLD.starts_on, OLD.ends_on, OLD.batch_id, OLD.registered_on, OLD.note, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE assignment SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER assignment_retire_delete AFTER DELETE ON assignment
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO assignment_retired (id, title, kind, level, theme_id, government_partner_id, education_partner_id, lab_id, students, source, external_id, starts_on, ends_on, batch_id, registered_on, note, known_from, known_until)
    VALUES (OLD.id, OLD.title, OLD.kind, OLD.level, OLD.theme_id, OLD.government_partner_id, OLD.education_partner_id, OLD.lab_id, OLD.students, OLD.source, OLD.external_id, OLD.starts_on, OLD.ends_on, OLD.batch_id, OLD.registered_on, OLD.note, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- assignment_status
ALTER TABLE assignment_status ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE assignment_status_retired (
    assignment_id           INTEGER,
    since                   TEXT,
    id                      INTEGER,
    status                  TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX assignment_status_retired_until ON assignment_status_retired (known_until);
CREATE TRIGGER assignment_status_retire_update AFTER UPDATE OF assignment_id, since, id, status ON assignment_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.assignment_id IS NOT NEW.assignment_id
      OR OLD.since IS NOT NEW.since
      OR OLD.id IS NOT NEW.id
      OR OLD.status IS NOT NEW.status)
BEGIN
    INSERT INTO assignment_status_retired (assignment_id, since, id, status, known_from, known_until)
    VALUES (OLD.assignment_id, OLD.since, OLD.id, OLD.status, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE assignment_status SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE assignment_id = NEW.assignment_id AND since = NEW.since;
END;
CREATE TRIGGER assignment_status_retire_delete AFTER DELETE ON assignment_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO assignment_status_retired (assignment_id, since, id, status, known_from, known_until)
    VALUES (OLD.assignment_id, OLD.since, OLD.id, OLD.status, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- assignment_student
ALTER TABLE assignment_student ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE assignment_student_retired (
    assignment_id           INTEGER,
    pseudonym               BLOB,
    batch_id                INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX assignment_student_retired_until ON assignment_student_retired (known_until);
CREATE TRIGGER assignment_student_retire_update AFTER UPDATE OF assignment_id, pseudonym, batch_id ON assignment_student
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.assignment_id IS NOT NEW.assignment_id
      OR OLD.pseudonym IS NOT NEW.pseudonym
      OR OLD.batch_id IS NOT NEW.batch_id)
BEGIN
    INSERT INTO assignment_student_retired (assignment_id, pseudonym, batch_id, known_from, known_until)
    VALUES (OLD.assignment_id, OLD.pseudonym, OLD.batch_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE assignment_student SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE assignment_id = NEW.assignment_id AND pseudonym = NEW.pseudonym;
END;
CREATE TRIGGER assignment_student_retire_delete AFTER DELETE ON assignment_student
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO assignment_student_retired (assignment_id, pseudonym, batch_id, known_from, known_until)
    VALUES (OLD.assignment_id, OLD.pseudonym, OLD.batch_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- community
ALTER TABLE community ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE community_retired (
    id                      INTEGER,
    name                    TEXT,
    description             TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX community_retired_until ON community_retired (known_until);
CREATE TRIGGER community_retire_update AFTER UPDATE OF id, name, description ON community
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.name IS NOT NEW.name
      OR OLD.description IS NOT NEW.description)
BEGIN
    INSERT INTO community_retired (id, name, description, known_from, known_until)
    VALUES (OLD.id, OLD.name, OLD.description, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE community SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER community_retire_delete AFTER DELETE ON community
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO community_retired (id, name, description, known_from, known_until)
    VALUES (OLD.id, OLD.name, OLD.description, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- community_status
ALTER TABLE community_status ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE community_status_retired (
    id                      INTEGER,
    community_id            INTEGER,
    status                  TEXT,
    since                   TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX community_status_retired_until ON community_status_retired (known_until);
CREATE TRIGGER community_status_retire_update AFTER UPDATE OF id, community_id, status, since ON community_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.community_id IS NOT NEW.community_id
      OR OLD.status IS NOT NEW.status
      OR OLD.since IS NOT NEW.since)
BEGIN
    INSERT INTO community_status_retired (id, community_id, status, since, known_from, known_until)
    VALUES (OLD.id, OLD.community_id, OLD.status, OLD.since, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE community_status SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER community_status_retire_delete AFTER DELETE ON community_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO community_status_retired (id, community_id, status, since, known_from, known_until)
    VALUES (OLD.id, OLD.community_id, OLD.status, OLD.since, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- phd
ALTER TABLE phd ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE phd_retired (
    id                      INTEGER,
    started_on              TEXT,
    ended_on                TEXT,
    theme_id                INTEGER,
    government_partner_id   INTEGER,
    education_partner_id    INTEGER,
    topic                   TEXT,
    source                  TEXT,
    external_id             TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX phd_retired_until ON phd_retired (known_until);
CREATE TRIGGER phd_retire_update AFTER UPDATE OF id, started_on, ended_on, theme_id, government_partner_id, education_partner_id, topic, source, external_id ON phd
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.started_on IS NOT NEW.started_on
      OR OLD.ended_on IS NOT NEW.ended_on
      OR OLD.theme_id IS NOT NEW.theme_id
      OR OLD.government_partner_id IS NOT NEW.government_partner_id
      OR OLD.education_partner_id IS NOT NEW.education_partner_id
      OR OLD.topic IS NOT NEW.topic
      OR OLD.source IS NOT NEW.source
      OR OLD.external_id IS NOT NEW.external_id)
BEGIN
    INSERT INTO phd_retired (id, started_on, ended_on, theme_id, government_partner_id, education_partner_id, topic, source, external_id, known_from, known_until)
    VALUES (OLD.id, OLD.started_on, OLD.ended_on, OLD.theme_id, OLD.government_partner_id, OLD.education_partner_id, OLD.topic, OLD.source, OLD.external_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE phd SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER phd_retire_delete AFTER DELETE ON phd
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO phd_retired (id, started_on, ended_on, theme_id, government_partner_id, education_partner_id, topic, source, external_id, known_from, known_until)
    VALUES (OLD.id, OLD.started_on, OLD.ended_on, OLD.theme_id, OLD.government_partner_id, OLD.education_partner_id, OLD.topic, OLD.source, OLD.external_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- activity
ALTER TABLE activity ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE activity_retired (
    id                      INTEGER,
    kind                    TEXT,
    name                    TEXT,
    starts_on               TEXT,
    ends_on                 TEXT,
    theme_id                INTEGER,
    participants            INTEGER,
    government_participants INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX activity_retired_until ON activity_retired (known_until);
CREATE TRIGGER activity_retire_update AFTER UPDATE OF id, kind, name, starts_on, ends_on, theme_id, participants, government_participants ON activity
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.kind IS NOT NEW.kind
      OR OLD.name IS NOT NEW.name
      OR OLD.starts_on IS NOT NEW.starts_on
      OR OLD.ends_on IS NOT NEW.ends_on
      OR OLD.theme_id IS NOT NEW.theme_id
      OR OLD.participants IS NOT NEW.participants
      OR OLD.government_participants IS NOT NEW.government_participants)
BEGIN
    INSERT INTO activity_retired (id, kind, name, starts_on, ends_on, theme_id, participants, government_participants, known_from, known_until)
    VALUES (OLD.id, OLD.kind, OLD.name, OLD.starts_on, OLD.ends_on, OLD.theme_id, OLD.participants, OLD.government_participants, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE activity SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER activity_retire_delete AFTER DELETE ON activity
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO activity_retired (id, kind, name, starts_on, ends_on, theme_id, participants, government_participants, known_from, known_until)
    VALUES (OLD.id, OLD.kind, OLD.name, OLD.starts_on, OLD.ends_on, OLD.theme_id, OLD.participants, OLD.government_participants, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- activity_partner
ALTER TABLE activity_partner ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE activity_partner_retired (
    activity_id             INTEGER,
    partner_id              INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX activity_partner_retired_until ON activity_partner_retired (known_until);
CREATE TRIGGER activity_partner_retire_update AFTER UPDATE OF activity_id, partner_id ON activity_partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.activity_id IS NOT NEW.activity_id
      OR OLD.partner_id IS NOT NEW.partner_id)
BEGIN
    INSERT INTO activity_partner_retired (activity_id, partner_id, known_from, known_until)
    VALUES (OLD.activity_id, OLD.partner_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE activity_partner SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER activity_partner_retire_delete AFTER DELETE ON activity_partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO activity_partner_retired (activity_id, partner_id, known_from, known_until)
    VALUES (OLD.activity_id, OLD.partner_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- curriculum
ALTER TABLE curriculum ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE curriculum_retired (
    id                      INTEGER,
    kind                    TEXT,
    name                    TEXT,
    theme_id                INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX curriculum_retired_until ON curriculum_retired (known_until);
CREATE TRIGGER curriculum_retire_update AFTER UPDATE OF id, kind, name, theme_id ON curriculum
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.kind IS NOT NEW.kind
      OR OLD.name IS NOT NEW.name
      OR OLD.theme_id IS NOT NEW.theme_id)
BEGIN
    INSERT INTO curriculum_retired (id, kind, name, theme_id, known_from, known_until)
    VALUES (OLD.id, OLD.kind, OLD.name, OLD.theme_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE curriculum SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER curriculum_retire_delete AFTER DELETE ON curriculum
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO curriculum_retired (id, kind, name, theme_id, known_from, known_until)
    VALUES (OLD.id, OLD.kind, OLD.name, OLD.theme_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- curriculum_partner
ALTER TABLE curriculum_partner ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE curriculum_partner_retired (
    curriculum_id           INTEGER,
    partner_id              INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX curriculum_partner_retired_until ON curriculum_partner_retired (known_until);
CREATE TRIGGER curriculum_partner_retire_update AFTER UPDATE OF curriculum_id, partner_id ON curriculum_partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.curriculum_id IS NOT NEW.curriculum_id
      OR OLD.partner_id IS NOT NEW.partner_id)
BEGIN
    INSERT INTO curriculum_partner_retired (curriculum_id, partner_id, known_from, known_until)
    VALUES (OLD.curriculum_id, OLD.partner_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE curriculum_partner SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER curriculum_partner_retire_delete AFTER DELETE ON curriculum_partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO curriculum_partner_retired (curriculum_id, partner_id, known_from, known_until)
    VALUES (OLD.curriculum_id, OLD.partner_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- curriculum_status
ALTER TABLE curriculum_status ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE curriculum_status_retired (
    id                      INTEGER,
    curriculum_id           INTEGER,
    status                  TEXT,
    since                   TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX curriculum_status_retired_until ON curriculum_status_retired (known_until);
CREATE TRIGGER curriculum_status_retire_update AFTER UPDATE OF id, curriculum_id, status, since ON curriculum_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.curriculum_id IS NOT NEW.curriculum_id
      OR OLD.status IS NOT NEW.status
      OR OLD.since IS NOT NEW.since)
BEGIN
    INSERT INTO curriculum_status_retired (id, curriculum_id, status, since, known_from, known_until)
    VALUES (OLD.id, OLD.curriculum_id, OLD.status, OLD.since, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE curriculum_status SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER curriculum_status_retire_delete AFTER DELETE ON curriculum_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO curriculum_status_retired (id, curriculum_id, status, since, known_from, known_until)
    VALUES (OLD.id, OLD.curriculum_id, OLD.status, OLD.since, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- chair
ALTER TABLE chair ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE chair_retired (
    id                      INTEGER,
    kind                    TEXT,
    name                    TEXT,
    theme_id                INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX chair_retired_until ON chair_retired (known_until);
CREATE TRIGGER chair_retire_update AFTER UPDATE OF id, kind, name, theme_id ON chair
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.kind IS NOT NEW.kind
      OR OLD.name IS NOT NEW.name
      OR OLD.theme_id IS NOT NEW.theme_id)
BEGIN
    INSERT INTO chair_retired (id, kind, name, theme_id, known_from, known_until)
    VALUES (OLD.id, OLD.kind, OLD.name, OLD.theme_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE chair SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER chair_retire_delete AFTER DELETE ON chair
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO chair_retired (id, kind, name, theme_id, known_from, known_until)
    VALUES (OLD.id, OLD.kind, OLD.name, OLD.theme_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- chair_partner
ALTER TABLE chair_partner ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE chair_partner_retired (
    chair_id                INTEGER,
    partner_id              INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX chair_partner_retired_until ON chair_partner_retired (known_until);
CREATE TRIGGER chair_partner_retire_update AFTER UPDATE OF chair_id, partner_id ON chair_partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.chair_id IS NOT NEW.chair_id
      OR OLD.partner_id IS NOT NEW.partner_id)
BEGIN
    INSERT INTO chair_partner_retired (chair_id, partner_id, known_from, known_until)
    VALUES (OLD.chair_id, OLD.partner_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE chair_partner SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER chair_partner_retire_delete AFTER DELETE ON chair_partner
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO chair_partner_retired (chair_id, partner_id, known_from, known_until)
    VALUES (OLD.chair_id, OLD.partner_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- chair_status
ALTER TABLE chair_status ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE chair_status_retired (
    id                      INTEGER,
    chair_id                INTEGER,
    status                  TEXT,
    since                   TEXT,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX chair_status_retired_until ON chair_status_retired (known_until);
CREATE TRIGGER chair_status_retire_update AFTER UPDATE OF id, chair_id, status, since ON chair_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.chair_id IS NOT NEW.chair_id
      OR OLD.status IS NOT NEW.status
      OR OLD.since IS NOT NEW.since)
BEGIN
    INSERT INTO chair_status_retired (id, chair_id, status, since, known_from, known_until)
    VALUES (OLD.id, OLD.chair_id, OLD.status, OLD.since, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE chair_status SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER chair_status_retire_delete AFTER DELETE ON chair_status
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO chair_status_retired (id, chair_id, status, since, known_from, known_until)
    VALUES (OLD.id, OLD.chair_id, OLD.status, OLD.since, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- question
ALTER TABLE question ADD COLUMN known_from INTEGER NOT NULL DEFAULT 0;
CREATE TABLE question_retired (
    id                      INTEGER,
    text                    TEXT,
    theme_id                INTEGER,
    asked_on                TEXT,
    source_activity_id      INTEGER,
    source_partner_id       INTEGER,
    assignment_id           INTEGER,
    lab_id                  INTEGER,
    phd_id                  INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX question_retired_until ON question_retired (known_until);
CREATE TRIGGER question_retire_update AFTER UPDATE OF id, text, theme_id, asked_on, source_activity_id, source_partner_id, assignment_id, lab_id, phd_id ON question
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.id IS NOT NEW.id
      OR OLD.text IS NOT NEW.text
      OR OLD.theme_id IS NOT NEW.theme_id
      OR OLD.asked_on IS NOT NEW.asked_on
      OR OLD.source_activity_id IS NOT NEW.source_activity_id
      OR OLD.source_partner_id IS NOT NEW.source_partner_id
      OR OLD.assignment_id IS NOT NEW.assignment_id
      OR OLD.lab_id IS NOT NEW.lab_id
      OR OLD.phd_id IS NOT NEW.phd_id)
BEGIN
    INSERT INTO question_retired (id, text, theme_id, asked_on, source_activity_id, source_partner_id, assignment_id, lab_id, phd_id, known_from, known_until)
    VALUES (OLD.id, OLD.text, OLD.theme_id, OLD.asked_on, OLD.source_activity_id, OLD.source_partner_id, OLD.assignment_id, OLD.lab_id, OLD.phd_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE question SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER question_retire_delete AFTER DELETE ON question
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO question_retired (id, text, theme_id, asked_on, source_activity_id, source_partner_id, assignment_id, lab_id, phd_id, known_from, known_until)
    VALUES (OLD.id, OLD.text, OLD.theme_id, OLD.asked_on, OLD.source_activity_id, OLD.source_partner_id, OLD.assignment_id, OLD.lab_id, OLD.phd_id, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- metric_name
CREATE TABLE metric_name_retired (
    name                    TEXT,
    name_en                 TEXT,
    name_nl                 TEXT,
    unit                    TEXT,
    position                INTEGER,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX metric_name_retired_until ON metric_name_retired (known_until);
CREATE TRIGGER metric_name_retire_update AFTER UPDATE OF name, name_en, name_nl, unit, position ON metric_name
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.name IS NOT NEW.name
      OR OLD.name_en IS NOT NEW.name_en
      OR OLD.name_nl IS NOT NEW.name_nl
      OR OLD.unit IS NOT NEW.unit
      OR OLD.position IS NOT NEW.position)
BEGIN
    INSERT INTO metric_name_retired (name, name_en, name_nl, unit, position, known_from, known_until)
    VALUES (OLD.name, OLD.name_en, OLD.name_nl, OLD.unit, OLD.position, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE metric_name SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE name = NEW.name;
END;
CREATE TRIGGER metric_name_retire_delete AFTER DELETE ON metric_name
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO metric_name_retired (name, name_en, name_nl, unit, position, known_from, known_until)
    VALUES (OLD.name, OLD.name_en, OLD.name_nl, OLD.unit, OLD.position, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- metric
CREATE TABLE metric_retired (
    name                    TEXT,
    year                    INTEGER,
    value                   REAL,
    known_from              INTEGER NOT NULL,
    known_until             INTEGER NOT NULL
) STRICT;
CREATE INDEX metric_retired_until ON metric_retired (known_until);
CREATE TRIGGER metric_retire_update AFTER UPDATE OF name, year, value ON metric
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
 AND (OLD.name IS NOT NEW.name
      OR OLD.year IS NOT NEW.year
      OR OLD.value IS NOT NEW.value)
BEGIN
    INSERT INTO metric_retired (name, year, value, known_from, known_until)
    VALUES (OLD.name, OLD.year, OLD.value, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
    UPDATE metric SET known_from = coalesce((SELECT max(id) FROM revision), 0) WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER metric_retire_delete AFTER DELETE ON metric
WHEN OLD.known_from IS NOT (SELECT max(id) FROM revision)
BEGIN
    INSERT INTO metric_retired (name, year, value, known_from, known_until)
    VALUES (OLD.name, OLD.year, OLD.value, OLD.known_from, coalesce((SELECT max(id) FROM revision), 0));
END;

-- ---------------------------------------------------------------------------
-- Backfill from the audit trail and the import batches.

-- One revision per run of consecutive audit entries with the same time,
-- actor, command and batch: what one command wrote.
WITH marked AS (
    SELECT id,
           CASE WHEN lag(at) OVER w IS at AND lag(actor) OVER w IS actor AND lag(command) OVER w IS command
                     AND lag(batch_id) OVER w IS batch_id
                THEN 0 ELSE 1 END AS starts
    FROM change WINDOW w AS (ORDER BY id)
), numbered AS (
    SELECT id, sum(starts) OVER (ORDER BY id) AS revision FROM marked
)
UPDATE change SET revision_id = numbered.revision FROM numbered WHERE numbered.id = change.id;

INSERT INTO revision (id, at, actor, command)
    SELECT revision_id, min(at), min(actor), min(command) FROM change GROUP BY revision_id ORDER BY revision_id;

-- A batch's revision is the one of its own entry (made when it finished).
UPDATE import_batch SET revision_id = (
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'import_batch' AND c.entity_id = import_batch.id AND c.action = 'insert'
    ORDER BY c.id LIMIT 1);

-- A row of a record table: the revision of its last recorded insert or
-- update; for what an import added without an entry each, the import's.
UPDATE theme SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'theme' AND c.entity_id = theme.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE partner SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'partner' AND c.entity_id = partner.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE lab SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'lab' AND c.entity_id = lab.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE community SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'community' AND c.entity_id = community.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE phd SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'phd' AND c.entity_id = phd.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE activity SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'activity' AND c.entity_id = activity.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE curriculum SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'curriculum' AND c.entity_id = curriculum.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE chair SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'chair' AND c.entity_id = chair.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE question SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'question' AND c.entity_id = question.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE lab_status SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'lab_status' AND c.entity_id = lab_status.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE community_status SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'community_status' AND c.entity_id = community_status.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE curriculum_status SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'curriculum_status' AND c.entity_id = curriculum_status.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE chair_status SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'chair_status' AND c.entity_id = chair_status.id AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);
UPDATE assignment SET known_from = max(
    coalesce((SELECT c.revision_id FROM change c
              WHERE c.entity = 'assignment' AND c.entity_id = assignment.id AND c.action IN ('insert', 'update')
              ORDER BY c.id DESC LIMIT 1), 0),
    coalesce((SELECT b.revision_id FROM import_batch b WHERE b.id = assignment.batch_id), 0));
UPDATE assignment_status SET known_from = max(
    coalesce((SELECT c.revision_id FROM change c
              WHERE c.entity = 'assignment_status' AND c.entity_id = assignment_status.id
                AND c.action IN ('insert', 'update')
              ORDER BY c.id DESC LIMIT 1), 0),
    coalesce((SELECT b.revision_id FROM assignment a JOIN import_batch b ON b.id = a.batch_id
              WHERE a.id = assignment_status.assignment_id), 0));
UPDATE assignment_student SET known_from = coalesce(
    (SELECT b.revision_id FROM import_batch b WHERE b.id = assignment_student.batch_id), 0);
UPDATE metric SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'metric' AND c.entity_id = metric.rowid AND c.action IN ('insert', 'update')
    ORDER BY c.id DESC LIMIT 1), 0);

-- An alias or link: from the first version of its record, after the last
-- one that lacked it, that holds it; else as its record.
UPDATE theme_alias SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'theme' AND c.entity_id = theme_alias.theme_id AND c.new IS NOT NULL
      AND c.id > coalesce((
          SELECT max(d.id) FROM change d
          WHERE d.entity = 'theme' AND d.entity_id = theme_alias.theme_id
            AND (d.new IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(d.new, '$.aliases') j WHERE j.value = theme_alias.alias))), 0)
    ORDER BY c.id LIMIT 1), (SELECT o.known_from FROM theme o WHERE o.id = theme_alias.theme_id), 0);
UPDATE partner_alias SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'partner' AND c.entity_id = partner_alias.partner_id AND c.new IS NOT NULL
      AND c.id > coalesce((
          SELECT max(d.id) FROM change d
          WHERE d.entity = 'partner' AND d.entity_id = partner_alias.partner_id
            AND (d.new IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(d.new, '$.aliases') j WHERE j.value = partner_alias.alias))), 0)
    ORDER BY c.id LIMIT 1), (SELECT o.known_from FROM partner o WHERE o.id = partner_alias.partner_id), 0);
UPDATE lab_region SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'lab' AND c.entity_id = lab_region.lab_id AND c.new IS NOT NULL
      AND c.id > coalesce((
          SELECT max(d.id) FROM change d
          WHERE d.entity = 'lab' AND d.entity_id = lab_region.lab_id
            AND (d.new IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(d.new, '$.regions') j WHERE j.value = lab_region.region))), 0)
    ORDER BY c.id LIMIT 1), (SELECT o.known_from FROM lab o WHERE o.id = lab_region.lab_id), 0);
UPDATE lab_partner SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'lab' AND c.entity_id = lab_partner.lab_id AND c.new IS NOT NULL
      AND c.id > coalesce((
          SELECT max(d.id) FROM change d
          WHERE d.entity = 'lab' AND d.entity_id = lab_partner.lab_id
            AND (d.new IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(d.new, '$.member_ids') j WHERE j.value = lab_partner.partner_id))), 0)
    ORDER BY c.id LIMIT 1), (SELECT o.known_from FROM lab o WHERE o.id = lab_partner.lab_id), 0);
UPDATE lab_theme SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'lab' AND c.entity_id = lab_theme.lab_id AND c.new IS NOT NULL
      AND c.id > coalesce((
          SELECT max(d.id) FROM change d
          WHERE d.entity = 'lab' AND d.entity_id = lab_theme.lab_id
            AND (d.new IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(d.new, '$.theme_ids') j WHERE j.value = lab_theme.theme_id))), 0)
    ORDER BY c.id LIMIT 1), (SELECT o.known_from FROM lab o WHERE o.id = lab_theme.lab_id), 0);
UPDATE activity_partner SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'activity' AND c.entity_id = activity_partner.activity_id AND c.new IS NOT NULL
      AND c.id > coalesce((
          SELECT max(d.id) FROM change d
          WHERE d.entity = 'activity' AND d.entity_id = activity_partner.activity_id
            AND (d.new IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(d.new, '$.partner_ids') j WHERE j.value = activity_partner.partner_id))), 0)
    ORDER BY c.id LIMIT 1), (SELECT o.known_from FROM activity o WHERE o.id = activity_partner.activity_id), 0);
UPDATE curriculum_partner SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'curriculum' AND c.entity_id = curriculum_partner.curriculum_id AND c.new IS NOT NULL
      AND c.id > coalesce((
          SELECT max(d.id) FROM change d
          WHERE d.entity = 'curriculum' AND d.entity_id = curriculum_partner.curriculum_id
            AND (d.new IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(d.new, '$.partner_ids') j WHERE j.value = curriculum_partner.partner_id))), 0)
    ORDER BY c.id LIMIT 1), (SELECT o.known_from FROM curriculum o WHERE o.id = curriculum_partner.curriculum_id), 0);
UPDATE chair_partner SET known_from = coalesce((
    SELECT c.revision_id FROM change c
    WHERE c.entity = 'chair' AND c.entity_id = chair_partner.chair_id AND c.new IS NOT NULL
      AND c.id > coalesce((
          SELECT max(d.id) FROM change d
          WHERE d.entity = 'chair' AND d.entity_id = chair_partner.chair_id
            AND (d.new IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(d.new, '$.partner_ids') j WHERE j.value = chair_partner.partner_id))), 0)
    ORDER BY c.id LIMIT 1), (SELECT o.known_from FROM chair o WHERE o.id = chair_partner.chair_id), 0);

-- The versions the audit trail holds from before each update and removal,
-- each known from the revision of the entry before it (for an assignment an
-- import added: the import's).
INSERT INTO theme_retired (id, code, name_en, name_nl, position, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.code'), json_extract(e.old, '$.name_en'), json_extract(e.old, '$.name_nl'), json_extract(e.old, '$.position'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'theme') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO partner_retired (id, name, short_name, sector, level, region, joined_on, left_on, external_code, source, external_id, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.name'), json_extract(e.old, '$.short_name'), json_extract(e.old, '$.sector'), json_extract(e.old, '$.level'), json_extract(e.old, '$.region'), json_extract(e.old, '$.joined_on'), json_extract(e.old, '$.left_on'), json_extract(e.old, '$.external_code'), json_extract(e.old, '$.source'), json_extract(e.old, '$.external_id'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'partner') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO lab_retired (id, name, description, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.name'), json_extract(e.old, '$.description'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'lab') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO community_retired (id, name, description, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.name'), json_extract(e.old, '$.description'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'community') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO phd_retired (id, started_on, ended_on, theme_id, government_partner_id, education_partner_id, topic, source, external_id, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.started_on'), json_extract(e.old, '$.ended_on'), json_extract(e.old, '$.theme_id'), json_extract(e.old, '$.government_partner_id'), json_extract(e.old, '$.education_partner_id'), json_extract(e.old, '$.topic'), json_extract(e.old, '$.source'), json_extract(e.old, '$.external_id'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'phd') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO activity_retired (id, kind, name, starts_on, ends_on, theme_id, participants, government_participants, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.kind'), json_extract(e.old, '$.name'), json_extract(e.old, '$.starts_on'), json_extract(e.old, '$.ends_on'), json_extract(e.old, '$.theme_id'), json_extract(e.old, '$.participants'), json_extract(e.old, '$.government_participants'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'activity') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO curriculum_retired (id, kind, name, theme_id, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.kind'), json_extract(e.old, '$.name'), json_extract(e.old, '$.theme_id'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'curriculum') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO chair_retired (id, kind, name, theme_id, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.kind'), json_extract(e.old, '$.name'), json_extract(e.old, '$.theme_id'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'chair') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO question_retired (id, text, theme_id, asked_on, source_activity_id, source_partner_id, assignment_id, lab_id, phd_id, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.text'), json_extract(e.old, '$.theme_id'), json_extract(e.old, '$.asked_on'), json_extract(e.old, '$.source_activity_id'), json_extract(e.old, '$.source_partner_id'), json_extract(e.old, '$.assignment_id'), json_extract(e.old, '$.lab_id'), json_extract(e.old, '$.phd_id'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'question') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO lab_status_retired (id, lab_id, status, since, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.lab_id'), json_extract(e.old, '$.status'), json_extract(e.old, '$.since'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'lab_status') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO community_status_retired (id, community_id, status, since, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.community_id'), json_extract(e.old, '$.status'), json_extract(e.old, '$.since'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'community_status') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO curriculum_status_retired (id, curriculum_id, status, since, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.curriculum_id'), json_extract(e.old, '$.status'), json_extract(e.old, '$.since'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'curriculum_status') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO chair_status_retired (id, chair_id, status, since, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.chair_id'), json_extract(e.old, '$.status'), json_extract(e.old, '$.since'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'chair_status') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO assignment_retired (id, title, kind, level, theme_id, government_partner_id, education_partner_id, lab_id, students, source, external_id, starts_on, ends_on, batch_id, registered_on, note, known_from, known_until)
    SELECT * FROM (SELECT e.entity_id, json_extract(e.old, '$.title'), json_extract(e.old, '$.kind'), json_extract(e.old, '$.level'), json_extract(e.old, '$.theme_id'), json_extract(e.old, '$.government_partner_id'), json_extract(e.old, '$.education_partner_id'), json_extract(e.old, '$.lab_id'), json_extract(e.old, '$.students'), json_extract(e.old, '$.source'), json_extract(e.old, '$.external_id'), json_extract(e.old, '$.starts_on'), json_extract(e.old, '$.ends_on'), json_extract(e.old, '$.batch_id'), json_extract(e.old, '$.registered_on'), json_extract(e.old, '$.note'), coalesce(e.previous, (SELECT b.revision_id FROM assignment a JOIN import_batch b ON b.id = a.batch_id WHERE a.id = e.entity_id), 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'assignment') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO assignment_status_retired (assignment_id, since, id, status, known_from, known_until)
    SELECT * FROM (SELECT json_extract(e.old, '$.assignment_id'), json_extract(e.old, '$.since'), e.entity_id, json_extract(e.old, '$.status'), coalesce(e.previous, (SELECT b.revision_id FROM assignment a JOIN import_batch b ON b.id = a.batch_id WHERE a.id = json_extract(e.old, '$.assignment_id')), 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'assignment_status') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
INSERT INTO metric_retired (name, year, value, known_from, known_until)
    SELECT * FROM (SELECT json_extract(e.old, '$.name'), json_extract(e.old, '$.year'), json_extract(e.old, '$.value'), coalesce(e.previous, 0) AS known_from, e.revision_id AS known_until
    FROM (SELECT c.*, lag(c.revision_id) OVER (PARTITION BY c.entity_id ORDER BY c.id) AS previous
          FROM change c WHERE c.entity = 'metric') e
    WHERE e.action IN ('update', 'delete') AND e.old IS NOT NULL)
    WHERE known_from < known_until;
