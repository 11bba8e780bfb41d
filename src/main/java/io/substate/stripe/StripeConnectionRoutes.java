package io.substate.stripe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.http.AdminAuth;
import io.substate.http.Json;
import io.substate.http.RouteGroup;
import java.util.List;

/**
 * {@code POST /v2/projects/{project_id}/apps/{app_id}/actions/check_connection}: reads the Stripe account with the
 * app's API key, and compares the key's mode with the mode of the events the endpoint received. A test-mode key with
 * live events (or the reverse) is the classic cause of "Stripe has no subscription" failures, so it is named here.
 */
public final class StripeConnectionRoutes implements RouteGroup {
    private final AppService apps;
    private final StripeEventLog log;
    private final AdminAuth auth;
    private final String stripeApiBase;

    public StripeConnectionRoutes(AppService apps, StripeEventLog log, AdminAuth auth, String stripeApiBase) {
        this.apps = apps;
        this.log = log;
        this.auth = auth;
        this.stripeApiBase = stripeApiBase;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v2/projects/{project_id}/apps/{app_id}/actions/check_connection", this::check);
    }

    private void check(Context ctx) {
        auth.require(ctx);
        App app = apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"));
        // Stripe's failures (no key, rejected key, Stripe down) surface as their usual STRIPE_* errors.
        AccountInfo account = StripeApi.forApp(stripeApiBase, app.stripeApiKey()).account();
        List<LoggedStripeEvent> newest = log.list(app.id(), null, null, 1);
        ObjectNode body = Json.object();
        body.put("object", "stripe_connection");
        body.put("ok", true);
        body.put("account_id", account.id());
        body.put("mode", mode(account.livemode()));
        body.put("business_name", account.businessName());
        body.put("email", account.email());
        if (newest.isEmpty()) {
            body.putNull("events_mode");
            body.putNull("mode_matches_events");
            body.put("message", "Stripe accepted the API key (" + mode(account.livemode()) + " mode, account "
                    + account.id() + "). No Stripe event has been received yet.");
        } else {
            boolean eventsLive = newest.get(0).livemode();
            boolean matches = eventsLive == account.livemode();
            body.put("events_mode", mode(eventsLive));
            body.put("mode_matches_events", matches);
            body.put("message", matches
                    ? "Stripe accepted the API key (" + mode(account.livemode()) + " mode, account " + account.id()
                            + "), the same mode as the events received."
                    : "Stripe accepted the API key, but it is a " + mode(account.livemode()) + " mode key while the "
                            + "latest event received is a " + mode(eventsLive) + " mode event: Substate cannot read "
                            + "those purchases from Stripe. Use a " + mode(eventsLive) + " mode key, or point the "
                            + mode(account.livemode()) + " mode webhook endpoint at this app.");
        }
        ctx.json(body);
    }

    private static String mode(boolean livemode) {
        return livemode ? "live" : "test";
    }
}
