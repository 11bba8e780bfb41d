-- Imports of an app's Stripe account (io.substate.sync.StripeImport, README "Importing from Stripe"). One row per
-- import; an unfinished one (running, or failed) keeps its phase and page_cursor, the id of the last object of the
-- last page fully applied, where the next run continues. counters is a JSON object (read, imported, unchanged, ...).
-- At most one import of an app runs at a time.
CREATE TABLE stripe_imports (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL,
    app_id         TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    status         TEXT NOT NULL,
    phase          TEXT NOT NULL,
    page_cursor    TEXT,
    dry_run        BOOLEAN NOT NULL,
    deliver_events BOOLEAN NOT NULL,
    counters       TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    finished_at    BIGINT,
    last_error     TEXT
);
CREATE INDEX stripe_imports_by_app ON stripe_imports (app_id, started_at);
CREATE UNIQUE INDEX stripe_imports_one_running ON stripe_imports (app_id) WHERE status = 'running';
