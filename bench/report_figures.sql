-- The figures of `ipart report --year 2023` written by hand for the sqlite3
-- shell, as a competent analyst would with the registry's own indexes: the
-- peer that bench/report.sh times ipart against on the same file. The last
-- line is the key figures as JSON, which the script compares with ipart's.
-- Dates: :s (period start), :d (end date). The histories are read in the
-- order assignment_status keeps them (clustered on assignment_id, since):
-- the state on :d and the trend's lag() come without a sort; first changes
-- look back within one history through the same key.
-- SQLite's defaults otherwise: temp_store = MEMORY made the sorts of 2.8M changes slower (7.3 s of CPU for the
-- trend instead of 4.5 s), as its sorter then sorts one list in memory instead of merging cache-sized runs.
.parameter set :s "'2023-01-01'"
.parameter set :d "'2023-12-31'"

-- Each assignment's status on :d (and since when) with what the breakdowns need.
CREATE TEMP TABLE st AS
SELECT a.id, h.status, h.since, a.kind, a.level, a.theme_id, a.lab_id, a.students, a.government_partner_id AS gov,
       a.education_partner_id AS edu, coalesce(e.region, g.region) AS region
FROM (SELECT assignment_id, status, max(since) AS since FROM assignment_status WHERE since <= :d GROUP BY assignment_id) h
JOIN assignment a ON a.id = h.assignment_id
JOIN partner g ON g.id = a.government_partner_id
LEFT JOIN partner e ON e.id = a.education_partner_id;

-- Partners
SELECT sector, count(*) FROM partner WHERE joined_on <= :d AND (left_on IS NULL OR left_on > :d) GROUP BY sector;
SELECT level, count(*) FROM partner WHERE sector = 'education' AND joined_on <= :d AND (left_on IS NULL OR left_on > :d) GROUP BY level;
SELECT region, sector, count(*) FROM partner WHERE joined_on <= :d AND (left_on IS NULL OR left_on > :d) GROUP BY 1, 2;
SELECT sector, count(*) FROM partner WHERE joined_on BETWEEN :s AND :d GROUP BY sector;
SELECT name FROM partner WHERE joined_on IS NULL OR (joined_on <= :d AND left_on <= :d);

-- Assignments on :d: counted once by every dimension the breakdowns use (a
-- few thousand rows), then each breakdown is a small GROUP BY.
CREATE TEMP TABLE cube AS
SELECT status, kind, level, theme_id, region, lab_id, count(*) AS n, sum(students) AS students
FROM st GROUP BY 1, 2, 3, 4, 5, 6;
SELECT status, sum(n) FROM cube GROUP BY status;
SELECT level, sum(n) FROM cube GROUP BY level;
SELECT t.code, sum(n) FROM cube JOIN theme t ON t.id = cube.theme_id GROUP BY t.code;
SELECT kind, sum(n) FROM cube GROUP BY kind;
SELECT region, sum(n) FROM cube GROUP BY region;
SELECT l.name, sum(n) FROM cube LEFT JOIN lab l ON l.id = cube.lab_id GROUP BY l.name;
SELECT p.name, count(*) AS n FROM st JOIN partner p ON p.id = st.gov GROUP BY p.id ORDER BY n DESC, p.name LIMIT 10;
SELECT p.name, count(*) AS n FROM st JOIN partner p ON p.id = st.edu GROUP BY p.id ORDER BY n DESC, p.name LIMIT 10;
SELECT level, sum(students) FROM cube WHERE status IN ('in_progress', 'completed') GROUP BY level;
SELECT kind, sum(students) FROM cube WHERE status IN ('in_progress', 'completed') GROUP BY kind;
SELECT sum(students) FROM cube WHERE status NOT IN ('in_progress', 'completed');
SELECT count(*) FROM st WHERE status = 'cancelled'
   AND EXISTS (SELECT 1 FROM assignment_status p WHERE p.assignment_id = st.id AND p.status = 'in_progress'
               AND p.since < st.since);

-- During the period: registered (first change), and first changes to a status
SELECT count(*) FROM (SELECT assignment_id, min(since) AS first FROM assignment_status GROUP BY assignment_id)
 WHERE first BETWEEN :s AND :d;
SELECT c.status, count(*) FROM assignment_status c
 WHERE c.status IN ('in_progress', 'completed', 'cancelled') AND c.since BETWEEN :s AND :d
   AND NOT EXISTS (SELECT 1 FROM assignment_status p
                   WHERE p.assignment_id = c.assignment_id AND p.since < c.since AND p.status = c.status)
 GROUP BY c.status;

