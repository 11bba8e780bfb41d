package io.substate.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;

/** A feature's HTTP routes. Handlers stay thin: parse, call one service, answer. */
public interface RouteGroup {
    void register(RoutesConfig routes);

    /**
     * Registers an update of one resource under POST, as RevenueCat's API v2 updates, and PATCH, which Substate
     * answered first and keeps answering: one handler, two methods, the same result.
     */
    static void update(RoutesConfig routes, String path, Handler handler) {
        routes.post(path, handler);
        routes.patch(path, handler);
    }
}
