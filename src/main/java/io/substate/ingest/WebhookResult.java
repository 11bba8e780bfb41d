package io.substate.ingest;

import io.substate.common.ErrorCode;

/**
 * What became of one Stripe event: {@code processed}, {@code stale} and {@code duplicate} are answered 200; parked
 * and failed events carry the error Stripe is answered with (so it retries, and the event log says why).
 */
public record WebhookResult(String eventId, String outcome, ErrorCode error, String message, String purchaseId) {
    public static final String DUPLICATE = "duplicate";

    public boolean accepted() {
        return error == null;
    }

    static WebhookResult ok(String eventId, String outcome, String purchaseId) {
        return new WebhookResult(eventId, outcome, null, null, purchaseId);
    }

    static WebhookResult rejected(String eventId, String outcome, ErrorCode error, String message) {
        return new WebhookResult(eventId, outcome, error, message, null);
    }
}
