package io.substate.ingest;

import io.substate.apps.App;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.purchases.StripeFact.RefundFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import io.substate.purchases.StripeFact;
import io.substate.stripe.StripeApi;
import io.substate.stripe.StripeFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Finds the purchase an event is about (README, "Stripe webhook endpoint": finding the purchase), for both Stripe API shapes: subscription id; checkout
 * session id; invoice → subscription ({@code invoice.subscription} or basil's {@code invoice.parent…}); charge →
 * invoice → subscription, or on basil charge → payment intent → invoice payments → invoice; or payment intent →
 * one-time purchase. Objects already seen with a purchase are found locally; the Stripe API is asked only when
 * needed, with the app's key.
 */
final class PurchaseResolver {
    private final Jdbi jdbi;
    private final String stripeApiBase;
    private final PaymentReads reads;

    PurchaseResolver(Jdbi jdbi, String stripeApiBase) {
        this.jdbi = jdbi;
        this.stripeApiBase = stripeApiBase;
        this.reads = new PaymentReads(stripeApiBase);
    }

    ResolvedEvent resolve(App app, StripeFact fact, StripeReadMemo memo) {
        if (fact instanceof SubscriptionSnapshot s) {
            ResolvedEvent resolution = ResolvedEvent.of(s.subscriptionId(), s);
            boolean unknown = app.stripeApiKey() != null && !app.stripeApiKey().isBlank() && app.trackNewPurchases()
                    && "active".equals(s.status()) && s.latestInvoiceId() != null && !exists(app, s.subscriptionId());
            return unknown ? resolution.withPrelude(paidFirstInvoice(app, s, memo)) : resolution;
        }
        if (fact instanceof InvoiceFact i) {
            return i.subscriptionId() == null
                    ? ResolvedEvent.ignored(i, "invoice " + i.invoiceId() + " is not for a subscription; nothing to update")
                    : ResolvedEvent.of(i.subscriptionId(), reads.withPaymentDetails(app, i, memo));
        }
        if (fact instanceof CheckoutFact c) {
            return resolveCheckout(app, c, memo);
        }
        if (fact instanceof RefundFact r) {
            return resolveRefund(app, r);
        }
        throw new IllegalArgumentException("unknown fact " + fact);
    }

    /**
     * For an active subscription this app would start tracking now (checked by the caller, who reads nothing when the
     * app has no key or the purchase is known), its paid latest invoice with the fee, to be applied before the
     * subscription so that the one INITIAL_PURCHASE carries the invoice's tax and fee: Stripe usually sends
     * {@code customer.subscription.created} before the invoice's event. Nothing when the subscription is not active (a
     * trial's or an unpaid first invoice has no tax or fee to tell), the invoice is not paid, or Stripe fails, which
     * leaves those fields null as before.
     */
    private List<StripeFact> paidFirstInvoice(App app, SubscriptionSnapshot s, StripeReadMemo memo) {
        InvoiceFact invoice = "active".equals(s.status()) && !s.deleted() ? reads.paidLatestInvoice(app, s, memo)
                : null;
        return invoice == null ? List.of() : List.of(invoice);
    }

    private ResolvedEvent resolveCheckout(App app, CheckoutFact c, StripeReadMemo memo) {
        if ("subscription".equals(c.mode())) {
            if (c.subscriptionId() == null) {
                return ResolvedEvent.ignored(c, "checkout session " + c.sessionId() + " has no subscription yet");
            }
            ResolvedEvent resolution = ResolvedEvent.of(c.subscriptionId(), reads.withPaymentDetails(app, c));
            // A new subscription-mode purchase: read the subscription now so access starts with this event
            // instead of waiting for customer.subscription.* (which may arrive later, or not be selected). Applied
            // after the session, which alone announces nothing, so that the INITIAL_PURCHASE the subscription
            // causes carries the session's metadata (its presented_offering_id) and country.
            if (app.trackNewPurchases() && app.stripeApiKey() != null && !exists(app, c.subscriptionId())) {
                try {
                    SubscriptionSnapshot subscription = StripeFacts.fromSubscriptionObject(
                            api(app).subscription(c.subscriptionId()), c.eventId(), c.created(), c.livemode());
                    List<StripeFact> following = new ArrayList<>(paidFirstInvoice(app, subscription, memo));
                    following.add(subscription);
                    return resolution.withFollowing(following);
                } catch (ApiException e) {
                    return ResolvedEvent.failed(c.subscriptionId(), c, e);
                }
            }
            return resolution;
        }
        if (!"payment".equals(c.mode())) {
            return ResolvedEvent.ignored(c, "checkout session " + c.sessionId() + " is in " + c.mode()
                    + " mode; only payment and subscription sessions are purchases");
        }
        // The fee is read last: a failure to read it leaves it null, while the line items are needed.
        ResolvedEvent resolution = ResolvedEvent.of(c.sessionId(), c);
        if (c.productId() != null || exists(app, c.sessionId()) || !app.trackNewPurchases()) {
            return resolution.withFact(reads.withPaymentDetails(app, c));
        }
        if (app.stripeApiKey() == null) {
            return ResolvedEvent.failed(c.sessionId(), c, new ApiException(ErrorCode.STRIPE_API_KEY_NOT_CONFIGURED,
                    "Checkout session " + c.sessionId() + " is a one-time purchase whose product is only in its line "
                            + "items, which Stripe does not include in the event. Set the app's Stripe API key "
                            + "(a restricted key rk_… with read access to Checkout Sessions) and replay this event."));
        }
        CheckoutFact withLine;
        try {
            withLine = StripeFacts.withFirstLineItem(c, api(app).checkoutSessionLineItems(c.sessionId()));
        } catch (ApiException e) {
            return ResolvedEvent.failed(c.sessionId(), c, e);
        }
        return resolution.withFact(reads.withPaymentDetails(app, withLine));
    }

    private ResolvedEvent resolveRefund(App app, RefundFact r) {
        for (String objectId : new String[] {r.chargeId(), r.paymentIntentId(), r.invoiceId()}) {
            Optional<StoredPurchase> known = objectId == null ? Optional.empty() : findByRef(app, objectId);
            if (known.isPresent()) {
                return ResolvedEvent.of(known.get().token(), r);
            }
        }
        String parkKey = r.paymentIntentId() != null ? r.paymentIntentId() : r.chargeId();
        if (app.stripeApiKey() == null) {
            return ResolvedEvent.unresolved(parkKey, r);
        }
        try {
            StripeApi api = api(app);
            String invoiceId = r.invoiceId();
            if (invoiceId == null && r.paymentIntentId() != null) {
                invoiceId = api.invoiceIdForPaymentIntent(r.paymentIntentId()).orElse(null);
            }
            if (invoiceId == null) {
                return ResolvedEvent.unresolved(parkKey, r);
            }
            InvoiceFact invoice = StripeFacts.fromInvoiceObject(api.invoice(invoiceId), r.eventId(), r.created(),
                    r.livemode());
            if (invoice.subscriptionId() == null) {
                return ResolvedEvent.unresolved(parkKey, r);
            }
            return ResolvedEvent.of(invoice.subscriptionId(), r.withInvoiceId(invoiceId));
        } catch (ApiException e) {
            return ResolvedEvent.failed(parkKey, r, e);
        }
    }

    private boolean exists(App app, String token) {
        return jdbi.withHandle(h -> PurchaseStore.findForUpdate(h, app.id(), token, "").isPresent());
    }

    private Optional<StoredPurchase> findByRef(App app, String objectId) {
        return jdbi.withHandle(h -> PurchaseStore.findByObjectRef(h, app.id(), objectId));
    }

    private StripeApi api(App app) {
        return StripeApi.forApp(stripeApiBase, app.stripeApiKey());
    }
}
