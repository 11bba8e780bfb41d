package io.substate.customers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.apps.AppStore;
import io.substate.common.Json;
import io.substate.config.UsdRates;
import io.substate.entitlements.EntitlementStore;
import io.substate.entitlements.GrantStore;
import io.substate.entitlements.GrantedEntitlement;
import io.substate.entitlements.StoreProduct;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * The RevenueCat v1 subscriber ("CustomerInfo") JSON, exactly as RevenueCat's SDKs parse it: dates as
 * {@code YYYY-MM-DDTHH:MM:SSZ}, Stripe subscriptions keyed by {@code prod_…}, one-time purchases under
 * {@code non_subscriptions}, and every entitlement pointing at a product present in one of those two maps (the SDK
 * throws otherwise).
 *
 * <p>Clients decide "active" from {@code expires_date} alone, so a subscription that lost access early (refund,
 * immediate cancel) shows when it lost it, purchases that never granted anything (incomplete) are left out, and a
 * refunded one-time purchase is left out (the SDK treats every listed one-time purchase as active).
 *
 * <p>A granted entitlement shows as RevenueCat shows a promotional one: a {@code subscriptions} entry keyed by its
 * {@code rc_promo_…} product, with store {@code promotional}, price 0 USD, never sandbox, ending at its expiry or its
 * revocation; and the entitlement, unless a purchase that unlocks it runs longer (the furthest expiration wins).
 */
public final class SubscriberView {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private SubscriberView() {}

    /** RevenueCat's v1 date: UTC, seconds, no millis. */
    public static String date(long epochMillis) {
        return DATE.format(Instant.ofEpochMilli(epochMillis));
    }

    /** {@code {request_date, request_date_ms, subscriber}}, read in the caller's handle. */
    public static ObjectNode render(Handle h, Customer customer, ApiCaller caller, long now) {
        Inputs inputs = load(h, customer, PurchaseStore.forCustomer(h, customer.id()), caller);
        ObjectNode body = Json.object();
        body.put("request_date", date(now));
        body.put("request_date_ms", now);
        body.set("subscriber", subscriber(inputs, date(customer.lastSeen()), caller, now));
        return body;
    }

    /**
     * Everything the subscriber object is made of but the time of the request and the caller: the customer, its
     * purchases, the lookup keys each purchase's product unlocks, the apps' management URLs, its grants and (for the
     * secret key, else null) its attributes.
     */
    record Inputs(Customer customer, List<StoredPurchase> purchases, Map<StoreProduct, List<String>> keys,
            Map<String, String> managementUrls, List<GrantedEntitlement> grants,
            SortedMap<String, CustomerStore.StoredAttribute> attributes) {}

    /** The inputs of {@code customer} with these purchases, the rest read in the caller's handle. */
    static Inputs load(Handle h, Customer customer, List<StoredPurchase> purchases, ApiCaller caller) {
        List<Shown> listed = listed(purchases).listed();
        Map<StoreProduct, List<String>> keys = EntitlementStore.entitlementsForProducts(h,
                listed.stream().map(s -> new StoreProduct(s.purchase().appId(), s.productId())).distinct().toList());
        return new Inputs(customer, purchases, keys, managementUrls(h, listed), GrantStore.forCustomer(h, customer.id()),
                caller.secret() ? CustomerStore.attributes(h, customer.id()) : null);
    }

    /** The purchases the SDK may see: subscriptions by product (the furthest one each), one-time purchases by product. */
    private record Listing(Map<String, Shown> subscriptions, Map<String, List<Shown>> nonSubscriptions,
            List<Shown> listed) {}

    private static Listing listed(List<StoredPurchase> purchases) {
        List<Shown> shown = purchases.stream().map(SubscriberView::shown).flatMap(Optional::stream).toList();
        Map<String, Shown> subscriptions = new TreeMap<>();
        Map<String, List<Shown>> nonSubscriptions = new TreeMap<>();
        for (Shown s : shown) {
            if (s.subscription()) {
                subscriptions.merge(s.productId(), s, (a, b) -> FURTHEST.compare(a, b) >= 0 ? a : b);
            } else {
                nonSubscriptions.computeIfAbsent(s.productId(), k -> new ArrayList<>()).add(s);
            }
        }
        List<Shown> listed = new ArrayList<>(subscriptions.values());
        nonSubscriptions.values().forEach(listed::addAll);
        return new Listing(subscriptions, nonSubscriptions, listed);
    }

