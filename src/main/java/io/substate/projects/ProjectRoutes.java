package io.substate.projects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.http.AdminAuth;
import io.substate.common.Json;
import io.substate.http.JsonBody;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.Optional;

/**
 * {@code /v2/projects}: the admin API for projects. The project's secret key is answered by the create and the roll
 * only (with {@code Cache-Control: no-store}); every other answer shows its hint.
 */
public final class ProjectRoutes implements RouteGroup {
    private final ProjectService projects;
    private final AdminAuth auth;

    public ProjectRoutes(ProjectService projects, AdminAuth auth) {
        this.projects = projects;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v2/projects", this::create);
        routes.get("/v2/projects", this::list);
        routes.get("/v2/projects/{project_id}", this::get);
        RouteGroup.update(routes, "/v2/projects/{project_id}", this::update);
        routes.post("/v2/projects/{project_id}/actions/roll_secret_api_key", this::rollSecretKey);
    }

    private void create(Context ctx) {
        auth.requireAdmin(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("name", "transfer_behavior");
        NewSecretKey made = projects.create(body.requiredString("name"), transferBehavior(body));
        ctx.status(201);
        answerWithKey(ctx, made);
    }

    /** A new secret key for the project; the old one is refused from this answer on. Admin token or a key of it. */
    private void rollSecretKey(Context ctx) {
        auth.require(ctx);
        answerWithKey(ctx, projects.rollSecretKey(ctx.pathParam("project_id")));
    }

    private static void answerWithKey(Context ctx, NewSecretKey made) {
        ObjectNode node = render(made.project());
        node.put("secret_api_key", made.secretApiKey());
        ctx.header("Cache-Control", "no-store").json(node);
    }

    private void list(Context ctx) {
        auth.requireAdmin(ctx);
        ctx.json(projects.list(Page.startingAfter(ctx), Page.limit(ctx)).toJson(ctx, ProjectRoutes::render, Project::id));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        ctx.json(render(projects.get(ctx.pathParam("project_id"))));
    }

    private void update(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("name", "transfer_behavior");
        ctx.json(render(projects.update(ctx.pathParam("project_id"), body.optionalString("name"), transferBehavior(body))));
    }

    private static Optional<TransferBehavior> transferBehavior(JsonBody body) {
        return body.optionalEnum("transfer_behavior", TransferBehavior.values_()).map(TransferBehavior::of);
    }

    static ObjectNode render(Project p) {
        ObjectNode node = Json.object();
        node.put("object", "project");
        node.put("id", p.id());
        node.put("name", p.name());
        node.put("secret_api_key_hint", p.secretApiKeyHint());
        node.put("transfer_behavior", p.transferBehavior().value());
        node.put("created_at", p.createdAt());
        return node;
    }
}
