package io.substate.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;

/**
 * The one Jackson mapper of the server. Thread-safe. Blackbird replaces Jackson's reflective calls of record accessors
 * and constructors with generated lambdas: every webhook writes and reads a whole purchase state, so this is on the
 * hot path (BENCHMARKS.md).
 */
public final class Json {
    /** Longest number, in digits, a client may send (README, "Errors"): longer ones cost quadratic time to parse. */
    public static final int MAX_NUMBER_DIGITS = 1000;
    /** Deepest nesting of arrays and objects a client may send: deeper trees exhaust the stack of whoever walks them. */
    public static final int MAX_NESTING_DEPTH = 1000;

    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNumberLength(MAX_NUMBER_DIGITS)
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .build())
                    .build())
            .addModule(new BlackbirdModule())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("value is not serializable to JSON", e);
        }
    }

    /**
     * Parses untrusted JSON text; a syntax error, a number or nesting beyond the limits, or a NUL character in a
     * string or field name becomes {@link ErrorCode#INVALID_JSON}. NUL is valid JSON, but PostgreSQL refuses it in
     * text and no name, id or attribute needs it, so clients are told instead of the database failing later.
     */
    public static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "The request body is empty; send a JSON object");
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "The request body is not valid JSON: " + problem(e));
        }
        String nulAt = nulPath(tree, "");
        if (nulAt != null) {
            throw new ApiException(ErrorCode.INVALID_JSON, "The request body holds a NUL character (\\u0000) in "
                    + (nulAt.isEmpty() ? "the top-level object" : "'" + nulAt + "'") + "; NUL is not accepted in any string or field name");
        }
        return tree;
    }

    /**
     * What is wrong with unparseable JSON, and where, in words safe to show the client: never the text itself, and
     * never a failure of its own (a limit exceeded has no location).
     */
    public static String problem(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            return "it exceeds a limit (numbers of at most " + MAX_NUMBER_DIGITS + " digits, at most "
                    + MAX_NESTING_DEPTH + " levels of nesting)";
        }
        String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
        if (message.length() > 200) {
            message = message.substring(0, 200) + "…";
        }
        JsonLocation at = e.getLocation();
        return at == null ? message : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /**
     * The tree with every NUL character in its strings and field names replaced by U+FFFD, for JSON that must be
     * accepted as sent (Stripe's events and objects): PostgreSQL refuses NUL in text, and U+FFFD is Unicode's mark
     * for a character that could not be kept. {@code rawText} is the JSON the tree was read from: without the
     * escape {@code \\u0000} in it (every real payload) the tree is returned as is, without walking it.
     */
    public static JsonNode withoutNul(JsonNode tree, String rawText) {
        return rawText.contains("\\u0000") ? replaceNul(tree) : tree;
    }

    private static JsonNode replaceNul(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\u0000') >= 0
                    ? TextNode.valueOf(node.textValue().replace('\u0000', '\uFFFD')) : node;
        }
        if (node.isObject()) {
            ObjectNode copy = MAPPER.createObjectNode();
            node.fields().forEachRemaining(f -> copy.set(f.getKey().replace('\u0000', '\uFFFD'), replaceNul(f.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = MAPPER.createArrayNode();
            node.forEach(item -> copy.add(replaceNul(item)));
            return copy;
        }
        return node;
    }

    /** True when a string or field name anywhere in the tree holds a NUL character. */
    public static boolean hasNul(JsonNode tree) {
        return nulPath(tree, "") != null;
    }

    /** The dotted path of the first string or field name holding NUL ("" at the top), or null when none does. */
    private static String nulPath(JsonNode node, String path) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\u0000') >= 0 ? path : null;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                if (name.indexOf('\u0000') >= 0) {
                    return path;
                }
                String found = nulPath(field.getValue(), path.isEmpty() ? name : path + "." + name);
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = nulPath(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Reads trusted JSON we wrote ourselves (stored state, fixtures). */
    public static JsonNode read(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is corrupt", e);
        }
    }
}
