package io.substate.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.charts.ChartFacts;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.PurchaseState.PaidInvoice;
import io.substate.purchases.StoredPurchase;
import io.substate.stripe.StripeApi;
import io.substate.sync.PurchaseRefresher;
import java.util.Comparator;
import java.util.Optional;

/**
 * Cancels and refunds in Stripe with the app's key, then applies what Stripe answered through
 * {@link PurchaseRefresher} before answering: the answer shows the new state, the usual outgoing events (CANCELLATION,
 * EXPIRATION, REFUND…) are sent, and the webhooks Stripe sends about the same change later are duplicates that
 * change nothing. Substate writes nothing until Stripe has made the change.
 */
public final class SubscriptionActions {
    private final SubscriptionService reads;
    private final AppService apps;
    private final PurchaseRefresher refresher;
    private final String stripeApiBase;

    public SubscriptionActions(SubscriptionService reads, AppService apps, PurchaseRefresher refresher,
            String stripeApiBase) {
        this.reads = reads;
        this.apps = apps;
        this.refresher = refresher;
        this.stripeApiBase = stripeApiBase;
    }

    /** Cancels at the period end (RevenueCat's cancel: access lasts until then), or now when {@code now}. */
    public ObjectNode cancel(String projectId, String subscriptionId, boolean now) {
        StoredPurchase purchase = reads.load(projectId, subscriptionId, Kind.SUBSCRIPTION);
        requireNotEnded(purchase);
        App app = apps.get(purchase.projectId(), purchase.appId());
        StripeApi stripe = StripeApi.forApp(stripeApiBase, app.stripeApiKey());
        JsonNode subscription = now ? stripe.cancelNow(purchase.token()) : stripe.cancelAtPeriodEnd(purchase.token());
        return reads.render(refresher.apply(app, purchase.token(), subscription));
    }

    /**
     * RevenueCat's refund of a subscription: refunds its latest payment and ends it now, so access ends at once. The
     * subscription is canceled first: when the refund then fails, the error says so and the same call refunds.
     */
    public ObjectNode refundLatest(String projectId, String subscriptionId) {
        StoredPurchase purchase = reads.load(projectId, subscriptionId, Kind.SUBSCRIPTION);
        PaidInvoice latest = purchase.state().history().paidInvoices().stream()
                .filter(i -> i.amountPaid() > 0)
                .max(Comparator.comparingLong(PaidInvoice::created).thenComparing(PaidInvoice::invoiceId))
                .orElseThrow(() -> new ApiException(ErrorCode.NOTHING_TO_REFUND, "Subscription " + subscriptionId
                        + " has no paid invoice to refund"));
        requireNotRefunded(purchase, latest.invoiceId());
        App app = apps.get(purchase.projectId(), purchase.appId());
        StripeApi stripe = StripeApi.forApp(stripeApiBase, app.stripeApiKey());
        String payment = paymentOf(stripe, latest);
        boolean cancels = !SubscriptionJson.ENDED.contains(String.valueOf(purchase.state().status()));
        if (cancels) {
            purchase = refresher.apply(app, purchase.token(), stripe.cancelNow(purchase.token()));
        }
        try {
            purchase = refund(app, stripe, purchase, payment, latest.invoiceId());
        } catch (ApiException e) {
            if (!cancels) {
                throw e;
            }
            throw new ApiException(e.errorCode(), "The subscription was canceled in Stripe, but its latest payment "
                    + "was not refunded: " + e.getMessage() + " Calling the refund again refunds it.", e.extra());
        }
        return reads.render(purchase);
    }

    /** Refunds one paid invoice of the subscription; the subscription itself is left as it is. */
    public ObjectNode refundTransaction(String projectId, String subscriptionId, String transactionId) {
        StoredPurchase purchase = reads.load(projectId, subscriptionId, Kind.SUBSCRIPTION);
        PaidInvoice invoice = purchase.state().history().paidInvoices().stream()
                .filter(i -> i.invoiceId().equals(transactionId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Transaction", transactionId));
        if (invoice.amountPaid() <= 0) {
            throw new ApiException(ErrorCode.NOTHING_TO_REFUND, "Transaction " + transactionId + " paid nothing");
        }
        requireNotRefunded(purchase, transactionId);
        App app = apps.get(purchase.projectId(), purchase.appId());
        StripeApi stripe = StripeApi.forApp(stripeApiBase, app.stripeApiKey());
        StoredPurchase refunded = refund(app, stripe, purchase, paymentOf(stripe, invoice), transactionId);
        return reads.transaction(refunded, transactionId);
    }

    /** Refunds a one-time purchase, which revokes its access. */
    public ObjectNode refundPurchase(String projectId, String purchaseId) {
        StoredPurchase purchase = reads.load(projectId, purchaseId, Kind.ONE_TIME);
        String paymentIntent = purchase.state().paymentIntentId();
        if (purchase.state().refundedAt() != null || paymentIntent == null) {
            throw new ApiException(ErrorCode.NOTHING_TO_REFUND, "Purchase " + purchaseId
                    + (paymentIntent == null ? " has no payment to refund" : " is already refunded"));
        }
        App app = apps.get(purchase.projectId(), purchase.appId());
        StripeApi stripe = StripeApi.forApp(stripeApiBase, app.stripeApiKey());
        return reads.render(refund(app, stripe, purchase, paymentIntent, null));
    }

    /** Refunds the payment, reads the refunded charge and applies it as the {@code charge.refunded} webhook would. */
    private StoredPurchase refund(App app, StripeApi stripe, StoredPurchase purchase, String payment,
            String invoiceId) {
        JsonNode refund = stripe.refund(payment);
        String chargeId = text(refund.path("charge")).or(() -> text(refund.path("charge").path("id")))
                .orElseThrow(() -> new ApiException(ErrorCode.STRIPE_API_ERROR, "Stripe made refund "
                        + refund.path("id").asText() + " but named no charge; Substate applies it when Stripe's "
                        + "charge.refunded webhook arrives"));
        JsonNode charge = stripe.charge(chargeId);
        return refresher.applyRefund(app, purchase.token(), charge, refund.path("created").asLong(), invoiceId);
    }

    /** The PaymentIntent (or, before Stripe's basil API, the charge) that paid the invoice. */
    private static String paymentOf(StripeApi stripe, PaidInvoice invoice) {
        if (invoice.paymentIntentId() != null) {
            return invoice.paymentIntentId();
        }
        if (invoice.chargeId() != null) {
            return invoice.chargeId();
        }
        return stripe.paymentIntentForInvoice(invoice.invoiceId())
                .orElseThrow(() -> new ApiException(ErrorCode.NOTHING_TO_REFUND, "Stripe names no payment of invoice "
                        + invoice.invoiceId() + " (paid out of band?): nothing to refund in Stripe"));
    }

    private static void requireNotEnded(StoredPurchase purchase) {
        if (SubscriptionJson.ENDED.contains(String.valueOf(purchase.state().status()))) {
            throw new ApiException(ErrorCode.SUBSCRIPTION_NOT_ACTIVE, "Subscription " + purchase.id()
                    + " has already ended in Stripe (" + purchase.state().status() + ")");
        }
    }

    private static void requireNotRefunded(StoredPurchase purchase, String invoiceId) {
        boolean refunded = ChartFacts.transactions(purchase.state()).stream()
                .anyMatch(t -> t.id().equals(invoiceId) && t.fullyRefunded());
        if (refunded) {
            throw new ApiException(ErrorCode.NOTHING_TO_REFUND, "Invoice " + invoiceId + " of subscription "
                    + purchase.id() + " is already refunded");
        }
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }
}
