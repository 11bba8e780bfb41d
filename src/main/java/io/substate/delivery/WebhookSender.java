package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A webhook: RevenueCat's envelope ({@code api_version}, {@code event}), signed the Standard Webhooks way, with the
 * team's {@code Authorization} header. Every failure is retried, as RevenueCat retries any non-200 answer.
 */
final class WebhookSender implements EventSender {
    @Override
    public Request request(DeliveryStore.Claimed delivery, ObjectNode event, long nowMillis) {
        ObjectNode envelope = Json.object();
        envelope.put("api_version", "1.0");
        envelope.set("event", event);
        String body = Json.write(envelope);
        long timestamp = nowMillis / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Substate-Webhooks/1.0");
        // Standard Webhooks: the message id is the event id, identical on every retry, so receivers can dedupe on it.
        headers.put("webhook-id", delivery.eventId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", WebhookSigner.signatureHeader(
                delivery.integration().signingSecrets(nowMillis), delivery.eventId(), timestamp, body));
        if (delivery.integration().authorizationHeader() != null) {
            headers.put("Authorization", delivery.integration().authorizationHeader());
        }
        return new Request(delivery.integration().url(), headers, body);
    }

    @Override
    public boolean retryable(HttpPoster.Result result) {
        return true;
    }
}
