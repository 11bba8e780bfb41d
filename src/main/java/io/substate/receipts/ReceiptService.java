package io.substate.receipts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.apps.App;
import io.substate.customers.ApiCaller;
import io.substate.customers.AppUserIds;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.ingest.PurchaseOwnership;
import io.substate.customers.SubscriberAttributes;
import io.substate.customers.SubscriberView;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.projects.ProjectService;
import io.substate.projects.TransferBehavior;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseStore;
import io.substate.ingest.PurchaseUpdater;
import io.substate.purchases.StoredPurchase;
import io.substate.purchases.StripeFact;
import io.substate.storage.Dialect;
import io.substate.storage.GroupCommit;
import io.substate.ingest.LoggedStripeEvent;
import io.substate.stripe.StripeApi;
import io.substate.ingest.StripeEventStore;
import io.substate.ingest.StripeWebhookService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * {@code POST /v1/receipts} for Stripe: reads the token from the Stripe API with the app's key, then in one
 * transaction creates or refreshes the purchase, settles who owns it, applies events that were parked waiting for it,
 * and saves the posted attributes. Without an API key the purchase is built from parked events alone.
 */
public final class ReceiptService {
    /** A client waits on this request: give Stripe less time than a background read would get. */
    public static final Duration STRIPE_TIMEOUT = Duration.ofSeconds(5);

    private final GroupCommit commits;
    private final Dialect dialect;
    private final PurchaseUpdater updater;
    private final StripeWebhookService webhooks;
    private final ProjectService projects;
    private final String stripeApiBase;
    private final Duration stripeTimeout;
    private final Clock clock;

    public ReceiptService(GroupCommit commits, Dialect dialect, PurchaseUpdater updater, StripeWebhookService webhooks,
            ProjectService projects, String stripeApiBase, Duration stripeTimeout, Clock clock) {
        this.commits = commits;
        this.dialect = dialect;
        this.updater = updater;
        this.webhooks = webhooks;
        this.projects = projects;
        this.stripeApiBase = stripeApiBase;
        this.stripeTimeout = stripeTimeout;
        this.clock = clock;
    }

    /** A posted receipt: {@code attributes} is null when none were sent. */
    public record Receipt(String appUserId, String fetchToken, List<SubscriberAttributes.Change> attributes) {}

    public ObjectNode post(ApiCaller caller, Receipt receipt) {
        App app = caller.app();
        AppUserIds.require(receipt.appUserId(), "app_user_id");
        String token = receipt.fetchToken();
        if (token == null || !(token.startsWith("sub_") || token.startsWith("cs_"))) {
            throw new ApiException(ErrorCode.INVALID_RECEIPT_TOKEN, "'fetch_token' must be a Stripe subscription id "
                    + "(sub_…) or Checkout Session id (cs_…)");
        }
        StripeReceipt read = app.stripeApiKey() == null
                ? new StripeReceipt(token, token.startsWith("sub_") ? PurchaseState.Kind.SUBSCRIPTION
                        : PurchaseState.Kind.ONE_TIME, null, List.of())
                : StripeReceiptReader.read(new StripeApi(stripeApiBase, app.stripeApiKey().trim(), stripeTimeout),
                        token, clock.millis());
        TransferBehavior behavior = projects.get(app.projectId()).transferBehavior();
        return commits.execute(read.token(), h -> apply(h, caller, receipt, read, behavior));
    }

    private ObjectNode apply(Handle h, ApiCaller caller, Receipt receipt, StripeReceipt read, TransferBehavior behavior) {
        long now = clock.millis();
        App app = caller.app();
        Customer poster = CustomerStore.findOrCreate(h, app.projectId(), receipt.appUserId(), now);
        Optional<StoredPurchase> existing = PurchaseStore.findForUpdate(h, app.id(), read.token(), dialect.forUpdate());
        if (existing.isEmpty() && read.facts().isEmpty()) {
            // Without an API key a subscription-mode session is only known if an event linked it to its purchase.
            existing = PurchaseStore.findByObjectRef(h, app.id(), read.token());
        }
        StoredPurchase purchase;
        boolean created = existing.isEmpty();
        if (existing.isPresent()) {
            PurchaseOwnership.Claimed claimed = PurchaseOwnership.claim(h, existing.get(), poster, behavior, now);
            purchase = claimed.purchase();
            poster = claimed.poster();
        } else {
            purchase = PurchaseStore.insert(h, app.projectId(), app.id(), poster.id(), read.token(),
                    PurchaseState.empty(read.kind(), read.token(), livemode(h, app, read)), now);
        }
        for (StripeFact fact : read.facts()) {
            purchase = updater.apply(h, purchase, fact, fact.eventId(), now).purchase();
        }
        if (created) {
            webhooks.applyParked(h, purchase, now);
        }
        List<SubscriberAttributes.AttributeError> errors = receipt.attributes() == null ? List.of()
                : SubscriberAttributes.apply(h, poster.id(), receipt.attributes());
        ObjectNode body = SubscriberView.render(h, poster, caller, now);
        if (!errors.isEmpty()) {
            body.set("attribute_errors", Json.MAPPER.valueToTree(errors));
        }
        return body;
    }

    /** The mode of a purchase built without the Stripe API: that of the events parked for it. */
    private static boolean livemode(Handle h, App app, StripeReceipt read) {
        if (read.livemode() != null) {
            return read.livemode();
        }
        List<LoggedStripeEvent> parked = StripeEventStore.parkedFor(h, app.id(), read.token());
        if (parked.isEmpty()) {
            throw new ApiException(ErrorCode.RECEIPT_NOT_READABLE, "This app has no Stripe API key, so Substate "
                    + "cannot read " + read.token() + " from Stripe, and no Stripe event about it has arrived yet. Set "
                    + "the app's Stripe API key (a restricted key rk_… with read access), or post the token again after "
                    + "Stripe's webhook for it was received.");
        }
        return parked.get(0).livemode();
    }
}
