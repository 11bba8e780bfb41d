-- Scheduled refresh of subscriptions from the Stripe API (io.substate.sync). A purchase is leased to one instance
-- while it is re-read (refresh_claimed_until), and a purchase whose read failed waits until refresh_retry_at.
ALTER TABLE purchases ADD COLUMN refreshed_at BIGINT;
ALTER TABLE purchases ADD COLUMN refresh_claimed_until BIGINT;
ALTER TABLE purchases ADD COLUMN refresh_retry_at BIGINT;
ALTER TABLE purchases ADD COLUMN refresh_failures INTEGER NOT NULL DEFAULT 0;
CREATE INDEX purchases_refresh_due ON purchases (kind, status, updated_at);
