package io.substate.delivery;

import io.substate.storage.Dialect;
import io.substate.storage.Ids;
import io.substate.storage.SecretBox;
import io.substate.storage.Sql;
import io.substate.storage.TransactionMemo;
import io.substate.storage.WriteBehind;
import io.substate.storage.WriteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The {@code deliveries} table as a durable queue: rows are created with their event (same transaction), claimed by a
 * worker with a lease, and settled with one attempt row per try. A claim is a lease, not a lock held across the HTTP
 * call: if an instance dies mid-delivery, its lease runs out and another worker (or the restarted one) sends again,
 * which makes delivery at-least-once across crashes. Claims use {@code FOR UPDATE SKIP LOCKED} on PostgreSQL, so
 * instances never claim the same due attempt.
 */
public final class DeliveryStore {
    private DeliveryStore() {}

    /** A claimed (or handed-over) delivery with everything needed to send it, and until when it is leased. */
    record Claimed(String id, String eventId, String eventType, String payload, String customerId, int attemptCount,
            WebhookIntegration integration, long leasedUntil) {}

    /**
     * One pending delivery per integration of the project that wants this event (environment, app and type filters;
     * null means "all"; an event about no app, a granted entitlement's, goes to the integrations for all apps), due
     * now. One statement whatever the number of integrations; the ids are a random per-event
     * prefix plus the integration id, so they are unique without a round trip per row, and known without reading them
     * back. While this instance's worker has room, they are leased to it and handed over after the commit
     * ({@link DeliveryHandoff}); otherwise any worker's claim takes them.
     */
    static void enqueueForIntegrations(Handle h, String eventId, String projectId, String appId, String environment,
            String eventType, long nowMillis) {
        // Most projects have few integrations and many have none: read them once per transaction. Both statements
        // are plain JDBC (Sql): they run in the webhook's committer, where jdbi's per-statement preparation cost more
        // than the query.
        List<String> integrations = TransactionMemo.get(h, new IntegrationsOf(projectId), () -> Sql.list(h,
                WriteBehind.key("webhook_integrations", projectId),
                "SELECT id FROM webhook_integrations WHERE project_id = ?", rs -> rs.getString("id"), projectId));
        if (integrations.isEmpty()) {
            return;
        }
        String prefix = Ids.random("dlv", 12);
        // Leased to this instance's worker at once when it has room for them (not for an integration at its limit of
        // attempts awaiting an answer), and handed to it after the commit. Which integrations' rows are leased is one
        // parameter (",id,id,", matched with LIKE: ids are alphanumeric), so the statement's text never changes and
        // every webhook's INSERT joins one batch.
        Optional<DeliveryHandoff> handoff = DeliveryHandoff.accepting(h);
        List<String> leased = handoff.map(one -> one.taking(integrations)).orElse(List.of());
        String leasedIds = leased.isEmpty() ? null : "," + String.join(",", leased) + ",";
        // Held like the event itself (WriteBehind.later): whether an integration takes this event type is left to the
        // INSERT's own filter, so some of the ids handed off may not exist.
        WriteBehind.later(h, WriteOrder.DELIVERY_INSERT, List.of(), "INSERT INTO deliveries (id, outgoing_event_id, "
                        + "integration_id, status, attempt_count, next_attempt_at, claimed_by, claimed_until, "
                        + "created_at, updated_at) "
                        + "SELECT ? || i.id, ?, i.id, 'pending', 0, ?, "
                        + "CASE WHEN ? LIKE '%,' || i.id || ',%' THEN ? END, "
                        + "CASE WHEN ? LIKE '%,' || i.id || ',%' THEN ? END, ?, ? FROM webhook_integrations i "
                        + "WHERE i.project_id = ? AND (i.environment IS NULL OR i.environment = ?) "
                        + "AND (i.app_id IS NULL OR i.app_id = ?) "
                        + "AND (i.event_types IS NULL OR i.event_types LIKE ?)",
                prefix, eventId, nowMillis,
                Sql.text(leasedIds), Sql.text(leased.isEmpty() ? null : handoff.get().workerId()),
                Sql.text(leasedIds), Sql.bigint(leased.isEmpty() ? null : handoff.get().leaseUntil(nowMillis)),
                nowMillis, nowMillis, projectId, environment.toLowerCase(java.util.Locale.ROOT), Sql.text(appId),
                "%\"" + EventTypes.filterName(eventType) + "\"%");
        if (!leased.isEmpty()) {
            List<String> ids = leased.stream().map(integration -> prefix + integration).toList();
            h.afterCommit(() -> handoff.get().offer(ids));
        }
        if (handoff.isEmpty()) {
            h.afterCommit(DeliveryWakeup::signal);
        } // Else those left unleased are a full integration's: a claim skips them until the worker signals its room.
    }

    private record IntegrationsOf(String projectId) {}

