package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * An outgoing event as the analytics services get it, mapped the way RevenueCat's own integrations do: an event name
 * ({@code rc_initial_purchase_event}…, trials and refunds told apart by period type and cancel reason), the App User
 * ID as the user, the purchase's fields as properties, the event's time, and an id for deduplication that is the
 * same on every attempt of the delivery. An integration may rename events ({@code event_names}: the event's key, as in
 * {@code rc_<key>_event}, to its name), and the customer's subscriber attributes as of sending become user properties
 * ({@link #userProperties}).
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

    /** The keys an integration's {@code event_names} may rename: each default name is {@code rc_<key>_event}. */
    static final List<String> NAME_KEYS = List.of("initial_purchase", "trial_started", "trial_converted",
            "trial_cancelled", "renewal", "cancellation", "refund", "uncancellation", "non_renewing_purchase",
            "billing_issue", "product_change", "expiration", "subscription_paused", "subscription_extended",
            "transfer", "test");

    /** RevenueCat's reserved attributes with a standard user property: email, name, phone. */
    static final Map<String, String> RESERVED = Map.of("$email", "email", "$displayName", "name",
            "$phoneNumber", "phone");

    /** Mixpanel's own reserved profile properties for them. */
    static final Map<String, String> MIXPANEL_RESERVED = Map.of("$email", "$email", "$displayName", "$name",
            "$phoneNumber", "$phone");

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
        String key = key(event);
        String name = eventNames(delivery.integration().settings().get("event_names"))
                .getOrDefault(key, "rc_" + key + "_event");
        return new ServiceEvent(name, event.path("app_user_id").asText(), properties, time,
                dedupId(delivery.id()), hasRevenue ? price.asDouble() : 0, hasRevenue);
    }

    /** RevenueCat's default event name for the integrations ({@code rc_<type>_event}, with its trial and refund names). */
    static String name(JsonNode event) {
        return "rc_" + key(event) + "_event";
    }

    /** The event's key among {@link #NAME_KEYS}: its type, with trials and refunds told apart. */
    static String key(JsonNode event) {
        String type = event.path("type").asText().toLowerCase(Locale.ROOT);
        boolean trial = "TRIAL".equals(event.path("period_type").asText());
        return switch (type) {
            case "initial_purchase" -> trial ? "trial_started" : "initial_purchase";
            case "renewal" -> event.path("is_trial_conversion").asBoolean(false) ? "trial_converted" : "renewal";
            case "cancellation" -> "CUSTOMER_SUPPORT".equals(event.path("cancel_reason").asText())
                    ? "refund" : trial ? "trial_cancelled" : "cancellation";
            default -> type;
        };
    }

    /** An integration's stored {@code event_names} (a JSON object of key to name), or none. */
    static Map<String, String> eventNames(String stored) {
        Map<String, String> names = new LinkedHashMap<>();
        if (stored != null) {
            Json.read(stored).fields().forEachRemaining(e -> names.put(e.getKey(), e.getValue().asText()));
        }
        return names;
    }

    /**
     * The customer's subscriber attributes as of sending ({@code subscriber_attributes}: name to {@code {value,
     * updated_at_ms}}) as user properties, name to value: the reserved email, display name and phone number under the
     * service's names ({@code reserved}), other reserved attributes without their {@code $}, custom ones as named.
     */
    static ObjectNode userProperties(JsonNode event, Map<String, String> reserved) {
        ObjectNode properties = Json.object();
        event.path("subscriber_attributes").fields().forEachRemaining(e -> {
            JsonNode value = e.getValue().get("value");
            if (value == null || value.isNull()) {
                return;
            }
            String name = e.getKey();
            properties.put(reserved.getOrDefault(name, name.startsWith("$") ? name.substring(1) : name),
                    value.asText());
        });
        return properties;
    }

    /** A UUID made from the delivery id: stable across retries, and in the form services that want a UUID accept. */
    static String dedupId(String deliveryId) {
        return UUID.nameUUIDFromBytes(deliveryId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    String isoTime() {
        return Instant.ofEpochMilli(timeMillis).toString();
    }
}
