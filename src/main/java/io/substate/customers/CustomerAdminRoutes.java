package io.substate.customers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.entitlements.EntitlementStore;
import io.substate.entitlements.StoreProduct;
import io.substate.http.AdminAuth;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.RouteGroup;
import io.substate.projects.ProjectService;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code GET /v2/projects/{project_id}/customers/{app_user_id}}: a customer's state for operators — aliases,
 * attributes, purchases with their access, and a history of the Stripe events and outgoing events about them.
 */
public final class CustomerAdminRoutes implements RouteGroup {
    private final Jdbi jdbi;
    private final ProjectService projects;
    private final AdminAuth auth;
    private final Clock clock;

    public CustomerAdminRoutes(Jdbi jdbi, ProjectService projects, AdminAuth auth, Clock clock) {
        this.jdbi = jdbi;
        this.projects = projects;
        this.auth = auth;
        this.clock = clock;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/v2/projects/{project_id}/customers/{app_user_id}", this::get);
    }

    private void get(Context ctx) {
        auth.require(ctx);
        String projectId = projects.get(ctx.pathParam("project_id")).id();
        String appUserId = ctx.pathParam("app_user_id");
        ctx.json(jdbi.withHandle(h -> {
            Customer customer = CustomerStore.findByAppUserId(h, projectId, appUserId)
                    .orElseThrow(() -> ApiException.notFound("Customer", appUserId));
            return render(h, customer);
        }));
    }

    private ObjectNode render(Handle h, Customer c) {
        long now = clock.millis();
        ObjectNode node = Json.object();
        node.put("object", "customer");
        node.put("id", c.id());
        node.put("project_id", c.projectId());
        node.put("original_app_user_id", c.originalAppUserId());
        ArrayNode aliases = node.putArray("aliases");
        CustomerStore.aliases(h, c.id()).forEach(aliases::add);
        node.put("first_seen", c.firstSeen());
        node.put("last_seen", c.lastSeen());
        ObjectNode attributes = node.putObject("attributes");
        h.createQuery("SELECT name, value, updated_at_ms FROM customer_attributes WHERE customer_id = :id ORDER BY name")
                .bind("id", c.id())
                .map((rs, sc) -> {
                    ObjectNode a = attributes.putObject(rs.getString("name"));
                    a.put("value", rs.getString("value"));
                    a.put("updated_at_ms", rs.getLong("updated_at_ms"));
                    return a;
                }).list();
        ArrayNode purchases = node.putArray("purchases");
        List<StoredPurchase> owned = PurchaseStore.forCustomer(h, c.id());
        for (StoredPurchase p : owned) {
            purchases.add(renderPurchase(p, now));
        }
        ArrayNode active = node.putArray("active_entitlements");
        activeEntitlements(h, owned, now).forEach(active::add);
        node.set("history", history(h, c.id(), owned));
        return node;
    }

    /** One purchase as operators see it (also answered by the refresh action). */
    public static ObjectNode renderPurchase(StoredPurchase p, long now) {
        PurchaseState s = p.state();
        ObjectNode node = Json.object();
        node.put("id", p.id());
        node.put("app_id", p.appId());
        node.put("store_token", p.token());
        node.put("kind", String.valueOf(s.kind()).toLowerCase(java.util.Locale.ROOT));
        node.put("status", s.status());
        node.put("product_id", s.productId());
        node.put("period_type", String.valueOf(s.periodType()).toLowerCase(java.util.Locale.ROOT));
        node.set("purchased_at", Json.MAPPER.valueToTree(s.purchasedAt()));
        node.set("original_purchased_at", Json.MAPPER.valueToTree(s.originalPurchasedAt()));
        node.set("expires_at", Json.MAPPER.valueToTree(s.expiresAt()));
        node.set("unsubscribe_detected_at", Json.MAPPER.valueToTree(s.unsubscribeDetectedAt()));
        node.set("billing_issues_detected_at", Json.MAPPER.valueToTree(s.billingIssuesDetectedAt()));
        node.set("refunded_at", Json.MAPPER.valueToTree(s.refundedAt()));
        node.put("environment", s.livemode() ? "production" : "sandbox");
        node.put("grants_access", s.grantsAccess(now));
        return node;
    }

    private static List<String> activeEntitlements(Handle h, List<StoredPurchase> purchases, long now) {
        List<StoreProduct> granting = purchases.stream()
                .filter(p -> p.state().productId() != null && p.state().grantsAccess(now))
                .map(p -> new StoreProduct(p.appId(), p.state().productId()))
                .toList();
        return EntitlementStore.entitlementsForProducts(h, granting).values().stream()
                .flatMap(List::stream).distinct().sorted().toList();
    }

    /** Stripe events that touched the customer's purchases and the events sent about the customer, newest first. */
    private static ArrayNode history(Handle h, String customerId, List<StoredPurchase> purchases) {
        ArrayNode history = Json.MAPPER.createArrayNode();
        List<ObjectNode> entries = new java.util.ArrayList<>();
        for (StoredPurchase p : purchases) {
            h.createQuery("SELECT event_id, type, created, received_at, status, error_code FROM stripe_events "
                            + "WHERE purchase_id = :purchase")
                    .bind("purchase", p.id())
                    .map((rs, sc) -> {
                        ObjectNode e = Json.object();
                        e.put("kind", "stripe_event");
                        e.put("at", rs.getLong("received_at"));
                        e.put("id", rs.getString("event_id"));
                        e.put("type", rs.getString("type"));
                        e.put("status", rs.getString("status"));
                        e.put("purchase_id", p.id());
                        return e;
                    }).forEach(entries::add);
        }
        h.createQuery("SELECT id, type, sequence, created_at, purchase_id FROM outgoing_events WHERE customer_id = :id")
                .bind("id", customerId)
                .map((rs, sc) -> {
                    ObjectNode e = Json.object();
                    e.put("kind", "outgoing_event");
                    e.put("at", rs.getLong("created_at"));
                    e.put("id", rs.getString("id"));
                    e.put("type", rs.getString("type"));
                    e.put("sequence", rs.getLong("sequence"));
                    e.put("purchase_id", rs.getString("purchase_id"));
                    return e;
                }).forEach(entries::add);
        entries.sort((a, b) -> Long.compare(b.get("at").asLong(), a.get("at").asLong()));
        entries.forEach(history::add);
        return history;
    }
}
