-- Drafts: GitHub's API has none. A create form kept as it was typed, with its whole selection,
-- for the org's members to comment on, edit and publish.

-- `form` is the create form as JSON (fields, tracking-issue choice, selection); `name` is copied
-- out for lists. `publishing_at` is set while one person's publish is under way, so a second
-- cannot create the campaign twice.
CREATE TABLE drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org TEXT NOT NULL,
    name TEXT NOT NULL,
    form TEXT NOT NULL,
    alert_count BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    publishing_at BIGINT
);
CREATE INDEX drafts_org ON drafts (org, updated_at);

-- A short plain-text thread under each draft, gone with it.
CREATE TABLE draft_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id BIGINT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX draft_comments_draft ON draft_comments (draft_id, id);
