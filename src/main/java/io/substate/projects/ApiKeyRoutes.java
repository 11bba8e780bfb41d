package io.substate.projects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.Access;
import io.substate.http.AdminAuth;
import io.substate.http.DeletedObject;
import io.substate.http.JsonBody;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code /v2/projects/{project_id}/api_keys}: the project's API keys. Made and revoked with the admin token or a
 * read-write key of the project, listed with any of its keys; the key itself is answered once, by the create.
 */
public final class ApiKeyRoutes implements RouteGroup {
    private static final List<String> PERMISSIONS = Arrays.stream(Access.values()).map(Access::value).toList();

    private final ProjectService projects;
    private final AdminAuth auth;

    public ApiKeyRoutes(ProjectService projects, AdminAuth auth) {
        this.projects = projects;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        String all = "/v2/projects/{project_id}/api_keys";
        routes.post(all, this::create);
        routes.get(all, this::list);
        routes.get(all + "/{key_id}", this::get);
        routes.delete(all + "/{key_id}", this::revoke);
    }

    private void create(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("name", "permissions");
        String name = body.requiredString("name");
        String permissions = body.optionalEnum("permissions", PERMISSIONS)
                .orElseThrow(() -> ApiException.invalid(
                        "Field 'permissions' is required: one of " + String.join(", ", PERMISSIONS)));
        NewApiKey made = projects.createKey(ctx.pathParam("project_id"), name,
                Access.valueOf(permissions.toUpperCase(Locale.ROOT)));
        ObjectNode node = render(made.stored());
        node.put("key", made.key());
        ctx.status(201).header("Cache-Control", "no-store").json(node);
    }

    private void list(Context ctx) {
        auth.require(ctx);
        ctx.json(projects.listKeys(ctx.pathParam("project_id"), Page.startingAfter(ctx), Page.limit(ctx))
                .toJson(ctx, ApiKeyRoutes::render, ApiKey::id));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        ctx.json(render(projects.getKey(ctx.pathParam("project_id"), ctx.pathParam("key_id"))));
    }

    private void revoke(Context ctx) {
        auth.require(ctx);
        String keyId = ctx.pathParam("key_id");
        long deletedAt = projects.revokeKey(ctx.pathParam("project_id"), keyId);
        ctx.json(DeletedObject.json("api_key", keyId, deletedAt));
    }

    static ObjectNode render(ApiKey key) {
        ObjectNode node = Json.object();
        node.put("object", "api_key");
        node.put("id", key.id());
        node.put("project_id", key.projectId());
        node.put("name", key.name());
        node.put("permissions", key.permissions().value());
        node.put("key_hint", key.hint());
        node.put("created_at", key.createdAt());
        if (key.lastUsedAt() == null) {
            node.putNull("last_used_at");
        } else {
            node.put("last_used_at", key.lastUsedAt());
        }
        return node;
    }
}
