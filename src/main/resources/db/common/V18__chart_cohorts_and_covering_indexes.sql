-- The cohorted charts (conversion_to_paying, ltv_per_customer, ltv_per_paying_customer) follow the customers first
-- seen in a period to what they paid. Walking customers → purchases → transactions costs a few index seeks per
-- customer, too slow for a year of customers; so each transaction carries its purchase's owner and the owner's
-- first_seen (the cohort), kept by ChartFactsStore whenever a purchase is written or changes owner (transfer, merge,
-- deletion of the customer: null, as the purchase is nobody's), and one index reads a cohort's transactions in
-- order. Existing rows get them here.
ALTER TABLE purchase_transactions ADD COLUMN customer_id TEXT;
ALTER TABLE purchase_transactions ADD COLUMN cohort_at BIGINT;
UPDATE purchase_transactions SET customer_id = (SELECT p.customer_id FROM purchases p
    WHERE p.id = purchase_transactions.purchase_id);
UPDATE purchase_transactions SET cohort_at = (SELECT c.first_seen FROM customers c
    WHERE c.id = purchase_transactions.customer_id);
CREATE INDEX purchase_transactions_by_cohort ON purchase_transactions
    (project_id, livemode, cohort_at, paid_at, customer_id, currency, amount_minor, refunded_amount_minor);

-- The movement, status and retention charts select spans by whether they start or end a run, resubscribe, convert or
-- renew, and retention measures from a run's first instant: those columns join the two covering indexes, so these
-- charts too read only index pages.
DROP INDEX subscription_spans_by_start;
CREATE INDEX subscription_spans_by_start ON subscription_spans (project_id, livemode, is_trial, start_day, currency,
    monthly_minor, restarts, converted, will_renew, ends_at, starts_run, resubscribes, starts_at, ends_run);
DROP INDEX subscription_spans_by_end;
CREATE INDEX subscription_spans_by_end ON subscription_spans (project_id, livemode, is_trial, end_day, currency,
    monthly_minor, starts_at, ends_at, ends_run, will_renew, converted);
