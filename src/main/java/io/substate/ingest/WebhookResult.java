package io.substate.ingest;

import io.substate.common.ApiException;
import io.substate.common.ErrorCode;

/**
 * What became of one Stripe event, the one channel of the webhook path: {@code processed}, {@code stale} and
 * {@code duplicate} are answered 200; every other result carries the error Stripe is answered with (so that it
 * retries, and the event log says why). The route maps it to HTTP once.
 */
public record WebhookResult(String eventId, WebhookOutcome outcome, ErrorCode error, String message,
        String purchaseId) {

    public boolean accepted() {
        return error == null;
    }

    static WebhookResult ok(String eventId, StripeEventStatus status, String purchaseId) {
        return new WebhookResult(eventId, WebhookOutcome.of(status), null, null, purchaseId);
    }

    static WebhookResult duplicate(String eventId, String purchaseId) {
        return new WebhookResult(eventId, WebhookOutcome.DUPLICATE, null, null, purchaseId);
    }

    static WebhookResult rejected(String eventId, StripeEventStatus status, ErrorCode error, String message) {
        return new WebhookResult(eventId, WebhookOutcome.of(status), error, message, null);
    }

    /** Refused before or without a log row: the app, the signature or the body is wrong. */
    static WebhookResult refused(String eventId, ApiException e) {
        return new WebhookResult(eventId, WebhookOutcome.FAILED, e.errorCode(), e.getMessage(), null);
    }
}
