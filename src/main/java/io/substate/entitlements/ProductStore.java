package io.substate.entitlements;

import io.substate.storage.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * SQL for products; every method runs on the caller's handle so services choose the transaction. Offerings read a
 * package's products through {@link #COLUMNS}, {@link #map} and the public lookups.
 */
public final class ProductStore {
    /** The columns {@link #map} reads, of {@code products} aliased {@code p}. */
    public static final String COLUMNS = "p.id, p.project_id, p.app_id, p.store_identifier, p.type, p.display_name, p.created_at";

    private ProductStore() {}

    static void insert(Handle h, Product product) {
        Sql.update(h, "INSERT INTO products (id, project_id, app_id, store_identifier, type, display_name, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                product.id(), product.projectId(), product.appId(), product.storeIdentifier(), product.type().value(),
                Sql.text(product.displayName()), product.createdAt());
    }

    static Optional<Product> find(Handle h, String projectId, String id) {
        return Sql.first(h, "SELECT " + COLUMNS + " FROM products p WHERE p.id = ? AND p.project_id = ?",
                ProductStore::map, id, projectId);
    }

    static boolean existsForApp(Handle h, String appId, String storeIdentifier) {
        return Sql.first(h, "SELECT COUNT(*) FROM products WHERE app_id = ? AND store_identifier = ?",
                rs -> rs.getLong(1), appId, storeIdentifier).orElseThrow() > 0;
    }

    /** The products of the project among {@code ids} (none for no ids). */
    public static List<Product> findAll(Handle h, String projectId, Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return Sql.list(h, "SELECT " + COLUMNS + " FROM products p WHERE p.project_id = ? AND p.id IN ("
                + Sql.marks(ids.size()) + ")", ProductStore::map, Sql.params(projectId, ids));
    }

    /** The app's products whose Stripe product id is among {@code storeIdentifiers} (none for no ids). */
    public static List<Product> findForApp(Handle h, String appId, Collection<String> storeIdentifiers) {
        if (storeIdentifiers.isEmpty()) {
            return List.of();
        }
        return Sql.list(h, "SELECT " + COLUMNS + " FROM products p WHERE p.app_id = ? AND p.store_identifier IN ("
                + Sql.marks(storeIdentifiers.size()) + ")", ProductStore::map, Sql.params(appId, storeIdentifiers));
    }

    /** Up to {@code limit + 1} products after {@code startingAfter}, oldest first, optionally of one app. */
    static List<Product> list(Handle h, String projectId, String appId, String startingAfter, int limit) {
        List<Object> args = new ArrayList<>(List.of(projectId));
        String sql = "SELECT " + COLUMNS + " FROM products p WHERE p.project_id = ?";
        if (appId != null) {
            sql += " AND p.app_id = ?";
            args.add(appId);
        }
        if (startingAfter != null) {
            sql += " AND (p.created_at, p.id) > (SELECT created_at, id FROM products WHERE id = ?)";
            args.add(startingAfter);
        }
        sql += " ORDER BY p.created_at, p.id LIMIT ?";
        args.add(limit + 1);
        return Sql.list(h, sql, ProductStore::map, args.toArray());
    }

    /** Deletes the product and its attachments to entitlements. */
    static void delete(Handle h, String id) {
        Sql.update(h, "DELETE FROM entitlement_products WHERE product_id = ?", id);
        Sql.update(h, "DELETE FROM products WHERE id = ?", id);
    }

    /** A row of {@link #COLUMNS}. */
    public static Product map(ResultSet rs) throws SQLException {
        return new Product(rs.getString("id"), rs.getString("project_id"), rs.getString("app_id"),
                rs.getString("store_identifier"), ProductType.of(rs.getString("type")), rs.getString("display_name"),
                rs.getLong("created_at"));
    }
}
