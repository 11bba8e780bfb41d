package io.substate.offerings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.Json;
import io.substate.customers.ApiKeyAuth;
import io.substate.http.RevenueCatETag;
import io.substate.http.RouteGroup;

/**
 * The routes RevenueCat's SDKs call for offerings (README, "Offerings"): an app's public key reads offerings and
 * product details (RevenueCat refuses the secret key there, code 7243); the override needs the secret key.
 */
public final class SubscriberOfferingRoutes implements RouteGroup {
    private final SubscriberOfferings offerings;
    private final ApiKeyAuth auth;

    public SubscriberOfferingRoutes(SubscriberOfferings offerings, ApiKeyAuth auth) {
        this.offerings = offerings;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/v1/subscribers/{app_user_id}/offerings", this::offerings);
        routes.get("/rcbilling/v1/subscribers/{app_user_id}/products", this::products);
        routes.post("/v1/subscribers/{app_user_id}/offerings/{offering_id}/override", this::override);
        routes.delete("/v1/subscribers/{app_user_id}/offerings/override", this::clearOverride);
    }

    /**
     * With RevenueCat's ETag protocol ({@link RevenueCatETag}): the ETag is the hash of the whole answer, which holds
     * no request time, so an unchanged answer is a 304 without a body.
     */
    private void offerings(Context ctx) {
        long now = System.currentTimeMillis();
        String body = Json.write(offerings.offerings(auth.requireApp(ctx), ctx.pathParam("app_user_id")));
        if (RevenueCatETag.notModified(ctx, RevenueCatETag.of(body), now)) {
            return;
        }
        ctx.status(200).contentType("application/json").result(body);
    }

    /** {@code ?id=prod_A&id=prod_B}; {@code currency} is accepted and ignored: prices are in their Stripe currency. */
    private void products(Context ctx) {
        write(ctx, 200, offerings.productDetails(auth.requireApp(ctx), ctx.pathParam("app_user_id"),
                ctx.queryParams("id")));
    }

    private void override(Context ctx) {
        write(ctx, 201, offerings.override(auth.requireSecret(ctx), ctx.pathParam("app_user_id"),
                ctx.pathParam("offering_id")));
    }

    /** RevenueCat answers the reset with 201 too. */
    private void clearOverride(Context ctx) {
        write(ctx, 201, offerings.clearOverride(auth.requireSecret(ctx), ctx.pathParam("app_user_id")));
    }

    private static void write(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }
}
