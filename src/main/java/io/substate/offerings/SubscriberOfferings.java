package io.substate.offerings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.customers.ApiCaller;
import io.substate.customers.AppUserIds;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.customers.SubscriberView;
import io.substate.entitlements.Product;
import io.substate.entitlements.ProductStore;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What RevenueCat's SDKs read about offerings (README, "Offerings"): the customer's offerings with the calling app's
 * products, the products' Stripe prices, and the per-customer override of the current offering. Reading writes
 * nothing: an App User ID without a customer gets the project's offerings, and no customer is created.
 */
public final class SubscriberOfferings {
    /** The SDK splits its product requests by URL length; this is well above what one request holds. */
    static final int MAX_PRODUCT_IDS = 100;

    private final Jdbi jdbi;
    private final PriceService prices;
    private final Clock clock;

    public SubscriberOfferings(Jdbi jdbi, PriceService prices, Clock clock) {
        this.jdbi = jdbi;
        this.prices = prices;
        this.clock = clock;
    }

    /** {@code GET /v1/subscribers/{id}/offerings}, for an app's public key. */
    public ObjectNode offerings(ApiCaller caller, String appUserId) {
        AppUserIds.require(appUserId, "app_user_id");
        String projectId = caller.projectId();
        SdkOfferingsView.Loaded loaded = jdbi.withHandle(h -> {
            Optional<String> override = CustomerStore.findByAppUserId(h, projectId, appUserId)
                    .flatMap(customer -> OfferingStore.overrideOf(h, customer.id()));
            List<Offering> offerings = OfferingStore.all(h, projectId);
            return new SdkOfferingsView.Loaded(offerings, override.orElse(null),
                    PackageStore.forOfferings(h, offerings.stream().map(Offering::id).toList()),
                    PackageStore.appProducts(h, projectId, caller.app().id()), OfferingStore.placements(h, projectId));
        });
        Map<String, ProductPrice> shown = prices.prices(caller.app(),
                loaded.appProducts().stream().map(PackageProduct::product).toList(), false);
        return SdkOfferingsView.offerings(loaded, shown);
    }

    /** {@code GET /rcbilling/v1/subscribers/{id}/products?id=prod_…}: unknown ids and products left out are absent. */
    public ObjectNode productDetails(ApiCaller caller, String appUserId, List<String> storeIdentifiers) {
        AppUserIds.require(appUserId, "app_user_id");
        List<String> wanted = List.copyOf(new LinkedHashSet<>(storeIdentifiers));
        if (wanted.size() > MAX_PRODUCT_IDS) {
            throw ApiException.invalid("At most " + MAX_PRODUCT_IDS + " product ids per request (got " + wanted.size()
                    + ")");
        }
        List<Product> products = jdbi.withHandle(h -> ProductStore.findForApp(h, caller.app().id(), wanted));
        Map<String, ProductPrice> shown = prices.prices(caller.app(), products, false);
        return SdkOfferingsView.productDetails(wanted, shown.values());
    }

    /**
     * {@code POST /v1/subscribers/{id}/offerings/{offering}/override}: the customer gets this offering as its current
     * one. The offering is named by its id, or else by its lookup key. Answers the subscriber.
     */
    public ObjectNode override(ApiCaller caller, String appUserId, String offering) {
        AppUserIds.require(appUserId, "app_user_id");
        return jdbi.inTransaction(h -> {
            long now = clock.millis();
            Customer customer = customer(h, caller, appUserId);
            Offering chosen = OfferingStore.findByIdOrLookupKey(h, caller.projectId(), offering)
                    .orElseThrow(() -> ApiException.notFound("Offering", offering));
            OfferingStore.setOverride(h, customer.id(), chosen.id(), now);
            return SubscriberView.render(h, customer, caller, now);
        });
    }

    /** {@code DELETE /v1/subscribers/{id}/offerings/override}: back to the project's current offering. */
    public ObjectNode clearOverride(ApiCaller caller, String appUserId) {
        AppUserIds.require(appUserId, "app_user_id");
        return jdbi.inTransaction(h -> {
            long now = clock.millis();
            Customer customer = customer(h, caller, appUserId);
            OfferingStore.clearOverride(h, customer.id());
            return SubscriberView.render(h, customer, caller, now);
        });
    }

    private static Customer customer(Handle h, ApiCaller caller, String appUserId) {
        return CustomerStore.findByAppUserId(h, caller.projectId(), appUserId)
                .orElseThrow(() -> ApiException.notFound("Subscriber", appUserId));
    }
}
