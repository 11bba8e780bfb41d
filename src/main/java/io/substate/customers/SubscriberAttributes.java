package io.substate.customers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.customers.CustomerStore.StoredAttribute;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * Customer attributes with RevenueCat's rules: an update wins only with a newer {@code updated_at_ms}; a null or
 * empty value deletes; {@code $}-keys are RevenueCat's reserved names only; device identifiers and attribution keys
 * are fixed once set; at most 50 custom keys, keys ≤ 40 characters, values ≤ 500.
 *
 * <p>As RevenueCat does, valid keys are saved even when others in the same request are refused; the refused ones are
 * reported as {@code attribute_errors} (code 7263), so SDKs can tell which keys to stop retrying.
 */
public final class SubscriberAttributes {
    static final int MAX_CUSTOM = 50;
    static final int MAX_KEY_LENGTH = 40;
    static final int MAX_VALUE_LENGTH = 500;

    private static final Pattern CUSTOM_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Set<String> RESERVED = Set.of("$displayName", "$email", "$phoneNumber", "$apnsTokens",
            "$fcmTokens", "$attConsentStatus", "$idfa", "$idfv", "$gpsAdId", "$androidId", "$amazonAdId", "$ip",
            "$deviceVersion", "$adjustId", "$amplitudeDeviceId", "$amplitudeUserId", "$appsflyerId",
            "$appsflyerSharingFilter", "$branchId", "$brazeAliasName", "$brazeAliasLabel", "$clevertapId", "$fbAnonId",
            "$mparticleId", "$onesignalId", "$airshipChannelId", "$iterableUserId", "$iterableCampaignId",
            "$iterableTemplateId", "$firebaseAppInstanceId", "$mixpanelDistinctId", "$kochavaDeviceId", "$tenjinId",
            "$posthogUserId", "$customerioId", "$appleRefundHandlingPreference", "$mediaSource", "$campaign",
            "$adGroup", "$ad", "$keyword", "$creative");
    /** Device identifiers and attribution: once set, they describe how the customer arrived and never change. */
    private static final Set<String> IMMUTABLE = Set.of("$idfa", "$idfv", "$gpsAdId", "$ip", "$mediaSource",
            "$campaign", "$adGroup", "$ad", "$keyword", "$creative");

    private SubscriberAttributes() {}

    /**
     * The customer's attributes in RevenueCat's {@code {name: {value, updated_at_ms}}} shape, by name: what the
     * subscriber object, outgoing events ("as of sending") and the customer's profile show.
     */
    public static ObjectNode json(Handle h, String customerId) {
        return json(CustomerStore.attributes(h, customerId));
    }

    /** {@link #json(Handle, String)} for many customers in one read; a customer without attributes maps to {}. */
    public static java.util.Map<String, ObjectNode> json(Handle h, java.util.Collection<String> customerIds) {
        java.util.Map<String, SortedMap<String, StoredAttribute>> stored = CustomerStore.attributes(h, customerIds);
        java.util.Map<String, ObjectNode> result = new java.util.HashMap<>();
        for (String id : customerIds) {
            result.put(id, json(stored.getOrDefault(id, new java.util.TreeMap<>())));
        }
        return result;
    }

    /** Attributes as read by {@link CustomerStore#attributes}, in that shape. */
    static ObjectNode json(SortedMap<String, StoredAttribute> stored) {
        ObjectNode attributes = Json.object();
        stored.forEach((name, one) -> {
            ObjectNode attribute = attributes.putObject(name);
            attribute.put("value", one.value());
            attribute.put("updated_at_ms", one.updatedAtMs());
        });
        return attributes;
    }

    /** One requested change; {@code value} null means delete. */
    public record Change(String key, String value, long updatedAtMs) {}

    /** A refused key, as RevenueCat reports it. */
    public record AttributeError(String key_name, String message) {}

