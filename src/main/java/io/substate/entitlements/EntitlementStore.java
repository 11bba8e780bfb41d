package io.substate.entitlements;

import io.substate.storage.Sql;
import io.substate.storage.WriteBehind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * SQL for entitlements and their attached products; every method runs on the caller's handle. Other packages use
 * the lookups of which entitlements a purchase's product unlocks ({@code entitlementsForProduct…}), inside their own
 * transactions.
 */
public final class EntitlementStore {
    private static final String COLUMNS = "id, project_id, lookup_key, display_name, created_at";

    private EntitlementStore() {}

    static void insert(Handle handle, Entitlement entitlement) {
        Sql.update(handle, "INSERT INTO entitlements (id, project_id, lookup_key, display_name, created_at) "
                        + "VALUES (?, ?, ?, ?, ?)",
                entitlement.id(), entitlement.projectId(), entitlement.lookupKey(), entitlement.displayName(),
                entitlement.createdAt());
    }

    static void update(Handle handle, Entitlement entitlement) {
        Sql.update(handle, "UPDATE entitlements SET lookup_key = ?, display_name = ? WHERE id = ?",
                entitlement.lookupKey(), entitlement.displayName(), entitlement.id());
    }

    static void delete(Handle handle, String id) {
        Sql.update(handle, "DELETE FROM entitlement_products WHERE entitlement_id = ?", id);
        Sql.update(handle, "DELETE FROM entitlements WHERE id = ?", id);
    }

    static boolean lookupKeyTaken(Handle handle, String projectId, String lookupKey, String exceptId) {
        return Sql.first(handle, "SELECT COUNT(*) FROM entitlements WHERE project_id = ? AND lookup_key = ? AND id <> ?",
                rs -> rs.getLong(1), projectId, lookupKey, exceptId == null ? "" : exceptId).orElseThrow() > 0;
    }

    /** The entitlement with its products, if it belongs to the project. */
    static Optional<Entitlement> find(Handle handle, String projectId, String id) {
        return Sql.first(handle, "SELECT " + COLUMNS + " FROM entitlements WHERE id = ? AND project_id = ?",
                        EntitlementStore::map, id, projectId)
                .map(e -> withProducts(handle, List.of(e)).get(0));
    }

    /** The project's entitlement with this lookup key, without its products (RevenueCat v1 names entitlements so). */
    public static Optional<Entitlement> findByLookupKey(Handle handle, String projectId, String lookupKey) {
        return Sql.first(handle, "SELECT " + COLUMNS + " FROM entitlements WHERE project_id = ? AND lookup_key = ?",
                EntitlementStore::map, projectId, lookupKey);
    }

    /** The project's entitlement with this id, without its products. */
    public static Optional<Entitlement> findWithoutProducts(Handle handle, String projectId, String id) {
        return Sql.first(handle, "SELECT " + COLUMNS + " FROM entitlements WHERE id = ? AND project_id = ?",
                EntitlementStore::map, id, projectId);
    }

    /** Up to {@code limit + 1} entitlements after {@code startingAfter}, oldest first, with their products. */
    static List<Entitlement> list(Handle handle, String projectId, String startingAfter, int limit) {
        List<Object> args = new ArrayList<>(List.of(projectId));
        String sql = "SELECT " + COLUMNS + " FROM entitlements WHERE project_id = ?";
        if (startingAfter != null) {
            sql += " AND (created_at, id) > (SELECT created_at, id FROM entitlements WHERE id = ?)";
            args.add(startingAfter);
        }
        sql += " ORDER BY created_at, id LIMIT ?";
        args.add(limit + 1);
        return withProducts(handle, Sql.list(handle, sql, EntitlementStore::map, args.toArray()));
    }

    static void attach(Handle handle, String entitlementId, Collection<String> productIds) {
        for (String productId : productIds) {
            Sql.update(handle, "INSERT INTO entitlement_products (entitlement_id, product_id) VALUES (?, ?) "
                    + "ON CONFLICT (entitlement_id, product_id) DO NOTHING", entitlementId, productId);
        }
    }

    /** Detaches the products from the entitlement (nothing for no products). */
    static void detach(Handle handle, String entitlementId, Collection<String> productIds) {
        if (productIds.isEmpty()) {
            return;
        }
        Sql.update(handle, "DELETE FROM entitlement_products WHERE entitlement_id = ? AND product_id IN ("
                + Sql.marks(productIds.size()) + ")", Sql.params(entitlementId, productIds));
    }

