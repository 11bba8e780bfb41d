package io.substate.purchases;

import io.substate.purchases.PurchaseState.History;
import io.substate.purchases.PurchaseState.PaidInvoice;
import io.substate.purchases.PurchaseState.Period;
import io.substate.purchases.PurchaseState.Refund;
import io.substate.purchases.PurchaseState.Signal;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.purchases.StripeFact.RefundFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Adds one fact to a {@link History}; every merge here is commutative and idempotent. */
final class HistoryMerge {
    // Billing signals of the same second are ordered by how Stripe sequences them: an active snapshot precedes a
    // failed attempt, which precedes the past_due snapshot it causes, which precedes a later successful payment.
    static final int ACTIVE_SNAPSHOT = 0;
    static final int INVOICE_FAILED = 1;
    static final int PAST_DUE_SNAPSHOT = 2;
    static final int INVOICE_PAID = 3;

    private static final Map<String, Integer> STATUS_PRECEDENCE = Map.of(
            "incomplete", 0, "trialing", 1, "active", 2, "past_due", 3, "paused", 3, "unpaid", 4, "canceled", 5,
            "incomplete_expired", 5);

    /** The total order of snapshots: event time, then status precedence, then tie-breakers that make it total. */
    static final Comparator<SubscriptionSnapshot> SNAPSHOT_ORDER = Comparator
            .comparingLong(SubscriptionSnapshot::created)
            .thenComparingInt(s -> STATUS_PRECEDENCE.getOrDefault(s.status(), 2))
            .thenComparing(SubscriptionSnapshot::deleted)
            .thenComparing(SubscriptionSnapshot::currentPeriodEnd, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(SubscriptionSnapshot::eventId);

    private HistoryMerge() {}

    static boolean isNewer(SubscriptionSnapshot candidate, SubscriptionSnapshot current) {
        return current == null || SNAPSHOT_ORDER.compare(candidate, current) > 0;
    }

    static History add(History history, SubscriptionSnapshot snapshot) {
        SubscriptionSnapshot newest = isNewer(snapshot, history.snapshot()) ? snapshot : history.snapshot();
        List<Period> periods = history.periods();
        boolean everStarted = !snapshot.status().equals("incomplete") && !snapshot.status().equals("incomplete_expired");
        if (everStarted && snapshot.trialStart() != null && snapshot.trialEnd() != null
                && snapshot.trialEnd() > snapshot.trialStart()) {
            periods = withPeriod(periods, new Period(snapshot.trialStart(), snapshot.trialEnd(), true));
        }
        if (PurchaseState.GRANTING_STATUSES.contains(snapshot.status()) && snapshot.currentPeriodStart() != null
                && snapshot.currentPeriodEnd() != null && snapshot.currentPeriodEnd() > snapshot.currentPeriodStart()) {
            boolean trial = snapshot.status().equals("trialing")
                    || (snapshot.trialEnd() != null && snapshot.currentPeriodEnd() <= snapshot.trialEnd());
            periods = withPeriod(periods, new Period(snapshot.currentPeriodStart(), snapshot.currentPeriodEnd(), trial));
        }
        History next = new History(newest, periods, history.paidInvoices(), history.billingFailures(),
                history.lastRecovery(), history.refunds(), history.checkout());
        return switch (snapshot.status()) {
            case "active", "trialing" -> withRecovery(next, new Signal(snapshot.created(), ACTIVE_SNAPSHOT));
            case "past_due", "unpaid" -> withFailure(next, new Signal(snapshot.created(), PAST_DUE_SNAPSHOT));
            default -> next;
        };
    }

    static History add(History history, InvoiceFact invoice) {
        boolean paid = "paid".equals(invoice.status());
        boolean failed = ("open".equals(invoice.status()) || "uncollectible".equals(invoice.status()))
                && invoice.attemptCount() > 0;
        if (failed) {
            return withFailure(history, new Signal(invoice.created(), INVOICE_FAILED));
        }
        if (!paid) {
            return history;
        }
        PaidInvoice summary = new PaidInvoice(invoice.invoiceId(), invoice.created(), invoice.billingReason(),
                invoice.amountPaid(), invoice.currency(), invoice.periodStart(), invoice.periodEnd(),
                invoice.customerId(), invoice.productId(), invoice.priceId(), invoice.chargeId(),
                invoice.paymentIntentId());
        TreeMap<String, PaidInvoice> byId = new TreeMap<>();
        history.paidInvoices().forEach(p -> byId.put(p.invoiceId(), p));
        // Two renderings of one paid invoice: keep the later one, so the choice does not depend on arrival.
        byId.merge(summary.invoiceId(), summary, (a, b) -> later(a, b));
        List<Period> periods = history.periods();
        if (startsPeriod(invoice)) {
            periods = withPeriod(periods, new Period(invoice.periodStart(), invoice.periodEnd(), false));
        }
        History next = new History(history.snapshot(), periods, new ArrayList<>(byId.values()),
                history.billingFailures(), history.lastRecovery(), history.refunds(), history.checkout());
        return withRecovery(next, new Signal(invoice.created(), INVOICE_PAID));
    }

    /**
     * Records a refund of one charge, full or partial. Partial refunds are kept for revenue only (access and events
     * look at full refunds alone, as RevenueCat does); {@link #mergeRefunds} makes the entry of a charge the same
     * whatever order its cumulative amounts and its full refund arrive in.
     */
    static History add(History history, RefundFact refund) {
        TreeMap<String, Refund> byCharge = new TreeMap<>();
        history.refunds().forEach(r -> byCharge.put(r.chargeId(), r));
        Refund entry = new Refund(refund.chargeId(), refund.paymentIntentId(), refund.invoiceId(),
                refund.amountRefunded(), refund.currency(), refund.created(), !refund.fullyRefunded());
        byCharge.merge(entry.chargeId(), entry, HistoryMerge::mergeRefunds);
        return new History(history.snapshot(), history.periods(), history.paidInvoices(), history.billingFailures(),
                history.lastRecovery(), new ArrayList<>(byCharge.values()), history.checkout());
    }

    static History add(History history, CheckoutFact checkout) {
        CheckoutFact current = history.checkout();
        CheckoutFact chosen = current == null || CHECKOUT_PREFERENCE.compare(checkout, current) < 0 ? checkout : current;
        return new History(history.snapshot(), history.periods(), history.paidInvoices(), history.billingFailures(),
                history.lastRecovery(), history.refunds(), chosen);
    }

    /** Paid before unpaid, with line items before without, then the earliest: one session seen twice picks one. */
    private static final Comparator<CheckoutFact> CHECKOUT_PREFERENCE = Comparator
            .comparing((CheckoutFact c) -> !c.paid())
            .thenComparing(c -> c.productId() == null)
            .thenComparingLong(CheckoutFact::created)
            .thenComparing(CheckoutFact::eventId);

    /** Only paid first and cycle invoices open a period; a zero-amount one is a trial, known from the snapshot. */
    private static boolean startsPeriod(InvoiceFact invoice) {
        return invoice.amountPaid() > 0
                && ("subscription_cycle".equals(invoice.billingReason())
                        || "subscription_create".equals(invoice.billingReason()))
                && invoice.periodStart() != null && invoice.periodEnd() != null
                && invoice.periodEnd() > invoice.periodStart();
    }

    private static List<Period> withPeriod(List<Period> periods, Period added) {
        TreeMap<Long, Period> byEnd = new TreeMap<>();
        periods.forEach(p -> byEnd.put(p.end(), p));
        byEnd.merge(added.end(), added,
                (a, b) -> new Period(Math.min(a.start(), b.start()), a.end(), a.trial() || b.trial()));
        return new ArrayList<>(byEnd.values());
    }

    private static History withRecovery(History history, Signal recovery) {
        Signal last = history.lastRecovery();
        Signal newest = last == null || recovery.compareTo(last) > 0 ? recovery : last;
        List<Signal> failures = history.billingFailures().stream().filter(f -> f.compareTo(newest) > 0).toList();
        return new History(history.snapshot(), history.periods(), history.paidInvoices(), failures, newest,
                history.refunds(), history.checkout());
    }

    private static History withFailure(History history, Signal failure) {
        Signal last = history.lastRecovery();
        if ((last != null && failure.compareTo(last) <= 0) || history.billingFailures().contains(failure)) {
            return history; // already recovered from, or already known
        }
        List<Signal> failures = new ArrayList<>(history.billingFailures());
        failures.add(failure);
        failures.sort(null);
        return new History(history.snapshot(), history.periods(), history.paidInvoices(), failures, last,
                history.refunds(), history.checkout());
    }

    private static PaidInvoice later(PaidInvoice a, PaidInvoice b) {
        Comparator<PaidInvoice> order = Comparator.comparingLong(PaidInvoice::created)
                .thenComparing(PaidInvoice::toString);
        return order.compare(a, b) >= 0 ? a : b;
    }

    /**
     * Two reports about one charge's refunds. Each part is a commutative, associative and idempotent choice, so the
     * entry is a function of the set of reports: full once any report is full; the time of the earliest full report,
     * or while partial of the earliest partial one; the largest cumulative amount (Stripe's {@code amount_refunded}
     * only grows); and ids a later rendering may have filled in (the caller resolves a basil refund's invoice).
     */
    static Refund mergeRefunds(Refund a, Refund b) {
        long created = a.partial() == b.partial() ? Math.min(a.created(), b.created())
                : a.partial() ? b.created() : a.created();
        return new Refund(a.chargeId(), known(a.paymentIntentId(), b.paymentIntentId()),
                known(a.invoiceId(), b.invoiceId()), Math.max(a.amountRefunded(), b.amountRefunded()),
                known(a.currency(), b.currency()), created, a.partial() && b.partial());
    }

    /** The id one of them knows; the smaller if both do (they should agree), so the choice is order-free. */
    private static String known(String a, String b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }
}
