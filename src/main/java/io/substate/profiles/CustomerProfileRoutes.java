package io.substate.profiles;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.http.AdminAuth;
import io.substate.http.RouteGroup;

/**
 * {@code GET /v2/projects/{project_id}/customers/{customer_id}/profile}: a customer's profile for operators, a Substate
 * extension beside RevenueCat's customer routes (README, "Customers (API v2)").
 */
public final class CustomerProfileRoutes implements RouteGroup {
    private final CustomerProfiles profiles;
    private final AdminAuth auth;

    public CustomerProfileRoutes(CustomerProfiles profiles, AdminAuth auth) {
        this.profiles = profiles;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/v2/projects/{project_id}/customers/{customer_id}/profile", this::get);
    }

    private void get(Context ctx) {
        auth.require(ctx);
        ctx.json(profiles.get(ctx.pathParam("project_id"), ctx.pathParam("customer_id")));
    }
}
