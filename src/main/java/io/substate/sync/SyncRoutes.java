package io.substate.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.http.AdminAuth;
import io.substate.http.JsonBody;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import io.substate.profiles.PurchaseView;
import io.substate.projects.ProjectService;
import io.substate.purchases.StoredPurchase;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin actions that read Stripe instead of waiting for it: backfill missed events, check an app's connection, and
 * refresh one purchase now.
 */
public final class SyncRoutes implements RouteGroup {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRoutes.class);

    private final ProjectService projects;
    private final AppService apps;
    private final Backfill backfill;
    private final StripeConnectionCheck connection;
    private final PurchaseRefresher refresher;
    private final AdminAuth auth;
    private final Clock clock;

    public SyncRoutes(ProjectService projects, AppService apps, Backfill backfill, StripeConnectionCheck connection,
            PurchaseRefresher refresher, AdminAuth auth, Clock clock) {
        this.projects = projects;
        this.apps = apps;
        this.backfill = backfill;
        this.connection = connection;
        this.refresher = refresher;
        this.auth = auth;
        this.clock = clock;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v2/projects/{project_id}/apps/{app_id}/actions/backfill", this::backfill);
        routes.post("/v2/projects/{project_id}/apps/{app_id}/actions/check_connection", this::checkConnection);
        routes.post("/v2/projects/{project_id}/purchases/{purchase_id}/actions/refresh", this::refresh);
    }

    /** {@code {since, page_size?}}; answers the summary once every page is applied. */
    private void backfill(Context ctx) {
        auth.require(ctx);
        App app = apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"));
        JsonBody body = Requests.jsonBodyOrEmpty(ctx).allowOnly("since", "page_size");
        String since = body.requiredString("since");
        long pageSize = body.optionalLong("page_size").orElse((long) Backfill.MAX_PAGE_SIZE);
        if (pageSize < 1 || pageSize > Backfill.MAX_PAGE_SIZE) {
            throw ApiException.invalid("Field 'page_size' must be from 1 to " + Backfill.MAX_PAGE_SIZE);
        }
        BackfillSummary summary = backfill.run(app, since, (int) pageSize, line -> LOG.info("Backfill {}: {}", app.id(), line));
        ctx.json(summary.toJson());
    }

    private void checkConnection(Context ctx) {
        auth.require(ctx);
        ctx.json(connection.check(apps.get(ctx.pathParam("project_id"), ctx.pathParam("app_id"))));
    }

    /** Re-reads a subscription from Stripe now, through the state machine; answers the purchase. */
    private void refresh(Context ctx) {
        auth.require(ctx);
        String projectId = projects.get(ctx.pathParam("project_id")).id();
        StoredPurchase refreshed = refresher.refresh(projectId, ctx.pathParam("purchase_id"));
        ObjectNode view = PurchaseView.render(refreshed, clock.millis());
        view.put("object", "purchase");
        ctx.json(view);
    }
}
