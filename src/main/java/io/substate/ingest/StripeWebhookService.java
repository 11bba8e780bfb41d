package io.substate.ingest;

import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.purchases.Outcome;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseStateMachine;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import io.substate.purchases.StripeFact;
import io.substate.storage.Dialect;
import io.substate.storage.GroupCommit;
import io.substate.storage.ReadAhead;
import io.substate.stripe.SignatureException;
import io.substate.stripe.StripeEvent;
import io.substate.stripe.StripeEvents;
import io.substate.stripe.StripeFacts;
import io.substate.stripe.StripeSignatureVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The Stripe webhook endpoint's work (DESIGN §2): verify, parse, find the purchase, apply the state machine, and
 * commit the event-log row, the new state and the outgoing events in one transaction before answering.
 */
public final class StripeWebhookService {
    private final AppService apps;
    private final PurchaseResolver resolver;
    private final PurchaseUpdater updater;
    private final GroupCommit commits;
    private final Dialect dialect;
    private final Clock clock;

    public StripeWebhookService(AppService apps, org.jdbi.v3.core.Jdbi jdbi, Dialect dialect, GroupCommit commits,
            PurchaseUpdater updater, String stripeApiBase, Clock clock) {
        this.apps = apps;
        this.resolver = new PurchaseResolver(jdbi, stripeApiBase);
        this.updater = updater;
        this.commits = commits;
        this.dialect = dialect;
        this.clock = clock;
    }

    /** Handles one delivery from Stripe; throws {@link ApiException} for anything Stripe must be told is wrong. */
    public WebhookResult receive(String appId, byte[] body, String signatureHeader) {
        App app = apps.findForWebhook(appId).orElseThrow(() -> new ApiException(ErrorCode.RESOURCE_MISSING,
                "No Stripe app '" + appId + "' exists. Copy the Stripe Webhook Endpoint again from the app's Webhook "
                        + "Configuration in the Substate dashboard and update the endpoint URL in Stripe."));
        long now = clock.millis();
        List<String> secrets = app.validWebhookSecrets(now);
        if (secrets.isEmpty()) {
            apps.recordSignatureFailure(appId, "webhook secret not configured", now);
            throw new ApiException(ErrorCode.WEBHOOK_SECRET_NOT_CONFIGURED, "This app has no Stripe Webhook Secret. "
                    + "In Stripe's Webhooks page, open this endpoint, reveal its Signing secret (whsec_…), and paste it "
                    + "into the app's Stripe Webhook Secret field in Substate.");
        }
        try {
            StripeSignatureVerifier.verify(body, signatureHeader, secrets, now / 1000);
        } catch (SignatureException e) {
            apps.recordSignatureFailure(appId, e.getMessage(), now);
            throw new ApiException(ErrorCode.INVALID_SIGNATURE, e.getMessage());
        }
        String payload = new String(body, StandardCharsets.UTF_8);
        StripeEvent event = StripeEvents.parse(payload);
        if (!StripeEvents.isAccepted(event.type())) {
            return rejectUnsupported(app, event, payload, now);
        }
        StripeFact fact = StripeFacts.from(event);
        return process(app, event, fact, payload, false);
    }

    /**
     * Handles an event Substate fetched from Stripe itself (the Events API, with the app's key), exactly as a
     * delivery of the same bytes: a new event-log row, or a duplicate counted; no signature, since no one could
     * forge it. Unsupported types are logged as failed and thrown as for a delivery.
     */
    public WebhookResult ingestVerified(App app, String payload) {
        StripeEvent event = StripeEvents.parse(payload);
        if (!StripeEvents.isAccepted(event.type())) {
            return rejectUnsupported(app, event, payload, clock.millis());
        }
        return process(app, event, StripeFacts.from(event), payload, false);
    }

    /** Runs a stored event through the normal path again (no signature: it was verified when received). */
    public WebhookResult replay(App app, LoggedStripeEvent logged) {
        StripeEvent event = StripeEvents.parse(logged.payload());
        if (!StripeEvents.isAccepted(event.type())) {
            return rejectUnsupported(app, event, logged.payload(), clock.millis());
        }
        return process(app, event, StripeFacts.from(event), logged.payload(), true);
    }

    private WebhookResult rejectUnsupported(App app, StripeEvent event, String payload, long now) {
        String message = "Stripe event type '" + event.type() + "' is not supported. Select only these events for "
                + "this endpoint in Stripe: " + String.join(", ", StripeEvents.ACCEPTED_TYPES) + ". Other types are "
                + "answered with this error, and Stripe eventually disables an endpoint that keeps failing.";
        commits.execute(event.id(), h -> {
            boolean logged = StripeEventLog.known(h, app.id(), event.id(), dialect.forUpdate()).isPresent();
            if (logged) {
                StripeEventLog.countDuplicate(h, app.id(), event.id());
            }
            new LogRow(h, app.id(), event, payload, now, logged).write(LoggedStripeEvent.FAILED,
                    ErrorCode.UNSUPPORTED_EVENT_TYPE.code(), message, null, null);
            return null;
        });
        throw new ApiException(ErrorCode.UNSUPPORTED_EVENT_TYPE, message);
    }

