package io.substate.customers;

import io.substate.charts.ChartFactsStore;
import io.substate.entitlements.GrantStore;
import io.substate.storage.Ids;
import io.substate.storage.ReadAhead;
import io.substate.storage.Sql;
import io.substate.storage.WriteBehind;
import io.substate.storage.WriteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Customers, their aliases and event sequence numbers, inside a caller's transaction. Every App User ID a customer
 * was ever known by is a row in {@code customer_aliases}, the original one included, so a lookup by any id is one
 * primary-key read.
 */
public final class CustomerStore {
    private static final String COLUMNS = "c.id, c.project_id, c.original_app_user_id, c.first_seen, c.last_seen, c.created_at";

    private CustomerStore() {}

    /**
     * A batch's customers by App User ID, read at once on PostgreSQL ({@link ReadAhead}): a lookup is the project and
     * the App User ID.
     */
    public static final ReadAhead BY_APP_USER_ID_AHEAD = new ReadAhead("SELECT a.app_user_id, " + COLUMNS
            + " FROM customer_aliases a JOIN customers c ON c.id = a.customer_id "
            + "WHERE a.project_id = ? AND a.app_user_id = ANY (?)", CustomerStore::map, CustomerStore::aliasKey);

    public static Optional<Customer> findByAppUserId(Handle h, String projectId, String appUserId) {
        if (WriteBehind.own(h, new OwnAlias(projectId, appUserId)) instanceof Customer mine) {
            return Optional.of(mine);
        }
        WriteBehind.Key key = aliasKey(projectId, appUserId);
        return WriteBehind.readAheadOr(h, key, Customer.class, () -> Sql.first(h, key,
                "SELECT " + COLUMNS + " FROM customer_aliases a JOIN customers c ON c.id = a.customer_id "
                + "WHERE a.project_id = ? AND a.app_user_id = ?", CustomerStore::map, projectId, appUserId));
    }

    public static Optional<Customer> findById(Handle h, String customerId) {
        return Sql.first(h, rowKey(customerId), "SELECT " + COLUMNS + " FROM customers c WHERE c.id = ?",
                CustomerStore::map, customerId);
    }

    /** A customer with every App User ID of it: the original first, then the oldest first. */
    public record WithAliases(Customer customer, List<String> aliases) {}

    /** The customer and its App User IDs in one read (an outgoing event needs both). */
    public static Optional<WithAliases> findWithAliases(Handle h, String customerId) {
        if (WriteBehind.own(h, new OwnRow(customerId)) instanceof WithAliases mine) {
            return Optional.of(mine);
        }
        record Row(Customer customer, String alias, long createdAt) {}
        // Sorted here rather than by ORDER BY, which would make SQLite build a temporary B-tree for a row or two.
        List<Row> rows = new java.util.ArrayList<>(Sql.list(h, rowKey(customerId),
                "SELECT " + COLUMNS + ", a.app_user_id, a.created_at "
                + "FROM customers c LEFT JOIN customer_aliases a ON a.customer_id = c.id WHERE c.id = ?",
                rs -> new Row(map(rs), rs.getString(7), rs.getLong(8)), customerId));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Customer customer = rows.get(0).customer();
        rows.removeIf(row -> row.alias() == null);
        rows.sort(java.util.Comparator.comparing((Row row) -> !row.alias().equals(customer.originalAppUserId()))
                .thenComparingLong(Row::createdAt).thenComparing(Row::alias));
        return Optional.of(new WithAliases(customer, rows.stream().map(Row::alias).toList()));
    }

    /**
     * A purchase as a subscriber read first sees it, without its state: its revision (one more with every write of
     * the state), and what the subscriber JSON shows beside the state: the management URL of its app and the lookup
     * keys its product unlocks (sorted).
     */
    public record PurchaseRef(String id, long revision, String appId, String productId, String managementUrl,
            List<String> lookupKeys) {}

    /** The customer of an App User ID, how many grants it has, and its purchases by id ({@link PurchaseRef}). */
    public record SubscriberRows(Customer customer, long grants, List<PurchaseRef> purchases) {}

