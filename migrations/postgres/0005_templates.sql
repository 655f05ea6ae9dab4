-- Templates a team saved for its org: an alert filter (JSON, the picker's query names) with a
-- name and a description pattern. One per label and org: saving a label again replaces it.
CREATE TABLE templates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org TEXT NOT NULL,
    label TEXT NOT NULL,
    filter TEXT NOT NULL,
    name_pattern TEXT NOT NULL,
    description_pattern TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX templates_label ON templates (org, label);
