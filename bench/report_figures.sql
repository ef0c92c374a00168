-- The figures of `ipart report --year 2023` written by hand for the sqlite3
-- shell, as an analyst would: the peer that bench/report.sh times ipart
-- against on the same file. The last line is the key figures as JSON, which
-- the script compares with ipart's. Dates: :s (period start), :d (end date).
-- (temp_store first: changing it drops the temporary database, parameters included)
PRAGMA temp_store = MEMORY;
.parameter set :s "'2023-01-01'"
.parameter set :d "'2023-12-31'"

-- Each assignment's status on :d with what the breakdowns need.
CREATE TEMP TABLE st AS
SELECT a.id, h.status, a.kind, a.level, a.theme_id, a.lab_id, a.students, a.government_partner_id AS gov,
       a.education_partner_id AS edu, coalesce(e.region, g.region) AS region
FROM (SELECT assignment_id, status, max(since) FROM assignment_status WHERE since <= :d GROUP BY assignment_id) h
JOIN assignment a ON a.id = h.assignment_id
JOIN partner g ON g.id = a.government_partner_id
LEFT JOIN partner e ON e.id = a.education_partner_id;

-- Partners
SELECT sector, count(*) FROM partner WHERE joined_on <= :d AND (left_on IS NULL OR left_on > :d) GROUP BY sector;
SELECT level, count(*) FROM partner WHERE sector = 'education' AND joined_on <= :d AND (left_on IS NULL OR left_on > :d) GROUP BY level;
SELECT region, sector, count(*) FROM partner WHERE joined_on <= :d AND (left_on IS NULL OR left_on > :d) GROUP BY 1, 2;
SELECT sector, count(*) FROM partner WHERE joined_on BETWEEN :s AND :d GROUP BY sector;
SELECT name FROM partner WHERE joined_on IS NULL OR (joined_on <= :d AND left_on <= :d);

-- Assignments on :d
SELECT status, count(*) FROM st GROUP BY status;
SELECT level, count(*) FROM st GROUP BY level;
SELECT t.code, count(*) FROM st JOIN theme t ON t.id = st.theme_id GROUP BY t.code;
SELECT kind, count(*) FROM st GROUP BY kind;
SELECT region, count(*) FROM st GROUP BY region;
SELECT l.name, count(*) FROM st LEFT JOIN lab l ON l.id = st.lab_id GROUP BY l.name;
SELECT p.name, count(*) AS n FROM st JOIN partner p ON p.id = st.gov GROUP BY p.id ORDER BY n DESC, p.name LIMIT 10;
SELECT p.name, count(*) AS n FROM st JOIN partner p ON p.id = st.edu GROUP BY p.id ORDER BY n DESC, p.name LIMIT 10;
SELECT level, sum(students) FROM st WHERE status IN ('in_progress', 'completed') GROUP BY level;
SELECT kind, sum(students) FROM st WHERE status IN ('in_progress', 'completed') GROUP BY kind;
SELECT sum(students) FROM st WHERE status NOT IN ('in_progress', 'completed');
SELECT count(*) FROM st WHERE status = 'cancelled'
   AND EXISTS (SELECT 1 FROM assignment_status p WHERE p.assignment_id = st.id AND p.status = 'in_progress');

-- During the period: registered, and first changes to a status
SELECT count(*) FROM (SELECT assignment_id, min(since) AS first FROM assignment_status GROUP BY assignment_id)
 WHERE first BETWEEN :s AND :d;
SELECT status, count(*) FROM (SELECT assignment_id, status, min(since) AS first FROM assignment_status
                              WHERE status IN ('in_progress', 'completed', 'cancelled') GROUP BY 1, 2)
 WHERE first BETWEEN :s AND :d GROUP BY status;

-- The trend per quarter: each change moves one assignment from the status before it
WITH c AS (SELECT since, status, lag(status) OVER (PARTITION BY assignment_id ORDER BY since) AS prev
           FROM assignment_status WHERE since <= :d),
     m AS (SELECT substr(since, 1, 4) || '-Q' || ((substr(since, 6, 2) + 2) / 3) AS q, status, prev, count(*) AS n
           FROM c GROUP BY 1, 2, 3),
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
  'assignments', (SELECT count(*) FROM st),
  'assignments_completed', (SELECT count(*) FROM st WHERE status = 'completed'),
  'assignments_in_preparation', (SELECT count(*) FROM st WHERE status = 'preparation'),
  'assignments_in_progress', (SELECT count(*) FROM st WHERE status = 'in_progress'),
  'students_helped', (SELECT coalesce(sum(students), 0) FROM st WHERE status IN ('in_progress', 'completed')),
  'students_to_internship', (SELECT coalesce(sum(students), 0) FROM st WHERE status IN ('in_progress', 'completed') AND kind = 'internship'),
  'active_labs', (SELECT count(*) FROM labst WHERE status = 'active'),
  'labs_in_formation', (SELECT count(*) FROM labst WHERE status = 'in_formation'),
  'communities', (SELECT count(*) FROM comst WHERE status <> 'closed'),
  'phds_started', (SELECT count(*) FROM phd WHERE started_on BETWEEN :s AND :d),
  'course_government_participants', (SELECT coalesce(sum(government_participants), 0) FROM activity WHERE kind IN ('course', 'summer_course') AND starts_on BETWEEN :s AND :d),
  'conference_participants', (SELECT coalesce(sum(participants), 0) FROM activity WHERE kind = 'conference' AND starts_on BETWEEN :s AND :d));
