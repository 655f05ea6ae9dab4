-- The scheduled jobs' runs (the job queue itself is apalis's table, beside these): one row a job,
-- scope (an org, or '' for work over every org) and period (an hour, a week...). The primary key
-- is what makes a due job run once whatever the number of instances: the first to insert the
-- row enqueues the job. Kept bounded (see store::jobs).
CREATE TABLE job_runs (
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    period TEXT NOT NULL,
    enqueued_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, scope, period)
);
CREATE INDEX job_runs_recent ON job_runs (scope, enqueued_at);

-- Where an org's digests and reminders go. The target (a webhook URL or an email address) is
-- sealed with the session key like a token; only its hint is ever shown back.
CREATE TABLE digest_channels (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org TEXT NOT NULL,
    kind TEXT NOT NULL,
    target_sealed TEXT NOT NULL,
    target_hint TEXT NOT NULL,
    weekly BIGINT NOT NULL,
    weekday BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    reminders BIGINT NOT NULL,
    behind BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX digest_channels_org ON digest_channels (org);

-- Every delivery to a channel: one row a channel, message kind and period (the week of a digest,
-- the campaign and step of a reminder), claimed before sending, so a message goes out at most
-- once a period whatever retries and instances do. 'test' deliveries have a period of their own.
-- The message is written when claimed (a retry sends the same words); kept bounded.
CREATE TABLE deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id BIGINT NOT NULL,
    org TEXT NOT NULL,
    message TEXT NOT NULL,
    period TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    finished_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX deliveries_once ON deliveries (channel_id, message, period);
CREATE INDEX deliveries_recent ON deliveries (org, claimed_at);