-- The trend per quarter: each change moves one assignment from the status before it (lag() reads each
-- history in key order, no sort); the moves are counted by day first, which is a cheaper key to sort on than
-- the quarter computed per row, then by quarter.
WITH c AS NOT MATERIALIZED (SELECT since, status, lag(status) OVER (PARTITION BY assignment_id ORDER BY since) AS prev
                            FROM assignment_status WHERE since <= :d),
     m AS (SELECT substr(since, 1, 4) || '-Q' || ((substr(since, 6, 2) + 2) / 3) AS q, status, prev, sum(n) AS n
           FROM (SELECT since, status, prev, count(*) AS n FROM c GROUP BY 1, 2, 3) GROUP BY 1, 2, 3),
     d AS (SELECT q, status, n AS delta FROM m UNION ALL SELECT q, prev, -n FROM m WHERE prev IS NOT NULL)
SELECT q, status, sum(sum(delta)) OVER (PARTITION BY status ORDER BY q) FROM d GROUP BY q, status;

-- Labs, communities, curricula, chairs on :d
CREATE TEMP TABLE labst AS SELECT lab_id, status, max(since) FROM lab_status WHERE since <= :d GROUP BY lab_id;
SELECT status, count(*) FROM labst GROUP BY status;
SELECT r.region, s.status, count(*) FROM lab_region r JOIN labst s ON s.lab_id = r.lab_id GROUP BY 1, 2;
SELECT count(*) FROM lab l WHERE
  (SELECT status FROM lab_status WHERE lab_id = l.id AND since <= :s ORDER BY since DESC LIMIT 1) = 'active'
  OR EXISTS (SELECT 1 FROM lab_status WHERE lab_id = l.id AND status = 'active' AND since BETWEEN :s AND :d);
CREATE TEMP TABLE comst AS SELECT community_id, status, max(since) FROM community_status WHERE since <= :d GROUP BY community_id;
SELECT status, count(*) FROM comst GROUP BY status;
SELECT status, count(*) FROM (SELECT curriculum_id, status, max(since) FROM curriculum_status WHERE since <= :d GROUP BY 1) GROUP BY status;
SELECT status, count(*) FROM (SELECT chair_id, status, max(since) FROM chair_status WHERE since <= :d GROUP BY 1) GROUP BY status;

-- PhDs, activities, questions, metrics
SELECT t.code, count(*) FROM phd d JOIN theme t ON t.id = d.theme_id WHERE started_on BETWEEN :s AND :d GROUP BY t.code;
SELECT kind, count(*), sum(participants), sum(government_participants) FROM activity WHERE starts_on BETWEEN :s AND :d GROUP BY kind;
SELECT theme_id, (assignment_id IN (SELECT assignment_id FROM assignment_status WHERE since <= :d))
       OR (lab_id IN (SELECT lab_id FROM lab_status WHERE since <= :d))
       OR (phd_id IN (SELECT id FROM phd WHERE started_on <= :d)), count(*)
  FROM question WHERE asked_on <= :d GROUP BY 1, 2;
SELECT name, value FROM metric WHERE year = 2023;

-- The key figures, for the comparison with ipart
SELECT json_object(
  'government_partners', (SELECT count(*) FROM partner WHERE sector = 'government' AND joined_on <= :d AND (left_on IS NULL OR left_on > :d)),
  'education_partners', (SELECT count(*) FROM partner WHERE sector = 'education' AND joined_on <= :d AND (left_on IS NULL OR left_on > :d)),
  'assignments', (SELECT coalesce(sum(n), 0) FROM cube),
  'assignments_completed', (SELECT coalesce(sum(n), 0) FROM cube WHERE status = 'completed'),
  'assignments_in_preparation', (SELECT coalesce(sum(n), 0) FROM cube WHERE status = 'preparation'),
  'assignments_in_progress', (SELECT coalesce(sum(n), 0) FROM cube WHERE status = 'in_progress'),
  'students_helped', (SELECT coalesce(sum(students), 0) FROM cube WHERE status IN ('in_progress', 'completed')),
  'students_to_internship', (SELECT coalesce(sum(students), 0) FROM cube WHERE status IN ('in_progress', 'completed') AND kind = 'internship'),
  'active_labs', (SELECT count(*) FROM labst WHERE status = 'active'),
  'labs_in_formation', (SELECT count(*) FROM labst WHERE status = 'in_formation'),
  'communities', (SELECT count(*) FROM comst WHERE status <> 'closed'),
  'phds_started', (SELECT count(*) FROM phd WHERE started_on BETWEEN :s AND :d),
  'course_government_participants', (SELECT coalesce(sum(government_participants), 0) FROM activity WHERE kind IN ('course', 'summer_course') AND starts_on BETWEEN :s AND :d),
  'conference_participants', (SELECT coalesce(sum(participants), 0) FROM activity WHERE kind = 'conference' AND starts_on BETWEEN :s AND :d));
