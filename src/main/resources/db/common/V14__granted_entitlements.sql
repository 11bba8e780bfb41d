-- Entitlements granted by hand, RevenueCat's promotional (granted) entitlements (README, "Granted entitlements"):
-- access to one entitlement from starts_at until expires_at, or until revoked_at. They are not purchases: no chart
-- and no revenue reads this table.
CREATE TABLE granted_entitlements (
    id                   TEXT PRIMARY KEY,
    project_id           TEXT NOT NULL REFERENCES projects (id),
    customer_id          TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    entitlement_id       TEXT NOT NULL REFERENCES entitlements (id) ON DELETE CASCADE,
    -- rc_promo_<lookup key>_<duration, or custom for an end time>, as of the grant
    product_identifier   TEXT NOT NULL,
    -- 32 lowercase hex digits, as RevenueCat's
    store_transaction_id TEXT NOT NULL,
    starts_at            BIGINT NOT NULL,
    -- a lifetime grant ends 200 years on, as RevenueCat's
    expires_at           BIGINT NOT NULL,
    revoked_at           BIGINT,
    -- whether its EXPIRATION event was written: at the revocation, or by the expiry worker once expires_at passed
    expiration_sent      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           BIGINT NOT NULL
);
CREATE INDEX granted_entitlements_by_customer ON granted_entitlements (customer_id, entitlement_id);
-- The expiry worker's question: which grants ended without their EXPIRATION event yet (a few rows at any time).
CREATE INDEX granted_entitlements_unexpired ON granted_entitlements (expires_at) WHERE expiration_sent = FALSE;
-- Deleting an entitlement deletes its grants (ON DELETE CASCADE above), found here.
CREATE INDEX granted_entitlements_by_entitlement ON granted_entitlements (entitlement_id);
