package io.substate.delivery;

import java.util.List;

/**
 * One event's delivery to one integration, as shown in the delivery log.
 *
 * @param nextAttemptAt when the next attempt is due (pending only)
 * @param inFlight a worker holds it right now
 * @param event the event as stored (without {@code subscriber_attributes}, which are added when sending)
 */
public record DeliveryRecord(
        String id,
        String integrationId,
        String eventId,
        String eventType,
        String environment,
        DeliveryStatus status,
        int attemptCount,
        Long nextAttemptAt,
        boolean inFlight,
        long createdAt,
        long updatedAt,
        String event,
        List<Attempt> attempts) {

    /** One try: when, the HTTP status (null without a response), how long, what came back, and what is next. */
    public record Attempt(long attemptedAt, Integer statusCode, long latencyMs, String responseExcerpt, String error,
            Long nextRetryAt) {}

    DeliveryRecord withAttempts(List<Attempt> all) {
        return new DeliveryRecord(id, integrationId, eventId, eventType, environment, status, attemptCount,
                nextAttemptAt, inFlight, createdAt, updatedAt, event, all);
    }
}
