package io.substate.dashboard;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.http.RouteGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard: static files from the classpath, served by the API server itself (no build step, no CDN).
 *
 * <p>Every stable page path answers the same {@code index.html}; a small client-side router reads the path. The
 * page asks for the admin token and calls {@code /v2} with it, so nothing here needs authentication: the files hold
 * no data. Only the paths listed here answer HTML; {@code /v1}, {@code /v2}, {@code /health} and {@code /metrics}
 * keep their JSON 404s.
 */
public final class DashboardRoutes implements RouteGroup {
    /** Page paths the router knows; each is bookmarkable. */
    public static final List<String> PAGES = List.of(
            "/",
            "/projects",
            "/projects/{project_id}",
            "/projects/{project_id}/apps",
            "/projects/{project_id}/apps/{app_id}",
            "/projects/{project_id}/apps/{app_id}/events",
            "/projects/{project_id}/customers",
            "/projects/{project_id}/customers/{app_user_id}",
            "/projects/{project_id}/entitlements",
            "/projects/{project_id}/offerings",
            "/projects/{project_id}/integrations",
            "/projects/{project_id}/charts",
            "/api-reference");

    private static final String ROOT = "dashboard/";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9]+)+");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "ico", "image/x-icon");
    // 'self' only: the dashboard makes no request outside this server. uPlot sizes its elements with inline styles.
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Map<String, Optional<byte[]>> cache = new ConcurrentHashMap<>();

    @Override
    public void register(RoutesConfig routes) {
        PAGES.forEach(path -> routes.get(path, this::page));
        routes.get("/assets/{file}", ctx -> asset(ctx, ROOT + "assets/", ctx.pathParam("file")));
        routes.get("/assets/pages/{file}", ctx -> asset(ctx, ROOT + "assets/pages/", ctx.pathParam("file")));
        routes.get("/assets/vendor/uplot/{file}", ctx -> asset(ctx, UPLOT, ctx.pathParam("file")));
    }

    private void page(Context ctx) {
        byte[] index = read(ROOT + "index.html").orElseThrow(() -> new IllegalStateException("dashboard missing"));
        headers(ctx);
        ctx.header("Cache-Control", "no-store");
        ctx.contentType(TYPES.get("html")).result(index);
    }

    private void asset(Context ctx, String directory, String file) {
        // The name pattern forbids '/' and "..", so a request cannot leave the directory.
        if (!FILE_NAME.matcher(file).matches()) {
            throw ApiException.notFound("Dashboard file", file);
        }
        String extension = file.substring(file.lastIndexOf('.') + 1);
        String type = TYPES.get(extension);
        byte[] body = type == null ? null : read(directory + file).orElse(null);
        if (body == null) {
            throw new ApiException(ErrorCode.ROUTE_NOT_FOUND, "No dashboard file " + ctx.path());
        }
        headers(ctx);
        // Revalidate each load: files change with the server version and are small.
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(type).result(body);
    }

    private static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
    }

    private Optional<byte[]> read(String resource) {
        return cache.computeIfAbsent(resource, name -> {
            try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(name)) {
                return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
