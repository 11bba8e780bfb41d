-- The scheduled refresh (sync/RefreshStore.java) looks for due subscriptions one app with a Stripe API key at a time,
-- in two ranges: untouched since a cutoff (by updated_at), and around their expiry (by expires_at). Both indexes hold
-- only subscriptions that are not final, the rows the refresh ever reads; its queries repeat this WHERE word for word,
-- so that both planners use them. They replace purchases_refresh_due, whose (kind, status, updated_at) left the
-- refresh to read every non-final subscription of every app on each tick. The expiry index leaves updated_at out, so
-- a write that changes only updated_at (every webhook's) touches no more indexes on SQLite than before.
CREATE INDEX purchases_refresh_untouched ON purchases (app_id, updated_at)
    WHERE kind = 'subscription' AND status NOT IN ('canceled', 'incomplete_expired');
CREATE INDEX purchases_refresh_expiring ON purchases (app_id, expires_at)
    WHERE kind = 'subscription' AND status NOT IN ('canceled', 'incomplete_expired');
DROP INDEX purchases_refresh_due;
