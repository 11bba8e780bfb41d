package io.substate.purchases;

import java.util.Map;

/**
 * What one Stripe event (or one object read from the Stripe API) says about a purchase, independent of the Stripe
 * API version it was rendered in. Times are epoch seconds as Stripe gives them; amounts are in minor units.
 */
public sealed interface StripeFact
        permits StripeFact.SubscriptionSnapshot, StripeFact.InvoiceFact, StripeFact.RefundFact,
                StripeFact.CheckoutFact {

    /** The Stripe event id, or a synthetic id for objects read from the API. */
    String eventId();

    /** When Stripe created the event (or when the object was read), epoch seconds. */
    long created();

    boolean livemode();

    /** The whole subscription as of {@link #created()}; {@code deleted} for {@code customer.subscription.deleted}. */
    record SubscriptionSnapshot(
            String eventId,
            long created,
            boolean livemode,
            String subscriptionId,
            String customerId,
            String status,
            boolean cancelAtPeriodEnd,
            Long cancelAt,
            Long canceledAt,
            Long endedAt,
            Long currentPeriodStart,
            Long currentPeriodEnd,
            Long trialStart,
            Long trialEnd,
            String productId,
            String priceId,
            Long unitAmount,
            String currency,
            String interval,
            Integer intervalCount,
            String latestInvoiceId,
            Map<String, String> metadata,
            String cancellationReason,
            boolean deleted) implements StripeFact {
        public SubscriptionSnapshot {
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        }
    }

    /** An invoice's state; {@code periodStart/End} is the service period of its first line. */
    record InvoiceFact(
            String eventId,
            long created,
            boolean livemode,
            String invoiceId,
            String subscriptionId,
            String customerId,
            String status,
            String billingReason,
            long amountPaid,
            long amountDue,
            String currency,
            int attemptCount,
            Long periodStart,
            Long periodEnd,
            Long paidAt,
            String productId,
            String priceId,
            String chargeId,
            String paymentIntentId,
            Long total,
            Long tax,
            String offerCode,
            String countryCode,
            Long nextPaymentAttempt,
            Long fee,
            Long feeBase,
            String discountId) implements StripeFact {
        /**
         * The invoice with Stripe's fee on its payment and the amount it was taken from ({@code feeBase}), both from
         * the payment's balance transaction, in the balance's currency.
         */
        public InvoiceFact withFee(long paymentFee, long paymentFeeBase) {
            return new InvoiceFact(eventId, created, livemode, invoiceId, subscriptionId, customerId, status,
                    billingReason, amountPaid, amountDue, currency, attemptCount, periodStart, periodEnd, paidAt,
                    productId, priceId, chargeId, paymentIntentId, total, tax, offerCode, countryCode,
                    nextPaymentAttempt, paymentFee, paymentFeeBase, discountId);
        }

        /** The invoice with the offer code read from its discount ({@code discountId}: events name only its id). */
        public InvoiceFact withOfferCode(String code) {
            return new InvoiceFact(eventId, created, livemode, invoiceId, subscriptionId, customerId, status,
                    billingReason, amountPaid, amountDue, currency, attemptCount, periodStart, periodEnd, paidAt,
                    productId, priceId, chargeId, paymentIntentId, total, tax, code, countryCode, nextPaymentAttempt,
                    fee, feeBase, discountId);
        }
    }

    /**
     * A charge after a refund. {@code invoiceId} is only in pre-basil events ({@code charge.invoice}); the caller may
     * fill it in from the Stripe API with {@link #withInvoiceId(String)}.
     */
    record RefundFact(
            String eventId,
            long created,
            boolean livemode,
            String chargeId,
            String paymentIntentId,
            String invoiceId,
            long amount,
            long amountRefunded,
            String currency,
            boolean fullyRefunded) implements StripeFact {
        public RefundFact withInvoiceId(String resolvedInvoiceId) {
            return new RefundFact(eventId, created, livemode, chargeId, paymentIntentId, resolvedInvoiceId, amount,
                    amountRefunded, currency, fullyRefunded);
        }
    }

    /**
     * A completed Checkout Session. Events do not include line items, so {@code productId} and {@code priceId} are
     * null until the caller reads them from the Stripe API and calls {@link #withLineItem}.
     */
    record CheckoutFact(
            String eventId,
            long created,
            boolean livemode,
            String sessionId,
            String mode,
            String customerId,
            String subscriptionId,
            String paymentIntentId,
            String paymentStatus,
            Long amountTotal,
            String currency,
            Map<String, String> metadata,
            String clientReferenceId,
            String productId,
            String priceId,
            Long amountTax,
            String offerCode,
            String countryCode,
            Long fee,
            Long feeBase,
            String promotionCodeId) implements StripeFact {
        public CheckoutFact {
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        }

        public CheckoutFact withLineItem(String lineProductId, String linePriceId, Long lineAmountTotal,
                String lineCurrency) {
            return new CheckoutFact(eventId, created, livemode, sessionId, mode, customerId, subscriptionId,
                    paymentIntentId, paymentStatus, lineAmountTotal, lineCurrency, metadata, clientReferenceId,
                    lineProductId, linePriceId, amountTax, offerCode, countryCode, fee, feeBase, promotionCodeId);
        }

        /** The session with Stripe's fee on its payment, as {@link InvoiceFact#withFee}. */
        public CheckoutFact withFee(long paymentFee, long paymentFeeBase) {
            return new CheckoutFact(eventId, created, livemode, sessionId, mode, customerId, subscriptionId,
                    paymentIntentId, paymentStatus, amountTotal, currency, metadata, clientReferenceId, productId,
                    priceId, amountTax, offerCode, countryCode, paymentFee, paymentFeeBase, promotionCodeId);
        }

        /** The session with the code of its promotion code ({@code promotionCodeId}: events name only its id). */
        public CheckoutFact withOfferCode(String code) {
            return new CheckoutFact(eventId, created, livemode, sessionId, mode, customerId, subscriptionId,
                    paymentIntentId, paymentStatus, amountTotal, currency, metadata, clientReferenceId, productId,
                    priceId, amountTax, code, countryCode, fee, feeBase, promotionCodeId);
        }

        /** Whether the money was collected (or none was due), so the purchase may be granted. */
        public boolean paid() {
            return "paid".equals(paymentStatus) || "no_payment_required".equals(paymentStatus);
        }
    }
}
