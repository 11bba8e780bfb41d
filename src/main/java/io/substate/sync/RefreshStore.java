package io.substate.sync;

import io.substate.storage.Dialect;
import io.substate.storage.Sql;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The refresh bookkeeping on {@code purchases}: which subscriptions are due, and the lease that keeps two instances
 * from reading the same one. Runs inside the caller's transaction, through {@link Sql}.
 */
final class RefreshStore {
    /** A purchase leased to this instance for one read. */
    record Claimed(String purchaseId, String appId, String token, int failures) {}

    private RefreshStore() {}

    /**
     * Leases up to {@code limit} due subscriptions of apps that have a Stripe API key. Due: not final, not leased, not
     * waiting after a failure, and untouched (by webhook, receipt or refresh) for the interval — or around their
     * expiry, untouched for the near interval or since the expiry passed. Rows another instance is claiming are
     * skipped on PostgreSQL, and SQLite has one writer.
     */
    static List<Claimed> claimDue(Handle h, Dialect dialect, RefreshSchedule schedule, long now, int limit,
            Set<String> pausedApps) {
        StringBuilder sql = new StringBuilder("SELECT id, app_id, store_token, refresh_failures FROM purchases "
                + "WHERE kind = 'subscription' AND status NOT IN ('canceled', 'incomplete_expired') "
                + "AND app_id IN (SELECT id FROM apps WHERE stripe_api_key IS NOT NULL) "
                + "AND (refresh_claimed_until IS NULL OR refresh_claimed_until < ?) "
                + "AND (refresh_retry_at IS NULL OR refresh_retry_at <= ?) "
                + "AND (updated_at <= ? OR (expires_at IS NOT NULL AND expires_at <= ? "
                + "AND expires_at >= ? AND (updated_at <= ? "
                + "OR (expires_at <= ? AND updated_at < expires_at))))");
        if (!pausedApps.isEmpty()) {
            sql.append(" AND app_id NOT IN (").append(Sql.marks(pausedApps.size())).append(")");
        }
        sql.append(" ORDER BY updated_at, id LIMIT ?").append(dialect.forUpdateSkipLocked());
        // With no paused app there is no NOT IN, and the empty set spreads to no parameter.
        List<Claimed> due = Sql.list(h, sql.toString(),
                rs -> new Claimed(rs.getString("id"), rs.getString("app_id"), rs.getString("store_token"),
                        rs.getInt("refresh_failures")),
                Sql.params(now, now, now - schedule.interval().toMillis(), now + schedule.soon().toMillis(),
                        now - schedule.pastExpiry().toMillis(), now - schedule.nearInterval().toMillis(), now,
                        pausedApps, limit));
        if (!due.isEmpty()) {
            Sql.update(h, "UPDATE purchases SET refresh_claimed_until = ? WHERE id IN (" + Sql.marks(due.size()) + ")",
                    Sql.params(now + schedule.lease().toMillis(), due.stream().map(Claimed::purchaseId).toList()));
        }
        return due;
    }

    /** A successful read: the lease and any failure streak end. */
    static void markRefreshed(Handle h, String purchaseId, long now) {
        Sql.update(h, "UPDATE purchases SET refreshed_at = ?, refresh_claimed_until = NULL, "
                + "refresh_retry_at = NULL, refresh_failures = 0 WHERE id = ?", now, purchaseId);
    }

    /** A failed read: wait until {@code retryAt} before the next one. */
    static void markFailed(Handle h, String purchaseId, long retryAt) {
        Sql.update(h, "UPDATE purchases SET refresh_claimed_until = NULL, refresh_retry_at = ?, "
                + "refresh_failures = refresh_failures + 1 WHERE id = ?", retryAt, purchaseId);
    }

    /** Gives a lease back unread (the app is paused, or this instance is stopping). */
    static void release(Handle h, List<String> purchaseIds) {
        if (purchaseIds.isEmpty()) {
            return;
        }
        Sql.update(h, "UPDATE purchases SET refresh_claimed_until = NULL WHERE id IN ("
                + Sql.marks(purchaseIds.size()) + ")", Sql.params(purchaseIds));
    }
}
