package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.util.Map;

/**
 * Amplitude's HTTP V2 API ({@code POST {base_url}/2/httpapi}, US or EU endpoint): the API key in the body, one event
 * with the App User ID as {@code user_id}, the time in milliseconds, the purchase as {@code event_properties}, revenue
 * fields when the event has a price, the delivery's UUID as {@code insert_id}, Amplitude's dedup key, and the
 * subscriber attributes as {@code user_properties}.
 */
final class AmplitudeSender implements EventSender {
    @Override
    public Request request(DeliveryStore.Claimed delivery, ObjectNode event, long nowMillis) {
        ServiceEvent mapped = ServiceEvent.of(delivery, event);
        ObjectNode body = Json.object();
        body.put("api_key", delivery.integration().setting("api_key"));
        ObjectNode one = body.putArray("events").addObject();
        one.put("user_id", mapped.userId());
        one.put("event_type", mapped.name());
        one.put("time", mapped.timeMillis());
        one.set("event_properties", mapped.properties());
        one.put("insert_id", mapped.dedupId());
        ObjectNode userProperties = ServiceEvent.userProperties(event, ServiceEvent.RESERVED);
        if (!userProperties.isEmpty()) {
            one.set("user_properties", userProperties);
        }
        if (mapped.hasRevenue()) {
            one.put("revenue", mapped.revenue());
            one.put("price", mapped.revenue());
            one.put("quantity", 1);
            one.put("productId", mapped.properties().path("product_id").asText());
            one.put("revenueType", mapped.name());
        }
        return new Request(delivery.integration().setting("base_url") + "/2/httpapi",
                Map.of("Content-Type", "application/json", "Accept", "*/*",
                        "User-Agent", "Substate-Integrations/1.0"),
                Json.write(body));
    }
}
