-- RevenueCat v2's customers list (README, "Customers (API v2)"): paged by first seen, then id, within a project; and
-- searched by App User ID or alias (customer_aliases' primary key), Stripe customer id and email, each one index read.
-- The list's order needs the id after first_seen in the index (SQLite would otherwise sort every customer of the
-- project for each page); the old index is its prefix, so it goes.
CREATE INDEX customers_by_project_first_seen_id ON customers (project_id, first_seen, id);
DROP INDEX customers_by_first_seen;
CREATE INDEX purchases_by_stripe_customer ON purchases (project_id, stripe_customer_id)
    WHERE stripe_customer_id IS NOT NULL;
-- Email search is exact but case-insensitive; only $email values are indexed.
CREATE INDEX customer_attributes_by_email ON customer_attributes (lower(value)) WHERE name = '$email';
