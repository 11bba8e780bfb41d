package io.substate.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import java.util.Map;

/**
 * Writes errors in the shape the route's clients expect: RevenueCat v1 routes answer {@code {code, message}} with a
 * numeric code (RevenueCat's SDKs parse it); everything else answers RevenueCat v2's {@code {object:"error", …}}.
 */
public final class ErrorResponses {
    /** What a 503 asks clients to wait before retrying: the database health check runs every second. */
    static final String RETRY_AFTER_SECONDS = "5";

    private ErrorResponses() {}

    public static void write(Context ctx, ErrorCode error, String message, Map<String, Object> extra) {
        if (error.status() == 503) {
            ctx.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        ctx.status(error.status()).contentType("application/json").result(body(ctx.path(), error, message, extra));
    }

    /** The error's JSON for a request to {@code path}, in the shape that path's clients expect. */
    static String body(String path, ErrorCode error, String message, Map<String, Object> extra) {
        ObjectNode body = Json.object();
        if (isRevenueCatV1(path)) {
            body.put("code", error.v1Code());
            body.put("message", message);
        } else {
            body.put("object", "error");
            body.put("type", error.type());
            body.put("code", error.code());
            body.put("message", message);
            body.put("retryable", error.retryable());
            body.put("doc_url", docUrl(error));
        }
        extra.forEach((k, v) -> body.set(k, Json.MAPPER.valueToTree(v)));
        return Json.write(body);
    }

    /**
     * RevenueCat API v2 requires {@code doc_url} on every error. Substate's errors use RevenueCat's error types, so it
     * names RevenueCat's page for the type; the stable {@code code} is Substate's own (README, "Admin API").
     */
    static String docUrl(ErrorCode error) {
        return "https://errors.rev.cat/" + error.type().replace('_', '-');
    }

    /** RevenueCat's v1 routes, and the Web Billing routes its web SDK reads product prices from. */
    static boolean isRevenueCatV1(String path) {
        return (path.startsWith("/v1/") && !path.startsWith("/v1/incoming-webhooks/")) || path.startsWith("/rcbilling/");
    }
}
