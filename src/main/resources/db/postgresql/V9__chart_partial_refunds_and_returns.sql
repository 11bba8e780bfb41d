-- Partial refunds lower revenue: refunded_amount_minor now sums full and partial refunds (each charge's cumulative
-- amount_refunded), and fully_refunded says whether a full refund reversed the transaction, which is what refund_rate
-- and revenue's transaction count call a refunded transaction. Rows written before held full refunds only.
ALTER TABLE purchase_transactions ADD COLUMN fully_refunded BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE purchase_transactions SET fully_refunded = (refunded_amount_minor > 0);
DROP INDEX purchase_transactions_by_day;
CREATE INDEX purchase_transactions_by_day ON purchase_transactions
    (project_id, livemode, paid_day, currency, amount_minor, refunded_amount_minor, fully_refunded, paid_at);
