package io.substate.grants;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.customers.ApiCaller;
import io.substate.customers.ApiKeyAuth;
import io.substate.http.AdminAuth;
import io.substate.http.JsonBody;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.Optional;

/**
 * Granted entitlements (README, "Granted entitlements"): RevenueCat v1's promotional routes, for the project's secret
 * key only, and RevenueCat v2's customer actions, for the admin token.
 */
public final class GrantRoutes implements RouteGroup {
    private final GrantService grants;
    private final ApiKeyAuth apiKeys;
    private final AdminAuth admin;

    public GrantRoutes(GrantService grants, ApiKeyAuth apiKeys, AdminAuth admin) {
        this.grants = grants;
        this.apiKeys = apiKeys;
        this.admin = admin;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/subscribers/{app_user_id}/entitlements/{entitlement_identifier}/promotional", this::promotional);
        routes.post("/v1/subscribers/{app_user_id}/entitlements/{entitlement_identifier}/revoke_promotionals",
                this::revokePromotionals);
        routes.post("/v2/projects/{project_id}/customers/{customer_id}/actions/grant_entitlement", this::grant);
        routes.post("/v2/projects/{project_id}/customers/{customer_id}/actions/revoke_granted_entitlement",
                this::revoke);
    }

    private void promotional(Context ctx) {
        ApiCaller caller = apiKeys.requireSecret(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("duration", "start_time_ms", "end_time_ms");
        Optional<String> duration = body.optionalEnum("duration", GrantDuration.NAMES);
        Optional<Long> start = body.optionalLong("start_time_ms");
        Optional<Long> end = body.optionalLong("end_time_ms");
        // RevenueCat: end_time_ms when given, else duration (from start_time_ms, deprecated, or now).
        GrantLength length = end.map(e -> GrantLength.until(e, "end_time_ms"))
                .or(() -> duration.map(d -> GrantLength.of(GrantDuration.of(d), start.orElse(null), "start_time_ms")))
                .orElseThrow(() -> ApiException.invalid("Send 'end_time_ms' (when the entitlement ends, epoch "
                        + "milliseconds) or 'duration' (" + String.join(", ", GrantDuration.NAMES) + ")"));
        write(ctx, 201, grants.grantPromotional(caller, ctx.pathParam("app_user_id"),
                ctx.pathParam("entitlement_identifier"), length));
    }

    private void revokePromotionals(Context ctx) {
        ApiCaller caller = apiKeys.requireSecret(ctx);
        write(ctx, 200, grants.revokePromotionals(caller, ctx.pathParam("app_user_id"),
                ctx.pathParam("entitlement_identifier")));
    }

    private void grant(Context ctx) {
        admin.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("entitlement_id", "expires_at", "duration");
        String entitlementId = body.requiredString("entitlement_id");
        Optional<Long> expiresAt = body.optionalLong("expires_at");
        Optional<String> duration = body.optionalEnum("duration", GrantDuration.NAMES);
        if (expiresAt.isPresent() == duration.isPresent()) {
            throw ApiException.invalid("Send either 'expires_at' (when the entitlement ends, epoch milliseconds) or "
                    + "'duration' (" + String.join(", ", GrantDuration.NAMES) + ")");
        }
        GrantLength length = expiresAt.map(e -> GrantLength.until(e, "expires_at"))
                .orElseGet(() -> GrantLength.of(GrantDuration.of(duration.get()), null, "duration"));
        write(ctx, 201, grants.grantEntitlement(ctx.pathParam("project_id"), ctx.pathParam("customer_id"),
                entitlementId, length));
    }

    private void revoke(Context ctx) {
        admin.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("entitlement_id");
        write(ctx, 200, grants.revokeGrantedEntitlement(ctx.pathParam("project_id"), ctx.pathParam("customer_id"),
                body.requiredString("entitlement_id")));
    }

    private static void write(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }
}
