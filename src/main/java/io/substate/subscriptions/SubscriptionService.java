package io.substate.subscriptions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.apps.AppStore;
import io.substate.common.ApiException;
import io.substate.config.UsdRates;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.entitlements.Entitlement;
import io.substate.entitlements.EntitlementStore;
import io.substate.entitlements.ProductStore;
import io.substate.entitlements.StoreProduct;
import io.substate.http.Page;
import io.substate.projects.ProjectService;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Subscriptions and one-time purchases read in RevenueCat API v2's shapes ({@link SubscriptionJson}): one, a
 * customer's, found by a Stripe id, a subscription's transactions and entitlements.
 */
public final class SubscriptionService {
    private final Jdbi jdbi;
    private final ProjectService projects;
    private final UsdRates rates;
    private final Clock clock;

    public SubscriptionService(Jdbi jdbi, ProjectService projects, UsdRates rates, Clock clock) {
        this.jdbi = jdbi;
        this.projects = projects;
        this.rates = rates;
        this.clock = clock;
    }

    /** One rendered item of a list, with the id {@code starting_after} names. */
    public record Item(String id, ObjectNode json) {}

    public ObjectNode subscription(String projectId, String subscriptionId) {
        return jdbi.withHandle(h -> render(h, find(h, projectId, subscriptionId, Kind.SUBSCRIPTION)));
    }

    public ObjectNode purchase(String projectId, String purchaseId) {
        return jdbi.withHandle(h -> render(h, find(h, projectId, purchaseId, Kind.ONE_TIME)));
    }

    /** The project's subscription or one-time purchase, as stored. */
    StoredPurchase load(String projectId, String id, Kind kind) {
        return jdbi.withHandle(h -> find(h, projectId, id, kind));
    }

    /**
     * The management URL of the subscription's app. RevenueCat answers a single-use link to its own portal; Substate
     * answers the URL the app is configured with (e.g. a Stripe customer portal login link).
     */
    public String managementUrl(String projectId, String subscriptionId) {
        return jdbi.withHandle(h -> {
            StoredPurchase purchase = find(h, projectId, subscriptionId, Kind.SUBSCRIPTION);
            return Optional.ofNullable(AppStore.managementUrls(h, List.of(purchase.appId())).get(purchase.appId()))
                    .orElseThrow(() -> ApiException.notFound("Management URL of the app of subscription",
                            subscriptionId));
        });
    }

    /** The purchase as its kind's JSON, for the answer of an action. */
    ObjectNode render(StoredPurchase purchase) {
        return jdbi.withHandle(h -> render(h, purchase));
    }

    /**
     * A page of the subscriptions ({@link Kind#SUBSCRIPTION}) or purchases of the customer known by {@code appUserId}
     * (or any alias), oldest first; {@code environment} null for both.
     */
    public Page<Item> forCustomer(String projectId, String appUserId, Kind kind, String environment,
            String startingAfter, int limit) {
        String project = projects.get(projectId).id();
        Boolean livemode = environment == null ? null : environment.equals("production");
        return jdbi.withHandle(h -> {
            Customer customer = CustomerStore.findByAppUserId(h, project, appUserId)
                    .orElseThrow(() -> ApiException.notFound("Customer", appUserId));
            List<StoredPurchase> rows = PurchaseStore.pageForCustomer(h, customer.id(), kind, livemode,
                    startingAfter, limit);
            Page<StoredPurchase> page = Page.of(rows, limit);
            return new Page<>(items(h, page.items()), page.hasMore());
        });
    }

    /** The project's subscriptions or purchases Stripe knows by {@code stripeId} (their own id or a payment's). */
    public List<Item> search(String projectId, Kind kind, String stripeId) {
        String project = projects.get(projectId).id();
        return jdbi.withHandle(h -> items(h, PurchaseStore.findByStripeId(h, project, kind, stripeId)));
    }

    /** A page of the subscription's transactions, oldest first. */
    public Page<Item> transactions(String projectId, String subscriptionId, String startingAfter, int limit) {
        StoredPurchase purchase = jdbi.withHandle(h -> find(h, projectId, subscriptionId, Kind.SUBSCRIPTION));
        List<Item> all = SubscriptionJson.transactions(purchase, rates).stream()
                .map(json -> new Item(json.get("id").asText(), json)).toList();
        return pageAfter(all, startingAfter, limit);
    }

