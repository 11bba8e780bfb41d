package io.substate.offerings;

/**
 * What Substate knows of a product's Stripe price (a row of {@code stripe_product_prices}).
 *
 * @param readAt when Stripe last answered, or null if it never has
 * @param price that answer's price, or null when {@code unreadableReason} says why there is none (or never read)
 * @param failedAt the last read that failed since {@code readAt}, or null
 * @param failure why it failed
 * @param retryAt no read from Stripe before then (after a failure), or null
 */
record CachedPrice(String productId, Long readAt, StripePrice price, String unreadableReason, Long failedAt,
                   String failure, Long retryAt) {

    static CachedPrice none(String productId) {
        return new CachedPrice(productId, null, null, null, null, null, null);
    }

    static CachedPrice read(String productId, long readAt, StripePrices.Read read) {
        return new CachedPrice(productId, readAt, read.price(), read.unreadableReason(), null, null, null);
    }

    CachedPrice failed(long failedAt, String failure, long retryAt) {
        return new CachedPrice(productId, readAt, price, unreadableReason, failedAt, failure, retryAt);
    }
}
