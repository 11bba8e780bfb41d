package io.substate.ingest;

import io.substate.apps.App;
import io.substate.customers.AppUserIds;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import io.substate.purchases.StripeFact;
import io.substate.storage.Ids;
import java.util.Map;

/**
 * "Track new purchases from server-to-server notifications": which events may start a purchase, and the App User ID
 * a new purchase gets by the app's detection method (the seed's three methods).
 */
final class NewPurchaseTracking {
    private NewPurchaseTracking() {}

    /** The App User ID for a new purchase, or a message saying why none could be detected. */
    record Detection(String appUserId, String problem) {}

    /**
     * Subscription snapshots (created or updated: Stripe does not order them) and completed checkouts start purchases;
     * a deleted subscription, an invoice or a refund never does — they wait (parked) for their purchase.
     */
    static boolean canStart(StripeFact fact) {
        if (fact instanceof SubscriptionSnapshot s) {
            return !s.deleted();
        }
        return fact instanceof CheckoutFact c && ("payment".equals(c.mode()) || "subscription".equals(c.mode()));
    }

    /**
     * The App User ID detected for the fact's new purchase, checked by the same rule as every other App User ID
     * ({@link AppUserIds}): an ID the v1 routes would refuse (a '/', a word such as "null" in metadata, over 100
     * characters) would make a customer no client can read, so the event is parked with the reason instead.
     */
    static Detection detect(App app, StripeFact fact) {
        Detection detection = detectAny(app, fact);
        if (detection.appUserId() == null) {
            return detection;
        }
        String problem = AppUserIds.problem(detection.appUserId(), app.metadataKey() == null ? "app_user_id"
                : app.metadataKey());
        return problem == null ? detection : new Detection(null, "The App User ID detected ("
                + app.appUserIdDetection().name().toLowerCase(java.util.Locale.ROOT) + ") is refused: " + problem
                + ". The event is parked: it is applied once the purchase exists (after an event carrying a valid ID, "
                + "such as a Subscription update once its metadata is fixed).");
    }

    private static Detection detectAny(App app, StripeFact fact) {
        return switch (app.appUserIdDetection()) {
            case ANONYMOUS -> new Detection(Ids.anonymousAppUserId(), null);
            case STRIPE_CUSTOMER_ID -> {
                String customer = customerId(fact);
                // A guest checkout has no Stripe customer: the purchase goes to an anonymous App User ID.
                yield new Detection(customer != null ? customer : Ids.anonymousAppUserId(), null);
            }
            case METADATA -> fromMetadata(app.metadataKey(), fact);
        };
    }

    private static Detection fromMetadata(String key, StripeFact fact) {
        Map<String, String> metadata = fact instanceof CheckoutFact c ? c.metadata()
                : fact instanceof SubscriptionSnapshot s ? s.metadata() : Map.of();
        String where = fact instanceof CheckoutFact ? "Checkout Session" : "Subscription";
        String value = metadata == null ? null : metadata.get(key);
        if (value == null || value.isBlank()) {
            return new Detection(null, "The " + where + " has no metadata '" + key + "', the App User ID detection "
                    + "method of this app. Set it on the Checkout Session (metadata) and on the Subscription "
                    + "(subscription_data.metadata). The event is parked and is applied when the purchase appears.");
        }
        return new Detection(value, null);
    }

    private static String customerId(StripeFact fact) {
        if (fact instanceof CheckoutFact c) {
            return c.customerId();
        }
        if (fact instanceof SubscriptionSnapshot s) {
            return s.customerId();
        }
        return null;
    }
}
