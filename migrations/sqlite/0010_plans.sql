-- Plans: more alerts than one campaign may hold, split into waves of at most 1,000, each
-- published as a campaign (by the GitHub App, in a background job) when the one before it is
-- closed, far enough closed (`share`, percent) or due. Times are Unix seconds. `status` is the
-- last check's word on the next wave (waiting and why, or the publish error).
CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    split TEXT NOT NULL,
    wave_size BIGINT NOT NULL,
    publish_when TEXT NOT NULL,
    share BIGINT NOT NULL,
    cadence_days BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    failed BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX plans_org ON plans (org, id);

-- Each wave of a plan: its campaign once published, and when it is due.
CREATE TABLE plan_waves (
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    wave BIGINT NOT NULL,
    size BIGINT NOT NULL,
    campaign_number BIGINT,
    published_at BIGINT,
    due_at BIGINT,
    PRIMARY KEY (plan_id, wave)
);

-- The plan's alerts, each in one wave.
CREATE TABLE plan_alerts (
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    wave BIGINT NOT NULL,
    repository_id BIGINT NOT NULL,
    repository TEXT NOT NULL,
    number BIGINT NOT NULL,
    PRIMARY KEY (plan_id, repository_id, number)
);
CREATE INDEX plan_alerts_wave ON plan_alerts (plan_id, wave);
