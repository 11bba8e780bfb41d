package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.Page;
import io.substate.storage.GroupCommit;
import io.substate.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/** The delivery log of an integration and its controls: redeliver one delivery, send a TEST event. */
public final class DeliveryService {
    static final List<String> STATUSES = List.of(DeliveryQueue.PENDING, DeliveryQueue.SUCCEEDED, DeliveryQueue.FAILED);
    private static final String COLUMNS = "d.id, d.integration_id, d.outgoing_event_id, e.type, e.environment, d.status, "
            + "d.attempt_count, d.next_attempt_at, d.claimed_until, d.created_at, d.updated_at, e.payload";

    private final Jdbi jdbi;
    private final GroupCommit commits;
    private final IntegrationService integrations;
    private final Clock clock;

    /** Writes go through {@code commits}, the database's one writer on SQLite. */
    public DeliveryService(Jdbi jdbi, GroupCommit commits, IntegrationService integrations, Clock clock) {
        this.jdbi = jdbi;
        this.commits = commits;
        this.integrations = integrations;
        this.clock = clock;
    }

    /** Newest first; {@code status} null for all. */
    Page<DeliveryRecord> list(String projectId, String integrationId, String status, String startingAfter, int limit) {
        integrations.get(projectId, integrationId);
        if (startingAfter != null) {
            get(projectId, integrationId, startingAfter);
        }
        List<DeliveryRecord> rows = jdbi.withHandle(h -> {
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
                query.bind("status", status);
            }
            if (startingAfter != null) {
                query.bind("after", startingAfter);
            }
            return withAttempts(h, query.map(this::map).list());
        });
        return Page.of(rows, limit);
    }

    DeliveryRecord get(String projectId, String integrationId, String deliveryId) {
        integrations.get(projectId, integrationId);
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM deliveries d "
                        + "JOIN outgoing_events e ON e.id = d.outgoing_event_id "
                        + "WHERE d.id = :id AND d.integration_id = :integration")
                .bind("id", deliveryId).bind("integration", integrationId).map(this::map).findOne()
                .map(d -> withAttempts(h, List.of(d)).get(0)))
                .orElseThrow(() -> ApiException.notFound("Delivery", deliveryId));
    }

    /** Makes the delivery due now: one more attempt, with the same event id and body. */
    DeliveryRecord redeliver(String projectId, String integrationId, String deliveryId) {
        get(projectId, integrationId, deliveryId);
        commits.execute(deliveryId, h -> {
            DeliveryQueue.redeliver(h, deliveryId, clock.millis());
            return null;
        });
        return get(projectId, integrationId, deliveryId);
    }

    /** Stores a TEST event and delivers it to this integration only, like any other event. */
    DeliveryRecord sendTest(String projectId, String integrationId) {
        WebhookIntegration integration = integrations.get(projectId, integrationId);
        long now = clock.millis();
        String eventId = Ids.eventId();
        String environment = "production".equals(integration.environment()) ? "PRODUCTION" : "SANDBOX";
        ObjectNode event = testEvent(eventId, integration.appId(), environment, now);
        String deliveryId = commits.execute(eventId, h -> {
            h.createUpdate("INSERT INTO outgoing_events (id, project_id, app_id, customer_id, purchase_id, type, "
                            + "environment, sequence, source_event_id, payload, created_at) VALUES (:id, :project, :app, "
                            + "NULL, NULL, 'TEST', :env, 0, NULL, :payload, :now)")
                    .bind("id", eventId).bind("project", projectId).bind("app", integration.appId())
                    .bind("env", environment).bind("payload", Json.write(event)).bind("now", now).execute();
            return DeliveryQueue.enqueue(h, eventId, integrationId, now);
        });
        return get(projectId, integrationId, deliveryId);
    }

    /** RevenueCat's TEST event shape: a made-up subscriber and product, so receivers can exercise their parsing. */
    private static ObjectNode testEvent(String id, String appId, String environment, long now) {
        String appUserId = Ids.anonymousAppUserId();
        ObjectNode event = Json.object();
        event.put("id", id);
        event.put("type", "TEST");
        event.put("event_timestamp_ms", now);
        event.put("app_id", appId);
        event.put("app_user_id", appUserId);
        event.put("original_app_user_id", appUserId);
        event.putArray("aliases").add(appUserId);
        event.put("product_id", "test_product");
        event.putNull("entitlement_ids");
        event.put("period_type", "NORMAL");
        event.put("purchased_at_ms", now);
        event.put("expiration_at_ms", now + Duration.ofDays(30).toMillis());
        event.put("store", "STRIPE");
        event.put("environment", environment);
        event.put("transaction_id", "test_transaction");
        event.put("original_transaction_id", "test_transaction");
        event.put("price", 0.0);
        event.put("currency", "USD");
        event.put("price_in_purchased_currency", 0.0);
        event.put("is_family_share", false);
        event.put("sequence", 0);
        return event;
    }

    private List<DeliveryRecord> withAttempts(Handle h, List<DeliveryRecord> deliveries) {
        if (deliveries.isEmpty()) {
            return deliveries;
        }
        Map<String, List<DeliveryRecord.Attempt>> attempts = h.createQuery("SELECT delivery_id, attempted_at, status_code, "
                        + "latency_ms, response_excerpt, error, next_retry_at FROM delivery_attempts "
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

    private DeliveryRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
        String status = rs.getString("status");
        Long claimedUntil = nullableLong(rs, "claimed_until");
        return new DeliveryRecord(rs.getString("id"), rs.getString("integration_id"), rs.getString("outgoing_event_id"),
                rs.getString("type"), rs.getString("environment"), status, rs.getInt("attempt_count"),
                DeliveryQueue.PENDING.equals(status) ? nullableLong(rs, "next_attempt_at") : null,
                claimedUntil != null && claimedUntil > clock.millis(), rs.getLong("created_at"),
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
