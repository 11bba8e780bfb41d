package io.substate.charts;

import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseState.History;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.PurchaseState.PaidInvoice;
import io.substate.purchases.PurchaseState.Period;
import io.substate.purchases.PurchaseState.Refund;
import io.substate.purchases.StripeFact.CheckoutFact;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The chart facts of one purchase, computed from its state alone (a pure function, so replays and out-of-order
 * delivery converge on the same facts): its paid transactions and its trial and paid spans.
 */
public record ChartFacts(List<Transaction> transactions, List<Span> spans) {

    /**
     * A paid invoice with an amount, or a paid one-time Checkout. Times in epoch ms.
     *
     * @param refundedAmountMinor what was refunded of it, full and partial refunds alike, at most its amount
     * @param refundedAt when it was fully refunded, or while only partially refunded when it was first refunded
     * @param fullyRefunded a full refund reversed it (the refund that revokes access): a refunded transaction in
     *     refund_rate; a partially refunded one still counts as a transaction, with less revenue
     */
    public record Transaction(String id, long paidAt, String currency, long amountMinor, long refundedAmountMinor,
            Long refundedAt, boolean fullyRefunded, boolean trialConversion) {}

    /**
     * A stretch in one state (trial, or paid at one price). Times in epoch ms. See the V6 and V9 migrations.
     *
     * @param startsRun paid, and not continuing a paid span of this subscription: the subscription's first paid span
     *     (a new subscription or a trial conversion), or a {@code restarts} one; churn looks for the customer's
     *     earlier expiries before it
     */
    record Span(boolean trial, long startsAt, long endsAt, String currency, long amountMinor, double monthlyMinor,
            boolean endsRun, boolean startsRun, boolean restarts, boolean converted, boolean willRenew) {}

    static ChartFacts of(PurchaseState state) {
        return new ChartFacts(transactions(state), state.kind() == Kind.SUBSCRIPTION ? spans(state) : List.of());
    }

    /** The paid transactions of a purchase (what charts count, and what its API's revenue and transactions show). */
    public static List<Transaction> transactions(PurchaseState state) {
        History history = state.history();
        List<Transaction> result = new ArrayList<>();
        if (state.kind() == Kind.ONE_TIME) {
            CheckoutFact checkout = history.checkout();
            if (checkout != null && checkout.paid() && checkout.amountTotal() != null && checkout.amountTotal() > 0) {
                result.add(transaction(checkout.sessionId(), checkout.created(), checkout.currency(),
                        checkout.amountTotal(), history.refunds(), false));
            }
            return result;
        }
        for (PaidInvoice invoice : history.paidInvoices()) {
            if (invoice.amountPaid() <= 0) {
                continue; // a $0 trial-start invoice is not a transaction
            }
            List<Refund> refunds = history.refunds().stream()
                    .filter(r -> invoice.invoiceId().equals(refundedInvoiceId(history, r))).toList();
            result.add(transaction(invoice.invoiceId(), invoice.created(), invoice.currency(), invoice.amountPaid(),
                    refunds, followsTrial(history, invoice)));
        }
        return result;
    }

    /**
     * A transaction with the refunds of its charges. Each refund entry holds its charge's cumulative refunded amount,
     * so partial refunds of one charge are not added twice; what was refunded is netted from revenue in the
     * transaction's own period (as full refunds are), whenever the refund happened.
     */
    private static Transaction transaction(String id, long paidAtSeconds, String currency, long amount,
            List<Refund> refunds, boolean trialConversion) {
        long refunded = 0;
        Long fullAt = null;
        Long partialAt = null;
        for (Refund refund : refunds) {
            refunded += refund.amountRefunded();
            if (refund.full()) {
                fullAt = fullAt == null ? refund.created() : Math.min(fullAt, refund.created());
            } else {
                partialAt = partialAt == null ? refund.created() : Math.min(partialAt, refund.created());
            }
        }
        Long refundedAt = fullAt != null ? fullAt : partialAt;
        return new Transaction(id, paidAtSeconds * 1000, upper(currency), amount, Math.min(refunded, amount),
                refundedAt == null ? null : refundedAt * 1000, fullAt != null, trialConversion);
    }

    /**
     * The invoice a refund is of: named by the refund, or matched through its charge or payment intent; a refund
     * whose invoice cannot be known is credited to the newest paid invoice before it (as access revocation does).
     */
    private static String refundedInvoiceId(History history, Refund refund) {
        if (refund.invoiceId() != null) {
            return refund.invoiceId();
        }
        PaidInvoice newestBefore = null;
        for (PaidInvoice invoice : history.paidInvoices()) {
            if ((refund.chargeId() != null && refund.chargeId().equals(invoice.chargeId()))
                    || (refund.paymentIntentId() != null && refund.paymentIntentId().equals(invoice.paymentIntentId()))) {
                return invoice.invoiceId();
            }
            if (invoice.amountPaid() > 0 && invoice.created() <= refund.created()
                    && (newestBefore == null || invoice.created() > newestBefore.created())) {
                newestBefore = invoice;
            }
        }
        return newestBefore == null ? null : newestBefore.invoiceId();
    }

