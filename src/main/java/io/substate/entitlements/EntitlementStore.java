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
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for entitlements and their attached products; every method runs on the caller's handle. */
final class EntitlementStore {
    private static final String COLUMNS = "id, project_id, lookup_key, display_name, created_at";

    private EntitlementStore() {}

    static void insert(Handle handle, Entitlement entitlement) {
        handle.createUpdate("""
                        INSERT INTO entitlements (id, project_id, lookup_key, display_name, created_at)
                        VALUES (:id, :projectId, :lookupKey, :displayName, :createdAt)""")
                .bindMethods(entitlement).execute();
    }

    static void update(Handle handle, Entitlement entitlement) {
        handle.createUpdate("UPDATE entitlements SET lookup_key = :lookupKey, display_name = :displayName WHERE id = :id")
                .bindMethods(entitlement).execute();
    }

    static void delete(Handle handle, String id) {
        handle.createUpdate("DELETE FROM entitlement_products WHERE entitlement_id = :id").bind("id", id).execute();
        handle.createUpdate("DELETE FROM entitlements WHERE id = :id").bind("id", id).execute();
    }

    static boolean lookupKeyTaken(Handle handle, String projectId, String lookupKey, String exceptId) {
        return handle.createQuery("""
                        SELECT COUNT(*) FROM entitlements
                        WHERE project_id = :project AND lookup_key = :key AND id <> :except""")
                .bind("project", projectId).bind("key", lookupKey).bind("except", exceptId == null ? "" : exceptId)
                .mapTo(Long.class).one() > 0;
    }

    /** The entitlement with its products, if it belongs to the project. */
    static Optional<Entitlement> find(Handle handle, String projectId, String id) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM entitlements WHERE id = :id AND project_id = :project")
                .bind("id", id).bind("project", projectId).map(EntitlementStore::map).findOne()
                .map(e -> withProducts(handle, List.of(e)).get(0));
    }

    /** Up to {@code limit + 1} entitlements after {@code startingAfter}, oldest first, with their products. */
    static List<Entitlement> list(Handle handle, String projectId, String startingAfter, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM entitlements WHERE project_id = :project"
                + (startingAfter != null
                        ? " AND (created_at, id) > (SELECT created_at, id FROM entitlements WHERE id = :after)" : "")
                + " ORDER BY created_at, id LIMIT :n";
        var query = handle.createQuery(sql).bind("project", projectId).bind("n", limit + 1);
        if (startingAfter != null) {
            query.bind("after", startingAfter);
        }
        return withProducts(handle, query.map(EntitlementStore::map).list());
    }

    static void attach(Handle handle, String entitlementId, Collection<String> productIds) {
        for (String productId : productIds) {
            handle.createUpdate("""
                            INSERT INTO entitlement_products (entitlement_id, product_id) VALUES (:e, :p)
                            ON CONFLICT (entitlement_id, product_id) DO NOTHING""")
                    .bind("e", entitlementId).bind("p", productId).execute();
        }
    }

    static void detach(Handle handle, String entitlementId, Collection<String> productIds) {
        handle.createUpdate("DELETE FROM entitlement_products WHERE entitlement_id = :e AND product_id IN (<ids>)")
                .bind("e", entitlementId).bindList("ids", List.copyOf(productIds)).execute();
    }

    /**
     * Lookup keys unlocked by one product of one app, in key order: what each outgoing event names. Plain JDBC with
     * a reusable statement ({@link Sql}), since the webhook's committer asks this in every batch.
     */
    static List<String> lookupKeysFor(Handle handle, String appId, String storeIdentifier) {
        // No held write (WriteBehind.later) touches these tables: the read need not send them.
        return Sql.list(handle, WriteBehind.key("entitlement_products", appId, storeIdentifier), "SELECT e.lookup_key FROM products p "
                + "JOIN entitlement_products ep ON ep.product_id = p.id JOIN entitlements e ON e.id = ep.entitlement_id "
                + "WHERE p.app_id = ? AND p.store_identifier = ? ORDER BY e.lookup_key",
                rs -> rs.getString(1), appId, storeIdentifier);
    }

    /**
     * Lookup keys unlocked by each of the given app products, in one query (a customer's purchases may come from
     * several apps of the project). Products without entitlements map to an empty list.
     */
    static Map<StoreProduct, List<String>> lookupKeysFor(Handle handle, Collection<StoreProduct> products) {
        Map<StoreProduct, List<String>> result = new LinkedHashMap<>();
        products.forEach(p -> result.put(p, new ArrayList<>()));
        if (products.isEmpty()) {
            return result;
        }
        List<String> appIds = products.stream().map(StoreProduct::appId).distinct().toList();
        List<String> storeIds = products.stream().map(StoreProduct::storeIdentifier).distinct().toList();
        handle.createQuery("""
                        SELECT p.app_id, p.store_identifier, e.lookup_key
                        FROM products p
                        JOIN entitlement_products ep ON ep.product_id = p.id
                        JOIN entitlements e ON e.id = ep.entitlement_id
                        WHERE p.app_id IN (<apps>) AND p.store_identifier IN (<stores>)
                        ORDER BY e.lookup_key""")
                .bindList("apps", appIds).bindList("stores", storeIds)
                .map((rs, ctx) -> new Object[] {new StoreProduct(rs.getString(1), rs.getString(2)), rs.getString(3)})
                .forEach(row -> {
                    List<String> keys = result.get((StoreProduct) row[0]);
                    // The IN lists form a cross product; pairs nobody asked for are dropped here.
                    if (keys != null) {
                        keys.add((String) row[1]);
                    }
                });
        return result;
    }

    private static List<Entitlement> withProducts(Handle handle, List<Entitlement> entitlements) {
        if (entitlements.isEmpty()) {
            return entitlements;
        }
        Map<String, List<Product>> byEntitlement = new LinkedHashMap<>();
        handle.createQuery("SELECT ep.entitlement_id, " + ProductStore.COLUMNS + """
                         FROM entitlement_products ep JOIN products p ON p.id = ep.product_id
                        WHERE ep.entitlement_id IN (<ids>) ORDER BY p.created_at, p.id""")
                .bindList("ids", entitlements.stream().map(Entitlement::id).toList())
                .map((rs, ctx) -> Map.entry(rs.getString("entitlement_id"), ProductStore.map(rs, ctx)))
                .forEach(row -> byEntitlement.computeIfAbsent(row.getKey(), k -> new ArrayList<>()).add(row.getValue()));
        return entitlements.stream().map(e -> new Entitlement(e.id(), e.projectId(), e.lookupKey(), e.displayName(),
                e.createdAt(), List.copyOf(byEntitlement.getOrDefault(e.id(), List.of())))).toList();
    }

    private static Entitlement map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Entitlement(rs.getString("id"), rs.getString("project_id"), rs.getString("lookup_key"),
                rs.getString("display_name"), rs.getLong("created_at"), List.of());
    }
}
