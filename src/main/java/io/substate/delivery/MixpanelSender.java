package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mixpanel: the import API ({@code POST {base_url}/import?strict=1}, Basic auth with a service account, or the API
 * secret as the user) when a credential for it is set, else the track API ({@code POST {base_url}/track?verbose=1}
 * with the project token in each event; verbose, so that a dropped event is told in the body rather than as a bare
 * "0"). The body is a JSON array of one {@code {event, properties}} with {@code time} (ms), {@code distinct_id} (the
 * App User ID) and {@code $insert_id} (the delivery's UUID, Mixpanel's dedup key); the subscriber attributes are event
 * properties ({@code $email}, {@code $name}, {@code $phone} for the reserved ones); Mixpanel's and the event's own
 * fields win a clash.
 */
final class MixpanelSender implements EventSender {
    @Override
    public Request request(DeliveryStore.Claimed delivery, ObjectNode event, long nowMillis) {
        WebhookIntegration integration = delivery.integration();
        ServiceEvent mapped = ServiceEvent.of(delivery, event);
        ArrayNode body = JsonNodeFactory.instance.arrayNode();
        ObjectNode one = body.addObject();
        one.put("event", mapped.name());
        ObjectNode properties = one.putObject("properties");
        properties.setAll(ServiceEvent.userProperties(event, ServiceEvent.MIXPANEL_RESERVED));
        properties.put("time", mapped.timeMillis());
        properties.put("distinct_id", mapped.userId());
        properties.put("$insert_id", mapped.dedupId());
        if (integration.setting("project_token") != null) {
            properties.put("token", integration.setting("project_token"));
        }
        properties.setAll(mapped.properties());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json");
        headers.put("User-Agent", "Substate-Integrations/1.0");
        String base = integration.setting("base_url");
        String user = integration.setting("service_account_username");
        String secret = integration.setting("api_secret");
        String url;
        if (user != null) {
            headers.put("Authorization", basic(user + ":" + integration.setting("service_account_secret")));
            url = base + "/import?strict=1&project_id="
                    + URLEncoder.encode(integration.setting("project_id"), StandardCharsets.UTF_8);
        } else if (secret != null) {
            headers.put("Authorization", basic(secret + ":"));
            url = base + "/import?strict=1";
        } else {
            url = base + "/track?verbose=1";
        }
        return new Request(url, headers, Json.write(body));
    }

    /** The track API answers 200 even when it drops an event; its verbose body says so ({@code "status": 0}). */
    @Override
    public HttpPoster.Result judge(HttpPoster.Result result) {
        if (!result.succeeded() || result.responseExcerpt() == null || !result.responseExcerpt().startsWith("{")) {
            return result;
        }
        try {
            JsonNode answer = Json.read(result.responseExcerpt());
            if (answer.path("status").asInt(1) == 0) {
                return new HttpPoster.Result(result.statusCode(), result.latencyMillis(), result.responseExcerpt(),
                        "Mixpanel did not record the event: " + answer.path("error").asText("no reason given"));
            }
        } catch (RuntimeException e) {
            // Not JSON after all (an excerpt cut short): HTTP's answer stands.
        }
        return result;
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }
}
