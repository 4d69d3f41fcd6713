-- Which batch file a line came from (its canonical path; '' for standard
-- input or library use): an edited or removed line's paid job is found by it.
ALTER TABLE jobs ADD COLUMN source TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_source ON jobs (source) WHERE source <> '';
