package io.substate.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.substate.common.Json;
import java.util.List;
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
        ObjectNode body = Json.object();
        body.put("object", "list");
        ArrayNode array = body.putArray("items");
        items.forEach(item -> array.add(render.apply(item)));
        String url = ctx.path();
        if (hasMore && !items.isEmpty()) {
            String limit = ctx.queryParam("limit");
            body.put("next_page", url + "?starting_after=" + id.apply(items.get(items.size() - 1))
                    + (limit != null ? "&limit=" + limit : ""));
        } else {
            body.putNull("next_page");
        }
        body.put("url", url);
        return body;
    }
}
