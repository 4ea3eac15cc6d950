-- Phần cộng dồn chờ gộp: append-only deltas of the running sums (version 4).
-- On PostgreSQL a submission inserts one row per ancestor here instead of updating the
-- ancestors' sums, so concurrent submissions never wait on each other's row locks; a
-- background fold (one instance at a time) adds them into `consolidation` and deletes
-- them in one transaction. Readers add both tables up in one statement. SQLite, which
-- has a single writer, updates `consolidation` directly and leaves this table empty.
-- No foreign keys: rows live for a fraction of a second, and the key checks would
-- lock the campaign row from every concurrent submission.
CREATE TABLE consolidation_delta (
    id INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    basis TEXT NOT NULL,
    reports BIGINT NOT NULL,
    late BIGINT NOT NULL,
    figures TEXT NOT NULL
);
CREATE INDEX consolidation_delta_unit ON consolidation_delta(campaign_id, basis, unit_id);
