package io.substate.http;

import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * CORS for the routes RevenueCat's browser SDK ({@code @revenuecat/purchases-js}) calls with an app's public key
 * (README, "Browsers (CORS)"). The SDK sends {@code Authorization} and {@code X-…} headers, so the browser asks first
 * with a preflight ({@code OPTIONS}, no {@code Authorization}): {@link CorsRoutes} answers it from
 * {@link #BROWSER_ROUTES} alone, for any origin, as it cannot know the app. The actual request then decides: the
 * feature that authenticates the caller calls {@link #allow} when its key may be used from that origin. Nothing else
 * ever carries an allowance: secret-key routes, the admin API, the Stripe webhook endpoint and the dashboard.
 */
public final class Cors {
    /** A route a browser page may call with an app's public key, and the method the SDK calls it with. */
    public record BrowserRoute(String method, String path) {
        boolean matches(String[] segments) {
            String[] template = split(path);
            if (template.length != segments.length) {
                return false;
            }
            for (int i = 0; i < template.length; i++) {
                boolean parameter = template[i].startsWith("{");
                if (parameter ? segments[i].isEmpty() : !template[i].equals(segments[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Every route a public key ({@code strp_…}) may call, with the method RevenueCat's SDKs use on it. One list: a
     * feature adding such a route adds its line here, and its preflight is answered. Routes that need the project's
     * secret key are never listed.
     */
    public static final List<BrowserRoute> BROWSER_ROUTES = List.of(
            new BrowserRoute("GET", "/v1/subscribers/{app_user_id}"),
            new BrowserRoute("POST", "/v1/subscribers/identify"),
            new BrowserRoute("POST", "/v1/subscribers/{app_user_id}/attributes"),
            new BrowserRoute("POST", "/v1/receipts"),
            new BrowserRoute("GET", "/v1/subscribers/{app_user_id}/offerings"),
            new BrowserRoute("GET", "/rcbilling/v1/subscribers/{app_user_id}/products"));

    /**
     * Every request header RevenueCat's SDKs send. purchases-js sends the first nine on every call (its reserved
     * header names); the others are what RevenueCat's other SDKs send, for their web builds. A header missing here
     * fails the preflight, and {@code *} would not cover {@code Authorization}.
     */
    static final List<String> ALLOWED_HEADERS = List.of(
            "Authorization", "Content-Type", "Accept", "X-Platform", "X-Version", "X-Is-Sandbox", "X-Platform-Flavor",
            "X-Platform-Flavor-Version", "X-RC-Subscriber-Token",
            "X-Platform-Version", "X-Platform-Device", "X-Platform-Brand", "X-Client-Version",
            "X-Client-Build-Version", "X-Client-Bundle-ID", "X-Client-Locale", "X-Observer-Mode-Enabled",
            "X-Is-Debug-Build", "X-Is-Backgrounded", "X-Nonce", "X-Preferred-Locales", "X-Storefront",
            "X-Retry-Count", "X-RevenueCat-ETag");

    /** How long a browser may reuse a preflight's answer: Chromium's maximum (Firefox allows longer). */
    static final long MAX_AGE_SECONDS = 7200;

    private Cors() {}

    /** The request's {@code Origin}, or null when it has none (not a cross-origin browser request). */
    public static String origin(Context ctx) {
        String origin = ctx.header("Origin");
        return origin == null || origin.isBlank() ? null : origin.trim();
    }

    /**
     * Lets the page of the request's origin read this answer, error or not: the SDK reads RevenueCat's error JSON.
     * Does nothing for a request without {@code Origin}.
     */
    public static void allow(Context ctx) {
        String origin = origin(ctx);
        varyByOrigin(ctx);
        if (origin != null) {
            ctx.header("Access-Control-Allow-Origin", origin);
        }
    }

    /**
     * Marks an answer whose allowance depends on the request's {@code Origin}, so no cache hands one origin's answer
     * to another. Call it on answers given without an allowance too.
     */
    public static void varyByOrigin(Context ctx) {
        for (String value : ctx.res().getHeaders("Vary")) {
            if (value.toLowerCase(java.util.Locale.ROOT).contains("origin")) {
                return;
            }
        }
        ctx.res().addHeader("Vary", "Origin");
    }

    /** The distinct paths of {@link #BROWSER_ROUTES}, each to be answered for {@code OPTIONS}. */
    static Set<String> preflightPaths() {
        Set<String> paths = new LinkedHashSet<>();
        BROWSER_ROUTES.forEach(route -> paths.add(route.path()));
        return paths;
    }

    /**
     * Answers a preflight: 204 with the allowance when the requested method is one a public key may use on this
     * path, for any origin (the actual request decides by the app's allowed origins). Otherwise a JSON error without
     * allowance, which the browser reports as a CORS failure.
     */
    static void preflight(Context ctx) {
        String origin = origin(ctx);
        String method = ctx.header("Access-Control-Request-Method");
        ctx.res().addHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        if (origin == null || method == null || method.isBlank()) {
            throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "OPTIONS " + ctx.path() + " answers CORS "
                    + "preflights only: browsers send them with the headers Origin and Access-Control-Request-Method");
        }
        Set<String> methods = methodsFor(ctx.path());
        if (!methods.contains(method.trim())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "Browsers may not call " + method.trim() + " " + ctx.path()
                    + ": only " + String.join(", ", methods) + " may be called here with an app's public key (strp_…). "
                    + "Routes that need the project's secret key (sk_…) are never allowed from a browser: keep that "
                    + "key on your server.");
        }
        ctx.header("Access-Control-Allow-Origin", origin);
        ctx.header("Access-Control-Allow-Methods", String.join(", ", methods));
        ctx.header("Access-Control-Allow-Headers", String.join(", ", ALLOWED_HEADERS));
        ctx.header("Access-Control-Max-Age", Long.toString(MAX_AGE_SECONDS));
        ctx.status(204);
    }

    /** The methods a public key may use on {@code path}, from every listed route it matches. */
    static Set<String> methodsFor(String path) {
        String[] segments = split(path);
        Set<String> methods = new LinkedHashSet<>();
        for (BrowserRoute route : BROWSER_ROUTES) {
            if (route.matches(segments)) {
                methods.add(route.method());
            }
        }
        return methods;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.split("/", -1);
    }
}
