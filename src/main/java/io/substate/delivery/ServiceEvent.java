package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * An outgoing event as the analytics services get it, mapped the way RevenueCat's own integrations do: an event name
 * ({@code rc_initial_purchase_event}…, trials and refunds told apart by period type and cancel reason), the App User
 * ID as the user, the purchase's fields as properties, the event's time, and an id for deduplication that is the
 * same on every attempt of the delivery.
 */
record ServiceEvent(String name, String userId, ObjectNode properties, long timeMillis, String dedupId,
        double revenue, boolean hasRevenue) {

    /** RevenueCat's event fields that become properties, when the event has them (not null). */
    static final List<String> PROPERTIES = List.of("type", "app_id", "product_id", "new_product_id",
            "entitlement_ids", "period_type", "purchased_at_ms", "expiration_at_ms", "grace_period_expiration_at_ms",
            "store", "environment", "price", "currency", "price_in_purchased_currency", "tax_percentage",
            "commission_percentage", "takehome_percentage", "transaction_id", "original_transaction_id",
            "original_app_user_id", "presented_offering_id", "offer_code", "country_code", "cancel_reason",
            "expiration_reason", "is_trial_conversion", "renewal_number", "is_family_share");

    static ServiceEvent of(DeliveryStore.Claimed delivery, ObjectNode event) {
        ObjectNode properties = Json.object();
        for (String field : PROPERTIES) {
            JsonNode value = event.get(field);
            if (value != null && !value.isNull()) {
                properties.set(field, value);
            }
        }
        properties.put("event_id", event.path("id").asText());
        JsonNode price = event.get("price");
        boolean hasRevenue = price != null && price.isNumber();
        long time = event.path("event_timestamp_ms").asLong(0);
        return new ServiceEvent(name(event), event.path("app_user_id").asText(), properties, time,
                dedupId(delivery.id()), hasRevenue ? price.asDouble() : 0, hasRevenue);
    }

    /** RevenueCat's default event name for the integrations ({@code rc_<type>_event}, with its trial and refund names). */
    static String name(JsonNode event) {
        String type = event.path("type").asText().toLowerCase(Locale.ROOT);
        boolean trial = "TRIAL".equals(event.path("period_type").asText());
        return switch (type) {
            case "initial_purchase" -> trial ? "rc_trial_started_event" : "rc_initial_purchase_event";
            case "renewal" -> event.path("is_trial_conversion").asBoolean(false) ? "rc_trial_converted_event"
                    : "rc_renewal_event";
            case "cancellation" -> "CUSTOMER_SUPPORT".equals(event.path("cancel_reason").asText())
                    ? "rc_refund_event" : trial ? "rc_trial_cancelled_event" : "rc_cancellation_event";
            case "subscription_paused" -> "rc_subscription_paused_event";
            default -> "rc_" + type + "_event";
        };
    }

    /** A UUID made from the delivery id: stable across retries, and in the form services that want a UUID accept. */
    static String dedupId(String deliveryId) {
        return UUID.nameUUIDFromBytes(deliveryId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    String isoTime() {
        return Instant.ofEpochMilli(timeMillis).toString();
    }
}
