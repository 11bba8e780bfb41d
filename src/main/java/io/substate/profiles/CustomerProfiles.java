package io.substate.profiles;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.delivery.OutgoingEventStore;
import io.substate.entitlements.GrantStore;
import io.substate.entitlements.GrantedEntitlement;
import io.substate.ingest.StripeEventStore;
import io.substate.projects.ProjectService;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A customer as operators see it, beyond RevenueCat's customer object (a Substate extension, README "Customers (API
 * v2)"): the purchases with their access, the granted entitlements, and a history of the Stripe events and outgoing
 * events about them. It reads what several features keep, so it sits above them.
 */
public final class CustomerProfiles {
    private final Jdbi jdbi;
    private final ProjectService projects;
    private final Clock clock;

    public CustomerProfiles(Jdbi jdbi, ProjectService projects, Clock clock) {
        this.jdbi = jdbi;
        this.projects = projects;
        this.clock = clock;
    }

    /** The profile of the customer known by {@code appUserId} (any App User ID of it) in the project. */
    public ObjectNode get(String projectId, String appUserId) {
        String project = projects.get(projectId).id();
        return jdbi.withHandle(h -> {
            Customer customer = CustomerStore.findByAppUserId(h, project, appUserId)
                    .orElseThrow(() -> ApiException.notFound("Customer", appUserId));
            return render(h, customer, clock.millis());
        });
    }

    private static ObjectNode render(Handle h, Customer c, long now) {
        ObjectNode node = Json.object();
        node.put("object", "customer_profile");
        node.put("id", c.originalAppUserId());
        node.put("project_id", c.projectId());
        ArrayNode purchases = node.putArray("purchases");
        List<StoredPurchase> owned = PurchaseStore.forCustomer(h, c.id());
        owned.forEach(p -> purchases.add(PurchaseView.render(p, now)));
        ArrayNode granted = node.putArray("granted_entitlements");
        GrantStore.forCustomer(h, c.id()).forEach(g -> granted.add(grant(g, now)));
        node.set("history", history(h, c.id(), owned));
        return node;
    }

    /** One granted entitlement: {@code expires_at} as granted, and {@code revoked_at} when it was revoked before. */
    private static ObjectNode grant(GrantedEntitlement g, long now) {
        ObjectNode node = Json.object();
        node.put("object", "granted_entitlement");
        node.put("id", g.id());
        node.put("entitlement_id", g.entitlementId());
        node.put("lookup_key", g.lookupKey());
        node.put("product_identifier", g.productIdentifier());
        node.put("store", "promotional");
        node.put("store_transaction_id", g.storeTransactionId());
        node.put("starts_at", g.startsAt());
        node.put("expires_at", g.expiresAt());
        node.set("revoked_at", Json.MAPPER.valueToTree(g.revokedAt()));
        node.put("active", g.active(now));
        return node;
    }

    /** Stripe events that touched the customer's purchases and the events sent about the customer, newest first. */
    private static ArrayNode history(Handle h, String customerId, List<StoredPurchase> purchases) {
        List<ObjectNode> entries = new ArrayList<>();
        for (StripeEventStore.Touch touch : StripeEventStore.forPurchases(h,
                purchases.stream().map(StoredPurchase::id).toList())) {
            ObjectNode e = Json.object();
            e.put("kind", "stripe_event");
            e.put("at", touch.receivedAt());
            e.put("id", touch.eventId());
            e.put("type", touch.type());
            e.put("status", touch.status().value());
            e.put("purchase_id", touch.purchaseId());
            entries.add(e);
        }
        for (OutgoingEventStore.Sent sent : OutgoingEventStore.forCustomer(h, customerId)) {
            ObjectNode e = Json.object();
            e.put("kind", "outgoing_event");
            e.put("at", sent.createdAt());
            e.put("id", sent.id());
            e.put("type", sent.type());
            e.put("sequence", sent.sequence());
            e.put("purchase_id", sent.purchaseId());
            entries.add(e);
        }
        entries.sort(Comparator.comparingLong((ObjectNode e) -> e.get("at").asLong()).reversed());
        ArrayNode history = Json.MAPPER.createArrayNode();
        entries.forEach(history::add);
        return history;
    }
}
