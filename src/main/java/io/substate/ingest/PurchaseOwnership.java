package io.substate.ingest;

import io.substate.charts.ChartFactsStore;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.delivery.OutgoingEventStore;
import io.substate.projects.TransferBehavior;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import org.jdbi.v3.core.Handle;

/**
 * Who keeps a purchase when another App User ID posts its token (RevenueCat's restore behavior). An anonymous owner
 * is merged with the poster, as RevenueCat aliases them; an identified owner keeps or loses it by the project's
 * transfer behavior, and a move is announced with a TRANSFER event.
 */
public final class PurchaseOwnership {
    private PurchaseOwnership() {}

    /** The purchase with its owner after the claim, and the customer the poster now is. */
    public record Claimed(StoredPurchase purchase, Customer poster) {}

    public static Claimed claim(Handle h, StoredPurchase purchase, Customer poster, TransferBehavior behavior,
            long now) {
        if (poster.id().equals(purchase.customerId())) {
            return new Claimed(purchase, poster);
        }
        if (purchase.customerId() == null) {
            // Its owner was deleted: the purchase is nobody's, and goes to whoever posts it.
            StoredPurchase owned = purchase.withCustomer(poster.id());
            PurchaseStore.update(h, owned, now);
            ChartFactsStore.ownerChanged(h, owned.id(), null, poster.id());
            return new Claimed(owned, poster);
        }
        Customer owner = CustomerStore.findById(h, purchase.customerId()).orElseThrow();
        if (CustomerStore.isAnonymous(h, owner.id())) {
            Customer merged = CustomerStore.merge(h, owner, poster);
            return new Claimed(purchase.withCustomer(merged.id()), merged);
        }
        switch (behavior) {
            case KEEP_WITH_ORIGINAL -> throw inUse(purchase, "the project keeps purchases with their original App "
                    + "User ID");
            case TRANSFER_IF_NO_ACTIVE_SUBS -> {
                if (hasActiveSubscription(h, owner, now)) {
                    throw inUse(purchase, "its owner has an active subscription, and the project transfers purchases "
                            + "only when there is none");
                }
            }
            case TRANSFER -> { }
        }
        java.util.List<String> from = CustomerStore.aliases(h, owner.id());
        java.util.List<String> to = CustomerStore.aliases(h, poster.id());
        StoredPurchase moved = purchase.withCustomer(poster.id());
        PurchaseStore.update(h, moved, now);
        ChartFactsStore.ownerChanged(h, moved.id(), owner.id(), poster.id());
        // RevenueCat sends TRANSFER for the destination user only.
        OutgoingEventStore.appendTransfer(h, new OutgoingEventStore.Source(moved.projectId(), moved.appId(), poster, moved.id(),
                moved.state().livemode(), null), from, to, now);
        return new Claimed(moved, poster);
    }

    /** Active subscriptions block a transfer; one-time purchases do not (RevenueCat's rule). */
    private static boolean hasActiveSubscription(Handle h, Customer owner, long now) {
        return PurchaseStore.forCustomer(h, owner.id()).stream()
                .anyMatch(p -> p.state().kind() == PurchaseState.Kind.SUBSCRIPTION && p.state().grantsAccess(now));
    }

    private static ApiException inUse(StoredPurchase purchase, String why) {
        return new ApiException(ErrorCode.RECEIPT_ALREADY_IN_USE, "The receipt is already in use by another "
                + "subscriber: " + purchase.token() + " belongs to another App User ID, and " + why + ".");
    }
}
