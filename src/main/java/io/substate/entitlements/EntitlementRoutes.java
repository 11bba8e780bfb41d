package io.substate.entitlements;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.http.AdminAuth;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.JsonBody;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.Optional;

/** {@code /v2/projects/{project_id}/entitlements}: entitlements and the products attached to them. */
public final class EntitlementRoutes implements RouteGroup {
    private static final int MAX_LOOKUP_KEY = 200;

    private final EntitlementService entitlements;
    private final AdminAuth auth;

    public EntitlementRoutes(EntitlementService entitlements, AdminAuth auth) {
        this.entitlements = entitlements;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        String one = "/v2/projects/{project_id}/entitlements/{entitlement_id}";
        routes.post("/v2/projects/{project_id}/entitlements", this::create);
        routes.get("/v2/projects/{project_id}/entitlements", this::list);
        routes.get(one, this::get);
        RouteGroup.update(routes, one, this::update);
        routes.delete(one, this::delete);
        routes.post(one + "/actions/attach_products", this::attach);
        routes.post(one + "/actions/detach_products", this::detach);
    }

    private void create(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("lookup_key", "display_name");
        String lookupKey = checkLookupKey(body.requiredString("lookup_key"));
        Entitlement created = entitlements.create(ctx.pathParam("project_id"), lookupKey,
                body.requiredString("display_name"));
        ctx.status(201).json(render(created));
    }

    private void list(Context ctx) {
        auth.require(ctx);
        Page<Entitlement> page = entitlements.list(ctx.pathParam("project_id"), Page.startingAfter(ctx), Page.limit(ctx));
        ctx.json(page.toJson(ctx, EntitlementRoutes::render, Entitlement::id));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        ctx.json(render(entitlements.get(ctx.pathParam("project_id"), ctx.pathParam("entitlement_id"))));
    }

    private void update(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("lookup_key", "display_name");
        Optional<String> lookupKey = body.optionalString("lookup_key").map(EntitlementRoutes::checkLookupKey);
        ctx.json(render(entitlements.update(ctx.pathParam("project_id"), ctx.pathParam("entitlement_id"), lookupKey,
                body.optionalString("display_name"))));
    }

    private void delete(Context ctx) {
        auth.require(ctx);
        Entitlement deleted = entitlements.delete(ctx.pathParam("project_id"), ctx.pathParam("entitlement_id"));
        ObjectNode node = Json.object();
        node.put("object", "entitlement");
        node.put("id", deleted.id());
        node.put("deleted_at", System.currentTimeMillis());
        ctx.json(node);
    }

    private void attach(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("product_ids");
        ctx.json(render(entitlements.attachProducts(ctx.pathParam("project_id"), ctx.pathParam("entitlement_id"),
                body.requiredStringList("product_ids"))));
    }

    private void detach(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("product_ids");
        ctx.json(render(entitlements.detachProducts(ctx.pathParam("project_id"), ctx.pathParam("entitlement_id"),
                body.requiredStringList("product_ids"))));
    }

    // Clients look entitlements up by this key in every subscriber response; whitespace there is always a mistake.
    private static String checkLookupKey(String key) {
        if (key.length() > MAX_LOOKUP_KEY || !key.strip().equals(key) || key.chars().anyMatch(Character::isWhitespace)) {
            throw ApiException.invalid("Field 'lookup_key' must be at most " + MAX_LOOKUP_KEY
                    + " characters without spaces (got '" + key + "')");
        }
        return key;
    }

    static ObjectNode render(Entitlement entitlement) {
        ObjectNode node = Json.object();
        node.put("object", "entitlement");
        node.put("id", entitlement.id());
        node.put("project_id", entitlement.projectId());
        node.put("lookup_key", entitlement.lookupKey());
        node.put("display_name", entitlement.displayName());
        node.put("created_at", entitlement.createdAt());
        ObjectNode products = node.putObject("products");
        products.put("object", "list");
        ArrayNode items = products.putArray("items");
        entitlement.products().forEach(p -> items.add(ProductRoutes.render(p)));
        return node;
    }
}
