-- Offerings, their packages and the products in each package, placements, per-customer offering overrides, and the
-- Stripe prices the SDK is shown (io.substate.offerings; README, "Offerings"). A deleted offering takes its packages,
-- their product attachments and the overrides naming it; a deleted product leaves every package it was in (as it
-- leaves every entitlement); a deleted customer takes its override. Placements name offerings without a cascade: an
-- offering a placement names cannot be deleted.

CREATE TABLE offerings (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id),
    lookup_key   TEXT NOT NULL,
    display_name TEXT NOT NULL,
    metadata     TEXT,
    is_current   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    UNIQUE (project_id, lookup_key)
);
CREATE INDEX offerings_by_project ON offerings (project_id, created_at, id);
-- One current offering per project.
CREATE UNIQUE INDEX offerings_one_current ON offerings (project_id) WHERE is_current;

CREATE TABLE packages (
    id           TEXT PRIMARY KEY,
    offering_id  TEXT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    lookup_key   TEXT NOT NULL,
    display_name TEXT NOT NULL,
    position     INTEGER,
    created_at   BIGINT NOT NULL,
    UNIQUE (offering_id, lookup_key)
);

CREATE TABLE package_products (
    package_id           TEXT NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
    product_id           TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    eligibility_criteria TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    PRIMARY KEY (package_id, product_id)
);
CREATE INDEX package_products_by_product ON package_products (product_id);

-- A project's placements: placement identifier -> offering, or NULL for "no offering" (the SDK then shows none).
CREATE TABLE placements (
    project_id   TEXT NOT NULL REFERENCES projects (id),
    placement_id TEXT NOT NULL,
    offering_id  TEXT REFERENCES offerings (id),
    PRIMARY KEY (project_id, placement_id)
);
CREATE INDEX placements_by_offering ON placements (offering_id);

-- The offering for placements not listed; without a row, the customer's current offering.
CREATE TABLE placement_fallbacks (
    project_id  TEXT PRIMARY KEY REFERENCES projects (id),
    offering_id TEXT NOT NULL REFERENCES offerings (id)
);
CREATE INDEX placement_fallbacks_by_offering ON placement_fallbacks (offering_id);

CREATE TABLE offering_overrides (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    offering_id TEXT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX offering_overrides_by_offering ON offering_overrides (offering_id);

-- What Stripe last said about a product's default price, shared by every instance and kept across restarts.
-- read_at: when Stripe last answered (NULL: never); the price columns are that answer, or unreadable_reason says
-- why it gives no price the SDK can show. failed_at/failure: the last read that failed since; retry_at: no read
-- before then.
CREATE TABLE stripe_product_prices (
    product_id          TEXT PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    read_at             BIGINT,
    price_id            TEXT,
    price_type          TEXT,
    unit_amount         BIGINT,
    currency            TEXT,
    recurring_interval  TEXT,
    interval_count      INTEGER,
    trial_period_days   INTEGER,
    product_name        TEXT,
    product_description TEXT,
    unreadable_reason   TEXT,
    failed_at           BIGINT,
    failure             TEXT,
    retry_at            BIGINT
);
