package io.substate.offerings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.JsonBody;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Checks of the admin API's fields shared by offerings, packages and placements (RevenueCat v2's limits). */
final class Fields {
    static final int MAX_LOOKUP_KEY = 200;
    static final int MAX_DISPLAY_NAME = 1500;
    /** Metadata is answered to every paywall load: kept small. */
    static final int MAX_METADATA_CHARS = 16_384;

    private Fields() {}

    /** A lookup key: what clients match on, so white space in it is always a mistake. */
    static String lookupKey(String key, String field) {
        if (key.length() > MAX_LOOKUP_KEY || key.chars().anyMatch(Character::isWhitespace)) {
            throw ApiException.invalid("Field '" + field + "' must be 1 to " + MAX_LOOKUP_KEY
                    + " characters without spaces (got '" + key + "')");
        }
        return key;
    }

    static String displayName(String name) {
        if (name.length() > MAX_DISPLAY_NAME) {
            throw ApiException.invalid("Field 'display_name' must be at most " + MAX_DISPLAY_NAME + " characters");
        }
        return name;
    }

    /** {@code metadata}: an object, or null (which clears it on update). */
    static ObjectNode metadata(JsonBody body) {
        JsonNode value = body.node().get("metadata");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw ApiException.invalid("Field 'metadata' must be a JSON object or null");
        }
        if (Json.write(value).length() > MAX_METADATA_CHARS) {
            throw ApiException.invalid("Field 'metadata' must be at most " + MAX_METADATA_CHARS
                    + " characters of JSON");
        }
        return (ObjectNode) value;
    }

    /** A position: a whole number of at least 1. */
    static Integer position(long value) {
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw ApiException.invalid("Field 'position' must be a whole number of at least 1 (got " + value + ")");
        }
        return (int) value;
    }

    /** The values of {@code expand} (also written {@code expand[]}), each one of {@code allowed}. */
    static Set<String> expand(Context ctx, String... allowed) {
        List<String> values = new ArrayList<>(ctx.queryParams("expand"));
        values.addAll(ctx.queryParams("expand[]"));
        Set<String> known = Set.of(allowed);
        for (String value : values) {
            if (!known.contains(value)) {
                throw ApiException.invalid("Query parameter 'expand' must be one of " + String.join(", ", allowed)
                        + " (got '" + value + "')");
            }
        }
        return Set.copyOf(values);
    }
}
