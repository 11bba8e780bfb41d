-- Partial refunds lower revenue: refunded_amount_minor now sums full and partial refunds (each charge's cumulative
-- amount_refunded), and fully_refunded says whether a full refund reversed the transaction, which is what refund_rate
-- and revenue's transaction count call a refunded transaction. Rows written before held full refunds only.
ALTER TABLE purchase_transactions ADD COLUMN fully_refunded BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE purchase_transactions SET fully_refunded = (refunded_amount_minor > 0);
DROP INDEX purchase_transactions_by_day;
CREATE INDEX purchase_transactions_by_day ON purchase_transactions
    (project_id, livemode, paid_day, currency, amount_minor, refunded_amount_minor, fully_refunded, paid_at);

-- Churn subtracts resubscriptions across a customer's subscriptions (io.substate.charts.Resubscriptions): a paid span
-- that starts a run (starts_run: a subscription's first paid span, a trial's conversion, or a paid span after a lapse)
-- resubscribes when one of the owner's production paid spans ended a run (expired, or was revoked by a refund) after
-- the owner's previous run start and at or before this one; run starts at one instant are ordered by purchase id
-- (byte order, as Java compares them), then seq. An ownerless purchase counts its own lapses only (restarts). The
-- writer keeps the column matched when spans change or purchases change owner; here it is computed for existing rows.
ALTER TABLE subscription_spans ADD COLUMN starts_run BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE subscription_spans ADD COLUMN resubscribes BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE subscription_spans SET starts_run = (NOT is_trial AND NOT EXISTS (SELECT 1 FROM subscription_spans p
    WHERE p.purchase_id = subscription_spans.purchase_id AND p.is_trial = FALSE
    AND p.ends_at = subscription_spans.starts_at));
UPDATE subscription_spans SET resubscribes = (restarts AND livemode)
    WHERE purchase_id IN (SELECT id FROM purchases WHERE customer_id IS NULL);
UPDATE subscription_spans SET resubscribes = TRUE
    WHERE starts_run AND livemode AND EXISTS (
        SELECT 1 FROM purchases me
        JOIN purchases ep ON ep.customer_id = me.customer_id
        JOIN subscription_spans e ON e.purchase_id = ep.id
        WHERE me.id = subscription_spans.purchase_id
        AND e.ends_run AND e.livemode AND e.is_trial = FALSE AND e.ends_at <= subscription_spans.starts_at
        AND NOT EXISTS (
            SELECT 1 FROM purchases rp JOIN subscription_spans r ON r.purchase_id = rp.id
            WHERE rp.customer_id = me.customer_id AND r.starts_run AND r.livemode AND r.starts_at >= e.ends_at
            AND (r.starts_at < subscription_spans.starts_at
                OR (r.starts_at = subscription_spans.starts_at
                    AND (@purchaseIdBeforeInByteOrder@
                        OR (r.purchase_id = subscription_spans.purchase_id AND r.seq < subscription_spans.seq))))));
-- Churn reads the resubscriptions of production by day.
CREATE INDEX subscription_spans_resubscriptions ON subscription_spans (project_id, start_day)
    WHERE resubscribes AND livemode;
