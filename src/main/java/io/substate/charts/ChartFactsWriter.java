package io.substate.charts;

import io.substate.purchases.StoredPurchase;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Rewrites a purchase's chart facts ({@code purchase_transactions}, {@code subscription_spans}) inside the caller's
 * transaction, so charts read what the purchase state says the moment it commits. A purchase has a handful of rows;
 * deleting and re-inserting them keeps the facts a pure function of the state.
 */
public final class ChartFactsWriter {
    private ChartFactsWriter() {}

    /** The facts of one purchase with what they are filed under. */
    record Owned(String purchaseId, String projectId, boolean livemode, ChartFacts facts) {}

    /**
     * Rewrites the facts of {@code purchase} if they differ from those of its {@code previous} state, which the
     * tables already hold (every state change comes through here): most Stripe events change no chart fact.
     */
    public static void write(Handle h, StoredPurchase purchase, io.substate.purchases.PurchaseState previous) {
        ChartFacts before = ChartFacts.of(previous);
        if (previous.livemode() == purchase.state().livemode() && before.equals(ChartFacts.of(purchase.state()))) {
            return;
        }
        if (before.transactions().isEmpty() && before.spans().isEmpty()) {
            // Nothing filed yet (a purchase's first priced state, the usual case for a new one): no rows to delete.
            insert(h, List.of(owned(purchase)));
            return;
        }
        write(h, purchase);
    }

    public static void write(Handle h, StoredPurchase purchase) {
        h.createUpdate("DELETE FROM purchase_transactions WHERE purchase_id = :id").bind("id", purchase.id()).execute();
        h.createUpdate("DELETE FROM subscription_spans WHERE purchase_id = :id").bind("id", purchase.id()).execute();
        insert(h, List.of(owned(purchase)));
    }

    private static Owned owned(StoredPurchase purchase) {
        return new Owned(purchase.id(), purchase.projectId(), purchase.state().livemode(), ChartFacts.of(purchase.state()));
    }

    /** Inserts the facts of purchases that have none yet, one batch per table. */
    static void insert(Handle h, List<Owned> all) {
        PreparedBatch transactions = h.prepareBatch("INSERT INTO purchase_transactions (purchase_id, id, project_id, "
                + "livemode, paid_at, paid_day, currency, amount_minor, refunded_amount_minor, refunded_at, fully_refunded, "
                + "is_trial_conversion) VALUES (:purchase, :id, :project, :livemode, :paidAt, :paidDay, :currency, "
                + ":amount, :refunded, :refundedAt, :fully, :conversion)");
        PreparedBatch spans = h.prepareBatch("INSERT INTO subscription_spans (purchase_id, seq, project_id, livemode, "
                + "is_trial, starts_at, ends_at, start_day, end_day, currency, amount_minor, monthly_minor, ends_run, "
                + "restarts, converted, will_renew) VALUES (:purchase, :seq, :project, :livemode, :trial, :startsAt, "
                + ":endsAt, :startDay, :endDay, :currency, :amount, :monthly, :endsRun, :restarts, :converted, "
                + ":willRenew)");
        for (Owned o : all) {
            for (ChartFacts.Transaction t : o.facts().transactions()) {
                transactions.bind("purchase", o.purchaseId()).bind("id", t.id()).bind("project", o.projectId())
                        .bind("livemode", o.livemode()).bind("paidAt", t.paidAt())
                        .bind("paidDay", Bucket.dayOf(t.paidAt())).bind("currency", t.currency())
                        .bind("amount", t.amountMinor()).bind("refunded", t.refundedAmountMinor())
                        .bind("refundedAt", t.refundedAt()).bind("fully", t.fullyRefunded())
                        .bind("conversion", t.trialConversion()).add();
            }
            int seq = 0;
            for (ChartFacts.Span s : o.facts().spans()) {
                spans.bind("purchase", o.purchaseId()).bind("seq", seq++).bind("project", o.projectId())
                        .bind("livemode", o.livemode()).bind("trial", s.trial()).bind("startsAt", s.startsAt())
                        .bind("endsAt", s.endsAt()).bind("startDay", Bucket.dayOf(s.startsAt()))
                        .bind("endDay", Bucket.dayOf(s.endsAt())).bind("currency", s.currency())
                        .bind("amount", s.amountMinor()).bind("monthly", s.monthlyMinor()).bind("endsRun", s.endsRun())
                        .bind("restarts", s.restarts()).bind("converted", s.converted())
                        .bind("willRenew", s.willRenew()).add();
            }
        }
        if (transactions.size() > 0) {
            transactions.execute();
        }
        if (spans.size() > 0) {
            spans.execute();
        }
    }
}
