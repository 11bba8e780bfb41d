package io.substate.entitlements;

import io.substate.storage.Dialect;
import io.substate.storage.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Granted entitlements ({@code granted_entitlements}) inside the caller's transaction. The customer's views read
 * them ({@code customers}, above this package), and the grant routes and the expiry worker write them.
 */
public final class GrantStore {
    private static final String COLUMNS = "g.id, g.project_id, g.customer_id, g.entitlement_id, e.lookup_key, "
            + "g.product_identifier, g.store_transaction_id, g.starts_at, g.expires_at, g.revoked_at, "
            + "g.expiration_sent, g.created_at";
    private static final String FROM = " FROM granted_entitlements g JOIN entitlements e ON e.id = g.entitlement_id";

    private GrantStore() {}

    public static void insert(Handle h, GrantedEntitlement grant) {
        Sql.update(h, "INSERT INTO granted_entitlements (id, project_id, customer_id, entitlement_id, product_identifier, "
                        + "store_transaction_id, starts_at, expires_at, revoked_at, expiration_sent, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                grant.id(), grant.projectId(), grant.customerId(), grant.entitlementId(), grant.productIdentifier(),
                grant.storeTransactionId(), grant.startsAt(), grant.expiresAt(), Sql.bigint(grant.revokedAt()),
                grant.expirationSent(), grant.createdAt());
    }

    /** Every grant of the customer, past ones included, oldest first. */
    public static List<GrantedEntitlement> forCustomer(Handle h, String customerId) {
        return Sql.list(h, "SELECT " + COLUMNS + FROM + " WHERE g.customer_id = ? ORDER BY g.starts_at, g.id",
                GrantStore::map, customerId);
    }

    /** The customer's grants of one entitlement that give access at {@code now}. */
    public static List<GrantedEntitlement> active(Handle h, String customerId, String entitlementId, long now) {
        return Sql.list(h, "SELECT " + COLUMNS + FROM + " WHERE g.customer_id = ? AND g.entitlement_id = ? "
                        + "AND g.revoked_at IS NULL AND g.expires_at > ? AND g.starts_at <= ? ORDER BY g.starts_at, g.id",
                GrantStore::map, customerId, entitlementId, now, now);
    }

    /**
     * Ends at {@code now} the customer's grants of one entitlement that give access; their CANCELLATION and EXPIRATION
     * are the caller's to write, in this transaction. A grant is changed only while not revoked and without its
     * EXPIRATION, so one the expiry worker just ended is left alone (PostgreSQL checks the condition again on a row it
     * waited for).
     *
     * @return the grants revoked
     */
    public static List<GrantedEntitlement> revokeActive(Handle h, String customerId, String entitlementId, long now) {
        return active(h, customerId, entitlementId, now).stream()
                .filter(g -> Sql.update(h, "UPDATE granted_entitlements SET revoked_at = ?, expiration_sent = TRUE "
                        + "WHERE id = ? AND revoked_at IS NULL AND expiration_sent = FALSE AND expires_at > ?",
                        now, g.id(), now) == 1)
                .map(g -> new GrantedEntitlement(g.id(), g.projectId(), g.customerId(), g.entitlementId(),
                        g.lookupKey(), g.productIdentifier(), g.storeTransactionId(), g.startsAt(), g.expiresAt(), now,
                        true, g.createdAt()))
                .toList();
    }

    /** Whether some grant ended at or before {@code now} without its EXPIRATION (a read: no write lock). */
    public static boolean anyEnded(Handle h, long now) {
        return Sql.first(h, "SELECT id FROM granted_entitlements WHERE expiration_sent = FALSE AND expires_at <= ? "
                + "LIMIT 1", rs -> true, now).isPresent();
    }

    /**
     * Up to {@code limit} grants that ended at or before {@code now} without their EXPIRATION, oldest end first, locked
     * for this transaction; another instance's worker skips them on PostgreSQL (SQLite has one writer).
     */
    public static List<GrantedEntitlement> lockEnded(Handle h, Dialect dialect, long now, int limit) {
        List<String> ids = Sql.list(h, "SELECT id FROM granted_entitlements WHERE expiration_sent = FALSE "
                        + "AND expires_at <= ? ORDER BY expires_at, id LIMIT ?" + dialect.forUpdateSkipLocked(),
                rs -> rs.getString(1), now, limit);
        if (ids.isEmpty()) {
            return List.of();
        }
        return Sql.list(h, "SELECT " + COLUMNS + FROM + " WHERE g.id IN (" + Sql.marks(ids.size()) + ") "
                + "ORDER BY g.expires_at, g.id", GrantStore::map, Sql.params(ids));
    }

    /** Records that the grant's EXPIRATION was written. */
    public static void markExpirationSent(Handle h, String grantId) {
        Sql.update(h, "UPDATE granted_entitlements SET expiration_sent = TRUE WHERE id = ?", grantId);
    }

    /** Gives one customer's grants to another (customers merged). */
    public static void moveToCustomer(Handle h, String fromCustomerId, String intoCustomerId) {
        Sql.update(h, "UPDATE granted_entitlements SET customer_id = ? WHERE customer_id = ?", intoCustomerId,
                fromCustomerId);
    }

    private static GrantedEntitlement map(ResultSet rs) throws SQLException {
        return new GrantedEntitlement(rs.getString("id"), rs.getString("project_id"), rs.getString("customer_id"),
                rs.getString("entitlement_id"), rs.getString("lookup_key"), rs.getString("product_identifier"),
                rs.getString("store_transaction_id"), rs.getLong("starts_at"), rs.getLong("expires_at"),
                Sql.nullableLong(rs, "revoked_at"), rs.getBoolean("expiration_sent"), rs.getLong("created_at"));
    }
}
