package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Segment's HTTP Tracking API ({@code POST {base_url}/v1/track}): Basic auth with the write key as the user and no
 * password, the App User ID as {@code userId}, the delivery's UUID as {@code messageId}, Segment's dedup key, and the
 * subscriber attributes as {@code context.traits} (Segment's traits: {@code email}, {@code name}, {@code phone}…).
 */
final class SegmentSender implements EventSender {
    @Override
    public Request request(DeliveryStore.Claimed delivery, ObjectNode event, long nowMillis) {
        ServiceEvent mapped = ServiceEvent.of(delivery, event);
        ObjectNode body = Json.object();
        body.put("userId", mapped.userId());
        body.put("event", mapped.name());
        ObjectNode properties = mapped.properties();
        if (mapped.hasRevenue()) {
            properties.put("revenue", mapped.revenue());
        }
        body.set("properties", properties);
        body.put("timestamp", mapped.isoTime());
        body.put("messageId", mapped.dedupId());
        ObjectNode context = body.putObject("context");
        context.putObject("library").put("name", "substate");
        ObjectNode traits = ServiceEvent.userProperties(event, ServiceEvent.RESERVED);
        if (!traits.isEmpty()) {
            context.set("traits", traits);
        }
        String auth = Base64.getEncoder().encodeToString((delivery.integration().setting("write_key") + ":")
                .getBytes(StandardCharsets.UTF_8));
        return new Request(delivery.integration().setting("base_url") + "/v1/track",
                Map.of("Content-Type", "application/json", "Authorization", "Basic " + auth,
                        "User-Agent", "Substate-Integrations/1.0"),
                Json.write(body));
    }
}
