package io.substate.customers;

import io.substate.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Customers, their aliases and event sequence numbers, inside a caller's transaction. Every App User ID a customer
 * was ever known by is a row in {@code customer_aliases}, the original one included, so a lookup by any id is one
 * primary-key read.
 */
public final class CustomerStore {
    private static final String COLUMNS = "c.id, c.project_id, c.original_app_user_id, c.first_seen, c.last_seen, c.created_at";

    private CustomerStore() {}

    public static Optional<Customer> findByAppUserId(Handle h, String projectId, String appUserId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM customer_aliases a JOIN customers c ON c.id = a.customer_id "
                        + "WHERE a.project_id = :project AND a.app_user_id = :id")
                .bind("project", projectId).bind("id", appUserId).map(CustomerStore::map).findOne();
    }

    public static Optional<Customer> findById(Handle h, String customerId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM customers c WHERE c.id = :id")
                .bind("id", customerId).map(CustomerStore::map).findOne();
    }

    /** The customer known by {@code appUserId}, created (with that id as its original) if there is none. */
    public static Customer findOrCreate(Handle h, String projectId, String appUserId, long nowMillis) {
        Optional<Customer> existing = findByAppUserId(h, projectId, appUserId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Customer customer = new Customer(Ids.customerId(), projectId, appUserId, nowMillis, nowMillis, nowMillis);
        h.createUpdate("INSERT INTO customers (id, project_id, original_app_user_id, first_seen, last_seen, created_at) "
                        + "VALUES (:id, :project, :original, :now, :now, :now)")
                .bind("id", customer.id()).bind("project", projectId).bind("original", appUserId).bind("now", nowMillis)
                .execute();
        addAlias(h, projectId, appUserId, customer.id(), nowMillis);
        return customer;
    }

    public static void addAlias(Handle h, String projectId, String appUserId, String customerId, long nowMillis) {
        h.createUpdate("INSERT INTO customer_aliases (project_id, app_user_id, customer_id, created_at) "
                        + "VALUES (:project, :id, :customer, :now)")
                .bind("project", projectId).bind("id", appUserId).bind("customer", customerId).bind("now", nowMillis)
                .execute();
    }

    /** Every App User ID of the customer, the original first. */
    public static List<String> aliases(Handle h, String customerId) {
        return h.createQuery("SELECT a.app_user_id FROM customer_aliases a JOIN customers c ON c.id = a.customer_id "
                        + "WHERE a.customer_id = :id ORDER BY CASE WHEN a.app_user_id = c.original_app_user_id THEN 0 ELSE 1 END, "
                        + "a.created_at, a.app_user_id")
                .bind("id", customerId).mapTo(String.class).list();
    }

    /** The next per-customer event sequence number (1, 2, 3…), so webhook consumers can order events. */
    public static long nextSequence(Handle h, String customerId) {
        return h.createQuery("UPDATE customers SET last_event_sequence = last_event_sequence + 1 WHERE id = :id "
                        + "RETURNING last_event_sequence")
                .bind("id", customerId).mapTo(Long.class).one();
    }

    private static Customer map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Customer(rs.getString("id"), rs.getString("project_id"), rs.getString("original_app_user_id"),
                rs.getLong("first_seen"), rs.getLong("last_seen"), rs.getLong("created_at"));
    }
}
