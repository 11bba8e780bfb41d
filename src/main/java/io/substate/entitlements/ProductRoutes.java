package io.substate.entitlements;

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

/** {@code /v2/projects/{project_id}/products}: the Stripe products each app sells. */
public final class ProductRoutes implements RouteGroup {
    private final ProductService products;
    private final AdminAuth auth;

    public ProductRoutes(ProductService products, AdminAuth auth) {
        this.products = products;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v2/projects/{project_id}/products", this::create);
        routes.get("/v2/projects/{project_id}/products", this::list);
        routes.get("/v2/projects/{project_id}/products/{product_id}", this::get);
        routes.delete("/v2/projects/{project_id}/products/{product_id}", this::delete);
    }

    private void create(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("store_identifier", "app_id", "type", "display_name");
        String storeIdentifier = body.requiredString("store_identifier");
        String appId = body.requiredString("app_id");
        ProductType type = ProductType.of(body.optionalEnum("type", ProductType.values_())
                .orElseThrow(() -> ApiException.invalid("Field 'type' is required (one of "
                        + String.join(", ", ProductType.values_()) + ")")));
        String displayName = body.optionalString("display_name").orElse(null);
        // Purchases carry Stripe's product id, so only that can ever match; a price id is the usual mistake.
        if (!storeIdentifier.startsWith("prod_") || storeIdentifier.length() <= "prod_".length()) {
            throw ApiException.invalid("Field 'store_identifier' must be a Stripe product id starting with 'prod_' (got '"
                    + storeIdentifier + "'" + (storeIdentifier.startsWith("price_") ? ", which is a price id" : "") + ")");
        }
        Product product = products.create(ctx.pathParam("project_id"), appId, storeIdentifier, type, displayName);
        ctx.status(201).json(render(product));
    }

    private void list(Context ctx) {
        auth.require(ctx);
        String appId = ctx.queryParam("app_id");
        Page<Product> page = products.list(ctx.pathParam("project_id"), appId == null || appId.isBlank() ? null : appId,
                Page.startingAfter(ctx), Page.limit(ctx));
        ctx.json(page.toJson(ctx, ProductRoutes::render, Product::id));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        ctx.json(render(products.get(ctx.pathParam("project_id"), ctx.pathParam("product_id"))));
    }

    private void delete(Context ctx) {
        auth.require(ctx);
        Product deleted = products.delete(ctx.pathParam("project_id"), ctx.pathParam("product_id"));
        ObjectNode node = Json.object();
        node.put("object", "product");
        node.put("id", deleted.id());
        node.put("deleted_at", System.currentTimeMillis());
        ctx.json(node);
    }

    /** RevenueCat v2's product object. */
    public static ObjectNode render(Product product) {
        ObjectNode node = Json.object();
        node.put("object", "product");
        node.put("id", product.id());
        node.put("store_identifier", product.storeIdentifier());
        node.put("type", product.type().value());
        node.put("display_name", product.displayName());
        node.put("app_id", product.appId());
        node.put("created_at", product.createdAt());
        return node;
    }
}
