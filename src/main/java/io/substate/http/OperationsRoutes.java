package io.substate.http;

import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.substate.storage.Database;

/** Liveness, readiness and Prometheus metrics. Unauthenticated: they reveal nothing about customers. */
public final class OperationsRoutes implements RouteGroup {
    private final Database database;
    private final PrometheusMeterRegistry registry;

    public OperationsRoutes(Database database, PrometheusMeterRegistry registry) {
        this.database = database;
        this.registry = registry;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> ctx.json(java.util.Map.of("status", "live")));
        routes.get("/health/ready", ctx -> {
            if (database.isReady()) {
                ctx.json(java.util.Map.of("status", "ready", "database", database.dialect().name().toLowerCase()));
            } else {
                ctx.status(503).json(java.util.Map.of("status", "not_ready",
                        "reason", "database unreachable or migrations pending"));
            }
        });
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape()));
    }
}
