package io.substate.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON object received from a client, read field by field. Every type mismatch becomes a 400
 * {@code invalid_parameter} naming the field, so handlers never see a half-valid body.
 */
public final class JsonBody {
    private final ObjectNode node;
    private final String prefix;

    private JsonBody(ObjectNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    public static JsonBody parse(String text) {
        JsonNode parsed = Json.parse(text);
        if (!parsed.isObject()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "The request body must be a JSON object");
        }
        return new JsonBody((ObjectNode) parsed, "");
    }

    public static JsonBody of(ObjectNode node) {
        return new JsonBody(node, "");
    }

    /** Refuses fields outside {@code allowed}, catching typos such as {@code trak_new_purchases}. */
    public JsonBody allowOnly(String... allowed) {
        Set<String> names = Set.of(allowed);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!names.contains(name)) {
                throw ApiException.invalid("Unknown field '" + prefix + name + "'; allowed fields: "
                        + String.join(", ", Arrays.stream(allowed).sorted().toList()));
            }
        }
        return this;
    }

    public boolean has(String name) {
        return node.has(name);
    }

    public boolean isNull(String name) {
        return node.has(name) && node.get(name).isNull();
    }

    public String requiredString(String name) {
        return optionalString(name).orElseThrow(() -> ApiException.invalid("Field '" + prefix + name + "' is required"));
    }

    /** A non-blank string, or empty when absent or null. */
    public Optional<String> optionalString(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw ApiException.invalid("Field '" + prefix + name + "' must be a string");
        }
        if (value.asText().isBlank()) {
            throw ApiException.invalid("Field '" + prefix + name + "' must not be empty");
        }
        if (value.asText().length() > 5000) {
            throw ApiException.invalid("Field '" + prefix + name + "' is longer than 5000 characters");
        }
        return Optional.of(value.asText());
    }

    public Optional<Boolean> optionalBoolean(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            throw ApiException.invalid("Field '" + prefix + name + "' must be true or false");
        }
        return Optional.of(value.booleanValue());
    }

    public Optional<Long> optionalLong(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw ApiException.invalid("Field '" + prefix + name + "' must be an integer");
        }
        return Optional.of(value.longValue());
    }

    /** One of {@code allowed}, or empty when absent or null. */
    public Optional<String> optionalEnum(String name, List<String> allowed) {
        Optional<String> value = optionalString(name);
        if (value.isPresent() && !allowed.contains(value.get())) {
            throw ApiException.invalid("Field '" + prefix + name + "' must be one of " + String.join(", ", allowed)
                    + " (got '" + value.get() + "')");
        }
        return value;
    }

    public Optional<List<String>> optionalStringList(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isArray()) {
            throw ApiException.invalid("Field '" + prefix + name + "' must be an array of strings");
        }
        List<String> items = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw ApiException.invalid("Field '" + prefix + name + "' must contain only non-empty strings");
            }
            items.add(item.asText());
        }
        return Optional.of(items);
    }

    public List<String> requiredStringList(String name) {
        return optionalStringList(name)
                .orElseThrow(() -> ApiException.invalid("Field '" + prefix + name + "' is required"));
    }

    /** A nested object, or empty when absent or null. */
    public Optional<JsonBody> optionalObject(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isObject()) {
            throw ApiException.invalid("Field '" + prefix + name + "' must be an object");
        }
        return Optional.of(new JsonBody((ObjectNode) value, prefix + name + "."));
    }

    public ObjectNode node() {
        return node;
    }
}
