package io.substate.entitlements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for products; every method runs on the caller's handle so services choose the transaction. */
final class ProductStore {
    static final String COLUMNS = "p.id, p.project_id, p.app_id, p.store_identifier, p.type, p.display_name, p.created_at";

    private ProductStore() {}

    static void insert(Handle handle, Product product) {
        handle.createUpdate("""
                        INSERT INTO products (id, project_id, app_id, store_identifier, type, display_name, created_at)
                        VALUES (:id, :projectId, :appId, :storeIdentifier, :type, :displayName, :createdAt)""")
                .bindMethods(product).bind("type", product.type().value()).execute();
    }

    static Optional<Product> find(Handle handle, String projectId, String id) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM products p WHERE p.id = :id AND p.project_id = :project")
                .bind("id", id).bind("project", projectId).map(ProductStore::map).findOne();
    }

    static boolean existsForApp(Handle handle, String appId, String storeIdentifier) {
        return handle.createQuery("SELECT COUNT(*) FROM products WHERE app_id = :app AND store_identifier = :store")
                .bind("app", appId).bind("store", storeIdentifier).mapTo(Long.class).one() > 0;
    }

    /** The products of the project among {@code ids}. */
    static List<Product> findAll(Handle handle, String projectId, Collection<String> ids) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM products p WHERE p.project_id = :project AND p.id IN (<ids>)")
                .bind("project", projectId).bindList("ids", List.copyOf(ids)).map(ProductStore::map).list();
    }

    /** Up to {@code limit + 1} products after {@code startingAfter}, oldest first, optionally of one app. */
    static List<Product> list(Handle handle, String projectId, String appId, String startingAfter, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM products p WHERE p.project_id = :project"
                + (appId != null ? " AND p.app_id = :app" : "")
                + (startingAfter != null
                        ? " AND (p.created_at, p.id) > (SELECT created_at, id FROM products WHERE id = :after)" : "")
                + " ORDER BY p.created_at, p.id LIMIT :n";
        var query = handle.createQuery(sql).bind("project", projectId).bind("n", limit + 1);
        if (appId != null) {
            query.bind("app", appId);
        }
        if (startingAfter != null) {
            query.bind("after", startingAfter);
        }
        return query.map(ProductStore::map).list();
    }

    /** Deletes the product and its attachments to entitlements. */
    static void delete(Handle handle, String id) {
        handle.createUpdate("DELETE FROM entitlement_products WHERE product_id = :id").bind("id", id).execute();
        handle.createUpdate("DELETE FROM products WHERE id = :id").bind("id", id).execute();
    }

    static Product map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Product(rs.getString("id"), rs.getString("project_id"), rs.getString("app_id"),
                rs.getString("store_identifier"), ProductType.of(rs.getString("type")), rs.getString("display_name"),
                rs.getLong("created_at"));
    }
}
