package io.substate.ingest;

import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.http.Page;
import java.util.Map;
import java.util.TreeMap;

/** The admin API of an app's Stripe event log: inspect it, and replay events through the webhook path. */
public final class StripeEventService {
    /** Most events one bulk replay runs, oldest first. */
    public static final int MAX_REPLAY = 1000;

    private final StripeEventRepository events;
    private final StripeWebhookService webhooks;
    private final AppService apps;

    public StripeEventService(StripeEventRepository events, StripeWebhookService webhooks, AppService apps) {
        this.events = events;
        this.webhooks = webhooks;
        this.apps = apps;
    }

    /** A page of the app's events, newest first; {@code status} (processed, stale, failed, parked) may be null. */
    public Page<LoggedStripeEvent> list(String projectId, String appId, String status, String startingAfter,
            int limit) {
        App app = apps.get(projectId, appId);
        StripeEventStatus wanted = status == null ? null : parse(status, "processed, stale, failed, parked");
        if (startingAfter != null && events.find(app.id(), startingAfter).isEmpty()) {
            throw ApiException.notFound("Stripe event", startingAfter);
        }
        return Page.of(events.list(app.id(), wanted, startingAfter, limit), limit);
    }

    public LoggedStripeEvent get(String projectId, String appId, String eventId) {
        App app = apps.get(projectId, appId);
        return events.find(app.id(), eventId).orElseThrow(() -> ApiException.notFound("Stripe event", eventId));
    }

    /** The event after its replay, and what became of it. */
    public record Replayed(LoggedStripeEvent event, WebhookOutcome outcome) {}

    public Replayed replay(String projectId, String appId, String eventId) {
        App app = apps.get(projectId, appId);
        LoggedStripeEvent logged = events.find(app.id(), eventId)
                .orElseThrow(() -> ApiException.notFound("Stripe event", eventId));
        if (logged.payloadPruned()) {
            throw new ApiException(ErrorCode.STRIPE_EVENT_PAYLOAD_PRUNED, "Stripe event " + eventId + " arrived "
                    + "longer ago than SUBSTATE_RETENTION_STRIPE_PAYLOADS and its payload was pruned; its outcome is "
                    + "kept, but it cannot be replayed. Stripe's own copy (30 days) can be backfilled.");
        }
        WebhookOutcome outcome = replay(app, logged);
        return new Replayed(events.find(app.id(), eventId).orElseThrow(), outcome);
    }

    /**
     * Replays the app's events with {@code status} (failed or parked; default failed), oldest first, up to
     * {@code limit}; how many ended in each outcome, by outcome.
     */
    public Map<String, Integer> replayAll(String projectId, String appId, String status, int limit) {
        App app = apps.get(projectId, appId);
        StripeEventStatus wanted = status == null ? StripeEventStatus.FAILED : parse(status, "failed or parked");
        if (wanted != StripeEventStatus.FAILED && wanted != StripeEventStatus.PARKED) {
            throw ApiException.invalid("Query parameter 'status' must be failed or parked");
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        for (String eventId : events.idsWithStatus(app.id(), wanted, limit)) {
            outcomes.merge(replay(app, events.find(app.id(), eventId).orElseThrow()).value(), 1, Integer::sum);
        }
        return outcomes;
    }

    /** A stored event that cannot be read again (or fails on the way) has failed its replay, nothing more. */
    private WebhookOutcome replay(App app, LoggedStripeEvent logged) {
        try {
            return webhooks.replay(app, logged).outcome();
        } catch (ApiException e) {
            return WebhookOutcome.FAILED;
        }
    }

    private static StripeEventStatus parse(String status, String allowed) {
        try {
            return StripeEventStatus.of(status);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("Query parameter 'status' must be " + (allowed.contains(",")
                    ? "one of " + allowed : allowed));
        }
    }
}