    /**
     * Lookup keys unlocked by one product of one app, in key order: what each outgoing event names (the webhook's
     * committer asks this in every batch).
     */
    public static List<String> entitlementsForProduct(Handle handle, String appId, String storeIdentifier) {
        // No held write (WriteBehind.later) touches these tables: the read need not send them.
        return List.copyOf(Sql.list(handle, WriteBehind.key("entitlement_products", appId, storeIdentifier),
                "SELECT e.lookup_key FROM products p "
                + "JOIN entitlement_products ep ON ep.product_id = p.id JOIN entitlements e ON e.id = ep.entitlement_id "
                + "WHERE p.app_id = ? AND p.store_identifier = ? ORDER BY e.lookup_key",
                rs -> rs.getString(1), appId, storeIdentifier));
    }

    /**
     * Which entitlement lookup keys each Stripe product ({@code prod_…}) of an app unlocks: store identifier → keys,
     * sorted; products without entitlements (or unknown to the app) map to an empty list.
     */
    public static Map<String, List<String>> entitlementsForProducts(Handle handle, String appId,
                                                                    Collection<String> storeIdentifiers) {
        List<StoreProduct> products = storeIdentifiers.stream().distinct().map(s -> new StoreProduct(appId, s)).toList();
        Map<String, List<String>> result = new LinkedHashMap<>();
        entitlementsForProducts(handle, products).forEach((product, keys) -> result.put(product.storeIdentifier(), keys));
        return result;
    }

    /**
     * Lookup keys unlocked by each of the given app products, in key order, in one query (a customer's purchases may
     * come from several apps of the project): what a customer's purchase list needs. Products without entitlements
     * map to an empty list.
     */
    public static Map<StoreProduct, List<String>> entitlementsForProducts(Handle handle,
                                                                         Collection<StoreProduct> products) {
        return unlocked(handle, products, "e.lookup_key");
    }

    /**
     * Entitlement ids ({@code entl…}) unlocked by each of the given app products, in id order: what RevenueCat v2's
     * customer answers name. Products without entitlements map to an empty list.
     */
    public static Map<StoreProduct, List<String>> entitlementIdsForProducts(Handle handle,
                                                                           Collection<StoreProduct> products) {
        return unlocked(handle, products, "e.id");
    }

    /** {@code column} (a column of the entitlement {@code e}) of the entitlements each product unlocks, sorted. */
    private static Map<StoreProduct, List<String>> unlocked(Handle handle, Collection<StoreProduct> products,
                                                            String column) {
        Map<StoreProduct, List<String>> result = new LinkedHashMap<>();
        products.forEach(p -> result.put(p, new ArrayList<>()));
        if (products.isEmpty()) {
            return result;
        }
        List<String> appIds = products.stream().map(StoreProduct::appId).distinct().toList();
        List<String> storeIds = products.stream().map(StoreProduct::storeIdentifier).distinct().toList();
        Sql.list(handle, "SELECT p.app_id, p.store_identifier, " + column + " FROM products p "
                        + "JOIN entitlement_products ep ON ep.product_id = p.id "
                        + "JOIN entitlements e ON e.id = ep.entitlement_id "
                        + "WHERE p.app_id IN (" + Sql.marks(appIds.size()) + ") "
                        + "AND p.store_identifier IN (" + Sql.marks(storeIds.size()) + ") ORDER BY " + column,
                        rs -> Map.entry(new StoreProduct(rs.getString(1), rs.getString(2)), rs.getString(3)),
                        Sql.params(appIds, storeIds))
                .forEach(row -> {
                    List<String> values = result.get(row.getKey());
                    // The IN lists form a cross product; pairs nobody asked for are dropped here.
                    if (values != null) {
                        values.add(row.getValue());
                    }
                });
        result.replaceAll((product, values) -> List.copyOf(values));
        return result;
    }

    private static List<Entitlement> withProducts(Handle handle, List<Entitlement> entitlements) {
        if (entitlements.isEmpty()) {
            return entitlements;
        }
        Map<String, List<Product>> byEntitlement = new LinkedHashMap<>();
        List<String> ids = entitlements.stream().map(Entitlement::id).toList();
        Sql.list(handle, "SELECT ep.entitlement_id, " + ProductStore.COLUMNS
                        + " FROM entitlement_products ep JOIN products p ON p.id = ep.product_id"
                        + " WHERE ep.entitlement_id IN (" + Sql.marks(ids.size()) + ") ORDER BY p.created_at, p.id",
                        rs -> Map.entry(rs.getString("entitlement_id"), ProductStore.map(rs)), Sql.params(ids))
                .forEach(row -> byEntitlement.computeIfAbsent(row.getKey(), k -> new ArrayList<>()).add(row.getValue()));
        return entitlements.stream().map(e -> new Entitlement(e.id(), e.projectId(), e.lookupKey(), e.displayName(),
                e.createdAt(), List.copyOf(byEntitlement.getOrDefault(e.id(), List.of())))).toList();
    }

    private static Entitlement map(ResultSet rs) throws SQLException {
        return new Entitlement(rs.getString("id"), rs.getString("project_id"), rs.getString("lookup_key"),
                rs.getString("display_name"), rs.getLong("created_at"), List.of());
    }
}
