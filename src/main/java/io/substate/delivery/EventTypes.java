package io.substate.delivery;

import io.substate.common.ApiException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The event-type filter of an integration, in RevenueCat API v2's lowercase names. Every name of RevenueCat's
 * {@code WebhookEventType} is accepted, so a configuration copied from RevenueCat works, even for types Stripe never
 * produces.
 */
final class EventTypes {
    static final List<String> ALL = List.of("initial_purchase", "renewal", "product_change", "cancellation",
            "billing_issue", "non_renewing_purchase", "uncancellation", "transfer", "subscription_paused", "expiration",
            "subscription_extended", "invoice_issuance", "temporary_entitlement_grant", "refund_reversed",
            "virtual_currency_transaction");

    private EventTypes() {}

    /** The filter name of an event type ({@code INITIAL_PURCHASE} → {@code initial_purchase}). */
    static String filterName(String eventType) {
        return eventType.toLowerCase(Locale.ROOT);
    }

    /** A validated, de-duplicated filter; an empty list is refused because it would silently send nothing. */
    static List<String> validate(List<String> names) {
        if (names.isEmpty()) {
            throw ApiException.invalid("Field 'event_types' must list at least one type, or be null for all types");
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String name : names) {
            if (!ALL.contains(name)) {
                throw ApiException.invalid("Field 'event_types' contains '" + name + "'; allowed types: "
                        + String.join(", ", ALL));
            }
            unique.add(name);
        }
        return List.copyOf(unique);
    }
}
