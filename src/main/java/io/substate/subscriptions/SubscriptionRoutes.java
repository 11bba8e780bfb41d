package io.substate.subscriptions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.AdminAuth;
import io.substate.http.JsonBody;
import io.substate.http.Requests;
import io.substate.http.Page;
import io.substate.http.RouteGroup;
import io.substate.purchases.PurchaseState.Kind;
import java.util.List;

/**
 * RevenueCat API v2's subscription and purchase routes: get, a customer's lists, search by a Stripe id, a
 * subscription's transactions and entitlements, and the actions that cancel and refund in Stripe.
 */
public final class SubscriptionRoutes implements RouteGroup {
    private static final String PROJECT = "/v2/projects/{project_id}";
    private static final String SUBSCRIPTION = PROJECT + "/subscriptions/{subscription_id}";
    private static final String PURCHASE = PROJECT + "/purchases/{purchase_id}";

    private final SubscriptionService subscriptions;
    private final SubscriptionActions actions;
    private final AdminAuth auth;

    public SubscriptionRoutes(SubscriptionService subscriptions, SubscriptionActions actions, AdminAuth auth) {
        this.subscriptions = subscriptions;
        this.actions = actions;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PROJECT + "/subscriptions", ctx -> search(ctx, Kind.SUBSCRIPTION, "store_subscription_identifier"));
        routes.get(SUBSCRIPTION, this::subscription);
        routes.get(SUBSCRIPTION + "/transactions", this::transactions);
        routes.get(SUBSCRIPTION + "/entitlements", ctx -> entitlements(ctx, "subscription_id", Kind.SUBSCRIPTION));
        routes.get(SUBSCRIPTION + "/authenticated_management_url", this::managementUrl);
        routes.post(SUBSCRIPTION + "/actions/cancel", this::cancel);
        routes.post(SUBSCRIPTION + "/actions/refund", this::refundSubscription);
        routes.post(SUBSCRIPTION + "/transactions/{transaction_id}/actions/refund", this::refundTransaction);
        routes.get(PROJECT + "/customers/{customer_id}/subscriptions", ctx -> forCustomer(ctx, Kind.SUBSCRIPTION));
        routes.get(PROJECT + "/purchases", ctx -> search(ctx, Kind.ONE_TIME, "store_purchase_identifier"));
        routes.get(PURCHASE, this::purchase);
        routes.get(PURCHASE + "/entitlements", ctx -> entitlements(ctx, "purchase_id", Kind.ONE_TIME));
        routes.post(PURCHASE + "/actions/refund", this::refundPurchase);
        routes.get(PROJECT + "/customers/{customer_id}/purchases", ctx -> forCustomer(ctx, Kind.ONE_TIME));
    }

    private void subscription(Context ctx) {
        auth.require(ctx);
        ctx.json(subscriptions.subscription(ctx.pathParam("project_id"), ctx.pathParam("subscription_id")));
    }

    private void purchase(Context ctx) {
        auth.require(ctx);
        ctx.json(subscriptions.purchase(ctx.pathParam("project_id"), ctx.pathParam("purchase_id")));
    }

    private void forCustomer(Context ctx, Kind kind) {
        auth.require(ctx);
        String environment = ctx.queryParam("environment");
        if (environment != null && !List.of("production", "sandbox").contains(environment)) {
            throw ApiException.invalid("Query parameter 'environment' must be 'production' or 'sandbox'");
        }
        Page<SubscriptionService.Item> page = subscriptions.forCustomer(ctx.pathParam("project_id"),
                ctx.pathParam("customer_id"), kind, environment, Page.startingAfter(ctx), Page.limit(ctx));
        ObjectNode json = page.toJson(ctx, SubscriptionService.Item::json, SubscriptionService.Item::id);
        if (environment != null && json.hasNonNull("next_page")) {
            json.put("next_page", json.get("next_page").asText() + "&environment=" + environment);
        }
        ctx.json(json);
    }

    /** Every match in one page: a Stripe id names one subscription or purchase (rarely a few). */
    private void search(Context ctx, Kind kind, String parameter) {
        auth.require(ctx);
        String stripeId = ctx.queryParam(parameter);
        if (stripeId == null || stripeId.isBlank()) {
            throw ApiException.invalid("Query parameter '" + parameter + "' is required");
        }
        List<SubscriptionService.Item> found = subscriptions.search(ctx.pathParam("project_id"), kind, stripeId.trim());
        ctx.json(new Page<>(found, false).toJson(ctx, SubscriptionService.Item::json, SubscriptionService.Item::id));
    }

    private void transactions(Context ctx) {
        auth.require(ctx);
        Page<SubscriptionService.Item> page = subscriptions.transactions(ctx.pathParam("project_id"),
                ctx.pathParam("subscription_id"), Page.startingAfter(ctx), Page.limit(ctx));
        ctx.json(page.toJson(ctx, SubscriptionService.Item::json, SubscriptionService.Item::id));
    }

    private void entitlements(Context ctx, String idParameter, Kind kind) {
        auth.require(ctx);
        Page<SubscriptionService.Item> page = subscriptions.entitlements(ctx.pathParam("project_id"),
                ctx.pathParam(idParameter), kind, Page.startingAfter(ctx), Page.limit(ctx));
        ctx.json(page.toJson(ctx, SubscriptionService.Item::json, SubscriptionService.Item::id));
    }

    private void managementUrl(Context ctx) {
        auth.require(ctx);
        ObjectNode node = Json.object();
        node.put("object", "authenticated_management_url");
        node.put("management_url", subscriptions.managementUrl(ctx.pathParam("project_id"), ctx.pathParam("subscription_id")));
        ctx.json(node);
    }

    /** {@code {"cancel_now": true}} (Substate's addition) ends it now; RevenueCat's cancel is at the period end. */
    private void cancel(Context ctx) {
        auth.require(ctx);
        boolean now = body(ctx).allowOnly("cancel_now").optionalBoolean("cancel_now").orElse(false);
        ctx.json(actions.cancel(ctx.pathParam("project_id"), ctx.pathParam("subscription_id"), now));
    }

    private void refundSubscription(Context ctx) {
        auth.require(ctx);
        body(ctx).allowOnly();
        ctx.json(actions.refundLatest(ctx.pathParam("project_id"), ctx.pathParam("subscription_id")));
    }

    private void refundTransaction(Context ctx) {
        auth.require(ctx);
        body(ctx).allowOnly();
        ctx.json(actions.refundTransaction(ctx.pathParam("project_id"), ctx.pathParam("subscription_id"),
                ctx.pathParam("transaction_id")));
    }

    private void refundPurchase(Context ctx) {
        auth.require(ctx);
        body(ctx).allowOnly();
        ctx.json(actions.refundPurchase(ctx.pathParam("project_id"), ctx.pathParam("purchase_id")));
    }

    /** RevenueCat's actions take no body; an empty one reads as {@code {}}. */
    private static JsonBody body(Context ctx) {
        return Requests.jsonBodyOrEmpty(ctx);
    }
}
