package io.substate.sync;

import io.substate.storage.Dialect;
import io.substate.storage.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The refresh bookkeeping on {@code purchases}: which subscriptions are due, and the lease that keeps two instances
 * from reading the same one. A subscription is due when it is not final, not leased, not waiting after a failure, and
 * untouched (by webhook, receipt or refresh) for the interval — or around its expiry, untouched for the near interval
 * or since the expiry passed.
 *
 * <p>Finding them is a read outside the group committer ({@link #dueCandidates}): per app with a Stripe API key, two
 * range reads of the partial indexes of V25__refresh_due_by_app.sql, so the cost follows the due rows, not every
 * subscription. Leasing them ({@link #claim}) is a write by id in the committer that checks the whole condition again,
 * so a purchase another instance leased or a webhook touched meanwhile is left alone.
 */
final class RefreshStore {
    /** A purchase leased to this instance for one read. */
    record Claimed(String purchaseId, String appId, String token, int failures) {}

    /** A purchase that looked due when read outside the committer. */
    record Candidate(String purchaseId, long updatedAt) {}

    /** Not final: the rows of both partial indexes, in the words of their WHERE, which the planners match. */
    static final String NOT_FINAL = "kind = 'subscription' AND status NOT IN ('canceled', 'incomplete_expired')";
    /** Not leased, and not waiting after a failure; parameters: now, now. */
    private static final String FREE = "(refresh_claimed_until IS NULL OR refresh_claimed_until < ?) "
            + "AND (refresh_retry_at IS NULL OR refresh_retry_at <= ?)";
    /** Around its expiry and untouched for the near interval or since the expiry passed; see {@link Cutoffs}. */
    private static final String AROUND_EXPIRY = "expires_at >= ? AND expires_at <= ? "
            + "AND (updated_at <= ? OR (expires_at <= ? AND updated_at < expires_at))";
    /** Untouched for the interval, least recently touched first. */
    static final String UNTOUCHED = "SELECT id, updated_at FROM purchases WHERE app_id = ? AND " + NOT_FINAL
            + " AND updated_at <= ? AND " + FREE + " ORDER BY updated_at, id LIMIT ?";
    /** Around the expiry, least recently touched first. */
    static final String EXPIRING = "SELECT id, updated_at FROM purchases WHERE app_id = ? AND " + NOT_FINAL
            + " AND " + AROUND_EXPIRY + " AND " + FREE + " ORDER BY updated_at, id LIMIT ?";

    /** The bounds of the due condition at one moment. */
    record Cutoffs(long now, long untouchedSince, long expiresFrom, long expiresTo, long nearSince) {
        static Cutoffs at(RefreshSchedule schedule, long now) {
            return new Cutoffs(now, now - schedule.interval().toMillis(), now - schedule.pastExpiry().toMillis(),
                    now + schedule.soon().toMillis(), now - schedule.nearInterval().toMillis());
        }

        Object[] untouched(String appId, int limit) {
            return Sql.params(appId, untouchedSince, now, now, limit);
        }

        Object[] expiring(String appId, int limit) {
            return Sql.params(appId, expiresFrom, expiresTo, nearSince, now, now, now, limit);
        }
    }

    private RefreshStore() {}

    /** The apps whose subscriptions are refreshed: those with a Stripe API key. They are few. */
    static List<String> keyedApps(Handle h) {
        return Sql.list(h, "SELECT id FROM apps WHERE stripe_api_key IS NOT NULL ORDER BY id", rs -> rs.getString("id"));
    }

    /**
     * Up to {@code limit} ids of due subscriptions of these apps, least recently touched first: what {@link #claim}
     * then tries to lease. A plain read, outside any write transaction; the claim checks each row again.
     */
    static List<String> dueCandidates(Handle h, Collection<String> appIds, Cutoffs at, int limit) {
        Map<String, Candidate> found = new HashMap<>();
        for (String appId : appIds) {
            for (Candidate c : Sql.list(h, UNTOUCHED, RefreshStore::candidate, at.untouched(appId, limit))) {
                found.putIfAbsent(c.purchaseId(), c);
            }
            for (Candidate c : Sql.list(h, EXPIRING, RefreshStore::candidate, at.expiring(appId, limit))) {
                found.putIfAbsent(c.purchaseId(), c);
            }
        }
        return found.values().stream()
                .sorted(Comparator.comparingLong(Candidate::updatedAt).thenComparing(Candidate::purchaseId))
                .limit(limit).map(Candidate::purchaseId).toList();
    }

    /**
     * Leases those of {@code ids} that are still due, in the order given. The UPDATE repeats the whole condition
     * (an app whose key was removed meanwhile is left out too), so two instances that read the same candidates lease
     * each once; rows another transaction holds are skipped on PostgreSQL rather than waited for, and SQLite has one
     * writer.
     */
    static List<Claimed> claim(Handle h, Dialect dialect, List<String> ids, Cutoffs at, long leaseUntil) {
        if (ids.isEmpty()) {
            return List.of();
        }
        String sql = "UPDATE purchases SET refresh_claimed_until = ? WHERE id IN (SELECT id FROM purchases "
                + "WHERE id IN (" + Sql.marks(ids.size()) + ") AND " + NOT_FINAL
                + " AND app_id IN (SELECT id FROM apps WHERE stripe_api_key IS NOT NULL) AND " + FREE
                + " AND (updated_at <= ? OR (" + AROUND_EXPIRY + "))" + dialect.forUpdateSkipLocked()
                + ") RETURNING id, app_id, store_token, refresh_failures";
        List<Claimed> claimed = Sql.list(h, sql,
                rs -> new Claimed(rs.getString("id"), rs.getString("app_id"), rs.getString("store_token"),
                        rs.getInt("refresh_failures")),
                Sql.params(leaseUntil, ids, at.now(), at.now(), at.untouchedSince(), at.expiresFrom(),
                        at.expiresTo(), at.nearSince(), at.now()));
        // RETURNING keeps no order: the least recently touched are read first, as selected.
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            order.put(ids.get(i), i);
        }
        return claimed.stream().sorted(Comparator.comparing(c -> order.get(c.purchaseId()))).toList();
    }

    private static Candidate candidate(ResultSet rs) throws SQLException {
        return new Candidate(rs.getString("id"), rs.getLong("updated_at"));
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
