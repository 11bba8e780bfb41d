package io.substate.purchases;

/**
 * A RevenueCat-format event the state machine asks to send; the caller adds ids, the customer and delivery.
 * Times are epoch milliseconds except {@code causedAtSeconds} (the Stripe event's {@code created}). {@code priceMinor}
 * is signed (negative for refunds, 0 for trials), the current period's price on events that move no money of their
 * own, and null when unknown. {@code details} are the fields read from the invoice, checkout and Stripe's fee
 * ({@link EventDetails}); null renders them all as null.
 */
public record OutgoingEventDraft(
        String type,
        String productId,
        String newProductId,
        String periodType,
        Long purchasedAtMs,
        Long expirationAtMs,
        Long priceMinor,
        String currency,
        Boolean isTrialConversion,
        String cancelReason,
        String expirationReason,
        String transactionId,
        String originalTransactionId,
        Integer renewalNumber,
        long causedAtSeconds,
        EventDetails details) {

    /** A draft without details (the state machine adds them to a purchase's events, see {@link EventDetails}). */
    public OutgoingEventDraft(String type, String productId, String newProductId, String periodType,
            Long purchasedAtMs, Long expirationAtMs, Long priceMinor, String currency, Boolean isTrialConversion,
            String cancelReason, String expirationReason, String transactionId, String originalTransactionId,
            Integer renewalNumber, long causedAtSeconds) {
        this(type, productId, newProductId, periodType, purchasedAtMs, expirationAtMs, priceMinor, currency,
                isTrialConversion, cancelReason, expirationReason, transactionId, originalTransactionId, renewalNumber,
                causedAtSeconds, null);
    }

    OutgoingEventDraft withDetails(EventDetails newDetails) {
        return new OutgoingEventDraft(type, productId, newProductId, periodType, purchasedAtMs, expirationAtMs,
                priceMinor, currency, isTrialConversion, cancelReason, expirationReason, transactionId,
                originalTransactionId, renewalNumber, causedAtSeconds, newDetails);
    }
}
