package io.substate.http;

import io.javalin.config.RoutesConfig;

/**
 * {@code OPTIONS} on the routes browsers may call with an app's public key ({@link Cors#BROWSER_ROUTES}): the CORS
 * preflight. Every other path keeps answering {@code OPTIONS} with a JSON 405 or 404, without allowance.
 */
public final class CorsRoutes implements RouteGroup {
    @Override
    public void register(RoutesConfig routes) {
        Cors.preflightPaths().forEach(path -> routes.options(path, Cors::preflight));
    }
}
