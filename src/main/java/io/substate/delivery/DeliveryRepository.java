package io.substate.delivery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** An integration's delivery log as the admin API reads it: deliveries with their event and every attempt. */
final class DeliveryRepository {
    private static final String COLUMNS = "d.id, d.integration_id, d.outgoing_event_id, e.type, e.environment, d.status, "
            + "d.attempt_count, d.next_attempt_at, d.claimed_until, d.created_at, d.updated_at, e.payload";

    private final Jdbi jdbi;

    DeliveryRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Newest first, up to {@code limit + 1} for paging; {@code status} null for all; in flight as of {@code now}. */
    List<DeliveryRecord> list(String integrationId, DeliveryStatus status, String startingAfter, int limit,
            long now) {
        return jdbi.withHandle(h -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM deliveries d "
                    + "JOIN outgoing_events e ON e.id = d.outgoing_event_id WHERE d.integration_id = :integration");
            if (status != null) {
                sql.append(" AND d.status = :status");
            }
            if (startingAfter != null) {
                sql.append(" AND (d.created_at, d.id) < (SELECT created_at, id FROM deliveries WHERE id = :after)");
            }
            sql.append(" ORDER BY d.created_at DESC, d.id DESC LIMIT :n");
            Query query = h.createQuery(sql.toString()).bind("integration", integrationId).bind("n", limit + 1);
            if (status != null) {
                query.bind("status", status.value());
            }
            if (startingAfter != null) {
                query.bind("after", startingAfter);
            }
            return withAttempts(h, query.map((rs, ctx) -> map(rs, now)).list());
        });
    }

    /** Deliveries waiting (and the oldest one's age) and those failed for good in the last day, as of {@code now}. */
    DeliveryBacklog.Backlog backlog(long now) {
        return jdbi.withHandle(h -> {
            DeliveryBacklog.Backlog pending = h.createQuery("SELECT COUNT(*) AS n, MIN(created_at) AS oldest "
                            + "FROM deliveries WHERE status = :pending")
                    .bind("pending", DeliveryStatus.PENDING.value())
                    .map((rs, ctx) -> {
                        long oldest = rs.getLong("oldest");
                        long age = rs.wasNull() ? 0 : Math.max(0, (now - oldest) / 1000);
                        return new DeliveryBacklog.Backlog(rs.getLong("n"), age, 0);
                    }).one();
            long failed = h.createQuery("SELECT COUNT(*) FROM deliveries WHERE status = :failed "
                            + "AND updated_at >= :since")
                    .bind("failed", DeliveryStatus.FAILED.value()).bind("since", now - 86_400_000L)
                    .mapTo(Long.class).one();
            return new DeliveryBacklog.Backlog(pending.pending(), pending.oldestPendingAgeSeconds(), failed);
        });
    }

    Optional<DeliveryRecord> find(String integrationId, String deliveryId, long now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM deliveries d "
                        + "JOIN outgoing_events e ON e.id = d.outgoing_event_id "
                        + "WHERE d.id = :id AND d.integration_id = :integration")
                .bind("id", deliveryId).bind("integration", integrationId).map((rs, ctx) -> map(rs, now)).findOne()
                .map(d -> withAttempts(h, List.of(d)).get(0)));
    }

    private static List<DeliveryRecord> withAttempts(Handle h, List<DeliveryRecord> deliveries) {
        if (deliveries.isEmpty()) {
            return deliveries;
        }
        Map<String, List<DeliveryRecord.Attempt>> attempts = h.createQuery("SELECT delivery_id, attempted_at, "
                        + "status_code, latency_ms, response_excerpt, error, next_retry_at FROM delivery_attempts "
                        + "WHERE delivery_id IN (<ids>) ORDER BY attempted_at, id")
                .bindList("ids", deliveries.stream().map(DeliveryRecord::id).toList())
                .map((rs, ctx) -> Map.entry(rs.getString("delivery_id"), new DeliveryRecord.Attempt(
                        rs.getLong("attempted_at"), nullableInt(rs, "status_code"), rs.getLong("latency_ms"),
                        rs.getString("response_excerpt"), rs.getString("error"), nullableLong(rs, "next_retry_at"))))
                .list().stream()
                .collect(Collectors.groupingBy(Map.Entry::getKey,
                        Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
        return deliveries.stream().map(d -> d.withAttempts(attempts.getOrDefault(d.id(), List.of()))).toList();
    }

    private static DeliveryRecord map(ResultSet rs, long now) throws SQLException {
        DeliveryStatus status = DeliveryStatus.of(rs.getString("status")).orElseThrow();
        Long claimedUntil = nullableLong(rs, "claimed_until");
        return new DeliveryRecord(rs.getString("id"), rs.getString("integration_id"), rs.getString("outgoing_event_id"),
                rs.getString("type"), rs.getString("environment"), status, rs.getInt("attempt_count"),
                status == DeliveryStatus.PENDING ? nullableLong(rs, "next_attempt_at") : null,
                claimedUntil != null && claimedUntil > now, rs.getLong("created_at"),
                rs.getLong("updated_at"), rs.getString("payload"), List.of());
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
