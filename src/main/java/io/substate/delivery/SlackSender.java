package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.util.Map;

/**
 * Slack's incoming webhook: a readable message per event ({@code {"text": …}}), POSTed to the webhook URL, which is
 * the credential. Slack answers 400, 403, 404 or 410 for a payload or URL that will never work.
 */
final class SlackSender implements EventSender {
    @Override
    public Request request(DeliveryStore.Claimed delivery, ObjectNode event, long nowMillis) {
        ObjectNode body = Json.object();
        body.put("text", text(event));
        return new Request(delivery.integration().setting("webhook_url"),
                Map.of("Content-Type", "application/json", "User-Agent", "Substate-Integrations/1.0"),
                Json.write(body));
    }

    static String text(JsonNode event) {
        String user = "`" + event.path("app_user_id").asText() + "`";
        String product = "`" + event.path("product_id").asText() + "`";
        String what = switch (event.path("type").asText()) {
            case "INITIAL_PURCHASE" -> "TRIAL".equals(event.path("period_type").asText())
                    ? user + " started a trial of " + product : user + " subscribed to " + product + price(event);
            case "RENEWAL" -> event.path("is_trial_conversion").asBoolean(false)
                    ? user + " converted from trial to " + product + price(event)
                    : user + " renewed " + product + price(event);
            case "NON_RENEWING_PURCHASE" -> user + " bought " + product + price(event);
            case "CANCELLATION" -> "CUSTOMER_SUPPORT".equals(event.path("cancel_reason").asText())
                    ? user + " was refunded for " + product + price(event)
                    : user + " cancelled " + product + reason(event, "cancel_reason");
            case "UNCANCELLATION" -> user + " turned renewal back on for " + product;
            case "BILLING_ISSUE" -> "Billing issue: " + user + " could not be charged for " + product;
            case "PRODUCT_CHANGE" -> user + " changed from " + product + " to `"
                    + event.path("new_product_id").asText() + "`";
            case "EXPIRATION" -> user + "'s " + product + " expired" + reason(event, "expiration_reason");
            case "SUBSCRIPTION_PAUSED" -> user + " paused " + product;
            case "SUBSCRIPTION_EXTENDED" -> user + "'s " + product + " was extended";
            case "TRANSFER" -> "Purchases were transferred to " + "`"
                    + event.path("transferred_to").path(0).asText() + "`";
            case "TEST" -> "Test event from Substate: this integration works";
            default -> event.path("type").asText() + " for " + user;
        };
        String environment = event.path("environment").asText();
        return what + ("SANDBOX".equals(environment) ? " (sandbox)" : "");
    }

    private static String price(JsonNode event) {
        JsonNode price = event.get("price_in_purchased_currency");
        if (price == null || !price.isNumber()) {
            price = event.get("price");
        }
        if (price == null || !price.isNumber() || event.path("currency").isNull()) {
            return "";
        }
        return " for " + String.format(java.util.Locale.ROOT, "%.2f", Math.abs(price.asDouble())) + " "
                + event.path("currency").asText();
    }

    private static String reason(JsonNode event, String field) {
        String reason = event.path(field).asText("");
        return reason.isEmpty() || "null".equals(reason) ? "" : " (" + reason.toLowerCase(java.util.Locale.ROOT)
                .replace('_', ' ') + ")";
    }
}