    /**
     * The subscriber object, with {@code lastSeen} as the text of {@code last_seen}. Depends on nothing but its
     * arguments; {@code now} only decides the management URL (see {@link #changesAfter}).
     */
    static ObjectNode subscriber(Inputs inputs, String lastSeen, ApiCaller caller, long now) {
        Customer customer = inputs.customer();
        Listing listing = listed(inputs.purchases());
        Map<String, GrantedEntitlement> promotional = new TreeMap<>();
        for (GrantedEntitlement grant : inputs.grants()) {
            promotional.merge(grant.productIdentifier(), grant, (a, b) -> FURTHEST_GRANT.compare(a, b) >= 0 ? a : b);
        }

        ObjectNode subscriber = Json.object();
        subscriber.set("entitlements", entitlements(inputs.keys(), listing.listed(), inputs.grants()));
        subscriber.put("first_seen", date(customer.firstSeen()));
        subscriber.put("last_seen", lastSeen);
        subscriber.put("management_url", managementUrl(listing.subscriptions().values(), caller,
                inputs.managementUrls(), now));
        ObjectNode nonSubs = subscriber.putObject("non_subscriptions");
        listing.nonSubscriptions().forEach((product, list) -> {
            ArrayNode array = nonSubs.putArray(product);
            list.stream().sorted(Comparator.comparing(Shown::purchasedAt)).forEach(s -> array.add(nonSubscription(s)));
        });
        subscriber.put("original_app_user_id", customer.originalAppUserId());
        subscriber.putNull("original_application_version");
        subscriber.putNull("original_purchase_date");
        subscriber.putObject("other_purchases");
        if (caller.secret()) {
            subscriber.set("subscriber_attributes", SubscriberAttributes.json(inputs.attributes()));
        }
        ObjectNode subs = subscriber.putObject("subscriptions");
        Map<String, ObjectNode> entries = new TreeMap<>();
        listing.subscriptions().forEach((product, s) -> entries.put(product, subscription(s)));
        promotional.forEach((product, grant) -> entries.put(product, promotionalSubscription(grant)));
        entries.forEach(subs::set);
        return subscriber;
    }

    /**
     * The first instant after {@code now} at which {@link #subscriber} may answer otherwise for the same inputs
     * ({@link Long#MAX_VALUE}: never): the end of a subscription that grants access now, when the management URL may
     * go. Nothing else in the object depends on the time.
     */
    static long changesAfter(Inputs inputs, long now) {
        long next = Long.MAX_VALUE;
        for (StoredPurchase p : inputs.purchases()) {
            Long expires = p.state().expiresAt();
            if (expires != null && expires > now) {
                next = Math.min(next, expires);
            }
        }
        return next;
    }

    /** A purchase as the SDK may see it: a product, a start, and for subscriptions an end. */
    private record Shown(StoredPurchase purchase, String productId, boolean subscription, long purchasedAt,
            Long expiresAt) {
        PurchaseState state() {
            return purchase.state();
        }
    }

    /** The grant ending last, then the newest. */
    private static final Comparator<GrantedEntitlement> FURTHEST_GRANT = Comparator
            .comparingLong(GrantedEntitlement::endsAt).thenComparingLong(GrantedEntitlement::startsAt);

    /** Furthest expiration first (null = lifetime = furthest), then the newest purchase. */
    private static final Comparator<Shown> FURTHEST = Comparator
            .comparing((Shown s) -> s.expiresAt() == null ? Long.MAX_VALUE : s.expiresAt())
            .thenComparing(Shown::purchasedAt);

    private static Optional<Shown> shown(StoredPurchase p) {
        PurchaseState s = p.state();
        if (s.productId() == null || s.status() == null || s.purchasedAt() == null) {
            return Optional.empty();
        }
        if (s.kind() == PurchaseState.Kind.ONE_TIME) {
            return "paid".equals(s.status()) && s.refundedAt() == null
                    ? Optional.of(new Shown(p, s.productId(), false, s.purchasedAt(), null)) : Optional.empty();
        }
        if (s.expiresAt() == null || s.status().startsWith("incomplete")) {
            return Optional.empty();
        }
        long expires = s.refundedAt() != null ? Math.min(s.expiresAt(), s.refundedAt()) : s.expiresAt();
        return Optional.of(new Shown(p, s.productId(), true, s.purchasedAt(), expires));
    }

    private static ObjectNode subscription(Shown shown) {
        PurchaseState s = shown.state();
        ObjectNode node = Json.object();
        node.putNull("auto_resume_date");
        putDate(node, "billing_issues_detected_at", s.billingIssuesDetectedAt());
        putDate(node, "expires_date", shown.expiresAt());
        // Stripe's retries are already inside expires_date; RevenueCat leaves this null for Stripe.
        node.putNull("grace_period_expires_date");
        node.put("is_sandbox", !s.livemode());
        putDate(node, "original_purchase_date", s.originalPurchasedAt() != null ? s.originalPurchasedAt() : s.purchasedAt());
        node.put("ownership_type", "PURCHASED");
        node.put("period_type", s.periodType() == null ? "normal" : s.periodType().name().toLowerCase(Locale.ROOT));
        node.set("price", price(s.periodType() == PurchaseState.PeriodType.TRIAL ? Long.valueOf(0) : s.priceAmountMinor(),
                s.currency()));
        putDate(node, "purchase_date", s.purchasedAt());
        putDate(node, "refunded_at", s.refundedAt());
        node.put("store", "stripe");
        // The same transaction id as the outgoing events: the latest invoice, or the subscription before any invoice.
        node.put("store_transaction_id", s.latestInvoiceId() != null ? s.latestInvoiceId() : shown.purchase().token());
        putDate(node, "unsubscribe_detected_at", s.unsubscribeDetectedAt());
        return node;
    }

