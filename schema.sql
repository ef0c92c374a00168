-- The ipart registry, schema version 1.
--
-- This file is the baseline: a new registry is created by running it, then
-- every numbered file in migrations/ in order. A shipped migration is never
-- edited; later changes are new numbered files. The registry records its
-- version in PRAGMA user_version and identifies itself with
-- PRAGMA application_id (both set by the binary, not here).
--
-- Conventions:
--   * every table is STRICT, so a value of the wrong type cannot be stored;
--   * vocabularies are English codes guarded by named CHECK constraints,
--     written as OR chains: SQLite builds a temporary table for every
--     `x IN ('a', 'b', 'c')` each time a row is checked, which costs a bulk
--     import a quarter of its time;
--   * dates are ISO text 'YYYY-MM-DD', checked to be real calendar dates
--     (date(x) normalises 2023-02-30 to 2023-03-02, so x IS date(x) fails);
--   * statuses are never stored beside a record: each record with a
--     lifecycle has a *_status table of (status, since) changes, and its
--     status on any date is the last change on or before that date. That is
--     what lets a 2023 report come out the same when it is run in 2026;
--   * rules that span tables (an education partner given as government
--     partner) are triggers, so that even another SQL tool cannot break them.

-- Themes are data, not an enum: they change over the years.
CREATE TABLE theme (
    id       INTEGER PRIMARY KEY,
    -- stable identifier used in files and on the command line
    code     TEXT NOT NULL UNIQUE
             CONSTRAINT theme_code_format CHECK (code GLOB '[a-z]*' AND code NOT GLOB '*[^a-z0-9-]*'),
    name_en  TEXT NOT NULL CONSTRAINT theme_name_en_not_blank CHECK (trim(name_en) <> ''),
    name_nl  TEXT NOT NULL CONSTRAINT theme_name_nl_not_blank CHECK (trim(name_nl) <> ''),
    -- display order in lists and reports
    position INTEGER NOT NULL
) STRICT;

-- Other spellings of a theme, as source systems write them ("Cyber security", "IHH").
CREATE TABLE theme_alias (
    theme_id INTEGER NOT NULL REFERENCES theme (id) ON DELETE CASCADE,
    alias    TEXT NOT NULL CONSTRAINT theme_alias_not_blank CHECK (trim(alias) <> ''),
    PRIMARY KEY (theme_id, alias)
) STRICT;

INSERT INTO theme (id, code, name_en, name_nl, position) VALUES
    (1, 'data-ai', 'Data management & AI', 'Datamanagement & AI', 1),
    (2, 'cybersecurity', 'Cybersecurity', 'Cyberveiligheid', 2),
    (3, 'information-management', 'Information management', 'Informatiehuishouding', 3),
    (4, 'blockchain', 'Blockchain', 'Blockchain', 4),
    (5, 'software-development', 'Software development', 'Softwareontwikkeling', 5),
    (6, 'process-optimisation', 'Process optimisation', 'Procesoptimalisatie', 6);

INSERT INTO theme_alias (theme_id, alias) VALUES
    (1, 'Data/AI'), (1, 'Data & AI'), (1, 'AI'), (1, 'Datamanagement en AI'), (1, 'Data management and AI'),
    (2, 'Cyber security'), (2, 'Cyberveiligheid en security'), (2, 'Security'),
    (3, 'IHH'), (3, 'Information management'),
    (5, 'Software engineering'),
    (6, 'Process optimization'), (6, 'Procesverbetering');

