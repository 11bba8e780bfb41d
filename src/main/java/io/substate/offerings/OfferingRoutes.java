package io.substate.offerings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.AdminAuth;
import io.substate.http.JsonBody;
import io.substate.http.Page;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /v2/projects/{project_id}/offerings} in RevenueCat API v2's names and shapes, the project's placements
 * (RevenueCat has no API for them: README, "Offerings"), and the prices the SDK is shown for an offering's packages.
 */
public final class OfferingRoutes implements RouteGroup {
    static final int MAX_PLACEMENTS = 100;

    private final OfferingService offerings;
    private final PriceService prices;
    private final AdminAuth auth;

    public OfferingRoutes(OfferingService offerings, PriceService prices, AdminAuth auth) {
        this.offerings = offerings;
        this.prices = prices;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        String all = "/v2/projects/{project_id}/offerings";
        String one = all + "/{offering_id}";
        routes.post(all, this::create);
        routes.get(all, this::list);
        routes.get(one, this::get);
        RouteGroup.update(routes, one, this::update);
        routes.delete(one, this::delete);
        routes.get(one + "/prices", this::prices);
        String placements = "/v2/projects/{project_id}/placements";
        routes.get(placements, this::placements);
        RouteGroup.update(routes, placements, this::replacePlacements);
    }

    private void create(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("lookup_key", "display_name", "metadata");
        Offering created = offerings.create(ctx.pathParam("project_id"),
                Fields.lookupKey(body.requiredString("lookup_key"), "lookup_key"),
                Fields.displayName(body.requiredString("display_name")), Fields.metadata(body));
        ctx.status(201).json(render(new OfferingService.OfferingView(created, null)));
    }

    private void list(Context ctx) {
        auth.require(ctx);
        Set<String> expand = Fields.expand(ctx, "items.package", "items.package.product");
        Page<OfferingService.OfferingView> page = offerings.list(ctx.pathParam("project_id"), Page.startingAfter(ctx),
                Page.limit(ctx), new OfferingService.Expand(!expand.isEmpty(),
                        expand.contains("items.package.product")));
        ctx.json(page.toJson(ctx, OfferingRoutes::render, v -> v.offering().id()));
    }

    private void get(Context ctx) {
        auth.require(ctx);
        Set<String> expand = Fields.expand(ctx, "package", "package.product");
        ctx.json(render(offerings.get(ctx.pathParam("project_id"), ctx.pathParam("offering_id"),
                new OfferingService.Expand(!expand.isEmpty(), expand.contains("package.product")))));
    }

