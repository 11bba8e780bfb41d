package io.substate.charts;

import io.substate.purchases.StoredPurchase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Rewrites a purchase's chart facts ({@code purchase_transactions}, {@code subscription_spans}) inside the caller's
 * transaction, so charts read what the purchase state says the moment it commits. A purchase has a handful of rows;
 * deleting and re-inserting them keeps the facts a pure function of the state.
 */
public final class ChartFactsWriter {
    private ChartFactsWriter() {}

    public static void write(Handle h, StoredPurchase purchase) {
        ChartFacts facts = ChartFacts.of(purchase.state());
        boolean livemode = purchase.state().livemode();
        h.createUpdate("DELETE FROM purchase_transactions WHERE purchase_id = :id").bind("id", purchase.id()).execute();
        h.createUpdate("DELETE FROM subscription_spans WHERE purchase_id = :id").bind("id", purchase.id()).execute();
        if (!facts.transactions().isEmpty()) {
            PreparedBatch batch = h.prepareBatch("INSERT INTO purchase_transactions (purchase_id, id, project_id, livemode, "
                    + "paid_at, currency, amount_minor, refunded_amount_minor, refunded_at, is_trial_conversion) VALUES "
                    + "(:purchase, :id, :project, :livemode, :paidAt, :currency, :amount, :refunded, :refundedAt, :conversion)");
            for (ChartFacts.Transaction t : facts.transactions()) {
                batch.bind("purchase", purchase.id()).bind("id", t.id()).bind("project", purchase.projectId())
                        .bind("livemode", livemode).bind("paidAt", t.paidAt()).bind("currency", t.currency())
                        .bind("amount", t.amountMinor()).bind("refunded", t.refundedAmountMinor())
                        .bind("refundedAt", t.refundedAt()).bind("conversion", t.trialConversion()).add();
            }
            batch.execute();
        }
        if (!facts.spans().isEmpty()) {
            PreparedBatch batch = h.prepareBatch("INSERT INTO subscription_spans (purchase_id, seq, project_id, livemode, "
                    + "is_trial, starts_at, ends_at, currency, amount_minor, monthly_minor, ends_run, restarts, converted, "
                    + "will_renew) VALUES (:purchase, :seq, :project, :livemode, :trial, :startsAt, :endsAt, :currency, "
                    + ":amount, :monthly, :endsRun, :restarts, :converted, :willRenew)");
            int seq = 0;
            for (ChartFacts.Span s : facts.spans()) {
                batch.bind("purchase", purchase.id()).bind("seq", seq++).bind("project", purchase.projectId())
                        .bind("livemode", livemode).bind("trial", s.trial()).bind("startsAt", s.startsAt())
                        .bind("endsAt", s.endsAt()).bind("currency", s.currency()).bind("amount", s.amountMinor())
                        .bind("monthly", s.monthlyMinor()).bind("endsRun", s.endsRun()).bind("restarts", s.restarts())
                        .bind("converted", s.converted()).bind("willRenew", s.willRenew()).add();
            }
            batch.execute();
        }
    }
}
