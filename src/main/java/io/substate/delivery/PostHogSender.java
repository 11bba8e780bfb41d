package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.util.Map;

/**
 * PostHog's capture API ({@code POST {host}/i/v0/e/}, cloud or self-hosted): the project API key in the body, the App
 * User ID as {@code distinct_id}, the delivery's UUID as {@code uuid}, on which PostHog deduplicates retries, and the
 * subscriber attributes as person properties ({@code properties.$set}).
 */
final class PostHogSender implements EventSender {
    @Override
    public Request request(DeliveryStore.Claimed delivery, ObjectNode event, long nowMillis) {
        ServiceEvent mapped = ServiceEvent.of(delivery, event);
        ObjectNode body = Json.object();
        body.put("api_key", delivery.integration().setting("api_key"));
        body.put("event", mapped.name());
        body.put("distinct_id", mapped.userId());
        ObjectNode properties = mapped.properties();
        ObjectNode person = ServiceEvent.userProperties(event, ServiceEvent.RESERVED);
        if (!person.isEmpty()) {
            properties.set("$set", person);
        }
        body.set("properties", properties);
        body.put("timestamp", mapped.isoTime());
        body.put("uuid", mapped.dedupId());
        return new Request(delivery.integration().setting("host") + "/i/v0/e/",
                Map.of("Content-Type", "application/json", "User-Agent", "Substate-Integrations/1.0"),
                Json.write(body));
    }
}