    /** One pending delivery of the event to one integration, due now (the TEST event). */
    static String enqueue(Handle h, String eventId, String integrationId, long nowMillis) {
        String id = Ids.random("dlv", 24);
        Sql.update(h, "INSERT INTO deliveries (id, outgoing_event_id, integration_id, status, attempt_count, "
                        + "next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)",
                id, eventId, integrationId, nowMillis, nowMillis, nowMillis);
        h.afterCommit(DeliveryWakeup::signal);
        return id;
    }

    /** A due delivery a claim may take, and whose it is. */
    record Due(String id, String integrationId) {}

    /** One attempt's outcome, to be recorded by {@link #settle}. */
    record Settlement(String deliveryId, HttpPoster.Result result, long attemptedAt, Long nextRetryAt) {}

    /**
     * Whether any delivery is due now, other than those of {@code skipped} integrations (a read, so idle polling never
     * takes SQLite's write lock).
     */
    static boolean anyDue(Handle h, long nowMillis, Collection<String> skipped) {
        return Sql.first(h, "SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
                + "AND (claimed_until IS NULL OR claimed_until < ?)" + notIn(skipped) + " LIMIT 1", rs -> true,
                Sql.params(nowMillis, nowMillis, skipped)).isPresent();
    }

    /**
     * Up to {@code max} due deliveries, oldest due first, other than those of {@code skipped} integrations (the ones
     * with as many attempts in flight as they may have); locked on PostgreSQL, so instances never take the same one.
     */
    static List<Due> due(Handle h, Dialect dialect, int max, long nowMillis, Collection<String> skipped) {
        return Sql.list(h, "SELECT id, integration_id FROM deliveries WHERE status = 'pending' "
                        + "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)" + notIn(skipped)
                        + " ORDER BY next_attempt_at LIMIT ?" + dialect.forUpdateSkipLocked(),
                rs -> new Due(rs.getString("id"), rs.getString("integration_id")),
                Sql.params(nowMillis, nowMillis, skipped, max));
    }

    private static String notIn(Collection<String> skipped) {
        return skipped.isEmpty() ? "" : " AND integration_id NOT IN (" + Sql.marks(skipped.size()) + ")";
    }

    /**
     * Leases these deliveries to {@code worker} until {@code leaseUntil}, each only if it is still due and unleased;
     * returns those it leased. One statement text whatever the number, as one JDBC batch.
     */
    static List<Due> claim(Handle h, String worker, List<Due> due, long nowMillis, long leaseUntil) {
        List<Object[]> rows = new ArrayList<>(due.size());
        for (Due one : due) {
            rows.add(new Object[] {worker, leaseUntil, one.id(), nowMillis});
        }
        int[] counts = Sql.batch(h, "UPDATE deliveries SET claimed_by = ?, claimed_until = ? WHERE id = ? "
                + "AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?)", rows);
        List<Due> claimed = new ArrayList<>(due.size());
        for (int i = 0; i < due.size(); i++) {
            if (counts[i] != 0) {
                claimed.add(due.get(i));
            }
        }
        return claimed;
    }

    /**
     * The claimed deliveries with their event and integration (each integration read and its secrets opened once),
     * in two reads.
     */
    static List<Claimed> load(Handle h, List<String> ids) {
        return ids.isEmpty() ? List.of() : load(h, "d.id IN (" + Sql.marks(ids.size()) + ")", Sql.params(ids));
    }

    /** Those of these handed-off deliveries that are still pending and leased to {@code worker}, as {@link #load}. */
    static List<Claimed> loadLeased(Handle h, String worker, List<String> ids) {
        return ids.isEmpty() ? List.of() : load(h, "d.id IN (" + Sql.marks(ids.size()) + ") AND d.status = 'pending' "
                + "AND d.claimed_by = ?", Sql.params(ids, worker));
    }

    private static List<Claimed> load(Handle h, String which, Object[] params) {
        record Row(String id, int attemptCount, String integrationId, String eventId, String eventType, String payload,
                String customerId, long leasedUntil) {}
        List<Row> rows = Sql.list(h, "SELECT d.id AS delivery_id, d.attempt_count, d.integration_id, d.claimed_until, "
                        + "e.id AS event_id, e.type AS event_type, e.payload, e.customer_id FROM deliveries d "
                        + "JOIN outgoing_events e ON e.id = d.outgoing_event_id WHERE " + which,
                rs -> new Row(rs.getString("delivery_id"), rs.getInt("attempt_count"), rs.getString("integration_id"),
                        rs.getString("event_id"), rs.getString("event_type"), rs.getString("payload"),
                        rs.getString("customer_id"), rs.getLong("claimed_until")),
                params);
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> integrationIds = rows.stream().map(Row::integrationId).distinct().toList();
        SecretBox box = SecretBox.of(h);
        Map<String, WebhookIntegration> integrations = new HashMap<>();
        Sql.list(h, "SELECT " + IntegrationRepository.COLUMNS + " FROM webhook_integrations WHERE id IN ("
                        + Sql.marks(integrationIds.size()) + ")", rs -> IntegrationRepository.map(rs, box),
                Sql.params(integrationIds)).forEach(i -> integrations.put(i.id(), i));
        List<Claimed> claimed = new ArrayList<>(rows.size());
        for (Row row : rows) {
            WebhookIntegration integration = integrations.get(row.integrationId());
            if (integration != null) { // Deleted meanwhile, with its deliveries.
                claimed.add(new Claimed(row.id(), row.eventId(), row.eventType(), row.payload(), row.customerId(),
                        row.attemptCount(), integration, row.leasedUntil()));
            }
        }
        return claimed;
    }

