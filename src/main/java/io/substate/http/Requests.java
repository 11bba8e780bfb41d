package io.substate.http;

import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

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

    /**
     * The request body's exact bytes, read into one array of the declared Content-Length. Javalin's own reader grows
     * a buffer through two 8 KiB copies per request, which was a fifth of the webhook's garbage. A declared length
     * above the limit was refused before the handler ({@link HttpServer}); a body without one (chunked) is read up to
     * the limit. The read is bounded in time and in how many run at once ({@link BodyReads}).
     */
    public static byte[] rawBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        BodyReads reads = BodyReads.of(ctx);
        if (reads == null) {
            return ctx.bodyAsBytes();
        }
        return reads.withPermit(ctx, deadline -> {
            try {
                byte[] body = BodyReads.readAll(ctx.req().getInputStream(), (int) Math.min(declared,
                        HttpServer.MAX_BODY_BYTES), HttpServer.MAX_BODY_BYTES, deadline);
                if (declared >= 0 && body.length < declared) {
                    throw shortBody(body.length, (int) declared);
                }
                return body;
            } catch (IOException | RuntimeException e) {
                if (e instanceof ApiException api) {
                    throw api;
                }
                // Jetty reports a body cut short by the client, or arriving below the minimum data rate, as a
                // failed read: the client's mistake (or its network's), not ours.
                if (System.nanoTime() - deadline > 0 || String.valueOf(e.getMessage()).contains("rate")
                        || e.getCause() instanceof java.util.concurrent.TimeoutException
                        || e instanceof java.util.concurrent.TimeoutException) {
                    throw BodyReads.tooSlow();
                }
                throw shortBody(-1, (int) declared);
            }
        });
    }

    /** The request body as UTF-8 text, read as {@link #rawBody} reads it. */
    public static String bodyText(Context ctx) {
        return new String(rawBody(ctx), StandardCharsets.UTF_8);
    }

    private static ApiException shortBody(int read, int declared) {
        return new ApiException(ErrorCode.INVALID_JSON, "The request body ended "
                + (read < 0 ? "early" : "after " + read + " bytes")
                + (declared < 0 ? "" : ": its Content-Length says " + declared + " bytes")
                + ". Send the whole body, or no Content-Length header with a chunked body.");
    }

    /**
     * Answers 200 with {@code json} written straight to the servlet response: Javalin's result stream copies every
     * answer through a fresh 8 KiB buffer, which the webhook endpoint, answering thousands per second, avoids.
     */
    public static void writeJson(Context ctx, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ctx.status(200);
        ctx.res().setContentType("application/json");
        ctx.res().setContentLength(bytes.length);
        try {
            ctx.res().getOutputStream().write(bytes);
        } catch (IOException e) {
            // The client went away before reading its answer; the work it asked for is done either way.
        }
    }

    /** The request body as a JSON object (see {@link JsonBody}). */
    public static JsonBody jsonBody(Context ctx) {
        return JsonBody.parse(bodyText(ctx));
    }

    /** The request body as a JSON object, an empty body reading as {@code {}} (actions that take no body). */
    public static JsonBody jsonBodyOrEmpty(Context ctx) {
        String text = bodyText(ctx);
        return JsonBody.parse(text.isBlank() ? "{}" : text);
    }
}
