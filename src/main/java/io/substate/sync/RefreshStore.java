package io.substate.sync;

import io.substate.storage.Dialect;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The refresh bookkeeping on {@code purchases}: which subscriptions are due, and the lease that keeps two instances
 * from reading the same one. Runs inside the caller's transaction.
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
                + "AND (refresh_claimed_until IS NULL OR refresh_claimed_until < :now) "
                + "AND (refresh_retry_at IS NULL OR refresh_retry_at <= :now) "
                + "AND (updated_at <= :regularCutoff OR (expires_at IS NOT NULL AND expires_at <= :soonLimit "
                + "AND expires_at >= :pastLimit AND (updated_at <= :nearCutoff "
                + "OR (expires_at <= :now AND updated_at < expires_at))))");
        if (!pausedApps.isEmpty()) {
            sql.append(" AND app_id NOT IN (<paused>)");
        }
        sql.append(" ORDER BY updated_at, id LIMIT :limit").append(dialect.forUpdateSkipLocked());
        Query query = h.createQuery(sql.toString())
                .bind("now", now)
                .bind("regularCutoff", now - schedule.interval().toMillis())
                .bind("soonLimit", now + schedule.soon().toMillis())
                .bind("pastLimit", now - schedule.pastExpiry().toMillis())
                .bind("nearCutoff", now - schedule.nearInterval().toMillis())
                .bind("limit", limit);
        if (!pausedApps.isEmpty()) {
            query.bindList("paused", List.copyOf(pausedApps));
        }
        List<Claimed> due = query.map((rs, ctx) -> new Claimed(rs.getString("id"), rs.getString("app_id"),
                rs.getString("store_token"), rs.getInt("refresh_failures"))).list();
        if (!due.isEmpty()) {
            h.createUpdate("UPDATE purchases SET refresh_claimed_until = :until WHERE id IN (<ids>)")
                    .bind("until", now + schedule.lease().toMillis())
                    .bindList("ids", due.stream().map(Claimed::purchaseId).toList())
                    .execute();
        }
        return due;
    }

    /** A successful read: the lease and any failure streak end. */
    static void markRefreshed(Handle h, String purchaseId, long now) {
        h.createUpdate("UPDATE purchases SET refreshed_at = :now, refresh_claimed_until = NULL, "
                        + "refresh_retry_at = NULL, refresh_failures = 0 WHERE id = :id")
                .bind("now", now).bind("id", purchaseId).execute();
    }

    /** A failed read: wait until {@code retryAt} before the next one. */
    static void markFailed(Handle h, String purchaseId, long retryAt) {
        h.createUpdate("UPDATE purchases SET refresh_claimed_until = NULL, refresh_retry_at = :retry, "
                        + "refresh_failures = refresh_failures + 1 WHERE id = :id")
                .bind("retry", retryAt).bind("id", purchaseId).execute();
    }

    /** Gives a lease back unread (the app is paused, or this instance is stopping). */
    static void release(Handle h, List<String> purchaseIds) {
        if (purchaseIds.isEmpty()) {
            return;
        }
        h.createUpdate("UPDATE purchases SET refresh_claimed_until = NULL WHERE id IN (<ids>)")
                .bindList("ids", purchaseIds).execute();
    }
}
