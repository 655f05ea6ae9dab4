-- Each org's code-scanning alerts of every state, as GitHub last listed them: the alert index
-- that the picker, the server-rendered list and the alerts page read instead of GitHub's pages.
-- Times are Unix seconds. `cwes` is the CWE tags joined by spaces. `seen_at` is the start of the
-- sync that last listed the row (Unix milliseconds): a full sync removes the rows it did not see (deleted repositories).
CREATE TABLE alert_index (
    org TEXT NOT NULL,
    repo_id BIGINT NOT NULL,
    repo TEXT NOT NULL,
    number BIGINT NOT NULL,
    rule_id TEXT NOT NULL,
    rule_name TEXT NOT NULL,
    rule_severity TEXT NOT NULL,
    severity TEXT NOT NULL,
    tool TEXT NOT NULL,
    cwes TEXT NOT NULL,
    path TEXT NOT NULL,
    line BIGINT NOT NULL,
    state TEXT NOT NULL,
    dismissed_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    fixed_at BIGINT,
    dismissed_at BIGINT,
    html_url TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (org, repo_id, number)
);
CREATE INDEX alert_index_open ON alert_index (org, state, created_at);

-- Each org's sync: when the index last matched GitHub (`synced_at`, and `full_at` for a full
-- read), the newest `updated_at` seen (where the next sync stops reading), page 1's ETag (a 304
-- ends the next sync at once), and a lease (Unix seconds it runs out) so that one instance syncs
-- an org at a time.
CREATE TABLE alert_index_syncs (
    org TEXT PRIMARY KEY,
    synced_at BIGINT,
    full_at BIGINT,
    watermark BIGINT,
    etag TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    lease_holder TEXT
);
