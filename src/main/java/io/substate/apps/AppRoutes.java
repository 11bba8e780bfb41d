package io.substate.apps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.http.AdminAuth;
import io.substate.http.DeletedObject;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.JsonBody;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;

/** {@code /v2/projects/{project_id}/apps}: the admin API for Stripe apps. Secrets are accepted, never echoed. */
public final class AppRoutes implements RouteGroup {
    /** Path of an app's Stripe webhook endpoint below the public URL. */
    public static final String WEBHOOK_PATH = "/v1/incoming-webhooks/stripe/";

    private final AppService apps;
    private final AdminAuth auth;
    private final String publicUrl;

    public AppRoutes(AppService apps, AdminAuth auth, String publicUrl) {
        this.apps = apps;
        this.auth = auth;
        this.publicUrl = publicUrl;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v2/projects/{project_id}/apps", this::create);
        routes.get("/v2/projects/{project_id}/apps", this::list);
        routes.get("/v2/projects/{project_id}/apps/{app_id}", this::get);
        RouteGroup.update(routes, "/v2/projects/{project_id}/apps/{app_id}", this::update);
        routes.delete("/v2/projects/{project_id}/apps/{app_id}", this::delete);
    }

    private void create(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("name", "type", "stripe", AllowedOrigins.FIELD);
        String name = body.requiredString("name");
        String type = body.requiredString("type");
        if (!type.equals(App.TYPE_STRIPE)) {
            throw ApiException.invalid("Field 'type' must be 'stripe' (got '" + type + "'); Substate serves Stripe apps only");
        }
        AppView app = apps.create(ctx.pathParam("project_id"), name, stripe(body), AllowedOrigins.parse(body));
        ctx.status(201).json(render(app));
    }

    private void list(Context ctx) {
        auth.require(ctx);
        Page<AppView> page = apps.list(ctx.pathParam("project_id"), Page.startingAfter(ctx), Page.limit(ctx));
        ctx.json(page.toJson(ctx, this::render, view -> view.app().id()));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        ctx.json(render(apps.view(ctx.pathParam("project_id"), ctx.pathParam("app_id"))));
    }

    private void update(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("name", "type", "stripe", AllowedOrigins.FIELD);
        // The type cannot change; echoing it back unchanged is harmless and lets clients PATCH what they GET.
        body.optionalString("type").filter(type -> !type.equals(App.TYPE_STRIPE)).ifPresent(type -> {
            throw ApiException.invalid("Field 'type' cannot be changed; this app is a 'stripe' app");
        });
        ctx.json(render(apps.update(ctx.pathParam("project_id"), ctx.pathParam("app_id"), body.optionalString("name"),
                stripe(body), AllowedOrigins.parse(body))));
    }

    private void delete(Context ctx) {
        auth.require(ctx);
        String appId = ctx.pathParam("app_id");
        long deletedAt = apps.delete(ctx.pathParam("project_id"), appId);
        ctx.json(DeletedObject.json("app", appId, deletedAt));
    }

    private static StripeSettingsChange stripe(JsonBody body) {
        return body.optionalObject("stripe").map(StripeSettingsChange::parse).orElseGet(StripeSettingsChange::none);
    }

    ObjectNode render(AppView view) {
        App app = view.app();
        ObjectNode node = Json.object();
        node.put("object", "app");
        node.put("id", app.id());
        node.put("name", app.name());
        node.put("type", app.type());
        node.put("project_id", app.projectId());
        node.put("public_api_key", app.publicApiKey());
        node.put("created_at", app.createdAt());
        if (app.allowedOrigins() == null) {
            node.putNull(AllowedOrigins.FIELD);
        } else {
            var origins = node.putArray(AllowedOrigins.FIELD);
            app.allowedOrigins().forEach(origins::add);
        }
        ObjectNode stripe = node.putObject("stripe");
        stripe.put("webhook_url", publicUrl + WEBHOOK_PATH + app.id());
        stripe.put("webhook_secret_set", app.webhookSecret() != null);
        stripe.put("api_key_set", app.stripeApiKey() != null);
        stripe.put("track_new_purchases", app.trackNewPurchases());
        stripe.put("app_user_id_detection", app.appUserIdDetection().value());
        stripe.put("metadata_key", app.metadataKey());
        stripe.put("management_url", app.managementUrl());
        ObjectNode failures = stripe.putObject("signature_failures");
        failures.put("count", view.signatureFailures().count());
        failures.put("last_reason", view.signatureFailures().lastReason());
        failures.put("last_at", view.signatureFailures().lastAt());
        return node;
    }
}