    private WebhookResult process(App app, StripeEvent event, StripeFact fact, String payload, boolean replay) {
        long receivedAt = clock.millis();
        ResolvedEvent resolution = resolver.resolve(app, fact);
        return commits.execute(resolution.orderKey(event.id()), lookups(app, event, resolution),
                h -> processInTransaction(h, app, event, payload, resolution, replay, receivedAt));
    }

    /**
     * The rows {@link #processInTransaction} will look up, in the order it does: the event's log row, its purchase,
     * and the customer a new purchase would go to (looked up in vain when the purchase exists: still one statement
     * for the whole batch). Read for the whole batch at once on PostgreSQL ({@link ReadAhead}).
     */
    private static List<ReadAhead.Lookup> lookups(App app, StripeEvent event, ResolvedEvent resolution) {
        List<ReadAhead.Lookup> lookups = new ArrayList<>(3);
        lookups.add(StripeEventLog.KNOWN_AHEAD.lookup(app.id(), event.id()));
        if (resolution.failure() == null && resolution.ignoredBecause() == null && resolution.token() != null) {
            lookups.add(PurchaseStore.FIND_FOR_UPDATE_AHEAD.lookup(app.id(), resolution.token()));
            if (app.trackNewPurchases() && NewPurchaseTracking.canStart(resolution.fact())) {
                String appUserId = NewPurchaseTracking.detect(app, resolution.fact()).appUserId();
                if (appUserId != null) {
                    lookups.add(CustomerStore.BY_APP_USER_ID_AHEAD.lookup(app.projectId(), appUserId));
                }
            }
        }
        return lookups;
    }

    private WebhookResult processInTransaction(Handle h, App app, StripeEvent event, String payload,
            ResolvedEvent resolution, boolean replay, long now) {
        Optional<StripeEventLog.Known> known = StripeEventLog.known(h, app.id(), event.id(), dialect.forUpdate());
        if (known.isPresent() && !replay && isFinal(known.get().status())) {
            StripeEventLog.countDuplicate(h, app.id(), event.id());
            return WebhookResult.ok(event.id(), WebhookResult.DUPLICATE, known.get().purchaseId());
        }
        LogRow log = new LogRow(h, app.id(), event, payload, now, known.isPresent());
        if (resolution.failure() != null) {
            // Not parked: a failure to read Stripe is retried on Stripe's next delivery, or replayed by hand.
            log.write(LoggedStripeEvent.FAILED, resolution.failure().errorCode().code(),
                    resolution.failure().getMessage(), resolution.parkKey(), null);
            return WebhookResult.rejected(event.id(), LoggedStripeEvent.FAILED, resolution.failure().errorCode(),
                    resolution.failure().getMessage());
        }
        if (resolution.ignoredBecause() != null) {
            log.write(LoggedStripeEvent.PROCESSED, null, resolution.ignoredBecause(), null, null);
            return WebhookResult.ok(event.id(), LoggedStripeEvent.PROCESSED, null);
        }
        if (resolution.token() == null) {
            return park(log, event, resolution.parkKey(), ErrorCode.PURCHASE_NOT_FOUND,
                    notFoundMessage(resolution.parkKey()));
        }
        Optional<StoredPurchase> existing = PurchaseStore.findForUpdate(h, app.id(), resolution.token(), dialect.forUpdate());
        boolean created = existing.isEmpty();
        StoredPurchase purchase;
        PurchaseUpdater.KnownCustomer customerKnown = null;
        if (existing.isPresent()) {
            purchase = existing.get();
        } else if (app.trackNewPurchases() && NewPurchaseTracking.canStart(resolution.fact())) {
            NewPurchaseTracking.Detection detection = NewPurchaseTracking.detect(app, resolution.fact());
            if (detection.appUserId() == null) {
                return park(log, event, resolution.token(), ErrorCode.APP_USER_ID_NOT_DETECTED, detection.problem());
            }
            Optional<Customer> found = CustomerStore.findByAppUserId(h, app.projectId(), detection.appUserId());
            Customer customer = found.orElseGet(() -> CustomerStore.create(h, app.projectId(), detection.appUserId(), now));
            // A customer created just now has one App User ID; an existing one's aliases are read when needed.
            customerKnown = new PurchaseUpdater.KnownCustomer(customer,
                    found.isPresent() ? null : List.of(detection.appUserId()));
            // Stored by the first fact applied below, with the state after it.
            purchase = PurchaseStore.unsaved(app.projectId(), app.id(), customer.id(), resolution.token(),
                    PurchaseState.empty(kindOf(resolution.fact()), resolution.token(), event.livemode()), now);
        } else {
            return park(log, event, resolution.token(), ErrorCode.PURCHASE_NOT_FOUND, notFoundMessage(resolution.token()));
        }
        List<StripeFact> facts = new ArrayList<>(resolution.prelude());
        facts.add(resolution.fact());
        Outcome outcome = Outcome.STALE;
        boolean unsaved = created;
        for (StripeFact f : facts) {
            PurchaseUpdater.Applied applied = unsaved
                    ? updater.applyToNew(h, purchase, f, event.id(), now, customerKnown)
                    : updater.apply(h, purchase, f, event.id(), now, customerKnown);
            unsaved = false;
            purchase = applied.purchase();
            if (f == resolution.fact()) {
                outcome = applied.outcome();
            }
        }
        String status = outcome == Outcome.STALE ? LoggedStripeEvent.STALE : LoggedStripeEvent.PROCESSED;
        // Written before the parked events are applied: a parked event delivered again is not among them twice.
        log.write(status, null, null, resolution.token(), purchase.id());
        if (created) {
            applyParked(h, purchase, now, customerKnown);
        }
        return WebhookResult.ok(event.id(), status, purchase.id());
    }