    /**
     * {@link SubscriberRows} in one statement (one snapshot): everything a subscriber read needs to know whether
     * what it rendered before still holds. Empty when no customer has that App User ID in the project.
     */
    public static Optional<SubscriberRows> subscriberRows(Handle h, String projectId, String appUserId) {
        record Row(Customer customer, long grants, String purchaseId, long revision, String appId, String productId,
                String managementUrl, String lookupKey) {}
        List<Row> rows = Sql.list(h, "SELECT c.id, c.project_id, c.original_app_user_id, c.first_seen, c.last_seen, "
                        + "c.created_at, (SELECT COUNT(*) FROM granted_entitlements g WHERE g.customer_id = c.id), "
                        + "p.id, p.revision, p.app_id, p.product_id, ap.management_url, e.lookup_key "
                        + "FROM customer_aliases a JOIN customers c ON c.id = a.customer_id "
                        + "LEFT JOIN purchases p ON p.customer_id = c.id "
                        + "LEFT JOIN apps ap ON ap.id = p.app_id "
                        + "LEFT JOIN products pr ON pr.app_id = p.app_id AND pr.store_identifier = p.product_id "
                        + "LEFT JOIN entitlement_products ep ON ep.product_id = pr.id "
                        + "LEFT JOIN entitlements e ON e.id = ep.entitlement_id "
                        + "WHERE a.project_id = ? AND a.app_user_id = ?",
                rs -> new Row(new Customer(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getLong(5), rs.getLong(6)), rs.getLong(7), rs.getString(8), rs.getLong(9),
                        rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13)),
                projectId, appUserId);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        // Grouped and sorted here (the join repeats a purchase per lookup key): equal rows make equal records.
        java.util.SortedMap<String, List<Row>> byPurchase = new java.util.TreeMap<>();
        for (Row row : rows) {
            if (row.purchaseId() != null) {
                byPurchase.computeIfAbsent(row.purchaseId(), k -> new java.util.ArrayList<>()).add(row);
            }
        }
        List<PurchaseRef> purchases = byPurchase.values().stream().map(same -> {
            Row first = same.get(0);
            List<String> keys = same.stream().map(Row::lookupKey).filter(java.util.Objects::nonNull).sorted().toList();
            return new PurchaseRef(first.purchaseId(), first.revision(), first.appId(), first.productId(),
                    first.managementUrl(), keys);
        }).toList();
        return Optional.of(new SubscriberRows(rows.get(0).customer(), rows.get(0).grants(), purchases));
    }

    /** The customer known by {@code appUserId}, created (with that id as its original) if there is none. */
    public static Customer findOrCreate(Handle h, String projectId, String appUserId, long nowMillis) {
        Optional<Customer> existing = findByAppUserId(h, projectId, appUserId);
        if (existing.isPresent()) {
            return existing.get();
        }
        return create(h, projectId, appUserId, nowMillis);
    }

    /** A new customer whose original App User ID is {@code appUserId} (which must not be taken). */
    public static Customer create(Handle h, String projectId, String appUserId, long nowMillis) {
        Customer customer = new Customer(Ids.customerId(), projectId, appUserId, nowMillis, nowMillis, nowMillis);
        WriteBehind.later(h, WriteOrder.CUSTOMER_INSERT, List.of(rowKey(customer.id())),
                "INSERT INTO customers (id, project_id, original_app_user_id, first_seen, last_seen, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)", customer.id(), projectId, appUserId, nowMillis, nowMillis, nowMillis);
        addAlias(h, projectId, appUserId, customer.id(), nowMillis);
        // Inserted with last_event_sequence 0 and invisible to other transactions until this one commits.
        WriteBehind.own(h, new LastSequence(customer.id()), 0L);
        WriteBehind.own(h, new OwnRow(customer.id()), new WithAliases(customer, List.of(appUserId)));
        WriteBehind.own(h, new OwnAlias(projectId, appUserId), customer);
        return customer;
    }

    public static void addAlias(Handle h, String projectId, String appUserId, String customerId, long nowMillis) {
        WriteBehind.later(h, WriteOrder.CUSTOMER_ALIAS_INSERT, List.of(aliasKey(projectId, appUserId), rowKey(customerId)),
                "INSERT INTO customer_aliases (project_id, app_user_id, customer_id, created_at) VALUES (?, ?, ?, ?)",
                projectId, appUserId, customerId, nowMillis);
        WriteBehind.own(h, new OwnRow(customerId), null); // its aliases changed
        WriteBehind.own(h, new OwnAlias(projectId, appUserId), null);
    }

    /**
     * A customer this transaction created, with its aliases, and the customer of one of its App User IDs: other
     * transactions cannot see it, let alone change it, before this one commits ({@link WriteBehind#own}).
     */
    private record OwnRow(String customerId) {}

    private record OwnAlias(String projectId, String appUserId) {}

    /** The customer's row (and its aliases' rows), for reads and held writes ({@link WriteBehind#later}). */
    private static WriteBehind.Key rowKey(String customerId) {
        return WriteBehind.key("customers", customerId);
    }

    private static WriteBehind.Key aliasKey(String projectId, String appUserId) {
        return WriteBehind.key("customer_aliases", projectId, appUserId);
    }

    /** Every App User ID of the customer, the original first (ordered as by {@link #findWithAliases}). */
    public static List<String> aliases(Handle h, String customerId) {
        return findWithAliases(h, customerId).map(WithAliases::aliases).orElse(List.of());
    }

    /** One App User ID of a customer, and when the customer became known by it. */
    public record Alias(String appUserId, long createdAt) {}

    /** Every App User ID of the customer with its creation time: the original first, then the oldest first. */
    public static List<Alias> aliasesWithDates(Handle h, String customerId, String originalAppUserId) {
        List<Alias> aliases = new java.util.ArrayList<>(Sql.list(h, "SELECT app_user_id, created_at FROM "
                + "customer_aliases WHERE customer_id = ?", rs -> new Alias(rs.getString(1), rs.getLong(2)), customerId));
        aliases.sort(java.util.Comparator.comparing((Alias a) -> !a.appUserId().equals(originalAppUserId))
                .thenComparingLong(Alias::createdAt).thenComparing(Alias::appUserId));
        return aliases;
    }

    /** The next per-customer event sequence number (1, 2, 3…), so webhook consumers can order events. */
    public static long nextSequence(Handle h, String customerId) {
        LastSequence name = new LastSequence(customerId);
        // Where writes are held, a number this transaction already took (or a customer it created) is counted on
        // from memory: the row is locked by the first UPDATE (or unseen by others) until the commit.
        Object own = WriteBehind.own(h, name);
        long next;
        if (own instanceof Long last) {
            next = last + 1;
            WriteBehind.later(h, WriteOrder.CUSTOMER_SEQUENCE, List.of(rowKey(customerId)),
                    "UPDATE customers SET last_event_sequence = ? WHERE id = ?", next, customerId);
        } else {
            next = Sql.first(h, rowKey(customerId), "UPDATE customers SET last_event_sequence = last_event_sequence + 1 "
                    + "WHERE id = ? RETURNING last_event_sequence", rs -> rs.getLong(1), customerId).orElseThrow();
        }
        WriteBehind.own(h, name, next);
        return next;
    }

    /** The customer's last event sequence number, as this transaction wrote it: see {@link WriteBehind#own}. */
    private record LastSequence(String customerId) {}

    /**
     * Locks the customer's row until this transaction ends, so that a check of its state and the write that follows
     * are not raced by another transaction (SQLite has one writer; PostgreSQL waits here).
     */
    public static void lock(Handle h, String customerId) {
        Sql.update(h, "UPDATE customers SET last_seen = last_seen WHERE id = ?", customerId);
    }

    /** Records that the customer's app was just used (RevenueCat updates {@code last_seen} when X-Platform is sent). */
    public static Customer touch(Handle h, Customer customer, long nowMillis) {
        if (nowMillis <= customer.lastSeen()) {
            return customer;
        }
        Sql.update(h, "UPDATE customers SET last_seen = ? WHERE id = ? AND last_seen < ?", nowMillis, customer.id(),
                nowMillis);
        return new Customer(customer.id(), customer.projectId(), customer.originalAppUserId(), customer.firstSeen(),
                nowMillis, customer.createdAt());
    }

    /** Whether every App User ID of the customer is anonymous ({@code $RCAnonymousID:…}): nobody identified owns it. */
    public static boolean isAnonymous(Handle h, String customerId) {
        return Sql.first(h, "SELECT COUNT(*) FROM customer_aliases WHERE customer_id = ? "
                        + "AND app_user_id NOT LIKE '" + AppUserIds.ANONYMOUS_PREFIX + "%'",
                rs -> rs.getLong(1), customerId).orElseThrow() == 0;
    }

    /** Whether one of the customer's App User IDs is anonymous (RevenueCat's logIn then switches instead of merging). */
    public static boolean hasAnonymousAlias(Handle h, String customerId) {
        return Sql.first(h, "SELECT COUNT(*) FROM customer_aliases WHERE customer_id = ? "
                        + "AND app_user_id LIKE '" + AppUserIds.ANONYMOUS_PREFIX + "%'",
                rs -> rs.getLong(1), customerId).orElseThrow() > 0;
    }

    /**
     * Deletes the customer with its aliases and attributes (and, by the schema's cascade, its granted entitlements).
     * Its purchases stay (charts keep their history) without an owner; posting their token again gives them to
     * whoever posts it.
     */
    public static void delete(Handle h, String customerId) {
        ChartFactsStore.ownerDeleted(h, customerId);
        Sql.update(h, "UPDATE purchases SET customer_id = NULL WHERE customer_id = ?", customerId);
        Sql.update(h, "DELETE FROM customer_attributes WHERE customer_id = ?", customerId);
        Sql.update(h, "DELETE FROM customer_aliases WHERE customer_id = ?", customerId);
        Sql.update(h, "DELETE FROM customers WHERE id = ?", customerId);
    }

    /**
     * Merges two customers into one (RevenueCat's aliasing). The one first seen earlier survives, so its
     * {@code original_app_user_id} stays the first id the customer was known by; the other's App User IDs, purchases,
     * newer attributes and event history move to it, and the other is deleted.
     *
     * @return the surviving customer
     */
    public static Customer merge(Handle h, Customer a, Customer b) {
        if (a.id().equals(b.id())) {
            return a;
        }
        boolean aFirst = a.firstSeen() != b.firstSeen() ? a.firstSeen() < b.firstSeen()
                : a.createdAt() != b.createdAt() ? a.createdAt() < b.createdAt() : a.id().compareTo(b.id()) < 0;
        Customer into = aFirst ? a : b;
        Customer from = aFirst ? b : a;
        Sql.update(h, "UPDATE customer_aliases SET customer_id = ? WHERE customer_id = ?", into.id(), from.id());
        Sql.update(h, "UPDATE purchases SET customer_id = ? WHERE customer_id = ?", into.id(), from.id());
        ChartFactsStore.matchResubscriptions(h, into.id()); // churn: one customer's subscriptions now
        ChartFactsStore.ownerMerged(h, from.id(), into.id()); // cohorts: the survivor's first_seen
        GrantStore.moveToCustomer(h, from.id(), into.id()); // before the delete below, which would cascade to them
        Sql.update(h, "UPDATE outgoing_events SET customer_id = ? WHERE customer_id = ?", into.id(), from.id());
        java.util.Map<String, StoredAttribute> kept = attributes(h, into.id());
        attributes(h, from.id()).forEach((name, attribute) -> {
            StoredAttribute mine = kept.get(name);
            if (mine == null || mine.updatedAtMs() < attribute.updatedAtMs()) {
                putAttribute(h, into.id(), name, attribute.value(), attribute.updatedAtMs());
            }
        });
        // Sequence numbers keep growing past both histories, so consumers can still order the merged events.
        Sql.update(h, "UPDATE customers SET last_event_sequence = (SELECT MAX(last_event_sequence) FROM customers "
                        + "WHERE id IN (?, ?)), last_seen = (SELECT MAX(last_seen) FROM customers "
                        + "WHERE id IN (?, ?)) WHERE id = ?",
                into.id(), from.id(), into.id(), from.id(), into.id());
        Sql.update(h, "DELETE FROM customer_attributes WHERE customer_id = ?", from.id());
        Sql.update(h, "DELETE FROM customers WHERE id = ?", from.id());
        return findById(h, into.id()).orElseThrow();
    }

    /** An attribute as stored. */
    public record StoredAttribute(String value, long updatedAtMs) {}

    /** The customer's attributes by name, sorted. */
    public static java.util.SortedMap<String, StoredAttribute> attributes(Handle h, String customerId) {
        java.util.SortedMap<String, StoredAttribute> result = new java.util.TreeMap<>();
        Sql.list(h, "SELECT name, value, updated_at_ms FROM customer_attributes WHERE customer_id = ?",
                        rs -> java.util.Map.entry(rs.getString("name"),
                                new StoredAttribute(rs.getString("value"), rs.getLong("updated_at_ms"))), customerId)
                .forEach(e -> result.put(e.getKey(), e.getValue()));
        return result;
    }

    /** The attributes of each of these customers by name, sorted (customers without any are absent): one read. */
    public static java.util.Map<String, java.util.SortedMap<String, StoredAttribute>> attributes(Handle h,
            java.util.Collection<String> customerIds) {
        java.util.Map<String, java.util.SortedMap<String, StoredAttribute>> result = new java.util.HashMap<>();
        if (customerIds.isEmpty()) {
            return result;
        }
        Sql.list(h, "SELECT customer_id, name, value, updated_at_ms FROM customer_attributes WHERE customer_id IN ("
                        + Sql.marks(customerIds.size()) + ")",
                        rs -> {
                            result.computeIfAbsent(rs.getString("customer_id"), id -> new java.util.TreeMap<>())
                                    .put(rs.getString("name"),
                                            new StoredAttribute(rs.getString("value"), rs.getLong("updated_at_ms")));
                            return Boolean.TRUE;
                        }, Sql.params(customerIds));
        return result;
    }

    public static void putAttribute(Handle h, String customerId, String name, String value, long updatedAtMs) {
        Sql.update(h, "INSERT INTO customer_attributes (customer_id, name, value, updated_at_ms) "
                        + "VALUES (?, ?, ?, ?) ON CONFLICT (customer_id, name) "
                        + "DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms",
                customerId, name, value, updatedAtMs);
    }

    public static void deleteAttribute(Handle h, String customerId, String name) {
        Sql.update(h, "DELETE FROM customer_attributes WHERE customer_id = ? AND name = ?", customerId, name);
    }

    private static Customer map(ResultSet rs) throws SQLException {
        return new Customer(rs.getString("id"), rs.getString("project_id"), rs.getString("original_app_user_id"),
                rs.getLong("first_seen"), rs.getLong("last_seen"), rs.getLong("created_at"));
    }
}
