package io.substate.sync;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.http.AdminAuth;
import io.substate.http.JsonBody;
import io.substate.http.Page;
import io.substate.http.RouteGroup;

/** Importing an app's Stripe account from the admin API: start one in the background, follow its progress. */
public final class StripeImportRoutes implements RouteGroup {
    private final AppService apps;
    private final StripeImports imports;
    private final AdminAuth auth;

    public StripeImportRoutes(AppService apps, StripeImports imports, AdminAuth auth) {
        this.apps = apps;
        this.imports = imports;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v2/projects/{project_id}/apps/{app_id}/actions/import", this::start);
        routes.get("/v2/projects/{project_id}/apps/{app_id}/imports", this::list);
        routes.get("/v2/projects/{project_id}/apps/{app_id}/imports/{import_id}", this::get);
    }

    /** {@code {dry_run?, deliver_events?, restart?}}; answers 202 with the import, which runs on. */
    private void start(Context ctx) {
        auth.require(ctx);
        App app = apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"));
        JsonBody body = JsonBody.parse(ctx.body().isBlank() ? "{}" : ctx.body())
                .allowOnly("dry_run", "deliver_events", "restart");
        StripeImportRecord started = imports.start(app, body.optionalBoolean("dry_run").orElse(false),
                body.optionalBoolean("deliver_events").orElse(false), body.optionalBoolean("restart").orElse(false));
        ctx.status(202).json(started.toJson());
    }

    private void list(Context ctx) {
        auth.require(ctx);
        App app = apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"));
        ctx.json(Page.slice(imports.list(app), StripeImportRecord::id, Page.startingAfter(ctx), Page.limit(ctx))
                .toJson(ctx, StripeImportRecord::toJson, StripeImportRecord::id));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        App app = apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"));
        ctx.json(imports.get(app, ctx.pathParam("import_id")).toJson());
    }
}
