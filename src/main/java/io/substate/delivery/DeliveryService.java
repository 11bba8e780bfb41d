package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.Page;
import io.substate.storage.GroupCommit;
import io.substate.storage.Ids;
import java.time.Clock;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;

/** The delivery log of an integration and its controls: redeliver one delivery, send a TEST event. */
public final class DeliveryService {
    private final DeliveryRepository deliveries;
    private final GroupCommit commits;
    private final IntegrationService integrations;
    private final Clock clock;

    /** Writes go through {@code commits}, the database's one writer on SQLite. */
    public DeliveryService(Jdbi jdbi, GroupCommit commits, IntegrationService integrations, Clock clock) {
        this.deliveries = new DeliveryRepository(jdbi);
        this.commits = commits;
        this.integrations = integrations;
        this.clock = clock;
    }

    /** Newest first; {@code status} (pending, succeeded, failed) null for all. */
    Page<DeliveryRecord> list(String projectId, IntegrationKind kind, String integrationId, String status,
            String startingAfter, int limit) {
        DeliveryStatus wanted = status == null ? null : DeliveryStatus.of(status).orElseThrow(() ->
                ApiException.invalid("Query parameter 'status' must be one of pending, succeeded, failed (got '"
                        + status + "')"));
        integrations.get(projectId, kind, integrationId);
        if (startingAfter != null) {
            get(projectId, kind, integrationId, startingAfter);
        }
        return Page.of(deliveries.list(integrationId, wanted, startingAfter, limit, clock.millis()), limit);
    }

    DeliveryRecord get(String projectId, IntegrationKind kind, String integrationId, String deliveryId) {
        integrations.get(projectId, kind, integrationId);
        return deliveries.find(integrationId, deliveryId, clock.millis())
                .orElseThrow(() -> ApiException.notFound("Delivery", deliveryId));
    }

    /** Makes the delivery due now: one more attempt, with the same event id and body. */
    DeliveryRecord redeliver(String projectId, IntegrationKind kind, String integrationId, String deliveryId) {
        get(projectId, kind, integrationId, deliveryId);
        commits.execute(deliveryId, h -> {
            DeliveryStore.redeliver(h, deliveryId, clock.millis());
            return null;
        });
        return get(projectId, kind, integrationId, deliveryId);
    }

    /** Stores a TEST event and delivers it to this integration only, like any other event. */
    DeliveryRecord sendTest(String projectId, IntegrationKind kind, String integrationId) {
        WebhookIntegration integration = integrations.get(projectId, kind, integrationId);
        long now = clock.millis();
        String eventId = Ids.eventId();
        String environment = "production".equals(integration.environment()) ? "PRODUCTION" : "SANDBOX";
        ObjectNode event = testEvent(eventId, integration.appId(), environment, now);
        String deliveryId = commits.execute(eventId, h -> {
            OutgoingEventStore.appendTest(h, eventId, projectId, integration.appId(), environment, Json.write(event),
                    now);
            return DeliveryStore.enqueue(h, eventId, integrationId, now);
        });
        return get(projectId, kind, integrationId, deliveryId);
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

}
