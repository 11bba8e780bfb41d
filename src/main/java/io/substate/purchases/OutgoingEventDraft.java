package io.substate.purchases;

/**
 * A RevenueCat-format event the state machine asks to send; the caller adds ids, the customer and delivery.
 * Times are epoch milliseconds except {@code causedAtSeconds} (the Stripe event's {@code created}). {@code priceMinor}
 * is signed (negative for refunds, 0 for trials), the current period's price on events that move no money of their
 * own, and null when unknown.
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
        long causedAtSeconds) {}
