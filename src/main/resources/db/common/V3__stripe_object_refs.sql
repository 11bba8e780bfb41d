-- Which purchase a Stripe object (invoice in_, charge ch_, payment intent pi_, checkout session cs_) belongs to,
-- learned from every event and API read. charge.refunded finds its purchase here without a Stripe API call.
CREATE TABLE stripe_object_refs (
    app_id      TEXT NOT NULL REFERENCES apps (id),
    object_id   TEXT NOT NULL,
    purchase_id TEXT NOT NULL REFERENCES purchases (id) ON DELETE CASCADE,
    PRIMARY KEY (app_id, object_id)
);
CREATE INDEX stripe_object_refs_by_purchase ON stripe_object_refs (purchase_id);
