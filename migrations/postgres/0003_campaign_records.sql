-- What GitHub does not keep for us: the alerts of each campaign created here, and its counts over time.

-- A campaign created through the app. `campaign_number` is NULL from just before the create is
-- sent until GitHub's answer binds it (or a later read of the campaign claims it by name).
CREATE TABLE campaign_records (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org TEXT NOT NULL,
    campaign_number BIGINT,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX campaign_records_number ON campaign_records (org, campaign_number);

-- The alert set chosen at create.
CREATE TABLE campaign_alerts (
    record_id BIGINT NOT NULL REFERENCES campaign_records (id) ON DELETE CASCADE,
    repository_id BIGINT NOT NULL,
    repository TEXT NOT NULL,
    alert_number BIGINT NOT NULL,
    PRIMARY KEY (record_id, repository_id, alert_number)
);

-- A campaign's counts when they were read, at most one an hour (`hour` is the Unix hour).
-- `repositories` is JSON ([{"repository", "open", "fixed", "dismissed"}]) when the alerts page read them.
CREATE TABLE campaign_snapshots (
    org TEXT NOT NULL,
    campaign_number BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    taken_at BIGINT NOT NULL,
    open_count BIGINT NOT NULL,
    in_progress_count BIGINT NOT NULL,
    closed_count BIGINT NOT NULL,
    repositories TEXT,
    PRIMARY KEY (org, campaign_number, hour)
);
