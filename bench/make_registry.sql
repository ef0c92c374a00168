-- Adds N synthetic assignments (N in the temp table `bench_size`) with
-- status histories to a registry made by `ipart init --demo`, for the report
-- benchmark. Deterministic: every value is a hash of the row number, so two
-- runs build the same file. Dates run from 2019 to 2025, so that "as of
-- 2023-12-31" has to skip later changes, as a real registry's does.

PRAGMA journal_mode = OFF;   -- a throw-away benchmark file: no need for durability
PRAGMA synchronous = OFF;

CREATE TEMP TABLE gov AS
    SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM partner WHERE sector = 'government';
CREATE TEMP TABLE edu AS
    SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, level FROM partner WHERE sector = 'education';
CREATE TEMP TABLE labs AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM lab;

-- Three chained linear congruential hashes of the row number; their high bits
-- (>> 8) pick the values. Every product stays below 2^63, so SQLite keeps
-- integers (an overflow would turn them into floating point).
CREATE TEMP TABLE seq AS
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT n FROM bench_size)),
    a AS (SELECT i, (i * 1103515245 + 12345) % 2147483648 AS x FROM n),
    b AS (SELECT i, x, (x * 1103515245 + 12345) % 2147483648 AS y FROM a),
    c AS (SELECT i, x, y, (y * 1103515245 + 12345) % 2147483648 AS z FROM b)
    SELECT i, x >> 8 AS h1, y >> 8 AS h2, z >> 8 AS h3 FROM c;

BEGIN;
INSERT INTO assignment (id, title, kind, level, theme_id, government_partner_id, education_partner_id, lab_id,
                        students, source, external_id, starts_on, ends_on)
SELECT 1000000 + s.i,
       'Benchmark assignment ' || s.i,
       CASE s.h1 % 10 WHEN 0 THEN 'hackathon' WHEN 1 THEN 'group' WHEN 2 THEN 'group' WHEN 3 THEN 'graduation'
                      ELSE 'internship' END,
       e.level,
       1 + s.h2 % 6,
       (SELECT id FROM gov WHERE k = s.h2 % (SELECT count(*) FROM gov)),
       CASE WHEN s.h3 % 100 = 0 THEN NULL ELSE e.id END,
       CASE WHEN s.h1 % 10 = 9 THEN (SELECT id FROM labs WHERE k = s.h3 % (SELECT count(*) FROM labs)) END,
       CASE s.h1 % 10 WHEN 0 THEN 5 + s.h3 % 40 WHEN 1 THEN 3 + s.h3 % 4 WHEN 2 THEN 4 ELSE 1 + (s.h3 % 5 = 0) END,
       'bench', CAST(s.i AS TEXT),
       NULL, NULL
FROM seq s JOIN edu e ON e.k = s.h1 % (SELECT count(*) FROM edu);

-- Histories: registered (preparation, or unknown for 3%) on a day from 2019 to 2024; most start 2-10 weeks
-- later; most of those complete 2-6 months after that; some are cancelled on the way.
CREATE TEMP TABLE life AS
SELECT 1000000 + i AS id,
       date('2019-01-01', '+' || (h1 % 2190) || ' days') AS registered,
       date('2019-01-01', '+' || (h1 % 2190 + 14 + h2 % 56) || ' days') AS started,
       date('2019-01-01', '+' || (h1 % 2190 + 14 + h2 % 56 + 60 + h3 % 120) || ' days') AS ended,
       h3 % 100 AS fate
FROM seq;
-- assignment_status names its ids (schema step 5): in order after the demo's, one history after another.
CREATE TEMP TABLE changes AS
    SELECT id AS assignment_id, CASE WHEN fate < 3 THEN 'unknown' ELSE 'preparation' END AS status, registered AS since
    FROM life
    UNION ALL
    SELECT id, CASE WHEN fate < 15 THEN 'cancelled' ELSE 'in_progress' END, started FROM life WHERE fate >= 3
    UNION ALL
    SELECT id, CASE WHEN fate < 22 THEN 'cancelled' ELSE 'completed' END, ended FROM life WHERE fate >= 15;
INSERT INTO assignment_status (id, assignment_id, status, since)
    SELECT (SELECT max(id) FROM assignment_status) + row_number() OVER (ORDER BY assignment_id, since),
           assignment_id, status, since
    FROM changes ORDER BY assignment_id, since;
COMMIT;
ANALYZE;
