package io.substate.purchases;

import io.substate.purchases.PurchaseState.Emitted;
import io.substate.purchases.PurchaseState.History;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.PurchaseState.PaidInvoice;
import io.substate.purchases.PurchaseState.Period;
import io.substate.purchases.PurchaseState.Refund;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides the outgoing events of one step by comparing the derived state with what was already announced
 * ({@link Emitted}), so each event is produced once however often or late Stripe repeats itself.
 */
final class EventEmission {
    private final PurchaseState state;
    private final long causedAt;
    private final List<OutgoingEventDraft> events = new ArrayList<>();
    private boolean initial;
    private Long lastPeriodEnd;
    private Long cancellation;
    private Long billingIssue;
    private boolean expired;
    private final List<String> refundedCharges;

    private EventEmission(PurchaseState state, long causedAt) {
        this.state = state;
        this.causedAt = causedAt;
        Emitted emitted = state.emitted();
        initial = emitted.initial();
        lastPeriodEnd = emitted.lastPeriodEnd();
        cancellation = emitted.cancellation();
        billingIssue = emitted.billingIssue();
        expired = emitted.expired();
        refundedCharges = new ArrayList<>(emitted.refundedCharges());
    }

    /** The events for moving to {@code next}; {@code replaced} is the snapshot {@code next} replaced, if any. */
    static Result emit(PurchaseState next, SubscriptionSnapshot replaced, long causedAt) {
        EventEmission emission = new EventEmission(next, causedAt);
        if (next.kind() == Kind.ONE_TIME) {
            emission.oneTime();
        } else {
            emission.subscription(replaced);
        }
        Emitted emitted = new Emitted(emission.initial, emission.lastPeriodEnd, emission.cancellation,
                emission.billingIssue, emission.expired, emission.refundedCharges);
        return new Result(next.withEmitted(emitted), emission.events);
    }

    record Result(PurchaseState next, List<OutgoingEventDraft> events) {}

    private void oneTime() {
        History history = state.history();
        if (!initial && history.checkout() != null && history.checkout().paid()) {
            initial = true;
            events.add(draft("NON_RENEWING_PURCHASE", state.productId(), null,
                    new Price(state.priceAmountMinor(), state.currency()), null, null, oneTimeTransactionId(), null));
        }
        if (initial) {
            for (Refund refund : PurchaseDerivation.fullRefunds(history)) {
                announceRefund(refund, oneTimeTransactionId(), null);
            }
        }
    }

    private void subscription(SubscriptionSnapshot replaced) {
        boolean granting = state.status() != null && PurchaseState.GRANTING_STATUSES.contains(state.status());
        boolean terminal = PurchaseDerivation.isTerminal(state.history().snapshot());
        if (granting) {
            productChange(replaced);
            periods();
            if (expired) {
                expired = false; // unpaid → active again: a later expiration is news again
            }
        }
        if (initial && granting) {
            cancellation();
        }
        billingIssue(terminal);
        refunds();
        if (initial && terminal && !expired) {
            expired = true;
            events.add(draft("EXPIRATION", state.productId(), null, currentPrice(), null, expirationReason(),
                    transactionId(), null));
        }
    }

    private void productChange(SubscriptionSnapshot replaced) {
        SubscriptionSnapshot now = state.history().snapshot();
        if (!initial || replaced == null || replaced == now || replaced.productId() == null || now.productId() == null) {
            return;
        }
        if (!replaced.productId().equals(now.productId()) || !Objects.equals(replaced.priceId(), now.priceId())) {
            events.add(draft("PRODUCT_CHANGE", replaced.productId(), now.productId(), currentPrice(), null, null,
                    transactionId(), null));
        }
    }

    /**
     * INITIAL_PURCHASE for the first known period, then one RENEWAL per newer period once it is paid, each exactly
     * once. A period is paid when a paid invoice (of any amount: a 100% coupon settles it too) bills it; until then
     * (a {@code past_due} period whose invoice is open, a plan switch without an invoice) it is not renewed revenue.
     */
    private void periods() {
        List<Period> periods = state.history().periods();
        for (int i = 0; i < periods.size(); i++) {
            Period period = periods.get(i);
            if (!initial) {
                initial = true;
                lastPeriodEnd = period.end();
                events.add(periodEvent("INITIAL_PURCHASE", period, null, i + 1));
            } else if ((lastPeriodEnd == null || period.end() > lastPeriodEnd)
                    && PurchaseDerivation.invoiceForPeriod(state.history(), period.end()) != null) {
                lastPeriodEnd = period.end();
                boolean conversion = i > 0 && periods.get(i - 1).trial() && !period.trial();
                events.add(periodEvent("RENEWAL", period, conversion, i + 1));
            }
        }
    }

    private OutgoingEventDraft periodEvent(String type, Period period, Boolean trialConversion, int renewalNumber) {
        PaidInvoice invoice = PurchaseDerivation.invoiceForPeriod(state.history(), period.end());
        Long price = period.trial() ? Long.valueOf(0) : invoice != null ? Long.valueOf(invoice.amountPaid())
                : state.priceAmountMinor();
        String currency = invoice != null && invoice.currency() != null ? invoice.currency() : state.currency();
        return new OutgoingEventDraft(type, state.productId(), null, period.trial() ? "TRIAL" : "NORMAL",
                PurchaseDerivation.millis(period.start()), PurchaseDerivation.millis(period.end()), price, currency,
                trialConversion, null, null, invoice != null ? invoice.invoiceId() : state.token(), state.token(),
                renewalNumber, causedAt);
    }

