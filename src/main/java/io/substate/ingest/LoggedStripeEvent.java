package io.substate.ingest;

/** One row of the Stripe event log: a verified event, raw, with its outcome. */
public record LoggedStripeEvent(
        String appId,
        String eventId,
        String type,
        long created,
        boolean livemode,
        String apiVersion,
        long receivedAt,
        Long processedAt,
        String status,
        String errorCode,
        String errorMessage,
        String purchaseToken,
        String purchaseId,
        long duplicateDeliveries,
        String payload) {

    public static final String PROCESSED = "processed";
    public static final String STALE = "stale";
    public static final String FAILED = "failed";
    public static final String PARKED = "parked";
}
