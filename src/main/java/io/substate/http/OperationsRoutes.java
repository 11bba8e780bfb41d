package io.substate.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.substate.storage.Database;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Liveness, readiness and Prometheus metrics. Unauthenticated: they reveal nothing about customers. */
public final class OperationsRoutes implements RouteGroup {
    /**
     * Load balancers give up on a probe after a few seconds; waiting for the pool's 10 s connection timeout would
     * make a lost database look like a hung server instead of a clear 503.
     */
    private static final long READY_TIMEOUT_MS = 2_000;

    private final Database database;
    private final PrometheusMeterRegistry registry;

    public OperationsRoutes(Database database, PrometheusMeterRegistry registry) {
        this.database = database;
        this.registry = registry;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> ctx.json(Map.of("status", "live")));
        routes.get("/health/ready", this::ready);
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape()));
    }

    private void ready(Context ctx) throws InterruptedException {
        boolean ready;
        try {
            ready = CompletableFuture.supplyAsync(database::isReady).get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            ready = false;
        }
        if (ready) {
            ctx.json(Map.of("status", "ready", "database", database.dialect().name().toLowerCase(Locale.ROOT)));
        } else {
            ctx.status(503).json(Map.of("status", "not_ready", "reason", "database unreachable or migrations pending"));
        }
    }
}