    private void cancellation() {
        Long detected = state.unsubscribeDetectedAt();
        if (detected != null && cancellation == null) {
            cancellation = detected;
            events.add(draft("CANCELLATION", state.productId(), null, currentPrice(), "UNSUBSCRIBE", null,
                    transactionId(), null));
        } else if (detected == null && cancellation != null) {
            cancellation = null;
            events.add(draft("UNCANCELLATION", state.productId(), null, currentPrice(), null, null,
                    transactionId(), null));
        }
    }

    /** Once per streak: a streak ends at the newest recovery, so a failure after it starts a new one. */
    private void billingIssue(boolean terminal) {
        Long detected = state.billingIssuesDetectedAt();
        if (detected == null) {
            billingIssue = null;
            return;
        }
        // The streak announced last is over once its first failure was pruned by a newer recovery.
        Long announced = billingIssue;
        boolean newStreak = announced == null
                || state.history().billingFailures().stream().noneMatch(f -> f.at() * 1000 == announced);
        if (initial && !terminal && newStreak) {
            billingIssue = detected;
            events.add(draft("BILLING_ISSUE", state.productId(), null, currentPrice(), null, null,
                    transactionId(), null));
        }
    }

    private void refunds() {
        if (!initial) {
            return;
        }
        History history = state.history();
        List<Period> periods = history.periods();
        Period latest = periods.isEmpty() ? null : periods.get(periods.size() - 1);
        for (Refund refund : PurchaseDerivation.fullRefunds(history)) {
            if (PurchaseDerivation.refundsNewestPeriod(history, refund, latest, state.latestInvoiceId())) {
                announceRefund(refund, transactionId(), latest);
            }
        }
    }

    private void announceRefund(Refund refund, String transactionId, Period latest) {
        if (refundedCharges.contains(refund.chargeId())) {
            return;
        }
        refundedCharges.add(refund.chargeId());
        refundedCharges.sort(null);
        events.add(new OutgoingEventDraft("CANCELLATION", state.productId(), null, periodType(), state.purchasedAt(),
                latest == null ? state.expiresAt() : PurchaseDerivation.millis(latest.end()), -refund.amountRefunded(),
                refund.currency() != null ? refund.currency() : state.currency(), null, "CUSTOMER_SUPPORT", null,
                transactionId, state.token(), state.renewalNumber(), causedAt));
    }

    /** An event's price in minor units and its currency. */
    private record Price(Long minor, String currency) {}

    /**
     * The price of the subscription's current period, for the events that announce no payment of their own
     * (CANCELLATION, UNCANCELLATION, BILLING_ISSUE, PRODUCT_CHANGE, EXPIRATION), as RevenueCat's samples carry one:
     * 0 in a trial; what the current period's own invoice charged for the current plan; while that period is unpaid,
     * what the last paid period of the current plan charged; else the plan's price.
     */
    private Price currentPrice() {
        History history = state.history();
        List<Period> periods = history.periods();
        Period current = periods.isEmpty() ? null : periods.get(periods.size() - 1);
        if (current != null && current.trial()) {
            return new Price(0L, state.currency());
        }
        PaidInvoice charged = current == null ? null
                : PurchaseDerivation.periodCharge(history, current.end(), state.priceId());
        if (charged == null) {
            charged = PurchaseDerivation.periodCharge(history, null, state.priceId());
        }
        if (charged != null) {
            return new Price(charged.amountPaid(), charged.currency() != null ? charged.currency() : state.currency());
        }
        return new Price(state.priceAmountMinor(), state.currency());
    }

    private String expirationReason() {
        SubscriptionSnapshot snap = state.history().snapshot();
        boolean paymentFailed = "unpaid".equals(snap.status()) || "incomplete_expired".equals(snap.status())
                || "payment_failed".equals(snap.cancellationReason()) || state.billingIssuesDetectedAt() != null;
        return paymentFailed ? "BILLING_ERROR" : "UNSUBSCRIBE";
    }

    private OutgoingEventDraft draft(String type, String productId, String newProductId, Price price,
            String cancelReason, String expirationReason, String transactionId, Boolean trialConversion) {
        return new OutgoingEventDraft(type, productId, newProductId, periodType(), state.purchasedAt(),
                state.expiresAt(), price.minor(), price.currency(), trialConversion, cancelReason, expirationReason, transactionId,
                state.token(), state.renewalNumber(), causedAt);
    }

    private String periodType() {
        return state.periodType() == null ? null : state.periodType().name();
    }

    private String transactionId() {
        return state.latestInvoiceId() != null ? state.latestInvoiceId() : state.token();
    }

    private String oneTimeTransactionId() {
        return state.paymentIntentId() != null ? state.paymentIntentId() : state.token();
    }
}
