package io.substate.offerings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.entitlements.ProductRoutes;
import io.substate.http.AdminAuth;
import io.substate.http.JsonBody;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Packages of offerings and their products, in RevenueCat API v2's paths, names and shapes. */
public final class PackageRoutes implements RouteGroup {
    private final PackageService packages;
    private final AdminAuth auth;

    public PackageRoutes(PackageService packages, AdminAuth auth) {
        this.packages = packages;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        String ofOffering = "/v2/projects/{project_id}/offerings/{offering_id}/packages";
        String one = "/v2/projects/{project_id}/packages/{package_id}";
        routes.post(ofOffering, this::create);
        routes.get(ofOffering, this::list);
        routes.get(one, this::get);
        RouteGroup.update(routes, one, this::update);
        routes.delete(one, this::delete);
        routes.get(one + "/products", this::products);
        routes.post(one + "/actions/attach_products", this::attach);
        routes.post(one + "/actions/detach_products", this::detach);
    }

    private void create(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("lookup_key", "display_name", "position");
        PackageService.PackageView created = packages.create(ctx.pathParam("project_id"), ctx.pathParam("offering_id"),
                Fields.lookupKey(body.requiredString("lookup_key"), "lookup_key"),
                Fields.displayName(body.requiredString("display_name")),
                body.optionalLong("position").map(Fields::position));
        ctx.status(201).json(render(ctx.pathParam("project_id"), created));
    }

    private void list(Context ctx) {
        auth.require(ctx);
        Set<String> expand = Fields.expand(ctx, "items.product");
        Page<PackageService.PackageView> page = packages.list(ctx.pathParam("project_id"),
                ctx.pathParam("offering_id"), Page.startingAfter(ctx), Page.limit(ctx), !expand.isEmpty());
        ctx.json(page.toJson(ctx, v -> render(ctx.pathParam("project_id"), v), v -> v.pkg().id()));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        Set<String> expand = Fields.expand(ctx, "product");
        ctx.json(render(ctx.pathParam("project_id"), packages.get(ctx.pathParam("project_id"),
                ctx.pathParam("package_id"), !expand.isEmpty())));
    }

    private void update(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx);
        if (body.has("lookup_key")) {
            throw ApiException.invalid("Field 'lookup_key' cannot be changed: apps match packages by it. Create "
                    + "another package instead");
        }
        body.allowOnly("display_name", "position");
        if (body.isNull("position")) {
            throw ApiException.invalid("Field 'position' must be a whole number of at least 1");
        }
        ctx.json(render(ctx.pathParam("project_id"), packages.update(ctx.pathParam("project_id"),
                ctx.pathParam("package_id"), body.optionalString("display_name").map(Fields::displayName),
                body.optionalLong("position").map(Fields::position))));
    }

    private void delete(Context ctx) {
        auth.require(ctx);
        OfferingPackage deleted = packages.delete(ctx.pathParam("project_id"), ctx.pathParam("package_id"));
        ctx.json(OfferingRoutes.deleted("package", deleted.id()));
    }

    private void products(Context ctx) {
        auth.require(ctx);
        Page<PackageProduct> page = packages.products(ctx.pathParam("project_id"), ctx.pathParam("package_id"),
                Page.startingAfter(ctx), Page.limit(ctx));
        ctx.json(page.toJson(ctx, PackageRoutes::render, pp -> pp.product().id()));
    }

    private void attach(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("products");
        JsonNode products = body.node().get("products");
        if (products == null || !products.isArray()) {
            throw ApiException.invalid("Field 'products' is required: a list of {\"product_id\": \"prdl…\", "
                    + "\"eligibility_criteria\": \"all\"}");
        }
        List<PackageService.Attachment> attachments = new ArrayList<>();
        for (JsonNode item : products) {
            if (!item.isObject()) {
                throw ApiException.invalid("Each item of 'products' must be an object {\"product_id\", "
                        + "\"eligibility_criteria\"}");
            }
            JsonBody one = JsonBody.of((ObjectNode) item).allowOnly("product_id", "eligibility_criteria");
            attachments.add(new PackageService.Attachment(one.requiredString("product_id"),
                    one.optionalString("eligibility_criteria").orElse(PackageService.ELIGIBILITY_ALL)));
        }
        ctx.json(render(ctx.pathParam("project_id"), packages.attach(ctx.pathParam("project_id"),
                ctx.pathParam("package_id"), attachments)));
    }

    private void detach(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("product_ids");
        ctx.json(render(ctx.pathParam("project_id"), packages.detach(ctx.pathParam("project_id"),
                ctx.pathParam("package_id"), body.requiredStringList("product_ids"))));
    }

    static ObjectNode render(String projectId, PackageService.PackageView view) {
        OfferingPackage pkg = view.pkg();
        ObjectNode node = Json.object();
        node.put("object", "package");
        node.put("id", pkg.id());
        node.put("lookup_key", pkg.lookupKey());
        node.put("display_name", pkg.displayName());
        node.put("position", pkg.position());
        node.put("created_at", pkg.createdAt());
        if (view.products() != null) {
            ObjectNode products = node.putObject("products");
            products.put("object", "list");
            ArrayNode items = products.putArray("items");
            view.products().forEach(pp -> items.add(render(pp)));
            products.putNull("next_page");
            products.put("url", "/v2/projects/" + projectId + "/packages/" + pkg.id() + "/products");
        }
        return node;
    }

    /** RevenueCat's {@code {product, eligibility_criteria}}. */
    static ObjectNode render(PackageProduct pp) {
        ObjectNode node = Json.object();
        node.set("product", ProductRoutes.render(pp.product()));
        node.put("eligibility_criteria", pp.eligibilityCriteria());
        return node;
    }
}
