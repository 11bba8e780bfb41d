package io.substate.purchases;

import io.substate.purchases.PurchaseState.InvoicePayment;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fields of an outgoing event that come from the invoice, the Checkout Session and Stripe's fee rather than from
 * the purchase's lifecycle; null when Stripe did not give them. Percentages are fractions (0.2 = 20 %), as RevenueCat
 * sends them.
 *
 * <p>They do not decide which events are sent: the state machine first decides the events, then {@link #fill} adds
 * these to each, from the invoice the event names ({@code transaction_id}) and the purchase's checkout.
 *
 * @param taxPercentage the invoice's tax over its total (tax included)
 * @param commissionPercentage Stripe's fee over the amount paid
 * @param takehomePercentage what is left after Stripe's fee (1 − commission)
 * @param offerCode the promotion code typed, or the coupon's id
 * @param countryCode ISO 3166-1 alpha-2 of the invoice's customer address, or the Checkout customer's
 * @param presentedOfferingId the Checkout Session's (or subscription's) {@value #OFFERING_METADATA_KEY} metadata
 * @param gracePeriodExpirationAtMs BILLING_ISSUE only: when Stripe next retries the failed payment
 */
public record EventDetails(
        Double taxPercentage,
        Double commissionPercentage,
        Double takehomePercentage,
        String offerCode,
        String countryCode,
        String presentedOfferingId,
        Long gracePeriodExpirationAtMs) {

    /** Nothing known: every field null (events about grants, and about purchases without a checkout or invoice). */
    public static final EventDetails NONE = new EventDetails(null, null, null, null, null, null, null);

    /** The metadata key a checkout built from an offering sets to the offering's identifier. */
    public static final String OFFERING_METADATA_KEY = "presented_offering_id";

    private static final Comparator<InvoicePayment> NEWEST_LAST = Comparator.comparingLong(InvoicePayment::created)
            .thenComparing(InvoicePayment::toString);

    /**
     * The invoice payments after {@code fact}: one entry per invoice, the newest report by ({@code created}, text),
     * keeping a fee an older report had (only the resolver's read of a paid invoice carries one). Commutative and
     * idempotent like the history's merges, so the order Stripe sends invoices in does not matter.
     */
    static List<InvoicePayment> merge(List<InvoicePayment> payments, StripeFact fact) {
        if (!(fact instanceof InvoiceFact invoice)) {
            return payments;
        }
        InvoicePayment reported = new InvoicePayment(invoice.invoiceId(), invoice.created(), invoice.status(),
                invoice.amountPaid(), invoice.total(), invoice.tax(), invoice.fee(), invoice.feeBase(),
                invoice.offerCode(), invoice.countryCode(), invoice.nextPaymentAttempt());
        Map<String, InvoicePayment> byId = new TreeMap<>();
        payments.forEach(p -> byId.put(p.invoiceId(), p));
        byId.merge(reported.invoiceId(), reported, EventDetails::newer);
        return new ArrayList<>(byId.values());
    }

    private static InvoicePayment newer(InvoicePayment a, InvoicePayment b) {
        InvoicePayment newest = NEWEST_LAST.compare(a, b) >= 0 ? a : b;
        InvoicePayment other = newest == a ? b : a;
        if (newest.fee() != null || other.fee() == null) {
            return newest;
        }
        return new InvoicePayment(newest.invoiceId(), newest.created(), newest.status(), newest.amountPaid(),
                newest.total(), newest.tax(), other.fee(), other.feeBase(), newest.offerCode(), newest.countryCode(),
                newest.nextPaymentAttempt());
    }

    /** {@code drafts} with the details each can have from {@code state}. */
    static List<OutgoingEventDraft> fill(PurchaseState state, List<OutgoingEventDraft> drafts) {
        if (drafts.isEmpty()) {
            return drafts;
        }
        List<OutgoingEventDraft> filled = new ArrayList<>(drafts.size());
        for (OutgoingEventDraft draft : drafts) {
            filled.add(draft.withDetails(of(state, draft)));
        }
        return filled;
    }

    /** The offering the purchase was sold from, as its checkout's (or subscription's) metadata names it, or null. */
    public static String presentedOfferingId(PurchaseState state) {
        CheckoutFact checkout = state.history().checkout();
        SubscriptionSnapshot snapshot = state.history().snapshot();
        String offering = checkout == null ? null : checkout.metadata().get(OFFERING_METADATA_KEY);
        if (offering == null && snapshot != null) {
            offering = snapshot.metadata().get(OFFERING_METADATA_KEY);
        }
        return offering;
    }

    /** The customer's country as the purchase knows it now: its checkout's address, else its newest invoice's. */
    public static String countryCode(PurchaseState state) {
        CheckoutFact checkout = state.history().checkout();
        if (checkout != null && checkout.countryCode() != null) {
            return checkout.countryCode();
        }
        return newestCountry(state.payments());
    }

    private static EventDetails of(PurchaseState state, OutgoingEventDraft draft) {
        CheckoutFact checkout = state.history().checkout();
        String offering = presentedOfferingId(state);
        String checkoutCountry = checkout == null ? null : checkout.countryCode();
        String checkoutOffer = checkout == null ? null : checkout.offerCode();
        if (state.kind() == Kind.ONE_TIME) {
            if (checkout == null) {
                return NONE;
            }
            Double tax = fraction(checkout.amountTax() == null ? 0L : checkout.amountTax(), checkout.amountTotal());
            Double commission = fraction(checkout.fee(), checkout.feeBase());
            return new EventDetails(tax, commission, takehome(commission), checkoutOffer, checkoutCountry, offering,
                    null);
        }
        InvoicePayment invoice = null;
        for (InvoicePayment payment : state.payments()) {
            if (payment.invoiceId().equals(draft.transactionId())) {
                invoice = payment;
            }
        }
        Double tax = invoice == null ? null : fraction(invoice.tax() == null ? 0L : invoice.tax(), invoice.total());
        Double commission = invoice == null ? null : fraction(invoice.fee(), invoice.feeBase());
        Double takehome = takehome(commission);
        String offerCode = invoice != null && invoice.offerCode() != null ? invoice.offerCode() : checkoutOffer;
        String country = invoice != null && invoice.countryCode() != null ? invoice.countryCode()
                : checkoutCountry != null ? checkoutCountry : newestCountry(state.payments());
        Long grace = "BILLING_ISSUE".equals(draft.type()) ? nextRetryMs(state.payments()) : null;
        return new EventDetails(tax, commission, takehome, offerCode, country, offering, grace);
    }

    /** {@code part / whole} to four decimals, or null when either is unknown or nothing was charged. */
    static Double fraction(Long part, Long whole) {
        if (part == null || whole == null || whole <= 0) {
            return null;
        }
        return BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP).doubleValue();
    }

    private static Double takehome(Double commission) {
        return commission == null ? null : BigDecimal.ONE.subtract(BigDecimal.valueOf(commission)).doubleValue();
    }

    private static String newestCountry(List<InvoicePayment> payments) {
        return payments.stream().filter(p -> p.countryCode() != null).max(NEWEST_LAST)
                .map(InvoicePayment::countryCode).orElse(null);
    }

    /** The retry Stripe scheduled for the newest unpaid invoice, in epoch milliseconds. */
    private static Long nextRetryMs(List<InvoicePayment> payments) {
        return payments.stream().filter(p -> !"paid".equals(p.status()) && p.nextPaymentAttempt() != null)
                .max(NEWEST_LAST).map(p -> p.nextPaymentAttempt() * 1000).orElse(null);
    }
}