    /**
     * Records each attempt and settles its delivery: succeeded, pending again at its {@code nextRetryAt}, or failed.
     * A delivery changes only while {@code worker} still holds its lease; the attempt is logged either way, since it
     * happened. Nothing is written for a delivery that no longer exists (its integration was deleted meanwhile). Two
     * JDBC batches (and a read when a lease was lost), whatever the number of settlements.
     */
    static void settle(Handle h, String worker, List<Settlement> settlements) {
        if (settlements.isEmpty()) {
            return;
        }
        List<Object[]> updates = new ArrayList<>(settlements.size());
        for (Settlement one : settlements) {
            HttpPoster.Result result = one.result();
            DeliveryStatus status = result.succeeded() ? DeliveryStatus.SUCCEEDED
                    : one.nextRetryAt() != null ? DeliveryStatus.PENDING : DeliveryStatus.FAILED;
            updates.add(new Object[] {status.value(), Sql.bigint(one.nextRetryAt()), one.attemptedAt(),
                    one.deliveryId(), worker});
        }
        int[] counts = Sql.batch(h, "UPDATE deliveries SET status = ?, attempt_count = attempt_count + 1, "
                + "next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL, updated_at = ? "
                + "WHERE id = ? AND claimed_by = ?", updates);
        List<String> leaseLost = new ArrayList<>();
        for (int i = 0; i < settlements.size(); i++) {
            if (counts[i] == 0) {
                leaseLost.add(settlements.get(i).deliveryId());
            }
        }
        Set<String> existing = leaseLost.isEmpty() ? Set.of() : new HashSet<>(Sql.list(h,
                "SELECT id FROM deliveries WHERE id IN (" + Sql.marks(leaseLost.size()) + ")",
                rs -> rs.getString("id"), Sql.params(leaseLost)));
        List<Object[]> attempts = new ArrayList<>(settlements.size());
        for (int i = 0; i < settlements.size(); i++) {
            Settlement one = settlements.get(i);
            if (counts[i] == 0 && !existing.contains(one.deliveryId())) {
                continue;
            }
            HttpPoster.Result result = one.result();
            attempts.add(new Object[] {one.deliveryId(), one.attemptedAt(), Sql.integer(result.statusCode()),
                    result.latencyMillis(), Sql.text(result.responseExcerpt()), Sql.text(result.error()),
                    Sql.bigint(one.nextRetryAt())});
        }
        Sql.batch(h, "INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, latency_ms, "
                + "response_excerpt, error, next_retry_at) VALUES (?, ?, ?, ?, ?, ?, ?)", attempts);
    }

    /**
     * Gives up the lease of these deliveries while {@code worker} still holds it, so any claim may take them when they
     * are due. One statement text, as one JDBC batch.
     */
    static void release(Handle h, String worker, List<String> ids) {
        List<Object[]> rows = new ArrayList<>(ids.size());
        for (String id : ids) {
            rows.add(new Object[] {id, worker});
        }
        Sql.batch(h, "UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ? "
                + "AND status = 'pending'", rows);
    }

    /** Makes the delivery due now, whatever its state: one more attempt (manual redelivery). */
    static void redeliver(Handle h, String deliveryId, long nowMillis) {
        Sql.update(h, "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ?",
                nowMillis, nowMillis, deliveryId);
        h.afterCommit(DeliveryWakeup::signal);
    }

    /**
     * Deletes up to {@code limit} of the oldest delivery attempts made before {@code beforeMillis} whose delivery is
     * settled (succeeded or failed), and reports how many. Attempts are walked in id order, which is the order they
     * were made in: the walk stops at the first one still needed, so it never reads the recent ones.
     */
    public static int pruneAttempts(Handle h, long beforeMillis, int limit) {
        List<Object[]> oldest = Sql.list(h, "SELECT a.id, a.attempted_at, d.status FROM delivery_attempts a "
                        + "JOIN deliveries d ON d.id = a.delivery_id ORDER BY a.id LIMIT ?",
                rs -> new Object[] {rs.getLong(1), rs.getLong(2), rs.getString(3)}, limit);
        List<Object[]> prunable = new java.util.ArrayList<>();
        for (Object[] attempt : oldest) {
            if ((Long) attempt[1] >= beforeMillis || DeliveryStatus.PENDING.value().equals(attempt[2])) {
                break;
            }
            prunable.add(new Object[] {attempt[0]});
        }
        if (!prunable.isEmpty()) {
            Sql.batch(h, "DELETE FROM delivery_attempts WHERE id = ?", prunable);
        }
        return prunable.size();
    }
}
