package io.substate.offerings;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.entitlements.ProductType;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON RevenueCat's SDKs read for offerings, with the field names they parse (the web SDK,
 * {@code @revenuecat/purchases-js}, drops a package whose product is missing from the product details, and throws
 * on a currency that is not ISO 4217): {@code GET /v1/subscribers/{id}/offerings} and the Web Billing product details
 * of {@code GET /rcbilling/v1/subscribers/{id}/products}.
 */
final class SdkOfferingsView {
    private SdkOfferingsView() {}

    /** What the offerings answer is built from, read in one handle. */
    record Loaded(List<Offering> offerings, String overrideOfferingId, Map<String, List<OfferingPackage>> packages,
                  List<PackageProduct> appProducts, Placements placements) {}

    /**
     * {@code current_offering_id} is the customer's override, else the project's current offering; offerings and
     * placements are named by lookup key, as the SDK matches them. A package shows the calling app's product, and
     * is left out when that product has no price to show.
     */
    static ObjectNode offerings(Loaded loaded, Map<String, ProductPrice> prices) {
        Map<String, Offering> byId = new LinkedHashMap<>();
        loaded.offerings().forEach(o -> byId.put(o.id(), o));
        String currentId = loaded.overrideOfferingId() != null && byId.containsKey(loaded.overrideOfferingId())
                ? loaded.overrideOfferingId()
                : loaded.offerings().stream().filter(Offering::current).map(Offering::id).findFirst().orElse(null);
        Map<String, PackageProduct> productOfPackage = new HashMap<>();
        loaded.appProducts().forEach(pp -> productOfPackage.putIfAbsent(pp.packageId(), pp));

        ObjectNode body = Json.object();
        body.put("current_offering_id", lookupKey(byId, currentId));
        ArrayNode offerings = body.putArray("offerings");
        for (Offering offering : loaded.offerings()) {
            ObjectNode o = offerings.addObject();
            o.put("identifier", offering.lookupKey());
            o.put("description", offering.displayName());
            o.set("metadata", offering.metadata() != null ? offering.metadata() : Json.object());
            ArrayNode packages = o.putArray("packages");
            for (OfferingPackage pkg : loaded.packages().getOrDefault(offering.id(), List.of())) {
                PackageProduct product = productOfPackage.get(pkg.id());
                ProductPrice price = product == null ? null : prices.get(product.product().id());
                if (price != null && price.shown()) {
                    packages.addObject().put("identifier", pkg.lookupKey())
                            .put("platform_product_identifier", product.product().storeIdentifier());
                }
            }
        }
        ObjectNode placements = body.putObject("placements");
        String fallback = loaded.placements().fallbackOfferingId();
        placements.put("fallback_offering_id", lookupKey(byId, fallback != null ? fallback : currentId));
        ObjectNode byPlacement = placements.putObject("offering_ids_by_placement");
        loaded.placements().offeringIdsByPlacement().forEach((placement, offeringId) ->
                byPlacement.put(placement, lookupKey(byId, offeringId)));
        return body;
    }

    /** {@code {product_details: […]}} in the order asked, for the products with a price to show. */
    static ObjectNode productDetails(List<String> storeIdentifiers, Collection<ProductPrice> prices) {
        Map<String, ProductPrice> byStoreIdentifier = new HashMap<>();
        prices.stream().filter(ProductPrice::shown)
                .forEach(p -> byStoreIdentifier.put(p.product().storeIdentifier(), p));
        ObjectNode body = Json.object();
        ArrayNode details = body.putArray("product_details");
        for (String id : storeIdentifiers) {
            ProductPrice price = byStoreIdentifier.get(id);
            if (price != null) {
                details.add(productDetail(price));
            }
        }
        return body;
    }

    /**
     * One product as Web Billing describes it: one purchase option, named by the Stripe price id, with the billing
     * period and the free trial (a subscription's {@code base} and {@code trial}) or the one-time {@code base_price}.
     */
    static ObjectNode productDetail(ProductPrice productPrice) {
        StripePrice price = productPrice.price();
        ObjectNode node = Json.object();
        node.put("identifier", productPrice.product().storeIdentifier());
        node.put("product_type", productType(productPrice));
        node.put("title", title(productPrice));
        node.put("description", price.productDescription());
        node.put("default_purchase_option_id", price.priceId());
        ObjectNode option = node.putObject("purchase_options").putObject(price.priceId());
        option.put("id", price.priceId());
        option.put("price_id", price.priceId());
        if (price.recurring()) {
            ObjectNode base = option.putObject("base");
            base.put("period_duration", price.periodDuration());
            base.put("cycle_count", 1);
            base.set("price", money(price));
            if (price.trialDuration() != null) {
                ObjectNode trial = option.putObject("trial");
                trial.put("period_duration", price.trialDuration());
                trial.put("cycle_count", 1);
                trial.putNull("price");
            } else {
                option.putNull("trial");
            }
            option.putNull("intro_price");
            option.putNull("discount");
        } else {
            option.set("base_price", money(price));
        }
        return node;
    }

    /** Stripe's one-time products are bought once and kept: RevenueCat's non-consumables. */
    static String productType(ProductPrice price) {
        return price.product().type() == ProductType.SUBSCRIPTION ? "subscription" : "non_consumable";
    }

    /** The product's name in Substate, else in Stripe, else its Stripe id. */
    static String title(ProductPrice price) {
        if (price.product().displayName() != null) {
            return price.product().displayName();
        }
        return price.price() != null && price.price().productName() != null ? price.price().productName()
                : price.product().storeIdentifier();
    }

    private static ObjectNode money(StripePrice price) {
        ObjectNode money = Json.object();
        money.put("amount_micros", price.amountMicros());
        money.put("currency", price.currency());
        return money;
    }

    private static String lookupKey(Map<String, Offering> byId, String offeringId) {
        Offering offering = offeringId == null ? null : byId.get(offeringId);
        return offering == null ? null : offering.lookupKey();
    }
}
