-- Project API keys for /v2 (io.substate.projects; README, "API keys"): each reaches one project, read-only or
-- read-write. Only the key's SHA-256 is stored (hex); the key itself is shown once, when it is made. hint is its last
-- four characters, to tell keys apart in lists. Revoking a key deletes its row. last_used_at is updated at most once a
-- minute per key and instance (see io.substate.projects.ApiKeyCache), not on every request.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id),
    name         TEXT NOT NULL,
    permissions  TEXT NOT NULL,
    key_sha256   TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_keys_by_project ON api_keys (project_id, created_at, id);