    /** One transaction of the subscription, as it is now. */
    ObjectNode transaction(StoredPurchase purchase, String transactionId) {
        return SubscriptionJson.transactions(purchase, rates).stream()
                .filter(t -> t.get("id").asText().equals(transactionId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Transaction", transactionId));
    }

    /** A page of the entitlements the product of the subscription or purchase unlocks. */
    public Page<Item> entitlements(String projectId, String id, Kind kind, String startingAfter, int limit) {
        return jdbi.withHandle(h -> {
            StoredPurchase purchase = find(h, projectId, id, kind);
            List<Item> all = related(h, List.of(purchase)).get(purchase.id()).entitlements().stream()
                    .map(e -> new Item(e.id(), SubscriptionJson.entitlement(e))).toList();
            return pageAfter(all, startingAfter, limit);
        });
    }

    /** The project's purchase of the kind, or 404 naming it as RevenueCat does (a subscription or a purchase). */
    StoredPurchase find(Handle h, String projectId, String id, Kind kind) {
        String project = projects.get(projectId).id();
        return PurchaseStore.findById(h, id)
                .filter(p -> p.projectId().equals(project) && p.state().kind() == kind)
                .orElseThrow(() -> ApiException.notFound(kind == Kind.SUBSCRIPTION ? "Subscription" : "Purchase", id));
    }

    private ObjectNode render(Handle h, StoredPurchase purchase) {
        return items(h, List.of(purchase)).get(0).json();
    }

    private List<Item> items(Handle h, List<StoredPurchase> purchases) {
        Map<String, SubscriptionJson.Related> related = related(h, purchases);
        long now = clock.millis();
        return purchases.stream().map(p -> new Item(p.id(), p.state().kind() == Kind.SUBSCRIPTION
                ? SubscriptionJson.subscription(p, related.get(p.id()), rates, now)
                : SubscriptionJson.purchase(p, related.get(p.id()), rates))).toList();
    }

    /** Owners, products, entitlements and management URLs of the purchases, a few queries for all of them. */
    private static Map<String, SubscriptionJson.Related> related(Handle h, List<StoredPurchase> purchases) {
        Map<String, String> appUserIds = new HashMap<>();
        purchases.stream().map(StoredPurchase::customerId).filter(Objects::nonNull).distinct()
                .forEach(id -> CustomerStore.findById(h, id)
                        .ifPresent(c -> appUserIds.put(id, c.originalAppUserId())));
        List<StoreProduct> storeProducts = purchases.stream().filter(p -> p.state().productId() != null)
                .map(p -> new StoreProduct(p.appId(), p.state().productId())).distinct().toList();
        Map<StoreProduct, String> productIds = new HashMap<>();
        storeProducts.stream().map(StoreProduct::appId).distinct().forEach(appId -> ProductStore.findForApp(h, appId,
                        storeProducts.stream().filter(sp -> sp.appId().equals(appId))
                                .map(StoreProduct::storeIdentifier).toList())
                .forEach(product -> productIds.put(new StoreProduct(appId, product.storeIdentifier()), product.id())));
        Map<StoreProduct, List<String>> keys = EntitlementStore.entitlementsForProducts(h, storeProducts);
        Map<String, Optional<Entitlement>> byKey = new HashMap<>();
        Map<String, String> urls = AppStore.managementUrls(h,
                purchases.stream().map(StoredPurchase::appId).distinct().toList());
        Map<String, SubscriptionJson.Related> result = new HashMap<>();
        for (StoredPurchase p : purchases) {
            StoreProduct product = p.state().productId() == null ? null
                    : new StoreProduct(p.appId(), p.state().productId());
            List<Entitlement> entitlements = new ArrayList<>();
            for (String key : product == null ? List.<String>of() : keys.getOrDefault(product, List.of())) {
                byKey.computeIfAbsent(key, k -> EntitlementStore.findByLookupKey(h, p.projectId(), k))
                        .ifPresent(entitlements::add);
            }
            result.put(p.id(), new SubscriptionJson.Related(appUserIds.get(p.customerId()),
                    product == null ? null : productIds.get(product), entitlements, urls.get(p.appId())));
        }
        return result;
    }

    private static Page<Item> pageAfter(List<Item> all, String startingAfter, int limit) {
        int from = 0;
        if (startingAfter != null) {
            from = -1;
            for (int i = 0; i < all.size() && from < 0; i++) {
                from = all.get(i).id().equals(startingAfter) ? i + 1 : -1;
            }
            if (from < 0) {
                throw ApiException.invalid("Query parameter 'starting_after' names no item of this list: "
                        + startingAfter);
            }
        }
        return Page.of(all.subList(from, all.size()), limit);
    }
}
