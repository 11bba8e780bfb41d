-- Every webhook writes a row to stripe_events, purchases and outgoing_events, and each index on them is one more
-- B-tree to change and one more page to write at commit. These three were paid on every write and read by nothing,
-- or held every row for a lookup that wants a few:
-- * purchases by payment intent: payment intents are found through stripe_object_refs, never through this index;
-- * outgoing events by project: outgoing events are read by customer, or through their deliveries;
-- * Stripe events by status: only failed ones are listed or replayed by status at scale (parked ones have their
--   own index since V10, and processed or stale ones are nearly all of the log, read in received order).
DROP INDEX purchases_by_payment_intent;
DROP INDEX outgoing_events_by_project;
DROP INDEX stripe_events_by_status;
CREATE INDEX stripe_events_failed ON stripe_events (app_id, received_at) WHERE status = 'failed';
