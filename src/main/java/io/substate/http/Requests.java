package io.substate.http;

import io.javalin.http.Context;

/** Small readers of request parts shared by handlers. */
public final class Requests {
    private Requests() {}

    /** The bearer token of the Authorization header, or null. */
    public static String bearerToken(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null) {
            return null;
        }
        String trimmed = header.trim();
        if (trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return trimmed.substring(7).trim();
        }
        return null;
    }

    /** A query parameter that must be a whole number within bounds, or the default when absent. */
    public static int intQuery(Context ctx, String name, int defaultValue, int min, int max) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("Query parameter '" + name + "' must be a whole number from " + min + " to " + max);
        }
    }

    /** The request body as a JSON object (see {@link JsonBody}). */
    public static JsonBody jsonBody(Context ctx) {
        return JsonBody.parse(ctx.body());
    }
}
