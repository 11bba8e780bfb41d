package io.substate.offerings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a Stripe product, with its {@code default_price} expanded, into the price the SDK is shown, or the reason it
 * gives none. The SDK shows one fixed amount per product: prices without one (tiered, metered, customer-chosen) and
 * archived ones are left out, with a reason the dashboard shows.
 */
final class StripePrices {
    private static final Set<String> INTERVALS = Set.of("day", "week", "month", "year");

    private StripePrices() {}

    /** Stripe's answer: a price, or why there is none (exactly one is set). */
    record Read(StripePrice price, String unreadableReason) {
        static Read unreadable(String reason) {
            return new Read(null, reason);
        }
    }

    static Read read(JsonNode product) {
        String productId = product.path("id").asText("?");
        if (!product.path("active").asBoolean(true)) {
            return Read.unreadable("The Stripe product " + productId + " is archived: unarchive it in Stripe, or "
                    + "detach it from its packages");
        }
        JsonNode price = product.get("default_price");
        if (price == null || price.isNull()) {
            return Read.unreadable("The Stripe product " + productId + " has no default price: set one in Stripe "
                    + "(the product's pricing, \"Set as default price\")");
        }
        if (!price.isObject()) {
            return Read.unreadable("Stripe answered the product " + productId + " without its default price "
                    + price.asText() + " expanded");
        }
        String priceId = price.path("id").asText("?");
        if (!price.path("active").asBoolean(true)) {
            return Read.unreadable("The default price " + priceId + " of " + productId + " is archived: set an "
                    + "active default price in Stripe");
        }
        JsonNode amount = price.get("unit_amount");
        if (amount == null || !amount.canConvertToLong()) {
            return Read.unreadable("The default price " + priceId + " of " + productId + " has no fixed amount "
                    + "(tiered, or chosen by the customer): the SDK shows one amount per product");
        }
        String currency = price.path("currency").asText("");
        if (!currency.matches("[A-Za-z]{3}")) {
            return Read.unreadable("The default price " + priceId + " of " + productId + " has no currency");
        }
        JsonNode recurring = price.get("recurring");
        boolean isRecurring = recurring != null && recurring.isObject();
        String interval = null;
        int intervalCount = 0;
        Integer trialDays = null;
        if (isRecurring) {
            if ("metered".equals(recurring.path("usage_type").asText())) {
                return Read.unreadable("The default price " + priceId + " of " + productId + " is metered "
                        + "(usage-based): the SDK shows a fixed amount per period");
            }
            interval = recurring.path("interval").asText("");
            intervalCount = recurring.path("interval_count").asInt(1);
            if (!INTERVALS.contains(interval) || intervalCount < 1) {
                return Read.unreadable("The default price " + priceId + " of " + productId + " bills every "
                        + intervalCount + " " + interval + ", which is no period the SDK knows");
            }
            JsonNode trial = recurring.get("trial_period_days");
            trialDays = trial != null && trial.canConvertToInt() && trial.asInt() > 0 ? trial.asInt() : null;
        }
        return new Read(new StripePrice(priceId, isRecurring, amount.asLong(), currency.toUpperCase(Locale.ROOT),
                interval, intervalCount, trialDays, text(product.get("name")), text(product.get("description"))),
                null);
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
    }
}