    /**
     * The event's row in the log, written once with the outcome: inserted if the event is new, else (a parked or
     * failed event delivered or replayed again) updated.
     */
    private record LogRow(Handle h, String appId, StripeEvent event, String payload, long now, boolean exists) {
        void write(String status, String errorCode, String errorMessage, String purchaseToken, String purchaseId) {
            if (exists) {
                StripeEventLog.recordOutcome(h, appId, event.id(), status, errorCode, errorMessage, purchaseToken,
                        purchaseId, now);
            } else {
                StripeEventLog.insert(h, appId, event, payload, now, status, errorCode, errorMessage, purchaseToken,
                        purchaseId);
            }
        }
    }

    /**
     * Applies the events that were parked while this purchase did not exist (the receipt rule), oldest first.
     * Called when a purchase appears: by tracking here, or when its receipt is posted.
     */
    public int applyParked(Handle h, StoredPurchase purchase, long now) {
        return applyParked(h, purchase, now, null);
    }

    private int applyParked(Handle h, StoredPurchase purchase, long now, PurchaseUpdater.KnownCustomer known) {
        if (!StripeEventLog.anyParked(h, purchase.appId())) {
            return 0;
        }
        int applied = 0;
        StoredPurchase current = purchase;
        for (LoggedStripeEvent parked : StripeEventLog.parkedFor(h, purchase.appId(), purchase.token())) {
            StripeEvent event = StripeEvents.parse(parked.payload());
            PurchaseUpdater.Applied result = updater.apply(h, current, StripeFacts.from(event), event.id(), now, known);
            current = result.purchase();
            String status = result.outcome() == Outcome.STALE
                    ? LoggedStripeEvent.STALE : LoggedStripeEvent.PROCESSED;
            StripeEventLog.recordOutcome(h, purchase.appId(), event.id(), status, null, null, purchase.token(),
                    purchase.id(), now);
            applied++;
        }
        return applied;
    }

    private WebhookResult park(LogRow log, StripeEvent event, String parkKey, ErrorCode code, String message) {
        log.write(LoggedStripeEvent.PARKED, code.code(), message, parkKey, null);
        StripeEventLog.forgetAnyParked(log.h(), log.appId());
        return WebhookResult.rejected(event.id(), LoggedStripeEvent.PARKED, code, message);
    }

    /** Processed and stale events are done: a redelivery is a duplicate. Parked and failed ones are tried again. */
    private static boolean isFinal(String status) {
        return LoggedStripeEvent.PROCESSED.equals(status) || LoggedStripeEvent.STALE.equals(status);
    }

    private static String notFoundMessage(String key) {
        return "No purchase for " + key + " exists in this app yet. Post the Stripe token to /v1/receipts first "
                + "(send your purchase tokens), or enable 'Track new purchases from server-to-server notifications' "
                + "for this app. The event is parked: it is applied as soon as the purchase exists, and Stripe's "
                + "retries are then answered 200.";
    }

    private static PurchaseState.Kind kindOf(StripeFact fact) {
        return fact instanceof StripeFact.CheckoutFact c && "payment".equals(c.mode())
                ? PurchaseState.Kind.ONE_TIME : PurchaseState.Kind.SUBSCRIPTION;
    }
}
