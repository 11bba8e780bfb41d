package io.substate.apps;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** How an app finds the App User ID of a purchase it tracks on its own (the seed's "App User ID detection"). */
public enum AppUserIdDetection {
    /** A new anonymous id ({@code $RCAnonymousID:…}) per purchase. */
    ANONYMOUS,
    /** The Stripe customer id ({@code cus_…}); anonymous for guest checkouts without a customer. */
    STRIPE_CUSTOMER_ID,
    /** The value of the app's metadata key on the Checkout Session or Subscription. */
    METADATA;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AppUserIdDetection of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public static List<String> values_() {
        return Arrays.stream(values()).map(AppUserIdDetection::value).toList();
    }
}
