-- Indexes for `ipart report`, which reads every status history up to a date.
--
-- The report walks each assignment's history in date order (the state on a
-- date, the trend): with the status in the index, that walk never touches the
-- table itself. The UNIQUE (assignment_id, since) index of schema.sql gives
-- the order but not the status.
CREATE INDEX assignment_status_history ON assignment_status (assignment_id, since, status);

-- "Started, completed, cancelled during the period" look up the changes to
-- one status within a date range.
CREATE INDEX assignment_status_by_status ON assignment_status (status, since);
