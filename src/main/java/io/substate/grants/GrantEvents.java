package io.substate.grants;

import io.substate.config.UsdRates;
import io.substate.customers.Customer;
import io.substate.delivery.OutgoingEventStore;
import io.substate.entitlements.GrantedEntitlement;
import io.substate.purchases.OutgoingEventDraft;
import org.jdbi.v3.core.Handle;

/**
 * The outgoing events RevenueCat documents for granted entitlements, written in the caller's transaction: a grant is
 * a {@code NON_RENEWING_PURCHASE}; a revocation a {@code CANCELLATION} then an {@code EXPIRATION}; the natural end an
 * {@code EXPIRATION} (from {@link GrantExpiryWorker}). Store and period type are {@code PROMOTIONAL}, the price
 * 0 USD; {@code DEVELOPER_INITIATED} is the one cancel and expiration reason RevenueCat's table gives grants, and a
 * grant ends when its developer said.
 */
final class GrantEvents {
    static final String REASON = "DEVELOPER_INITIATED";

    private GrantEvents() {}

    static void granted(Handle h, Customer customer, GrantedEntitlement grant, UsdRates rates, long now) {
        append(h, customer, grant, "NON_RENEWING_PURCHASE", null, null, rates, now);
    }

    static void revoked(Handle h, Customer customer, GrantedEntitlement grant, UsdRates rates, long now) {
        append(h, customer, grant, "CANCELLATION", REASON, null, rates, now);
        append(h, customer, grant, "EXPIRATION", null, REASON, rates, now);
    }

    static void expired(Handle h, Customer customer, GrantedEntitlement grant, UsdRates rates, long now) {
        append(h, customer, grant, "EXPIRATION", null, REASON, rates, now);
    }

    private static void append(Handle h, Customer customer, GrantedEntitlement grant, String type,
            String cancelReason, String expirationReason, UsdRates rates, long now) {
        OutgoingEventDraft draft = new OutgoingEventDraft(type, grant.productIdentifier(), null, "PROMOTIONAL",
                grant.startsAt(), grant.endsAt(), 0L, "USD", null, cancelReason, expirationReason,
                grant.storeTransactionId(), grant.storeTransactionId(), null, now / 1000);
        OutgoingEventStore.appendPromotional(h, new OutgoingEventStore.Source(customer.projectId(), null, customer,
                null, true, null), draft, grant.lookupKey(), rates, now);
    }
}
