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
record ChartFacts(List<Transaction> transactions, List<Span> spans) {

    /** A paid invoice with an amount, or a paid one-time Checkout. Times in epoch ms. */
    record Transaction(String id, long paidAt, String currency, long amountMinor, long refundedAmountMinor,
            Long refundedAt, boolean trialConversion) {}

    /** A stretch in one state (trial, or paid at one price). Times in epoch ms. See the V6 migration. */
    record Span(boolean trial, long startsAt, long endsAt, String currency, long amountMinor, double monthlyMinor,
            boolean endsRun, boolean restarts, boolean converted, boolean willRenew) {}

    static ChartFacts of(PurchaseState state) {
        return new ChartFacts(transactions(state), state.kind() == Kind.SUBSCRIPTION ? spans(state) : List.of());
    }

    private static List<Transaction> transactions(PurchaseState state) {
        History history = state.history();
        List<Transaction> result = new ArrayList<>();
        if (state.kind() == Kind.ONE_TIME) {
            CheckoutFact checkout = history.checkout();
            if (checkout != null && checkout.paid() && checkout.amountTotal() != null && checkout.amountTotal() > 0) {
                Refund refund = history.refunds().stream().min(Comparator.comparingLong(Refund::created)).orElse(null);
                result.add(new Transaction(checkout.sessionId(), checkout.created() * 1000, upper(checkout.currency()),
                        checkout.amountTotal(), refund == null ? 0 : Math.min(refund.amountRefunded(), checkout.amountTotal()),
                        refund == null ? null : refund.created() * 1000, false));
            }
            return result;
        }
        for (PaidInvoice invoice : history.paidInvoices()) {
            if (invoice.amountPaid() <= 0) {
                continue; // a $0 trial-start invoice is not a transaction
            }
            Refund refund = refundOf(history, invoice);
            result.add(new Transaction(invoice.invoiceId(), invoice.created() * 1000, upper(invoice.currency()),
                    invoice.amountPaid(), refund == null ? 0 : Math.min(refund.amountRefunded(), invoice.amountPaid()),
                    refund == null ? null : refund.created() * 1000, followsTrial(history, invoice)));
        }
        return result;
    }

    /**
     * The full refund of this invoice: named by the refund, or matched through its charge or payment intent; a refund
     * whose invoice cannot be known is credited to the newest paid invoice before it (as access revocation does).
     */
    private static Refund refundOf(History history, PaidInvoice invoice) {
        for (Refund refund : history.refunds()) {
            String refunded = refundedInvoiceId(history, refund);
            if (invoice.invoiceId().equals(refunded)) {
                return refund;
            }
        }
        return null;
    }

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
