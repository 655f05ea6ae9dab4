-- Who each indexed alert is assigned to (GitHub logins joined by spaces; empty: nobody), for the
-- alerts page's assignee column and its "mine" and "nobody" filters.
ALTER TABLE alert_index ADD COLUMN assignees TEXT NOT NULL DEFAULT '';

-- A person's bulk actions on alerts in the last hour, counted against their budget.
CREATE INDEX audit_log_actor ON audit_log (actor, at);