    private static boolean followsTrial(History history, PaidInvoice invoice) {
        return invoice.periodStart() != null && history.periods().stream()
                .anyMatch(p -> p.trial() && p.end() == invoice.periodStart());
    }

    /**
     * Periods sorted by start, clipped so none overlaps the previous one, capped at the moment access ended (expiry
     * or a refund that revoked access), then merged into spans of one kind and price.
     */
    private static List<Span> spans(PurchaseState state) {
        History history = state.history();
        Long accessEnd = accessEndSeconds(state);
        boolean willRenew = willRenew(state);
        List<Period> periods = new ArrayList<>(history.periods());
        periods.sort(Comparator.comparingLong(Period::start).thenComparingLong(Period::end));

        List<Draft> drafts = new ArrayList<>();
        long previousEnd = Long.MIN_VALUE;
        for (Period period : periods) {
            long start = Math.max(period.start(), previousEnd);
            long end = accessEnd == null ? period.end() : Math.min(period.end(), accessEnd);
            if (end <= start) {
                continue;
            }
            previousEnd = end;
            Draft draft = period.trial() ? new Draft(true, start, end, upper(state.currency()), 0, 0.0)
                    : paidDraft(state, history, period, start, end);
            Draft last = drafts.isEmpty() ? null : drafts.get(drafts.size() - 1);
            if (last != null && last.continuedBy(draft)) {
                drafts.set(drafts.size() - 1, last.extendedTo(end));
            } else {
                drafts.add(draft);
            }
        }

        List<Span> spans = new ArrayList<>();
        boolean paidBefore = false;
        for (int i = 0; i < drafts.size(); i++) {
            Draft d = drafts.get(i);
            Draft previous = i == 0 ? null : drafts.get(i - 1);
            Draft next = i + 1 < drafts.size() ? drafts.get(i + 1) : null;
            boolean nextPaidContiguous = next != null && !next.trial && next.start == d.end;
            boolean previousPaidContiguous = previous != null && !previous.trial && previous.end == d.start;
            spans.add(new Span(d.trial, d.start * 1000, d.end * 1000, d.currency, d.amountMinor, d.monthlyMinor,
                    !d.trial && !nextPaidContiguous,
                    !d.trial && !previousPaidContiguous,
                    !d.trial && paidBefore && !previousPaidContiguous,
                    d.trial && nextPaidContiguous,
                    willRenew));
            paidBefore |= !d.trial;
        }
        return spans;
    }

    private static Draft paidDraft(PurchaseState state, History history, Period period, long start, long end) {
        PaidInvoice invoice = invoiceForPeriod(history, period.end());
        long amount = invoice != null ? invoice.amountPaid()
                : state.priceAmountMinor() == null ? 0 : state.priceAmountMinor();
        String currency = upper(invoice != null ? invoice.currency() : state.currency());
        Double factor = MonthlyNormalization.factor(state.interval(), state.intervalCount());
        double monthly = amount * (factor != null ? factor
                : MonthlyNormalization.factorFromLength(period.start(), period.end()));
        return new Draft(false, start, end, currency, amount, monthly);
    }

    private static PaidInvoice invoiceForPeriod(History history, long periodEnd) {
        PaidInvoice found = null;
        for (PaidInvoice invoice : history.paidInvoices()) {
            if (Objects.equals(invoice.periodEnd(), periodEnd) && invoice.amountPaid() > 0
                    && (found == null || invoice.created() > found.created())) {
                found = invoice;
            }
        }
        return found;
    }

    /** When access ended or will end, in Stripe seconds: expiry (period end, cancel_at, ended_at) or revocation. */
    private static Long accessEndSeconds(PurchaseState state) {
        Long end = state.expiresAt() == null ? null : state.expiresAt() / 1000;
        if (state.refundedAt() != null) {
            long refunded = state.refundedAt() / 1000;
            end = end == null ? refunded : Math.min(end, refunded);
        }
        return end;
    }

    private static boolean willRenew(PurchaseState state) {
        if (state.unsubscribeDetectedAt() != null || state.refundedAt() != null || state.status() == null) {
            return false;
        }
        return switch (state.status()) {
            case "trialing", "active", "past_due" -> true;
            default -> false;
        };
    }

    private static String upper(String currency) {
        return currency == null ? "USD" : currency.toUpperCase(Locale.ROOT);
    }

    /** A span being built, in Stripe seconds. */
    private record Draft(boolean trial, long start, long end, String currency, long amountMinor, double monthlyMinor) {
        boolean continuedBy(Draft next) {
            return next.start == end && next.trial == trial
                    && (trial || (next.currency.equals(currency) && next.amountMinor == amountMinor
                            && next.monthlyMinor == monthlyMinor));
        }

        Draft extendedTo(long newEnd) {
            return new Draft(trial, start, newEnd, currency, amountMinor, monthlyMinor);
        }
    }
}
