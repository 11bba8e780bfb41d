package io.substate.purchases;

import io.substate.purchases.PurchaseState.History;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.PurchaseState.PaidInvoice;
import io.substate.purchases.PurchaseState.Period;
import io.substate.purchases.PurchaseState.PeriodType;
import io.substate.purchases.PurchaseState.Refund;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import java.util.List;
import java.util.Objects;

/** Computes every top-level field of a {@link PurchaseState} from its history alone (see the machine's rules). */
final class PurchaseDerivation {
    private PurchaseDerivation() {}

    static PurchaseState derive(PurchaseState base, History history) {
        return base.kind() == Kind.ONE_TIME ? oneTime(base, history) : subscription(base, history);
    }

    private static PurchaseState subscription(PurchaseState base, History history) {
        SubscriptionSnapshot snap = history.snapshot();
        List<Period> periods = history.periods();
        Period first = periods.isEmpty() ? null : periods.get(0);
        Period latest = periods.isEmpty() ? null : periods.get(periods.size() - 1);
        PaidInvoice latestPaid = latestPaidInvoice(history);
        String status = snap == null ? null : snap.status();
        boolean terminal = isTerminal(snap);

        String productId = snap != null ? snap.productId() : latestPaid == null ? null : latestPaid.productId();
        String priceId = snap != null ? snap.priceId() : latestPaid == null ? null : latestPaid.priceId();
        String currency = snap != null ? snap.currency() : latestPaid == null ? null : latestPaid.currency();
        PeriodType periodType = (latest != null ? latest.trial() : "trialing".equals(status))
                ? PeriodType.TRIAL : PeriodType.NORMAL;
        if (snap == null && latest == null) {
            periodType = null;
        }
        String latestInvoiceId = latestInvoiceId(history, latest);
        PaidInvoice latestPeriodInvoice = invoiceById(history, latestInvoiceId);
        String customerId = snap != null && snap.customerId() != null ? snap.customerId()
                : history.checkout() != null && history.checkout().customerId() != null
                        ? history.checkout().customerId()
                        : latestPaid == null ? null : latestPaid.customerId();

        return new PurchaseState(base.kind(), base.token(), productId, priceId,
                snap == null ? null : snap.unitAmount(), currency,
                snap == null ? null : snap.interval(), snap == null ? null : snap.intervalCount(),
                status, periodType,
                latest == null ? null : millis(latest.start()),
                first == null ? null : millis(first.start()),
                subscriptionExpiry(snap, latest, terminal),
                unsubscribeDetectedAt(snap, terminal),
                billingIssuesDetectedAt(history),
                subscriptionRefundedAt(history, latest, latestInvoiceId),
                base.livemode(), customerId,
                latestPeriodInvoice == null ? null : latestPeriodInvoice.paymentIntentId(),
                latestInvoiceId,
                periods.isEmpty() ? null : periods.size(),
                history, base.emitted());
    }

    private static PurchaseState oneTime(PurchaseState base, History history) {
        CheckoutFact checkout = history.checkout();
        Long refundedAt = fullRefunds(history).stream().map(Refund::created).min(Long::compare)
                .map(PurchaseDerivation::millis).orElse(null);
        String status = null;
        if (checkout != null) {
            status = !checkout.paid() ? checkout.paymentStatus() : refundedAt != null ? "refunded" : "paid";
        }
        String paymentIntentId = checkout != null && checkout.paymentIntentId() != null ? checkout.paymentIntentId()
                : fullRefunds(history).stream().map(Refund::paymentIntentId).filter(Objects::nonNull).findFirst()
                        .orElse(null);
        Long purchasedAt = checkout == null ? null : millis(checkout.created());
        return new PurchaseState(base.kind(), base.token(),
                checkout == null ? null : checkout.productId(), checkout == null ? null : checkout.priceId(),
                checkout == null ? null : checkout.amountTotal(), checkout == null ? null : checkout.currency(),
                null, null, status, checkout == null ? null : PeriodType.NORMAL, purchasedAt, purchasedAt, null,
                null, null, refundedAt, base.livemode(), checkout == null ? null : checkout.customerId(),
                paymentIntentId, null, null, history, base.emitted());
    }

    static boolean isTerminal(SubscriptionSnapshot snap) {
        return snap != null && (snap.deleted() || PurchaseState.TERMINAL_STATUSES.contains(snap.status()));
    }

    /** Terminal: when it ended. Otherwise the end of the newest granted period, or earlier if cancel_at says so. */
    private static Long subscriptionExpiry(SubscriptionSnapshot snap, Period latest, boolean terminal) {
        if (terminal) {
            return millis(snap.endedAt() != null ? snap.endedAt() : snap.created());
        }
        Long end = latest != null ? Long.valueOf(latest.end()) : snap == null ? null : snap.currentPeriodEnd();
        if (end != null && snap != null && snap.cancelAt() != null && snap.cancelAt() < end) {
            end = snap.cancelAt();
        }
        return end == null ? null : millis(end);
    }

