package io.substate.entitlements;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A product sold as a Stripe subscription or as a one-time Checkout payment. */
public enum ProductType {
    SUBSCRIPTION,
    ONE_TIME;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ProductType of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public static List<String> values_() {
        return Arrays.stream(values()).map(ProductType::value).toList();
    }
}
