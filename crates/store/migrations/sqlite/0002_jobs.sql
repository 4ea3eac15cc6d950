-- Background jobs shared by every app instance on the database (version 2, SQLite).
-- A job is claimed by exactly one instance: the claim is a conditional update.
CREATE TABLE job (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    run_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_at TEXT,
    finished_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX job_queue ON job(status, run_at);
