-- Only parked events are ever looked up by purchase token (to apply them once their purchase exists, oldest first).
-- Index those alone, in the order they are applied in: an entry per event under the purchase's token, a random key,
-- cost every webhook a page write for a lookup that never reads the events processed on arrival, nearly all of them.
DROP INDEX stripe_events_by_token;
CREATE INDEX stripe_events_parked_by_token ON stripe_events (app_id, purchase_token, created, event_id)
    WHERE status = 'parked';