-- Organisations that take part: government (ministries, agencies), education
-- (MBO, HBO, WO institutions) or other.
CREATE TABLE partner (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL CONSTRAINT partner_name_not_blank CHECK (trim(name) <> ''),
    -- the short form people use: "HU", "DUO"
    short_name    TEXT CONSTRAINT partner_short_name_not_blank CHECK (short_name IS NULL OR trim(short_name) <> ''),
    sector        TEXT NOT NULL CONSTRAINT partner_sector CHECK (sector = 'government' OR sector = 'education' OR sector = 'other'),
    -- education level of an education partner, and only of one
    level         TEXT CONSTRAINT partner_level CHECK (level IS NULL OR (level = 'MBO' OR level = 'HBO' OR level = 'WO')),
    region        TEXT CONSTRAINT partner_region CHECK (region IS NULL OR (region = 'noord' OR region = 'oost' OR region = 'midden' OR region = 'west' OR region = 'zuid')),
    -- the partnership's period; a partner without joined_on is known but not counted
    joined_on     TEXT CONSTRAINT partner_joined_on_date CHECK (joined_on IS NULL OR joined_on IS date(joined_on)),
    left_on       TEXT CONSTRAINT partner_left_on_date CHECK (left_on IS NULL OR left_on IS date(left_on)),
    -- an identifier from outside, such as the BRIN code of an institution ('00IC')
    external_code TEXT CONSTRAINT partner_external_code_not_blank CHECK (external_code IS NULL OR trim(external_code) <> ''),
    -- the system a record was imported from, and its id there
    source        TEXT,
    external_id   TEXT,
    CONSTRAINT partner_level_for_education_only CHECK ((sector = 'education') = (level IS NOT NULL)),
    CONSTRAINT partner_left_after_joined CHECK (left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on),
    CONSTRAINT partner_external_id_has_source CHECK (external_id IS NULL OR source IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX partner_name_unique ON partner (name COLLATE NOCASE);
CREATE UNIQUE INDEX partner_external_code_unique ON partner (external_code) WHERE external_code IS NOT NULL;
CREATE UNIQUE INDEX partner_source_external_id_unique ON partner (source, external_id) WHERE external_id IS NOT NULL;

-- Other spellings of a partner's name seen in source systems ("Hanzehogeschool Groningen").
CREATE TABLE partner_alias (
    partner_id INTEGER NOT NULL REFERENCES partner (id) ON DELETE CASCADE,
    alias      TEXT NOT NULL CONSTRAINT partner_alias_not_blank CHECK (trim(alias) <> ''),
    PRIMARY KEY (partner_id, alias)
) STRICT;

-- Field labs where government, researchers and students work together.
CREATE TABLE lab (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CONSTRAINT lab_name_not_blank CHECK (trim(name) <> ''),
    description TEXT
) STRICT;
CREATE UNIQUE INDEX lab_name_unique ON lab (name COLLATE NOCASE);

-- A lab can span regions ("Noord/Oost NL").
CREATE TABLE lab_region (
    lab_id INTEGER NOT NULL REFERENCES lab (id) ON DELETE CASCADE,
    region TEXT NOT NULL CONSTRAINT lab_region_region CHECK (region = 'noord' OR region = 'oost' OR region = 'midden' OR region = 'west' OR region = 'zuid'),
    PRIMARY KEY (lab_id, region)
) STRICT;

CREATE TABLE lab_partner (
    lab_id     INTEGER NOT NULL REFERENCES lab (id) ON DELETE CASCADE,
    partner_id INTEGER NOT NULL REFERENCES partner (id),
    PRIMARY KEY (lab_id, partner_id)
) STRICT;
CREATE INDEX lab_partner_partner ON lab_partner (partner_id);

CREATE TABLE lab_theme (
    lab_id   INTEGER NOT NULL REFERENCES lab (id) ON DELETE CASCADE,
    theme_id INTEGER NOT NULL REFERENCES theme (id),
    PRIMARY KEY (lab_id, theme_id)
) STRICT;

CREATE TABLE lab_status (
    id     INTEGER PRIMARY KEY,
    lab_id INTEGER NOT NULL REFERENCES lab (id) ON DELETE CASCADE,
    status TEXT NOT NULL CONSTRAINT lab_status_status CHECK (status = 'in_formation' OR status = 'active' OR status = 'closed'),
    -- the day this status began
    since  TEXT NOT NULL CONSTRAINT lab_status_since_date CHECK (since IS date(since)),
    UNIQUE (lab_id, since)
) STRICT;

-- Student assignments at government: internships, graduation and group
-- assignments, hackathons.
CREATE TABLE assignment (
    id                    INTEGER PRIMARY KEY,
    title                 TEXT NOT NULL CONSTRAINT assignment_title_not_blank CHECK (trim(title) <> ''),
    kind                  TEXT NOT NULL CONSTRAINT assignment_kind CHECK (kind = 'internship' OR kind = 'graduation' OR kind = 'group' OR kind = 'hackathon'),
    level                 TEXT NOT NULL CONSTRAINT assignment_level CHECK (level = 'MBO' OR level = 'HBO' OR level = 'WO'),
    theme_id              INTEGER NOT NULL REFERENCES theme (id),
    -- must be a government partner (trigger below)
    government_partner_id INTEGER NOT NULL REFERENCES partner (id),
    -- must be an education partner (trigger below); unknown for some sources
    education_partner_id  INTEGER REFERENCES partner (id),
    lab_id                INTEGER REFERENCES lab (id),
    -- how many students work on it
    students              INTEGER NOT NULL CONSTRAINT assignment_students_positive CHECK (students > 0),
    source                TEXT,
    external_id           TEXT,
    -- the planned period
    starts_on             TEXT CONSTRAINT assignment_starts_on_date CHECK (starts_on IS NULL OR starts_on IS date(starts_on)),
    ends_on               TEXT CONSTRAINT assignment_ends_on_date CHECK (ends_on IS NULL OR ends_on IS date(ends_on)),
    CONSTRAINT assignment_ends_after_start CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on),
    CONSTRAINT assignment_external_id_has_source CHECK (external_id IS NULL OR source IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX assignment_source_external_id_unique ON assignment (source, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX assignment_government_partner ON assignment (government_partner_id);
CREATE INDEX assignment_education_partner ON assignment (education_partner_id);
CREATE INDEX assignment_lab ON assignment (lab_id);
CREATE INDEX assignment_theme ON assignment (theme_id);

-- When each status of an assignment began. The current status is the last row.
CREATE TABLE assignment_status (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignment (id) ON DELETE CASCADE,
    status        TEXT NOT NULL CONSTRAINT assignment_status_status
                  CHECK (status = 'preparation' OR status = 'in_progress' OR status = 'completed' OR status = 'cancelled' OR status = 'unknown'),
    since         TEXT NOT NULL CONSTRAINT assignment_status_since_date CHECK (since IS date(since)),
    UNIQUE (assignment_id, since)
) STRICT;

-- Communities of practice (IT Academies, PhD candidates, ...).
CREATE TABLE community (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CONSTRAINT community_name_not_blank CHECK (trim(name) <> ''),
    description TEXT
) STRICT;
CREATE UNIQUE INDEX community_name_unique ON community (name COLLATE NOCASE);

CREATE TABLE community_status (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    status       TEXT NOT NULL CONSTRAINT community_status_status CHECK (status = 'planned' OR status = 'active' OR status = 'closed'),
    since        TEXT NOT NULL CONSTRAINT community_status_since_date CHECK (since IS date(since)),
    UNIQUE (community_id, since)
) STRICT;

-- Dual PhD candidates working at government. No names: the figures need counts.
CREATE TABLE phd (
    id                    INTEGER PRIMARY KEY,
    started_on            TEXT NOT NULL CONSTRAINT phd_started_on_date CHECK (started_on IS date(started_on)),
    ended_on              TEXT CONSTRAINT phd_ended_on_date CHECK (ended_on IS NULL OR ended_on IS date(ended_on)),
    theme_id              INTEGER NOT NULL REFERENCES theme (id),
    government_partner_id INTEGER NOT NULL REFERENCES partner (id),
    -- the university (an education partner)
    education_partner_id  INTEGER NOT NULL REFERENCES partner (id),
    topic                 TEXT,
    source                TEXT,
    external_id           TEXT,
    CONSTRAINT phd_ends_after_start CHECK (ended_on IS NULL OR ended_on >= started_on),
    CONSTRAINT phd_external_id_has_source CHECK (external_id IS NULL OR source IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX phd_source_external_id_unique ON phd (source, external_id) WHERE external_id IS NOT NULL;

-- Courses, summer courses, events and conferences.
CREATE TABLE activity (
    id                      INTEGER PRIMARY KEY,
    kind                    TEXT NOT NULL CONSTRAINT activity_kind CHECK (kind = 'course' OR kind = 'summer_course' OR kind = 'event' OR kind = 'conference'),
    name                    TEXT NOT NULL CONSTRAINT activity_name_not_blank CHECK (trim(name) <> ''),
    starts_on               TEXT NOT NULL CONSTRAINT activity_starts_on_date CHECK (starts_on IS date(starts_on)),
    ends_on                 TEXT CONSTRAINT activity_ends_on_date CHECK (ends_on IS NULL OR ends_on IS date(ends_on)),
    theme_id                INTEGER REFERENCES theme (id),
    -- NULL when not known
    participants            INTEGER CONSTRAINT activity_participants_not_negative CHECK (participants IS NULL OR participants >= 0),
    government_participants INTEGER CONSTRAINT activity_government_participants_not_negative
                            CHECK (government_participants IS NULL OR government_participants >= 0),
    CONSTRAINT activity_ends_after_start CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CONSTRAINT activity_government_within_total
        CHECK (participants IS NULL OR government_participants IS NULL OR government_participants <= participants)
) STRICT;
CREATE UNIQUE INDEX activity_name_unique ON activity (name COLLATE NOCASE);

-- Partners that co-organised an activity.
CREATE TABLE activity_partner (
    activity_id INTEGER NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    partner_id  INTEGER NOT NULL REFERENCES partner (id),
    PRIMARY KEY (activity_id, partner_id)
) STRICT;
CREATE INDEX activity_partner_partner ON activity_partner (partner_id);

-- Minors, masters and post-masters developed with education partners.
CREATE TABLE curriculum (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL CONSTRAINT curriculum_kind CHECK (kind = 'minor' OR kind = 'master' OR kind = 'post_master'),
    name     TEXT NOT NULL CONSTRAINT curriculum_name_not_blank CHECK (trim(name) <> ''),
    theme_id INTEGER REFERENCES theme (id)
) STRICT;
CREATE UNIQUE INDEX curriculum_name_unique ON curriculum (name COLLATE NOCASE);

CREATE TABLE curriculum_partner (
    curriculum_id INTEGER NOT NULL REFERENCES curriculum (id) ON DELETE CASCADE,
    partner_id    INTEGER NOT NULL REFERENCES partner (id),
    PRIMARY KEY (curriculum_id, partner_id)
) STRICT;
CREATE INDEX curriculum_partner_partner ON curriculum_partner (partner_id);

CREATE TABLE curriculum_status (
    id            INTEGER PRIMARY KEY,
    curriculum_id INTEGER NOT NULL REFERENCES curriculum (id) ON DELETE CASCADE,
    status        TEXT NOT NULL CONSTRAINT curriculum_status_status CHECK (status = 'in_development' OR status = 'running' OR status = 'ended'),
    since         TEXT NOT NULL CONSTRAINT curriculum_status_since_date CHECK (since IS date(since)),
    UNIQUE (curriculum_id, since)
) STRICT;

-- Lectorates (HBO) and chairs (WO) funded or co-funded through the programme.
CREATE TABLE chair (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL CONSTRAINT chair_kind CHECK (kind = 'lectorate' OR kind = 'chair'),
    name     TEXT NOT NULL CONSTRAINT chair_name_not_blank CHECK (trim(name) <> ''),
    theme_id INTEGER REFERENCES theme (id)
) STRICT;
CREATE UNIQUE INDEX chair_name_unique ON chair (name COLLATE NOCASE);

CREATE TABLE chair_partner (
    chair_id   INTEGER NOT NULL REFERENCES chair (id) ON DELETE CASCADE,
    partner_id INTEGER NOT NULL REFERENCES partner (id),
    PRIMARY KEY (chair_id, partner_id)
) STRICT;
CREATE INDEX chair_partner_partner ON chair_partner (partner_id);

CREATE TABLE chair_status (
    id       INTEGER PRIMARY KEY,
    chair_id INTEGER NOT NULL REFERENCES chair (id) ON DELETE CASCADE,
    status   TEXT NOT NULL CONSTRAINT chair_status_status CHECK (status = 'planned' OR status = 'active' OR status = 'ended'),
    since    TEXT NOT NULL CONSTRAINT chair_status_since_date CHECK (since IS date(since)),
    UNIQUE (chair_id, since)
) STRICT;

-- The knowledge portfolios: research questions from government, where they
-- came from, and what took them up (so demand can be matched with supply).
CREATE TABLE question (
    id                 INTEGER PRIMARY KEY,
    text               TEXT NOT NULL CONSTRAINT question_text_not_blank CHECK (trim(text) <> ''),
    theme_id           INTEGER NOT NULL REFERENCES theme (id),
    asked_on           TEXT NOT NULL CONSTRAINT question_asked_on_date CHECK (asked_on IS date(asked_on)),
    -- where it came from: an event, a partner, or both
    source_activity_id INTEGER REFERENCES activity (id),
    source_partner_id  INTEGER REFERENCES partner (id),
    -- what took it up
    assignment_id      INTEGER REFERENCES assignment (id),
    lab_id             INTEGER REFERENCES lab (id),
    phd_id             INTEGER REFERENCES phd (id)
) STRICT;
CREATE INDEX question_source_activity ON question (source_activity_id);
CREATE INDEX question_source_partner ON question (source_partner_id);
CREATE INDEX question_assignment ON question (assignment_id);
CREATE INDEX question_lab ON question (lab_id);
CREATE INDEX question_phd ON question (phd_id);

-- Yearly communication figures (LinkedIn followers, website visitors).
CREATE TABLE metric (
    name  TEXT NOT NULL CONSTRAINT metric_name_format CHECK (name GLOB '[a-z]*' AND name NOT GLOB '*[^a-z0-9-]*'),
    year  INTEGER NOT NULL CONSTRAINT metric_year_range CHECK (year BETWEEN 1900 AND 2999),
    value REAL NOT NULL,
    PRIMARY KEY (name, year)
) STRICT;

-- The audit trail: every change made through ipart, with who and when.
-- old and new hold the record as JSON before and after the change.
CREATE TABLE change (
    id        INTEGER PRIMARY KEY,
    -- UTC, RFC 3339
    at        TEXT NOT NULL,
    -- the operating-system user
    actor     TEXT NOT NULL,
    -- the command that made it ("partner add")
    command   TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action    TEXT NOT NULL CONSTRAINT change_action CHECK (action = 'insert' OR action = 'update' OR action = 'delete'),
    old       TEXT CONSTRAINT change_old_json CHECK (old IS NULL OR json_valid(old)),
    new       TEXT CONSTRAINT change_new_json CHECK (new IS NULL OR json_valid(new))
) STRICT;
CREATE INDEX change_entity ON change (entity, entity_id);

-- Rules across tables: a government partner must be one, an education
-- partner must be one, and a partner cannot change sector under records that
-- rely on it.
CREATE TRIGGER assignment_partner_sectors_insert BEFORE INSERT ON assignment
BEGIN
    SELECT RAISE(ABORT, 'assignment_government_partner_sector')
    WHERE (SELECT sector FROM partner WHERE id = NEW.government_partner_id) IS NOT 'government';
    SELECT RAISE(ABORT, 'assignment_education_partner_sector')
    WHERE NEW.education_partner_id IS NOT NULL
      AND (SELECT sector FROM partner WHERE id = NEW.education_partner_id) IS NOT 'education';
END;

CREATE TRIGGER assignment_partner_sectors_update
BEFORE UPDATE OF government_partner_id, education_partner_id ON assignment
BEGIN
    SELECT RAISE(ABORT, 'assignment_government_partner_sector')
    WHERE (SELECT sector FROM partner WHERE id = NEW.government_partner_id) IS NOT 'government';
    SELECT RAISE(ABORT, 'assignment_education_partner_sector')
    WHERE NEW.education_partner_id IS NOT NULL
      AND (SELECT sector FROM partner WHERE id = NEW.education_partner_id) IS NOT 'education';
END;

CREATE TRIGGER phd_partner_sectors_insert BEFORE INSERT ON phd
BEGIN
    SELECT RAISE(ABORT, 'phd_government_partner_sector')
    WHERE (SELECT sector FROM partner WHERE id = NEW.government_partner_id) IS NOT 'government';
    SELECT RAISE(ABORT, 'phd_education_partner_sector')
    WHERE (SELECT sector FROM partner WHERE id = NEW.education_partner_id) IS NOT 'education';
END;

CREATE TRIGGER phd_partner_sectors_update
BEFORE UPDATE OF government_partner_id, education_partner_id ON phd
BEGIN
    SELECT RAISE(ABORT, 'phd_government_partner_sector')
    WHERE (SELECT sector FROM partner WHERE id = NEW.government_partner_id) IS NOT 'government';
    SELECT RAISE(ABORT, 'phd_education_partner_sector')
    WHERE (SELECT sector FROM partner WHERE id = NEW.education_partner_id) IS NOT 'education';
END;

CREATE TRIGGER partner_sector_in_use BEFORE UPDATE OF sector ON partner
WHEN NEW.sector IS NOT OLD.sector
BEGIN
    SELECT RAISE(ABORT, 'partner_sector_in_use')
    WHERE EXISTS (SELECT 1 FROM assignment WHERE government_partner_id = NEW.id OR education_partner_id = NEW.id)
       OR EXISTS (SELECT 1 FROM phd WHERE government_partner_id = NEW.id OR education_partner_id = NEW.id);
END;
