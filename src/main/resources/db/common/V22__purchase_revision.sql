-- A purchase's revision: 0 when inserted, one more with every write of its state. A subscriber read compares each
-- purchase's (id, revision) with what it rendered before, so an unchanged customer is answered without reading and
-- parsing every state again (customers/SubscriberCache.java); the number changes in the same UPDATE as the state, so
-- no write costs a statement more.
ALTER TABLE purchases ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
