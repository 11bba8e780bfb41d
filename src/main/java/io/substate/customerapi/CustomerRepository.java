package io.substate.customerapi;

import io.substate.common.ApiException;
import io.substate.customers.Customer;
import io.substate.http.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The v2 customers list (admin reads): a project's customers by first seen, then id, paged after a customer's App
 * User ID, optionally only those a search term names. Every step is an index read (migration V16): the cursor through
 * {@code customer_aliases}' key, the page through {@code customers_by_project_first_seen_id}, and a search through
 * the alias key, {@code purchases_by_stripe_customer} and {@code customer_attributes_by_email}.
 */
final class CustomerRepository {
    private static final String COLUMNS = "c.id, c.project_id, c.original_app_user_id, c.first_seen, c.last_seen, "
            + "c.created_at";
    /** The customers a term names exactly: an App User ID or alias, a Stripe customer id, an email (any case). */
    private static final String SEARCH = " AND c.id IN (SELECT customer_id FROM customer_aliases "
            + "WHERE project_id = :project AND app_user_id = :search "
            + "UNION SELECT customer_id FROM purchases WHERE project_id = :project AND stripe_customer_id = :search "
            + "UNION SELECT customer_id FROM customer_attributes WHERE name = '$email' AND lower(value) = lower(:search))";

    private final Jdbi jdbi;

    CustomerRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Page<Customer> list(String projectId, String search, String startingAfter, int limit) {
        return jdbi.withHandle(h -> {
            record Cursor(long firstSeen, String id) {}
            Cursor cursor = null;
            if (startingAfter != null) {
                cursor = h.createQuery("SELECT c.first_seen, c.id FROM customer_aliases a "
                                + "JOIN customers c ON c.id = a.customer_id WHERE a.project_id = :project "
                                + "AND a.app_user_id = :after")
                        .bind("project", projectId).bind("after", startingAfter)
                        .map((rs, ctx) -> new Cursor(rs.getLong(1), rs.getString(2))).findOne()
                        .orElseThrow(() -> ApiException.invalid("Query parameter 'starting_after' names no customer "
                                + "of this project: '" + startingAfter + "'"));
            }
            String sql = "SELECT " + COLUMNS + " FROM customers c WHERE c.project_id = :project"
                    + (search != null ? SEARCH : "")
                    + (cursor != null ? " AND (c.first_seen, c.id) > (:seen, :id)" : "")
                    + " ORDER BY c.first_seen, c.id LIMIT :n";
            Query query = h.createQuery(sql).bind("project", projectId).bind("n", limit + 1);
            if (search != null) {
                query.bind("search", search);
            }
            if (cursor != null) {
                query.bind("seen", cursor.firstSeen()).bind("id", cursor.id());
            }
            List<Customer> rows = query.map(CustomerRepository::map).list();
            return Page.of(rows, limit);
        });
    }

    private static Customer map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Customer(rs.getString("id"), rs.getString("project_id"), rs.getString("original_app_user_id"),
                rs.getLong("first_seen"), rs.getLong("last_seen"), rs.getLong("created_at"));
    }
}