    private void update(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx);
        if (body.has("lookup_key")) {
            throw ApiException.invalid("Field 'lookup_key' cannot be changed: apps match offerings by it. Create "
                    + "another offering instead");
        }
        body.allowOnly("display_name", "is_current", "metadata");
        OfferingService.Change change = new OfferingService.Change(
                body.optionalString("display_name").map(Fields::displayName), body.has("metadata"),
                Fields.metadata(body), body.optionalBoolean("is_current"));
        Offering updated = offerings.update(ctx.pathParam("project_id"), ctx.pathParam("offering_id"), change);
        ctx.json(render(new OfferingService.OfferingView(updated, null)));
    }

    private void delete(Context ctx) {
        auth.require(ctx);
        Offering deleted = offerings.delete(ctx.pathParam("project_id"), ctx.pathParam("offering_id"));
        ctx.json(deleted("offering", deleted.id()));
    }

    /** Each package's products with the price the SDK is shown, or why it is left out; {@code refresh=true} re-reads. */
    private void prices(Context ctx) {
        auth.require(ctx);
        boolean refresh = Boolean.parseBoolean(ctx.queryParam("refresh"));
        ctx.json(renderPrices(ctx.pathParam("offering_id"), prices.forOffering(ctx.pathParam("project_id"),
                ctx.pathParam("offering_id"), refresh)));
    }

    private void placements(Context ctx) {
        auth.require(ctx);
        ctx.json(render(offerings.placements(ctx.pathParam("project_id"))));
    }

    private void replacePlacements(Context ctx) {
        auth.require(ctx);
        JsonBody body = Requests.jsonBody(ctx).allowOnly("fallback_offering_id", "offering_ids_by_placement");
        Optional<Optional<String>> fallback = body.has("fallback_offering_id")
                ? Optional.of(body.optionalString("fallback_offering_id")) : Optional.empty();
        Optional<Map<String, String>> byPlacement = body.has("offering_ids_by_placement")
                ? Optional.of(placementMap(body.node().get("offering_ids_by_placement"))) : Optional.empty();
        ctx.json(render(offerings.replacePlacements(ctx.pathParam("project_id"), fallback, byPlacement)));
    }

    private static Map<String, String> placementMap(JsonNode node) {
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.invalid("Field 'offering_ids_by_placement' must be an object of placement identifier "
                    + "to offering id (or null for no offering)");
        }
        if (node.size() > MAX_PLACEMENTS) {
            throw ApiException.invalid("Field 'offering_ids_by_placement' may hold at most " + MAX_PLACEMENTS
                    + " placements");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String placement = entry.getKey();
            if (placement.isEmpty()) {
                throw ApiException.invalid("A placement identifier in 'offering_ids_by_placement' is empty");
            }
            Fields.lookupKey(placement, "offering_ids_by_placement." + placement);
            JsonNode value = entry.getValue();
            if (!value.isNull() && !(value.isTextual() && !value.asText().isBlank())) {
                throw ApiException.invalid("Field 'offering_ids_by_placement." + placement + "' must be an offering "
                        + "id, or null for no offering");
            }
            map.put(placement, value.isNull() ? null : value.asText());
        }
        return map;
    }

    static ObjectNode render(OfferingService.OfferingView view) {
        Offering offering = view.offering();
        ObjectNode node = Json.object();
        node.put("object", "offering");
        node.put("id", offering.id());
        node.put("lookup_key", offering.lookupKey());
        node.put("display_name", offering.displayName());
        node.put("is_current", offering.current());
        node.put("created_at", offering.createdAt());
        node.put("project_id", offering.projectId());
        node.set("metadata", offering.metadata());
        if (view.packages() != null) {
            ObjectNode packages = node.putObject("packages");
            packages.put("object", "list");
            ArrayNode items = packages.putArray("items");
            view.packages().forEach(p -> items.add(PackageRoutes.render(offering.projectId(), p)));
            packages.putNull("next_page");
            packages.put("url", "/v2/projects/" + offering.projectId() + "/offerings/" + offering.id() + "/packages");
        }
        return node;
    }

    static ObjectNode render(Placements placements) {
        ObjectNode node = Json.object();
        node.put("object", "placements");
        node.put("fallback_offering_id", placements.fallbackOfferingId());
        ObjectNode map = node.putObject("offering_ids_by_placement");
        placements.offeringIdsByPlacement().forEach(map::put);
        return node;
    }

    static ObjectNode renderPrices(String offeringId, List<PriceService.PackagePrices> packages) {
        ObjectNode node = Json.object();
        node.put("object", "offering_prices");
        node.put("offering_id", offeringId);
        ArrayNode items = node.putArray("packages");
        for (PriceService.PackagePrices pkg : packages) {
            ObjectNode p = items.addObject();
            p.put("package_id", pkg.pkg().id());
            p.put("lookup_key", pkg.pkg().lookupKey());
            ArrayNode products = p.putArray("products");
            for (ProductPrice price : pkg.products()) {
                ObjectNode item = products.addObject();
                item.put("product_id", price.product().id());
                item.put("store_identifier", price.product().storeIdentifier());
                item.put("app_id", price.product().appId());
                item.put("shown", price.shown());
                if (price.shown()) {
                    StripePrice stripe = price.price();
                    ObjectNode shown = item.putObject("price");
                    shown.put("price_id", stripe.priceId());
                    shown.put("title", SdkOfferingsView.title(price));
                    shown.put("product_type", SdkOfferingsView.productType(price));
                    shown.put("amount_micros", stripe.amountMicros());
                    shown.put("currency", stripe.currency());
                    shown.put("period_duration", stripe.periodDuration());
                    shown.put("trial_duration", stripe.trialDuration());
                } else {
                    item.putNull("price");
                }
                item.put("left_out_reason", price.leftOutReason());
                item.put("read_at", price.readAt());
                item.put("failed_at", price.failedAt());
                item.put("failure", price.failure());
            }
        }
        return node;
    }

    /** RevenueCat v2's answer to a DELETE. */
    static ObjectNode deleted(String object, String id) {
        ObjectNode node = Json.object();
        node.put("object", object);
        node.put("id", id);
        node.put("deleted_at", System.currentTimeMillis());
        return node;
    }
}
