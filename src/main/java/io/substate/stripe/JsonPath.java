package io.substate.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON node with the path it was reached by, so a wrongly typed field in a Stripe object is reported as
 * {@code data.object.items.data[0].price.unit_amount} instead of a bare Jackson error. Absent and null read as null.
 */
record JsonPath(JsonNode node, String path) {

    JsonPath field(String name) {
        JsonNode child = node == null || node.isNull() ? null : node.get(name);
        return new JsonPath(child, path + "." + name);
    }

    /** The first element of a Stripe list object ({@code {"data":[…]}}), or an absent node. */
    JsonPath firstOfList() {
        JsonPath data = field("data");
        if (data.absent()) {
            return new JsonPath(null, data.path + "[0]");
        }
        if (!data.node.isArray()) {
            throw wrongType(data, "an array");
        }
        return new JsonPath(data.node.isEmpty() ? null : data.node.get(0), data.path + "[0]");
    }

    /** Element {@code index} of a plain JSON array, or an absent node. */
    JsonPath element(int index) {
        String at = path + "[" + index + "]";
        if (absent()) {
            return new JsonPath(null, at);
        }
        if (!node.isArray()) {
            throw wrongType(this, "an array");
        }
        return new JsonPath(node.get(index), at);
    }

    boolean absent() {
        return node == null || node.isNull() || node.isMissingNode();
    }

    String text() {
        if (absent()) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(this, "a string");
        }
        return node.asText();
    }

    String requiredText() {
        String value = text();
        if (value == null || value.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_EVENT, path + " is missing; Stripe always sends it");
        }
        return value;
    }

    /** A Stripe reference: an id string, or an expanded object whose {@code id} is read. */
    String id() {
        if (!absent() && node.isObject()) {
            return field("id").text();
        }
        if (!absent() && !node.isTextual()) {
            throw wrongType(this, "an id string or an expanded object");
        }
        return text();
    }

    Long integer() {
        if (absent()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw wrongType(this, "an integer");
        }
        return node.asLong();
    }

    long integerOr(long fallback) {
        Long value = integer();
        return value == null ? fallback : value;
    }

    Boolean bool() {
        if (absent()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw wrongType(this, "true or false");
        }
        return node.asBoolean();
    }

    boolean boolOr(boolean fallback) {
        Boolean value = bool();
        return value == null ? fallback : value;
    }

    /** Stripe metadata: an object of string values. */
    Map<String, String> stringMap() {
        Map<String, String> values = new LinkedHashMap<>();
        if (absent()) {
            return values;
        }
        if (!node.isObject()) {
            throw wrongType(this, "an object of strings");
        }
        node.fieldNames().forEachRemaining(name -> {
            String value = field(name).text();
            if (value != null) {
                values.put(name, value);
            }
        });
        return values;
    }

    private static ApiException wrongType(JsonPath at, String expected) {
        String actual = at.node.isObject() ? "an object" : at.node.isArray() ? "an array" : abbreviate(at.node.toString());
        return new ApiException(ErrorCode.INVALID_EVENT, at.path + " is " + actual + ", expected " + expected);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
