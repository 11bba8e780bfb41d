package io.substate.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.substate.storage.DatabaseHealth;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Liveness, readiness and Prometheus metrics. Unauthenticated: they reveal nothing about customers.
 *
 * <p>Neither probe touches the database: readiness answers from the last background check ({@link DatabaseHealth}),
 * so any number of probes costs the database nothing and is answered at once, even while the database hangs.
 */
public final class OperationsRoutes implements RouteGroup {
    private final DatabaseHealth health;
    private final PrometheusMeterRegistry registry;

    public OperationsRoutes(DatabaseHealth health, PrometheusMeterRegistry registry) {
        this.health = health;
        this.registry = registry;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> ctx.json(Map.of("status", "live")));
        routes.get("/health/ready", this::ready);
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape()));
    }

    private void ready(Context ctx) {
        DatabaseHealth.Reading reading = health.current();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", reading.ready() ? "ready" : "not_ready");
        body.put("database", reading.dialect().name().toLowerCase(Locale.ROOT));
        if (!reading.ready()) {
            body.put("reason", reading.reason());
            ctx.status(503).header("Retry-After", ErrorResponses.RETRY_AFTER_SECONDS);
        }
        body.put("checked_ms_ago", reading.checkedMillisAgo());
        ctx.json(body);
    }
}
