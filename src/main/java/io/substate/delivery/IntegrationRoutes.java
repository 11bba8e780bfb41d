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
 * {@code /v2/projects/{project_id}/integrations/{kind}} ({@code webhooks}, {@code slack}, {@code posthog},
 * {@code segment}, {@code amplitude}, {@code mixpanel}): integrations, their delivery log, redelivery and TEST events.
 * A service's secret settings are write-only, shown as {@code <name>_set}. For webhooks: The {@code authorization_header} is write-only (a credential for the team's server), shown as
 * {@code authorization_header_set}; the {@code signing_secret} is shown, since receivers need it to verify.
 */
public final class IntegrationRoutes implements RouteGroup {
    private static final String PROJECT = "/v2/projects/{project_id}/integrations/";

    private final IntegrationService integrations;
    private final DeliveryService deliveries;
    private final AdminAuth auth;

    public IntegrationRoutes(IntegrationService integrations, DeliveryService deliveries, AdminAuth auth) {
        this.integrations = integrations;
        this.deliveries = deliveries;
        this.auth = auth;
    }

    /** The same routes for every kind, each under its own path ({@code webhooks}, {@code slack}…). */
    @Override
    public void register(RoutesConfig routes) {
        for (IntegrationKind kind : IntegrationKind.values()) {
            String base = PROJECT + kind.path();
            String one = base + "/{integration_id}";
            routes.post(base, ctx -> create(ctx, kind));
            routes.get(base, ctx -> list(ctx, kind));
            routes.get(one, ctx -> get(ctx, kind));
            RouteGroup.update(routes, one, ctx -> update(ctx, kind));
            routes.delete(one, ctx -> delete(ctx, kind));
            if (kind == IntegrationKind.WEBHOOK) {
                routes.post(one + "/actions/rotate_secret", this::rotateSecret);
            }
            routes.post(one + "/actions/test", ctx -> sendTest(ctx, kind));
            routes.get(one + "/deliveries", ctx -> listDeliveries(ctx, kind));
            routes.get(one + "/deliveries/{delivery_id}", ctx -> getDelivery(ctx, kind));
            routes.post(one + "/deliveries/{delivery_id}/actions/redeliver", ctx -> redeliver(ctx, kind));
        }
    }

    private void create(Context ctx, IntegrationKind kind) {
        auth.require(ctx);
        IntegrationChange change = IntegrationChange.parse(Requests.jsonBody(ctx), kind);
        noStore(ctx).status(201).json(render(integrations.create(projectId(ctx), kind, change)));
    }

    private void list(Context ctx, IntegrationKind kind) {
        auth.require(ctx);
        Page<WebhookIntegration> page = integrations.list(projectId(ctx), kind, Page.startingAfter(ctx),
                Page.limit(ctx));
        noStore(ctx).json(page.toJson(ctx, IntegrationRoutes::render, WebhookIntegration::id));
    }

    private void get(Context ctx, IntegrationKind kind) {
        auth.require(ctx);
        noStore(ctx).json(render(integrations.get(projectId(ctx), kind, integrationId(ctx))));
    }

    private void update(Context ctx, IntegrationKind kind) {
        auth.require(ctx);
        IntegrationChange change = IntegrationChange.parse(Requests.jsonBody(ctx), kind);
        noStore(ctx).json(render(integrations.update(projectId(ctx), kind, integrationId(ctx), change)));
    }

    private void delete(Context ctx, IntegrationKind kind) {
        auth.require(ctx);
        integrations.delete(projectId(ctx), kind, integrationId(ctx));
        ObjectNode node = Json.object();
        node.put("object", objectName(kind));
        node.put("id", integrationId(ctx));
        node.put("deleted", true);
        ctx.json(node);
    }

    private void rotateSecret(Context ctx) {
        auth.require(ctx);
        noStore(ctx).json(render(integrations.rotateSecret(projectId(ctx), integrationId(ctx))));
    }

    private void sendTest(Context ctx, IntegrationKind kind) {
        auth.require(ctx);
        ctx.status(201).json(render(deliveries.sendTest(projectId(ctx), kind, integrationId(ctx))));
    }

    private void listDeliveries(Context ctx, IntegrationKind kind) {
        auth.require(ctx);
        Page<DeliveryRecord> page = deliveries.list(projectId(ctx), kind, integrationId(ctx),
                ctx.queryParam("status"), Page.startingAfter(ctx), Page.limit(ctx));
        ctx.json(page.toJson(ctx, IntegrationRoutes::render, DeliveryRecord::id));
    }

    private void getDelivery(Context ctx, IntegrationKind kind) {
        auth.require(ctx);
        ctx.json(render(deliveries.get(projectId(ctx), kind, integrationId(ctx), ctx.pathParam("delivery_id"))));
    }

    private void redeliver(Context ctx, IntegrationKind kind) {
        auth.require(ctx);
        ctx.json(render(deliveries.redeliver(projectId(ctx), kind, integrationId(ctx),
                ctx.pathParam("delivery_id"))));
    }

    /** Integration answers carry a webhook's signing secret: no cache along the way may keep them. */
    private static Context noStore(Context ctx) {
        return ctx.header("Cache-Control", "no-store");
    }

    private static String objectName(IntegrationKind kind) {
        return kind.value() + "_integration";
    }

    private static String projectId(Context ctx) {
        return ctx.pathParam("project_id");
    }

    private static String integrationId(Context ctx) {
        return ctx.pathParam("integration_id");
    }

    static ObjectNode render(WebhookIntegration i) {
        ObjectNode node = Json.object();
        node.put("object", objectName(i.kind()));
        node.put("id", i.id());
        node.put("project_id", i.projectId());
        node.put("name", i.name());
        if (i.kind() == IntegrationKind.WEBHOOK) {
            node.put("url", i.url());
            node.put("authorization_header_set", i.authorizationHeader() != null);
        }
        node.put("environment", i.environment());
        if (i.eventTypes() == null) {
            node.putNull("event_types");
        } else {
            ArrayNode types = node.putArray("event_types");
            i.eventTypes().forEach(types::add);
        }
        node.put("app_id", i.appId());
        if (i.kind() == IntegrationKind.WEBHOOK) {
            node.put("signing_secret", i.signingSecret());
            node.put("previous_secret_expires_at", i.previousSigningSecret() == null ? null
                    : i.previousSecretExpiresAt());
        }
        for (IntegrationKind.Setting setting : i.kind().settings()) {
            if (setting.secret()) {
                node.put(setting.name() + "_set", i.settings().get(setting.name()) != null);
            } else {
                node.put(setting.name(), i.setting(setting.name()));
            }
        }
        if (i.kind().namesEvents()) {
            String names = i.settings().get(IntegrationChange.EVENT_NAMES);
            node.set(IntegrationChange.EVENT_NAMES, names == null ? Json.object() : Json.read(names));
        }
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
