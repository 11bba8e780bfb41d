package io.substate.customerapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.entitlements.EntitlementStore;
import io.substate.entitlements.GrantStore;
import io.substate.entitlements.GrantedEntitlement;
import io.substate.entitlements.StoreProduct;
import io.substate.http.Page;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * RevenueCat API v2's customer objects (README, "Customers (API v2)"): {@code customer} (its {@code id} is the App
 * User ID the customer was first known by), {@code customer.active_entitlement}, {@code customer.alias} and
 * {@code customer.attribute}, read from stores in the caller's handle.
 */
public final class CustomerObject {
    private CustomerObject() {}

    /** An entitlement that gives the customer access now, until {@code expiresAt} (null: for ever). */
    public record ActiveEntitlement(String entitlementId, Long expiresAt) {}

    /**
     * The customer object as a list shows it: without {@code active_entitlements}, which RevenueCat answers only for
     * one customer.
     */
    public static ObjectNode row(Customer c) {
        ObjectNode node = Json.object();
        node.put("object", "customer");
        node.put("id", c.originalAppUserId());
        node.put("project_id", c.projectId());
        node.put("first_seen_at", c.firstSeen());
        node.put("last_seen_at", c.lastSeen());
        // Substate does not record the app version, country or platform an SDK request came from.
        node.putNull("last_seen_app_version");
        node.putNull("last_seen_country");
        node.putNull("last_seen_platform");
        node.putNull("last_seen_platform_version");
        node.putNull("experiment"); // Substate runs no experiments
        return node;
    }

    /** One customer: the row, its active entitlements, and its attributes when {@code withAttributes} (expanded). */
    public static ObjectNode render(Handle h, Customer c, boolean withAttributes, long now) {
        ObjectNode node = row(c);
        node.set("active_entitlements", Page.slice(activeEntitlements(h, c, now), ActiveEntitlement::entitlementId,
                null, Page.DEFAULT_LIMIT).toJson(base(c) + "/active_entitlements", Map.of(),
                CustomerObject::activeEntitlement, ActiveEntitlement::entitlementId));
        if (withAttributes) {
            node.set("attributes", Page.slice(attributes(h, c), Attribute::name, null, Page.DEFAULT_LIMIT)
                    .toJson(base(c) + "/attributes", Map.of(), CustomerObject::attribute, Attribute::name));
        }
        return node;
    }

    /** The customer's path under {@code /v2}, as its lists name it. */
    static String base(Customer c) {
        return "/v2/projects/" + encode(c.projectId()) + "/customers/" + encode(c.originalAppUserId());
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Entitlements giving access now, by id: from purchases that give access (through their product) and from active
     * grants; each ends at the furthest end of its sources, null when one never ends (a one-time purchase).
     */
    public static List<ActiveEntitlement> activeEntitlements(Handle h, Customer c, long now) {
        Map<String, Long> ends = new TreeMap<>();
        List<StoredPurchase> giving = PurchaseStore.forCustomer(h, c.id()).stream()
                .filter(p -> p.state().productId() != null && p.state().grantsAccess(now)).toList();
        Map<StoreProduct, List<String>> unlocked = EntitlementStore.entitlementIdsForProducts(h,
                giving.stream().map(p -> new StoreProduct(p.appId(), p.state().productId())).distinct().toList());
        for (StoredPurchase p : giving) {
            for (String id : unlocked.getOrDefault(new StoreProduct(p.appId(), p.state().productId()), List.of())) {
                extend(ends, id, p.state().expiresAt());
            }
        }
        for (GrantedEntitlement grant : GrantStore.forCustomer(h, c.id())) {
            if (grant.active(now)) {
                extend(ends, grant.entitlementId(), grant.endsAt());
            }
        }
        List<ActiveEntitlement> active = new ArrayList<>();
        ends.forEach((id, end) -> active.add(new ActiveEntitlement(id, end == Long.MAX_VALUE ? null : end)));
        return active;
    }

    private static void extend(Map<String, Long> ends, String entitlementId, Long end) {
        ends.merge(entitlementId, end == null ? Long.MAX_VALUE : end, Math::max);
    }

    static ObjectNode activeEntitlement(ActiveEntitlement e) {
        ObjectNode node = Json.object();
        node.put("object", "customer.active_entitlement");
        node.put("entitlement_id", e.entitlementId());
        if (e.expiresAt() == null) {
            node.putNull("expires_at");
        } else {
            node.put("expires_at", e.expiresAt());
        }
        return node;
    }

    /** An attribute as the v2 API shows it. */
    public record Attribute(String name, String value, long updatedAt) {}

    /** The customer's attributes, by name. */
    static List<Attribute> attributes(Handle h, Customer c) {
        List<Attribute> list = new ArrayList<>();
        CustomerStore.attributes(h, c.id()).forEach((name, stored) ->
                list.add(new Attribute(name, stored.value(), stored.updatedAtMs())));
        return list;
    }

    static ObjectNode attribute(Attribute a) {
        ObjectNode node = Json.object();
        node.put("object", "customer.attribute");
        node.put("name", a.name());
        node.put("value", a.value());
        node.put("updated_at", a.updatedAt());
        return node;
    }

    static ObjectNode alias(CustomerStore.Alias a) {
        ObjectNode node = Json.object();
        node.put("object", "customer.alias");
        node.put("id", a.appUserId());
        node.put("created_at", a.createdAt());
        return node;
    }
}
