-- One row per request; one event per state change.
CREATE TABLE jobs (
    key         TEXT PRIMARY KEY,
    batch       TEXT NOT NULL,
    line        BIGINT NOT NULL,
    vendor      TEXT NOT NULL,
    model       TEXT NOT NULL,
    path        TEXT NOT NULL,
    body        TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    out_path    TEXT,
    out_dir     TEXT,
    state       TEXT NOT NULL,
    job_id      TEXT,
    output_urls TEXT,
    saved_path  TEXT,
    error       TEXT,
    not_before  BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
-- What workers scan: open entries of a batch in line order.
CREATE INDEX jobs_open ON jobs (batch, line)
    WHERE state IN ('pending','submitting','queued','running','succeeded','downloading');
CREATE INDEX jobs_batch ON jobs (batch, line);
CREATE INDEX jobs_lease ON jobs (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE TABLE events (
    id     BIGSERIAL PRIMARY KEY,
    key    TEXT NOT NULL,
    at     BIGINT NOT NULL,
    worker TEXT,
    state  TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX events_key ON events (key, id);
