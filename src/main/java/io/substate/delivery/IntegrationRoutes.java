package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.Json;
import io.substate.http.AdminAuth;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;

/**
 * {@code /v2/projects/{project_id}/integrations/webhooks}: webhook integrations, their delivery log, redelivery and
 * TEST events. The {@code authorization_header} is write-only (a credential for the team's server), shown as
 * {@code authorization_header_set}; the {@code signing_secret} is shown, since receivers need it to verify.
 */
public final class IntegrationRoutes implements RouteGroup {
    private static final String BASE = "/v2/projects/{project_id}/integrations/webhooks";
    private static final String ONE = BASE + "/{integration_id}";

    private final IntegrationService integrations;
    private final DeliveryService deliveries;
    private final AdminAuth auth;

    public IntegrationRoutes(IntegrationService integrations, DeliveryService deliveries, AdminAuth auth) {
        this.integrations = integrations;
        this.deliveries = deliveries;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post(BASE, this::create);
        routes.get(BASE, this::list);
        routes.get(ONE, this::get);
        RouteGroup.update(routes, ONE, this::update);
        routes.delete(ONE, this::delete);
        routes.post(ONE + "/actions/rotate_secret", this::rotateSecret);
        routes.post(ONE + "/actions/test", this::sendTest);
        routes.get(ONE + "/deliveries", this::listDeliveries);
        routes.get(ONE + "/deliveries/{delivery_id}", this::getDelivery);
        routes.post(ONE + "/deliveries/{delivery_id}/actions/redeliver", this::redeliver);
    }

    private void create(Context ctx) {
        auth.require(ctx);
        IntegrationChange change = IntegrationChange.parse(Requests.jsonBody(ctx));
        ctx.status(201).json(render(integrations.create(projectId(ctx), change)));
    }

    private void list(Context ctx) {
        auth.require(ctx);
        Page<WebhookIntegration> page = integrations.list(projectId(ctx), Page.startingAfter(ctx), Page.limit(ctx));
        ctx.json(page.toJson(ctx, IntegrationRoutes::render, WebhookIntegration::id));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        ctx.json(render(integrations.get(projectId(ctx), integrationId(ctx))));
    }

    private void update(Context ctx) {
        auth.require(ctx);
        IntegrationChange change = IntegrationChange.parse(Requests.jsonBody(ctx));
        ctx.json(render(integrations.update(projectId(ctx), integrationId(ctx), change)));
    }

    private void delete(Context ctx) {
        auth.require(ctx);
        integrations.delete(projectId(ctx), integrationId(ctx));
        ObjectNode node = Json.object();
        node.put("object", "webhook_integration");
        node.put("id", integrationId(ctx));
        node.put("deleted", true);
        ctx.json(node);
    }

    private void rotateSecret(Context ctx) {
        auth.require(ctx);
        ctx.json(render(integrations.rotateSecret(projectId(ctx), integrationId(ctx))));
    }

    private void sendTest(Context ctx) {
        auth.require(ctx);
        ctx.status(201).json(render(deliveries.sendTest(projectId(ctx), integrationId(ctx))));
    }

    private void listDeliveries(Context ctx) {
        auth.require(ctx);
        Page<DeliveryRecord> page = deliveries.list(projectId(ctx), integrationId(ctx), ctx.queryParam("status"),
                Page.startingAfter(ctx), Page.limit(ctx));
        ctx.json(page.toJson(ctx, IntegrationRoutes::render, DeliveryRecord::id));
    }

    private void getDelivery(Context ctx) {
        auth.require(ctx);
        ctx.json(render(deliveries.get(projectId(ctx), integrationId(ctx), ctx.pathParam("delivery_id"))));
    }

    private void redeliver(Context ctx) {
        auth.require(ctx);
        ctx.json(render(deliveries.redeliver(projectId(ctx), integrationId(ctx), ctx.pathParam("delivery_id"))));
    }

    private static String projectId(Context ctx) {
        return ctx.pathParam("project_id");
    }

    private static String integrationId(Context ctx) {
        return ctx.pathParam("integration_id");
    }

    static ObjectNode render(WebhookIntegration i) {
        ObjectNode node = Json.object();
        node.put("object", "webhook_integration");
        node.put("id", i.id());
        node.put("project_id", i.projectId());
        node.put("name", i.name());
        node.put("url", i.url());
        node.put("authorization_header_set", i.authorizationHeader() != null);
        node.put("environment", i.environment());
        if (i.eventTypes() == null) {
            node.putNull("event_types");
        } else {
            ArrayNode types = node.putArray("event_types");
            i.eventTypes().forEach(types::add);
        }
        node.put("app_id", i.appId());
        node.put("signing_secret", i.signingSecret());
        node.put("previous_secret_expires_at", i.previousSigningSecret() == null ? null : i.previousSecretExpiresAt());
        node.put("created_at", i.createdAt());
        return node;
    }

    static ObjectNode render(DeliveryRecord d) {
        ObjectNode node = Json.object();
        node.put("object", "webhook_delivery");
        node.put("id", d.id());
        node.put("integration_id", d.integrationId());
        node.put("event_id", d.eventId());
        node.put("event_type", d.eventType());
        node.put("environment", d.environment());
        node.put("status", d.status().value());
        node.put("in_flight", d.inFlight());
        node.put("attempt_count", d.attemptCount());
        node.put("next_attempt_at", d.nextAttemptAt());
        node.put("created_at", d.createdAt());
        node.put("updated_at", d.updatedAt());
        ArrayNode attempts = node.putArray("attempts");
        for (DeliveryRecord.Attempt a : d.attempts()) {
            ObjectNode attempt = attempts.addObject();
            attempt.put("attempted_at", a.attemptedAt());
            attempt.put("status_code", a.statusCode());
            attempt.put("latency_ms", a.latencyMs());
            attempt.put("response_excerpt", a.responseExcerpt());
            attempt.put("error", a.error());
            attempt.put("next_retry_at", a.nextRetryAt());
        }
        node.set("event", Json.read(d.event()));
        return node;
    }
}
