package io.substate.customers;

import io.substate.customers.CustomerStore.PurchaseRef;
import io.substate.customers.CustomerStore.StoredAttribute;
import io.substate.customers.CustomerStore.SubscriberRows;
import io.substate.entitlements.GrantStore;
import io.substate.entitlements.GrantedEntitlement;
import io.substate.entitlements.StoreProduct;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * Subscriber reads without writes, answered from what was rendered before when nothing it was made of changed.
 *
 * <p>Every read asks the database first, in one statement ({@link CustomerStore#subscriberRows}): the customer, its
 * purchases' ids and revisions (a purchase's revision moves in the same UPDATE as its state), their apps' management
 * URLs and the lookup keys their products unlock; then the grants if the customer has any, and the attributes for
 * the secret key. When all of that equals what a kept rendering was made of, and no subscription it shows has
 * ended since (the management URL goes with it), the kept rendering is the answer: what would be rendered again is
 * the same. Otherwise the states are read and parsed, the object rendered and kept. So a read sees every write
 * committed before it started, through any instance sharing the database, with no invalidation to miss; what is
 * saved is the states' reading and parsing, the rendering and the entitlement and app reads.
 *
 * <p>Only committed data is kept: readings inside a write's transaction (X-Platform, a new customer) are rendered
 * but never kept, since a transaction rolled back could leave a revision to be used again by other content.
 */
final class SubscriberCache {
    /** Renderings kept (a few kilobytes each); past this, about a tenth is dropped. */
    static final int CAPACITY = 20_000;

    /** One rendering per customer and kind of caller: the app (management URL) or the secret key (attributes). */
    private record Key(String customerId, String appId, boolean secret) {}

    /** Everything a rendering is made of but the purchases' states, which their revisions stand for. */
    private record Made(String originalAppUserId, long firstSeen, List<PurchaseRef> purchases,
            List<GrantedEntitlement> grants, SortedMap<String, StoredAttribute> attributes) {}

    private record Kept(Made made, SubscriberJson json, long validUntil) {}

    /** A read's answer: the rendering, and the customer's {@code last_seen} to write into it. */
    record Read(SubscriberJson json, long lastSeen) {}

    private final Map<Key, Kept> kept = new ConcurrentHashMap<>();

    /** The subscriber object of the customer known by {@code appUserId}; empty when there is none. */
    Optional<Read> read(Handle h, ApiCaller caller, String appUserId, long now) {
        Optional<SubscriberRows> found = CustomerStore.subscriberRows(h, caller.projectId(), appUserId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SubscriberRows rows = found.get();
        Customer customer = rows.customer();
        List<GrantedEntitlement> grants = rows.grants() > 0 ? GrantStore.forCustomer(h, customer.id()) : List.of();
        SortedMap<String, StoredAttribute> attributes = caller.secret() ? CustomerStore.attributes(h, customer.id()) : null;
        Made made = new Made(customer.originalAppUserId(), customer.firstSeen(), rows.purchases(), grants, attributes);
        Key key = new Key(customer.id(), caller.app() == null ? null : caller.app().id(), caller.secret());
        Kept before = kept.get(key);
        if (before != null && now < before.validUntil() && before.made().equals(made)) {
            return Optional.of(new Read(before.json(), customer.lastSeen()));
        }

        List<PurchaseStore.Revised> revised = PurchaseStore.forCustomerRevised(h, customer.id());
        List<StoredPurchase> purchases = revised.stream().map(PurchaseStore.Revised::purchase).toList();
        SubscriberView.Inputs inputs;
        boolean keep = sameRevisions(revised, rows.purchases());
        if (keep) {
            Map<StoreProduct, List<String>> keys = new HashMap<>();
            Map<String, String> urls = new HashMap<>();
            for (PurchaseRef ref : rows.purchases()) {
                keys.put(new StoreProduct(ref.appId(), ref.productId()), ref.lookupKeys());
                urls.put(ref.appId(), ref.managementUrl());
            }
            inputs = new SubscriberView.Inputs(customer, purchases, keys, urls, grants, attributes);
        } else {
            // A write came between the two reads: render what the second saw, as a read without this class would.
            inputs = SubscriberView.load(h, customer, purchases, caller);
        }
        SubscriberJson json = SubscriberJson.of(SubscriberView.subscriber(inputs, SubscriberJson.LAST_SEEN_MARK, caller,
                now));
        if (keep) {
            if (kept.size() >= CAPACITY) {
                dropSome();
            }
            kept.put(key, new Kept(made, json, SubscriberView.changesAfter(inputs, now)));
        }
        return Optional.of(new Read(json, customer.lastSeen()));
    }

    /** Whether the states read are those of the revisions the first read saw (the same purchases, unchanged). */
    private static boolean sameRevisions(List<PurchaseStore.Revised> revised, List<PurchaseRef> refs) {
        if (revised.size() != refs.size()) {
            return false;
        }
        Map<String, Long> seen = new HashMap<>();
        refs.forEach(ref -> seen.put(ref.id(), ref.revision()));
        return revised.stream().allMatch(r -> Long.valueOf(r.revision()).equals(seen.get(r.purchase().id())));
    }

    private void dropSome() {
        int drop = CAPACITY / 10;
        for (Iterator<Key> it = kept.keySet().iterator(); it.hasNext() && drop > 0; drop--) {
            it.next();
            it.remove();
        }
    }
}
