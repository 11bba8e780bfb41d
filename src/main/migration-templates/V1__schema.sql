-- Substate schema, @schemaOf@. Times are epoch milliseconds (BIGINT) so the same code reads both databases.

CREATE TABLE server_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE projects (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    secret_api_key    TEXT NOT NULL UNIQUE,
    transfer_behavior TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);

CREATE TABLE apps (
    id                                 TEXT PRIMARY KEY,
    project_id                         TEXT NOT NULL REFERENCES projects (id),
    name                               TEXT NOT NULL,
    type                               TEXT NOT NULL,
    public_api_key                     TEXT NOT NULL UNIQUE,
    webhook_secret                     TEXT,
    previous_webhook_secret            TEXT,
    previous_webhook_secret_expires_at BIGINT,
    stripe_api_key                     TEXT,
    track_new_purchases                BOOLEAN NOT NULL DEFAULT FALSE,
    app_user_id_detection              TEXT NOT NULL DEFAULT 'anonymous',
    metadata_key                       TEXT,
    management_url                     TEXT,
    signature_failures                 BIGINT NOT NULL DEFAULT 0,
    last_signature_failure_reason      TEXT,
    last_signature_failure_at          BIGINT,
    created_at                         BIGINT NOT NULL
);
CREATE INDEX apps_by_project ON apps (project_id, created_at, id);

CREATE TABLE entitlements (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id),
    lookup_key   TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (project_id, lookup_key)
);

CREATE TABLE products (
    id               TEXT PRIMARY KEY,
    project_id       TEXT NOT NULL REFERENCES projects (id),
    app_id           TEXT NOT NULL REFERENCES apps (id),
    store_identifier TEXT NOT NULL,
    type             TEXT NOT NULL,
    display_name     TEXT,
    created_at       BIGINT NOT NULL,
    UNIQUE (app_id, store_identifier)
);
CREATE INDEX products_by_project ON products (project_id, created_at, id);

CREATE TABLE entitlement_products (
    entitlement_id TEXT NOT NULL REFERENCES entitlements (id) ON DELETE CASCADE,
    product_id     TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    PRIMARY KEY (entitlement_id, product_id)
);
CREATE INDEX entitlement_products_by_product ON entitlement_products (product_id);

CREATE TABLE customers (
    id                   TEXT PRIMARY KEY,
    project_id           TEXT NOT NULL REFERENCES projects (id),
    original_app_user_id TEXT NOT NULL,
    first_seen           BIGINT NOT NULL,
    last_seen            BIGINT NOT NULL,
    last_event_sequence  BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL
);
CREATE INDEX customers_by_first_seen ON customers (project_id, first_seen);

CREATE TABLE customer_aliases (
    project_id  TEXT NOT NULL REFERENCES projects (id),
    app_user_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (project_id, app_user_id)
);
CREATE INDEX customer_aliases_by_customer ON customer_aliases (customer_id);

CREATE TABLE customer_attributes (
    customer_id   TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    value         TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (customer_id, name)
);

-- One Stripe subscription (sub_) or one-time Checkout payment (cs_). Columns are projections of the pure state
-- machine's state (kept whole in state_json) so that entitlements and charts can query them.
CREATE TABLE purchases (
    id                         TEXT PRIMARY KEY,
    project_id                 TEXT NOT NULL REFERENCES projects (id),
    app_id                     TEXT NOT NULL REFERENCES apps (id),
    customer_id                TEXT REFERENCES customers (id) ON DELETE SET NULL,
    store_token                TEXT NOT NULL,
    kind                       TEXT NOT NULL,
    stripe_customer_id         TEXT,
    payment_intent_id          TEXT,
    product_id                 TEXT,
    price_id                   TEXT,
    price_amount_minor         BIGINT,
    currency                   TEXT,
    billing_interval           TEXT,
    billing_interval_count     INTEGER,
    status                     TEXT NOT NULL,
    period_type                TEXT NOT NULL,
    purchased_at               BIGINT,
    original_purchased_at      BIGINT,
    expires_at                 BIGINT,
    unsubscribe_detected_at    BIGINT,
    billing_issues_detected_at BIGINT,
    refunded_at                BIGINT,
    livemode                   BOOLEAN NOT NULL,
    state_json                 TEXT NOT NULL,
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL,
    UNIQUE (app_id, store_token)
);
CREATE INDEX purchases_by_customer ON purchases (customer_id);
CREATE INDEX purchases_by_project ON purchases (project_id, livemode, kind);
CREATE INDEX purchases_by_payment_intent ON purchases (app_id, payment_intent_id);

