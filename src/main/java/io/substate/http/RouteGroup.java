package io.substate.http;

import io.javalin.config.RoutesConfig;

/** A feature's HTTP routes. Handlers stay thin: parse, call one service, answer. */
public interface RouteGroup {
    void register(RoutesConfig routes);
}
