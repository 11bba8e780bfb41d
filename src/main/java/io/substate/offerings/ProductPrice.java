package io.substate.offerings;

import io.substate.entitlements.Product;
import io.substate.entitlements.ProductType;

/**
 * The price the SDK is shown for a product, or why the product is left out of its packages (exactly one is set).
 *
 * @param readAt when Stripe last answered for the product, or null
 * @param failure the last read's failure when it failed after {@code readAt} (the price is then the last known one),
 *     else null
 */
public record ProductPrice(Product product, StripePrice price, String leftOutReason, Long readAt, Long failedAt,
                           String failure) {

    public boolean shown() {
        return price != null;
    }

    /** The product left out, without anything read from Stripe. */
    static ProductPrice leftOut(Product product, String reason) {
        return new ProductPrice(product, null, reason, null, null, null);
    }

    /** What the cache holds for the product: its price, unless Stripe's answer or Substate's product type refuse it. */
    static ProductPrice of(Product product, CachedPrice cached) {
        String stale = cached.failedAt() != null ? cached.failure() : null;
        if (cached.readAt() == null) {
            return new ProductPrice(product, null, "Stripe has not been read for this product yet"
                    + (cached.failure() != null ? ": " + cached.failure() : ""), null, cached.failedAt(),
                    cached.failure());
        }
        if (cached.price() == null) {
            return new ProductPrice(product, null, cached.unreadableReason(), cached.readAt(), cached.failedAt(),
                    stale);
        }
        StripePrice price = cached.price();
        boolean subscription = product.type() == ProductType.SUBSCRIPTION;
        if (subscription != price.recurring()) {
            return new ProductPrice(product, null, "The default price " + price.priceId() + " of "
                    + product.storeIdentifier() + " is " + (price.recurring() ? "recurring" : "one-time")
                    + ", but the product is " + (subscription ? "a subscription" : "one-time") + " in Substate: set a "
                    + (subscription ? "recurring" : "one-time") + " default price in Stripe", cached.readAt(),
                    cached.failedAt(), stale);
        }
        return new ProductPrice(product, price, null, cached.readAt(), cached.failedAt(), stale);
    }
}
