package io.substate.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.http.AdminAuth;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.List;

/** The per-app Stripe webhook endpoint, and the admin API of the Stripe event log (inspect, replay). */
public final class StripeWebhookRoutes implements RouteGroup {
    private static final List<String> STATUSES = List.of(LoggedStripeEvent.PROCESSED, LoggedStripeEvent.STALE,
            LoggedStripeEvent.FAILED, LoggedStripeEvent.PARKED);

    private final StripeWebhookService webhooks;
    private final StripeEventLog log;
    private final AppService apps;
    private final AdminAuth auth;

    public StripeWebhookRoutes(StripeWebhookService webhooks, StripeEventLog log, AppService apps, AdminAuth auth) {
        this.webhooks = webhooks;
        this.log = log;
        this.apps = apps;
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
        WebhookResult result = webhooks.receive(ctx.pathParam("app_id"), Requests.rawBody(ctx),
                ctx.header("Stripe-Signature"));
        answer(ctx, result);
    }

    private void list(Context ctx) {
        auth.require(ctx);
        App app = apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"));
        String status = ctx.queryParam("status");
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.invalid("Query parameter 'status' must be one of " + String.join(", ", STATUSES));
        }
        String after = Page.startingAfter(ctx);
        if (after != null && log.find(app.id(), after).isEmpty()) {
            throw ApiException.notFound("Stripe event", after);
        }
        int limit = Page.limit(ctx);
        Page<LoggedStripeEvent> page = Page.of(log.list(app.id(), status, after, limit), limit);
        ctx.json(page.toJson(ctx, e -> render(e, false), LoggedStripeEvent::eventId));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        App app = apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"));
        String eventId = ctx.pathParam("event_id");
        ctx.json(render(log.find(app.id(), eventId).orElseThrow(() -> ApiException.notFound("Stripe event", eventId)), true));
    }

    private void replay(Context ctx) {
        auth.require(ctx);
        App app = apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"));
        String eventId = ctx.pathParam("event_id");
        LoggedStripeEvent logged = log.find(app.id(), eventId)
                .orElseThrow(() -> ApiException.notFound("Stripe event", eventId));
        WebhookResult result;
        try {
            result = webhooks.replay(app, logged);
        } catch (ApiException e) {
            result = WebhookResult.rejected(eventId, LoggedStripeEvent.FAILED, e.errorCode(), e.getMessage());
        }
        ObjectNode body = render(log.find(app.id(), eventId).orElseThrow(), false);
        body.put("replay_outcome", result.outcome());
        ctx.json(body);
    }

    /**
     * Replays every event of the app with {@code status} (failed or parked, default failed), oldest first, up to
     * {@code limit} (default and maximum 1000); answers how many ended in each outcome.
     */
    private void replayAll(Context ctx) {
        auth.require(ctx);
        App app = apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"));
        String status = ctx.queryParam("status") == null ? LoggedStripeEvent.FAILED : ctx.queryParam("status");
        if (!status.equals(LoggedStripeEvent.FAILED) && !status.equals(LoggedStripeEvent.PARKED)) {
            throw ApiException.invalid("Query parameter 'status' must be failed or parked");
        }
        int limit = io.substate.http.Requests.intQuery(ctx, "limit", 1000, 1, 1000);
        java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (String eventId : log.idsWithStatus(app.id(), status, limit)) {
            String outcome;
            try {
                outcome = webhooks.replay(app, log.find(app.id(), eventId).orElseThrow()).outcome();
            } catch (ApiException e) {
                outcome = LoggedStripeEvent.FAILED;
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        ObjectNode body = Json.object();
        body.put("object", "replay_summary");
        body.put("status", status);
        body.put("replayed", outcomes.values().stream().mapToInt(Integer::intValue).sum());
        body.set("outcomes", Json.MAPPER.valueToTree(outcomes));
        ctx.json(body);
    }

    private static void answer(Context ctx, WebhookResult result) {
        if (!result.accepted()) {
            throw new ApiException(result.error(), result.message());
        }
        ObjectNode body = Json.object();
        body.put("received", true);
        body.put("event_id", result.eventId());
        body.put("outcome", result.outcome());
        Requests.writeJson(ctx, Json.write(body));
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
        node.put("status", e.status());
        node.put("error_code", e.errorCode());
        node.put("error_message", e.errorMessage());
        node.put("purchase_token", e.purchaseToken());
        node.put("purchase_id", e.purchaseId());
        node.put("duplicate_deliveries", e.duplicateDeliveries());
        if (withPayload) {
            node.set("payload", Json.read(e.payload()));
        }
        return node;
    }
}
