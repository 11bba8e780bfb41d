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
        StripeEventStatus status,
        String errorCode,
        String errorMessage,
        String purchaseToken,
        String purchaseId,
        long duplicateDeliveries,
        String payload) {

    /** Whether retention emptied the payload (README, "Retention"): the row outlives the body. */
    public boolean payloadPruned() {
        return payload.isEmpty();
    }
}
