package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Turns one delivery of an outgoing event into the HTTP request its integration's kind expects; the worker POSTs it,
 * logs the attempt and settles the delivery with the same retries for every kind.
 */
interface EventSender {
    /** The request to POST: where, with which headers, which body. */
    record Request(String url, Map<String, String> headers, String body) {}

    /**
     * The request for {@code event} (RevenueCat's event object, with {@code subscriber_attributes}); the delivery's id
     * is the same on every attempt, so services that dedupe on an id see a retry as the same event.
     */
    Request request(DeliveryStore.Claimed delivery, ObjectNode event, long nowMillis);

    /** The attempt's outcome as the service means it; by default, as HTTP says. */
    default HttpPoster.Result judge(HttpPoster.Result result) {
        return result;
    }

    /**
     * Whether a failed attempt may succeed later (then it is retried on the schedule) or never will. For the services:
     * no answer, a timeout (408), a rate limit (429) or a server error may pass later; any other 4xx never will.
     */
    default boolean retryable(HttpPoster.Result result) {
        Integer status = result.statusCode();
        return status == null || status == 408 || status == 429 || status >= 500;
    }

    /** The sender of each kind. */
    static EventSender of(IntegrationKind kind) {
        return switch (kind) {
            case WEBHOOK -> new WebhookSender();
            case SLACK -> new SlackSender();
            case POSTHOG -> new PostHogSender();
            case SEGMENT -> new SegmentSender();
            case AMPLITUDE -> new AmplitudeSender();
            case MIXPANEL -> new MixpanelSender();
        };
    }
}
