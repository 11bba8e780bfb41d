package io.substate.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.storage.DatabaseUnavailableException;
import io.substate.config.GuardSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Javalin server: limits, JSON errors for everything, one log line and one timer sample per request. */
public final class HttpServer {
    /** Bodies above this size are refused with 413 (README, "Stripe webhook endpoint": Stripe events are ≤ 1 MiB). */
    public static final long MAX_BODY_BYTES = 1024 * 1024;

    private static final Logger REQUEST_LOG = LoggerFactory.getLogger("substate.http");
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private record TimerKey(String method, String route, int status) {}

    /** One registered route: its method and its path as registered ({@code /v2/projects/{project_id}/apps}). */
    public record Route(String method, String path) {}

    private HttpServer() {}

    /**
     * The server with its protections (README, "Security"): connections idle for {@code guard.idleTimeout()} are
     * closed (Jetty reads headers without holding a thread, within this and its 8 KiB header limit), bodies must
     * arrive at Jetty's minimum data rate and are read by {@link BodyReads}, and failed authentications are limited
     * by {@link AuthFailures}.
     */
    public static Javalin create(List<RouteGroup> groups, MeterRegistry registry, GuardSettings guard) {
        BodyReads bodyReads = new BodyReads(guard.maxBodyReads(), guard.bodyTimeout());
        AuthFailures authFailures = new AuthFailures(guard, registry);
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.http.maxRequestSize = MAX_BODY_BYTES;
            cfg.http.defaultContentType = "application/json";
            cfg.router.ignoreTrailingSlashes = true;
            // A known path with the wrong method is a client mistake worth naming, not a missing route.
            cfg.http.prefer405over404 = true;
            QueuedThreadPool pool = new QueuedThreadPool(200, 8, 60_000);
            pool.setName("http");
            cfg.jetty.threadPool = pool;
            cfg.jetty.modifyServer(server -> {
                server.setStopTimeout(10_000);
                server.setErrorHandler(new JettyErrors());
                // Javalin adds its connector just before starting the server.
                server.addEventListener(new LifeCycle.Listener() {
                    @Override
                    public void lifeCycleStarting(LifeCycle event) {
                        for (var connector : server.getConnectors()) {
                            if (connector instanceof AbstractConnector c) {
                                c.setIdleTimeout(guard.idleTimeout().toMillis());
                            }
                        }
                    }
                });
            });
            cfg.jetty.modifyHttpConfiguration(http -> http.setMinRequestDataRate(guard.minRequestDataRate()));

            cfg.routes.before(ctx -> {
                // PostgreSQL refuses NUL in text: an id or query value holding one would fail in the database.
                if (hasEncodedNul(ctx.req().getRequestURI()) || hasEncodedNul(ctx.queryString())) {
                    throw new ApiException(ErrorCode.INVALID_PARAMETER,
                            "The URL holds a NUL character (%00); no path or query parameter may contain one");
                }
                bodyReads.attach(ctx);
                authFailures.check(ctx);
                // Refused before any byte of the body is read: reading it would let a client that declares a large
                // body, then sends it slowly or not at all, hold a thread for nothing.
                String length = ctx.header("Content-Length");
                if (length != null && parseLength(length) > MAX_BODY_BYTES) {
                    ctx.header("Connection", "close");
                    throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
                            "The request body is larger than 1 MiB (" + length + " bytes)");
                }
            });
            groups.forEach(group -> group.register(cfg.routes));

            cfg.routes.exception(ApiException.class,
                    (e, ctx) -> ErrorResponses.write(ctx, e.errorCode(), e.getMessage(), e.extra()));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> writeFrameworkError(ctx, e));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                if (DatabaseUnavailableException.isCauseOf(e)) {
                    // Logged once by the health check when the database goes; each request's line shows its 503.
                    LOG.debug("Database unavailable on {} {}: {}", ctx.method(), ctx.path(), e.toString());
                    ErrorResponses.write(ctx, ErrorCode.DATABASE_UNAVAILABLE, "The database is unavailable or too "
                            + "slow right now. Retry later.", Map.of());
                    return;
                }
                LOG.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
                ErrorResponses.write(ctx, ErrorCode.INTERNAL_ERROR,
                        "Internal error; the request was not applied. Retry later.", Map.of());
            });

            // One timer per (method, route, status), built once: building and registering one per request was a
            // measurable share of a webhook's cost.
            Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();
            cfg.requestLogger.http((ctx, ms) -> {
                // Here the status is final, whichever handler or error mapping set it.
                authFailures.record(ctx);
                REQUEST_LOG.info("{} {} {} {}ms", ctx.method(), ctx.path(), ctx.statusCode(), Math.round(ms));
                TimerKey key = new TimerKey(ctx.method().name(), route(ctx), ctx.statusCode());
                timers.computeIfAbsent(key, k -> Timer.builder("http_server_requests")
                                .description("HTTP requests served")
                                .tag("method", k.method())
                                .tag("route", k.route())
                                .tag("status", Integer.toString(k.status()))
                                .publishPercentileHistogram(false)
                                .register(registry))
                        .record(Math.round(ms * 1000), TimeUnit.MICROSECONDS);
            });
        });
    }

    /** Every route the server answers, as registered: tests walk them all, including routes added later. */
    public static List<Route> routes(Javalin server) {
        return server.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> new Route(e.endpoint.method.name(), e.endpoint.path)).toList();
    }

    private static void writeFrameworkError(Context ctx, HttpResponseException e) {
        ErrorCode code = switch (e.getStatus()) {
            case 404 -> ErrorCode.ROUTE_NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            default -> e.getStatus() >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_PARAMETER;
        };
        String message = switch (code) {
            case ROUTE_NOT_FOUND -> "No route " + ctx.method() + " " + ctx.path();
            case PAYLOAD_TOO_LARGE -> "The request body is larger than 1 MiB";
            default -> e.getMessage();
        };
        ErrorResponses.write(ctx, code, message, Map.of());
    }

    /** The matched route template, so metrics do not explode with ids. */
    private static String route(Context ctx) {
        try {
            return ctx.endpoint() == null ? "unmatched" : ctx.endpoint().path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }

    private static boolean hasEncodedNul(String urlPart) {
        return urlPart != null && urlPart.contains("%00");
    }

    private static long parseLength(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
