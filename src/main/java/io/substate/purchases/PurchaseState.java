package io.substate.purchases;

import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import java.util.List;
import java.util.Set;

/**
 * Everything a purchase is, as derived from the Stripe facts applied so far. Stored as JSON (Jackson round-trips it).
 *
 * <p>The top-level fields are derived; they are recomputed from {@link #history()} after every fact, and the history
 * only grows by order-independent merges, so the state does not depend on the order Stripe delivered the facts in.
 * {@link #emitted()} remembers which outgoing events were already sent; it is the only part that depends on order.
 * {@link #payments()} keeps what events carry about each invoice (tax, fee, discount, address, retry), merged like the
 * history ({@link EventDetails#merge}) but kept beside it: no derived field reads it.
 * All times here are epoch MILLISECONDS (the history keeps Stripe's seconds); amounts are in minor units.
 */
public record PurchaseState(
        Kind kind,
        String token,
        String productId,
        String priceId,
        Long priceAmountMinor,
        String currency,
        String interval,
        Integer intervalCount,
        String status,
        PeriodType periodType,
        Long purchasedAt,
        Long originalPurchasedAt,
        Long expiresAt,
        Long unsubscribeDetectedAt,
        Long billingIssuesDetectedAt,
        Long refundedAt,
        boolean livemode,
        String stripeCustomerId,
        String paymentIntentId,
        String latestInvoiceId,
        Integer renewalNumber,
        History history,
        Emitted emitted,
        List<InvoicePayment> payments) {

    /** A Stripe subscription ({@code sub_…}) or a one-time Checkout payment ({@code cs_…}). */
    public enum Kind { SUBSCRIPTION, ONE_TIME }

    public enum PeriodType { NORMAL, TRIAL }

    /** Stripe statuses during which a subscription grants access ({@code past_due} keeps it while Stripe retries). */
    static final Set<String> GRANTING_STATUSES = Set.of("trialing", "active", "past_due");

    /** Statuses after which Stripe will not charge again for this subscription's current period. */
    static final Set<String> TERMINAL_STATUSES = Set.of("canceled", "unpaid", "incomplete_expired");

    public PurchaseState {
        history = history == null ? History.EMPTY : history;
        emitted = emitted == null ? Emitted.NONE : emitted;
        payments = payments == null ? List.of() : List.copyOf(payments);
    }

    /** A state without invoice payment details (they are merged in after derivation, see {@link EventDetails}). */
    public PurchaseState(Kind kind, String token, String productId, String priceId, Long priceAmountMinor,
            String currency, String interval, Integer intervalCount, String status, PeriodType periodType,
            Long purchasedAt, Long originalPurchasedAt, Long expiresAt, Long unsubscribeDetectedAt,
            Long billingIssuesDetectedAt, Long refundedAt, boolean livemode, String stripeCustomerId,
            String paymentIntentId, String latestInvoiceId, Integer renewalNumber, History history, Emitted emitted) {
        this(kind, token, productId, priceId, priceAmountMinor, currency, interval, intervalCount, status, periodType,
                purchasedAt, originalPurchasedAt, expiresAt, unsubscribeDetectedAt, billingIssuesDetectedAt,
                refundedAt, livemode, stripeCustomerId, paymentIntentId, latestInvoiceId, renewalNumber, history,
                emitted, List.of());
    }

    /** A purchase nothing is known about yet. */
    public static PurchaseState empty(Kind kind, String token, boolean livemode) {
        return new PurchaseState(kind, token, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, livemode, null, null, null, null, History.EMPTY, Emitted.NONE);
    }

    /** Whether the purchase unlocks its entitlements at {@code nowMillis}. */
    public boolean grantsAccess(long nowMillis) {
        if (refundedAt != null || status == null) {
            return false;
        }
        if (kind == Kind.ONE_TIME) {
            return status.equals("paid");
        }
        return GRANTING_STATUSES.contains(status) && expiresAt != null && nowMillis < expiresAt;
    }

    /**
     * The state without the record of which events were already sent: two deliveries of the same Stripe events in
     * any order and with any duplicates have equal projections.
     */
    public PurchaseState comparable() {
        return withEmitted(Emitted.NONE);
    }

    /** The ordering marker of the last applied subscription snapshot (its event's {@code created}), or null. */
    public Long lastSnapshotCreated() {
        return history.snapshot() == null ? null : history.snapshot().created();
    }

    PurchaseState withEmitted(Emitted newEmitted) {
        return new PurchaseState(kind, token, productId, priceId, priceAmountMinor, currency, interval, intervalCount,
                status, periodType, purchasedAt, originalPurchasedAt, expiresAt, unsubscribeDetectedAt,
                billingIssuesDetectedAt, refundedAt, livemode, stripeCustomerId, paymentIntentId, latestInvoiceId,
                renewalNumber, history, newEmitted, payments);
    }

    PurchaseState withPayments(List<InvoicePayment> newPayments) {
        return new PurchaseState(kind, token, productId, priceId, priceAmountMinor, currency, interval, intervalCount,
                status, periodType, purchasedAt, originalPurchasedAt, expiresAt, unsubscribeDetectedAt,
                billingIssuesDetectedAt, refundedAt, livemode, stripeCustomerId, paymentIntentId, latestInvoiceId,
                renewalNumber, history, emitted, newPayments);
    }

    /**
     * The evidence every derived field is computed from. Each part merges commutatively and idempotently: the newest
     * snapshot by a total order, sets keyed by Stripe ids or period ends, and billing signals pruned against the newest
     * recovery. Lists are kept sorted so equal evidence serializes identically.
     *
     * @param snapshot the newest subscription snapshot (see {@link PurchaseStateMachine} for the order)
     * @param periods every period the subscription granted (trial, current periods of granting snapshots, paid
     *     invoices), sorted by end
     * @param paidInvoices paid invoices of the subscription, sorted by id
     * @param billingFailures payment-failure signals newer than {@code lastRecovery}, sorted
     * @param lastRecovery the newest signal that payment works again (paid invoice, active or trialing snapshot)
     * @param refunds refunds, full and partial, one per charge, sorted by charge id
     * @param checkout the completed Checkout Session, if one was seen
     */
    public record History(
            SubscriptionSnapshot snapshot,
            List<Period> periods,
            List<PaidInvoice> paidInvoices,
            List<Signal> billingFailures,
            Signal lastRecovery,
            List<Refund> refunds,
            CheckoutFact checkout) {
        static final History EMPTY = new History(null, List.of(), List.of(), List.of(), null, List.of(), null);

        public History {
            periods = periods == null ? List.of() : List.copyOf(periods);
            paidInvoices = paidInvoices == null ? List.of() : List.copyOf(paidInvoices);
            billingFailures = billingFailures == null ? List.of() : List.copyOf(billingFailures);
            refunds = refunds == null ? List.of() : List.copyOf(refunds);
        }
    }

    /**
     * What the outgoing events say about one invoice of the subscription beyond its price (paid or not), newest report
     * per invoice, sorted by id. States stored before these were kept have none: their events carry nulls.
     *
     * @param created the Stripe {@code created} of the newest report
     * @param total the invoice's total, tax included, in minor units
     * @param tax the tax in it, null when Stripe computed none
     * @param fee Stripe's fee on its payment (balance transaction), null when it could not be read
     * @param feeBase the amount the fee was taken from, in the balance's currency
     * @param nextPaymentAttempt when Stripe retries a failed payment, Stripe seconds
     */
    public record InvoicePayment(
            String invoiceId,
            long created,
            String status,
            long amountPaid,
            Long total,
            Long tax,
            Long fee,
            Long feeBase,
            String offerCode,
            String countryCode,
            Long nextPaymentAttempt) {}

    /** A period the subscription granted, in Stripe seconds; identified by its end. */
    public record Period(long start, long end, boolean trial) {}

    /** A paid invoice of the subscription; {@code periodStart/End} is its first line's service period. */
    public record PaidInvoice(
            String invoiceId,
            long created,
            String billingReason,
            long amountPaid,
            String currency,
            Long periodStart,
            Long periodEnd,
            String customerId,
            String productId,
            String priceId,
            String chargeId,
            String paymentIntentId) {}

    /**
     * A billing signal at Stripe second {@code at}; {@code rank} orders signals of the same second (see
     * {@link PurchaseStateMachine}).
     */
    public record Signal(long at, int rank) implements java.lang.Comparable<Signal> {
        @Override
        public int compareTo(Signal other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Integer.compare(rank, other.rank);
        }
    }

    /**
     * What was refunded of one charge. Stripe reports a charge's refunds as the cumulative {@code amount_refunded}, so
     * the entry keeps the largest amount seen; {@code partial} while no event said the charge is fully refunded.
     * Only a full refund touches access and events; a partial one only lowers revenue. States stored before partial
     * refunds were kept have no {@code partial} field: it reads as false, a full refund, which is all they recorded.
     *
     * @param created the refund event's time in Stripe seconds: of the earliest full refund, or while partial of the
     *     earliest partial one
     */
    public record Refund(
            String chargeId,
            String paymentIntentId,
            String invoiceId,
            long amountRefunded,
            String currency,
            long created,
            boolean partial) {
        public boolean full() {
            return !partial;
        }
    }

    /**
     * Which outgoing events were already produced, so each is produced once.
     *
     * @param initial INITIAL_PURCHASE or NON_RENEWING_PURCHASE was emitted
     * @param lastPeriodEnd end of the newest period announced by INITIAL_PURCHASE or RENEWAL
     * @param cancellation the {@code unsubscribeDetectedAt} announced by the last CANCELLATION, null after an
     *     UNCANCELLATION
     * @param billingIssue the {@code billingIssuesDetectedAt} announced by the last BILLING_ISSUE
     * @param expired EXPIRATION was emitted and the subscription has not come back since
     * @param refundedCharges charges whose refund was announced
     */
    public record Emitted(
            boolean initial,
            Long lastPeriodEnd,
            Long cancellation,
            Long billingIssue,
            boolean expired,
            List<String> refundedCharges) {
        static final Emitted NONE = new Emitted(false, null, null, null, false, List.of());

        public Emitted {
            refundedCharges = refundedCharges == null ? List.of() : List.copyOf(refundedCharges);
        }
    }
}
