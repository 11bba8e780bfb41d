package io.substate.stripe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import java.util.List;

/** Reads a Stripe event envelope from a verified webhook body, refusing anything that is not one. */
public final class StripeEvents {
    /** The event types an app's Stripe endpoint accepts, in the order the product page lists them. */
    public static final List<String> ACCEPTED_TYPES = List.of(
            "customer.subscription.updated",
            "customer.subscription.deleted",
            "charge.refunded",
            "invoice.updated",
            "customer.subscription.created",
            "checkout.session.completed");

    private StripeEvents() {}

    public static boolean isAccepted(String type) {
        return type != null && ACCEPTED_TYPES.contains(type);
    }

    /**
     * Parses and checks the envelope. Unknown fields are ignored (Stripe adds fields without notice).
     *
     * @throws ApiException {@link ErrorCode#INVALID_EVENT} naming what is wrong and where
     */
    public static StripeEvent parse(String payload) {
        JsonNode root = readTree(payload);
        if (!root.isObject()) {
            throw invalid("The body is JSON but not an object; a Stripe event is an object with \"object\": \"event\"");
        }
        JsonNode object = root.get("object");
        if (object == null || !object.isTextual() || !object.asText().equals("event")) {
            throw invalid("The body is not a Stripe event: \"object\" is " + describe(object) + ", expected \"event\"");
        }
        String id = requiredText(root, "id");
        if (!id.startsWith("evt_")) {
            throw invalid("\"id\" is \"" + id + "\" but Stripe event ids start with \"evt_\"");
        }
        String type = requiredText(root, "type");
        JsonNode created = root.get("created");
        if (created == null || !created.isIntegralNumber() || !created.canConvertToLong()) {
            throw invalid("\"created\" is " + describe(created) + ", expected the event's creation time in Unix seconds");
        }
        JsonNode livemode = root.get("livemode");
        if (livemode == null || !livemode.isBoolean()) {
            throw invalid("\"livemode\" is " + describe(livemode) + ", expected true or false");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw invalid("\"data\" is " + describe(data) + ", expected an object holding \"object\"");
        }
        JsonNode dataObject = data.get("object");
        if (dataObject == null || !dataObject.isObject()) {
            throw invalid("\"data.object\" is " + describe(dataObject) + ", expected the Stripe object of the event");
        }
        JsonNode previous = data.get("previous_attributes");
        return new StripeEvent(id, type, created.asLong(), livemode.asBoolean(), optionalText(root, "api_version"),
                optionalText(root, "account"), dataObject, previous == null || previous.isNull() ? null : previous);
    }

    private static JsonNode readTree(String payload) {
        if (payload == null || payload.isBlank()) {
            throw invalid("The body is empty; Stripe sends the event as a JSON object");
        }
        try {
            // The signature was checked on the raw bytes, which are stored as received (text: NUL stays escaped).
            JsonNode root = Json.withoutNul(Json.MAPPER.readTree(payload), payload);
            if (root == null || root.isMissingNode()) {
                throw invalid("The body holds no JSON value");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw invalid("The body is not valid JSON: " + Json.problem(e));
        }
    }

    private static String requiredText(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw invalid("\"" + field + "\" is " + describe(value) + ", expected a non-empty string");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid("\"" + field + "\" is " + describe(value) + ", expected a string or null");
        }
        return value.asText();
    }

    /** Names a JSON value for an error message without echoing large payloads. */
    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "missing";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isObject() || value.isArray()) {
            return "an " + (value.isObject() ? "object" : "array");
        }
        String text = value.toString();
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_EVENT, message);
    }
}
