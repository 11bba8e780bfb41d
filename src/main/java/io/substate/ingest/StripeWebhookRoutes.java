package io.substate.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.Json;
import io.substate.http.AdminAuth;
import io.substate.http.ErrorResponses;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.Map;

/** The per-app Stripe webhook endpoint, and the admin API of the Stripe event log (inspect, replay). */
public final class StripeWebhookRoutes implements RouteGroup {
    private final StripeWebhookService webhooks;
    private final StripeEventService events;
    private final AdminAuth auth;

    public StripeWebhookRoutes(StripeWebhookService webhooks, StripeEventService events, AdminAuth auth) {
        this.webhooks = webhooks;
        this.events = events;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/incoming-webhooks/stripe/{app_id}", this::receive);
        String base = "/v2/projects/{project_id}/apps/{app_id}/stripe_events";
        routes.get(base, this::list);
        routes.get(base + "/{event_id}", this::get);
        routes.post(base + "/actions/replay", this::replayAll);
        routes.post(base + "/{event_id}/actions/replay", this::replay);
    }

    private void receive(Context ctx) {
        // The signature covers the exact bytes Stripe sent: they are checked as received, then decoded as UTF-8,
        // and never re-serialized.
        WebhookResult result = webhooks.receive(ctx.pathParam("app_id"), () -> Requests.rawBody(ctx),
                ctx.header("Stripe-Signature"));
        if (!result.accepted()) {
            ErrorResponses.write(ctx, result.error(), result.message(), Map.of());
            return;
        }
        ObjectNode body = Json.object();
        body.put("received", true);
        body.put("event_id", result.eventId());
        body.put("outcome", result.outcome().value());
        Requests.writeJson(ctx, Json.write(body));
    }

    private void list(Context ctx) {
        auth.require(ctx);
        int limit = Page.limit(ctx);
        Page<LoggedStripeEvent> page = events.list(ctx.pathParam("project_id"), ctx.pathParam("app_id"),
                ctx.queryParam("status"), Page.startingAfter(ctx), limit);
        ctx.json(page.toJson(ctx, e -> render(e, false), LoggedStripeEvent::eventId));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        ctx.json(render(events.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"), ctx.pathParam("event_id")),
                true));
    }

    private void replay(Context ctx) {
        auth.require(ctx);
        StripeEventService.Replayed replayed = events.replay(ctx.pathParam("project_id"), ctx.pathParam("app_id"),
                ctx.pathParam("event_id"));
        ObjectNode body = render(replayed.event(), false);
        body.put("replay_outcome", replayed.outcome().value());
        ctx.json(body);
    }

    /**
     * Replays every event of the app with {@code status} (failed or parked, default failed), oldest first, up to
     * {@code limit} (default and maximum 1000); answers how many ended in each outcome.
     */
    private void replayAll(Context ctx) {
        auth.require(ctx);
        String status = ctx.queryParam("status");
        int limit = Requests.intQuery(ctx, "limit", StripeEventService.MAX_REPLAY, 1, StripeEventService.MAX_REPLAY);
        Map<String, Integer> outcomes = events.replayAll(ctx.pathParam("project_id"), ctx.pathParam("app_id"),
                status, limit);
        ObjectNode body = Json.object();
        body.put("object", "replay_summary");
        body.put("status", status == null ? StripeEventStatus.FAILED.value() : status);
        body.put("replayed", outcomes.values().stream().mapToInt(Integer::intValue).sum());
        body.set("outcomes", Json.MAPPER.valueToTree(outcomes));
        ctx.json(body);
    }

    static ObjectNode render(LoggedStripeEvent e, boolean withPayload) {
        ObjectNode node = Json.object();
        node.put("object", "stripe_event");
        node.put("id", e.eventId());
        node.put("app_id", e.appId());
        node.put("type", e.type());
        node.put("created", e.created());
        node.put("livemode", e.livemode());
        node.put("api_version", e.apiVersion());
        node.put("received_at", e.receivedAt());
        if (e.processedAt() == null) {
            node.putNull("processed_at");
        } else {
            node.put("processed_at", e.processedAt());
        }
        node.put("status", e.status().value());
        node.put("error_code", e.errorCode());
        node.put("error_message", e.errorMessage());
        node.put("purchase_token", e.purchaseToken());
        node.put("purchase_id", e.purchaseId());
        node.put("duplicate_deliveries", e.duplicateDeliveries());
        if (withPayload) {
            if (e.payloadPruned()) {
                node.putNull("payload");
            } else {
                node.set("payload", Json.read(e.payload()));
            }
        }
        node.put("payload_pruned", e.payloadPruned());
        return node;
    }
}
