package io.substate.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.ingest.PurchaseUpdater;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.purchases.StripeFact.RefundFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import io.substate.storage.Dialect;
import io.substate.storage.GroupCommit;
import io.substate.stripe.StripeApi;
import io.substate.stripe.StripeFacts;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads one subscription (and its latest invoice) from the Stripe API with its app's key and applies them through
 * the same state machine as a webhook, so a change made in Stripe without a notification emits the same outgoing
 * events.
 */
public final class PurchaseRefresher {
    private static final Logger LOG = LoggerFactory.getLogger(PurchaseRefresher.class);

    private final Jdbi jdbi;
    private final AppService apps;
    private final Dialect dialect;
    private final GroupCommit commits;
    private final PurchaseUpdater updater;
    private final String stripeApiBase;
    private final Clock clock;

    public PurchaseRefresher(Jdbi jdbi, AppService apps, Dialect dialect, GroupCommit commits, PurchaseUpdater updater,
            String stripeApiBase, Clock clock) {
        this.jdbi = jdbi;
        this.apps = apps;
        this.dialect = dialect;
        this.commits = commits;
        this.updater = updater;
        this.stripeApiBase = stripeApiBase;
        this.clock = clock;
    }

    /**
     * Re-reads the subscription of the project's purchase {@code purchaseId} now (the admin action); the purchase as
     * it is afterwards.
     *
     * @throws ApiException {@code PURCHASE_NOT_REFRESHABLE} for a one-time purchase, or as {@link #refresh(App, String)}
     */
    public StoredPurchase refresh(String projectId, String purchaseId) {
        StoredPurchase purchase = jdbi.withHandle(h -> PurchaseStore.findById(h, purchaseId))
                .filter(p -> p.projectId().equals(projectId))
                .orElseThrow(() -> ApiException.notFound("Purchase", purchaseId));
        if (purchase.state().kind() != PurchaseState.Kind.SUBSCRIPTION) {
            throw new ApiException(ErrorCode.PURCHASE_NOT_REFRESHABLE, "Purchase " + purchaseId + " is a one-time "
                    + "payment (" + purchase.token() + "): nothing about it changes in Stripe except refunds, which "
                    + "arrive as charge.refunded events. Only subscriptions can be refreshed.");
        }
        return refresh(apps.get(projectId, purchase.appId()), purchase.token());
    }

    /**
     * Reads the subscription {@code token} now and applies it; the purchase as it is afterwards.
     *
     * @throws ApiException a {@code STRIPE_*} code when Stripe cannot be read (no key, key rejected, rate limited…)
     */
    public StoredPurchase refresh(App app, String token) {
        // Network first: a transaction (and everyone batched with it) never waits on Stripe.
        StripeApi stripe = StripeApi.forApp(stripeApiBase, app.stripeApiKey());
        JsonNode subscription = stripe.subscription(token);
        // A renewal is announced only once its invoice is paid, so the latest invoice is read with the subscription.
        return apply(app, token, subscription, latestInvoice(stripe, token, subscription));
    }

    /**
     * The subscription's latest invoice, or null when it has none, or when the key may not read it or Stripe has it no
     * more: then the subscription alone is applied (a renewal waits for the invoice's notification) and a WARN says
     * why. Other failures (rate limit, Stripe down) fail the refresh, which is retried.
     */
    private static JsonNode latestInvoice(StripeApi stripe, String token, JsonNode subscription) {
        JsonNode latest = subscription.path("latest_invoice");
        if (latest.isObject()) {
            return latest;
        }
        if (!latest.isTextual()) {
            return null;
        }
        try {
            return stripe.invoice(latest.asText());
        } catch (ApiException e) {
            if (e.errorCode() != ErrorCode.STRIPE_OBJECT_NOT_FOUND
                    && e.errorCode() != ErrorCode.STRIPE_PERMISSION_MISSING) {
                throw e;
            }
            LOG.warn("Refresh of {}: its latest invoice {} was not read ({}); the subscription is applied alone",
                    token, latest.asText(), e.getMessage());
            return null;
        }
    }

    /**
     * Applies the subscription {@code token} as Stripe has it now ({@code subscription}, just read or just answered
     * by a change made in Stripe); the purchase as it is afterwards. A webhook about the same change that arrives
     * later carries an older or equal snapshot: it changes nothing and sends no event twice.
     */
    public StoredPurchase apply(App app, String token, JsonNode subscription) {
        return apply(app, token, subscription, null);
    }

    /** As {@link #apply(App, String, JsonNode)}, then the subscription's latest {@code invoice} when not null. */
    public StoredPurchase apply(App app, String token, JsonNode subscription, JsonNode invoice) {
        long now = clock.millis();
        return commits.execute(token, h -> {
            StoredPurchase current = PurchaseStore.findForUpdate(h, app.id(), token, dialect.forUpdate())
                    .orElseThrow(() -> ApiException.notFound("Purchase", token));
            PurchaseState state = current.state();
            boolean livemode = subscription.path("livemode").isBoolean()
                    ? subscription.path("livemode").asBoolean() : state.livemode();
            // The object as Stripe has it now: a snapshot as of now orders after every event already applied.
            // A synthetic event id: outgoing events caused by this read point to the refresh, not to a Stripe event.
            SubscriptionSnapshot snapshot = StripeFacts.fromSubscriptionObject(subscription,
                    "refresh_" + token + "_" + now, now / 1000, livemode);
            StoredPurchase next = updater.apply(h, current, snapshot, snapshot.eventId(), now).purchase();
            if (invoice != null) {
                InvoiceFact paid = StripeFacts.fromInvoiceObject(invoice, "refresh_" + invoice.path("id").asText()
                        + "_" + now, now / 1000, livemode);
                next = updater.apply(h, next, paid, paid.eventId(), now).purchase();
            }
            RefreshStore.markRefreshed(h, current.id(), now);
            return next;
        });
    }

    /**
     * Applies a refund made in Stripe to the purchase {@code token}: {@code charge} is the refunded charge as Stripe
     * has it now, {@code refundCreated} the refund's time (Stripe seconds) and {@code invoiceId} the invoice it paid
     * (null for a one-time purchase). The same fact as the {@code charge.refunded} webhook that follows, which then
     * merges into it: the refund is announced once.
     */
    public StoredPurchase applyRefund(App app, String token, JsonNode charge, long refundCreated, String invoiceId) {
        long now = clock.millis();
        return commits.execute(token, h -> {
            StoredPurchase current = PurchaseStore.findForUpdate(h, app.id(), token, dialect.forUpdate())
                    .orElseThrow(() -> ApiException.notFound("Purchase", token));
            boolean livemode = charge.path("livemode").isBoolean()
                    ? charge.path("livemode").asBoolean() : current.state().livemode();
            RefundFact refund = StripeFacts.fromChargeObject(charge, "refresh_" + charge.path("id").asText() + "_"
                    + now, refundCreated, livemode);
            if (invoiceId != null) {
                refund = refund.withInvoiceId(invoiceId);
            }
            return updater.apply(h, current, refund, refund.eventId(), now).purchase();
        });
    }
}
