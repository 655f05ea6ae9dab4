-- One audit log per org whatever case its name was typed in: rows filed under `ACME-CORP` join
-- `acme-corp`'s. The append-only trigger is lifted for this one fold and put back as it was.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE audit_log SET org = lower(org) WHERE org <> lower(org);
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;

-- A draft's revision: one more with every save, posted back by the publish form so that what
-- is published is the version the reviewer read.
ALTER TABLE drafts ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;

-- A token refresh's lease on its session (Unix seconds it runs out): taken and given back in
-- one statement each, so no connection or row lock is held while GitHub answers.
ALTER TABLE sessions ADD COLUMN refresh_lease BIGINT;