    /** From Stripe's canceled_at, so it is the same whichever event reported it first. */
    private static Long unsubscribeDetectedAt(SubscriptionSnapshot snap, boolean terminal) {
        if (snap == null) {
            return null;
        }
        boolean willNotRenew = snap.cancelAtPeriodEnd() || snap.cancelAt() != null;
        if (willNotRenew) {
            return millis(snap.canceledAt() != null ? snap.canceledAt() : snap.created());
        }
        return terminal && snap.canceledAt() != null ? millis(snap.canceledAt()) : null;
    }

    private static Long billingIssuesDetectedAt(History history) {
        return history.billingFailures().isEmpty() ? null : millis(history.billingFailures().get(0).at());
    }

    /**
     * A full refund revokes access only when it refunds the newest period: its invoice (given, or found through the
     * charge or payment intent of a paid invoice) is the newest period's invoice; when its invoice cannot be known
     * (basil events, not resolved by the caller) it counts when it happened after the newest period began.
     */
    private static Long subscriptionRefundedAt(History history, Period latest, String latestInvoiceId) {
        Long earliest = null;
        for (Refund refund : fullRefunds(history)) {
            if (refundsNewestPeriod(history, refund, latest, latestInvoiceId)) {
                earliest = earliest == null ? refund.created() : Math.min(earliest, refund.created());
            }
        }
        return earliest == null ? null : millis(earliest);
    }

    /** The refunds that revoke: partial refunds leave access and events alone (they only lower revenue). */
    static List<Refund> fullRefunds(History history) {
        return history.refunds().stream().filter(Refund::full).toList();
    }

    static boolean refundsNewestPeriod(History history, Refund refund, Period latest, String latestInvoiceId) {
        String invoiceId = refundedInvoice(history, refund);
        if (invoiceId != null) {
            return invoiceId.equals(latestInvoiceId);
        }
        return latest == null || latest.start() <= refund.created();
    }

    private static String refundedInvoice(History history, Refund refund) {
        if (refund.invoiceId() != null) {
            return refund.invoiceId();
        }
        for (PaidInvoice invoice : history.paidInvoices()) {
            if ((refund.chargeId() != null && refund.chargeId().equals(invoice.chargeId()))
                    || (refund.paymentIntentId() != null && refund.paymentIntentId().equals(invoice.paymentIntentId()))) {
                return invoice.invoiceId();
            }
        }
        return null;
    }

    /** The invoice that paid the newest period, else the newest snapshot's latest_invoice. */
    static String latestInvoiceId(History history, Period latest) {
        PaidInvoice forPeriod = latest == null ? null : invoiceForPeriod(history, latest.end());
        if (forPeriod != null) {
            return forPeriod.invoiceId();
        }
        SubscriptionSnapshot snap = history.snapshot();
        return snap == null ? null : snap.latestInvoiceId();
    }

    /** The paid invoice for the period ending at {@code end}, or null. */
    static PaidInvoice invoiceForPeriod(History history, long end) {
        PaidInvoice found = null;
        for (PaidInvoice invoice : history.paidInvoices()) {
            if (Objects.equals(invoice.periodEnd(), end) && (found == null || invoice.created() > found.created())) {
                found = invoice;
            }
        }
        return found;
    }

    /**
     * The newest paid invoice that charged for a period of the plan {@code priceId} (its first or a cycle invoice,
     * not a proration), for the period ending at {@code end}, or for any period when {@code end} is null; or null.
     * A side without a price id (an older rendering) matches any.
     */
    static PaidInvoice periodCharge(History history, Long end, String priceId) {
        PaidInvoice found = null;
        for (PaidInvoice invoice : history.paidInvoices()) {
            boolean charge = "subscription_create".equals(invoice.billingReason())
                    || "subscription_cycle".equals(invoice.billingReason());
            boolean samePlan = priceId == null || invoice.priceId() == null || priceId.equals(invoice.priceId());
            if (charge && samePlan && (end == null || Objects.equals(invoice.periodEnd(), end))
                    && (found == null || invoice.created() > found.created())) {
                found = invoice;
            }
        }
        return found;
    }

    private static PaidInvoice latestPaidInvoice(History history) {
        PaidInvoice latest = null;
        for (PaidInvoice invoice : history.paidInvoices()) {
            if (latest == null || invoice.created() > latest.created()) {
                latest = invoice;
            }
        }
        return latest;
    }

    private static PaidInvoice invoiceById(History history, String invoiceId) {
        return invoiceId == null ? null : history.paidInvoices().stream()
                .filter(i -> i.invoiceId().equals(invoiceId)).findFirst().orElse(null);
    }

    static Long millis(Long seconds) {
        return seconds == null ? null : seconds * 1000;
    }
}
