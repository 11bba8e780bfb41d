package io.substate.stripe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.substate.common.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the items of a Stripe list body ({@code {"object":"list","data":[…]}}) out of the text without re-serializing
 * them, so an event is stored byte for byte as Stripe rendered it.
 */
final class RawListItems {
    private RawListItems() {}

    /** The items of a list (of events: each has an id, and one without is refused like a page cut wrongly). */
    static List<String> of(String listBody) {
        return page(listBody).rawObjects();
    }

    /**
     * A list page: its items cut out of the text, each item's {@code id}, and {@code has_more}; an item without an id
     * is refused, as a page cut wrongly would be.
     */
    static ObjectPage page(String listBody) {
        List<String> items = null;
        List<String> ids = new ArrayList<>();
        boolean hasMore = false;
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(listBody)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a Stripe list is a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("data".equals(field) && value == JsonToken.START_ARRAY) {
                    items = itemsWithIds(parser, listBody, ids);
                } else if ("has_more".equals(field)) {
                    hasMore = value == JsonToken.VALUE_TRUE;
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the Stripe list is not valid JSON: " + e.getMessage(), e);
        }
        if (items == null) {
            throw new IllegalArgumentException("the Stripe list has no data array");
        }
        return new ObjectPage(items, hasMore, ids);
    }

    private static List<String> itemsWithIds(JsonParser parser, String text, List<String> ids) throws IOException {
        List<String> items = new ArrayList<>();
        while (parser.nextToken() == JsonToken.START_OBJECT) {
            int start = (int) parser.currentTokenLocation().getCharOffset();
            String id = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("id".equals(field) && value == JsonToken.VALUE_STRING) {
                    id = parser.getText();
                } else {
                    parser.skipChildren();
                }
            }
            if (id == null) {
                throw new IllegalArgumentException("an item of the Stripe list has no id");
            }
            int end = (int) parser.currentLocation().getCharOffset();
            items.add(text.substring(start, end));
            ids.add(id);
        }
        return items;
    }
}
