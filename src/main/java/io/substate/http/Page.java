package io.substate.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.substate.common.Json;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One page of a list, in RevenueCat v2's shape: {@code {object:"list", items, next_page, url}}. Lists are ordered by
 * creation and paged with {@code starting_after=<id>} and {@code limit} (1–100, default 20).
 */
public record Page<T>(List<T> items, boolean hasMore) {
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    /** Reads {@code limit} from the query. */
    public static int limit(Context ctx) {
        return Requests.intQuery(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    }

    /** Reads {@code starting_after} from the query, or null. */
    public static String startingAfter(Context ctx) {
        String value = ctx.queryParam("starting_after");
        return value == null || value.isBlank() ? null : value;
    }

    /** Builds a page from up to {@code limit + 1} rows fetched by the repository. */
    public static <T> Page<T> of(List<T> rows, int limit) {
        return rows.size() > limit ? new Page<>(rows.subList(0, limit), true) : new Page<>(rows, false);
    }

    public ObjectNode toJson(Context ctx, Function<T, ObjectNode> render, Function<T, String> id) {
        String limit = ctx.queryParam("limit");
        return toJson(ctx.path(), limit != null ? Map.of("limit", limit) : Map.of(), render, id);
    }

    /**
     * The page as answered at {@code url} (a list embedded in another object names its own route); {@code next_page}
     * repeats the {@code kept} query parameters (a list's {@code limit}, a search) after {@code starting_after}.
     */
    public ObjectNode toJson(String url, Map<String, String> kept, Function<T, ObjectNode> render,
            Function<T, String> id) {
        ObjectNode body = Json.object();
        body.put("object", "list");
        ArrayNode array = body.putArray("items");
        items.forEach(item -> array.add(render.apply(item)));
        if (hasMore && !items.isEmpty()) {
            StringBuilder next = new StringBuilder(url).append("?starting_after=")
                    .append(encode(id.apply(items.get(items.size() - 1))));
            kept.forEach((name, value) -> next.append('&').append(name).append('=').append(encode(value)));
            body.put("next_page", next.toString());
        } else {
            body.putNull("next_page");
        }
        body.put("url", url);
        return body;
    }

    /**
     * A page of {@code all} (already in the list's order, held in memory: a customer's aliases, attributes,
     * entitlements) after the item whose id is {@code startingAfter}; an id not in the list is a 400.
     */
    public static <T> Page<T> slice(List<T> all, Function<T, String> id, String startingAfter, int limit) {
        int from = 0;
        if (startingAfter != null) {
            int at = 0;
            while (at < all.size() && !id.apply(all.get(at)).equals(startingAfter)) {
                at++;
            }
            if (at == all.size()) {
                throw io.substate.common.ApiException.invalid("Query parameter 'starting_after' names no item of "
                        + "this list: '" + startingAfter + "'");
            }
            from = at + 1;
        }
        return of(all.subList(from, Math.min(all.size(), from + limit + 1)), limit);
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
