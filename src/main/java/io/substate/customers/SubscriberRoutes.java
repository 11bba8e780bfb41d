package io.substate.customers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.http.JsonBody;
import io.substate.http.Requests;
import io.substate.http.RevenueCatETag;
import io.substate.http.RouteGroup;

/** RevenueCat REST API v1 subscriber routes (README, "RevenueCat REST API v1"), as RevenueCat's SDKs call them. */
public final class SubscriberRoutes implements RouteGroup {
    private final SubscriberService subscribers;
    private final ApiKeyAuth auth;

    public SubscriberRoutes(SubscriberService subscribers, ApiKeyAuth auth) {
        this.subscribers = subscribers;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/subscribers/identify", this::identify);
        routes.get("/v1/subscribers/{app_user_id}", this::get);
        routes.delete("/v1/subscribers/{app_user_id}", this::delete);
        routes.post("/v1/subscribers/{app_user_id}/attributes", this::attributes);
    }

    /** RevenueCat's ETag protocol ({@link RevenueCatETag}): an unchanged subscriber is a 304 without a body. */
    private void get(Context ctx) {
        ApiCaller caller = auth.authenticate(ctx);
        String platform = ctx.header("X-Platform");
        SubscriberService.Read read = subscribers.get(caller, ctx.pathParam("app_user_id"),
                platform != null && !platform.isBlank());
        if (RevenueCatETag.notModified(ctx, read.json().etag(), read.now()) && !read.created()) {
            return;
        }
        ctx.status(read.created() ? 201 : 200).contentType("application/json").result(read.body());
    }

    private void identify(Context ctx) {
        ApiCaller caller = auth.authenticate(ctx);
        JsonBody body = Requests.jsonBody(ctx);
        answer(ctx, subscribers.identify(caller, stringField(body, "app_user_id"), stringField(body, "new_app_user_id")));
    }

    private void attributes(Context ctx) {
        ApiCaller caller = auth.authenticate(ctx);
        JsonBody body = Requests.jsonBody(ctx);
        if (!body.has("attributes")) {
            throw new ApiException(ErrorCode.INVALID_SUBSCRIBER_ATTRIBUTES_BODY, "The body must be "
                    + "{\"attributes\": {\"<key>\": {\"value\": \"…\", \"updated_at_ms\": …}}}");
        }
        write(ctx, 200, subscribers.setAttributes(caller, ctx.pathParam("app_user_id"), body.node().get("attributes")));
    }

    private void delete(Context ctx) {
        ApiCaller caller = auth.requireSecret(ctx);
        String appUserId = ctx.pathParam("app_user_id");
        subscribers.delete(caller, appUserId);
        ObjectNode body = Json.object();
        body.put("app_user_id", appUserId);
        body.put("deleted", true);
        write(ctx, 200, body);
    }

    /** A string field that may also be null or blank: the App User ID rules then answer 7220. */
    static String stringField(JsonBody body, String name) {
        var value = body.node().get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.invalid("Field '" + name + "' must be a string");
        }
        return value.asText();
    }

    private static void answer(Context ctx, SubscriberService.Answer answer) {
        write(ctx, answer.created() ? 201 : 200, answer.body());
    }

    static void write(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }
}