    /** A granted entitlement as RevenueCat's promotional subscription. */
    private static ObjectNode promotionalSubscription(GrantedEntitlement grant) {
        ObjectNode node = Json.object();
        node.putNull("auto_resume_date");
        node.putNull("billing_issues_detected_at");
        putDate(node, "expires_date", grant.endsAt());
        node.putNull("grace_period_expires_date");
        node.put("is_sandbox", false);
        putDate(node, "original_purchase_date", grant.startsAt());
        node.put("ownership_type", "PURCHASED");
        node.put("period_type", "normal");
        node.set("price", price(0L, "USD"));
        putDate(node, "purchase_date", grant.startsAt());
        node.putNull("refunded_at");
        node.put("store", "promotional");
        node.put("store_transaction_id", grant.storeTransactionId());
        node.putNull("unsubscribe_detected_at");
        return node;
    }

    private static ObjectNode nonSubscription(Shown shown) {
        PurchaseState s = shown.state();
        ObjectNode node = Json.object();
        node.put("id", shown.purchase().id());
        node.put("is_sandbox", !s.livemode());
        putDate(node, "original_purchase_date", s.originalPurchasedAt() != null ? s.originalPurchasedAt() : s.purchasedAt());
        node.set("price", price(s.priceAmountMinor(), s.currency()));
        putDate(node, "purchase_date", s.purchasedAt());
        node.put("store", "stripe");
        node.put("store_transaction_id", s.paymentIntentId() != null ? s.paymentIntentId() : shown.purchase().token());
        return node;
    }

    /** What an entitlement shows: the product that gives it, from when, until when (null: for ever). */
    private record Access(String productId, long purchasedAt, Long expiresAt) {}

    /** Furthest expiration first (null = lifetime = furthest), then the newest. */
    private static final Comparator<Access> FURTHEST_ACCESS = Comparator
            .comparing((Access a) -> a.expiresAt() == null ? Long.MAX_VALUE : a.expiresAt())
            .thenComparing(Access::purchasedAt);

    /**
     * Each lookup key once: from the purchase or grant with the furthest expiration (RevenueCat's rule, granted
     * entitlements included); expired ones stay listed.
     */
    private static ObjectNode entitlements(Map<StoreProduct, List<String>> keys, List<Shown> listed,
            List<GrantedEntitlement> grants) {
        Map<String, Access> best = new TreeMap<>();
        for (Shown s : listed) {
            for (String key : keys.getOrDefault(new StoreProduct(s.purchase().appId(), s.productId()), List.of())) {
                best.merge(key, new Access(s.productId(), s.purchasedAt(), s.expiresAt()),
                        (a, b) -> FURTHEST_ACCESS.compare(a, b) >= 0 ? a : b);
            }
        }
        for (GrantedEntitlement grant : grants) {
            best.merge(grant.lookupKey(), new Access(grant.productIdentifier(), grant.startsAt(), grant.endsAt()),
                    (a, b) -> FURTHEST_ACCESS.compare(a, b) >= 0 ? a : b);
        }
        ObjectNode node = Json.object();
        best.forEach((key, access) -> {
            ObjectNode e = node.putObject(key);
            putDate(e, "expires_date", access.expiresAt());
            e.putNull("grace_period_expires_date");
            e.put("product_identifier", access.productId());
            putDate(e, "purchase_date", access.purchasedAt());
        });
        return node;
    }

    /**
     * The Stripe customer-portal URL of the app that sold an active subscription: the calling app's if it has one,
     * else the one whose subscription runs longest. Null without an active subscription (RevenueCat's rule).
     */
    private static String managementUrl(java.util.Collection<Shown> subscriptions, ApiCaller caller,
            Map<String, String> urls, long now) {
        return subscriptions.stream()
                .filter(s -> s.state().grantsAccess(now) && urls.get(s.purchase().appId()) != null)
                .max(Comparator.comparing((Shown s) -> caller.app() != null
                                && caller.app().id().equals(s.purchase().appId()))
                        .thenComparing(FURTHEST))
                .map(s -> urls.get(s.purchase().appId()))
                .orElse(null);
    }

    private static Map<String, String> managementUrls(Handle h, List<Shown> listed) {
        List<String> appIds = listed.stream().filter(Shown::subscription).map(s -> s.purchase().appId()).distinct().toList();
        return AppStore.managementUrls(h, appIds);
    }

    private static ObjectNode price(Long amountMinor, String currency) {
        if (amountMinor == null || currency == null) {
            return null;
        }
        String code = currency.toUpperCase(Locale.ROOT);
        ObjectNode price = Json.object();
        price.put("amount", UsdRates.toMajor(amountMinor, code).doubleValue());
        price.put("currency", code);
        return price;
    }

    private static void putDate(ObjectNode node, String field, Long epochMillis) {
        if (epochMillis == null) {
            node.putNull(field);
        } else {
            node.put(field, date(epochMillis));
        }
    }
}
