package io.substate.ingest;

import io.substate.charts.ChartFactsStore;
import io.substate.config.UsdRates;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.delivery.OutgoingEventStore;
import io.substate.purchases.Outcome;
import io.substate.purchases.PurchaseStateMachine;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import io.substate.purchases.StripeFact;
import io.substate.purchases.Transition;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Applies one Stripe fact to a stored purchase inside the caller's transaction: the pure state machine decides, and
 * this writes its decision — the new state, the Stripe objects now known to belong to the purchase, and the outgoing
 * events — so that all of it commits together or not at all.
 */
public final class PurchaseUpdater {
    private final UsdRates rates;

    public PurchaseUpdater(UsdRates rates) {
        this.rates = rates;
    }

    /** The purchase after the fact, and whether the fact was applied or stale. */
    public record Applied(StoredPurchase purchase, Outcome outcome, List<String> outgoingEventIds) {}

    /**
     * The purchase's customer as the caller already read or created it in this transaction, so events need not read
     * it again; {@code aliases} is null when the caller does not know them.
     */
    public record KnownCustomer(Customer customer, List<String> aliases) {}

    public Applied apply(Handle h, StoredPurchase purchase, StripeFact fact, String sourceEventId, long nowMillis) {
        return apply(h, purchase, fact, sourceEventId, nowMillis, null);
    }

    /** As {@link #apply(Handle, StoredPurchase, StripeFact, String, long)}, with the customer if the caller has it. */
    public Applied apply(Handle h, StoredPurchase purchase, StripeFact fact, String sourceEventId, long nowMillis,
            KnownCustomer known) {
        return apply(h, purchase, false, fact, sourceEventId, nowMillis, known, true);
    }

    /**
     * As {@link #apply(Handle, StoredPurchase, StripeFact, String, long, KnownCustomer)}; with {@code deliver} false
     * the outgoing events are stored (the customer's history) but sent to no integration.
     */
    public Applied apply(Handle h, StoredPurchase purchase, StripeFact fact, String sourceEventId, long nowMillis,
            KnownCustomer known, boolean deliver) {
        return apply(h, purchase, false, fact, sourceEventId, nowMillis, known, deliver);
    }

    /**
     * Applies the first fact of a purchase made by {@link PurchaseStore#unsaved}: the purchase is inserted with the
     * state after the fact (one statement, where inserting the empty state and updating it would take two).
     */
    public Applied applyToNew(Handle h, StoredPurchase unsaved, StripeFact fact, String sourceEventId, long nowMillis,
            KnownCustomer known, boolean deliver) {
        return apply(h, unsaved, true, fact, sourceEventId, nowMillis, known, deliver);
    }

    private Applied apply(Handle h, StoredPurchase purchase, boolean unsaved, StripeFact fact, String sourceEventId,
            long nowMillis, KnownCustomer known, boolean deliver) {
        Transition transition = PurchaseStateMachine.apply(purchase.state(), fact);
        StoredPurchase next = purchase.withState(transition.next());
        if (unsaved) {
            PurchaseStore.insert(h, next);
        }
        if (!next.state().equals(purchase.state())) {
            if (!unsaved) {
                PurchaseStore.update(h, next, nowMillis);
            }
            ChartFactsStore.write(h, next, purchase.state());
        }
        rememberObjects(h, next, fact);
        List<String> ids = List.of();
        if (!transition.events().isEmpty() && next.customerId() != null) {
            boolean knownHere = known != null && known.customer().id().equals(next.customerId());
            Optional<KnownCustomer> customer = knownHere ? Optional.of(known)
                    : CustomerStore.findWithAliases(h, next.customerId())
                            .map(found -> new KnownCustomer(found.customer(), found.aliases()));
            if (customer.isPresent()) {
                OutgoingEventStore.Source source = new OutgoingEventStore.Source(next.projectId(), next.appId(), customer.get().customer(),
                        next.id(), next.state().livemode(), sourceEventId, customer.get().aliases());
                ids = transition.events().stream()
                        .map(draft -> OutgoingEventStore.append(h, source, draft, rates, nowMillis, deliver))
                        .toList();
            }
        }
        return new Applied(next, transition.outcome(), ids);
    }

    /** Invoices, charges, payment intents and sessions seen with this purchase, so later refunds find it locally. */
    private static void rememberObjects(Handle h, StoredPurchase p, StripeFact fact) {
        if (fact instanceof StripeFact.InvoiceFact i) {
            PurchaseStore.rememberObject(h, p.appId(), i.invoiceId(), p.id());
            PurchaseStore.rememberObject(h, p.appId(), i.chargeId(), p.id());
            PurchaseStore.rememberObject(h, p.appId(), i.paymentIntentId(), p.id());
        } else if (fact instanceof StripeFact.SubscriptionSnapshot s) {
            PurchaseStore.rememberObject(h, p.appId(), s.latestInvoiceId(), p.id());
        } else if (fact instanceof StripeFact.CheckoutFact c) {
            PurchaseStore.rememberObject(h, p.appId(), c.sessionId(), p.id());
            PurchaseStore.rememberObject(h, p.appId(), c.paymentIntentId(), p.id());
        } else if (fact instanceof StripeFact.RefundFact r) {
            PurchaseStore.rememberObject(h, p.appId(), r.chargeId(), p.id());
            PurchaseStore.rememberObject(h, p.appId(), r.paymentIntentId(), p.id());
        }
    }
}
