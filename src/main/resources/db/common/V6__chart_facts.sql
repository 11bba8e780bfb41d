-- Chart facts: query-friendly projections of each purchase's history, rewritten by PurchaseUpdater in the same
-- transaction as the purchase itself, so every chart reflects a webhook the moment it commits. Both tables are
-- derived from purchases.state_json alone (deleted and re-inserted per purchase), so replays and out-of-order
-- delivery converge on the same rows. Times are epoch milliseconds; amounts are minor units of `currency`.

-- One paid transaction: a paid Stripe invoice with an amount (id in_…) or a paid one-time Checkout (id cs_…).
CREATE TABLE purchase_transactions (
    purchase_id           TEXT NOT NULL REFERENCES purchases (id) ON DELETE CASCADE,
    id                    TEXT NOT NULL,
    project_id            TEXT NOT NULL,
    livemode              BOOLEAN NOT NULL,
    paid_at               BIGINT NOT NULL,
    paid_day              INTEGER NOT NULL, -- UTC epoch day of paid_at: charts group by it in index order
    currency              TEXT NOT NULL,
    amount_minor          BIGINT NOT NULL,
    refunded_amount_minor BIGINT NOT NULL,
    refunded_at           BIGINT,
    is_trial_conversion   BOOLEAN NOT NULL,
    PRIMARY KEY (purchase_id, id)
);
CREATE INDEX purchase_transactions_by_day
    ON purchase_transactions (project_id, livemode, paid_day, currency, amount_minor, refunded_amount_minor, paid_at);

-- A stretch of time a subscription was continuously in one state: a free trial, or paid at one price. Contiguous
-- periods at the same price are one row; rows of one subscription never overlap. ends_at is when access actually
-- ended or will end (period end, cancel_at, ended_at or a refund that revoked access).
CREATE TABLE subscription_spans (
    purchase_id    TEXT NOT NULL REFERENCES purchases (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    project_id     TEXT NOT NULL,
    livemode       BOOLEAN NOT NULL,
    is_trial       BOOLEAN NOT NULL,
    starts_at      BIGINT NOT NULL,
    ends_at        BIGINT NOT NULL,
    start_day      INTEGER NOT NULL, -- UTC epoch days of starts_at and ends_at: charts group by them in index order
    end_day        INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    amount_minor   BIGINT NOT NULL,
    monthly_minor  DOUBLE PRECISION NOT NULL,
    -- paid: no paid span of the subscription follows without a gap (the subscription expires at ends_at)
    ends_run       BOOLEAN NOT NULL,
    -- paid: starts after a gap following an earlier paid span (the subscriber came back)
    restarts       BOOLEAN NOT NULL,
    -- trial: a paid span starts where it ends
    converted      BOOLEAN NOT NULL,
    -- whether the subscription is set to renew (not cancelled, not ended), as of the newest state
    will_renew     BOOLEAN NOT NULL,
    PRIMARY KEY (purchase_id, seq)
);
-- Both indexes cover the chart queries, so a chart reads only index pages.
CREATE INDEX subscription_spans_by_start ON subscription_spans
    (project_id, livemode, is_trial, start_day, currency, monthly_minor, restarts, converted, will_renew, ends_at);
CREATE INDEX subscription_spans_by_end ON subscription_spans
    (project_id, livemode, is_trial, end_day, currency, monthly_minor, starts_at, ends_at, ends_run);