    /**
     * The changes of an {@code attributes} object ({@code {key: {value, updated_at_ms}}}); a malformed structure is
     * refused whole with code 7264. Missing {@code updated_at_ms} means now.
     */
    public static List<Change> parse(JsonNode attributes, long now) {
        if (attributes == null || !attributes.isObject()) {
            throw bodyError("'attributes' must be an object of {\"<key>\": {\"value\": \"…\", \"updated_at_ms\": …}}");
        }
        List<Change> changes = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = attributes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode item = entry.getValue();
            if (!item.isObject()) {
                throw bodyError("attributes." + entry.getKey() + " must be an object with 'value' and 'updated_at_ms'");
            }
            JsonNode value = item.get("value");
            if (value != null && !value.isNull() && !value.isTextual()) {
                throw bodyError("attributes." + entry.getKey() + ".value must be a string or null");
            }
            JsonNode at = item.get("updated_at_ms");
            if (at != null && !at.isNull() && !at.canConvertToLong()) {
                throw bodyError("attributes." + entry.getKey() + ".updated_at_ms must be epoch milliseconds");
            }
            String text = value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
            changes.add(new Change(entry.getKey(), text, at == null || at.isNull() ? now : at.asLong()));
        }
        return changes;
    }

    /** Applies the valid changes; returns the refused ones (empty when all were accepted). */
    public static List<AttributeError> apply(Handle h, String customerId, List<Change> changes) {
        SortedMap<String, StoredAttribute> current = CustomerStore.attributes(h, customerId);
        long customCount = current.keySet().stream().filter(k -> !k.startsWith("$")).count();
        Map<String, AttributeError> errors = new LinkedHashMap<>();
        for (Change change : changes) {
            String problem = problem(change, current.get(change.key()));
            if (problem != null) {
                errors.put(change.key(), new AttributeError(change.key(), problem));
                continue;
            }
            StoredAttribute stored = current.get(change.key());
            if (stored != null && stored.updatedAtMs() >= change.updatedAtMs()) {
                continue; // an older or equal write: the stored one is newer, as RevenueCat resolves conflicts
            }
            boolean custom = !change.key().startsWith("$");
            if (change.value() == null) {
                if (stored != null) {
                    CustomerStore.deleteAttribute(h, customerId, change.key());
                    current.remove(change.key());
                    customCount -= custom ? 1 : 0;
                }
                continue;
            }
            if (stored == null && custom && customCount >= MAX_CUSTOM) {
                errors.put(change.key(), new AttributeError(change.key(),
                        "Too many custom attributes: a customer can have at most " + MAX_CUSTOM + "."));
                continue;
            }
            CustomerStore.putAttribute(h, customerId, change.key(), change.value(), change.updatedAtMs());
            current.put(change.key(), new StoredAttribute(change.value(), change.updatedAtMs()));
            customCount += stored == null && custom ? 1 : 0;
        }
        return List.copyOf(errors.values());
    }

    /** The 7263 error for refused keys. */
    public static ApiException refused(List<AttributeError> errors) {
        return new ApiException(ErrorCode.INVALID_SUBSCRIBER_ATTRIBUTES,
                "Some customer attribute keys were unable to be saved.", Map.of("attribute_errors", errors));
    }

    private static String problem(Change change, StoredAttribute stored) {
        String key = change.key();
        if (key.startsWith("$")) {
            if (!RESERVED.contains(key)) {
                return "Key name is reserved: '$' starts only RevenueCat's reserved attribute names.";
            }
            if (IMMUTABLE.contains(key) && stored != null && !stored.value().equals(change.value())) {
                return "Value can't be changed once set.";
            }
            if (key.equals("$email") && change.value() != null && !EMAIL.matcher(change.value()).matches()) {
                return "Value is not a valid email address.";
            }
        } else {
            if (key.length() > MAX_KEY_LENGTH) {
                return "Key name is too long (at most " + MAX_KEY_LENGTH + " characters).";
            }
            if (!CUSTOM_KEY.matcher(key).matches()) {
                return "Key name format is not valid: start with a letter; use only letters, digits, '-' and '_'.";
            }
        }
        if (change.value() != null && change.value().length() > MAX_VALUE_LENGTH) {
            return "Value is too long (at most " + MAX_VALUE_LENGTH + " characters).";
        }
        return null;
    }

    private static ApiException bodyError(String message) {
        return new ApiException(ErrorCode.INVALID_SUBSCRIBER_ATTRIBUTES_BODY, message);
    }
}