-- Every Stripe event whose signature verified, raw, with its outcome.
CREATE TABLE stripe_events (
    app_id                TEXT NOT NULL REFERENCES apps (id),
    event_id              TEXT NOT NULL,
    type                  TEXT NOT NULL,
    created               BIGINT NOT NULL,
    livemode              BOOLEAN NOT NULL,
    api_version           TEXT,
    received_at           BIGINT NOT NULL,
    processed_at          BIGINT,
    status                TEXT NOT NULL,
    error_code            TEXT,
    error_message         TEXT,
    purchase_token        TEXT,
    purchase_id           TEXT,
    duplicate_deliveries  BIGINT NOT NULL DEFAULT 0,
    payload               TEXT NOT NULL,
    PRIMARY KEY (app_id, event_id)
);
CREATE INDEX stripe_events_by_status ON stripe_events (app_id, status, received_at);
CREATE INDEX stripe_events_by_received ON stripe_events (app_id, received_at);
CREATE INDEX stripe_events_by_token ON stripe_events (app_id, purchase_token);

-- RevenueCat-format events produced by the state machine, in the same transaction as the state they describe.
CREATE TABLE outgoing_events (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects (id),
    app_id          TEXT,
    customer_id     TEXT,
    purchase_id     TEXT,
    type            TEXT NOT NULL,
    environment     TEXT NOT NULL,
    sequence        BIGINT NOT NULL,
    source_event_id TEXT,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX outgoing_events_by_customer ON outgoing_events (customer_id, sequence);
CREATE INDEX outgoing_events_by_project ON outgoing_events (project_id, created_at);

CREATE TABLE webhook_integrations (
    id                      TEXT PRIMARY KEY,
    project_id              TEXT NOT NULL REFERENCES projects (id),
    name                    TEXT NOT NULL,
    url                     TEXT NOT NULL,
    authorization_header    TEXT,
    environment             TEXT,
    event_types             TEXT,
    app_id                  TEXT,
    signing_secret          TEXT NOT NULL,
    previous_signing_secret TEXT,
    previous_secret_expires_at BIGINT,
    created_at              BIGINT NOT NULL
);
CREATE INDEX webhook_integrations_by_project ON webhook_integrations (project_id, created_at, id);

-- The outbox: one delivery per (outgoing event, integration). Workers claim due rows with SKIP LOCKED.
CREATE TABLE deliveries (
    id                TEXT PRIMARY KEY,
    outgoing_event_id TEXT NOT NULL REFERENCES outgoing_events (id) ON DELETE CASCADE,
    integration_id    TEXT NOT NULL REFERENCES webhook_integrations (id) ON DELETE CASCADE,
    status            TEXT NOT NULL,
    attempt_count     INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   BIGINT,
    claimed_by        TEXT,
    claimed_until     BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_integration ON deliveries (integration_id, created_at);

CREATE TABLE delivery_attempts (
    id               @identityPrimaryKey@,
    delivery_id      TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempted_at     BIGINT NOT NULL,
    status_code      INTEGER,
    latency_ms       BIGINT NOT NULL,
    response_excerpt TEXT,
    error            TEXT,
    next_retry_at    BIGINT
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, attempted_at);
